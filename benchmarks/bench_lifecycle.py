"""Time ecrm.lifecycle.stage against ecrm.customer_summary, and history over 24 months.

10 million transactions over 1 million customers (BG/NBD draw from
``ecrm.datasets.make_transactions`` with ~10 orders per customer over two years, as in
``bench_summary.py``). Targets (issue 4): ``stage`` under 3x the time of
``customer_summary`` on the same data; ``history`` over 24 monthly periods under 30 s.

Run: python benchmarks/bench_lifecycle.py [--customers N]
"""

from __future__ import annotations

import argparse

import pandas as pd
from bench_summary import timed  # the same best-of-n timer

import ecrm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()

    # r / alpha = 0.14 purchases per week over ~104 weeks: about 10 orders per customer.
    tx = ecrm.datasets.make_transactions(
        args.customers, "2023-01-01", "2024-12-31", random_state=0, r=1.4, alpha=10.0, a=0.3, b=6.0
    )
    tx = tx[["customer_id", "order_date", "amount"]].sort_values("order_date", kind="stable")
    tx = tx.reset_index(drop=True)  # a real order log is in time order
    print(f"{len(tx):,} transactions, {tx['customer_id'].nunique():,} customers (rows in time order)")

    t_summary, _ = timed(lambda: ecrm.customer_summary(tx))
    t_stage, stages = timed(lambda: ecrm.lifecycle.stage(tx))
    print(f"ecrm.customer_summary        {t_summary:7.2f} s")
    print(
        f"ecrm.lifecycle.stage         {t_stage:7.2f} s   "
        f"stage / summary = {t_stage / t_summary:.2f}x (target < 3x)"
    )
    print(stages["stage"].value_counts(sort=False).to_string())

    t_history, hist = timed(lambda: ecrm.lifecycle.history(tx, freq="M"), repeat=1)
    n_periods = hist["period_end"].nunique()
    print(
        f"ecrm.lifecycle.history       {t_history:7.2f} s   {n_periods} monthly periods, {len(hist):,} rows "
        f"({t_history / 30:.2f} of the 30 s target; {t_history / t_summary:.1f}x customer_summary)"
    )


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
