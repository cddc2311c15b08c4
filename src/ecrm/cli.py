"""The ``ecrm`` command line.

``ecrm report FILE --out DIR`` writes the customer report of a CSV or Parquet file of
transactions (see :func:`ecrm.report.build`); ``ecrm demo`` writes the same report for
the bundled CDNOW data with synthetic surveys, loyalty events and tickets; ``ecrm summary FILE`` prints
the customer summary of a file. Bad input exits with status 2 and a message whose first
line names the file, the column and the problem; the example rows it shows follow,
indented. Each distinct warning is printed once.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import EcrmError, EcrmWarning
from .report import overview
from .summary import customer_summary

__all__ = ["main", "overview", "read_table"]

PARQUET_SUFFIXES = (".parquet", ".pq")
DEMO_OUT = Path("ecrm-demo")
# Sizes of the synthetic inputs of `ecrm demo` (small: the demo must stay quick).
DEMO_SURVEYS = 5_000
DEMO_TICKETS = 3_000
# Tier thresholds of the demo's loyalty programme, scaled to CDNOW-sized baskets (the
# default 5,000 / 20,000 would put every member in the lowest tier).
DEMO_TIERS = (("silver", 0.0, 1.0), ("gold", 500.0, 1.25), ("black", 1_500.0, 1.5))


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
        return pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise EcrmError(f"{path}: cannot read as CSV ({err})") from None


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


def _run_report(args: argparse.Namespace, files: dict[str, str]) -> int:
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
        }
        columns = {}
    else:
        tx = read_table(files["transactions"])
        inputs = {
            name: read_table(files[name]) for name in ("surveys", "loyalty", "tickets") if name in files
        }
        columns = {
            "customer_col": args.customer_col,
            "date_col": args.date_col,
            "amount_col": args.amount_col,
        }
    result = report.build(
        tx, args.out, as_of=args.as_of, lang=args.lang, progress=_progress(args.quiet), **inputs, **columns
    )
    print(f"wrote {result.index_html} (with customers.csv and summary.json)")
    if not args.quiet:
        print("\n".join(result.headline))
    return 0


def _add_report_options(parser: argparse.ArgumentParser, out_default: Path | None) -> None:
    if out_default is None:
        parser.add_argument("--out", type=Path, required=True, help="folder to write the report to")
    else:
        parser.add_argument("--out", type=Path, default=out_default, help=f"folder (default: {out_default})")
    parser.add_argument("--as-of", help="snapshot date (default: last transaction)")
    parser.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the report")
    parser.add_argument("--quiet", action="store_true", help="no progress and no headline figures")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecrm", description="Customer analytics for e-commerce.")
    parser.add_argument("--version", action="version", version=f"ecrm {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("report", help="write the customer report of a file of transactions")
    rep.add_argument("transactions", help="CSV or Parquet file, one row per order or order line")
    rep.add_argument("--surveys", help="survey answers: customer id, date, score (0..10)")
    rep.add_argument("--loyalty", help="loyalty events")
    rep.add_argument("--tickets", help="customer-service tickets")
    _add_report_options(rep, None)
    rep.add_argument("--customer-col", default="customer_id")
    rep.add_argument("--date-col", default="order_date")
    rep.add_argument("--amount-col", default="amount")

    demo = sub.add_parser("demo", help="the report on the bundled CDNOW data")
    _add_report_options(demo, DEMO_OUT)

    summ = sub.add_parser("summary", help="print the customer summary of a file of transactions")
    summ.add_argument("transactions", help="CSV or Parquet file, one row per order")
    summ.add_argument("--out", type=Path, help="also write DIR/customers.csv")
    summ.add_argument("--as-of", help="snapshot date (default: last transaction)")
    summ.add_argument("--customer-col", default="customer_id")
    summ.add_argument("--date-col", default="order_date")
    summ.add_argument("--amount-col", default="amount")
    summ.add_argument("--order-col", default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ecrm`` command; returns the exit status (0 ok, 2 usage or input error)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # argparse prints its own one-line usage error
        return int(exit_.code or 0)
    files = {
        name: getattr(args, name)
        for name in ("transactions", "surveys", "loyalty", "tickets")
        if getattr(args, name, None) is not None
    }
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.simplefilter("default", EcrmWarning)  # a command reports, never raises, them
            # Deprecations inside dependencies (e.g. matplotlib on a newer pyparsing) are
            # for developers, not for someone reading a command's output.
            warnings.simplefilter("ignore", DeprecationWarning)
            if args.command in ("report", "demo"):
                return _run_report(args, files)
            frame = read_table(args.transactions)
            summary = customer_summary(
                frame,
                customer_col=args.customer_col,
                date_col=args.date_col,
                amount_col=args.amount_col,
                order_col=args.order_col,
                as_of=args.as_of,
            )
            _print_summary(summary, f"Customers in {args.transactions}", args.out)
    except EcrmError as err:
        first_line, *examples = str(err).splitlines()
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
