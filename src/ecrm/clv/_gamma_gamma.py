"""Gamma-Gamma spend model (Fader and Hardie 2013, note 025).

A customer's order values are Gamma(p, nu) with ``nu ~ Gamma(q, gamma)`` across customers;
the mean ``m`` of ``x`` repeat orders is then Gamma(p x, nu x), and the likelihood of
``(x, m)`` has a closed form. Only customers with ``x >= 1`` and ``m > 0`` carry
information.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln


@dataclass
class SpendData:
    """Distinct ``(x, m)`` of repeat customers with their counts."""

    x: np.ndarray
    m: np.ndarray
    w: np.ndarray

    @property
    def n_customers(self) -> float:
        return float(self.w.sum())


class GammaGamma:
    name = "gamma_gamma"
    params = ("p", "q", "gamma")

    def start(self, data: SpendData) -> np.ndarray:
        mean = float(np.average(data.m, weights=data.w))
        return np.array([1.0, 2.0, mean])

    def scale(self, data: SpendData) -> np.ndarray:
        return np.ones(3)  # as lifetimes: the penalty applies to p, q, gamma themselves

    def pattern_loglik(self, theta, x, m):
        p, q, gamma = theta
        px = p * x
        return (
            gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(x * m + gamma)
        )  # fmt: skip

    def loglik(self, theta, data: SpendData):
        p, q, gamma = theta
        x, m, w = data.x, data.m, data.w
        px = p * x
        log_m, log_x = np.log(m), np.log(x)
        log_total = np.log(x * m + gamma)
        ll = float(
            w @ (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
                 + (px - 1) * log_m + px * log_x - (px + q) * log_total)
        )  # fmt: skip
        dig_pq = digamma(px + q)
        g_p = w @ (x * (dig_pq - digamma(px) + log_m + log_x - log_total))
        g_q = w @ (dig_pq - digamma(q) + np.log(gamma) - log_total)
        g_gamma = w.sum() * q / gamma - w @ ((px + q) / (x * m + gamma))
        return ll, np.array([g_p, g_q, g_gamma]) * theta

    def expected_spend(self, theta, x, m):
        """E[M | x, m] = (p (gamma + x m)) / (p x + q - 1): the posterior mean order value.

        It is infinite where ``p x + q <= 1`` (the prior mean of a one-time buyer when
        ``q <= 1``); :meth:`CLVModel.fit` warns when the estimates allow that.
        """
        p, q, gamma = theta
        x = np.asarray(x, dtype=float)
        m = np.where(x > 0, np.asarray(m, dtype=float), 0.0)
        den = p * x + q - 1
        with np.errstate(divide="ignore"):
            return np.where(den > 0, p * (gamma + x * m) / np.where(den > 0, den, 1.0), np.inf)
