"""ecrm.survey: hand-computed intervals for every method, agreement with scipy, grouped
results equal to per-group calls, a coverage simulation, bad input and the plots."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import ecrm
from ecrm import survey
from ecrm.errors import DataDroppedWarning, SchemaError

Z = 1.959963984540054  # standard normal 97.5% quantile


@pytest.fixture(scope="module")
def responses():
    return ecrm.datasets.make_surveys(5_000, 800, random_state=3)


def scores_from_counts(promoters, passives, detractors):
    return [10] * promoters + [8] * passives + [3] * detractors


# ----------------------------------------------------------------- hand-computed NPS


def test_adjusted_wald_by_hand_one_promoter():
    # n=1 promoter: n' = 4, p' = 1.75/4 = 0.4375, d' = 0.75/4 = 0.1875, centre 0.25;
    # Var = (0.4375 + 0.1875 - 0.25^2) / 4 = 0.140625, sd 0.375; 0.25 +/- 1.96 * 0.375.
    r = survey.nps([10])
    assert r["nps"] == 100.0
    assert r["ci_low"] == pytest.approx(100 * (0.25 - Z * 0.375))  # -48.50
    assert r["ci_high"] == pytest.approx(100 * (0.25 + Z * 0.375))  # 98.50
    assert r["ci_low"] < r["ci_high"]


def test_adjusted_wald_by_hand_all_promoters_and_all_detractors():
    # n=10 all promoters: n' = 13, p' = 10.75/13, d' = 0.75/13, centre 10/13 = 0.76923;
    # Var = (11.5/13 - (10/13)^2) / 13 = 0.0225308, sd 0.150103, half-width 0.294198.
    centre, sd = 10 / 13, np.sqrt((11.5 / 13 - (10 / 13) ** 2) / 13)
    up = survey.nps([10] * 10)
    assert up["ci_low"] == pytest.approx(100 * (centre - Z * sd))  # 47.50
    assert up["ci_high"] == 100.0  # 106.3 clipped
    down = survey.nps([0] * 10)
    assert down["ci_low"] == -100.0
    assert down["ci_high"] == pytest.approx(-100 * (centre - Z * sd))
    for r in (up, down):
        assert -100 <= r["ci_low"] < r["ci_high"] <= 100


def test_adjusted_wald_by_hand_mixed_sample():
    # P=5, passives=2, D=3: n'=13, p'=5.75/13, d'=3.75/13, centre 2/13;
    # Var = (9.5/13 - (2/13)^2)/13 = 0.0543923, sd 0.233222.
    r = survey.nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 2])
    assert (r["n"], r["promoters"], r["passives"], r["detractors"]) == (10, 5, 2, 3)
    assert (r["promoter_share"], r["passive_share"], r["detractor_share"]) == (0.5, 0.2, 0.3)
    sd = np.sqrt((9.5 / 13 - (2 / 13) ** 2) / 13)
    assert r["nps"] == pytest.approx(20.0)
    assert r["ci_low"] == pytest.approx(100 * (2 / 13 - Z * sd))
    assert r["ci_high"] == pytest.approx(100 * (2 / 13 + Z * sd))


def test_wald_by_hand_and_degenerate_cases():
    # p=.5, d=.3: Var = (.8 - .2^2)/10 = .076, sd .275681 -> 20 +/- 54.03.
    r = survey.nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 2], ci="wald")
    assert r["ci_low"] == pytest.approx(100 * (0.2 - Z * np.sqrt(0.076)))
    assert r["ci_high"] == pytest.approx(100 * (0.2 + Z * np.sqrt(0.076)))
    # The Wald interval collapses when every answer is in one category (why it is not the default).
    one = survey.nps([10], ci="wald")
    assert one["ci_low"] == one["ci_high"] == 100.0


def test_level_and_no_interval():
    wide = survey.nps([10, 3, 8, 9], level=0.99)
    narrow = survey.nps([10, 3, 8, 9], level=0.80)
    assert wide["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < wide["ci_high"]
    none = survey.nps([10, 3], ci=None)
    assert np.isnan(none["ci_low"]) and none["nps"] == 0.0


def test_weighted_by_hand_with_kish_effective_size():
    # scores [10, 3] with weights [3, 1]: p = .75, d = .25, NPS 50;
    # n_eff = (3+1)^2 / (9+1) = 1.6; adjusted: P' = 1.2+.75, D' = .4+.75, n' = 4.6.
    r = survey.nps([10, 3], weights=[3, 1])
    assert r["nps"] == pytest.approx(50.0)
    assert r["n_eff"] == pytest.approx(1.6)
    assert (r["n"], r["promoters"], r["detractors"]) == (2, 1, 1)
    p, d = 1.95 / 4.6, 1.15 / 4.6
    sd = np.sqrt((p + d - (p - d) ** 2) / 4.6)
    assert r["ci_low"] == pytest.approx(100 * (p - d - Z * sd))
    assert r["ci_high"] == pytest.approx(100 * (p - d + Z * sd))


def test_equal_weights_change_nothing(responses):
    plain = survey.nps(responses, score_col="nps_score", by="touchpoint")
    weighted = survey.nps(responses, score_col="nps_score", by="touchpoint", weights=np.full(5_000, 2.5))
    for col in ("nps", "ci_low", "ci_high"):
        np.testing.assert_allclose(weighted[col], plain[col])
    np.testing.assert_allclose(weighted["n_eff"], plain["n"])


def test_weights_by_column_name(responses):
    frame = responses.assign(w=np.where(responses["touchpoint"] == "returns", 2.0, 1.0))
    r = survey.nps(frame, score_col="nps_score", weights="w")
    w, s = frame["w"].to_numpy(), frame["nps_score"].to_numpy()
    assert r["nps"] == pytest.approx(100 * (w[s >= 9].sum() - w[s <= 6].sum()) / w.sum())
    assert r["n_eff"] == pytest.approx(w.sum() ** 2 / (w**2).sum())


# ----------------------------------------------------------------- bootstrap


def test_bootstrap_is_deterministic_and_close_to_wald_for_large_n():
    scores = scores_from_counts(900, 600, 500)
    a = survey.nps(scores, ci="bootstrap", n_boot=2000, random_state=1)
    b = survey.nps(scores, ci="bootstrap", n_boot=2000, random_state=1)
    assert a.equals(b)
    wald = survey.nps(scores, ci="wald")
    assert abs(a["ci_low"] - wald["ci_low"]) < 1.0 and abs(a["ci_high"] - wald["ci_high"]) < 1.0
    # A one-category sample has no resampling variation: the percentile interval collapses.
    flat = survey.nps([10] * 5, ci="bootstrap", random_state=0)
    assert flat["ci_low"] == flat["ci_high"] == 100.0


# ----------------------------------------------------------------- groups


def test_grouped_equals_per_group_calls(responses):
    frame = responses.assign(month=responses["date"].dt.month)
    for ci in ("adjusted_wald", "wald"):
        grouped = survey.nps(frame, score_col="nps_score", by=["touchpoint", "month"], ci=ci)
        assert grouped.index.names == ["touchpoint", "month"]
        assert len(grouped) == 36
        for (touch, month), row in grouped.sample(8, random_state=0).iterrows():
            part = frame.loc[(frame["touchpoint"] == touch) & (frame["month"] == month), "nps_score"]
            pd.testing.assert_series_equal(row, survey.nps(part, ci=ci), check_names=False)


def test_grouped_bootstrap_matches_per_group_shape_and_csat_ces_groups(responses):
    boot = survey.nps(responses, score_col="nps_score", by="touchpoint", ci="bootstrap", random_state=0)
    assert list(boot.index) == ["delivery", "support", "returns"]  # categorical order kept
    assert (boot["ci_low"] < boot["nps"]).all() and (boot["nps"] < boot["ci_high"]).all()
    for func, col in ((survey.csat, "csat_score"), (survey.ces, "ces_score")):
        grouped = func(responses, score_col=col, by="touchpoint")
        for touch, row in grouped.iterrows():
            alone = func(responses.loc[responses["touchpoint"] == touch, col])
            pd.testing.assert_series_equal(row, alone, check_names=False)


def test_nps_category_labels():
    s = pd.Series([0, 6, 7, 8, 9, 10], index=list("abcdef"), name="ltr")
    cats = survey.nps_category(s)
    assert cats.tolist() == ["Detractor"] * 2 + ["Passive"] * 2 + ["Promoter"] * 2
    assert list(cats.index) == list("abcdef") and cats.name == "ltr"
    assert list(cats.cat.categories) == ["Promoter", "Passive", "Detractor"]
    assert survey.nps_category([10, 7, 0], lang="zh").tolist() == ["推荐者", "被动者", "贬损者"]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.sampled_from(["adjusted_wald", "wald", "bootstrap"]),
)
def test_interval_properties(promoters, passives, detractors, method):
    if promoters + passives + detractors == 0:
        return
    r = survey.nps(scores_from_counts(promoters, passives, detractors), ci=method, random_state=0)
    assert -100 <= r["ci_low"] <= r["ci_high"] <= 100
    assert r["nps"] == pytest.approx(100 * (promoters - detractors) / (promoters + passives + detractors))
    if method == "adjusted_wald":
        assert r["ci_low"] < r["ci_high"]  # never degenerate


def test_adjusted_wald_coverage_is_close_to_nominal():
    # 4,000 samples of n = 30 from a (0.5, 0.3, 0.2) trinomial, true NPS 30; all intervals
    # at once as groups. Monte Carlo s.e. of the coverage is 0.0035.
    rng = np.random.default_rng(2024)
    reps, n = 4_000, 30
    scores = rng.choice([10, 8, 3], size=(reps, n), p=[0.5, 0.3, 0.2]).ravel()
    frame = pd.DataFrame({"rep": np.repeat(np.arange(reps), n), "score": scores})
    r = survey.nps(frame, by="rep")
    coverage = ((r["ci_low"] <= 30) & (30 <= r["ci_high"])).mean()
    assert 0.935 <= coverage <= 0.965, coverage
    wald = survey.nps(frame, by="rep", ci="wald")
    assert ((wald["ci_low"] <= 30) & (30 <= wald["ci_high"])).mean() < coverage


# ----------------------------------------------------------------- tests and trends


def test_nps_test_independent_by_hand():
    # a = (60, 20, 20): n' = 103, p' = 60.75/103, d' = 20.75/103;
    # b = (40, 20, 40): p' = d' = 40.75/103. Var = [p'+d'-(p'-d')^2]/103 each.
    t = survey.nps_test(scores_from_counts(60, 20, 20), scores_from_counts(40, 20, 40))
    pa, da, pb = 60.75 / 103, 20.75 / 103, 40.75 / 103
    var = (pa + da - (pa - da) ** 2) / 103 + (2 * pb) / 103
    centre = pa - da
    assert t["difference"] == pytest.approx(40.0)
    assert (t["nps_a"], t["nps_b"], t["n_a"], t["n_b"]) == (40.0, 0.0, 100, 100)
    assert t["ci_low"] == pytest.approx(100 * (centre - Z * np.sqrt(var)))
    assert t["ci_high"] == pytest.approx(100 * (centre + Z * np.sqrt(var)))
    assert t["p_value"] == pytest.approx(2 * stats.norm.sf(centre / np.sqrt(var)))  # 0.000988


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 10), min_size=1, max_size=40),
    st.lists(st.integers(0, 10), min_size=1, max_size=40),
)
def test_nps_test_p_value_agrees_with_interval(a, b):
    t = survey.nps_test(a, b)
    excludes_zero = t["ci_low"] > 0 or t["ci_high"] < 0
    assert excludes_zero == (t["p_value"] < 0.05) or abs(t["p_value"] - 0.05) < 1e-9


def test_nps_test_paired_matches_scipy_paired_t():
    rng = np.random.default_rng(5)
    before = rng.integers(0, 11, 80)
    after = np.clip(before + rng.integers(-1, 3, 80), 0, 10)
    t = survey.nps_test(after, before, paired=True)
    ca = np.where(after >= 9, 1, np.where(after >= 7, 0, -1))
    cb = np.where(before >= 9, 1, np.where(before >= 7, 0, -1))
    ref = stats.ttest_rel(ca, cb)
    assert t["difference"] == pytest.approx(100 * (ca.mean() - cb.mean()))
    assert t["p_value"] == pytest.approx(ref.pvalue)
    low, high = ref.confidence_interval(0.95)
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((100 * low, 100 * high))
    # Series are aligned on their index, not their order.
    sa, sb = pd.Series(after, index=range(80)), pd.Series(before, index=range(80))
    shuffled = survey.nps_test(sa, sb.iloc[::-1], paired=True)
    assert shuffled["p_value"] == pytest.approx(t["p_value"])


def test_nps_trend_changes_match_nps_test():
    rng = np.random.default_rng(0)
    dates = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, 900), unit="D")
    frame = pd.DataFrame({"date": dates, "score": rng.integers(0, 11, 900), "g": rng.choice(["x", "y"], 900)})
    trend = survey.nps_trend(frame, freq="M")
    assert list(trend.index) == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    month = frame["date"].dt.month
    for m in (2, 3):
        ref = survey.nps_test(frame.loc[month == m, "score"], frame.loc[month == m - 1, "score"])
        row = trend.iloc[m - 1]
        assert row["change"] == pytest.approx(ref["difference"])
        assert row["change_p_value"] == pytest.approx(ref["p_value"])
        assert row["significant"] == (ref["p_value"] < 0.05)
        assert row["nps"] == pytest.approx(survey.nps(frame.loc[month == m, "score"])["nps"])
    assert not trend["significant"].iloc[0] and np.isnan(trend["change"].iloc[0])
    grouped = survey.nps_trend(frame, freq="W", by="g")
    for g in ("x", "y"):
        alone = survey.nps_trend(frame[frame["g"] == g], freq="W")
        np.testing.assert_allclose(grouped.loc[g, "change"], alone["change"])
        assert grouped.loc[g, "significant"].tolist() == alone["significant"].tolist()


def test_sample_size_is_the_smallest_n_meeting_the_margin():
    def half_width(n, p, d):  # adjusted Wald at the expected counts, NPS points
        pp, dd = (n * p + 0.75) / (n + 3), (n * d + 0.75) / (n + 3)
        return 100 * Z * np.sqrt((pp + dd - (pp - dd) ** 2) / (n + 3))

    for margin, nps_, passive in ((5, None, 0.0), (5, 40, 0.3), (10, -20, 0.5), (2, 70, 0.1)):
        e = 0 if nps_ is None else nps_ / 100
        p, d = (1 - passive + e) / 2, (1 - passive - e) / 2
        n = survey.sample_size(margin, expected_nps=nps_, passive_share=passive)
        assert half_width(n, p, d) <= margin < half_width(n - 1, p, d)
    # Worst case: p = d = 1/2 gives Var ~ 1, so n + 3 ~ (1.96 * 100 / 5)^2 = 1536.6.
    assert abs(survey.sample_size(5) - ((Z * 100 / 5) ** 2 - 3)) < 3


# ----------------------------------------------------------------- CSAT and CES


def test_csat_wilson_by_hand_and_against_scipy():
    # 7 satisfied of 10: centre (7 + z^2/2)/(10 + z^2), half z/(10+z^2) sqrt(7*3/10 + z^2/4).
    r = survey.csat([5, 4, 4, 3, 5, 2, 5, 4, 1, 5])
    z2 = Z**2
    centre, half = (7 + z2 / 2) / (10 + z2), Z / (10 + z2) * np.sqrt(2.1 + z2 / 4)
    assert (r["n"], r["satisfied"], r["csat"], r["mean_score"]) == (10, 7, 70.0, 3.8)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((100 * (centre - half), 100 * (centre + half)))
    ref = stats.binomtest(7, 10).proportion_ci(0.95, method="wilson")
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((100 * ref.low, 100 * ref.high))
    wald = survey.csat([5, 4, 4, 3, 5, 2, 5, 4, 1, 5], ci="wald")
    assert wald["ci_low"] == pytest.approx(100 * (0.7 - Z * np.sqrt(0.021)))


def test_csat_scales_and_satisfied():
    seven = [7, 6, 5, 5, 1]
    assert survey.csat(seven, scale=(1, 7))["satisfied"] == 2  # top two boxes 6-7
    assert survey.csat(seven, scale=(1, 7), satisfied=[5, 6, 7])["satisfied"] == 4
    assert survey.csat([0, 10, 9], scale=(0, 10), satisfied=10)["csat"] == pytest.approx(100 / 3)


def test_ces_against_scipy_t_interval():
    values = [7, 6, 5, 5, 3, 7, 2, 6]
    r = survey.ces(values)
    ref = stats.ttest_1samp(values, 0).confidence_interval(0.95)
    assert r["mean"] == pytest.approx(np.mean(values))
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((ref.low, ref.high))
    assert r["low_effort_share"] == 0.75  # 5, 6, 7 are low effort: 6 of 8
    assert survey.ces([1, 2, 5], scale=(1, 5))["low_effort_share"] == pytest.approx(1 / 3)  # 4-5
    assert survey.ces([1, 2, 5], scale=(1, 5), low_effort=[1, 2])["low_effort_share"] == pytest.approx(2 / 3)
    assert np.isnan(survey.ces([4])["ci_low"])  # one answer: no t interval


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        ([10, 11, 11, 3], "11 (x2)"),
        ([10, 2.5], "2.5 (x1)"),
        ([10, np.nan], "nan (x1)"),
        ([10, -1], "-1 (x1)"),
        (["10", "ten"], "'ten' (x1)"),
    ],
)
def test_invalid_scores_raise_listing_values(values, shown):
    with pytest.raises(SchemaError, match=r"'score' has values that are not integers in 0\.\.10") as err:
        survey.nps(values)
    assert shown in str(err.value)
    assert f"in {len(values) - 1 if shown != '11 (x2)' else 2} of {len(values)} row(s)" in str(err.value)


def test_on_invalid_drop_warns_with_count():
    with pytest.warns(DataDroppedWarning, match=r"dropped 2 of 5 row\(s\).*11 \(x1\)"):
        r = survey.nps([10, 11, np.nan, 3, 8], on_invalid="drop")
    assert r["n"] == 3 and r["nps"] == 0.0
    with pytest.raises(SchemaError, match="no valid response is left"):
        survey.nps([11, 12], on_invalid="drop")
    with pytest.raises(SchemaError, match="on_invalid='skip' is not supported"):
        survey.nps([10], on_invalid="skip")


def test_other_bad_input():
    with pytest.raises(SchemaError, match="no responses"):
        survey.nps([])
    with pytest.raises(SchemaError, match="the frame is empty"):
        survey.nps(pd.DataFrame({"score": []}))
    with pytest.raises(SchemaError, match=r"missing required column\(s\) 'score'"):
        survey.nps(pd.DataFrame({"ltr": [10]}))
    with pytest.raises(SchemaError, match="is boolean"):
        survey.nps(pd.Series([True, False]))
    with pytest.raises(SchemaError, match="needs a DataFrame"):
        survey.nps([10, 9], by="g")
    with pytest.raises(SchemaError, match="ci='exact' is not supported"):
        survey.nps([10], ci="exact")
    with pytest.raises(SchemaError, match=r"level=1\.5 must be a finite number > 0 and < 1"):
        survey.nps([10], level=1.5)
    with pytest.raises(SchemaError, match="column 'g' has missing group keys"):
        survey.nps(pd.DataFrame({"g": ["a", None], "score": [1, 2]}), by="g")
    with pytest.raises(SchemaError, match="negative weights"):
        survey.nps([10, 3], weights=[1, -1])
    with pytest.raises(SchemaError, match="total weight of 0"):
        survey.nps(pd.DataFrame({"g": ["a", "b"], "score": [1, 2]}), by="g", weights=[1, 0])
    with pytest.raises(SchemaError, match="does not support weights"):
        survey.nps([10, 3], weights=[1, 1], ci="bootstrap")
    with pytest.raises(SchemaError, match="nps: n_boot=10 must be an integer >= 100"):
        survey.nps([10, 3], ci="bootstrap", n_boot=10)


def test_text_and_bools_are_not_numbers():
    # issue 18 items 12, 14: True was counted as a score of 1; "5" leaked a TypeError
    with pytest.raises(SchemaError, match=r"not integers in 0\.\.10 .*offending values: True \(x1\)"):
        survey.nps([10, 9, True])
    with pytest.raises(SchemaError, match="sample_size: margin='5' must be a finite number > 0 and <= 100"):
        survey.sample_size("5")
    with pytest.raises(SchemaError, match="passive_share=1 must be a finite number >= 0 and < 1"):
        survey.sample_size(5, passive_share=1)
    assert survey.sample_size(np.int64(5)) == survey.sample_size(5.0) == 1533


def test_scale_errors():
    with pytest.raises(SchemaError, match=r"scale=\(5, 1\) is given backwards \(high, low\); pass \(1, 5\)"):
        survey.csat([1, 5], scale=(5, 1))
    with pytest.raises(SchemaError, match=r"scale=\(7, 1\) is given backwards"):
        survey.ces([1, 5], scale=(7, 1))
    with pytest.raises(SchemaError, match="single point"):
        survey.csat([3], scale=(3, 3))
    with pytest.raises(SchemaError, match="must be two integers"):
        survey.csat([3], scale=(1.0, 5.5))
    with pytest.raises(SchemaError, match=r"satisfied value\(s\) \[6\] are outside scale=\(1, 5\)"):
        survey.csat([3], satisfied=[5, 6])
    with pytest.raises(SchemaError, match=r"not integers in 1\.\.5"):
        survey.csat([0, 5])


def test_nps_test_and_trend_bad_input():
    with pytest.raises(SchemaError, match="nps_test \\(b\\): no responses"):
        survey.nps_test([10], [])
    with pytest.raises(SchemaError, match="equal lengths, got 2 and 1"):
        survey.nps_test([10, 9], [8], paired=True)
    with pytest.raises(SchemaError, match="same respondents"):
        survey.nps_test(pd.Series([10, 9], index=[1, 2]), pd.Series([8, 1], index=[1, 3]), paired=True)
    with pytest.raises(SchemaError, match="freq='H' is not supported"):
        survey.nps_trend(pd.DataFrame({"date": ["2024-01-01"], "score": [9]}), freq="H")
    with pytest.raises(SchemaError, match="not ISO-8601 dates"):
        survey.nps_trend(pd.DataFrame({"date": ["yesterday"], "score": [9]}))
    with pytest.raises(SchemaError, match=r"margin=0 must be a finite number > 0 and <= 100"):
        survey.sample_size(0)
    with pytest.raises(SchemaError, match="do not describe valid"):
        survey.sample_size(5, expected_nps=80, passive_share=0.5)


def test_inputs_are_not_mutated(responses):
    before = responses.copy()
    survey.nps(responses, score_col="nps_score", by="touchpoint", weights=np.ones(len(responses)))
    survey.nps_trend(responses, score_col="nps_score", by="touchpoint")
    survey.csat(responses, score_col="csat_score")
    cust = pd.DataFrame({"seg": ["a"] * 800}, index=pd.Index(range(1, 801), name="customer_id"))
    cust_before = cust.copy()
    survey.link(responses, cust, score_col="nps_score")
    survey.by_segment(responses, cust, "seg", score_col="nps_score")
    pd.testing.assert_frame_equal(responses, before)
    pd.testing.assert_frame_equal(cust, cust_before)


# ----------------------------------------------------------------- customers


def test_link_latest_answer_per_customer():
    answers = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 9],
            "date": ["2024-01-01", "2024-03-01", "2024-02-01", "2024-02-01", "2024-01-01"],
            "score": [3, 9, 7, 2, 10],
        }
    )
    cust = pd.DataFrame({"n_orders": [4, 1, 2]}, index=pd.Index([1, 2, 3], name="customer_id"))
    with pytest.warns(DataDroppedWarning, match=r"left out 1 of 5 response\(s\) from 1 customer"):
        out = survey.link(answers, cust, lang="zh")
    assert out["n_responses"].tolist() == [2, 2, 0]
    assert out["last_score"].tolist()[:2] == [9.0, 2.0]  # same-day tie: the later row wins
    assert out["last_category"].tolist()[:2] == ["推荐者", "贬损者"] and pd.isna(out["last_category"].iloc[2])
    assert out["last_response_date"].iloc[0] == pd.Timestamp("2024-03-01")
    assert pd.isna(out["last_response_date"].iloc[2])
    early = survey.link(answers[answers["customer_id"] != 9], cust, as_of="2024-02-15")
    assert early["last_score"].tolist()[:2] == [3.0, 2.0]
    assert early["n_responses"].tolist() == [1, 2, 0]
    as_column = survey.link(answers[answers["customer_id"] != 9], cust.reset_index())
    assert as_column["last_score"].tolist()[:2] == [9.0, 2.0]
    with pytest.raises(SchemaError, match="duplicated ids"):
        survey.link(answers, pd.DataFrame({"x": [1, 2]}, index=pd.Index([1, 1], name="customer_id")))
    with pytest.raises(SchemaError, match="already has column"):
        survey.link(answers, cust.assign(last_score=0))


def test_by_segment_equals_nps_on_the_joined_frame(responses):
    rng = np.random.default_rng(1)
    seg = pd.Categorical(rng.choice(["low", "high"], 800), categories=["high", "low"], ordered=True)
    cust = pd.DataFrame({"tier": seg}, index=pd.Index(range(1, 801), name="customer_id"))
    out = survey.by_segment(responses, cust, "tier", score_col="nps_score")
    assert list(out.index) == ["high", "low"]
    joined = responses.assign(tier=cust["tier"].reindex(responses["customer_id"]).to_numpy())
    ref = survey.nps(joined, score_col="nps_score", by="tier")
    np.testing.assert_allclose(out[["nps", "ci_low", "ci_high"]], ref[["nps", "ci_low", "ci_high"]])
    c = survey.by_segment(responses, cust, "tier", metric="csat", score_col="csat_score")
    assert c["n"].sum() == 5_000
    with pytest.warns(DataDroppedWarning, match="not in the customer table"):
        survey.by_segment(responses, cust.iloc[:400], "tier", score_col="nps_score")
    with pytest.raises(SchemaError, match="metric='mean' is not supported"):
        survey.by_segment(responses, cust, "tier", metric="mean")


# ----------------------------------------------------------------- CDNOW (guide numbers)


def test_cdnow_guide_numbers(cdnow):
    cust = ecrm.customer_summary(cdnow, as_of="1998-06-30")
    cust = cust.assign(buyer=np.where(cust["n_orders"] > 1, "repeat", "one-time"))
    answers = ecrm.datasets.make_surveys(
        20_000,
        start="1997-01-01",
        end="1998-06-30",
        random_state=0,
        effect=pd.Series(np.where(cust["n_orders"] > 1, 1.0, -0.5), index=cust.index),
    )
    overall = survey.nps(answers, score_col="nps_score")
    assert round(overall["nps"], 2) == 8.78
    assert (round(overall["ci_low"], 2), round(overall["ci_high"], 2)) == (7.69, 9.87)
    small = survey.nps(answers.head(150), score_col="nps_score")
    assert (round(small["nps"], 1), round(small["ci_low"], 1), round(small["ci_high"], 1)) == (
        8.0,
        -3.9,
        19.6,
    )
    seg = survey.by_segment(answers, cust, "buyer", score_col="nps_score")
    assert seg["nps"].round(1).to_dict() == {"one-time": -17.8, "repeat": 37.0}
    linked = survey.link(answers, cust, score_col="nps_score")
    assert int((linked["n_responses"] > 0).sum()) == 13_490
    spend = linked.groupby("last_category", observed=True)["total_spend"].mean().round(2)
    assert spend.to_dict() == {"Promoter": 132.93, "Passive": 101.03, "Detractor": 73.11}
    csat = survey.csat(answers, score_col="csat_score")
    assert (round(csat["csat"], 1), round(csat["ci_low"], 2), round(csat["ci_high"], 2)) == (
        63.4,
        62.73,
        64.07,
    )
    effort = survey.ces(answers, score_col="ces_score")
    assert (round(effort["mean"], 2), round(effort["low_effort_share"], 3)) == (5.18, 0.683)
    repeat = answers["customer_id"].isin(cust.index[cust["buyer"] == "repeat"])
    t = survey.nps_test(answers.loc[repeat, "nps_score"], answers.loc[~repeat, "nps_score"])
    assert (round(t["difference"], 2), round(t["ci_low"], 2), round(t["ci_high"], 2)) == (54.84, 52.79, 56.86)
    assert t["p_value"] < 1e-4
    assert not survey.nps_trend(answers, score_col="nps_score")["significant"].any()
    assert (survey.sample_size(5), survey.sample_size(3)) == (1533, 4264)
    assert survey.sample_size(5, expected_nps=30, passive_share=0.35) == 858


# ----------------------------------------------------------------- data and plots


def test_make_surveys_is_deterministic_and_linked():
    a = ecrm.datasets.make_surveys(500, 50, random_state=7)
    assert a.equals(ecrm.datasets.make_surveys(500, 50, random_state=7))
    assert set(a["customer_id"]) <= set(range(1, 51))
    assert a["date"].is_monotonic_increasing
    assert a["csat_score"].between(1, 5).all() and a["ces_score"].between(1, 7).all()
    ids = ecrm.datasets.make_surveys(200, customer_ids=[101, 102], random_state=0)["customer_id"]
    assert set(ids) == {101, 102}
    happy = pd.Series([3.0, 0.0], index=[1, 2])
    s = ecrm.datasets.make_surveys(4_000, effect=happy, random_state=0)
    by = s.groupby("customer_id")["nps_score"].mean()
    assert by[1] > by[2] + 2
    with pytest.raises(SchemaError, match="n_responses=0"):
        ecrm.datasets.make_surveys(0)


def test_plots(responses):
    import matplotlib.pyplot as plt

    grouped = survey.nps(responses, score_col="nps_score", by="touchpoint")
    ax = ecrm.plotting.nps_bar(grouped)
    assert ax.get_title() == "Net Promoter Score" and len(ax.patches) == 9
    assert [t.get_text() for t in ax.get_yticklabels()] == ["delivery", "support", "returns"]
    ax = ecrm.plotting.nps_bar(survey.nps(responses["nps_score"]), lang="zh")
    assert ax.get_title() == "净推荐值 (NPS)"
    trend = survey.nps_trend(responses, score_col="nps_score", by="touchpoint")
    ax = ecrm.plotting.nps_trend(trend)
    assert len(ax.get_lines()) >= 3 and ax.get_ylabel() == "NPS" and ax.get_xlabel() == "Period"
    ax = ecrm.plotting.score_distribution(responses["csat_score"], scale=(1, 5))
    assert [p.get_height() for p in ax.patches] == responses[
        "csat_score"
    ].value_counts().sort_index().tolist()
    assert ax.get_title().startswith("Score distribution")
    plt.close("all")


def test_nps_test_paired_drop_removes_whole_pairs():
    a, b = [10, 9, 3, 11, 8], [8, 9, 10, 5, np.nan]
    with pytest.warns(DataDroppedWarning, match=r"dropped 1 of 5 row\(s\)"):
        t = survey.nps_test(a, b, paired=True, on_invalid="drop")
    # pairs kept: (10, 8), (9, 9), (3, 10) -> codes a (1, 1, -1), b (0, 1, 1); diffs (1, 0, -2).
    assert (t["n_a"], t["nps_a"], t["nps_b"]) == (3, pytest.approx(100 / 3), pytest.approx(200 / 3))
    assert t["difference"] == pytest.approx(-100 / 3)
