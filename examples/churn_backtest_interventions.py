"""Who is about to leave, can we trust the model, and what should we do about it?

A retention team gets a weekly list of customers at risk. Before acting on it they want
to know whether the model would have been right in the past. On CDNOW, with "churned" =
no purchase in the next 90 days: a rolling-origin backtest trains at each quarter-end
and scores the next one, next to the BG/NBD baseline (Fader, Hardie and Lee 2005); then
a model trained on the last quarter whose outcome is known scores every customer as of
the end of the data, and each customer gets a risk tier and a recommended intervention
from risk x value (12-month CLV).

Run: python examples/churn_backtest_interventions.py [--lang zh]
"""

from __future__ import annotations

import argparse
import warnings

import pandas as pd
from threadpoolctl import threadpool_limits

import ecrm
from ecrm import churn

HORIZON_DAYS = 90
CUTOFFS = ["1997-09-30", "1997-12-31", "1998-03-31"]  # 90+ days apart: labels known at the next
AS_OF = "1998-06-30"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    args = parser.parse_args()
    tx = ecrm.datasets.load_cdnow()

    # Small tables: one thread is faster than several spinning on a busy machine.
    with threadpool_limits(1):
        bt = churn.backtest(tx, cutoffs=CUTOFFS, horizon_days=HORIZON_DAYS)
        table = bt.pivot(index="cutoff", columns="scorer", values=["roc_auc", "pr_auc", "lift_top10"])
        table.columns = [f"{metric}_{scorer}" for metric, scorer in table.columns]
        table.insert(0, "churn_rate", bt.groupby("cutoff")["churn_rate"].first())
        print(f"Backtest, horizon {HORIZON_DAYS} days: trained at the previous cutoff, scored at this one")
        print(table.round(3).to_string())
        wins = int((table["roc_auc_model"] > table["roc_auc_bgnbd"]).sum())
        print(f"The model beats BG/NBD's ranking at {wins} of {len(table)} cutoffs.\n")

        # The last cutoff whose 90 days are observed: 1998-04-01. Train there, score today.
        cutoff = pd.Timestamp(AS_OF) - pd.Timedelta(days=HORIZON_DAYS)
        train = churn.dataset(tx, cutoff=cutoff, horizon_days=HORIZON_DAYS)
        model = churn.ChurnModel().fit(train.X, train.y)
        today = churn.features(tx, as_of=AS_OF)
        risk = model.risk_tier(today.reindex(columns=train.X.columns, fill_value=0.0), lang=args.lang)

    summary = ecrm.customer_summary(tx, as_of=AS_OF, time_unit="W")
    with warnings.catch_warnings():  # CDNOW's one zero-spend repeat customer, reported by the report
        warnings.simplefilter("ignore", ecrm.errors.DataDroppedWarning)
        value = ecrm.clv.CLVModel().fit(summary).predict_clv(horizon=12, horizon_unit="M")["clv"]
    plan = churn.interventions(risk, segments=value, lang=args.lang)

    print(
        f"Scored as of {AS_OF} by a model trained as of {cutoff.date()} ({train.y.mean():.1%} churned since):"
    )
    print(f"expected churners in the next {HORIZON_DAYS} days: {risk['churn_probability'].sum():,.0f} "
          f"of {len(risk):,} customers")  # fmt: skip
    counts = pd.crosstab(plan["risk_tier"], plan["intervention"])
    print("\nCustomers per risk tier and recommended intervention:")
    print(counts.to_string())

    # Where the retention budget goes: high-value customers at high risk, most valuable first.
    high_risk = plan["risk_tier"] == plan["risk_tier"].cat.categories[0]
    high_value = plan["value_level"] == plan["value_level"].cat.categories[0]
    calls = plan[high_risk & high_value].assign(clv_12m=value).nlargest(5, "clv_12m")
    n_calls = int((high_risk & high_value).sum())
    print(f"\nFirst five of the {n_calls:,} high-risk, high-value customers to call:")
    print(calls[["churn_probability", "clv_12m", "intervention"]].round(3).to_string())
    at_stake = value.reindex(plan.index)[high_risk].sum()
    print(f"\n12-month CLV held by high-risk customers: {at_stake:,.0f} of {value.sum():,.0f}")


if __name__ == "__main__":
    main()
