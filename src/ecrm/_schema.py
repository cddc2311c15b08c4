"""The one place that resolves, validates and coerces input columns.

Every public function that reads a user's frame goes through here, so every module
reports bad input the same way: a :class:`~ecrm.errors.SchemaError` naming the frame,
the column, the problem, how many rows are affected and up to five example rows.
Nothing here mutates the frame it is given.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import SchemaError

N_EXAMPLES = 5


def _quote(names: Sequence[object]) -> str:
    return ", ".join(repr(str(n)) for n in names)


def bad_rows(
    what: str,
    column: str,
    problem: str,
    frame: pd.DataFrame,
    mask: np.ndarray | pd.Series,
    show: Sequence[str] | None = None,
) -> SchemaError:
    """Build the error for rows of ``frame`` selected by ``mask``.

    ``show`` picks the columns printed in the examples (default: ``column`` and, when
    the frame is narrow, every column).
    """
    mask = np.asarray(mask, dtype=bool)
    n_bad = int(mask.sum())
    if show is None:
        show = list(frame.columns) if frame.shape[1] <= 8 else [column]
    sample = frame.loc[mask, list(dict.fromkeys(show))].head(N_EXAMPLES)
    return SchemaError(
        f"{what}: column {column!r} {problem} in {n_bad} of {len(frame)} row(s); "
        f"first {len(sample)} shown:\n{sample.to_string()}"
    )


def check_frame(data: object, what: str) -> pd.DataFrame:
    """Require a non-empty DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise SchemaError(f"{what}: expected a pandas DataFrame, got {type(data).__name__}")
    if len(data) == 0:
        raise SchemaError(f"{what}: the frame is empty (0 rows); there is nothing to compute")
    return data


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise when any of ``columns`` is missing from ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{what}: missing required column(s) {_quote(missing)}; "
            f"available columns: {_quote(list(frame.columns))}"
        )
    duplicated = [c for c in columns if isinstance(frame.loc[:, c], pd.DataFrame)]
    if duplicated:
        raise SchemaError(f"{what}: column name(s) {_quote(duplicated)} appear more than once")


def ids(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    """Return the id column, refusing missing ids."""
    values = frame[column]
    missing = values.isna().to_numpy()
    if missing.any():
        raise bad_rows(what, column, "has missing ids (NaN/None)", frame, missing)
    return values


def dates(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    """Return the column as datetime64, parsing ISO-8601 strings.

    Time zones are kept when every value has the same one; mixed zones, numbers,
    unparseable strings and missing values are errors.
    """
    values = frame[column]
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        parsed = values
    elif pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise SchemaError(
            f"{what}: column {column!r} has numeric dtype {values.dtype}; expected datetime64 "
            "values or ISO-8601 strings (convert first, e.g. "
            "pd.to_datetime(df[col].astype(str), format='%Y%m%d'))"
        )
    else:
        try:
            with warnings.catch_warnings():
                # pandas 2.x warns (3.x raises) on mixed offsets; both are handled below.
                warnings.simplefilter("ignore", FutureWarning)
                parsed = pd.to_datetime(values, format="ISO8601", errors="coerce")
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
            raise bad_rows(what, column, "has values that are not ISO-8601 dates", frame, unparsed)
    missing = parsed.isna().to_numpy()
    if missing.any():
        raise bad_rows(what, column, "has missing dates (NaT/None)", frame, missing)
    return parsed


def amounts(frame: pd.DataFrame, column: str, what: str) -> pd.Series:
    """Return the column as finite float64, refusing text, NaN and infinity."""
    values = frame[column]
    if pd.api.types.is_bool_dtype(values):
        raise SchemaError(f"{what}: column {column!r} is boolean; expected numeric amounts")
    if pd.api.types.is_numeric_dtype(values):
        numeric = values.astype("float64")
    else:
        numeric = pd.to_numeric(values, errors="coerce").astype("float64")
        not_numbers = (numeric.isna() & values.notna()).to_numpy()
        if not_numbers.any():
            raise bad_rows(what, column, "has non-numeric values", frame, not_numbers)
    arr = numeric.to_numpy()
    if not np.isfinite(arr).all():
        missing = np.isnan(arr)
        if missing.any():
            raise bad_rows(what, column, "has missing values (NaN/None)", frame, missing)
        raise bad_rows(what, column, "has infinite values", frame, np.isinf(arr))
    return numeric


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


@dataclass(frozen=True)
class Transactions:
    """Validated transactions: one Series per role, rows after ``as_of`` removed.

    Attributes
    ----------
    customer, date, amount, order:
        Aligned Series (``order`` is None unless an order column was given). ``date`` is
        datetime64 and ``amount`` finite float64.
    as_of:
        The snapshot instant used (the last transaction date when not given).
    n_after_as_of:
        How many rows were left out because they fall after ``as_of``.
    """

    customer: pd.Series
    date: pd.Series
    amount: pd.Series
    order: pd.Series | None
    as_of: pd.Timestamp
    n_after_as_of: int
    customer_col: str


def transactions(
    data: object,
    *,
    customer_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
    order_col: str | None = None,
    as_of: object = None,
    what: str = "transactions",
) -> Transactions:
    """Validate a transaction frame and cut it at ``as_of``.

    With ``amount_col=None`` the amount column is not required and amounts are zeros.
    """
    frame = check_frame(data, what)
    needed = [customer_col, date_col] + [c for c in (amount_col, order_col) if c is not None]
    require_columns(frame, needed, what)
    customer = ids(frame, customer_col, what)
    date = dates(frame, date_col, what)
    if amount_col is None:
        amount = pd.Series(np.zeros(len(frame)), index=frame.index, name="amount")
    else:
        amount = amounts(frame, amount_col, what)
    order = ids(frame, order_col, what) if order_col is not None else None

    if as_of is None:
        cut = date.max()
    else:
        cut = timestamp(as_of, date, "as_of", what)
        if cut < date.min():
            raise SchemaError(
                f"{what}: as_of={cut} is before the first transaction ({date.min()}); "
                "no customer has history at that date"
            )
    keep = (date <= cut).to_numpy() if as_of is not None else None
    n_after = 0 if keep is None else int(len(keep) - keep.sum())
    if n_after:
        customer, date, amount = customer[keep], date[keep], amount[keep]
        order = order[keep] if order is not None else None
    return Transactions(customer, date, amount, order, cut, n_after, customer_col)
