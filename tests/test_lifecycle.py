"""ecrm.lifecycle: every stage rule and boundary by hand, a plain-Python reference under
hypothesis, history == stage at each period end, no leakage, transitions bookkeeping,
CDNOW figures quoted in docs/guide/lifecycle.md, and every bad-input path."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ecrm
from ecrm.errors import DataDroppedWarning, SchemaError
from ecrm.lifecycle import STAGES, LifecycleWindows

AS_OF = pd.Timestamp("2024-06-30")
EN = {key: ecrm._labels.label(ecrm._labels.LIFECYCLE_STAGES, key) for key in STAGES}

# Default windows: new 30, active 90, churn 180, loyal = 3 orders within 365 days.
# Each customer: purchase days as "days before AS_OF" (negative = after AS_OF), expected stage.
HAND = {
    "new_today": ([0], "new"),
    "new_exactly_new_days": ([30], "new"),
    "one_day_past_new": ([31], "active"),
    "last_exactly_active_days": ([90], "active"),
    "last_one_past_active": ([91], "at_risk"),
    "last_exactly_churn_days": ([180], "at_risk"),
    "last_one_past_churn": ([181], "churned"),
    "loyal": ([200, 100, 10], "loyal"),
    "loyal_first_exactly_window": ([365, 200, 50], "loyal"),
    "loyal_first_outside_window": ([366, 200, 50], "active"),
    "new_beats_loyal": ([20, 10, 0], "new"),
    "reactivated": ([400, 50], "reactivated"),
    "gap_exactly_churn_days": ([230, 50], "active"),
    "gap_one_past_churn_days": ([231, 50], "reactivated"),
    "comeback_exactly_active_days": ([400, 90], "reactivated"),
    "comeback_one_past_active": ([400, 91, 5], "active"),
    "reactivated_beats_loyal": ([500, 60, 30, 5], "reactivated"),
    "old_lapse_then_loyal": ([700, 400, 300, 200, 100, 10], "loyal"),
    "lapsed_then_at_risk": ([500, 120], "at_risk"),
    "later_purchase_ignored": ([100, -5], "at_risk"),
}


def frame_from(days_ago: dict, as_of=AS_OF) -> pd.DataFrame:
    rows = [(cid, as_of - pd.Timedelta(days=d)) for cid, ds in days_ago.items() for d in ds]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    tx["amount"] = 10.0
    return tx


@pytest.fixture(scope="module")
def hand_tx():
    return frame_from({cid: days for cid, (days, _) in HAND.items()})


def test_every_rule_and_boundary_by_hand(hand_tx):
    out = ecrm.lifecycle.stage(hand_tx, as_of=AS_OF)
    expected = pd.Series({cid: EN[key] for cid, (_, key) in HAND.items()}).sort_index()
    assert out.index.name == "customer_id"
    assert out["stage"].astype(str).to_dict() == expected.to_dict()
    assert list(out["stage"].cat.categories) == [EN[k] for k in STAGES]
    assert out["stage"].cat.ordered


def test_facts_explain_the_stage(hand_tx):
    out = ecrm.lifecycle.stage(hand_tx, as_of=AS_OF)
    row = out.loc["gap_one_past_churn_days"]
    assert (row["days_since_first"], row["days_since_last"]) == (231, 50)
    assert (row["lapse_days"], row["days_since_comeback"], row["n_orders_in_window"]) == (181, 50, 2)
    assert out.loc["gap_exactly_churn_days", "lapse_days"] is pd.NA
    # The most recent lapse (700 -> 400 days ago, 300 days) is remembered though loyal now.
    assert out.loc["old_lapse_then_loyal", "lapse_days"] == 300
    assert out.loc["old_lapse_then_loyal", "days_since_comeback"] == 400
    assert out.loc["loyal_first_exactly_window", "n_orders_in_window"] == 3
    assert out.loc["later_purchase_ignored", "days_since_last"] == 100
    assert out.attrs["as_of"] == AS_OF
    assert out.attrs["windows"]["churn_days"] == 180
    assert out.attrs["n_after_as_of"] == 1


def test_orders_are_purchase_days_unless_order_col():
    # Five order ids on two days: 2 orders by day (active), 5 by order id (loyal).
    tx = pd.DataFrame(
        {
            "customer_id": ["a"] * 5,
            "order_date": ["2024-05-01"] * 3 + ["2024-05-20"] * 2,
            "order_id": [1, 2, 3, 4, 5],
            "amount": 5.0,
        }
    )
    by_day = ecrm.lifecycle.stage(tx, as_of=AS_OF)
    by_order = ecrm.lifecycle.stage(tx, as_of=AS_OF, order_col="order_id")
    assert by_day.loc["a", "n_orders_in_window"] == 2 == ecrm.customer_summary(tx).loc["a", "n_orders"]
    assert by_order.loc["a", "n_orders_in_window"] == 5
    assert (str(by_day.loc["a", "stage"]), str(by_order.loc["a", "stage"])) == ("Active", "Loyal")
    hist = ecrm.lifecycle.history(tx, freq="W", order_col="order_id", as_of=AS_OF)
    weekly = {str(e.date()): str(s) for _, e, s in hist.itertuples(index=False)}
    # New until 30 days after May 1 (week ending May 26), then loyal by its 5 orders.
    assert (weekly["2024-05-26"], weekly["2024-06-02"], weekly["2024-06-30"]) == ("New", "Loyal", "Loyal")


def test_returns_are_not_purchases():
    tx = frame_from({"a": [150, 10]})
    tx.loc[1, "amount"] = -10.0  # the recent row is a return
    out = ecrm.lifecycle.stage(tx, as_of=AS_OF)
    assert str(out.loc["a", "stage"]) == "At risk"
    assert ecrm.lifecycle.stage(tx, as_of=AS_OF, amount_col=None).loc["a", "days_since_last"] == 10


def test_customers_with_only_returns_are_left_out_with_a_warning():
    tx = frame_from({"a": [10], "b": [20]})
    tx.loc[1, "amount"] = -3.0
    with pytest.warns(DataDroppedWarning, match=r"left out 1 customer\(s\).*\['b'\]"):
        out = ecrm.lifecycle.stage(tx)
    assert list(out.index) == ["a"]


def test_custom_windows_dict_and_dataclass_agree(hand_tx):
    w = {"new_days": 5, "active_days": 60, "churn_days": 100, "loyal_orders": 2, "loyal_window_days": 120}
    a = ecrm.lifecycle.stage(hand_tx, as_of=AS_OF, windows=w)
    b = ecrm.lifecycle.stage(hand_tx, as_of=AS_OF, windows=LifecycleWindows(**w))
    pd.testing.assert_frame_equal(a, b)
    # Two orders within 120 days (50 and 231 -> no; 90 only) ... written out per customer:
    assert str(a.loc["reactivated", "stage"]) == "Reactivated"  # 400 -> 50: lapse 350 > 100, back 50 <= 60
    assert str(a.loc["loyal", "stage"]) == "Loyal"  # 100 and 10 days ago: 2 orders within 120
    assert str(a.loc["new_exactly_new_days", "stage"]) == "Active"  # 30 > 5, but <= 60
    assert str(a.loc["last_exactly_active_days", "stage"]) == "At risk"  # 90 > 60


def test_chinese_labels(hand_tx):
    out = ecrm.lifecycle.stage(hand_tx, as_of=AS_OF, lang="zh")
    assert out.loc["reactivated", "stage"] == "回流客户"
    assert list(out["stage"].cat.categories) == [
        "潜在客户",
        "新客户",
        "活跃客户",
        "忠诚客户",
        "回流客户",
        "沉睡客户",
        "流失客户",
    ]


def test_prospects_from_a_customers_table():
    tx = frame_from({"buyer": [40]})
    customers = pd.DataFrame(
        {
            "customer_id": ["buyer", "signed_up", "signed_up_today", "signs_up_later"],
            "signup_date": [
                AS_OF - pd.Timedelta(days=50),
                AS_OF - pd.Timedelta(days=5),
                AS_OF,
                AS_OF + pd.Timedelta(days=3),
            ],
        }
    )
    out = ecrm.lifecycle.stage(tx, as_of=AS_OF, customers=customers)
    assert out["stage"].astype(str).to_dict() == {
        "buyer": "Active",
        "signed_up": "Prospect",
        "signed_up_today": "Prospect",
    }
    assert out.loc["signed_up", "days_since_last"] is pd.NA
    assert out.loc["signed_up", "n_orders_in_window"] == 0
    # a per-customer table indexed by customer_id (issue 18) reads the same, and is not changed
    indexed = customers.set_index("customer_id")
    before = indexed.copy()
    pd.testing.assert_frame_equal(ecrm.lifecycle.stage(tx, as_of=AS_OF, customers=indexed), out)
    pd.testing.assert_frame_equal(indexed, before)


def test_zone_aware_dates_count_local_days():
    tx = frame_from({"a": [90], "b": [91]})
    tx["order_date"] = (tx["order_date"] + pd.Timedelta(hours=23)).dt.tz_localize("Asia/Shanghai")
    out = ecrm.lifecycle.stage(tx, as_of="2024-06-30 23:59")
    assert out["stage"].astype(str).to_dict() == {"a": "Active", "b": "At risk"}


def test_input_is_not_mutated(hand_tx):
    before = hand_tx.copy()
    customers = pd.DataFrame({"customer_id": list(HAND), "signup_date": "2020-01-01"})
    customers_before = customers.copy()
    ecrm.lifecycle.stage(hand_tx, customers=customers, as_of=AS_OF)
    ecrm.lifecycle.history(hand_tx, customers=customers, as_of=AS_OF)
    ecrm.lifecycle.transitions(hand_tx, start="2024-01-31", end=AS_OF)
    ecrm.lifecycle.suggest_windows(hand_tx)
    pd.testing.assert_frame_equal(hand_tx, before)
    pd.testing.assert_frame_equal(customers, customers_before)


# ---------------------------------------------------------------------------------------
# A plain-Python reference: one customer at a time, the rules exactly as documented.


def reference_stage(days: list[int], as_of: int, w: LifecycleWindows) -> tuple[str, int]:
    days = sorted({d for d in days if d <= as_of})
    since_first, since_last = as_of - days[0], as_of - days[-1]
    in_window = sum(1 for d in days if as_of - d <= w.loyal_window_days)
    comeback = None
    for prev, cur in itertools.pairwise(days):
        if cur - prev > w.churn_days:
            comeback = cur
    if since_last > w.churn_days:
        return "churned", in_window
    if since_last > w.active_days:
        return "at_risk", in_window
    if since_first <= w.new_days:
        return "new", in_window
    if comeback is not None and as_of - comeback <= w.active_days:
        return "reactivated", in_window
    if in_window >= w.loyal_orders:
        return "loyal", in_window
    return "active", in_window


purchase_days = st.dictionaries(
    st.integers(0, 12), st.lists(st.integers(0, 700), min_size=1, max_size=8), min_size=1, max_size=10
)
windows_strategy = st.tuples(
    st.integers(1, 60), st.integers(0, 120), st.integers(0, 250), st.integers(1, 4), st.integers(1, 400)
).map(lambda t: LifecycleWindows(t[0], t[0] + t[1], t[0] + t[1] + t[2], t[3], t[4]))
DAY0 = pd.Timestamp("2022-01-01")


def frame_of_days(data: dict) -> pd.DataFrame:
    rows = [(cid, DAY0 + pd.Timedelta(days=d)) for cid, ds in data.items() for d in ds]
    return pd.DataFrame(rows, columns=["customer_id", "order_date"]).assign(amount=1.0)


@settings(max_examples=60, deadline=None)
@given(purchase_days, windows_strategy, st.integers(0, 750))
def test_stage_matches_plain_python_reference(data, w, as_of_offset):
    tx = frame_of_days(data)
    as_of_offset = max(as_of_offset, min(min(d) for d in data.values()))
    out = ecrm.lifecycle.stage(tx, as_of=DAY0 + pd.Timedelta(days=as_of_offset), windows=w)
    expected = {
        cid: reference_stage(ds, as_of_offset, w) for cid, ds in data.items() if min(ds) <= as_of_offset
    }
    assert sorted(out.index) == sorted(expected)
    for cid, (key, in_window) in expected.items():
        assert out.loc[cid, "stage"] == EN[key], (cid, data[cid])
        assert out.loc[cid, "n_orders_in_window"] == in_window


@settings(max_examples=30, deadline=None)
@given(purchase_days, windows_strategy, st.sampled_from(["M", "W"]), st.booleans())
def test_history_equals_stage_at_each_period_end(data, w, freq, with_customers):
    tx = frame_of_days(data)
    customers = None
    if with_customers:  # every buyer signs up at day 0, plus two who never buy
        ids = [*data, 100, 101]
        signups = [DAY0] * len(data) + [DAY0 + pd.Timedelta(days=40), DAY0 + pd.Timedelta(days=400)]
        customers = pd.DataFrame({"customer_id": ids, "signup_date": signups})
    hist = ecrm.lifecycle.history(tx, freq=freq, windows=w, customers=customers)
    assert hist["period_end"].is_monotonic_increasing
    for period_end, snapshot in hist.groupby("period_end"):
        at = ecrm.lifecycle.stage(tx, as_of=period_end, windows=w, customers=customers)
        assert snapshot["customer_id"].tolist() == at.index.tolist()
        assert snapshot["stage"].tolist() == at["stage"].tolist()
    # Every period end from the first purchase to the last date is present.
    last = tx["order_date"].max()
    assert hist["period_end"].max() == last


@settings(max_examples=40, deadline=None)
@given(purchase_days, purchase_days, st.integers(0, 700))
def test_purchases_after_as_of_never_change_a_stage(data, later, as_of_offset):
    tx = frame_of_days(data)
    as_of = DAY0 + pd.Timedelta(days=max(as_of_offset, min(min(d) for d in data.values())))
    future = frame_of_days({cid: [d + 1 for d in ds] for cid, ds in later.items()})
    future["order_date"] += as_of - DAY0  # all strictly after as_of
    both = pd.concat([tx, future], ignore_index=True)
    a, b = ecrm.lifecycle.stage(tx, as_of=as_of), ecrm.lifecycle.stage(both, as_of=as_of)
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------------------------------
# history, stage_counts, transitions


def test_history_small_example_by_hand():
    tx = frame_from({"a": [70, 35], "b": [40]}, as_of=pd.Timestamp("2024-04-30"))
    # a: 2024-02-20, 2024-03-26; b: 2024-03-21.
    hist = ecrm.lifecycle.history(tx, freq="M", as_of="2024-04-30")
    got = {(str(e.date()), c): str(s) for c, e, s in hist.itertuples(index=False)}
    assert got == {
        ("2024-02-29", "a"): "New",
        ("2024-03-31", "a"): "Active",
        ("2024-03-31", "b"): "New",
        ("2024-04-30", "a"): "Active",
        ("2024-04-30", "b"): "Active",
    }
    counts = ecrm.lifecycle.stage_counts(hist)
    assert counts.loc[pd.Timestamp("2024-03-31"), "Active"] == 1
    assert counts.loc[pd.Timestamp("2024-03-31")].sum() == 2
    assert list(counts.columns) == [EN[k] for k in STAGES]


def test_history_start_and_last_period_cut_at_as_of():
    tx = frame_from({"a": [200, 10]}, as_of=pd.Timestamp("2024-06-30"))
    hist = ecrm.lifecycle.history(tx, freq="W", start="2024-05-01", as_of="2024-06-26")
    ends = hist["period_end"].drop_duplicates()
    assert ends.iloc[0] == pd.Timestamp("2024-05-05")  # Sunday ending the week of May 1
    assert ends.iloc[-1] == pd.Timestamp("2024-06-26")  # cut at as_of (a Wednesday)
    assert (ends.diff().dropna() <= pd.Timedelta(days=7)).all()


def test_transitions_bookkeeping(hand_tx):
    start, end = "2024-01-31", AS_OF
    m = ecrm.lifecycle.transitions(hand_tx, start=start, end=end)
    at_start = ecrm.lifecycle.stage(hand_tx, as_of=start)["stage"].value_counts()
    at_end = ecrm.lifecycle.stage(hand_tx, as_of=end)
    for label, n in at_start.items():
        if label != "Prospect":
            assert m.loc[label].sum() == n
    assert m.loc["Prospect"].sum() == len(at_end) - at_start.sum()  # first bought after start
    assert m.sum().sum() == len(at_end)
    pd.testing.assert_series_equal(
        m.sum(axis=0), at_end["stage"].value_counts().reindex(m.columns), check_names=False
    )
    shares = ecrm.lifecycle.transitions(hand_tx, start=start, end=end, normalize=True)
    filled = shares.sum(axis=1)[m.sum(axis=1) > 0]
    np.testing.assert_allclose(filled, 1.0)
    assert shares.loc["New"].isna().all() == (m.loc["New"].sum() == 0)


def test_transitions_small_example_by_hand():
    tx = frame_from({"x": [170, 40], "y": [160], "z": [60]})  # start = 150 days before AS_OF
    m = ecrm.lifecycle.transitions(tx, start=AS_OF - pd.Timedelta(days=150), end=AS_OF)
    # At start: x bought 20 days ago (first) -> New; y 10 days ago -> New; z not yet.
    # At end: x last 40 ago -> Active; y 160 ago -> At risk; z first 60 ago -> Active.
    nonzero = {(str(i), str(j)): int(v) for (i, j), v in m.stack().items() if v}
    assert nonzero == {("New", "Active"): 1, ("New", "At risk"): 1, ("Prospect", "Active"): 1}


# ---------------------------------------------------------------------------------------
# suggest_windows


def test_suggest_windows_rule_by_hand():
    # One customer with gaps 10, 20, 30, 40, 50 days: p25 = 20, p50 = 30, p90 = 46.
    tx = frame_from({"a": [150, 140, 120, 90, 50, 0], "b": [5]})
    w, gaps = ecrm.lifecycle.suggest_windows(tx)
    assert w == LifecycleWindows(
        new_days=20, active_days=30, churn_days=46, loyal_orders=3, loyal_window_days=60
    )
    assert gaps.tolist() == [20.0, 30.0, 46.0]
    assert gaps.attrs == {"n_gaps": 5, "n_customers": 1}


def test_suggest_windows_matches_pandas_gaps_on_cdnow(cdnow):
    w, gaps = ecrm.lifecycle.suggest_windows(cdnow)
    days = cdnow[["customer_id", "order_date"]].drop_duplicates().sort_values(["customer_id", "order_date"])
    pooled = days.groupby("customer_id")["order_date"].diff().dropna().dt.days
    np.testing.assert_allclose(gaps.to_numpy(), np.percentile(pooled, [25, 50, 90]))
    assert (w.new_days, w.active_days, w.churn_days) == tuple(np.ceil(gaps).astype(int))
    assert gaps.attrs["n_gaps"] == len(pooled)


# ---------------------------------------------------------------------------------------
# CDNOW figures quoted in docs/guide/lifecycle.md

CDNOW_COUNTS = {
    "1997-09-30": {"Active": 590, "Loyal": 2873, "Reactivated": 764, "At risk": 3054, "Churned": 16289},
    "1998-06-30": {"Active": 229, "Loyal": 1911, "Reactivated": 1177, "At risk": 2057, "Churned": 18196},
}
CDNOW_MATRIX = [  # rows: Active, Loyal, Reactivated, At risk, Churned at 1997-09-30
    [0, 78, 65, 87, 360],
    [0, 1061, 242, 548, 1022],
    [0, 129, 75, 124, 436],
    [85, 323, 263, 440, 1943],
    [144, 320, 532, 858, 14435],
]


def test_cdnow_figures_in_the_guide(cdnow):
    for as_of, expected in CDNOW_COUNTS.items():
        counts = ecrm.lifecycle.stage(cdnow, as_of=as_of)["stage"].value_counts()
        assert counts[["Prospect", "New"]].sum() == 0
        assert counts[list(expected)].to_dict() == expected
    m = ecrm.lifecycle.transitions(cdnow, start="1997-09-30", end="1998-06-30")
    used = ["Active", "Loyal", "Reactivated", "At risk", "Churned"]
    assert m.loc[used, used].to_numpy().tolist() == CDNOW_MATRIX
    assert m.to_numpy().sum() == 23570
    hist = ecrm.lifecycle.history(cdnow, freq="M")
    counts = ecrm.lifecycle.stage_counts(hist)
    assert len(counts) == 18
    assert counts.loc[pd.Timestamp("1998-06-30")][used].tolist() == list(CDNOW_COUNTS["1998-06-30"].values())
    assert counts.loc[pd.Timestamp("1997-03-31"), "New"] == 7248
    assert counts["New"].max() == counts.loc[pd.Timestamp("1997-02-28"), "New"] == 9360
    assert counts.loc[pd.Timestamp("1997-04-30") :, "New"].sum() == 0
    facts = ecrm.lifecycle.stage(cdnow, as_of="1998-06-30").loc[[3, 4, 5]]
    assert facts["stage"].astype(str).tolist() == ["Reactivated", "Churned", "At risk"]
    assert facts["days_since_last"].tolist() == [33, 200, 178]
    assert facts["lapse_days"].tolist()[:2] == [184, 196]
    w, gaps = ecrm.lifecycle.suggest_windows(cdnow)
    assert (w.new_days, w.active_days, w.churn_days, w.loyal_window_days) == (12, 34, 200, 68)
    assert gaps.attrs == {"n_gaps": 44021, "n_customers": 11516}


# ---------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"active_days": 20}, r"new_days <= active_days <= churn_days; got new_days=30, active_days=20"),
        ({"churn_days": 60}, r"got new_days=30, active_days=90, churn_days=60"),
        ({"new_days": 0}, r"new_days=0 must be an integer >= 1"),
        ({"loyal_orders": 0}, r"loyal_orders=0 must be an integer >= 1"),
        ({"churn_days": 180.5}, r"churn_days=180.5 must be an integer >= 1"),
        ({"loyal_window_days": True}, r"loyal_window_days=True must be an integer >= 1"),
    ],
)
def test_bad_windows(kwargs, message, hand_tx):
    with pytest.raises(SchemaError, match=message):
        LifecycleWindows(**kwargs)
    with pytest.raises(SchemaError, match=message):
        ecrm.lifecycle.stage(hand_tx, windows=kwargs)


def test_bad_windows_type_and_keys(hand_tx):
    with pytest.raises(SchemaError, match=r"unknown key\(s\) \['churn'\]"):
        ecrm.lifecycle.stage(hand_tx, windows={"churn": 100})
    with pytest.raises(SchemaError, match="windows must be a LifecycleWindows, a dict or None, got list"):
        ecrm.lifecycle.stage(hand_tx, windows=[30, 90, 180])
    assert LifecycleWindows(new_days=np.int64(7)).new_days == 7


def test_as_of_before_all_data(hand_tx):
    with pytest.raises(SchemaError, match=r"as_of=2000-01-01 00:00:00 is before the first transaction"):
        ecrm.lifecycle.stage(hand_tx, as_of="2000-01-01")
    with pytest.raises(SchemaError, match="before the first transaction"):
        ecrm.lifecycle.history(hand_tx, as_of="2000-01-01")


def test_customers_table_errors():
    tx = frame_from({"a": [10], "b": [20], "c": [30]})
    with pytest.raises(
        SchemaError, match=r"column 'customer_id' has ids missing from the customers table in 2 of 3"
    ):
        ecrm.lifecycle.stage(
            tx, customers=pd.DataFrame({"customer_id": ["a"], "signup_date": ["2024-01-01"]})
        )
    missing_dates = pd.DataFrame({"customer_id": ["a", "b", "c"], "signup_date": ["2024-01-01", None, None]})
    with pytest.raises(
        SchemaError, match=r"customers: column 'signup_date' has missing dates \(NaT/None\) in 2 of 3"
    ):
        ecrm.lifecycle.stage(tx, customers=missing_dates)
    duplicated = pd.DataFrame({"customer_id": ["a", "b", "c", "a"], "signup_date": "2024-01-01"})
    with pytest.raises(SchemaError, match=r"customers: column 'customer_id' has duplicate ids in 2 of 4"):
        ecrm.lifecycle.stage(tx, customers=duplicated)
    with pytest.raises(SchemaError, match=r"customers: missing required column\(s\) 'signup_date'"):
        ecrm.lifecycle.stage(tx, customers=pd.DataFrame({"customer_id": ["a"]}))
    with pytest.raises(SchemaError, match="customers: the frame is empty"):
        ecrm.lifecycle.stage(tx, customers=pd.DataFrame({"customer_id": [], "signup_date": []}))


def test_bad_transactions_and_options(hand_tx):
    with pytest.raises(SchemaError, match=r"transactions: missing required column\(s\) 'order_date'"):
        ecrm.lifecycle.stage(hand_tx.drop(columns="order_date"))
    with pytest.raises(SchemaError, match="lang='fr' is not supported"):
        ecrm.lifecycle.stage(hand_tx, lang="fr")
    with pytest.raises(SchemaError, match="freq='H' is not supported"):
        ecrm.lifecycle.history(hand_tx, freq="H")
    with pytest.raises(SchemaError, match="history: start=2030-01-01 00:00:00 is after as_of"):
        ecrm.lifecycle.history(hand_tx, start="2030-01-01")
    with pytest.raises(SchemaError, match="must be before end"):
        ecrm.lifecycle.transitions(hand_tx, start=AS_OF, end=AS_OF)
    with pytest.raises(
        SchemaError, match="transitions: start=2000-01-01 00:00:00 is before the first transaction"
    ):
        ecrm.lifecycle.transitions(hand_tx, start="2000-01-01", end=AS_OF)
    with pytest.raises(SchemaError, match=r"history: missing required column\(s\) 'period_end'"):
        ecrm.lifecycle.stage_counts(pd.DataFrame({"stage": ["x"]}))
    with pytest.raises(SchemaError, match="history: column 'stage' must be the categorical"):
        ecrm.lifecycle.stage_counts(pd.DataFrame({"period_end": [AS_OF], "stage": ["x"]}))
    with pytest.raises(SchemaError, match="suggest_windows: no customer has a repeat purchase"):
        ecrm.lifecycle.suggest_windows(frame_from({"a": [1], "b": [2]}))
    only_returns = frame_from({"a": [1]}).assign(amount=-1.0)
    with pytest.raises(SchemaError, match="no purchases"):
        ecrm.lifecycle.stage(only_returns)


# ---------------------------------------------------------------------------------------
# Plots


def test_lifecycle_plots(cdnow_sample):
    import matplotlib.pyplot as plt

    counts = ecrm.lifecycle.stage_counts(ecrm.lifecycle.history(cdnow_sample))
    ax = ecrm.plotting.lifecycle_area(counts, share=True)
    assert ax.get_title() == "Customers by lifecycle stage"
    assert ax.get_ylabel() == "Share of customers"
    # The legend lists the stages as the stack shows them, the last (on top) first.
    assert [t.get_text() for t in ax.get_legend().get_texts()][::-1] == [
        c for c in counts.columns if counts[c].sum() > 0
    ]
    m = ecrm.lifecycle.transitions(cdnow_sample, start="1997-09-30", end="1998-06-30")
    ax = ecrm.plotting.transition_heatmap(m)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Stage on 1998-06-30", "Stage on 1997-09-30")
    # Prospect and New are empty on both dates and left out; the cells carry the counts.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Active",
        "Loyal",
        "Reactivated",
        "At risk",
        "Churned",
    ]
    texts = {t.get_text() for t in ax.texts}
    assert f"{m.loc['Churned', 'Churned']:,}" in texts
    plt.close("all")


def test_import_ecrm_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, ecrm; ecrm.lifecycle; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_warning_on_clean_data(hand_tx):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        staged = ecrm.lifecycle.stage(hand_tx)
    assert [str(w.message) for w in caught] == []
    assert len(staged) == hand_tx["customer_id"].nunique()


@pytest.mark.parametrize("freq", ["Q", "Y"])
def test_history_by_quarter_and_year_is_stage_at_each_period_end(freq):
    tx = ecrm.datasets.make_transactions(300, "2022-01-01", "2024-06-30", random_state=2)
    tx = tx.assign(order_date=tx["order_date"].dt.normalize())  # midnight: period ends are exact
    hist = ecrm.lifecycle.history(tx, freq=freq)
    ends = hist["period_end"].unique()
    period = pd.PeriodIndex(ends, freq=freq)
    assert (pd.DatetimeIndex(ends[:-1]) == period[:-1].end_time.normalize()).all()
    for end in ends:
        want = ecrm.lifecycle.stage(tx, as_of=end)["stage"]
        got = hist[hist["period_end"] == end].set_index("customer_id")["stage"]
        assert got.astype(str).to_dict() == want.astype(str).to_dict()


def test_history_after_2262_is_the_history_400_years_earlier():
    # issue 18: period ends past pandas' nanosecond range wrapped around to 1837, silently
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 3, 2],
            "order_date": pd.to_datetime(
                ["2023-01-05", "2023-03-01", "2023-02-10", "2023-06-30", "2023-07-01"]
            ),
            "amount": [10.0, 20.0, 5.0, 7.0, 8.0],
        }
    )
    later = tx.assign(order_date=tx["order_date"].astype("datetime64[s]") + pd.DateOffset(years=400))
    now, then = ecrm.lifecycle.history(tx), ecrm.lifecycle.history(later)
    assert (then["period_end"].dt.year == now["period_end"].dt.year + 400).all()
    pd.testing.assert_frame_equal(then.drop(columns="period_end"), now.drop(columns="period_end"))
