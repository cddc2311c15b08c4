"""Gamma-Gamma spend model (Fader and Hardie 2013, note 025).

A customer's order values are Gamma(p, nu) with ``nu ~ Gamma(q, gamma)`` across customers;
the mean ``m`` of ``x`` repeat orders is then Gamma(p x, nu x), and the likelihood of
``(x, m)`` has a closed form. Only customers with ``x >= 1`` and ``m > 0`` carry
information.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from ._base import group


@dataclass
class SpendData:
    """Distinct ``(x, m)`` of repeat customers with their counts."""

    x: np.ndarray
    m: np.ndarray
    w: np.ndarray

    @property
    def n_customers(self) -> float:
        return float(self.w.sum())

    @functools.cached_property
    def by_x(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct frequencies, each row's position among them, their total weights."""
        return group(self.x, self.w)

    @functools.cached_property
    def constants(self) -> tuple[np.ndarray, float, float]:
        """x * w per row, and the data-only sums of w log m and of x w log m."""
        xw = self.x * self.w
        log_m = np.log(self.m)
        return xw, float(self.w @ log_m), float(xw @ log_m)


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
        xs, _, wx = data.by_x
        xw, sum_log_m, sum_x_log_m = data.constants
        n = wx.sum()
        pxs = p * xs
        # Terms of the frequency alone, over the distinct frequencies; log m is data only.
        ll = float(wx @ (gammaln(pxs + q) - gammaln(pxs) + pxs * np.log(xs)))
        ll += n * (q * np.log(gamma) - gammaln(q)) + p * sum_x_log_m - sum_log_m
        log_total = np.log(data.x * data.m + gamma)  # the one term of each customer
        inv_total = 1.0 / (data.x * data.m + gamma)
        ll -= float(p * (xw @ log_total) + q * (data.w @ log_total))
        dig = digamma(pxs + q)
        g_p = wx @ (xs * (dig - digamma(pxs) + np.log(xs))) + sum_x_log_m - xw @ log_total
        g_q = wx @ dig - n * digamma(q) + n * np.log(gamma) - data.w @ log_total
        g_gamma = n * q / gamma - p * (xw @ inv_total) - q * (data.w @ inv_total)
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
