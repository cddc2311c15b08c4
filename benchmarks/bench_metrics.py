"""Time ecrm.metrics.kpis and cohort_retention against ecrm.customer_summary, in one run.

About 10 million transactions over 1 million customers (the same BG/NBD draw as
``bench_summary.py``), in time order as a real order log. Target (issue 10): each
function under 2x the time of ``customer_summary`` on the same data.

Run: python benchmarks/bench_metrics.py [--customers N]
"""

from __future__ import annotations

import argparse
import time

import ecrm


def timed(fn, repeat: int = 3) -> float:
    """Best wall time of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()
    tx = ecrm.datasets.make_transactions(
        args.customers, "2023-01-01", "2024-12-31", random_state=0, r=1.4, alpha=10.0, a=0.3, b=6.0
    )
    tx = tx[["customer_id", "order_id", "order_date", "amount", "channel"]]
    tx = tx.sort_values("order_date", kind="stable").reset_index(drop=True)
    print(f"{len(tx):,} transactions, {tx['customer_id'].nunique():,} customers")

    base = timed(lambda: ecrm.customer_summary(tx))
    print(f"customer_summary                     {base:6.2f} s")
    cases = {
        "kpis(freq='M')": lambda: ecrm.metrics.kpis(tx),
        "kpis(freq='W', order_col, by=channel)": lambda: ecrm.metrics.kpis(
            tx, freq="W", order_col="order_id", by="channel"
        ),
        "cohort_retention(freq='M')": lambda: ecrm.metrics.cohort_retention(tx),
        "cohort_retention(value='revenue')": lambda: ecrm.metrics.cohort_retention(tx, value="revenue"),
    }
    for name, fn in cases.items():
        seconds = timed(fn)
        print(f"{name:<37}{seconds:6.2f} s   / customer_summary = {seconds / base:.2f}x (target < 2x)")


if __name__ == "__main__":
    main()
