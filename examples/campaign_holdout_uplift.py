"""Did the win-back coupon work, for whom, and who should get the next one?

A CRM team plans a coupon campaign with a 50/50 holdout, sends it on 1 June 2024 and
measures it 30 days later: conversion and revenue lift with intervals, with and without
CUPED, the sample-ratio check, the lift per segment with Holm-adjusted p-values, ROI,
and an uplift model that picks the customers for the next wave (compared, on customers
it was not trained on, with "highest churn risk first" and with random targeting).
The data come from ``ecrm.datasets.make_campaign``, whose true effects are known.

Run: python examples/campaign_holdout_uplift.py [--customers 40000]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import ecrm
from ecrm import campaign

START = "2024-06-01"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=40_000)
    args = parser.parse_args()
    pd.set_option("display.width", 120)

    assignments, tx, truth = ecrm.datasets.make_campaign(args.customers, random_state=0, return_truth=True)

    # 1. Plan: how many customers does a 50/50 test need? Baseline and spread from the
    #    30 days before the send (a past window of the same customers).
    past = campaign.outcomes(assignments, tx, start="2024-05-01", window_days=30, pre_days=365)
    base, sd = past["converted"].mean(), past["revenue"].std()
    rho = np.corrcoef(past["revenue"], past["pre_spend"])[0, 1]
    print("== 1. Plan the holdout")
    print(
        f"past 30 days: conversion {base:.3f}, revenue per customer sd {sd:.1f}, "
        f"rho with prior spend {rho:.2f}"
    )
    plan = campaign.sample_size(baseline=base, mde=0.02)
    print(f"to detect +2 points of conversion (80% power): {plan['n_treatment']:.0f} per group")
    plan_rev = campaign.sample_size(baseline=past["revenue"].mean(), mde=1.0, metric="revenue", sd=sd)
    plan_cuped = campaign.sample_size(
        baseline=past["revenue"].mean(), mde=1.0, metric="revenue", sd=sd, rho=rho
    )
    print(
        f"to detect +1.00 revenue per customer: {plan_rev['n_treatment']:.0f} per group, "
        f"{plan_cuped['n_treatment']:.0f} with CUPED"
    )
    n = len(assignments) // 2
    print(f"we have {n} per group: power {campaign.power(n, n, baseline=base, mde=0.02):.2f} for conversion")

    # 2. Evaluate, with and without CUPED, with the campaign's cost and margin.
    result = campaign.evaluate(assignments, tx, start=START, window_days=30, cost_per_contact=0.5, margin=0.3)
    print("\n== 2. Did it work?")
    print(result.groups[["customers", "converters", "conversion_rate", "revenue_per_customer"]].round(3))
    print(result.lift.round(4).to_string())
    print(
        f"SRM check: {result.srm['n_treatment']} vs {result.srm['n_control']}, "
        f"p = {result.srm['p_value']:.3f}"
    )
    print(result.cuped.round(3).to_string())
    print(result.impact.round(2).to_string())
    true_conv = (truth["p_convert_treatment"] - truth["p_convert_control"]).mean()
    true_rev = (truth["revenue_treatment"] - truth["revenue_control"]).mean()
    print(f"true effects of this campaign: conversion {true_conv:+.4f}, revenue per customer {true_rev:+.3f}")

    # 3. For whom? Lift by segment, Holm-adjusted.
    by_segment = campaign.evaluate(assignments, tx, start=START, by="segment")
    rows = by_segment.segments.xs(("conversion_rate", "raw"), level=("metric", "estimate"))
    true_seg = (truth["p_convert_treatment"] - truth["p_convert_control"]).groupby(
        truth["segment"], observed=True
    )
    print("\n== 3. Lift in conversion by segment")
    show = rows[["n_treatment", "n_control", "lift", "ci_low", "ci_high", "p_value_holm"]].assign(
        true_lift=true_seg.mean()
    )
    print(show.round(4).to_string())

    # 4. Who should get the next wave? Uplift model on churn features as of the send,
    #    trained on half of the customers, judged on the other half.
    X = ecrm.churn.features(tx, as_of="2024-05-31").reindex(assignments["customer_id"])
    treated = pd.Series((assignments["group"] == "treatment").to_numpy(), index=X.index)
    y = result.customers["converted"]
    train = np.random.default_rng(0).uniform(size=len(X)) < 0.5
    test = ~train
    model = campaign.UpliftModel(random_state=0).fit(X[train], treated[train], y[train])
    risk = ecrm.churn.ChurnModel(calibrate=False).fit(X[train], ~y[train].to_numpy())
    scores = {
        "uplift model": model.predict(X[test]),
        "highest churn risk first": risk.predict_proba(X[test])[:, 1],
        "random": np.random.default_rng(1).uniform(size=test.sum()),
    }
    print("\n== 4. Targeting the next wave (held-out half)")
    for name, score in scores.items():
        area = campaign.qini_area(pd.Series(score, index=X.index[test]), treated, y)
        print(f"Qini area, {name:<25} {area:8.1f}")
    top = model.target(X[test], 1_000)
    chosen = truth.loc[top.index, "segment"].value_counts(normalize=True).round(2)
    print("segments of the 1,000 customers the model would target next:", chosen.to_dict())


if __name__ == "__main__":
    main()
