"""ecrm.campaign: intervals against published values and scipy, CUPED against OLS,
pairing by id, every bad-input path, the coverage simulation, planning and uplift."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import clone

import ecrm
from ecrm import campaign
from ecrm.errors import CampaignWarning, SampleRatioMismatchWarning, SchemaError

Z = 1.959963984540054  # standard normal 97.5% quantile
START = "2024-06-01"


@pytest.fixture(scope="module")
def data():
    return ecrm.datasets.make_campaign(20_000, random_state=0, return_truth=True)


@pytest.fixture(scope="module")
def result(data):
    assignments, tx, _ = data
    return campaign.evaluate(assignments, tx, start=START)


def small_campaign():
    """Six customers, hand-checkable: 1-3 treated, 4-6 control, window March 2024."""
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, 4, 4, 5, 6, 6],
            "order_date": [
                "2024-01-05", "2024-03-03", "2024-03-10", "2024-02-01", "2024-01-20",
                "2024-03-15", "2024-02-10", "2024-01-02", "2024-03-30",
            ],
            "amount": [30.0, 50.0, 20.0, 10.0, 40.0, 15.0, 25.0, 5.0, 0.0],
        }
    )  # fmt: skip
    assignments = pd.DataFrame(
        {"customer_id": [1, 2, 3, 4, 5, 6], "group": ["treatment"] * 3 + ["control"] * 3}
    )
    return assignments, tx


def evaluate_small(**kwargs):
    assignments, tx = small_campaign()
    kwargs = {"start": "2024-03-01", "window_days": 31, "as_of": "2024-04-01", **kwargs}
    return campaign.evaluate(assignments, tx, **kwargs)


# ----------------------------------------------------------------- measurement by hand


def test_small_campaign_by_hand():
    r = evaluate_small()
    # Window [Mar 1, Apr 1): treated 1 (50), 2 (20), 3 (none); control 4 (15), 5 (none),
    # 6 (0.0: a zero-amount order is a purchase). Pre-period: 30, 0, 10 | 40, 25, 5.
    g = r.groups
    assert g.loc["treatment", ["customers", "converters", "orders"]].tolist() == [3, 2, 2]
    assert g.loc["control", ["customers", "converters", "orders"]].tolist() == [3, 2, 2]
    assert g.loc["treatment", "revenue_per_customer"] == pytest.approx(70 / 3)
    assert g.loc["control", "revenue_per_customer"] == pytest.approx(5.0)
    assert g.loc["treatment", "pre_spend_per_customer"] == pytest.approx(40 / 3)
    c = r.customers
    assert c.loc[1, "days_to_convert"] == pytest.approx(2.0)
    assert c["pre_spend"].tolist() == [30.0, 0.0, 10.0, 40.0, 25.0, 5.0]
    assert c["converted"].tolist() == [True, True, False, True, False, True]
    assert r.lift.loc[("conversion_rate", "raw"), "lift"] == pytest.approx(0.0)


def test_outcomes_orders_returns_and_pre_days():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2],
            "order_id": [10, 11, 11, 12, 20],
            "order_date": ["2024-01-01", "2024-03-02", "2024-03-02", "2024-03-02", "2024-02-25"],
            "amount": [100.0, 30.0, 5.0, -10.0, 8.0],
        }
    )
    out = campaign.outcomes(
        [1, 2], tx, start="2024-03-01", window_days=10, pre_days=30, order_col="order_id", as_of="2024-03-11"
    )
    # Customer 1: two distinct purchase orders (11, 12 is a return), revenue net 25;
    # the January order is outside the 30-day pre-period.
    assert out.loc[1, ["orders", "revenue", "pre_spend"]].tolist() == [1, 25.0, 0.0]
    assert out.loc[2, ["orders", "revenue", "pre_spend"]].tolist() == [0, 0.0, 8.0]
    # without order ids, orders are distinct purchase days
    days = campaign.outcomes([1], tx, start="2024-03-01", window_days=10, as_of="2024-03-11")
    assert days.loc[1, ["orders", "pre_spend"]].tolist() == [1, 100.0]


def test_per_customer_windows_from_assigned_at():
    assignments, tx = small_campaign()
    # Customer 1 assigned on Mar 5: the Mar 3 order is then pre-period, not window.
    assignments = assignments.assign(assigned_at=["2024-03-05"] + ["2024-03-01"] * 5)
    r = campaign.evaluate(assignments, tx, window_days=31, as_of="2024-04-06")
    assert r.customers.loc[1, ["converted", "revenue", "pre_spend"]].tolist() == [False, 0.0, 80.0]
    assert r.customers.loc[2, "converted"]


def test_pairing_is_by_id_not_position(data):
    assignments, tx, _ = data
    first = campaign.evaluate(assignments, tx, start=START)
    shuffled = assignments.sample(frac=1.0, random_state=3)
    tx_shuffled = tx.sample(frac=1.0, random_state=4)
    second = campaign.evaluate(shuffled, tx_shuffled, start=START)
    pd.testing.assert_frame_equal(first.lift, second.lift, rtol=1e-9)
    pd.testing.assert_frame_equal(first.customers.loc[shuffled["customer_id"]], second.customers)


def test_inputs_are_not_mutated(data):
    assignments, tx, _ = data
    a_copy, t_copy = assignments.copy(), tx.copy()
    campaign.evaluate(assignments, tx, start=START, by="segment", winsorize=0.99)
    pd.testing.assert_frame_equal(assignments, a_copy)
    pd.testing.assert_frame_equal(tx, t_copy)


# ----------------------------------------------------------------- statistics against anchors


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe (1998), Table II, method 10 (hybrid score): examples (a) to (g).
        ((56, 70, 48, 80), (0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.0582, 0.8062)),
        ((5, 56, 0, 29), (-0.0381, 0.1926)),
        ((0, 10, 0, 20), (-0.1611, 0.2775)),
        ((10, 10, 0, 20), (0.6791, 1.0000)),
        ((10, 10, 0, 10), (0.6075, 1.0000)),
    ],
)
def test_newcombe_interval_matches_the_paper(counts, expected):
    x1, n1, x0, n0 = (np.array([float(v)]) for v in counts)
    low, high = campaign._newcombe(x1, n1, x0, n0, Z)
    assert (round(float(low[0]), 4), round(float(high[0]), 4)) == expected


def test_conversion_row_uses_newcombe_and_the_pooled_z_test(result):
    row = result.lift.loc[("conversion_rate", "raw")]
    g = result.groups
    x1, n1 = g.loc["treatment", "converters"], g.loc["treatment", "customers"]
    x0, n0 = g.loc["control", "converters"], g.loc["control", "customers"]
    low, high = campaign._newcombe(*(np.array([float(v)]) for v in (x1, n1, x0, n0)), Z)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low[0], high[0]))
    # pooled two-proportion z test = Pearson chi-square of the 2x2 table without correction
    table = np.array([[x1, n1 - x1], [x0, n0 - x0]])
    assert row["p_value"] == pytest.approx(stats.chi2_contingency(table, correction=False)[1], rel=1e-9)
    # Katz et al. (1978) log interval of the risk ratio
    p1, p0 = x1 / n1, x0 / n0
    half = Z * np.sqrt((1 - p1) / x1 + (1 - p0) / x0)
    assert row["relative_ci_low"] == pytest.approx(p1 / p0 * np.exp(-half) - 1)
    assert row["relative_ci_high"] == pytest.approx(p1 / p0 * np.exp(half) - 1)


def test_revenue_row_is_welchs_t_as_in_scipy(result):
    c = result.customers
    y1, y0 = c.loc[c["treated"], "revenue"], c.loc[~c["treated"], "revenue"]
    test = stats.ttest_ind(y1, y0, equal_var=False)
    ci = test.confidence_interval(0.95)
    row = result.lift.loc[("revenue_per_customer", "raw")]
    assert row["lift"] == pytest.approx(y1.mean() - y0.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert row["p_value"] == pytest.approx(test.pvalue, rel=1e-6)


def test_cuped_equals_ancova_with_a_pooled_slope(result):
    c = result.customers
    y, x, t = c["revenue"].to_numpy(), c["pre_spend"].to_numpy(), c["treated"].to_numpy(float)
    # OLS of revenue on [1, treated, pre_spend]: the treated coefficient is the CUPED lift
    # and the pre_spend slope is theta (Deng et al. 2013, section 3.3).
    design = np.column_stack([np.ones_like(y), t, x])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    row = result.lift.loc[("revenue_per_customer", "cuped")]
    assert result.cuped["theta"] == pytest.approx(coef[2], rel=1e-9)
    assert row["lift"] == pytest.approx(coef[1], rel=1e-9)
    # In-sample, the lift's variance falls by rho^2 (equal within-group correlations).
    assert result.cuped["variance_reduction"] == pytest.approx(result.cuped["rho"] ** 2, abs=0.01)
    assert result.cuped["interval_narrowing"] > 0


def test_srm_is_pearsons_chi_square(data):
    assignments, tx, _ = data
    # Lose 800 control customers (10,000 vs 9,200): a broken pipeline.
    broken = assignments.drop(assignments.index[assignments["group"] == "control"][:800])
    with pytest.warns(SampleRatioMismatchWarning, match="SAMPLE-RATIO MISMATCH"):
        r = campaign.evaluate(broken, tx, start=START)
    counts = [r.srm["n_treatment"], r.srm["n_control"]]
    expected = stats.chisquare(counts)
    assert r.srm["chi2"] == pytest.approx(expected.statistic)
    assert r.srm["p_value"] == pytest.approx(expected.pvalue)
    assert r.srm["mismatch"]
    # a 90/10 holdout declared as such passes; the same holdout checked against 50/50 does not
    holdout = assignments.assign(
        group=np.where(np.arange(len(assignments)) % 10 == 0, "control", "treatment")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not campaign.evaluate(holdout, tx, start=START, split=0.9).srm["mismatch"]
    with pytest.warns(SampleRatioMismatchWarning, match="pass split="):
        campaign.evaluate(holdout, tx, start=START)


def test_impact_and_roi(result, data):
    assignments, tx, _ = data
    r = campaign.evaluate(assignments, tx, start=START, cost_per_contact=0.5, margin=0.4)
    primary = r.lift.loc[("revenue_per_customer", "cuped")]
    n = r.groups.loc["treatment", "customers"]
    assert r.impact["incremental_revenue"] == pytest.approx(primary["lift"] * n)
    assert r.impact["cost"] == pytest.approx(0.5 * n)
    profit = 0.4 * primary["ci_low"] * n - 0.5 * n
    assert r.impact["incremental_profit_ci_low"] == pytest.approx(profit)
    assert r.impact["roi_ci_low"] == pytest.approx(profit / (0.5 * n))
    assert r.primary.equals(primary)
    assert "roi" not in result.impact  # no cost given


def test_winsorize_caps_revenue_at_the_pooled_quantile(data):
    assignments, tx, _ = data
    plain = campaign.evaluate(assignments, tx, start=START, cuped=False)
    capped = campaign.evaluate(assignments, tx, start=START, cuped=False, winsorize=0.99)
    cap = np.quantile(plain.customers["revenue"], 0.99)
    assert capped.customers["revenue"].max() == pytest.approx(cap)
    width = lambda r: np.diff(r.lift.loc[("revenue_per_customer", "raw"), ["ci_low", "ci_high"]])[0]  # noqa: E731
    assert width(capped) < width(plain)
    assert capped.cuped is None and ("revenue_per_customer", "cuped") not in capped.lift.index


# ----------------------------------------------------------------- segments


def test_segments_equal_separate_evaluations(data):
    assignments, tx, _ = data
    r = campaign.evaluate(assignments, tx, start=START, by="segment", cuped=False)
    for name, part in assignments.groupby("segment", observed=True):
        alone = campaign.evaluate(part, tx, start=START, cuped=False)
        seg = r.segments.xs(name, level="segment")
        cols = ["treatment", "control", "lift", "ci_low", "ci_high", "relative_lift", "p_value"]
        pd.testing.assert_frame_equal(seg[cols], alone.lift[cols], rtol=1e-9)
    p = r.segments.xs(("conversion_rate", "raw"), level=("metric", "estimate"))["p_value"].to_numpy()
    assert r.segments.xs(("conversion_rate", "raw"), level=("metric", "estimate"))[
        "p_value_holm"
    ].to_numpy() == pytest.approx(campaign._stats.holm(p))


def test_holm_by_hand():
    # sorted p = 0.01, 0.03, 0.04 with m = 3: 0.03, 0.06, max(0.06, 0.04) = 0.06
    assert campaign._stats.holm(np.array([0.04, 0.01, 0.03])) == pytest.approx([0.06, 0.03, 0.06])
    assert campaign._stats.holm(np.array([0.5, 0.6])) == pytest.approx([1.0, 1.0])


def test_segment_estimates_recover_the_true_effects(data):
    assignments, tx, truth = data
    r = campaign.evaluate(assignments, tx, start=START, by="segment")
    true = (truth["p_convert_treatment"] - truth["p_convert_control"]).groupby(
        truth["segment"], observed=True
    )
    conv = r.segments.xs(("conversion_rate", "raw"), level=("metric", "estimate"))
    assert ((conv["ci_low"] <= true.mean()) & (true.mean() <= conv["ci_high"])).all()
    # the persuadable segment has the largest lift, and it is significant after Holm
    assert conv["lift"].idxmax() == "at_risk" and conv.loc["at_risk", "p_value_holm"] < 0.001


def test_small_segment_warning(data):
    assignments, tx, _ = data
    tiny = assignments.assign(tier=np.where(np.arange(len(assignments)) < 60, "vip", "regular"))
    with pytest.warns(CampaignWarning, match="1 of 2 segment\\(s\\) have fewer than 100"):
        r = campaign.evaluate(tiny, tx, start=START, by="tier")
    small = r.segments.xs(("conversion_rate", "raw"), level=("metric", "estimate"))["small"]
    assert small.to_dict() == {"regular": False, "vip": True}


def test_tables_carry_glossary_labels(data):
    assignments, tx, _ = data
    r = campaign.evaluate(assignments, tx, start=START, by="segment", cost_per_contact=0.2, margin=0.3)
    zh, en = r.tables(lang="zh"), r.tables()
    assert list(zh["groups"].index) == ["实验组", "对照组"]
    assert list(en["groups"].index) == ["Treatment group", "Control group (holdout)"]
    assert {"转化率", "人均收入", "人均收入（CUPED 调整）"} <= set(zh["lift"].index)
    assert {"提升", "相对提升", "p 值"} <= set(zh["lift"].columns)
    assert "投资回报率 (ROI)" in zh["impact"].index
    assert "样本比例失衡 (SRM): p 值" in zh["checks"].index
    assert "p 值（Holm 校正）" in zh["segments"].columns
    assert zh["lift"].iloc[0, 2] == pytest.approx(r.lift.iloc[0]["lift"])
    with pytest.raises(SchemaError, match="lang='fr'"):
        r.tables(lang="fr")


# ----------------------------------------------------------------- bad input


def test_customer_in_both_groups_is_refused():
    assignments, tx = small_campaign()
    both = pd.concat([assignments, pd.DataFrame({"customer_id": [2], "group": ["control"]})])
    with pytest.raises(
        SchemaError, match=r"1 customer\(s\) .* in both the treatment and the control group, e.g. \[2\]"
    ):
        campaign.evaluate(both, tx, start="2024-03-01")
    twice = pd.concat([assignments, pd.DataFrame({"customer_id": [2], "group": ["treatment"]})])
    with pytest.raises(SchemaError, match=r"appear more than once, e.g. \[2\]"):
        campaign.evaluate(twice, tx, start="2024-03-01")


def test_unknown_or_missing_group_labels_are_refused():
    assignments, tx = small_campaign()
    odd = assignments.assign(group=["treatment", "Treatment", "B", "control", "control", "control"])
    with pytest.raises(
        SchemaError, match="other than treatment='treatment' and control='control': 'Treatment' \\(x1\\), 'B'"
    ):
        campaign.evaluate(odd, tx, start="2024-03-01")
    # naming the labels fixes it
    named = assignments.assign(group=["B", "B", "B", "A", "A", "A"])
    r = campaign.evaluate(named, tx, start="2024-03-01", treatment="B", control="A", as_of="2024-04-01")
    assert list(r.groups.index) == ["B", "A"]
    with pytest.raises(SchemaError, match="missing group labels"):
        campaign.evaluate(assignments.assign(group=[None] + ["control"] * 5), tx, start="2024-03-01")


def test_a_group_with_no_customers_is_refused():
    assignments, tx = small_campaign()
    with pytest.raises(SchemaError, match="the group 'control' has no customers"):
        campaign.evaluate(assignments.assign(group="treatment"), tx, start="2024-03-01")


def test_customers_without_history_count_as_non_converters():
    assignments, tx = small_campaign()
    more = pd.concat([assignments, pd.DataFrame({"customer_id": [7, 8], "group": ["treatment", "control"]})])
    with pytest.warns(
        CampaignWarning, match=r"2 assigned customer\(s\) have no transactions \(1 treatment, 1 control\)"
    ):
        r = campaign.evaluate(more, tx, start="2024-03-01", window_days=31, as_of="2024-04-01")
    assert r.groups["customers"].tolist() == [4, 4] and r.groups["no_history"].tolist() == [1, 1]
    assert r.groups.loc["treatment", "conversion_rate"] == pytest.approx(2 / 4)
    assert r.customers.loc[7, ["converted", "revenue", "pre_spend", "has_history"]].tolist() == [
        False,
        0.0,
        0.0,
        False,
    ]


def test_ids_of_another_type_are_refused_with_the_dtypes():
    assignments, tx = small_campaign()
    as_text = assignments.assign(customer_id=assignments["customer_id"].map(lambda i: f"C{i}"))
    with pytest.raises(SchemaError, match="none of the 6 assigned customers has a transaction; are the ids"):
        campaign.evaluate(as_text, tx, start="2024-03-01")


def test_window_past_the_data_warns_and_a_window_after_it_is_refused():
    assignments, tx = small_campaign()
    with pytest.warns(CampaignWarning, match="runs past the end of the data for 6 of 6 customer\\(s\\)"):
        r = campaign.evaluate(assignments, tx, start="2024-03-01", window_days=60)
    # the data end with the day of the last order, Mar 30: 30 of the 60 days observed
    assert r.customers["observed_days"].tolist() == [30.0] * 6
    with pytest.raises(SchemaError, match="starts on or after the end of the data"):
        campaign.evaluate(assignments, tx, start="2024-05-01")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window_days": 0}, "window_days=0 must be a finite number > 0"),
        ({"pre_days": -5}, "pre_days=-5 must be a finite number > 0"),
        ({"split": 1.0}, "split=1.0 must be a finite number > 0 and < 1"),
        ({"level": 95}, "level=95 must be a finite number > 0 and < 1"),
        ({"cost_per_contact": 1.0}, "cost_per_contact and margin go together"),
        ({"cost_per_contact": 1.0, "margin": 1.5}, "margin=1.5"),
        ({"min_customers": 0}, "min_customers=0"),
        ({"winsorize": 2}, "winsorize=2"),
        ({"by": "tier"}, "missing required column\\(s\\) 'tier'"),
        ({"start": None}, "give start= .* or a column 'assigned_at'"),
    ],
)
def test_bad_parameters(kwargs, message):
    assignments, tx = small_campaign()
    kwargs = {"start": "2024-03-01", **kwargs}
    with pytest.raises(SchemaError, match=message):
        campaign.evaluate(assignments, tx, **kwargs)


def test_bad_transactions_are_reported_as_in_every_module():
    assignments, tx = small_campaign()
    with pytest.raises(SchemaError, match="transactions: missing required column\\(s\\) 'amount'"):
        campaign.evaluate(assignments, tx.drop(columns="amount"), start="2024-03-01")
    with pytest.raises(SchemaError, match="assignments: missing required column\\(s\\) 'group'"):
        campaign.evaluate(assignments.drop(columns="group"), tx, start="2024-03-01")


# ----------------------------------------------------------------- coverage simulation


def test_interval_coverage_over_1000_simulated_experiments():
    # 1,000 experiments of 1,000 customers each (about 500 per group), drawn from one
    # make_campaign population and evaluated at once with by="rep". The truth is the
    # population's expected effect. The Monte Carlo standard error of a coverage near
    # 0.95 over 1,000 experiments is sqrt(0.95 * 0.05 / 1000) = 0.0069, so 0.93..0.97 is
    # about +-3 standard errors around 95%.
    reps = 1_000
    assignments, tx, truth = ecrm.datasets.make_campaign(reps * 1_000, random_state=11, return_truth=True)
    assignments["rep"] = np.random.default_rng(5).permutation(len(assignments)) % reps
    r = campaign.evaluate(assignments, tx, start=START, by="rep")
    true_conversion = (truth["p_convert_treatment"] - truth["p_convert_control"]).mean()
    true_revenue = (truth["revenue_treatment"] - truth["revenue_control"]).mean()
    coverage = {}
    for name, metric, estimate, value in (
        ("conversion", "conversion_rate", "raw", true_conversion),
        ("revenue", "revenue_per_customer", "raw", true_revenue),
        ("revenue_cuped", "revenue_per_customer", "cuped", true_revenue),
    ):
        rows = r.segments.xs((metric, estimate), level=("metric", "estimate"))
        coverage[name] = float(((rows["ci_low"] <= value) & (value <= rows["ci_high"])).mean())
    print("coverage of 95% intervals over 1,000 experiments:", coverage)
    assert all(0.93 <= c <= 0.97 for c in coverage.values()), coverage
    # CUPED: the sampling variance of the lift across experiments shrinks by about rho^2.
    raw = r.segments.xs(("revenue_per_customer", "raw"), level=("metric", "estimate"))["lift"]
    adjusted = r.segments.xs(("revenue_per_customer", "cuped"), level=("metric", "estimate"))["lift"]
    ratio, theory = adjusted.var() / raw.var(), 1 - r.cuped["rho"] ** 2
    print(f"CUPED variance ratio across experiments {ratio:.3f}, theory 1 - rho^2 = {theory:.3f}")
    assert ratio == pytest.approx(theory, abs=0.03)


# ----------------------------------------------------------------- planning


def test_sample_size_matches_fleiss():
    # Fleiss, Levin and Paik (2003), two-sided alpha 0.05, power 0.80, no continuity
    # correction: 10% vs 15% needs 686 per group.
    n = campaign.sample_size(baseline=0.10, mde=0.05)
    assert (n["n_treatment"], n["n_control"]) == (686, 686)
    assert n["power"] >= 0.8 > campaign.power(685, 685, baseline=0.10, mde=0.05)
    relative = campaign.sample_size(baseline=0.10, mde=0.5, relative=True)
    assert relative["n_treatment"] == 686


def test_power_agrees_with_simulated_tests():
    rng = np.random.default_rng(0)
    n, p0, p1, sims = 686, 0.10, 0.15, 20_000
    x1, x0 = rng.binomial(n, p1, sims).astype(float), rng.binomial(n, p0, sims).astype(float)
    size = np.full(sims, float(n))
    rejected = (campaign._two_proportion_p(x1, size, x0, size) < 0.05).mean()
    # binomial s.e. of the rejection rate: sqrt(0.8 * 0.2 / 20000) = 0.0028
    assert rejected == pytest.approx(campaign.power(n, n, baseline=p0, mde=0.05), abs=0.01)


def test_revenue_sample_size_and_cuped():
    # Two-sample z: n per group = 2 (z_a + z_b)^2 sd^2 / delta^2 = 2 * 7.849 * 900 / 1 = 14129.
    plan = campaign.sample_size(baseline=10.0, mde=1.0, metric="revenue", sd=30.0)
    expected = 2 * (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 * 900
    assert plan["n_treatment"] == np.ceil(expected)
    with_cuped = campaign.sample_size(baseline=10.0, mde=1.0, metric="revenue", sd=30.0, rho=0.5)
    assert with_cuped["n_treatment"] == np.ceil(expected * 0.75)
    holdout = campaign.sample_size(
        baseline=10.0, mde=0.1, relative=True, metric="revenue", sd=30.0, split=0.9
    )
    assert holdout["n_treatment"] / holdout["n_total"] == pytest.approx(0.9, abs=0.001)
    assert campaign.power(holdout["n_treatment"], holdout["n_control"], baseline=10.0, mde=1.0,
                          metric="revenue", sd=30.0) >= 0.8  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"baseline": 0.9, "mde": 0.2}, "outside \\(0, 1\\)"),
        ({"baseline": 0.1, "mde": 0}, "mde=0 must be a non-zero number"),
        ({"baseline": 10.0, "mde": 1.0, "metric": "revenue"}, "sd=None must be a finite number > 0"),
        ({"baseline": 0.1, "mde": 0.01, "metric": "clicks"}, "metric='clicks' is not supported"),
        ({"baseline": 0.1, "mde": 0.01, "power": 1.2}, "power=1.2"),
    ],
)
def test_planning_refuses_bad_input(kwargs, message):
    with pytest.raises(SchemaError, match=message):
        campaign.sample_size(**kwargs)


# ----------------------------------------------------------------- uplift and Qini


def test_qini_curve_by_hand_and_random_targeting():
    curve = campaign.qini_curve([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], [1, 0, 0, 0])
    assert curve["incremental"].tolist() == [0.0, 1.0, 1.0, 1.0, 1.0]
    # area = 0.25 * (0.75 + 1.25 + 0.75 + 0.25) / 2 = 0.375 (trapezoids of g - share * g(1))
    assert campaign.qini_area([0.9, 0.8, 0.2, 0.1], [1, 0, 1, 0], [1, 0, 0, 0]) == pytest.approx(0.375)
    # control customers' outcomes are scaled by N_t / N_c: g = R_t - R_c * N_t / N_c
    curve = campaign.qini_curve([4, 3, 2, 1], [1, 1, 0, 0], [1, 1, 1, 0])
    assert curve["incremental"].tolist() == pytest.approx([0.0, 1.0, 2.0, 0.0, 1.0])
    # a constant score is random targeting: the curve is the straight line, area 0
    flat = campaign.qini_curve(np.zeros(4), [1, 1, 0, 0], [1, 1, 1, 0])
    assert len(flat) == 2 and campaign.qini_area(np.zeros(4), [1, 1, 0, 0], [1, 1, 1, 0]) == 0.0


def test_qini_aligns_series_on_the_index():
    score = pd.Series([0.9, 0.1, 0.5], index=["a", "b", "c"])
    treat = pd.Series([0, 1, 1], index=["c", "a", "b"])
    y = pd.Series([1.0, 0.0, 0.0], index=["a", "b", "c"])
    aligned = campaign.qini_curve(score, treat, y)
    by_position = campaign.qini_curve(score.to_numpy(), [1, 0, 1], y.to_numpy())
    pd.testing.assert_frame_equal(aligned, by_position)
    with pytest.raises(SchemaError, match="treatment has no value for 1 of 3 row"):
        campaign.qini_curve(score, treat.drop("a"), y)


@pytest.fixture(scope="module")
def uplift_data():
    assignments, tx, truth = ecrm.datasets.make_campaign(40_000, random_state=7, return_truth=True)
    X = ecrm.churn.features(tx, as_of="2024-05-31").reindex(assignments["customer_id"])
    out = campaign.outcomes(assignments, tx, start=START)
    treated = pd.Series((assignments["group"] == "treatment").to_numpy(), index=X.index)
    train = np.random.default_rng(0).uniform(size=len(X)) < 0.5
    return X, treated, out, truth, train


def test_uplift_model_beats_random_and_churn_risk_targeting(uplift_data):
    X, treated, out, truth, train = uplift_data
    y = out["converted"]
    model = campaign.UpliftModel(random_state=0).fit(X[train], treated[train], y[train])
    test = ~train
    area_model = campaign.qini_area(pd.Series(model.predict(X[test]), index=X.index[test]), treated, y)
    # "highest churn risk first": a churn model trained on the control group's
    # history, scoring who is least likely to buy in the window.
    risk = ecrm.churn.ChurnModel(estimator="hgb", calibrate=False).fit(X[train], ~y[train].to_numpy())
    area_risk = campaign.qini_area(
        pd.Series(risk.predict_proba(X[test])[:, 1], index=X.index[test]), treated, y
    )
    rng = np.random.default_rng(1)
    random_areas = [
        campaign.qini_area(pd.Series(rng.uniform(size=test.sum()), index=X.index[test]), treated, y)
        for _ in range(20)
    ]
    print(f"Qini area: uplift model {area_model:.1f}, churn risk {area_risk:.1f}, "
          f"random {np.mean(random_areas):.1f} (max of 20: {np.max(random_areas):.1f})")  # fmt: skip
    assert area_model > max(random_areas)
    assert area_model > area_risk
    # the true uplift ranks best of all: the model is on the right track, not past it
    true = truth["p_convert_treatment"] - truth["p_convert_control"]
    assert campaign.qini_area(true[X.index[test]], treated, y) > area_model * 0.8


def test_transformed_outcome_and_revenue_uplift(uplift_data):
    X, treated, out, _, train = uplift_data
    test = ~train
    for method, y in (("transformed_outcome", out["converted"]), ("two_model", out["revenue"])):
        model = campaign.UpliftModel(method=method, random_state=0).fit(X[train], treated[train], y[train])
        assert model.outcome_ == ("binary" if y.dtype == bool else "continuous")
        score = pd.Series(model.predict(X[test]), index=X.index[test])
        assert campaign.qini_area(score, treated, y) > 0


def test_uplift_model_is_a_scikit_learn_estimator_aligned_on_the_index(uplift_data):
    X, treated, out, _, train = uplift_data
    X, treated, y = X[train].iloc[:3000], treated[train].iloc[:3000], out["converted"][train].iloc[:3000]
    model = campaign.UpliftModel(estimator="linear", random_state=0)
    assert clone(model).get_params() == {"estimator": "linear", "method": "two_model", "random_state": 0}
    fitted = clone(model).fit(X, treated, y)
    shuffled = clone(model).fit(
        X, treated.sample(frac=1.0, random_state=1), y.sample(frac=1.0, random_state=2)
    )
    assert np.allclose(fitted.predict(X), shuffled.predict(X))
    top = fitted.target(X, 5)
    assert top["rank"].tolist() == [1, 2, 3, 4, 5] and top["uplift"].is_monotonic_decreasing
    assert top["uplift"].iloc[0] == pytest.approx(fitted.predict(X).max())
    assert set(top.index) <= set(X.index)
    with pytest.raises(SchemaError, match="treatment must be boolean or 0/1"):
        clone(model).fit(X, treated.map({True: "yes", False: "no"}), y)
    with pytest.raises(SchemaError, match="needs at least 2 treated and 2 control"):
        clone(model).fit(X, pd.Series(True, index=X.index), y)
    with pytest.raises(SchemaError, match="X lacks the fitted feature column"):
        fitted.predict(X.drop(columns="recency_days"))
    with pytest.raises(SchemaError, match="n=0 must be an integer >= 1"):
        fitted.target(X, 0)


# ----------------------------------------------------------------- data set and plots


def test_make_campaign_truth_and_reproducibility():
    a1, t1, truth = ecrm.datasets.make_campaign(3_000, random_state=4, treatment_share=0.9, return_truth=True)
    a2, t2 = ecrm.datasets.make_campaign(3_000, random_state=4, treatment_share=0.9)
    pd.testing.assert_frame_equal(a1, a2)
    pd.testing.assert_frame_equal(t1, t2)
    assert (a1["group"] == "treatment").sum() == 2_700
    assert t1["order_date"].max() < pd.Timestamp("2024-07-01")
    # the expected effect on conversion is exactly the response probability times the
    # chance the customer would not have bought anyway
    effect = truth["p_convert_treatment"] - truth["p_convert_control"]
    assert np.allclose(effect, truth["response"] * (1 - truth["p_convert_control"]))
    assert dict(zip(truth["segment"], truth["response"], strict=False)) == ecrm.datasets.CAMPAIGN_RESPONSE
    with pytest.raises(SchemaError, match="response="):
        ecrm.datasets.make_campaign(100, response={"active": 0.1})


def test_plots(data):
    assignments, tx, _ = data
    r = campaign.evaluate(assignments, tx, start=START, by="segment")
    ax = ecrm.plotting.lift_by_segment(r, lang="zh")
    assert ax.get_title().startswith("各分群提升: 人均收入") and ax.get_xlabel() == "提升"
    ax = ecrm.plotting.cumulative_conversion(r)
    treated_line = ax.get_lines()[0]
    # the curve ends at the group's conversion rate
    assert treated_line.get_ydata()[-1] == pytest.approx(100 * r.groups.loc["treatment", "conversion_rate"])
    curve = campaign.qini_curve(r.customers["pre_spend"], r.customers["treated"], r.customers["converted"])
    ax = ecrm.plotting.qini_curve({"pre-period spend": curve}, lang="zh")
    assert ax.get_title() == "Qini 曲线"
    with pytest.raises(SchemaError, match="evaluate with by="):
        ecrm.plotting.lift_by_segment(campaign.evaluate(assignments, tx, start=START))


# ----------------------------------------------------------------- real data and real exports


def test_a_a_test_on_cdnow_finds_nothing(cdnow):
    # A random split of the real CDNOW customers, "sent" on 1 Oct 1997 and measured for
    # 90 days: there is no treatment, so every interval should contain 0 and the split
    # should pass the SRM check.
    ids = np.sort(cdnow["customer_id"].unique())
    group = np.where(np.random.default_rng(2024).uniform(size=ids.size) < 0.5, "treatment", "control")
    r = campaign.evaluate(
        pd.DataFrame({"customer_id": ids, "group": group}), cdnow, start="1997-10-01", window_days=90
    )
    assert r.groups["customers"].sum() == 23_570 and not r.srm["mismatch"]
    assert ((r.lift["ci_low"] < 0) & (0 < r.lift["ci_high"])).all(), r.lift
    assert 0.4 < r.cuped["rho"] < 0.9  # past spend predicts CDNOW spend well
    assert r.cuped["interval_narrowing"] > 0.1


def test_a_shop_export_with_text_ids_zones_order_lines_and_returns():
    tx = pd.DataFrame(
        {
            "CustomerID": ["C1", "C1", "C1", "C2", "C2", "C3"],
            "InvoiceNo": ["A", "B", "B", "C", "D", "E"],
            "InvoiceDate": [
                "2024-02-01T10:00:00+08:00", "2024-03-01T09:00:00+08:00", "2024-03-01T09:00:00+08:00",
                "2024-03-02T23:30:00+08:00", "2024-03-05T08:00:00+08:00", "2024-03-29T12:00:00+08:00",
            ],
            "Revenue": [20.0, 15.0, 5.0, 12.0, -12.0, 9.0],
        }
    )  # fmt: skip
    assignments = pd.DataFrame(
        {
            "CustomerID": ["C1", "C2", "C3"],
            "group": ["treatment", "treatment", "control"],
            "assigned_at": ["2024-03-01", "2024-03-01", "2024-03-01"],  # naive: shop's local time
        }
    )
    cols = dict(
        customer_col="CustomerID", date_col="InvoiceDate", amount_col="Revenue", order_col="InvoiceNo"
    )
    r = campaign.evaluate(assignments, tx, window_days=30, as_of="2024-03-31", **cols)
    c = r.customers
    # C1: one order of two lines in the window (20 of revenue), 20 before; C2: an order
    # and its full return; C3 converts on day 28 (wall time in +08:00).
    assert c.loc["C1", ["orders", "revenue", "pre_spend"]].tolist() == [1, 20.0, 20.0]
    assert c.loc["C2", ["converted", "orders", "revenue"]].tolist() == [True, 1, 0.0]
    assert c.loc["C3", "days_to_convert"] == pytest.approx(28.5)
    assert c.index.name == "CustomerID"
