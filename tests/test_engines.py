"""Engines (issue 15): every reduction on DuckDB, Polars, PySpark and Dask equals the
pandas path (integers exactly, floats to 1e-9), on real CDNOW and on a generated log with
returns, cancelled orders, ties and text ids; bad input gives the same SchemaError."""

import warnings

import numpy as np
import pandas as pd
import pytest

import ecrm
from ecrm.errors import DataDroppedWarning


def assert_same(got, expected):
    """Equal tables: the same index, columns and dtypes kinds; integers and labels
    exactly, floats to 1e-9 (engines sum in another order); datetimes to the microsecond."""
    assert isinstance(got, type(expected))
    if isinstance(expected, pd.Series):
        got, expected = got.to_frame(), expected.to_frame()
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_index_equal(got.index, expected.index, exact=False)
    for name in expected.columns:
        g, e = got[name], expected[name]
        if e.dtype.kind == "M":
            e = e.astype("datetime64[us]")
            g = g.astype("datetime64[us]")
        if e.dtype.kind == "f":
            assert g.dtype.kind == "f", name
            np.testing.assert_allclose(g.to_numpy(), e.to_numpy(), rtol=1e-9, atol=1e-9, err_msg=name)
        else:
            pd.testing.assert_series_equal(g, e, check_names=False, obj=name)


@pytest.fixture(scope="module")
def cdnow_small(cdnow):
    """A slice of real CDNOW (every row of 3,000 customers): fast on every engine."""
    return cdnow[cdnow["customer_id"] <= 3000].reset_index(drop=True)


@pytest.fixture(scope="module")
def shop():
    """A generated log with returns, a cancelled order, ties and text ids: order lines of
    400 customers, some lines repeated (same customer, order and instant), one customer
    with only returns."""
    tx = ecrm.datasets.make_transactions(n_customers=400, return_rate=0.15, random_state=3)
    tx = tx[["customer_id", "order_id", "order_date", "amount", "quantity"]]
    ties = tx.iloc[::7]
    tx = pd.concat([tx, ties], ignore_index=True)
    only_returns = pd.DataFrame(
        {
            "customer_id": [999],
            "order_id": [999_999],
            "order_date": [pd.Timestamp("2023-06-01 10:00")],
            "amount": [-12.5],
            "quantity": [1],
        }
    )
    tx = pd.concat([tx, only_returns], ignore_index=True)
    tx["customer_id"] = "c" + tx["customer_id"].astype(str).str.zfill(4)
    tx["order_id"] = np.where(tx.index % 50 == 3, "C", "") + tx["order_id"].astype(str)
    return tx.sort_values("order_date", kind="stable").reset_index(drop=True)


SHOP = {"order_col": "order_id", "cancel_prefix": "C"}


def both(frame, on_engine, **mapping):
    """The same data as a pandas log and as an engine log."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        return ecrm.transactions(frame, **mapping), ecrm.transactions(on_engine(frame), **mapping)


# ---------------------------------------------------------------------------------------
# customer_summary


@pytest.mark.parametrize(
    "options", [{}, {"as_of": "1997-09-30", "freq": "W", "time_unit": "W"}, {"freq": "M", "time_unit": "D"}]
)
def test_summary_cdnow(cdnow_small, on_engine, options):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    assert_same(ecrm.customer_summary(engine_log, **options), ecrm.customer_summary(pandas_log, **options))


@pytest.mark.parametrize("options", [{}, {"as_of": "2023-12-31", "freq": "Q", "time_unit": "M"}])
def test_summary_shop(shop, on_engine, options):
    pandas_log, engine_log = both(shop, on_engine, **SHOP)
    with pytest.warns(DataDroppedWarning, match="whose only rows"):
        expected = ecrm.customer_summary(pandas_log, **options)
    with pytest.warns(DataDroppedWarning, match="whose only rows"):
        got = ecrm.customer_summary(engine_log, **options)
    assert_same(got, expected)
    assert got.attrs == expected.attrs


# ---------------------------------------------------------------------------------------
# rfm, metrics


def test_rfm_score(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    assert_same(
        ecrm.rfm.score(engine_log, as_of="1998-01-31"), ecrm.rfm.score(pandas_log, as_of="1998-01-31")
    )


@pytest.mark.parametrize(
    "options", [{"freq": "M"}, {"freq": "W", "as_of": "2023-10-15", "start": "2023-06-01"}]
)
def test_kpis_shop(shop, on_engine, options):
    pandas_log, engine_log = both(shop, on_engine, **SHOP)
    assert_same(ecrm.metrics.kpis(engine_log, **options), ecrm.metrics.kpis(pandas_log, **options))


def test_kpis_by_group(shop, on_engine):
    frame = shop.assign(channel=np.where(shop.index % 3 == 0, "app", "web"))
    pandas_log, engine_log = both(frame, on_engine, **SHOP)
    assert_same(ecrm.metrics.kpis(engine_log, by="channel"), ecrm.metrics.kpis(pandas_log, by="channel"))


def test_kpis_cdnow(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    assert_same(ecrm.metrics.kpis(engine_log, freq="Q"), ecrm.metrics.kpis(pandas_log, freq="Q"))


@pytest.mark.parametrize("options", [{}, {"value": "revenue", "freq": "Q", "normalize": False}])
def test_cohort_retention(shop, on_engine, options):
    pandas_log, engine_log = both(shop, on_engine, **SHOP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)  # the customers with only returns
        expected = ecrm.metrics.cohort_retention(pandas_log, **options)
        got = ecrm.metrics.cohort_retention(engine_log, **options)
    assert_same(got, expected)
    assert got.attrs == expected.attrs


def test_cohort_retention_cdnow(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    assert_same(ecrm.metrics.cohort_retention(engine_log), ecrm.metrics.cohort_retention(pandas_log))


# ---------------------------------------------------------------------------------------
# churn


@pytest.mark.parametrize("as_of", [None, "2024-01-31"])
def test_churn_features_shop(shop, on_engine, as_of):
    pandas_log, engine_log = both(shop, on_engine, **SHOP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        expected = ecrm.churn.features(pandas_log, as_of=as_of)
        got = ecrm.churn.features(engine_log, as_of=as_of)
    assert "return_share" in expected
    assert_same(got, expected)


def test_churn_dataset_cdnow(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    expected = ecrm.churn.dataset(pandas_log, cutoff="1997-12-31", horizon_days=120, min_history_days=30)
    got = ecrm.churn.dataset(engine_log, cutoff="1997-12-31", horizon_days=120, min_history_days=30)
    assert_same(got.X, expected.X)
    assert_same(got.y, expected.y)
    assert (got.cutoff, got.horizon) == (expected.cutoff, expected.horizon)


# ---------------------------------------------------------------------------------------
# lifecycle


def test_lifecycle_stage_cdnow(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    windows = {"new_days": 30, "active_days": 60, "churn_days": 90}
    expected = ecrm.lifecycle.stage(pandas_log, as_of="1998-03-31", windows=windows)
    got = ecrm.lifecycle.stage(engine_log, as_of="1998-03-31", windows=windows)
    assert expected["lapse_days"].notna().sum() > 50  # comebacks are exercised
    assert_same(got, expected)
    assert got.attrs == expected.attrs


def test_lifecycle_stage_shop_with_prospects(shop, on_engine):
    pandas_log, engine_log = both(shop, on_engine, **SHOP)
    ids = np.sort(np.r_[shop["customer_id"].unique(), ["p001", "p002"]])
    customers = pd.DataFrame({"customer_id": ids, "signup_date": pd.Timestamp("2023-01-01")})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        expected = ecrm.lifecycle.stage(pandas_log, customers=customers, lang="zh")
        got = ecrm.lifecycle.stage(engine_log, customers=customers, lang="zh")
    assert (expected["stage"] == "潜在客户").sum() >= 2
    assert_same(got, expected)
