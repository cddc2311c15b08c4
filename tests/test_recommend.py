"""ecrm.recommend: rules against mlxtend, planted truth, recommenders against a dense
reference, hand-computed ranking metrics, and every bad-input path of the issue."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone

import ecrm
from ecrm import recommend
from ecrm.errors import SchemaError
from ecrm.recommend import ItemKNN, Popular

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def baskets():
    return ecrm.datasets.make_baskets(3_000, 60, random_state=2, n_categories=4)


@pytest.fixture(scope="module")
def shop():
    """Orders with tastes and planted rules, and the truth."""
    return ecrm.datasets.make_baskets(20_000, 500, random_state=0, return_truth=True)


def rule(rules, antecedent, consequent):
    """The row of one rule (antecedent and consequent as tuples)."""
    mask = (rules["antecedent"] == antecedent) & (rules["consequent"] == consequent)
    assert mask.sum() == 1, (antecedent, consequent)
    return rules[mask].iloc[0]


def tiny(rows):
    """Order lines from (customer, date, product) triples."""
    return pd.DataFrame(rows, columns=["customer_id", "order_date", "product_id"])


# --------------------------------------------------------------------------- association rules


def _mlxtend_rules(lines, min_support, min_confidence, max_len, basket):
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    onehot = pd.crosstab(basket, lines["product_id"]).astype(bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        itemsets = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
        rules = association_rules(
            itemsets, num_itemsets=len(onehot), metric="confidence", min_threshold=min_confidence
        )
    return itemsets, rules


@pytest.mark.parametrize("max_len", [2, 3])
@pytest.mark.parametrize("by_order", [True, False])
def test_rules_equal_mlxtend(baskets, max_len, by_order):
    pytest.importorskip("mlxtend")
    min_support, min_confidence = 0.004, 0.0512
    ours = recommend.association_rules(
        baskets,
        min_support=min_support,
        min_confidence=min_confidence,
        max_len=max_len,
        order_col="order_id" if by_order else None,
    )
    if by_order:
        basket = baskets["order_id"]
    else:  # customer-days
        basket = baskets["customer_id"].astype(str) + "/" + baskets["order_date"].dt.date.astype(str)
    _, theirs = _mlxtend_rules(baskets, min_support, min_confidence, max_len, basket)
    key = [frozenset(a) for a in ours["antecedent"]], [frozenset(c) for c in ours["consequent"]]
    ours = ours.set_index(pd.MultiIndex.from_arrays(key))
    theirs = theirs.set_index(["antecedents", "consequents"])
    assert len(ours) > 100 and (ours["consequent"].map(len) == 2).any() == (max_len == 3)
    assert set(ours.index) == set(theirs.index)
    theirs = theirs.loc[ours.index]
    for mine, their in [
        ("support", "support"),
        ("confidence", "confidence"),
        ("lift", "lift"),
        ("leverage", "leverage"),
        ("antecedent_support", "antecedent support"),
        ("consequent_support", "consequent support"),
    ]:
        np.testing.assert_allclose(ours[mine], theirs[their], rtol=0, atol=1e-12, err_msg=mine)
    finite = np.isfinite(theirs["conviction"].to_numpy())
    assert (np.isfinite(ours["conviction"].to_numpy()) == finite).all()
    np.testing.assert_allclose(ours["conviction"][finite], theirs["conviction"][finite], rtol=1e-9)
    assert ours["lift"].is_monotonic_decreasing


@pytest.mark.parametrize("max_len", [1, 2, 3])
def test_frequent_itemsets_equal_fpgrowth(baskets, max_len):
    pytest.importorskip("mlxtend")
    ours = recommend.frequent_itemsets(baskets, min_support=0.004, max_len=max_len, order_col="order_id")
    theirs, _ = _mlxtend_rules(baskets, 0.004, 0.0, max_len, baskets["order_id"])
    assert dict(zip(map(frozenset, ours["itemset"]), ours["support"], strict=True)) == dict(
        zip(theirs["itemsets"], theirs["support"], strict=True)
    )
    assert (ours["length"] == ours["itemset"].map(len)).all()
    assert (ours["n_baskets"] == np.round(ours["support"] * ours.attrs["n_baskets"])).all()


def test_rules_by_hand():
    # Baskets (orders): {tea, cup}, {tea, cup}, {tea, jam}, {jam}.
    lines = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 3, 3, 4],
            "order_id": [10, 10, 20, 20, 30, 30, 40],
            "order_date": ["2024-01-01"] * 7,
            "product_id": ["tea", "cup", "tea", "cup", "tea", "jam", "jam"],
        }
    )
    rules = recommend.association_rules(
        lines, min_support=0.25, min_confidence=0.0, order_col="order_id", amount_col=None
    )
    tea_cup = rule(rules, ("tea",), ("cup",))
    # s(tea) = 3/4, s(cup) = 2/4, s(tea, cup) = 2/4
    assert tea_cup["support"] == 0.5 and tea_cup["confidence"] == pytest.approx(2 / 3)
    assert tea_cup["lift"] == pytest.approx((2 / 3) / 0.5)
    assert tea_cup["leverage"] == pytest.approx(0.5 - 0.75 * 0.5)
    assert tea_cup["conviction"] == pytest.approx((1 - 0.5) / (1 - 2 / 3))
    assert rule(rules, ("cup",), ("tea",))["conviction"] == np.inf  # confidence 1
    jam_tea = rule(rules, ("jam",), ("tea",))
    assert jam_tea["lift"] == pytest.approx(0.5 / 0.75) and jam_tea["leverage"] < 0
    assert rules.attrs["n_baskets"] == 4 and rules.attrs["basket"] == "order"


def test_rules_of_triples_by_hand():
    # Baskets {a, b, c} x2, {a, b}, {c}: the triple has support 1/2.
    lines = tiny(
        [(1, "2024-01-01", p) for p in "abc"]
        + [(2, "2024-01-01", p) for p in "abc"]
        + [(3, "2024-01-01", p) for p in "ab"]
        + [(4, "2024-01-01", "c")]
    )
    rules = recommend.association_rules(
        lines, min_support=0.5, min_confidence=0.0, max_len=3, amount_col=None
    )
    ab_c = rule(rules, ("a", "b"), ("c",))
    assert ab_c["support"] == 0.5 and ab_c["confidence"] == pytest.approx(2 / 3)
    assert ab_c["lift"] == pytest.approx((2 / 3) / 0.75)
    c_ab = rule(rules, ("c",), ("a", "b"))
    assert c_ab["confidence"] == pytest.approx(2 / 3) and c_ab["antecedent_support"] == 0.75
    assert len(rules) == 2 * 3 + 6  # three pairs both ways, one triple six ways


def test_planted_rules_are_found_with_their_expected_lift():
    lines, truth = ecrm.datasets.make_baskets(50_000, 300, random_state=1, return_truth=True)
    rules = recommend.association_rules(lines, min_support=0.001, min_confidence=0.1, order_col="order_id")
    planted = truth["rules"]
    found = rules.set_index(["antecedent", "consequent"]).reindex(
        [((a,), (c,)) for a, c in zip(planted["antecedent"], planted["consequent"], strict=True)]
    )
    assert found["lift"].notna().all()
    np.testing.assert_allclose(found["lift"], planted["lift"], rtol=0.1)
    np.testing.assert_allclose(found["confidence"], planted["confidence"], atol=0.04)
    np.testing.assert_allclose(found["support"], planted["support"], rtol=0.1)
    assert (planted["lift"] > 4).all()


def test_returns_are_in_no_basket():
    lines = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 2],
            "order_date": ["2024-01-01"] * 5,
            "product_id": ["tea", "cup", "tea", "cup", "cup"],
            "quantity": [1, 1, 1, 2, -2],  # customer 2 returned both cups
        }
    )
    items = recommend.frequent_itemsets(lines, min_support=0.1, amount_col="quantity")
    assert dict(zip(items["itemset"], items["n_baskets"], strict=True)) == {
        ("tea",): 2,
        ("cup",): 2,
        ("cup", "tea"): 2,
    }
    model = Popular().fit(lines.iloc[[0, 2, 4]], amount_col="quantity")
    assert list(model.products_) == ["tea"]  # the return is no purchase of a cup


def test_rule_input_is_not_mutated(baskets):
    before = baskets.copy(deep=True)
    recommend.association_rules(baskets, min_support=0.01)
    pd.testing.assert_frame_equal(baskets, before)


# --------------------------------------------------------------------------- top-n per row


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 30),
    st.integers(1, 8),
    st.floats(0.05, 0.9),
    st.integers(0, 2**31 - 1),
)
def test_top_per_row_matches_a_sort_of_each_row(n_rows, n_cols, n, density, seed):
    rng = np.random.default_rng(seed)
    dense = np.where(rng.uniform(size=(n_rows, n_cols)) < density, rng.integers(1, 6, (n_rows, n_cols)), 0.0)
    dense = dense * rng.choice([1.0, 1e-3, 7.5], size=dense.shape)  # ties and spread
    rows, cols, values = recommend._top_per_row(sparse.csr_matrix(dense), n)
    expected = []
    for r in range(n_rows):
        (nonzero,) = np.nonzero(dense[r])
        ordered = sorted(nonzero, key=lambda c, r=r: (-dense[r, c], c))[:n]
        expected += [(r, c, dense[r, c]) for c in ordered]
    assert list(zip(rows.tolist(), cols.tolist(), values.tolist(), strict=True)) == expected


# --------------------------------------------------------------------------- recommenders


def _reference_itemknn(lines, n, n_neighbors, half_life, damping):
    """Dense, loop-based ItemKNN of the docstring (personal part only)."""
    customers = np.sort(lines["customer_id"].unique())
    products = np.sort(lines["product_id"].unique())
    as_of = lines["order_date"].max()
    R = np.zeros((len(customers), len(products)))
    for (c, p), dates in lines.groupby(["customer_id", "product_id"])["order_date"]:
        age = (as_of - dates.max()).total_seconds() / 86_400
        R[np.searchsorted(customers, c), np.searchsorted(products, p)] = (
            0.5 ** (age / half_life) if half_life else 1.0
        )
    norms = np.sqrt((R**2).sum(axis=0))
    buyers = (R > 0).sum(axis=0)
    S = (R.T @ R) / np.outer(norms, norms) * buyers[None, :] ** -damping
    np.fill_diagonal(S, 0.0)
    for i in range(len(products)):  # keep the n_neighbors largest of each row
        order = sorted(np.nonzero(S[i])[0], key=lambda j, i=i: (-np.float32(S[i, j]), j))
        S[i, order[n_neighbors:]] = 0.0
    scores = R @ S
    out = {}
    for c in range(len(customers)):
        candidates = [j for j in np.nonzero(scores[c])[0] if R[c, j] == 0]
        ranked = sorted(candidates, key=lambda j, c=c: (-np.float32(scores[c, j]), j))[:n]
        out[customers[c]] = [(products[j], scores[c, j]) for j in ranked]
    return out


@pytest.mark.parametrize(
    ("n_neighbors", "half_life", "damping"), [(None, None, 0.0), (3, 30.0, 0.0), (5, None, 0.5)]
)
def test_itemknn_matches_a_dense_reference(n_neighbors, half_life, damping):
    rng = np.random.default_rng(5)
    lines = pd.DataFrame(
        {
            "customer_id": rng.integers(1, 40, 300),
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, 300), unit="D"),
            "product_id": rng.integers(100, 118, 300),
        }
    )
    model = ItemKNN(n_neighbors=n_neighbors, half_life_days=half_life, popularity_damping=damping)
    recs = model.fit(lines, amount_col=None).recommend(n=4)
    reference = _reference_itemknn(lines, 4, n_neighbors or 1000, half_life, damping)
    personal = recs[recs["source"] == "similar_items"]
    for customer, expected in reference.items():
        got = personal[personal["customer_id"] == customer]
        assert got["product_id"].tolist() == [p for p, _ in expected], customer
        np.testing.assert_allclose(got["score"], [s for _, s in expected], rtol=1e-12)
        assert got["rank"].tolist() == list(range(1, len(expected) + 1))
    assert (recs.groupby("customer_id").size() == 4).all()


def test_recommendations_are_the_same_in_any_block_size(shop, monkeypatch):
    lines, _ = shop
    model = ItemKNN(half_life_days=90).fit(lines)
    whole = model.recommend(n=7)
    monkeypatch.setattr(recommend, "BLOCK_CUSTOMERS", 4_999)
    pd.testing.assert_frame_equal(model.recommend(n=7), whole)


def test_recommend_excludes_purchases_and_fills_with_popular():
    lines = tiny(
        [
            (1, "2024-01-01", "tea"),
            (1, "2024-01-01", "cup"),
            (2, "2024-01-02", "tea"),
            (2, "2024-01-02", "cup"),
            (3, "2024-01-03", "tea"),
            (4, "2024-01-04", "jam"),
            (5, "2024-01-05", "jam"),
            (6, "2024-01-05", "pot"),
        ]
    )
    model = ItemKNN().fit(lines, amount_col=None)
    recs = model.recommend([3], n=3)
    # cup is the only product bought with tea (cosine 2 / sqrt(3 x 2)); then the most
    # popular: jam (2 of 6 customers), pot (1 of 6).
    assert recs["product_id"].tolist() == ["cup", "jam", "pot"]
    assert recs["source"].tolist() == ["similar_items", "popular", "popular"]
    assert recs["score"].tolist() == pytest.approx([2 / np.sqrt(3 * 2), 2 / 6, 1 / 6])
    kept = model.recommend([3], n=2, exclude_purchased=False)
    assert kept["product_id"].tolist() == ["cup", "tea"]  # tea: bought, now allowed (popular)
    # the catalogue runs out: fewer than n rows
    assert len(model.recommend([1], n=10)) == 2


def test_popular_per_segment_and_unknown_customers():
    lines = tiny(
        [
            (1, "2024-01-01", "tea"),
            (2, "2024-01-01", "tea"),
            (3, "2024-01-01", "cup"),
            (4, "2024-01-01", "jam"),
            (5, "2024-01-01", "jam"),
            (6, "2024-01-01", "jam"),
        ]
    )
    segments = pd.Series(["vip", "vip", "vip", "new", "new", "new", "vip"], index=[1, 2, 3, 4, 5, 6, 7])
    model = Popular().fit(lines, segments, amount_col=None)
    assert list(model.segment_labels_) == ["new", "vip"]
    recs = model.recommend([3, 4, 7, 99], n=1)
    # 3 (vip, bought cup) -> tea; 4 (new, bought jam) -> jam is excluded: next is tea (2
    # buyers overall) ; 7 unknown but vip -> tea; 99 unknown, no segment -> jam (overall).
    assert recs["product_id"].tolist() == ["tea", "tea", "tea", "jam"]
    assert recs["score"].tolist() == pytest.approx([2 / 3, 0.0, 2 / 3, 3 / 6])
    assert (recs["source"] == "popular").all()
    best = recommend.next_best_product(model, [3, 99])
    assert best.index.name == "customer_id" and best["next_best_product"].tolist() == ["tea", "jam"]


def test_itemknn_unknown_customers_get_their_segments_popular_items(shop):
    lines, _ = shop
    first = lines.groupby("customer_id")["category"].first()
    segments = first.map(lambda c: f"taste {c % 2}")
    segments.loc[10**9] = "taste 1"  # a prospect with no purchase yet
    model = ItemKNN().fit(lines, segments)
    recs = model.recommend([10**9, -5], n=5)
    taste1 = model.segment_labels_.get_loc("taste 1")
    expected = model.products_.take(model.ranking_[taste1, :5]).tolist()
    assert recs.loc[recs["customer_id"] == 10**9, "product_id"].tolist() == expected
    overall = model.products_.take(model.ranking_[-1, :5]).tolist()
    assert recs.loc[recs["customer_id"] == -5, "product_id"].tolist() == overall
    assert (recs["source"] == "popular").all()


def test_next_best_product_joins_the_customer_table(shop):
    lines, _ = shop
    model = ItemKNN().fit(lines)
    best = recommend.next_best_product(model)
    table = ecrm.customer_summary(lines).join(best)
    assert table.index.equals(best.index) and table["next_best_product"].notna().all()
    first = model.recommend(n=1).set_index("customer_id")["product_id"]
    assert best["next_best_product"].equals(first.rename("next_best_product"))
    # never a product the customer already bought
    bought = set(zip(lines["customer_id"], lines["product_id"], strict=True))
    assert not any((c, p) in bought for c, p in best["next_best_product"].items())


def test_estimators_follow_scikit_learn(shop):
    lines, _ = shop
    model = ItemKNN(n_neighbors=20, half_life_days=60.0)
    assert clone(model).get_params() == {"n_neighbors": 20, "half_life_days": 60.0, "popularity_damping": 0.0}
    assert model.fit(lines) is model and hasattr(model, "similarity_")
    assert model.n_neighbors == 20  # parameters unchanged by fit
    assert model.similarity_.getnnz(axis=1).max() <= 20
    with pytest.raises(Exception, match="not fitted"):
        Popular().recommend([1])


# --------------------------------------------------------------------------- evaluation


def test_metrics_by_hand():
    # Training: 1 {A, B}, 2 {A, C}, 3 {A}, 4 {D}: popularity A (3), then B, C, D (1 each).
    # Test: 1 buys C, D; 2 buys A again (nothing new: not evaluated); 3 buys A, D;
    # 4 buys B and E (E is new to the catalogue); 5 is new (not evaluated).
    # Popular top-2 without purchases: 1 -> C, D (2 hits of 2); 3 -> B, C (0 of 1);
    # 4 -> A, B (1 of 2: B at rank 2).
    train = [(1, "A"), (1, "B"), (2, "A"), (2, "C"), (3, "A"), (4, "D")]
    test = [(1, "C"), (1, "D"), (2, "A"), (3, "A"), (3, "D"), (4, "B"), (4, "E"), (5, "A")]
    lines = tiny([(c, "2024-01-10", p) for c, p in train] + [(c, "2024-02-10", p) for c, p in test])
    table = recommend.evaluate(Popular(), lines, split_date="2024-02-01", k=[1, 2], amount_col=None)
    at2 = table.loc[("Popular", 2)]
    log2 = np.log2(3)
    assert at2["n_customers"] == 3
    assert at2["precision"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert at2["recall"] == pytest.approx((1 + 0 + 0.5) / 3)
    assert at2["hit_rate"] == pytest.approx(2 / 3)
    assert at2["map"] == pytest.approx((1 + 0 + 0.5 / 2) / 3)
    assert at2["ndcg"] == pytest.approx((1 + 0 + (1 / log2) / (1 + 1 / log2)) / 3)
    assert at2["coverage"] == 1.0  # A, B, C, D all shown
    at1 = table.loc[("Popular", 1)]
    assert at1["precision"] == pytest.approx(1 / 3) and at1["recall"] == pytest.approx(1 / 6)
    assert at1["map"] == pytest.approx(1 / 3) and at1["ndcg"] == pytest.approx(1 / 3)
    assert at1["coverage"] == 0.75  # C, B, A
    # the baseline is the same model here
    pd.testing.assert_series_equal(table.loc[("popularity baseline", 2)], at2, check_names=False)
    assert table.attrs["split_date"] == pd.Timestamp("2024-02-01")


def test_itemknn_beats_popularity_on_recall(shop, capsys):
    lines, _ = shop
    table = recommend.evaluate(ItemKNN(), lines, split_date="2024-01-01", k=10)
    knn, popular = table.loc[("ItemKNN", 10)], table.loc[("popularity baseline", 10)]
    with capsys.disabled():
        print(f"\nrecall@10 ItemKNN {knn['recall']:.3f} vs popularity {popular['recall']:.3f}")
    assert knn["recall"] > 1.4 * popular["recall"]
    assert knn["ndcg"] > popular["ndcg"] and knn["coverage"] > popular["coverage"]
    assert knn["n_customers"] == popular["n_customers"] > 1_000


def test_evaluate_several_models_by_name(shop):
    lines, _ = shop
    models = {"knn": ItemKNN(n_neighbors=10), "knn decay": ItemKNN(half_life_days=90)}
    table = recommend.evaluate(models, lines, split_date="2024-01-01", k=[5, 10])
    assert list(table.index) == [(m, k) for m in [*models, "popularity baseline"] for k in (5, 10)]
    assert models["knn"].get_params()["n_neighbors"] == 10 and not hasattr(models["knn"], "history_")


# --------------------------------------------------------------------------- bad input


def test_missing_product_column(baskets):
    with pytest.raises(SchemaError, match=r"missing required column.*'product_id'"):
        recommend.association_rules(baskets.drop(columns="product_id"))
    with pytest.raises(SchemaError, match="'sku'"):
        ItemKNN().fit(baskets, product_col="sku")


def test_nan_products(baskets):
    bad = baskets.copy()
    bad.loc[[3, 7], "product_id"] = np.nan
    with pytest.raises(SchemaError, match=r"'product_id' has missing ids \(NaN/None\) in 2 of"):
        recommend.association_rules(bad)
    with pytest.raises(SchemaError, match="missing ids"):
        Popular().fit(bad)


def test_mixed_product_id_types_are_distinct_products():
    # Spreadsheet exports mix numbers and text in one code column (85123 and 85123A).
    lines = tiny([(1, "2024-01-01", 85123), (1, "2024-01-01", "85123A"), (2, "2024-01-01", 85123)])
    items = recommend.frequent_itemsets(lines, min_support=0.5, amount_col=None)
    assert items["itemset"].tolist() == [(85123,), ("85123A",), (85123, "85123A")]


@pytest.mark.parametrize(("split", "word"), [("2022-01-01", "outside"), ("2030-01-01", "outside")])
def test_split_date_outside_the_data(shop, split, word):
    lines, _ = shop
    with pytest.raises(SchemaError, match=f"split_date=.*{word} the purchases"):
        recommend.evaluate(ItemKNN(), lines, split_date=split)
    with pytest.raises(SchemaError, match="split_date"):
        recommend.evaluate(ItemKNN(), lines, split_date="not a date")


def test_split_date_at_the_first_purchase_leaves_nothing_to_learn(shop):
    lines, _ = shop
    with pytest.raises(SchemaError, match="outside the purchases"):
        recommend.evaluate(ItemKNN(), lines, split_date=lines["order_date"].min())


@pytest.mark.parametrize("k", [0, -1, [10, 0], 2.5, True, []])
def test_k_below_one(shop, k):
    lines, _ = shop
    with pytest.raises(SchemaError, match="k"):
        recommend.evaluate(ItemKNN(), lines, split_date="2024-01-01", k=k)


@pytest.mark.parametrize("n", [0, -3, 1.5])
def test_n_below_one(shop, n):
    lines, _ = shop
    with pytest.raises(SchemaError, match=r"n=.* must be an integer >= 1"):
        Popular().fit(lines).recommend([1], n=n)


def test_nobody_to_evaluate():
    lines = tiny([(1, "2024-01-01", "tea"), (2, "2024-02-01", "cup")])
    with pytest.raises(SchemaError, match="nothing to evaluate"):
        recommend.evaluate(Popular(), lines, split_date="2024-01-15", amount_col=None)


def test_bad_parameters(baskets):
    for kwargs, word in [
        ({"min_support": 0}, "min_support"),
        ({"min_support": 1.5}, "min_support"),
        ({"min_confidence": -0.1}, "min_confidence"),
        ({"max_len": 4}, "max_len"),
        ({"max_len": 1}, "max_len=1 gives no rules"),
    ]:
        with pytest.raises(SchemaError, match=word):
            recommend.association_rules(baskets, **kwargs)
    for model, word in [
        (ItemKNN(n_neighbors=0), "n_neighbors"),
        (ItemKNN(half_life_days=0), "half_life_days"),
        (ItemKNN(popularity_damping=-1), "popularity_damping"),
    ]:
        with pytest.raises(SchemaError, match=word):
            model.fit(baskets)
    with pytest.raises(SchemaError, match=r"model must be an ecrm\.recommend estimator"):
        recommend.evaluate(object(), baskets, split_date="2024-01-01")
    with pytest.raises(SchemaError, match="as_of"):
        recommend.association_rules(baskets, as_of="2000-01-01")


def test_bad_segments(baskets):
    with pytest.raises(SchemaError, match="must be a pandas Series"):
        Popular().fit(baskets, {1: "a"})
    with pytest.raises(SchemaError, match="shares no customer id"):
        Popular().fit(baskets, pd.Series("a", index=["x", "y"]))
    with pytest.raises(SchemaError, match="duplicated customer ids"):
        Popular().fit(baskets, pd.Series("a", index=[1, 1]))


def test_segments_that_are_customer_ids(baskets, monkeypatch):
    monkeypatch.setattr(recommend, "MAX_SEGMENT_CELLS", 10_000)
    ids = baskets["customer_id"].unique()
    with pytest.raises(SchemaError, match="distinct values"):
        Popular().fit(baskets, pd.Series(ids.astype(str), index=ids))


def test_only_returns():
    lines = tiny([(1, "2024-01-01", "tea")]).assign(amount=-5.0)
    with pytest.raises(SchemaError, match="no purchases"):
        Popular().fit(lines)


# --------------------------------------------------------------------------- report tables


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_tables(shop, lang):
    lines, _ = shop
    stages = ecrm.lifecycle.stage(lines.drop(columns="product_id"), lang=lang)["stage"]
    tables = recommend.report_tables(lines, segments=stages, order_col="order_id", lang=lang)
    assert list(tables) == [
        "rules",
        "bought_together",
        "next_best_by_segment",
        "evaluation",
        "next_best_product",
    ]
    _, rules = tables["rules"]
    pd.testing.assert_frame_equal(
        rules,
        recommend.association_rules(lines, min_support=rules.attrs["min_support"], order_col="order_id"),
    )
    caption, together = tables["bought_together"]
    assert caption == ecrm._labels.label(ecrm._labels.RECOMMEND_TEXT, "bought_together", lang)
    assert len(together) == 10 and together["lift"].is_monotonic_decreasing
    _, by_segment = tables["next_best_by_segment"]
    assert set(by_segment["segment"]) <= set(stages.cat.categories)
    assert (by_segment.groupby("segment", observed=True).size() <= 3).all()
    _, evaluation = tables["evaluation"]
    assert evaluation.loc["ItemKNN", "recall"] > evaluation.loc["popularity baseline", "recall"]
    _, best = tables["next_best_product"]
    assert best.index.name == "customer_id" and len(best) == lines["customer_id"].nunique()


def test_a_transactions_log_with_products_gives_the_same_rules():
    # An export mapped once by ecrm.transactions (quantity x price, "C" cancellations):
    # the same rules as the frame with an amount column computed by hand.
    export = pd.DataFrame(
        {
            "Invoice": ["1", "1", "2", "2", "C3", "4", "4"],
            "Code": ["A", "B", "A", "B", "B", "A", "C"],
            "Qty": [1, 2, 1, 1, 2, 3, 1],
            "Price": [2.0, 1.0, 2.0, 1.0, 1.0, 2.0, 5.0],
            "Cust": [1, 1, 2, 2, 2, 3, 3],
            "When": pd.to_datetime(["2024-01-01"] * 2 + ["2024-01-02"] * 3 + ["2024-01-03"] * 2),
        }
    )
    log = ecrm.transactions(
        export, customer_col="Cust", date_col="When", order_col="Invoice", quantity_col="Qty",
        price_col="Price", product_col="Code", cancel_prefix="C",
    )  # fmt: skip
    by_hand = export.assign(amount=np.where(export["Invoice"].str.startswith("C"), -1, 1) * export["Qty"])
    expected = recommend.association_rules(
        by_hand, min_support=0.1, min_confidence=0.1, customer_col="Cust", date_col="When",
        product_col="Code", order_col="Invoice",
    )  # fmt: skip
    got = recommend.association_rules(log, min_support=0.1, min_confidence=0.1)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["n_baskets"] == 3  # the cancelled invoice is no basket


def test_a_transactions_log_without_products_is_refused():
    log = ecrm.transactions(pd.DataFrame({"customer_id": [1], "order_date": ["2024-01-01"], "amount": [1.0]}))
    with pytest.raises(ecrm.errors.SchemaError, match=r"no product column.*product_col="):
        recommend.frequent_itemsets(log)
    with pytest.raises(ecrm.errors.SchemaError, match=r"'product_id'.*missing"):
        ecrm.transactions(
            pd.DataFrame({"customer_id": [1, 2], "order_date": ["2024-01-01"] * 2, "amount": [1.0, 2.0],
                          "product_id": ["a", None]}),
            product_col="product_id",
        )  # fmt: skip
