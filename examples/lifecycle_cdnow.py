"""How the CDNOW customer base moved through its lifecycle over 1997-1998.

Every CDNOW customer made a first purchase in the first quarter of 1997; after that the
cohort only ages. Track the lifecycle stage of each customer at every month end
(new -> active -> loyal, lapsing to at risk and churned, some coming back as
reactivated), then show who moved where in the last half year.

Run: python examples/lifecycle_cdnow.py [--figure lifecycle.png]
"""

from __future__ import annotations

import argparse

import pandas as pd

import ecrm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figure", help="also save the stage-share area chart to this PNG")
    args = parser.parse_args()

    tx = ecrm.datasets.load_cdnow()
    windows = ecrm.lifecycle.suggest_windows(tx)
    print("Data-driven stage windows:", windows)

    history = ecrm.lifecycle.history(tx, freq="M")
    counts = ecrm.lifecycle.stage_counts(history)
    shares = counts.div(counts.sum(axis=1), axis=0)
    with pd.option_context("display.width", 160):
        print("\nShare of customers per stage, every third month end:")
        print(shares.iloc[::3].round(3))
        matrix = ecrm.lifecycle.transitions(tx, start="1997-12-31", end="1998-06-30", normalize=True)
        print("\nWhere each stage of 1997-12-31 was on 1998-06-30 (row shares):")
        print(matrix.round(2))

    last = shares.iloc[-1]
    print(
        f"\nBy mid-1998, {last['Churned']:.1%} of the 1997 buyers had churned; "
        f"{last['Loyal']:.1%} were loyal."
    )

    if args.figure:
        import matplotlib

        matplotlib.use("Agg")
        ax = ecrm.plotting.lifecycle_area(counts, share=True)
        ax.get_figure().savefig(args.figure, dpi=100, bbox_inches="tight")
        print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
