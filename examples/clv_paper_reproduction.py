"""Reproduce the published estimates of the purchase, spend and retention models from raw data.

Fader, Hardie and Lee (2005) introduced the BG/NBD model on a 1/10 sample of CDNOW's
1997 Q1 cohort: 2,357 customers, 39 weeks of calibration (to 1997-09-30), 39 weeks of
holdout (to 1998-06-30); they also fit the Pareto/NBD. Fader and Hardie (2013) fitted the
Gamma-Gamma spend model to the same customers. Starting from the raw purchases (not a
prepared summary), this script rebuilds the calibration summary, fits the models, puts
the estimates next to the published ones, checks the paper's worked example, scores the
39-week holdout and values the customers over the next 12 months with intervals.

It then does the same for the discrete-time BG/BB model on a nonprofit's donations
(Fader, Hardie and Shang 2010) and for the shifted-beta-geometric model of contractual
retention on the "regular" and "high end" cohorts of Fader and Hardie (2007).

Run: python examples/clv_paper_reproduction.py
"""

from __future__ import annotations

import pandas as pd

import ecrm
from ecrm.clv import CLVModel, SBGModel

# Published estimates: BG/NBD and Pareto/NBD (Fader, Hardie and Lee 2005, section 5) and
# Gamma-Gamma (Fader and Hardie 2013, "The Gamma-Gamma model of monetary value").
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "gamma": 15.44}
PUBLISHED_LOG_LIKELIHOOD = -9582.4
PARETO = {"r": 0.55, "alpha": 10.58, "s": 0.61, "beta": 11.67}
# The paper's worked example: a customer with x = 2 repeat purchases, the last in week
# 30.43, observed for T = 38.86 weeks, is expected to make 1.226 purchases in the next 39.
EXAMPLE = {"frequency": 2, "recency": 30.43, "T": 38.86}
EXAMPLE_PUBLISHED = 1.226
# BG/BB on the donations of the 1995 cohort (Fader, Hardie and Shang 2010).
BGBB = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
# sBG on years 0-7 (Fader and Hardie 2007; the high-end alpha is 0.668 in Appendix B).
SBG = {"regular": {"alpha": 0.704, "beta": 1.182}, "high_end": {"alpha": 0.668, "beta": 3.806}}


def side_by_side(params: pd.DataFrame, published: dict[str, float]) -> pd.DataFrame:
    table = params[["model", "estimate", "std_error", "ci_lower", "ci_upper"]].copy()
    table["published"] = pd.Series(published)
    return table.round(3)


def main() -> None:
    raw = ecrm.datasets.load_cdnow_sample()
    print(f"Raw CDNOW sample: {len(raw):,} purchase records of {raw['customer_id'].nunique():,} customers")
    cal = ecrm.customer_summary(raw, as_of="1997-09-30", time_unit="W")
    repeaters = int((cal["frequency"] > 0).sum())
    print(f"Calibration summary to 1997-09-30, in weeks: {len(cal):,} customers, {repeaters} repeat buyers\n")

    model = CLVModel(purchase_model="bgnbd", spend_model="gamma_gamma").fit(cal)
    print("BG/NBD and Gamma-Gamma against the published figures:")
    print(side_by_side(model.params_, PUBLISHED).to_string())
    print(f"BG/NBD log-likelihood {model.log_likelihood_:.1f} (published {PUBLISHED_LOG_LIKELIHOOD})")
    pareto = CLVModel(purchase_model="paretonbd", spend_model=None).fit(cal)
    print("\nPareto/NBD against the published figures:")
    print(side_by_side(pareto.params_, PARETO).to_string())
    print(f"Pareto/NBD log-likelihood {pareto.log_likelihood_:.1f} (published -9595.0)\n")

    example = pd.DataFrame([EXAMPLE], index=pd.Index(["example"], name="customer_id"))
    example.attrs["time_unit"] = "W"
    expected = float(model.expected_purchases(39, example).iloc[0])
    print(
        f"Worked example (x=2, t_x=30.43, T=38.86): E[purchases in the next 39 weeks] = {expected:.3f} "
        f"(published {EXAMPLE_PUBLISHED})\n"
    )

    res = ecrm.clv.evaluate_holdout(raw, calibration_end="1997-09-30", holdout_end="1998-06-30")
    totals = res.totals
    print(
        f"Holdout, 39 weeks to 1998-06-30: {totals['actual']:.0f} actual repeat purchases, "
        f"{totals['predicted']:.1f} predicted ({totals['pct_error']:+.1f}%); per-customer correlation "
        f"{totals['correlation']:.3f}"
    )
    print("Conditional expectations (Fader, Hardie and Lee 2005, Figure 4):")
    print(res.conditional.round(2).to_string())

    clv = model.predict_clv(horizon=12, horizon_unit="M", discount_rate=0.01, interval=0.9)
    top = clv["clv"].nlargest(len(clv) // 10).sum() / clv["clv"].sum()
    print(
        f"\n12-month CLV as of 1997-09-30 (1% a month discount): mean {clv['clv'].mean():.2f}, "
        f"total {clv['clv'].sum():,.0f}; the top 10% of customers hold {top:.1%} of it."
    )
    print("Five most valuable customers, with 90% intervals from the parameter uncertainty:")
    print(clv.nlargest(5, "clv").round(2).to_string())

    donations = ecrm.datasets.load_donations()
    bgbb = CLVModel(purchase_model="bgbb", spend_model=None).fit(donations, weights="weights")
    donors = int(donations["weights"].sum())
    print(f"\nBG/BB on {donors:,} donors (22 patterns) against the published figures:")
    print(side_by_side(bgbb.params_, BGBB).to_string())
    gifts = float((bgbb.expected_purchases(5) * donations["weights"]).sum())
    print(f"Expected gifts in the next five years: {gifts:,.1f} (Hardie's spreadsheet: 12,884.2)")

    cohorts = ecrm.datasets.load_retention_cohorts()
    for name, published in SBG.items():
        sbg = SBGModel().fit(cohorts[name].iloc[:8])
        print(f"\nsBG, '{name}' cohort fitted on years 0-7, against the published figures:")
        print(side_by_side(sbg.params_, published).to_string())
        projected = sbg.expected_active(12)[name].loc[8:]
        actual = cohorts[name].loc[8:]
        table = pd.DataFrame({"actual": actual, "projected": projected.round(1)})
        table["error_%"] = (100 * (projected / actual - 1)).round(1)
        print(table.to_string())


if __name__ == "__main__":
    main()
