"""Transactions to one row per customer: the hub every per-customer module uses."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import _engine, _keys, _schema, _time
from .errors import DataDroppedWarning
from .transactions import RETURNS, EngineTransactions, Transactions, as_transactions

__all__ = ["RETURNS", "customer_summary"]


def customer_summary(
    transactions: pd.DataFrame | Transactions,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str = "amount",
    order_col: str | None = None,
    as_of: object = None,
    freq: str = "D",
    time_unit: str = "D",
    returns: str = "net",
    native: bool = False,
) -> pd.DataFrame:
    """Summarise transactions into one row per customer.

    Parameters
    ----------
    transactions : pandas.DataFrame, ecrm.Transactions or ecrm.EngineTransactions
        One row per order or order line, or the output of :func:`ecrm.transactions`
        (then the column keywords are not needed). Dates may be datetime64 (naive, or
        aware in one time zone) or ISO-8601 strings; amounts must be numeric and finite.
        On an engine (an :class:`ecrm.EngineTransactions`) the group-bys run there and
        only one row per customer comes back (or none, with ``native=True``).
    customer_col, date_col, amount_col : str
        Column names of the customer id, the order timestamp and the amount.
    order_col : str, optional
        Column of order ids. When given, ``n_orders`` counts distinct order ids;
        otherwise it counts distinct purchase days.
    as_of : date-like, optional
        The snapshot instant. Transactions after it are left out (that is the point of a
        snapshot). Defaults to the last transaction date. Recorded in ``attrs["as_of"]``.
    freq : {"D", "W", "M", "Q", "Y"}
        Calendar period by which purchases are merged for ``frequency``, ``recency``,
        ``T`` and ``monetary_value``: day, Monday-to-Sunday week, month, quarter or year
        (lifetimes' ``freq``).
    time_unit : {"D", "W", "M"}
        Unit of ``recency`` and ``T``: days, weeks (days / 7) or months (days / 30.4375).
        When ``time_unit == freq`` for weeks or months, durations are whole numbers of
        periods, as with lifetimes' ``freq="W"`` or ``freq="M"``.
    returns : {"net", "exclude", "raise"}
        Treatment of rows with a negative amount (returns, refunds). ``"net"`` (default):
        they are netted into the spend of the period they fall in and into
        ``total_spend``, but never count as a purchase, so a period with only returns
        adds no purchase period. ``"exclude"``: they are left out with a
        :class:`~ecrm.errors.DataDroppedWarning`. ``"raise"``: a
        :class:`~ecrm.errors.SchemaError`. Rows with amount 0 are purchases.
    native : bool
        For an :class:`ecrm.EngineTransactions`: return the engine's own lazy frame
        (a DuckDB relation, Polars LazyFrame, Spark or Dask DataFrame, with the customer
        id as column ``customer_id``, unsorted) instead of collecting it to pandas.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted; index name ``customer_col``), with columns

        - ``first_purchase``, ``last_purchase``: timestamps of the first and last purchase;
        - ``n_orders``: number of orders (see ``order_col``);
        - ``total_spend``: sum of amounts (net of returns under ``returns="net"``);
        - ``avg_order_value``: ``total_spend / n_orders``;
        - ``recency_days``, ``tenure_days``: whole calendar days from the last and the
          first purchase to ``as_of``;
        - ``frequency``: number of purchase periods minus one (repeat purchases);
        - ``recency``: last minus first purchase period, in ``time_unit``;
        - ``T``: ``as_of`` minus first purchase period, in ``time_unit``;
        - ``monetary_value``: mean spend over the repeat purchase periods (0 when
          ``frequency`` is 0).

        ``attrs`` holds ``as_of``, ``freq``, ``time_unit`` and ``n_after_as_of``.

    Raises
    ------
    ecrm.errors.SchemaError
        Missing columns, missing ids or dates, unparseable or mixed-zone dates,
        non-numeric or non-finite amounts, an empty frame, ``as_of`` before all data.

    Warns
    -----
    ecrm.errors.DataDroppedWarning
        When returns are excluded, or customers with only returns are left out.

    Notes
    -----
    ``frequency``, ``recency``, ``T`` and ``monetary_value`` follow the convention of
    Fader, Hardie and Lee (2005) and agree with lifetimes'
    ``summary_data_from_transaction_data`` on the same data and settings
    (``freq="D", time_unit="W"`` equals lifetimes' ``freq="D", freq_multiplier=7``).
    The computation is vectorised: the customer codes, day numbers and sorted integer
    (customer, period) keys of the :class:`ecrm.Transactions` (computed once, shared
    with every other function given the same log) and ``bincount`` reductions, with no
    Python loop.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the
    easy way: An alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.

    Examples
    --------
    >>> import pandas as pd, ecrm
    >>> tx = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "order_date": ["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-10"],
    ...     "amount": [10.0, 5.0, 30.0, 8.0],
    ... })
    >>> s = ecrm.customer_summary(tx, as_of="2024-01-31")
    >>> s[["n_orders", "total_spend", "recency_days", "frequency", "recency", "T", "monetary_value"]]
                 n_orders  total_spend  recency_days  frequency  recency     T  monetary_value
    customer_id
    a                   2         45.0            16          1     14.0  30.0            30.0
    b                   1          8.0            21          0      0.0  21.0             0.0
    """
    _time.check_freq(freq)
    _time.check_choice(time_unit, "time_unit", tuple(_time.UNIT_DAYS))
    _time.check_choice(returns, "returns", RETURNS)
    if isinstance(transactions, EngineTransactions):
        return _engine.summary(
            _engine.prepare(
                transactions,
                as_of,
                returns,
                "customer_summary",
                customer_col=customer_col,
                date_col=date_col,
                amount_col=amount_col,
                order_col=order_col,
            ),
            freq=freq,
            time_unit=time_unit,
            native=native,
        )
    tx = as_transactions(
        transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col, order_col=order_col
    ).upto(as_of)
    tx = tx.apply_returns(returns, caller="customer_summary")
    tx.require_purchases()
    codes, ids = tx.codes, tx.ids
    n_customers = len(ids)
    amount = tx.amount.to_numpy()
    periods = tx.period(freq)
    has_returns = tx.has_returns
    negative = ~tx.purchase if has_returns else None

    # Distinct (customer, period) pairs among purchases, as sorted integer keys.
    pairs = tx.purchase_periods(freq)
    n_periods = pairs.counts(n_customers)
    has_purchase = n_periods > 0
    # Pairs are sorted by customer then period: a customer's block starts at its first period.
    block_end = np.cumsum(n_periods)[has_purchase]
    block_start = block_end - n_periods[has_purchase]
    first_period = np.zeros(n_customers, dtype=np.int64)
    last_period = np.zeros(n_customers, dtype=np.int64)
    first_period[has_purchase] = pairs.value_at(block_start)
    last_period[has_purchase] = pairs.value_at(block_end - 1)

    # Spend of repeat purchase periods: rows outside the first period, less returns that
    # fall in a period without any purchase.
    repeat = periods != first_period[codes]
    if has_returns:
        repeat[negative] &= pairs.contains(codes[negative], periods[negative])
    starts = _keys.block_starts(codes)
    repeat_spend = _keys.reduce_by_group(
        np.add, codes, np.where(repeat, amount, 0.0), n_customers, 0.0, starts
    )
    total_spend = _keys.reduce_by_group(np.add, codes, amount, n_customers, 0.0, starts)
    ticks = tx.ticks
    if has_returns:
        p_codes, p_ticks = codes[tx.purchase], ticks[tx.purchase]
        p_starts = _keys.block_starts(p_codes)
    else:
        p_codes, p_ticks, p_starts = codes, ticks, starts
    int64 = np.iinfo(np.int64)
    first_tick = _keys.reduce_by_group(np.minimum, p_codes, p_ticks, n_customers, int64.max, p_starts)
    last_tick = _keys.reduce_by_group(np.maximum, p_codes, p_ticks, n_customers, int64.min, p_starts)
    orders = tx.orders()  # the purchase days themselves when there is no order column
    n_orders = n_periods if orders is pairs else orders.counts(n_customers)

    as_of_day = tx.as_of_day
    as_of_period = _time.period_ordinal(np.array([as_of_day]), freq)[0]
    frequency = n_periods - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_spend / np.maximum(frequency, 1), 0.0)
    first_purchase = _time.from_instants(first_tick[has_purchase], tx.date)
    last_purchase = _time.from_instants(last_tick[has_purchase], tx.date)

    index = ids
    out = pd.DataFrame(
        {
            "first_purchase": first_purchase,
            "last_purchase": last_purchase,
            "n_orders": n_orders[has_purchase],
            "total_spend": total_spend[has_purchase],
            "avg_order_value": total_spend[has_purchase] / n_orders[has_purchase],
            "recency_days": as_of_day - _schema.day_number(pd.Series(last_purchase)),
            "tenure_days": as_of_day - _schema.day_number(pd.Series(first_purchase)),
            "frequency": frequency[has_purchase],
            "recency": _time.duration(first_period, last_period, freq, time_unit)[has_purchase],
            "T": _time.duration(first_period, np.int64(as_of_period), freq, time_unit)[has_purchase],
            "monetary_value": monetary[has_purchase],
        },
        index=index[has_purchase],
    )
    n_only_returns = int(n_customers - has_purchase.sum())
    if n_only_returns:
        warnings.warn(
            f"customer_summary: left out {n_only_returns} customer(s) whose only rows on or "
            f"before as_of are returns (negative {tx.mapping.amount_label}); e.g. "
            f"{list(index[~has_purchase][:5])}",
            DataDroppedWarning,
            stacklevel=2,
        )
    out.attrs.update(as_of=tx.as_of, freq=freq, time_unit=time_unit, n_after_as_of=tx.n_after_as_of)
    return out
