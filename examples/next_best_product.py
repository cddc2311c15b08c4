"""What do customers buy together, and what should each of them be offered next?

A shop's CRM team wants two things from its order lines: bundles for the product pages
("bought together") and a next best product per customer for the next campaign, per
RFM segment. The data are generated (ecrm.datasets.make_baskets) so that the answer is
known: ten planted co-purchase rules with a documented lift, and customers with a
favourite category. The script mines the rules and checks them against the truth,
measures ItemKNN against the best-sellers on the last six months, and writes the
campaign list.

Run: python examples/next_best_product.py
"""

from __future__ import annotations

import pandas as pd

import ecrm
from ecrm.recommend import ItemKNN


def main() -> None:
    lines, truth = ecrm.datasets.make_baskets(20_000, 500, random_state=0, return_truth=True)
    print(
        f"{len(lines):,} order lines, {lines['order_id'].nunique():,} orders, "
        f"{lines['customer_id'].nunique():,} customers, {lines['product_id'].nunique()} products\n"
    )

    # 1. Bought together: rules with support >= 0.1% of orders (about 50 orders).
    rules = ecrm.recommend.association_rules(
        lines, min_support=0.001, min_confidence=0.2, order_col="order_id"
    )
    print(f"{len(rules)} rules; the strongest by lift:")
    print(rules.head(6)[["antecedent", "consequent", "support", "confidence", "lift"]].round(4).to_string())
    planted = truth["rules"].set_index(["antecedent", "consequent"])
    single = rules[rules["antecedent"].str.len() == 1]
    mined = pd.Series(
        single["lift"].to_numpy(),
        index=pd.MultiIndex.from_arrays([single["antecedent"].str[0], single["consequent"].str[0]]),
    )
    check = pd.DataFrame({"expected_lift": planted["lift"], "mined_lift": mined.reindex(planted.index)})
    print("\nThe ten planted rules, expected lift (closed form) against mined:")
    print(check.round(1).to_string())

    # 2. Measured, not guessed: learn before 2024-01-01, test on the six months after.
    models = {"ItemKNN": ItemKNN(), "ItemKNN, 180-day half-life": ItemKNN(half_life_days=180)}
    table = ecrm.recommend.evaluate(models, lines, split_date="2024-01-01", k=[5, 10, 20])
    print("\nHoldout from 2024-01-01 (new products bought after the split are the targets):")
    print(table.round(3).to_string())
    knn, popular = table.loc[("ItemKNN", 10), "recall"], table.loc[("popularity baseline", 10), "recall"]
    print(f"recall@10: ItemKNN {knn:.3f} against {popular:.3f} for the best-sellers ({knn / popular:.2f}x)")

    # 3. The campaign list: one product per customer, counted per RFM segment.
    customers = ecrm.customer_summary(lines)
    segment = ecrm.rfm.segment(ecrm.rfm.score(customers))["segment"]
    model = ItemKNN(half_life_days=180).fit(lines, segment)
    table = customers.join(segment).join(ecrm.recommend.next_best_product(model))
    top = (
        table.groupby("segment", observed=True)["next_best_product"]
        .agg(
            customers="size",
            top_product=lambda s: s.mode().iloc[0],
            top_share=lambda s: s.value_counts(normalize=True).iloc[0],
        )
        .round(3)
    )
    print("\nNext best product per RFM segment (the most frequent one and its share):")
    print(top.to_string())
    print(f"\n{table['next_best_product'].nunique()} different products across {len(table):,} customers")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
