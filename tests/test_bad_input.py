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
            "product_id": rng.choice(
                [f"p{i}" for i in range(8)], n, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05]
            ),
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
    TICKETS = ecrm.datasets.make_tickets(
        40, start="2024-01-01", end="2024-03-31", n_customers=10, random_state=0
    )
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


def broken_cases(call: Callable[[Any], object], cases: dict[str, Callable[[], Any]]) -> list[str]:
    """:func:`check` on every case (built fresh): the cases that break, each with its error,
    so a test lists every broken case at once."""
    broken = []
    for name, make in cases.items():
        try:
            check(call, make())
        except Exception as err:  # the report lists every case that broke
            broken.append(
                f"{name}: {type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}"
            )
    return broken


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
    "year_2400": lambda t: _col(
        t, "order_date", t["order_date"].astype("datetime64[s]") + pd.DateOffset(years=400)
    ),
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
    "recommend.frequent_itemsets": lambda d: recommend.frequent_itemsets(
        d, product_col="product_id", min_support=0.05
    ),
    "recommend.association_rules": lambda d: recommend.association_rules(
        d, product_col="product_id", min_support=0.02
    ),
    "recommend.ItemKNN.fit": lambda d: recommend.ItemKNN().fit(d, product_col="product_id"),
    "recommend.evaluate": lambda d: recommend.evaluate(
        POPULAR, d, split_date="2024-03-31", product_col="product_id"
    ),
    "campaign.outcomes": lambda d: campaign.outcomes(ASSIGN["customer_id"], d, start="2024-01-01"),
    "campaign.evaluate": lambda d: campaign.evaluate(ASSIGN, d, start="2024-01-01"),
}


@pytest.mark.parametrize("function", list(TX_FUNCTIONS))
def test_transactions_families(function):
    cases = {name: lambda f=f: f(TX) for name, f in TX_FAMILIES.items()}
    assert broken_cases(TX_FUNCTIONS[function], cases) == []


# ---------------------------------------------------------------------------------------
# Other inputs: one dict of families each, and the entry points that read them.


def _frame_families(good: pd.DataFrame, id_col: str, date_col: str | None, number_col: str | None) -> dict:
    """The families every input frame meets: columns, ids, dates, numbers, shape, index."""
    families: dict[str, Callable[[pd.DataFrame], object]] = {
        "good": lambda f: f.copy(),
        "missing_id": lambda f: f.drop(columns=id_col),
        "misspelt_id": lambda f: f.rename(columns={id_col: id_col.upper()}),
        "nan_ids": lambda f: _col(f, id_col, f[id_col].astype(object).mask(_every(3, f))),
        "mixed_ids": lambda f: _col(f, id_col, f[id_col].astype(object).mask(_every(2, f), "1")),
        "empty": lambda f: f.iloc[:0],
        "one_row": lambda f: f.iloc[:1],
        "duplicated_index": lambda f: f.set_axis(np.zeros(len(f), dtype=int)),
        "multi_index": lambda f: f.set_axis(
            pd.MultiIndex.from_arrays([np.arange(len(f)), np.arange(len(f))])
        ),
        "duplicated_rows": lambda f: pd.concat([f, f.iloc[:3]]),
        "all_object": lambda f: f.astype(object),
        "a_list": lambda f: f.to_dict("records"),
    }
    if date_col is not None:
        families |= {
            "text_dates": lambda f: _col(f, date_col, f[date_col].astype(str).mask(_every(4, f), "soon")),
            "dates_as_numbers": lambda f: _col(f, date_col, np.arange(len(f))),
            "missing_dates": lambda f: _col(f, date_col, f[date_col].mask(_every(4, f))),
            "zone_aware": lambda f: _col(f, date_col, pd.to_datetime(f[date_col]).dt.tz_localize("UTC")),
            "year_2400": lambda f: _col(
                f, date_col, pd.to_datetime(f[date_col]).astype("datetime64[s]") + pd.DateOffset(years=400)
            ),
        }
    if number_col is not None:
        families |= {
            "nan_numbers": lambda f: _col(f, number_col, f[number_col].astype(float).mask(_every(4, f))),
            "inf_numbers": lambda f: _col(
                f, number_col, f[number_col].astype(float).mask(_every(4, f), np.inf)
            ),
            "text_numbers": lambda f: _col(
                f, number_col, f[number_col].astype(str).mask(_every(4, f), "n/a")
            ),
            "bool_numbers": lambda f: _col(f, number_col, f[number_col].astype(float) > 0),
            "negative_numbers": lambda f: _col(f, number_col, -f[number_col].astype(float) - 1),
            "huge_numbers": lambda f: _col(f, number_col, f[number_col].astype(float) * 1e300),
        }
    return families


def _summary_families() -> dict:
    families = _frame_families(SUMMARY, "T", None, "recency_days")
    del families["missing_id"], families["misspelt_id"], families["nan_ids"], families["mixed_ids"]
    return families | {
        "csv_round_trip": lambda s: pd.read_csv(__import__("io").StringIO(s.to_csv()), index_col=0),
        "without_T": lambda s: s.drop(columns="T"),
        "nan_frequency": lambda s: _col(s, "frequency", s["frequency"].mask(_every(3, s))),
        "fractional_frequency": lambda s: _col(s, "frequency", s["frequency"] + 0.5),
        "recency_after_T": lambda s: _col(s, "recency", s["T"] + 10),
        "text_monetary": lambda s: _col(s, "monetary_value", s["monetary_value"].astype(str)),
        "merged_with_transactions": lambda s: TX.merge(s, left_on="customer_id", right_index=True),
        "one_customer": lambda s: s.iloc[:1],
        "reindexed_strings": lambda s: s.set_axis(s.index.astype(str)),
    }


def _segmented():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rfm.segment(rfm.score(SUMMARY))


INPUTS: dict[str, tuple[object, dict, dict]] = {
    "summary": (
        SUMMARY,
        _summary_families(),
        {
            "rfm.score": rfm.score,
            "CLVModel.fit": lambda s: clv.CLVModel(penalizer=0.01).fit(s),
            "CLVModel.predict_clv": lambda s: CLV_MODEL.predict_clv(summary=s),
            "CLVModel.p_alive": CLV_MODEL.p_alive,
            "CLVModel.expected_purchases": lambda s: CLV_MODEL.expected_purchases(10, s),
            "KMeansSegmenter.fit": lambda s: KMeansSegmenter(n_clusters=2, n_init=1).fit(s),
            "report.overview": report.overview,
        },
    ),
    "segmented": (
        _segmented(),
        _frame_families(_segmented(), "segment", None, "monetary"),
        {"rfm.segment_summary": rfm.segment_summary, "rfm.segment": rfm.segment},
    ),
    "tickets": (
        TICKETS,
        _frame_families(TICKETS, "customer_id", "created_at", "csat")
        | {"csat_seven": lambda t: _col(t, "csat", t["csat"].fillna(7.0))},
        {
            "service.sla": lambda t: service.sla(t, by="channel"),
            "service.customer_features": lambda t: service.customer_features(t, as_of="2024-03-15"),
        },
    ),
    "surveys": (
        SCORES,
        _frame_families(SCORES, "customer_id", "date", "score")
        | {
            "a_true_among_scores": lambda f: _col(
                f, "score", f["score"].astype(object).mask(_every(5, f), True)
            )
        },
        {
            "survey.nps": lambda f: survey.nps(f, by="touchpoint"),
            "survey.csat": lambda f: survey.csat(f, scale=(0, 10)),
            "survey.ces": lambda f: survey.ces(f, scale=(0, 10)),
            "survey.nps_trend": survey.nps_trend,
            "survey.nps_category": lambda f: survey.nps_category(
                f["score"] if isinstance(f, pd.DataFrame) else f
            ),
            "survey.nps_test": lambda f: survey.nps_test(f, SCORES),
            "survey.link": lambda f: survey.link(f, SUMMARY),
            "survey.by_segment": lambda f: survey.by_segment(f, _segmented(), "segment"),
        },
    ),
    "loyalty_events": (
        EVENTS,
        _frame_families(EVENTS, "customer_id", "ts", "points")
        | {
            "repeated_event_id": lambda e: _col(e, "event_id", "same"),
            "unknown_type": lambda e: _col(e, "type", e["type"].mask(_every(5, e), "gift")),
            "redeem_more_than_earned": lambda e: pd.concat(
                [e, e.iloc[[0]].assign(event_id="r", type="redeem", points=10**9)], ignore_index=True
            ),
        },
        {
            "Ledger.balances": lambda e: loyalty.Ledger(e).balances(),
            "Ledger.tiers": lambda e: loyalty.Ledger(e).tiers(),
            "Ledger.summary": lambda e: loyalty.Ledger(e).summary(),
            "Ledger.liability": lambda e: loyalty.Ledger(e).liability(breakage=0.1),
            "Ledger.expire": lambda e: loyalty.Ledger(e).expire(),
            "Ledger.tier_history": lambda e: loyalty.Ledger(e).tier_history(),
        },
    ),
    "assignments": (
        ASSIGN,
        _frame_families(ASSIGN, "customer_id", None, None)
        | {
            "one_group": lambda a: _col(a, "group", "treatment"),
            "bool_groups": lambda a: _col(a, "group", True),
        },
        {"campaign.evaluate": lambda a: campaign.evaluate(a, TX, start="2024-01-01")},
    ),
}


@pytest.mark.parametrize(("kind", "function"), [(k, fn) for k, (_, _, fns) in INPUTS.items() for fn in fns])
def test_input_families(kind, function):
    good, families, functions = INPUTS[kind]
    cases = {name: lambda f=f: f(good) for name, f in families.items()}
    assert broken_cases(functions[function], cases) == []


# ---------------------------------------------------------------------------------------
# Wrong parameter types and extreme values, keyword by keyword

BAD_VALUES: dict[str, list[object]] = {
    "date": [
        "soon",
        20240101,
        True,
        [2024],
        pd.Timestamp("2024-01-01", tz="Asia/Tokyo"),
        "1700-01-01",
        "2500-01-01",
    ],
    "dates": ["2023-06-30", ["2023-06-30", "soon"], [20230630, 20231231], []],
    "freq": ["H", 5, None, "month"],
    "count": ["3", 2.5, True, -1, 0, np.nan, None, np.int64(2)],
    "number": ["0.1", True, np.nan, np.inf, -1.0, 1e308, None, np.float32(2.0)],
    "share": ["0.5", True, -0.1, 1.5, np.nan, None, 0, 1],
    "lang": ["fr", 5, None],
    "column": [5, "nope", ["customer_id"], None, ""],
    "flag": ["yes", 2, None],
    "choice": ["nope", 5, None, ["a"], {"a": 1}, (1, 2, 3)],
}

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    SCORED = rfm.score(SUMMARY)
    RISK = CHURN_MODEL.risk_tier(X)
    LEDGER = loyalty.Ledger(EVENTS)
    UPLIFT = campaign.UpliftModel(estimator="linear").fit(X, TREATED, Y)
    SBG = clv.SBGModel().fit(ecrm.datasets.load_retention_cohorts()["regular"])
P = CHURN_MODEL.churn_probability(X)


def _with(function: Callable[..., object], *args: object, **fixed: object) -> Callable[..., object]:
    return lambda **kw: function(*args, **(fixed | kw))


PARAMS: dict[str, tuple[Callable[..., object], dict[str, str]]] = {
    "customer_summary": (
        _with(ecrm.customer_summary, TX),
        {"as_of": "date", "freq": "freq", "time_unit": "choice", "returns": "choice", "order_col": "column"},
    ),
    "transactions": (
        _with(ecrm.transactions, TX),
        {
            "customer_col": "column",
            "date_format": "choice",
            "dayfirst": "flag",
            "missing_customers": "choice",
            "cancel_prefix": "column",
            "quantity_col": "column",
        },
    ),
    "rfm.score": (
        _with(rfm.score, TX),
        {"bins": "count", "monetary": "choice", "method": "choice", "as_of": "date", "weights": "choice"},
    ),
    "rfm.score(edges)": (_with(rfm.score, SUMMARY, method="fixed"), {"edges": "choice"}),
    "rfm.segment": (
        _with(rfm.segment, SCORED),
        {"scheme": "choice", "lang": "lang", "threshold": "choice", "segment_map": "choice"},
    ),
    "lifecycle.stage": (_with(lifecycle.stage, TX), {"as_of": "date", "windows": "choice", "lang": "lang"}),
    "lifecycle.history": (_with(lifecycle.history, TX), {"freq": "freq", "start": "date", "as_of": "date"}),
    "lifecycle.transitions": (
        _with(lifecycle.transitions, TX, start=CUT, end=END),
        {"start": "date", "end": "date", "normalize": "flag", "customers": "choice"},
    ),
    "lifecycle.suggest_windows": (
        _with(lifecycle.suggest_windows, TX),
        {"loyal_orders": "count", "as_of": "date"},
    ),
    "lifecycle.LifecycleWindows": (
        lifecycle.LifecycleWindows,
        {"new_days": "count", "active_days": "count", "churn_days": "count", "loyal_window_days": "count"},
    ),
    "metrics.kpis": (
        _with(metrics.kpis, TX),
        {
            "freq": "freq",
            "by": "column",
            "as_of": "date",
            "start": "date",
            "end": "date",
            "order_col": "column",
        },
    ),
    "metrics.cohort_retention": (
        _with(metrics.cohort_retention, TX),
        {"freq": "freq", "value": "choice", "normalize": "flag", "as_of": "date"},
    ),
    "metrics.retention_rate": (_with(metrics.retention_rate, TX), {"freq": "freq", "as_of": "date"}),
    "metrics.churn_rate": (_with(metrics.churn_rate, TX), {"freq": "freq", "amount_col": "column"}),
    "metrics.repurchase_rate": (
        _with(metrics.repurchase_rate, TX),
        {"window_days": "number", "as_of": "date"},
    ),
    "metrics.time_to_second_purchase": (
        _with(metrics.time_to_second_purchase, TX),
        {"per_customer": "flag", "as_of": "date"},
    ),
    "churn.features": (
        _with(churn.features, TX),
        {"as_of": "date", "min_history_days": "number", "extra": "choice"},
    ),
    "churn.dataset": (
        _with(churn.dataset, TX, cutoff=CUT),
        {"cutoff": "date", "horizon_days": "number", "min_history_days": "number"},
    ),
    "churn.bgnbd_baseline": (
        _with(churn.bgnbd_baseline, TX, as_of=CUT),
        {"as_of": "date", "horizon_days": "number"},
    ),
    "churn.backtest": (
        _with(churn.backtest, TX, cutoffs=["2023-06-30", CUT], estimator="logistic", horizon_days=90),
        {"cutoffs": "dates", "horizon_days": "number", "estimator": "choice"},
    ),
    "churn.ChurnModel": (
        lambda **kw: churn.ChurnModel(**({"estimator": "logistic"} | kw)).fit(X, Y),
        {"estimator": "choice", "calibrate": "flag", "random_state": "choice"},
    ),
    "ChurnModel.risk_tier": (_with(CHURN_MODEL.risk_tier, X), {"tiers": "choice", "lang": "lang"}),
    "churn.score_metrics": (_with(churn.score_metrics, Y, P), {"probability": "flag"}),
    "churn.interventions": (_with(churn.interventions, RISK), {"lang": "lang", "segments": "choice"}),
    "clv.CLVModel": (
        lambda **kw: clv.CLVModel(**kw).fit(SUMMARY),
        {"purchase_model": "choice", "spend_model": "choice", "penalizer": "number", "time_unit": "choice"},
    ),
    "CLVModel.predict_clv": (
        _with(CLV_MODEL.predict_clv, summary=SUMMARY),
        {
            "horizon": "count",
            "horizon_unit": "choice",
            "discount_rate": "number",
            "margin": "number",
            "interval": "share",
        },
    ),
    "CLVModel.expected_purchases": (
        _with(CLV_MODEL.expected_purchases, t=10),
        {"t": "number", "summary": "choice"},
    ),
    "CLVModel.probability_of_purchases": (
        _with(CLV_MODEL.probability_of_purchases, t=10, n=1),
        {"t": "number", "n": "count"},
    ),
    "CLVModel.expected_purchases_new_customer": (
        _with(CLV_MODEL.expected_purchases_new_customer, t=4),
        {"t": "number"},
    ),
    "clv.calibration_holdout": (
        _with(clv.calibration_holdout, TX, calibration_end=CUT),
        {"calibration_end": "date", "holdout_end": "date", "freq": "freq", "time_unit": "choice"},
    ),
    "clv.evaluate_holdout": (
        _with(clv.evaluate_holdout, TX, calibration_end=CUT, holdout_end=END),
        {"purchase_model": "choice", "penalizer": "number", "time_unit": "choice"},
    ),
    "clv.SBGModel": (
        lambda **kw: clv.SBGModel(**kw).fit(ecrm.datasets.load_retention_cohorts()["regular"]),
        {"penalizer": "number"},
    ),
    "SBGModel.survival": (SBG.survival, {"periods": "count"}),
    "loyalty.LoyaltyProgram": (
        loyalty.LoyaltyProgram,
        {
            "points_per_unit": "number",
            "rounding": "choice",
            "expiry_days": "count",
            "expiry_policy": "choice",
            "tiers": "choice",
            "tier_window_days": "count",
            "tier_basis": "choice",
            "point_value": "number",
        },
    ),
    "LoyaltyProgram.earn_events": (
        _with(loyalty.LoyaltyProgram().earn_events, TX),
        {"as_of": "date", "id_prefix": "column", "order_col": "column"},
    ),
    "loyalty.Ledger": (_with(loyalty.Ledger, EVENTS), {"program": "choice", "date_col": "column"}),
    "Ledger.balances": (LEDGER.balances, {"as_of": "date"}),
    "Ledger.statement": (_with(LEDGER.statement, customer_id=1), {"customer_id": "choice", "as_of": "date"}),
    "Ledger.summary": (LEDGER.summary, {"freq": "freq", "as_of": "date"}),
    "Ledger.tier_history": (LEDGER.tier_history, {"freq": "freq", "lang": "lang"}),
    "Ledger.liability": (LEDGER.liability, {"as_of": "date", "breakage": "share"}),
    "Ledger.tiers": (LEDGER.tiers, {"as_of": "date", "lang": "lang"}),
    "recommend.frequent_itemsets": (
        _with(recommend.frequent_itemsets, TX, product_col="product_id"),
        {"min_support": "share", "max_len": "count", "as_of": "date", "product_col": "column"},
    ),
    "recommend.association_rules": (
        _with(recommend.association_rules, TX, product_col="product_id"),
        {"min_support": "share", "min_confidence": "share", "max_len": "count"},
    ),
    "recommend.ItemKNN": (
        lambda **kw: recommend.ItemKNN(**kw).fit(TX, product_col="product_id"),
        {"n_neighbors": "count", "half_life_days": "number", "popularity_damping": "number"},
    ),
    "Popular.recommend": (
        POPULAR.recommend,
        {"customers": "choice", "n": "count", "exclude_purchased": "flag"},
    ),
    "recommend.next_best_product": (
        _with(recommend.next_best_product, POPULAR),
        {"customers": "choice", "exclude_purchased": "flag"},
    ),
    "recommend.evaluate": (
        _with(recommend.evaluate, POPULAR, TX, split_date="2024-03-31", product_col="product_id"),
        {"split_date": "date", "k": "count", "segments": "choice"},
    ),
    "recommend.report_tables": (
        _with(recommend.report_tables, TX, product_col="product_id"),
        {
            "top": "count",
            "min_support": "share",
            "min_confidence": "share",
            "holdout_days": "count",
            "lang": "lang",
        },
    ),
    "campaign.evaluate": (
        _with(campaign.evaluate, ASSIGN, TX, start="2024-01-01"),
        {
            "start": "date",
            "window_days": "number",
            "pre_days": "number",
            "split": "share",
            "level": "share",
            "min_customers": "count",
            "min_converters": "count",
            "by": "column",
            "treatment": "choice",
        },
    ),
    "campaign.outcomes": (
        _with(campaign.outcomes, ASSIGN["customer_id"], TX, start="2024-01-01"),
        {"start": "date", "window_days": "number", "as_of": "date"},
    ),
    "campaign.power": (
        _with(campaign.power, n_treatment=500, n_control=500, baseline=0.1, mde=0.02),
        {"n_treatment": "number", "baseline": "share", "mde": "number", "metric": "choice", "rho": "share"},
    ),
    "campaign.sample_size": (
        _with(campaign.sample_size, baseline=0.1, mde=0.02),
        {
            "baseline": "share",
            "mde": "number",
            "power": "share",
            "alpha": "share",
            "split": "share",
            "sd": "number",
        },
    ),
    "campaign.UpliftModel": (
        lambda **kw: campaign.UpliftModel(**({"estimator": "linear"} | kw)).fit(X, TREATED, Y),
        {"estimator": "choice", "method": "choice"},
    ),
    "UpliftModel.target": (_with(UPLIFT.target, X), {"n": "count"}),
    "service.sla": (
        _with(service.sla, TICKETS),
        {
            "response_hours": "number",
            "resolution_hours": "number",
            "by": "column",
            "as_of": "date",
            "csat_scale": "choice",
        },
    ),
    "service.customer_features": (
        _with(service.customer_features, TICKETS, as_of="2024-03-15"),
        {"as_of": "date", "complaint_categories": "choice", "category_col": "column"},
    ),
    "survey.nps": (
        _with(survey.nps, SCORES),
        {"by": "column", "ci": "choice", "level": "share", "weights": "choice", "on_invalid": "choice"},
    ),
    "survey.nps(bootstrap)": (
        _with(survey.nps, SCORES, ci="bootstrap"),
        {"n_boot": "count", "random_state": "choice"},
    ),
    "survey.csat": (
        _with(survey.csat, SCORES, scale=(0, 10)),
        {"scale": "choice", "satisfied": "choice", "ci": "choice"},
    ),
    "survey.ces": (_with(survey.ces, SCORES, scale=(0, 10)), {"scale": "choice", "low_effort": "choice"}),
    "survey.nps_trend": (
        _with(survey.nps_trend, SCORES),
        {"freq": "freq", "date_col": "column", "level": "share"},
    ),
    "survey.nps_test": (_with(survey.nps_test, SCORES, SCORES), {"paired": "flag", "level": "share"}),
    "survey.sample_size": (
        _with(survey.sample_size, margin=5),
        {"margin": "number", "expected_nps": "number", "passive_share": "share", "level": "share"},
    ),
    "survey.link": (
        _with(survey.link, SCORES, SUMMARY),
        {"as_of": "date", "lang": "lang", "on_invalid": "choice"},
    ),
    "survey.nps_category": (
        _with(survey.nps_category, SCORES["score"]),
        {"lang": "lang", "on_invalid": "choice"},
    ),
    "survey.by_segment": (
        _with(
            survey.by_segment,
            SCORES,
            SCORED.assign(segment=np.arange(len(SCORED)) % 2),
            segment_col="segment",
        ),
        {"segment_col": "column", "metric": "choice"},
    ),
    "KMeansSegmenter": (
        lambda **kw: KMeansSegmenter(**({"n_init": 1} | kw)).fit(SUMMARY),
        {
            "n_clusters": "count",
            "k_range": "choice",
            "features": "choice",
            "feature_transform": "choice",
            "scale": "choice",
            "criterion": "choice",
            "sample_size": "count",
            "n_init": "count",
            "random_state": "choice",
            "algorithm": "choice",
        },
    ),
    "report.Options": (
        report.Options,
        {
            "currency": "column",
            "clv_horizon_months": "count",
            "clv_penalizer": "number",
            "churn_horizon_days": "count",
            "churn_tiers": "choice",
            "campaign_start": "date",
            "campaign_window_days": "count",
            "campaign_cuped": "flag",
            "campaign_split": "share",
            "campaign_by": "column",
        },
    ),
}


@pytest.mark.parametrize("function", list(PARAMS))
def test_parameters(function):
    call, keywords = PARAMS[function]
    broken = []
    for keyword, kind in keywords.items():
        cases = {f"{keyword}={v!r}": lambda v=v: v for v in BAD_VALUES[kind]}
        broken += broken_cases(lambda v, keyword=keyword: call(**{keyword: v}), cases)
    assert broken == []


# ---------------------------------------------------------------------------------------
# Model inputs: features X with labels y (paired by index), scores, counts


def _xy_families() -> dict[str, Callable[[tuple], tuple]]:
    def x_col(x: pd.DataFrame, column: str, values: object) -> pd.DataFrame:
        return _col(x, column, values)

    first = X.columns[0]
    return {
        "good": lambda p: (p[0].copy(), p[1].copy()),
        "y_reversed": lambda p: (p[0], p[1].iloc[::-1]),
        "y_disjoint_index": lambda p: (p[0], p[1].set_axis(p[1].index.astype(str) + "x")),
        "y_shorter": lambda p: (p[0], p[1].iloc[:-3]),
        "y_list_wrong_length": lambda p: (p[0], list(p[1].iloc[:-1])),
        "y_text": lambda p: (p[0], p[1].map({True: "yes", False: "no"})),
        "y_nan": lambda p: (p[0], p[1].astype(float).mask(_every(4, p[1]))),
        "y_one_class": lambda p: (p[0], p[1] & False),
        "x_text_column": lambda p: (x_col(p[0], first, p[0][first].astype(str)), p[1]),
        "x_nan_column": lambda p: (x_col(p[0], first, np.nan), p[1]),
        "x_inf": lambda p: (x_col(p[0], first, np.inf), p[1]),
        "x_duplicated_index": lambda p: (p[0].set_axis(np.zeros(len(p[0]), dtype=int)), p[1]),
        "x_array": lambda p: (p[0].to_numpy(), p[1].to_numpy()),
        "x_empty": lambda p: (p[0].iloc[:0], p[1].iloc[:0]),
        "x_one_row": lambda p: (p[0].iloc[:1], p[1].iloc[:1]),
        "x_missing_column": lambda p: (p[0].drop(columns=first), p[1]),
    }


XY_FUNCTIONS: dict[str, Callable[[tuple], object]] = {
    "ChurnModel.fit": lambda p: churn.ChurnModel(estimator="logistic").fit(*p),
    "ChurnModel.evaluate": lambda p: CHURN_MODEL.evaluate(*p),
    "ChurnModel.churn_probability": lambda p: CHURN_MODEL.churn_probability(p[0]),
    "ChurnModel.predict_proba(unfitted)": lambda p: churn.ChurnModel().predict_proba(p[0]),
    "churn.score_metrics": lambda p: churn.score_metrics(p[1], P),
    "UpliftModel.fit": lambda p: campaign.UpliftModel(estimator="linear").fit(p[0], TREATED, p[1]),
    "UpliftModel.predict": lambda p: UPLIFT.predict(p[0]),
    "campaign.qini_curve": lambda p: campaign.qini_curve(pd.Series(P, index=X.index), TREATED, p[1]),
    "campaign.qini_area": lambda p: campaign.qini_area(pd.Series(P, index=X.index), TREATED, p[1]),
    "KMeansSegmenter.fit": lambda p: KMeansSegmenter(n_clusters=2, n_init=1).fit(p[0]),
}

OTHER: dict[str, tuple[object, dict, dict]] = {
    "xy": ((X, Y), _xy_families(), XY_FUNCTIONS),
    "cohort_counts": (
        ecrm.datasets.load_retention_cohorts()["regular"],
        {
            "good": lambda a: a.copy(),
            "text": lambda a: a.astype(str),
            "increasing": lambda a: a.iloc[::-1].reset_index(drop=True),
            "negative": lambda a: -a,
            "nan": lambda a: a.astype(float).mask(_every(3, a)),
            "one_period": lambda a: a.iloc[:1],
            "empty": lambda a: a.iloc[:0],
            "a_frame_of_text": lambda a: a.to_frame().astype(str),
        },
        {"SBGModel.fit": lambda a: clv.SBGModel().fit(a)},
    ),
    "risk_table": (
        RISK,
        _frame_families(RISK, "risk_tier", None, "churn_probability"),
        {"churn.interventions": churn.interventions},
    ),
}


@pytest.mark.parametrize(("kind", "function"), [(k, fn) for k, (_, _, fns) in OTHER.items() for fn in fns])
def test_model_input_families(kind, function):
    good, families, functions = OTHER[kind]
    cases = {name: lambda f=f: f(good) for name, f in families.items()}
    assert broken_cases(functions[function], cases) == []


def test_history_frame_families():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = lifecycle.history(TX)
    families = _frame_families(history, "customer_id", "period_end", None)
    cases = {name: lambda f=f: f(history) for name, f in families.items()}
    assert broken_cases(lifecycle.stage_counts, cases) == []


# ---------------------------------------------------------------------------------------
# Figures: each plotting function, on its own input, and on an empty, a foreign, an all-NaN
# and a non-frame input


def _plot_inputs() -> dict[str, tuple[Callable[[Any], object], object]]:
    import matplotlib

    matplotlib.use("Agg")
    from ecrm import plotting

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segmenter = KMeansSegmenter(k_range=(2, 4), n_init=1).fit(SUMMARY)
        holdout = clv.evaluate_holdout(TX, calibration_end=CUT, holdout_end=END)
        cohorts = metrics.cohort_retention(TX)
        groups = ASSIGN.assign(tier=np.where(np.arange(len(ASSIGN)) % 4 < 2, "a", "b"))
        result = campaign.evaluate(groups, TX, start="2024-01-01", by="tier")
        uplift = pd.Series(P, index=X.index)
    return {
        "summary_histograms": (plotting.summary_histograms, SUMMARY),
        "rfm_distribution": (plotting.rfm_distribution, SCORED),
        "rfm_heatmap": (plotting.rfm_heatmap, SCORED),
        "segment_bar": (plotting.segment_bar, _segmented()),
        "lifecycle_area": (plotting.lifecycle_area, lifecycle.stage_counts(lifecycle.history(TX))),
        "transition_heatmap": (plotting.transition_heatmap, lifecycle.transitions(TX, start=CUT, end=END)),
        "cluster_profiles": (plotting.cluster_profiles, segmenter),
        "cluster_scatter": (lambda s: plotting.cluster_scatter(s, SUMMARY), segmenter),
        "k_selection": (plotting.k_selection, segmenter),
        "silhouette": (lambda s: plotting.silhouette(s, SUMMARY), segmenter),
        "alive_history": (plotting.alive_history, CLV_MODEL.p_alive_history(TX, [1, 2])),
        "clv_distribution": (plotting.clv_distribution, CLV_MODEL.predict_clv(summary=SUMMARY)),
        "clv_tracking": (plotting.clv_tracking, holdout),
        "conditional_expectations": (plotting.conditional_expectations, holdout),
        "expected_purchases_matrix": (lambda m: plotting.expected_purchases_matrix(m, 10), CLV_MODEL),
        "p_alive_matrix": (plotting.p_alive_matrix, CLV_MODEL),
        "purchase_frequency_fit": (plotting.purchase_frequency_fit, CLV_MODEL),
        "sbg_survival": (plotting.sbg_survival, SBG),
        "calibration_curve": (lambda p: plotting.calibration_curve(Y, p), P),
        "feature_importance": (
            plotting.feature_importance,
            CHURN_MODEL.feature_importance(X, Y, n_repeats=2),
        ),
        "lift_curve": (lambda p: plotting.lift_curve(Y, p), P),
        "roc": (lambda p: plotting.roc(Y, p), P),
        "cumulative_conversion": (plotting.cumulative_conversion, result),
        "lift_by_segment": (plotting.lift_by_segment, result),
        "qini_curve": (plotting.qini_curve, campaign.qini_curve(uplift, TREATED, Y)),
        "nps_bar": (plotting.nps_bar, survey.nps(SCORES, by="touchpoint")),
        "nps_trend": (plotting.nps_trend, survey.nps_trend(SCORES)),
        "score_distribution": (plotting.score_distribution, SCORES["score"]),
        "points_flow": (plotting.points_flow, LEDGER.summary()),
        "tier_mix": (plotting.tier_mix, LEDGER.tier_history()),
        "cohort_heatmap": (plotting.cohort_heatmap, cohorts),
        "kpi_trend": (plotting.kpi_trend, metrics.kpis(TX)),
        "retention_curves": (plotting.retention_curves, cohorts),
        "sla_dashboard": (plotting.sla_dashboard, service.sla(TICKETS, by="channel")),
        "recall_at_k": (
            plotting.recall_at_k,
            recommend.evaluate(POPULAR, TX, split_date="2024-03-31", product_col="product_id", k=[1, 3]),
        ),
        "rules_scatter": (
            plotting.rules_scatter,
            recommend.association_rules(TX, product_col="product_id", min_support=0.02, min_confidence=0.01),
        ),
    }


def _foreign(good: object) -> dict[str, Callable[[], object]]:
    cases: dict[str, Callable[[], object]] = {
        "good": lambda: good,
        "text": lambda: "nope",
        "none": lambda: None,
        "foreign_frame": lambda: pd.DataFrame({"x": [1.0, 2.0]}),
    }
    if isinstance(good, pd.DataFrame | pd.Series | np.ndarray):
        cases |= {
            "empty": lambda: good[:0],
            "all_nan": lambda: (
                good * np.nan if not isinstance(good, pd.DataFrame) else good.select_dtypes("number") * np.nan
            ),
        }
    else:
        if hasattr(good, "fit"):  # an estimator, not fitted yet
            cases["unfitted"] = lambda: type(good)()
    return cases


PLOTS = _plot_inputs()


@pytest.mark.parametrize("figure", list(PLOTS))
def test_figures(figure):
    import matplotlib.pyplot as plt

    call, good = PLOTS[figure]
    try:
        assert broken_cases(call, _foreign(good)) == []
        assert broken_cases(lambda lang: call(good) if lang is None else None, {"good": lambda: None}) == []
    finally:
        plt.close("all")


# ---------------------------------------------------------------------------------------
# The report (refusals only: a good report takes seconds and has its own tests) and the
# data generators


def test_report_build_refuses_bad_input(tmp_path):
    refused = [
        "missing_amount",
        "misspelt_customer",
        "nan_ids",
        "text_dates",
        "two_zones",
        "inf_amounts",
        "empty",
    ]
    cases: dict[str, Callable[[], object]] = {name: lambda f=TX_FAMILIES[name]: f(TX) for name in refused}
    cases |= {"not_a_frame": lambda: "tx.csv"}
    broken = broken_cases(lambda data: report.build(data, tmp_path / "r"), cases)
    refusals = {}
    for name, make in cases.items():
        try:
            report.build(make(), tmp_path / "r")
        except EcrmError as err:
            refusals[name] = type(err).__name__
    assert refusals == dict.fromkeys(cases, "SchemaError")
    keywords = {
        "as_of": ["soon", 5],
        "lang": ["fr", None],
        "surveys": ["nope", pd.DataFrame({"x": [1]})],
        "tickets": ["nope", TX],
        "loyalty": ["nope", TX],
        "loyalty_program": ["gold"],
        "customer_col": [5, ["customer_id"]],
        "clv_horizon_months": ["12", 0],
    }
    for keyword, values in keywords.items():
        broken += broken_cases(
            lambda v, keyword=keyword: report.build(TX, tmp_path / "r", **{keyword: v}),
            {f"{keyword}={v!r}"[:40]: lambda v=v: v for v in values},
        )
    assert broken == []


DATASETS = {
    "make_transactions": (
        _with(ecrm.datasets.make_transactions, n_customers=20),
        ["n_customers", "start", "end", "r", "return_rate"],
    ),
    "make_online_retail": (
        _with(ecrm.datasets.make_online_retail, n_customers=20),
        ["n_customers", "start", "guest_share"],
    ),
    "make_baskets": (
        _with(ecrm.datasets.make_baskets, n_customers=20, n_products=20),
        ["n_products", "n_rules", "basket_size"],
    ),
    "make_campaign": (
        _with(ecrm.datasets.make_campaign, n_customers=50),
        ["n_customers", "treatment_share", "window_days"],
    ),
    "make_surveys": (_with(ecrm.datasets.make_surveys, n_responses=20), ["n_responses", "start"]),
    "make_tickets": (
        _with(ecrm.datasets.make_tickets, n_tickets=20),
        ["n_tickets", "n_agents", "csat_response_rate"],
    ),
    "make_loyalty_events": (
        _with(ecrm.datasets.make_loyalty_events, n_customers=10, start="2024-01-01", end="2024-06-30"),
        ["redeem_prob"],
    ),
}


@pytest.mark.parametrize("generator", list(DATASETS))
def test_generators(generator):
    call, keywords = DATASETS[generator]
    values = ["5", True, -1, np.nan, None, "soon", [1]]
    broken = []
    for keyword in keywords:
        broken += broken_cases(
            lambda v, keyword=keyword: call(**{keyword: v}),
            {f"{keyword}={v!r}": lambda v=v: v for v in values},
        )
    assert broken == []
