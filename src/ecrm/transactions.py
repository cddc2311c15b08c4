"""``ecrm.transactions``: a shop's transaction data, mapped and validated once.

``ecrm.transactions(data, **mapping)`` is the one place where a user's order lines
become ecrm's: it resolves the column mapping (customer, date, amount or quantity x
price, order id), applies the rules for data as it comes from real shops (non-ISO
dates, guest checkouts without a customer id, cancelled orders, returns, ids read as
floats), validates once and returns an :class:`Transactions`. Every ecrm function that
reads transactions accepts a DataFrame (wrapped once, exactly as here) or a
``Transactions``, and given a ``Transactions`` it re-derives nothing: customer codes,
day numbers, purchase keys, orders and gaps are computed once, on first use, and shared.

The module is callable: ``ecrm.transactions(df, ...)`` is
:func:`ecrm.transactions.transactions`. Inside ecrm, modules turn their argument into a
``Transactions`` with one call, :func:`as_transactions`.
"""

from __future__ import annotations

import inspect
import sys
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _keys, _schema, _time
from .errors import DataDroppedWarning, SchemaError

__all__ = [
    "MISSING_CUSTOMERS",
    "RETURNS",
    "EngineTransactions",
    "TransactionMapping",
    "Transactions",
    "as_transactions",
    "transactions",
]

#: Treatments of rows with a negative amount (returns, refunds, cancelled lines).
RETURNS = ("net", "exclude", "raise")
#: Treatments of rows without a customer id (guest checkouts).
MISSING_CUSTOMERS = ("raise", "drop")
_WHAT = "transactions"


@dataclass(frozen=True)
class TransactionMapping:
    """How a frame's columns map to ecrm's transactions, and the rules applied to them.

    The keywords of :func:`transactions` as one value (a ``Transactions`` keeps the one
    it was built with in ``.mapping``); the CLI's ``--config`` file holds the same keys.
    See :func:`transactions` for their meaning.

    Raises
    ------
    ecrm.errors.SchemaError
        Inconsistent keywords: only one of ``quantity_col`` / ``price_col``, both them
        and an explicit ``amount_col``, ``cancel_prefix`` without ``order_col``, or an
        unknown ``missing_customers`` / ``returns`` value.

    Examples
    --------
    >>> from ecrm.transactions import TransactionMapping
    >>> m = TransactionMapping(quantity_col="Quantity", price_col="UnitPrice")
    >>> m.amount_col is None, list(m.columns())
    (True, ['customer_id', 'order_date', 'Quantity', 'UnitPrice'])
    """

    customer_col: str = "customer_id"
    date_col: str = "order_date"
    amount_col: str | None = "amount"
    order_col: str | None = None
    quantity_col: str | None = None
    price_col: str | None = None
    product_col: str | None = None
    date_format: str | None = None
    dayfirst: bool = False
    missing_customers: str = "raise"
    cancel_prefix: str | None = None
    returns: str = "net"

    def __post_init__(self) -> None:
        _time.check_choice(self.missing_customers, "missing_customers", MISSING_CUSTOMERS)
        _time.check_choice(self.returns, "returns", RETURNS)
        for name in ("customer_col", "date_col"):  # column names
            _schema.text(getattr(self, name), name)
        optional = ("amount_col", "order_col", "quantity_col", "price_col", "product_col")
        for name in (*optional, "date_format", "cancel_prefix"):
            _schema.text(getattr(self, name), name, none=True, empty=True)
        _schema.flag(self.dayfirst, "dayfirst")
        if (self.quantity_col is None) != (self.price_col is None):
            raise SchemaError(
                "give both quantity_col and price_col (amount = quantity x price), or neither; got "
                f"quantity_col={self.quantity_col!r}, price_col={self.price_col!r}"
            )
        if self.quantity_col is not None:
            if self.amount_col not in (None, "amount"):
                raise SchemaError(
                    f"give either amount_col={self.amount_col!r} or quantity_col and price_col, not both"
                )
            object.__setattr__(self, "amount_col", None)
        if self.cancel_prefix is not None and (self.order_col is None or self.cancel_prefix == ""):
            raise SchemaError(
                f"cancel_prefix={self.cancel_prefix!r} marks cancelled order ids; it needs order_col= "
                "(the column of order ids) and a non-empty prefix"
            )

    def columns(self) -> dict[str, str]:
        """The frame columns this mapping reads, each with the keyword that names it."""
        roles = ("customer_col", "date_col", "amount_col", "quantity_col", "price_col", "order_col")
        roles += ("product_col",)
        return {getattr(self, k): k for k in roles if getattr(self, k) is not None}

    @property
    def amount_label(self) -> str:
        """How the amount is read, for messages: ``'amount'`` or ``'Quantity' x 'UnitPrice'``."""
        if self.amount_col is not None:
            return repr(self.amount_col)
        if self.quantity_col is not None:
            return f"{self.quantity_col!r} x {self.price_col!r}"
        return "no amount column (every row a purchase of 0)"


_DEFAULTS = TransactionMapping()
# Cached arrays with one value per row (cut with the rows by upto and apply_returns).
_ROW_KEYS = ("day", "ticks", "purchase", "order_codes", "cancelled")


class Transactions:
    """Validated transactions: one aligned Series per role and the keys every module needs.

    Built by :func:`transactions` (never directly). The user's frame is not copied and
    never changed; the validated columns are new Series.

    Attributes
    ----------
    customer, date, amount, order : pandas.Series
        Aligned Series, one row per kept row of the user's frame (with its index):
        customer ids (integral floats as int64), datetime64 dates, finite float64
        amounts (returns and cancelled lines negative) and order ids (``order`` is None
        without an order column).
    product : pandas.Series or None
        Product ids of product-level rows (order lines), when built with ``product_col``.
    customer_col, date_col, amount_col, order_col, quantity_col, price_col, product_col : str or None
        The user's column names (``amount_col`` is None when amount = quantity x price).
    mapping : TransactionMapping
        Everything :func:`transactions` was given.
    as_of : pandas.Timestamp
        The snapshot: the last date, unless cut by :meth:`upto`.
    n_after_as_of : int
        Rows of the user's frame left out because they fall after ``as_of``.
    source : pandas.DataFrame
        The user's frame (not a copy; ecrm never changes it).
    codes, ids : numpy.ndarray, pandas.Index
        Per row the customer code ``0..n-1``; the sorted distinct ids (``ids[codes]`` is
        each row's customer).
    day, ticks : numpy.ndarray
        Per row the whole day number since 1970-01-01 (local wall time) and the int64
        instant.
    purchase : numpy.ndarray
        Per row ``amount >= 0``: purchases; the other rows are returns.
    positions : numpy.ndarray
        Per row its position in the user's frame (rows left out are missing), so examples
        and extra columns are picked by position, whatever the frame's index.

    Examples
    --------
    >>> import ecrm
    >>> log = ecrm.transactions(ecrm.datasets.load_cdnow_sample())
    >>> len(log), len(log.ids), log.as_of
    (6919, 2357, Timestamp('1998-06-30 00:00:00'))
    >>> log.upto("1997-09-30").n_after_as_of
    1959
    """

    def __init__(
        self,
        *,
        source: pd.DataFrame,
        mapping: TransactionMapping,
        customer: pd.Series,
        date: pd.Series,
        amount: pd.Series,
        order: pd.Series | None,
        product: pd.Series | None,
        positions: np.ndarray | None,
        as_of: pd.Timestamp,
        n_after_as_of: int,
        facts: dict[str, Any],
        cache: dict[str, Any] | None = None,
    ) -> None:
        self.source = source
        self.mapping = mapping
        self.customer = customer
        self.date = date
        self.amount = amount
        self.order = order
        self.product = product
        self._positions = positions
        self.as_of = as_of
        self.n_after_as_of = n_after_as_of
        self._facts = facts
        self._cache: dict[str, Any] = {} if cache is None else cache

    # -- the mapping ----------------------------------------------------------------------
    customer_col = property(lambda self: self.mapping.customer_col, doc="Column of customer ids.")
    date_col = property(lambda self: self.mapping.date_col, doc="Column of dates.")
    amount_col = property(lambda self: self.mapping.amount_col, doc="Column of amounts (or None).")
    order_col = property(lambda self: self.mapping.order_col, doc="Column of order ids (or None).")
    quantity_col = property(lambda self: self.mapping.quantity_col, doc="Column of quantities (or None).")
    price_col = property(lambda self: self.mapping.price_col, doc="Column of unit prices (or None).")
    product_col = property(lambda self: self.mapping.product_col, doc="Column of product ids (or None).")

    def __len__(self) -> int:
        return len(self.customer)

    # -- cached keys ----------------------------------------------------------------------
    def _cached(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def _factorized(self) -> tuple[np.ndarray, pd.Index]:
        def compute() -> tuple[np.ndarray, pd.Index]:
            codes, ids = _schema.factorize_ids(self.customer)
            return codes, ids.rename(self.customer_col)

        return self._cached("factorized", compute)

    @property
    def codes(self) -> np.ndarray:
        """Customer code of every row (``ids[codes]`` are the ids)."""
        return self._factorized()[0]

    @property
    def ids(self) -> pd.Index:
        """Sorted distinct customer ids, named ``customer_col``."""
        return self._factorized()[1]

    @property
    def day(self) -> np.ndarray:
        """Whole day number (days since 1970-01-01, local wall time) of every row."""
        return self._cached("day", lambda: _schema.day_number(self.date))

    @property
    def ticks(self) -> np.ndarray:
        """int64 instant of every row (see :func:`ecrm._time.instants`)."""
        return self._cached("ticks", lambda: _time.instants(self.date))

    @property
    def purchase(self) -> np.ndarray:
        """Mask of purchase rows (``amount >= 0``); the other rows are returns."""
        return self._cached("purchase", lambda: self.amount.to_numpy() >= 0)

    @property
    def has_returns(self) -> bool:
        """Whether any row is a return (negative amount)."""
        return self._cached("has_returns", lambda: not bool(self.purchase.all()))

    @property
    def positions(self) -> np.ndarray:
        """Position of every row in the user's frame."""
        if self._positions is None:
            self._positions = np.arange(len(self.customer))
        return self._positions

    @property
    def order_codes(self) -> np.ndarray | None:
        """Integer code of every row's order id (None without an order column)."""
        if self.order is None:
            return None
        return self._cached("order_codes", lambda: pd.factorize(self.order)[0].astype(np.int64))

    @property
    def first_date(self) -> pd.Timestamp:
        """The earliest date."""
        return self._cached("first_date", lambda: self.date.min())

    @property
    def last_date(self) -> pd.Timestamp:
        """The latest date."""
        return self._cached("last_date", lambda: self.date.max())

    @property
    def as_of_day(self) -> np.int64:
        """The whole day number of ``as_of``."""
        return _schema.day_number(pd.Series([self.as_of]))[0]

    def period(self, freq: str) -> np.ndarray:
        """Calendar period ordinal (see :mod:`ecrm._time`) of every row."""
        _time.check_freq(freq)
        return self._cached(f"period:{freq}", lambda: _time.period_ordinal(self.day, freq))

    def _purchase_rows(self, values: np.ndarray) -> np.ndarray:
        return values[self.purchase] if self.has_returns else values

    def purchase_periods(self, freq: str = "D") -> _keys.Pairs:
        """Every customer's distinct purchase periods: sorted distinct (code, period) pairs.

        With ``freq="D"`` these are the purchase days: their gaps
        (:meth:`ecrm._keys.Pairs.gaps`) are the days between consecutive purchases.
        """
        period = self.period(freq)
        return self._cached(
            f"pairs:{freq}",
            lambda: _keys.Pairs.of(self._purchase_rows(self.codes), self._purchase_rows(period)),
        )

    def orders(self) -> _keys.Pairs:
        """Every order of every customer on the day of its first purchase line, as (code, day).

        An order is a distinct order id of a customer when there is an order column, else
        a distinct purchase day (then this is ``purchase_periods("D")``). Returns are
        never orders. Sorted by customer then day.
        """
        if self.order is None:
            return self.purchase_periods("D")
        return self._cached(
            "orders",
            lambda: _keys.first_per_pair(
                self._purchase_rows(self.codes),
                self._purchase_rows(self.order_codes),
                self._purchase_rows(self.day),
            ),
        )

    def require_purchases(self, what: str = _WHAT) -> None:
        """Refuse a log whose rows (on or before ``as_of``) are all returns."""
        if not self.purchase.any():
            raise SchemaError(
                f"{what}: no purchases (rows with non-negative {self.mapping.amount_label}) on or "
                f"before as_of={self.as_of}; only returns"
            )

    def column(self, name: str, what: str = _WHAT) -> pd.Series:
        """Another column of the user's frame (e.g. a channel to group by), on the kept rows."""
        _schema.require_columns(self.source, [name], what)
        values = self.source[name]
        if self._positions is None and len(values) == len(self):
            return values
        return values.iloc[self.positions]

    def rows(self, mask: np.ndarray | None = None) -> pd.DataFrame:
        """The user's frame on the kept rows (or those of ``mask``), picked by position."""
        where = self.positions if mask is None else self.positions[np.asarray(mask, dtype=bool)]
        return self.source.iloc[where]

    def bad_rows(self, column: str, problem: str, mask: np.ndarray, what: str = _WHAT) -> SchemaError:
        """The usual SchemaError for kept rows selected by ``mask``, with examples from the
        user's frame."""
        return _schema.bad_rows(what, column, problem, self.source, mask, rows=self.positions)

    # -- new logs from this one -----------------------------------------------------------
    def _derive(self, keep: np.ndarray | None, **changes: Any) -> Transactions:
        """A log with the rows of ``keep`` (all when None), sharing the keys computed so far.

        Per-row keys are cut to the kept rows; customer codes are renumbered so that
        every code has a row; keys over pairs are recomputed on demand.
        """
        state = {
            "source": self.source,
            "mapping": self.mapping,
            "customer": self.customer,
            "date": self.date,
            "amount": self.amount,
            "order": self.order,
            "product": self.product,
            "positions": self._positions,
            "as_of": self.as_of,
            "n_after_as_of": self.n_after_as_of,
            "facts": self._facts,
        }
        if keep is None:
            return Transactions(**(state | changes), cache=self._cache.copy())
        cache: dict[str, Any] = {}
        for key, value in self._cache.items():
            if key in _ROW_KEYS or key.startswith("period:"):
                cache[key] = value[keep]
        if "factorized" in self._cache:
            codes, ids = self._cache["factorized"]
            kept = codes[keep]
            present = np.bincount(kept, minlength=len(ids)) > 0
            cache["factorized"] = ((np.cumsum(present) - 1)[kept], ids[present])
        state.update(
            customer=self.customer[keep],
            date=self.date[keep],
            amount=self.amount[keep],
            order=None if self.order is None else self.order[keep],
            product=None if self.product is None else self.product[keep],
            positions=self.positions[keep],
        )
        return Transactions(**(state | changes), cache=cache)

    def upto(self, as_of: object = None, *, what: str = _WHAT) -> Transactions:
        """The log cut at a snapshot: rows dated after ``as_of`` are left out.

        ``as_of=None`` returns the log itself. The keys computed so far are reused, not
        recomputed. ``as_of`` may be later than the last date (the snapshot is then later,
        with no new rows).

        Raises
        ------
        ecrm.errors.SchemaError
            ``as_of`` is not a date, has a time zone the data lack, or is before the
            first transaction.
        """
        if as_of is None:
            return self
        cut = _schema.timestamp(as_of, self.date, "as_of", what)
        if cut < self.first_date:
            raise SchemaError(
                f"{what}: as_of={cut} is before the first transaction ({self.first_date}); "
                "no customer has history at that date"
            )
        if cut >= self.last_date:
            return self._derive(None, as_of=cut)
        keep = self.ticks <= _time.tick(cut, self.date)
        n_cut = int(keep.size - np.count_nonzero(keep))
        return self._derive(keep, as_of=cut, n_after_as_of=self.n_after_as_of + n_cut)

    def apply_returns(self, returns: str, what: str = _WHAT, caller: str = _WHAT) -> Transactions:
        """Apply a ``returns=`` policy (see :func:`transactions`) to the negative rows.

        ``"net"`` keeps them, ``"exclude"`` leaves them out with a
        :class:`~ecrm.errors.DataDroppedWarning`, ``"raise"`` refuses them.
        """
        _time.check_choice(returns, "returns", RETURNS)
        if returns == "net" or not self.has_returns:
            return self
        negative = ~self.purchase
        column = self.amount_col or self.quantity_col or self.customer_col
        if returns == "raise":
            raise self.bad_rows(column, "has negative amounts (returns) and returns='raise'", negative, what)
        warnings.warn(
            f"{caller}: left out {int(negative.sum())} row(s) with negative {self.mapping.amount_label} "
            "(returns='exclude')",
            DataDroppedWarning,
            stacklevel=3,
        )
        facts = self._facts | {
            "returns_excluded": self._facts.get("returns_excluded", 0) + int(negative.sum())
        }
        return self._derive(~negative, facts=facts)

    def check_mapping(self, what: str = _WHAT, **keywords: Any) -> None:
        """Refuse mapping keywords that contradict this log's (keywords left at their
        defaults are not checked: a function passes its defaults)."""
        for name, value in keywords.items():
            default = getattr(_DEFAULTS, name)
            own = getattr(self.mapping, name)
            if value != default and value != own:
                raise SchemaError(
                    f"{what}: {name}={value!r} contradicts the Transactions given, which were built "
                    f"with {name}={own!r}; drop the keyword, or build them again with "
                    "ecrm.transactions(...)"
                )

    # -- what was done --------------------------------------------------------------------
    def describe(self) -> pd.Series:
        """What :func:`transactions` did: rows read, kept and left out, returns, span.

        Returns
        -------
        pandas.Series
            ``rows_read`` (rows of the user's frame), ``rows_kept``,
            ``rows_without_customer`` (left out with ``missing_customers="drop"``) and
            ``their_revenue_share`` (their share of the net amount), ``returns_excluded``,
            ``rows_after_as_of``, ``return_rows`` and ``returns_amount`` (negative rows
            kept, netted), ``cancelled_rows`` (of ``cancel_prefix``), ``customers``,
            ``orders`` (distinct order ids, when given), ``first_date``, ``last_date``,
            ``as_of`` and ``amount`` (how it is read).

        Examples
        --------
        >>> import ecrm
        >>> log = ecrm.transactions(ecrm.datasets.load_cdnow_sample())
        >>> log.describe()[["rows_read", "rows_kept", "customers", "return_rows"]].tolist()
        [6919, 6919, 2357, 0]
        """
        negative = ~self.purchase
        facts = {
            "rows_read": self._facts["rows_read"],
            "rows_kept": len(self),
            "rows_without_customer": self._facts.get("rows_without_customer", 0),
            "their_revenue_share": self._facts.get("their_revenue_share", 0.0),
            "returns_excluded": self._facts.get("returns_excluded", 0),
            "rows_after_as_of": self.n_after_as_of,
            "return_rows": int(negative.sum()),
            "returns_amount": float(self.amount.to_numpy()[negative].sum()),
            "cancelled_rows": int(self._cache["cancelled"].sum()) if "cancelled" in self._cache else 0,
            "customers": len(self.ids),
        }
        if self.order is not None:
            facts["orders"] = int(self.order.nunique())
        facts |= {
            "first_date": self.first_date,
            "last_date": self.last_date,
            "as_of": self.as_of,
            "amount": self.mapping.amount_label,
        }
        return pd.Series(facts, dtype=object, name="transactions")

    def __repr__(self) -> str:
        d = self.describe()
        lines = [
            f"<ecrm.Transactions: {d['rows_kept']:,} of {d['rows_read']:,} rows, "
            f"{d['customers']:,} customers",
            f"  dates {d['first_date']} to {d['last_date']}, as_of {d['as_of']}",
            f"  customer {self.customer_col!r}, date {self.date_col!r}, amount {d['amount']}"
            + (f", order {self.order_col!r}" if self.order_col else "")
            + (f", product {self.product_col!r}" if self.product_col else ""),
        ]
        if d["return_rows"]:
            cancelled = f", {d['cancelled_rows']:,} of them cancelled orders" if d["cancelled_rows"] else ""
            lines.append(f"  {d['return_rows']:,} return rows netted ({d['returns_amount']:,.2f}){cancelled}")
        left = []
        if d["rows_without_customer"]:
            left.append(
                f"{d['rows_without_customer']:,} rows without a customer id "
                f"({d['their_revenue_share']:.1%} of revenue)"
            )
        if d["returns_excluded"]:
            left.append(f"{d['returns_excluded']:,} return rows (returns='exclude')")
        if d["rows_after_as_of"]:
            left.append(f"{d['rows_after_as_of']:,} rows after as_of")
        if left:
            lines.append("  left out: " + "; ".join(left))
        return "\n".join(lines) + ">"


class EngineTransactions:
    """Validated transactions on an engine: DuckDB, Polars, PySpark or Dask.

    Built by :func:`transactions` from a Polars, DuckDB, Spark or Dask frame, or from a
    path or glob of Parquet or CSV files (opened lazily, on DuckDB by default). The
    mapping and the rules are those of :class:`Transactions`, checked on the engine
    (bad rows are reported with example rows fetched from it); nothing is collected.
    The functions that read transactions run their group-by reductions on the engine
    and return what is small: one row per customer, period or pattern.

    Attributes
    ----------
    engine : str
        ``"duckdb"``, ``"polars"``, ``"spark"`` or ``"dask"``.
    mapping : TransactionMapping
        Everything :func:`transactions` was given.
    frame : narwhals.LazyFrame
        The validated rows with canonical columns ``customer_id``, ``order_date``
        (datetime), ``amount`` (float, returns and cancelled lines negative)
        [, ``order_id``, ``product_id``], cut at ``as_of``.
    as_of : pandas.Timestamp
        The snapshot: the last date, unless cut by :meth:`upto`.
    first_date, last_date : pandas.Timestamp
        The earliest and the latest date (on or before ``as_of``).
    n_after_as_of : int
        Rows left out because they fall after ``as_of``.

    Examples
    --------
    >>> import polars as pl, ecrm
    >>> orders = pl.DataFrame({"customer_id": [1, 1, 2], "order_date": ["2024-01-01", "2024-01-09",
    ...                        "2024-01-05"], "amount": [10.0, 20.0, 5.0]})
    >>> log = ecrm.transactions(orders)
    >>> log.engine, log.last_date
    ('polars', Timestamp('2024-01-09 00:00:00'))
    >>> ecrm.customer_summary(log)[["n_orders", "total_spend", "recency_days"]]
                 n_orders  total_spend  recency_days
    customer_id
    1                   2         30.0             0
    2                   1          5.0             4
    """

    def __init__(
        self,
        *,
        frame: Any,
        engine: str,
        mapping: TransactionMapping,
        as_of: pd.Timestamp,
        first_date: pd.Timestamp,
        last_date: pd.Timestamp,
        facts: dict[str, Any],
        n_after_as_of: int = 0,
    ) -> None:
        self.frame = frame
        self.engine = engine
        self.mapping = mapping
        self.as_of = as_of
        self.first_date = first_date
        self.last_date = last_date
        self.n_after_as_of = n_after_as_of
        self._facts = facts

    customer_col = Transactions.customer_col
    date_col = Transactions.date_col
    amount_col = Transactions.amount_col
    order_col = Transactions.order_col
    quantity_col = Transactions.quantity_col
    price_col = Transactions.price_col
    product_col = Transactions.product_col
    check_mapping = Transactions.check_mapping

    @property
    def has_returns(self) -> bool:
        """Whether any row may be a return (negative amount)."""
        return bool(self._facts["return_rows"])

    def to_native(self) -> Any:
        """:attr:`frame` as the engine's own lazy frame (DuckDB relation, Polars LazyFrame, ...)."""
        return self.frame.to_native()

    def _replace(self, **changes: Any) -> EngineTransactions:
        names = ("frame", "engine", "mapping", "as_of", "first_date", "last_date", "n_after_as_of")
        state = {k: getattr(self, k) for k in names} | {"facts": self._facts}
        return EngineTransactions(**(state | changes))

    def collect(self) -> Transactions:
        """The rows as an in-memory :class:`Transactions` (columns named as the user's)."""
        from . import _engine

        m = self.mapping
        names = {
            _engine.CUSTOMER: m.customer_col,
            _engine.DATE: m.date_col,
            _engine.AMOUNT: m.amount_col or "amount",
        }
        if m.order_col:
            names[_engine.ORDER] = m.order_col
        if m.product_col:
            names[_engine.PRODUCT] = m.product_col
        frame = _engine._to_pandas(self.frame).rename(columns=names)
        frame[m.date_col] = frame[m.date_col].astype("datetime64[us]")
        mapping = TransactionMapping(
            customer_col=m.customer_col,
            date_col=m.date_col,
            amount_col=m.amount_col or "amount",
            order_col=m.order_col,
            product_col=m.product_col,
        )
        log = _build(frame, mapping, _WHAT)
        return log.upto(self.as_of) if self.as_of > log.last_date else log

    def upto(self, as_of: object = None, *, what: str = _WHAT) -> EngineTransactions:
        """The log cut at a snapshot (see :meth:`Transactions.upto`); the cut runs on the engine."""
        from . import _engine

        if as_of is None:
            return self
        cut = _schema.timestamp(as_of, pd.Series(dtype="datetime64[us]"), "as_of", what)
        if cut < self.first_date:
            raise SchemaError(
                f"{what}: as_of={cut} is before the first transaction ({self.first_date}); "
                "no customer has history at that date"
            )
        if cut >= self.last_date:
            return self._replace(as_of=cut)
        n_after, last, returns = _engine.cut_facts(self.frame, cut)
        frame = self.frame.filter(_engine.nw().col(_engine.DATE) <= cut.to_pydatetime())
        return self._replace(
            frame=frame,
            as_of=cut,
            last_date=last,
            n_after_as_of=self.n_after_as_of + n_after,
            facts=self._facts | returns,
        )

    def apply_returns(self, returns: str, what: str = _WHAT, caller: str = _WHAT) -> EngineTransactions:
        """Apply a ``returns=`` policy (see :meth:`Transactions.apply_returns`) on the engine."""
        from . import _engine

        _time.check_choice(returns, "returns", RETURNS)
        if returns == "net" or not self.has_returns:
            return self
        return _engine.apply_returns(self, returns, what, caller)

    def require_purchases(self, what: str = _WHAT) -> None:
        """Refuse a log whose rows (on or before ``as_of``) are all returns."""
        from . import _engine

        if self.has_returns and not _engine.has_purchases(self):
            raise SchemaError(
                f"{what}: no purchases (rows with non-negative {self.mapping.amount_label}) on or "
                f"before as_of={self.as_of}; only returns"
            )

    def describe(self) -> pd.Series:
        """What :func:`transactions` did (see :meth:`Transactions.describe`), counted on the engine."""
        from . import _engine

        return _engine.describe(self)

    def __repr__(self) -> str:
        d = self.describe()
        return (
            f"<ecrm.EngineTransactions on {self.engine}: {d['rows_kept']:,} of {d['rows_read']:,} rows, "
            f"{d['customers']:,} customers\n"
            f"  dates {d['first_date']} to {d['last_date']}, as_of {d['as_of']}\n"
            f"  customer {self.customer_col!r}, date {self.date_col!r}, amount {d['amount']}>"
        )


# ---------------------------------------------------------------------------------------
# Building


# Words that mark a column as a candidate for a role, for "did you mean" hints.
_ROLE_WORDS = {
    "customer_col": ("cust", "client", "member", "user", "buyer", "shopper"),
    "date_col": ("date", "time", "day", "created"),
    "amount_col": ("amount", "total", "revenue", "sales", "spend", "value"),
    "order_col": ("order", "invoice", "receipt", "transaction"),
    "product_col": ("product", "stock", "sku", "item", "article"),
}


def _suggest(keyword: str, column: str, available: list[object]) -> dict[str, object]:
    """The fix for a missing column: the nearest column that can play its role, or for
    an amount without one, quantity x price."""
    names = [str(c) for c in available]
    words = _ROLE_WORDS.get(keyword, ())
    fitting = [c for c in names if any(w in c.lower() for w in words)]
    near = _schema.similar_columns(column, names, n=1)
    if near and (near[0] in fitting or not words):
        return {keyword: near[0]}
    if keyword == "amount_col" and not fitting:
        quantity = [c for c in names if "quantity" in c.lower() or "qty" in c.lower()]
        price = [c for c in names if "price" in c.lower()]
        if quantity and price:
            return {"quantity_col": quantity[0], "price_col": price[0]}
    if fitting:
        ranked = _schema.similar_columns(column, fitting, n=1)
        return {keyword: ranked[0] if ranked else fitting[0]}
    return {}


def _amounts(frame: pd.DataFrame, m: TransactionMapping, what: str, rows: np.ndarray | None) -> pd.Series:
    """The amount of each row: the amount column, quantity x price, or zeros."""
    if m.amount_col is not None:
        return _schema.amounts(frame, m.amount_col, what, rows=rows)
    index = frame.index if rows is None else frame.index[rows]
    if m.quantity_col is None:
        return pd.Series(np.zeros(len(index)), index=index, name="amount")
    quantity = _schema.amounts(frame, m.quantity_col, what, rows=rows)
    price = _schema.amounts(frame, m.price_col, what, rows=rows)
    return (quantity * price).rename("amount")


def _loose_amounts(frame: pd.DataFrame, m: TransactionMapping, rows: np.ndarray) -> np.ndarray:
    """Amounts of rows that are left out, for the message only (bad values count as 0)."""

    def number(column: str) -> np.ndarray:
        values = pd.to_numeric(frame[column].iloc[rows], errors="coerce").to_numpy(dtype=float)
        return np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)

    if m.amount_col is not None:
        return number(m.amount_col)
    if m.quantity_col is None:
        return np.zeros(len(rows))
    return number(m.quantity_col) * number(m.price_col)


def _build(data: object, m: TransactionMapping, what: str) -> Transactions:
    """Resolve the mapping, run the rules once and return the validated log."""
    frame = _schema.check_frame(data, what)
    columns = m.columns()
    available = list(frame.columns)
    _schema.require_columns(
        frame,
        list(columns),
        what,
        keywords=columns,
        suggest=lambda keyword, column: _suggest(keyword, column, available),
    )
    facts: dict[str, Any] = {"rows_read": len(frame)}

    # Rule 1: every row has a customer, or guest rows are left out (and said so).
    rows = None
    missing = _schema.missing_ids(frame, m.customer_col)
    if missing.any():
        if m.missing_customers == "raise":
            _schema.ids(frame, m.customer_col, what, fixes={"missing_customers": "drop"})
        rows = np.flatnonzero(~missing)
        if rows.size == 0:
            raise SchemaError(f"{what}: every row lacks a customer id in {m.customer_col!r}; nothing is left")
    customer = frame[m.customer_col] if rows is None else frame[m.customer_col].iloc[rows]
    customer = _schema.integral_ids(customer)  # no id is missing by now
    _schema.one_id_type(customer, frame, m.customer_col, what, rows=rows)
    # Rule 2: dates parse (ISO-8601, or date_format / dayfirst).
    date = _schema.dates(
        frame, m.date_col, what, date_format=m.date_format, dayfirst=m.dayfirst, rows=rows, flag_names=True
    )
    # Rule 3: amounts are finite numbers: the amount column, or quantity x price.
    amount = _amounts(frame, m, what, rows)
    order = _schema.ids(frame, m.order_col, what, rows=rows) if m.order_col is not None else None
    product = _schema.ids(frame, m.product_col, what, rows=rows) if m.product_col is not None else None
    # Rule 4: cancelled orders (ids starting with cancel_prefix) are returns.
    cache = {}
    if m.cancel_prefix is not None:
        cancelled = _schema.cancelled(frame, m.order_col, m.cancel_prefix, rows)
        if cancelled.any():
            values = amount.to_numpy(copy=True)
            values[cancelled] = -np.abs(values[cancelled])
            amount = pd.Series(values, index=amount.index, name=amount.name)
        cache["cancelled"] = cancelled
    if rows is not None:
        dropped = np.flatnonzero(missing)
        lost = float(_loose_amounts(frame, m, dropped).sum())
        total = lost + float(amount.sum())
        share = lost / total if total > 0 else float("nan")
        facts |= {"rows_without_customer": int(dropped.size), "their_revenue_share": share}
        warnings.warn(
            f"{what}: left out {dropped.size:,} of {len(frame):,} row(s) without a customer id "
            f"(missing {m.customer_col!r}, e.g. guest checkouts): {share:.1%} of revenue "
            f"({lost:,.2f} of {total:,.2f}); missing_customers='drop'",
            DataDroppedWarning,
            stacklevel=4,
        )
    log = Transactions(
        source=frame,
        mapping=m,
        customer=customer,
        date=date,
        amount=amount,
        order=order,
        product=product,
        positions=rows,
        as_of=pd.NaT,
        n_after_as_of=0,
        facts=facts,
        cache=cache,
    )
    log.as_of = log.last_date
    # Rule 5: rows with a negative amount are returns: netted, excluded or refused.
    return log.apply_returns(m.returns, what)


def transactions(
    data: pd.DataFrame | Transactions,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    order_col: str | None = None,
    quantity_col: str | None = None,
    price_col: str | None = None,
    product_col: str | None = None,
    date_format: str | None = None,
    dayfirst: bool = False,
    missing_customers: str = "raise",
    cancel_prefix: str | None = None,
    returns: str = "net",
    engine: str | None = None,
    connection: object = None,
) -> Transactions | EngineTransactions:
    """Map and validate transaction data once: the door every ecrm analysis goes through.

    Parameters
    ----------
    data : pandas.DataFrame, Transactions, engine frame or path
        One row per order or order line. A ``Transactions`` is returned unchanged
        (a mapping keyword that contradicts the one it was built with is an error).
        A Polars DataFrame or LazyFrame, a DuckDB relation, a PySpark or a Dask
        DataFrame, or a path, glob or list of Parquet or CSV files (opened lazily on
        ``engine``) gives an :class:`EngineTransactions`: the same rules and errors,
        checked on the engine, whose reductions then run there.
    customer_col, date_col : str
        Columns of the customer id and the order timestamp.
    amount_col : str or None
        Column of the amount (negative for returns). Not used when ``quantity_col`` and
        ``price_col`` are given; ``None`` without them makes every row a purchase of 0.
    order_col : str, optional
        Column of order (invoice) ids: orders are then distinct order ids of a customer,
        otherwise distinct purchase days.
    quantity_col, price_col : str, optional
        Amount = quantity x unit price (both or neither); a negative quantity is a return.
    product_col : str, optional
        Column of product ids, for product-level rows (order lines): what
        :mod:`ecrm.recommend` reads. Products may not be missing.
    date_format : str, optional
        ``strftime`` layout of date strings that are not ISO-8601, e.g.
        ``"%m/%d/%Y %H:%M"`` for ``12/1/2010 8:26``. When dates do not parse, the error
        suggests one.
    dayfirst : bool
        Read ambiguous date strings day first (``01/02/2024`` is 1 February) when no
        ``date_format`` is given.
    missing_customers : {"raise", "drop"}
        Rows without a customer id (guest checkouts): ``"raise"`` (default) refuses them;
        ``"drop"`` leaves them out with a :class:`~ecrm.errors.DataDroppedWarning` saying
        how many rows and what share of revenue.
    cancel_prefix : str, optional
        Order ids starting with it (e.g. ``"C"``) are cancellations: their lines are
        returns (amount made negative). Needs ``order_col``.
    returns : {"net", "exclude", "raise"}
        Rows with a negative amount (returns, refunds, cancelled lines). ``"net"``
        (default): kept, netted into spend, never purchases. ``"exclude"``: left out with
        a ``DataDroppedWarning``. ``"raise"``: a SchemaError.
    engine : {"duckdb", "polars", "spark", "dask"}, optional
        The engine that opens a path (default ``"duckdb"``, which works on data larger
        than memory), or that a pandas frame is handed to; for a native frame, its own
        engine (naming another is an error).
        On an engine, ``dayfirst`` needs ``date_format`` and dates must be naive.
    connection : duckdb.DuckDBPyConnection, optional
        The DuckDB connection that opens a path (e.g. one with
        ``SET memory_limit='2GB'``); by default a new in-memory one.

    Returns
    -------
    Transactions or EngineTransactions
        The validated log; ``repr`` and :meth:`Transactions.describe` say what was done.
        Ids that are whole floats (``12346.0``, as a CSV with missing ids reads them)
        become int64; string ids stay strings. The user's frame is not changed.

    Raises
    ------
    ecrm.errors.SchemaError
        Missing columns (with the nearest names and the keyword to pass), missing ids
        (unless dropped), unparseable dates (with a suggested ``date_format``), missing
        or non-numeric amounts, quantities or prices, mixed time zones, an empty frame,
        inconsistent keywords.

    Warns
    -----
    ecrm.errors.DataDroppedWarning
        Rows without a customer id left out (``missing_customers="drop"``), or returns
        left out (``returns="exclude"``).

    References
    ----------
    Chen, D., Sain, S. L. and Guo, K. (2012). Data mining for the online retail
    industry: A case study of RFM model-based customer segmentation using data mining.
    *Journal of Database Marketing & Customer Strategy Management* 19(3), 197-208 (the
    UCI Online Retail data: invoices, cancellations prefixed "C", guest rows).

    Examples
    --------
    An export in the shape of the UCI Online Retail data: text dates, amounts as quantity x
    unit price, invoices cancelled with a "C", guest checkouts without a customer id:

    >>> import warnings, ecrm
    >>> retail = ecrm.datasets.make_online_retail(n_customers=200, random_state=0)
    >>> retail[["InvoiceNo", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID"]].iloc[[0, 4, 1861]]
         InvoiceNo  Quantity      InvoiceDate  UnitPrice  CustomerID
    0       536365         6  12/1/2010 17:46       5.45         NaN
    4       536366         4  12/3/2010 16:26       0.85     12351.0
    1861   C536521        -2  4/20/2011 15:55       5.30     12398.0
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the guest rows left out: also said in repr
    ...     log = ecrm.transactions(retail, customer_col="CustomerID", date_col="InvoiceDate",
    ...                             order_col="InvoiceNo", quantity_col="Quantity",
    ...                             price_col="UnitPrice", date_format="%m/%d/%Y %H:%M",
    ...                             missing_customers="drop", cancel_prefix="C")
    >>> log
    <ecrm.Transactions: 7,101 of 8,357 rows, 200 customers
      dates 2010-12-03 16:26:00 to 2011-12-09 18:57:00, as_of 2011-12-09 18:57:00
      customer 'CustomerID', date 'InvoiceDate', amount 'Quantity' x 'UnitPrice', order 'InvoiceNo'
      48 return rows netted (-767.40), 48 of them cancelled orders
      left out: 1,256 rows without a customer id (15.2% of revenue)>
    >>> ecrm.customer_summary(log)[["n_orders", "total_spend"]].head(2)
                n_orders  total_spend
    CustomerID
    12346             17      2609.75
    12347              1       292.70
    """
    keywords = {
        "customer_col": customer_col,
        "date_col": date_col,
        "amount_col": amount_col,
        "order_col": order_col,
        "quantity_col": quantity_col,
        "price_col": price_col,
        "product_col": product_col,
        "date_format": date_format,
        "dayfirst": dayfirst,
        "missing_customers": missing_customers,
        "cancel_prefix": cancel_prefix,
        "returns": returns,
    }
    if isinstance(data, (Transactions, EngineTransactions)):
        data.check_mapping(**keywords)
        return data
    if not isinstance(data, pd.DataFrame) or engine is not None:
        from . import _engine

        if engine is not None or _engine.is_path(data) or _engine.engine_of(data) is not None:
            return _engine.build(
                data, TransactionMapping(**keywords), _WHAT, engine=engine, connection=connection
            )
    return _build(data, TransactionMapping(**keywords), _WHAT)


def as_transactions(
    data: object,
    *,
    what: str = _WHAT,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    order_col: str | None = None,
    product_col: str | None = None,
) -> Transactions:
    """The one call a module makes on its transactions argument.

    A ``Transactions`` is returned as it is (keywords that contradict its mapping are an
    error; keywords at their defaults are ignored); a DataFrame is validated with the
    keywords given, exactly as :func:`transactions` would, with messages starting with
    ``what``. An :class:`EngineTransactions` here is a function that runs in memory only:
    the error says to collect it.
    """
    if isinstance(data, EngineTransactions):
        raise SchemaError(
            f"{what}: this function runs in memory and was given transactions on {data.engine}; "
            "pass log.collect() (an ecrm.Transactions), or use a function that runs on the engine "
            "(see the EngineTransactions documentation)"
        )
    if isinstance(data, Transactions):
        data.check_mapping(
            what,
            customer_col=customer_col,
            date_col=date_col,
            amount_col=amount_col,
            order_col=order_col,
            product_col=product_col,
        )
        return data
    mapping = TransactionMapping(
        customer_col=customer_col,
        date_col=date_col,
        amount_col=amount_col,
        order_col=order_col,
        product_col=product_col,
    )
    return _build(data, mapping, what)


class _CallableModule(types.ModuleType):
    """``ecrm.transactions`` is this module and, called, :func:`transactions`."""

    def __call__(self, *args: Any, **kwargs: Any) -> Transactions:
        return transactions(*args, **kwargs)


__signature__ = inspect.signature(transactions)
sys.modules[__name__].__class__ = _CallableModule
