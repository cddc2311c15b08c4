"""Pareto/NBD (Schmittlein, Morrison and Colombo 1987).

While active, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``;
the lifetime is exponential with rate ``mu ~ Gamma(s, beta)``. The likelihood is
(Fader and Hardie 2005, note 009)::

    L = Gamma(r + x) alpha^r beta^s / Gamma(r)
        * [ (alpha + T)^-(r + x) (beta + T)^-s  +  s J ],
    J = integral_{t_x}^{T} (alpha + tau)^-(r + x) (beta + tau)^-(s + 1) dtau.

``J`` is usually written with Gauss hypergeometric functions whose difference cancels
and overflows for heavy buyers (lifetimes returns NaN for x >= ~140 at t_x = T = 200
weeks). ecrm integrates ``J`` directly, in log space (:func:`_quadrature.log_integral`),
which is exact to about 1e-12 for every finite input and gives the derivatives with
respect to all four parameters as moments of the same integrand.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, gammaln

from ._base import Patterns, PurchaseModel, discounting_g, log_nbd
from ._quadrature import log_integral


class ParetoNBD(PurchaseModel):
    name = "paretonbd"
    params = ("r", "alpha", "s", "beta")
    rates = ("alpha", "beta")

    def start(self, data: Patterns) -> np.ndarray:
        mean_t = max(float(np.average(data.T, weights=data.w)), 1e-9)
        rate = max(float(np.average(data.x, weights=data.w)), 0.1) / mean_t
        return np.array([1.0, 1.0 / rate, 1.0, mean_t])

    def _log_j(self, theta, x, tx, T, moments=False):
        r, alpha, s, beta = theta
        terms = [(alpha, -(r + x)), (beta, -(s + 1.0))]
        return log_integral(tx, T, min(alpha, beta), terms, moments=moments)

    def _terms(self, theta, x, tx, T, moments=False):
        r, alpha, s, beta = theta
        log_t_alpha, log_t_beta = np.log(alpha + T), np.log(beta + T)
        alive = -(r + x) * log_t_alpha - s * log_t_beta  # still active at T
        log_j, stats = self._log_j(theta, x, tx, T, moments)
        dead = np.log(s) + log_j  # dropped out between t_x and T
        return alive, dead, log_t_alpha, log_t_beta, stats

    def pattern_loglik(self, theta, x, tx, T):
        r, alpha, s, beta = theta
        x = np.asarray(x, dtype=float)
        alive, dead, *_ = self._terms(theta, x, tx, T)
        return gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + np.logaddexp(alive, dead)

    def loglik(self, theta, data):
        r, alpha, s, beta = theta
        x, tx, T, w = data.x, data.tx, data.T, data.w
        xs, _, wx = data.by_x
        n = wx.sum()
        ll = float(wx @ (gammaln(r + xs) - gammaln(r))) + n * (r * np.log(alpha) + s * np.log(beta))
        alive, dead, log_ta, log_tb, stats = self._terms(theta, x, tx, T, moments=True)
        mix = np.logaddexp(alive, dead)
        ll += float(w @ mix)
        pd_ = np.exp(dead - mix)  # weight of the dropped-out branch
        pa = 1.0 - pd_
        (mean_log_a, mean_inv_a), (mean_log_b, mean_inv_b) = stats
        g_r = wx @ (digamma(r + xs) - digamma(r)) + n * np.log(alpha) - w @ (pa * log_ta + pd_ * mean_log_a)
        g_alpha = n * r / alpha - w @ ((r + x) * (pa / (alpha + T) + pd_ * mean_inv_a))
        g_s = n * np.log(beta) - w @ (pa * log_tb + pd_ * (mean_log_b - 1.0 / s))
        g_beta = n * s / beta - w @ (pa * s / (beta + T) + pd_ * (s + 1.0) * mean_inv_b)
        return ll, np.array([g_r, g_alpha, g_s, g_beta]) * theta

    def log_alive_now(self, theta, x, tx, T):
        x = np.asarray(x, dtype=float)
        alive, dead, *_ = self._terms(theta, x, tx, T)
        return alive - np.logaddexp(alive, dead)

    def alive_expectation(self, theta, x, T, t):
        r, alpha, s, beta = theta
        x = np.asarray(x, dtype=float)[:, None]
        T = np.asarray(T, dtype=float)[:, None]
        t = np.atleast_1d(np.asarray(t, dtype=float))[None, :]
        # E[lambda] * E[time still alive within t], both under the posterior given alive at T.
        return (r + x) / (alpha + T) * (beta + T) * discounting_g(s - 1.0, np.log1p(t / (beta + T)))

    def expected_new(self, theta, t):
        r, alpha, s, beta = theta
        t = np.atleast_1d(np.asarray(t, dtype=float))
        return r / alpha * beta * discounting_g(s - 1.0, np.log1p(t / beta))

    def pmf_new(self, theta, t, n):
        r, alpha, s, beta = theta
        n = np.asarray(n, dtype=float)
        alive = s * (np.log(beta) - np.log(beta + t)) + log_nbd(r, alpha, t, n)
        # Dropped out at tau < t having bought n times: integral over tau of the NBD count.
        log_j, _ = log_integral(0.0, t, min(alpha, beta), [(0.0, n), (alpha, -(r + n)), (beta, -(s + 1.0))])
        dead = (np.log(s) + s * np.log(beta) + r * np.log(alpha)
                + gammaln(r + n) - gammaln(r) - gammaln(n + 1) + log_j)  # fmt: skip
        return np.exp(alive) + np.exp(dead)
