"""Did the campaign work? Holdout and A/B evaluation, CUPED, planning and uplift targeting.

A campaign is measured by comparing the customers who received it (treatment) with a
randomly held-out group (control) over a window after the send. :func:`evaluate` pairs
an assignments frame with the transactions by customer id, measures each customer's
conversion, orders and revenue in the window and spend before it, and reports the lift
with intervals, CUPED variance reduction, a sample-ratio-mismatch check and (with
``by=``) lift per segment with Holm-adjusted p-values. :func:`sample_size` and
:func:`power` plan the holdout; :class:`UpliftModel` with :func:`qini_curve` targets the
next wave on the customers whose behaviour the campaign changes most.

Every per-customer reduction is a ``bincount`` over integer customer codes, and every
per-segment statistic is computed for all segments at once, so a million assigned
customers take about as long as :func:`ecrm.customer_summary` on their transactions.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from . import _keys, _labels, _schema, _stats, _time
from .errors import CampaignWarning, SampleRatioMismatchWarning, SchemaError
from .transactions import Transactions, as_transactions

__all__ = [
    "CampaignResult",
    "UpliftModel",
    "evaluate",
    "outcomes",
    "power",
    "qini_area",
    "qini_curve",
    "sample_size",
]

UPLIFT_METHODS = ("two_model", "transformed_outcome")
UPLIFT_ESTIMATORS = ("hgb", "linear")
_INT64_MAX = np.iinfo(np.int64).max


# --------------------------------------------------------------------------- input


def _transactions(
    data: object,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str,
    order_col: str | None,
    as_of: object,
) -> Transactions:
    """The one place this module reads transactions (validated once, cut at ``as_of``)."""
    log = as_transactions(
        data, customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
    )
    return log.upto(as_of)


def _unit_ticks(like: pd.Series, days: float) -> np.int64:
    """``days`` as an integer number of ticks of ``like``'s datetime unit."""
    return np.int64(round(pd.Timedelta(days=days) / pd.Timedelta(1, unit=like.dt.unit)))


def _as_ticks(values: pd.Series, like: pd.Series, name: str, what: str) -> np.ndarray:
    """Datetimes as int64 ticks comparable with ``_time.instants(like)``.

    Naive values for zone-aware data are wall times in the data's zone; zone-aware
    values for naive data are an error (ambiguous).
    """
    data_tz = getattr(like.dtype, "tz", None)
    tz = getattr(values.dtype, "tz", None)
    if data_tz is not None:
        values = values.dt.tz_localize(data_tz) if tz is None else values.dt.tz_convert(data_tz)
    elif tz is not None:
        raise SchemaError(
            f"{what}: {name} has a time zone but the transaction dates are naive; "
            "pass naive dates or localise the transactions"
        )
    return _time.instants(values.astype(like.dtype))


def _groups(frame: pd.DataFrame, group_col: str, treatment: object, control: object, what: str) -> np.ndarray:
    """Treated flag of each assignment row; refuses missing or unknown labels."""
    if treatment == control:
        raise SchemaError(f"{what}: treatment and control labels are both {treatment!r}")
    values = frame[group_col]
    # Compare the few distinct labels, not every row (a million string comparisons).
    codes, labels = pd.factorize(values, use_na_sentinel=True)
    missing = codes < 0
    if missing.any():
        raise _schema.bad_rows(what, group_col, "has missing group labels", frame, missing)
    label_index = pd.Index(labels, dtype=object)
    is_treatment = np.asarray([label == treatment for label in label_index], dtype=bool)
    is_control = np.asarray([label == control for label in label_index], dtype=bool)
    treated = is_treatment[codes]
    unknown = ~treated & ~is_control[codes]
    if unknown.any():
        counts = values[unknown].astype(object).map(repr).value_counts()
        shown = ", ".join(f"{v} (x{c})" for v, c in counts.head(10).items())
        raise SchemaError(
            f"{what}: column {group_col!r} has label(s) other than treatment={treatment!r} and "
            f"control={control!r}: {shown}; pass treatment= and control= to name the two groups, "
            "or keep only the two groups to compare"
        )
    for label, mask in ((treatment, treated), (control, ~treated)):
        if not mask.any():
            raise SchemaError(
                f"{what}: the group {label!r} has no customers; a campaign is measured against a "
                "randomly held-out control group, so both groups need customers"
            )
    return treated


def _unique_customers(ids: pd.Series, treated: np.ndarray, what: str, column: str) -> None:
    """Refuse a customer assigned twice, naming those in both groups first."""
    index = pd.Index(ids)
    if index.is_unique:
        return
    in_treatment = pd.Index(ids[treated]).unique()
    in_control = pd.Index(ids[~treated]).unique()
    both = in_treatment.intersection(in_control)
    if len(both):
        raise SchemaError(
            f"{what}: {len(both)} customer(s) in column {column!r} are in both the treatment and "
            f"the control group, e.g. {list(both[:5])}; each customer belongs to one group"
        )
    repeated = index[index.duplicated()].unique()
    raise SchemaError(
        f"{what}: {len(repeated)} customer(s) in column {column!r} appear more than once, e.g. "
        f"{list(repeated[:5])}; give one row per customer"
    )


# --------------------------------------------------------------------------- measurement


@dataclass(frozen=True)
class _Window:
    """Where each assigned customer's window starts and how long it and the pre-period are."""

    start: np.ndarray | np.int64  # ticks: one value for all, or one per customer
    length: np.int64
    pre: np.int64 | None
    observed_end: np.int64
    ticks_per_day: np.int64


def _measure(tx: Transactions, customers: pd.Index, window: _Window) -> pd.DataFrame:
    """Window outcomes and pre-period spend of ``customers`` (index order), vectorised.

    Each transaction row is mapped to the position of its customer among ``customers``
    (-1 when not assigned); the window and pre-period sums are ``bincount`` over those
    positions.
    """
    n = len(customers)
    codes, ids = tx.codes, tx.ids
    position = ids.get_indexer(customers)
    has_history = position >= 0
    slot = np.full(len(ids), -1, dtype=np.intp)
    slot[position[has_history]] = np.flatnonzero(has_history)
    row_slot = slot[codes]
    mine = row_slot >= 0
    rows = None if mine.all() else np.flatnonzero(mine)  # only assigned customers' rows

    def take(values: np.ndarray) -> np.ndarray:
        return values if rows is None else values[rows]

    who = take(row_slot)
    ticks = take(tx.ticks)
    amount = take(tx.amount.to_numpy())
    start = window.start if np.ndim(window.start) == 0 else window.start[who]
    offset = ticks - start
    in_window = (offset >= 0) & (offset < window.length)
    before = offset < 0
    if window.pre is not None:
        before &= offset >= -window.pre

    revenue = np.bincount(who[in_window], weights=amount[in_window], minlength=n)
    pre_spend = np.bincount(who[before], weights=amount[before], minlength=n)
    bought = in_window & take(tx.purchase)
    buyer = who[bought]
    first = _keys.reduce_by_group(np.minimum, buyer, offset[bought], n, _INT64_MAX, _keys.block_starts(buyer))
    converted = first < _INT64_MAX
    if buyer.size == 0:
        orders = np.zeros(n, dtype=np.int64)
    else:
        # Distinct order ids, else distinct purchase days, among the window's purchases.
        order = tx.order_codes if tx.order_codes is not None else tx.day - tx.day.min()
        orders = _keys.count_distinct(buyer, take(order)[bought].astype(np.int64), n)

    starts = np.broadcast_to(window.start, (n,))
    observed = np.clip((window.observed_end - starts) / window.ticks_per_day, 0, None)
    return pd.DataFrame(
        {
            "converted": converted,
            "orders": orders,
            "revenue": revenue,
            "pre_spend": pre_spend,
            "days_to_convert": np.where(converted, first / window.ticks_per_day, np.nan),
            "observed_days": np.minimum(observed, window.length / window.ticks_per_day),
            "has_history": has_history,
        },
        index=customers,
    )


def _window(
    frame: pd.DataFrame | None,
    tx: Transactions,
    *,
    start: object,
    window_days: object,
    pre_days: object,
    as_of: object,
    assigned_col: str,
    what: str,
) -> _Window:
    """Resolve the window start(s), lengths and the end of the observed data."""
    days = _schema.days(window_days, "window_days")
    pre = _schema.days(pre_days, "pre_days", none=True)
    if start is not None:
        ts = _schema.timestamp(start, tx.date, "start", what)
        begin: np.ndarray | np.int64 = _as_ticks(pd.Series([ts]), tx.date, "start", what)[0]
    elif frame is not None and assigned_col in frame.columns:
        begin = _as_ticks(_schema.dates(frame, assigned_col, what), tx.date, assigned_col, what)
    else:
        raise SchemaError(
            f"{what}: give start= (the day the campaign was sent) or a column {assigned_col!r} "
            "with each customer's assignment time"
        )
    if as_of is None:
        # The data are taken to cover the whole day of the last transaction.
        end = tx.date.max().normalize() + pd.Timedelta(days=1)
    else:
        end = tx.as_of
    observed_end = _as_ticks(pd.Series([end]), tx.date, "as_of", what)[0]
    not_started = np.asarray(begin >= observed_end)
    if not_started.any():
        raise SchemaError(
            f"{what}: the measurement window starts on or after the end of the data ({end}) for "
            f"{int(not_started.sum())} customer(s); there is nothing to measure yet"
        )
    return _Window(
        start=begin,
        length=_unit_ticks(tx.date, days),
        pre=None if pre is None else _unit_ticks(tx.date, pre),
        observed_end=observed_end,
        ticks_per_day=_unit_ticks(tx.date, 1.0),
    )


def _warn_censored(measured: pd.DataFrame, window_days: float, what: str) -> None:
    short = measured["observed_days"].to_numpy() < window_days - 1e-9
    if short.any():
        warnings.warn(
            f"{what}: the {window_days:g}-day window runs past the end of the data for "
            f"{int(short.sum())} of {len(short)} customer(s) (on average "
            f"{measured['observed_days'].to_numpy()[short].mean():.1f} days observed); outcomes "
            "cover only the observed part, the same for both groups, so the lift is that of a "
            "shorter window",
            CampaignWarning,
            stacklevel=4,
        )


def _read_and_measure(
    frame: pd.DataFrame | None,
    index: pd.Index,
    transactions: object,
    cols: dict[str, Any],
    start: object,
    window_days: object,
    pre_days: object,
    as_of: object,
    assigned_col: str,
    what: str,
) -> tuple[Transactions, pd.DataFrame]:
    """Read the transactions, resolve the windows and measure ``index``'s customers."""
    tx = _transactions(transactions, **cols, as_of=as_of)
    window = _window(
        frame,
        tx,
        start=start,
        window_days=window_days,
        pre_days=pre_days,
        as_of=as_of,
        assigned_col=assigned_col,
        what=what,
    )
    measured = _measure(tx, index, window)
    _warn_censored(measured, float(window_days), what)  # type: ignore[arg-type]
    return tx, measured


def outcomes(
    customers: object,
    transactions: pd.DataFrame | Transactions,
    *,
    start: object = None,
    window_days: float = 30,
    pre_days: float | None = None,
    as_of: object = None,
    assigned_col: str = "assigned_at",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
) -> pd.DataFrame:
    """Each customer's conversion, orders and revenue in a window, and spend before it.

    The per-customer measurement behind :func:`evaluate`; on its own it gives the
    baseline conversion rate, revenue standard deviation and pre-period correlation that
    :func:`sample_size` needs to plan a holdout from a past window.

    Parameters
    ----------
    customers : DataFrame, Series, Index or list
        The customers to measure: a frame with ``customer_col`` (and ``assigned_col``
        when ``start`` is None), or the ids themselves. Ids must be unique.
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line; negative amounts are returns.
    start : date-like, optional
        First instant of the window for every customer. When None, each customer's
        window starts at their ``assigned_col`` time.
    window_days : float
        Window length in days: rows in ``[start, start + window_days)`` count.
    pre_days : float, optional
        Length of the pre-period before ``start``; None (default) uses all history.
    as_of : date-like, optional
        End of the observed data (rows after it are left out); default the end of the
        day of the last transaction.
    assigned_col, customer_col, date_col, amount_col, order_col : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id in the order given, with ``converted`` (a purchase, a row
        with amount >= 0, in the window), ``orders`` (distinct order ids, else distinct
        purchase days, in the window), ``revenue`` (net amount in the window),
        ``pre_spend`` (net amount in the pre-period), ``days_to_convert`` (days from the
        window start to the first purchase in it; NaN without one), ``observed_days``
        (days of the window covered by the data) and ``has_history`` (the customer has
        rows in the transactions). Customers without rows have zeros.

    Warns
    -----
    ecrm.errors.CampaignWarning
        When windows run past the end of the data.

    References
    ----------
    Deng, A., Xu, Y., Kohavi, R. and Walker, T. (2013). Improving the sensitivity of
    online controlled experiments by utilizing pre-experiment data. *WSDM '13*, 123-132.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2],
    ...                    "order_date": ["2024-01-10", "2024-03-05", "2024-02-20", "2024-03-01"],
    ...                    "amount": [40.0, 25.0, 10.0, -10.0]})
    >>> ecrm.campaign.outcomes([1, 2, 3], tx, start="2024-03-01", window_days=30, as_of="2024-03-31")
                 converted  orders  revenue  pre_spend  days_to_convert  observed_days  has_history
    customer_id
    1                 True       1     25.0       40.0              4.0           30.0         True
    2                False       0    -10.0       10.0              NaN           30.0         True
    3                False       0      0.0        0.0              NaN           30.0        False
    """
    what = "outcomes"
    if isinstance(customers, pd.DataFrame):
        frame = _schema.check_frame(customers, what)
        _schema.require_columns(frame, [customer_col], what)
        ids = _schema.ids(frame, customer_col, what)
    else:
        frame = None
        ids = pd.Series(customers if not isinstance(customers, pd.Index) else customers.to_numpy())
        if len(ids) == 0:
            raise SchemaError(f"{what}: no customers given")
        if ids.isna().any():
            raise SchemaError(f"{what}: {int(ids.isna().sum())} customer id(s) are missing (NaN)")
    index = pd.Index(ids, name=customer_col)
    if not index.is_unique:
        repeated = index[index.duplicated()].unique()
        raise SchemaError(f"{what}: customer ids must be unique; e.g. {list(repeated[:5])} repeat")
    cols = dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col)
    return _read_and_measure(
        frame, index, transactions, cols, start, window_days, pre_days, as_of, assigned_col, what
    )[1]


# --------------------------------------------------------------------------- statistics


def _newcombe(
    x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's (1998, method 10) hybrid score interval of ``x1/n1 - x0/n0``."""
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = _stats.wilson(x1, n1, z)
    l0, u0 = _stats.wilson(x0, n0, z)
    d = p1 - p0
    return d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)


def _two_proportion_p(x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """Two-sided p-value of the pooled (score) z-test of equal proportions."""
    pooled = (x1 + x0) / (n1 + n0)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    diff = x1 / n1 - x0 / n0
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 2 * stats.norm.sf(np.abs(diff) / se)
    # Both groups all-converted or all-not: no evidence of a difference.
    return np.where(se > 0, p, np.where(np.isfinite(diff), 1.0, np.nan))


def _welch(
    m1: np.ndarray,
    v1: np.ndarray,
    n1: np.ndarray,
    m0: np.ndarray,
    v0: np.ndarray,
    n0: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Welch (1947) difference of means: estimate, interval bounds and two-sided p-value."""
    s1, s0 = v1 / n1, v0 / n0
    se = np.sqrt(s1 + s0)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = (s1 + s0) ** 2 / (s1**2 / (n1 - 1) + s0**2 / (n0 - 1))
        t_crit = stats.t.ppf(0.5 + level / 2, df)
        diff = m1 - m0
        p = 2 * stats.t.sf(np.abs(diff) / se, df)
    # Constant outcomes in both groups: the difference is known exactly.
    exact = se == 0
    half = np.where(exact, 0.0, t_crit * se)
    p = np.where(exact, np.where(diff == 0, 1.0, 0.0), p)
    return diff, diff - half, diff + half, p


def _relative(
    m1: np.ndarray, s1: np.ndarray, m0: np.ndarray, s0: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``m1 / m0 - 1`` with the delta-method interval on the log of the ratio.

    ``s1``, ``s0`` are the variances of the two means (treated as independent). For
    proportions this is the interval of Katz et al. (1978). NaN unless both means > 0.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = m1 / m0
        ok = (m1 > 0) & (m0 > 0)
        log_ratio = np.log(np.where(ok, ratio, 1.0))
        half = z * np.sqrt(s1 / m1**2 + s0 / m0**2)
    low = np.where(ok, np.exp(log_ratio - half) - 1, np.nan)
    high = np.where(ok, np.exp(log_ratio + half) - 1, np.nan)
    return np.where(m0 != 0, ratio - 1, np.nan), low, high


def _cells(cell: np.ndarray, n_cells: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell mean and deviations of ``values`` from their cell mean (two-pass, exact)."""
    n = np.bincount(cell, minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(cell, weights=values, minlength=n_cells) / n
    return mean, values - mean[cell]


def _compare(
    segment: np.ndarray,
    n_segments: int,
    treated: np.ndarray,
    measured: pd.DataFrame,
    level: float,
    cuped: bool,
) -> tuple[dict[tuple[str, str], dict[str, np.ndarray]], dict[str, float] | None]:
    """Treatment-vs-control statistics of every metric in every segment at once.

    Cells are ``segment * 2 + treated`` (control 0, treatment 1); arrays in the result
    have one value per segment. Returns the per-metric statistics and, with ``cuped``,
    the CUPED coefficient and correlation.
    """
    z = _stats.z_value(level)
    n_cells = 2 * n_segments
    cell = segment * 2 + treated.astype(np.intp)
    size = np.bincount(cell, minlength=n_cells).astype(np.float64)
    n1, n0 = size[1::2], size[0::2]
    out: dict[tuple[str, str], dict[str, np.ndarray]] = {}

    x = np.bincount(cell, weights=measured["converted"].to_numpy(dtype=np.float64), minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p0 = x[1::2] / n1, x[0::2] / n0
        low, high = _newcombe(x[1::2], n1, x[0::2], n0, z)
        rel = _relative(p1, p1 * (1 - p1) / n1, p0, p0 * (1 - p0) / n0, z)
    out["conversion_rate", "raw"] = dict(
        treatment=p1, control=p0, lift=p1 - p0, ci_low=low, ci_high=high,
        relative_lift=rel[0], relative_ci_low=rel[1], relative_ci_high=rel[2],
        p_value=_two_proportion_p(x[1::2], n1, x[0::2], n0),
    )  # fmt: skip

    def mean_metric(values: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        mean, dev = _cells(cell, n_cells, values)
        with np.errstate(invalid="ignore", divide="ignore"):
            var = np.bincount(cell, weights=dev * dev, minlength=n_cells) / (size - 1)
        diff, lo, hi, p = _welch(mean[1::2], var[1::2], n1, mean[0::2], var[0::2], n0, level)
        rel = _relative(mean[1::2], var[1::2] / n1, mean[0::2], var[0::2] / n0, z)
        return dict(
            treatment=mean[1::2], control=mean[0::2], lift=diff, ci_low=lo, ci_high=hi,
            relative_lift=rel[0], relative_ci_low=rel[1], relative_ci_high=rel[2], p_value=p,
            _variance=var,
        ), dev  # fmt: skip

    out["orders_per_customer", "raw"], _ = mean_metric(measured["orders"].to_numpy(dtype=np.float64))
    y = measured["revenue"].to_numpy(dtype=np.float64)
    out["revenue_per_customer", "raw"], dev_y = mean_metric(y)
    if not cuped:
        return out, None
    # theta pooled within cells: the slope of revenue on pre-period spend with a
    # fixed effect per (segment, group), so the treatment effect does not bias it.
    pre = measured["pre_spend"].to_numpy(dtype=np.float64)
    _, dev_x = _cells(cell, n_cells, pre)
    sxx, syy, sxy = float(dev_x @ dev_x), float(dev_y @ dev_y), float(dev_x @ dev_y)
    theta = sxy / sxx if sxx > 0 else 0.0
    rho = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else float("nan")
    seg_mean_pre = np.bincount(segment, weights=pre, minlength=n_segments) / np.maximum(
        np.bincount(segment, minlength=n_segments), 1
    )
    out["revenue_per_customer", "cuped"], _ = mean_metric(y - theta * (pre - seg_mean_pre[segment]))
    raw, adjusted = out["revenue_per_customer", "raw"], out["revenue_per_customer", "cuped"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = _lift_variance(adjusted, n1, n0) / _lift_variance(raw, n1, n0)
    return out, {"theta": theta, "rho": rho, "variance_ratio": float(ratio[0])}


def _lift_variance(metric: dict[str, np.ndarray], n1: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """Variance of the estimated lift from the per-cell variances kept in ``metric``."""
    var = metric["_variance"]
    return var[1::2] / n1 + var[0::2] / n0


def _lift_frame(
    results: dict[tuple[str, str], dict[str, np.ndarray]], segments: pd.Index | None
) -> pd.DataFrame:
    """Stack the per-metric arrays into one long table (segments outermost)."""
    keys = list(results)
    n_segments = 1 if segments is None else len(segments)
    columns = [c for c in next(iter(results.values())) if not c.startswith("_")]
    data = {c: np.concatenate([results[k][c] for k in keys]) for c in columns}
    # rows: metric-major, then segment; reordered below to segment-major
    metric = np.repeat([k[0] for k in keys], n_segments)
    estimate = np.repeat([k[1] for k in keys], n_segments)
    if segments is None:
        index = pd.MultiIndex.from_arrays([metric, estimate], names=["metric", "estimate"])
        return pd.DataFrame(data, index=index)
    seg_pos = np.tile(np.arange(n_segments), len(keys))
    seg_levels = segments.take(seg_pos)
    arrays = (
        [seg_levels.get_level_values(i) for i in range(segments.nlevels)]
        if isinstance(segments, pd.MultiIndex)
        else [seg_levels]
    )
    index = pd.MultiIndex.from_arrays(
        [*arrays, metric, estimate], names=[*segments.names, "metric", "estimate"]
    )
    table = pd.DataFrame(data, index=index)
    order = np.lexsort((np.repeat(np.arange(len(keys)), n_segments), seg_pos))
    return table.iloc[order]


def _srm(n1: np.ndarray, n0: np.ndarray, split: float) -> tuple[np.ndarray, np.ndarray]:
    """Pearson chi-square (1 df) of the observed split against the planned one."""
    total = n1 + n0
    e1, e0 = total * split, total * (1 - split)
    chi2 = (n1 - e1) ** 2 / e1 + (n0 - e0) ** 2 / e0
    return chi2, stats.chi2.sf(chi2, 1)


# --------------------------------------------------------------------------- evaluate


@dataclass(frozen=True)
class CampaignResult:
    """What :func:`evaluate` found; every table is a plain DataFrame or Series.

    Attributes
    ----------
    groups : pandas.DataFrame
        One row per group (treatment first, indexed by the group labels): ``customers``,
        ``converters``, ``conversion_rate``, ``orders``, ``orders_per_customer``,
        ``revenue``, ``revenue_per_customer``, ``pre_spend_per_customer``,
        ``no_history`` (assigned customers without any transaction).
    lift : pandas.DataFrame
        Indexed by (``metric``, ``estimate``): ``conversion_rate``,
        ``orders_per_customer`` and ``revenue_per_customer``, ``"raw"``, plus
        ``revenue_per_customer`` ``"cuped"`` when CUPED is on. Columns ``treatment``,
        ``control`` (group values; CUPED-adjusted means on the CUPED row), ``lift``
        (treatment - control), ``ci_low``, ``ci_high``, ``relative_lift`` (treatment /
        control - 1), ``relative_ci_low``, ``relative_ci_high``, ``p_value``.
    impact : pandas.Series
        ``n_treatment``, ``incremental_revenue`` (revenue lift per customer times the
        treatment group's size, from the CUPED estimate when on) and its interval
        ``incremental_revenue_ci_low``/``_high``; with ``cost_per_contact`` and
        ``margin`` also ``cost``, ``incremental_profit`` (margin x incremental revenue
        - cost) and ``roi`` (incremental profit / cost) with intervals.
    srm : pandas.Series
        ``n_treatment``, ``n_control``, ``planned_share``, ``observed_share`` (of the
        treatment group), ``chi2``, ``p_value`` and ``mismatch`` (p below ``srm_alpha``).
    cuped : pandas.Series or None
        ``theta``, ``rho`` (pooled within-group correlation of revenue with pre-period
        spend), ``expected_variance_reduction`` (rho squared, the theory),
        ``variance_reduction`` (1 - adjusted / raw variance of the revenue lift) and
        ``interval_narrowing`` (1 - adjusted / raw interval width).
    segments : pandas.DataFrame or None
        With ``by=``: the ``lift`` table per segment (segment levels outermost) with
        ``n_treatment``, ``n_control``, ``p_value_holm`` (Holm-adjusted across the
        segments, per metric), ``srm_p_value`` and ``small`` (fewer than
        ``min_customers`` customers or ``min_converters`` converters in a group).
    customers : pandas.DataFrame
        One row per assigned customer (index = customer id): ``group``, ``treated``,
        the columns of :func:`outcomes` and the ``by`` columns.
    settings : dict
        ``start``, ``window_days``, ``pre_days``, ``as_of``, ``level``, ``cuped``,
        ``winsorize``, ``treatment``, ``control``, ``by``.
    """

    groups: pd.DataFrame
    lift: pd.DataFrame
    impact: pd.Series
    srm: pd.Series
    cuped: pd.Series | None
    segments: pd.DataFrame | None
    customers: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def primary(self) -> pd.Series:
        """The headline revenue-per-customer row (CUPED-adjusted when CUPED is on)."""
        estimate = "cuped" if self.cuped is not None else "raw"
        return self.lift.loc[("revenue_per_customer", estimate)]

    def tables(self, lang: str = "en") -> dict[str, pd.DataFrame]:
        """The headline tables with labels in English or Chinese, for reports.

        Parameters
        ----------
        lang : {"en", "zh"}
            Label language (the terms of GLOSSARY.md, "Campaigns and experiments").

        Returns
        -------
        dict of str to pandas.DataFrame
            ``"groups"`` (customers, converters, conversion rate, orders and revenue
            per customer per group), ``"lift"`` (one row per metric: both groups, lift
            and its interval, relative lift and its interval, p-value), ``"impact"``
            (incremental revenue, cost, profit and ROI with intervals), ``"checks"``
            (planned and observed split, SRM p-value, CUPED figures) and, with
            ``by=``, ``"segments"`` (lift per segment with Holm-adjusted p-values).
            Values are numbers; formatting is left to the caller.

        Examples
        --------
        >>> import ecrm
        >>> assignments, tx = ecrm.datasets.make_campaign(4_000, random_state=1)
        >>> result = ecrm.campaign.evaluate(assignments, tx, start="2024-06-01")
        >>> t = result.tables(lang="zh")
        >>> list(t["groups"].index)
        ['实验组', '对照组']
        >>> list(t["lift"].columns[:3])
        ['实验组', '对照组', '提升']
        """
        _labels.check_lang(lang)
        words = {**_labels.CAMPAIGN_WORDS, **_labels.CAMPAIGN_TERMS}

        def say(key: str) -> str:
            return words[key][lang]

        groups = self.groups[
            ["customers", "converters", "conversion_rate", "orders_per_customer", "revenue_per_customer"]
        ].copy()
        groups.index = pd.Index([say("treatment"), say("control")])
        groups.columns = [say(c) for c in groups.columns]

        row_names = {
            ("conversion_rate", "raw"): say("conversion_rate"),
            ("orders_per_customer", "raw"): say("orders_per_customer"),
            ("revenue_per_customer", "raw"): say("revenue_per_customer"),
            ("revenue_per_customer", "cuped"): say("revenue_per_customer_cuped"),
        }
        lift_cols = ["treatment", "control", "lift", "ci_low", "ci_high", "relative_lift",
                     "relative_ci_low", "relative_ci_high", "p_value"]  # fmt: skip
        lift = self.lift[lift_cols].copy()
        lift.index = pd.Index([row_names[k] for k in lift.index], name=say("metric"))
        lift.columns = [say(c) for c in lift_cols]

        impact = self.impact.drop("n_treatment")
        impact_names = {
            "incremental_revenue": say("incremental_revenue"),
            "cost": say("cost"),
            "incremental_profit": say("incremental_profit"),
            "roi": say("roi"),
        }

        def impact_label(key: str) -> str:
            for base, text in impact_names.items():
                if key == base:
                    return text
                if key.startswith(base + "_ci_"):
                    return f"{text}: {say('ci_' + key.rsplit('_', 1)[1])}"
            return key

        impact_frame = pd.DataFrame({say("value"): impact.to_numpy(dtype=float)})
        impact_frame.index = pd.Index([impact_label(k) for k in impact.index], name=say("metric"))

        checks = {
            say("planned_share"): self.srm["planned_share"],
            say("observed_share"): self.srm["observed_share"],
            f"{say('srm')}: {say('p_value')}": self.srm["p_value"],
        }
        if self.cuped is not None:
            for key in ("theta", "rho", "expected_variance_reduction", "variance_reduction",
                        "interval_narrowing"):  # fmt: skip
                checks[say(key)] = self.cuped[key]
        out = {
            "groups": groups,
            "lift": lift,
            "impact": impact_frame,
            "checks": pd.DataFrame({say("value"): pd.Series(checks, dtype=float)}),
        }
        if self.segments is not None:
            seg = self.segments.copy()
            names = list(seg.index.names[:-2])
            keys = [row_names[(m, e)] for m, e in zip(
                seg.index.get_level_values("metric"), seg.index.get_level_values("estimate"), strict=True
            )]  # fmt: skip
            levels = [seg.index.get_level_values(n) for n in names]
            seg.index = pd.MultiIndex.from_arrays([*levels, keys], names=[*names, say("metric")])
            seg = seg[["n_treatment", "n_control", *lift_cols, "p_value_holm", "small"]]
            seg.columns = [
                f"{say('customers')}: {say('treatment')}",
                f"{say('customers')}: {say('control')}",
                *[say(c) for c in lift_cols],
                say("p_value_holm"),
                say("small_segment"),
            ]
            out["segments"] = seg
        return out


def evaluate(
    assignments: pd.DataFrame,
    transactions: pd.DataFrame | Transactions,
    *,
    start: object = None,
    window_days: float = 30,
    pre_days: float | None = None,
    as_of: object = None,
    group_col: str = "group",
    treatment: object = "treatment",
    control: object = "control",
    split: float = 0.5,
    cuped: bool = True,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
    winsorize: float | None = None,
    cost_per_contact: float | None = None,
    margin: float | None = None,
    min_customers: int = 100,
    min_converters: int = 10,
    srm_alpha: float = 0.001,
    assigned_col: str = "assigned_at",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
) -> CampaignResult:
    r"""Measure a campaign against its holdout: lift, intervals, CUPED, SRM, segments.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per assigned customer: ``customer_col``, ``group_col`` (the
        ``treatment`` or ``control`` label), optionally ``assigned_col`` and the ``by``
        columns (segments as they were at assignment).
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line; negative amounts are returns. Paired with the
        assignments by customer id, never by position.
    start : date-like, optional
        Start of the measurement window for every customer (the send date). When None,
        each customer's window starts at their ``assigned_col`` time.
    window_days : float
        Window length: rows in ``[start, start + window_days)`` count.
    pre_days : float, optional
        Pre-period for CUPED: spend in ``[start - pre_days, start)``; None (default)
        uses all history before ``start``.
    as_of : date-like, optional
        End of the observed data (rows after it are left out). Default: the end of the
        day of the last transaction.
    group_col, treatment, control : str, object
        Group column and the labels of the two groups.
    split : float
        Planned share of the treatment group (0.5 for an A/B test, 0.9 for a 10%
        holdout), for the sample-ratio-mismatch check.
    cuped : bool
        Also report the CUPED-adjusted revenue estimate (and use it for the impact).
    by : str or list of str, optional
        Assignment column(s) to break the lift down by, e.g. an RFM segment, a lifecycle
        stage or a churn-risk tier.
    level : float
        Confidence level of every interval.
    winsorize : float, optional
        Cap each customer's window revenue and pre-period spend at this quantile (e.g.
        0.99) of all assigned customers before comparing: narrower intervals, at the
        price of measuring capped revenue (a lift carried by a few very large orders is
        understated). Default: no capping.
    cost_per_contact, margin : float, optional
        Cost of treating one customer and the profit margin on revenue (0 to 1); given
        together, they add cost, incremental profit and ROI to ``impact``.
    min_customers, min_converters : int
        With ``by=``, segments with fewer customers, or fewer converters, than these in
        either group are flagged ``small`` and warned about. With a handful of buyers the
        revenue interval (Welch's t on mostly-zero spend) is far too narrow: in an A/A split
        of CDNOW, a segment with 2 buyers in its holdout showed a revenue "lift" at
        p < 0.0001.
    srm_alpha : float
        p-value below which the split counts as a sample-ratio mismatch.
    assigned_col, customer_col, date_col, amount_col, order_col : str
        Column names (assignments use ``customer_col`` too).

    Returns
    -------
    CampaignResult
        ``groups``, ``lift``, ``impact``, ``srm``, ``cuped``, ``segments``,
        ``customers`` and ``settings``; ``tables(lang=)`` gives the headline tables with
        English or Chinese labels.

    Raises
    ------
    ecrm.errors.SchemaError
        Missing columns, a customer assigned twice (both groups or the same one twice),
        a group label other than ``treatment`` and ``control``, a group with no
        customers, no assigned customer found in the transactions (often ids of
        different types), a window that starts after the data end, bad parameters.

    Warns
    -----
    ecrm.errors.SampleRatioMismatchWarning
        When the observed split differs from ``split`` with p < ``srm_alpha``.
    ecrm.errors.CampaignWarning
        Assigned customers with no transactions (counted as non-converters with zero
        revenue and zero pre-period spend: they were assigned, so leaving them out would
        bias the comparison); windows that run past the end of the data (outcomes cover
        the observed part); segments smaller than ``min_customers`` or with fewer than
        ``min_converters`` converters in a group.

    Notes
    -----
    *Conversion.* The share of customers with a purchase in the window. The interval of
    the difference is Newcombe's hybrid score interval (1998, method 10), built from
    the two Wilson intervals; the p-value is the pooled two-proportion score test.

    *Orders and revenue per customer.* Means over all assigned customers (zeros
    included). Interval and p-value from Welch's t with Satterthwaite's degrees of
    freedom, which does not assume equal variances. Spend is zero-inflated and heavy
    tailed; the mean is still the quantity incremental revenue needs, and the t
    interval of the mean difference keeps close to its nominal coverage at campaign
    sizes (the campaign guide's simulation shows it); ``winsorize=`` trades a small bias
    for variance when a few whales dominate.

    *Relative lift.* treatment / control - 1, with the delta-method interval on the
    log of the ratio (for proportions the interval of Katz et al. 1978).

    *CUPED* (Deng et al. 2013). With :math:`X` the pre-period spend, the revenue
    :math:`Y` is replaced by :math:`Y - \theta(X - \bar X)` with
    :math:`\theta = \widehat{\mathrm{Cov}}(X, Y) / \widehat{\mathrm{Var}}(X)` pooled
    within the groups. The estimate stays unbiased and its variance shrinks by the
    factor :math:`1 - \rho^2`, :math:`\rho` the within-group correlation of :math:`X`
    and :math:`Y`; ``cuped`` reports both and the narrowing of the interval.

    *Sample-ratio mismatch.* Pearson's chi-square test of the group sizes against
    ``split`` (1 degree of freedom), as recommended by Fabijan et al. (2019).

    *Segments.* Every statistic per segment, all segments at once; p-values are
    adjusted with Holm's (1979) step-down method across the segments, per metric.
    CUPED in segments uses one theta pooled within every (segment, group) cell.

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17(8), 873-890.

    Welch, B. L. (1947). The generalization of 'Student's' problem when several
    different population variances are involved. *Biometrika* 34(1-2), 28-35.

    Katz, D., Baptista, J., Azen, S. P. and Pike, M. C. (1978). Obtaining confidence
    intervals for the risk ratio in cohort studies. *Biometrics* 34(3), 469-474.

    Deng, A., Xu, Y., Kohavi, R. and Walker, T. (2013). Improving the sensitivity of
    online controlled experiments by utilizing pre-experiment data. *WSDM '13*, 123-132.

    Fabijan, A., Gupchup, J., Gupta, S., Omhover, J., Qin, W., Vermeer, L. and Dmitriev,
    P. (2019). Diagnosing sample ratio mismatch in online controlled experiments: a
    taxonomy and rules of thumb for practitioners. *KDD '19*, 2156-2164.

    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6(2), 65-70.

    Examples
    --------
    >>> import ecrm
    >>> assignments, tx = ecrm.datasets.make_campaign(20_000, random_state=0)
    >>> result = ecrm.campaign.evaluate(assignments, tx, start="2024-06-01", window_days=30)
    >>> result.groups[["customers", "conversion_rate", "revenue_per_customer"]].round(3)
               customers  conversion_rate  revenue_per_customer
    group
    treatment      10000            0.126                 5.314
    control        10000            0.075                 3.383
    >>> result.lift[["lift", "ci_low", "ci_high", "p_value"]].round(3)
                                       lift  ci_low  ci_high  p_value
    metric               estimate
    conversion_rate      raw       0.052   0.043    0.060      0.0
    orders_per_customer  raw       0.056   0.044    0.068      0.0
    revenue_per_customer raw       1.931   1.423    2.438      0.0
                         cuped     1.893   1.405    2.382      0.0
    >>> result.cuped[["rho", "variance_reduction", "interval_narrowing"]].round(3)
    rho                   0.273
    variance_reduction    0.075
    interval_narrowing    0.038
    dtype: float64
    """
    what = "assignments"
    _stats.z_value(level)  # refuses a level outside (0, 1) before any work
    split = _schema.probability(split, "split", strict=True)
    srm_alpha = _schema.probability(srm_alpha, "srm_alpha", strict=True)
    if winsorize is not None:
        winsorize = _schema.probability(winsorize, "winsorize", strict=True)
    _schema.integer(min_customers, "min_customers", low=1)
    _schema.integer(min_converters, "min_converters", low=0)
    if (cost_per_contact is None) != (margin is None):
        raise SchemaError(
            "cost_per_contact and margin go together: ROI needs the cost of each contact and the "
            "profit margin on revenue"
        )
    if cost_per_contact is not None:
        cost_per_contact = _schema.positive(cost_per_contact, "cost_per_contact")
        # the profit share of revenue
        margin = _schema.number(margin, "margin", low=0, high=1, low_open=True)
    by_cols = _schema.columns(by, "by")
    frame = _schema.check_frame(assignments, what)
    _schema.require_columns(frame, [customer_col, group_col, *by_cols], what)
    if start is None and assigned_col not in frame.columns:
        raise SchemaError(
            f"{what}: give start= (the day the campaign was sent) or a column {assigned_col!r} "
            "with each customer's assignment time"
        )
    ids = _schema.ids(frame, customer_col, what)
    treated = _groups(frame, group_col, treatment, control, what)
    _unique_customers(ids, treated, what, customer_col)
    index = pd.Index(ids, name=customer_col)

    cols = dict(customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col)
    tx, measured = _read_and_measure(
        frame, index, transactions, cols, start, window_days, pre_days, as_of, assigned_col, what
    )
    no_history = ~measured["has_history"].to_numpy()
    if no_history.all():
        raise SchemaError(
            f"{what}: none of the {len(index)} assigned customers has a transaction; are the ids "
            f"the same kind? assignments {customer_col!r} has dtype {ids.dtype}, transactions "
            f"{customer_col!r} has dtype {tx.customer.dtype}"
        )
    if no_history.any():
        warnings.warn(
            f"{what}: {int(no_history.sum())} assigned customer(s) have no transactions "
            f"({int((no_history & treated).sum())} treatment, {int((no_history & ~treated).sum())} "
            f"control), e.g. {list(index[no_history][:5])}; they count as non-converters with zero "
            "revenue and zero pre-period spend",
            CampaignWarning,
            stacklevel=2,
        )

    if winsorize is not None:
        measured = measured.copy()
        for column in ("revenue", "pre_spend"):
            values = measured[column].to_numpy()
            measured[column] = np.minimum(values, np.quantile(values, winsorize))

    results, theta = _compare(np.zeros(len(index), dtype=np.intp), 1, treated, measured, level, cuped)
    lift = _lift_frame(results, None)

    n1, n0 = int(treated.sum()), int((~treated).sum())
    chi2, srm_p = _srm(np.array([n1]), np.array([n0]), split)
    srm = pd.Series(
        {
            "n_treatment": n1,
            "n_control": n0,
            "planned_share": split,
            "observed_share": n1 / (n1 + n0),
            "chi2": float(chi2[0]),
            "p_value": float(srm_p[0]),
            "mismatch": bool(srm_p[0] < srm_alpha),
        },
        dtype=object,
    )
    if srm["mismatch"]:
        warnings.warn(
            f"SAMPLE-RATIO MISMATCH: {n1} treatment vs {n0} control customers "
            f"({srm['observed_share']:.2%} treatment) where {split:.2%} was planned; chi-square "
            f"p = {srm['p_value']:.2g}. The assignment or the data pipeline is probably broken "
            "(customers lost or duplicated in one group); do not trust the lift until this is "
            "explained. If a different split was planned, pass split=.",
            SampleRatioMismatchWarning,
            stacklevel=2,
        )

    cuped_table = None
    if cuped and theta is not None:
        raw = lift.loc[("revenue_per_customer", "raw")]
        adj = lift.loc[("revenue_per_customer", "cuped")]
        width_raw, width_adj = raw["ci_high"] - raw["ci_low"], adj["ci_high"] - adj["ci_low"]
        var_ratio = theta["variance_ratio"]
        cuped_table = pd.Series(
            {
                "theta": theta["theta"],
                "rho": theta["rho"],
                "expected_variance_reduction": theta["rho"] ** 2,
                "variance_reduction": 1 - var_ratio,
                "interval_narrowing": 1 - width_adj / width_raw if width_raw > 0 else np.nan,
            }
        )

    groups = _group_table(measured, treated, [treatment, control], group_col)
    primary = lift.loc[("revenue_per_customer", "cuped" if cuped_table is not None else "raw")]
    impact = _impact(primary, n1, cost_per_contact, margin)

    segments = None
    if by_cols:
        segments = _segments(
            frame, by_cols, treated, measured, level, cuped, split, (min_customers, min_converters), what
        )

    group = pd.Categorical.from_codes((~treated).astype(np.int8), categories=[treatment, control])
    customers = pd.concat(
        [
            pd.DataFrame({"group": group, "treated": treated}, index=measured.index),
            measured,
            pd.DataFrame({c: frame[c].array for c in by_cols}, index=measured.index),
        ],
        axis=1,
    )
    settings = {
        "start": None if start is None else _schema.timestamp(start, tx.date, "start", what),
        "window_days": float(window_days),
        "pre_days": pre_days,
        "as_of": tx.as_of,
        "level": level,
        "cuped": cuped,
        "winsorize": winsorize,
        "treatment": treatment,
        "control": control,
        "by": by_cols or None,
    }
    return CampaignResult(groups, lift, impact, srm, cuped_table, segments, customers, settings)


def _group_table(
    measured: pd.DataFrame, treated: np.ndarray, labels: list[object], group_col: str
) -> pd.DataFrame:
    """Totals and means per group, treatment first (one bincount per column)."""
    group = (~treated).astype(np.intp)  # 0 treatment, 1 control

    def total(column: str) -> np.ndarray:
        return np.bincount(group, weights=measured[column].to_numpy(dtype=np.float64), minlength=2)

    n = np.bincount(group, minlength=2)
    converters, orders, revenue = total("converted"), total("orders"), total("revenue")
    table = pd.DataFrame(
        {
            "customers": n,
            "converters": converters.astype(np.int64),
            "conversion_rate": converters / n,
            "orders": orders.astype(np.int64),
            "orders_per_customer": orders / n,
            "revenue": revenue,
            "revenue_per_customer": revenue / n,
            "pre_spend_per_customer": total("pre_spend") / n,
            "no_history": n - total("has_history").astype(np.int64),
        },
        index=pd.Index(labels, name=group_col),
    )
    return table


def _impact(
    primary: pd.Series, n_treatment: int, cost_per_contact: float | None, margin: float | None
) -> pd.Series:
    out = {
        "n_treatment": float(n_treatment),
        "incremental_revenue": primary["lift"] * n_treatment,
        "incremental_revenue_ci_low": primary["ci_low"] * n_treatment,
        "incremental_revenue_ci_high": primary["ci_high"] * n_treatment,
    }
    if cost_per_contact is not None and margin is not None:
        cost = cost_per_contact * n_treatment
        out["cost"] = cost
        suffixes = ("", "_ci_low", "_ci_high")
        profit = {s: margin * out["incremental_revenue" + s] - cost for s in suffixes}
        out.update({"incremental_profit" + s: profit[s] for s in suffixes})
        out.update({"roi" + s: profit[s] / cost for s in suffixes})
    return pd.Series(out, dtype=float)


def _segments(
    frame: pd.DataFrame,
    by_cols: list[str],
    treated: np.ndarray,
    measured: pd.DataFrame,
    level: float,
    cuped: bool,
    split: float,
    minimum: tuple[int, int],
    what: str,
) -> pd.DataFrame:
    """The lift table per segment, with Holm-adjusted p-values, SRM and size flags."""
    codes, index = _stats.group_codes([frame[c] for c in by_cols], what)
    n_segments = len(index)
    results, _ = _compare(codes, n_segments, treated, measured, level, cuped)
    cell = codes * 2 + treated.astype(np.intp)
    size = np.bincount(cell, minlength=2 * n_segments)
    n1, n0 = size[1::2], size[0::2]
    _, srm_p = _srm(n1.astype(float), n0.astype(float), split)
    converters = np.bincount(
        cell, weights=measured["converted"].to_numpy(dtype=np.float64), minlength=2 * n_segments
    )
    min_customers, min_converters = minimum
    small = (np.minimum(n1, n0) < min_customers) | (
        np.minimum(converters[1::2], converters[0::2]) < min_converters
    )
    for stats_ in results.values():
        stats_["n_treatment"], stats_["n_control"] = n1, n0
        stats_["p_value_holm"] = _stats.holm(stats_["p_value"])
        stats_["srm_p_value"] = srm_p
        stats_["small"] = small
    if small.any():
        names = [str(k) for k in index[small][:5]]
        warnings.warn(
            f"{what}: {int(small.sum())} of {n_segments} segment(s) have fewer than "
            f"{min_customers} customers or {min_converters} converters in a group, e.g. {names}; "
            "their intervals are wide (or, with few buyers, unreliably narrow) and their lift says "
            "little on its own",
            CampaignWarning,
            stacklevel=3,
        )
    table = _lift_frame(results, index)
    first = ["n_treatment", "n_control"]
    return table[first + [c for c in table.columns if c not in first]]


# --------------------------------------------------------------------------- planning


def _planned_effect(
    metric: str, baseline: object, mde: object, sd: object, rho: object, relative: bool
) -> tuple[float, float, float]:
    """(difference to detect, variance per customer under H1 sum form, under H0) pieces."""
    _time.check_choice(metric, "metric", ("conversion", "revenue"))
    rho = _schema.number(rho, "rho", low=-1, high=1, low_open=True, high_open=True)  # a correlation
    # the smallest effect worth detecting
    if _schema.number(mde, "mde") == 0:
        raise SchemaError(f"mde={mde!r} must be a non-zero number (the smallest effect worth detecting)")
    if metric == "conversion":
        p0 = _schema.probability(baseline, "baseline", strict=True)
        p1 = p0 * (1 + mde) if relative else p0 + mde
        if not 0 < p1 < 1:
            raise SchemaError(
                f"baseline={baseline!r} with mde={mde!r} gives a treatment conversion rate of "
                f"{p1:.4g}, outside (0, 1)"
            )
        return p1 - p0, p1, p0
    spread = _schema.positive(sd, "sd")
    if relative:
        base = _schema.positive(baseline, "baseline")
        delta = base * mde
    else:
        delta = float(mde)
    return delta, float(spread), float(rho)


def _power_at(n1: float, n0: float, metric: str, planned: tuple[float, float, float], alpha: float) -> float:
    z = stats.norm.ppf(1 - alpha / 2)
    delta = abs(planned[0])
    if metric == "conversion":
        p1, p0 = planned[1], planned[2]
        pooled = (n1 * p1 + n0 * p0) / (n1 + n0)
        se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        se1 = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        return float(stats.norm.cdf((delta - z * se0) / se1) + stats.norm.cdf((-delta - z * se0) / se1))
    sd, rho = planned[1], planned[2]
    se = sd * math.sqrt((1 - rho**2) * (1 / n1 + 1 / n0))
    return float(stats.norm.cdf(delta / se - z) + stats.norm.cdf(-delta / se - z))


def power(
    n_treatment: int,
    n_control: int,
    *,
    baseline: float,
    mde: float,
    metric: str = "conversion",
    sd: float | None = None,
    rho: float = 0.0,
    relative: bool = False,
    alpha: float = 0.05,
) -> float:
    r"""Probability that a two-sided test at ``alpha`` detects a true effect of ``mde``.

    Parameters
    ----------
    n_treatment, n_control : int
        Group sizes.
    baseline : float
        The control group's conversion rate (``metric="conversion"``) or revenue per
        customer (``"revenue"``; only needed with ``relative=True``).
    mde : float
        The effect to detect: treatment - control (absolute), or treatment / control - 1
        with ``relative=True``.
    metric : {"conversion", "revenue"}
        Outcome. Conversion uses the pooled score test of two proportions; revenue the
        normal approximation to the test of two means with standard deviation ``sd``.
    sd : float, optional
        Standard deviation of revenue per customer (revenue only), e.g. from
        :func:`outcomes` on a past window.
    rho : float
        Correlation of revenue with pre-period spend when the analysis will use CUPED:
        the variance shrinks by :math:`1 - \rho^2` (revenue only; default 0, no CUPED).
    relative : bool
        Read ``mde`` as a relative lift.
    alpha : float
        Two-sided significance level.

    Returns
    -------
    float

    Notes
    -----
    Conversion: with :math:`\bar p` the pooled rate and :math:`\sigma_0, \sigma_1` the
    standard errors of the difference under no effect and under the effect,
    power :math:`= \Phi((|\Delta| - z_{1-\alpha/2}\sigma_0)/\sigma_1) +
    \Phi((-|\Delta| - z_{1-\alpha/2}\sigma_0)/\sigma_1)` (Fleiss, Levin and Paik 2003,
    without continuity correction). Revenue: power :math:`= \Phi(|\Delta|/se -
    z_{1-\alpha/2}) + \Phi(-|\Delta|/se - z_{1-\alpha/2})` with
    :math:`se = sd\sqrt{(1-\rho^2)(1/n_t + 1/n_c)}`.

    References
    ----------
    Fleiss, J. L., Levin, B. and Paik, M. C. (2003). *Statistical Methods for Rates and
    Proportions*, 3rd ed. Wiley (chapter 4: sample size for comparing two proportions).

    Deng, A., Xu, Y., Kohavi, R. and Walker, T. (2013). Improving the sensitivity of
    online controlled experiments by utilizing pre-experiment data. *WSDM '13*, 123-132.

    Examples
    --------
    >>> import ecrm
    >>> round(ecrm.campaign.power(686, 686, baseline=0.10, mde=0.05), 3)
    0.8
    >>> round(ecrm.campaign.power(2_000, 2_000, baseline=9.0, mde=0.1, relative=True,
    ...                           metric="revenue", sd=30.0), 3)
    0.158
    """
    n1 = _schema.positive(n_treatment, "n_treatment")
    n0 = _schema.positive(n_control, "n_control")
    alpha = _schema.probability(alpha, "alpha", strict=True)
    planned = _planned_effect(metric, baseline, mde, sd, rho, relative)
    return _power_at(n1, n0, metric, planned, alpha)  # type: ignore[arg-type]


def sample_size(
    *,
    baseline: float,
    mde: float,
    metric: str = "conversion",
    sd: float | None = None,
    rho: float = 0.0,
    relative: bool = False,
    alpha: float = 0.05,
    power: float = 0.8,
    split: float = 0.5,
) -> pd.Series:
    r"""Customers needed to detect ``mde`` with the given power: plan the holdout.

    Parameters
    ----------
    baseline, mde, metric, sd, rho, relative, alpha :
        As in :func:`power`.
    power : float
        Target probability of detecting the effect (0.8 is usual).
    split : float
        Share of customers in the treatment group (0.9 for a 10% holdout).

    Returns
    -------
    pandas.Series
        ``n_treatment``, ``n_control``, ``n_total`` (whole customers, rounded up) and
        ``power`` (achieved at those sizes, at least the target).

    Notes
    -----
    The closed form for a total :math:`N` with :math:`s` the treatment share is, for
    conversion, :math:`N = [z_{1-\alpha/2}\sqrt{\bar p(1-\bar p)(1/s + 1/(1-s))} +
    z_{power}\sqrt{p_t(1-p_t)/s + p_c(1-p_c)/(1-s)}]^2 / \Delta^2` and, for revenue,
    :math:`N = (z_{1-\alpha/2} + z_{power})^2 sd^2 (1-\rho^2)(1/s + 1/(1-s)) /
    \Delta^2`; group sizes are rounded up and increased, if needed, until :func:`power`
    reaches the target.

    References
    ----------
    Fleiss, J. L., Levin, B. and Paik, M. C. (2003). *Statistical Methods for Rates and
    Proportions*, 3rd ed. Wiley.

    Examples
    --------
    >>> import ecrm
    >>> ecrm.campaign.sample_size(baseline=0.10, mde=0.05)[["n_treatment", "n_control"]].tolist()
    [686.0, 686.0]
    >>> ecrm.campaign.sample_size(baseline=0.10, mde=0.05, split=0.9)[["n_treatment", "n_control"]].tolist()
    [3594.0, 400.0]
    """
    alpha = _schema.probability(alpha, "alpha", strict=True)
    target = _schema.probability(power, "power", strict=True)
    split = _schema.probability(split, "split", strict=True)
    planned = _planned_effect(metric, baseline, mde, sd, rho, relative)
    z_a, z_b = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(target)
    delta = planned[0]
    inv = 1 / split + 1 / (1 - split)
    if metric == "conversion":
        p1, p0 = planned[1], planned[2]
        pooled = split * p1 + (1 - split) * p0
        root = z_a * math.sqrt(pooled * (1 - pooled) * inv) + z_b * math.sqrt(
            p1 * (1 - p1) / split + p0 * (1 - p0) / (1 - split)
        )
        total = root**2 / delta**2
    else:
        total = (z_a + z_b) ** 2 * planned[1] ** 2 * (1 - planned[2] ** 2) * inv / delta**2
    n1, n0 = math.ceil(total * split - 1e-9), math.ceil(total * (1 - split) - 1e-9)
    achieved = _power_at(n1, n0, metric, planned, alpha)
    while achieved < target:  # rounding can leave the power a hair short; a step or two
        n1, n0 = n1 + math.ceil(split / (1 - split)), n0 + 1
        achieved = _power_at(n1, n0, metric, planned, alpha)
    return pd.Series(
        {"n_treatment": float(n1), "n_control": float(n0), "n_total": float(n1 + n0), "power": achieved}
    )


# --------------------------------------------------------------------------- uplift


def _treatment_flags(values: np.ndarray, what: str) -> np.ndarray:
    if values.dtype == bool:
        return values
    unique = set(pd.unique(values).tolist())
    if not unique <= {0, 1}:
        raise SchemaError(
            f"{what}: treatment must be boolean or 0/1 (1 = treated), got values "
            f"{sorted(map(repr, unique))[:5]}"
        )
    return values.astype(bool)


def _learner(estimator: object, kind: str, random_state: object) -> Any:
    """An unfitted classifier (``kind="classifier"``) or regressor for one outcome model."""
    if not isinstance(estimator, str):
        needed = "predict_proba" if kind == "classifier" else "predict"
        if not (hasattr(estimator, "fit") and hasattr(estimator, needed)):
            raise SchemaError(
                f"estimator={estimator!r}: expected one of {UPLIFT_ESTIMATORS} or an estimator with "
                f"fit and {needed}"
            )
        return clone(estimator)
    _time.check_choice(estimator, "estimator", UPLIFT_ESTIMATORS)
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if estimator == "hgb":
        # Shallow, regularised trees: each arm's model sees half the data, and an uplift
        # is a small difference of two predictions, so variance matters more than bias.
        params = dict(
            learning_rate=0.05, max_iter=150, max_depth=3, min_samples_leaf=100,
            l2_regularization=1.0, early_stopping=False, random_state=random_state,
        )  # fmt: skip
        if kind == "classifier":
            return HistGradientBoostingClassifier(**params)
        return HistGradientBoostingRegressor(**params)
    final = LogisticRegression(max_iter=2000) if kind == "classifier" else Ridge(alpha=1.0)
    return make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(), final)


class UpliftModel(BaseEstimator):
    """Predict each customer's incremental response to a campaign, to target the next one.

    Parameters
    ----------
    estimator : {"hgb", "linear"} or estimator
        Base learner. ``"hgb"``: scikit-learn's histogram gradient boosting (handles the
        NaN features of :func:`ecrm.churn.features`); ``"linear"``: median imputation,
        scaling and logistic regression (binary outcome) or ridge regression. Or any
        unfitted scikit-learn estimator (cloned; a classifier with ``predict_proba`` for a
        binary outcome with ``method="two_model"``, otherwise a regressor).
    method : {"two_model", "transformed_outcome"}
        ``"two_model"`` (default, the "T-learner"): one model of the outcome per group;
        the uplift is the treatment model's prediction minus the control model's.
        ``"transformed_outcome"``: one regression of
        :math:`Z = Y (T - e) / (e (1 - e))`, with :math:`e` the treatment share, whose
        conditional mean is the uplift (Athey and Imbens 2015; for a binary outcome and
        :math:`e = 1/2` the class-variable transformation of Jaskowski and Jaroszewicz
        2012).
    random_state : int or None
        Seed of the randomised learners.

    Attributes
    ----------
    models_ : tuple
        The fitted control and treatment models (two-model), or the one regression.
    outcome_ : str
        ``"binary"`` (0/1 outcome: conversion) or ``"continuous"`` (e.g. revenue).
    treatment_share_ : float
        Share of treated rows in the training data.
    feature_names_in_ : ndarray
        Column names when fitted on a DataFrame.

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building
    and assessing uplift models. *Direct Marketing Analytics Journal* 1, 14-21.

    Athey, S. and Imbens, G. W. (2015). Machine learning methods for estimating
    heterogeneous causal effects. arXiv:1504.01132.

    Jaskowski, M. and Jaroszewicz, S. (2012). Uplift modeling for clinical trial data.
    *ICML 2012 Workshop on Clinical Data Analysis*.

    Examples
    --------
    >>> import ecrm
    >>> assignments, tx = ecrm.datasets.make_campaign(6_000, random_state=2)
    >>> X = ecrm.churn.features(tx, as_of="2024-05-31").reindex(assignments["customer_id"])
    >>> out = ecrm.campaign.outcomes(assignments, tx, start="2024-06-01")
    >>> treated = (assignments.set_index("customer_id")["group"] == "treatment")
    >>> model = ecrm.campaign.UpliftModel(random_state=0).fit(X, treated, out["converted"])
    >>> model.target(X, 3).columns.tolist()
    ['uplift', 'rank']
    """

    def __init__(self, estimator: object = "hgb", method: str = "two_model", random_state: int | None = 0):
        self.estimator = estimator
        self.method = method
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, treatment: object, y: object) -> UpliftModel:
        """Fit on features ``X``, treatment flags and outcomes (Series aligned on X's index).

        ``treatment`` is boolean or 0/1 (1 = treated); ``y`` a 0/1 outcome (conversion)
        or a number (revenue). Both groups need at least two customers, and with a
        binary outcome and two models, both outcomes in each group.
        """
        what = "UpliftModel.fit"
        _time.check_choice(self.method, "method", UPLIFT_METHODS)
        X = _schema.feature_table(X, what)
        t = _treatment_flags(_schema.aligned(treatment, X, "treatment", what), what)
        y_arr = _floats(_schema.aligned(y, X, "y", what), "y", what)
        n_treated = int(t.sum())
        if min(n_treated, len(t) - n_treated) < 2:
            raise SchemaError(
                f"{what}: needs at least 2 treated and 2 control customers, got {n_treated} and "
                f"{len(t) - n_treated}"
            )
        binary = bool(np.isin(y_arr, (0.0, 1.0)).all())
        self.outcome_ = "binary" if binary else "continuous"
        self.treatment_share_ = n_treated / len(t)
        rows = (lambda m: X[m]) if not isinstance(X, pd.DataFrame) else (lambda m: X.loc[m])
        if self.method == "two_model":
            kind = "classifier" if binary else "regressor"
            models = []
            for mask, label in ((~t, "control"), (t, "treatment")):
                if binary and np.unique(y_arr[mask]).size < 2:
                    raise SchemaError(
                        f"{what}: every {label} customer has the same outcome; a two-model learner "
                        "needs converters and non-converters in both groups"
                    )
                models.append(_learner(self.estimator, kind, self.random_state).fit(rows(mask), y_arr[mask]))
            self.models_ = tuple(models)
        else:
            e = self.treatment_share_
            z = y_arr * (t - e) / (e * (1 - e))
            self.models_ = (_learner(self.estimator, "regressor", self.random_state).fit(X, z),)
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def _features(self, X: object, what: str) -> pd.DataFrame | np.ndarray:
        check_is_fitted(self, "models_")
        return _schema.fitted_features(X, getattr(self, "feature_names_in_", None), what)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted uplift per row: expected outcome if treated minus if not."""
        X = self._features(X, "UpliftModel.predict")
        if self.method == "transformed_outcome":
            return np.asarray(self.models_[0].predict(X), dtype=np.float64)
        if self.outcome_ == "binary":
            control, treatment = (m.predict_proba(X)[:, 1] for m in self.models_)
        else:
            control, treatment = (np.asarray(m.predict(X), dtype=np.float64) for m in self.models_)
        return treatment - control

    def target(self, X: pd.DataFrame, n: int) -> pd.DataFrame:
        """The ``n`` customers with the highest predicted uplift, best first.

        Returns a DataFrame indexed like ``X`` (customer ids) with ``uplift`` and
        ``rank`` (1 = highest); ties keep the order of ``X``.
        """
        n = _schema.integer(n, "n", "UpliftModel.target", low=1)
        uplift = self.predict(X)
        order = np.argsort(-uplift, kind="stable")[:n]
        index = X.index[order] if isinstance(X, pd.DataFrame) else pd.Index(order)
        return pd.DataFrame({"uplift": uplift[order], "rank": np.arange(1, len(order) + 1)}, index=index)


def _floats(values: object, name: str, what: str) -> np.ndarray:
    """Outcomes or scores as float64 (booleans as 0/1); text is refused."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise SchemaError(f"{what}: {name} must be numbers (0/1 conversion, revenue or scores)") from None


def _qini_inputs(uplift: object, treatment: object, y: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    what = "qini_curve"
    if isinstance(uplift, pd.Series):
        holder: Any = uplift.to_frame("uplift")
        if not holder.index.is_unique:
            raise SchemaError(f"{what}: uplift has a duplicated index; give one score per customer")
    else:
        score = _floats(uplift, "uplift", what)
        if score.ndim != 1 or score.size == 0:
            raise SchemaError(f"{what}: uplift scores must be a non-empty 1-d array, got shape {score.shape}")
        holder = score[:, None]
    score = _floats(holder["uplift"] if isinstance(holder, pd.DataFrame) else holder[:, 0], "uplift", what)
    if not np.isfinite(score).all():
        raise SchemaError(f"{what}: uplift scores must be finite")
    t = _treatment_flags(_schema.aligned(treatment, holder, "treatment", what), what)
    outcome = _floats(_schema.aligned(y, holder, "y", what), "y", what)
    if t.all() or not t.any():
        raise SchemaError(f"{what}: needs both treated and control customers")
    return score, t, outcome


def qini_curve(uplift: object, treatment: object, y: object) -> pd.DataFrame:
    r"""Radcliffe's Qini curve: incremental outcome when targeting the top-scored first.

    Customers are sorted by ``uplift`` (highest first). For the top :math:`k`, with
    :math:`R_t, R_c` the summed outcomes and :math:`N_t, N_c` the counts of treated and
    control customers among them, the curve is
    :math:`g(k) = R_t - R_c N_t / N_c` (:math:`R_t` while no control customer is
    among them): the outcome of the targeted treated customers beyond what the same
    number of control customers gave. Customers with tied scores enter together, so a
    constant score gives the straight line of random targeting.

    Parameters
    ----------
    uplift : Series or array
        Score to rank by (e.g. :meth:`UpliftModel.predict`, or any other ranking).
    treatment : Series or array
        Boolean or 0/1 treatment flags; Series are aligned on ``uplift``'s index.
    y : Series or array
        Outcome (0/1 conversion or revenue), aligned likewise.

    Returns
    -------
    pandas.DataFrame
        One row per distinct score and a first row at 0: ``share`` (share of customers
        targeted), ``n_targeted``, ``incremental`` (:math:`g`) and ``random`` (the line
        from 0 to the final :math:`g`, random targeting). ``attrs["qini_area"]`` holds
        :func:`qini_area`.

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building
    and assessing uplift models. *Direct Marketing Analytics Journal* 1, 14-21.

    Examples
    --------
    >>> import ecrm
    >>> curve = ecrm.campaign.qini_curve([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], [1, 0, 0, 0])
    >>> curve
       share  n_targeted  incremental  random
    0   0.00           0          0.0    0.00
    1   0.25           1          1.0    0.25
    2   0.50           2          1.0    0.50
    3   0.75           3          1.0    0.75
    4   1.00           4          1.0    1.00
    """
    score, t, outcome = _qini_inputs(uplift, treatment, y)
    order = np.argsort(-score, kind="stable")
    t_sorted, y_sorted, s_sorted = t[order], outcome[order], score[order]
    n_t = np.cumsum(t_sorted)
    n_c = np.cumsum(~t_sorted)
    r_t = np.cumsum(np.where(t_sorted, y_sorted, 0.0))
    r_c = np.cumsum(np.where(t_sorted, 0.0, y_sorted))
    scale = np.divide(n_t, n_c, out=np.zeros(len(n_t)), where=n_c > 0)
    gain = r_t - r_c * scale
    ends = np.flatnonzero(np.r_[s_sorted[1:] != s_sorted[:-1], True])  # last row of each tie
    n = len(score)
    targeted = np.r_[0, ends + 1]
    incremental = np.r_[0.0, gain[ends]]
    share = targeted / n
    curve = pd.DataFrame(
        {
            "share": share,
            "n_targeted": targeted,
            "incremental": incremental,
            "random": share * incremental[-1],
        }
    )
    curve.attrs["qini_area"] = float(_trapezoid(curve["incremental"] - curve["random"], share))
    return curve


def _trapezoid(y: pd.Series, x: np.ndarray) -> float:
    values = y.to_numpy()
    return float(np.sum((values[1:] + values[:-1]) * np.diff(x)) / 2)


def qini_area(uplift: object, treatment: object, y: object) -> float:
    r"""Area between the Qini curve and the random-targeting line.

    :math:`\int_0^1 [g(\phi) - \phi\, g(1)]\, d\phi` over the share :math:`\phi` of
    customers targeted (trapezoids between the points of :func:`qini_curve`), in the
    units of the outcome. Positive: the ranking finds the customers the campaign moves
    better than chance; about 0: no better than random; negative: worse.

    Parameters
    ----------
    uplift, treatment, y :
        As in :func:`qini_curve`.

    Returns
    -------
    float

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift: building
    and assessing uplift models. *Direct Marketing Analytics Journal* 1, 14-21.

    Examples
    --------
    >>> import ecrm
    >>> ecrm.campaign.qini_area([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], [1, 0, 0, 0])
    0.375
    """
    return qini_curve(uplift, treatment, y).attrs["qini_area"]
