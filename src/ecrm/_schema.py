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

import difflib
import re
import shlex
import warnings
from collections.abc import Callable, Mapping, Sequence

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


def timestamp(value: object, like: pd.Series, name: str, what: str) -> pd.Timestamp:
    """Parse ``value`` as a Timestamp in the time zone of the dates ``like``.

    A naive value given for zone-aware data is read as wall time in the data's zone;
    a zone-aware value for naive data is an error (ambiguous).
    """
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        raise SchemaError(f"{what}: {name}={value!r} is not a date ({err})") from None
    if ts is pd.NaT:
        raise SchemaError(f"{what}: {name} is missing (NaT)")
    data_tz = getattr(like.dtype, "tz", None)
    if data_tz is not None:
        ts = ts.tz_localize(data_tz) if ts.tzinfo is None else ts.tz_convert(data_tz)
    elif ts.tzinfo is not None:
        raise SchemaError(
            f"{what}: {name}={value!r} has a time zone but the dates are naive; "
            "pass a naive date or localise the data"
        )
    return ts


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


def feature_table(X: object, what: str) -> pd.DataFrame | np.ndarray:
    """A model's feature table: a non-empty DataFrame as given, or a 2-d float array."""
    if isinstance(X, pd.DataFrame):
        if len(X) == 0:
            raise SchemaError(f"{what}: X is empty (0 rows)")
        return X
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise SchemaError(f"{what}: expected a non-empty 2-d feature table, got shape {arr.shape}")
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
