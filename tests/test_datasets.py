"""Bundled CDNOW loaders and the synthetic BG/NBD + Gamma-Gamma generator."""

import numpy as np
import pandas as pd
import pytest

import ecrm
from ecrm.errors import SchemaError


def test_load_cdnow_matches_published_description(cdnow):
    assert list(cdnow.columns) == ["customer_id", "order_date", "quantity", "amount"]
    assert len(cdnow) == 69_659 and cdnow["customer_id"].nunique() == 23_570
    assert cdnow["order_date"].min() == pd.Timestamp("1997-01-01")
    assert cdnow["order_date"].max() == pd.Timestamp("1998-06-30")
    assert cdnow["order_date"].dtype == "datetime64[ns]"
    # The cohort was acquired in the first quarter of 1997.
    assert cdnow.groupby("customer_id")["order_date"].min().max() < pd.Timestamp("1997-04-01")


def test_load_cdnow_sample(cdnow_sample, cdnow):
    assert len(cdnow_sample) == 6_919 and cdnow_sample["customer_id"].nunique() == 2_357
    assert cdnow_sample["customer_id"].min() == 1 and cdnow_sample["customer_id"].max() == 2_357
    # The sample's rows are the master rows of its customers.
    master = cdnow[cdnow["customer_id"].isin(cdnow_sample["master_id"])]
    assert len(master) == len(cdnow_sample)
    assert master["amount"].sum() == pytest.approx(cdnow_sample["amount"].sum())


def test_make_transactions_is_deterministic_and_well_formed():
    a = ecrm.datasets.make_transactions(2_000, random_state=7)
    b = ecrm.datasets.make_transactions(2_000, random_state=7)
    pd.testing.assert_frame_equal(a, b)
    assert a["customer_id"].nunique() == 2_000
    assert a["order_id"].is_unique
    assert (a["amount"] > 0).all()
    assert a["order_date"].between("2023-01-01", "2024-06-30 23:59:59").all()
    assert a.attrs["params"]["r"] == pytest.approx(0.243)
    assert set(a["channel"].cat.categories) == {"web", "app", "store"}
    assert not a.equals(ecrm.datasets.make_transactions(2_000, random_state=8))


def test_make_transactions_moments_match_the_model():
    # Gamma-Gamma: E[order value] = p * E[1/nu] ... over customers: p * gamma / (q - 1).
    p, q, gamma = 6.0, 4.0, 30.0
    tx, truth = ecrm.datasets.make_transactions(
        40_000, random_state=1, p=p, q=q, gamma=gamma, return_truth=True
    )
    per_customer_first = tx.groupby("customer_id")["amount"].first()
    assert per_customer_first.mean() == pytest.approx(p * gamma / (q - 1), rel=0.03)
    # BG/NBD: repeat purchases observed equal the truth's count, and lambda ~ Gamma(r, alpha).
    assert (tx.groupby("customer_id").size() - 1).sum() == truth["n_repeat"].sum()
    assert truth["lam"].mean() == pytest.approx(0.243 / 4.414, rel=0.05)
    assert truth["p_drop"].mean() == pytest.approx(0.793 / (0.793 + 2.426), rel=0.03)
    # A customer who dropped out made at least one repeat purchase (BG/NBD).
    assert (truth.loc[~truth["alive"], "n_repeat"] >= 1).all()


def test_expected_repeat_purchases_match_bgnbd_formula():
    # E[X(t)] of BG/NBD (Fader, Hardie and Lee 2005, eq. 9) for one cohort born at 0.
    from scipy.special import hyp2f1

    r, alpha, a, b, t = 0.5, 5.0, 0.8, 2.5, 52.0
    z = t / (alpha + t)
    expected = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
    tx = ecrm.datasets.make_transactions(
        60_000, "2024-01-01", "2024-12-29", random_state=3, r=r, alpha=alpha, a=a, b=b, acquisition_days=1
    )
    repeats = tx.groupby("customer_id").size() - 1
    # acquisition_days=1: everyone is born within the first day; T is 52 weeks +- 1 day.
    assert repeats.mean() == pytest.approx(expected, rel=0.03)


def test_returns_rows():
    tx = ecrm.datasets.make_transactions(5_000, random_state=2, return_rate=0.1)
    negative = tx[tx["amount"] < 0]
    assert 0.05 < len(negative) / (tx["amount"] > 0).sum() < 0.11
    originals = tx[tx["amount"] > 0].set_index("order_id")
    assert (originals.loc[negative["order_id"], "amount"].to_numpy() == -negative["amount"].to_numpy()).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_customers": 0},
        {"r": -1.0},
        {"alpha": np.nan},
        {"return_rate": 1.0},
        {"start": "2024-01-02", "end": "2024-01-01"},
        {"time_unit": "Y"},
        {"acquisition_days": 10_000},
    ],
)
def test_make_transactions_refuses_bad_parameters(kwargs):
    with pytest.raises(SchemaError):
        ecrm.datasets.make_transactions(**{"n_customers": 10, **kwargs})


def test_make_online_retail_has_the_uci_shape():
    a = ecrm.datasets.make_online_retail(n_customers=400, random_state=3)
    pd.testing.assert_frame_equal(a, ecrm.datasets.make_online_retail(n_customers=400, random_state=3))
    assert not a.equals(ecrm.datasets.make_online_retail(n_customers=400, random_state=4))
    assert list(a.columns) == [
        *["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice"],
        *["CustomerID", "Country"],
    ]
    assert a["CustomerID"].dtype == np.float64 and a["CustomerID"].dropna().nunique() == 400
    guests = a["CustomerID"].isna()
    assert 0.05 < guests.mean() < 0.3  # guest checkouts, as in the UCI file
    # Dates are text, month first and not zero-padded, all inside the window.
    when = pd.to_datetime(a["InvoiceDate"], format="%m/%d/%Y %H:%M")
    assert a["InvoiceDate"].str.match(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}$").all()
    assert when.min() >= pd.Timestamp("2010-12-01") and when.max() < pd.Timestamp("2011-12-10")
    assert (when.dt.day_of_week != 5).all()  # no Saturdays
    # Several lines per invoice, one customer and one time per invoice.
    per_invoice = a.assign(when=when).groupby("InvoiceNo")
    assert per_invoice.size().mean() > 3
    assert (per_invoice["when"].nunique() == 1).all()
    assert (per_invoice["CustomerID"].nunique(dropna=False) == 1).all()
    # Cancellations: "C" invoices of registered customers, every line a negative quantity,
    # after one of the customer's invoices; every other line is a positive quantity.
    cancelled = a["InvoiceNo"].str.startswith("C")
    assert 0 < cancelled.mean() < 0.1
    assert (a.loc[cancelled, "Quantity"] < 0).all() and (a.loc[~cancelled, "Quantity"] > 0).all()
    assert a.loc[cancelled, "CustomerID"].notna().all()
    first_buy = when[~cancelled].groupby(a["CustomerID"]).min()
    assert (when[cancelled].to_numpy() >= first_buy.loc[a.loc[cancelled, "CustomerID"]].to_numpy()).all()
    # A catalogue: each stock code is one product with one description and price.
    assert (a.groupby("StockCode")["Description"].nunique() == 1).all()
    assert (a.groupby("StockCode")["UnitPrice"].nunique() == 1).all()
    assert a["StockCode"].str.match(r"^\d{5}[A-G]$").all() and (a["UnitPrice"] > 0).all()
    # Invoice numbers increase with time.
    numbers = a["InvoiceNo"].str.removeprefix("C").astype(int)
    assert (np.diff(numbers.to_numpy()) >= 0).all()
    assert (when.groupby(numbers).min().diff().dropna() >= pd.Timedelta(0)).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 0}, "n_customers=0"),
        ({"guest_share": 1.0}, "guest_share=1.0"),
        ({"cancel_rate": -0.1}, "cancel_rate=-0.1"),
        ({"start": "2024-01-02", "end": "2024-01-01"}, "is before start"),
    ],
)
def test_make_online_retail_bad_arguments(kwargs, message):
    with pytest.raises(SchemaError, match=message):
        ecrm.datasets.make_online_retail(**kwargs)


def test_make_baskets_is_deterministic_and_well_formed():
    a = ecrm.datasets.make_baskets(1_000, 80, random_state=3)
    pd.testing.assert_frame_equal(a, ecrm.datasets.make_baskets(1_000, 80, random_state=3))
    assert not a.equals(ecrm.datasets.make_baskets(1_000, 80, random_state=4))
    assert a["customer_id"].nunique() == 1_000 and a["product_id"].between(1, 80).all()
    assert not a.duplicated(["order_id", "product_id"]).any()  # one line per product and order
    assert (a["amount"] == (a["quantity"] * a["price"]).round(2)).all() and (a["quantity"] >= 1).all()
    # every order belongs to one customer and one date
    assert (a.groupby("order_id")[["customer_id", "order_date"]].nunique() == 1).all().all()


def test_make_baskets_draws_follow_tastes_and_basket_size():
    # Without planted rules, every unit of quantity is one draw: 1 + Poisson(basket_size - 1)
    # per order, from the favourite category with probability taste_strength, else from the
    # catalogue by popularity (which also lands in the favourite category sometimes).
    lines, truth = ecrm.datasets.make_baskets(
        20_000, 300, random_state=4, n_rules=0, basket_size=2.5, taste_strength=0.6, return_truth=True
    )
    assert lines.groupby("order_id")["quantity"].sum().mean() == pytest.approx(2.5, rel=0.02)
    favourite = truth["customers"]["favourite_category"].reindex(lines["customer_id"]).to_numpy()
    mass = truth["products"].groupby("category")["popularity"].sum()
    expected = 0.6 + 0.4 * mass.reindex(favourite).to_numpy()
    weights = lines["quantity"].to_numpy()
    observed = np.average(lines["category"].to_numpy() == favourite, weights=weights)
    assert observed == pytest.approx(np.average(expected, weights=weights), abs=0.01)
    assert truth["products"]["popularity"].sum() == pytest.approx(1.0)


def test_make_baskets_bad_parameters():
    for kwargs in [{"n_rules": 200}, {"basket_size": 0.5}, {"taste_strength": 1.5}, {"n_categories": 0}]:
        with pytest.raises(SchemaError, match="make_baskets"):
            ecrm.datasets.make_baskets(100, 100, **kwargs)
