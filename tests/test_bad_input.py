"""Issue 18: every public function, thrown the families of bad input, gives a result or an
ecrm error (``EcrmError``, or scikit-learn's ``NotFittedError``), never another exception,
and never changes the input it was given.

Each family is a small change of one good input (transactions, a customer summary, tickets,
survey answers, loyalty events, campaign assignments, model features); each function is a
call of one public entry point on it. Wrong parameter types and extreme values are thrown
at the keywords of each function the same way. The point is the contract, not the values
(other test modules check those): an answer, or an error that names the problem.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

import ecrm
from ecrm import campaign, churn, clv, lifecycle, loyalty, metrics, recommend, report, rfm, service, survey
from ecrm.errors import EcrmError
from ecrm.segmentation import KMeansSegmenter

ALLOWED = (EcrmError, NotFittedError)


# ---------------------------------------------------------------------------------------
# Good inputs: small, deterministic, every column the functions below use.


def _transactions() -> pd.DataFrame:
    rng = np.random.default_rng(18)
    n = 240
    customer = rng.integers(1, 25, n)
    day = rng.integers(0, 540, n)
    frame = pd.DataFrame(
        {
            "customer_id": customer,
            "order_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(day, unit="D"),
            "amount": np.round(rng.gamma(2.0, 20.0, n), 2),
            "order_id": [f"o{c}-{d}" for c, d in zip(customer, day, strict=True)],
            "product_id": rng.choice([f"p{i}" for i in range(8)], n, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05]),
            "channel": rng.choice(["web", "app"], n),
        }
    )
    frame.loc[frame.index % 17 == 0, "amount"] *= -1  # a few returns
    return frame.sort_values("order_date", kind="stable").reset_index(drop=True)


CUT, END = "2023-12-31", "2024-06-23"
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # returns left out of points, small-data fits
    TX = _transactions()
    SUMMARY = ecrm.customer_summary(TX)
    TICKETS = ecrm.datasets.make_tickets(40, start="2024-01-01", end="2024-03-31", n_customers=10, random_state=0)
    SURVEYS = ecrm.datasets.make_surveys(
        60, customer_ids=SUMMARY.index, start="2023-06-01", end="2024-06-01", random_state=0
    )
    EVENTS = loyalty.LoyaltyProgram().earn_events(TX, order_col="order_id")
    DATASET = churn.dataset(TX, cutoff=CUT, horizon_days=90)
    CLV_MODEL = clv.CLVModel(penalizer=0.01).fit(SUMMARY)
    CHURN_MODEL = churn.ChurnModel(estimator="logistic").fit(*DATASET)
    POPULAR = recommend.Popular().fit(TX, product_col="product_id")
SCORES = SURVEYS.rename(columns={"nps_score": "score"})[["customer_id", "date", "touchpoint", "score"]]
ASSIGN = pd.DataFrame(
    {
        "customer_id": SUMMARY.index,
        "group": np.where(np.arange(len(SUMMARY)) % 2 == 0, "treatment", "control"),
    }
)
X, Y = DATASET.X, DATASET.y
TREATED = pd.Series(np.arange(len(X)) % 2 == 0, index=X.index)


def check(call: Callable[[Any], object], data: Any) -> None:
    """``call(data)`` returns or raises an ecrm error; ``data`` is unchanged after it."""
    before = copy.deepcopy(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(data)
        except ALLOWED:
            pass
    _assert_same(data, before)


def _assert_same(after: Any, before: Any) -> None:
    if isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(after, before, check_exact=True)
        assert after.attrs.keys() == before.attrs.keys()
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(after, before, check_exact=True)
    elif isinstance(before, np.ndarray):
        np.testing.assert_array_equal(after, before)
    elif isinstance(before, list | tuple):
        assert len(after) == len(before)
        for a, b in zip(after, before, strict=True):
            _assert_same(a, b)


# ---------------------------------------------------------------------------------------
# Families of bad transactions


def _col(frame: pd.DataFrame, name: str, values: object) -> pd.DataFrame:
    out = frame.copy()
    out[name] = values
    return out


def _every(n: int, frame: pd.DataFrame) -> np.ndarray:
    return np.arange(len(frame)) % n == 0


def _two_zones(t: pd.DataFrame) -> pd.DataFrame:
    utc = t["order_date"].dt.tz_localize("UTC")
    mixed = [s.tz_convert("Asia/Shanghai") if i % 3 == 0 else s for i, s in enumerate(utc)]
    return _col(t, "order_date", pd.Series(mixed, index=t.index, dtype=object))


TX_FAMILIES: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "good": lambda t: t.copy(),
    "missing_amount": lambda t: t.drop(columns="amount"),
    "misspelt_customer": lambda t: t.rename(columns={"customer_id": "CustomerID"}),
    "duplicated_column": lambda t: pd.concat([t, t[["amount"]]], axis=1),
    "nan_ids": lambda t: _col(t, "customer_id", t["customer_id"].astype(float).mask(_every(7, t))),
    "mixed_ids": lambda t: _col(t, "customer_id", t["customer_id"].astype(object).mask(_every(2, t), "1")),
    "categorical_ids": lambda t: _col(t, "customer_id", t["customer_id"].astype("category")),
    "text_dates": lambda t: _col(t, "order_date", t["order_date"].astype(str).mask(_every(9, t), "soon")),
    "dates_as_numbers": lambda t: _col(t, "order_date", t["order_date"].dt.strftime("%Y%m%d").astype(int)),
    "day_first_strings": lambda t: _col(t, "order_date", t["order_date"].dt.strftime("%d/%m/%Y")),
    "two_zones": _two_zones,
    "zone_aware": lambda t: _col(t, "order_date", t["order_date"].dt.tz_localize("America/New_York")),
    "missing_dates": lambda t: _col(t, "order_date", t["order_date"].mask(_every(11, t))),
    "year_2400": lambda t: _col(t, "order_date", t["order_date"].astype("datetime64[s]") + pd.DateOffset(years=400)),
    "nan_amounts": lambda t: _col(t, "amount", t["amount"].mask(_every(5, t))),
    "inf_amounts": lambda t: _col(t, "amount", t["amount"].mask(_every(5, t), np.inf)),
    "text_amounts": lambda t: _col(t, "amount", t["amount"].astype(str).str.replace(".", ",", regex=False)),
    "bool_amounts": lambda t: _col(t, "amount", t["amount"] > 20),
    "zero_amounts": lambda t: _col(t, "amount", 0.0),
    "only_returns": lambda t: _col(t, "amount", -t["amount"].abs()),
    "huge_amounts": lambda t: _col(t, "amount", t["amount"] * 1e300),
    "empty": lambda t: t.iloc[:0],
    "one_row": lambda t: t.iloc[:1],
    "one_customer": lambda t: t[t["customer_id"] == t["customer_id"].iloc[0]],
    "duplicated_index": lambda t: t.set_axis(np.zeros(len(t), dtype=int)),
    "multi_index": lambda t: t.set_index(["customer_id", "order_id"], drop=False),
    "all_object": lambda t: t.astype(object),
    "not_a_frame": lambda t: t.to_numpy(),
}

TX_FUNCTIONS: dict[str, Callable[[Any], object]] = {
    "customer_summary": lambda d: ecrm.customer_summary(d, order_col="order_id"),
    "transactions": lambda d: ecrm.transactions(d, order_col="order_id", product_col="product_id"),
    "rfm.score": rfm.score,
    "lifecycle.stage": lifecycle.stage,
    "lifecycle.history": lifecycle.history,
    "lifecycle.transitions": lambda d: lifecycle.transitions(d, start=CUT, end=END),
    "lifecycle.suggest_windows": lifecycle.suggest_windows,
    "metrics.kpis": lambda d: metrics.kpis(d, by="channel", order_col="order_id"),
    "metrics.cohort_retention": lambda d: metrics.cohort_retention(d, value="revenue"),
    "metrics.retention_rate": metrics.retention_rate,
    "metrics.churn_rate": metrics.churn_rate,
    "metrics.repurchase_rate": lambda d: metrics.repurchase_rate(d, window_days=30),
    "metrics.time_to_second_purchase": metrics.time_to_second_purchase,
    "churn.features": churn.features,
    "churn.dataset": lambda d: churn.dataset(d, cutoff=CUT, horizon_days=90),
    "churn.bgnbd_baseline": lambda d: churn.bgnbd_baseline(d, as_of=CUT),
    "clv.calibration_holdout": lambda d: clv.calibration_holdout(d, calibration_end=CUT),
    "clv.evaluate_holdout": lambda d: clv.evaluate_holdout(d, calibration_end=CUT, holdout_end=END),
    "CLVModel.p_alive_history": lambda d: CLV_MODEL.p_alive_history(d, [1, 2]),
    "LoyaltyProgram.earn_events": lambda d: loyalty.LoyaltyProgram().earn_events(d, order_col="order_id"),
    "recommend.frequent_itemsets": lambda d: recommend.frequent_itemsets(d, product_col="product_id", min_support=0.05),
    "recommend.association_rules": lambda d: recommend.association_rules(d, product_col="product_id", min_support=0.02),
    "recommend.ItemKNN.fit": lambda d: recommend.ItemKNN().fit(d, product_col="product_id"),
    "recommend.evaluate": lambda d: recommend.evaluate(POPULAR, d, split_date="2024-03-31", product_col="product_id"),
    "campaign.outcomes": lambda d: campaign.outcomes(ASSIGN["customer_id"], d, start="2024-01-01"),
    "campaign.evaluate": lambda d: campaign.evaluate(ASSIGN, d, start="2024-01-01"),
}


@pytest.mark.parametrize("family", list(TX_FAMILIES))
@pytest.mark.parametrize("function", list(TX_FUNCTIONS))
def test_transactions_families(function, family):
    check(TX_FUNCTIONS[function], TX_FAMILIES[family](TX))
