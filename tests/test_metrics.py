"""Tests of ecrm.metrics: hand-computed tables, properties, bad input, CDNOW figures."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ecrm
from ecrm.errors import DataDroppedWarning, SchemaError

# a: 01-02 order o1 (two lines 10 + 5) and o2 (20), 02-10 o3 (30), 02-15 return of o3 (-30)
# b: 01-15 o4 (40), 03-01 o5 (50);  c: 02-01 o6 (60), 02-20 o7 (10)
TX = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "a", "a", "b", "b", "c", "c"],
        "order_id": ["o1", "o1", "o2", "o3", "o3", "o4", "o5", "o6", "o7"],
        "order_date": pd.to_datetime(
            [
                "2024-01-02",
                "2024-01-02",
                "2024-01-02",
                "2024-02-10",
                "2024-02-15",
                "2024-01-15",
                "2024-03-01",
                "2024-02-01",
                "2024-02-20",
            ]
        ),
        "amount": [10.0, 5.0, 20.0, 30.0, -30.0, 40.0, 50.0, 60.0, 10.0],
        "channel": ["web", "web", "app", "web", "web", "app", "web", "web", "app"],
    }
)


def test_kpis_hand_computed_with_orders():
    k = ecrm.metrics.kpis(TX, order_col="order_id")
    assert [str(p) for p in k.index] == ["2024-01", "2024-02", "2024-03"]
    # Jan: gmv 10+5+20+40 = 75; orders a{o1,o2} + b{o4} = 3; buyers a, b (both new);
    #      aov 75/3 = 25; orders/buyer 3/2; repeat: a has 2 orders -> 1/2.
    # Feb: gmv 30+60+10 = 100, returns 30, net 70; orders a{o3} + c{o6,o7} = 3; buyers a, c;
    #      new c only; aov 70/3; repeat c -> 1/2; return rate 30/100.
    # Mar: gmv = net = 50; b{o5}: 1 order, 1 returning buyer.
    expected = pd.DataFrame(
        {
            "gmv": [75.0, 100.0, 50.0],
            "returns": [0.0, 30.0, 0.0],
            "net_revenue": [75.0, 70.0, 50.0],
            "orders": [3, 3, 1],
            "buyers": [2, 2, 1],
            "new_buyers": [2, 1, 0],
            "returning_buyers": [0, 1, 1],
            "aov": [25.0, 70 / 3, 50.0],
            "orders_per_buyer": [1.5, 1.5, 1.0],
            "repeat_purchase_rate": [0.5, 0.5, 0.0],
            "return_rate": [0.0, 0.3, 0.0],
            # growth: value / previous - 1
            "gmv_growth": [np.nan, 100 / 75 - 1, 50 / 100 - 1],
            "net_revenue_growth": [np.nan, 70 / 75 - 1, 50 / 70 - 1],
            "orders_growth": [np.nan, 0.0, 1 / 3 - 1],
            "buyers_growth": [np.nan, 0.0, 1 / 2 - 1],
        },
        index=k.index,
    )
    pd.testing.assert_frame_equal(k, expected, check_dtype=False)
    assert k.attrs["freq"] == "M"
    assert k.attrs["as_of"] == pd.Timestamp("2024-03-01")


def test_kpis_orders_are_purchase_days_without_order_col():
    k = ecrm.metrics.kpis(TX)
    # Jan: a buys on one day (01-02), b on one -> 2 orders, aov 75/2, nobody repeats.
    # Feb: a on 02-10 (the 02-15 return is no purchase), c on 02-01 and 02-20 -> 3.
    assert k["orders"].tolist() == [2, 3, 1]
    assert k["aov"].tolist() == pytest.approx([37.5, 70 / 3, 50.0])
    assert k["repeat_purchase_rate"].tolist() == pytest.approx([0.0, 0.5, 0.0])


def test_kpis_by_channel_hand_computed():
    k = ecrm.metrics.kpis(TX, by="channel", order_col="order_id")
    assert k.index.names == ["channel", "period"]
    app, web = k.loc["app"], k.loc["web"]
    # app: Jan a o2 20 + b o4 40 (both new to the business); Feb c o7 10 (c new in Feb);
    #      Mar nothing -> zeros and NaN ratios.
    assert app["gmv"].tolist() == [60.0, 10.0, 0.0]
    assert app["buyers"].tolist() == [2, 1, 0]
    assert app["new_buyers"].tolist() == [2, 1, 0]
    assert np.isnan(app["aov"].iloc[2])
    # web: Jan a o1 15; Feb a o3 30 - 30 return, c o6 60 -> gmv 90 net 60; Mar b o5 50.
    assert web["gmv"].tolist() == [15.0, 90.0, 50.0]
    assert web["net_revenue"].tolist() == [15.0, 60.0, 50.0]
    assert web["new_buyers"].tolist() == [1, 1, 0]
    assert web["returning_buyers"].tolist() == [0, 1, 1]
    # Channel blocks add up to the total.
    total = ecrm.metrics.kpis(TX, order_col="order_id")
    assert (app["gmv"] + web["gmv"]).tolist() == total["gmv"].tolist()


def test_kpis_weeks_quarters_days_and_window():
    # Weeks run Monday to Sunday: 2024-01-02 (Tue) and 2024-01-01 share a week.
    w = ecrm.metrics.kpis(TX, freq="W")
    assert str(w.index[0]) == "2024-01-01/2024-01-07"
    assert w["gmv"].sum() == 225.0 and len(w) == 9  # 01-01 .. 03-03: 9 weeks, empty ones kept
    q = ecrm.metrics.kpis(TX, freq="Q")
    assert [str(p) for p in q.index] == ["2024Q1"]
    # Q1, orders = purchase days: a {01-02, 02-10}, b {01-15, 03-01}, c {02-01, 02-20} = 6;
    # buyers a, b, c, all new, all with 2 orders -> repeat rate 1.
    assert q[["orders", "buyers", "new_buyers", "repeat_purchase_rate"]].iloc[0].tolist() == [6, 3, 3, 1.0]
    d = ecrm.metrics.kpis(TX, freq="D", start="2024-02-01", end="2024-02-29")
    assert len(d) == 29 and d["gmv"].sum() == 100.0
    m = ecrm.metrics.kpis(TX, start="2024-02-05")
    # History before start still decides who is new: a is returning in Feb.
    assert m["new_buyers"].tolist() == [1, 0]


def test_kpis_as_of_cuts_later_rows():
    k = ecrm.metrics.kpis(TX, as_of="2024-02-12", by="channel")
    assert k.attrs["as_of"] == pd.Timestamp("2024-02-12")
    # Up to 02-12: Feb web has a o3 30 and c o6 60, no return yet.
    assert k.loc[("web", pd.Period("2024-02", "M")), "returns"] == 0.0
    assert k.loc[("web", pd.Period("2024-02", "M")), "gmv"] == 90.0


def test_cohort_retention_customers_hand_computed():
    # Cohorts: a, b in Jan; c in Feb. Purchases: a Jan, Feb; b Jan, Mar; c Feb.
    counts = ecrm.metrics.cohort_retention(TX, normalize=False)
    # Jan cohort: age 0 {a, b} = 2, age 1 {a} = 1, age 2 {b} = 1.
    # Feb cohort: age 0 {c} = 1, age 1 (Mar) nobody = 0, age 2 (Apr) not observed = NaN.
    expected = np.array([[2.0, 1.0, 1.0], [1.0, 0.0, np.nan]])
    np.testing.assert_array_equal(counts.to_numpy(), expected)
    assert counts.columns.name == "periods_since_acquisition"
    assert counts.attrs["cohort_size"] == {pd.Period("2024-01", "M"): 2, pd.Period("2024-02", "M"): 1}
    shares = ecrm.metrics.cohort_retention(TX)
    np.testing.assert_array_equal(shares.to_numpy(), [[1.0, 0.5, 0.5], [1.0, 0.0, np.nan]])


def test_cohort_retention_revenue_hand_computed():
    revenue = ecrm.metrics.cohort_retention(TX, value="revenue", normalize=False)
    # Jan cohort: age 0 a 10+5+20 + b 40 = 75; age 1 a 30 - 30 = 0; age 2 b 50.
    # Feb cohort: age 0 c 60 + 10 = 70; age 1 nothing = 0.
    np.testing.assert_array_equal(revenue.to_numpy(), [[75.0, 0.0, 50.0], [70.0, 0.0, np.nan]])
    share = ecrm.metrics.cohort_retention(TX, value="revenue")
    np.testing.assert_allclose(share.to_numpy(), [[1.0, 0.0, 50 / 75], [1.0, 0.0, np.nan]])


def test_cohort_revenue_warns_on_customers_with_only_returns():
    tx = pd.concat(
        [
            TX,
            pd.DataFrame(
                {"customer_id": ["z"], "order_date": [pd.Timestamp("2024-01-09")], "amount": [-5.0]}
            ),
        ]
    )
    with pytest.warns(DataDroppedWarning, match="left out 1 row"):
        ecrm.metrics.cohort_retention(tx, value="revenue")


def test_cohort_revenue_retention_is_undefined_when_the_first_period_nets_to_zero_or_less():
    # issue 18 item 6: Jan cohort nets 0 in Jan, Feb cohort -30 in Feb; dividing by
    # them gave inf and -3.0. Their rows are NaN, with a warning naming them.
    tx = pd.DataFrame(
        {
            "customer_id": ["x", "x", "x", "y", "y", "y", "z"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-01-06",
                    "2024-02-01",
                    "2024-02-03",
                    "2024-02-04",
                    "2024-03-01",
                    "2024-03-02",
                ]
            ),
            "amount": [10.0, -10.0, 30.0, 10.0, -40.0, 90.0, 20.0],
        }
    )
    amounts = ecrm.metrics.cohort_retention(tx, value="revenue", normalize=False)
    np.testing.assert_array_equal(amounts.to_numpy(), [[0, 30, 0], [-30, 90, np.nan], [20, np.nan, np.nan]])
    with pytest.warns(
        DataDroppedWarning, match=r"2 cohort\(s\) have net revenue <= 0 .*'2024-01', '2024-02'"
    ):
        share = ecrm.metrics.cohort_retention(tx, value="revenue")
    np.testing.assert_array_equal(share.to_numpy(), [[np.nan] * 3, [np.nan] * 3, [1.0, np.nan, np.nan]])


def test_retention_and_churn_hand_computed():
    r = ecrm.metrics.retention_rate(TX)
    c = ecrm.metrics.churn_rate(TX)
    # Active: Jan {a, b}, Feb {a, c}, Mar {b}.
    # Feb: base {a, b} = 2, retained {a} = 1 -> 0.5; Mar: base {a, c}, retained {} -> 0.
    assert r["active"].tolist() == [2, 2, 1]
    assert r["active_previous"].tolist() == [0, 2, 2]
    assert r["retained"].tolist() == [0, 1, 0]
    assert c["churned"].tolist() == [0, 1, 2]
    np.testing.assert_array_equal(r["retention_rate"], [np.nan, 0.5, 0.0])
    np.testing.assert_array_equal(c["churn_rate"], [np.nan, 0.5, 1.0])


def test_repurchase_rate_hand_computed():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 2, 2, 3, 4, 4],
            "order_id": [1, 2, 3, 4, 5, 6, 7],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01",
                    "2024-01-01",
                    "2024-01-01",
                    "2024-03-01",
                    "2024-02-20",
                    "2024-03-05",
                    "2024-03-06",
                ]
            ),
            "amount": [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0],
        }
    )
    # Purchase days: 1 has one day, 2 and 4 two days, 3 one -> 2 of 4.
    assert ecrm.metrics.repurchase_rate(tx) == 0.5
    # With order ids customer 1 has two orders (same day) -> 3 of 4.
    assert ecrm.metrics.repurchase_rate(tx, order_col="order_id") == 0.75
    # Window 30 days, as_of 03-06 (day 65 of 2024 counting 01-01 as 0): eligible customers
    # first bought on or before 02-05: 1 and 2. 2's second day is 60 days later -> 0 of 2.
    assert ecrm.metrics.repurchase_rate(tx, window_days=30) == 0.0
    # ... with order ids, 1's second order is 0 days after the first -> 1 of 2.
    assert ecrm.metrics.repurchase_rate(tx, window_days=30, order_col="order_id") == 0.5
    # Window 60: customer 2's second purchase is exactly 60 days later -> counted.
    assert ecrm.metrics.repurchase_rate(tx, window_days=60) == 0.5
    assert np.isnan(ecrm.metrics.repurchase_rate(tx, window_days=400))
    with pytest.raises(SchemaError, match="window_days=-1"):
        ecrm.metrics.repurchase_rate(tx, window_days=-1)
    # issue 18 item 12: text is not a number (it raised a raw TypeError); numpy ints are
    with pytest.raises(SchemaError, match="repurchase_rate: window_days='30' must be a finite number >= 0"):
        ecrm.metrics.repurchase_rate(tx, window_days="30")
    assert ecrm.metrics.repurchase_rate(tx, window_days=np.int64(60)) == 0.5


def test_time_to_second_purchase_kaplan_meier_by_hand():
    as_of = pd.Timestamp("2024-02-01")
    first = pd.Timestamp("2024-01-01")
    day = pd.Timedelta(days=1)
    rows = [
        ("e5a", first),
        ("e5a", first + 5 * day),  # second purchase after 5 days
        ("e5b", first),
        ("e5b", first + 5 * day),
        ("c5", as_of - 5 * day),  # censored at 5 days
        ("e10", first),
        ("e10", first + 10 * day),
        ("c12", as_of - 12 * day),  # censored at 12 days
        ("e20", first),
        ("e20", first + 20 * day),
    ]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_date"]).assign(amount=1.0)
    km = ecrm.metrics.time_to_second_purchase(tx, as_of=as_of)
    # t=5: 6 at risk, 2 events, 1 censored: S = 1 - 2/6 = 2/3
    # t=10: 3 at risk, 1 event: S = 2/3 * (1 - 1/3) = 4/9
    # t=12: 2 at risk, 0 events, 1 censored: S = 4/9
    # t=20: 1 at risk, 1 event: S = 0
    assert km.index.tolist() == [5, 10, 12, 20]
    assert km["at_risk"].tolist() == [6, 3, 2, 1]
    assert km["second_orders"].tolist() == [2, 1, 0, 1]
    assert km["censored"].tolist() == [1, 0, 1, 0]
    np.testing.assert_allclose(km["survival"], [2 / 3, 4 / 9, 4 / 9, 0.0])
    assert km.attrs["median_days"] == 10.0  # first t with S <= 0.5
    per = ecrm.metrics.time_to_second_purchase(tx, as_of=as_of, per_customer=True)
    assert per.loc["c12", "days"] == 12 and not per.loc["c12", "observed"]
    assert per.loc["e20", "days"] == 20 and per.loc["e20", "observed"]


def test_bad_input_unknown_freq_and_empty_ranges():
    for fn in (ecrm.metrics.kpis, ecrm.metrics.cohort_retention, ecrm.metrics.retention_rate):
        with pytest.raises(
            SchemaError, match=r"freq='H' is not supported; choose one of 'D', 'W', 'M', 'Q', 'Y'"
        ):
            fn(TX, freq="H")
    with pytest.raises(
        SchemaError,
        match=r"start='2025-01-01'.*holds no period of the data, which runs from 2024-01 to 2024-03",
    ):
        ecrm.metrics.kpis(TX, start="2025-01-01")
    with pytest.raises(SchemaError, match="holds no period"):
        ecrm.metrics.kpis(TX, start="2024-03-01", end="2024-01-31")
    with pytest.raises(SchemaError, match="value='share' is not supported"):
        ecrm.metrics.cohort_retention(TX, value="share")
    with pytest.raises(SchemaError, match="missing required column"):
        ecrm.metrics.kpis(TX, by="region")
    with pytest.raises(SchemaError, match="only returns"):
        ecrm.metrics.kpis(TX.assign(amount=-1.0))
    with pytest.raises(SchemaError, match="the frame is empty"):
        ecrm.metrics.kpis(TX.iloc[:0])
    bad = TX.assign(order_date=TX["order_date"].astype(str).where(TX.index != 2, "not a date"))
    with pytest.raises(SchemaError, match=r"'order_date' has values that are not ISO-8601 dates in 1 of 9"):
        ecrm.metrics.kpis(bad)


def test_inputs_are_not_mutated():
    before = TX.copy()
    ecrm.metrics.kpis(TX, by="channel", order_col="order_id", as_of="2024-02-12")
    ecrm.metrics.cohort_retention(TX, value="revenue")
    ecrm.metrics.time_to_second_purchase(TX)
    pd.testing.assert_frame_equal(TX, before)


# --- properties ---------------------------------------------------------------

rows = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 200), st.sampled_from([-15.0, 0.0, 5.0, 12.5, 40.0])),
    min_size=1,
    max_size=40,
)


def frame(data):
    tx = pd.DataFrame(data, columns=["customer_id", "day", "amount"])
    tx["order_date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(tx["day"], unit="D")
    tx["order_id"] = np.arange(len(tx))
    return tx.drop(columns="day")


@settings(max_examples=60, deadline=None)
@given(rows, st.sampled_from(["D", "W", "M", "Q"]))
def test_kpis_match_a_pandas_reference(data, freq):
    tx = frame(data)
    if not (tx["amount"] >= 0).any():
        return
    k = ecrm.metrics.kpis(tx, freq=freq, order_col="order_id")
    buys = tx[tx["amount"] >= 0]
    period = tx["order_date"].dt.to_period(freq)
    bperiod = buys["order_date"].dt.to_period(freq)
    first = bperiod.groupby(buys["customer_id"]).transform("min")
    ref = pd.DataFrame(
        {
            "gmv": buys["amount"].groupby(bperiod).sum(),
            "net_revenue": tx["amount"].groupby(period).sum(),
            "orders": buys["order_id"].groupby(bperiod).nunique(),
            "buyers": buys["customer_id"].groupby(bperiod).nunique(),
            "new_buyers": buys["customer_id"][first == bperiod].groupby(bperiod).nunique(),
        }
    ).fillna(0)
    got = k.loc[k.index.isin(ref.index), ref.columns]
    pd.testing.assert_frame_equal(got, ref.reindex(got.index), check_dtype=False, check_names=False)
    # Periods absent from the reference are empty periods.
    assert (k.loc[~k.index.isin(ref.index), ["gmv", "orders", "buyers"]] == 0).all().all()
    # buyers = new + returning, and every buyer is new exactly once.
    assert (k["buyers"] == k["new_buyers"] + k["returning_buyers"]).all()
    assert (k["returning_buyers"] >= 0).all()
    assert k["new_buyers"].sum() == buys["customer_id"].nunique()
    # Net revenue adds up to customer_summary's total spend plus returns-only customers.
    assert k["net_revenue"].sum() == pytest.approx(tx["amount"].sum())


@settings(max_examples=60, deadline=None)
@given(rows, st.sampled_from(["D", "W", "M", "Q"]))
def test_cohort_and_retention_properties(data, freq):
    tx = frame(data)
    if not (tx["amount"] >= 0).any():
        return
    counts = ecrm.metrics.cohort_retention(tx, freq=freq, normalize=False)
    shares = ecrm.metrics.cohort_retention(tx, freq=freq)
    sizes = np.array(list(counts.attrs["cohort_size"].values()))
    assert (shares[0] == 1.0).all()  # period 0 is 100% when normalised
    np.testing.assert_array_equal(counts[0].to_numpy(), sizes)
    assert sizes.sum() == tx.loc[tx["amount"] >= 0, "customer_id"].nunique()
    observed = counts.to_numpy()[np.isfinite(counts.to_numpy())]
    assert (observed <= np.repeat(sizes, counts.notna().sum(axis=1).to_numpy())).all()
    r = ecrm.metrics.retention_rate(tx, freq=freq)
    c = ecrm.metrics.churn_rate(tx, freq=freq)
    assert (r["retained"] + c["churned"] == r["active_previous"]).all()
    based = r["active_previous"] > 0
    np.testing.assert_allclose((r["retention_rate"] + c["churn_rate"])[based], 1.0)
    assert r["retention_rate"][~based].isna().all()


@settings(max_examples=40, deadline=None)
@given(rows)
def test_time_to_second_purchase_matches_summary(data):
    tx = frame(data)
    if not (tx["amount"] >= 0).any():
        return
    km = ecrm.metrics.time_to_second_purchase(tx)
    per = ecrm.metrics.time_to_second_purchase(tx, per_customer=True)
    s = (
        ecrm.customer_summary(tx.drop(columns="order_id"), as_of=tx["order_date"].max())
        if (tx["amount"] < 0).sum() == 0
        else None
    )
    assert km["second_orders"].sum() == per["observed"].sum()
    assert ((km["survival"].diff().fillna(0)) <= 1e-12).all()  # survival never rises
    assert per["observed"].mean() == pytest.approx(ecrm.metrics.repurchase_rate(tx))
    if s is not None:
        np.testing.assert_array_equal(per["observed"].to_numpy(), (s["frequency"] > 0).to_numpy())


# --- CDNOW -------------------------------------------------------------------


def test_cdnow_monthly_kpis_quoted_in_the_guide(cdnow):
    k = ecrm.metrics.kpis(cdnow)
    jan, mar = k.loc["1997-01"], k.loc["1997-03"]
    assert (jan["gmv"], jan["orders"], jan["buyers"], jan["new_buyers"]) == pytest.approx(
        (299060.17, 8767, 7846, 7846)
    )
    assert (mar["new_buyers"], mar["returning_buyers"]) == (7248, 2276)
    assert k.loc["1997-04", "new_buyers"] == 0  # CDNOW's cohort was acquired in Q1 1997
    assert k.loc["1998-06", "buyers"] == 1506
    assert round(k.loc["1998-06", "aov"], 2) == 38.93
    assert round(k.loc["1998-06", "repeat_purchase_rate"], 3) == 0.195
    assert k["new_buyers"].sum() == 23570
    # Orders per month agree with customer_summary's n_orders (distinct purchase days).
    assert k["orders"].sum() == ecrm.customer_summary(cdnow)["n_orders"].sum()


def test_cdnow_cohorts_quoted_in_the_guide(cdnow):
    c = ecrm.metrics.cohort_retention(cdnow)
    assert list(c.attrs["cohort_size"].values()) == [7846, 8476, 7248]
    assert round(c.loc["1997-01", 1], 3) == 0.147  # 1,157 of 7,846 came back in February
    assert round(c.loc["1997-01", 17], 3) == 0.063
    assert c.loc["1997-03", 16:].isna().all()
    r = ecrm.metrics.retention_rate(cdnow)
    assert r.loc["1997-02", "retained"] == 1157
    assert round(ecrm.metrics.repurchase_rate(cdnow), 4) == 0.4886
    assert round(ecrm.metrics.repurchase_rate(cdnow, window_days=90), 4) == 0.2922
    km = ecrm.metrics.time_to_second_purchase(cdnow)
    assert km.loc[[30, 90, 180, 365], "repurchased"].round(3).tolist() == [0.175, 0.292, 0.375, 0.459]
    # Every CDNOW customer is observed > 90 days, so KM at 90 days is the plain 90-day rate.
    assert km.loc[90, "repurchased"] == pytest.approx(ecrm.metrics.repurchase_rate(cdnow, window_days=90))
    assert np.isnan(km.attrs["median_days"]) and km.attrs["n_customers"] == 23570


def test_plots(cdnow):
    import matplotlib.pyplot as plt

    c = ecrm.metrics.cohort_retention(cdnow)
    ax = ecrm.plotting.cohort_heatmap(c)
    assert ax.get_title() == "Customers retained by acquisition cohort (share)"
    assert "100%" in [t.get_text() for t in ax.texts]
    ax = ecrm.plotting.retention_curves(c)
    assert len(ax.get_lines()) == 3 and ax.get_ylabel() == "Share of the first period"
    k = ecrm.metrics.kpis(cdnow.assign(big=cdnow["amount"] > 50), by="big")
    ax = ecrm.plotting.kpi_trend(k, ["gmv"])
    assert len(ax.get_lines()) == 2 and ax.get_xlabel() == "Period"
    plt.close("all")


def test_guide_kpi_table_matches_the_code(cdnow):
    """Every row of the monthly table in docs/guide/metrics.md is what kpis() returns."""
    from pathlib import Path

    guide = Path(__file__).resolve().parents[1] / "docs" / "guide" / "metrics.md"
    rows = [line for line in guide.read_text(encoding="utf-8").splitlines() if line.startswith("| 199")]
    k = ecrm.metrics.kpis(cdnow)
    assert len(rows) == len(k) + 3  # 18 KPI rows and 3 cohort rows
    for line in rows[: len(k)]:
        cells = [c.strip().replace(",", "") for c in line.strip("|").split("|")]
        row = k.loc[cells[0]]
        assert float(cells[1]) == pytest.approx(row["gmv"])
        assert [int(c) for c in cells[2:6]] == [
            row[c] for c in ("orders", "buyers", "new_buyers", "returning_buyers")
        ]
        assert float(cells[6]) == round(row["aov"], 2)
        assert float(cells[7]) == round(row["repeat_purchase_rate"], 3)
    c = ecrm.metrics.cohort_retention(cdnow)
    for line in rows[len(k) :]:
        cells = [x.strip() for x in line.strip("|").split("|")]
        got = c.loc[cells[0], [0, 1, 2, 3, 6, 12, 15, 17]].round(3).tolist()
        quoted = [float(x) if x != "—" else np.nan for x in cells[1:]]
        np.testing.assert_array_equal(got, quoted)


@pytest.mark.parametrize("freq", ["Q", "Y"])
def test_quarters_and_years_are_the_same_calendar_periods_as_pandas(freq):
    tx = ecrm.datasets.make_transactions(500, "2022-11-01", "2024-06-30", random_state=9, return_rate=0.05)
    k = ecrm.metrics.kpis(tx, freq=freq, order_col="order_id")
    period = tx["order_date"].dt.to_period(freq)
    bought = tx[tx["amount"] >= 0]
    assert (k.index == pd.period_range(period.min(), period.max(), freq=freq)).all()
    np.testing.assert_allclose(
        k["net_revenue"], tx.groupby(period)["amount"].sum().reindex(k.index, fill_value=0)
    )
    want_buyers = bought.groupby(bought["order_date"].dt.to_period(freq))["customer_id"].nunique()
    assert (k["buyers"] == want_buyers.reindex(k.index, fill_value=0)).all()


def test_cohort_table_of_a_far_as_of_has_one_row_per_cohort(monkeypatch):
    # issue 18 (extreme values): every period up to as_of was a row; a far as_of took
    # seconds and, daily, more memory than the machine has
    near = ecrm.metrics.cohort_retention(TX, normalize=False)
    far = ecrm.metrics.cohort_retention(TX, normalize=False, as_of="2500-01-01")
    assert far.index.equals(near.index) and far.shape[1] == (2500 - 2024) * 12 + 1
    np.testing.assert_array_equal(far.iloc[:, :2].to_numpy(), near.iloc[:, :2].to_numpy())
    monkeypatch.setattr(ecrm.metrics, "MAX_COHORT_CELLS", 400)
    with pytest.raises(SchemaError, match=r"3 cohorts x 152 periods .* more than 400 cells"):
        ecrm.metrics.cohort_retention(TX, freq="D", as_of="2024-06-01")
