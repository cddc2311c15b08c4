"""Customer lifetime value: BG/NBD, MBG/NBD or Pareto/NBD purchases and Gamma-Gamma spend.

The models are lifetimes' fitters. ecrm adds what a CRM pipeline needs around them: it
fits on the :func:`ecrm.customer_summary` table (or raw transactions), condenses the
customers into their distinct ``(frequency, recency, T)`` patterns before fitting (the
likelihood only depends on those, so the estimates are the same and the fit is several
times faster), reports standard errors for every model, warns instead of crashing when
the optimiser does not converge, and returns per-customer results indexed by customer id.

lifetimes is imported here only, never on ``import ecrm``.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

from . import _schema, _time
from .errors import DataDroppedWarning, EcrmWarning, SchemaError
from .summary import customer_summary
from .transactions import Transactions, as_transactions

__all__ = [
    "PURCHASE_MODELS",
    "SPEND_MODELS",
    "CLVModel",
    "ConvergenceWarning",
    "HoldoutResult",
    "evaluate_holdout",
]

PURCHASE_MODELS = ("bgnbd", "mbgnbd", "paretonbd")
SPEND_MODELS = ("gamma_gamma", None)
_PARAM_NAMES = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "mbgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
    "gamma_gamma": ("p", "q", "gamma"),
}
_Z95 = 1.959963984540054  # two-sided 95% normal quantile
_SUMMARY_COLUMNS = ("frequency", "recency", "T")


class ConvergenceWarning(EcrmWarning, _SklearnConvergenceWarning):
    """A model fit stopped before its optimiser reported convergence.

    It is both an :class:`~ecrm.errors.EcrmWarning` and scikit-learn's
    ``ConvergenceWarning``, so either filter catches it.
    """


@functools.cache
def _fitters() -> dict[str, type]:
    """lifetimes' fitters, each with an optimiser step that keeps scipy's result.

    lifetimes raises (and prints) when scipy reports failure and throws the iterate away;
    these subclasses run the same optimiser from the same start, so the estimates are
    lifetimes' own, but record the result so that ecrm can warn and carry on. The
    Hessian (for standard errors) is the central difference of autograd's exact gradient:
    2k gradient passes instead of autograd's forward-over-reverse ``hessian``, a third of
    lifetimes' fit time on large data, with the same standard errors to ~1e-6.
    """
    from autograd import grad, value_and_grad
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
    from scipy.optimize import minimize

    def gradient_fit(self, args, initial_params, params_size, disp, tol=1e-7, bounds=None, **kwargs):
        x0 = np.full(params_size, 0.1) if initial_params is None else np.asarray(initial_params, float)
        objective = self._negative_log_likelihood
        result = minimize(
            value_and_grad(objective), jac=True, tol=tol, x0=x0, args=args,
            options={"disp": disp, **kwargs}, bounds=bounds,
        )  # fmt: skip
        self.optimizer_result_ = result
        gradient = grad(objective)
        steps = np.eye(result.x.size) * 1e-5
        columns = [(gradient(result.x + h, *args) - gradient(result.x - h, *args)) / 2e-5 for h in steps]
        hess = np.array(columns)
        return result.x, result.fun, (hess + hess.T) / 2

    def simplex_fit(self, args, iterative_fitting, initial_params, params_size, disp, tol=1e-6,
                    fit_method="Nelder-Mead", maxiter=2000, **kwargs):  # fmt: skip
        result = minimize(
            self._negative_log_likelihood, method=fit_method, tol=tol, x0=initial_params, args=args,
            options={"disp": disp, "maxiter": maxiter, **kwargs},
        )  # fmt: skip
        self.optimizer_result_ = result
        return result.x, result.fun

    return {
        "bgnbd": type("BetaGeo", (BetaGeoFitter,), {"_fit": gradient_fit}),
        "mbgnbd": type("ModifiedBetaGeo", (ModifiedBetaGeoFitter,), {"_fit": gradient_fit}),
        "paretonbd": type("ParetoNBD", (ParetoNBDFitter,), {"_fit": simplex_fit}),
        "gamma_gamma": type("GammaGamma", (GammaGammaFitter,), {"_fit": gradient_fit}),
    }


def _distinct_rows(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows of equal-length columns: (first row of each pattern, inverse, counts).

    Each column is factorised on its own and the codes combined pairwise, so the
    work is a few hash passes over integers, never a lexicographic sort of floats.
    """
    codes = pd.factorize(columns[0])[0].astype(np.int64)
    for col in columns[1:]:
        col_codes, col_uniques = pd.factorize(col)
        codes = pd.factorize(codes * len(col_uniques) + col_codes)[0].astype(np.int64)
    counts = np.bincount(codes)
    first = np.full(counts.size, codes.size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(codes.size))
    return first, codes, counts


def _check_summary(summary: pd.DataFrame, need_monetary: bool) -> dict[str, np.ndarray]:
    """Validate the customer-summary columns a fit or prediction needs."""
    what = "customer summary"
    columns = list(_SUMMARY_COLUMNS) + (["monetary_value"] if need_monetary else [])
    _schema.require_columns(summary, columns, what)
    out = {c: _schema.amounts(summary, c, what).to_numpy() for c in columns}  # finite floats
    f, r, t = out["frequency"], out["recency"], out["T"]
    checks = [
        ("frequency", (f < 0) | (f != np.floor(f)), "is not a non-negative whole number"),
        ("recency", r < 0, "is negative"),
        ("T", r > t, "is smaller than recency"),
        ("recency", (f == 0) & (r != 0), "is not 0 where frequency is 0"),
    ]
    for column, bad, problem in checks:
        if bad.any():
            raise _schema.bad_rows(what, column, problem, summary, bad, show=columns)
    return out


class CLVModel(BaseEstimator):
    """Customer lifetime value from a purchase model and a spend model.

    Parameters
    ----------
    purchase_model : {"bgnbd", "mbgnbd", "paretonbd"}
        Model of the repeat-purchase count and dropout: BG/NBD (Fader, Hardie and Lee
        2005), MBG/NBD (Batislam, Denizel and Filiztekin 2007) or Pareto/NBD
        (Schmittlein, Morrison and Colombo 1987); lifetimes' ``BetaGeoFitter``,
        ``ModifiedBetaGeoFitter`` and ``ParetoNBDFitter``.
    spend_model : {"gamma_gamma", None}
        Model of the mean order value (Fader and Hardie 2013, lifetimes'
        ``GammaGammaFitter``), fitted on repeat customers only, as the model requires.
        None fits purchases only (no ``expected_spend`` or ``predict_clv``).
    penalizer : float
        L2 penalty on the parameters passed to both lifetimes fitters (their
        ``penalizer_coef``). 0 gives the maximum-likelihood estimates; try 0.001 to 0.1
        when a fit does not converge.
    time_unit : {"D", "W", "M"}
        Unit of ``recency`` and ``T`` when ``fit`` receives raw transactions. A
        customer summary carries its own unit in ``attrs["time_unit"]``, which wins;
        rates and ``expected_purchases(t)`` are per ``time_unit_``.

    Attributes
    ----------
    params_ : pandas.DataFrame
        One row per parameter (index ``parameter``) with ``model``, ``estimate``,
        ``std_error`` and the 95% Wald interval ``ci_lower``, ``ci_upper``.
    log_likelihood_ : float
        Maximised log-likelihood of the purchase model (plus the spend model's, reported
        separately in ``spend_log_likelihood_``), in ``time_unit_``.
    n_customers_ : int
        Customers the purchase model was fitted on.
    n_patterns_ : int
        Distinct ``(frequency, recency, T)`` patterns among them (rows actually fitted).
    time_unit_ : str
        Unit of ``recency``, ``T`` and every rate.
    purchase_fitter_, spend_fitter_ :
        The fitted lifetimes objects (``spend_fitter_`` is None without a spend model).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987). Counting your customers:
    Who are they and what will they do next? *Management Science* 33(1), 1-24.

    Batislam, E. P., Denizel, M. and Filiztekin, A. (2007). Empirical validation and
    comparison of models for customer base analysis. *International Journal of Research
    in Marketing* 24(3), 201-209.

    Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    http://brucehardie.com/notes/025/

    Examples
    --------
    >>> import ecrm
    >>> tx = ecrm.datasets.load_cdnow_sample()
    >>> cal = ecrm.customer_summary(tx, as_of="1997-09-30", time_unit="W")
    >>> model = ecrm.clv.CLVModel().fit(cal)
    >>> model.params_["estimate"].round(3)
    parameter
    r         0.243
    alpha     4.414
    a         0.793
    b         2.426
    p         6.250
    q         3.744
    gamma    15.444
    Name: estimate, dtype: float64
    >>> model.p_alive().loc[[1, 2]].round(3)
    customer_id
    1    0.727
    2    0.212
    Name: p_alive, dtype: float64
    """

    def __init__(
        self,
        purchase_model: str = "bgnbd",
        spend_model: str | None = "gamma_gamma",
        penalizer: float = 0.0,
        time_unit: str = "D",
    ) -> None:
        self.purchase_model = purchase_model
        self.spend_model = spend_model
        self.penalizer = penalizer
        self.time_unit = time_unit

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        data: pd.DataFrame,
        y: None = None,
        *,
        customer_col: str = "customer_id",
        date_col: str = "order_date",
        amount_col: str = "amount",
        as_of: object = None,
    ) -> CLVModel:
        """Fit the purchase model (and the spend model) by maximum likelihood.

        Parameters
        ----------
        data : pandas.DataFrame
            Output of :func:`ecrm.customer_summary` (columns ``frequency``, ``recency``,
            ``T`` and, with a spend model, ``monetary_value``), or raw transactions,
            which are summarised first with ``time_unit`` and the column keywords.
        y : None
            Ignored (scikit-learn convention).
        customer_col, date_col, amount_col : str
            Columns of raw transactions.
        as_of : date-like, optional
            Snapshot of raw transactions (see :func:`ecrm.customer_summary`).

        Returns
        -------
        CLVModel
            self, fitted.

        Warns
        -----
        ConvergenceWarning
            When an optimiser stops without converging; the estimates are kept and the
            message suggests a ``penalizer``.
        ecrm.errors.DataDroppedWarning
            When repeat customers with a non-positive ``monetary_value`` (zero-value
            orders, or returns netted out) are left out of the spend model.
        """
        _time.check_choice(self.purchase_model, "purchase_model", PURCHASE_MODELS)
        if self.spend_model not in SPEND_MODELS:
            raise SchemaError(
                f"spend_model={self.spend_model!r} is not supported; choose 'gamma_gamma' or None"
            )
        _time.check_choice(self.time_unit, "time_unit", tuple(_time.UNIT_DAYS))
        if not (np.isfinite(self.penalizer) and self.penalizer >= 0):
            raise SchemaError(f"penalizer={self.penalizer!r} must be a finite number >= 0")
        frame = data if isinstance(data, Transactions) else _schema.check_frame(data, "CLVModel.fit")
        if isinstance(frame, Transactions) or not set(_SUMMARY_COLUMNS) <= set(frame.columns):
            frame = customer_summary(
                frame,
                customer_col=customer_col,
                date_col=date_col,
                amount_col=amount_col,
                as_of=as_of,
                time_unit=self.time_unit,
            )
        self.time_unit_ = frame.attrs.get("time_unit", self.time_unit)
        cols = _check_summary(frame, need_monetary=self.spend_model is not None)
        self.index_ = frame.index
        self._cols = cols

        first, inverse, counts = _distinct_rows(cols["frequency"], cols["recency"], cols["T"])
        self._patterns = {c: cols[c][first] for c in _SUMMARY_COLUMNS}
        self._inverse = inverse
        fitter = _fitters()[self.purchase_model](penalizer_coef=self.penalizer)
        start = {"initial_params": np.ones(4)} if self.purchase_model == "paretonbd" else {}
        p = self._patterns
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            fitter.fit(p["frequency"], p["recency"], p["T"], weights=counts, **start)
        self.purchase_fitter_ = fitter
        self.n_customers_ = int(counts.sum())
        self.n_patterns_ = int(counts.size)
        estimates = fitter.params_.to_numpy()
        self.log_likelihood_ = _log_likelihood(
            self.purchase_model, estimates, p["frequency"], p["recency"], p["T"], counts
        )
        rows = [self._param_rows(self.purchase_model, fitter, estimates, counts)]

        self.spend_fitter_ = None
        self.spend_log_likelihood_ = None
        if self.spend_model is not None:
            rows.append(self._fit_spend(cols))
        self.params_ = pd.concat(rows)
        return self

    def _fit_spend(self, cols: dict[str, np.ndarray]) -> pd.DataFrame:
        repeat = cols["frequency"] > 0
        usable = repeat & (cols["monetary_value"] > 0)
        n_left_out = int(repeat.sum() - usable.sum())
        if n_left_out:
            warnings.warn(
                f"CLVModel: left {n_left_out} repeat customer(s) with monetary_value <= 0 "
                "(zero-value orders, or returns netted out) out of the Gamma-Gamma spend model, "
                "which needs positive spend",
                DataDroppedWarning,
                stacklevel=3,
            )
        if not usable.any():
            raise SchemaError(
                "customer summary: no repeat customer (frequency > 0) with positive "
                "monetary_value; the Gamma-Gamma spend model cannot be fitted (use spend_model=None)"
            )
        x, m = cols["frequency"][usable], cols["monetary_value"][usable]
        first, _, counts = _distinct_rows(x, m)
        fitter = _fitters()["gamma_gamma"](penalizer_coef=self.penalizer)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            fitter.fit(x[first], m[first], weights=counts)
        self.spend_fitter_ = fitter
        estimates = fitter.params_.to_numpy()
        self.spend_log_likelihood_ = _log_likelihood("gamma_gamma", estimates, x[first], m[first], counts)
        return self._param_rows("gamma_gamma", fitter, estimates, counts, (x[first], m[first]))

    def _warn_if_not_converged(self, fitter: Any, model: str, se: np.ndarray) -> None:
        result = fitter.optimizer_result_
        if not result.success:
            reason = f"the optimiser stopped: {result.message}"
        elif not np.isfinite(se).all():
            reason = "the likelihood is flat or not concave at the estimates (no standard errors)"
        else:
            return
        warnings.warn(
            f"CLVModel: the {model} fit did not converge ({reason}); the estimates may be "
            f"unreliable. Try a small penalizer, e.g. CLVModel(penalizer=0.001), or check "
            f"that the data have enough repeat customers (penalizer is now {self.penalizer})",
            ConvergenceWarning,
            stacklevel=4,
        )

    def _param_rows(
        self, model: str, fitter: Any, estimates: np.ndarray, counts: np.ndarray, data: tuple = ()
    ) -> pd.DataFrame:
        if getattr(fitter, "standard_errors_", None) is not None:
            se = fitter.standard_errors_.to_numpy()
        else:  # lifetimes' Pareto/NBD has none: numerical Hessian of the log-likelihood.
            p = self._patterns
            data = data or (p["frequency"], p["recency"], p["T"])
            se = _standard_errors(model, estimates, *data, counts)
        se = np.where(np.isfinite(se), se, np.nan)
        self._warn_if_not_converged(fitter, model, se)
        out = pd.DataFrame(
            {
                "model": model,
                "estimate": estimates,
                "std_error": se,
                "ci_lower": estimates - _Z95 * se,
                "ci_upper": estimates + _Z95 * se,
            },
            index=pd.Index(_PARAM_NAMES[model], name="parameter"),
        )
        return out

    # -------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this CLVModel is not fitted yet; call fit(summary) first")

    def _patterns_of(self, summary: pd.DataFrame | None, need_monetary: bool = False):
        """(distinct patterns, inverse, index, columns) of the fitted or a new summary."""
        self._check_fitted()
        if summary is None:
            return self._patterns, self._inverse, self.index_, self._cols
        frame = _schema.check_frame(summary, "customer summary")
        unit = frame.attrs.get("time_unit", self.time_unit_)
        if unit != self.time_unit_:
            raise SchemaError(
                f"customer summary: time_unit {unit!r} differs from the fitted model's "
                f"{self.time_unit_!r}; summarise with time_unit={self.time_unit_!r}"
            )
        cols = _check_summary(frame, need_monetary)
        first, inverse, _ = _distinct_rows(cols["frequency"], cols["recency"], cols["T"])
        return {c: cols[c][first] for c in _SUMMARY_COLUMNS}, inverse, frame.index, cols

    def p_alive(self, summary: pd.DataFrame | None = None) -> pd.Series:
        """Probability that each customer is still active at the end of their history.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            A customer summary in the fitted ``time_unit_``; default: the customers the
            model was fitted on.

        Returns
        -------
        pandas.Series
            ``p_alive`` in [0, 1], indexed by customer id.

        Notes
        -----
        Under BG/NBD a customer can only drop out right after a repeat purchase, so a
        customer with ``frequency == 0`` has ``p_alive == 1`` however long ago the first
        purchase was (Fader, Hardie and Lee 2005). MBG/NBD and Pareto/NBD let such
        customers drop out too and give them a ``p_alive`` below 1 that falls with ``T``.

        References
        ----------
        Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers"
        the easy way. *Marketing Science* 24(2), 275-284 (eq. 11).

        Examples
        --------
        >>> import ecrm
        >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
        ...                             time_unit="W")
        >>> alive = ecrm.clv.CLVModel(spend_model=None).fit(cal).p_alive()
        >>> bool((alive[cal["frequency"] == 0] == 1).all())  # the BG/NBD limit, see Notes
        True
        >>> round(float(alive.mean()), 3)
        0.813
        """
        patterns, inverse, index, _ = self._patterns_of(summary)
        values = self.purchase_fitter_.conditional_probability_alive(
            patterns["frequency"], patterns["recency"], patterns["T"]
        )
        return pd.Series(np.asarray(values, dtype=float)[inverse], index=index, name="p_alive")

    def expected_purchases(self, t: float, summary: pd.DataFrame | None = None) -> pd.Series:
        """Expected number of purchases of each customer in the next ``t`` time units.

        Parameters
        ----------
        t : float
            Length of the future window in ``time_unit_`` (e.g. weeks).
        summary : pandas.DataFrame, optional
            A customer summary in the fitted ``time_unit_``; default: the fitted customers.

        Returns
        -------
        pandas.Series
            ``expected_purchases``, indexed by customer id: E[X(T, T + t) | x, t_x, T].

        References
        ----------
        Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers"
        the easy way. *Marketing Science* 24(2), 275-284 (eq. 10).

        Examples
        --------
        >>> import ecrm
        >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
        ...                             time_unit="W")
        >>> model = ecrm.clv.CLVModel(spend_model=None).fit(cal)
        >>> round(float(model.expected_purchases(39).sum()), 1)
        1653.4
        """
        if not (np.isscalar(t) and np.isfinite(t) and t >= 0):
            raise SchemaError(f"expected_purchases: t={t!r} must be a finite number >= 0")
        patterns, inverse, index, _ = self._patterns_of(summary)
        return pd.Series(
            self._conditional_purchases(float(t), patterns)[inverse], index=index, name="expected_purchases"
        )

    def _conditional_purchases(self, t: float, patterns: dict[str, np.ndarray]) -> np.ndarray:
        if t == 0:
            return np.zeros(patterns["T"].size)
        values = self.purchase_fitter_.conditional_expected_number_of_purchases_up_to_time(
            t, patterns["frequency"], patterns["recency"], patterns["T"]
        )
        return np.asarray(values, dtype=float)

    def expected_spend(self, summary: pd.DataFrame | None = None) -> pd.Series:
        """Expected mean order value of each customer under the Gamma-Gamma model.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            A customer summary with ``frequency`` and ``monetary_value``; default: the
            fitted customers.

        Returns
        -------
        pandas.Series
            ``expected_spend``, indexed by customer id: E[M | x, m] = w m + (1 - w)
            p gamma / (q - 1) with w = p x / (p x + q - 1), a shrinkage of the observed
            mean towards the population mean (which one-time buyers get).

        References
        ----------
        Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
        http://brucehardie.com/notes/025/ (eq. 5).

        Examples
        --------
        >>> import ecrm
        >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
        ...                             time_unit="W")
        >>> ecrm.clv.CLVModel().fit(cal).expected_spend().loc[[1, 3]].round(2)
        customer_id
        1    24.65
        3    35.17
        Name: expected_spend, dtype: float64
        """
        self._check_fitted()
        if self.spend_fitter_ is None:
            raise SchemaError("expected_spend needs a spend model; fit with spend_model='gamma_gamma'")
        _, _, index, cols = self._patterns_of(summary, need_monetary=True)
        return pd.Series(self._spend(cols), index=index, name="expected_spend")

    def _spend(self, cols: dict[str, np.ndarray]) -> np.ndarray:
        values = self.spend_fitter_.conditional_expected_average_profit(
            cols["frequency"], cols["monetary_value"]
        )
        return np.asarray(values, dtype=float)

    def predict_clv(
        self,
        horizon: int = 12,
        freq: str = "M",
        discount_rate: float = 0.01,
        margin: float = 1.0,
        summary: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Discounted expected value of each customer over the next ``horizon`` periods.

        Parameters
        ----------
        horizon : int
            Number of future periods.
        freq : {"D", "W", "M"}
            Length of a period: a day, a week or a month (30.4375 days).
        discount_rate : float
            Discount rate per period (0.01 a month is about 12.7% a year).
        margin : float
            Share of spend that is profit; 1.0 gives discounted revenue.
        summary : pandas.DataFrame, optional
            A customer summary in the fitted ``time_unit_``; default: the fitted customers.

        Returns
        -------
        pandas.DataFrame
            Indexed by customer id with ``p_alive``, ``expected_purchases`` (over the
            whole horizon), ``expected_spend`` (per order) and
            ``clv = margin * expected_spend * sum_i (E[X(i L)] - E[X((i - 1) L)]) / (1 +
            discount_rate) ** i`` for periods ``i = 1..horizon`` of length ``L``.

        Notes
        -----
        The expected purchases of period ``i`` are the conditional expectation of the
        purchase model over that period, each discounted to today, as in lifetimes'
        ``customer_lifetime_value``; ecrm's month is 30.4375 days (lifetimes' is 30), so
        monthly figures differ from lifetimes' by that much.

        References
        ----------
        Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: Using iso-value
        curves for customer base analysis. *Journal of Marketing Research* 42(4), 415-430.

        Examples
        --------
        >>> import ecrm
        >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
        ...                             time_unit="W")
        >>> clv = ecrm.clv.CLVModel().fit(cal).predict_clv(horizon=12, freq="M")
        >>> clv.loc[[1, 3]].round(2)
                     p_alive  expected_purchases  expected_spend    clv
        customer_id
        1               0.73                1.56           24.65  36.30
        3               1.00                0.25           35.17   8.35
        """
        _time.check_choice(freq, "freq", tuple(_time.UNIT_DAYS))
        if not (isinstance(horizon, (int, np.integer)) and horizon >= 1):
            raise SchemaError(f"predict_clv: horizon={horizon!r} must be a whole number >= 1")
        if not (np.isfinite(discount_rate) and discount_rate > -1):
            raise SchemaError(f"predict_clv: discount_rate={discount_rate!r} must be a number > -1")
        if not np.isfinite(margin):
            raise SchemaError(f"predict_clv: margin={margin!r} must be a finite number")
        self._check_fitted()
        if self.spend_fitter_ is None:
            raise SchemaError("predict_clv needs a spend model; fit with spend_model='gamma_gamma'")
        patterns, inverse, index, cols = self._patterns_of(summary, need_monetary=True)
        step = _time.UNIT_DAYS[freq] / _time.UNIT_DAYS[self.time_unit_]
        discounted = np.zeros(patterns["T"].size)
        previous = np.zeros(patterns["T"].size)
        for i in range(1, horizon + 1):  # one pass per future period, over distinct patterns
            cumulative = self._conditional_purchases(i * step, patterns)
            discounted += (cumulative - previous) / (1 + discount_rate) ** i
            previous = cumulative
        spend = self._spend(cols)
        alive = self.purchase_fitter_.conditional_probability_alive(
            patterns["frequency"], patterns["recency"], patterns["T"]
        )
        return pd.DataFrame(
            {
                "p_alive": np.asarray(alive, dtype=float)[inverse],
                "expected_purchases": previous[inverse],
                "expected_spend": spend,
                "clv": margin * spend * discounted[inverse],
            },
            index=index,
        )


def _log_likelihood(model: str, params: np.ndarray, *data_and_weights: np.ndarray) -> float:
    """Total log-likelihood (no penalty) at ``params`` in the data's own time unit."""
    cls = _fitters()[model]
    *data, weights = data_and_weights
    weights = np.asarray(weights, dtype=float)
    if model == "paretonbd":  # lifetimes divides this one by the mean weight
        return float(-cls._negative_log_likelihood(params, *data, weights, 0.0) * weights.mean())
    return float(-cls._negative_log_likelihood(np.log(params), *data, weights, 0.0) * weights.sum())


def _standard_errors(model: str, params: np.ndarray, *data_and_weights: np.ndarray) -> np.ndarray:
    """Standard errors from a central-difference Hessian of -log L in log-parameters.

    Working in log-parameters keeps the steps relative to each parameter's size; the
    delta method maps back: se(theta) = theta * se(log theta).
    """
    log_theta = np.log(params)
    k = log_theta.size
    h = 1e-4

    def nll(z: np.ndarray) -> float:
        return -_log_likelihood(model, np.exp(z), *data_and_weights)

    hess = np.empty((k, k))
    steps = np.eye(k) * h
    for i in range(k):  # k <= 4: a handful of likelihood evaluations
        for j in range(i, k):
            hess[i, j] = hess[j, i] = (
                nll(log_theta + steps[i] + steps[j])
                - nll(log_theta + steps[i] - steps[j])
                - nll(log_theta - steps[i] + steps[j])
                + nll(log_theta - steps[i] - steps[j])
            ) / (4 * h * h)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    with np.errstate(invalid="ignore"):
        return params * np.sqrt(np.diag(cov))  # NaN where the Hessian is not positive definite


@dataclass(frozen=True)
class HoldoutResult:
    """What :func:`evaluate_holdout` returns.

    Attributes
    ----------
    model : CLVModel
        The model fitted on the calibration period.
    customers : pandas.DataFrame
        Per customer of the calibration cohort (indexed by id): ``frequency``,
        ``recency``, ``T`` of the calibration period, ``actual`` and ``predicted``
        repeat purchases in the holdout period.
    totals : pandas.Series
        ``n_customers``, ``actual`` and ``predicted`` total holdout purchases,
        ``pct_error`` (100 * (predicted - actual) / actual), ``mae`` and
        ``correlation`` of the per-customer predicted and actual counts.
    conditional : pandas.DataFrame
        The conditional-expectation table of Fader, Hardie and Lee (2005): by
        calibration frequency ``0`` .. ``7+`` (an ordered categorical index), the number
        of customers and their mean ``actual`` and ``predicted`` holdout purchases.
    tracking : pandas.DataFrame
        Weekly, from the first purchase to ``holdout_end``: ``actual`` and ``predicted``
        cumulative repeat purchases of the cohort (the model's unconditional
        expectation); ``attrs["calibration_end"]`` marks the split.
    """

    model: CLVModel
    customers: pd.DataFrame
    totals: pd.Series
    conditional: pd.DataFrame
    tracking: pd.DataFrame


def evaluate_holdout(
    transactions: pd.DataFrame | Transactions,
    *,
    calibration_end: object,
    holdout_end: object,
    purchase_model: str = "bgnbd",
    penalizer: float = 0.0,
    time_unit: str = "W",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> HoldoutResult:
    """Fit on a calibration period and compare predicted with actual holdout purchases.

    Customers whose first purchase is on or before ``calibration_end`` form the cohort.
    The purchase model is fitted on their calibration summary; each one's predicted
    purchases in ``(calibration_end, holdout_end]`` are compared with the actual number
    of purchase days there (the same counting as ``frequency``).

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        Raw transactions, or :func:`ecrm.transactions`.
    calibration_end, holdout_end : date-like
        End of the calibration period and of the holdout period.
    purchase_model : {"bgnbd", "mbgnbd", "paretonbd"}
        See :class:`CLVModel`.
    penalizer : float
        See :class:`CLVModel`.
    time_unit : {"D", "W", "M"}
        Unit of ``recency``, ``T`` and the rates; weeks by default, as in the papers.
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    HoldoutResult
        ``model``, ``customers``, ``totals``, ``conditional`` and ``tracking``.

    Raises
    ------
    ecrm.errors.SchemaError
        Bad transactions, or ``holdout_end`` not after ``calibration_end``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284
    (Figures 2 to 4: tracking and conditional expectations on CDNOW).

    Examples
    --------
    >>> import ecrm
    >>> res = ecrm.clv.evaluate_holdout(ecrm.datasets.load_cdnow_sample(),
    ...                                 calibration_end="1997-09-30", holdout_end="1998-06-30")
    >>> res.totals[["actual", "predicted"]].round(1)
    actual       1882.0
    predicted    1653.4
    Name: holdout, dtype: float64
    >>> res.conditional.loc[["0", "7+"]].round(2)
               n_customers  actual  predicted
    frequency
    0                 1411    0.24       0.23
    7+                  64    6.36       6.16
    """
    what = "transactions"
    tx = as_transactions(
        transactions, what=what, customer_col=customer_col, date_col=date_col, amount_col=amount_col
    ).upto(holdout_end, what=what)
    cal_end = _schema.timestamp(calibration_end, tx.date, "calibration_end", what)
    if tx.as_of <= cal_end:
        raise SchemaError(f"{what}: holdout_end={tx.as_of} must be after calibration_end={cal_end}")
    cal = customer_summary(tx, as_of=cal_end, time_unit=time_unit)
    model = CLVModel(
        purchase_model=purchase_model, spend_model=None, penalizer=penalizer, time_unit=time_unit
    )
    model.fit(cal)

    day = tx.day
    cal_day = _schema.day_number(pd.Series([cal_end]))[0]
    # Purchases only: a return (negative amount) is never a purchase, as in customer_summary.
    is_purchase = tx.purchase
    holdout = pd.DataFrame({"customer": tx.customer.to_numpy(), "day": day})[
        (tx.date > cal_end).to_numpy() & is_purchase
    ]
    holdout = holdout[holdout["customer"].isin(cal.index)].drop_duplicates()
    actual = holdout.groupby("customer").size().reindex(cal.index, fill_value=0)
    length = (_schema.day_number(pd.Series([tx.as_of]))[0] - cal_day) / _time.UNIT_DAYS[time_unit]
    predicted = model.expected_purchases(length)

    customers = cal[["frequency", "recency", "T"]].assign(
        actual=actual.to_numpy(), predicted=predicted.to_numpy()
    )
    totals = pd.Series(
        {
            "n_customers": float(len(customers)),
            "actual": float(actual.sum()),
            "predicted": float(predicted.sum()),
            "pct_error": 100 * (predicted.sum() - actual.sum()) / actual.sum() if actual.sum() else np.nan,
            "mae": float(np.abs(predicted - actual.to_numpy()).mean()),
            "correlation": float(np.corrcoef(predicted, actual)[0, 1]) if len(customers) > 1 else np.nan,
        },
        name="holdout",
    )
    return HoldoutResult(
        model=model,
        customers=customers,
        totals=totals,
        conditional=_conditional_table(customers),
        tracking=_tracking(model, cal, tx, day, cal_end, time_unit),
    )


def _conditional_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration frequency 0..7+."""
    labels = [str(k) for k in range(7)] + ["7+"]
    group = pd.Categorical.from_codes(
        np.minimum(customers["frequency"].to_numpy(), 7).astype(int), categories=labels, ordered=True
    )
    table = customers.groupby(group, observed=False).agg(
        n_customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    table.index.name = "frequency"
    return table


def _tracking(
    model: CLVModel,
    cal: pd.DataFrame,
    tx: Transactions,
    day: np.ndarray,
    cal_end: pd.Timestamp,
    time_unit: str,
) -> pd.DataFrame:
    """Weekly cumulative repeat purchases of the cohort: actual and the model's expectation."""
    in_cohort = tx.customer.isin(cal.index).to_numpy() & tx.purchase
    days = pd.DataFrame(
        {"customer": tx.customer.to_numpy()[in_cohort], "day": day[in_cohort]}
    ).drop_duplicates()
    first_day = days.groupby("customer")["day"].transform("min")
    repeat_days = np.sort(days["day"][days["day"] > first_day].to_numpy())
    births, n_born = np.unique(days.groupby("customer")["day"].min().to_numpy(), return_counts=True)

    start = int(births.min())
    end = int(_schema.day_number(pd.Series([tx.as_of]))[0])
    week_ends = np.arange(start + 6, end + 7, 7)  # last day of each week since the first purchase
    week_ends[-1] = min(week_ends[-1], end)
    actual = np.searchsorted(repeat_days, week_ends, side="right")
    # Unconditional E[X(t)] of every birth day at every week end (weeks x birth days).
    age = np.clip(week_ends[:, None] + 1 - births[None, :], 0, None) / _time.UNIT_DAYS[time_unit]
    expected = np.asarray(model.purchase_fitter_.expected_number_of_purchases_up_to_time(age), dtype=float)
    predicted = (np.where(age > 0, expected, 0.0) * n_born).sum(axis=1)
    epoch = np.datetime64("1970-01-01", "D")
    out = pd.DataFrame(
        {"actual": actual.astype(float), "predicted": predicted},
        index=pd.Index(np.arange(1, len(week_ends) + 1), name="week"),
    )
    out.insert(0, "week_end", pd.to_datetime(epoch + week_ends.astype("timedelta64[D]")))
    out.attrs["calibration_end"] = cal_end
    return out
