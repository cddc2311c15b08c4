"""Time ecrm.customer_summary against lifetimes and a bare pandas groupby, in one run.

10 million transactions over 1 million customers (BG/NBD draw from
``ecrm.datasets.make_transactions`` with a purchase rate high enough for ~10 orders per
customer). Prints the times, the ratios and the peak memory of ecrm relative to the
input frame. Targets (issue 2): >= 5x faster than lifetimes, <= 2x the bare groupby,
peak memory <= 3x the input frame.

Run: python benchmarks/bench_summary.py [--customers N]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np
import pandas as pd

import ecrm


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()

    # r / alpha = 0.14 purchases per week over ~80 weeks: about 10 orders per customer.
    tx = ecrm.datasets.make_transactions(
        args.customers, "2023-01-01", "2024-12-31", random_state=0, r=1.4, alpha=10.0, a=0.3, b=6.0
    )
    by_customer = tx[["customer_id", "order_date", "amount"]]
    # A real order log is in time order; the generator's output is grouped by customer,
    # which is the best case for a groupby. Both are measured.
    by_time = by_customer.sort_values("order_date", kind="stable").reset_index(drop=True)
    for label, frame in (("rows grouped by customer", by_customer), ("rows in time order", by_time)):
        run(frame, label, args)


def run(tx: pd.DataFrame, label: str, args: argparse.Namespace) -> None:
    input_mb = tx.memory_usage(deep=True).sum() / 1e6
    print(
        f"\n== {label}: {len(tx):,} transactions, {tx['customer_id'].nunique():,} customers, "
        f"input frame {input_mb:,.0f} MB"
    )
    t_ecrm, summary = timed(lambda: ecrm.customer_summary(tx))
    t_bare, _ = timed(
        lambda: tx.groupby("customer_id").agg(
            first=("order_date", "min"),
            last=("order_date", "max"),
            spend=("amount", "sum"),
            n=("amount", "size"),
        )
    )
    tracemalloc.start()
    ecrm.customer_summary(tx)
    peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()

    print(f"ecrm.customer_summary  {t_ecrm:7.2f} s")
    print(f"bare pandas groupby    {t_bare:7.2f} s   ecrm / bare = {t_ecrm / t_bare:.2f}x (target <= 2x)")
    print(f"peak memory of ecrm    {peak_mb:7.0f} MB  / input = {peak_mb / input_mb:.2f}x (target <= 3x)")
    if not args.skip_lifetimes:
        from lifetimes.utils import summary_data_from_transaction_data

        t_life, life = timed(
            lambda: summary_data_from_transaction_data(
                tx, "customer_id", "order_date", monetary_value_col="amount"
            ),
            repeat=1,
        )
        same = all(
            np.allclose(summary[c].to_numpy(), life[c].to_numpy(), rtol=1e-12, atol=1e-9)
            for c in ("frequency", "recency", "T", "monetary_value")
        )
        ratio = t_life / t_ecrm
        print(f"lifetimes              {t_life:7.2f} s   lifetimes / ecrm = {ratio:.1f}x (target >= 5x)")
        print(f"same frequency/recency/T/monetary_value as lifetimes: {same}")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
