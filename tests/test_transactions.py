"""ecrm.transactions: the mapping, the rules for data as it comes, the cached keys, and
every module reading one validated log (including frames with a duplicated index)."""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ecrm
from ecrm import _schema
from ecrm.errors import DataDroppedWarning, SchemaError
from ecrm.transactions import TransactionMapping, Transactions, as_transactions

RETAIL_MAPPING = dict(
    customer_col="CustomerID",
    date_col="InvoiceDate",
    order_col="InvoiceNo",
    quantity_col="Quantity",
    price_col="UnitPrice",
    date_format="%m/%d/%Y %H:%M",
    missing_customers="drop",
    cancel_prefix="C",
)


def shop_export():
    """A hand-made export: two invoice lines, a cancelled line, a guest, and a
    cancellation whose quantity was typed positive."""
    return pd.DataFrame(
        {
            "InvoiceNo": ["1001", "1001", "C1002", "1003", "1004", "C1005"],
            "Quantity": [2, 1, -1, 5, 3, 1],
            "UnitPrice": [3.0, 4.0, 4.0, 1.0, 2.5, 2.5],
            "InvoiceDate": ["1/5/2024 10:00", "1/5/2024 10:00", "1/20/2024 9:00", "1/21/2024 9:30",
                            "2/1/2024 8:00", "2/3/2024 8:00"],
            "CustomerID": [1.0, 1.0, 1.0, np.nan, 2.0, 2.0],
        }
    )  # fmt: skip


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        return fn(*args, **kwargs)


def test_the_module_is_callable_and_is_the_door():
    import ecrm.transactions as module

    assert ecrm.transactions is module and callable(ecrm.transactions)
    assert ecrm.Transactions is module.Transactions is Transactions
    assert "cancel_prefix" in inspect.signature(ecrm.transactions).parameters
    log = ecrm.transactions(ecrm.datasets.load_cdnow_sample())
    assert isinstance(log, Transactions) and ecrm.transactions(log) is log
    assert as_transactions(log) is log


def test_quantity_times_price_cancellations_and_guests_by_hand():
    frame = shop_export()
    before = frame.copy(deep=True)
    with pytest.warns(DataDroppedWarning) as caught:
        log = ecrm.transactions(frame, **RETAIL_MAPPING)
    message = str(caught[0].message)
    # 5.0 of a net 16.0 belongs to the guest row.
    assert "left out 1 of 6 row(s) without a customer id" in message and "31.2% of revenue" in message
    np.testing.assert_allclose(log.amount, [6.0, 4.0, -4.0, 7.5, -2.5])
    assert log.customer.dtype == np.int64 and log.ids.tolist() == [1, 2]
    assert log.positions.tolist() == [0, 1, 2, 4, 5]
    assert log.date.iloc[2] == pd.Timestamp("2024-01-20 09:00")
    facts = log.describe()
    counts = ["rows_read", "rows_kept", "rows_without_customer", "cancelled_rows", "return_rows"]
    assert facts[counts].tolist() == [6, 5, 1, 2, 2]
    assert facts["their_revenue_share"] == pytest.approx(5 / 16)
    assert facts["returns_amount"] == pytest.approx(-6.5) and facts["orders"] == 4
    summary = ecrm.customer_summary(log)
    assert summary.index.dtype == np.int64 and summary.index.name == "CustomerID"
    assert summary["n_orders"].tolist() == [1, 1]  # cancellations are never orders
    assert summary["total_spend"].tolist() == [6.0, 5.0]  # but are netted
    pd.testing.assert_frame_equal(frame, before)  # the user's frame is untouched


def test_repr_says_what_was_done():
    log = quiet(ecrm.transactions, shop_export(), **RETAIL_MAPPING)
    text = repr(log)
    assert text.startswith("<ecrm.Transactions: 5 of 6 rows, 2 customers")
    assert "amount 'Quantity' x 'UnitPrice', order 'InvoiceNo'" in text
    assert "2 return rows netted (-6.50), 2 of them cancelled orders" in text
    assert "left out: 1 rows without a customer id (31.2% of revenue)" in text
    cut = repr(log.upto("2024-02-02"))
    assert "1 return rows netted (-4.00), 1 of them cancelled orders" in cut and "1 rows after as_of" in cut


def test_missing_customers_are_refused_with_the_keyword_and_the_flag():
    with pytest.raises(SchemaError) as info:
        ecrm.transactions(shop_export(), **{**RETAIL_MAPPING, "missing_customers": "raise"})
    assert "'CustomerID' has missing ids (NaN/None) in 1 of 6 row(s); pass missing_customers='drop'" in str(
        info.value
    )
    assert "pass --missing-customers drop" in info.value.cli_message
    assert "1/21/2024 9:30" in str(info.value)  # the example row


def test_missing_columns_suggest_the_nearest_names_and_quantity_times_price():
    with pytest.raises(SchemaError) as info:
        ecrm.transactions(shop_export())
    message = str(info.value)
    assert "missing required column(s) 'customer_id' (customer_col), 'order_date' (date_col)" in message
    assert "did you mean 'CustomerID', 'InvoiceDate', 'Quantity' x 'UnitPrice'?" in message
    assert "pass customer_col='CustomerID', date_col='InvoiceDate', quantity_col='Quantity', " in message
    assert (
        "pass --customer-col CustomerID --date-col InvoiceDate --quantity-col Quantity --price-col UnitPrice"
        in info.value.cli_message
    )
    with pytest.raises(SchemaError, match=r"did you mean 'Total'\? pass amount_col='Total'"):
        ecrm.transactions(pd.DataFrame({"customer_id": [1], "order_date": ["2024-01-01"], "Total": [1.0]}))
    with pytest.raises(SchemaError, match=r"'spend' \(amount_col\); available columns"):
        ecrm.customer_summary(
            pd.DataFrame({"customer_id": [1], "order_date": ["2024-01-01"]}), amount_col="spend"
        )


def test_dates_that_do_not_parse_get_a_suggested_format():
    frame = shop_export().assign(CustomerID=1)
    mapping = {k: v for k, v in RETAIL_MAPPING.items() if k != "date_format"}
    with pytest.raises(SchemaError) as info:
        ecrm.transactions(frame, **mapping)
    assert "not ISO-8601 dates in 6 of 6 row(s); pass date_format='%m/%d/%Y %H:%M'" in str(info.value)
    assert "pass --date-format '%m/%d/%Y %H:%M'" in info.value.cli_message
    # Every day <= 12: the layout is ambiguous, and the message says so.
    ambiguous = frame.assign(InvoiceDate=["1/5/2024 10:00"] * 6)
    with pytest.raises(SchemaError, match="also read as '%d/%m/%Y %H:%M': check which is meant"):
        ecrm.transactions(ambiguous, **mapping)
    with pytest.raises(SchemaError, match="do not match date_format='%Y-%m-%d'"):
        ecrm.transactions(frame, **{**mapping, "date_format": "%Y-%m-%d"})


def test_dayfirst_and_formats_parse():
    frame = pd.DataFrame({"customer_id": [1, 1], "order_date": ["01/02/2024", "13/02/2024"], "amount": 1.0})
    log = ecrm.transactions(frame, dayfirst=True)
    assert log.date.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-13")]
    log = ecrm.transactions(frame, date_format="%d/%m/%Y")
    assert log.last_date == pd.Timestamp("2024-02-13")


def test_returns_policy_at_the_door():
    frame = pd.DataFrame(
        {
            "customer_id": [1, 1, 2],
            "order_date": ["2024-01-01", "2024-01-05", "2024-01-02"],
            "amount": [5.0, -2.0, 3.0],
        }
    )
    assert ecrm.transactions(frame).describe()["return_rows"] == 1
    with pytest.warns(
        DataDroppedWarning, match=r"left out 1 row\(s\) with negative 'amount' \(returns='exclude'\)"
    ):
        excluded = ecrm.transactions(frame, returns="exclude")
    assert len(excluded) == 2 and excluded.describe()["returns_excluded"] == 1
    assert "1 return rows (returns='exclude')" in repr(excluded)
    with pytest.raises(SchemaError, match="negative amounts"):
        ecrm.transactions(frame, returns="raise")


def test_ids_integral_floats_become_integers_other_ids_stay():
    base = pd.DataFrame({"order_date": ["2024-01-01", "2024-01-02"], "amount": 1.0})
    assert ecrm.transactions(base.assign(customer_id=[12346.0, 12347.0])).ids.tolist() == [12346, 12347]
    assert ecrm.transactions(base.assign(customer_id=[1.5, 2.0])).ids.dtype == np.float64
    assert ecrm.transactions(base.assign(customer_id=["a", "b"])).ids.tolist() == ["a", "b"]


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"quantity_col": "q"}, "give both quantity_col and price_col"),
        ({"quantity_col": "q", "price_col": "p", "amount_col": "a"}, "either amount_col='a' or quantity_col"),
        ({"cancel_prefix": "C"}, "needs order_col="),
        ({"missing_customers": "ignore"}, "missing_customers='ignore' is not supported"),
        ({"returns": "keep"}, "returns='keep' is not supported"),
        ({"dayfirst": "yes"}, "dayfirst='yes' must be True or False"),
    ],
)
def test_inconsistent_mappings_are_refused(kwargs, problem):
    with pytest.raises(SchemaError, match=problem):
        TransactionMapping(**kwargs)


def test_a_log_refuses_keywords_that_contradict_its_mapping():
    log = quiet(ecrm.transactions, shop_export(), **RETAIL_MAPPING)
    # Keywords at their defaults are what every function passes: they are not checked.
    assert ecrm.customer_summary(log, customer_col="customer_id").index.name == "CustomerID"
    with pytest.raises(SchemaError, match="customer_col='cid' contradicts the Transactions given"):
        ecrm.customer_summary(log, customer_col="cid")
    with pytest.raises(SchemaError, match="order_col='x' contradicts"):
        ecrm.transactions(log, order_col="x")
    assert ecrm.transactions(log, **RETAIL_MAPPING) is log


def test_upto_cuts_rows_and_reuses_the_keys(monkeypatch):
    log = ecrm.transactions(ecrm.datasets.load_cdnow_sample())
    codes = log.codes  # computed once here
    calls = []
    real = _schema.factorize_ids
    monkeypatch.setattr(_schema, "factorize_ids", lambda values: calls.append(1) or real(values))
    cut = log.upto("1997-03-31")
    assert cut.as_of == pd.Timestamp("1997-03-31") and cut.n_after_as_of == (log.date > cut.as_of).sum()
    assert len(cut) + cut.n_after_as_of == len(log)
    assert (cut.ids[cut.codes] == log.ids[codes[(log.date <= cut.as_of).to_numpy()]]).all()
    assert calls == []  # the customer codes were cut, not factorised again
    assert log.upto(None) is log
    later = log.upto("1999-01-01")
    assert len(later) == len(log) and later.as_of == pd.Timestamp("1999-01-01")
    with pytest.raises(SchemaError, match="as_of=1996-01-01 00:00:00 is before the first transaction"):
        log.upto("1996-01-01")


def _pairs(log, keys):
    return sorted(zip(log.ids[keys.code].tolist(), keys.value.tolist(), strict=True))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(0, 120),
            st.integers(0, 23),
            st.sampled_from([-3.0, 0.0, 2.5, 10.0]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(0, 130),
    st.sampled_from(["D", "W", "M", "Q", "Y"]),
)
def test_a_cut_log_has_the_keys_of_the_cut_frame(rows, cut_day, freq):
    start = pd.Timestamp("2023-11-20")
    frame = pd.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "order_date": [start + pd.Timedelta(days=r[1], hours=r[2]) for r in rows],
            "amount": [r[3] for r in rows],
            "order_id": [f"o{r[0]}-{r[1] // 3}" for r in rows],
        },
        index=np.zeros(len(rows), dtype=int),  # a duplicated index changes nothing
    )
    as_of = start + pd.Timedelta(days=cut_day)
    if as_of < frame["order_date"].min():
        return
    full = ecrm.transactions(frame, order_col="order_id")
    full.codes, full.purchase_periods(freq), full.orders()  # keys computed before the cut
    cut = full.upto(as_of)
    fresh = ecrm.transactions(frame[(frame["order_date"] <= as_of).to_numpy()], order_col="order_id")
    assert cut.ids.tolist() == fresh.ids.tolist() and (cut.codes == fresh.codes).all()
    assert (cut.day == fresh.day).all() and (cut.purchase == fresh.purchase).all()
    assert _pairs(cut, cut.purchase_periods(freq)) == _pairs(fresh, fresh.purchase_periods(freq))
    assert _pairs(cut, cut.orders()) == _pairs(fresh, fresh.orders())
    assert (cut.positions == np.flatnonzero((frame["order_date"] <= as_of).to_numpy())).all()


# ---------------------------------------------------------------------------------------
# The Online Retail shape, end to end


@pytest.fixture(scope="module")
def retail():
    return ecrm.datasets.make_online_retail(n_customers=300, random_state=7)


def plain_pandas_summary(retail: pd.DataFrame) -> pd.DataFrame:
    """The summary in four manual pandas steps, as a user would write it by hand."""
    known = retail[retail["CustomerID"].notna()].copy()
    known["CustomerID"] = known["CustomerID"].astype(int)
    known["when"] = pd.to_datetime(known["InvoiceDate"], format="%m/%d/%Y %H:%M")
    known["amount"] = known["Quantity"] * known["UnitPrice"]
    bought = known[~known["InvoiceNo"].str.startswith("C")]
    return pd.DataFrame(
        {
            "n_orders": bought.groupby("CustomerID")["InvoiceNo"].nunique(),
            "total_spend": known.groupby("CustomerID")["amount"].sum(),
            "first_purchase": bought.groupby("CustomerID")["when"].min(),
            "last_purchase": bought.groupby("CustomerID")["when"].max(),
        }
    )


def test_online_retail_summary_agrees_with_plain_pandas(retail):
    n_guest_rows = int(retail["CustomerID"].isna().sum())
    assert n_guest_rows > 0 and retail["InvoiceNo"].str.startswith("C").any()
    with pytest.warns(DataDroppedWarning, match=f"left out {n_guest_rows:,} of {len(retail):,} row"):
        log = ecrm.transactions(retail, **RETAIL_MAPPING)
    got = ecrm.customer_summary(log)
    want = plain_pandas_summary(retail)
    assert got.index.tolist() == want.index.tolist() and got.index.dtype == np.int64
    assert (got["n_orders"] == want["n_orders"]).all()
    np.testing.assert_allclose(got["total_spend"], want["total_spend"], rtol=1e-12)
    assert (got["first_purchase"] == want["first_purchase"]).all()
    assert (got["last_purchase"] == want["last_purchase"]).all()


def test_online_retail_through_ecrm_report(retail, tmp_path, capsys):
    path = tmp_path / "retail.csv"
    retail.to_csv(path, index=False)
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in RETAIL_MAPPING.items()]
    assert ecrm.cli.main(["report", str(path), "--out", str(tmp_path / "r"), "--quiet", *flags]) == 0
    err = capsys.readouterr().err
    assert "ecrm: warning: transactions: left out" in err and "without a customer id" in err
    written = pd.read_csv(tmp_path / "r" / "customers.csv", index_col="CustomerID")
    want = plain_pandas_summary(retail)
    assert written.index.dtype == np.int64 and written.index.tolist() == want.index.tolist()
    assert (written["n_orders"] == want["n_orders"]).all()
    np.testing.assert_allclose(written["total_spend"], want["total_spend"], rtol=1e-9)
    # The same from a config file, one per data source.
    lines = "\n".join(f'{k} = "{v}"' for k, v in RETAIL_MAPPING.items())
    (tmp_path / "retail.toml").write_text(f'[transactions]\n{lines}\n\n[report]\nout = "{tmp_path / "c"}"\n')
    assert ecrm.cli.main(["report", str(path), "--config", str(tmp_path / "retail.toml"), "--quiet"]) == 0
    again = pd.read_csv(tmp_path / "c" / "customers.csv", index_col="CustomerID")
    pd.testing.assert_frame_equal(again, written)


# ---------------------------------------------------------------------------------------
# Every module accepts a frame with a duplicated index (as after pd.concat)


def _duplicated(frame: pd.DataFrame) -> pd.DataFrame:
    half = len(frame) // 2
    out = pd.concat([frame.iloc[:half], frame.iloc[half:]])
    out.index = np.arange(len(out)) % 7
    return out


@pytest.fixture(scope="module")
def orders():
    tx = ecrm.datasets.make_transactions(400, "2023-01-01", "2024-06-30", random_state=3, return_rate=0.05)
    return _duplicated(tx.sample(frac=1.0, random_state=0))


def _difference(a, b) -> str:
    """What differs between two results, their index aside ("" when they are the same)."""
    try:
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
        elif isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a.reset_index(drop=True), b.reset_index(drop=True))
        elif not (a == b or (np.isnan(a) and np.isnan(b))):
            return f"{a!r} != {b!r}"
    except AssertionError as err:
        return str(err)
    return ""


TRANSACTION_FUNCTIONS = {
    "customer_summary": lambda t: ecrm.customer_summary(t, order_col="order_id"),
    "rfm.score": lambda t: ecrm.rfm.score(t),
    "lifecycle.stage": lambda t: ecrm.lifecycle.stage(t, order_col="order_id"),
    "lifecycle.history": lambda t: ecrm.lifecycle.history(t, freq="Q"),
    "lifecycle.transitions": lambda t: ecrm.lifecycle.transitions(t, start="2023-09-30", end="2024-06-30"),
    "lifecycle.suggest_windows": lambda t: ecrm.lifecycle.suggest_windows(t)[1],
    "churn.features": lambda t: ecrm.churn.features(t, order_col="order_id"),
    "churn.dataset": lambda t: ecrm.churn.dataset(t, cutoff="2024-01-31", horizon_days=120).y,
    "clv.calibration_holdout": lambda t: ecrm.clv.calibration_holdout(
        t, calibration_end="2023-12-31", holdout_end="2024-06-30"
    ),
    "clv.evaluate_holdout": lambda t: (
        ecrm.clv.evaluate_holdout(t, calibration_end="2023-12-31", holdout_end="2024-06-30").customers
    ),
    "metrics.kpis": lambda t: ecrm.metrics.kpis(t, by="channel", order_col="order_id"),
    "metrics.cohort_retention": lambda t: ecrm.metrics.cohort_retention(t, value="revenue"),
    "metrics.churn_rate": lambda t: ecrm.metrics.churn_rate(t, freq="Q"),
    "metrics.repurchase_rate": lambda t: ecrm.metrics.repurchase_rate(t, window_days=60),
    "metrics.time_to_second_purchase": lambda t: ecrm.metrics.time_to_second_purchase(t, per_customer=True),
    "loyalty.earn_events": lambda t: ecrm.loyalty.LoyaltyProgram().earn_events(t, order_col="order_id"),
}


@pytest.mark.parametrize("name", list(TRANSACTION_FUNCTIONS))
def test_every_transaction_function_takes_a_duplicated_index(orders, name):
    fn = TRANSACTION_FUNCTIONS[name]
    got = quiet(fn, orders)
    assert _difference(got, quiet(fn, orders.reset_index(drop=True))) == ""
    # Given a log built with the same mapping, the same result.
    log = ecrm.transactions(orders, order_col="order_id" if "order_id" in inspect.getsource(fn) else None)
    assert _difference(got, quiet(fn, log)) == ""


def test_errors_on_a_duplicated_index_show_the_right_rows(orders):
    with pytest.raises(SchemaError) as info:
        ecrm.customer_summary(orders, returns="raise")
    negative = orders[orders["amount"] < 0]
    assert f"in {len(negative)} of {len(orders)} row(s)" in str(info.value)
    shown = str(info.value).split("shown:\n", 1)[1]
    assert all(f"{v:.2f}" in shown for v in negative["amount"].head(5))
    customers = pd.DataFrame(
        {"customer_id": np.arange(1, 101), "signup_date": "2022-12-01"}, index=np.zeros(100, int)
    )
    with pytest.raises(SchemaError, match="has ids missing from the customers table"):
        ecrm.lifecycle.stage(orders, customers=customers)


def test_earn_event_ids_are_positions_in_the_users_frame(orders):
    events = quiet(ecrm.loyalty.LoyaltyProgram().earn_events, orders, as_of="2024-03-31")
    assert len(events) > 100
    position = events["event_id"].str.removeprefix("earn-").astype(int).to_numpy()
    rows = orders.iloc[position]
    assert (rows["customer_id"].to_numpy() == events["customer_id"].to_numpy()).all()
    assert (rows["order_date"].to_numpy() == events["ts"].to_numpy()).all()
    np.testing.assert_allclose(rows["amount"], events["amount"])


def test_other_inputs_take_a_duplicated_index():
    tx = ecrm.datasets.make_transactions(300, "2023-01-01", "2024-06-30", random_state=4)
    summary = ecrm.customer_summary(tx)
    events = ecrm.datasets.make_loyalty_events(200, "2023-01-01", "2024-06-30", random_state=0)
    answers = ecrm.datasets.make_surveys(
        400, customer_ids=summary.index, start="2023-01-01", end="2024-06-30", random_state=0
    )
    tickets = ecrm.datasets.make_tickets(
        300, start="2024-01-01", end="2024-06-29", n_customers=300, random_state=0
    )
    cases = {
        "Ledger.balances": (events, lambda e: ecrm.loyalty.Ledger(e).balances(as_of="2024-03-31")),
        "Ledger.summary": (events, lambda e: ecrm.loyalty.Ledger(e).summary(freq="Q")),
        "survey.nps": (answers, lambda a: ecrm.survey.nps(a, score_col="nps_score")),
        "survey.nps_trend": (answers, lambda a: ecrm.survey.nps_trend(a, score_col="nps_score", freq="Q")),
        "survey.link": (answers, lambda a: quiet(ecrm.survey.link, a, summary[[]], score_col="nps_score")),
        "survey.csat": (answers, lambda a: ecrm.survey.csat(a, score_col="csat_score")),
        "service.sla": (tickets, lambda t: ecrm.service.sla(t, by="channel")),
        "service.customer_features": (
            tickets, lambda t: ecrm.service.customer_features(t, as_of="2024-06-01")
        ),
        "segmentation": (summary, lambda s: ecrm.segmentation.KMeansSegmenter(n_clusters=3, random_state=0)
                         .fit(s).labels_.tolist()),
    }  # fmt: skip
    differences = {}
    for name, (frame, fn) in cases.items():
        shuffled = frame.copy()
        shuffled.index = np.zeros(len(frame), dtype=int)
        differences[name] = _difference(fn(shuffled), fn(frame))
    assert differences == dict.fromkeys(cases, "")
