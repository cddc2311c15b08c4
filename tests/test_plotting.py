"""Plot functions return the Axes they drew on, with titles and labels set."""

import matplotlib.pyplot as plt

import ecrm


def test_summary_histograms_uses_given_axes(cdnow):
    s = ecrm.customer_summary(cdnow)
    fig, ax = plt.subplots()
    out = ecrm.plotting.summary_histograms(s, "recency_days", ax=ax)
    assert out is ax
    assert ax.get_title().startswith("Customers by recency_days (n = 23,570)")
    assert sum(p.get_height() for p in ax.patches) == len(s)
    plt.close(fig)


def test_recommend_figures():
    lines = ecrm.datasets.make_baskets(2_000, 100, random_state=0)
    rules = ecrm.recommend.association_rules(lines, min_support=0.005, order_col="order_id")
    fig, ax = plt.subplots()
    assert ecrm.plotting.rules_scatter(rules, top=10, annotate=2, lang="zh", ax=ax) is ax
    assert ax.get_xlabel() == "置信度" and ax.get_ylabel() == "提升度"
    offsets = ax.collections[0].get_offsets()
    assert len(offsets) == 10 and offsets[0, 1] == rules["lift"].iloc[0]
    assert ax.texts[0].get_text().endswith(", ".join(map(str, rules["consequent"].iloc[0])))
    plt.close(fig)
    table = ecrm.recommend.evaluate(ecrm.recommend.Popular(), lines, split_date="2024-01-01", k=[2, 4])
    ax = ecrm.plotting.recall_at_k(table)
    line = ax.get_lines()[0]
    assert list(line.get_xdata()) == [2, 4]
    assert list(line.get_ydata()) == table.loc["Popular", "recall"].tolist()
    assert ax.get_title() == "Recall at k by model"
    ax = ecrm.plotting.recall_at_k(table.xs(4, level="k", drop_level=False), metric="ndcg")
    assert len(ax.patches) == 2 and ax.get_ylabel() == "NDCG"
    plt.close("all")
