"""Calendar periods and time units shared by every module that measures durations.

A *period* is how purchases are merged ("D" calendar day, "W" Monday-to-Sunday week as
pandas' ``"W"``, "M" calendar month). A *time unit* is how durations are expressed:
days, weeks (7 days) or months (30.4375 days, the mean Gregorian month). When the
period and the unit are the same non-daily calendar unit, durations are whole numbers
of periods, as in lifetimes' ``freq=`` argument.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import SchemaError

UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 30.4375}
PERIODS = tuple(UNIT_DAYS)
# 1970-01-01 was a Thursday: shifting by 3 days puts week boundaries on Mondays.
_WEEK_SHIFT = 3


def check_choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    """Raise a SchemaError unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise SchemaError(f"{name}={value!r} is not supported; choose one of {', '.join(map(repr, choices))}")
    return value


def period_ordinal(days: np.ndarray, period: str) -> np.ndarray:
    """Map whole day numbers (days since 1970-01-01) to integer period numbers."""
    if period == "D":
        return days
    if period == "W":
        return np.floor_divide(days + _WEEK_SHIFT, 7)
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def period_start_day(ordinals: np.ndarray, period: str) -> np.ndarray:
    """The day number on which each period begins (inverse of :func:`period_ordinal`)."""
    if period == "D":
        return ordinals
    if period == "W":
        return ordinals * 7 - _WEEK_SHIFT
    return ordinals.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def duration(start: np.ndarray, end: np.ndarray, period: str, time_unit: str) -> np.ndarray:
    """``end - start`` for period ordinals, expressed in ``time_unit`` (float64)."""
    if period == time_unit:
        return (end - start).astype(np.float64)
    days = period_start_day(end, period) - period_start_day(start, period)
    return days / UNIT_DAYS[time_unit]


def instants(values: pd.Series) -> np.ndarray:
    """Datetimes as int64 ticks of their own unit (UTC instants for zone-aware data)."""
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_convert(None)
    return values.to_numpy().view(np.int64)


def from_instants(ticks: np.ndarray, like: pd.Series) -> pd.DatetimeIndex:
    """Inverse of :func:`instants`: ticks back to datetimes of ``like``'s unit and zone."""
    tz = getattr(like.dtype, "tz", None)
    out = pd.DatetimeIndex(ticks.view(f"datetime64[{like.dt.unit}]"))
    return out.tz_localize("UTC").tz_convert(tz) if tz is not None else out
