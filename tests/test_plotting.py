"""Plot functions return the Axes they drew on, with titles and labels set, every word in
the chosen language, and legends that never cover the data."""

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

import ecrm
from ecrm import plotting
from ecrm.plotting import _base

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Names that read the same in both languages.
_SAME_IN_BOTH = {"NPS", "CLV", "GMV", "AUC", "PC", "BG", "NBD", "ROC", "PR", "SLA", "CSAT", "CES", "Gamma"}


def test_summary_histograms_uses_given_axes(cdnow):
    s = ecrm.customer_summary(cdnow)
    fig, ax = plt.subplots()
    out = ecrm.plotting.summary_histograms(s, "recency_days", ax=ax)
    assert out is ax
    assert ax.get_title() == "Customers by days since last purchase (n = 23,570)"
    assert ax.get_xlabel() == "Days since last purchase"
    assert sum(p.get_height() for p in ax.patches) == len(s)
    plt.close(fig)


@pytest.fixture(scope="module")
def inputs(cdnow_sample):
    tx = cdnow_sample
    summary = ecrm.customer_summary(tx)
    scored = ecrm.rfm.score(summary)
    segmenter = ecrm.segmentation.KMeansSegmenter(k_range=(2, 4), n_init=2, random_state=0).fit(summary)
    weekly = ecrm.customer_summary(tx, time_unit="W", as_of="1997-09-30")
    model = ecrm.clv.CLVModel().fit(weekly)
    holdout = ecrm.clv.evaluate_holdout(tx, calibration_end="1997-09-30", holdout_end="1998-06-30")
    # The lapsed segment's holdout has 3 buyers: flagged small (the figures draw it hollow).
    with pytest.warns(ecrm.errors.CampaignWarning, match=r"\['lapsed'\]"):
        campaign = ecrm.campaign.evaluate(
            *ecrm.datasets.make_campaign(3_000, random_state=0), start="2024-06-01", by="segment"
        )
    rng = np.random.default_rng(0)
    y = rng.random(500) < 0.6
    # Scores named as a user would name them; the names are drawn as given.
    scores = {"A": np.clip(y * 0.3 + rng.random(500) * 0.7, 0, 1), "B": rng.random(500)}
    surveys = ecrm.datasets.make_surveys(800, customer_ids=summary.index, random_state=0)
    segmented = ecrm.rfm.segment(scored)
    linked = surveys.merge(segmented[["segment"]], left_on="customer_id", right_index=True)
    ledger = ecrm.loyalty.Ledger(ecrm.datasets.make_loyalty_events(200, random_state=0))
    tickets = ecrm.datasets.make_tickets(400, random_state=0)
    return {
        "tx": tx,
        "summary": summary,
        "scored": scored,
        "segmented": segmented,
        "segmenter": segmenter,
        "model": model,
        "holdout": holdout,
        "y": y,
        "scores": scores,
        "surveys": surveys,
        "by_segment": ecrm.survey.nps(linked, by="segment", score_col="nps_score"),
        "trend": ecrm.survey.nps_trend(surveys, score_col="nps_score"),
        "ledger": ledger,
        "sla": ecrm.service.sla(tickets, by="channel"),
        "campaign": campaign,
        "baskets": ecrm.datasets.make_baskets(1_000, 60, random_state=0),
        # The cohort named as a user might name it; names are drawn as given.
        "sbg": ecrm.clv.SBGModel().fit(
            ecrm.datasets.load_retention_cohorts()[["high_end"]].iloc[:8].set_axis(["A"], axis=1)
        ),
        "history": model.p_alive_history(tx, [1, 2], end="1997-09-30"),
    }


# One call per figure of ecrm.plotting, each given the language.
FIGURES = {
    "summary_histograms": lambda d, lang: plotting.summary_histograms(d["summary"], "total_spend", lang=lang),
    "rfm_heatmap": lambda d, lang: plotting.rfm_heatmap(d["scored"], "monetary", lang=lang),
    "segment_bar": lambda d, lang: plotting.segment_bar(d["segmented"], lang=lang),
    "rfm_distribution": lambda d, lang: plotting.rfm_distribution(d["scored"], lang=lang),
    "lifecycle_area": lambda d, lang: plotting.lifecycle_area(
        ecrm.lifecycle.stage_counts(ecrm.lifecycle.history(d["tx"], lang=lang)), lang=lang
    ),
    "transition_heatmap": lambda d, lang: plotting.transition_heatmap(
        ecrm.lifecycle.transitions(d["tx"], start="1997-09-30", end="1998-06-30", lang=lang), lang=lang
    ),
    "k_selection": lambda d, lang: plotting.k_selection(d["segmenter"], lang=lang),
    "silhouette": lambda d, lang: plotting.silhouette(d["segmenter"], d["summary"], lang=lang),
    "cluster_scatter": lambda d, lang: plotting.cluster_scatter(d["segmenter"], d["summary"], lang=lang),
    "cluster_profiles": lambda d, lang: plotting.cluster_profiles(d["segmenter"], lang=lang),
    "clv_tracking": lambda d, lang: plotting.clv_tracking(d["holdout"], lang=lang),
    "conditional_expectations": lambda d, lang: plotting.conditional_expectations(d["holdout"], lang=lang),
    "p_alive_matrix": lambda d, lang: plotting.p_alive_matrix(d["model"], lang=lang),
    "clv_distribution": lambda d, lang: plotting.clv_distribution(d["model"].predict_clv(), lang=lang),
    "roc": lambda d, lang: plotting.roc(d["y"], d["scores"], lang=lang),
    "lift_curve": lambda d, lang: plotting.lift_curve(d["y"], d["scores"], lang=lang),
    "calibration_curve": lambda d, lang: plotting.calibration_curve(d["y"], d["scores"]["A"], lang=lang),
    "feature_importance": lambda d, lang: plotting.feature_importance(
        pd.DataFrame(
            {"importance_mean": [0.12, 0.05, 0.01], "importance_std": [0.01, 0.01, 0.005]},
            index=pd.Index(["recency_days", "n_orders", "total_spend"], name="feature"),
        ),
        lang=lang,
    ),
    "kpi_trend": lambda d, lang: plotting.kpi_trend(
        ecrm.metrics.kpis(d["tx"]), ["gmv", "net_revenue"], lang=lang
    ),
    "cohort_heatmap": lambda d, lang: plotting.cohort_heatmap(
        ecrm.metrics.cohort_retention(d["tx"]), lang=lang
    ),
    "retention_curves": lambda d, lang: plotting.retention_curves(
        ecrm.metrics.cohort_retention(d["tx"]), lang=lang
    ),
    "nps_bar": lambda d, lang: plotting.nps_bar(d["by_segment"], lang=lang),
    "nps_trend": lambda d, lang: plotting.nps_trend(d["trend"], lang=lang),
    "score_distribution": lambda d, lang: plotting.score_distribution(d["surveys"]["nps_score"], lang=lang),
    "points_flow": lambda d, lang: plotting.points_flow(d["ledger"].summary(), lang=lang),
    "tier_mix": lambda d, lang: plotting.tier_mix(d["ledger"].tier_history(lang=lang), lang=lang),
    "sla_dashboard": lambda d, lang: plotting.sla_dashboard(d["sla"], lang=lang),
    "purchase_frequency_fit": lambda d, lang: plotting.purchase_frequency_fit(d["model"], lang=lang),
    "expected_purchases_matrix": lambda d, lang: plotting.expected_purchases_matrix(
        d["model"], 12, lang=lang
    ),
    "alive_history": lambda d, lang: plotting.alive_history(d["history"], lang=lang),
    "sbg_survival": lambda d, lang: plotting.sbg_survival(d["sbg"], 12, lang=lang),
    "lift_by_segment": lambda d, lang: plotting.lift_by_segment(d["campaign"], lang=lang),
    "cumulative_conversion": lambda d, lang: plotting.cumulative_conversion(d["campaign"], lang=lang),
    "qini_curve": lambda d, lang: plotting.qini_curve(
        ecrm.campaign.qini_curve(
            d["campaign"].customers["pre_spend"],
            d["campaign"].customers["treated"],
            d["campaign"].customers["converted"],
        ),
        lang=lang,
    ),
    "rules_scatter": lambda d, lang: plotting.rules_scatter(
        ecrm.recommend.association_rules(d["baskets"], min_support=0.01, order_col="order_id"), lang=lang
    ),
    "recall_at_k": lambda d, lang: plotting.recall_at_k(
        ecrm.recommend.evaluate(ecrm.recommend.Popular(), d["baskets"], split_date="2024-01-01", k=[2, 4]).xs(
            4, level="k", drop_level=False
        ),
        lang=lang,
    ),
}


def test_every_figure_is_listed():
    assert sorted(FIGURES) == sorted(plotting.__all__)


def _words(ax):
    """Title, axis labels and legend entries of the figure of ``ax`` (all its axes)."""
    texts = []
    for each in ax.figure.axes:
        texts += [each.get_title(), each.get_xlabel(), each.get_ylabel()]
        legend = each.get_legend()
        if legend is not None:
            texts += [t.get_text() for t in legend.get_texts()]
    return [t for t in texts if t.strip()]


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_word_of_every_figure_is_in_the_language(inputs, name):
    english = FIGURES[name](inputs, "en")
    for text in _words(english):
        assert not _CJK.search(text) and "_" not in text, f"{name}: {text!r}"
    plt.close("all")
    chinese = FIGURES[name](inputs, "zh")
    words = _words(chinese)
    assert chinese.get_title() and words
    for text in words:
        latin = set(_LATIN_WORD.findall(text)) - _SAME_IN_BOTH
        assert _CJK.search(text) or not latin, f"{name}: {text!r} is not in Chinese"
    if _base.cjk_fonts():  # every text, tick labels included, in a font with Chinese glyphs
        chinese.figure.canvas.draw()
        for artist in chinese.figure.findobj(Text):
            if artist.get_text():
                assert artist.get_fontfamily()[0] in _base.CJK_FONTS, (name, artist.get_text())
    plt.close("all")


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_legends_never_cover_the_data(inputs, name):
    ax = FIGURES[name](inputs, "en")
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend()
    if legend is not None:
        box, data = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
        overlap = min(box.x1, data.x1) - max(box.x0, data.x0), min(box.y1, data.y1) - max(box.y0, data.y0)
        assert min(overlap) <= 1, f"{name}: the legend lies on the axes"
        assert ax.title.get_window_extent(renderer).y0 >= box.y1 - 1, f"{name}: the title covers the legend"
    plt.close("all")


def test_nps_legend_shows_the_bar_colours(inputs):
    ax = plotting.score_distribution(inputs["surveys"]["nps_score"])
    legend = [patch.get_facecolor() for patch in ax.get_legend().get_patches()]
    detractor, passive, promoter = ax.patches[0], ax.patches[7], ax.patches[10]  # scores 0, 7 and 10
    assert legend == [detractor.get_facecolor(), passive.get_facecolor(), promoter.get_facecolor()]
    assert len(set(legend)) == 3
    plt.close("all")


def test_kpi_trend_keeps_equal_series_visible_and_names_the_measure(inputs):
    kpis = ecrm.metrics.kpis(inputs["tx"])
    assert np.allclose(kpis["gmv"], kpis["net_revenue"])  # CDNOW has no returns
    ax = plotting.kpi_trend(kpis, ["gmv", "net_revenue"])
    gmv, net = ax.get_lines()
    assert (gmv.get_linestyle(), gmv.get_linewidth()) != (net.get_linestyle(), net.get_linewidth())
    assert ax.get_ylabel() == "Revenue"
    ax.figure.canvas.draw()
    ticks = [t for t in ax.get_xticklabels() if t.get_text()]
    assert 3 <= len(ticks) <= 8  # months that do not run together
    boxes = [t.get_window_extent() for t in ticks]
    assert all(a.x1 < b.x0 for a, b in itertools.pairwise(boxes))
    plt.close("all")


def test_cluster_profiles_name_the_clusters_in_readable_colours(inputs):
    segmenter = inputs["segmenter"]
    ax = plotting.cluster_profiles(segmenter, lang="zh")
    names = [t.get_text().replace("\n", "") for t in ax.get_yticklabels()]
    assert names == segmenter.name_segments("zh").tolist()
    image = ax.images[0]
    for text in ax.texts:  # dark cells carry white text, light cells black
        red, green, blue, _ = image.cmap(image.norm(float(text.get_text())))
        dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue <= 0.5
        assert text.get_color() == ("white" if dark else "black")
    plt.close("all")


def test_a_cjk_font_installed_after_matplotlibs_cache_is_found(monkeypatch):
    from matplotlib import font_manager

    if not any("cjk" in path.lower() for path in font_manager.findSystemFonts()):
        pytest.skip("no CJK font on this machine")
    # As when fonts-noto-cjk was installed after matplotlib built its font list.
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in _base.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    _base.cjk_fonts.cache_clear()
    try:
        assert _base.cjk_fonts()[0] in _base.CJK_FONTS
    finally:
        _base.cjk_fonts.cache_clear()


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


@pytest.mark.parametrize("figure", ["roc", "lift_curve", "calibration_curve"])
def test_score_figures_pair_labels_and_scores_by_customer_id(figure):
    rng = np.random.default_rng(0)
    index = pd.Index(np.arange(200), name="customer_id")
    y = pd.Series(rng.random(200) < 0.3, index=index)
    score = pd.Series(np.where(y, 0.8, 0.2) + rng.normal(0, 0.1, 200), index=index).clip(0, 1)
    draw = getattr(ecrm.plotting, figure)
    same = draw(y, score).get_lines()[0].get_xydata()
    plt.close("all")
    reversed_ = draw(y, score.iloc[::-1]).get_lines()[0].get_xydata()
    plt.close("all")
    np.testing.assert_array_equal(reversed_, same)
