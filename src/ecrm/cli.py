"""The ``ecrm`` command line.

``ecrm report FILE --out DIR`` writes the customer report of a CSV or Parquet file of
transactions (see :func:`ecrm.report.build`), with a campaign section when
``--campaign ASSIGNMENTS`` is given and a products section with ``--product-col``;
``ecrm demo`` writes the same report for the bundled CDNOW data with synthetic surveys,
loyalty events, tickets and a campaign holdout; ``ecrm summary FILE`` prints
the customer summary of a file. Every command that reads transactions takes the mapping
of :func:`ecrm.transactions` as flags (``--customer-col``, ``--quantity-col``,
``--date-format``, ``--missing-customers``, ...) or from ``--config FILE.toml``. Bad
input exits with status 2 and a message whose first line names the file, the column,
the problem and the flag that fixes it; the example rows it announces follow, indented.
Each distinct warning is printed once.

``report`` and ``summary`` read a log larger than memory on an engine: a glob
(``'lake/orders/*.parquet'``) opens in DuckDB by default, ``--engine`` chooses DuckDB,
Polars, Spark or Dask for any path, and ``--memory-limit`` caps DuckDB's memory. The
per-customer and per-period tables are computed on the engine and come back as pandas;
the rest of the report proceeds as for a file read into memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import glob
import importlib.util
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .errors import EcrmError, EcrmWarning, SchemaError
from .report import Options, overview
from .summary import customer_summary
from .transactions import MISSING_CUSTOMERS, RETURNS, TransactionMapping, transactions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 reads TOML with tomli, the same parser
    import tomli as tomllib

__all__ = ["main", "overview", "read_config", "read_table"]

PARQUET_SUFFIXES = (".parquet", ".pq")
#: Where ``report`` and ``summary`` run: pandas reads the file into memory; the others
#: aggregate on the engine (see :func:`ecrm.transactions`).
ENGINES = ("pandas", "duckdb", "polars", "spark", "dask")
# A path with one of these is a glob of files: read on an engine (DuckDB by default).
GLOB_CHARACTERS = "*?["
DEMO_OUT = Path("ecrm-demo")
# Sizes of the synthetic inputs of `ecrm demo` (small: the demo must stay quick).
DEMO_SURVEYS = 5_000
DEMO_TICKETS = 3_000
# Tier thresholds of the demo's loyalty programme, scaled to CDNOW-sized baskets (the
# default 5,000 / 20,000 would put every member in the lowest tier).
DEMO_TIERS = (("silver", 0.0, 1.0), ("gold", 500.0, 1.25), ("black", 1_500.0, 1.5))
# The demo's campaign: every CDNOW customer split at random on this day into a treatment
# group and a 10% holdout, with nothing sent (CDNOW holds no campaign): an A/A test, whose
# lift should be near zero with intervals that cover it.
DEMO_CAMPAIGN_START = "1998-01-01"
DEMO_CAMPAIGN_SPLIT = 0.9
# The files `ecrm report` reads beside the transactions (a flag each, or a path in [report]).
INPUT_FILES = ("surveys", "loyalty", "tickets", "campaign")
# The mapping flags: every keyword of ecrm.transactions, with its help text.
MAPPING_HELP = {
    "customer_col": "column of customer ids (default: customer_id)",
    "date_col": "column of order dates (default: order_date)",
    "amount_col": "column of amounts, negative for returns (default: amount)",
    "order_col": "column of order or invoice ids: orders are then distinct ids, not purchase days",
    "quantity_col": "column of quantities: amount = quantity x price (with --price-col)",
    "price_col": "column of unit prices: amount = quantity x price (with --quantity-col)",
    "date_format": "strftime layout of non-ISO dates, e.g. '%%m/%%d/%%Y %%H:%%M' for 12/1/2010 8:26",
    "dayfirst": "read ambiguous dates day first (01/02/2024 is 1 February)",
    "missing_customers": "rows without a customer id (guest checkouts): refuse them (default) or drop them",
    "cancel_prefix": "order ids starting with it are cancellations, counted as returns (e.g. C)",
    "returns": "negative amounts: net them (default), exclude them or refuse them",
    "product_col": "column of product ids (e.g. StockCode): adds the products section and next_best_product",
}
MAPPING_CHOICES = {"missing_customers": MISSING_CUSTOMERS, "returns": RETURNS}
# The report's options (ecrm.report.Options) a --config file may set, and the loyalty
# programme's tier thresholds (a list of [name, minimum spend, points multiplier]).
REPORT_OPTIONS = (*(f.name for f in dataclasses.fields(Options)), "loyalty_tiers")
# What a --config file may hold: the mapping, and the options of `ecrm report`.
CONFIG_SECTIONS = {
    "transactions": tuple(f.name for f in dataclasses.fields(TransactionMapping)),
    "report": ("out", "as_of", "lang", *INPUT_FILES, *REPORT_OPTIONS),
}


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV file, or a Parquet file (``.parquet``/``.pq``, needs pyarrow).

    Raises
    ------
    ecrm.errors.EcrmError
        The file is missing or unreadable, or Parquet without pyarrow installed; the
        message starts with the path.
    """
    path = Path(path)
    if not path.is_file():
        raise EcrmError(f"{path}: no such file")
    if path.suffix.lower() in PARQUET_SUFFIXES:
        if importlib.util.find_spec("pyarrow") is None:
            raise EcrmError(
                f"{path}: reading Parquet needs pyarrow, which is not installed "
                "(pip install pyarrow, or save the file as CSV)"
            )
        try:
            return pd.read_parquet(path)
        except Exception as err:  # pyarrow raises its own types for corrupt files
            raise EcrmError(f"{path}: cannot read as Parquet ({err})") from None
    try:
        # The whole column at once: read in chunks, a column such as an invoice number
        # could hold 536365 in one chunk and '536365' in the next (two orders).
        return pd.read_csv(path, low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise EcrmError(f"{path}: cannot read as CSV ({err})") from None


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""


def read_config(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a ``--config`` TOML file: a ``[transactions]`` table with the mapping of
    :func:`ecrm.transactions` and a ``[report]`` table with options of ``ecrm report``.

    Example (one file per data source)::

        [transactions]
        customer_col = "CustomerID"
        date_col = "InvoiceDate"
        order_col = "InvoiceNo"
        quantity_col = "Quantity"
        price_col = "UnitPrice"
        date_format = "%m/%d/%Y %H:%M"
        missing_customers = "drop"
        cancel_prefix = "C"

        [report]
        out = "retail-report"
        lang = "en"
        currency = "£"
        clv_penalizer = 0.001          # what the CLV caveat suggests when a fit did not converge
        clv_horizon_months = 12
        churn_horizon_days = 90
        churn_tiers = { high = 0.7, medium = 0.4 }
        campaign = "assignments.csv"   # customer id, group (treatment / control) [, segment]
        campaign_start = 2011-11-01    # the send date (else each row's assigned_at)
        campaign_window_days = 30
        campaign_split = 0.9           # planned treatment share: a 10% holdout
        loyalty_tiers = [["silver", 0, 1.0], ["gold", 500, 1.25], ["black", 1500, 1.5]]

    Raises
    ------
    ecrm.errors.EcrmError
        The file is missing or not TOML, or holds a table or key ecrm does not know
        (the message suggests the nearest one); the message starts with the path.
    """
    path = Path(path)
    if not path.is_file():
        raise EcrmError(f"{path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise EcrmError(f"{path}: cannot read as TOML ({err})") from None
    for section, table in data.items():
        if section not in CONFIG_SECTIONS:
            raise EcrmError(
                f"{path}: unknown table [{section}]{_did_you_mean(section, list(CONFIG_SECTIONS))} "
                f"(ecrm reads {', '.join(f'[{k}]' for k in CONFIG_SECTIONS)})"
            )
        if not isinstance(table, dict):
            raise EcrmError(f"{path}: [{section}] must be a table of keys")
        for key in table:
            if key not in CONFIG_SECTIONS[section]:
                raise EcrmError(
                    f"{path}: unknown key {key!r} in [{section}]"
                    f"{_did_you_mean(key, CONFIG_SECTIONS[section])} "
                    f"(known: {', '.join(CONFIG_SECTIONS[section])})"
                )
    config = {section: dict(data.get(section, {})) for section in CONFIG_SECTIONS}
    try:
        TransactionMapping(**config["transactions"])
    except SchemaError as err:
        raise EcrmError(f"{path}: [transactions] {err}") from None
    options = {k: v for k, v in config["report"].items() if k in REPORT_OPTIONS}
    try:
        _report_options(options)
    except (SchemaError, TypeError, ValueError) as err:
        raise EcrmError(f"{path}: [report] {err}") from None
    return config


def _report_options(config: dict[str, Any]) -> dict[str, Any]:
    """Keywords of ecrm.report.build from the report options of a config file (checked)."""
    from .loyalty import LoyaltyProgram

    options = {k: v for k, v in config.items() if k in REPORT_OPTIONS and k != "loyalty_tiers"}
    Options(**options)  # refuses a bad value, naming the option
    if "loyalty_tiers" in config:
        tiers = config["loyalty_tiers"]
        if not isinstance(tiers, list) or not all(isinstance(t, list) and len(t) == 3 for t in tiers):
            raise SchemaError(
                f"loyalty_tiers={tiers!r}: expected a list of [name, minimum spend, points multiplier]"
            )
        options["loyalty_program"] = LoyaltyProgram(
            tiers=tuple((str(n), float(m), float(x)) for n, m, x in tiers)
        )
    return options


def _mapping(args: argparse.Namespace, config: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The keywords of ecrm.transactions: the config file's, overridden by the flags given."""
    mapping = dict(config["transactions"])
    mapping.update({k: getattr(args, k) for k in MAPPING_HELP if getattr(args, k) is not None})
    return mapping


def _engine(args: argparse.Namespace) -> str:
    """The engine of --engine; by default DuckDB for a glob or a folder (or with
    --memory-limit), else pandas."""
    path = args.transactions
    if args.engine is not None:
        engine = args.engine
    elif args.memory_limit is not None or any(c in path for c in GLOB_CHARACTERS) or Path(path).is_dir():
        engine = "duckdb"
    else:
        engine = "pandas"
    if args.memory_limit is not None and engine != "duckdb":
        raise _flag_error(
            f"--memory-limit caps DuckDB's memory; with --engine {engine} set the engine's own "
            "(e.g. spark.driver.memory for Spark)"
        )
    return engine


def _flag_error(message: str) -> EcrmError:
    """An error in the flags, not in a file: shown without a file name."""
    err = EcrmError(message)
    err.input = "flags"  # type: ignore[attr-defined]
    return err


def _open_on_engine(path: str, engine: str, memory_limit: str | None) -> dict[str, Any]:
    """The keywords of ecrm.transactions that open ``path`` on ``engine``: the engine, and
    for DuckDB a connection with the memory limit. (Spark runs on the active session, or
    one ecrm starts: local mode unless spark-submit or the Spark configuration name a master.)"""
    if "://" not in path and not glob.glob(path):  # a local path (not s3://...): it must exist
        problem = "no file matches" if any(c in path for c in GLOB_CHARACTERS) else "no such file"
        raise EcrmError(f"{path}: {problem}")
    if engine == "duckdb":
        from . import _engine

        duckdb = _engine.require("duckdb")  # without it: an ImportError naming the extra
        connection = duckdb.connect()
        if memory_limit is not None:
            try:
                connection.execute("SET memory_limit = ?", [memory_limit])
            except duckdb.Error:
                raise _flag_error(
                    f"--memory-limit {memory_limit!r}: not a size DuckDB reads (e.g. 2GB, 500MB)"
                ) from None
        return {"engine": engine, "connection": connection}
    return {"engine": engine}


def _read_transactions(args: argparse.Namespace, config: dict[str, dict[str, Any]], files: dict[str, str]):
    """The user's file as an ecrm.Transactions (or, on an engine, an ecrm.EngineTransactions),
    with the mapping of the flags and config."""
    engine = _engine(args)
    if engine == "pandas":
        if any(c in files["transactions"] for c in GLOB_CHARACTERS):
            raise EcrmError(
                "pandas reads one file; read a glob of files on --engine duckdb, polars, spark or dask"
            )
        source: Any = read_table(files["transactions"])
        opened: dict[str, Any] = {}
    else:
        source = files["transactions"]
        try:
            opened = _open_on_engine(source, engine, args.memory_limit)
        except ImportError as err:  # the engine's package is not installed: the message names the extra
            raise EcrmError(str(err)) from None
    try:
        return transactions(source, **opened, **_mapping(args, config))
    except SchemaError as err:
        err.input = "transactions"
        raise
    except ImportError as err:
        raise EcrmError(str(err)) from None
    except EcrmError:
        raise
    except Exception as err:
        if engine == "pandas":
            raise
        # The engine could not read the files (corrupt, or a type it does not read): its
        # own words, on one line, instead of a traceback from inside the engine.
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise EcrmError(f"cannot read on {engine}: {type(err).__name__}: {first}") from None


def _print_summary(summary: pd.DataFrame, title: str, out: Path | None) -> None:
    with pd.option_context("display.width", 120, "display.max_columns", 20):
        print(f"# {title}\n")
        print(overview(summary).to_string())
        print("\n## Top 10 customers by spend\n")
        top = summary.nlargest(10, "total_spend")
        print(top.round({c: 2 for c in top.select_dtypes("number").columns}).to_string())
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        summary.to_csv(out / "customers.csv")
        print(f"\nwrote {out / 'customers.csv'}")


def _progress(quiet: bool) -> Callable[[str], None] | None:
    """Stage messages on stderr, only for a person watching a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    start = time.perf_counter()

    def show(stage: str) -> None:
        print(f"[{time.perf_counter() - start:5.1f}s] {stage}", file=sys.stderr, flush=True)

    return show


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, EcrmWarning):
        print(f"ecrm: warning: {message}", file=sys.stderr)
    else:  # another library's warning keeps its own, standard form
        print(warnings.formatwarning(message, category, filename, lineno, line), end="", file=sys.stderr)


def _run_report(args: argparse.Namespace, files: dict[str, str], config: dict[str, dict[str, Any]]) -> int:
    from . import report

    if args.command == "demo":
        from . import datasets
        from .loyalty import LoyaltyProgram

        tx = datasets.load_cdnow()
        ids = customer_summary(tx).index
        program = LoyaltyProgram(tiers=DEMO_TIERS)
        inputs = {
            "surveys": datasets.make_surveys(
                DEMO_SURVEYS, customer_ids=ids, start="1997-01-01", end="1998-06-30", random_state=0
            ),
            "tickets": datasets.make_tickets(
                DEMO_TICKETS, start="1998-01-01", end="1998-06-29", n_customers=len(ids), random_state=0
            ),
            # CDNOW's ids are 1..23,570, the ids make_loyalty_events draws.
            "loyalty": datasets.make_loyalty_events(
                len(ids), "1997-01-01", "1998-06-30", program=program, random_state=0
            ),
            "loyalty_program": program,
            "campaign": _demo_campaign(ids),
            "campaign_start": DEMO_CAMPAIGN_START,
            "campaign_split": DEMO_CAMPAIGN_SPLIT,
        }
    else:
        tx = _read_transactions(args, config, files)
        inputs = {}
        for name in INPUT_FILES:
            if name in files:
                try:
                    inputs[name] = read_table(files[name])
                except EcrmError as err:
                    err.input = name  # the file at fault, not the transactions
                    raise
        inputs |= _report_options(config["report"])
    result = report.build(
        tx, args.out, as_of=args.as_of, lang=args.lang, progress=_progress(args.quiet), **inputs
    )
    print(f"wrote {result.index_html} (with customers.csv and summary.json)")
    if not args.quiet:
        print("\n".join(result.headline))
    return 0


def _demo_campaign(ids: pd.Index) -> pd.DataFrame:
    """Assignments of the demo's campaign: the customers split at random, 90% treated."""
    rng = np.random.default_rng(0)
    treated = rng.permutation(len(ids)) < round(DEMO_CAMPAIGN_SPLIT * len(ids))
    return pd.DataFrame({"customer_id": ids.to_numpy(), "group": np.where(treated, "treatment", "control")})


# The flags of the campaign section (ecrm.report.Options), and how each is read.
CAMPAIGN_FLAGS = {
    "campaign_start": (str, "DATE", "the day the campaign was sent (default: each row's assigned_at)"),
    "campaign_window_days": (int, "N", "days after the send in which orders count (default: 30)"),
    "campaign_split": (
        float,
        "SHARE",
        "planned share of the treatment group (default: 0.5; 0.9 for a 10%% holdout)",
    ),
    "campaign_by": (
        str,
        "COLUMN",
        "assignments column to break the lift down by (default: segment, if present)",
    ),
}


def _add_report_options(parser: argparse.ArgumentParser, out_default: Path | None) -> None:
    where = "required, unless in --config" if out_default is None else f"default: {out_default}"
    parser.add_argument("--out", type=Path, default=out_default, help=f"folder to write to ({where})")
    parser.add_argument("--as-of", help="snapshot date (default: last transaction)")
    parser.add_argument(
        "--lang", choices=("en", "zh"), default=None, help="language of the report (default: en)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress and no headline figures")


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data larger than memory (see ecrm.transactions)")
    group.add_argument(
        "--engine",
        choices=ENGINES,
        help="where to aggregate the transactions: pandas reads the file into memory; duckdb, "
        "polars, spark and dask read it lazily (default: duckdb for a glob, else pandas)",
    )
    group.add_argument(
        "--memory-limit",
        help="most memory DuckDB may use, e.g. 2GB (it spills to disk beyond); implies --engine duckdb",
    )


def _add_mapping_options(parser: argparse.ArgumentParser) -> None:
    """The flags of ecrm.transactions' mapping, and --config (flags override the file)."""
    group = parser.add_argument_group("how the file maps to transactions (see ecrm.transactions)")
    group.add_argument(
        "--config", type=Path, help="TOML file with a [transactions] mapping (and [report] options)"
    )
    for name, text in MAPPING_HELP.items():
        flag = "--" + name.replace("_", "-")
        if name == "dayfirst":
            group.add_argument(flag, action="store_true", default=None, help=text)
        else:
            group.add_argument(flag, choices=MAPPING_CHOICES.get(name), help=text)


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The ``ecrm`` parser and the parser of each command."""
    parser = argparse.ArgumentParser(prog="ecrm", description="Customer analytics for e-commerce.")
    parser.add_argument("--version", action="version", version=f"ecrm {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("report", help="write the customer report of a file of transactions")
    rep.add_argument(
        "transactions",
        help="CSV or Parquet file, a quoted glob of them ('lake/orders/*.parquet') or a folder "
        "of Parquet files, one row per order or order line",
    )
    rep.add_argument("--surveys", help="survey answers: customer id, date, score (0..10)")
    rep.add_argument("--loyalty", help="loyalty events")
    rep.add_argument("--tickets", help="customer-service tickets")
    group = rep.add_argument_group("campaign (see ecrm.campaign.evaluate)")
    group.add_argument(
        "--campaign",
        metavar="FILE",
        help="campaign assignments: customer id, group (treatment / control) [, assigned_at, segment]",
    )
    for name, (kind, metavar, text) in CAMPAIGN_FLAGS.items():
        group.add_argument("--" + name.replace("_", "-"), type=kind, metavar=metavar, help=text)
    group.add_argument(
        "--no-cuped", dest="campaign_cuped", action="store_false", default=None,
        help="leave out the CUPED-adjusted revenue lift",
    )  # fmt: skip
    _add_report_options(rep, None)
    _add_engine_options(rep)
    _add_mapping_options(rep)

    demo = sub.add_parser("demo", help="the report on the bundled CDNOW data")
    _add_report_options(demo, DEMO_OUT)

    summ = sub.add_parser("summary", help="print the customer summary of a file of transactions")
    summ.add_argument("transactions", help="CSV or Parquet file, or a quoted glob of them, one row per order")
    summ.add_argument("--out", type=Path, help="also write DIR/customers.csv")
    summ.add_argument("--as-of", help="snapshot date (default: last transaction)")
    _add_engine_options(summ)
    _add_mapping_options(summ)
    return parser, {"report": rep, "demo": demo, "summary": summ}


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse, suggesting the nearest flag for an unknown one (a typo in a long flag)."""
    parser, commands = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = commands[args.command]
        flags = [
            f for f in command.format_usage().replace("[", " ").replace("]", " ").split() if f[:2] == "--"
        ]
        word = unknown[0].split("=", 1)[0]
        hint = _did_you_mean(word, flags) if word.startswith("--") else ""
        command.error(f"unrecognized argument {unknown[0]!r}{hint}")
    return args


def _with_config(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Read --config (if any) and fill the report options the command line left unset."""
    config = read_config(args.config) if getattr(args, "config", None) else {k: {} for k in CONFIG_SECTIONS}
    if args.command == "report":
        options = config["report"]
        for name in (*INPUT_FILES, "as_of"):
            if getattr(args, name) is None and name in options:
                setattr(args, name, str(options[name]))
        for name in (*CAMPAIGN_FLAGS, "campaign_cuped"):  # a flag overrides the file
            if getattr(args, name) is not None:
                options[name] = getattr(args, name)
        if args.out is None:
            if "out" not in options:
                raise EcrmError("--out is required (the folder to write the report to), or out= in [report]")
            args.out = Path(options["out"])
        if args.lang is None:
            args.lang = options.get("lang", "en")
    elif args.command == "demo" and args.lang is None:
        args.lang = "en"
    return config


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ecrm`` command; returns the exit status (0 ok, 2 usage or input error)."""
    try:
        args = _parse(argv)
    except SystemExit as exit_:  # argparse prints its own one-line usage error
        return int(exit_.code or 0)
    files: dict[str, str] = {}
    try:
        config = _with_config(args)
        files = {
            name: getattr(args, name)
            for name in ("transactions", *INPUT_FILES)
            if getattr(args, name, None) is not None
        }
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.simplefilter("default", EcrmWarning)  # a command reports, never raises, them
            # Deprecations inside dependencies (e.g. matplotlib on a newer pyparsing) are
            # for developers, not for someone reading a command's output.
            warnings.simplefilter("ignore", DeprecationWarning)
            if args.command in ("report", "demo"):
                return _run_report(args, files, config)
            summary = customer_summary(_read_transactions(args, config, files), as_of=args.as_of)
            _print_summary(summary, f"Customers in {args.transactions}", args.out)
    except EcrmError as err:
        # A SchemaError that names the keyword to pass is shown with the flag instead.
        first_line, *examples = getattr(err, "cli_message", str(err)).splitlines()
        path = files.get(getattr(err, "input", "transactions"), "")
        where = f"{path}: " if path and not first_line.startswith(str(path)) else ""
        print(f"ecrm: error: {where}{first_line}", file=sys.stderr)
        for line in examples:  # the example rows the message announces, indented under it
            print(f"    {line}", file=sys.stderr)
        return 2
    except OSError as err:  # e.g. the output folder cannot be written
        print(f"ecrm: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
