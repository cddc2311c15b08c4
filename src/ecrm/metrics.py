"""Operating KPIs and acquisition cohorts of a transaction log.

Everything here is computed per calendar period (day, Monday-to-Sunday week, month or
quarter) from one pass over integer keys: customer ids are factorised once, rows are
mapped to period numbers, and distinct (period, customer, order) keys are sorted once;
counts come from ``bincount``. No Python loop runs over rows or customers.

Conventions shared by every function (and by :func:`ecrm.customer_summary`):

- a row with a negative amount is a *return*: it lowers net revenue but is never a
  purchase; rows with amount 0 are purchases;
- an *order* is a distinct order id of a customer when ``order_col`` is given, else a
  distinct (customer, calendar day) pair;
- a customer is *acquired* in the period of their first purchase in the data on or
  before ``as_of``; rows after ``as_of`` are left out.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _engine, _keys, _schema, _time
from .errors import DataDroppedWarning, SchemaError
from .transactions import EngineTransactions, Transactions, as_transactions

__all__ = [
    "FREQS",
    "churn_rate",
    "cohort_retention",
    "kpis",
    "repurchase_rate",
    "retention_rate",
    "time_to_second_purchase",
]

#: Supported calendar periods: day, Monday-to-Sunday week, month, quarter, year.
FREQS = _time.FREQS
COHORT_VALUES = ("customers", "revenue")
#: The largest cohort table (cohorts x periods) cohort_retention builds.
MAX_COHORT_CELLS = 20_000_000


@dataclass(frozen=True)
class _Log:
    """The arrays every KPI reads, from a :class:`~ecrm.Transactions` cut at ``as_of``."""

    tx: Transactions
    customer: np.ndarray  # dense customer codes
    ids: pd.Index  # customer id of each code
    day: np.ndarray  # calendar day number
    period: np.ndarray  # period number
    amount: np.ndarray
    purchase: np.ndarray  # amount >= 0
    order: np.ndarray  # order code, or day number when there is no order column
    first_period: np.ndarray  # per customer code; period of the first purchase (-1: none)
    base: int  # first period with data
    last: int  # period of as_of
    as_of: pd.Timestamp
    freq: str


def _log(
    transactions: pd.DataFrame | Transactions,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str,
    order_col: str | None,
    as_of: object,
    freq: str,
    what: str,
) -> _Log:
    _time.check_freq(freq)
    tx = as_transactions(
        transactions,
        what=what,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
    ).upto(as_of, what=what)
    tx.require_purchases(what)
    periods = tx.purchase_periods(freq)
    counts = periods.counts(len(tx.ids))
    first_period = np.full(len(tx.ids), -1, dtype=np.int64)
    first_period[counts > 0] = periods.value_at((np.cumsum(counts) - counts)[counts > 0])
    period = tx.period(freq)
    day = tx.day
    return _Log(
        tx,
        tx.codes,
        tx.ids,
        day,
        period,
        tx.amount.to_numpy(),
        tx.purchase,
        tx.order_codes if tx.order is not None else day - day.min(),
        first_period,
        int(period.min()),
        int(_time.period_ordinal(np.array([tx.as_of_day]), freq)[0]),
        tx.as_of,
        freq,
    )


def _purchases(log: _Log) -> np.ndarray | slice:
    """Selector of the purchase rows; a slice (no copies) when there are no returns."""
    return log.purchase if log.tx.has_returns else slice(None)


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and the distinct values present, sorted (categories in their order)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        present = np.bincount(codes, minlength=len(values.cat.categories)) > 0
        return (np.cumsum(present) - 1)[codes], values.cat.categories[present]
    return _schema.factorize_ids(values)


def _period_window(log: _Log, start: object, end: object, what: str) -> tuple[int, int]:
    """First and last period reported: the data's range, narrowed by ``start``/``end``."""
    lo, hi = log.base, log.last
    like = pd.Series(pd.DatetimeIndex([log.as_of]))
    bounds = []
    for name, value in (("start", start), ("end", end)):
        if value is None:
            bounds.append(None)
            continue
        ts = _schema.timestamp(value, like, name, what)
        bounds.append(int(_time.period_ordinal(_schema.day_number(pd.Series([ts])), log.freq)[0]))
    first = lo if bounds[0] is None else max(lo, bounds[0])
    last = hi if bounds[1] is None else min(hi, bounds[1])
    if first > last:
        data = _time.period_index(np.array([lo, hi]), log.freq)
        raise SchemaError(
            f"{what}: the period range start={start!r}, end={end!r} (freq={log.freq!r}) "
            f"holds no period of the data, which runs from {data[0]} to {data[1]}"
        )
    return first, last


def kpis(
    transactions: pd.DataFrame | Transactions,
    *,
    freq: str = "M",
    by: str | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    as_of: object = None,
    start: object = None,
    end: object = None,
) -> pd.DataFrame:
    """Operating KPIs per calendar period (and optionally per group such as channel).

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        One row per order or order line (or :func:`ecrm.transactions`); negative amounts are returns.
        On an engine the sums per period run there; only the table comes back.
    freq : {"D", "W", "M", "Q", "Y"}
        Calendar period: day, Monday-to-Sunday week, month, quarter or year.
    by : str, optional
        Column to group by (e.g. ``"channel"``); one block of periods per group.
    customer_col, date_col, amount_col, order_col : str
        Column names; see :func:`ecrm.customer_summary`.
    as_of : date-like, optional
        Snapshot instant; later rows are left out. Default: the last transaction date.
        The period holding ``as_of`` is the last one reported and may be partial.
    start, end : date-like, optional
        Report only the periods from the one holding ``start`` to the one holding
        ``end``. Earlier history still decides who is a new buyer.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (a ``PeriodIndex``; with ``by``, a MultiIndex
        ``(by, period)``), every period of the range present (zeros when nothing
        happened), with columns

        - ``gmv`` — 成交总额 (GMV): sum of the non-negative amounts (gross sales);
        - ``returns`` — 退货额: sum of the returned amounts (minus the negative amounts);
        - ``net_revenue`` — 净销售额: ``gmv - returns``;
        - ``orders`` — 订单数: distinct orders with a purchase in the period;
        - ``buyers`` — 购买客户数: distinct customers with a purchase in the period;
        - ``new_buyers`` — 新客数: buyers whose first purchase ever (in the data on or
          before ``as_of``) falls in the period; with ``by``, first purchase in any group;
        - ``returning_buyers`` — 老客数: ``buyers - new_buyers``;
        - ``aov`` — 客单价 (average order value): ``net_revenue / orders``, as
          ``avg_order_value`` in :func:`ecrm.customer_summary`;
        - ``orders_per_buyer`` — 人均订单数: ``orders / buyers``;
        - ``repeat_purchase_rate`` — 复购率: share of the period's buyers with two or
          more orders in the period;
        - ``return_rate`` — 退货率: ``returns / gmv`` (share of gross sales returned);
        - ``gmv_growth``, ``net_revenue_growth``, ``orders_growth``, ``buyers_growth``
          — 环比增长: value over the previous period's, minus 1 (NaN after a zero).

        Ratios with a zero denominator are NaN. ``attrs`` holds ``as_of`` and ``freq``.

    Raises
    ------
    ecrm.errors.SchemaError
        Unknown ``freq``, a ``start``/``end`` range holding no period of the data, and
        every bad input :func:`ecrm.customer_summary` refuses.

    References
    ----------
    Farris, P. W., Bendle, N. T., Pfeifer, P. E. and Reibstein, D. J. (2010). *Marketing
    Metrics: The Definitive Guide to Measuring Marketing Performance*, 2nd ed. Pearson
    (sales, average order value, repeat and return rates).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 2, 1, 3, 2],
    ...     "order_date": ["2024-01-03", "2024-01-20", "2024-01-05",
    ...                    "2024-02-02", "2024-02-10", "2024-02-11"],
    ...     "amount": [10.0, 20.0, 30.0, 40.0, 50.0, -30.0],
    ... })
    >>> k = ecrm.metrics.kpis(tx, freq="M")
    >>> k[["gmv", "net_revenue", "orders", "buyers", "new_buyers", "aov", "repeat_purchase_rate"]]
              gmv  net_revenue  orders  buyers  new_buyers   aov  repeat_purchase_rate
    period
    2024-01  60.0         60.0       3       2           2  20.0                   0.5
    2024-02  90.0         60.0       2       2           1  30.0                   0.0
    """
    what = "kpis"
    if isinstance(transactions, EngineTransactions):
        log, cells = _engine.kpi_cells(
            transactions,
            freq=freq,
            by=by,
            as_of=as_of,
            what=what,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            order_col=order_col,
        )
        return _kpi_table(cells, log, by, start, end, what)
    log = _log(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        as_of=as_of,
        freq=freq,
        what=what,
    )
    if by is not None:
        group_values = log.tx.column(by, what)
        missing = group_values.isna().to_numpy()
        if missing.any():
            raise log.tx.bad_rows(by, "has missing values", missing, what)
        group, group_labels = _codes(group_values)
    else:
        group, group_labels = np.zeros(log.customer.size, dtype=np.int64), None
    n_groups = 1 if group_labels is None else len(group_labels)
    n_periods = log.last - log.base + 1
    n_cells = n_groups * n_periods
    cell = group.astype(np.int64) * n_periods + (log.period - log.base)

    p = _purchases(log)
    gmv = np.bincount(cell[p], weights=log.amount[p], minlength=n_cells)
    # + 0.0 turns -0.0 into 0.0; float() keeps the dtype when there are no returns.
    returns = 0.0 - np.bincount(cell[~log.purchase], weights=log.amount[~log.purchase], minlength=n_cells)
    # Distinct (cell, customer, order) purchase keys, sorted once: runs of equal
    # (cell, customer) are the period's buyers, run lengths their orders.
    n_customers = len(log.ids)
    pair, pair_shift, pair_uniques = _keys.pack(cell[p], log.customer[p], n_customers)
    keys, order_shift, key_uniques = _keys.pack(pair, log.order[p], int(log.order.max()) + 1)
    keys = _keys.distinct_sorted(keys)
    pairs = _keys.unpack_high(keys, order_shift, key_uniques)
    starts, n_orders = _keys.runs(pairs)
    pair_keys = pairs[starts]
    pair_cell = _keys.unpack_high(pair_keys, pair_shift, pair_uniques)
    pair_customer = pair_keys & ((np.int64(1) << pair_shift) - 1)
    new = log.first_period[pair_customer] == log.base + pair_cell % n_periods
    buyers = np.bincount(pair_cell, minlength=n_cells)
    orders = np.bincount(pair_cell, weights=n_orders, minlength=n_cells).astype(np.int64)
    repeat = np.bincount(pair_cell[n_orders >= 2], minlength=n_cells)
    new_buyers = np.bincount(pair_cell[new], minlength=n_cells)
    cells = {
        "gmv": gmv,
        "returns": returns,
        "orders": orders,
        "buyers": buyers,
        "new_buyers": new_buyers,
        "repeat": repeat,
        "groups": group_labels,
    }
    return _kpi_table(cells, log, by, start, end, what)


def _kpi_table(cells: dict, log: _Log, by: str | None, start: object, end: object, what: str) -> pd.DataFrame:
    """The KPI table from the sums per (group, period) cell (numpy here, or an engine's)."""
    gmv, returns, orders, buyers = cells["gmv"], cells["returns"], cells["orders"], cells["buyers"]
    new_buyers, repeat, group_labels = cells["new_buyers"], cells["repeat"], cells["groups"]
    n_groups = 1 if group_labels is None else len(group_labels)
    n_periods = log.last - log.base + 1
    freq = log.freq
    with np.errstate(divide="ignore", invalid="ignore"):
        net = gmv - returns
        out = pd.DataFrame(
            {
                "gmv": gmv,
                "returns": returns,
                "net_revenue": net,
                "orders": orders,
                "buyers": buyers,
                "new_buyers": new_buyers,
                "returning_buyers": buyers - new_buyers,
                "aov": np.where(orders > 0, net / orders, np.nan),
                "orders_per_buyer": np.where(buyers > 0, orders / buyers, np.nan),
                "repeat_purchase_rate": np.where(buyers > 0, repeat / buyers, np.nan),
                "return_rate": np.where(gmv > 0, returns / gmv, np.nan),
            }
        )
        for column in ("gmv", "net_revenue", "orders", "buyers"):
            values = out[column].to_numpy(dtype=float).reshape(n_groups, n_periods)
            previous = np.full_like(values, np.nan)
            previous[:, 1:] = values[:, :-1]
            growth = np.where(previous != 0, values / previous - 1, np.nan)
            out[f"{column}_growth"] = growth.ravel()

    periods = _time.period_index(np.arange(log.base, log.last + 1), freq)
    if group_labels is None:
        out.index = periods
    else:
        out.index = pd.MultiIndex.from_product([pd.Index(group_labels, name=by), periods])
    first, last = _period_window(log, start, end, what)
    selected = np.tile(np.arange(log.base, log.last + 1), n_groups)
    out = out[(selected >= first) & (selected <= last)]
    out.attrs.update(as_of=log.as_of, freq=freq)
    return out


def cohort_retention(
    transactions: pd.DataFrame | Transactions,
    *,
    freq: str = "M",
    value: str = "customers",
    normalize: bool = True,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    as_of: object = None,
) -> pd.DataFrame:
    """Acquisition cohort x periods since acquisition: customers or revenue retained.

    A customer's cohort is the period of their first purchase; period ``k`` of a cohort
    is ``k`` periods later (``k = 0`` is the acquisition period).

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        One row per order or order line (or :func:`ecrm.transactions`); negative amounts are returns.
        On an engine the sums per period run there; only the table comes back.
    freq : {"D", "W", "M", "Q", "Y"}
        Calendar period (see :mod:`ecrm._time`).
    value : {"customers", "revenue"}
        ``"customers"``: cell ``(c, k)`` counts the customers of cohort ``c`` who
        purchase in period ``k`` (留存客户数). ``"revenue"``: the cohort's net revenue
        in period ``k`` (returns netted; a return dated before the customer's first
        purchase counts in period 0).
    normalize : bool
        Divide each row by its period-0 value, so period 0 is 1.0 (留存率; for revenue,
        revenue retention relative to the acquisition period; a cohort whose period-0 net
        revenue is 0 or negative has no such ratio: its row is NaN, with a warning).
    customer_col, date_col, amount_col : str
        Column names.
    as_of : date-like, optional
        Snapshot instant; later rows are left out.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (PeriodIndex, cohorts with at least one customer); columns
        ``0, 1, ..., K`` named ``periods_since_acquisition``. Cells not yet observable at
        ``as_of`` (cohort + k after the period of ``as_of``) are NaN; observed cells
        with no activity are 0. ``attrs``: ``cohort_size`` (dict cohort -> number of
        customers acquired), ``as_of``, ``freq``, ``value``, ``normalize``.

    Warns
    -----
    ecrm.errors.DataDroppedWarning
        With ``value="revenue"``, for customers whose only rows are returns (they
        belong to no cohort), and with ``normalize`` for cohorts whose period-0 net revenue
        is <= 0 (their rows are NaN).

    References
    ----------
    Fader, P. S. and Hardie, B. G. S. (2010). Customer-base valuation in a contractual
    setting: The perils of ignoring heterogeneity. *Marketing Science* 29(1), 85-93
    (retention by acquisition cohort).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 2, 1, 3, 2, 3],
    ...     "order_date": ["2024-01-05", "2024-01-09", "2024-02-01",
    ...                    "2024-02-03", "2024-03-04", "2024-03-08"],
    ...     "amount": [10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
    ... })
    >>> ecrm.metrics.cohort_retention(tx, normalize=False)
    periods_since_acquisition    0    1    2
    cohort
    2024-01                    2.0  1.0  1.0
    2024-02                    1.0  1.0  NaN
    """
    _time.check_choice(value, "value", COHORT_VALUES)
    _schema.flag(normalize, "normalize", "cohort_retention")
    if isinstance(transactions, EngineTransactions):
        log, cohort, age, weights, sizes = _engine.cohort_cells(
            transactions,
            freq=freq,
            value=value,
            as_of=as_of,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
        )
        return _cohort_table(log, sizes, cohort, age, weights, value, normalize)
    log = _log(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=None,
        as_of=as_of,
        freq=freq,
        what="cohort_retention",
    )
    n_periods = log.last - log.base + 1
    cohort_of = log.first_period - log.base  # -1 for customers with only returns
    sizes = np.bincount(cohort_of[cohort_of >= 0], minlength=n_periods)
    if value == "customers":
        active = log.tx.purchase_periods(freq)
        cohort = cohort_of[active.code]
        return _cohort_table(log, sizes, cohort, active.value - log.base - cohort, None, value, normalize)
    cohort = cohort_of[log.customer]
    has_cohort = cohort >= 0
    if not has_cohort.all():
        n_left = int(np.count_nonzero(cohort_of < 0))
        warnings.warn(
            f"cohort_retention: left out {int((~has_cohort).sum())} row(s) of {n_left} "
            f"customer(s) whose only rows are returns (negative {amount_col!r})",
            DataDroppedWarning,
            stacklevel=2,
        )
    cohort = cohort[has_cohort]
    age = np.maximum(log.period[has_cohort] - log.base - cohort, 0)
    return _cohort_table(log, sizes, cohort, age, log.amount[has_cohort], value, normalize)


def _cohort_table(
    log: _Log,
    sizes: np.ndarray,
    cohort: np.ndarray,
    age: np.ndarray,
    weights: np.ndarray | None,
    value: str,
    normalize: bool,
) -> pd.DataFrame:
    """The cohort table from the cohort (first period - base), age and weight of each
    item (numpy's rows or an engine's cells) and the cohort sizes."""
    n_periods = log.last - log.base + 1
    freq = log.freq
    # Rows are the cohorts present (not every period up to as_of), so a far as_of costs
    # one row per cohort; columns are the ages 0..n_periods-1.
    present = sizes > 0
    first_periods = np.flatnonzero(present)
    n_rows = first_periods.size
    if n_rows * n_periods > MAX_COHORT_CELLS:
        raise SchemaError(
            f"cohort_retention: {n_rows} cohorts x {n_periods} periods (freq={freq!r}, as_of={log.as_of}) "
            f"is more than {MAX_COHORT_CELLS:,} cells; pass a coarser freq or an earlier as_of"
        )
    row_of = np.cumsum(present) - 1  # row of each cohort period
    cells = np.bincount(row_of[cohort] * n_periods + age, weights=weights, minlength=n_rows * n_periods)
    table = cells.reshape(n_rows, n_periods).astype(float)
    observable = np.add.outer(first_periods, np.arange(n_periods)) < n_periods
    table[~observable] = np.nan
    if normalize:
        base = table[:, :1]
        undefined = base[:, 0] <= 0  # net revenue of the first period <= 0
        if undefined.any():
            names = _time.period_index(log.base + first_periods[undefined], freq, "cohort")
            warnings.warn(
                f"cohort_retention: {int(undefined.sum())} cohort(s) have net revenue <= 0 in their "
                f"first period, so revenue retention relative to it is undefined; their rows are NaN "
                f"(pass normalize=False for amounts): {[str(p) for p in names[:5]]}",
                DataDroppedWarning,
                stacklevel=2,
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            table = np.where(base > 0, table / np.where(base > 0, base, 1.0), np.nan)
    cohorts = _time.period_index(log.base + first_periods, freq, "cohort")
    out = pd.DataFrame(
        table,
        index=cohorts,
        columns=pd.RangeIndex(n_periods, name="periods_since_acquisition"),
    )
    out.attrs.update(
        cohort_size=dict(zip(cohorts, sizes[present].tolist(), strict=True)),
        as_of=log.as_of,
        freq=freq,
        value=value,
        normalize=normalize,
    )
    return out


def _period_rate(
    transactions: pd.DataFrame | Transactions,
    rate: str,
    freq: str,
    customer_col: str,
    date_col: str,
    amount_col: str,
    as_of: object,
) -> pd.DataFrame:
    """The retention or churn table: one definition of the base for both rates."""
    log = _log(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=None,
        as_of=as_of,
        freq=freq,
        what=rate,
    )
    n_periods = log.last - log.base + 1
    active = log.tx.purchase_periods(log.freq)  # by customer then period
    customer, period = active.code, active.value - log.base
    active = np.bincount(period, minlength=n_periods)
    # Pairs are sorted by customer then period: a customer active in t-1 and t shows
    # as two neighbours one period apart.
    again = np.zeros(customer.size, dtype=bool)
    again[1:] = (customer[1:] == customer[:-1]) & (period[1:] == period[:-1] + 1)
    retained = np.bincount(period[again], minlength=n_periods)
    base = np.concatenate(([0], active[:-1]))
    count, counted = ("retained", retained) if rate == "retention_rate" else ("churned", base - retained)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base > 0, counted / base, np.nan)
    out = pd.DataFrame(
        {"active": active, "active_previous": base, count: counted, rate: share},
        index=_time.period_index(np.arange(log.base, log.last + 1), log.freq),
    )
    out.attrs.update(as_of=log.as_of, freq=log.freq)
    return out


def retention_rate(
    transactions: pd.DataFrame | Transactions,
    *,
    freq: str = "M",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    as_of: object = None,
) -> pd.DataFrame:
    """Period retention rate (留存率): of the customers active last period, the share active now.

    A customer is *active* in a period when they make a purchase in it. For period
    ``t``: ``active_previous`` = customers active in ``t - 1``; ``retained`` = those of
    them also active in ``t``; ``retention_rate = retained / active_previous`` (NaN
    when nobody was active in ``t - 1``, e.g. the first period). Together with
    :func:`churn_rate` over the same base, ``retention_rate + churn_rate = 1``.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line (or :func:`ecrm.transactions`); negative
        amounts are returns (not activity).
    freq : {"D", "W", "M", "Q", "Y"}
        Calendar period (see :mod:`ecrm._time`).
    customer_col, date_col, amount_col : str
        Column names.
    as_of : date-like, optional
        Snapshot instant; later rows are left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period``: ``active``, ``active_previous``, ``retained``,
        ``retention_rate``.

    References
    ----------
    Farris, P. W. et al. (2010). *Marketing Metrics*, 2nd ed., ch. 5 (retention rate).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 2, 1, 3, 3],
    ...     "order_date": ["2024-01-05", "2024-01-09", "2024-02-01", "2024-02-03", "2024-03-08"],
    ...     "amount": [10.0, 10.0, 10.0, 10.0, 10.0],
    ... })
    >>> ecrm.metrics.retention_rate(tx)
             active  active_previous  retained  retention_rate
    period
    2024-01       2                0         0             NaN
    2024-02       2                2         1             0.5
    2024-03       1                2         1             0.5
    """
    return _period_rate(transactions, "retention_rate", freq, customer_col, date_col, amount_col, as_of)


def churn_rate(
    transactions: pd.DataFrame | Transactions,
    *,
    freq: str = "M",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    as_of: object = None,
) -> pd.DataFrame:
    """Period churn rate (流失率): of the customers active last period, the share not active now.

    For period ``t``: ``active_previous`` = customers with a purchase in ``t - 1``;
    ``churned`` = those of them without a purchase in ``t``;
    ``churn_rate = churned / active_previous = 1 - retention_rate`` (NaN when nobody
    was active in ``t - 1``). This is the non-contractual, period-to-period churn of
    e-commerce practice; a churned customer may come back later.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line (or :func:`ecrm.transactions`); negative
        amounts are returns (not activity).
    freq : {"D", "W", "M", "Q", "Y"}
        Calendar period (see :mod:`ecrm._time`).
    customer_col, date_col, amount_col : str
        Column names.
    as_of : date-like, optional
        Snapshot instant; later rows are left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period``: ``active``, ``active_previous``, ``churned``,
        ``churn_rate``.

    References
    ----------
    Farris, P. W. et al. (2010). *Marketing Metrics*, 2nd ed., ch. 5 (retention and
    churn rates).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 2, 1, 3, 3],
    ...     "order_date": ["2024-01-05", "2024-01-09", "2024-02-01", "2024-02-03", "2024-03-08"],
    ...     "amount": [10.0, 10.0, 10.0, 10.0, 10.0],
    ... })
    >>> ecrm.metrics.churn_rate(tx)["churn_rate"].tolist()
    [nan, 0.5, 0.5]
    """
    return _period_rate(transactions, "churn_rate", freq, customer_col, date_col, amount_col, as_of)


def _first_two_orders(log: _Log) -> tuple[np.ndarray, np.ndarray]:
    """Per customer code: day of the first order and of the second (-1 when none).

    An order's day is the day of its earliest line.
    """
    orders = log.tx.orders()  # sorted by customer, then day
    code = orders.code
    first_at, n = _keys.runs(code)
    customer = code[first_at]
    first_day = np.full(len(log.ids), -1, dtype=np.int64)
    first_day[customer] = orders.value_at(first_at)
    second_day = np.full(len(log.ids), -1, dtype=np.int64)
    has_second = n >= 2
    second_day[customer[has_second]] = orders.value_at(first_at[has_second] + 1)
    return first_day, second_day


def repurchase_rate(
    transactions: pd.DataFrame | Transactions,
    *,
    window_days: int | None = None,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    as_of: object = None,
) -> float:
    """Repurchase rate (复购率): share of customers with a second order.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line (or :func:`ecrm.transactions`); negative
        amounts are returns (not orders).
    window_days : int, optional
        When None, the share of customers with two or more orders on or before
        ``as_of``. When given, the share of customers whose second order comes at most
        ``window_days`` calendar days after their first; only customers whose first
        order is at least ``window_days`` days before ``as_of`` (so the whole window is
        observed) are counted.
    customer_col, date_col, amount_col, order_col : str
        Column names; orders are as in :func:`ecrm.customer_summary`.
    as_of : date-like, optional
        Snapshot instant; later rows are left out.

    Returns
    -------
    float
        The rate (NaN when no customer has a fully observed window).

    References
    ----------
    Farris, P. W. et al. (2010). *Marketing Metrics*, 2nd ed. (repeat rate).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 2, 2, 3],
    ...     "order_date": ["2024-01-01", "2024-01-20", "2024-01-02", "2024-03-01", "2024-01-05"],
    ...     "amount": [10.0, 10.0, 10.0, 10.0, 10.0],
    ... })
    >>> ecrm.metrics.repurchase_rate(tx)
    0.666...
    >>> ecrm.metrics.repurchase_rate(tx, window_days=30)
    0.333...
    """
    _schema.number(window_days, "window_days", "repurchase_rate", low=0, none=True)
    log = _log(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        as_of=as_of,
        freq="D",
        what="repurchase_rate",
    )
    first_day, second_day = _first_two_orders(log)
    bought = first_day >= 0
    if window_days is None:
        return float(np.mean(second_day[bought] >= 0))
    eligible = bought & (first_day + window_days <= log.last)
    if not eligible.any():
        return float("nan")
    within = (second_day >= 0) & (second_day - first_day <= window_days)
    return float(np.mean(within[eligible]))


def time_to_second_purchase(
    transactions: pd.DataFrame | Transactions,
    *,
    per_customer: bool = False,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    as_of: object = None,
) -> pd.DataFrame:
    """Days from first to second order, with a Kaplan-Meier estimate censored at ``as_of``.

    A customer without a second order by ``as_of`` is right-censored at
    ``as_of - first order`` days: they may still come back, so ignoring them (or
    counting them as never returning) would bias the distribution.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line (or :func:`ecrm.transactions`); negative
        amounts are returns (not orders).
    per_customer : bool
        Return the per-customer durations instead of the Kaplan-Meier table.
    customer_col, date_col, amount_col, order_col : str
        Column names; orders are as in :func:`ecrm.customer_summary`.
    as_of : date-like, optional
        Snapshot instant (the censoring date); later rows are left out.

    Returns
    -------
    pandas.DataFrame
        By default the Kaplan-Meier table indexed by ``days`` (each distinct duration):
        ``at_risk`` (customers still without a second order just before), ``second_orders``
        (events), ``censored``, ``survival`` = prod over t' <= t of
        ``1 - second_orders / at_risk`` (share still without a second order after ``t``
        days) and ``repurchased = 1 - survival``. ``attrs["median_days"]`` is the first
        ``days`` with ``survival <= 0.5`` (NaN if never reached). With
        ``per_customer=True``: indexed by customer id, ``first_order``, ``days`` and
        ``observed`` (False = censored).

    References
    ----------
    Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete
    observations. *Journal of the American Statistical Association* 53(282), 457-481.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 2, 2, 3, 4],
    ...     "order_date": ["2024-01-01", "2024-01-11", "2024-01-01", "2024-01-31",
    ...                    "2024-01-11", "2024-01-31"],
    ...     "amount": [10.0] * 6,
    ... })
    >>> ecrm.metrics.time_to_second_purchase(tx)
          at_risk  second_orders  censored  survival  repurchased
    days
    0           4              0         1  1.000000     0.000000
    10          3              1         0  0.666667     0.333333
    20          2              0         1  0.666667     0.333333
    30          1              1         0  0.000000     1.000000
    """
    log = _log(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        as_of=as_of,
        freq="D",
        what="time_to_second_purchase",
    )
    first_day, second_day = _first_two_orders(log)
    bought = first_day >= 0
    observed = second_day[bought] >= 0
    days = np.where(observed, second_day[bought], log.last) - first_day[bought]
    if per_customer:
        first = pd.DatetimeIndex(first_day[bought].astype("datetime64[D]"))
        return pd.DataFrame(
            {"first_order": first, "days": days, "observed": observed},
            index=log.ids[bought].rename(customer_col),
        )
    times, position = np.unique(days, return_inverse=True)
    events = np.bincount(position, weights=observed).astype(np.int64)
    total = np.bincount(position)
    at_risk = np.cumsum(total[::-1])[::-1]
    survival = np.cumprod(1.0 - events / at_risk)
    out = pd.DataFrame(
        {
            "at_risk": at_risk,
            "second_orders": events,
            "censored": total - events,
            "survival": survival,
            "repurchased": 1.0 - survival,
        },
        index=pd.Index(times, name="days"),
    )
    reached = np.flatnonzero(survival <= 0.5)
    out.attrs.update(
        as_of=log.as_of,
        median_days=float(times[reached[0]]) if reached.size else float("nan"),
        n_customers=int(bought.sum()),
    )
    return out
