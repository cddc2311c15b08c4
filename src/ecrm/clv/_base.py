"""What every purchase model of ecrm.clv provides, and the data it is fitted on."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betainc, gammaln


@dataclass
class Patterns:
    """Distinct ``(frequency, recency, T)`` patterns and how many customers share each.

    The likelihood of every purchase model depends on a customer only through these
    three numbers, so the fit runs over the patterns with their counts as weights; the
    estimates are those of the full data.
    """

    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    w: np.ndarray

    @property
    def n_customers(self) -> float:
        return float(self.w.sum())

    @functools.cached_property
    def by_x(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct frequencies, each pattern's position among them, their total weights."""
        return group(self.x, self.w)

    @functools.cached_property
    def by_T(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct ages ``T`` (few: one per first-purchase period), as :attr:`by_x`."""
        return group(self.T, self.w)

    @functools.cached_property
    def xw(self) -> np.ndarray:
        """Frequency times weight, per pattern."""
        return self.x * self.w

    @functools.cached_property
    def xw_by_T(self) -> np.ndarray:
        """Total frequency x weight of each distinct ``T`` (order of :attr:`by_T`)."""
        return np.bincount(self.by_T[1], weights=self.xw)

    @functools.cached_property
    def by_tx(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distinct recencies, as :attr:`by_x`."""
        return group(self.tx, self.w)


def group(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct values, each row's position among them, total weight of each)."""
    codes, uniques = pd.factorize(values)
    return np.asarray(uniques, dtype=float), codes, np.bincount(codes, weights=weights)


class PurchaseModel:
    """Interface of a purchase model; subclasses implement the formulas.

    ``theta`` is the parameter vector in the order of ``params``. Time-rate parameters
    (listed in ``rates``) are in the unit of ``recency`` and ``T``. Every method is
    vectorised over customers and finite for every finite input.
    """

    name: str
    params: tuple[str, ...]
    rates: tuple[str, ...] = ()
    discrete = False  # True: time counts whole transaction opportunities (BG/BB)

    def start(self, data: Patterns) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def loglik(self, theta: np.ndarray, data: Patterns) -> tuple[float, np.ndarray]:
        """Weighted total log-likelihood and its gradient with respect to log(theta)."""
        raise NotImplementedError  # pragma: no cover

    def pattern_loglik(self, theta, x, tx, T) -> np.ndarray:
        """Log-likelihood of each customer (no weights)."""
        raise NotImplementedError  # pragma: no cover

    def log_alive_now(self, theta, x, tx, T) -> np.ndarray:
        """log P(alive at T | history): the factor of every conditional prediction."""
        raise NotImplementedError  # pragma: no cover

    def p_alive(self, theta, x, tx, T) -> np.ndarray:
        """The reported probability alive (at T; BG/BB: at the next opportunity)."""
        return np.exp(self.log_alive_now(theta, x, tx, T))

    def alive_expectation(self, theta, x, T, t: np.ndarray) -> np.ndarray:
        """E[purchases in (T, T + t] | alive at T]: rows of (x, T), one column per ``t``."""
        raise NotImplementedError  # pragma: no cover

    def expected_new(self, theta, t: np.ndarray) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer within ``t``."""
        raise NotImplementedError  # pragma: no cover

    def pmf_new(self, theta, t: float, n: np.ndarray) -> np.ndarray:
        """P(X(t) = n) for a new customer."""
        raise NotImplementedError  # pragma: no cover


def log_nbd(r: float, alpha: float, t: np.ndarray, n: np.ndarray) -> np.ndarray:
    """log P(N = n) of the NBD count in ``t`` (Poisson rate ~ Gamma(r, alpha))."""
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        counts = np.where(n > 0, n * (np.log(t) - np.log(alpha + t)), 0.0)  # 0 * log(0) is 0 at t = 0
    return gammaln(r + n) - gammaln(r) - gammaln(n + 1) + r * (np.log(alpha) - np.log(alpha + t)) + counts


def nbd_at_least(r: float, alpha: float, t: np.ndarray, n: np.ndarray) -> np.ndarray:
    """P(N >= n) of the NBD count in ``t``: a regularised incomplete beta, never a sum."""
    n = np.asarray(n, dtype=float)
    return np.where(n > 0, betainc(np.maximum(n, 1), r, t / (alpha + t)), 1.0)


def discounting_g(s1: float, u: np.ndarray) -> np.ndarray:
    """``(1 - exp(-s1 * u)) / s1``, and its limit ``u`` as ``s1 -> 0``, without cancellation."""
    if abs(s1) < 1e-10:
        return u * (1 - s1 * u / 2)
    return -np.expm1(-s1 * u) / s1
