"""Tests of ecrm.churn: leakage-free labels and features, models, baseline, backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from threadpoolctl import threadpool_limits

import ecrm
from ecrm import churn
from ecrm.errors import SchemaError

CUTOFF, HORIZON = "1997-09-30", 273
RFM = ["recency_days", "n_orders", "total_spend", "tenure_days"]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """Fit with one OpenMP thread: on a shared, busy machine many threads are far slower."""
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def cdnow_ds(cdnow):
    return churn.dataset(cdnow, cutoff=CUTOFF, horizon_days=HORIZON)


@pytest.fixture(scope="module")
def cv_results(cdnow, cdnow_ds):
    """5-fold cross-validated churn probabilities / scores on CDNOW (the headline numbers)."""
    X, y = cdnow_ds
    folds = StratifiedKFold(5, shuffle=True, random_state=0)

    def oof(model, data):
        return cross_val_predict(model, data, y, cv=folds, method="predict_proba")[:, 1]

    def fold_auc(score):
        return np.mean([roc_auc_score(y.iloc[test], score[test]) for _, test in folds.split(X, y)])

    expected = churn.bgnbd_baseline(cdnow, as_of=CUTOFF, horizon_days=HORIZON).reindex(X.index).to_numpy()
    p_model = oof(churn.ChurnModel(), X)
    p_raw = oof(churn.ChurnModel(calibrate=False), X)
    p_rfm = oof(HistGradientBoostingClassifier(random_state=0), X[RFM])
    return {
        "auc_model": fold_auc(p_model),
        "auc_bgnbd": fold_auc(-expected),
        "auc_rfm": fold_auc(p_rfm),
        "brier_model": brier_score_loss(y, p_model),
        "brier_raw": brier_score_loss(y, p_raw),
        "p_model": p_model,
    }


def tiny():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "c", "c", "d", "e", "e", "e"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-03-31",  # a: purchase exactly at the cutoff -> history, not label
                    "2024-02-01",
                    "2024-04-30",  # b: exactly at cutoff + 30 days -> inside the window
                    "2024-03-01",
                    "2024-05-01",  # c: one day after the window -> churned
                    "2024-04-10",  # d: first purchase after the cutoff -> not a customer yet
                    "2024-01-10",
                    "2024-03-20",
                    "2024-04-05",  # e: only a return in the window -> churned
                ]
            ),
            "amount": [10.0, 20.0, 5.0, 7.0, 30.0, 1.0, 9.0, 40.0, 60.0, -40.0],
        }
    )


# ----------------------------------------------------------------------- labels
def test_labels_at_window_boundaries():
    ds = churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30)
    assert ds.y.to_dict() == {"a": True, "b": False, "c": True, "e": True}
    assert ds.y.name == "churned" and ds.X.index.name == "customer_id"
    assert ds.cutoff == pd.Timestamp("2024-03-31") and ds.horizon == pd.Timedelta(days=30)
    assert ds.horizon_end == pd.Timestamp("2024-04-30")


def test_features_by_hand():
    X = churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30).X
    a, e = X.loc["a"], X.loc["e"]
    # a bought 2024-01-01 (90 days before the cutoff) and 2024-03-31 (the cutoff).
    assert a["recency_days"] == 0 and a["tenure_days"] == 90 and a["n_orders"] == 2
    assert a["orders_30d"] == 1 and a["orders_90d"] == 1 and a["orders_180d"] == 2
    assert a["spend_30d"] == 20.0 and a["spend_365d"] == 30.0
    assert a["order_trend"] == (1 + 1) / (1 + 1)
    assert a["mean_gap_days"] == 90 and a["last_gap_days"] == 90 and np.isnan(a["std_gap_days"])
    assert a["recency_gap_ratio"] == 0 and a["aov_90d"] == 20.0 and a["aov_trend"] == 20.0 / 15.0
    # e: 2024-01-10 and 2024-03-20, gap 70 days, recency 11 days.
    assert e["mean_gap_days"] == 70 and e["recency_gap_ratio"] == pytest.approx(11 / 70)
    # d has no history; no returns on or before the cutoff -> no return_share column.
    assert "d" not in X.index and "return_share" not in X.columns


def test_window_and_gap_features_match_pandas_groupby():
    tx = ecrm.datasets.make_transactions(300, "2022-01-01", "2023-12-31", random_state=3)
    cutoff = pd.Timestamp("2023-06-30")
    X = churn.features(tx, as_of=cutoff)
    before = tx[tx["order_date"] <= cutoff].copy()
    before["day"] = before["order_date"].dt.normalize()
    for w in (30, 365):
        recent = before[before["day"] > cutoff - pd.Timedelta(days=w)]
        orders = recent.groupby("customer_id")["day"].nunique().reindex(X.index, fill_value=0)
        spend = recent.groupby("customer_id")["amount"].sum().reindex(X.index, fill_value=0.0)
        np.testing.assert_array_equal(X[f"orders_{w}d"], orders)
        np.testing.assert_allclose(X[f"spend_{w}d"], spend)
    days = before[["customer_id", "day"]].drop_duplicates().sort_values(["customer_id", "day"])
    gaps = days.groupby("customer_id")["day"].diff().dt.days
    stats = gaps.groupby(days["customer_id"]).agg(["mean", "std", "last"]).reindex(X.index)
    np.testing.assert_allclose(X["mean_gap_days"], stats["mean"])
    np.testing.assert_allclose(X["std_gap_days"], stats["std"])
    np.testing.assert_allclose(X["last_gap_days"], stats["last"])


def test_orders_counted_by_order_id_and_return_share():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2],
            "order_id": ["o1", "o1", "o2", "r1", "o3"],
            "order_date": ["2024-01-05", "2024-01-05", "2024-01-05", "2024-01-20", "2024-01-10"],
            "amount": [10.0, 30.0, 60.0, -25.0, 50.0],
        }
    )
    tx = pd.concat([tx, pd.DataFrame({"customer_id": [2], "order_id": ["o4"], "order_date": ["2024-03-01"],
                                      "amount": [1.0]})])  # fmt: skip
    X = churn.dataset(tx, cutoff="2024-01-31", horizon_days=30, order_col="order_id").X
    assert X.loc[1, "orders_30d"] == 2  # o1 and o2 on the same day are two orders
    assert X.loc[1, "return_share"] == pytest.approx(25.0 / 100.0)
    assert X.loc[2, "return_share"] == 0.0


def test_extra_features_are_joined_by_id():
    extra = pd.DataFrame({"nps_score": [9.0, 3.0]}, index=pd.Index(["a", "zzz"], name="customer_id"))
    with pytest.warns(ecrm.errors.EcrmWarning, match=r"3 of 4 customer\(s\) have no row in extra"):
        X = churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30, extra=extra).X
    assert X.loc["a", "nps_score"] == 9.0 and X["nps_score"].isna().sum() == 3
    with pytest.raises(SchemaError, match="clash with built-in"):
        churn.dataset(
            tiny(),
            cutoff="2024-03-31",
            horizon_days=30,
            extra=extra.rename(columns={"nps_score": "n_orders"}),
        )
    with pytest.raises(SchemaError, match="extra: column 't' has values that are not real numbers"):
        churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30, extra=extra.assign(t="x"))
    with pytest.raises(SchemaError, match="extra: column 'nps_score' has infinite values"):
        churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30, extra=extra.assign(nps_score=np.inf))
    with pytest.raises(SchemaError, match="duplicated"):
        churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30, extra=pd.concat([extra, extra]))


def test_input_is_not_mutated():
    tx = tiny().sample(frac=1.0, random_state=1)
    copy = tx.copy(deep=True)
    churn.dataset(tx, cutoff="2024-03-31", horizon_days=30)
    pd.testing.assert_frame_equal(tx, copy)


# ---------------------------------------------------------------------- leakage
LEAK_TX = ecrm.datasets.make_transactions(120, "2022-01-01", "2023-12-31", random_state=5, return_rate=0.05)
LEAK_CUT = pd.Timestamp("2023-03-31")
LEAK_X = churn.dataset(LEAK_TX, cutoff=LEAK_CUT, horizon_days=90).X
AFTER = np.flatnonzero((LEAK_TX["order_date"] > LEAK_CUT).to_numpy())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.integers(0, len(AFTER) - 1), min_size=1, max_size=40, unique=True),
    delete=st.booleans(),
    new_amount=st.floats(-500, 500, allow_nan=False),
    shift_days=st.integers(0, 200),
)
def test_changing_or_deleting_rows_after_cutoff_changes_no_feature(picks, delete, new_amount, shift_days):
    rows = LEAK_TX.index[AFTER[picks]]
    if delete:
        changed = LEAK_TX.drop(index=rows)
    else:
        changed = LEAK_TX.copy()
        changed.loc[rows, "amount"] = new_amount
        changed.loc[rows, "order_date"] += pd.Timedelta(days=shift_days)
        changed.loc[rows, "customer_id"] = changed.loc[rows, "customer_id"].to_numpy()[::-1]
    X = churn.features(changed, as_of=LEAK_CUT)
    pd.testing.assert_frame_equal(X, LEAK_X)


# -------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("cutoff", "match"),
    [
        ("2023-12-31", r"cutoff=2023-12-31 00:00:00 is outside the data: it must be on or after the first"),
        ("2024-04-15", r"cutoff \+ horizon_days \(2024-05-15 00:00:00\) on or before the end of the data"),
    ],
)
def test_cutoff_outside_data(cutoff, match):
    with pytest.raises(SchemaError, match=match):
        churn.dataset(tiny(), cutoff=cutoff, horizon_days=30)


@pytest.mark.parametrize("horizon", [0, -5, float("nan"), "90", True])
def test_bad_horizon(horizon):
    with pytest.raises(SchemaError, match=r"horizon_days=.* must be a"):
        churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=horizon)


def test_no_customers_with_history():
    with pytest.raises(SchemaError, match="no customers with history at cutoff 2024-03-31"):
        churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30, min_history_days=1000)
    with pytest.raises(SchemaError, match="min_history_days=-1 must be a finite number >= 0"):
        churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30, min_history_days=-1)


def test_single_class_in_y():
    X = churn.dataset(tiny(), cutoff="2024-03-31", horizon_days=30).X
    with pytest.raises(
        SchemaError, match=r"needs both classes \(churned and retained\), found only \[True\]"
    ):
        churn.ChurnModel().fit(X, pd.Series(True, index=X.index))
    with pytest.raises(SchemaError, match="needs both classes"):
        churn.score_metrics([0, 0, 0], [0.1, 0.2, 0.3])


def test_missing_columns_are_a_schema_error():
    with pytest.raises(SchemaError, match="missing required column"):
        churn.dataset(tiny().drop(columns="amount"), cutoff="2024-03-31", horizon_days=30)


# ---------------------------------------------------------------------- metrics
def test_score_metrics_by_hand():
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1])
    s = np.arange(10, 0, -1) / 10  # ranks the customers in the order given
    m = churn.score_metrics(y, s)
    # top 10% = 1 customer (a churner): lift = 1 / 0.3; top 20% = 2 customers, 1 churner.
    assert m["lift_top10"] == pytest.approx(1 / 0.3) and m["captured_top10"] == pytest.approx(1 / 3)
    assert m["lift_top20"] == pytest.approx(0.5 / 0.3) and m["captured_top20"] == pytest.approx(1 / 3)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, s))
    assert m["brier"] == pytest.approx(np.mean((s - y) ** 2))
    assert np.isnan(churn.score_metrics(y, s * 7, probability=False)["brier"])


# ------------------------------------------------------------------------ model
def test_model_follows_scikit_learn(cdnow_sample):
    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    model = churn.ChurnModel(estimator="logistic", calibrate=False)
    assert clone(model).get_params() == model.get_params()
    assert model.fit(X, y) is model and model.predict_proba(X).shape == (len(X), 2)
    assert set(model.predict(X)) <= {False, True} and list(model.classes_) == [False, True]
    with pytest.raises(SchemaError, match="lacks the fitted feature"):
        model.predict_proba(X.drop(columns="n_orders"))
    given = LogisticRegression(max_iter=500)
    rfm = churn.ChurnModel(estimator=given, calibrate=False).fit(X[RFM], y)
    assert not hasattr(given, "coef_") and rfm.evaluate(X[RFM], y)["roc_auc"] > 0.7
    with pytest.raises(SchemaError, match="estimator='svm' is not supported"):
        churn.ChurnModel(estimator="svm").fit(X, y)


def test_risk_tiers_and_interventions(cdnow_sample):
    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    model = churn.ChurnModel(estimator="logistic").fit(X, y)
    risk = model.risk_tier(X, tiers={"high": 0.8, "medium": 0.5})
    p = risk["churn_probability"]
    expected = np.where(p >= 0.8, "High risk", np.where(p >= 0.5, "Medium risk", "Low risk"))
    assert (risk["risk_tier"].astype(str).to_numpy() == expected).all()
    assert list(risk["risk_tier"].cat.categories) == ["High risk", "Medium risk", "Low risk"]
    zh = model.risk_tier(X, lang="zh")
    assert list(zh["risk_tier"].cat.categories) == ["高风险", "中风险", "低风险"]

    spend = X["total_spend"]
    plan = churn.interventions(zh, spend, lang="en")
    high_value = spend >= spend.median()
    tier = model.risk_tier(X)["risk_tier"].astype(str)
    assert (plan.loc[(tier == "High risk") & high_value, "intervention"] == "Personal service call").all()
    assert (plan.loc[(tier == "High risk") & ~high_value, "intervention"] == "Win-back coupon").all()
    assert (plan.loc[tier == "Low risk", "intervention"] == "Relationship care (birthday, holidays)").all()
    assert set(churn.interventions(zh, lang="zh")["intervention"].astype(str)) <= {
        "挽回优惠券",
        "提醒消息",
        "客户关怀",
    }
    with pytest.raises(SchemaError, match="without a value in segments"):
        churn.interventions(zh, spend.iloc[:10])
    with pytest.raises(SchemaError, match="unknown risk tiers"):
        churn.interventions(pd.DataFrame({"risk_tier": ["very high"]}))


def test_feature_importance_ranks_recency_first(cdnow_sample):
    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    test = X.sample(800, random_state=0).index
    model = churn.ChurnModel(calibrate=False).fit(X.drop(index=test), y.drop(index=test))
    imp = model.feature_importance(X.loc[test], y.loc[test], n_repeats=2)
    assert list(imp.columns) == ["importance_mean", "importance_std"] and len(imp) == X.shape[1]
    assert imp["importance_mean"].is_monotonic_decreasing
    # Shuffling the strongest feature must cost ROC AUC; recency/frequency lead on CDNOW.
    assert imp["importance_mean"].iloc[0] > 0.01
    assert set(imp.index[:3]) & {
        "recency_days",
        "orders_180d",
        "orders_365d",
        "n_orders",
        "recency_gap_ratio",
    }


# -------------------------------------------------------------- baseline / CDNOW
def test_bgnbd_baseline_is_lifetimes_bgnbd(cdnow_sample):
    from lifetimes import BetaGeoFitter

    e = churn.bgnbd_baseline(cdnow_sample, as_of=CUTOFF, horizon_days=HORIZON)
    s = ecrm.customer_summary(cdnow_sample, as_of=CUTOFF, time_unit="W")
    bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    ref = bg.conditional_expected_number_of_purchases_up_to_time(
        HORIZON / 7, s["frequency"], s["recency"], s["T"]
    )
    np.testing.assert_allclose(e.to_numpy(), np.asarray(ref), rtol=1e-4)


def test_cdnow_headline_numbers(cv_results):
    """The CDNOW table in docs/guide/churn.md (5-fold CV, cutoff 1997-09-30, 273 days)."""
    r = cv_results
    assert r["auc_model"] >= 0.77
    assert r["auc_model"] > r["auc_bgnbd"] and r["auc_model"] > r["auc_rfm"]
    assert r["brier_model"] <= r["brier_raw"]
    assert round(r["auc_model"], 3) == 0.771
    assert round(r["auc_bgnbd"], 3) == 0.763
    assert round(r["auc_rfm"], 3) == 0.770
    assert round(r["brier_model"], 4) == 0.1584 and round(r["brier_raw"], 4) == 0.1586


def test_cdnow_out_of_time(cdnow, cdnow_ds):
    train = churn.dataset(cdnow, cutoff="1997-06-30", horizon_days=HORIZON)
    m = churn.ChurnModel().fit(train.X, train.y).evaluate(*cdnow_ds)
    assert m["roc_auc"] >= 0.76
    assert m["roc_auc"] == pytest.approx(0.7725, abs=5e-4)


def test_backtest_rolls_forward(cdnow_sample):
    bt = churn.backtest(cdnow_sample, cutoffs=["1997-04-30", "1997-08-31", "1997-12-31"], horizon_days=120)
    assert list(bt["scorer"]) == ["model", "bgnbd", "model", "bgnbd"]
    assert (bt["train_cutoff"].iloc[2:] == pd.Timestamp("1997-08-31")).all()
    manual = churn.ChurnModel().fit(*churn.dataset(cdnow_sample, cutoff="1997-04-30", horizon_days=120))
    test = churn.dataset(cdnow_sample, cutoff="1997-08-31", horizon_days=120)
    assert bt.loc[0, "roc_auc"] == pytest.approx(manual.evaluate(*test)["roc_auc"])
    assert bt[["roc_auc", "pr_auc"]].gt(0.6).all().all() and bt.loc[1::2, "brier"].isna().all()
    with pytest.raises(SchemaError, match="less than horizon_days=120"):
        churn.backtest(cdnow_sample, cutoffs=["1997-04-30", "1997-06-30"], horizon_days=120)
    with pytest.raises(SchemaError, match=r"cutoffs=\['1997-04-30'\] must be a list of at least 2 date"):
        churn.backtest(cdnow_sample, cutoffs=["1997-04-30"])
    # issue 18 item 12: a word among the cutoffs leaked pandas' DateParseError
    with pytest.raises(SchemaError, match=r"backtest: cutoffs\[1\]='soon' is not a date"):
        churn.backtest(cdnow_sample, cutoffs=["1997-04-30", "soon"])


# ------------------------------------------------------------------------ plots
def test_plots(cdnow_ds, cv_results):
    import matplotlib.pyplot as plt

    from ecrm import plotting

    y, p = cdnow_ds.y, cv_results["p_model"]
    ax = plotting.roc(y, {"model": p, "recency": cdnow_ds.X["recency_days"]})
    assert ax.get_xlabel() == "False positive rate" and len(ax.get_legend().get_texts()) == 3
    assert plotting.lift_curve(y, p).get_ylabel() == "Lift"
    assert plotting.calibration_curve(y, p).get_title().startswith("Calibration")
    imp = pd.DataFrame({"importance_mean": [0.1, 0.05], "importance_std": [0.01, 0.01]}, index=["a", "b"])
    assert plotting.feature_importance(imp).get_xlabel().startswith("Drop in")
    plt.close("all")


def test_cdnow_backtest_table_in_the_guide(cdnow):
    """The rolling-origin table of docs/guide/churn.md (it drifted once when untested)."""
    bt = churn.backtest(
        cdnow, cutoffs=["1997-03-31", "1997-06-30", "1997-09-30", "1997-12-31", "1998-03-31"], horizon_days=90
    )
    model = bt[bt["scorer"] == "model"].set_index("cutoff")
    base = bt[bt["scorer"] == "bgnbd"].set_index("cutoff")
    # scored cutoff: (churn rate, AUC model, AUC BG/NBD, PR AUC model, PR AUC BG/NBD, Brier model)
    guide = {
        "1997-06-30": (0.822, 0.734, 0.742, 0.903, 0.909, 0.130),
        "1997-09-30": (0.823, 0.770, 0.769, 0.920, 0.914, 0.117),
        "1997-12-31": (0.838, 0.805, 0.798, 0.941, 0.933, 0.106),
        "1998-03-31": (0.860, 0.837, 0.834, 0.959, 0.955, 0.089),
    }
    for cutoff, row in guide.items():
        m, b = model.loc[pd.Timestamp(cutoff)], base.loc[pd.Timestamp(cutoff)]
        got = (m["churn_rate"], m["roc_auc"], b["roc_auc"], m["pr_auc"], b["pr_auc"], m["brier"])
        assert tuple(round(float(v), 3) for v in got) == row, cutoff


# ------------------------------------------------------------- pairing and bad input
def test_labels_are_paired_with_features_by_index(cdnow_sample):
    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    model = churn.ChurnModel(estimator="logistic")
    p = model.fit(X, y).predict_proba(X)[:, 1]
    auc = model.evaluate(X, y)["roc_auc"]
    shuffled = y.sample(frac=1.0, random_state=1)
    # The same labels in another order are the same labels: the same model and metrics.
    again = churn.ChurnModel(estimator="logistic").fit(X, shuffled)
    np.testing.assert_allclose(again.predict_proba(X)[:, 1], p)
    assert again.evaluate(X, shuffled)["roc_auc"] == auc
    assert model.evaluate(X, y.iloc[::-1])["roc_auc"] == auc
    # A plain array is paired by position.
    np.testing.assert_allclose(
        churn.ChurnModel(estimator="logistic").fit(X, y.to_numpy()).predict_proba(X)[:, 1], p
    )
    disjoint = pd.Series(y.to_numpy(), index=y.index + 10**6)
    with pytest.raises(SchemaError, match=r"y has no value for 2357 of 2357 row\(s\) of X.*by index"):
        churn.ChurnModel(estimator="logistic").fit(X, disjoint)
    with pytest.raises(SchemaError, match=r"y has no value for 10 of 2357"):
        model.evaluate(X, y.iloc[10:])
    with pytest.raises(SchemaError, match="duplicated"):
        churn.ChurnModel(estimator="logistic").fit(X, pd.concat([y, y.iloc[:1]]))
    two_levels = X.set_index(X.index.astype(str), append=True)
    with pytest.raises(SchemaError, match="y has a 1-level index and X a 2-level one"):
        churn.ChurnModel(estimator="logistic").fit(two_levels, y)


def test_model_refuses_bad_input_with_schema_errors(cdnow_sample):
    from sklearn.exceptions import NotFittedError

    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    with pytest.raises(NotFittedError):
        churn.ChurnModel().predict_proba(X)
    with pytest.raises(NotFittedError):
        churn.ChurnModel().predict(X)
    with pytest.raises(SchemaError, match="column 'segment' has values that are not real numbers"):
        churn.ChurnModel(estimator="logistic").fit(X.assign(segment="gold"), y)
    with pytest.raises(SchemaError, match="column 'n_orders' has infinite values"):
        churn.ChurnModel(estimator="logistic").fit(X.assign(n_orders=np.inf), y)
    with pytest.raises(SchemaError, match=r"outside \[0, 1\]"):
        churn.score_metrics(y, np.full(len(y), 1.5))
    with pytest.raises(SchemaError, match=r"outside \[0, 1\]"):
        churn.score_metrics(y, np.full(len(y), -0.1))
    assert churn.score_metrics(y, np.full(len(y), 1.5), probability=False)["roc_auc"] == 0.5
    with pytest.raises(SchemaError, match="continuous"):
        churn.ChurnModel(estimator="logistic").fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(SchemaError, match="at least 5 labels of each class"):
        churn.ChurnModel(estimator="logistic").fit(X.iloc[:20], np.r_[np.ones(17), np.zeros(3)].astype(bool))


def test_an_all_nan_column_is_left_out_with_a_warning(cdnow_sample):
    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    with_empty = X.assign(survey_score=np.nan)
    with pytest.warns(ecrm.errors.EcrmWarning, match=r"left column\(s\) \['survey_score'\] out"):
        model = churn.ChurnModel().fit(with_empty, y)
    assert model.empty_features_ == ["survey_score"] and model.n_features_in_ == X.shape[1] + 1
    # Leaving out a column with no values is the same as never having it.
    np.testing.assert_allclose(
        model.predict_proba(with_empty.assign(survey_score=5.0)),
        churn.ChurnModel().fit(X, y).predict_proba(X),
    )


def test_extra_with_ids_that_match_no_customer_is_refused():
    extra = pd.DataFrame({"nps_score": [9.0, 3.0, 7.0]}, index=pd.Index(["1", "2", "3"], name="customer_id"))
    tx = tiny().assign(customer_id=lambda d: d["customer_id"].map({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}))
    with pytest.raises(SchemaError, match=r"no row matches a customer.*dtype (object|str).*dtype int64"):
        churn.dataset(tx, cutoff="2024-03-31", horizon_days=30, extra=extra)
    fixed = extra.set_axis(extra.index.astype(int))
    with pytest.warns(ecrm.errors.EcrmWarning, match=r"1 of 4 customer"):
        X = churn.dataset(tx, cutoff="2024-03-31", horizon_days=30, extra=fixed).X
    assert X["nps_score"].tolist()[:3] == [9.0, 3.0, 7.0]


def test_backtest_when_every_amount_is_zero(cdnow_sample):
    # Order counts and recency still predict churn when the shop records no amounts.
    zero = cdnow_sample.assign(amount=0.0)
    with pytest.warns(ecrm.errors.EcrmWarning, match=r"\['aov_trend'\] out of the model"):
        bt = churn.backtest(zero, cutoffs=["1997-06-30", "1997-09-30"], estimator="logistic")
    assert bt["roc_auc"].between(0.6, 1.0).all() and bt["n"].tolist() == [2357.0, 2357.0]


@pytest.mark.parametrize(
    "model",
    [churn.ChurnModel(), churn.ChurnModel(estimator="logistic", calibrate=False)],
    ids=["hgb_calibrated", "logistic_raw"],
)
def test_check_estimator(model):
    from sklearn.utils.estimator_checks import check_estimator

    expected = dict(churn.EXPECTED_FAILED_CHECKS)
    if not model.calibrate:
        del expected["check_fit2d_1feature"]
    results = check_estimator(model, expected_failed_checks=expected, on_skip=None)
    assert [r["check_name"] for r in results if r["status"] == "failed"] == []
    assert {r["check_name"] for r in results if r["status"] == "xfail"} == set(expected)
    assert not model.__sklearn_tags__().classifier_tags.multi_class


@pytest.mark.parametrize(
    "values",
    [
        pd.Categorical(["gold", "silver"] * 5),
        pd.date_range("2024-01-01", periods=10),
        pd.to_timedelta(range(10), unit="D"),
        np.full(10, 1j),
        np.array(["1", "2"] * 5, dtype=object),
        np.array([1, "a"] * 5, dtype=object),
    ],
    ids=["category", "datetime", "timedelta", "complex", "numeric_text", "mixed"],
)
def test_a_feature_that_is_not_a_real_number_is_named(values):
    X = pd.DataFrame({"n_orders": np.arange(10.0), "tier": values})
    y = np.arange(10) % 2 == 0
    with pytest.raises(SchemaError, match=r"column 'tier' has values that are not real numbers \(dtype"):
        churn.ChurnModel(calibrate=False).fit(X, y)
    # Numbers held as Python objects, nullable integers and booleans are numbers.
    for ok in (np.arange(10, dtype=object), pd.array([1, None] * 5, dtype="Int64"), y):
        churn.ChurnModel(estimator="logistic", calibrate=False).fit(X.assign(tier=ok), y)


def test_scores_and_segments_are_paired_by_index(cdnow_sample):
    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    score = -X["recency_days"].astype(float)
    metrics = churn.score_metrics(y, score, probability=False)
    reordered = churn.score_metrics(y, score.iloc[::-1], probability=False)
    pd.testing.assert_series_equal(reordered, metrics)
    with pytest.raises(SchemaError, match=r"score has no value for 7 of 2357"):
        churn.score_metrics(y, score.iloc[7:], probability=False)
    risk = pd.DataFrame({"risk_tier": ["High risk", "High risk", "Low risk"]}, index=[1, 2, 3])
    with pytest.raises(SchemaError, match=r"segments: the index has 1 duplicated customer id"):
        churn.interventions(risk, pd.Series([1.0, 2.0, 3.0, 4.0], index=[1, 1, 2, 3]))


def test_a_column_empty_in_a_calibration_fold_does_not_break_the_fit(cdnow_sample):
    # Three survey answers, all in the first rows: the first calibration fold's training
    # rows have none, and HistGradientBoosting cannot bin a column without a value.
    X, y = churn.dataset(cdnow_sample, cutoff=CUTOFF, horizon_days=HORIZON)
    answers = np.full(len(X), np.nan)
    answers[:3] = [9.0, 3.0, 7.0]
    for estimator in ("hgb", HistGradientBoostingClassifier(max_iter=20)):
        model = churn.ChurnModel(estimator=estimator).fit(X.assign(nps_score=answers), y)
        assert model.empty_features_ == []
        p = model.predict_proba(X.assign(nps_score=answers))[:, 1]
        assert np.isfinite(p).all() and 0.7 < roc_auc_score(y, p) < 1.0
