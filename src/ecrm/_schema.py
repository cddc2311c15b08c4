"""The one place that resolves, validates and coerces input columns.

Every public function that reads a user's frame goes through here, so every module
reports bad input the same way: a :class:`~ecrm.errors.SchemaError` naming the frame,
the column, the problem, how many rows are affected and up to five example rows.
Nothing here mutates the frame it is given.

Each check is a small function of one column (ids, dates, amounts, quantity x price,
cancelled orders), so :mod:`ecrm.transactions` runs them as a list of rules, and an
engine can re-express the same rules. Where a keyword would fix the input, the error
says which (``pass date_format='%m/%d/%Y %H:%M'``); the CLI shows the same hint as a
flag (``--date-format``), from :attr:`SchemaError.cli_message`.
"""

from __future__ import annotations

import datetime
import difflib
import math
import numbers
import re
import shlex
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import SchemaError

N_EXAMPLES = 5
# Date layouts tried, on a sample, to suggest a date_format when dates are not ISO-8601.
DATE_FORMATS = (
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
)


def _quote(names: Sequence[object]) -> str:
    return ", ".join(repr(str(n)) for n in names)


def pass_hint(fixes: Mapping[str, object], style: str = "python") -> str:
    """``pass key=value`` for Python, ``pass --key value`` for the command line."""
    if style == "cli":
        flags = []
        for key, value in fixes.items():
            flag = "--" + key.replace("_", "-")
            flags.append(flag if value is True else f"{flag} {shlex.quote(str(value))}")
        return "pass " + " ".join(flags)
    return "pass " + ", ".join(f"{key}={value!r}" for key, value in fixes.items())


def hinted(render: Callable[[str], str]) -> SchemaError:
    """A SchemaError whose message ``render(style)`` names keywords, with the CLI's
    rendering (flags) kept in ``cli_message``."""
    err = SchemaError(render("python"))
    err.cli_message = render("cli")
    return err


def bad_rows(
    what: str,
    column: str,
    problem: str,
    frame: pd.DataFrame,
    mask: np.ndarray | pd.Series,
    show: Sequence[str] | None = None,
    *,
    rows: np.ndarray | None = None,
    fixes: Mapping[str, object] | None = None,
) -> SchemaError:
    """Build the error for rows of ``frame`` selected by ``mask``.

    ``show`` picks the columns printed in the examples (default: ``column`` and, when
    the frame is narrow, every column). ``rows``, when given, are the positions in
    ``frame`` of the values ``mask`` refers to (a subset being validated). Rows are
    picked by position, so a duplicated index cannot pick the wrong ones. ``fixes``
    are the keywords that would fix the input, named after the problem.
    """
    mask = np.asarray(mask, dtype=bool)
    n_bad = int(mask.sum())
    n_total = len(frame) if rows is None else len(rows)
    if show is None:
        show = list(frame.columns) if frame.shape[1] <= 8 else [column]
    where = np.flatnonzero(mask)[:N_EXAMPLES]
    if rows is not None:
        where = rows[where]
    sample = frame.iloc[where].loc[:, list(dict.fromkeys(show))]
    return rows_error(what, column, problem, sample, n_bad, n_total, fixes=fixes)


def rows_error(
    what: str,
    column: str,
    problem: str,
    sample: pd.DataFrame,
    n_bad: int,
    n_total: int,
    *,
    fixes: Mapping[str, object] | None = None,
) -> SchemaError:
    """The error for ``n_bad`` of ``n_total`` rows, with ``sample`` holding example rows
    (picked here by :func:`bad_rows`, or fetched from an engine)."""

    def render(style: str) -> str:
        hint = f"; {pass_hint(fixes, style)}" if fixes else ""
        return (
            f"{what}: column {column!r} {problem} in {n_bad} of {n_total} row(s){hint}; "
            f"first {len(sample)} shown:\n{sample.to_string()}"
        )

    return hinted(render)


def check_frame(data: object, what: str) -> pd.DataFrame:
    """Require a non-empty DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise SchemaError(f"{what}: expected a pandas DataFrame, got {type(data).__name__}")
    if len(data) == 0:
        raise SchemaError(f"{what}: the frame is empty (0 rows); there is nothing to compute")
    return data


def _normal(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def similar_columns(name: str, available: Sequence[object], n: int = 3) -> list[str]:
    """Columns of ``available`` that look like ``name`` (case, ``_`` and spaces ignored).

    Examples
    --------
    >>> similar_columns("customer_id", ["InvoiceNo", "CustomerID", "Country"])
    ['CustomerID']
    """
    by_normal = {_normal(c): str(c) for c in available}
    key = _normal(name)
    if key in by_normal:
        return [by_normal[key]]
    return [by_normal[c] for c in difflib.get_close_matches(key, list(by_normal), n=n, cutoff=0.6)]


def require_columns(
    frame: pd.DataFrame,
    columns: Sequence[str],
    what: str,
    keywords: Mapping[str, str] | None = None,
    suggest: Callable[[str, str], Mapping[str, object]] | None = None,
) -> None:
    """Raise when any of ``columns`` is missing from ``frame``.

    ``keywords`` maps a column to the keyword that named it (``{"customer_id":
    "customer_col"}``): the message then says which keyword to pass to fix it, with the
    nearest column name. ``suggest(keyword, column)``, when given, proposes the fix
    instead (a dict of keywords to pass, e.g. quantity and price for an amount; empty
    for no suggestion).
    """
    for column in columns:
        label(column, "column", what)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        keywords = keywords or {}
        available = list(frame.columns)
        fixes: dict[str, object] = {}
        guesses: list[str] = []
        for column in missing:
            keyword = keywords.get(column)
            if keyword is None:
                continue
            if suggest is not None:
                fix = dict(suggest(keyword, column))
            else:
                near = similar_columns(column, available, n=1)
                fix = {keyword: near[0]} if near else {}
            if fix:
                guesses.append(" x ".join(repr(str(v)) for v in fix.values()))
                fixes.update(fix)
        named = [f"{c!r} ({keywords[c]})" if c in keywords else repr(c) for c in missing]

        def render(style: str) -> str:
            hint = f"; did you mean {', '.join(guesses)}? {pass_hint(fixes, style)}" if fixes else ""
            return (
                f"{what}: missing required column(s) {', '.join(named)}{hint}; "
                f"available columns: {_quote(available)}"
            )

        raise hinted(render)
    duplicated = [c for c in columns if isinstance(frame.loc[:, c], pd.DataFrame)]
    if duplicated:
        raise SchemaError(f"{what}: column name(s) {_quote(duplicated)} appear more than once")


def _column(frame: pd.DataFrame, column: str, rows: np.ndarray | None) -> pd.Series:
    values = frame[column]
    return values if rows is None else values.iloc[rows]


def integral_ids(values: pd.Series) -> pd.Series:
    """Float ids that are all whole numbers (12346.0, as a CSV with gaps reads them)
    become int64; other ids are returned unchanged."""
    if not pd.api.types.is_float_dtype(values.dtype):
        return values
    arr = values.to_numpy(dtype="float64", na_value=np.nan)
    if arr.size and np.all(arr == np.round(arr)) and np.abs(arr).max() < 2**53:
        return pd.Series(arr.astype(np.int64), index=values.index, name=values.name)
    return values


def missing_ids(frame: pd.DataFrame, column: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Mask of the rows whose id is missing (NaN/None)."""
    return _column(frame, column, rows).isna().to_numpy()


def ids(
    frame: pd.DataFrame,
    column: str,
    what: str,
    *,
    rows: np.ndarray | None = None,
    fixes: Mapping[str, object] | None = None,
) -> pd.Series:
    """Return the id column, refusing missing ids; integral float ids become int64."""
    values = _column(frame, column, rows)
    missing = values.isna().to_numpy()
    if missing.any():
        raise bad_rows(what, column, "has missing ids (NaN/None)", frame, missing, rows=rows, fixes=fixes)
    return integral_ids(values)


def one_id_type(
    values: pd.Series, frame: pd.DataFrame, column: str, what: str, *, rows: np.ndarray | None = None
) -> None:
    """Refuse ids that mix numbers and text reading the same (1 and '1'): they would be
    counted as two customers. Ids of mixed types that differ (85123, '85123A') are fine."""
    if values.dtype != object or not pd.api.types.infer_dtype(values, skipna=True).startswith("mixed"):
        return
    distinct = values.drop_duplicates()
    text = distinct.astype(str)
    clash = text[text.duplicated(keep=False)]
    if len(clash):
        mask = values.astype(str).isin(clash).to_numpy()
        raise bad_rows(
            what,
            column,
            "mixes numbers and text that read the same (e.g. 1 and '1'), which would count one "
            "customer twice; convert the column to one type first, e.g. .astype(str),",
            frame,
            mask,
            rows=rows,
        )


def guess_date_formats(values: pd.Series, limit: int = 500) -> list[str]:
    """The layouts of :data:`DATE_FORMATS` that parse every value of a sample of ``values``.

    Examples
    --------
    >>> import pandas as pd
    >>> guess_date_formats(pd.Series(["12/1/2010 8:26", "12/13/2010 17:05"]))
    ['%m/%d/%Y %H:%M']
    """
    distinct = values.dropna().astype(str).drop_duplicates()
    if len(distinct) > limit:  # spread over the whole column: the head is often one day
        distinct = distinct.iloc[np.linspace(0, len(distinct) - 1, limit).astype(np.int64)]
    found = []
    for layout in DATE_FORMATS:
        parsed = pd.to_datetime(distinct, format=layout, errors="coerce")
        if len(distinct) and parsed.notna().all():
            found.append(layout)
    return found


def dates(
    frame: pd.DataFrame,
    column: str,
    what: str,
    *,
    date_format: str | None = None,
    dayfirst: bool = False,
    rows: np.ndarray | None = None,
    flag_names: bool = False,
) -> pd.Series:
    """Return the column as datetime64, parsing strings.

    Strings are read as ISO-8601, or with ``date_format`` (a ``strftime`` layout such
    as ``"%m/%d/%Y %H:%M"``), or day first when ``dayfirst``. Time zones are kept when
    every value has the same one; mixed zones, numbers, unparseable strings and missing
    values are errors. When strings do not parse and ``flag_names`` is set, the message
    suggests ``date_format=`` with the layouts that would parse them.
    """
    values = _column(frame, column, rows)
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        parsed = values
    elif pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise SchemaError(
            f"{what}: column {column!r} has numeric dtype {values.dtype}; expected datetime64 "
            "values or date strings (convert first, e.g. "
            "pd.to_datetime(df[col].astype(str), format='%Y%m%d'))"
        )
    else:
        if date_format is not None:
            options: dict[str, object] = {"format": date_format}
        elif dayfirst:
            options = {"dayfirst": True}
        else:
            options = {"format": "ISO8601"}
        try:
            with warnings.catch_warnings():
                # pandas 2.x warns (3.x raises) on mixed offsets; both are handled below.
                # Day-first parsing without a layout warns that it infers one per value.
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", UserWarning)
                parsed = pd.to_datetime(values, errors="coerce", **options)
        except (ValueError, TypeError) as err:
            # pandas refuses values with different UTC offsets unless utc=True.
            raise SchemaError(
                f"{what}: column {column!r} mixes time zones or offsets ({err}); "
                "convert every value to one zone first, e.g. pd.to_datetime(..., utc=True)"
            ) from None
        if not (isinstance(parsed.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(parsed)):
            raise SchemaError(
                f"{what}: column {column!r} mixes time zones or naive and zone-aware values; "
                "convert every value to one zone first, e.g. pd.to_datetime(..., utc=True)"
            )
        unparsed = (parsed.isna() & values.notna()).to_numpy()
        if unparsed.any():
            # datetime objects that did not parse: their zone differs from the parsed ones'
            stamps = np.zeros(len(values), dtype=bool)
            stamps[unparsed] = values[unparsed].map(lambda v: isinstance(v, datetime.datetime)).to_numpy(bool)
            if stamps.any():
                raise bad_rows(
                    what,
                    column,
                    "mixes datetimes of different time zones (or naive and zone-aware ones); convert "
                    "every value to one zone first, e.g. pd.to_datetime(..., utc=True); these are off",
                    frame,
                    stamps,
                    rows=rows,
                )
            if date_format is not None:
                problem = f"has values that do not match date_format={date_format!r}"
            elif dayfirst:
                problem = "has values that are not dates (read day first)"
            else:
                problem = "has values that are not ISO-8601 dates"
            fixes = None
            if flag_names and date_format is None:
                layouts = guess_date_formats(values[unparsed])
                fixes = {"date_format": layouts[0] if layouts else "..."}
                if len(layouts) > 1:
                    problem += f" (they also read as {layouts[1]!r}: check which is meant)"
            raise bad_rows(what, column, problem, frame, unparsed, rows=rows, fixes=fixes)
    missing = parsed.isna().to_numpy()
    if missing.any():
        raise bad_rows(what, column, "has missing dates (NaT/None)", frame, missing, rows=rows)
    return parsed


def amounts(frame: pd.DataFrame, column: str, what: str, *, rows: np.ndarray | None = None) -> pd.Series:
    """Return the column as finite float64, refusing text, NaN and infinity."""
    values = _column(frame, column, rows)
    if pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"{what}: column {column!r} is boolean; expected numeric amounts")
    if pd.api.types.is_numeric_dtype(values):
        numeric = values.astype("float64")
    else:
        numeric = pd.to_numeric(values, errors="coerce").astype("float64")
        not_numbers = (numeric.isna() & values.notna()).to_numpy()
        if not_numbers.any():
            raise bad_rows(what, column, "has non-numeric values", frame, not_numbers, rows=rows)
    arr = numeric.to_numpy()
    if not np.isfinite(arr).all():
        missing = np.isnan(arr)
        if missing.any():
            raise bad_rows(what, column, "has missing values (NaN/None)", frame, missing, rows=rows)
        raise bad_rows(what, column, "has infinite values", frame, np.isinf(arr), rows=rows)
    return numeric


def cancelled(frame: pd.DataFrame, column: str, prefix: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Mask of the rows whose id in ``column`` starts with ``prefix`` (a cancelled order)."""
    values = _column(frame, column, rows)
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return np.zeros(len(values), dtype=bool)
    return values.astype("string").str.startswith(prefix).fillna(False).to_numpy(dtype=bool)


def day_number(values: pd.Series) -> np.ndarray:
    """Whole calendar days since 1970-01-01 (in local wall time for zone-aware data)."""
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    ticks = values.to_numpy()
    per_day = np.timedelta64(1, "D") // np.timedelta64(1, np.datetime_data(ticks.dtype)[0])
    return np.floor_divide(ticks.view(np.int64), per_day)


def factorize_ids(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and sorted distinct ids, like ``pd.factorize(values, sort=True)``.

    Integer ids spanning a range not much larger than their count (the usual case) are
    mapped through a dense lookup table, which is several times faster than hashing.
    """
    arr = values.to_numpy()
    if arr.dtype.kind in "iu" and arr.size:
        low, high = int(arr.min()), int(arr.max())
        if high - low <= 4 * arr.size + 1_000_000:
            offset = (arr - low).astype(np.intp, copy=False)
            present = np.zeros(high - low + 1, dtype=bool)
            present[offset] = True
            lookup = np.cumsum(present) - 1
            uniques = np.flatnonzero(present) + low
            return lookup[offset], pd.Index(uniques.astype(arr.dtype, copy=False))
    codes, uniques = pd.factorize(values, sort=True)
    return codes, pd.Index(uniques)


# pandas.api.types.infer_dtype kinds of an object column that holds only numbers.
NUMBER_KINDS = ("integer", "floating", "mixed-integer-float", "boolean", "decimal", "empty")


def feature_table(X: object, what: str) -> pd.DataFrame | np.ndarray:
    """A model's feature table: a DataFrame as given, or a 2-d float array.

    Features may be NaN (a model reads "undefined"); an empty table, sparse input, text,
    complex, date or infinite values are refused, naming the column. Column checks are one
    pass per column, not per row.
    """
    from scipy import sparse

    if sparse.issparse(X):
        raise SchemaError(f"{what}: sparse input is not supported; pass a dense array or a DataFrame")
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise SchemaError(f"{what}: X is empty ({X.shape[0]} row(s), {X.shape[1]} column(s))")
        for column in X.columns:
            values = X[column]
            if isinstance(values, pd.DataFrame):
                raise SchemaError(f"{what}: column name {str(column)!r} appears more than once in X")
            dtype = values.dtype
            real = pd.api.types.is_bool_dtype(dtype) or (
                pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
            )
            objects = pd.api.types.is_object_dtype(dtype)
            if not real and objects:  # numbers held as Python objects are numbers
                real = pd.api.types.infer_dtype(values, skipna=True) in NUMBER_KINDS
            if not real:
                mask = values.notna().to_numpy()
                if objects:  # point at the values that are not numbers, when some are
                    text = (pd.to_numeric(values, errors="coerce").isna() & values.notna()).to_numpy()
                    mask = text if text.any() else mask
                problem = f"has values that are not real numbers (dtype {dtype}; encode them as numbers)"
                raise bad_rows(what, str(column), problem, X, mask, show=[column])
            finite = values.to_numpy(dtype="float64", na_value=np.nan)
            if np.isinf(finite).any():
                raise bad_rows(what, str(column), "has infinite values", X, np.isinf(finite), show=[column])
        return X
    arr = np.asarray(X)
    if arr.ndim == 1:
        raise SchemaError(
            f"{what}: expected a 2-d feature table, got a 1-d array of shape {arr.shape}; Reshape your "
            "data, e.g. X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single row"
        )
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        size = f"{arr.shape[0]} sample(s), {arr.shape[1]} feature(s) " if arr.ndim == 2 else ""
        raise SchemaError(
            f"{what}: expected a non-empty 2-d feature table, got {size}(shape={arr.shape}) while a "
            "minimum of 1 is required; there is nothing to fit"
        )
    if np.iscomplexobj(arr):
        raise SchemaError(f"{what}: Complex data not supported; X has dtype {arr.dtype}")
    try:
        arr = arr.astype(float)
    except (TypeError, ValueError) as err:
        raise SchemaError(f"{what}: X has values that are not numbers ({err})") from None
    if np.isinf(arr).any():
        rows, cols = np.nonzero(np.isinf(arr))
        raise SchemaError(
            f"{what}: X has {rows.size} infinite value(s), e.g. row {rows[0]}, column {cols[0]}; "
            "features must be finite (NaN marks an undefined one)"
        )
    return arr


def aligned(values: object, X: pd.DataFrame | np.ndarray, name: str, what: str) -> np.ndarray:
    """``values`` (labels, treatment flags...) as an array in the row order of ``X``.

    A Series given with a DataFrame is paired by index, never by position: every row of
    ``X`` needs a value (extra values are not used); a duplicated index is refused. An
    array, a list or a Series given with an array are paired by position and must have
    one value per row.
    """
    if isinstance(values, pd.Series) and isinstance(X, pd.DataFrame):
        if values.index.nlevels != X.index.nlevels:
            raise SchemaError(
                f"{what}: {name} has a {values.index.nlevels}-level index and X a {X.index.nlevels}-level "
                f"one; {name} is paired with X by index (customer id): give both the same index"
            )
        if not values.index.is_unique:
            dup = values.index[values.index.duplicated()].unique()
            raise SchemaError(
                f"{what}: the index of {name} has {len(dup)} duplicated value(s), e.g. {list(dup[:5])}; "
                f"give one value per customer"
            )
        if values.index.equals(X.index):
            arr = values.to_numpy()
        else:
            missing = ~X.index.isin(values.index)
            if missing.any():
                extra = "" if not missing.all() else (
                    f"; no id matches: {name}'s index is e.g. {list(values.index[:3])} "
                    f"(dtype {values.index.dtype}), X's is e.g. {list(X.index[:3])} (dtype {X.index.dtype})"
                )  # fmt: skip
                raise SchemaError(
                    f"{what}: {name} has no value for {int(missing.sum())} of {len(X)} row(s) of X, e.g. "
                    f"{list(X.index[missing][:5])}; {name} is paired with X by index (customer id), "
                    f"not by position{extra}"
                )
            arr = values.reindex(X.index).to_numpy()
    else:
        arr = np.asarray(values)
        if arr.ndim != 1 or len(arr) != len(X):
            raise SchemaError(
                f"{what}: {name} has shape {arr.shape}; expected ({len(X)},), one value per row of X"
            )
    if pd.isna(arr).any():
        raise SchemaError(f"{what}: {name} has {int(pd.isna(arr).sum())} missing value(s)")
    return arr


def fitted_features(X: object, names: np.ndarray | None, what: str) -> pd.DataFrame | np.ndarray:
    """``X`` with the columns a model was fitted on (``names``; None when fitted on an array)."""
    X = feature_table(X, what)
    if names is None:
        return X
    if not isinstance(X, pd.DataFrame):
        raise SchemaError(f"{what}: the model was fitted on a DataFrame; pass one with the same columns")
    missing = [c for c in names if c not in X.columns]
    if missing:
        raise SchemaError(f"{what}: X lacks the fitted feature column(s) {missing}")
    return X[list(names)]


# ---------------------------------------------------------------------------------------
# Parameter checks: the one place a scalar keyword is validated. Each returns the value
# as a plain Python object (numpy scalars welcome) or raises a SchemaError that names the
# parameter, the value and what is allowed.


def _refuse(name: str, value: object, problem: str, what: str | None) -> SchemaError:
    prefix = f"{what}: " if what else ""
    return SchemaError(f"{prefix}{name}={value!r} {problem}")


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)


def _is_integer(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not _is_bool(value)


def _span(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    lo = None if low is None else f"{'>' if low_open else '>='} {low:g}"
    hi = None if high is None else f"{'<' if high_open else '<='} {high:g}"
    if lo and hi:
        return f" {lo} and {hi}"
    return f" {lo or hi}" if (lo or hi) else ""


def _in_range(x: float, low: float | None, high: float | None, low_open: bool, high_open: bool) -> bool:
    if low is not None and (x <= low if low_open else x < low):
        return False
    return not (high is not None and (x >= high if high_open else x > high))


def integer(
    value: object,
    name: str,
    what: str | None = None,
    *,
    low: int | None = None,
    high: int | None = None,
    none: bool = False,
) -> int | None:
    """An integer (Python or numpy, never a bool) in ``[low, high]``, as ``int``.

    Examples
    --------
    >>> import numpy as np
    >>> integer(np.int64(3), "k", low=1)
    3
    >>> integer(True, "k", "demo", low=1)
    Traceback (most recent call last):
    ...
    ecrm.errors.SchemaError: demo: k=True must be an integer >= 1
    """
    if value is None and none:
        return None
    if not _is_integer(value) or not _in_range(int(value), low, high, False, False):  # type: ignore[call-overload]
        extra = " or None" if none else ""
        raise _refuse(name, value, f"must be an integer{_span(low, high, False, False)}{extra}", what)
    return int(value)  # type: ignore[call-overload]


def number(
    value: object,
    name: str,
    what: str | None = None,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    whole: bool = False,
    none: bool = False,
) -> float | None:
    """A finite real number (int, float or numpy scalar; never a bool or a string) in the
    range ``low``..``high`` (bounds excluded when ``*_open``), as ``float``; a whole
    number (12 or 12.0) when ``whole``.

    Examples
    --------
    >>> import numpy as np
    >>> number(np.float32(0.5), "rate", low=0)
    0.5
    >>> number("0.01", "discount_rate", "predict_clv", low=0)
    Traceback (most recent call last):
    ...
    ecrm.errors.SchemaError: predict_clv: discount_rate='0.01' must be a finite number >= 0
    """
    if value is None and none:
        return None
    ok = _is_real(value) and math.isfinite(value)  # type: ignore[arg-type]
    ok = ok and _in_range(float(value), low, high, low_open, high_open)  # type: ignore[arg-type]
    ok = ok and (not whole or float(value).is_integer())  # type: ignore[arg-type]
    if not ok:
        kind = "a whole number" if whole else "a finite number"
        extra = " or None" if none else ""
        raise _refuse(name, value, f"must be {kind}{_span(low, high, low_open, high_open)}{extra}", what)
    return float(value)  # type: ignore[arg-type]


def positive(value: object, name: str, what: str | None = None, *, none: bool = False) -> float | None:
    """A finite number > 0."""
    return number(value, name, what, low=0, low_open=True, none=none)


def probability(value: object, name: str, what: str | None = None, *, strict: bool = False) -> float:
    """A number in [0, 1] (in (0, 1) when ``strict``)."""
    return number(value, name, what, low=0, high=1, low_open=strict, high_open=strict)  # type: ignore[return-value]


def flag(value: object, name: str, what: str | None = None) -> bool:
    """True or False (a numpy bool too); never 0/1 or a string."""
    if not _is_bool(value):
        raise _refuse(name, value, "must be True or False", what)
    return bool(value)


def text(
    value: object, name: str, what: str | None = None, *, none: bool = False, empty: bool = False
) -> str | None:
    """A string, non-empty unless ``empty``."""
    if value is None and none:
        return None
    if not isinstance(value, str) or not (value or empty):
        kind = "a string" if empty else "a non-empty string"
        raise _refuse(name, value, f"must be {kind}" + (" or None" if none else ""), what)
    return value


def choice(value: object, name: str, choices: Sequence[object], what: str | None = None) -> object:
    """One of ``choices`` (compared by equality, refusing bools unless listed).

    Examples
    --------
    >>> choice("net", "returns", ("net", "exclude", "raise"))
    'net'
    """
    hashable = isinstance(value, str | int | float | type(None))
    if not hashable or (_is_bool(value) and not any(c is value for c in choices)) or value not in choices:
        raise _refuse(name, value, "is not supported; choose one of " + ", ".join(map(repr, choices)), what)
    return value


#: The longest duration pandas can represent, in days (about 292 years).
MAX_DAYS = int(pd.Timedelta.max / pd.Timedelta(days=1))


def days(
    value: object, name: str, what: str | None = None, *, low: float = 0, none: bool = False
) -> float | None:
    """A duration in days (> ``low``) that pandas can represent (at most :data:`MAX_DAYS`)."""
    return number(value, name, what, low=low, low_open=True, high=MAX_DAYS, none=none)


def label(value: object, name: str, what: str | None = None) -> object:
    """One label (a column name, an id): a string, a number or another hashable scalar,
    never a list or a dict."""
    if isinstance(value, tuple) or not isinstance(value, Hashable):
        raise _refuse(name, value, "must be one label (e.g. a column name), not a collection", what)
    return value


def columns(value: object, name: str, what: str | None = None) -> list:
    """Column names given as None (none), one name, or a list or tuple of names."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [label(v, f"{name}[{i}]", what) for i, v in enumerate(value)]
    return [label(value, name, what)]


def random_state(value: object, name: str = "random_state", what: str | None = None) -> object:
    """A seed: None, an integer >= 0, or a numpy ``Generator`` / ``RandomState``."""
    if value is None or isinstance(value, np.random.Generator | np.random.RandomState):
        return value
    return integer(value, name, what, low=0, high=2**32 - 1)


def scale(value: object, name: str = "scale", what: str | None = None) -> tuple[int, int]:
    """A rating scale ``(low, high)`` of two integers with ``low < high``.

    Examples
    --------
    >>> scale((1, 5))
    (1, 5)
    """
    try:
        low, high = value  # type: ignore[misc]
    except (TypeError, ValueError):
        raise _refuse(name, value, "must be a pair (low, high), e.g. (1, 5)", what) from None
    if not (_is_integer(low) and _is_integer(high)):
        raise _refuse(name, value, "must be two integers, e.g. (1, 5)", what)
    if low > high:
        raise _refuse(name, value, f"is given backwards (high, low); pass ({high}, {low})", what)
    if low == high:
        raise _refuse(name, value, "has a single point; a scale needs low < high", what)
    return int(low), int(high)


def timestamp(value: object, like: pd.Series | None, name: str, what: str | None = None) -> pd.Timestamp:
    """Parse ``value`` (a date string, ``datetime``, ``date`` or Timestamp) as a Timestamp,
    in the time zone of the dates ``like`` when given.

    Numbers and bools are refused (``pd.Timestamp(5)`` would be 1970). A naive value given
    for zone-aware data is read as wall time in the data's zone; a zone-aware value for
    naive data is an error (ambiguous).

    Examples
    --------
    >>> timestamp("2024-01-31", None, "as_of")
    Timestamp('2024-01-31 00:00:00')
    >>> timestamp("soon", None, "as_of", "rfm.score")
    Traceback (most recent call last):
    ...
    ecrm.errors.SchemaError: rfm.score: as_of='soon' is not a date; expected a Timestamp or an ISO-8601 ...
    """
    allowed = "is not a date; expected a Timestamp or an ISO-8601 string such as '2024-01-31'"
    if value is None or _is_bool(value) or isinstance(value, numbers.Number):
        raise _refuse(name, value, allowed, what)
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError):
        raise _refuse(name, value, allowed, what) from None
    if ts is pd.NaT:
        raise _refuse(name, value, allowed, what)
    prefix = f"{what}: " if what else ""
    data_tz = None if like is None else getattr(like.dtype, "tz", None)
    if data_tz is not None:
        try:
            ts = ts.tz_localize(data_tz) if ts.tzinfo is None else ts.tz_convert(data_tz)
        except ValueError:  # pandas' NonExistentTimeError / AmbiguousTimeError
            raise SchemaError(
                f"{prefix}{name}={value!r} is not one instant in {data_tz}: the clocks skip or repeat "
                "this wall time at a daylight-saving change; give another time or a zone-aware "
                "one (e.g. with its UTC offset)"
            ) from None
    elif like is not None and ts.tzinfo is not None:
        raise SchemaError(
            f"{prefix}{name}={value!r} has a time zone but the dates are naive; "
            "pass a naive date or localise the data"
        )
    return ts


def timestamps(
    values: object, like: pd.Series | None, name: str, what: str | None = None, *, min_len: int = 1
) -> list[pd.Timestamp]:
    """A sequence (list, tuple, array, Index or Series) of at least ``min_len`` dates, each
    read by :func:`timestamp`; a single string is refused (it is not a sequence of dates)."""
    listlike = isinstance(values, Sequence | np.ndarray | pd.Index | pd.Series)
    if isinstance(values, str | bytes) or not listlike:
        raise _refuse(name, values, f"must be a list of at least {min_len} date(s)", what)
    items = list(values)
    if len(items) < min_len:
        raise _refuse(name, values, f"must be a list of at least {min_len} date(s)", what)
    return [timestamp(v, like, f"{name}[{i}]", what) for i, v in enumerate(items)]
