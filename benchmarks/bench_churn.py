"""Time ecrm.churn.dataset against ecrm.customer_summary on the same data, in one run.

10 million transactions over 1 million customers (the same BG/NBD draw as
benchmarks/bench_summary.py), cutoff three months before the end and a 90-day horizon.
``dataset`` validates the rows, calls ``customer_summary`` at the cutoff, adds the window,
trend and gap features and the labels; the target (issue 7) is under 4x the time of
``customer_summary`` alone.

Run: python benchmarks/bench_churn.py [--customers N]
"""

from __future__ import annotations

import argparse

import pandas as pd
from bench_summary import timed  # the same best-of-n timer (this script's folder is on sys.path)

import ecrm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tx = ecrm.datasets.make_transactions(
        args.customers, "2023-01-01", "2024-12-31", random_state=0, r=1.4, alpha=10.0, a=0.3, b=6.0
    )[["customer_id", "order_date", "amount"]]
    cutoff = pd.Timestamp("2024-09-30")
    print(f"{len(tx):,} transactions, {tx['customer_id'].nunique():,} customers, cutoff {cutoff.date()}")
    t_summary, _ = timed(lambda: ecrm.customer_summary(tx, as_of=cutoff), args.repeat)
    dataset = ecrm.churn.dataset  # import ecrm.churn (and scikit-learn) outside the timing
    t_dataset, ds = timed(lambda: dataset(tx, cutoff=cutoff, horizon_days=90), args.repeat)
    print(f"ecrm.customer_summary  {t_summary:7.2f} s")
    ratio = t_dataset / t_summary
    print(f"ecrm.churn.dataset     {t_dataset:7.2f} s   dataset / summary = {ratio:.2f}x (target < 4x)")
    print(f"X {ds.X.shape}, churn rate {ds.y.mean():.3f}")


if __name__ == "__main__":
    main()
