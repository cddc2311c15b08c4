"""A monthly KPI and cohort dashboard for an online shop.

The weekly business review wants GMV, orders, buyers, average order value, repeat
purchases and returns per month, split by channel, plus the cohort retention table.
Synthetic orders (ecrm.datasets.make_transactions, with returns and channels) stand in
for a shop's order log; the script prints the tables and saves the figures.

Run: python examples/kpi_cohort_dashboard.py [--customers 20000] [--out dashboard/]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import ecrm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--out", type=Path, help="folder for the dashboard figures")
    args = parser.parse_args()

    tx = ecrm.datasets.make_transactions(
        args.customers, start="2023-01-01", end="2024-12-31", return_rate=0.05, random_state=7
    )
    monthly = ecrm.metrics.kpis(tx, freq="M", order_col="order_id")
    by_channel = ecrm.metrics.kpis(tx, freq="Q", by="channel", order_col="order_id")
    cohorts = ecrm.metrics.cohort_retention(tx, freq="M")

    with pd.option_context("display.width", 180, "display.max_columns", 12):
        print(f"{len(tx):,} order lines from {tx['customer_id'].nunique():,} customers\n")
        columns = ["gmv", "net_revenue", "orders", "buyers", "new_buyers", "aov", "repeat_purchase_rate"]
        columns.append("return_rate")
        print("Monthly KPIs, last six months:")
        print(monthly[columns].tail(6).round(3))
        print("\nNet revenue per quarter and channel:")
        print(by_channel["net_revenue"].unstack("channel").round(0))
        print("\nCohort retention (share of each monthly cohort buying k months later), first cohorts:")
        print(cohorts.iloc[:6, :7].round(3))

    if args.out:
        import matplotlib

        matplotlib.use("Agg")
        args.out.mkdir(parents=True, exist_ok=True)
        figures = {
            "kpi_trend.png": ecrm.plotting.kpi_trend(monthly, ("gmv", "net_revenue")),
            "cohort_heatmap.png": ecrm.plotting.cohort_heatmap(cohorts),
            "retention_curves.png": ecrm.plotting.retention_curves(cohorts),
        }
        for name, ax in figures.items():
            ax.get_figure().savefig(args.out / name, dpi=100, bbox_inches="tight")
        print(f"\nwrote {len(figures)} figures to {args.out}")


if __name__ == "__main__":
    main()
