"""Is NPS different across RFM segments, and is the difference real?

A survey team links answers to customers and asks whether the best customers are also
the happiest. Synthetic survey answers (ecrm.datasets.make_surveys) are drawn for CDNOW
customers with a true +1.5 point satisfaction lift for repeat buyers; NPS per RFM segment
with adjusted-Wald intervals (Rocks 2016) should show it, and the test of the difference
between champions and hibernating customers should call it significant.

Run: python examples/nps_by_segment.py [--responses 20000]
"""

from __future__ import annotations

import argparse

import pandas as pd

import ecrm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    args = parser.parse_args()

    tx = ecrm.datasets.load_cdnow()
    customers = ecrm.customer_summary(tx)
    segments = ecrm.rfm.segment(ecrm.rfm.score(customers))
    lift = (customers["n_orders"] > 1).astype(float) * 1.5  # the truth the survey should find
    answers = ecrm.datasets.make_surveys(
        args.responses, customer_ids=customers.index, effect=lift, start="1997-01-01", end="1998-06-30"
    )

    by_segment = ecrm.survey.by_segment(answers, segments, "segment", score_col="nps_score")
    with pd.option_context("display.width", 160, "display.max_columns", 10):
        print(f"NPS by RFM segment ({args.responses:,} answers, 95% adjusted-Wald intervals):")
        print(by_segment[["n", "promoter_share", "detractor_share", "nps", "ci_low", "ci_high"]].round(2))

    linked = answers.join(segments["segment"], on="customer_id")
    champions = linked.loc[linked["segment"] == "Champions", "nps_score"]
    hibernating = linked.loc[linked["segment"] == "Hibernating", "nps_score"]
    test = ecrm.survey.nps_test(champions, hibernating)
    print("\nChampions vs hibernating customers:")
    print(test.round(4).to_string())
    overall = ecrm.survey.nps(answers, score_col="nps_score")
    passives = float(overall["passive_share"])
    needed = ecrm.survey.sample_size(5, expected_nps=float(overall["nps"]), passive_share=passives)
    print(f"\nAnswers needed per segment for an NPS margin of +/-5 points: {needed:,}")


if __name__ == "__main__":
    main()
