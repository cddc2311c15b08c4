"""Time ecrm.campaign.evaluate against ecrm.customer_summary on the same data, in one run.

10 million transactions over 1 million customers (the same BG/NBD draw as
benchmarks/bench_summary.py), every customer assigned 50/50 to a campaign sent on
2024-10-01 and measured over 30 days, with CUPED on all history before the send, and
again with a breakdown by a four-level segment; rows grouped by customer (as generated)
and in time order (as a real order log). The target (issue 19) is ``evaluate``
within 2x the time of ``customer_summary`` on the same transactions.

Run: python benchmarks/bench_campaign.py [--customers N]
"""

from __future__ import annotations

import argparse

import numpy as np
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
    rng = np.random.default_rng(12345)  # not the generator's seed: the split must be independent of it
    ids = np.sort(tx["customer_id"].unique())
    assignments = pd.DataFrame(
        {
            "customer_id": ids,
            "group": np.where(rng.uniform(size=ids.size) < 0.5, "treatment", "control"),
            "tier": pd.Categorical.from_codes(rng.integers(0, 4, ids.size), ["A", "B", "C", "D"]),
        }
    )
    # A real order log is in time order; the generator's output is grouped by customer,
    # the best case for customer_summary. Both are measured, as in bench_summary.py.
    by_time = tx.sort_values("order_date", kind="stable").reset_index(drop=True)
    for label, frame in (("rows grouped by customer", tx), ("rows in time order", by_time)):
        run(frame, assignments, label, args.repeat)


def run(tx: pd.DataFrame, assignments: pd.DataFrame, label: str, repeat: int) -> None:
    start = pd.Timestamp("2024-10-01")
    print(
        f"\n== {label}: {len(tx):,} transactions, {len(assignments):,} assigned customers, "
        f"window {start.date()} + 30 days"
    )
    evaluate = ecrm.campaign.evaluate  # import ecrm.campaign (scipy, scikit-learn) outside the timing
    t_summary, _ = timed(lambda: ecrm.customer_summary(tx), repeat)
    t_eval, result = timed(lambda: evaluate(assignments, tx, start=start, window_days=30), repeat)
    t_by, _ = timed(lambda: evaluate(assignments, tx, start=start, window_days=30, by="tier"), repeat)
    ratio, ratio_by = t_eval / t_summary, t_by / t_summary
    print(f"customer_summary           {t_summary:7.2f} s")
    print(f"evaluate                   {t_eval:7.2f} s   evaluate / summary = {ratio:.2f}x (target <= 2x)")
    print(f"evaluate with by='tier'    {t_by:7.2f} s   evaluate / summary = {ratio_by:.2f}x")
    lift = result.lift.loc[("revenue_per_customer", "cuped")]
    print(
        f"revenue lift {lift['lift']:.3f} [{lift['ci_low']:.3f}, {lift['ci_high']:.3f}] "
        "(no true effect: a random split)"
    )


if __name__ == "__main__":
    main()
