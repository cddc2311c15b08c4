"""Time the vectorised FIFO ledger against the per-customer reference loop, in one run.

10 million events for 1 million customers (``ecrm.datasets.make_loyalty_events``, rolling
365-day expiry): build the Ledger (validation + FIFO) and compute balances with expiry.
The obviously-correct reference loop from tests/test_loyalty.py runs on a 100,000-event
slice (whole customers). Prints events/second for both and their ratio, and checks that
both give the same balances on the slice. Target (issue 9): the full run under 20 s.

Run: python benchmarks/bench_loyalty.py [--customers N] [--slice-events N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

import ecrm
from ecrm.loyalty import Ledger, LoyaltyProgram

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_loyalty import reference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--slice-events", type=int, default=100_000)
    args = parser.parse_args()
    program = LoyaltyProgram(expiry_days=365)
    # ~10 events per customer: 6 earns on average plus redemptions, reversals, adjustments.
    ev = ecrm.datasets.make_loyalty_events(
        args.customers,
        "2022-01-01",
        "2024-12-31",
        program=program,
        earns_per_customer=6.3,
        redeem_prob=0.55,
        random_state=0,
    )
    as_of = pd.Timestamp("2024-12-31")
    print(f"{len(ev):,} events, {ev['customer_id'].nunique():,} customers")
    # Shared machines: the load average says how much the timings can be trusted.
    print("load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))

    start = time.perf_counter()
    ledger = Ledger(ev, program)
    built = time.perf_counter() - start
    balances = ledger.balances(as_of=as_of)
    total = time.perf_counter() - start
    print(
        f"ecrm Ledger build {built:.2f} s + balances {total - built:.2f} s = {total:.2f} s "
        f"({len(ev) / total:,.0f} events/s); target < 20 s: {'OK' if total < 20 else 'MISSED'}"
    )

    # Reference loop on whole customers adding up to about --slice-events events.
    sizes = ev.groupby("customer_id").size()
    keep = sizes.index[sizes.cumsum() <= args.slice_events]
    part = ev.loc[ev["customer_id"].isin(keep)]
    frame = part.assign(type=part["type"].astype(str), ref_event_id=part["ref_event_id"].astype(object))
    start = time.perf_counter()
    expected, _ = reference(frame, program, as_of)
    ref_time = time.perf_counter() - start
    print(f"reference loop on {len(part):,} events: {ref_time:.2f} s ({len(part) / ref_time:,.0f} events/s)")
    print(f"ratio (events/s, ecrm / reference): {(len(ev) / total) / (len(part) / ref_time):,.0f}x")
    got = balances.loc[list(expected)]
    same = all(int(got.loc[c, k]) == v for c, flows in expected.items() for k, v in flows.items())
    print(f"balances on the slice agree with the reference: {same}")


if __name__ == "__main__":
    main()
