"""Do the campaign intervals cover the true effect 95% of the time?

Draws one large ``make_campaign`` population, splits it at random into ``--reps``
experiments of ``--size`` customers each, evaluates them all at once
(``ecrm.campaign.evaluate(..., by="rep")``) and counts how often each 95% interval
contains the true effect (the population's expected treatment-minus-control outcome,
known from the generator). Also compares the spread of the raw and CUPED revenue
estimates across experiments with the 1 - rho^2 that theory predicts, and shows what
winsorising does to coverage of the true (uncapped) revenue effect. Fixed seed: the
table in docs/guide/campaign.md is this script's output.

Run: python examples/campaign_interval_coverage.py [--reps 2000] [--sizes 400 2000]
"""

from __future__ import annotations

import argparse

import numpy as np

import ecrm

ROWS = [
    ("conversion lift", "conversion_rate", "raw", "abs"),
    ("conversion, relative", "conversion_rate", "raw", "rel"),
    ("revenue lift (Welch)", "revenue_per_customer", "raw", "abs"),
    ("revenue lift, CUPED", "revenue_per_customer", "cuped", "abs"),
    ("revenue, relative, CUPED", "revenue_per_customer", "cuped", "rel"),
]


def run(reps: int, size: int, seed: int) -> None:
    assignments, tx, truth = ecrm.datasets.make_campaign(reps * size, random_state=seed, return_truth=True)
    assignments["rep"] = np.random.default_rng(seed).permutation(len(assignments)) % reps
    truths = {
        ("conversion_rate", "abs"): (truth["p_convert_treatment"] - truth["p_convert_control"]).mean(),
        ("conversion_rate", "rel"): truth["p_convert_treatment"].mean() / truth["p_convert_control"].mean()
        - 1,
        ("revenue_per_customer", "abs"): (truth["revenue_treatment"] - truth["revenue_control"]).mean(),
        ("revenue_per_customer", "rel"): truth["revenue_treatment"].mean() / truth["revenue_control"].mean()
        - 1,
    }
    plain = ecrm.campaign.evaluate(assignments, tx, start="2024-06-01", by="rep")
    capped = ecrm.campaign.evaluate(assignments, tx, start="2024-06-01", by="rep", winsorize=0.99)
    se = np.sqrt(0.95 * 0.05 / reps)
    print(
        f"\n{reps} experiments of {size} customers (about {size // 2} per group); Monte Carlo s.e. {se:.4f}\n"
    )
    print("| interval | true value | mean estimate | coverage | coverage, winsorised at 99% |")
    print("|---|---|---|---|---|")
    for name, metric, estimate, kind in ROWS:
        value = truths[metric, kind]
        cells = []
        for result in (plain, capped):
            rows = result.segments.xs((metric, estimate), level=("metric", "estimate"))
            low, high = ("relative_ci_low", "relative_ci_high") if kind == "rel" else ("ci_low", "ci_high")
            cells.append(((rows[low] <= value) & (value <= rows[high])).mean())
        point = rows["relative_lift" if kind == "rel" else "lift"]
        mean = plain.segments.xs((metric, estimate), level=("metric", "estimate"))[point.name].mean()
        print(f"| {name} | {value:.4f} | {mean:.4f} | {cells[0]:.3f} | {cells[1]:.3f} |")
    raw = plain.segments.xs(("revenue_per_customer", "raw"), level=("metric", "estimate"))
    adj = plain.segments.xs(("revenue_per_customer", "cuped"), level=("metric", "estimate"))
    ratio = adj["lift"].var() / raw["lift"].var()
    width = ((adj["ci_high"] - adj["ci_low"]) / (raw["ci_high"] - raw["ci_low"])).mean()
    rho = plain.cuped["rho"]
    print(
        f"\nCUPED: variance of the revenue lift across experiments x {ratio:.3f} "
        f"(theory 1 - rho^2 = {1 - rho**2:.3f}, rho = {rho:.3f}); mean interval width x {width:.3f} "
        f"(theory sqrt(1 - rho^2) = {np.sqrt(1 - rho**2):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--sizes", type=int, nargs="+", default=[400, 2000])
    args = parser.parse_args()
    for i, size in enumerate(args.sizes):
        run(args.reps, size, seed=20130204 + i)


if __name__ == "__main__":
    main()
