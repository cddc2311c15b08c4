"""Customer lifecycle stages: where every customer stands on a date, and how the base moves.

A customer's stage as of a snapshot day depends only on their purchase days on or
before it (whole calendar days, as ``recency_days`` in :func:`ecrm.customer_summary`).
All rules read "within *N* days" as "at most *N* days before the snapshot day", so a
purchase made exactly *N* days ago is within *N* days. For a customer with at least one
purchase, the first rule that holds decides the stage:

1. ``churned``: last purchase more than ``churn_days`` ago;
2. ``at_risk``: last purchase more than ``active_days`` ago (and at most ``churn_days``);
3. ``new``: first purchase within ``new_days``;
4. ``reactivated``: came back within ``active_days``: the purchase that ended the most
   recent gap longer than ``churn_days`` between consecutive purchase days was made
   within ``active_days`` (a gap of exactly ``churn_days`` is not a lapse);
5. ``loyal``: at least ``loyal_orders`` orders within ``loyal_window_days``;
6. ``active``: otherwise (so every customer in 3 to 6 bought within ``active_days``).

With a customers table (ids and signup dates), customers who signed up on or before
the snapshot day and have not bought are ``prospect``. An *order* is a distinct
purchase day, or a distinct order id when ``order_col`` is given (the order counted on
its first day), as ``n_orders`` in :func:`ecrm.customer_summary`. Rows with a negative
amount are returns and never purchases.

Everything is vectorised: purchase days are kept sorted by customer then day, and
for a set of snapshot days one ``bincount`` and a cumulative sum give every customer's
number of purchase days (and orders) up to each snapshot, from which their last
purchase and stage follow by indexing, with no Python loop over customers.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import _engine, _labels, _schema, _time
from .errors import DataDroppedWarning, SchemaError
from .transactions import EngineTransactions, Transactions, as_transactions

__all__ = [
    "STAGES",
    "LifecycleWindows",
    "history",
    "stage",
    "stage_counts",
    "suggest_windows",
    "transitions",
]

#: Stage keys in display order (the order of the categories of every stage column).
STAGES = tuple(_labels.LIFECYCLE_STAGES)
_CODE = {key: np.int8(i) for i, key in enumerate(STAGES)}
_NONE = np.int8(-1)  # not a customer on that day: no purchase and not a prospect


@dataclass(frozen=True)
class LifecycleWindows:
    """The windows (in days) and the order count that define the lifecycle stages.

    Parameters
    ----------
    new_days : int
        A customer whose first purchase is at most this many days old is ``new``.
    active_days : int
        A customer who bought within this many days is new, reactivated, loyal or active;
        after it, ``at_risk``.
    churn_days : int
        A customer whose last purchase is more than this many days old is ``churned``;
        a gap longer than this between two purchases is a lapse (for ``reactivated``).
    loyal_orders : int
        Orders within ``loyal_window_days`` that make a recent customer ``loyal``.
    loyal_window_days : int
        The look-back window for ``loyal_orders``.

    Raises
    ------
    ecrm.errors.SchemaError
        A value that is not a positive integer, ``loyal_orders < 1``, or windows not
        ordered ``new_days <= active_days <= churn_days``.

    References
    ----------
    Blattberg, R. C., Kim, B.-D. and Neslin, S. A. (2008). *Database Marketing*,
    ch. 22-24 (recency windows for activity and churn).

    Examples
    --------
    >>> from ecrm.lifecycle import LifecycleWindows
    >>> LifecycleWindows(new_days=14)
    LifecycleWindows(new_days=14, active_days=90, churn_days=180, loyal_orders=3, loyal_window_days=365)
    >>> LifecycleWindows(active_days=200)
    Traceback (most recent call last):
    ...
    ecrm.errors.SchemaError: lifecycle windows must satisfy new_days <= active_days <= churn_days; got ...
    """

    new_days: int = 30
    active_days: int = 90
    churn_days: int = 180
    loyal_orders: int = 3
    loyal_window_days: int = 365

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            object.__setattr__(
                self, field.name, _schema.integer(value, field.name, "lifecycle windows", low=1)
            )
        if not self.new_days <= self.active_days <= self.churn_days:
            raise SchemaError(
                "lifecycle windows must satisfy new_days <= active_days <= churn_days; got "
                f"new_days={self.new_days}, active_days={self.active_days}, churn_days={self.churn_days}"
            )


def _windows(windows: LifecycleWindows | Mapping[str, int] | None) -> LifecycleWindows:
    """Accept None (defaults), a LifecycleWindows or a dict of some of its fields."""
    if windows is None:
        return LifecycleWindows()
    if isinstance(windows, LifecycleWindows):
        return windows
    if isinstance(windows, Mapping):
        names = [f.name for f in dataclasses.fields(LifecycleWindows)]
        unknown = sorted(str(k) for k in windows if k not in names)
        if unknown:
            raise SchemaError(f"lifecycle windows: unknown key(s) {unknown}; expected some of {names}")
        return LifecycleWindows(**windows)
    raise SchemaError(f"windows must be a LifecycleWindows, a dict or None, got {type(windows).__name__}")


@dataclass(frozen=True)
class _Book:
    """Every customer's distinct purchase days, sorted by customer then day."""

    ids: pd.Index
    key_code: np.ndarray  # customer code of each purchase day
    key_day: np.ndarray  # the day of each purchase day
    comeback: np.ndarray  # per key: position of the purchase that ended the lapse of its spell, -1 if none
    event_code: np.ndarray | None  # orders (on their first day) when order_col is given, else None:
    event_day: np.ndarray | None  # the purchase days are the orders
    block_start: np.ndarray  # per customer: position of their first key
    signup_day: np.ndarray | None  # per customer: signup day (int64 max when not in the table)
    as_of_day: np.int64


def _book(
    transactions: object,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    order_col: str | None,
    as_of: object,
    customers: pd.DataFrame | None,
    signup_col: str,
    windows: LifecycleWindows,
) -> tuple[_Book, Transactions]:
    tx = as_transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
    ).upto(as_of)
    ids = tx.ids
    tx_code = None  # code of each of the log's customers among ids, when a table adds prospects
    signup_day = None
    if customers is not None:
        table_ids, signup = _customers_table(customers, signup_col, tx)
        table_codes, ids = _schema.factorize_ids(table_ids)
        ids = ids.rename(tx.customer_col)
        tx_code = ids.get_indexer(tx.ids)  # increasing: both are sorted
        signup_day = np.full(len(ids), np.iinfo(np.int64).max)
        signup_day[table_codes] = _schema.day_number(signup)
    n_customers = len(ids)
    as_of_day = tx.as_of_day

    tx.require_purchases()
    days = tx.purchase_periods("D")
    key_code = days.code
    if tx_code is not None:
        key_code = tx_code[key_code]
    counts = np.bincount(key_code, minlength=n_customers)
    block_start = np.cumsum(counts) - counts

    # A spell opens at a customer's first purchase day or after a gap > churn_days; in the
    # second case its opening purchase is a comeback. Each key points to its spell's opening.
    gaps = days.gaps()
    lapse = gaps > windows.churn_days
    opening = lapse | (gaps < 0)
    spell_start = np.maximum.accumulate(np.where(opening, np.arange(len(days)), 0))
    comeback = np.where(lapse[spell_start], spell_start, -1)

    event_code = event_day = None
    if tx.order is not None:
        orders = tx.orders()
        event_code = orders.code
        if tx_code is not None:
            event_code = tx_code[event_code]
        event_day = orders.value

    only_returns = np.zeros(n_customers, dtype=bool)
    only_returns[np.arange(len(tx.ids)) if tx_code is None else tx_code] = True
    only_returns &= counts == 0
    if signup_day is not None:
        only_returns &= signup_day > as_of_day  # signed-up non-buyers are prospects
    if only_returns.any():
        warnings.warn(
            f"lifecycle: left out {int(only_returns.sum())} customer(s) whose only rows on or "
            f"before as_of are returns (negative {tx.mapping.amount_label}), so they have no stage; "
            f"e.g. {list(ids[only_returns][:5])}",
            DataDroppedWarning,
            stacklevel=3,
        )
    book = _Book(
        ids, key_code, days.value, comeback, event_code, event_day, block_start, signup_day, as_of_day
    )
    return book, tx


def _customers_table(customers: object, signup_col: str, tx: Transactions) -> tuple[pd.Series, pd.Series]:
    """Validated ids and signup dates; every transacting customer must be in the table."""
    table_ids, signup, unknown = _checked_customers(customers, signup_col, tx.customer_col, tx.ids)
    if unknown.any():
        raise tx.bad_rows(tx.customer_col, "has ids missing from the customers table", unknown[tx.codes])
    return table_ids, signup


def _checked_customers(
    customers: object, signup_col: str, customer_col: str, ids: pd.Index
) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """A customers table's validated ids and signup dates, and which of the transacting
    customers ``ids`` it lacks."""
    what = "customers"
    frame = _schema.check_frame(customers, what)
    if customer_col not in frame.columns and customer_col in frame.index.names:
        # a per-customer table, indexed by the id as every ecrm table is
        frame = frame.reset_index(level=customer_col)
    _schema.require_columns(frame, [customer_col, signup_col], what)
    table_ids = _schema.ids(frame, customer_col, what)
    signup = _schema.dates(frame, signup_col, what)
    duplicated = table_ids.duplicated(keep=False).to_numpy()
    if duplicated.any():
        raise _schema.bad_rows(what, customer_col, "has duplicate ids", frame, duplicated)
    return table_ids, signup, ~ids.isin(table_ids)


def _counts_through(code: np.ndarray, day: np.ndarray, ends: np.ndarray, n: int) -> np.ndarray:
    """``(len(ends), n)`` counts: per snapshot day, each customer's items dated on or before it.

    One bincount over (first snapshot on or after the item, customer) and a cumulative sum
    over the snapshots: no search per customer and per snapshot.
    """
    slot = np.searchsorted(ends, day, side="left")
    inside = slot < ends.size
    flat = np.bincount(slot[inside] * n + code[inside], minlength=ends.size * n)
    return np.cumsum(flat.reshape(ends.size, n), axis=0, dtype=np.int32)


def _snapshots(book: _Book, ends: np.ndarray, w: LifecycleWindows):
    """Yield ``(code, facts)`` of :func:`_stages_on` for each snapshot day of ``ends`` (sorted)."""
    n = len(book.ids)
    through = _counts_through(book.key_code, book.key_day, ends, n)
    if book.event_code is None:
        event_code, event_day, event_through = book.key_code, book.key_day, through
    else:
        event_code, event_day = book.event_code, book.event_day
        event_through = _counts_through(event_code, event_day, ends, n)
    # Orders older than the loyal window: dated on or before (snapshot - window - 1).
    too_old = _counts_through(event_code, event_day + w.loyal_window_days + 1, ends, n)
    for i, day in enumerate(ends):  # a handful of snapshots; each step is vectorised
        yield _stages_on(book, day, w, through[i], event_through[i] - too_old[i])


def _stages_on(
    book: _Book, day: np.int64, w: LifecycleWindows, n_through: np.ndarray, n_window: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Stage code of every customer on ``day`` (``_NONE`` if not a customer yet) and the facts.

    ``n_through`` counts each customer's purchase days on or before ``day``, ``n_window``
    their orders within the loyal window.
    """
    n = len(book.ids)
    has = n_through > 0
    last = book.block_start + n_through.astype(np.int64) - 1
    last = np.maximum(last, 0)
    first_day = book.key_day[np.minimum(book.block_start, book.key_day.size - 1)]
    since_first = day - first_day
    since_last = day - book.key_day[last]
    back = book.comeback[last]
    returned = has & (back >= 0)
    since_back = day - book.key_day[back]
    lapse = book.key_day[back] - book.key_day[np.maximum(back - 1, 0)]
    if book.signup_day is None:
        prospect = np.zeros(n, dtype=bool)
    else:
        prospect = ~has & (book.signup_day <= day)
    return _decide(w, prospect, has, since_first, since_last, returned, since_back, lapse, n_window)


def _decide(
    w: LifecycleWindows,
    prospect: np.ndarray,
    has: np.ndarray,
    since_first: np.ndarray,
    since_last: np.ndarray,
    returned: np.ndarray,
    since_back: np.ndarray,
    lapse: np.ndarray,
    n_window: np.ndarray,
) -> tuple[np.ndarray, dict[str, tuple[np.ndarray, np.ndarray | None]]]:
    """Stage codes and facts from each customer's facts on one day (numpy or an engine's)."""
    # Precedence: the first condition that holds wins (see the module docstring).
    code = np.select(
        [
            prospect,
            ~has,
            since_last > w.churn_days,
            since_last > w.active_days,
            since_first <= w.new_days,
            returned & (since_back <= w.active_days),
            n_window >= w.loyal_orders,
        ],
        [
            _CODE["prospect"],
            _NONE,
            _CODE["churned"],
            _CODE["at_risk"],
            _CODE["new"],
            _CODE["reactivated"],
            _CODE["loyal"],
        ],
        default=_CODE["active"],
    ).astype(np.int8)
    facts = {
        "days_since_first": (since_first, ~has),
        "days_since_last": (since_last, ~has),
        "n_orders_in_window": (np.where(has, n_window, 0), None),
        "days_since_comeback": (since_back, ~returned),
        "lapse_days": (lapse, ~returned),
    }
    return code, facts


def _stage_categorical(codes: np.ndarray, lang: str) -> pd.Categorical:
    categories = _labels.categorical([], _labels.LIFECYCLE_STAGES, lang).categories
    return pd.Categorical.from_codes(codes, categories=categories, ordered=True)


def stage(
    transactions: pd.DataFrame | Transactions,
    *,
    as_of: object = None,
    windows: LifecycleWindows | Mapping[str, int] | None = None,
    customers: pd.DataFrame | None = None,
    lang: str = "en",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    order_col: str | None = None,
    signup_col: str = "signup_date",
) -> pd.DataFrame:
    """Lifecycle stage of every customer as of a date, with the facts that decided it.

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        One row per order or order line, or the output of :func:`ecrm.transactions`
        (on an engine, the facts per customer are reduced there and the stage decided here).
    as_of : date-like, optional
        The snapshot instant; later transactions are left out. Defaults to the last
        transaction date. Recorded in ``attrs["as_of"]``.
    windows : LifecycleWindows or dict, optional
        Stage windows; a dict may give some fields (the rest keep their defaults).
    customers : pandas.DataFrame, optional
        Customer table with ``customer_col`` (a column, or the index as in every per-customer
        table) and ``signup_col``. Customers who signed up on
        or before the ``as_of`` day and have not bought are ``prospect``. Every
        transacting customer must be in it.
    lang : {"en", "zh"}
        Language of the stage labels.
    customer_col, date_col, amount_col, order_col, signup_col : str
        Column names. ``amount_col=None`` treats every row as a purchase; otherwise rows
        with a negative amount are returns and never purchases. With ``order_col``,
        orders are distinct order ids; otherwise distinct purchase days.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted; index name ``customer_col``), with columns

        - ``stage``: ordered categorical of the lifecycle stage labels;
        - ``days_since_first``, ``days_since_last``: whole days from the first and the
          last purchase to the ``as_of`` day (``<NA>`` for prospects);
        - ``n_orders_in_window``: orders within ``loyal_window_days``;
        - ``days_since_comeback``: days since the purchase that ended the customer's most
          recent lapse (a gap longer than ``churn_days``), ``<NA>`` if none;
        - ``lapse_days``: the length of that gap.

        ``attrs`` holds ``as_of``, ``windows`` (a dict) and ``n_after_as_of``.

    Raises
    ------
    ecrm.errors.SchemaError
        Invalid windows, ``as_of`` before all data, the usual transaction errors (see
        :func:`ecrm.customer_summary`), a customers table with missing columns, missing
        or duplicate ids, missing signup dates, or transacting ids missing from it.

    Warns
    -----
    ecrm.errors.DataDroppedWarning
        Customers whose only rows are returns have no stage and are left out.

    Notes
    -----
    The stage rules and their precedence are in the module docstring and in
    ``docs/definitions.md``: churned, at risk, new, reactivated, loyal, active, the
    first that holds wins.

    References
    ----------
    Kotler, P. and Keller, K. L. (2016). *Marketing Management*, 15th ed., ch. 5
    (customer acquisition, retention and win-back across the customer life cycle).
    Blattberg, R. C., Kim, B.-D. and Neslin, S. A. (2008). *Database Marketing*,
    ch. 22-24 (acquisition, retention and win-back; recency as the churn signal).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 2, 2, 3, 4, 4, 4],
    ...     "order_date": ["2024-06-20", "2024-01-10", "2024-04-01", "2023-09-01",
    ...                    "2023-01-05", "2024-05-01", "2024-06-01"],
    ...     "amount": 10.0,
    ... })
    >>> st = ecrm.lifecycle.stage(tx, as_of="2024-06-30")
    >>> st[["stage", "days_since_first", "days_since_last", "n_orders_in_window", "lapse_days"]]
                      stage  days_since_first  days_since_last  n_orders_in_window  lapse_days
    customer_id
    1                   New                10               10                   1        <NA>
    2                Active               172               90                   2        <NA>
    3               Churned               303              303                   1        <NA>
    4           Reactivated               542               29                   2         482
    >>> ecrm.lifecycle.stage(tx, as_of="2024-06-30", lang="zh")["stage"].tolist()
    ['新客户', '活跃客户', '流失客户', '回流客户']
    """
    w = _windows(windows)
    _labels.check_lang(lang)
    if isinstance(transactions, EngineTransactions):
        log = transactions
        log.check_mapping(
            customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
        )
        log = log.upto(as_of)
        log.require_purchases()
        facts = _engine.lifecycle_facts(log, w.churn_days, w.loyal_window_days)
        return _engine_stage(log, facts, w, customers, signup_col, lang)
    book, tx = _book(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        as_of=as_of,
        customers=customers,
        signup_col=signup_col,
        windows=w,
    )
    code, facts = next(_snapshots(book, np.array([book.as_of_day]), w))
    ids = pd.Index(book.ids, name=customer_col)
    return _stage_table(code, facts, ids, w, lang, tx.as_of, tx.n_after_as_of)


def _stage_table(
    code: np.ndarray,
    facts: dict[str, tuple[np.ndarray, np.ndarray | None]],
    ids: pd.Index,
    w: LifecycleWindows,
    lang: str,
    as_of: pd.Timestamp,
    n_after_as_of: int,
) -> pd.DataFrame:
    """The table :func:`stage` returns, from the stage codes and facts of :func:`_decide`
    (customers without a stage left out), indexed by ``ids``."""
    keep = code != _NONE
    columns: dict[str, object] = {"stage": _stage_categorical(code[keep], lang)}
    for name, (values, missing) in facts.items():
        if missing is None:
            columns[name] = values[keep]
        else:
            columns[name] = pd.arrays.IntegerArray(values[keep], missing[keep])
    out = pd.DataFrame(columns, index=ids[keep])
    out.attrs.update(as_of=as_of, windows=dataclasses.asdict(w), n_after_as_of=n_after_as_of)
    return out


def _engine_stage(
    log: EngineTransactions,
    facts: pd.DataFrame,
    w: LifecycleWindows,
    customers: pd.DataFrame | None,
    signup_col: str,
    lang: str,
) -> pd.DataFrame:
    """:func:`stage` from the per-customer facts reduced on an engine."""
    customer_col = log.customer_col
    as_of_day = int(_schema.day_number(pd.Series([log.as_of]))[0])
    ids = facts.index
    signup_day = None
    if customers is not None:
        table_ids, signup, unknown = _checked_customers(customers, signup_col, customer_col, ids)
        if unknown.any():
            raise SchemaError(
                f"transactions: column {customer_col!r} has ids missing from the customers table: "
                f"{int(unknown.sum())} customer(s), e.g. {list(ids[unknown][:5])}"
            )
        codes, ids = _schema.factorize_ids(table_ids)
        ids = ids.rename(customer_col)
        signup_day = np.full(len(ids), np.iinfo(np.int64).max)
        signup_day[codes] = _schema.day_number(signup)
        facts = facts.reindex(ids)
    has = facts["first_day"].notna().to_numpy()
    only_returns = ~has & (facts["n_rows"].fillna(0).to_numpy() > 0)
    if signup_day is not None:
        only_returns &= signup_day > as_of_day
    if only_returns.any():
        warnings.warn(
            f"lifecycle: left out {int(only_returns.sum())} customer(s) whose only rows on or "
            f"before as_of are returns (negative {log.mapping.amount_label}), so they have no stage; "
            f"e.g. {list(ids[only_returns][:5])}",
            DataDroppedWarning,
            stacklevel=3,
        )

    def days(name: str) -> np.ndarray:
        return facts[name].fillna(0).to_numpy(dtype=np.int64)

    back_day = days("comeback_day")
    returned = facts["comeback_day"].notna().to_numpy()
    prospect = np.zeros(len(ids), dtype=bool) if signup_day is None else ~has & (signup_day <= as_of_day)
    code, decided = _decide(
        w,
        prospect,
        has,
        as_of_day - days("first_day"),
        as_of_day - days("last_day"),
        returned,
        as_of_day - back_day,
        days("lapse_days"),
        days("n_window").astype(np.int32),  # as the numpy path counts them
    )
    ids = pd.Index(ids, name=customer_col)
    return _stage_table(code, decided, ids, w, lang, log.as_of, log.n_after_as_of)


def history(
    transactions: pd.DataFrame | Transactions,
    *,
    freq: str = "M",
    start: object = None,
    as_of: object = None,
    windows: LifecycleWindows | Mapping[str, int] | None = None,
    customers: pd.DataFrame | None = None,
    lang: str = "en",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    order_col: str | None = None,
    signup_col: str = "signup_date",
) -> pd.DataFrame:
    """Stage of every customer at the end of each period, in long format.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line, or the output of :func:`ecrm.transactions`.
    freq : {"D", "W", "M", "Q", "Y"}
        Calendar periods: days, Monday-to-Sunday weeks (ending on Sunday), months,
        quarters or years.
    start : date-like, optional
        First snapshot is the end of the period containing ``start``. Defaults to the
        period of the first transaction (prospects who signed up earlier appear from
        there, as :func:`stage` needs at least one transaction on or before ``as_of``).
    as_of : date-like, optional
        Last snapshot; later transactions are left out. Defaults to the last transaction
        date. The last period is cut at ``as_of`` when it ends later.
    windows, customers, lang, customer_col, date_col, amount_col, order_col, signup_col
        As in :func:`stage`.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_col``, ``period_end`` (midnight of the period's last day) and
        ``stage`` (ordered categorical), sorted by period end then customer. A customer
        appears from the first period end on which they have a stage. ``attrs`` holds
        ``as_of``, ``freq`` and ``windows``.

    Raises
    ------
    ecrm.errors.SchemaError
        As :func:`stage`, and an unknown ``freq`` or ``start`` after ``as_of``.

    Notes
    -----
    A period end counts every purchase made on that calendar day, so for transactions
    dated at midnight (no time of day) each snapshot equals
    ``stage(transactions, as_of=period_end)``. Purchases are counted per customer and
    period with one ``bincount`` and a cumulative sum over periods; each period end is
    then a few vectorised array operations over all customers, with no loop over them.

    References
    ----------
    Blattberg, R. C., Kim, B.-D. and Neslin, S. A. (2008). *Database Marketing*,
    ch. 22-24 (the customer life cycle followed over time).

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 2],
    ...     "order_date": ["2024-01-15", "2024-02-20", "2024-02-10"],
    ...     "amount": 10.0,
    ... })
    >>> ecrm.lifecycle.history(tx, freq="M", as_of="2024-04-30")
       customer_id period_end   stage
    0            1 2024-01-31     New
    1            1 2024-02-29  Active
    2            2 2024-02-29     New
    3            1 2024-03-31  Active
    4            2 2024-03-31  Active
    5            1 2024-04-30  Active
    6            2 2024-04-30  Active
    """
    _time.check_freq(freq)
    w = _windows(windows)
    _labels.check_lang(lang)
    book, tx = _book(
        transactions,
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        as_of=as_of,
        customers=customers,
        signup_col=signup_col,
        windows=w,
    )
    first_day = tx.day.min()
    if start is not None:
        start_ts = _schema.timestamp(start, tx.date, "start", "history")
        if start_ts > tx.as_of:
            raise SchemaError(f"history: start={start_ts} is after as_of={tx.as_of}")
        first_day = _schema.day_number(pd.Series([start_ts]))[0]
    ordinals = np.arange(
        _time.period_ordinal(np.array([first_day]), freq)[0],
        _time.period_ordinal(np.array([book.as_of_day]), freq)[0] + 1,
    )
    ends = np.minimum(_time.period_end_day(ordinals, freq), book.as_of_day)

    customer_codes, stage_codes, end_index = [], [], []
    for i, (code, _) in enumerate(_snapshots(book, ends, w)):
        present = np.flatnonzero(code != _NONE)
        customer_codes.append(present)
        stage_codes.append(code[present])
        end_index.append(np.full(present.size, i, dtype=np.int32))
    rows = np.concatenate(customer_codes)
    out = pd.DataFrame(
        {
            customer_col: book.ids.take(rows),
            "period_end": _time.day_timestamps(ends, tx.date).take(np.concatenate(end_index)),
            "stage": _stage_categorical(np.concatenate(stage_codes), lang),
        }
    )
    out.attrs.update(as_of=tx.as_of, freq=freq, windows=dataclasses.asdict(w))
    return out


def stage_counts(history_frame: pd.DataFrame) -> pd.DataFrame:
    """Customers per stage per period, from the output of :func:`history`.

    Parameters
    ----------
    history_frame : pandas.DataFrame
        Output of :func:`history` (columns ``period_end`` and ``stage``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period_end``, one column per stage (every stage, in stage order,
        zeros where no customer is in it).

    Raises
    ------
    ecrm.errors.SchemaError
        A frame without ``period_end`` and ``stage`` columns.

    References
    ----------
    Blattberg, R. C., Kim, B.-D. and Neslin, S. A. (2008). *Database Marketing*, ch. 22.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 2],
    ...     "order_date": ["2024-01-15", "2024-02-20", "2024-02-10"],
    ...     "amount": 10.0,
    ... })
    >>> h = ecrm.lifecycle.history(tx, as_of="2024-04-30")
    >>> ecrm.lifecycle.stage_counts(h)[["New", "Active"]]
    stage       New  Active
    period_end
    2024-01-31    1       0
    2024-02-29    1       1
    2024-03-31    0       2
    2024-04-30    0       2
    """
    frame = _schema.check_frame(history_frame, "history")
    _schema.require_columns(frame, ["period_end", "stage"], "history")
    if not isinstance(frame["stage"].dtype, pd.CategoricalDtype):
        raise SchemaError("history: column 'stage' must be the categorical returned by lifecycle.history")
    counts = frame.groupby(["period_end", "stage"], observed=False).size().unstack("stage", fill_value=0)
    return counts.astype(np.int64)


def transitions(
    transactions: pd.DataFrame | Transactions,
    *,
    start: object,
    end: object,
    normalize: bool = False,
    windows: LifecycleWindows | Mapping[str, int] | None = None,
    customers: pd.DataFrame | None = None,
    lang: str = "en",
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    order_col: str | None = None,
    signup_col: str = "signup_date",
) -> pd.DataFrame:
    """Stage-at-start by stage-at-end matrix: how the customer base moved between two dates.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line, or the output of :func:`ecrm.transactions`.
    start, end : date-like
        The two snapshots (``start < end``), each as the ``as_of`` of :func:`stage`.
    normalize : bool
        False: counts of customers. True: shares of each starting stage (rows sum to 1;
        a row of a stage nobody was in is NaN).
    windows, customers, lang, customer_col, date_col, amount_col, order_col, signup_col
        As in :func:`stage`.

    Returns
    -------
    pandas.DataFrame
        Rows: stage at ``start``; columns: stage at ``end``; every stage on both axes in
        stage order. Customers without a stage at ``start`` who have one at ``end``
        (first purchase, or signup, after ``start``) are counted in the ``prospect`` row:
        they were not yet customers. So each row sums to the number of customers in that
        starting stage (for ``prospect``: prospects at start plus customers acquired
        between the two dates), and the whole matrix to the customers at ``end``.
        ``attrs`` holds ``start``, ``end`` and ``windows``.

    Raises
    ------
    ecrm.errors.SchemaError
        As :func:`stage`, and ``start`` not before ``end`` or ``start`` before all data.

    References
    ----------
    Pfeifer, P. E. and Carraway, R. L. (2000). Modeling customer relationships as Markov
    chains. *Journal of Interactive Marketing* 14(2), 43-55.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": [1, 1, 2, 3],
    ...     "order_date": ["2024-01-05", "2024-05-20", "2024-01-20", "2024-05-01"],
    ...     "amount": 10.0,
    ... })
    >>> m = ecrm.lifecycle.transitions(tx, start="2024-01-31", end="2024-06-30")
    >>> m.loc[["Prospect", "New"], ["New", "Active", "At risk"]]
    end_stage    New  Active  At risk
    start_stage
    Prospect       0       1        0
    New            0       1        1
    """
    tx = as_transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
    )
    start_ts = _schema.timestamp(start, tx.date, "start", "transitions")
    end_ts = _schema.timestamp(end, tx.date, "end", "transitions")
    if not start_ts < end_ts:
        raise SchemaError(f"transitions: start={start_ts} must be before end={end_ts}")
    if start_ts < tx.first_date:
        raise SchemaError(
            f"transitions: start={start_ts} is before the first transaction ({tx.first_date}); "
            "every customer would start as a prospect"
        )
    kwargs = dict(windows=windows, customers=customers, lang=lang, signup_col=signup_col)
    at_end = stage(tx, as_of=end_ts, **kwargs)["stage"]
    at_start = stage(tx, as_of=start_ts, **kwargs)["stage"].reindex(at_end.index)
    prospect = _labels.label(_labels.LIFECYCLE_STAGES, "prospect", lang)
    at_start = at_start.fillna(prospect)
    matrix = pd.crosstab(
        pd.Categorical(at_start),
        pd.Categorical(at_end),
        dropna=False,
        rownames=["start_stage"],
        colnames=["end_stage"],
    )
    categories = at_end.cat.categories
    matrix = matrix.reindex(index=categories, columns=categories, fill_value=0).astype(np.int64)
    matrix.index = pd.CategoricalIndex(matrix.index, categories=categories, ordered=True, name="start_stage")
    matrix.columns = pd.CategoricalIndex(
        matrix.columns, categories=categories, ordered=True, name="end_stage"
    )
    if normalize:
        totals = matrix.sum(axis=1)
        matrix = matrix.div(totals.where(totals > 0), axis=0)
    matrix.attrs.update(start=start_ts, end=end_ts, windows=dataclasses.asdict(_windows(windows)))
    return matrix


def suggest_windows(
    transactions: pd.DataFrame | Transactions,
    *,
    as_of: object = None,
    loyal_orders: int = 3,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
) -> tuple[LifecycleWindows, pd.Series]:
    """Data-driven lifecycle windows from the distribution of repeat-purchase gaps.

    A repeat-purchase gap is the number of days between two consecutive purchase days of
    the same customer; every gap of every customer on or before ``as_of`` is pooled.
    The rule, with percentiles rounded up to whole days:

    - ``new_days`` = 25th percentile: a customer stays new for the shortest quarter of
      repeat cycles;
    - ``active_days`` = median: half of all repeat purchases come sooner;
    - ``churn_days`` = 90th percentile: nine in ten repeat purchases come sooner, so a
      longer silence is unusual enough to call a customer lost;
    - ``loyal_window_days`` = ``(loyal_orders - 1) * active_days``: room for
      ``loyal_orders`` orders at the median pace, i.e. loyal customers buy at least as
      often as the typical repeat buyer.

    Parameters
    ----------
    transactions : pandas.DataFrame or ecrm.Transactions
        One row per order or order line, or :func:`ecrm.transactions` (negative amounts
        are returns and ignored).
    as_of : date-like, optional
        Use transactions on or before it (default: all).
    loyal_orders : int
        Orders that make a customer loyal (kept as given).
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    windows : LifecycleWindows
        The suggested windows, ready for ``stage(..., windows=windows)``.
    gaps : pandas.Series
        The percentiles used (days), indexed ``p25``, ``p50``, ``p90``; ``attrs`` holds
        ``n_gaps`` and ``n_customers`` (customers with at least one repeat purchase).

    Raises
    ------
    ecrm.errors.SchemaError
        The usual transaction errors, or no customer with a repeat purchase.

    References
    ----------
    Blattberg, R. C., Kim, B.-D. and Neslin, S. A. (2008). *Database Marketing*, ch. 24
    (inter-purchase time as the basis of a customer-specific definition of inactivity).

    Examples
    --------
    >>> import ecrm
    >>> windows, gaps = ecrm.lifecycle.suggest_windows(ecrm.datasets.load_cdnow())
    >>> windows
    LifecycleWindows(new_days=12, active_days=34, churn_days=200, loyal_orders=3, loyal_window_days=68)
    >>> gaps.tolist(), gaps.attrs["n_gaps"]
    ([12.0, 34.0, 200.0], ...)
    """
    _schema.integer(loyal_orders, "loyal_orders", "suggest_windows", low=1)
    tx = as_transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col
    ).upto(as_of)
    days = tx.purchase_periods("D")
    every_gap = days.gaps()
    repeat = every_gap >= 0  # a purchase day after the customer's first
    gaps = every_gap[repeat]
    if gaps.size == 0:
        raise SchemaError(
            "suggest_windows: no customer has a repeat purchase; there are no gaps to learn from"
        )
    p25, p50, p90 = np.ceil(np.percentile(gaps, [25, 50, 90])).astype(int)
    new_days, active_days, churn_days = max(p25, 1), max(p50, 1), max(p90, 1)
    windows = LifecycleWindows(
        new_days=new_days,
        active_days=active_days,
        churn_days=churn_days,
        loyal_orders=loyal_orders,
        loyal_window_days=max(loyal_orders - 1, 1) * active_days,
    )
    used = pd.Series(np.percentile(gaps, [25, 50, 90]), index=["p25", "p50", "p90"], name="repeat_gap_days")
    used.attrs.update(n_gaps=int(gaps.size), n_customers=int(np.unique(days.code[repeat]).size))
    return windows, used
