"""Calendar periods and time units shared by every module that measures durations.

A *calendar period* (the ``freq=`` of every ecrm function) is one of :data:`FREQS`:
"D" calendar day, "W" Monday-to-Sunday week (pandas' ``"W"``), "M" calendar month,
"Q" calendar quarter, "Y" calendar year. Periods are numbered by integer *ordinals*
(days, weeks, months, quarters or years since 1970) computed from whole day numbers, so
grouping by period is integer arithmetic; :func:`period_index` turns ordinals back into a
pandas ``PeriodIndex`` for output.

A *time unit* (:data:`UNIT_DAYS`) is a fixed length in which durations are expressed:
days, weeks (7 days) or months (30.4375 days, the mean Gregorian month). When the period
and the unit are the same non-daily calendar unit, durations are whole numbers of
periods, as in lifetimes' ``freq=`` argument.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _schema

#: The calendar periods every ``freq=`` accepts.
FREQS = ("D", "W", "M", "Q", "Y")
#: Fixed time units (``time_unit=``) and their length in days.
UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 30.4375}
# 1970-01-01 was a Thursday: shifting by 3 days puts week boundaries on Mondays.
_WEEK_SHIFT = 3
_MONTHS = {"M": 1, "Q": 3, "Y": 12}
_NS_FIRST_DAY, _NS_LAST_DAY = np.datetime64("1677-09-22", "D"), np.datetime64("2262-04-10", "D")


def check_choice(value: str, name: str, choices: tuple[str, ...]) -> str:
    """Raise a SchemaError unless ``value`` is one of ``choices``."""
    return _schema.choice(value, name, choices)  # type: ignore[return-value]


def check_freq(freq: str, name: str = "freq") -> str:
    """Raise a SchemaError unless ``freq`` is one of :data:`FREQS`."""
    return check_choice(freq, name, FREQS)


def _month_ordinal(days: np.ndarray) -> np.ndarray:
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_start_day(months: np.ndarray) -> np.ndarray:
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def period_ordinal(days: np.ndarray, freq: str) -> np.ndarray:
    """Map whole day numbers (days since 1970-01-01) to integer period ordinals."""
    if freq == "D":
        return days
    if freq == "W":
        return np.floor_divide(days + _WEEK_SHIFT, 7)
    months = _month_ordinal(days)
    return months if freq == "M" else np.floor_divide(months, _MONTHS[freq])


def period_start_day(ordinals: np.ndarray, freq: str) -> np.ndarray:
    """The day number on which each period begins (inverse of :func:`period_ordinal`)."""
    if freq == "D":
        return ordinals
    if freq == "W":
        return ordinals * 7 - _WEEK_SHIFT
    return _month_start_day(np.asarray(ordinals, dtype=np.int64) * _MONTHS[freq])


def period_end_day(ordinals: np.ndarray, freq: str) -> np.ndarray:
    """The last day number of each period."""
    return period_start_day(np.asarray(ordinals, dtype=np.int64) + 1, freq) - 1


def period_index(ordinals: np.ndarray, freq: str, name: str = "period") -> pd.PeriodIndex:
    """Period ordinals as a pandas ``PeriodIndex`` (built from each period's first day)."""
    start = period_start_day(np.asarray(ordinals, dtype=np.int64), freq)
    return pd.DatetimeIndex(start.astype("datetime64[D]")).to_period(freq).rename(name)


def day_timestamps(days: np.ndarray | np.int64, like: pd.Series | None = None) -> pd.DatetimeIndex:
    """Midnight of whole day numbers, in the time zone of the dates ``like`` (if given)."""
    days = np.atleast_1d(days).astype("datetime64[D]")
    # nanoseconds when they fit (1677-2262), else microseconds: never a silent wrap-around
    fits = days.size == 0 or (days.min() >= _NS_FIRST_DAY and days.max() <= _NS_LAST_DAY)
    out = pd.DatetimeIndex(days.astype("datetime64[ns]" if fits else "datetime64[us]"))
    tz = getattr(getattr(like, "dtype", None), "tz", None)
    return out.tz_localize(tz) if tz is not None else out


def duration(start: np.ndarray, end: np.ndarray, freq: str, time_unit: str) -> np.ndarray:
    """``end - start`` for period ordinals, expressed in ``time_unit`` (float64)."""
    if freq == time_unit:
        return (end - start).astype(np.float64)
    days = period_start_day(end, freq) - period_start_day(start, freq)
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


def tick(ts: pd.Timestamp, like: pd.Series) -> np.int64:
    """``ts`` as an int64 tick comparable with ``instants(like)``."""
    return instants(pd.Series([ts]).astype(like.dtype))[0]
