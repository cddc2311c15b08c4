"""RFM segments of the CDNOW customer base, and what to do with each.

A CRM manager asks: who are my best customers, who is slipping away, and where does the
revenue come from? Score every CDNOW customer 1-5 on recency, frequency and monetary
value (Hughes 1994), name the segments with the standard scheme and with the eight-class
scheme of Chinese e-commerce (重要价值客户 ...), and print a recommended action for each.

Run: python examples/rfm_segments_cdnow.py [--lang zh]
"""

from __future__ import annotations

import argparse

import pandas as pd

import ecrm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    args = parser.parse_args()

    tx = ecrm.datasets.load_cdnow()
    customers = ecrm.customer_summary(tx, as_of="1998-06-30")
    scored = ecrm.rfm.score(customers)
    standard = ecrm.rfm.segment(scored, lang=args.lang)
    cn8 = ecrm.rfm.segment(scored, scheme="cn8", lang=args.lang)

    with pd.option_context("display.width", 200, "display.max_columns", 10, "display.max_colwidth", 70):
        print(f"{len(customers):,} CDNOW customers as of {customers.attrs['as_of'].date()}\n")
        table = ecrm.rfm.segment_summary(standard)
        print("Standard segments (R x F grid):")
        print(
            table[["n_customers", "customer_share", "revenue_share", "mean_recency_days", "action"]].round(3)
        )
        print("\nEight-class segments (R, F, M above or below the mean score):")
        print(ecrm.rfm.segment_summary(cn8)[["n_customers", "revenue_share", "action"]].round(3))

    # The story in two numbers: a small group of recent, frequent buyers earns most of
    # the revenue, while the largest group has gone quiet.
    top = table["revenue_share"].idxmax()
    biggest = table["n_customers"].idxmax()
    print(
        f"\n{top}: {table.loc[top, 'customer_share']:.1%} of customers, "
        f"{table.loc[top, 'revenue_share']:.1%} of revenue."
    )
    print(f"Largest segment: {biggest} ({table.loc[biggest, 'customer_share']:.1%} of customers).")


if __name__ == "__main__":
    main()
