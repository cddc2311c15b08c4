"""The ``ecrm`` command line.

``ecrm demo`` summarises the bundled CDNOW data; ``ecrm summary FILE`` does the same for
a CSV of transactions. Bad input exits with status 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import EcrmError
from .summary import customer_summary

__all__ = ["main", "overview"]


def overview(summary: pd.DataFrame) -> pd.Series:
    """Headline figures of a customer summary.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`ecrm.customer_summary`.

    Returns
    -------
    pandas.Series
        customers, orders, revenue, first and last purchase dates, share of one-time
        buyers, mean orders per customer, average order value, median recency in days.

    Examples
    --------
    >>> import ecrm
    >>> from ecrm.cli import overview
    >>> s = ecrm.customer_summary(ecrm.datasets.load_cdnow())
    >>> int(overview(s)["customers"])
    23570
    """
    orders = int(summary["n_orders"].sum())
    revenue = float(summary["total_spend"].sum())
    return pd.Series(
        {
            "customers": len(summary),
            "orders": orders,
            "revenue": round(revenue, 2),
            "first_purchase": summary["first_purchase"].min().date().isoformat(),
            "last_purchase": summary["last_purchase"].max().date().isoformat(),
            "as_of": pd.Timestamp(summary.attrs["as_of"]).date().isoformat(),
            "one_time_buyer_share": round(float((summary["n_orders"] == 1).mean()), 4),
            "orders_per_customer": round(orders / len(summary), 3),
            "average_order_value": round(revenue / orders, 2),
            "median_recency_days": float(summary["recency_days"].median()),
        },
        dtype=object,
    )


def _print_report(summary: pd.DataFrame, title: str, out: Path | None) -> None:
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


def _read_csv(path: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except FileNotFoundError:
        raise EcrmError(f"{path}: no such file") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as err:
        raise EcrmError(f"{path}: cannot read as CSV ({err})") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecrm", description="Customer analytics for e-commerce.")
    parser.add_argument("--version", action="version", version=f"ecrm {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="summarise the bundled CDNOW data")
    demo.add_argument("--out", type=Path, help="also write DIR/customers.csv")
    summ = sub.add_parser("summary", help="summarise a CSV of transactions")
    summ.add_argument("transactions", help="CSV file, one row per order")
    summ.add_argument("--out", type=Path, help="also write DIR/customers.csv")
    summ.add_argument("--as-of", help="snapshot date (default: last transaction)")
    summ.add_argument("--customer-col", default="customer_id")
    summ.add_argument("--date-col", default="order_date")
    summ.add_argument("--amount-col", default="amount")
    summ.add_argument("--order-col", default=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ecrm`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .datasets import load_cdnow

            summary = customer_summary(load_cdnow())
            _print_report(summary, "CDNOW customers (Fader, Hardie and Lee 2005 data)", args.out)
        else:
            frame = _read_csv(args.transactions)
            summary = customer_summary(
                frame,
                customer_col=args.customer_col,
                date_col=args.date_col,
                amount_col=args.amount_col,
                order_col=args.order_col,
                as_of=args.as_of,
            )
            _print_report(summary, f"Customers in {args.transactions}", args.out)
    except EcrmError as err:
        first_line = str(err).splitlines()[0]
        where = (
            f"{args.transactions}: "
            if args.command == "summary" and not first_line.startswith(args.transactions)
            else ""
        )
        print(f"ecrm: error: {where}{first_line}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
