"""What a customer summary is, checked in one place.

A customer summary (the output of :func:`ecrm.customer_summary`) has one row per
customer, indexed by the customer id. Functions that accept one (``rfm.score``,
``clv.CLVModel``) recognise it here, refuse transactions that merely carry summary
columns (``tx.merge(summary)``), and read the time unit of ``recency`` and ``T``.

The time unit is not trusted to metadata alone: ``attrs`` are lost on a CSV round trip
and can be wrong on a hand-edited frame. A summary of ``customer_summary`` also holds
its durations in whole days (``tenure_days``, ``recency_days``), which survive any round
trip, and ``T`` is ``tenure_days`` in the time unit (exactly with ``freq="D"``, within
one period of ``freq`` otherwise); likewise ``recency`` and ``tenure_days -
recency_days``. So the unit is checked against the values, and read from them when
``attrs`` are gone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _time
from .errors import SchemaError

#: Columns of a transaction log under ecrm's default names: a frame with both is
#: transactions, whatever else it carries.
TRANSACTION_COLUMNS = ("order_date", "amount")
#: The day columns of ``customer_summary`` that pin down the time unit of recency and T.
DAY_COLUMNS = ("tenure_days", "recency_days")
# Longest period of each freq in days: how far T in time units may be from tenure_days.
_PERIOD_DAYS = {"D": 0.0, "W": 6.0, "M": 30.0, "Q": 91.0, "Y": 365.0}
# Slack for the drift between calendar months, quarters and years and their mean length.
_SLACK_DAYS = 3.0


def is_transactions(frame: pd.DataFrame, columns: tuple[str, ...] = TRANSACTION_COLUMNS) -> bool:
    """Whether ``frame`` has the columns of transaction rows (a date and an amount)."""
    return all(c in frame.columns for c in columns)


def one_row_per_customer(frame: pd.DataFrame, what: str, customer_col: str = "customer_id") -> None:
    """Refuse a frame that has several rows for one customer, or that is transactions.

    A summary's index has no missing id and is unique; a customer-id column
    (``customer_col`` or one named like the index), if present, does not repeat; and a
    frame with transaction columns (``order_date`` and ``amount``) is transaction rows
    with summary columns joined.
    """
    index = frame.index
    missing = index.isna() if index.nlevels == 1 else np.zeros(len(index), dtype=bool)
    if missing.any():
        raise SchemaError(
            f"{what}: {int(missing.sum())} of {len(frame)} row(s) have a missing customer id (NaN) in "
            "the index; a customer summary is indexed by customer id"
        )
    if not index.is_unique:
        repeated = index[index.duplicated()].unique()
        raise SchemaError(
            f"{what}: the index has {len(repeated)} duplicated customer id(s), e.g. "
            f"{list(repeated[:5])}; a customer summary has one row per customer "
            "(ecrm.customer_summary gives one)"
        )
    for column in dict.fromkeys(c for c in (customer_col, index.name) if c is not None):
        if column in frame.columns and frame[column].duplicated().any():
            counts = frame[column].value_counts()
            raise SchemaError(
                f"{what}: column {column!r} repeats ({len(frame)} rows for {len(counts)} customers, "
                f"e.g. {counts.index.tolist()[0]!r} in {counts.iloc[0]} rows): this looks like transactions "
                "with summary columns joined to them (e.g. tx.merge(summary)); pass the summary "
                "itself, one row per customer indexed by customer id"
            )
    if is_transactions(frame):
        raise SchemaError(
            f"{what}: the frame has transaction columns {list(TRANSACTION_COLUMNS)}: this looks like "
            "transactions with summary columns joined to them (e.g. tx.merge(summary)); pass "
            "ecrm.customer_summary(transactions), one row per customer indexed by customer id"
        )


def _day_values(frame: pd.DataFrame) -> dict[str, np.ndarray] | None:
    """tenure_days, recency_days, recency and T as finite floats, or None if not all usable."""
    columns = (*DAY_COLUMNS, "recency", "T")
    if not all(c in frame.columns for c in columns):
        return None
    out = {}
    for column in columns:
        values = frame[column]
        if isinstance(values, pd.DataFrame) or not pd.api.types.is_numeric_dtype(values):
            return None
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        if not np.isfinite(arr).all():
            return None
        out[column] = arr
    return out


def _misfit(days: dict[str, np.ndarray], unit: str) -> np.ndarray:
    """Per row, how many days ``T`` and ``recency`` in ``unit`` are from the day columns."""
    length = _time.UNIT_DAYS[unit]
    off_t = np.abs(days["T"] * length - days["tenure_days"])
    span = days["tenure_days"] - days["recency_days"]  # first to last purchase, in days
    return np.maximum(off_t, np.abs(days["recency"] * length - span))


def _exact_units(days: dict[str, np.ndarray]) -> list[str]:
    """The units in which recency and T equal the day columns (a ``freq="D"`` summary)."""
    return [u for u in _time.UNIT_DAYS if (_misfit(days, u) <= 1e-6 * (1 + days["tenure_days"])).all()]


def time_unit(frame: pd.DataFrame, declared: str | None, what: str, *, required: bool = True) -> str | None:
    """The time unit of ``recency`` and ``T``: from ``attrs``, ``declared`` or the values.

    ``attrs["time_unit"]`` (set by ``customer_summary``) and ``declared`` (a model's
    ``time_unit=``) must agree with each other and with the day columns when the frame
    has them. Without either, the unit is read from the day columns when exactly one
    unit fits them exactly (a ``freq="D"`` summary after a CSV round trip); otherwise,
    when ``required``, it is an error: a summary is never read in a default unit.
    """
    known = frame.attrs.get("time_unit")
    if known is not None:
        _time.check_choice(known, "attrs['time_unit']", tuple(_time.UNIT_DAYS))
    if known is not None and declared is not None and known != declared:
        raise SchemaError(
            f"{what}: time_unit {known!r} (from attrs) differs from the model's {declared!r}; "
            f"summarise with time_unit={declared!r}"
        )
    unit = known if known is not None else declared
    days = _day_values(frame)
    if days is not None:
        exact = _exact_units(days)
        if unit is None:
            unit = exact[0] if len(exact) == 1 else None
        else:
            freq = frame.attrs.get("freq") if known is not None else None
            if freq in _PERIOD_DAYS:  # within one period of freq
                tolerance = _PERIOD_DAYS[freq] + _SLACK_DAYS
            elif exact:  # freq unknown, and the values fit some unit exactly: they are in it
                tolerance = 1e-6 * (1 + days["tenure_days"])
            else:  # freq unknown: within a year at most
                tolerance = _PERIOD_DAYS["Y"] + _SLACK_DAYS
            bad = _misfit(days, unit) > tolerance
            if bad.any():
                source = "attrs['time_unit']" if known is not None else "time_unit"
                reads = f"; the values read as time_unit={exact[0]!r}" if len(exact) == 1 else ""
                i = int(np.flatnonzero(bad)[0])
                raise SchemaError(
                    f"{what}: recency and T are not in {source}={unit!r} ({_time.UNIT_DAYS[unit]:g} "
                    f"day(s)): in {int(bad.sum())} of {len(frame)} row(s) they disagree with tenure_days "
                    f"and recency_days, e.g. customer {frame.index[i]!r}: T = {days['T'][i]:g}, "
                    f"tenure_days = {days['tenure_days'][i]:g}{reads}"
                )
    if unit is None and required:
        raise SchemaError(
            f"{what}: the time unit of recency and T is unknown (attrs['time_unit'] is missing, "
            "e.g. after a CSV round trip, and the values do not pin it down); say which it is, "
            "e.g. CLVModel(time_unit='W'), or set summary.attrs['time_unit']"
        )
    return unit
