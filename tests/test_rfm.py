"""ecrm.rfm: hand-computed scores (ties included), properties, segments, bad input, CDNOW."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ecrm
from ecrm import rfm
from ecrm._labels import RFM_ACTIONS, RFM_CN8, RFM_STANDARD
from ecrm.errors import SchemaError


def make_summary(recency, n_orders, spend, ids=None):
    n = len(recency)
    index = pd.Index(ids if ids is not None else range(1, n + 1), name="customer_id")
    return pd.DataFrame(
        {
            "recency_days": recency,
            "n_orders": n_orders,
            "total_spend": np.asarray(spend, dtype=float),
            "avg_order_value": np.asarray(spend, dtype=float) / np.asarray(n_orders, dtype=float),
        },
        index=index,
    )


def reference_scores(values, bins, higher_is_better=True):
    """1 + floor(bins * L / n), L counted by brute force over all pairs (the documented rule)."""
    v = np.asarray(values, dtype=float)
    worse = v[None, :] < v[:, None] if higher_is_better else v[None, :] > v[:, None]
    return 1 + (bins * worse.sum(axis=1)) // len(v)


# ---------------------------------------------------------------- quantile scores by hand


def test_quantile_ties_by_hand_and_qcut_fails():
    freq = [1, 1, 1, 1, 1, 1, 2, 2, 3, 7]
    s = rfm.score(make_summary([10] * 10, freq, range(1, 11)))
    # 1 order beats nobody -> 1; 2 beats 6 -> 1 + 30 // 10 = 4; 3 beats 8 and 7 beats 9 -> 5.
    assert s["f_score"].tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    # identical recency for everyone: nobody beats anybody -> all 1
    assert s["r_score"].tolist() == [1] * 10
    # distinct spend 1..10: k-th smallest beats k-1 -> 1 + (5 (k-1)) // 10
    assert s["m_score"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    with pytest.raises(ValueError, match="Bin edges must be unique"):
        pd.qcut(pd.Series(freq), 5)


def test_recency_is_reversed_by_hand():
    recency = [0, 3, 3, 10, 50, 50, 50, 100]  # n = 8, bins = 4
    s = rfm.score(make_summary(recency, [1] * 8, [1.0] * 8), bins=4)
    # customers with MORE days are worse: 0 beats 7 -> 1 + 28 // 8 = 4; 3 beats 5 -> 1 + 20 // 8 = 3;
    # 10 beats 4 -> 3; 50 beats 1 -> 1; 100 beats 0 -> 1.
    assert s["r_score"].tolist() == [4, 3, 3, 3, 1, 1, 1, 1]


def test_single_customer_scores_one():
    s = rfm.score(make_summary([5], [3], [50.0]))
    assert s[["r_score", "f_score", "m_score"]].iloc[0].tolist() == [1, 1, 1]
    assert s["rfm_code"].iloc[0] == "111"
    tx = pd.DataFrame(
        {"customer_id": [7, 7], "order_date": ["2024-01-01", "2024-02-01"], "amount": [5.0, 6.0]}
    )
    s_tx = rfm.score(tx)
    assert s_tx.index.tolist() == [7] and s_tx["rfm_score"].iloc[0] == 3


def test_fixed_edges_right_closed_by_hand():
    summary = make_summary([0, 30, 31, 60, 90, 180, 181], [1, 1, 2, 3, 5, 6, 9], [10, 25, 26, 50, 75, 95, 96])
    s = rfm.score(
        summary,
        method="fixed",
        edges={"recency": [30, 60, 90, 180], "frequency": [1, 2, 3, 5], "monetary": [25, 50, 75, 95]},
    )
    assert s["r_score"].tolist() == [5, 5, 4, 4, 3, 2, 1]
    assert s["f_score"].tolist() == [1, 1, 2, 3, 4, 5, 5]
    assert s["m_score"].tolist() == [1, 1, 2, 2, 3, 4, 5]
    assert s.attrs["rfm_method"] == "fixed"


def test_weights_and_codes_for_ten_bins():
    summary = make_summary(list(range(20)), list(range(1, 21)), list(range(1, 21)))
    s = rfm.score(summary, bins=10, weights=(0.5, 0.25, 0.25))
    best = s.loc[1]  # recency 0 (beats 19), 1 order (beats 0), spend 1 (beats 0)
    assert (best["r_score"], best["f_score"], best["m_score"]) == (10, 1, 1)
    assert best["rfm_code"] == "100101"
    assert best["rfm_score"] == pytest.approx(0.5 * 10 + 0.25 + 0.25)
    assert s["rfm_score"].dtype == float
    assert s.loc[20, "rfm_code"] == "011010"


# ---------------------------------------------------------------- inputs


def test_transactions_and_summary_agree_and_input_unchanged(cdnow_sample):
    before = cdnow_sample.copy()
    from_tx = rfm.score(cdnow_sample, as_of="1998-01-31")
    summary = ecrm.customer_summary(cdnow_sample, as_of="1998-01-31")
    summary_before = summary.copy()
    from_summary = rfm.score(summary)
    pd.testing.assert_frame_equal(from_tx, from_summary)
    pd.testing.assert_frame_equal(cdnow_sample, before)
    pd.testing.assert_frame_equal(summary, summary_before)
    assert from_tx.index.equals(summary.index)
    assert from_tx.attrs["as_of"] == pd.Timestamp("1998-01-31")
    assert (from_tx["frequency"] == summary["n_orders"]).all()


def test_monetary_mean_uses_avg_order_value_and_revenue_stays_total():
    summary = make_summary([1, 2, 3], [1, 2, 4], [30.0, 40.0, 40.0])
    s = rfm.score(summary, monetary="mean")
    assert s["monetary"].tolist() == [30.0, 20.0, 10.0]
    # 30 beats 2 -> 1 + (5 * 2) // 3 = 4; 20 beats 1 -> 1 + 5 // 3 = 2; 10 beats none -> 1
    assert s["m_score"].tolist() == [4, 2, 1]
    table = rfm.segment_summary(rfm.segment(s))
    assert table["revenue"].sum() == pytest.approx(110.0)


def test_custom_column_names_and_order_col():
    tx = pd.DataFrame(
        {
            "cid": ["a", "a", "b", "c"],
            "ts": ["2024-01-01", "2024-01-01", "2024-01-05", "2024-01-09"],
            "amt": [5.0, 7.0, 3.0, 1.0],
            "oid": [1, 2, 3, 4],
        }
    )
    s = rfm.score(tx, customer_col="cid", date_col="ts", amount_col="amt", order_col="oid")
    assert s.index.name == "cid"
    assert s.loc["a", "frequency"] == 2  # two order ids on one day
    assert s["recency_days"].tolist() == [8, 4, 0]


def test_as_of_with_a_summary_must_match(cdnow_sample):
    summary = ecrm.customer_summary(cdnow_sample, as_of="1998-01-31")
    assert rfm.score(summary, as_of="1998-01-31").shape[0] == len(summary)
    with pytest.raises(
        SchemaError, match=r"as_of='1997-12-31' given with a customer summary computed as of 1998-01-31"
    ):
        rfm.score(summary, as_of="1997-12-31")
    # issue 18 item 12: a word leaked pandas' DateParseError
    with pytest.raises(SchemaError, match=r"rfm\.score: as_of='soon' is not a date"):
        rfm.score(summary, as_of="soon")


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("n_orders", -1, r"customer summary: column 'n_orders' has negative values in 1 of 3 row\(s\)"),
        ("recency_days", -2, r"column 'recency_days' has negative values in 1 of 3"),
        ("total_spend", np.nan, r"column 'total_spend' has missing values \(NaN/None\) in 1 of 3"),
        ("total_spend", np.inf, r"column 'total_spend' has infinite values in 1 of 3"),
    ],
)
def test_bad_summary_values(column, value, message):
    summary = make_summary([1, 2, 3], [1, 2, 3], [1.0, 2.0, 3.0])
    summary[column] = summary[column].astype(float)
    summary.iloc[1, summary.columns.get_loc(column)] = value
    with pytest.raises(SchemaError, match=message) as err:
        rfm.score(summary)
    assert "first 1 shown" in str(err.value)


@pytest.mark.parametrize("bins", [1, 11, 0, 2.5, True, "5"])
def test_bins_outside_range(bins):
    with pytest.raises(SchemaError, match=r"bins=.* must be an integer >= 2 and <= 10"):
        rfm.score(make_summary([1], [1], [1.0]), bins=bins)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        (
            {"recency": [60, 30, 90, 180], "frequency": [1, 2, 3, 5], "monetary": [1, 2, 3, 4]},
            r"edges\['recency'\]=\[60.0, 30.0, 90.0, 180.0\] is not strictly increasing",
        ),
        (
            {"recency": [30, 60, 90], "frequency": [1, 2, 3, 5], "monetary": [1, 2, 3, 4]},
            r"edges\['recency'\] has 3 cut point\(s\); bins=5 needs 4",
        ),
        ({"recency": [30, 60, 90, 180], "frequency": [1, 2, 3, 5]}, r"missing \['monetary'\]"),
        (
            {"recency": [30, 60, 90, 180], "frequency": [1, 2, 2, 5], "monetary": [1, 2, 3, 4]},
            r"edges\['frequency'\].* is not strictly increasing",
        ),
        (
            {"recency": [30, 60, 90, np.nan], "frequency": [1, 2, 3, 5], "monetary": [1, 2, 3, 4]},
            r"non-finite cut points",
        ),
        (None, r"method='fixed' needs edges="),
    ],
)
def test_bad_edges(edges, message):
    with pytest.raises(SchemaError, match=message):
        rfm.score(make_summary([1], [1], [1.0]), method="fixed", edges=edges)


def test_edges_without_fixed_and_bad_weights_and_choices():
    s = make_summary([1], [1], [1.0])
    with pytest.raises(SchemaError, match="edges are only used with method='fixed'"):
        rfm.score(s, edges={"recency": [1]})
    with pytest.raises(SchemaError, match=r"weights=\(1, 2\): expected three finite, non-negative"):
        rfm.score(s, weights=(1, 2))
    with pytest.raises(SchemaError, match="not all zero"):
        rfm.score(s, weights=(0, 0, 0))
    with pytest.raises(SchemaError, match="monetary='median' is not supported"):
        rfm.score(s, monetary="median")
    with pytest.raises(SchemaError, match="method='kmeans' is not supported"):
        rfm.score(s, method="kmeans")


def test_empty_frame_and_not_a_frame_and_missing_columns():
    with pytest.raises(SchemaError, match=r"rfm.score: the frame is empty \(0 rows\)"):
        rfm.score(make_summary([], [], []))
    with pytest.raises(SchemaError, match="expected a pandas DataFrame, got list"):
        rfm.score([1, 2])
    with pytest.raises(SchemaError, match="transactions: missing required column"):
        rfm.score(pd.DataFrame({"customer_id": [1], "n_orders": [1]}))
    with pytest.raises(SchemaError, match=r"missing required column\(s\) 'avg_order_value'"):
        rfm.score(make_summary([1], [1], [1.0]).drop(columns="avg_order_value"), monetary="mean")


def test_duplicate_customer_ids_in_summary():
    with pytest.raises(SchemaError, match=r"has 1 duplicated customer id\(s\), e.g. \['a'\]"):
        rfm.score(make_summary([1, 2], [1, 1], [1.0, 2.0], ids=["a", "a"]))


def test_transactions_with_summary_columns_are_transactions(cdnow_sample):
    # Issue 18, item 2: main scored the 6,919 rows of tx.merge(summary) as customers.
    summary = ecrm.customer_summary(cdnow_sample)
    expected = rfm.score(summary)
    merged = cdnow_sample.merge(summary, left_on="customer_id", right_index=True)
    scored = rfm.score(merged)
    assert len(scored) == 2357
    pd.testing.assert_frame_equal(scored, expected)
    # Custom column names are transactions columns too.
    renamed = merged.rename(columns={"customer_id": "cid", "order_date": "day", "amount": "paid"})
    pd.testing.assert_frame_equal(
        rfm.score(renamed, customer_col="cid", date_col="day", amount_col="paid").rename_axis("customer_id"),
        expected,
    )
    # A summary with the customer id as a repeated column is refused as one.
    repeated = pd.concat([summary, summary.iloc[:2]]).reset_index()
    with pytest.raises(SchemaError, match="column 'customer_id' repeats"):
        rfm.score(repeated)
    with pytest.raises(SchemaError, match=r"expected transactions .* or a customer summary"):
        rfm.score(pd.DataFrame({"spend": [1.0]}))
    with pytest.raises(SchemaError, match=r"1 of 2357 row\(s\) have a missing customer id \(NaN\)"):
        rfm.score(summary.rename(index={1: np.nan}))


# ---------------------------------------------------------------- properties

values_strategy = st.lists(st.integers(0, 6), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    bins=st.integers(2, 10),
    recency=values_strategy,
)
def test_properties(data, bins, recency):
    n = len(recency)
    freq = data.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    spend = data.draw(st.lists(st.floats(-50, 500, allow_nan=False), min_size=n, max_size=n))
    summary = make_summary(recency, freq, spend, ids=[f"c{i}" for i in range(n)])
    s = rfm.score(summary, bins=bins)
    assert s.index.equals(summary.index)
    for col, raw, better in (
        ("r_score", np.asarray(recency), -1),
        ("f_score", np.asarray(freq), 1),
        ("m_score", np.asarray(spend), 1),
    ):
        sc = s[col].to_numpy()
        assert ((sc >= 1) & (sc <= bins)).all()
        # the documented rule, counted pair by pair
        assert (sc == reference_scores(raw, bins, higher_is_better=better > 0)).all()
        # monotone: a strictly better raw value never scores lower; equal values share
        key = better * raw
        diff_key = key[:, None] - key[None, :]
        diff_sc = sc[:, None] - sc[None, :]
        assert not ((diff_key > 0) & (diff_sc < 0)).any()
        assert ((diff_key != 0) | (diff_sc == 0)).all()
    assert (s["rfm_score"] == s["r_score"] + s["f_score"] + s["m_score"]).all()


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(0, 10**6).map(float), min_size=5, max_size=200), bins=st.integers(2, 10))
def test_quantile_matches_qcut_when_values_are_distinct(values, bins):
    """Without ties (and n a multiple of bins) the rule is exactly qcut's equal-count bins."""
    v = np.unique(values)
    v = v[: len(v) - len(v) % bins]
    if len(v) < bins:
        return
    s = rfm.score(make_summary([0] * len(v), [1] * len(v), v), bins=bins)
    expected = pd.qcut(v, bins, labels=False) + 1
    assert (s["m_score"].to_numpy() == expected).all()


# ---------------------------------------------------------------- segments


def standard_by_hand(r, f):
    """The grid of the issue, written out cell by cell."""
    if r <= 2:
        return "hibernating" if f <= 2 else "at_risk" if f <= 4 else "cant_lose_them"
    if r == 3:
        return "about_to_sleep" if f <= 2 else "need_attention" if f == 3 else "loyal_customers"
    if r == 4:
        return "promising" if f == 1 else "potential_loyalists" if f <= 3 else "loyal_customers"
    return "new_customers" if f == 1 else "potential_loyalists" if f <= 3 else "champions"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_standard_grid_every_cell(lang):
    cells = [(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]
    scored = pd.DataFrame(cells, columns=["r_score", "f_score", "m_score"])
    before = scored.copy()
    out = rfm.segment(scored, lang=lang)
    expected = [RFM_STANDARD[standard_by_hand(r, f)][lang] for r, f, _ in cells]
    assert out["segment"].tolist() == expected
    assert out["segment"].cat.ordered
    assert list(out["segment"].cat.categories) == [v[lang] for v in RFM_STANDARD.values()]
    pd.testing.assert_frame_equal(scored, before)
    assert "segment" not in scored.columns


def test_cn8_mean_and_median_thresholds_by_hand():
    scored = pd.DataFrame(
        {"r_score": [5, 4, 1, 2, 1], "f_score": [1, 1, 1, 5, 2], "m_score": [5, 1, 2, 2, 5]}
    )
    out = rfm.segment(scored, scheme="cn8")
    # means: R 2.6, F 2.0, M 3.0. high = strictly above.
    assert out.attrs["rfm_thresholds"] == {"r_score": 2.6, "f_score": 2.0, "m_score": 3.0}
    keys = [
        "important_development",
        "general_development",
        "general_winback",
        "general_retention",
        "important_winback",
    ]
    assert out["segment"].tolist() == [RFM_CN8[k]["en"] for k in keys]
    med = rfm.segment(scored, scheme="cn8", threshold="median", lang="zh")
    # medians: R 2, F 1, M 2: R high = 4, 5; F high = 2, 5; M high = 5.
    assert med.attrs["rfm_thresholds"] == {"r_score": 2.0, "f_score": 1.0, "m_score": 2.0}
    keys = [
        "important_development",
        "general_development",
        "general_winback",
        "general_retention",
        "important_retention",
    ]
    assert med["segment"].tolist() == [RFM_CN8[k]["zh"] for k in keys]


def test_segment_map_custom_and_its_errors():
    scored = pd.DataFrame({"r_score": [3, 1, 2], "f_score": [3, 1, 2], "m_score": [1, 2, 3]}).pipe(
        lambda d: d.set_axis(["x", "y", "z"])
    )
    scored.attrs["rfm_bins"] = 3
    out = rfm.segment(scored, segment_map={"3": "recent", "[1-2][2-3]": "repeat", "[1-2]1": "lapsed"})
    assert out["segment"].tolist() == ["recent", "lapsed", "repeat"]
    assert list(out["segment"].cat.categories) == ["recent", "repeat", "lapsed"]
    assert out.attrs["rfm_scheme"] == "custom"
    with pytest.raises(
        SchemaError, match=r"6 code\(s\) match no pattern, e.g. \['111', '112', '113', '211', '212', '213'\]"
    ):
        rfm.segment(scored, segment_map={"3": "recent", "[1-2][2-3]": "repeat"})
    with pytest.raises(
        SchemaError, match=r"3 code\(s\) match more than one pattern, e.g. \[\"311 \('3', '31'\)\""
    ):
        rfm.segment(scored, segment_map={"3": "recent", "31": "again", "[1-2]": "rest"})
    with pytest.raises(SchemaError, match="is not a regular expression"):
        rfm.segment(scored, segment_map={"[": "broken"})
    with pytest.raises(SchemaError, match="pass either scheme= or segment_map=, not both"):
        rfm.segment(scored, scheme="cn8", segment_map={".": "all"})


def test_segment_bad_input():
    scored = pd.DataFrame({"r_score": [5, 6], "f_score": [1, 1], "m_score": [1, 1]})
    with pytest.raises(
        SchemaError, match=r"column 'r_score' has values that are not whole scores 1..5 in 1 of 2"
    ):
        rfm.segment(scored)
    four = pd.DataFrame({"r_score": [1], "f_score": [1], "m_score": [1]})
    four.attrs["rfm_bins"] = 4
    with pytest.raises(SchemaError, match="scheme='standard' is defined on 5 bins but the scores have 4"):
        rfm.segment(four)
    with pytest.raises(SchemaError, match="lang='fr' is not supported"):
        rfm.segment(four, lang="fr")
    with pytest.raises(SchemaError, match="scheme='rfm11' is not supported"):
        rfm.segment(four, scheme="rfm11")
    with pytest.raises(SchemaError, match="threshold='mode' is not supported"):
        rfm.segment(four, scheme="cn8", threshold="mode")
    with pytest.raises(SchemaError, match=r"missing required column\(s\) 'm_score'"):
        rfm.segment(four.drop(columns="m_score"), scheme="cn8")


def test_segment_summary_by_hand():
    s = rfm.score(make_summary([1, 2, 300, 400], [9, 8, 1, 1], [100.0, 60.0, 30.0, 10.0]), bins=5)
    # n = 4: R 1 day beats 3 -> 1 + 15 // 4 = 4, 2 beats 2 -> 3, 300 beats 1 -> 2, 400 -> 1;
    # F 9 -> 4, 8 -> 3, 1 -> 1; M 100 -> 4, 60 -> 3, 30 -> 2, 10 -> 1.
    assert s["rfm_code"].tolist() == ["444", "333", "212", "111"]
    table = rfm.segment_summary(rfm.segment(s))
    assert table.loc["Loyal customers", "n_customers"] == 1
    assert table.loc["Need attention", "revenue_share"] == pytest.approx(60 / 200)
    hib = table.loc["Hibernating"]
    assert hib["n_customers"] == 2 and hib["customer_share"] == 0.5
    assert hib["revenue"] == 40.0 and hib["mean_recency_days"] == 350.0 and hib["mean_monetary"] == 20.0
    assert hib["action"] == RFM_ACTIONS["hibernating"]["en"]
    assert table.loc["Champions", "n_customers"] == 0 and np.isnan(table.loc["Champions", "mean_monetary"])
    assert table["customer_share"].sum() == pytest.approx(1.0)
    zh = rfm.segment_summary(rfm.segment(s, scheme="cn8", lang="zh"))
    assert list(zh.index) == [v["zh"] for v in RFM_CN8.values()]
    assert zh["action"].tolist() == [RFM_ACTIONS[k]["zh"] for k in RFM_CN8]


def test_segment_summary_custom_map_has_no_action_and_errors():
    scored = pd.DataFrame(
        {
            "recency_days": [1],
            "frequency": [1],
            "monetary": [1.0],
            "r_score": [1],
            "f_score": [1],
            "m_score": [1],
        }
    )
    table = rfm.segment_summary(rfm.segment(scored, segment_map={".": "everyone"}))
    assert table["action"].isna().all()
    with pytest.raises(SchemaError, match=r"missing required column\(s\) 'segment'"):
        rfm.segment_summary(scored)


def test_every_segment_has_an_action_in_both_languages():
    for key in [*RFM_STANDARD, *RFM_CN8]:
        assert RFM_ACTIONS[key]["en"] and RFM_ACTIONS[key]["zh"]


# ---------------------------------------------------------------- CDNOW (numbers quoted in docs/guide/rfm.md)


@pytest.fixture(scope="module")
def cdnow_scored(cdnow):
    return rfm.score(cdnow, as_of="1998-06-30")


def test_cdnow_scores_match_guide(cdnow_scored):
    s = cdnow_scored
    assert len(s) == 23570
    assert s["f_score"].value_counts().sort_index().to_dict() == {1: 12054, 3: 4040, 4: 3641, 5: 3835}
    assert s["r_score"].value_counts().sort_index().to_dict() == {1: 4735, 2: 4712, 3: 4702, 4: 4720, 5: 4701}
    assert s.loc[3, "rfm_code"] == "555" and s.loc[1, "rfm_code"] == "111"
    assert s.loc[s["frequency"] == 1, "recency_days"].min() == 462  # why R5 F1 / R4 F1 are empty
    assert s.groupby("f_score")["frequency"].agg(["min", "max"]).loc[5].tolist() == [5, 171]


def test_cdnow_standard_segments_match_guide(cdnow_scored):
    table = rfm.segment_summary(rfm.segment(cdnow_scored))
    assert table["n_customers"].to_dict() == {
        "Champions": 4118,
        "Loyal customers": 3259,
        "Potential loyalists": 2421,
        "New customers": 0,
        "Promising": 0,
        "Need attention": 950,
        "About to sleep": 3375,
        "At risk": 762,
        "Can't lose them": 6,
        "Hibernating": 8679,
    }
    assert table.loc["Champions", "revenue_share"] == pytest.approx(0.518, abs=5e-4)
    assert table.loc["Hibernating", "customer_share"] == pytest.approx(0.368, abs=5e-4)


def test_cdnow_cn8_segments_match_guide(cdnow_scored):
    seg = rfm.segment(cdnow_scored, scheme="cn8", lang="zh")
    table = rfm.segment_summary(seg)
    assert table["n_customers"].tolist() == [9912, 957, 613, 2656, 836, 2418, 155, 6023]
    assert table.loc["重要价值客户", "revenue_share"] == pytest.approx(0.820, abs=5e-4)
    assert seg.attrs["rfm_thresholds"]["f_score"] == pytest.approx(2.457, abs=5e-4)


# ---------------------------------------------------------------- plots


def test_plots(cdnow_scored):
    seg = rfm.segment(cdnow_scored)
    fig, ax = plt.subplots()
    assert ecrm.plotting.rfm_heatmap(cdnow_scored, ax=ax) is ax
    assert ax.get_title() == "Customers by R and F score"
    grid = ax.images[0].get_array()
    assert np.nansum(grid) == len(cdnow_scored)
    # top row is R = 5, first column F = 1: recent one-time buyers (none in CDNOW as of 1998-06-30)
    assert np.ma.is_masked(grid[0, 0]) or np.isnan(grid[0, 0])
    plt.close(fig)

    ax = ecrm.plotting.rfm_heatmap(cdnow_scored, "monetary")
    assert ax.get_title().startswith("Mean monetary")
    with pytest.raises(SchemaError, match="value='median' is not supported"):
        ecrm.plotting.rfm_heatmap(cdnow_scored, "median")

    ax = ecrm.plotting.segment_bar(seg)
    widths = [p.get_width() for p in ax.patches]
    assert sum(widths[:10]) == pytest.approx(100.0) and sum(widths[10:]) == pytest.approx(100.0)
    assert ax.get_yticklabels()[0].get_text() == "Champions"

    ax = ecrm.plotting.rfm_distribution(cdnow_scored)
    heights = [p.get_height() for p in ax.patches]
    assert heights[5:10] == [12054, 0, 4040, 3641, 3835]  # F bars: the empty F = 2 shows
    assert ax.get_xlabel() == "Score" and ax.get_ylabel() == "Customers"
    plt.close("all")


def test_segment_summary_refuses_what_it_cannot_count(cdnow_sample):
    # Issue 18, item 7: main gave NaN revenue shares for one NaN monetary, let NaN
    # segments vanish from the table while counting them in the shares, and raised a
    # raw ValueError on text monetary.
    segmented = rfm.segment(rfm.score(ecrm.customer_summary(cdnow_sample)))
    table = rfm.segment_summary(segmented)
    assert table["n_customers"].sum() == 2357 and table["customer_share"].sum() == pytest.approx(1.0)
    assert table["revenue_share"].sum() == pytest.approx(1.0)
    nan_money = segmented.assign(monetary=segmented["monetary"].where(segmented.index != 7))
    with pytest.raises(SchemaError, match=r"column 'monetary' has missing values \(NaN/None\) in 1 of 2357"):
        rfm.segment_summary(nan_money)
    no_segment = segmented.copy()
    no_segment.loc[no_segment.index[:10], "segment"] = np.nan
    with pytest.raises(SchemaError, match=r"column 'segment' has no segment \(NaN\) in 10 of 2357"):
        rfm.segment_summary(no_segment)
    text = segmented.assign(monetary=segmented["monetary"].astype(object).where(segmented.index != 7, "n/a"))
    with pytest.raises(SchemaError, match=r"column 'monetary' has non-numeric values in 1 of 2357"):
        rfm.segment_summary(text)
    assert segmented["segment"].notna().all()  # inputs unchanged


def test_segment_without_attrs_infers_bins_from_the_scores(cdnow_sample, tmp_path):
    # Issue 18, item 9: main read 3-bin scores whose attrs were lost as 5-bin scores and
    # named them on the 5-bin grid (1,456 "Hibernating").
    summary = ecrm.customer_summary(cdnow_sample)
    three = rfm.score(summary, bins=3)
    path = tmp_path / "scored.csv"
    three.to_csv(path)
    back = pd.read_csv(path, index_col="customer_id")
    with pytest.raises(SchemaError, match=r"needs 5-bin scores.*highest score is 3"):
        rfm.segment(back)
    # cn8 and custom maps read the bins from the scores: the same result as with attrs.
    pd.testing.assert_series_equal(
        rfm.segment(back, scheme="cn8")["segment"], rfm.segment(three, scheme="cn8")["segment"]
    )
    five = rfm.score(summary)
    five.to_csv(path)
    again = rfm.segment(pd.read_csv(path, index_col="customer_id"))
    pd.testing.assert_series_equal(again["segment"], rfm.segment(five)["segment"])
