"""Churn prediction and early warning without leakage.

Labels look only at the horizon after a cutoff, features only at the data on or before
it, models are scikit-learn estimators with calibrated probabilities, and every model is
measured against the BG/NBD baseline from :mod:`ecrm.clv`.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from . import _engine, _labels, _schema, _time
from .errors import EcrmWarning, SchemaError
from .summary import customer_summary
from .transactions import EngineTransactions, Transactions, as_transactions

__all__ = [
    "ChurnDataset",
    "ChurnModel",
    "backtest",
    "bgnbd_baseline",
    "dataset",
    "features",
    "interventions",
    "score_metrics",
]

WINDOWS = (30, 90, 180, 365)
TOP_SHARES = (0.10, 0.20)
ESTIMATORS = ("hgb", "logistic", "rf")
CALIBRATION_FOLDS = 5
WHAT = "transactions"


@dataclass(frozen=True)
class ChurnDataset:
    """Features and labels of the customers with history at one cutoff.

    Attributes
    ----------
    X : pandas.DataFrame
        One row per customer (index = customer id), features from data on or before
        ``cutoff`` only.
    y : pandas.Series
        Boolean ``churned``: no purchase in ``(cutoff, cutoff + horizon]``.
    cutoff : pandas.Timestamp
        The snapshot instant.
    horizon : pandas.Timedelta
        Length of the label window.
    """

    X: pd.DataFrame
    y: pd.Series
    cutoff: pd.Timestamp
    horizon: pd.Timedelta

    @property
    def horizon_end(self) -> pd.Timestamp:
        """The last instant of the label window, ``cutoff + horizon``."""
        return self.cutoff + self.horizon

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``X, y = ds``."""
        return iter((self.X, self.y))


def _horizon(horizon_days: object) -> pd.Timedelta:
    return pd.Timedelta(days=_schema.days(horizon_days, "horizon_days"))  # type: ignore[arg-type]


def _check_min_history(min_history_days: object) -> None:
    _schema.number(min_history_days, "min_history_days", low=0)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, NaN where the denominator is 0 (the ratio is undefined)."""
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _check_extra(extra: object, X: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(extra, pd.DataFrame):
        raise SchemaError(f"extra: expected a DataFrame indexed by customer id, got {type(extra).__name__}")
    dup = extra.index.duplicated()
    if dup.any():
        raise SchemaError(
            f"extra: the index (customer id) has {int(dup.sum())} duplicated value(s), e.g. "
            f"{list(extra.index[dup][:5])}; give one row per customer"
        )
    clash = [c for c in extra.columns if c in X.columns]
    if clash:
        raise SchemaError(f"extra: column(s) {clash} clash with built-in feature names; rename them")
    _schema.feature_table(extra, "extra")  # real numbers (NaN allowed), named when not
    # Paired by customer id: a customer without a row gets NaN, which is normal for a few
    # (no survey answered) but says the ids do not match when it is most or all of them.
    missing = ~X.index.isin(extra.index)
    if missing.all():
        raise SchemaError(
            f"extra: no row matches a customer: its index is e.g. {list(extra.index[:3])} (dtype "
            f"{extra.index.dtype}), the customer ids e.g. {list(X.index[:3])} (dtype {X.index.dtype}); "
            "index extra by the same customer ids (e.g. extra.index.astype(...))"
        )
    if missing.any():
        warnings.warn(
            f"extra: {int(missing.sum())} of {len(X)} customer(s) have no row in extra (e.g. "
            f"{list(X.index[missing][:5])}); their extra columns are NaN",
            EcrmWarning,
            stacklevel=4,
        )
    return extra.reindex(X.index).astype("float64")


def _build_features(tx: Transactions, min_history_days: float, extra: pd.DataFrame | None) -> pd.DataFrame:
    """Features of the customers with a purchase in ``tx`` (a log cut at its ``as_of``)."""
    summary = customer_summary(tx)
    n = len(tx.ids)
    c, amount, day = tx.codes, tx.amount.to_numpy(), tx.day
    cut_day = tx.as_of_day
    days = tx.purchase_periods("D")  # distinct (customer, purchase day), by customer then day
    orders = tx.orders()  # each order on its first day (purchase days without an order column)

    out: dict[str, np.ndarray] = {}
    order_code, order_day = orders.code, orders.value
    for w in WINDOWS:
        recent = order_day > cut_day - w
        out[f"orders_{w}d"] = np.bincount(order_code[recent], minlength=n)
    for w in WINDOWS:
        recent = day > cut_day - w
        out[f"spend_{w}d"] = np.bincount(c[recent], weights=amount[recent], minlength=n)

    # Gaps between consecutive purchase days of the same customer (in customer, day order).
    every_gap = days.gaps()
    repeat = every_gap >= 0
    gap = every_gap[repeat].astype(float)
    gap_code = days.code[repeat]
    n_gaps = np.bincount(gap_code, minlength=n).astype(float)
    gap_sum = np.bincount(gap_code, weights=gap, minlength=n)
    gap_sq = np.bincount(gap_code, weights=gap**2, minlength=n)
    last_gap = np.full(n, np.nan)
    run_end = np.r_[gap_code[1:] != gap_code[:-1], True] if gap.size else np.zeros(0, bool)
    last_gap[gap_code[run_end]] = gap[run_end]

    returns = None
    if tx.has_returns:
        purchase = tx.purchase
        negative = ~purchase
        returned = np.bincount(c[negative], weights=-amount[negative], minlength=n)
        gross = np.bincount(c[purchase], weights=amount[purchase], minlength=n)
        returns = (returned, gross)

    _derive(out, n_gaps, gap_sum, gap_sq, last_gap, returns)
    return _assemble_features(summary, pd.DataFrame(out, index=tx.ids), tx.as_of, min_history_days, extra)


def _derive(
    out: Any,
    n_gaps: np.ndarray,
    gap_sum: np.ndarray,
    gap_sq: np.ndarray,
    last_gap: np.ndarray,
    returns: tuple[np.ndarray, np.ndarray] | None,
) -> None:
    """Add to ``out`` (the window sums per customer, from numpy or an engine) the features
    derived from them, from the gap count, sum and sum of squares, the last gap and the
    (returned, gross) amounts when there are returns."""
    orders_90 = np.asarray(out["orders_90d"], dtype=float)
    # Smoothed ratio of orders in the last 90 days to the 90 days before them.
    out["order_trend"] = (orders_90 + 1.0) / (np.asarray(out["orders_180d"], dtype=float) - orders_90 + 1.0)
    out["aov_90d"] = _ratio(np.asarray(out["spend_90d"], dtype=float), orders_90)
    mean_gap = _ratio(gap_sum, n_gaps)
    sq_dev = gap_sq - n_gaps * np.nan_to_num(mean_gap) ** 2
    out["mean_gap_days"] = mean_gap
    out["std_gap_days"] = np.where(
        n_gaps >= 2, np.sqrt(np.maximum(sq_dev, 0) / np.maximum(n_gaps - 1, 1)), np.nan
    )
    out["last_gap_days"] = last_gap
    if returns is not None:
        out["return_share"] = np.nan_to_num(_ratio(*returns))


def _assemble_features(
    summary: pd.DataFrame,
    per_customer: pd.DataFrame,
    as_of: pd.Timestamp,
    min_history_days: float,
    extra: pd.DataFrame | None,
) -> pd.DataFrame:
    """X from the summary and the windowed and gap reductions per customer (from numpy
    here, or from an engine), indexed by customer id."""
    pos = per_customer.index.get_indexer(summary.index)
    out = {name: per_customer[name].to_numpy() for name in per_customer.columns}
    X = pd.DataFrame(
        {
            "recency_days": summary["recency_days"].to_numpy(),
            "tenure_days": summary["tenure_days"].to_numpy(),
            "n_orders": summary["n_orders"].to_numpy(),
            "total_spend": summary["total_spend"].to_numpy(),
            "avg_order_value": summary["avg_order_value"].to_numpy(),
        },
        index=summary.index,
    )
    for name, values in out.items():
        X[name] = values[pos]
    X["aov_trend"] = _ratio(X["aov_90d"].to_numpy(), X["avg_order_value"].to_numpy())
    X["recency_gap_ratio"] = _ratio(X["recency_days"].to_numpy(dtype=float), X["mean_gap_days"].to_numpy())
    if min_history_days:
        X = X[X["tenure_days"].to_numpy() >= min_history_days]
    if len(X) == 0:
        raise SchemaError(
            f"{WHAT}: no customers with history at cutoff {as_of}: none has a first purchase at "
            f"least min_history_days={min_history_days} day(s) before it"
        )
    if extra is not None:
        X = X.join(_check_extra(extra, X))
    X.attrs["as_of"] = as_of
    return X


def features(
    transactions: pd.DataFrame | Transactions,
    *,
    as_of: object = None,
    min_history_days: float = 0,
    extra: pd.DataFrame | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
) -> pd.DataFrame:
    """Churn features of every customer with a purchase on or before ``as_of``.

    The same features as :func:`dataset`, without labels: use it to score customers
    today with a model trained on a :func:`dataset` from an earlier cutoff.

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        One row per order or order line (or :func:`ecrm.transactions`); negative
        amounts are returns. On an engine the windowed counts, gaps and labels are
        reduced there; one row per customer comes back.
    as_of : date-like, optional
        Snapshot instant; rows after it are not read. Defaults to the last date.
    min_history_days : float
        Keep customers whose first purchase is at least this many days before ``as_of``.
    extra : pandas.DataFrame, optional
        Numeric per-customer features indexed by customer id (for example survey or
        loyalty aggregates as of the same date), joined on the id; customers without a
        row get NaN, with a warning that counts them, and an ``extra`` that matches no
        customer (e.g. ids ``'1'`` for customers ``1``) is refused. They must themselves
        use only data up to ``as_of``.
    customer_col, date_col, amount_col, order_col : str
        Column names; with ``order_col`` orders are distinct order ids, otherwise
        distinct purchase days.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id; see :func:`dataset` for the columns.

    References
    ----------
    Neslin, S. A. et al. (2006). Defection detection: measuring and understanding the
    predictive accuracy of customer churn models. *Journal of Marketing Research* 43(2),
    204-211.

    Examples
    --------
    >>> import ecrm
    >>> X = ecrm.churn.features(ecrm.datasets.load_cdnow_sample(), as_of="1998-06-30")
    >>> X.loc[1, ["recency_days", "n_orders", "orders_365d", "mean_gap_days"]]
    recency_days     200.0
    n_orders           4.0
    orders_365d        2.0
    mean_gap_days    115.0
    Name: 1, dtype: float64
    """
    _check_min_history(min_history_days)
    keywords = {"customer_col": customer_col, "date_col": date_col, "amount_col": amount_col}
    if isinstance(transactions, EngineTransactions):
        transactions.check_mapping(WHAT, **keywords, order_col=order_col)
        return _engine_features(transactions.upto(as_of, what=WHAT), min_history_days, extra)
    tx = as_transactions(transactions, **keywords, order_col=order_col)
    return _build_features(tx.upto(as_of, what=WHAT), min_history_days, extra)


def _engine_features(
    log: EngineTransactions, min_history_days: float, extra: pd.DataFrame | None
) -> pd.DataFrame:
    """:func:`_build_features` with the reductions run on the log's engine."""
    summary = customer_summary(log)
    out = _engine.churn_reductions(log, WINDOWS)
    n_gaps, gap_sum, gap_sq = (out.pop(c).to_numpy(dtype=float) for c in ("n_gaps", "gap_sum", "gap_sq"))
    last_gap = out.pop("last_gap").astype(float).to_numpy()
    returns = (out.pop("returned").to_numpy(), out.pop("gross").to_numpy()) if "returned" in out else None
    _derive(out, n_gaps, gap_sum, gap_sq, last_gap, returns)
    return _assemble_features(summary, out, log.as_of, min_history_days, extra)


def dataset(
    transactions: pd.DataFrame | Transactions,
    *,
    cutoff: object,
    horizon_days: float = 90,
    min_history_days: float = 0,
    extra: pd.DataFrame | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
) -> ChurnDataset:
    """Leakage-free churn features and labels at one cutoff.

    Customers are those with at least one purchase on or before ``cutoff``. The label
    ``churned`` is True when a customer makes no purchase (row with a non-negative
    amount) in ``(cutoff, cutoff + horizon_days]``. Features are computed only from the
    rows on or before ``cutoff``, so changing or deleting any later row changes no
    feature.

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        One row per order or order line (or :func:`ecrm.transactions`); negative
        amounts are returns. On an engine the windowed counts, gaps and labels are
        reduced there; one row per customer comes back.
    cutoff : date-like
        The training cutoff: features see the data on or before it, labels the
        ``horizon_days`` after it. It must be on or after the first transaction, and the
        label window must end on or before the end of the data (the last transaction
        date, or the ``as_of`` of a :class:`ecrm.Transactions` cut with ``upto``),
        otherwise labels would call customers churned only because the data stops.
    horizon_days : float
        Length of the label window in days (> 0).
    min_history_days, extra, customer_col, date_col, amount_col, order_col
        As in :func:`features`.

    Returns
    -------
    ChurnDataset
        ``X`` (features), ``y`` (``churned``), ``cutoff`` and ``horizon``. The columns
        of ``X`` are

        - ``recency_days``, ``tenure_days``, ``n_orders``, ``total_spend``,
          ``avg_order_value``: the RFM values and tenure of
          :func:`ecrm.customer_summary` at the cutoff;
        - ``orders_{30,90,180,365}d``, ``spend_{30,90,180,365}d``: orders and net spend
          in the last 30/90/180/365 days;
        - ``order_trend``: (orders in the last 90 days + 1) / (orders in the 90 days
          before + 1);
        - ``aov_90d`` and ``aov_trend`` = ``aov_90d / avg_order_value``: recent average
          order value and its ratio to the customer's overall one (NaN without recent
          orders);
        - ``mean_gap_days``, ``std_gap_days``, ``last_gap_days``: mean, standard
          deviation and last of the gaps between consecutive purchase days (NaN with
          too few purchase days) and ``recency_gap_ratio`` = ``recency_days /
          mean_gap_days``, days since the last purchase relative to the usual gap;
        - ``return_share``: returned / purchased amount (only when some amount on or
          before the cutoff is negative);
        - the columns of ``extra``.

    Raises
    ------
    ecrm.errors.SchemaError
        Bad transactions, ``cutoff`` before the data or with its label window past the
        last transaction, ``horizon_days <= 0``, no customers with history.

    References
    ----------
    Neslin, S. A. et al. (2006). Defection detection: measuring and understanding the
    predictive accuracy of customer churn models. *Journal of Marketing Research* 43(2),
    204-211. Kaufman, S. et al. (2012). Leakage in data mining: formulation, detection,
    and avoidance. *ACM TKDD* 6(4), 15.

    Examples
    --------
    >>> import ecrm
    >>> ds = ecrm.churn.dataset(ecrm.datasets.load_cdnow(), cutoff="1997-09-30", horizon_days=273)
    >>> ds.X.shape, round(float(ds.y.mean()), 3), ds.horizon_end
    ((23570, 20), 0.701, Timestamp('1998-06-30 00:00:00'))
    """
    horizon = _horizon(horizon_days)
    _check_min_history(min_history_days)
    if isinstance(transactions, EngineTransactions):
        log = transactions
        log.check_mapping(
            WHAT, customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
        )
        cut = _schema.timestamp(cutoff, pd.Series(dtype="datetime64[us]"), "cutoff", WHAT)
        _check_window(cut, horizon, log.first_date, log.as_of)
        X = _engine_features(log.upto(cut), min_history_days, extra)
        bought = _engine.buyers_between(log, cut, cut + horizon)
        y = pd.Series(~X.index.isin(bought), index=X.index, name="churned")
        return ChurnDataset(X, y, cut, horizon)
    tx = as_transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
    )
    cut = _schema.timestamp(cutoff, tx.date, "cutoff", WHAT)
    _check_window(cut, horizon, tx.first_date, tx.as_of)
    X = _build_features(tx.upto(cut), min_history_days, extra)

    ticks = tx.ticks
    window = (ticks > _time.tick(cut, tx.date)) & (ticks <= _time.tick(cut + horizon, tx.date))
    window &= tx.purchase
    bought = np.bincount(tx.codes[window], minlength=len(tx.ids)) > 0
    churned = ~bought[tx.ids.get_indexer(X.index)]
    y = pd.Series(churned, index=X.index, name="churned")
    return ChurnDataset(X, y, cut, horizon)


def _check_window(cut: pd.Timestamp, horizon: pd.Timedelta, first: pd.Timestamp, last: pd.Timestamp) -> None:
    """Refuse a cutoff before the data or whose label window runs past its end."""
    if cut < first or cut + horizon > last:
        raise SchemaError(
            f"{WHAT}: cutoff={cut} is outside the data: it must be on or after the first "
            f"transaction ({first}) and cutoff + horizon_days ({cut + horizon}) on or before the "
            f"end of the data ({last}), so that every label window is fully observed"
        )


def _as_binary(y: object, what: str = "y") -> np.ndarray:
    """Labels as a 0/1 array, refusing missing values, continuous labels and other than two classes.

    The messages carry scikit-learn's phrases ("continuous", "Only binary classification
    is supported", "one class") so code that matches them keeps working.
    """
    from sklearn.utils.multiclass import type_of_target

    arr = np.asarray(y)
    if arr.ndim != 1:
        raise SchemaError(f"{what}: expected a 1-d array of churn labels, got shape {arr.shape}")
    if pd.isna(arr).any():
        raise SchemaError(f"{what}: {int(pd.isna(arr).sum())} label(s) are missing (NaN)")
    kind = type_of_target(arr)
    if kind == "continuous":
        raise SchemaError(
            f"{what}: the labels are continuous (e.g. {arr[:3].tolist()}); expected churn labels "
            "(True/False or 0/1)"
        )
    classes = np.unique(arr)
    if len(classes) > 2:
        raise SchemaError(
            f"{what}: Only binary classification is supported. The type of the target is {kind}: "
            f"{len(classes)} classes, e.g. {classes[:5].tolist()}; churn labels are churned or retained"
        )
    if len(classes) < 2:
        raise SchemaError(
            f"{what}: needs both classes (churned and retained), found only "
            f"{classes.tolist()} (one class) in {len(arr)} label(s); choose another cutoff or horizon"
        )
    return (arr == classes[1]).astype(np.int8)


def _labels_of(X: pd.DataFrame | np.ndarray, y: object, what: str) -> np.ndarray:
    """``y`` in the row order of ``X``: a Series is paired with a DataFrame by index."""
    from sklearn.exceptions import DataConversionWarning

    if y is None:
        raise SchemaError(f"{what} requires y to be passed, but the target y is None")
    if isinstance(y, pd.DataFrame) and y.shape[1] == 1:
        y = y.iloc[:, 0]
    elif not isinstance(y, pd.Series):
        arr = np.asarray(y)
        if arr.ndim == 2 and arr.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; it is read as one",
                DataConversionWarning,
                stacklevel=3,
            )
            y = arr.ravel()
    labels = _schema.aligned(y, X, "y", what)
    _as_binary(labels, f"{what}: y")
    return labels


def score_metrics(y_true: object, score: object, *, probability: bool = True) -> pd.Series:
    """Ranking, calibration and targeting metrics of a churn score.

    Parameters
    ----------
    y_true : array-like of bool
        ``churned`` labels (True = churned).
    score : array-like of float
        Higher = more likely to churn. Two Series are paired by index (customer id),
        anything else by position.
    probability : bool
        Whether ``score`` is a probability; when False the Brier score and log loss are
        NaN (they are defined only for probabilities).

    Returns
    -------
    pandas.Series
        ``n``, ``churn_rate``, ``roc_auc``, ``pr_auc`` (average precision), ``brier``,
        ``log_loss``, and for the top 10% and 20% of customers by score ``lift_top10``
        (churn rate among them / overall churn rate) and ``captured_top10`` (share of
        all churners among them), ``lift_top20``, ``captured_top20``.

    References
    ----------
    Neslin, S. A. et al. (2006). Defection detection: measuring and understanding the
    predictive accuracy of customer churn models. *Journal of Marketing Research* 43(2),
    204-211 (top-decile lift). Brier, G. W. (1950). Verification of forecasts expressed
    in terms of probability. *Monthly Weather Review* 78(1), 1-3.

    Examples
    --------
    >>> from ecrm.churn import score_metrics
    >>> m = score_metrics([1, 1, 0, 0, 1, 0, 0, 0, 0, 0], [.9, .8, .7, .1, .6, .2, .3, .1, .2, .1])
    >>> m[["roc_auc", "lift_top10", "captured_top20"]]
    roc_auc           0.952381
    lift_top10        3.333333
    captured_top20    0.666667
    dtype: float64
    """
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    y = _as_binary(y_true)
    if isinstance(y_true, pd.Series) and isinstance(score, pd.Series):  # paired by customer id
        score = _schema.aligned(score, y_true.to_frame(), "score", "score_metrics")
    try:
        s = np.asarray(score, dtype=float)
    except (TypeError, ValueError):
        raise SchemaError(f"score: expected numbers, one per label, got {type(score).__name__}") from None
    if s.shape != y.shape:
        raise SchemaError(f"score: expected {y.shape[0]} value(s), one per label, got shape {s.shape}")
    if not np.isfinite(s).all():
        raise SchemaError(f"score: {int((~np.isfinite(s)).sum())} value(s) are not finite")
    outside = (s < 0) | (s > 1)
    if probability and outside.any():
        raise SchemaError(
            f"score: {int(outside.sum())} of {s.size} value(s) are outside [0, 1], e.g. "
            f"{s[outside][:5].tolist()}; a probability is needed (pass probability=False for another score)"
        )
    out = {
        "n": float(len(y)),
        "churn_rate": float(y.mean()),
        "roc_auc": roc_auc_score(y, s),
        "pr_auc": average_precision_score(y, s),
        "brier": brier_score_loss(y, s) if probability else np.nan,
        "log_loss": log_loss(y, np.clip(s, 1e-15, 1 - 1e-15)) if probability else np.nan,
    }
    ranked = y[np.argsort(-s, kind="stable")]
    for share in TOP_SHARES:
        k = max(math.ceil(share * len(y)), 1)
        caught = ranked[:k].sum()
        pct = round(share * 100)
        out[f"lift_top{pct}"] = (caught / k) / y.mean()
        out[f"captured_top{pct}"] = caught / y.sum()
    return pd.Series(out, dtype=float)


class _EmptyAsZero(TransformerMixin, BaseEstimator):
    """Columns that are NaN in every row at fit become 0, at fit and at predict.

    HistGradientBoosting cannot bin a column without a single value, and inside a
    calibration fold a sparse column (a few survey answers) can be empty even when the
    whole table is not. Such a column carries nothing to split on, so a constant in its
    place changes no tree; the other columns pass through unchanged.
    """

    def fit(self, X: Any, y: object = None) -> _EmptyAsZero:
        self.empty_ = np.asarray(pd.DataFrame(X).isna().all().to_numpy(), dtype=bool)
        return self

    def transform(self, X: Any) -> Any:
        if not self.empty_.any():
            return X
        if isinstance(X, pd.DataFrame):
            out = X.copy()
            for j in np.flatnonzero(self.empty_):  # a loop over columns, not rows
                out.isetitem(int(j), 0.0)
            return out
        out = np.array(X, dtype=float)
        out[:, self.empty_] = 0.0
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def _base_estimator(estimator: object, random_state: object, n_rows: int) -> Any:
    if not isinstance(estimator, str):
        if not (hasattr(estimator, "fit") and hasattr(estimator, "predict_proba")):
            raise SchemaError(
                f"estimator={estimator!r}: expected one of {ESTIMATORS} or a classifier with "
                "fit and predict_proba"
            )
        from sklearn.pipeline import make_pipeline

        return make_pipeline(_EmptyAsZero(), clone(estimator))
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if estimator == "hgb":
        # Shallow, slow-learning trees (churn signal is smooth in these features); no
        # early stopping, so the fit uses every row and does not depend on a random split.
        # Leaves of 100 customers, or 5% of them below 2,000 (else a small shop's model
        # could not split at all and would predict the churn rate for everyone).
        hgb = HistGradientBoostingClassifier(
            learning_rate=0.05,
            max_iter=200,
            max_depth=4,
            min_samples_leaf=min(100, max(5, n_rows // 20)),
            l2_regularization=1.0,
            early_stopping=False,
            random_state=random_state,
        )
        return make_pipeline(_EmptyAsZero(), hgb)
    # Undefined gap/AOV features are NaN: impute with an indicator so the model sees "undefined".
    if estimator == "logistic":
        return make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True),
            StandardScaler(),
            LogisticRegression(max_iter=2000),
        )
    if estimator == "rf":
        return make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True),
            RandomForestClassifier(n_estimators=300, min_samples_leaf=20, random_state=random_state),
        )
    raise SchemaError(
        f"estimator={estimator!r} is not supported; choose one of {ESTIMATORS} or pass a classifier"
    )


class ChurnModel(ClassifierMixin, BaseEstimator):
    """Churn classifier with calibrated probabilities, risk tiers and evaluation.

    Parameters
    ----------
    estimator : {"hgb", "logistic", "rf"} or classifier
        ``"hgb"``: scikit-learn's HistGradientBoostingClassifier (shallow trees with
        leaves of at least 100 customers, or 5% of them below 2,000; native handling of
        the NaN features); ``"logistic"``: median imputation with missing
        indicators, standard scaling and logistic regression; ``"rf"``: imputation and a
        random forest; or any unfitted classifier with ``fit`` and ``predict_proba``
        (cloned, so the instance given is not changed; it must accept NaN; a column
        that is NaN in every training row of a calibration fold reaches it as 0).
    calibrate : bool
        Wrap the classifier in scikit-learn's ``CalibratedClassifierCV`` (isotonic
        regression, 5 folds, the 5 calibrated models averaged) so probabilities match
        observed churn rates.
    random_state : int
        Seed of the randomised estimators.

    Attributes
    ----------
    estimator_ : the fitted (calibrated) classifier.
    classes_ : ndarray, the two labels of ``y`` (the churn class is ``classes_[1]``).
    feature_names_in_ : ndarray of the column names when fitted on a DataFrame.
    empty_features_ : list of the columns left out because they were NaN in every row.

    Notes
    -----
    **Pairing.** ``fit``, ``evaluate`` and ``feature_importance`` pair a ``y`` Series
    with a DataFrame ``X`` by index (customer id): ``y`` in another order gives the same
    result, and a row of ``X`` without a label is refused. Arrays are paired by position.

    **scikit-learn checks.** The model is binary only (``__sklearn_tags__``:
    ``classifier_tags.multi_class = False``; NaN features allowed) and passes
    ``sklearn.utils.estimator_checks.check_estimator`` except the checks in
    ``EXPECTED_FAILED_CHECKS`` of this module, each with its reason: a column of
    arbitrary Python objects is a :class:`~ecrm.errors.SchemaError` rather than numpy's
    ``TypeError``, and with ``calibrate=True`` fewer than 5 labels of a class is refused
    (the isotonic calibration is fitted on 5 folds).

    References
    ----------
    Platt, J. (1999). Probabilistic outputs for support vector machines and comparisons
    to regularized likelihood methods. *Advances in Large Margin Classifiers*, 61-74.
    Niculescu-Mizil, A. and Caruana, R. (2005). Predicting good probabilities with
    supervised learning. *ICML*, 625-632.

    Examples
    --------
    >>> import ecrm
    >>> X, y = ecrm.churn.dataset(ecrm.datasets.load_cdnow_sample(), cutoff="1997-09-30",
    ...                           horizon_days=273)
    >>> model = ecrm.churn.ChurnModel().fit(X, y)
    >>> model.predict_proba(X).shape
    (2357, 2)
    >>> model.risk_tier(X)["risk_tier"].value_counts().sort_index().index.tolist()
    ['High risk', 'Medium risk', 'Low risk']
    """

    def __init__(self, estimator: object = "hgb", calibrate: bool = True, random_state: int | None = 0):
        self.estimator = estimator
        self.calibrate = calibrate
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: object) -> ChurnModel:
        """Fit on features ``X`` and churn labels ``y`` (both classes required).

        A ``y`` Series is paired with a DataFrame ``X`` by index (customer id), so a
        reordered ``y`` gives the same model and a ``y`` without a label for some row of
        ``X`` is refused; an array ``y`` is paired by position. A column that is NaN in
        every row carries nothing to learn from: it is left out of the model, with a
        warning (``empty_features_``).
        """
        what = "ChurnModel.fit"
        X = _schema.feature_table(X, what)
        labels = _labels_of(X, y, what)
        if self.calibrate:
            counts = np.unique(labels, return_counts=True)[1]
            if counts.min() < CALIBRATION_FOLDS:
                raise SchemaError(
                    f"{what}: calibrate=True fits isotonic calibration on {CALIBRATION_FOLDS} folds and "
                    f"needs at least {CALIBRATION_FOLDS} labels of each class; y has {counts.tolist()} "
                    f"in {len(labels)} row(s); pass calibrate=False or more customers"
                )
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        empty = frame.isna().all().to_numpy()
        if empty.all():
            raise SchemaError(
                f"{what}: every column of X is NaN in every row; there is nothing to learn from"
            )
        names = [str(c) for c in frame.columns[empty]]
        if names:
            warnings.warn(
                f"{what}: left column(s) {names} out of the model: NaN in all {len(frame)} rows (e.g. "
                "an extra= whose index does not match the customer ids, or no positive amounts)",
                EcrmWarning,
                stacklevel=2,
            )
        model = _base_estimator(self.estimator, self.random_state, len(labels))
        if self.calibrate:
            from sklearn.calibration import CalibratedClassifierCV

            model = CalibratedClassifierCV(model, method="isotonic", cv=CALIBRATION_FOLDS)
        self._used = ~empty
        self.empty_features_ = names
        self.estimator_ = model.fit(self._kept(X), labels)
        self.classes_ = self.estimator_.classes_
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.n_features_in_ = X.shape[1]
        return self

    def _kept(self, X: pd.DataFrame | np.ndarray) -> pd.DataFrame | np.ndarray:
        """The columns of ``X`` the model uses (all but the ones empty at fit)."""
        if self._used.all():
            return X
        return X.loc[:, self._used] if isinstance(X, pd.DataFrame) else X[:, self._used]

    def _features(self, X: object, what: str) -> pd.DataFrame | np.ndarray:
        check_is_fitted(self, "estimator_")
        X = _schema.fitted_features(X, getattr(self, "feature_names_in_", None), what)
        if X.shape[1] != self.n_features_in_:
            raise SchemaError(
                f"{what}: X has {X.shape[1]} features, but ChurnModel is expecting {self.n_features_in_} "
                "features as input"
            )
        return X

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, shape (n, 2); column 1 is the churn probability."""
        X = self._features(X, "ChurnModel.predict_proba")
        return self.estimator_.predict_proba(self._kept(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted label: churned when the churn probability is at least 0.5."""
        churned = self.predict_proba(X)[:, 1] >= 0.5
        return self.classes_[churned.astype(int)]

    def churn_probability(self, X: pd.DataFrame) -> pd.Series:
        """Churn probability per customer, indexed like ``X``."""
        index = X.index if isinstance(X, pd.DataFrame) else None
        return pd.Series(self.predict_proba(X)[:, 1], index=index, name="churn_probability")

    def risk_tier(
        self, X: pd.DataFrame, tiers: Mapping[str, float] | None = None, lang: str = "en"
    ) -> pd.DataFrame:
        """Churn probability and risk tier of each customer.

        Parameters
        ----------
        X : pandas.DataFrame
            Features, as from :func:`dataset` or :func:`features`.
        tiers : dict, optional
            Lower probability bounds ``{"high": 0.7, "medium": 0.4}`` (default); the rest
            is low risk.
        lang : {"en", "zh"}
            Language of the tier labels.

        Returns
        -------
        pandas.DataFrame
            ``churn_probability`` and ``risk_tier`` (ordered categorical, high first),
            indexed like ``X``.
        """
        _labels.check_lang(lang)
        bounds = {"high": 0.7, "medium": 0.4} if tiers is None else tiers
        if not isinstance(bounds, Mapping) or set(bounds) != {"high", "medium"}:
            raise SchemaError(f"tiers={tiers!r}: give {{'high': p, 'medium': q}} with 0 <= q <= p <= 1")
        for key, bound in bounds.items():
            _schema.probability(bound, f"tiers[{key!r}]", "risk_tier")
        if bounds["medium"] > bounds["high"]:
            raise SchemaError(f"tiers={tiers!r}: the medium bound must not exceed the high bound")
        p = self.churn_probability(X)
        keys = np.where(p >= bounds["high"], "high", np.where(p >= bounds["medium"], "medium", "low"))
        tier = _labels.categorical(keys, _labels.CHURN_RISK_TIERS, lang)
        return pd.DataFrame({"churn_probability": p, "risk_tier": tier}, index=p.index)

    def evaluate(self, X: pd.DataFrame, y: object) -> pd.Series:
        """Metrics of the churn probabilities on labelled data; see :func:`score_metrics`.

        ``y`` is paired with ``X`` as in :meth:`fit` (by index for a Series).
        """
        what = "ChurnModel.evaluate"
        X = self._features(X, what)
        return score_metrics(_labels_of(X, y, what), self.predict_proba(X)[:, 1])

    def feature_importance(
        self, X: pd.DataFrame, y: object, *, n_repeats: int = 5, scoring: str = "roc_auc"
    ) -> pd.DataFrame:
        """Permutation importance: the drop in ``scoring`` when a feature is shuffled.

        Returns a DataFrame indexed by feature with ``importance_mean`` and
        ``importance_std`` over ``n_repeats`` shuffles, most important first. Measure it
        on data the model was not fitted on.

        References
        ----------
        Breiman, L. (2001). Random forests. *Machine Learning* 45(1), 5-32.
        """
        from sklearn.inspection import permutation_importance

        what = "ChurnModel.feature_importance"
        X = self._features(X, what)
        labels = _labels_of(X, y, what)
        result = permutation_importance(
            self, X, labels, scoring=scoring, n_repeats=n_repeats, random_state=self.random_state
        )
        names = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{i}" for i in range(X.shape[1])]
        out = pd.DataFrame(
            {"importance_mean": result.importances_mean, "importance_std": result.importances_std},
            index=pd.Index(names, name="feature"),
        )
        return out.sort_values("importance_mean", ascending=False, kind="stable")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # churned or not: two classes, exactly
        tags.input_tags.allow_nan = True  # undefined gap and order-value features are NaN
        return tags


def bgnbd_baseline(
    transactions: pd.DataFrame | Transactions,
    *,
    as_of: object,
    horizon_days: float = 90,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
) -> pd.Series:
    """BG/NBD expected purchases in the horizon: the probabilistic churn baseline.

    Fits :class:`ecrm.clv.CLVModel` (BG/NBD, weekly units) to the customer summary at
    ``as_of`` (the scoring cutoff) and returns each customer's expected number of
    purchases in the next ``horizon_days``. Lower means more likely to churn, so
    ``-expected_purchases`` is the churn score to compare models with. It uses no labels.

    Returns
    -------
    pandas.Series
        ``expected_purchases`` indexed by customer id (the customers of :func:`dataset`).

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way. *Marketing Science* 24(2), 275-284 (eq. 10).

    Examples
    --------
    >>> import ecrm
    >>> e = ecrm.churn.bgnbd_baseline(ecrm.datasets.load_cdnow_sample(), as_of="1997-09-30",
    ...                               horizon_days=273)
    >>> round(float(e.sum()), 1)
    1653.4
    """
    from .clv import CLVModel

    horizon = _horizon(horizon_days)
    summary = customer_summary(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        as_of=as_of,
        time_unit="W",
    )
    model = CLVModel(purchase_model="bgnbd", spend_model=None, time_unit="W").fit(summary)
    return model.expected_purchases(horizon / pd.Timedelta(weeks=1))


def backtest(
    transactions: pd.DataFrame | Transactions,
    *,
    cutoffs: Sequence[object],
    horizon_days: float = 90,
    estimator: object = "hgb",
    calibrate: bool = True,
    random_state: int | None = 0,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of a churn model against the BG/NBD baseline.

    For each pair of consecutive cutoffs, a :class:`ChurnModel` is trained on the
    :func:`dataset` of the earlier cutoff and scores the customers of the later one, as
    it would have been used in production; :func:`bgnbd_baseline` is fitted at the later
    cutoff. Consecutive cutoffs must be at least ``horizon_days`` apart, so the training
    labels are known at the scoring cutoff.

    Returns
    -------
    pandas.DataFrame
        One row per scored cutoff and scorer (``"model"``, ``"bgnbd"``) with
        ``train_cutoff`` and the :func:`score_metrics` columns (Brier score and log loss
        are NaN for the baseline, which is not a probability).

    Raises
    ------
    ecrm.errors.SchemaError
        Fewer than two cutoffs, cutoffs not increasing or closer than the horizon, and
        every error of :func:`dataset`.

    References
    ----------
    Tashman, L. J. (2000). Out-of-sample tests of forecasting accuracy: an analysis and
    review. *International Journal of Forecasting* 16(4), 437-450.

    Examples
    --------
    >>> import ecrm
    >>> bt = ecrm.churn.backtest(ecrm.datasets.load_cdnow_sample(),
    ...                          cutoffs=["1997-06-30", "1997-09-30", "1997-12-31"],
    ...                          estimator="logistic")
    >>> bt[["cutoff", "scorer", "n", "roc_auc"]].round({"roc_auc": 3})
          cutoff scorer       n  roc_auc
    0 1997-09-30  model  2357.0    0.777
    1 1997-09-30  bgnbd  2357.0    0.789
    2 1997-12-31  model  2357.0    0.811
    3 1997-12-31  bgnbd  2357.0    0.798
    """
    horizon = _horizon(horizon_days)
    # at least two: train at one cutoff, score the next
    stamps = _schema.timestamps(cutoffs, None, "cutoffs", "backtest", min_len=2)
    for a, b in itertools.pairwise(stamps):
        if b - a < horizon:
            raise SchemaError(
                f"cutoffs {a} and {b} are {(b - a).days} day(s) apart, less than horizon_days="
                f"{horizon_days}: the labels of {a} would not be known at {b}; space cutoffs "
                "by at least the horizon, in increasing order"
            )
    tx = as_transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
    )
    sets = [dataset(tx, cutoff=c, horizon_days=horizon_days) for c in stamps]
    rows = []
    for train, test in itertools.pairwise(sets):
        model = ChurnModel(estimator, calibrate=calibrate, random_state=random_state).fit(train.X, train.y)
        # A feature absent at the training cutoff (e.g. return_share) cannot be used.
        X_test = test.X.reindex(columns=train.X.columns, fill_value=0.0)
        expected = bgnbd_baseline(tx, as_of=test.cutoff, horizon_days=horizon_days).reindex(test.X.index)
        for scorer, metrics in (
            ("model", model.evaluate(X_test, test.y)),
            ("bgnbd", score_metrics(test.y, -expected.to_numpy(), probability=False)),
        ):
            rows.append({"train_cutoff": train.cutoff, "cutoff": test.cutoff, "scorer": scorer, **metrics})
    return pd.DataFrame(rows)


def interventions(
    risk_table: pd.DataFrame, segments: pd.Series | None = None, lang: str = "en"
) -> pd.DataFrame:
    """Recommended retention action per customer from risk tier x customer value.

    Parameters
    ----------
    risk_table : pandas.DataFrame
        Output of :meth:`ChurnModel.risk_tier` (a ``risk_tier`` column, in either
        language), indexed by customer id.
    segments : pandas.Series, optional
        Customer value indexed by customer id: booleans (True = high value) or numbers
        (for example CLV or total spend; high value = at or above the median over the
        customers of ``risk_table``). Without it the action depends on the tier only.
    lang : {"en", "zh"}
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        ``risk_table`` plus ``value_level`` (when ``segments`` is given) and
        ``intervention``, both ordered categoricals. The rules are the table
        ``_labels.CHURN_INTERVENTION_RULES``: high risk -> personal service call for
        high-value customers, win-back coupon otherwise; medium risk -> bonus points /
        reminder; low risk -> relationship care.

    References
    ----------
    Neslin, S. A. et al. (2006). Defection detection. *Journal of Marketing Research*
    43(2), 204-211 (targeting retention offers by churn risk and customer value).

    Examples
    --------
    >>> import pandas as pd
    >>> from ecrm.churn import interventions
    >>> risk = pd.DataFrame({"risk_tier": ["High risk", "High risk", "Low risk"]}, index=[1, 2, 3])
    >>> interventions(risk, pd.Series([500.0, 20.0, 80.0], index=[1, 2, 3]))["intervention"].tolist()
    ['Personal service call', 'Win-back coupon', 'Relationship care (birthday, holidays)']
    """
    _labels.check_lang(lang)
    frame = _schema.check_frame(risk_table, "risk_table")
    _schema.require_columns(frame, ["risk_tier"], "risk_table")
    tier_keys = {lab: key for key, row in _labels.CHURN_RISK_TIERS.items() for lab in (key, *row.values())}
    tiers = frame["risk_tier"].astype(object)
    unknown = ~tiers.isin(list(tier_keys)).to_numpy()
    if unknown.any():
        raise _schema.bad_rows("risk_table", "risk_tier", "has unknown risk tiers", frame, unknown)
    tier = tiers.map(tier_keys).to_numpy()
    out = frame.copy()
    if segments is None:
        value = np.full(len(frame), "any", dtype=object)
    else:
        if not isinstance(segments, pd.Series):
            raise SchemaError(
                f"segments: expected a Series indexed by customer id, got {type(segments).__name__}"
            )
        if not segments.index.is_unique:
            dup = segments.index[segments.index.duplicated()].unique()
            raise SchemaError(
                f"segments: the index has {len(dup)} duplicated customer id(s), e.g. {list(dup[:5])}; "
                "give one value per customer"
            )
        aligned = segments.reindex(frame.index)
        missing = aligned.isna().to_numpy()
        if missing.any():
            raise _schema.bad_rows(
                "risk_table", "risk_tier", "has customers without a value in segments", frame, missing
            )
        if pd.api.types.is_bool_dtype(aligned):
            high = aligned.to_numpy(dtype=bool)
        elif pd.api.types.is_numeric_dtype(aligned):
            high = aligned.to_numpy(dtype=float) >= float(np.median(aligned))
        else:
            raise SchemaError(f"segments: expected booleans or numbers, got dtype {aligned.dtype}")
        value = np.where(high, "high", "low")
        out["value_level"] = _labels.categorical(value, _labels.CUSTOMER_VALUE_LEVELS, lang)
    # Rules as a (tier x value) lookup grid of intervention keys, indexed without a loop.
    tier_names, value_names = list(_labels.CHURN_RISK_TIERS), ["high", "low", "any"]
    rules = {(t, v): action for t, v, action in _labels.CHURN_INTERVENTION_RULES}
    grid = np.array([[rules[(t, v)] for v in value_names] for t in tier_names], dtype=object)
    action = grid[pd.Index(tier_names).get_indexer(tier), pd.Index(value_names).get_indexer(value)]
    out["intervention"] = _labels.categorical(pd.Series(action), _labels.INTERVENTIONS, lang)
    return out


# Checks of sklearn.utils.estimator_checks that ChurnModel is known not to pass, and why.
EXPECTED_FAILED_CHECKS = {
    "check_dtype_object": (
        "a column of arbitrary Python objects is reported as SchemaError (a ValueError naming the "
        "problem), not as the TypeError numpy raises"
    ),
    "check_fit2d_1feature": (
        "with calibrate=True (the default) fewer than 5 labels of a class is refused with a "
        "SchemaError: the isotonic calibration is fitted on 5 folds; with calibrate=False it passes"
    ),
}
