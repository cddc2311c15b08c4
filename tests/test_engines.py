"""Engines (issue 15): every reduction on DuckDB, Polars, PySpark and Dask equals the
pandas path (integers exactly, floats to 1e-9), on real CDNOW and on a generated log with
returns, cancelled orders, ties and text ids; bad input gives the same SchemaError."""

import warnings

import numpy as np
import pandas as pd
import pytest

import ecrm
from ecrm.errors import DataDroppedWarning, SchemaError


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


# Spark runs the first option set of these parametrized tests (the others are deselected
# in conftest, not skipped): each of its queries costs seconds in local mode, and the other
# engines cover the options.
spark_first_option_set = pytest.mark.spark_first_option_set


def both(frame, on_engine, **mapping):
    """The same data as a pandas log and as an engine log."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        return ecrm.transactions(frame, **mapping), ecrm.transactions(on_engine(frame), **mapping)


# ---------------------------------------------------------------------------------------
# customer_summary


@spark_first_option_set
@pytest.mark.parametrize(
    "options", [{}, {"as_of": "1997-09-30", "freq": "W", "time_unit": "W"}, {"freq": "M", "time_unit": "D"}]
)
def test_summary_cdnow(cdnow_small, on_engine, options):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    assert_same(ecrm.customer_summary(engine_log, **options), ecrm.customer_summary(pandas_log, **options))


@spark_first_option_set
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


@spark_first_option_set
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


@spark_first_option_set
@pytest.mark.parametrize("options", [{}, {"value": "revenue", "freq": "Q", "normalize": False}])
def test_cohort_retention(shop, on_engine, options):
    pandas_log, engine_log = both(shop, on_engine, **SHOP)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        expected = ecrm.metrics.cohort_retention(pandas_log, **options)
        n_pandas = len(said)
        got = ecrm.metrics.cohort_retention(engine_log, **options)
    assert_same(got, expected)
    assert got.attrs == expected.attrs
    # With revenue, the customers with only returns are left out, said the same way.
    assert dropped(said[n_pandas:]) == dropped(said[:n_pandas])


def test_cohort_retention_cdnow(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    assert_same(ecrm.metrics.cohort_retention(engine_log), ecrm.metrics.cohort_retention(pandas_log))


# ---------------------------------------------------------------------------------------
# churn


@spark_first_option_set
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


# ---------------------------------------------------------------------------------------
# CLV: patterns out, scores back


def test_clv_patterns_and_scores(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    expected = ecrm.clv.patterns(pandas_log, as_of="1997-09-30")
    got = ecrm.clv.patterns(engine_log, as_of="1997-09-30")
    assert_same(got, expected)
    assert got.attrs == expected.attrs
    assert expected["n_customers"].sum() == 3000 and len(expected) < 3000
    model = ecrm.clv.CLVModel(spend_model=None).fit(got, weights="n_customers")
    full = ecrm.clv.CLVModel(spend_model=None).fit(
        ecrm.customer_summary(pandas_log, as_of="1997-09-30", time_unit="W")
    )
    np.testing.assert_allclose(model.params_["estimate"], full.params_["estimate"], rtol=1e-6)
    expected = ecrm.clv.score(model, pandas_log, as_of="1997-09-30", t=39)
    got = ecrm.clv.score(model, engine_log, as_of="1997-09-30", t=39)
    assert_same(got, expected)
    np.testing.assert_allclose(got["p_alive"], full.p_alive(), rtol=1e-6)


def test_clv_patterns_monetary(shop, on_engine):
    pandas_log, engine_log = both(shop, on_engine, **SHOP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataDroppedWarning)
        expected = ecrm.clv.patterns(pandas_log, freq="W", time_unit="W", monetary=True)
        got = ecrm.clv.patterns(engine_log, freq="W", time_unit="W", monetary=True)
    assert_same(got, expected)


# ---------------------------------------------------------------------------------------
# survey group counts


@pytest.fixture(scope="module")
def responses():
    rng = np.random.default_rng(5)
    n = 600
    return pd.DataFrame(
        {
            "customer_id": rng.integers(1, 200, n),
            "channel": rng.choice(["app", "email", "web"], n),
            "region": rng.choice(["north", "south"], n),
            "score": rng.integers(0, 11, n),
        }
    )


def test_survey_scores(responses, on_engine):
    frame = on_engine(responses)
    assert_same(ecrm.survey.nps(frame), ecrm.survey.nps(responses))
    assert_same(
        ecrm.survey.nps(frame, by=["channel", "region"]), ecrm.survey.nps(responses, by=["channel", "region"])
    )
    five = responses.assign(score=responses["score"] % 5 + 1)
    assert_same(ecrm.survey.csat(on_engine(five), by="channel"), ecrm.survey.csat(five, by="channel"))
    seven = responses.assign(score=responses["score"] % 7 + 1)
    assert_same(ecrm.survey.ces(on_engine(seven), by="region"), ecrm.survey.ces(seven, by="region"))


def test_survey_bad_scores(responses, on_engine):
    bad = responses.assign(score=responses["score"].astype(float))
    bad.loc[[3, 9, 40], "score"] = [11.0, 11.0, 4.5]
    with pytest.raises(SchemaError) as expected:
        ecrm.survey.nps(bad)
    with pytest.raises(SchemaError) as got:
        ecrm.survey.nps(on_engine(bad))
    assert first_line(got.value) == first_line(expected.value)
    with pytest.warns(DataDroppedWarning, match="dropped 3 of 600"):
        got = ecrm.survey.nps(on_engine(bad), by="channel", on_invalid="drop")
    with pytest.warns(DataDroppedWarning, match="dropped 3 of 600"):
        expected = ecrm.survey.nps(bad, by="channel", on_invalid="drop")
    assert_same(got, expected)


def first_line(error):
    """The message up to the example rows (engines have no row index to show)."""
    return str(error).split("\n")[0]


# ---------------------------------------------------------------------------------------
# service levels of tickets: counts and exact percentiles per group


@pytest.fixture(scope="module")
def tickets():
    """Generated tickets: some unanswered or open at the end, contacts and scores missing
    for many, category columns (channel, agent) as group keys."""
    return ecrm.datasets.make_tickets(1_500, random_state=4)


@pytest.mark.parametrize(
    "options",
    [
        {"by": "channel"},
        {"as_of": "2024-03-01 12:00", "response_hours": 4, "resolution_hours": 24},
        {"by": "agent", "as_of": "2024-02-15"},
    ],
)
@spark_first_option_set
def test_sla(tickets, on_engine, options):
    expected = ecrm.service.sla(tickets, **options)
    got = ecrm.service.sla(on_engine(tickets), **options)
    assert_same(got, expected)
    assert got.attrs == expected.attrs
    # Not a vacuous comparison: percentiles exist and some tickets are open.
    assert expected["response_p90_hours"].notna().all() and expected["open"].sum() > 0


def test_sla_without_optional_columns(tickets, on_engine):
    """No contacts and no scores: first-contact resolution and the mean score are NaN;
    text group keys; text dates parsed on the engine."""
    plain = tickets.drop(columns=["contacts", "csat"]).assign(
        agent=tickets["agent"].astype(str),
        created_at=tickets["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
    )
    expected = ecrm.service.sla(plain, by="agent")
    assert expected["first_contact_resolution"].isna().all() and expected["csat_mean"].isna().all()
    assert_same(ecrm.service.sla(on_engine(plain), by="agent"), expected)


@pytest.mark.parametrize(
    "options",
    [{"as_of": "2024-03-31"}, {"as_of": "2024-02-15", "complaint_categories": ["refund", "delivery"]}],
)
@spark_first_option_set
def test_ticket_customer_features(tickets, on_engine, options):
    expected = ecrm.service.customer_features(tickets, **options)
    got = ecrm.service.customer_features(on_engine(tickets), **options)
    assert_same(got, expected)
    assert got.attrs == expected.attrs
    assert expected["n_complaints"].sum() > 0 and expected["last_csat"].notna().any()


def test_ticket_customer_features_warnings(tickets, on_engine):
    """No complaint category and no category column: the pandas path's warnings."""
    small = tickets.head(300)
    for frame, options, match in [
        (small, {"complaint_categories": "Complaint"}, "no ticket has a category in"),
        (small.drop(columns="category"), {}, "no column 'category'"),
    ]:
        with pytest.warns(ecrm.errors.EcrmWarning, match=match):
            expected = ecrm.service.customer_features(frame, as_of="2024-03-31", **options)
        with pytest.warns(ecrm.errors.EcrmWarning, match=match):
            got = ecrm.service.customer_features(on_engine(frame), as_of="2024-03-31", **options)
        assert_same(got, expected)


def _null_ticket_ids(t):
    return t.assign(ticket_id=t["ticket_id"].astype(float).where(~t.index.isin([3, 50])))


def _bad_created(t):
    text = t["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S").mask(t.index.isin([8, 9]), "yesterday")
    return t.assign(created_at=text)


def _bad_resolved(t):
    text = t["resolved_at"].dt.strftime("%Y-%m-%d %H:%M:%S").mask(t.index == 10, "31/12/2024")
    return t.assign(resolved_at=text)


def _early_response(t):
    early = t["first_response_at"].mask(t.index == 11, t["created_at"] - pd.Timedelta(hours=1))
    return t.assign(first_response_at=early)


def _repeated_ticket(t):
    return t.assign(ticket_id=t["ticket_id"].mask(t.index == 4, t["ticket_id"].iloc[5]))


def _bad_scores(t):
    return t.assign(csat=t["csat"].mask(t.index == 13, 7.0), contacts=t["contacts"].mask(t.index == 2, 2.5))


@spark_first_option_set
@pytest.mark.parametrize(
    "spoil", [_null_ticket_ids, _bad_created, _bad_resolved, _early_response, _repeated_ticket, _bad_scores]
)
def test_sla_bad_tickets(tickets, on_engine, spoil):
    bad = spoil(tickets.head(200))
    with pytest.raises(SchemaError) as expected:
        ecrm.service.sla(bad)
    with pytest.raises(SchemaError) as got:
        ecrm.service.sla(on_engine(bad))
    assert first_line(got.value) == first_line(expected.value)
    if spoil is _null_ticket_ids:  # customer_features checks the tickets the same way
        with pytest.raises(SchemaError) as got:
            ecrm.service.customer_features(on_engine(bad), as_of="2024-03-31")
        assert first_line(got.value) == first_line(expected.value).replace("sla:", "customer_features:")


# ---------------------------------------------------------------------------------------
# bad input: the same SchemaError as pandas, on every engine


def _bad_ids(tx):
    bad = tx.head(40).assign(customer_id=tx["customer_id"].head(40).astype(float))
    bad.loc[[3, 17], "customer_id"] = np.nan
    return bad


def _bad_dates(tx):
    bad = tx.head(40).assign(order_date=tx["order_date"].head(40).dt.strftime("%Y-%m-%d"))
    bad.loc[[5, 6], "order_date"] = "31/12/1997"
    return bad


def _bad_amounts(tx):
    bad = tx.head(40).copy()
    bad.loc[[8], "amount"] = np.inf
    return bad


def _missing_amounts(tx):
    bad = tx.head(40).copy()
    bad.loc[[2, 30], "amount"] = np.nan
    return bad


@pytest.mark.parametrize("make", [_bad_ids, _bad_dates, _bad_amounts, _missing_amounts])
def test_bad_input_same_error(cdnow_small, on_engine, make):
    bad = make(cdnow_small)
    with pytest.raises(SchemaError) as expected:
        ecrm.transactions(bad)
    with pytest.raises(SchemaError) as got:
        ecrm.transactions(on_engine(bad))
    assert first_line(got.value) == first_line(expected.value)
    assert got.value.cli_message.split("\n")[0] == expected.value.cli_message.split("\n")[0]
    # The example rows are the bad rows, fetched from the engine.
    shown = str(got.value).split("\n")[2:]
    assert len(shown) == int(first_line(expected.value).split(" in ")[1].split()[0])


def test_guest_rows_dropped_with_the_same_warning(cdnow_small, on_engine):
    bad = _bad_ids(cdnow_small)
    with pytest.warns(DataDroppedWarning) as expected:
        pandas_log = ecrm.transactions(bad, missing_customers="drop")
    with pytest.warns(DataDroppedWarning) as got:
        engine_log = ecrm.transactions(on_engine(bad), missing_customers="drop")
    assert dropped(got) == dropped(expected)
    assert_same(ecrm.customer_summary(engine_log), ecrm.customer_summary(pandas_log))
    described = engine_log.describe()
    for key in ("rows_read", "rows_kept", "rows_without_customer", "customers", "first_date", "last_date"):
        assert described[key] == pandas_log.describe()[key], key


def test_returns_policies(shop, on_engine):
    frame = on_engine(shop)
    with pytest.raises(SchemaError, match="returns='raise'") as got:
        ecrm.transactions(frame, returns="raise", **SHOP)
    with pytest.raises(SchemaError) as expected:
        ecrm.transactions(shop, returns="raise", **SHOP)
    assert first_line(got.value) == first_line(expected.value)
    with pytest.warns(DataDroppedWarning) as got:
        engine_log = ecrm.transactions(frame, returns="exclude", **SHOP)
    with pytest.warns(DataDroppedWarning) as expected:
        pandas_log = ecrm.transactions(shop, returns="exclude", **SHOP)
    assert dropped(got) == dropped(expected)
    assert_same(ecrm.customer_summary(engine_log), ecrm.customer_summary(pandas_log))


def dropped(records):
    """The messages of ecrm's DataDroppedWarnings among recorded warnings."""
    return [str(w.message) for w in records if issubclass(w.category, DataDroppedWarning)]


# ---------------------------------------------------------------------------------------
# the log itself: paths, native frames, cuts, collect


def test_paths_open_lazily(cdnow_small, tmp_path, engine):
    # Microsecond timestamps, as warehouses write them (Spark refuses nanoseconds).
    cdnow_small.iloc[:5000].to_parquet(tmp_path / "part-0.parquet", coerce_timestamps="us")
    cdnow_small.iloc[5000:].to_parquet(tmp_path / "part-1.parquet", coerce_timestamps="us")
    text = cdnow_small.assign(order_date=cdnow_small["order_date"].dt.strftime("%m/%d/%Y"))
    text.to_csv(tmp_path / "orders.csv", index=False)
    expected = ecrm.customer_summary(cdnow_small)
    from_parquet = ecrm.transactions(str(tmp_path / "part-*.parquet"), engine=engine)
    assert from_parquet.engine == engine
    assert_same(ecrm.customer_summary(from_parquet), expected)
    from_csv = ecrm.transactions(tmp_path / "orders.csv", engine=engine, date_format="%m/%d/%Y")
    assert_same(ecrm.customer_summary(from_csv), expected)


def test_duckdb_connection_is_used(cdnow_small, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    cdnow_small.to_parquet(tmp_path / "orders.parquet")
    con = duckdb.connect()
    con.execute("SET memory_limit='500MB'")
    log = ecrm.transactions(tmp_path / "orders.parquet", connection=con)
    relation = ecrm.customer_summary(log, native=True)
    assert isinstance(relation, duckdb.DuckDBPyRelation)
    assert relation.aggregate("count(*)").fetchall()[0][0] == cdnow_small["customer_id"].nunique()
    # Relations of two connections cannot be joined: this one is on the caller's.
    one = relation.join(con.sql("SELECT 1 AS customer_id"), "customer_id")
    assert one.aggregate("count(*)").fetchall()[0][0] == 1


def test_native_output(cdnow_small, on_engine, engine):
    _, engine_log = both(cdnow_small, on_engine)
    native = ecrm.customer_summary(engine_log, native=True)
    assert type(native).__module__.split(".")[0] in {"polars", "duckdb", "_duckdb", "pyspark", "dask"}
    import narwhals as nw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # narwhals on Dask
        frame = nw.from_native(native)
    names = frame.collect_schema().names()
    assert names[0] == "customer_id" and "monetary_value" in names
    assert engine_log.to_native() is not None and engine_log.engine == engine


def test_upto_and_collect(cdnow_small, on_engine):
    pandas_log, engine_log = both(cdnow_small, on_engine)
    cut = engine_log.upto("1997-06-30")
    expected = pandas_log.upto("1997-06-30")
    assert (cut.as_of, cut.last_date, cut.n_after_as_of) == (
        expected.as_of,
        expected.last_date,
        expected.n_after_as_of,
    )
    with pytest.raises(SchemaError, match="before the first transaction"):
        engine_log.upto("1990-01-01")
    collected = cut.collect()
    assert isinstance(collected, ecrm.Transactions) and len(collected) == len(expected)
    assert_same(ecrm.customer_summary(collected), ecrm.customer_summary(expected))
    assert "EngineTransactions on" in repr(engine_log)


def test_missing_engine_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.split(".")[0] == "polars":
            raise ImportError("No module named 'polars'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    monkeypatch.delitem(__import__("sys").modules, "polars", raising=False)
    with pytest.raises(ImportError, match=r'pip install "ecrm\[polars\]"'):
        ecrm.transactions("orders/*.parquet", engine="polars")


def test_in_memory_functions_ask_for_collect(cdnow_small):
    pl = pytest.importorskip("polars")
    log = ecrm.transactions(pl.from_pandas(cdnow_small))
    with pytest.raises(SchemaError, match=r"runs in memory .* pass log.collect\(\)"):
        ecrm.lifecycle.history(log)
    assert len(ecrm.lifecycle.history(log.collect())) > 0


def test_pandas_frame_handed_to_an_engine(cdnow_small, engine):
    log = ecrm.transactions(cdnow_small, engine=engine)
    assert isinstance(log, ecrm.EngineTransactions) and log.engine == engine
    assert_same(ecrm.customer_summary(log, freq="W"), ecrm.customer_summary(cdnow_small, freq="W"))


def test_zone_aware_dates_are_refused_on_an_engine(cdnow_small):
    pl = pytest.importorskip("polars")
    aware = cdnow_small.head(50).assign(
        order_date=cdnow_small["order_date"].head(50).dt.tz_localize("Asia/Shanghai")
    )
    with pytest.raises(SchemaError, match=r"time zone 'Asia/Shanghai'.*naive local time"):
        ecrm.transactions(pl.from_pandas(aware))
