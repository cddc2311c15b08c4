"""Transactions where the data lives: the reductions on DuckDB, Polars, PySpark and Dask.

The pattern is *aggregate where the data lives, model locally*. A log on an engine (an
:class:`ecrm.EngineTransactions`) is a lazy narwhals frame of canonical columns
(``customer_id``, ``order_date``, ``amount`` [, ``order_id``, ``product_id``]); the
group-by reductions every module needs (per customer, per customer-period, per period,
per cohort, per purchase pattern) are written here once against narwhals and run on the
engine. What comes back is one row per customer, period or pattern, which the existing
pandas code takes from there. The in-memory pandas path never comes through here: it
keeps its numpy fast path.

The only engine-specific code is reading (paths, the native frame types) and the
tolerant parsing of text dates and numbers (narwhals' parsers raise on a bad value;
ecrm reports bad values with example rows, so it needs the engine's ``try_`` parsers).

Calendar arithmetic is integer arithmetic on year, month and day (days since
1970-01-01 by the civil-from-days formula, periods as in :mod:`ecrm._time`), so it
means the same on every engine.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _schema, _time
from .errors import DataDroppedWarning, EcrmWarning, SchemaError

#: The engines, each with its Python module and the pip extra that installs it.
ENGINES = {"duckdb": ("duckdb", "duckdb"), "polars": ("polars", "polars"), "spark": ("pyspark", "spark")}
ENGINES["dask"] = ("dask.dataframe", "dask")
# Canonical column names of an engine log.
CUSTOMER, DATE, AMOUNT, ORDER, PRODUCT = "customer_id", "order_date", "amount", "order_id", "product_id"
# Working columns added while validating (names users will not have).
_DATE, _AMOUNT, _QUANTITY, _PRICE = "__ecrm_date", "__ecrm_amount", "__ecrm_quantity", "__ecrm_price"
_DAY = "__ecrm_day"


def require(engine: str) -> Any:
    """Import an engine's module, or raise an ImportError naming the extra to install."""
    module, extra = ENGINES[engine]
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise ModuleNotFoundError(
            f'ecrm on {engine} needs the {module.split(".")[0]} package: pip install "ecrm[{extra}]" ({err})'
        ) from err


def nw() -> Any:
    """narwhals (a core dependency, imported on first use so ``import ecrm`` stays light)."""
    import narwhals

    return narwhals


def engine_of(data: object) -> str | None:
    """The engine of a native frame (without importing any engine), or None."""
    module = type(data).__module__.split(".")[0]
    return {
        "polars": "polars",
        "duckdb": "duckdb",
        "_duckdb": "duckdb",
        "pyspark": "spark",
        "dask": "dask",
    }.get(module)


def is_path(data: object) -> bool:
    """A path, a glob or a list of them."""
    if isinstance(data, (str, Path)):
        return True
    return isinstance(data, (list, tuple)) and bool(data) and all(isinstance(p, (str, Path)) for p in data)


def _spark_session() -> Any:
    require("spark")
    from pyspark.sql import SparkSession

    return SparkSession.builder.getOrCreate()


def open_path(
    data: str | Path | Sequence[str | Path], engine: str, connection: object = None, text: Sequence[str] = ()
) -> Any:
    """Open Parquet or CSV files (globs allowed) lazily on ``engine``: a native lazy frame.

    CSV columns named in ``text`` (the dates) are read as text, so ecrm parses them by
    its own rules (ISO-8601 or ``date_format``) and reports the values that do not parse.
    """
    paths = [str(p) for p in ([data] if isinstance(data, (str, Path)) else data)]
    kinds = {Path(p.rstrip("*/")).suffix.lower() or ".parquet" for p in paths}
    if Path(paths[0]).is_dir():
        kinds = {".parquet"}
        paths = [str(Path(p) / "**" / "*.parquet") for p in paths]
    if not kinds <= {".parquet", ".csv"} or len(kinds) > 1:
        raise SchemaError(f"transactions: expected Parquet or CSV files (.parquet, .csv), got {paths}")
    csv = kinds == {".csv"}
    if engine == "duckdb":
        duckdb = require("duckdb")
        con = connection if connection is not None else duckdb.connect()
        return con.read_csv(paths, dtype=dict.fromkeys(text, "VARCHAR")) if csv else con.read_parquet(paths)
    if connection is not None:
        raise SchemaError(f"transactions: connection= is for engine='duckdb', not engine={engine!r}")
    if engine == "polars":
        pl = require("polars")
        return pl.scan_csv(paths) if csv else pl.scan_parquet(paths)
    if engine == "spark":
        reader = _spark_session().read
        return reader.csv(paths, header=True, inferSchema=True) if csv else reader.parquet(*paths)
    if engine == "dask":
        dd = require("dask")
        return dd.read_csv(paths) if csv else dd.read_parquet(paths)
    raise SchemaError(f"engine={engine!r} is not supported; choose one of {', '.join(map(repr, ENGINES))}")


def from_pandas(frame: pd.DataFrame, engine: str, connection: object = None) -> Any:
    """A pandas frame handed to ``engine`` (``ecrm.transactions(df, engine=...)``)."""
    if engine not in ENGINES:
        raise SchemaError(
            f"engine={engine!r} is not supported; choose one of {', '.join(map(repr, ENGINES))}"
        )
    module = require(engine)
    if engine == "duckdb":
        return (connection if connection is not None else module.connect()).from_df(frame)
    if engine == "polars":
        return module.from_pandas(frame, nan_to_null=False)
    if engine == "spark":
        return _spark_session().createDataFrame(frame)
    return module.from_pandas(frame, npartitions=max(1, len(frame) // 1_000_000))


# ---------------------------------------------------------------------------------------
# Tolerant parsing on the native frame (the one place with per-engine code)


def _duck_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _with_parsed(native: Any, engine: str, parse: dict[str, tuple[str, str, str | None]]) -> Any:
    """``native`` with new columns: ``{new: (column, "date" | "number", date_format)}``,
    the column parsed with bad values as null."""
    if not parse:
        return native
    if engine == "duckdb":
        parts = ["*"]
        for new, (column, kind, fmt) in parse.items():
            col = _duck_quote(column)
            if kind == "number":
                parts.append(f"TRY_CAST({col} AS DOUBLE) AS {_duck_quote(new)}")
            elif fmt is None:
                parts.append(f"TRY_CAST({col} AS TIMESTAMP) AS {_duck_quote(new)}")
            else:
                literal = "'" + fmt.replace("'", "''") + "'"
                parts.append(f"TRY_STRPTIME(CAST({col} AS VARCHAR), {literal}) AS {_duck_quote(new)}")
        return native.project(", ".join(parts))
    if engine == "polars":
        pl = require("polars")
        exprs = []
        for new, (column, kind, fmt) in parse.items():
            if kind == "number":
                exprs.append(pl.col(column).cast(pl.Float64, strict=False).alias(new))
            else:
                exprs.append(
                    pl.col(column).str.to_datetime(format=fmt, strict=False, time_unit="us").alias(new)
                )
        return native.with_columns(exprs)
    if engine == "spark":
        from pyspark.sql import functions as F

        for new, (column, kind, fmt) in parse.items():
            if kind == "number":
                native = native.withColumn(new, F.col(column).try_cast("double"))
            elif fmt is None:
                native = native.withColumn(new, F.try_to_timestamp(F.col(column)).cast("timestamp_ntz"))
            else:
                from narwhals._spark_like.utils import strptime_to_pyspark_format

                pattern = F.lit(strptime_to_pyspark_format(fmt))
                native = native.withColumn(
                    new, F.try_to_timestamp(F.col(column), pattern).cast("timestamp_ntz")
                )
        return native
    if engine == "dask":
        dd = require("dask")
        for new, (column, kind, fmt) in parse.items():
            if kind == "number":
                native = native.assign(
                    **{new: dd.to_numeric(native[column], errors="coerce").astype("float64")}
                )
            else:
                parsed = dd.to_datetime(native[column], format=fmt or "ISO8601", errors="coerce")
                native = native.assign(**{new: parsed})
        return native
    raise AssertionError(engine)


# ---------------------------------------------------------------------------------------
# Building a log on an engine


def _as_lazy(native: Any) -> Any:
    with warnings.catch_warnings():
        # narwhals >= 2.2x says Dask support moves to a plugin; until that ships, it is built in.
        warnings.filterwarnings("ignore", "Dask support is moving", FutureWarning)
        frame = nw().from_native(native)
    return frame.lazy() if isinstance(frame, nw().DataFrame) else frame


def _to_pandas(frame: Any) -> pd.DataFrame:
    """Collect a (small) narwhals lazy frame to pandas."""
    if frame.implementation.is_dask():
        return frame.collect("pandas").to_native().reset_index(drop=True)
    return frame.collect("pyarrow").to_native().to_pandas()  # Spark's toPandas is 10x slower


def _examples(
    lazy: Any,
    bad: Any,
    columns: list[str],
    column: str,
    what: str,
    problem: str,
    n_bad: int,
    n_total: int,
    fixes: dict[str, object] | None = None,
) -> SchemaError:
    """The usual SchemaError, with example rows fetched from the engine."""
    show = columns if len(columns) <= 8 else [column]
    sample = _to_pandas(lazy.filter(bad).select(show).head(_schema.N_EXAMPLES))
    return _schema.rows_error(what, column, problem, sample, n_bad, n_total, fixes=fixes)


def refuse_date_type(dtype: Any, column: str, engine: str, what: str, hint: str = "") -> None:
    """Refuse a date column of numbers, or (except on Spark, whose timestamps are instants
    shown in the session zone) of zone-aware times: engines read naive wall-clock times."""
    N = nw()
    if dtype.is_numeric() or dtype == N.Boolean:
        raise SchemaError(
            f"{what}: column {column!r} has numeric dtype {dtype}; expected datetime64 "
            f"values or date strings (convert first{hint})"
        )
    if isinstance(dtype, N.Datetime) and dtype.time_zone is not None and engine != "spark":
        raise SchemaError(
            f"{what}: column {column!r} has time zone {dtype.time_zone!r}; on an engine ecrm "
            "reads naive wall-clock times: convert the column to naive local time first"
        )


def _count(expr: Any) -> Any:
    return expr.cast(nw().Int64).sum()


def build(data: object, m: Any, what: str, *, engine: str | None = None, connection: object = None) -> Any:
    """Validate a native frame or path on its engine: an :class:`ecrm.EngineTransactions`.

    The same rules, in the same order, as the pandas path (:func:`ecrm.transactions`),
    with the counts of bad rows taken in one aggregate pass on the engine.
    """
    from .transactions import EngineTransactions

    N = nw()
    if is_path(data):
        engine = engine or "duckdb"
        if engine not in ENGINES:
            raise SchemaError(
                f"engine={engine!r} is not supported; choose one of {', '.join(map(repr, ENGINES))}"
            )
        native = open_path(data, engine, connection, text=[m.date_col])
    else:
        native = from_pandas(data, engine, connection) if isinstance(data, pd.DataFrame) else data
        found = engine_of(native)
        if found is None:
            raise SchemaError(
                f"{what}: expected a pandas, Polars, DuckDB, Spark or Dask frame, got {type(data).__name__}"
            )
        if engine is not None and engine != found:
            raise SchemaError(f"{what}: engine={engine!r} but the data is a {found} frame")
        engine = found
        require(engine)
    if m.dayfirst and m.date_format is None:
        raise SchemaError(f"{what}: dayfirst=True is not supported on {engine}; pass date_format= instead")
    schema = _as_lazy(native).collect_schema()
    available = list(schema.names())
    columns = m.columns()
    from .transactions import _suggest

    _schema.require_columns(
        pd.DataFrame(columns=available),
        list(columns),
        what,
        keywords=columns,
        suggest=lambda keyword, column: _suggest(keyword, column, available),
    )

    # Dates and amounts that are text are parsed on the engine, bad values as null.
    parse: dict[str, tuple[str, str, str | None]] = {}
    date_type = schema[m.date_col]
    if date_type == N.String:
        parse[_DATE] = (m.date_col, "date", m.date_format)
    else:
        refuse_date_type(date_type, m.date_col, engine, what)
    amount_cols = {AMOUNT: m.amount_col} if m.amount_col else {}
    if m.quantity_col:
        amount_cols = {_QUANTITY: m.quantity_col, _PRICE: m.price_col}
    numbers: dict[str, str] = {}  # amount role -> column holding its numbers
    for role, column in amount_cols.items():
        dtype = schema[column]
        if dtype == N.Boolean:
            raise SchemaError(f"{what}: column {column!r} is boolean; expected numeric amounts")
        if dtype.is_numeric():
            numbers[role] = column
        else:
            parse[f"__ecrm{role}"] = (column, "number", None)
            numbers[role] = f"__ecrm{role}"
    lazy = _as_lazy(_with_parsed(native, engine, parse))

    col = N.col
    cid = col(m.customer_col)
    id_type = schema[m.customer_col]
    missing_id = cid.is_null()
    if id_type.is_float():
        missing_id = missing_id | cid.is_nan().fill_null(True)
    has_id = ~missing_id
    date = col(_DATE) if _DATE in parse else col(m.date_col)
    if date_type == N.Date:
        date = date.cast(N.Datetime("us"))
    elif isinstance(date_type, N.Datetime) and date_type.time_zone is not None:
        # Spark's TIMESTAMP: an instant shown in the session time zone; its wall time there.
        date = date.dt.replace_time_zone(None)

    def num(role: str) -> Any:
        return col(numbers[role]).cast(N.Float64)

    if m.amount_col:
        amount = num(AMOUNT)
    elif m.quantity_col:
        amount = num(_QUANTITY) * num(_PRICE)
    else:
        amount = N.lit(0.0)
    cancelled = None
    if m.cancel_prefix is not None and schema[m.order_col] == N.String:
        cancelled = col(m.order_col).str.starts_with(m.cancel_prefix).fill_null(False)
        amount = N.when(cancelled).then(-amount.abs()).otherwise(amount)

    # One pass: every count the rules need (rows with an id only, as in pandas).
    checks = {
        "rows": N.len(),
        "missing_id": _count(missing_id),
        "kept": _count(has_id),
        "missing_date": _count(has_id & col(m.date_col).is_null()),
    }
    if _DATE in parse:
        checks["unparsed_date"] = _count(has_id & date.is_null() & ~col(m.date_col).is_null())
    if id_type.is_float():
        checks["fractional_id"] = _count(has_id & (cid.fill_null(0.0) != cid.fill_null(0.0).round(0)))
    for role, column in amount_cols.items():
        value = num(role)
        if numbers[role] != column:
            checks[f"text:{role}"] = _count(has_id & value.is_null() & ~col(column).is_null())
        checks[f"missing:{role}"] = _count(has_id & (value.is_null() | value.is_nan().fill_null(True)))
        checks[f"infinite:{role}"] = _count(has_id & ~value.fill_null(0.0).is_finite())
    for role, column in (("order", m.order_col), ("product", m.product_col)):
        if column is not None:
            checks[f"missing:{role}"] = _count(has_id & col(column).is_null())
    counts = _to_pandas(lazy.select(**{k: v.alias(k) for k, v in checks.items()})).iloc[0]
    counts = {k: int(v) if pd.notna(v) else 0 for k, v in counts.items()}
    n_rows, n_kept = counts["rows"], counts["kept"]
    if n_rows == 0:
        raise SchemaError(f"{what}: the frame is empty (0 rows); there is nothing to compute")

    def refuse(
        column: str, problem: str, bad: Any, n_bad: int, fixes: dict[str, object] | None = None
    ) -> None:
        raise _examples(lazy, bad, available, column, what, problem, n_bad, n_kept, fixes)

    # Rule 1: every row has a customer, or guest rows are left out (and said so).
    if counts["missing_id"]:
        if m.missing_customers == "raise":
            raise _examples(
                lazy,
                missing_id,
                available,
                m.customer_col,
                what,
                "has missing ids (NaN/None)",
                counts["missing_id"],
                n_rows,
                {"missing_customers": "drop"},
            )
        if n_kept == 0:
            raise SchemaError(f"{what}: every row lacks a customer id in {m.customer_col!r}; nothing is left")
    # Rule 2: dates parse.
    if counts.get("unparsed_date"):
        bad = has_id & date.is_null() & ~col(m.date_col).is_null()
        problem = (
            f"has values that do not match date_format={m.date_format!r}"
            if m.date_format is not None
            else "has values that are not ISO-8601 dates"
        )
        fixes = None
        if m.date_format is None:
            values = _to_pandas(lazy.filter(bad).select(m.date_col).head(500))[m.date_col]
            layouts = _schema.guess_date_formats(values)
            fixes = {"date_format": layouts[0] if layouts else "..."}
            if len(layouts) > 1:
                problem += f" (they also read as {layouts[1]!r}: check which is meant)"
        refuse(m.date_col, problem, bad, counts["unparsed_date"], fixes)
    if counts["missing_date"]:
        refuse(
            m.date_col,
            "has missing dates (NaT/None)",
            has_id & col(m.date_col).is_null(),
            counts["missing_date"],
        )
    # Rule 3: amounts are finite numbers.
    for role, column in amount_cols.items():
        value = num(role)
        if counts.get(f"text:{role}"):
            bad = has_id & value.is_null() & ~col(column).is_null()
            refuse(column, "has non-numeric values", bad, counts[f"text:{role}"])
        if counts[f"missing:{role}"]:
            bad = has_id & (value.is_null() | value.is_nan().fill_null(True))
            refuse(column, "has missing values (NaN/None)", bad, counts[f"missing:{role}"])
        if counts[f"infinite:{role}"]:
            bad = has_id & ~value.fill_null(0.0).is_finite()
            refuse(column, "has infinite values", bad, counts[f"infinite:{role}"])
    for role, column in (("order", m.order_col), ("product", m.product_col)):
        if counts.get(f"missing:{role}"):
            refuse(
                column,
                "has missing ids (NaN/None)",
                has_id & col(column).is_null(),
                counts[f"missing:{role}"],
            )

    customer = cid
    if id_type.is_float() and not counts["fractional_id"]:
        customer = cid.cast(N.Int64)  # 12346.0 -> 12346, as pandas does
    canonical = [customer.alias(CUSTOMER), date.alias(DATE), amount.alias(AMOUNT)]
    if m.order_col is not None:
        canonical.append(col(m.order_col).alias(ORDER))
    if m.product_col is not None:
        canonical.append(col(m.product_col).alias(PRODUCT))
    # The user's other columns ride along (by= groups, features), unless a name is taken.
    taken = {CUSTOMER, DATE, AMOUNT, ORDER, PRODUCT, *columns}
    canonical += [col(c) for c in available if c not in taken and not c.startswith("__ecrm")]
    if cancelled is not None:
        canonical.append(cancelled.alias("__ecrm_cancelled"))
    else:
        canonical.append(N.lit(False).alias("__ecrm_cancelled"))
    frame = lazy.filter(has_id) if counts["missing_id"] else lazy
    frame = frame.select(canonical)

    # Facts of the kept log (one more pass): span, returns, cancelled lines, lost revenue.
    a = col(AMOUNT)
    facts_exprs = {
        "first_date": col(DATE).min(),
        "last_date": col(DATE).max(),
        "return_rows": _count(a < 0),
        "returns_amount": N.when(a < 0).then(a).otherwise(0.0).sum(),
        "cancelled_rows": _count(col("__ecrm_cancelled")),
        "net_amount": a.sum(),
    }
    facts_row = _to_pandas(frame.select(**{k: v.alias(k) for k, v in facts_exprs.items()})).iloc[0]
    facts: dict[str, Any] = {"rows_read": n_rows, "rows_kept": n_kept}
    facts["return_rows"] = int(facts_row["return_rows"])
    facts["returns_amount"] = float(facts_row["returns_amount"] or 0.0)
    facts["cancelled_rows"] = int(facts_row["cancelled_rows"])
    first_date, last_date = pd.Timestamp(facts_row["first_date"]), pd.Timestamp(facts_row["last_date"])
    frame = frame.drop("__ecrm_cancelled")
    if counts["missing_id"]:
        # The amounts of the rows left out, for the message only (bad values count as 0).
        def loose(role_value: Any) -> Any:
            return role_value.fill_null(0.0).fill_nan(0.0)

        if m.amount_col:
            lost_amount = loose(num(AMOUNT))
        elif m.quantity_col:
            lost_amount = loose(num(_QUANTITY)) * loose(num(_PRICE))
        else:
            lost_amount = N.lit(0.0)
        lost_amount = N.when(lost_amount.is_finite()).then(lost_amount).otherwise(0.0)
        lost = _to_pandas(lazy.filter(missing_id).select(lost_amount.sum().alias("lost"))).iloc[0, 0]
        lost = float(lost or 0.0)
        total = lost + float(facts_row["net_amount"])
        share = lost / total if total > 0 else float("nan")
        n_dropped = counts["missing_id"]
        facts |= {"rows_without_customer": n_dropped, "their_revenue_share": share}
        warnings.warn(
            f"{what}: left out {n_dropped:,} of {n_rows:,} row(s) without a customer id "
            f"(missing {m.customer_col!r}, e.g. guest checkouts): {share:.1%} of revenue "
            f"({lost:,.2f} of {total:,.2f}); missing_customers='drop'",
            DataDroppedWarning,
            stacklevel=4,
        )
    log = EngineTransactions(
        frame=frame,
        engine=engine,
        mapping=m,
        as_of=last_date,
        first_date=first_date,
        last_date=last_date,
        facts=facts,
    )
    return log.apply_returns(m.returns, what)


# ---------------------------------------------------------------------------------------
# Calendar arithmetic as expressions (integer only, the same on every engine)


def with_civil_day(frame: Any, y: Any, m: Any, d: Any, out: str) -> Any:
    """``frame`` with column ``out``: days since 1970-01-01 of the proleptic Gregorian date
    (y, m, d) (Hinnant's days_from_civil).

    Built in steps of ``with_columns`` so that no sub-expression is repeated (engines that
    compile expressions to SQL would otherwise expand them many times). Every division
    has non-negative operands for years >= 1, so floor and truncating division agree.
    """
    N = nw()
    col = N.col
    frame = frame.with_columns(
        (y - N.when(m <= 2).then(1).otherwise(0)).cast(N.Int64).alias("__cy"),
        N.when(m > 2).then(m - 3).otherwise(m + 9).cast(N.Int64).alias("__cm"),
        d.cast(N.Int64).alias("__cd"),
    )
    cy, yoe = col("__cy"), col("__cy") % 400  # year of the 400-year era
    days = (
        (cy // 400) * 146097
        + yoe * 365
        + yoe // 4
        - yoe // 100
        + (col("__cm") * 153 + 2) // 5
        + col("__cd")
        - 1
        - 719468
    )
    return frame.with_columns(days.cast(N.Int64).alias(out)).drop("__cy", "__cm", "__cd")


def with_day(frame: Any, date: str, out: str) -> Any:
    """``frame`` with ``out``: the whole day number (wall time) of datetime column ``date``."""
    N = nw()
    dt = N.col(date).dt
    frame = frame.with_columns(
        dt.year().cast(N.Int64).alias("__y"), dt.month().cast(N.Int64).alias("__m"), dt.day().alias("__d")
    )
    frame = with_civil_day(frame, N.col("__y"), N.col("__m"), N.col("__d"), out)
    return frame.drop("__y", "__m", "__d")


# A multiple of 7 added before dividing so the numerator is non-negative (days from year 1).
_WEEK_OFFSET = 7 * 110_000


def with_period(frame: Any, date: str, day: str, freq: str, out: str, start: str | None = None) -> Any:
    """``frame`` with ``out``, the calendar period ordinal (:func:`ecrm._time.period_ordinal`)
    of datetime column ``date`` whose day number is column ``day``; with ``start``, also
    the day number on which that period begins."""
    N = nw()
    col = N.col
    if freq in ("D", "W"):
        period = col(day)
        if freq == "W":
            period = ((col(day) + (_time._WEEK_SHIFT + _WEEK_OFFSET)) // 7 - _WEEK_OFFSET // 7).cast(N.Int64)
        frame = frame.with_columns(period.alias(out))
        if start is not None:
            frame = frame.with_columns(
                (col(out) * 7 - _time._WEEK_SHIFT if freq == "W" else col(out)).alias(start)
            )
        return frame
    frame = frame.with_columns(
        col(date).dt.year().cast(N.Int64).alias("__y"), col(date).dt.month().cast(N.Int64).alias("__m")
    )
    first_month = {"M": col("__m"), "Q": (col("__m") - 1) // 3 * 3 + 1, "Y": N.lit(1)}[freq]
    frame = frame.with_columns(first_month.cast(N.Int64).alias("__m0"))
    ordinal = (col("__y") - 1970) * 12 + col("__m0") - 1
    frame = frame.with_columns((ordinal // _time._MONTHS[freq]).cast(N.Int64).alias(out))
    if start is not None:
        frame = with_civil_day(frame, col("__y"), col("__m0"), N.lit(1), start)
    return frame.drop("__y", "__m", "__m0")


def as_of_day(log: Any) -> int:
    return int(_schema.day_number(pd.Series([log.as_of]))[0])


# ---------------------------------------------------------------------------------------
# Per customer


def _pandas_ids(index: pd.Series | pd.Index) -> pd.Index:
    """Collected ids as pandas builds them: integers as int64, text as str."""
    values = pd.Index(index)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        return values
    return values.astype("str")


def collect_per_customer(
    frame: Any, customer_col: str, *, ints: Sequence[str] = (), sort: bool = True
) -> pd.DataFrame:
    """A per-customer lazy frame as pandas, indexed by the customer id (sorted)."""
    out = _to_pandas(frame)
    ids = _pandas_ids(out.pop(CUSTOMER)).rename(customer_col)
    out.index = ids
    for name in ints:
        out[name] = out[name].astype(np.int64)
    for name in out.columns:
        if out[name].dtype.kind == "M":
            out[name] = out[name].astype("datetime64[us]")
        elif isinstance(out[name].dtype, pd.ArrowDtype) or str(out[name].dtype) in ("Float64", "Int64"):
            out[name] = out[name].to_numpy(dtype=float if out[name].dtype.kind == "f" else None)
    if sort:
        out = out.sort_index()
    return out


def days(log: Any) -> Any:
    """Per (customer, day): net spend, purchase rows, first instant, first and last purchase instant.

    The one pass over the rows every per-customer reduction starts from.
    """
    N = nw()
    col = N.col
    a = col(AMOUNT)
    purchase = a >= 0
    rows = with_day(log.frame, DATE, _DAY).with_columns(
        purchase.cast(N.Int64).alias("__p"),
        N.when(purchase).then(col(DATE)).alias("__pdate"),
    )
    return rows.group_by(CUSTOMER, _DAY).agg(
        a.sum().alias("spend"),
        col("__p").sum().alias("n_purchase_rows"),
        col(DATE).min().alias("any_ts"),
        col("__pdate").min().alias("first_ts"),
        col("__pdate").max().alias("last_ts"),
    )


def summary(log: Any, *, freq: str, time_unit: str, native: bool) -> Any:
    """:func:`ecrm.customer_summary` on the engine (see there for the definitions)."""
    if native:
        return summary_frame(log, freq=freq, time_unit=time_unit).to_native()
    out = summary_frame(log, freq=freq, time_unit=time_unit, keep_only_returns=True)
    table = collect_per_customer(out, log.mapping.customer_col)
    table = drop_only_returns(table, log)
    for name in ("n_orders", "recency_days", "tenure_days", "frequency"):
        table[name] = table[name].astype(np.int64)
    table.attrs.update(as_of=log.as_of, freq=freq, time_unit=time_unit, n_after_as_of=log.n_after_as_of)
    return table


def drop_only_returns(table: pd.DataFrame, log: Any) -> pd.DataFrame:
    """Leave out (with the pandas path's warning) the collected customers whose rows are
    all returns (``frequency`` -1: no purchase period)."""
    only = table["frequency"].to_numpy() < 0
    if only.any():
        _warn_only_returns(log, int(only.sum()), list(table.index[only][:5]))
        table = table[~only]
    return table


def _warn_only_returns(log: Any, n: int, examples: list) -> None:
    warnings.warn(
        f"customer_summary: left out {n} customer(s) whose only rows on or before as_of are "
        f"returns (negative {log.mapping.amount_label}); e.g. {examples}",
        DataDroppedWarning,
        stacklevel=5,
    )


def summary_frame(
    log: Any, *, freq: str, time_unit: str, keys: bool = False, keep_only_returns: bool = False
) -> Any:
    """The lazy per-customer summary (and its warning); with ``keys``, also the integer
    numerators ``__recency_key`` and ``__T_key`` of ``recency`` and ``T`` (exact join keys).
    With ``keep_only_returns``, customers whose rows are all returns stay in (``frequency``
    -1) for the caller to warn about and drop after collecting: no extra pass.

    One chain of reductions, each stage read once (engines without common-subplan reuse
    would otherwise run a stage again for every consumer): rows -> (customer, day) ->
    (customer, period) -> customer, the first purchase period by a window per customer.
    """
    N = nw()
    col = N.col
    bought_day = col("n_purchase_rows") > 0
    per_day = days(log).with_columns(
        bought_day.cast(N.Int64).alias("n_days"),
        N.when(bought_day).then(col(_DAY)).alias("first_day"),
        N.when(bought_day).then(col(_DAY)).alias("last_day"),
    )
    if freq == "D":
        periods = per_day.with_columns(col(_DAY).alias("period"), col(_DAY).alias("start"))
    else:
        periods = (
            with_period(per_day, "any_ts", _DAY, freq, "period", start="start")
            .group_by(CUSTOMER, "period", "start")
            .agg(
                col("spend").sum(),
                col("n_purchase_rows").sum(),
                col("first_ts").min(),
                col("last_ts").max(),
                col("first_day").min(),
                col("last_day").max(),
                col("n_days").sum(),
            )
        )
    # Returns in a period with a purchase count in it; a period of returns alone is none.
    bought = col("n_purchase_rows") > 0
    periods = periods.with_columns(
        bought.cast(N.Int64).alias("__b"),
        N.when(bought).then(col("period")).alias("__pp"),
        N.when(bought).then(col("start")).alias("__ps"),
    )
    periods = periods.with_columns(col("__pp").min().over(CUSTOMER).alias("__first"))
    periods = periods.with_columns(
        N.when(bought & (col("period") != col("__first"))).then(col("spend")).otherwise(0.0).alias("__repeat")
    )
    per_customer = periods.group_by(CUSTOMER).agg(
        col("spend").sum().alias("total_spend"),
        col("first_ts").min().alias("first_purchase"),
        col("last_ts").max().alias("last_purchase"),
        col("first_day").min(),
        col("last_day").max(),
        col("n_days").sum(),
        col("__b").sum().alias("n_periods"),
        col("__pp").min().alias("first_period"),
        col("__pp").max().alias("last_period"),
        col("__ps").min().alias("first_start"),
        col("__ps").max().alias("last_start"),
        col("__repeat").sum().alias("repeat_spend"),
    )
    if log.has_returns and not keep_only_returns:
        only_returns = per_customer.filter(col("n_periods") == 0)
        examples = _to_pandas(only_returns.select(CUSTOMER).sort(CUSTOMER).head(5))[CUSTOMER].tolist()
        if examples:
            _warn_only_returns(log, int(_to_pandas(only_returns.select(N.len())).iloc[0, 0]), examples)
        per_customer = per_customer.filter(col("n_periods") > 0)
    if log.mapping.order_col is not None:
        orders = (
            log.frame.filter(col(AMOUNT) >= 0)
            .select(CUSTOMER, ORDER)
            .unique()
            .group_by(CUSTOMER)
            .agg(N.len().alias("n_orders"))
        )
        out = per_customer.join(orders, on=CUSTOMER, how="left")
    else:
        out = per_customer.with_columns(col("n_days").alias("n_orders"))
    # Customers with returns only (kept for the caller) have no purchase: zeros, not nulls,
    # so every engine casts them (they leave with frequency -1).
    fill = ["first_day", "last_day", "first_period", "last_period", "first_start", "last_start", "n_orders"]
    out = out.with_columns(*[col(c).fill_null(0) for c in fill])
    as_day = as_of_day(log)
    as_period = _time.period_ordinal(np.array([as_day]), freq)
    as_start = int(_time.period_start_day(as_period, freq)[0])
    as_period = int(as_period[0])
    frequency = col("n_periods").cast(N.Int64) - 1

    # Durations from the first purchase period, as :func:`ecrm._time.duration`: periods
    # when freq == time_unit, else days, then in time_unit.
    if freq == time_unit:
        out = out.with_columns(
            (col("last_period") - col("first_period")).cast(N.Int64).alias("__recency_key"),
            (N.lit(as_period) - col("first_period")).cast(N.Int64).alias("__T_key"),
        )
    else:
        out = out.with_columns(
            (col("last_start") - col("first_start")).cast(N.Int64).alias("__recency_key"),
            (N.lit(as_start) - col("first_start")).cast(N.Int64).alias("__T_key"),
        )

    def duration(key: str) -> Any:
        if freq == time_unit:
            return col(key).cast(N.Float64)
        return col(key).cast(N.Float64) / _time.UNIT_DAYS[time_unit]

    out = out.select(
        CUSTOMER,
        "first_purchase",
        "last_purchase",
        col("n_orders").cast(N.Int64),
        col("total_spend").cast(N.Float64),
        (col("total_spend").cast(N.Float64) / col("n_orders").cast(N.Float64)).alias("avg_order_value"),
        (N.lit(as_day) - col("last_day")).cast(N.Int64).alias("recency_days"),
        (N.lit(as_day) - col("first_day")).cast(N.Int64).alias("tenure_days"),
        frequency.alias("frequency"),
        duration("__recency_key").alias("recency"),
        duration("__T_key").alias("T"),
        N.when(frequency > 0)
        .then(col("repeat_spend").fill_null(0.0).cast(N.Float64) / frequency.cast(N.Float64))
        .otherwise(N.lit(0.0))
        .alias("monetary_value"),
        *(["__recency_key", "__T_key"] if keys else []),
    )
    return out


# ---------------------------------------------------------------------------------------
# The log's own operations (the methods of EngineTransactions run these)


def cut_facts(frame: Any, cut: pd.Timestamp) -> tuple[int, pd.Timestamp, dict[str, Any]]:
    """Rows after ``cut``, the last date on or before it and the returns among those
    rows, in one pass."""
    N = nw()
    date, a = N.col(DATE), N.col(AMOUNT)
    after = date > cut.to_pydatetime()
    returned = ~after & (a < 0)
    row = _to_pandas(
        frame.select(
            _count(after).alias("n_after"),
            N.when(~after).then(date).max().alias("last"),
            _count(returned).alias("return_rows"),
            N.when(returned).then(a).otherwise(0.0).sum().alias("returns_amount"),
        )
    ).iloc[0]
    returns = {"return_rows": int(row["return_rows"]), "returns_amount": float(row["returns_amount"] or 0.0)}
    return int(row["n_after"]), pd.Timestamp(row["last"]), returns


def apply_returns(log: Any, returns: str, what: str, caller: str) -> Any:
    """``returns="exclude"`` or ``"raise"`` on the engine (see :meth:`Transactions.apply_returns`)."""
    N = nw()
    negative = N.col(AMOUNT) < 0
    n_negative = log._facts["return_rows"]  # counted when built or cut: no pass over the rows
    if not n_negative:
        return log
    m = log.mapping
    column = m.amount_col or m.quantity_col or m.customer_col
    if returns == "raise":
        # Examples from the canonical rows (the user's columns are mapped one to one).
        sample = _to_pandas(log.frame.filter(negative).head(_schema.N_EXAMPLES))
        sample = sample.rename(columns={CUSTOMER: m.customer_col, DATE: m.date_col, AMOUNT: column})
        n_total = int(_to_pandas(log.frame.select(N.len())).iloc[0, 0])
        raise _schema.rows_error(
            what, column, "has negative amounts (returns) and returns='raise'", sample, n_negative, n_total
        )
    warnings.warn(
        f"{caller}: left out {n_negative} row(s) with negative {m.amount_label} (returns='exclude')",
        DataDroppedWarning,
        stacklevel=4,
    )
    facts = log._facts | {
        "returns_excluded": log._facts.get("returns_excluded", 0) + n_negative,
        "return_rows": 0,
        "returns_amount": 0.0,
    }
    return log._replace(frame=log.frame.filter(~negative), facts=facts)


def has_purchases(log: Any) -> bool:
    N = nw()
    return bool(int(_to_pandas(log.frame.select(_count(N.col(AMOUNT) >= 0).alias("n"))).iloc[0, 0]))


def prepare(log: Any, as_of: object, returns: str, caller: str, **keywords: Any) -> Any:
    """What every function does first with its log: check the keywords against the
    mapping, cut at ``as_of``, apply ``returns``, require purchases."""
    log.check_mapping(**keywords)
    log = log.upto(as_of).apply_returns(returns, caller=caller)
    log.require_purchases()
    return log


def describe(log: Any) -> pd.Series:
    """:meth:`ecrm.Transactions.describe` counted on the engine."""
    N = nw()
    col = N.col
    exprs = [N.len().alias("rows_kept"), col(CUSTOMER).n_unique().alias("customers")]
    if log.mapping.order_col is not None:
        exprs.append(col(ORDER).n_unique().alias("orders"))
    counts = _to_pandas(log.frame.select(*exprs)).iloc[0]
    f = log._facts
    facts = {
        "rows_read": f["rows_read"],
        "rows_kept": int(counts["rows_kept"]),
        "rows_without_customer": f.get("rows_without_customer", 0),
        "their_revenue_share": f.get("their_revenue_share", 0.0),
        "returns_excluded": f.get("returns_excluded", 0),
        "rows_after_as_of": log.n_after_as_of,
        "return_rows": f["return_rows"],
        "returns_amount": f["returns_amount"],
        "cancelled_rows": f["cancelled_rows"],
        "customers": int(counts["customers"]),
    }
    if "orders" in counts:
        facts["orders"] = int(counts["orders"])
    facts |= {
        "first_date": log.first_date,
        "last_date": log.last_date,
        "as_of": log.as_of,
        "amount": log.mapping.amount_label,
        "engine": log.engine,
    }
    return pd.Series(facts, dtype=object, name="transactions")


# ---------------------------------------------------------------------------------------
# Per period: KPIs and cohorts (the tables are assembled by ecrm.metrics)


def _rows_with_period(log: Any, freq: str) -> Any:
    return with_period(with_day(log.frame, DATE, _DAY), DATE, _DAY, freq, "period")


def _window(log: Any, base: int, freq: str) -> Any:
    """What ecrm.metrics' assembly reads of a log: first (``base``) and last period, as_of, freq."""
    from types import SimpleNamespace

    last = int(_time.period_ordinal(np.array([as_of_day(log)]), freq)[0])
    return SimpleNamespace(base=base, last=last, as_of=log.as_of, freq=freq)


def _group_column(log: Any, by: str, what: str) -> None:
    """Refuse a ``by`` column the log does not have, or with missing values."""
    N = nw()
    names = log.frame.collect_schema().names()
    _schema.require_columns(pd.DataFrame(columns=names), [by], what)
    missing = N.col(by).is_null()
    n_bad = int(_to_pandas(log.frame.select(_count(missing).alias("n"))).iloc[0, 0])
    if n_bad:
        n_total = int(_to_pandas(log.frame.select(N.len())).iloc[0, 0])
        sample = _to_pandas(log.frame.filter(missing).head(_schema.N_EXAMPLES))
        raise _schema.rows_error(what, by, "has missing values", sample, n_bad, n_total)


def kpi_cells(log: Any, *, freq: str, by: str | None, as_of: object, what: str, **keywords: Any) -> tuple:
    """The sums per (group, period) cell of :func:`ecrm.metrics.kpis`, on the engine."""
    N = nw()
    col = N.col
    _time.check_freq(freq)
    log.check_mapping(what, **keywords)
    log = log.upto(as_of, what=what)
    log.require_purchases(what)
    if by is not None:
        _group_column(log, by, what)
    groups = [by] if by is not None else []
    rows = _rows_with_period(log, freq)
    a = col(AMOUNT)
    purchase = a >= 0
    sums = _to_pandas(
        rows.with_columns(
            N.when(purchase).then(a).otherwise(0.0).alias("__gmv"),
            N.when(purchase).then(0.0).otherwise(a).alias("__neg"),
        )
        .group_by(*groups, "period")
        .agg(col("__gmv").sum(), col("__neg").sum())
    )
    order = ORDER if log.mapping.order_col is not None else _DAY
    bought = rows.filter(purchase)
    per_buyer = (
        bought.select(*groups, "period", CUSTOMER, order)
        .unique()
        .group_by(*groups, "period", CUSTOMER)
        .agg(N.len().alias("n_orders"))
    )
    firsts = bought.group_by(CUSTOMER).agg(col("period").min().alias("first"))
    counts = _to_pandas(
        per_buyer.join(firsts, on=CUSTOMER)
        .with_columns(
            (col("first") == col("period")).cast(N.Int64).alias("__new"),
            (col("n_orders") >= 2).cast(N.Int64).alias("__repeat"),
        )
        .group_by(*groups, "period")
        .agg(
            N.len().alias("buyers"),
            col("n_orders").sum().alias("orders"),
            col("__repeat").sum().alias("repeat"),
            col("__new").sum().alias("new_buyers"),
        )
    )
    window = _window(log, int(sums["period"].min()), freq)
    base, n_periods = window.base, window.last - window.base + 1
    labels = None
    if by is not None:
        labels = pd.Index(np.sort(pd.unique(sums[by].to_numpy())), name=by)

    def cell(table: pd.DataFrame) -> np.ndarray:
        g = labels.get_indexer(table[by]) if labels is not None else 0
        return g * n_periods + (table["period"].to_numpy(dtype=np.int64) - base)

    n_cells = (1 if labels is None else len(labels)) * n_periods

    def spread(table: pd.DataFrame, column: str, dtype: Any) -> np.ndarray:
        out = np.zeros(n_cells, dtype=dtype)
        out[cell(table)] = table[column].to_numpy(dtype=dtype)
        return out

    cells = {
        "gmv": spread(sums, "__gmv", float),
        "returns": 0.0 - spread(sums, "__neg", float),
        "orders": spread(counts, "orders", np.int64),
        "buyers": spread(counts, "buyers", np.int64),
        "new_buyers": spread(counts, "new_buyers", np.int64),
        "repeat": spread(counts, "repeat", np.int64),
        "groups": labels,
    }
    return window, cells


def cohort_cells(log: Any, *, freq: str, value: str, as_of: object, **keywords: Any) -> tuple:
    """The cells of :func:`ecrm.metrics.cohort_retention` on the engine: each cell's cohort
    (first period - base), age and customers or revenue, and the cohort sizes."""
    N = nw()
    col = N.col
    what = "cohort_retention"
    _time.check_freq(freq)
    log.check_mapping(what, **keywords)
    log = log.upto(as_of, what=what)
    log.require_purchases(what)
    rows = _rows_with_period(log, freq)
    active = rows.filter(col(AMOUNT) >= 0).select(CUSTOMER, "period").unique()
    firsts = active.group_by(CUSTOMER).agg(col("period").min().alias("first"))
    window = _window(log, int(_to_pandas(rows.select(col("period").min().alias("p"))).iloc[0, 0]), freq)
    base, n_periods = window.base, window.last - window.base + 1
    if value == "customers":
        table = active.join(firsts, on=CUSTOMER).group_by("first", "period").agg(N.len().alias("n"))
    else:
        left = rows.join(firsts, on=CUSTOMER, how="anti")
        lost = _to_pandas(left.select(N.len().alias("rows"), col(CUSTOMER).n_unique().alias("customers")))
        if int(lost["rows"].iloc[0]):
            warnings.warn(
                f"cohort_retention: left out {int(lost['rows'].iloc[0])} row(s) of "
                f"{int(lost['customers'].iloc[0])} customer(s) whose only rows are returns "
                f"(negative {keywords.get('amount_col', 'amount')!r})",
                DataDroppedWarning,
                stacklevel=3,
            )
        table = (
            rows.join(firsts, on=CUSTOMER)
            .with_columns(  # a return before the first purchase counts in period 0
                N.when(col("period") > col("first"))
                .then(col("period"))
                .otherwise(col("first"))
                .alias("period")
            )
            .group_by("first", "period")
            .agg(col(AMOUNT).sum().alias("n"))
        )
    table = _to_pandas(table)
    first = table["first"].to_numpy(dtype=np.int64)
    age = table["period"].to_numpy(dtype=np.int64) - first
    sizes_table = _to_pandas(firsts.group_by("first").agg(N.len().alias("n")))
    sizes = np.zeros(n_periods, dtype=np.int64)
    sizes[sizes_table["first"].to_numpy(dtype=np.int64) - base] = sizes_table["n"].to_numpy(dtype=np.int64)
    return window, first - base, age, table["n"].to_numpy(dtype=float), sizes


# ---------------------------------------------------------------------------------------
# Churn: windowed counts, gaps between purchase days, labels


def _gaps(purchase_days: Any) -> Any:
    """(customer, day) purchase days with ``gap`` (days since the customer's previous
    purchase day; null for the first) and ``is_last`` (the customer's last day)."""
    N = nw()
    col = N.col
    if purchase_days.implementation.is_dask():
        # Dask has no ordered window: sort each customer's days inside its partition.
        native = purchase_days.to_native().shuffle(on=CUSTOMER)

        def per_partition(part: pd.DataFrame) -> pd.DataFrame:
            part = part.sort_values([CUSTOMER, _DAY], kind="stable")
            by = part.groupby(CUSTOMER, sort=False)[_DAY]
            return part.assign(gap=by.diff(), is_last=part[_DAY] == by.transform("max"))

        meta = native._meta.assign(gap=pd.Series(dtype="float64"), is_last=pd.Series(dtype=bool))
        return _as_lazy(native.map_partitions(per_partition, meta=meta))
    return purchase_days.with_columns(
        (col(_DAY) - col(_DAY).shift(1).over(CUSTOMER, order_by=_DAY)).alias("gap"),
        (col(_DAY) == col(_DAY).max().over(CUSTOMER)).alias("is_last"),
    )


def _orders(log: Any, purchase_days: Any) -> Any:
    """Every order as (customer, day of its first purchase line): distinct order ids, or
    without an order column the purchase days themselves (as ``Transactions.orders``)."""
    if log.mapping.order_col is None:
        return purchase_days
    col = nw().col
    return (
        with_day(log.frame.filter(col(AMOUNT) >= 0), DATE, _DAY)
        .group_by(CUSTOMER, ORDER)
        .agg(col(_DAY).min())
    )


def churn_reductions(log: Any, windows: Sequence[int]) -> pd.DataFrame:
    """Per customer: orders and net spend in the last ``windows`` days, count, sum and
    sum of squares of the gaps between purchase days and the last gap, and (when the
    log has returns) returned and gross amounts; indexed by customer id."""
    N = nw()
    col = N.col
    cut_day = as_of_day(log)
    per_day = days(log)
    bought = col("n_purchase_rows") > 0
    orders = _orders(log, per_day.filter(bought).select(CUSTOMER, _DAY))
    recent = {w: col(_DAY) > cut_day - w for w in windows}
    tables = [
        orders.with_columns(*[recent[w].cast(N.Int64).alias(f"orders_{w}d") for w in windows])
        .group_by(CUSTOMER)
        .agg(*[col(f"orders_{w}d").sum() for w in windows]),
        per_day.with_columns(
            *[N.when(recent[w]).then(col("spend")).otherwise(0.0).alias(f"spend_{w}d") for w in windows]
        )
        .group_by(CUSTOMER)
        .agg(*[col(f"spend_{w}d").sum() for w in windows]),
    ]
    gaps = _gaps(per_day.filter(bought).select(CUSTOMER, _DAY))
    gap = col("gap").cast(N.Float64)
    tables.append(
        gaps.with_columns(
            gap.alias("__gap"), (gap * gap).alias("__sq"), N.when(col("is_last")).then(gap).alias("__last")
        )
        .group_by(CUSTOMER)
        .agg(
            col("__gap").count().alias("n_gaps"),
            col("__gap").sum().alias("gap_sum"),
            col("__sq").sum().alias("gap_sq"),
            col("__last").max().alias("last_gap"),
        )
    )
    if log.has_returns:
        a = col(AMOUNT)
        tables.append(
            log.frame.with_columns(
                N.when(a < 0).then(-a).otherwise(0.0).alias("returned"),
                N.when(a >= 0).then(a).otherwise(0.0).alias("gross"),
            )
            .group_by(CUSTOMER)
            .agg(col("returned").sum(), col("gross").sum())
        )
    parts = [collect_per_customer(t, log.mapping.customer_col) for t in tables]
    out = parts[0].join(parts[1:], how="outer")
    for name in out.columns:
        if name.startswith("orders_") or name == "n_gaps":
            out[name] = out[name].fillna(0).astype(np.int64)
        elif name != "last_gap":
            out[name] = out[name].fillna(0.0).astype(float)
    return out


def buyers_between(log: Any, start: pd.Timestamp, end: pd.Timestamp) -> pd.Index:
    """The customers with a purchase in ``(start, end]``."""
    N = nw()
    date = N.col(DATE)
    window = (date > start.to_pydatetime()) & (date <= end.to_pydatetime()) & (N.col(AMOUNT) >= 0)
    ids = _to_pandas(log.frame.filter(window).select(CUSTOMER).unique())[CUSTOMER]
    return _pandas_ids(ids)


# ---------------------------------------------------------------------------------------
# Lifecycle: the facts a stage is decided from


def lifecycle_facts(log: Any, churn_days: int, window_days: int) -> pd.DataFrame:
    """Per customer on the ``as_of`` day: rows, first and last purchase day, the most
    recent comeback (purchase day after a gap > ``churn_days``) and its gap, and orders
    dated within ``window_days``; indexed by customer id."""
    N = nw()
    col = N.col
    per_day = days(log)
    bought = per_day.filter(col("n_purchase_rows") > 0).select(CUSTOMER, _DAY)
    gaps = _gaps(bought)
    # The latest lapse and its length in one max: day and gap packed in one integer.
    pack = 1 << 24
    lapsed = gaps.with_columns(
        N.when(col("gap") > churn_days)
        .then(col(_DAY) * pack + col("gap").fill_null(0).cast(N.Int64))
        .alias("__comeback")
    )
    spans = lapsed.group_by(CUSTOMER).agg(
        col(_DAY).min().alias("first_day"), col(_DAY).max().alias("last_day"), col("__comeback").max()
    )
    start = as_of_day(log) - window_days
    orders = _orders(log, bought)
    recent = (
        orders.with_columns((col(_DAY) >= start).cast(N.Int64).alias("n_window"))
        .group_by(CUSTOMER)
        .agg(col("n_window").sum())
    )
    rows = log.frame.group_by(CUSTOMER).agg(N.len().alias("n_rows"))
    parts = [collect_per_customer(t, log.mapping.customer_col) for t in (rows, spans, recent)]
    out = parts[0].join(parts[1:], how="left")
    packed = out.pop("__comeback").to_numpy(dtype=float)
    has_back = ~np.isnan(packed)
    whole = np.where(has_back, packed, 0).astype(np.int64)
    out["comeback_day"] = pd.arrays.IntegerArray(np.floor_divide(whole, pack), ~has_back)
    out["lapse_days"] = pd.arrays.IntegerArray(np.mod(whole, pack), ~has_back)
    return out


# ---------------------------------------------------------------------------------------
# CLV: distinct (frequency, recency, T) patterns out, scores per pattern back in

_PATTERN_KEYS = ["frequency", "__recency_key", "__T_key"]


def _durations(table: pd.DataFrame, freq: str, time_unit: str) -> pd.DataFrame:
    """``recency`` and ``T`` from their integer keys, by the engine's own arithmetic."""
    for name, key in (("recency", "__recency_key"), ("T", "__T_key")):
        values = table[key].to_numpy(dtype=np.int64).astype(np.float64)
        table[name] = values if freq == time_unit else values / _time.UNIT_DAYS[time_unit]
    return table


def clv_patterns(log: Any, *, freq: str, time_unit: str, monetary: bool) -> pd.DataFrame:
    """The distinct (frequency, recency, T [, monetary_value]) of the customers, with counts."""
    N = nw()
    keys = _PATTERN_KEYS + (["monetary_value"] if monetary else [])
    frame = summary_frame(log, freq=freq, time_unit=time_unit, keys=True)
    table = _to_pandas(frame.group_by(*keys).agg(N.len().alias("n_customers")))
    table = _durations(table, freq, time_unit)
    table["frequency"] = table["frequency"].astype(np.int64)
    table["n_customers"] = table["n_customers"].astype(np.int64)
    return table[["frequency", "recency", "T", *keys[3:], "n_customers"]]


def _small_frame(like: Any, table: pd.DataFrame) -> Any:
    """A small pandas table as a lazy frame on the engine (and session) of ``like``."""
    native = like.to_native()
    impl = like.implementation
    if impl.is_polars():
        return _as_lazy(require("polars").from_pandas(table).lazy())
    if impl.is_pyspark():
        return _as_lazy(native.sparkSession.createDataFrame(table))
    if impl.is_dask():
        return _as_lazy(require("dask").from_pandas(table, npartitions=1))

    # DuckDB: a VALUES list on the relation's own connection (relations of two
    # connections cannot be joined); numbers as text cast back, so they round-trip exactly.
    def literal(value: object) -> str:
        if isinstance(value, (int, np.integer)):
            return str(int(value))
        return f"CAST('{float(value)!r}' AS DOUBLE)"

    rows = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in table.itertuples(index=False))
    names = ", ".join(_duck_quote(c) for c in table.columns)
    return _as_lazy(native.query("__ecrm_rows", f"SELECT * FROM (VALUES {rows}) AS scores({names})"))


def clv_score(log: Any, *, freq: str, time_unit: str, scores: Any, native: bool) -> Any:
    """Per customer: frequency, recency, T and ``scores(patterns)`` (a DataFrame of score
    columns for a table of distinct patterns), computed once per pattern and joined back
    on the engine on the pattern's integer keys."""
    N = nw()
    frame = summary_frame(log, freq=freq, time_unit=time_unit, keys=True)
    frame = frame.select(CUSTOMER, "frequency", "recency", "T", *_PATTERN_KEYS[1:])
    distinct = _durations(_to_pandas(frame.select(*_PATTERN_KEYS).unique()), freq, time_unit)
    distinct = distinct.astype({k: np.int64 for k in _PATTERN_KEYS})
    distinct.attrs.update(time_unit=time_unit, freq=freq)
    scored = scores(distinct[["frequency", "recency", "T"]])
    small = pd.concat([distinct[_PATTERN_KEYS], scored.reset_index(drop=True)], axis=1)
    joined = frame.join(_small_frame(frame, small), on=_PATTERN_KEYS, how="left").drop(*_PATTERN_KEYS[1:])
    joined = joined.with_columns(N.col("frequency").cast(N.Int64))
    if native:
        return joined.to_native()
    out = collect_per_customer(joined, log.mapping.customer_col, ints=("frequency",))
    out.attrs.update(as_of=log.as_of, freq=freq, time_unit=time_unit)
    return out


# ---------------------------------------------------------------------------------------
# Surveys: responses counted per (group, score)


def score_counts(
    native: Any, score_col: str, by: list[str], scale: tuple[int, int], what: str, on_invalid: str
) -> pd.DataFrame:
    """Scores of a survey frame on an engine, checked there (as :mod:`ecrm.survey` does)
    and counted per (groups, score): columns ``by``, ``score_col`` and ``n``."""
    N = nw()
    col = N.col
    _time.check_choice(on_invalid, "on_invalid", ("raise", "drop"))
    engine = engine_of(native)
    require(engine)
    lazy = _as_lazy(native)
    schema = lazy.collect_schema()
    names = list(schema.names())
    _schema.require_columns(pd.DataFrame(columns=names), [score_col, *by], what)
    low, high = scale
    dtype = schema[score_col]
    if dtype == N.Boolean:
        raise SchemaError(f"{what}: column {score_col!r} is boolean; expected integer scores {low}..{high}")
    if not dtype.is_numeric():
        lazy = _as_lazy(_with_parsed(native, engine, {"__ecrm_score": (score_col, "number", None)}))
        value = col("__ecrm_score")
    else:
        value = col(score_col).cast(N.Float64)
    filled = value.fill_null(0.5).fill_nan(0.5)  # 0.5: never a whole score
    bad = value.is_null() | value.is_nan().fill_null(True) | (filled != filled.round(0))
    bad = bad | (filled < low) | (filled > high)
    checks = [N.len().alias("rows"), _count(bad).alias("bad")]
    checks += [_count(col(c).is_null()).alias(f"missing:{c}") for c in by]
    counts = _to_pandas(lazy.select(*checks)).iloc[0]
    n_rows, n_bad = int(counts["rows"]), int(counts["bad"])
    if n_rows == 0:
        raise SchemaError(f"{what}: no responses (0 scores); there is nothing to compute")
    if n_bad:
        values = _to_pandas(lazy.filter(bad).group_by(score_col).agg(N.len().alias("n")))
        values = values.sort_values("n", ascending=False, kind="stable")
        top = values.head(10)
        shown = ", ".join(f"{v!r} (x{c})" for v, c in zip(top[score_col], top["n"], strict=True))
        more = f" and {len(values) - 10} more" if len(values) > 10 else ""
        problem = f"has values that are not integers in {low}..{high} (NaN included); offending values: "
        problem += shown + more
        if on_invalid == "raise" or n_bad == n_rows:
            if n_bad == n_rows and on_invalid != "raise":
                problem += "; no valid response is left"
            raise _examples(lazy, bad, names, score_col, what, problem, n_bad, n_rows)
        warnings.warn(
            f"{what}: dropped {n_bad} of {n_rows} row(s) because column {score_col!r} {problem}",
            DataDroppedWarning,
            stacklevel=4,
        )
        lazy = lazy.filter(~bad)
    for column in by:
        n_missing = int(counts[f"missing:{column}"])
        if n_missing:
            problem = "has missing group keys (NaN/None)"
            raise _examples(lazy, col(column).is_null(), names, column, what, problem, n_missing, n_rows)
    table = lazy.with_columns(value.cast(N.Int64).alias("__ecrm_value"))
    table = table.group_by(*by, "__ecrm_value").agg(N.len().alias("n"))
    out = _to_pandas(table).rename(columns={"__ecrm_value": score_col})
    for column in by:
        if out[column].dtype.kind not in "iufMb":
            out[column] = out[column].astype("str")
    out["n"] = out["n"].astype(np.int64)
    return out


# ---------------------------------------------------------------------------------------
# Service tickets: SLA counts and exact percentiles per group


def _micros(frame: Any, date: str, out: str) -> Any:
    """``frame`` with ``out``: microseconds since 1970-01-01 of datetime column ``date``
    (wall time), from the civil day and the time of day: integer arithmetic that every
    engine has (Spark has no duration arithmetic in narwhals)."""
    N = nw()
    dt = N.col(date).dt
    frame = with_day(frame, date, "__us_day").with_columns(
        (
            N.col("__us_day").cast(N.Int64) * 86_400_000_000
            + dt.hour().cast(N.Int64) * 3_600_000_000
            + dt.minute().cast(N.Int64) * 60_000_000
            + dt.second().cast(N.Int64) * 1_000_000
            + dt.microsecond().cast(N.Int64)
        ).alias(out)
    )
    return frame.drop("__us_day")


def column_names(native: Any) -> list[str]:
    """The column names of a native frame."""
    return list(_as_lazy(native).collect_schema().names())


def collect_columns(native: Any, columns: Sequence[str], what: str) -> pd.DataFrame:
    """The named columns of a native frame (those present), collected to pandas."""
    lazy = _as_lazy(native)
    names = list(lazy.collect_schema().names())
    return _to_pandas(lazy.select(*[c for c in dict.fromkeys(columns) if c in names]))


def ticket_rows(
    native: Any,
    *,
    by: str | None,
    as_of: object,
    response_hours: float,
    resolution_hours: float,
    cols: dict[str, str],
    csat_scale: tuple[int, int],
    what: str,
) -> tuple[Any, list[str], pd.Timestamp, int, int]:
    """Validated tickets on their engine, created on or before ``as_of``, with the
    per-ticket outcomes of :mod:`ecrm.service`: ``__age``, ``__response``,
    ``__resolution`` (hours), ``__open`` (age while open), ``__score`` (when there are
    scores), ``__c_us`` (creation, microseconds), ``group`` and the 0/1 flags named in
    the list returned with the rows, ``as_of``, its microseconds and the tickets after it.

    ``cols`` maps the roles ticket, customer, created, response, resolved, contacts, csat
    to column names. The checks are the pandas path's, in its order, counted in one pass.
    """
    N = nw()
    col = N.col
    engine = engine_of(native)
    require(engine)
    lazy = _as_lazy(native)
    schema = lazy.collect_schema()
    names = list(schema.names())
    required = [cols[k] for k in ("ticket", "customer", "created", "response", "resolved")]
    _schema.require_columns(pd.DataFrame(columns=names), required, what)
    if by is not None:
        _schema.require_columns(pd.DataFrame(columns=names), [by], what)
    optional = {k: cols[k] for k in ("contacts", "csat") if cols[k] in names}

    # Text dates and numbers are parsed on the engine, bad values as null.
    parse: dict[str, tuple[str, str, str | None]] = {}
    when: dict[str, Any] = {}
    for role in ("created", "response", "resolved"):
        column = cols[role]
        dtype = schema[column]
        if dtype == N.String:
            parse[f"__ecrm_{role}"] = (column, "date", None)
            when[role] = col(f"__ecrm_{role}")
            continue
        hint = ", e.g. pd.to_datetime(df[col].astype(str), format='%Y%m%d')"  # the pandas path's
        refuse_date_type(dtype, column, engine, what, hint)
        value = col(column)
        if dtype == N.Date:
            value = value.cast(N.Datetime("us"))
        elif isinstance(dtype, N.Datetime) and dtype.time_zone is not None:
            value = value.dt.replace_time_zone(None)  # Spark's TIMESTAMP: wall time in the session zone
        when[role] = value
    number: dict[str, Any] = {}
    for role, column in optional.items():
        if schema[column].is_numeric():
            number[role] = col(column).cast(N.Float64)
        else:
            parse[f"__ecrm_{role}"] = (column, "number", None)
            number[role] = col(f"__ecrm_{role}")
    lazy = _as_lazy(_with_parsed(native, engine, parse))

    def missing(column: str) -> Any:
        c = col(column)
        return c.is_null() | c.is_nan().fill_null(True) if schema[column].is_float() else c.is_null()

    created, response, resolved = when["created"], when["response"], when["resolved"]
    raw = {role: col(cols[role]) for role in ("created", "response", "resolved")}
    bad: dict[str, tuple[str, str, Any, Any]] = {}  # check -> (column, problem, mask, base)
    bad["ticket"] = (cols["ticket"], "has missing ids (NaN/None)", missing(cols["ticket"]), None)
    bad["customer"] = (cols["customer"], "has missing ids (NaN/None)", missing(cols["customer"]), None)
    for role in ("created", "response", "resolved"):
        if f"__ecrm_{role}" in parse:
            present = ~raw[role].is_null()
            problem = "has values that are not ISO-8601 dates"
            bad[f"unparsed:{role}"] = (cols[role], problem, present & when[role].is_null(), present)
        if role == "created":
            bad["missing:created"] = (
                cols["created"],
                "has missing dates (NaT/None)",
                created.is_null(),
                None,
            )
    for role, times in (("response", response), ("resolved", resolved)):
        problem = f"is before {cols['created']!r}"
        bad[f"early:{role}"] = (cols[role], problem, (times < created).fill_null(False), None)
    low, high = _schema.scale(csat_scale, "csat_scale", what)
    for role, value in number.items():
        column = optional[role]
        present = ~(value.is_null() | value.is_nan().fill_null(True))
        if f"__ecrm_{role}" in parse:
            bad[f"text:{role}"] = (
                column,
                "has non-numeric values",
                value.is_null() & ~col(column).is_null(),
                None,
            )
        filled = value.fill_null(1.0).fill_nan(1.0)
        bad[f"inf:{role}"] = (column, "has infinite values", ~filled.is_finite(), None)
        whole = filled == filled.round(0)
        if role == "contacts":
            off, problem = (filled < 1) | ~whole, "is not a whole number >= 1"
        else:
            off = (filled < low) | (filled > high) | ~whole
            problem = f"has scores that are not whole numbers in {low}..{high} (csat_scale)"
        bad[f"off:{role}"] = (column, problem, present & off & filled.is_finite(), None)
    checks = [N.len().alias("rows")]
    for key, (_, _, mask, base) in bad.items():
        checks.append(_count(mask).alias(key))
        if base is not None:
            checks.append(_count(base).alias(f"base:{key}"))
    checks += [
        created.max().alias("max:created"),
        created.min().alias("min:created"),
        response.max().alias("max:response"),
        resolved.max().alias("max:resolved"),
    ]
    counts = _to_pandas(lazy.select(*checks)).iloc[0]
    n_rows = int(counts["rows"])
    if n_rows == 0:
        raise SchemaError(f"{what}: the frame is empty (0 rows); there is nothing to compute")
    order = ["ticket", "duplicate", "customer", "unparsed:created", "missing:created"]
    order += ["unparsed:response", "unparsed:resolved", "early:response", "early:resolved"]
    for role in ("contacts", "csat"):
        order += [f"text:{role}", f"inf:{role}", f"off:{role}"]
    for key in order:
        if key == "duplicate":
            repeats = lazy.group_by(cols["ticket"]).agg(N.len().alias("__n")).filter(col("__n") > 1)
            ids = _to_pandas(repeats.select(cols["ticket"], "__n"))
            if len(ids):
                duplicated = col(cols["ticket"]).is_in(ids[cols["ticket"]].tolist())
                problem = "has duplicate ticket ids"
                raise _examples(
                    lazy, duplicated, names, cols["ticket"], what, problem, int(ids["__n"].sum()), n_rows
                )
            continue
        if key not in bad or not int(counts[key]):
            continue
        column, problem, mask, base = bad[key]
        total = n_rows if base is None else int(counts[f"base:{key}"])
        shown = [cols["ticket"], cols["created"], column] if key.startswith("early") else names
        raise _examples(lazy, mask, shown, column, what, problem, int(counts[key]), total)
    latest = max(
        pd.Timestamp(counts[k])
        for k in ("max:created", "max:response", "max:resolved")
        if pd.notna(counts[k])
    )
    as_of_ts = latest if as_of is None else _schema.timestamp(as_of, None, "as_of", what)
    first = pd.Timestamp(counts["min:created"])
    if as_of_ts < first:
        raise SchemaError(f"{what}: as_of={as_of_ts} is before the first ticket ({first})")
    cut = as_of_ts.to_pydatetime()
    group = col(by) if by is not None else N.lit("all")
    rows = lazy.with_columns(
        created.alias("__c"),
        N.when(response <= cut).then(response).alias("__rp"),
        N.when(resolved <= cut).then(resolved).alias("__rs"),
        group.alias("group"),
        *[value.alias(f"__{role}") for role, value in number.items()],
    )
    # Group keys are checked on the tickets up to as_of only, as on pandas.
    kept = col("__c") <= cut
    late = [_count(~kept).alias("after"), _count(kept).alias("kept")]
    if by is not None:
        late.append(_count(kept & missing(by)).alias("missing"))
    late_counts = _to_pandas(rows.select(*late)).iloc[0]
    n_after = int(late_counts["after"])
    if by is not None and int(late_counts["missing"]):
        n_missing, n_kept = int(late_counts["missing"]), int(late_counts["kept"])
        problem = "has missing ids (NaN/None)"
        raise _examples(rows, kept & missing(by), names, by, what, problem, n_missing, n_kept)
    rows = rows.filter(col("__c") <= cut)
    rows = rows.with_columns(
        N.when(col("__rp").is_null() | (col("__rs") < col("__rp")).fill_null(False))
        .then(col("__rs"))
        .otherwise(col("__rp"))
        .alias("__rp")
    )
    for name in ("__c", "__rp", "__rs"):
        rows = _micros(rows, name, f"{name}_us")
    as_of_us = int((as_of_ts - pd.Timestamp(0)) // pd.Timedelta(microseconds=1))
    hour = 3_600_000_000.0
    age = (N.lit(as_of_us) - col("__c_us")).cast(N.Float64) / hour
    response_h = (col("__rp_us") - col("__c_us")).cast(N.Float64) / hour
    resolution_h = (col("__rs_us") - col("__c_us")).cast(N.Float64) / hour
    responded, is_resolved = ~col("__rp_us").is_null(), ~col("__rs_us").is_null()
    rows = rows.with_columns(
        age.alias("__age"), response_h.alias("__response"), resolution_h.alias("__resolution")
    )
    a, rp, rs = col("__age"), col("__response"), col("__resolution")
    contacts = col("__contacts") if "contacts" in number else None
    csat = col("__csat") if "csat" in number else None
    flags = {
        "responded": responded,
        "resolved": is_resolved,
        "response_decided": responded | (a > response_hours),
        "response_met": responded & (rp <= response_hours).fill_null(False),
        "resolution_decided": is_resolved | (a > resolution_hours),
        "resolution_met": is_resolved & (rs <= resolution_hours).fill_null(False),
    }
    if contacts is not None:
        known = ~(contacts.is_null() | contacts.is_nan().fill_null(True))
        flags["fcr_base"] = is_resolved & known
        flags["fcr_met"] = is_resolved & known & (contacts.fill_null(0.0).fill_nan(0.0) == 1)
    rows = rows.with_columns(
        *[f.cast(N.Int64).alias(k) for k, f in flags.items()],
        N.when(~is_resolved).then(a).alias("__open"),
        *(
            [N.when(~(csat.is_null() | csat.is_nan().fill_null(True))).then(csat).alias("__score")]
            if csat is not None
            else []
        ),
    )
    return rows, list(flags), as_of_ts, as_of_us, n_after


def sla_table(native: Any, *, by: str | None, **options: Any) -> tuple[pd.DataFrame, pd.Timestamp, int]:
    """:func:`ecrm.service.sla`'s reductions on the engine: per group (column ``group``),
    ticket counts, SLA counts, exact linear percentiles of the durations, the open
    backlog's age and the mean score; with ``as_of`` and the tickets after it."""
    N = nw()
    col = N.col
    rows, flags, as_of_ts, _, n_after = ticket_rows(native, by=by, **options)
    aggs = [N.len().alias("tickets"), *[col(k).sum() for k in flags]]
    for name, source in (("response", "__response"), ("resolution", "__resolution"), ("open_age", "__open")):
        aggs.append(col(source).quantile(0.5, interpolation="linear").alias(f"{name}_median_hours"))
        if name != "open_age":
            aggs.append(col(source).quantile(0.9, interpolation="linear").alias(f"{name}_p90_hours"))
    aggs.append(col("__open").max().alias("open_age_max_hours"))
    if "__score" in rows.collect_schema().names():
        aggs.append(col("__score").mean().alias("csat_mean"))
    table = _to_pandas(rows.group_by("group").agg(*aggs))
    table["group"] = _pandas_ids(table["group"])  # as pandas' ids: int64 or str
    return table, as_of_ts, n_after


def ticket_customer_features(
    native: Any, *, categories: list[object], category_col: str, options: dict[str, Any]
) -> pd.DataFrame:
    """:func:`ecrm.service.customer_features` on the engine: per customer, tickets,
    complaints, open tickets, breached and decided tickets, the latest creation and the
    score of the latest rated ticket (at equal creation instants, the highest score: an
    engine has no row order); indexed by customer id, ``n_complaints`` NaN without
    ``category_col`` (the caller warns)."""
    N = nw()
    col = N.col
    what, customer = options["what"], options["cols"]["customer"]
    rows, _, as_of_ts, as_of_us, n_after = ticket_rows(native, by=None, **options)
    names = rows.collect_schema().names()
    has_category = category_col in names
    failed = (col("response_decided") == 1) & (col("response_met") == 0)
    failed = failed | ((col("resolution_decided") == 1) & (col("resolution_met") == 0))
    decided = failed | ((col("response_decided") == 1) & (col("resolution_decided") == 1))
    per = rows.with_columns(
        failed.cast(N.Int64).alias("__breached"),
        decided.cast(N.Int64).alias("__decided"),
        (1 - col("resolved")).alias("__openflag"),
        (col(category_col).is_in(categories).fill_null(False) if has_category else N.lit(False))
        .cast(N.Int64)
        .alias("__complaint"),
    )
    if has_category:
        seen = _to_pandas(
            per.select(_count(~col(category_col).is_null()).alias("n"), col("__complaint").sum().alias("c"))
        ).iloc[0]
        if int(seen["n"]) and not int(seen["c"]):
            top = per.filter(~col(category_col).is_null()).group_by(category_col).agg(N.len().alias("__n"))
            top = _to_pandas(top).sort_values(["__n", category_col], ascending=[False, True], kind="stable")
            present = top[category_col].astype(str).head(10).tolist()
            warnings.warn(
                f"{what}: no ticket has a category in complaint_categories={categories!r}; "
                f"column {category_col!r} has {present}",
                EcrmWarning,
                stacklevel=4,
            )
    table = per.group_by(customer).agg(
        N.len().alias("n_tickets"),
        col("__complaint").sum().alias("n_complaints"),
        col("__openflag").sum().alias("n_open_tickets"),
        col("__breached").sum().alias("__breached"),
        col("__decided").sum().alias("__decided"),
        col("__c_us").max().alias("__last_us"),
    )
    parts = [table.rename({customer: CUSTOMER})]
    if "__score" in names:
        rated = per.filter(~col("__score").is_null()).select(customer, "__c_us", "__score")
        latest = rated.group_by(customer).agg(col("__c_us").max())
        last = rated.join(latest, on=[customer, "__c_us"]).group_by(customer).agg(col("__score").max())
        parts.append(last.rename({customer: CUSTOMER, "__score": "last_csat"}))
    tables = [collect_per_customer(t, customer) for t in parts]
    out = tables[0].join(tables[1:], how="left") if len(tables) > 1 else tables[0]
    if "last_csat" not in out:
        out["last_csat"] = np.nan
    decided_n = out.pop("__decided").astype(np.int64)
    out["sla_breach_share"] = out.pop("__breached").astype(np.int64) / decided_n.replace(0, np.nan)
    out["days_since_last_ticket"] = (as_of_us - out.pop("__last_us").astype(np.int64)) / 86_400_000_000
    for name in ("n_tickets", "n_complaints", "n_open_tickets"):
        out[name] = out[name].astype(np.int64)
    if not has_category:
        out["n_complaints"] = np.nan
    out["last_csat"] = out["last_csat"].astype("float64")
    out = out[
        [
            "n_tickets",
            "n_complaints",
            "n_open_tickets",
            "sla_breach_share",
            "last_csat",
            "days_since_last_ticket",
        ]
    ]
    out.attrs.update(as_of=as_of_ts, n_after_as_of=n_after)
    return out
