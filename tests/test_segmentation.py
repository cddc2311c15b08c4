"""Tests of ecrm.segmentation.KMeansSegmenter and its figures."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.utils.estimator_checks import check_estimator
from threadpoolctl import threadpool_limits

import ecrm
from ecrm.errors import SchemaError
from ecrm.segmentation import EXPECTED_FAILED_CHECKS, KMeansSegmenter, knee, silhouette_scores

FEATURES = ["recency_days", "n_orders", "total_spend"]


@pytest.fixture(autouse=True)
def one_thread():
    # The shared 2-core CI machine is oversubscribed; OpenMP spin-waiting then makes
    # small k-means fits 50x slower. Results do not depend on the thread count.
    with threadpool_limits(1):
        yield


def groups(k, n_per=250, seed=0):
    """k well-separated Gaussian groups (sd 1, centres on a grid 10 apart), and the truth."""
    rng = np.random.default_rng(seed)
    grid = np.array([[i, j, m] for i in range(3) for j in range(3) for m in range(3)], float) * 10.0
    centres = grid[rng.choice(len(grid), k, replace=False)] + 20.0
    truth = np.repeat(np.arange(k), n_per)
    frame = pd.DataFrame(centres[truth] + rng.normal(0, 1.0, size=(len(truth), 3)), columns=FEATURES)
    order = rng.permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True), truth[order]


@pytest.fixture(scope="module")
def sample_summary(cdnow_sample):
    return ecrm.customer_summary(cdnow_sample)


# ----------------------------------------------------------------- scikit-learn API
@pytest.mark.parametrize(
    "estimator",
    [KMeansSegmenter(k_range=(2, 4), n_init=2), KMeansSegmenter(n_clusters=3, n_init=2)],
    ids=["auto", "fixed_k"],
)
def test_check_estimator(estimator):
    results = check_estimator(estimator, expected_failed_checks=EXPECTED_FAILED_CHECKS, on_skip=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    assert failed == []
    assert {r["check_name"] for r in results if r["status"] == "xfail"} == set(EXPECTED_FAILED_CHECKS)


def test_params_stored_unchanged_and_clone():
    from sklearn.base import clone

    seg = KMeansSegmenter(k_range=[3, 5], features=("n_orders", "total_spend"), criterion="elbow")
    assert seg.k_range == [3, 5] and seg.features == ("n_orders", "total_spend")
    assert clone(seg).get_params() == seg.get_params()


# ----------------------------------------------------------------- correctness
@pytest.mark.parametrize("true_k", [3, 4, 6])
@pytest.mark.parametrize("criterion", ["silhouette", "calinski_harabasz", "davies_bouldin"])
def test_auto_finds_true_k(true_k, criterion):
    X, truth = groups(true_k, seed=true_k)
    seg = KMeansSegmenter(criterion=criterion, n_init=3).fit(X)
    assert seg.n_clusters_ == true_k
    assert adjusted_rand_score(truth, seg.labels_) >= 0.95
    assert list(seg.k_scores_.index) == list(range(2, 11))


def test_elbow_finds_true_k_and_knee_rule():
    X, truth = groups(4, seed=4)
    seg = KMeansSegmenter(criterion="elbow", n_init=3).fit(X)
    assert seg.n_clusters_ == 4
    assert adjusted_rand_score(truth, seg.labels_) >= 0.95
    # Hand computation of the knee rule on a curve 100, 40, 20, 15, 12 (k = 1..5):
    # x = 0, .25, .5, .75, 1; y = 1, .2273, 0, -.0568?? no: y = (I - 12) / 88
    # = 1, .3182, .0909, .0341, 0; chord = 1 - x; chord - y = 0, .4318, .4091, .2159, 0.
    distance = knee(np.arange(1.0, 6.0), np.array([100.0, 40.0, 20.0, 15.0, 12.0]))
    np.testing.assert_allclose(distance, [0, 0.431818, 0.409091, 0.215909, 0], atol=1e-6)


def test_minibatch_path_agrees_with_lloyd():
    X, _truth = groups(4, n_per=500, seed=1)
    lloyd = KMeansSegmenter(n_clusters=4, algorithm="lloyd").fit(X)
    mini = KMeansSegmenter(n_clusters=4, algorithm="minibatch").fit(X)
    assert adjusted_rand_score(lloyd.labels_, mini.labels_) >= 0.99
    np.testing.assert_array_equal(lloyd.labels_, mini.labels_)  # same value order too


def test_silhouette_scores_match_sklearn():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    labelings = [rng.integers(0, k, 400) for k in (2, 5, 9)]
    labelings.append(np.r_[np.zeros(399, int), 1])  # a singleton cluster scores 0
    expected = [silhouette_score(X, labels) for labels in labelings]
    np.testing.assert_allclose(silhouette_scores(X, labelings, chunk_entries=10_000), expected, rtol=1e-9)
    assert np.isnan(silhouette_scores(X, [np.zeros(400, int)]))[0]


def test_silhouette_scores_float32_and_uneven_blocks():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(500, 3)) * [1.0, 5.0, 20.0] + 100.0  # far from the origin, unequal scales
    labelings = [rng.integers(0, k, 500) for k in (2, 4)] + [(X[:, 2] > 100).astype(int)]
    expected = [silhouette_score(X, labels) for labels in labelings]
    # 77 x 77 blocks do not divide 500 rows: the ragged last blocks and the mirrored ones count
    exact = silhouette_scores(X, labelings, chunk_entries=77**2)
    np.testing.assert_allclose(exact, expected, rtol=1e-9)
    single = silhouette_scores(X, labelings, chunk_entries=77**2, dtype=np.float32)
    np.testing.assert_allclose(single, expected, atol=1e-5)


def test_large_data_path_finds_k_and_ignores_row_order():
    # Above 100,000 rows k is chosen on a 20,000-row subsample and the chosen k refitted on all rows.
    X, truth = groups(4, n_per=26_000, seed=5)
    seg = KMeansSegmenter(k_range=(2, 6), n_init=2).fit(X)
    assert seg.n_clusters_ == 4 and list(seg.k_scores_.index) == [2, 3, 4, 5, 6]
    assert adjusted_rand_score(truth, seg.labels_) >= 0.95
    assert seg.profiles_["size"].sum() == len(X)
    shuffled = X.sample(frac=1.0, random_state=2)
    again = KMeansSegmenter(k_range=(2, 6), n_init=2).fit(shuffled)
    np.testing.assert_array_equal(pd.Series(again.labels_, index=shuffled.index).sort_index(), seg.labels_)
    np.testing.assert_allclose(again.k_scores_, seg.k_scores_)
    fixed = KMeansSegmenter(n_clusters=4, n_init=2).fit(X)  # a fixed k takes the same path
    np.testing.assert_array_equal(fixed.labels_, seg.labels_)


def test_k_scores_silhouette_is_sklearns_on_the_fit_data(sample_summary):
    seg = KMeansSegmenter(k_range=(2, 4)).fit(sample_summary)
    Z = seg._preprocess(sample_summary)
    refit = KMeansSegmenter(n_clusters=3).fit(sample_summary)
    assert seg.k_scores_.loc[3, "silhouette"] == pytest.approx(silhouette_score(Z, refit.labels_), rel=1e-9)
    assert seg.k_scores_.loc[seg.n_clusters_, "silhouette"] == seg.k_scores_["silhouette"].max()


def test_silhouette_uses_a_sample_of_sample_size_rows(sample_summary):
    small = KMeansSegmenter(k_range=(2, 3), sample_size=500).fit(sample_summary)
    full = KMeansSegmenter(k_range=(2, 3)).fit(sample_summary)
    np.testing.assert_array_equal(small.k_scores_["inertia"], full.k_scores_["inertia"])
    assert not np.allclose(small.k_scores_["silhouette"], full.k_scores_["silhouette"])
    assert small.k_scores_["silhouette"].to_numpy() == pytest.approx(full.k_scores_["silhouette"], abs=0.05)


def test_labels_stable_across_fits_and_row_shuffles(sample_summary):
    a = KMeansSegmenter(k_range=(2, 5), random_state=7).fit(sample_summary)
    b = KMeansSegmenter(k_range=(2, 5), random_state=7).fit(sample_summary)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    shuffled = sample_summary.sample(frac=1.0, random_state=1)
    c = KMeansSegmenter(k_range=(2, 5), random_state=7).fit(shuffled)
    by_id = pd.Series(c.labels_, index=shuffled.index).reindex(sample_summary.index)
    np.testing.assert_array_equal(by_id.to_numpy(), a.labels_)
    np.testing.assert_allclose(c.cluster_centers_, a.cluster_centers_)


def test_label_zero_is_most_valuable(sample_summary):
    seg = KMeansSegmenter(n_clusters=5).fit(sample_summary)
    assert seg.value_feature_ == "total_spend"
    spend = seg.profiles_["total_spend_mean"].to_numpy()
    assert (np.diff(spend) < 0).all()
    no_money = KMeansSegmenter(n_clusters=3, features=["recency_days", "n_orders"]).fit(sample_summary)
    assert no_money.value_feature_ == "n_orders"
    assert (np.diff(no_money.profiles_["n_orders_mean"].to_numpy()) < 0).all()


def test_profiles_by_hand(sample_summary):
    seg = KMeansSegmenter(n_clusters=3).fit(sample_summary)
    prof = seg.profiles_
    grouped = sample_summary[FEATURES].groupby(seg.labels_)
    assert prof["size"].tolist() == np.bincount(seg.labels_).tolist()
    assert prof["share"].sum() == pytest.approx(1.0)
    for f in FEATURES:
        np.testing.assert_allclose(prof[f"{f}_mean"], grouped[f].mean())
        np.testing.assert_allclose(prof[f"{f}_median"], grouped[f].median())
    # centroid in raw units: undo the scaling, then log1p where it was applied
    z = seg.cluster_centers_ * seg.scale_ + seg.center_
    raw = np.where(seg.log_features_, np.expm1(z), z)
    np.testing.assert_allclose(prof[[f"{f}_centroid" for f in FEATURES]].to_numpy(), raw)
    logged = np.log1p(sample_summary["total_spend"].to_numpy())
    assert seg.scale_[2] == pytest.approx(logged.std()) and seg.center_[2] == pytest.approx(logged.mean())
    assert prof.index.name == "cluster"


def test_predict_transform_score_agree(sample_summary):
    seg = KMeansSegmenter(n_clusters=4).fit(sample_summary)
    np.testing.assert_array_equal(seg.predict(sample_summary), seg.labels_)
    np.testing.assert_array_equal(seg.fit_predict(sample_summary), seg.labels_)
    dist = seg.transform(sample_summary)
    assert dist.shape == (len(sample_summary), 4)
    assert seg.score(sample_summary) == pytest.approx(-seg.inertia_)
    # predict selects the features by name: order and extra columns do not matter
    reordered = sample_summary[["total_spend", "T", "n_orders", "recency_days"]]
    np.testing.assert_array_equal(seg.predict(reordered), seg.labels_)


def test_numpy_input_and_features(sample_summary):
    arr = sample_summary[FEATURES].to_numpy()
    from_array = KMeansSegmenter(n_clusters=3).fit(arr)
    from_frame = KMeansSegmenter(n_clusters=3).fit(sample_summary)
    # same partition; arrays have no monetary column, so clusters are ordered by x0
    assert adjusted_rand_score(from_array.labels_, from_frame.labels_) == 1.0
    assert from_array.features_ == ["x0", "x1", "x2"] and from_array.value_feature_ == "x0"
    assert (np.diff(from_array.profiles_["x0_mean"].to_numpy()) < 0).all()
    two = KMeansSegmenter(n_clusters=2, features=["n_orders", "total_spend"]).fit(sample_summary)
    assert two.features_ == ["n_orders", "total_spend"] and two.n_features_in_ == 2


def test_input_not_mutated(sample_summary):
    before = sample_summary.copy()
    seg = KMeansSegmenter(n_clusters=3).fit(sample_summary)
    seg.predict(sample_summary)
    pd.testing.assert_frame_equal(sample_summary, before)


def test_name_segments(sample_summary):
    seg = KMeansSegmenter(n_clusters=2).fit(sample_summary)
    assert seg.name_segments().tolist() == ["Recent frequent high spenders", "Lapsed occasional low spenders"]
    assert seg.name_segments("zh").tolist() == ["近期高频高消费客户", "久未购买低频低消费客户"]
    assert seg.name_segments().index.name == "cluster"
    with pytest.raises(SchemaError, match="lang='fr' is not supported"):
        seg.name_segments("fr")
    generic = KMeansSegmenter(n_clusters=2).fit(groups(2, seed=2)[0].to_numpy())
    names = generic.name_segments().tolist()
    assert all(name.startswith("Customers") for name in names) and len(set(names)) == 2


# ----------------------------------------------------------------- CDNOW (the guide's numbers)
def test_cdnow_guide_numbers(cdnow):
    cust = ecrm.customer_summary(cdnow, as_of="1998-06-30")
    seg = KMeansSegmenter().fit(cust)
    assert seg.n_clusters_ == 2
    assert seg.k_scores_["silhouette"].round(3).loc[[2, 3, 4]].tolist() == [0.591, 0.509, 0.424]
    prof = seg.profiles_
    assert prof["size"].tolist() == [7943, 15627]
    assert prof["recency_days_median"].tolist() == [110.0, 494.0]
    assert prof["n_orders_median"].tolist() == [4.0, 1.0]
    assert prof["total_spend_mean"].round(1).tolist() == [241.7, 37.1]
    assert seg.name_segments().tolist() == ["Recent frequent high spenders", "Lapsed occasional low spenders"]
    assert list(seg.log_features_) == [False, True, True]
    elbow = KMeansSegmenter(criterion="elbow").fit(cust)
    assert elbow.n_clusters_ == 4
    assert elbow.profiles_["size"].tolist() == GUIDE_ELBOW_SIZES


GUIDE_ELBOW_SIZES = [2781, 5140, 6373, 9276]


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "z", "w"]}),
            "column 'b' has non-numeric values in 4 of 4",
        ),
        (
            pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0], "b": [1.0, 5.0, 2.0, 3.0]}),
            "column 'a' has missing values \\(NaN/None\\) in 1 of 4",
        ),
        (
            pd.DataFrame({"a": [1.0, 2.0, np.inf, 4.0], "b": [1.0, 5.0, 2.0, 3.0]}),
            "column 'a' has infinite values in 1 of 4",
        ),
        (
            pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [7.0, 7.0, 7.0, 7.0]}),
            "column 'b' is constant \\(every value is 7\\)",
        ),
        (
            pd.DataFrame({"a": pd.to_datetime(["2020-01-01"] * 4), "b": [1.0, 2.0, 3.0, 4.0]}),
            "column 'a' has dtype datetime64",
        ),
        (
            pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 5.0, 2.0]}),
            "3 row\\(s\\) .* at least 4 are needed .*fewer rows than k",
        ),
        (pd.DataFrame({"a": []}), "the frame is empty"),
    ],
    ids=["non_numeric", "nan", "inf", "constant", "datetime", "fewer_rows_than_k", "empty"],
)
def test_bad_input(frame, message):
    with pytest.raises(SchemaError, match=message):
        KMeansSegmenter(n_clusters=3 if "fewer" not in message else 4, n_init=1).fit(frame)


def test_bad_values_show_example_rows():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0, 4.0], "b": [1.0, 5.0, 2.0, 3.0]})
    with pytest.raises(SchemaError, match=r"first 1 shown:\n +a +b\n1 +NaN +5.0"):
        KMeansSegmenter(n_clusters=2).fit(frame)


def test_fewer_rows_than_k_range():
    X, _ = groups(2, n_per=4)
    with pytest.raises(SchemaError, match="8 row\\(s\\) \\(n_samples=8\\) but at least 11"):
        KMeansSegmenter().fit(X)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"k_range": (1, 5)}, r"k_range\[0\]=1 must be an integer >= 2"),
        ({"k_range": (6, 3)}, r"k_range\[1\]=3 must be an integer >= 6"),
        ({"k_range": (2.0, 5)}, r"k_range\[0\]=2\.0 must be an integer >= 2"),
        ({"k_range": 5}, "k_range=5 is invalid"),
        ({"k_range": (2, 3), "criterion": "elbow"}, "criterion='elbow' needs at least 3 values of k"),
        ({"n_clusters": 0}, "n_clusters=0 must be an integer >= 1"),
        ({"n_clusters": "many"}, "n_clusters='many'"),
        ({"criterion": "gap"}, "criterion='gap' is not supported"),
        ({"algorithm": "fast"}, "algorithm='fast' is not supported"),
        ({"feature_transform": "sqrt"}, "feature_transform='sqrt' is not supported"),
        ({"scale": "robust"}, "scale='robust' is not supported"),
        ({"sample_size": 1}, "sample_size=1 must be an integer >= 2"),
    ],
)
def test_bad_parameters(params, message, sample_summary):
    with pytest.raises(SchemaError, match=message):
        KMeansSegmenter(**params).fit(sample_summary)


def test_missing_feature_column(sample_summary):
    with pytest.raises(SchemaError, match="missing required column\\(s\\) 'spend'"):
        KMeansSegmenter(features=["n_orders", "spend"]).fit(sample_summary)
    seg = KMeansSegmenter(n_clusters=2).fit(sample_summary)
    with pytest.raises(SchemaError, match="missing required column\\(s\\) 'total_spend'"):
        seg.predict(sample_summary.drop(columns="total_spend"))


def test_predict_refuses_negative_values_of_a_logged_feature(sample_summary):
    seg = KMeansSegmenter(n_clusters=2).fit(sample_summary)
    new = sample_summary.head(3).copy()
    new.loc[new.index[1], "total_spend"] = -5.0
    with pytest.raises(SchemaError, match=r"'n_orders' has negative values|'total_spend'.*log1p"):
        seg.predict(new)


# ----------------------------------------------------------------- plots
def test_plots(sample_summary):
    import matplotlib.pyplot as plt

    seg = KMeansSegmenter(k_range=(2, 4)).fit(sample_summary)
    ax = ecrm.plotting.k_selection(seg)
    assert ax.get_ylabel() == "Silhouette" and ax.get_xlabel() == "Number of clusters k"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), seg.k_scores_["silhouette"])
    ax = ecrm.plotting.silhouette(seg, sample_summary, max_points=800)
    assert "Silhouettes (mean" in ax.get_title()
    ax = ecrm.plotting.cluster_scatter(seg, sample_summary, max_points=800)
    assert ax.get_xlabel() == "PC1" and ax.get_ylabel() == "PC2"
    assert sum(len(c.get_offsets()) for c in ax.collections[:-1]) == 800
    ax = ecrm.plotting.cluster_profiles(seg)
    np.testing.assert_allclose(ax.images[0].get_array(), seg.cluster_centers_)
    assert ax.get_title() and ax.get_xlabel() == "Feature"
    plt.close("all")


def test_transactions_with_summary_columns_are_refused(cdnow_sample, sample_summary):
    # Issue 18, item 2: the default features of tx.merge(summary) would cluster order rows.
    merged = cdnow_sample.merge(sample_summary, left_on="customer_id", right_index=True)
    with pytest.raises(SchemaError, match=r"column 'customer_id' repeats .* looks like transactions"):
        KMeansSegmenter(n_clusters=3).fit(merged)
    # Choosing the features says what the rows are: order lines may be clustered on purpose.
    lines = KMeansSegmenter(n_clusters=2, features=["amount"], n_init=1).fit(merged)
    assert len(lines.labels_) == len(merged)
