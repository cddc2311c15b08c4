"""BG/NBD (Fader, Hardie and Lee 2005) and MBG/NBD (Batislam, Denizel and Filiztekin 2007).

While active, a customer buys as a Poisson process with rate ``lambda ~ Gamma(r, alpha)``.
After every repeat purchase (BG/NBD), or also at time 0 (MBG/NBD), the customer drops out
with probability ``p ~ Beta(a, b)``. The two differ only in that extra chance to drop out,
so one class implements both.

Conditional expectations use the factorisation ``E[X(T, T + t) | x, t_x, T] =
P(alive | x, t_x, T) * E[(1 - (1 + p t / (alpha + T)) ** -(r + x)) / p]`` with ``p`` from
its posterior ``Beta(a, b + x)`` (MBG/NBD: ``Beta(a, b + x + 1)``), integrated by
Gauss-Jacobi quadrature: the integrand is bounded, so the result is finite for any
frequency and horizon, where the published closed form (a 2F1 times a vanishing power)
overflows for heavy buyers and long horizons.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaln, digamma, gammaln

from ._base import Patterns, PurchaseModel, log_nbd, nbd_at_least
from ._quadrature import beta_mean, beta_nodes

_BLOCK = 1 << 20  # quadrature terms per block


class BGNBD(PurchaseModel):
    """BG/NBD; ``modified=True`` gives MBG/NBD."""

    params = ("r", "alpha", "a", "b")
    rates = ("alpha",)

    def __init__(self, modified: bool = False) -> None:
        self.modified = modified
        self.name = "mbgnbd" if modified else "bgnbd"
        self._shift = 1 if modified else 0  # MBG/NBD: one more chance to drop out

    def start(self, data: Patterns) -> np.ndarray:
        rate = max(float(np.average(data.x, weights=data.w)), 0.1) / max(
            float(np.average(data.T, weights=data.w)), 1e-9
        )
        return np.array([1.0, 1.0 / rate, 1.0, 1.0])

    def _split(self, theta, x, tx, T):
        """The two terms of the likelihood and the log ratio of P(dead) to P(alive)."""
        r, alpha, a, b = theta
        log_t = np.log(alpha + T)
        log_tx = np.log(alpha + tx)
        den = b + x if self.modified else b + np.maximum(x, 1) - 1
        # log of [a / den * ((alpha + T) / (alpha + t_x)) ** (r + x)]: dropped out after t_x.
        log_ratio = np.log(a) - np.log(den) + (r + x) * (log_t - log_tx)
        if not self.modified:
            log_ratio = np.where(x > 0, log_ratio, -np.inf)
        return log_t, log_tx, den, log_ratio

    def pattern_loglik(self, theta, x, tx, T):
        r, alpha, a, b = theta
        x = np.asarray(x, dtype=float)
        xs = x + self._shift
        log_t, _, _, log_ratio = self._split(theta, x, tx, T)
        return (
            gammaln(r + x) - gammaln(r) + r * np.log(alpha)
            + gammaln(a + b) + gammaln(b + xs) - gammaln(b) - gammaln(a + b + xs)
            - (r + x) * log_t + np.logaddexp(0.0, log_ratio)
        )  # fmt: skip

    def loglik(self, theta, data):
        r, alpha, a, b = theta
        x, w = data.x, data.w
        xs, x_at, wx = data.by_x
        ts, t_at, wt = data.by_T
        rs, r_at, _ = data.by_tx
        xd = xs + self._shift
        xw = data.xw
        # Terms of the frequency alone, summed over the distinct frequencies.
        ll = float(
            wx @ (gammaln(r + xs) - gammaln(r) + r * np.log(alpha)
                  + gammaln(a + b) + gammaln(b + xd) - gammaln(b) - gammaln(a + b + xd))
        )  # fmt: skip
        # Terms of T alone, summed over the distinct ages: -(r + x) log(alpha + T).
        log_t_values = np.log(alpha + ts)
        xwt = data.xw_by_T
        ll -= float(r * (wt @ log_t_values) + xwt @ log_t_values)
        # The mixture of "alive" and "dropped out after t_x", pattern by pattern.
        den_values = b + xs if self.modified else b + np.maximum(xs, 1) - 1
        log_t = log_t_values[t_at]
        gap = log_t - np.log(alpha + rs)[r_at]  # log((alpha + T) / (alpha + t_x))
        log_ratio = (np.log(a) - np.log(den_values))[x_at] + (r + x) * gap
        if not self.modified:
            log_ratio[x == 0] = -np.inf
        small = np.exp(-np.abs(log_ratio))
        ll += float(w @ (np.maximum(log_ratio, 0.0) + np.log1p(small)))
        dead = np.where(log_ratio > 0, 1.0, small) / (1.0 + small)  # weight of the dropped-out branch
        wd = w * dead
        inv_gap = (1.0 / (alpha + ts))[t_at] - (1.0 / (alpha + rs))[r_at]
        g_r = wx @ (digamma(r + xs) - digamma(r) + np.log(alpha)) - (wt @ log_t_values) + wd @ gap
        g_alpha = (wx.sum() * r / alpha - r * (wt @ (1.0 / (alpha + ts))) - xwt @ (1.0 / (alpha + ts))
                   + (r * wd + xw * dead) @ inv_gap)  # fmt: skip
        g_a = wx @ (digamma(a + b) - digamma(a + b + xd)) + wd.sum() / a
        g_b = (wx @ (digamma(a + b) + digamma(b + xd) - digamma(b) - digamma(a + b + xd))
               - wd @ (1.0 / den_values)[x_at])  # fmt: skip
        return ll, np.array([g_r, g_alpha, g_a, g_b]) * theta

    def log_alive_now(self, theta, x, tx, T):
        _, _, _, log_ratio = self._split(theta, np.asarray(x, dtype=float), tx, T)
        return -np.logaddexp(0.0, log_ratio)

    def alive_expectation(self, theta, x, T, t):
        r, alpha, a, b = theta
        x = np.asarray(x, dtype=float)
        t = np.atleast_1d(np.asarray(t, dtype=float))
        scale = 1.0 / (alpha + np.asarray(T, dtype=float))
        return _beta_expectation(a, b + x + self._shift, r + x, scale, t)

    def expected_new(self, theta, t):
        r, alpha, a, b = theta
        t = np.atleast_1d(np.asarray(t, dtype=float))
        if self.modified:  # a new customer may drop out at once, with probability p
            value = _beta_expectation(a, np.array([b + 1.0]), np.array([r]), np.array([1 / alpha]), t)
            return b / (a + b) * value[0]
        return _beta_expectation(a, np.array([b]), np.array([r]), np.array([1 / alpha]), t)[0]

    def pmf_new(self, theta, t, n):
        r, alpha, a, b = theta
        n = np.asarray(n, dtype=float)
        k = self._shift
        stay = np.exp(betaln(a, b + n + k) - betaln(a, b) + log_nbd(r, alpha, t, n))
        # Dropped out right after the n-th purchase (n >= 1; MBG/NBD also n = 0).
        with np.errstate(divide="ignore"):
            log_drop = betaln(a + 1, b + n - 1 + k) - betaln(a, b)
        drop = np.where(n + k >= 1, np.exp(log_drop) * nbd_at_least(r, alpha, t, n), 0.0)
        return stay + drop


def _beta_expectation(a, b_rows, shape_rows, scale_rows, t):
    """E over p ~ Beta(a, b) of (1 - (1 + p c) ** -R) / p with c = t * scale, per row and t.

    Rows share quadrature nodes when they share ``b`` (one eigenproblem per distinct
    frequency). More nodes are used when ``c`` is large, where the integrand turns
    sharply near p = 0.
    """
    c_max = float(np.max(t) * np.max(scale_rows)) if t.size else 0.0
    n_nodes = int(np.clip(np.ceil(7 * np.sqrt(c_max)), 40, 400))
    p, w = beta_nodes(a, b_rows, n_nodes)
    out = np.empty((b_rows.size, t.size))
    shape = shape_rows[:, None, None]
    p3, w3 = p[:, None, :], w[:, None, :]
    chunk = max(1, _BLOCK // (b_rows.size * n_nodes))
    for start in range(0, t.size, chunk):  # blocks of horizons, vectorised over rows and nodes
        c = t[None, start : start + chunk, None] * scale_rows[:, None, None]
        # At a node p = 0 (a near 0 puts one there: nobody drops out) the integrand is
        # its limit R c, the Poisson expectation, not 0 / 0.
        rise = -np.expm1(-shape * np.log1p(p3 * c))
        at_zero = np.broadcast_to(shape * c, rise.shape)
        values = np.divide(rise, p3, out=at_zero.copy(), where=p3 > 0)
        out[:, start : start + chunk] = beta_mean(values, w3)
    return out
