"""What do the points we have issued cost us? A loyalty programme's liability at year end.

A finance team closing the books on 2024-12-31 needs the points programme's deferred
revenue under IFRS 15: outstanding points x point value x (1 - expected breakage). The
programme gives 1 point per unit spent, worth 0.01, and points expire 365 days after they
were earned. On a synthetic stream of earns, redemptions, refunds (reversals) and
goodwill adjustments for 5,000 members, the script closes the books, shows how breakage
is estimated from lots that have already expired, how much the liability moves with the
breakage assumption, what expires soon, and what the liability would be had points
lasted until the end of the year after they were earned.

Run: python examples/loyalty_liability.py [--members 5000]
"""

from __future__ import annotations

import argparse

import pandas as pd

import ecrm
from ecrm.loyalty import Ledger, LoyaltyProgram

YEAR_END = "2024-12-31"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5_000)
    args = parser.parse_args()

    rolling = LoyaltyProgram(expiry_days=365, point_value=0.01)
    events = ecrm.datasets.make_loyalty_events(
        args.members, "2023-01-01", "2024-12-31", program=rolling, random_state=7
    )
    counts = events["type"].value_counts()
    print(
        f"{args.members:,} members, {len(events):,} events in 2023-2024: "
        + ", ".join(f"{counts.get(t, 0):,} {t}" for t in ("earn", "redeem", "reverse", "adjust"))
    )

    ledger = Ledger(events, rolling)
    balances = ledger.balances(as_of=YEAR_END)
    flows = balances[["earned", "redeemed", "expired", "reversed", "adjusted", "balance"]].sum()
    print(f"\nThe books on {YEAR_END} (points):")
    print(flows.to_string())
    identity = flows["earned"] - flows["redeemed"] - flows["expired"] - flows["reversed"] + flows["adjusted"]
    print(f"earned - redeemed - expired - reversed + adjusted = {identity:,} = balance {flows['balance']:,}")

    liability = ledger.liability(as_of=YEAR_END)
    print(
        f"\nBreakage from matured lots: {liability['matured_lots']:,} lots expired by year end held "
        f"{liability['matured_lot_points']:,} points, {liability['matured_expired_points']:,} of which "
        f"lapsed unused: breakage {liability['breakage']:.1%}"
    )
    print(
        f"Liability: {liability['outstanding_points']:,} points x {liability['point_value']} = "
        f"{liability['gross_liability']:,.2f} gross, {liability['liability']:,.2f} net of breakage"
    )

    # The breakage estimate is the one judgement in the number: how much does it move?
    sensitivity = pd.Series(
        {rate: ledger.liability(as_of=YEAR_END, breakage=rate)["liability"] for rate in (0.0, 0.2, 0.4, 0.6)},
        name="liability",
    )
    sensitivity.index.name = "breakage"
    print("\nLiability under other breakage assumptions:")
    print(sensitivity.round(2).to_string())

    print(
        f"\nExpiring if nothing is redeemed: {balances['expiring_30d'].sum():,} points within 30 days, "
        f"{balances['expiring_90d'].sum():,} within 90 days "
        f"({(balances['expiring_90d'] > 0).sum():,} members to remind)"
    )
    quarterly = ledger.summary(freq="Q", as_of=YEAR_END)
    print("\nPoints per quarter:")
    print(quarterly[["issued", "redeemed", "reversed", "expired", "net_change", "redemption_rate"]].round(3))

    # The same events under "end of the year after the year earned": every lot lives at
    # least as long as under the 365-day rule, so the same redemptions remain valid.
    calendar = Ledger(events, LoyaltyProgram(expiry_policy="end_of_year", point_value=0.01))
    same_rate = calendar.liability(as_of=YEAR_END, breakage=liability["breakage"])
    print(
        f"\nHad points lasted to the end of the following year: {same_rate['outstanding_points']:,} points "
        f"outstanding on {YEAR_END} (vs {liability['outstanding_points']:,}), "
        f"{same_rate['liability']:,.2f} at the same breakage."
    )
    # Nothing has matured under that rule until 2023's points lapse at midnight; the
    # morning after, their fate gives the rule's own breakage.
    after = calendar.liability(as_of="2025-01-01")
    print(
        f"On 2025-01-01, after 2023's points lapsed: {after['matured_expired_points']:,} of "
        f"{after['matured_lot_points']:,} points expired unused, breakage {after['breakage']:.1%}, "
        f"liability {after['liability']:,.2f} on {after['outstanding_points']:,} points."
    )


if __name__ == "__main__":
    main()
