"""The shifted-beta-geometric (sBG) model of contractual retention (Fader and Hardie 2007).

At the end of each period a subscriber cancels with probability ``theta``, constant for
the subscriber and ``Beta(alpha, beta)`` across subscribers. Cohorts of subscribers are
observed as counts still active at the end of each period; the model projects their
survival, gives the aggregate retention rates (which rise with tenure purely through
heterogeneity) and the discounted expected residual lifetime (Fader and Hardie 2010).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma
from sklearn.base import BaseEstimator

from .. import _schema
from ..errors import SchemaError
from . import _input, _mle
from ._quadrature import beta_mean, beta_nodes


class SBGModel(BaseEstimator):
    """Shifted-beta-geometric model of a subscription cohort's retention.

    Parameters
    ----------
    penalizer : float
        L2 penalty on ``alpha`` and ``beta`` (added to the negative mean log-likelihood
        per customer); 0 gives the maximum-likelihood estimates.

    Attributes
    ----------
    params_ : pandas.DataFrame
        ``alpha`` and ``beta`` with ``estimate``, ``std_error`` and 95% interval, as
        :attr:`CLVModel.params_`.
    covariance_ : pandas.DataFrame
        Covariance of the log-parameters.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_customers_ : float
        Total size of the cohorts.
    observed_ : pandas.DataFrame
        The fitted cohorts' observed survival (active / initial), one column per cohort.

    References
    ----------
    Fader, P. S. and Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing* 21(1), 76-90.

    Fader, P. S. and Hardie, B. G. S. (2010). Customer-base valuation in a contractual
    setting: The perils of ignoring heterogeneity. *Marketing Science* 29(1), 85-93.

    Examples
    --------
    The "high end" cohort of Fader and Hardie (2007), years 0 to 7:

    >>> import ecrm
    >>> active = ecrm.datasets.load_retention_cohorts()["high_end"].iloc[:8]
    >>> model = ecrm.clv.SBGModel().fit(active)
    >>> model.params_["estimate"].round(3)
    parameter
    alpha    0.668
    beta     3.806
    Name: estimate, dtype: float64
    >>> model.survival([8, 12]).round(3)
    period
    8     0.460
    12    0.378
    Name: survival, dtype: float64
    """

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    def fit(self, active: pd.Series | pd.DataFrame, y: None = None) -> SBGModel:
        """Fit ``alpha`` and ``beta`` by maximum likelihood, pooling the cohorts.

        Parameters
        ----------
        active : pandas.Series or pandas.DataFrame
            Active customers at the end of each period, row ``i`` holding period ``i``
            (row 0: the cohort at the start). A Series is one cohort; a DataFrame has
            one column per cohort, with NaN after a younger cohort's last period.
        y : None
            Ignored (scikit-learn convention).

        Returns
        -------
        SBGModel
            self, fitted.

        Raises
        ------
        ecrm.errors.SchemaError
            Not numbers, negative or rising counts, gaps, fewer than two periods.

        Warns
        -----
        ConvergenceWarning
            When the likelihood has no interior maximum (e.g. nobody ever left).
        """
        what = "SBGModel.fit"
        _input.number(self.penalizer, "penalizer", "SBGModel", low=0.0)
        frame = _cohorts(active, what)
        counts = frame.to_numpy(dtype=float)
        lost = -np.diff(counts, axis=0)  # lost in period t (rows 1..K)
        last = (~np.isnan(counts)).sum(axis=0) - 1  # last observed period of each cohort
        periods = np.arange(1, counts.shape[0])
        lost_t = np.nansum(lost, axis=1)
        censored_t = np.bincount(
            last, weights=counts[last, np.arange(counts.shape[1])], minlength=counts.shape[0]
        )[1:]
        n_customers = float(counts[0].sum())

        def loglik(theta):
            return _loglik(theta, periods, lost_t, censored_t)

        result = _mle.fit(loglik, np.ones(2), np.ones(2), n_customers, float(self.penalizer))
        _mle.warn_if_problem(result, "SBGModel: the sbg", float(self.penalizer), stacklevel=3)
        self.params_ = _mle.param_table("sbg", ("alpha", "beta"), result)
        self.covariance_ = pd.DataFrame(result.covariance, index=["alpha", "beta"], columns=["alpha", "beta"])
        self.log_likelihood_ = result.log_likelihood
        self.n_customers_ = n_customers
        self.observed_ = frame / frame.iloc[0]
        self._theta = result.params
        self._sizes = counts[0]
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this SBGModel is not fitted yet; call fit(active) first")

    def _periods(self, periods: object, what: str, low: int = 0) -> np.ndarray:
        self._check_fitted()
        if isinstance(periods, (int, np.integer)) and not isinstance(periods, bool):
            periods = np.arange(low, int(periods) + 1)
        return _input.numbers_array(periods, "periods", what, low=low, integer=True)

    def survival(self, periods: int | np.ndarray = 12) -> pd.Series:
        """S(t) = B(alpha, beta + t) / B(alpha, beta): the share of a cohort still active after t periods.

        Parameters
        ----------
        periods : int or sequence of int
            The periods ``t``; an int ``n`` means ``0..n``.

        Returns
        -------
        pandas.Series
            ``survival`` indexed by ``period``.

        References
        ----------
        Fader, P. S. and Hardie, B. G. S. (2007). How to project customer retention.
        *Journal of Interactive Marketing* 21(1), 76-90 (eq. 6).

        Examples
        --------
        >>> import ecrm
        >>> active = ecrm.datasets.load_retention_cohorts()["regular"].iloc[:8]
        >>> ecrm.clv.SBGModel().fit(active).survival(2).round(3)
        period
        0    1.000
        1    0.627
        2    0.474
        Name: survival, dtype: float64
        """
        t = self._periods(periods, "survival")
        a, b = self._theta
        return pd.Series(np.exp(betaln(a, b + t) - betaln(a, b)), index=_index(t), name="survival")

    def retention_rate(self, periods: int | np.ndarray = 12) -> pd.Series:
        """r_t = (beta + t - 1) / (alpha + beta + t - 1): the share of period t - 1's actives who renew.

        It rises with ``t`` although every subscriber's own rate is constant: the
        subscribers likely to cancel leave first.

        Parameters
        ----------
        periods : int or sequence of int
            Periods ``t >= 1``; an int ``n`` means ``1..n``.

        Returns
        -------
        pandas.Series
            ``retention_rate`` indexed by ``period``.

        References
        ----------
        Fader, P. S. and Hardie, B. G. S. (2007). How to project customer retention.
        *Journal of Interactive Marketing* 21(1), 76-90 (eq. 8).

        Examples
        --------
        >>> import ecrm
        >>> active = ecrm.datasets.load_retention_cohorts()["regular"].iloc[:8]
        >>> ecrm.clv.SBGModel().fit(active).retention_rate(3).round(3)
        period
        1    0.627
        2    0.756
        3    0.819
        Name: retention_rate, dtype: float64
        """
        t = self._periods(periods, "retention_rate", low=1)
        a, b = self._theta
        return pd.Series((b + t - 1) / (a + b + t - 1), index=_index(t), name="retention_rate")

    def expected_active(self, periods: int = 12) -> pd.DataFrame:
        """Expected active customers of each fitted cohort at the end of periods 0..``periods``.

        Parameters
        ----------
        periods : int
            Last period to project.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``period``, one column per cohort: cohort size x S(t).

        Examples
        --------
        >>> import ecrm
        >>> active = ecrm.datasets.load_retention_cohorts()["high_end"].iloc[:8]
        >>> ecrm.clv.SBGModel().fit(active).expected_active(12).iloc[-1].round(1)
        high_end    378.0
        Name: 12, dtype: float64
        """
        survival = self.survival(
            int(_input.number(periods, "periods", "expected_active", low=0, integer=True))
        )
        return pd.DataFrame(
            np.outer(survival.to_numpy(), self._sizes), index=survival.index, columns=self.observed_.columns
        )

    def derl(self, discount_rate: float, renewals: int | np.ndarray = 0) -> pd.Series:
        """Discounted expected residual lifetime of a subscriber who has renewed ``renewals`` times.

        ``DERL = sum_{t >= n} S(t) / S(n - 1) / (1 + d) ** (t - n)`` with ``n = renewals + 1``
        (Fader and Hardie 2010): the expected number of further payments, discounted,
        just before the subscriber's ``n``-th renewal decision. Multiplied by the margin
        per period it is the residual value of the subscriber.

        Parameters
        ----------
        discount_rate : float
            Discount rate per period (> 0).
        renewals : int or sequence of int
            Renewals made so far (0: a new subscriber in the first period).

        Returns
        -------
        pandas.Series
            ``derl`` indexed by ``renewals``.

        References
        ----------
        Fader, P. S. and Hardie, B. G. S. (2010). Customer-base valuation in a contractual
        setting: The perils of ignoring heterogeneity. *Marketing Science* 29(1), 85-93
        (eq. 6).

        Examples
        --------
        >>> import ecrm
        >>> active = ecrm.datasets.load_retention_cohorts()["high_end"].iloc[:8]
        >>> ecrm.clv.SBGModel().fit(active).derl(0.1, [0, 4]).round(2)
        renewals
        0    5.41
        4    6.90
        Name: derl, dtype: float64
        """
        self._check_fitted()
        d = _input.number(discount_rate, "discount_rate", "derl", low=0.0, low_open=True)
        k = _input.numbers_array(renewals, "renewals", "derl", integer=True)
        a, b = self._theta
        # A subscriber with churn probability theta who has renewed k times makes
        # sum_t (1 - theta)^(t + 1) / (1 + d)^t = (1 - theta) / (1 - (1 - theta) / (1 + d))
        # further payments; theta given k renewals is Beta(a, b + k). The integrand is
        # bounded by (1 + d) / d, so Gauss-Jacobi quadrature is finite where the closed
        # form (a 2F1 at 1 / (1 + d)) overflows for small d and long tenures.
        z = 1.0 / (1.0 + d)
        nodes = int(np.clip(np.ceil(7 / np.sqrt(d)), 40, 400))
        theta, weights = beta_nodes(a, b + k, nodes)
        values = beta_mean((1 - theta) / (1 - z * (1 - theta)), weights)
        return pd.Series(values, index=pd.Index(k.astype(np.int64), name="renewals"), name="derl")


def _index(t: np.ndarray) -> pd.Index:
    return pd.Index(t.astype(np.int64), name="period")


def _loglik(theta, periods, lost, censored):
    """Pooled log-likelihood: cancellations in period t, and actives censored after t."""
    a, b = theta
    t = periods.astype(float)
    log_cancel = betaln(a + 1, b + t - 1) - betaln(a, b)
    log_survive = betaln(a, b + t) - betaln(a, b)
    ll = float(lost @ log_cancel + censored @ log_survive)
    d_ab = digamma(a + b)
    g_a = lost @ (digamma(a + 1) - digamma(a + b + t) - digamma(a) + d_ab) + censored @ (
        digamma(a) - digamma(a + b + t) - digamma(a) + d_ab
    )
    g_b = lost @ (digamma(b + t - 1) - digamma(a + b + t) - digamma(b) + d_ab) + censored @ (
        digamma(b + t) - digamma(a + b + t) - digamma(b) + d_ab
    )
    return ll, np.array([g_a, g_b]) * theta


def _cohorts(active: object, what: str) -> pd.DataFrame:
    """Validate counts of active customers: one column per cohort, rows are periods."""
    if isinstance(active, pd.Series):
        frame = active.to_frame(name=active.name if active.name is not None else "cohort")
    elif isinstance(active, pd.DataFrame):
        frame = active
    else:
        raise SchemaError(
            f"{what}: expected a pandas Series or DataFrame of active customers, got {type(active).__name__}"
        )
    frame = _schema.check_frame(frame, what)
    values = {}
    for column in frame.columns:  # a few cohorts, not customers
        numeric = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad_text = numeric.isna() & frame[column].notna()
        if bad_text.any():
            raise _schema.bad_rows(
                what, str(column), "has values that are not numbers", frame, bad_text.to_numpy()
            )
        arr = numeric.to_numpy()
        observed = ~np.isnan(arr)
        n_obs = int(observed.sum())
        if n_obs < 2 or not observed[:n_obs].all():
            raise SchemaError(
                f"{what}: cohort {column!r} needs its size in row 0 and at least one more period, "
                "with no gap (NaN only after its last observed period)"
            )
        seen = arr[:n_obs]
        if not np.isfinite(seen).all() or (seen < 0).any() or seen[0] <= 0:
            bad = (~np.isfinite(arr) & observed) | (arr < 0) | (np.arange(arr.size) == 0) & (arr <= 0)
            raise _schema.bad_rows(
                what, str(column), "has negative or infinite counts (or an empty cohort)", frame, bad
            )
        rising = np.concatenate([[False], np.diff(seen) > 0, np.zeros(arr.size - n_obs, dtype=bool)])
        if rising.any():
            problem = "rises from one period to the next (actives can only fall)"
            raise _schema.bad_rows(what, str(column), problem, frame, rising)
        values[column] = arr
    return pd.DataFrame(values, index=frame.index)
