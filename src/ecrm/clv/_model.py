"""CLVModel: a purchase model and a spend model fitted on a customer summary."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.base import BaseEstimator

from .. import _schema, _summaries, _time
from ..errors import DataDroppedWarning, EcrmWarning, SchemaError
from . import _input, _mle
from ._base import Patterns, PurchaseModel
from ._bgbb import BGBB
from ._bgnbd import BGNBD
from ._gamma_gamma import GammaGamma, SpendData
from ._paretonbd import ParetoNBD

PURCHASE_MODELS = ("bgnbd", "mbgnbd", "paretonbd", "bgbb")
SPEND_MODELS = ("gamma_gamma", None)
_PURCHASE: dict[str, PurchaseModel] = {
    "bgnbd": BGNBD(),
    "mbgnbd": BGNBD(modified=True),
    "paretonbd": ParetoNBD(),
    "bgbb": BGBB(),
}
_SPEND = GammaGamma()
_GRADIENT_STEP = 1e-5  # in log-parameters, for the delta-method CLV intervals


class CLVModel(BaseEstimator):
    """Customer lifetime value from a purchase model and a spend model.

    Parameters
    ----------
    purchase_model : {"bgnbd", "mbgnbd", "paretonbd", "bgbb"}
        Model of repeat purchases and dropout: BG/NBD (Fader, Hardie and Lee 2005),
        MBG/NBD (Batislam, Denizel and Filiztekin 2007), Pareto/NBD (Schmittlein,
        Morrison and Colombo 1987), all in continuous time, or BG/BB (Fader, Hardie and
        Shang 2010) for discrete transaction opportunities (a summary in whole periods,
        e.g. ``customer_summary(tx, freq="M", time_unit="M")``).
    spend_model : {"gamma_gamma", None}
        Model of the mean order value (Fader and Hardie 2013), fitted on repeat
        customers only, as the model requires. None fits purchases only (no
        ``expected_spend`` or ``predict_clv``).
    penalizer : float
        L2 penalty on the parameters (``penalizer * sum(theta ** 2)`` added to the
        negative mean log-likelihood per customer, time-rate parameters measured in units
        of the longest ``T``, as lifetimes does). 0 gives the maximum-likelihood
        estimates; try 0.001 to 0.1 when a fit does not converge.
    time_unit : {"D", "W", "M"}, optional
        Unit of ``recency`` and ``T`` in summaries that do not carry it in
        ``attrs["time_unit"]`` (a summary read back from CSV, a hand-made table). A
        summary from :func:`ecrm.customer_summary` carries its own unit; a different one
        here is an error. Rates and ``expected_purchases(t)`` are per ``time_unit_``.
        Not needed for BG/BB, which counts opportunities.

    Attributes
    ----------
    params_ : pandas.DataFrame
        One row per parameter (index ``parameter``) with ``model``, ``estimate``,
        ``std_error`` and the 95% interval ``ci_lower``, ``ci_upper`` (Wald interval of
        the log-parameter, mapped back: always positive).
    covariance_ : pandas.DataFrame
        Asymptotic covariance of the log-parameters (the inverse Hessian of the
        log-likelihood at the estimates); the purchase and spend blocks are independent.
        It drives ``std_error`` and the CLV intervals.
    log_likelihood_ : float
        Maximised log-likelihood of the purchase model (the spend model's is
        ``spend_log_likelihood_``).
    n_customers_ : float
        Customers the purchase model was fitted on (the sum of ``weights`` if given).
    n_patterns_ : int
        Distinct ``(frequency, recency, T)`` patterns among them (rows actually fitted).
    patterns_ : pandas.DataFrame
        Those patterns: ``frequency``, ``recency``, ``T`` and ``n_customers``.
    time_unit_ : str or None
        Unit of ``recency``, ``T`` and every rate (None for BG/BB without one).
    converged_ : bool
        False when a fit warned with :class:`ConvergenceWarning`.

    Notes
    -----
    Every model's log-likelihood is ecrm's own, with its analytic gradient, summed over
    the distinct ``(frequency, recency, T)`` patterns with their counts as weights and
    maximised over the log-parameters with L-BFGS-B and a final Newton step. The
    estimates equal lifetimes' on the same data (to 1e-6 relative in the tests).
    Predictions are computed in log space so that any finite summary (frequencies in
    the thousands, horizons of decades) gives finite numbers; the Pareto/NBD integral
    is evaluated by adaptive Gauss-Legendre quadrature and the BG/NBD-family
    expectations by Gauss-Jacobi quadrature instead of hypergeometric functions that
    overflow.

    A fit that does not reach an interior maximum (too few customers, a flat
    likelihood, a single customer) keeps its estimates, reports NaN standard errors
    where the Hessian is not positive definite and warns with
    :class:`ConvergenceWarning`; it never raises ``LinAlgError``.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987). Counting your customers:
    Who are they and what will they do next? *Management Science* 33(1), 1-24.

    Batislam, E. P., Denizel, M. and Filiztekin, A. (2007). Empirical validation and
    comparison of models for customer base analysis. *International Journal of Research
    in Marketing* 24(3), 201-209.

    Fader, P. S., Hardie, B. G. S. and Shang, J. (2010). Customer-base analysis in a
    discrete-time noncontractual setting. *Marketing Science* 29(6), 1086-1108.

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
        time_unit: str | None = None,
    ) -> None:
        self.purchase_model = purchase_model
        self.spend_model = spend_model
        self.penalizer = penalizer
        self.time_unit = time_unit

    # ------------------------------------------------------------------ fitting
    def fit(self, summary: pd.DataFrame, y: None = None, *, weights: str | None = None) -> CLVModel:
        """Fit the purchase model (and the spend model) by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame
            One row per customer, indexed by customer id, with ``frequency``,
            ``recency``, ``T`` and, with a spend model, ``monetary_value``: the output
            of :func:`ecrm.customer_summary` or :func:`calibration_holdout`. For BG/BB
            all three are whole numbers of periods. Raw transactions are refused: build
            the summary first.
        y : None
            Ignored (scikit-learn convention).
        weights : str, optional
            Column of customer counts when each row is a pattern shared by several
            customers (as in the donations data of Fader, Hardie and Shang 2010).

        Returns
        -------
        CLVModel
            self, fitted.

        Raises
        ------
        ecrm.errors.SchemaError
            Missing or inconsistent columns, several rows for one customer (a
            transaction frame with summary columns joined, duplicated ids), an unknown
            time unit, bad parameters.

        Warns
        -----
        ConvergenceWarning
            When the optimum is not an interior, well-determined maximum; the estimates
            are kept and the message suggests a ``penalizer``.
        ecrm.errors.DataDroppedWarning
            When repeat customers with a non-positive ``monetary_value`` (zero-value
            orders, or returns netted out) are left out of the spend model.
        """
        what = "CLVModel.fit"
        model = self._check_params()
        frame = _schema.check_frame(summary, what)
        if weights is not None and not isinstance(weights, str):
            raise SchemaError(f"{what}: weights={weights!r} must be the name of a column of customer counts")
        cols = _input.summary(
            frame, what, need_monetary=self.spend_model is not None, weights=weights, discrete=model.discrete
        )
        unit = _summaries.time_unit(frame, self.time_unit, what, required=not model.discrete)
        data, inverse = _input.patterns(cols, cols.get("weights"))
        longest = max(float(data.T.max()), 1e-12)
        scale = np.array([longest if p in model.rates else 1.0 for p in model.params])
        result = _mle.fit(
            lambda theta: model.loglik(theta, data),
            model.start(data),
            scale,
            data.n_customers,
            self.penalizer,
        )
        _mle.warn_if_problem(result, f"CLVModel: the {model.name}", self.penalizer, stacklevel=3)

        self.time_unit_ = unit
        self.n_customers_ = data.n_customers
        self.n_patterns_ = int(data.x.size)
        self.log_likelihood_ = result.log_likelihood
        self.patterns_ = pd.DataFrame(
            {"frequency": data.x, "recency": data.tx, "T": data.T, "n_customers": data.w}
        )
        self._model, self._theta, self._data = model, result.params, data
        self._fitted = (inverse, frame.index, cols)
        self._period = str(frame.attrs.get("freq", "D"))
        tables = [_mle.param_table(model.name, model.params, result)]
        covariances = [result.covariance]
        converged = result.problem is None

        self.spend_log_likelihood_ = None
        self._spend_theta = None
        if self.spend_model is not None:
            spend = self._fit_spend(cols)
            tables.append(_mle.param_table(_SPEND.name, _SPEND.params, spend))
            covariances.append(spend.covariance)
            converged = converged and spend.problem is None
        self.params_ = pd.concat(tables)
        names = list(self.params_.index)
        k = len(model.params)
        full = np.zeros((len(names), len(names)))
        full[:k, :k] = covariances[0]
        if len(covariances) > 1:
            full[k:, k:] = covariances[1]
        self.covariance_ = pd.DataFrame(full, index=names, columns=names)
        self.converged_ = converged
        return self

    def _check_params(self) -> PurchaseModel:
        _input.choice(self.purchase_model, "purchase_model", PURCHASE_MODELS)
        _input.choice(self.spend_model, "spend_model", SPEND_MODELS)
        _input.number(self.penalizer, "penalizer", "CLVModel", low=0.0)
        if self.time_unit is not None:
            _time.check_choice(self.time_unit, "time_unit", tuple(_time.UNIT_DAYS))
        return _PURCHASE[self.purchase_model]

    def _fit_spend(self, cols: dict[str, np.ndarray]) -> _mle.Fit:
        x, m = cols["frequency"], cols["monetary_value"]
        w = cols.get("weights", np.ones(x.size))
        repeat = x > 0
        usable = repeat & (m > 0)
        n_left_out = int(w[repeat].sum() - w[usable].sum())
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
        x, m, w = x[usable], m[usable], w[usable]
        first, inverse, _ = _input.distinct_rows(x, m)
        data = SpendData(x[first], m[first], np.bincount(inverse, weights=w))
        result = _mle.fit(
            lambda theta: _SPEND.loglik(theta, data), _SPEND.start(data), _SPEND.scale(data),
            data.n_customers, self.penalizer,
        )  # fmt: skip
        _mle.warn_if_problem(result, "CLVModel: the gamma_gamma", self.penalizer, stacklevel=4)
        self._spend_theta = result.params
        self.spend_log_likelihood_ = result.log_likelihood
        if result.params[1] <= 1:
            warnings.warn(
                f"CLVModel: the Gamma-Gamma estimate q = {result.params[1]:.3g} <= 1 means the "
                "mean order value has no finite expectation; expected_spend of one-time buyers "
                "is infinite",
                EcrmWarning,
                stacklevel=4,
            )
        return result

    # -------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this CLVModel is not fitted yet; call fit(summary) first")

    def _rows(self, summary: pd.DataFrame | None, what: str, need_monetary: bool = False):
        """(patterns, each row's pattern, index, columns) of the fitted or of a new summary."""
        self._check_fitted()
        if summary is None:
            inverse, index, cols = self._fitted
            return self._data, inverse, index, cols
        frame = _schema.check_frame(summary, what)
        unit = _summaries.time_unit(frame, self.time_unit, what, required=False)
        if unit is None and not self._model.discrete:
            raise SchemaError(
                f"{what}: the time unit of the summary is unknown (no attrs['time_unit'], e.g. after a CSV "
                "round trip, and no tenure_days and recency_days that pin it down) and the "
                f"model was fitted in {self.time_unit_!r}; set summary.attrs['time_unit'] = "
                f"{self.time_unit_!r} if that is its unit, or fit with CLVModel(time_unit=...)"
            )
        if unit is not None and self.time_unit_ is not None and unit != self.time_unit_:
            raise SchemaError(
                f"{what}: time_unit {unit!r} differs from the fitted model's {self.time_unit_!r}; "
                f"summarise with time_unit={self.time_unit_!r}"
            )
        cols = _input.summary(frame, what, need_monetary=need_monetary, discrete=self._model.discrete)
        data, inverse = _input.patterns(cols)
        return data, inverse, frame.index, cols

    def _horizon(self, t: object, name: str, what: str) -> float:
        return _input.number(t, name, what, low=0.0, integer=self._model.discrete)

    def p_alive(self, summary: pd.DataFrame | None = None) -> pd.Series:
        """Probability that each customer is still active.

        Parameters
        ----------
        summary : pandas.DataFrame, optional
            A customer summary in the fitted ``time_unit_``; default: the customers the
            model was fitted on.

        Returns
        -------
        pandas.Series
            ``p_alive`` in [0, 1], indexed by customer id: P(alive at T | x, t_x, T);
            for BG/BB, alive at the next opportunity T + 1 (Fader, Hardie and Shang
            2010, Table 6).

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
        data, inverse, index, _ = self._rows(summary, "p_alive")
        values = self._model.p_alive(self._theta, data.x, data.tx, data.T)
        return pd.Series(values[inverse], index=index, name="p_alive")

    def expected_purchases(self, t: float, summary: pd.DataFrame | None = None) -> pd.Series:
        """Expected number of purchases of each customer in the next ``t`` time units.

        Parameters
        ----------
        t : float
            Length of the future window in ``time_unit_`` (e.g. weeks); for BG/BB a whole
            number of transaction opportunities.
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
        t = self._horizon(t, "t", "expected_purchases")
        data, inverse, index, _ = self._rows(summary, "expected_purchases")
        values = self._conditional(self._theta, data, np.array([t]))[:, 0]
        return pd.Series(values[inverse], index=index, name="expected_purchases")

    def _conditional(self, theta: np.ndarray, data: Patterns, times: np.ndarray) -> np.ndarray:
        """E[X(T, T + t) | history] per pattern (rows) and time (columns)."""
        model = self._model
        log_alive = model.log_alive_now(theta, data.x, data.tx, data.T)
        first, inverse, _ = _input.distinct_rows(data.x, data.T)  # the rest depends on (x, T) only
        given_alive = model.alive_expectation(theta, data.x[first], data.T[first], times)
        return np.exp(log_alive)[:, None] * given_alive[inverse]

    def expected_purchases_new_customer(self, t: float | np.ndarray) -> float | pd.Series:
        """E[X(t)]: expected repeat purchases of a customer new at time 0, within ``t``.

        Parameters
        ----------
        t : float or sequence of float
            Time(s) since the first purchase in ``time_unit_`` (BG/BB: whole periods).

        Returns
        -------
        float or pandas.Series
            A float for a scalar ``t``, else a Series indexed by ``t``.

        References
        ----------
        Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers"
        the easy way. *Marketing Science* 24(2), 275-284 (eq. 9).

        Examples
        --------
        >>> import ecrm
        >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
        ...                             time_unit="W")
        >>> model = ecrm.clv.CLVModel(spend_model=None).fit(cal)
        >>> model.expected_purchases_new_customer([1, 78]).round(4)
        t
        1.0     0.0532
        78.0    1.8580
        Name: expected_purchases, dtype: float64
        """
        self._check_fitted()
        times = _input.numbers_array(t, "t", "expected_purchases_new_customer", integer=self._model.discrete)
        values = self._model.expected_new(self._theta, times)
        if np.isscalar(t):
            return float(values[0])
        return pd.Series(values, index=pd.Index(times, name="t"), name="expected_purchases")

    def probability_of_purchases(self, t: float, n: int | np.ndarray) -> pd.Series:
        """P(X(t) = n): probability that a new customer makes ``n`` repeat purchases within ``t``.

        Parameters
        ----------
        t : float
            Time since the first purchase in ``time_unit_`` (BG/BB: whole periods).
        n : int or sequence of int
            Numbers of repeat purchases.

        Returns
        -------
        pandas.Series
            ``probability`` indexed by ``n``.

        References
        ----------
        Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers"
        the easy way. *Marketing Science* 24(2), 275-284 (eq. 8); Fader and Hardie (2006),
        "Deriving an expression for P(X(t) = x) under the Pareto/NBD model", note 012;
        Fader, Hardie and Shang (2010), eq. 7 (BG/BB).

        Examples
        --------
        >>> import ecrm
        >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
        ...                             time_unit="W")
        >>> model = ecrm.clv.CLVModel(spend_model=None).fit(cal)
        >>> model.probability_of_purchases(39, [0, 1, 2]).round(3)
        n
        0    0.574
        1    0.199
        2    0.085
        Name: probability, dtype: float64
        """
        self._check_fitted()
        what = "probability_of_purchases"
        t = self._horizon(t, "t", what)
        counts = _input.numbers_array(n, "n", what, integer=True)
        values = self._model.pmf_new(self._theta, t, counts)
        return pd.Series(values, index=pd.Index(counts.astype(np.int64), name="n"), name="probability")

    def p_alive_history(
        self,
        transactions: pd.DataFrame,
        customers: object,
        *,
        end: object = None,
        customer_col: str = "customer_id",
        date_col: str = "order_date",
        amount_col: str = "amount",
    ) -> pd.DataFrame:
        """Each customer's probability alive on every day from the first purchase to ``end``.

        Parameters
        ----------
        transactions : pandas.DataFrame
            Raw transactions (returns, i.e. negative amounts, are not purchases).
        customers : id or list of ids
            The customers to trace.
        end : date-like, optional
            Last day of the history (default: the last transaction date).
        customer_col, date_col, amount_col : str
            Column names.

        Returns
        -------
        pandas.DataFrame
            Indexed by day, one column per customer, NaN before the customer's first
            purchase. On each day ``frequency``, ``recency`` and ``T`` are those of a
            summary as of that day, with the fitted summary's ``freq`` (from its
            ``attrs``, default days) and ``time_unit_``.

        References
        ----------
        Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers"
        the easy way. *Marketing Science* 24(2), 275-284 (eq. 11).

        Examples
        --------
        >>> import ecrm
        >>> tx = ecrm.datasets.load_cdnow_sample()
        >>> cal = ecrm.customer_summary(tx, as_of="1997-09-30", time_unit="W")
        >>> path = ecrm.clv.CLVModel(spend_model=None).fit(cal).p_alive_history(tx, [1], end="1997-09-30")
        >>> path.loc["1997-09-30", 1].round(3)  # the last day is the summary's p_alive
        np.float64(0.727)
        """
        self._check_fitted()
        what = "p_alive_history"
        tx = _input.transactions(
            transactions,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            as_of=end,
            what=what,
        )
        wanted = pd.Index(np.atleast_1d(np.asarray(customers, dtype=object)).tolist())
        missing = wanted.difference(pd.Index(tx.customer.unique()))
        if len(missing):
            raise SchemaError(
                f"{what}: customer(s) {list(missing[:5])} have no transaction on or before {tx.as_of}"
            )
        keep = tx.customer.isin(wanted).to_numpy() & (tx.amount >= 0).to_numpy()
        code = wanted.get_indexer(tx.customer[keep])
        no_purchase = wanted[np.bincount(code, minlength=len(wanted)) == 0]
        if len(no_purchase):
            raise SchemaError(f"{what}: customer(s) {list(no_purchase[:5])} have only returns, no purchase")
        period = self._period
        days = _schema.day_number(tx.date[keep])
        periods = _time.period_ordinal(days, period)
        end_day = _schema.day_number(pd.Series([tx.as_of]))[0]
        grid = np.arange(int(days.min()), int(end_day) + 1)
        grid_period = _time.period_ordinal(grid, period)
        # Distinct (customer, period) purchase keys, sorted: counts and last periods by search.
        base = periods.min() - 1
        span = int(grid_period.max() - base) + 1
        keys = np.unique(code.astype(np.int64) * span + (periods - base))
        starts = np.searchsorted(keys, np.arange(len(wanted)) * span)
        first_period = keys[starts] % span + base
        query = np.arange(len(wanted))[:, None] * span + (grid_period[None, :] - base)
        position = np.searchsorted(keys, query, side="right")
        count = position - starts[:, None]
        last_period = keys[np.maximum(position - 1, 0)] % span + base
        unit = self.time_unit_ or period
        first = np.broadcast_to(first_period[:, None], query.shape)
        x = np.maximum(count - 1, 0).astype(float)
        recency = _time.duration(first.ravel(), last_period.ravel(), period, unit).reshape(query.shape)
        age = _time.duration(first.ravel(), np.broadcast_to(grid_period, query.shape).ravel(), period, unit)
        age = age.reshape(query.shape)
        cols = {"frequency": x.ravel(), "recency": recency.ravel(), "T": age.ravel()}
        started = (count > 0).ravel()
        data, inverse = _input.patterns({k: v[started] for k, v in cols.items()})
        values = np.full(started.size, np.nan)
        values[started] = self._model.p_alive(self._theta, data.x, data.tx, data.T)[inverse]
        epoch = np.datetime64("1970-01-01", "D")
        index = pd.DatetimeIndex(epoch + grid.astype("timedelta64[D]"), name=date_col)
        return pd.DataFrame(values.reshape(query.shape).T, index=index, columns=wanted)

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
        self._check_spend("expected_spend")
        _, _, index, cols = self._rows(summary, "expected_spend", need_monetary=True)
        values = _SPEND.expected_spend(self._spend_theta, cols["frequency"], cols["monetary_value"])
        return pd.Series(values, index=index, name="expected_spend")

    def _check_spend(self, what: str) -> None:
        self._check_fitted()
        if self._spend_theta is None:
            raise SchemaError(f"{what} needs a spend model; fit with spend_model='gamma_gamma'")

    def predict_clv(
        self,
        horizon: int = 12,
        horizon_unit: str | None = "M",
        discount_rate: float = 0.01,
        margin: float = 1.0,
        summary: pd.DataFrame | None = None,
        interval: float | None = None,
    ) -> pd.DataFrame:
        """Discounted expected value of each customer over the next ``horizon`` periods.

        Parameters
        ----------
        horizon : int
            Number of future periods.
        horizon_unit : {"D", "W", "M"} or None
            Length of one period: a day, a week or a month (30.4375 days). None: one
            ``time_unit_`` (for BG/BB, one transaction opportunity; required there).
        discount_rate : float
            Discount rate per period (0.01 a month is about 12.7% a year).
        margin : float
            Share of spend that is profit; 1.0 gives discounted revenue.
        summary : pandas.DataFrame, optional
            A customer summary in the fitted ``time_unit_``; default: the fitted customers.
        interval : float, optional
            Also return a ``clv_lower``, ``clv_upper`` interval of this level (e.g. 0.9)
            for each customer, from the uncertainty of the estimated parameters (see
            Notes).

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
        ``customer_lifetime_value``; ecrm's month is 30.4375 days (lifetimes' is 30).

        The interval is the delta-method interval of ``log(clv)`` under the asymptotic
        normal distribution of the log-parameters (``covariance_``): ``clv *
        exp(+-z sd)`` with ``sd`` the standard deviation of ``log(clv)`` from its
        gradient (central differences in each log-parameter). It expresses how well
        the parameters are known, not the spread of a customer's actual future value,
        which is much wider.

        References
        ----------
        Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: Using iso-value
        curves for customer base analysis. *Journal of Marketing Research* 42(4), 415-430.

        Examples
        --------
        >>> import ecrm
        >>> cal = ecrm.customer_summary(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
        ...                             time_unit="W")
        >>> clv = ecrm.clv.CLVModel().fit(cal).predict_clv(horizon=12, horizon_unit="M")
        >>> clv.loc[[1, 3]].round(2)
                     p_alive  expected_purchases  expected_spend    clv
        customer_id
        1               0.73                1.56           24.65  36.30
        3               1.00                0.25           35.17   8.35
        """
        what = "predict_clv"
        self._check_spend(what)
        horizon = int(_input.number(horizon, "horizon", what, low=1, integer=True))
        _input.number(discount_rate, "discount_rate", what, low=-1.0, low_open=True)
        _input.number(margin, "margin", what)
        if interval is not None:
            _input.number(interval, "interval", what, low=0.0, low_open=True, high=1.0)
            if interval >= 1:
                raise SchemaError(f"{what}: interval={interval!r} must be below 1 (e.g. 0.9)")
        step = self._step(horizon_unit, what)
        data, inverse, index, cols = self._rows(summary, what, need_monetary=True)
        times = step * np.arange(1, horizon + 1)
        discount = (1.0 + float(discount_rate)) ** -np.arange(1, horizon + 1)
        spend = _SPEND.expected_spend(self._spend_theta, cols["frequency"], cols["monetary_value"])
        pairs = _input.distinct_rows(data.x, data.T)[:2]  # the expectations depend on (x, T) only
        log_alive, log_value, total = self._clv_terms(self._theta, data, pairs, times, discount)
        alive = np.exp(log_alive)
        clv = float(margin) * spend * np.exp(log_alive + log_value[pairs[1]])[inverse]
        out = pd.DataFrame(
            {
                "p_alive": self._model.p_alive(self._theta, data.x, data.tx, data.T)[inverse],
                "expected_purchases": (alive * total[pairs[1]])[inverse],
                "expected_spend": spend,
                "clv": clv,
            },
            index=index,
        )
        if interval is not None:
            sd = self._log_clv_sd(data, inverse, cols, pairs, times, discount)
            z = norm.ppf(0.5 + float(interval) / 2)
            with np.errstate(invalid="ignore", over="ignore"):
                spread = np.exp(z * sd)
                low, high = clv / spread, clv * spread
            out["clv_lower"] = np.where(clv == 0, 0.0, np.minimum(low, high))
            out["clv_upper"] = np.where(clv == 0, 0.0, np.maximum(low, high))
        return out

    def _step(self, horizon_unit: str | None, what: str) -> float:
        """Length of one horizon period in the model's time unit."""
        if horizon_unit is None:
            return 1.0
        _time.check_choice(horizon_unit, "horizon_unit", tuple(_time.UNIT_DAYS))
        if self._model.discrete or self.time_unit_ is None:
            if horizon_unit != self.time_unit_:
                raise SchemaError(
                    f"{what}: BG/BB counts whole transaction opportunities; pass horizon_unit=None "
                    f"(the horizon is then a number of opportunities)"
                )
            return 1.0
        return _time.UNIT_DAYS[horizon_unit] / _time.UNIT_DAYS[self.time_unit_]

    def _clv_terms(self, theta, data: Patterns, pairs, times, discount):
        """log P(alive) per pattern, and per distinct (x, T) pair (``pairs``: first row of
        each pair, each pattern's pair) the log of the discounted expected purchases given
        alive and their undiscounted total."""
        model = self._model
        log_alive = model.log_alive_now(theta, data.x, data.tx, data.T)
        first = pairs[0]
        cumulative = model.alive_expectation(theta, data.x[first], data.T[first], times)
        increments = np.diff(cumulative, axis=1, prepend=0.0)
        with np.errstate(divide="ignore"):
            log_value = np.log(np.maximum(increments @ discount, 0.0))
        return log_alive, log_value, cumulative[:, -1]

    def _log_clv_sd(self, data, inverse, cols, pairs, times, discount) -> np.ndarray:
        """Standard deviation of log(clv) per customer by the delta method."""
        k = self._theta.size
        grad_pattern = np.empty((data.x.size, k))
        for j in range(k):  # central differences in each log-parameter
            h = np.zeros(k)
            h[j] = _GRADIENT_STEP
            up = self._clv_terms(self._theta * np.exp(h), data, pairs, times, discount)
            down = self._clv_terms(self._theta * np.exp(-h), data, pairs, times, discount)
            grad_pattern[:, j] = ((up[0] + up[1][pairs[1]]) - (down[0] + down[1][pairs[1]])) / (
                2 * _GRADIENT_STEP
            )
        cov = self.covariance_.to_numpy()
        var = np.einsum("ij,jk,ik->i", grad_pattern, cov[:k, :k], grad_pattern)[inverse]
        # Spend: analytic gradient of log E[M | x, m] in log(p, q, gamma).
        p, q, gamma = self._spend_theta
        x = cols["frequency"]
        m = np.where(x > 0, cols["monetary_value"], 0.0)
        den = p * x + q - 1
        with np.errstate(divide="ignore", invalid="ignore"):
            g_p, g_q, g_gamma = 1 - p * x / den, -q / den, gamma / (gamma + x * m)
        c = cov[k:, k:]
        var += (
            c[0, 0] * g_p * g_p + c[1, 1] * g_q * g_q + c[2, 2] * g_gamma * g_gamma
            + 2 * (c[0, 1] * g_p * g_q + c[0, 2] * g_p * g_gamma + c[1, 2] * g_q * g_gamma)
        )  # fmt: skip
        return np.sqrt(np.maximum(var, 0.0))
