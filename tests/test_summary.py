"""customer_summary: exact agreement with lifetimes and the published CDNOW summary,
hand-computed cases, a reference implementation under hypothesis, and returns."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ecrm
from ecrm.datasets._cdnow import lifetimes_data_path
from ecrm.errors import DataDroppedWarning, SchemaError

LIFETIMES_COLUMNS = ["frequency", "recency", "T", "monetary_value"]


def lifetimes_summary(tx, **kwargs):
    from lifetimes.utils import summary_data_from_transaction_data

    return summary_data_from_transaction_data(
        tx, "customer_id", "order_date", monetary_value_col="amount", **kwargs
    )


@pytest.mark.parametrize(
    ("settings_ecrm", "settings_lifetimes"),
    [
        ({}, {}),
        ({"time_unit": "W"}, {"freq": "D", "freq_multiplier": 7}),
        ({"freq": "W", "time_unit": "W"}, {"freq": "W"}),
        ({"as_of": "1997-09-30"}, {"observation_period_end": "1997-09-30"}),
    ],
)
def test_agrees_with_lifetimes_on_full_cdnow(cdnow, settings_ecrm, settings_lifetimes):
    ours = ecrm.customer_summary(cdnow, **settings_ecrm)
    theirs = lifetimes_summary(cdnow, **settings_lifetimes)
    assert len(ours) == len(theirs)
    assert ours.index.equals(theirs.index.astype(ours.index.dtype))
    for column in LIFETIMES_COLUMNS:
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-12, atol=1e-9, err_msg=column)


def test_reproduces_published_cdnow_calibration_summary(cdnow_sample):
    # Fader, Hardie and Lee (2005): 2,357 customers, calibration to 1997-09-30, weeks.
    published = pd.read_csv(
        lifetimes_data_path("cdnow_customers_summary_with_transactions.csv"), index_col="ID"
    )
    ours = ecrm.customer_summary(cdnow_sample, as_of="1997-09-30", time_unit="W")
    assert len(ours) == 2357
    assert ours.index.equals(published.index.astype(ours.index.dtype))
    pairs = {"x": "frequency", "t_x": "recency", "T": "T", "zbar": "monetary_value"}
    for theirs, mine in pairs.items():
        # The file has two decimals: every value agrees to within half a cent/week-hundredth.
        diff = np.abs(published[theirs].to_numpy() - ours[mine].to_numpy())
        assert diff.max() <= 0.005 + 1e-9, (theirs, diff.max())
    assert ours["frequency"].sum() == published["x"].sum()


def hand_frame():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c", "c"],
            "order_date": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 18:00",
                    "2024-01-15",
                    "2024-01-10",
                    "2024-01-02",
                    "2024-02-20",
                ],
                format="ISO8601",
            ),
            "amount": [10.0, 5.0, 30.0, 8.0, 4.0, 99.0],
        }
    )


def test_hand_computed_values():
    s = ecrm.customer_summary(hand_frame(), as_of="2024-01-31")
    # c's order on 2024-02-20 is after as_of and is left out.
    assert list(s.index) == ["a", "b", "c"]
    assert s.attrs["n_after_as_of"] == 1
    assert s.attrs["as_of"] == pd.Timestamp("2024-01-31")
    a = s.loc["a"]
    assert a["n_orders"] == 2  # two distinct days
    assert a["total_spend"] == 45.0
    assert a["avg_order_value"] == 22.5
    assert a["recency_days"] == 16 and a["tenure_days"] == 30
    assert a["frequency"] == 1 and a["recency"] == 14.0 and a["T"] == 30.0
    assert a["monetary_value"] == 30.0  # the repeat day only
    assert a["first_purchase"] == pd.Timestamp("2024-01-01 09:00")
    assert a["last_purchase"] == pd.Timestamp("2024-01-15")
    c = s.loc["c"]
    assert (c["frequency"], c["recency"], c["T"], c["monetary_value"]) == (0, 0.0, 29.0, 0.0)


def test_order_col_counts_distinct_orders():
    tx = hand_frame().assign(order_id=[1, 2, 3, 4, 5, 6])
    s = ecrm.customer_summary(tx, order_col="order_id", as_of="2024-01-31")
    assert s.loc["a", "n_orders"] == 3
    assert s.loc["a", "frequency"] == 1  # periods still merge by day


def test_weekly_and_monthly_periods():
    tx = hand_frame()
    weekly = ecrm.customer_summary(tx, freq="W", time_unit="W", as_of="2024-01-31")
    # 2024-01-01 is a Monday: weeks start 01-01, 01-08, 01-15, 01-29 (as_of).
    assert weekly.loc["a", "recency"] == 2.0 and weekly.loc["a", "T"] == 4.0
    assert weekly.loc["a", "n_orders"] == 2  # distinct days, not weeks
    monthly = ecrm.customer_summary(tx, freq="M", time_unit="M")
    assert monthly.loc["c", "frequency"] == 1 and monthly.loc["c", "recency"] == 1.0
    months_in_days = ecrm.customer_summary(tx, freq="M", time_unit="D")
    assert months_in_days.loc["c", "recency"] == 31.0  # 2024-01-01 to 2024-02-01


def test_time_unit_conversion():
    days = ecrm.customer_summary(hand_frame())
    weeks = ecrm.customer_summary(hand_frame(), time_unit="W")
    months = ecrm.customer_summary(hand_frame(), time_unit="M")
    np.testing.assert_allclose(weeks["T"], days["T"] / 7)
    np.testing.assert_allclose(months["T"], days["T"] / 30.4375)


def test_input_not_mutated():
    tx = hand_frame().sample(frac=1, random_state=3)
    before = tx.copy()
    ecrm.customer_summary(tx.assign(order_date=tx["order_date"].astype(str)), as_of="2024-01-20")
    ecrm.customer_summary(tx, as_of="2024-01-20")
    pd.testing.assert_frame_equal(tx, before)


def test_iso_strings_and_time_zones():
    tx = hand_frame()
    as_strings = ecrm.customer_summary(tx.assign(order_date=tx["order_date"].dt.strftime("%Y-%m-%dT%H:%M")))
    pd.testing.assert_frame_equal(
        as_strings.drop(columns=["first_purchase", "last_purchase"]),
        ecrm.customer_summary(tx).drop(columns=["first_purchase", "last_purchase"]),
    )
    aware = tx.assign(order_date=tx["order_date"].dt.tz_localize("Asia/Shanghai"))
    s = ecrm.customer_summary(aware, as_of="2024-01-31")
    assert str(s["first_purchase"].dt.tz) == "Asia/Shanghai"
    assert s.attrs["as_of"] == pd.Timestamp("2024-01-31", tz="Asia/Shanghai")
    assert s.loc["a", "recency_days"] == 16
    # Days are calendar days in the data's own zone, not in UTC.
    utc = aware.assign(order_date=aware["order_date"].dt.tz_convert("UTC"))
    s_utc = ecrm.customer_summary(utc, as_of="2024-01-31")
    # b bought at 2024-01-10 00:00 +08:00, which is 2024-01-09 16:00 UTC.
    assert s.loc["b", "recency_days"] == 21 and s_utc.loc["b", "recency_days"] == 22


def test_returns_net_exclude_raise():
    tx = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 1, 2, 2],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-01-05", "2024-01-05", "2024-01-09", "2024-01-02", "2024-01-03"]
            ),
            # customer 1: buy 50; buy 20 and return 5 the same day; a return-only day (-10)
            # customer 2: a return only after a purchase day
            "amount": [50.0, 20.0, -5.0, -10.0, 12.0, -12.0],
        }
    )
    net = ecrm.customer_summary(tx, as_of="2024-01-10")
    assert net.loc[1, "frequency"] == 1  # the return-only day is no purchase
    assert net.loc[1, "monetary_value"] == 15.0  # 20 - 5 netted into the repeat day
    assert net.loc[1, "total_spend"] == 55.0  # 50 + 20 - 5 - 10
    assert net.loc[1, "recency"] == 4.0
    assert net.loc[1, "last_purchase"] == pd.Timestamp("2024-01-05")
    assert net.loc[2, "total_spend"] == 0.0 and net.loc[2, "frequency"] == 0
    with pytest.warns(DataDroppedWarning, match="left out 3 row"):
        excluded = ecrm.customer_summary(tx, returns="exclude", as_of="2024-01-10")
    assert excluded.loc[1, "monetary_value"] == 20.0 and excluded.loc[1, "total_spend"] == 70.0
    with pytest.raises(SchemaError, match="negative amounts"):
        ecrm.customer_summary(tx, returns="raise")


def test_customer_with_only_returns_is_reported():
    tx = pd.DataFrame(
        {"customer_id": [1, 2], "order_date": ["2024-01-01", "2024-01-02"], "amount": [10.0, -3.0]}
    )
    with pytest.warns(DataDroppedWarning, match=r"1 customer\(s\) whose only rows .* \[2\]"):
        s = ecrm.customer_summary(tx)
    assert list(s.index) == [1]


def test_zero_amounts_are_purchases():
    tx = pd.DataFrame(
        {"customer_id": [1, 1], "order_date": ["2024-01-01", "2024-01-03"], "amount": [10.0, 0.0]}
    )
    s = ecrm.customer_summary(tx)
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "monetary_value"] == 0.0


def test_large_sparse_integer_ids_and_string_ids_agree():
    tx = hand_frame()
    mapping = {"a": 10**15, "b": -7, "c": 3}
    as_ints = ecrm.customer_summary(tx.assign(customer_id=tx["customer_id"].map(mapping)))
    as_strings = ecrm.customer_summary(tx)
    assert list(as_ints.index) == [-7, 3, 10**15]
    np.testing.assert_array_equal(as_ints.loc[[10**15, -7, 3], "T"], as_strings["T"])


def test_synthetic_agrees_with_lifetimes():
    tx = ecrm.datasets.make_transactions(3_000, random_state=5)
    ours = ecrm.customer_summary(tx)
    theirs = lifetimes_summary(tx.assign(order_date=tx["order_date"].dt.normalize()))
    for column in LIFETIMES_COLUMNS:
        np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-12, atol=1e-9)


def reference_summary(tx: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Obviously-correct per-customer loop (fine in tests, never in the library)."""
    rows = {}
    for cid, g in tx[tx["order_date"] <= as_of].groupby("customer_id"):
        buys = g[g["amount"] >= 0]
        days = buys["order_date"].dt.normalize()
        purchase_days = sorted(days.unique())
        if not purchase_days:
            continue
        spend = g.groupby(g["order_date"].dt.normalize())["amount"].sum()
        repeat = [spend[d] for d in purchase_days[1:]]
        rows[cid] = {
            "n_orders": len(purchase_days),
            "total_spend": g["amount"].sum(),
            "recency_days": (as_of.normalize() - days.max()).days,
            "frequency": len(purchase_days) - 1,
            "recency": float((purchase_days[-1] - purchase_days[0]).days),
            "T": float((as_of.normalize() - purchase_days[0]).days),
            "monetary_value": float(np.mean(repeat)) if repeat else 0.0,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.integers(0, 60),
            st.integers(0, 23),
            st.floats(-20, 100, allow_nan=False).map(lambda v: round(v, 2)),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 70),
)
def test_matches_reference_implementation(rows, as_of_offset):
    start = pd.Timestamp("2024-03-01")
    tx = pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "order_date": [start + pd.Timedelta(days=r[1], hours=r[2]) for r in rows],
            "amount": [r[3] for r in rows],
        }
    )
    as_of = start + pd.Timedelta(days=as_of_offset)
    expected = reference_summary(tx, as_of)
    expected = expected[expected["n_orders"] > 0] if len(expected) else expected
    if len(expected) == 0:  # nothing on or before as_of, or only returns
        with pytest.raises(SchemaError), warnings.catch_warnings():
            warnings.simplefilter("ignore", DataDroppedWarning)
            ecrm.customer_summary(tx, as_of=as_of)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        got = ecrm.customer_summary(tx, as_of=as_of)
    assert list(got.index) == list(expected.index)
    for column in expected.columns:
        np.testing.assert_allclose(got[column], expected[column], atol=1e-9, err_msg=column)


def test_rows_grouped_by_customer_take_the_block_path_with_the_same_result():
    # Grouped rows use reduceat over contiguous blocks; scattered rows use bincount and
    # ufunc.at. Both must give the same table, returns included.
    tx = ecrm.datasets.make_transactions(2_000, random_state=11, return_rate=0.05)
    grouped = tx.sort_values(["customer_id", "order_date"], kind="stable")
    scattered = tx.sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(ecrm.customer_summary(grouped), ecrm.customer_summary(scattered))
