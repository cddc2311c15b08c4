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
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

from . import _schema, _time
from .errors import DataDroppedWarning, EcrmWarning, SchemaError
from .summary import customer_summary

__all__ = ["PURCHASE_MODELS", "SPEND_MODELS", "CLVModel", "ConvergenceWarning"]

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
    lifetimes' own, but record the result so that ecrm can warn and carry on.
    """
    from autograd import hessian, value_and_grad
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
        return result.x, result.fun, hessian(objective)(result.x, *args)

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


def _numeric(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = _schema.amounts(frame, column, what).to_numpy()
    return values


def _check_summary(summary: pd.DataFrame, need_monetary: bool) -> dict[str, np.ndarray]:
    """Validate the customer-summary columns a fit or prediction needs."""
    what = "customer summary"
    columns = list(_SUMMARY_COLUMNS) + (["monetary_value"] if need_monetary else [])
    _schema.require_columns(summary, columns, what)
    out = {c: _numeric(summary, c, what) for c in columns}
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
            When repeat customers with a non-positive ``monetary_value`` (net returns)
            are left out of the spend model.
        """
        _time.check_choice(self.purchase_model, "purchase_model", PURCHASE_MODELS)
        if self.spend_model not in SPEND_MODELS:
            raise SchemaError(
                f"spend_model={self.spend_model!r} is not supported; choose 'gamma_gamma' or None"
            )
        _time.check_choice(self.time_unit, "time_unit", tuple(_time.UNIT_DAYS))
        if not (np.isfinite(self.penalizer) and self.penalizer >= 0):
            raise SchemaError(f"penalizer={self.penalizer!r} must be a finite number >= 0")
        frame = _schema.check_frame(data, "CLVModel.fit")
        if not set(_SUMMARY_COLUMNS) <= set(frame.columns):
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
        fitter.fit(p["frequency"], p["recency"], p["T"], weights=counts, **start)
        self.purchase_fitter_ = fitter
        self.n_customers_ = int(counts.sum())
        self.n_patterns_ = int(counts.size)
        self._warn_if_not_converged(fitter, self.purchase_model)
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
                "(returns netted out) out of the Gamma-Gamma spend model, which needs positive "
                "spend",
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
        fitter.fit(x[first], m[first], weights=counts)
        self._warn_if_not_converged(fitter, "gamma_gamma")
        self.spend_fitter_ = fitter
        estimates = fitter.params_.to_numpy()
        self.spend_log_likelihood_ = _log_likelihood("gamma_gamma", estimates, x[first], m[first], counts)
        return self._param_rows("gamma_gamma", fitter, estimates, counts, (x[first], m[first]))

    def _warn_if_not_converged(self, fitter: Any, model: str) -> None:
        result = fitter.optimizer_result_
        if not result.success:
            warnings.warn(
                f"CLVModel: the {model} fit did not converge ({result.message}); the estimates "
                f"may be unreliable. Try a small penalizer, e.g. CLVModel(penalizer=0.001), "
                f"or check the data (penalizer is now {self.penalizer})",
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
        return params * np.sqrt(np.diag(cov))
