"""ecrm.report.build: files, joined customer table, headline figures, sections, bad input,
and the page as a browser renders it (headless Chromium, skipped when absent)."""

import html
import html.parser
import json
import re
import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest

import ecrm
from ecrm import _labels, churn, clv, lifecycle, loyalty, metrics, report, rfm, segmentation, service, survey
from ecrm.errors import DataDroppedWarning, LedgerError, SchemaError

BASE_SECTIONS = ["overview", "rfm", "lifecycle", "segments", "clv", "churn", "kpis"]
ALL_SECTIONS = [*BASE_SECTIONS, "surveys", "loyalty", "service"]
# Tiers scaled to the synthetic baskets, so that every tier has members.
PROGRAM = loyalty.LoyaltyProgram(tiers=(("silver", 0.0, 1.0), ("gold", 500.0, 1.25), ("black", 1_500.0, 1.5)))
# CDNOW has one repeat customer whose orders net to zero: the Gamma-Gamma model leaves it out.
CDNOW_SPEND_WARNING = r"left 1 repeat customer\(s\) with monetary_value <= 0"


def _cdnow_inputs(cdnow):
    ids = ecrm.customer_summary(cdnow).index
    surveys = ecrm.datasets.make_surveys(
        3_000, customer_ids=ids, start="1997-01-01", end="1998-06-30", random_state=1
    )
    tickets = ecrm.datasets.make_tickets(
        2_000, start="1998-01-01", end="1998-06-29", n_customers=len(ids), random_state=1
    )
    # Ids 1..n are CDNOW's ids; a few events fall after the snapshot and are left out.
    events = ecrm.datasets.make_loyalty_events(
        len(ids), "1997-01-01", "1998-07-31", program=PROGRAM, random_state=1
    )
    return surveys, tickets, events


@pytest.fixture(scope="module")
def built(cdnow, tmp_path_factory):
    surveys, tickets, events = _cdnow_inputs(cdnow)
    copies = [cdnow.copy(), surveys.copy(), tickets.copy(), events.copy()]
    out = tmp_path_factory.mktemp("report")
    stages = []
    with pytest.warns(DataDroppedWarning, match=CDNOW_SPEND_WARNING):
        result = report.build(
            cdnow,
            out,
            surveys=surveys,
            tickets=tickets,
            loyalty=events,
            loyalty_program=PROGRAM,
            as_of="1998-06-30",
            progress=stages.append,
        )
    return {
        "result": result,
        "out": out,
        "inputs": (cdnow, surveys, tickets, events),
        "copies": copies,
        "stages": stages,
    }


def test_writes_the_three_files_and_the_figures(built):
    out = built["out"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == built["result"].summary
    assert summary["sections"] == ALL_SECTIONS
    assert summary["as_of"] == "1998-06-30"
    events = built["inputs"][3]
    assert summary["inputs"] == {
        "transactions": 69_659,
        "surveys": 3_000,
        "loyalty": len(events),
        "tickets": 2_000,
    }
    page = (out / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert sorted(sources) == sorted(summary["figures"]) and len(sources) >= 16
    for source in sources:
        assert (out / source).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http" not in "".join(sources)  # relative, so the folder can be moved
    assert built["stages"][0] == "customer summary" and "Surveys (NPS, CSAT, CES)" in built["stages"]


def test_inputs_are_not_modified(built):
    for given, copy in zip(built["inputs"], built["copies"], strict=True):
        pd.testing.assert_frame_equal(given, copy)


def test_overview_headline_is_the_cdnow_summary(built, cdnow):
    head = built["result"].summary["headline"]["overview"]
    assert head["customers"] == 23_570  # Fader, Hardie and Lee (2005): 23,570 customers
    assert head["orders"] == int(ecrm.customer_summary(cdnow)["n_orders"].sum())
    assert head["revenue"] == pytest.approx(cdnow["amount"].sum(), abs=0.01)
    assert head["average_order_value"] == pytest.approx(head["revenue"] / head["orders"], abs=0.005)


def test_customer_table_joins_every_module(built, cdnow):
    written = pd.read_csv(built["out"] / "customers.csv", index_col="customer_id")
    summary = ecrm.customer_summary(cdnow)
    assert len(written) == len(summary) and (written.index == summary.index).all()
    np.testing.assert_allclose(written["total_spend"], summary["total_spend"])
    scored = rfm.score(summary)
    for column in ("r_score", "f_score", "m_score", "rfm_score"):
        np.testing.assert_array_equal(written[column], scored[column])
    assert (written["rfm_segment"] == rfm.segment(scored)["segment"].astype(str)).all()
    assert (written["rfm_segment_cn8"] == rfm.segment(scored, scheme="cn8")["segment"].astype(str)).all()
    stages = lifecycle.stage(cdnow)["stage"].astype(str)
    assert (written["lifecycle_stage"] == stages.reindex(written.index)).all()
    # Survey and service columns: counts per customer, 0 for customers without any.
    _, surveys, tickets, _ = built["inputs"]
    answers = surveys["customer_id"].value_counts()
    np.testing.assert_array_equal(written["survey_responses"], answers.reindex(written.index, fill_value=0))
    per_customer = tickets["customer_id"].value_counts()
    np.testing.assert_array_equal(written["n_tickets"], per_customer.reindex(written.index, fill_value=0))


def test_rfm_and_lifecycle_headlines_come_from_the_modules(built, cdnow):
    head = built["result"].summary["headline"]
    table = rfm.segment_summary(rfm.segment(rfm.score(ecrm.customer_summary(cdnow))))
    assert head["rfm"]["champions"] == table.loc["Champions", "n_customers"]
    assert head["rfm"]["champions_revenue_share"] == pytest.approx(table.loc["Champions", "revenue_share"])
    counts = lifecycle.stage(cdnow)["stage"].value_counts()
    assert head["lifecycle"]["at_risk"] == counts["At risk"]
    assert head["lifecycle"]["churned_share"] == pytest.approx(counts["Churned"] / counts.sum())
    active = counts[["New", "Active", "Loyal", "Reactivated"]].sum() / counts.sum()
    assert head["lifecycle"]["active_share"] == pytest.approx(active)


def test_month1_retention_by_hand(built, cdnow):
    # Customers whose first-purchase month is followed by a purchase in the next month,
    # over cohorts whose next month is observed (before June 1998), by plain pandas.
    month = cdnow["order_date"].dt.to_period("M")
    first = month.groupby(cdnow["customer_id"]).transform("min")
    cohort_ok = first < pd.Period("1998-06", "M")
    next_month = cdnow[(month == first + 1) & cohort_ok]["customer_id"].nunique()
    base = cdnow.loc[cohort_ok, "customer_id"].nunique()
    head = built["result"].summary["headline"]["kpis"]
    assert head["month1_retention"] == pytest.approx(next_month / base)
    kpis = metrics.kpis(cdnow)
    assert head["last_period"] == "1998-06"
    assert head["last_period_net_revenue"] == pytest.approx(kpis["net_revenue"].iloc[-1])


def test_survey_and_service_headlines_come_from_the_modules(built):
    _, surveys, tickets, _ = built["inputs"]
    head = built["result"].summary["headline"]
    expected = survey.nps(surveys, score_col="nps_score")
    assert head["surveys"]["nps"] == pytest.approx(expected["nps"])
    assert head["surveys"]["nps_ci_low"] == pytest.approx(expected["ci_low"])
    assert head["surveys"]["csat"] == pytest.approx(survey.csat(surveys, score_col="csat_score")["csat"])
    sla = service.sla(tickets, as_of="1998-06-30").iloc[0]
    assert head["service"]["tickets"] == sla["tickets"]
    assert head["service"]["first_contact_resolution"] == pytest.approx(sla["first_contact_resolution"])


def test_segments_are_the_segmenter_on_the_customer_summary(built, cdnow):
    from threadpoolctl import threadpool_limits

    summary = ecrm.customer_summary(cdnow)
    segmenter = segmentation.KMeansSegmenter(
        sample_size=report.SEGMENT_SAMPLE_SIZE, n_init=report.SEGMENT_N_INIT, random_state=0
    )
    with threadpool_limits(1):
        segmenter.fit(summary)
    written = built["result"].customers
    np.testing.assert_array_equal(written["cluster"], segmenter.labels_)
    names = segmenter.name_segments()
    assert (written["cluster_name"].astype(str).to_numpy() == names.to_numpy()[segmenter.labels_]).all()
    head = built["result"].summary["headline"]["segments"]
    assert head["n_clusters"] == segmenter.n_clusters_ == len(names)
    top = segmenter.labels_ == 0
    assert head["top_cluster_share"] == pytest.approx(top.mean())
    spend = summary["total_spend"].to_numpy()
    assert head["top_cluster_revenue_share"] == pytest.approx(spend[top].sum() / spend.sum())
    assert "Cluster profiles" in (built["out"] / "index.html").read_text(encoding="utf-8")
    # As docs/guide/report.md says: k = 2; a third of the customers bring 77% of the revenue.
    assert head["n_clusters"] == 2 and names[0] == "Recent frequent high spenders"
    assert round(head["top_cluster_share"], 2) == 0.34 and round(head["top_cluster_revenue_share"], 2) == 0.77


def test_clv_is_bgnbd_and_gamma_gamma_on_the_weekly_summary(built, cdnow):
    weekly = ecrm.customer_summary(cdnow, time_unit="W")
    with pytest.warns(DataDroppedWarning, match=CDNOW_SPEND_WARNING):
        model = clv.CLVModel().fit(weekly)
    value = model.predict_clv(horizon=12, horizon_unit="M")
    written = pd.read_csv(built["out"] / "customers.csv", index_col="customer_id")
    np.testing.assert_allclose(written["clv_12m"], value["clv"], rtol=1e-9)
    np.testing.assert_allclose(written["p_alive"], value["p_alive"], rtol=1e-9)
    np.testing.assert_allclose(written["expected_purchases_12m"], value["expected_purchases"], rtol=1e-9)
    head = built["result"].summary["headline"]["clv"]
    assert head["clv_12m_total"] == pytest.approx(value["clv"].sum())
    assert head["clv_12m_mean"] == pytest.approx(value["clv"].mean())
    repeat = weekly["frequency"] > 0
    assert head["p_alive_repeat_mean"] == pytest.approx(value["p_alive"][repeat].mean())
    assert (value["p_alive"][~repeat] == 1).all()  # why the headline is over repeat buyers
    # The warning of the module is on the page as well.
    page = (built["out"] / "index.html").read_text(encoding="utf-8")
    assert "left 1 repeat customer(s) with monetary_value &lt;= 0" in page


def test_churn_is_one_model_tested_out_of_time_and_scoring_the_snapshot(built, cdnow):
    from threadpoolctl import threadpool_limits

    # One model: learnt as of 1998-01-01 (its next 90 days observed), tested as of
    # 1998-04-01 against the last 90 days, scoring every customer as of 1998-06-30.
    train = churn.dataset(cdnow, cutoff="1998-01-01", horizon_days=report.CHURN_HORIZON_DAYS)
    test = churn.dataset(cdnow, cutoff="1998-04-01", horizon_days=report.CHURN_HORIZON_DAYS)
    with threadpool_limits(1):
        model = churn.ChurnModel(report.CHURN_ESTIMATOR, random_state=0).fit(train.X, train.y)
        today = churn.features(cdnow, as_of="1998-06-30")
        risk = model.risk_tier(today.reindex(columns=train.X.columns, fill_value=0.0))
        tested = model.churn_probability(test.X.reindex(columns=train.X.columns, fill_value=0.0))
    written = built["result"].customers
    np.testing.assert_allclose(written["churn_probability"], risk["churn_probability"].reindex(written.index))
    assert (
        written["churn_risk_tier"].astype(str) == risk["risk_tier"].astype(str).reindex(written.index)
    ).all()
    plan = churn.interventions(risk, segments=written["clv_12m"])
    assert (written["churn_intervention"].astype(str) == plan["intervention"].astype(str)).all()
    head = built["result"].summary["headline"]["churn"]
    assert head["recent_churn_rate"] == pytest.approx(test.y.mean())
    assert head["expected_churners"] == pytest.approx(risk["churn_probability"].sum())
    assert head["high_risk_customers"] == (risk["risk_tier"] == "High risk").sum()
    # The out-of-time baseline: BG/NBD expected purchases fitted at the cutoff, scored by
    # scikit-learn directly.
    from sklearn.metrics import roc_auc_score

    expected = churn.bgnbd_baseline(
        cdnow, as_of="1998-04-01", horizon_days=report.CHURN_HORIZON_DAYS
    ).reindex(test.X.index)
    assert head["churn_auc_bgnbd"] == pytest.approx(roc_auc_score(test.y, -expected))
    assert head["churn_auc"] == pytest.approx(roc_auc_score(test.y, tested))
    # As docs/guide/report.md quotes: the model edges out the baseline.
    assert (round(head["churn_auc"], 3), round(head["churn_auc_bgnbd"], 3)) == (0.839, 0.834)
    assert round(head["recent_churn_rate"], 2) == 0.86


def test_loyalty_is_the_ledger_as_of_the_snapshot(built):
    events = built["inputs"][3]
    ledger = loyalty.Ledger(events, PROGRAM)  # the whole stream; the ledger cuts at as_of
    balances = ledger.balances(as_of="1998-06-30")
    tiers = ledger.tiers(as_of="1998-06-30")
    liability = ledger.liability(as_of="1998-06-30")
    head = built["result"].summary["headline"]["loyalty"]
    assert head["loyalty_members"] == len(balances)
    assert head["points_outstanding"] == balances["balance"].sum() == liability["outstanding_points"]
    assert head["points_expiring_90d"] == balances["expiring_90d"].sum()
    assert head["breakage"] == pytest.approx(liability["breakage"])
    assert head["loyalty_liability"] == pytest.approx(liability["liability"])
    written = built["result"].customers
    np.testing.assert_array_equal(
        written["points_balance"], balances["balance"].reindex(written.index, fill_value=0)
    )
    expected_tier = tiers["tier"].astype(str).reindex(written.index)
    assert written["loyalty_tier"].astype(str).where(written["loyalty_tier"].notna()).equals(expected_tier)
    assert set(tiers["tier"].astype(str)) == {"Silver", "Gold", "Black"}
    n_after = int((events["ts"] > "1998-06-30").sum())
    assert n_after > 0
    assert f"{n_after:,} row(s) dated after the snapshot were left out" in (
        built["out"] / "index.html"
    ).read_text(encoding="utf-8")


def test_hand_built_loyalty_section(tmp_path):
    tx = pd.DataFrame(
        {
            "cid": ["a", "a", "b", "c"],
            "day": ["2023-01-01", "2023-05-01", "2024-03-01", "2024-03-15"],
            "value": [100.0, 200.0, 50.0, 10.0],
        }
    )
    events = pd.DataFrame(
        {
            "event_id": [1, 2, 3, 4, 5, 6],
            "cid": ["a", "a", "a", "b", "z", "a"],
            "ts": ["2023-01-01", "2023-06-01", "2023-05-01", "2024-03-01", "2024-03-02", "2024-04-10"],
            "type": ["earn", "redeem", "earn", "earn", "earn", "redeem"],
            "points": [100, 40, 200, 50, 30, 20],
            "amount": [100.0, np.nan, 200.0, 50.0, 30.0, np.nan],
        }
    )
    with pytest.warns(DataDroppedWarning, match="1 of 3 members have no transactions"):
        result = report.build(
            tx, tmp_path, loyalty=events, as_of="2024-03-31", customer_col="cid", date_col="day",
            amount_col="value",
        )  # fmt: skip
    head = result.summary["headline"]["loyalty"]
    # a: earned 100 + 200, redeemed 40 from the oldest lot, whose other 60 expired on
    # 2024-01-01; b: 50; z (no transactions): 30. The redemption of 2024-04-10 is later.
    # Lot 3 (200 points, earned 2023-05-01) expires on 2024-04-30, within 90 days.
    # Breakage: of the one matured lot's 100 points, 60 expired: 0.6.
    assert head == {
        "loyalty_members": 3,
        "points_outstanding": 280,
        "points_expiring_90d": 200,
        "breakage": pytest.approx(0.6),
        "loyalty_liability": pytest.approx(280 * 0.01 * (1 - 0.6)),
    }
    customers = result.customers
    assert customers["points_balance"].to_dict() == {"a": 200, "b": 50, "c": 0}
    assert customers.loc[["a", "b"], "loyalty_tier"].tolist() == ["Silver", "Silver"]
    assert pd.isna(customers.loc["c", "loyalty_tier"])  # never joined: no tier
    page = result.index_html.read_text(encoding="utf-8")
    assert "1 row(s) dated after the snapshot were left out" in page
    # Three customers are too few for the model sections: they say so instead.
    assert all(result.summary["headline"][key] == {} for key in ("segments", "clv", "churn"))
    assert page.count(f"at least this many are needed: {report.MIN_MODEL_CUSTOMERS} (3)") == 3
    assert not {"cluster", "clv_12m", "churn_probability"} & set(customers.columns)


def test_loyalty_without_matured_lots_reports_gross_liability(tmp_path):
    tx = pd.DataFrame(
        {"customer_id": [1, 2], "order_date": ["2024-01-01", "2024-01-02"], "amount": [5.0, 6.0]}
    )
    events = pd.DataFrame(
        {
            "event_id": [1, 2],
            "customer_id": [1, 2],
            "ts": ["2024-01-01", "2024-01-02"],
            "type": "earn",
            "points": [500, 600],
            "amount": [500.0, 600.0],
        }
    )
    result = report.build(tx, tmp_path, loyalty=events)
    head = result.summary["headline"]["loyalty"]
    assert "breakage" not in head and head["loyalty_liability"] == pytest.approx(1_100 * 0.01)
    assert "breakage cannot be estimated" in result.index_html.read_text(encoding="utf-8")


def test_page_shows_headline_figures_and_section_tables(built):
    page = (built["out"] / "index.html").read_text(encoding="utf-8")
    assert "23,570" in page and "1998-06-30" in page
    for line in built["result"].headline:
        value = line.rsplit(": ", 1)[1]
        assert f">{value}</span>" in page
    assert "NPS by RFM segment" in page and "Service levels by channel" in page


def test_hand_built_report(tmp_path):
    tx = pd.DataFrame(
        {
            "cid": ["a", "a", "b", "c", "c", "c"],
            "day": ["2024-01-05", "2024-02-10", "2024-01-20", "2024-02-01", "2024-03-03", "2024-04-01"],
            "value": [10.0, 20.0, 5.0, 8.0, 8.0, 100.0],
        }
    )
    answers = pd.DataFrame(
        {
            "cid": ["a", "b", "c", "c"],
            "date": ["2024-02-01", "2024-02-02", "2024-03-01", "2024-05-01"],
            "score": [10, 3, 9, 0],
        }
    )
    result = report.build(
        tx,
        tmp_path,
        surveys=answers,
        as_of="2024-03-31",
        customer_col="cid",
        date_col="day",
        amount_col="value",
    )
    head = result.summary["headline"]
    # The 100.0 order and the 0 answer come after as_of and are left out.
    assert head["overview"] == {
        "customers": 3,
        "orders": 5,
        "revenue": 51.0,
        "average_order_value": 10.2,
        "orders_per_customer": round(5 / 3, 3),
        "one_time_buyer_share": round(1 / 3, 4),
        "median_recency_days": 50.0,  # a: 50, b: 71, c: 28 days
    }
    assert head["surveys"]["responses"] == 3
    assert head["surveys"]["nps"] == pytest.approx(100 * (2 - 1) / 3)
    assert "1 row(s) dated after the snapshot were left out" in result.index_html.read_text(encoding="utf-8")
    assert result.customers.loc["c", "last_nps_score"] == 9
    assert result.customers.index.name == "cid"
    # Each optional section appears only with its input.
    assert result.summary["sections"] == [*BASE_SECTIONS, "surveys"]
    page = result.index_html.read_text(encoding="utf-8")
    assert 'id="surveys"' in page and 'id="loyalty"' not in page and 'id="service"' not in page
    assert not {"points_balance", "n_tickets"} & set(result.customers.columns)


def test_chinese_report(cdnow_sample, tmp_path):
    from ecrm.plotting._base import cjk_fonts

    has_cjk = bool(cjk_fonts())
    cjk_fonts.cache_clear()  # so that a missing font is reported again, by this build
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = report.build(cdnow_sample, tmp_path, lang="zh")
    font_warnings = [w for w in caught if "Chinese font" in str(w.message)]
    assert len(font_warnings) == (0 if has_cjk else 1)
    page = result.index_html.read_text(encoding="utf-8")
    assert '<html lang="zh">' in page and "客户分析报告" in page and "RFM 评分与客户分层" in page
    assert "冠军客户" in set(result.customers["rfm_segment"].astype(str))
    assert all(name.endswith("客户") for name in result.customers["cluster_name"].cat.categories)
    assert result.customers["lifecycle_stage"].cat.categories[0] == "潜在客户"


def test_build_parses_the_transaction_dates_once(cdnow_sample, tmp_path, monkeypatch):
    """Issue 14: the report validates the transactions once and hands that one log to every
    section (on main, the same ISO date strings were parsed 17 times)."""
    tx = cdnow_sample.assign(order_date=cdnow_sample["order_date"].dt.strftime("%Y-%m-%d"))
    parsed, validated = [], []
    real_parse, real_dates = pd.to_datetime, ecrm._schema.dates

    def parse(arg, *args, **kwargs):
        if isinstance(arg, pd.Series) and arg.name == "order_date":
            parsed.append(len(arg))
        return real_parse(arg, *args, **kwargs)

    def dates(frame, column, *args, **kwargs):
        if column == "order_date":
            validated.append(column)
        return real_dates(frame, column, *args, **kwargs)

    monkeypatch.setattr(pd, "to_datetime", parse)
    monkeypatch.setattr(ecrm._schema, "dates", dates)
    result = report.build(tx, tmp_path, as_of="1998-06-30")
    assert parsed == [len(tx)] and validated == ["order_date"]
    assert result.summary["sections"] == BASE_SECTIONS
    # A Transactions given to build is not validated again, and gives the same report.
    log = ecrm.transactions(tx)
    parsed.clear()
    again = report.build(log, tmp_path / "again", as_of="1998-06-30")
    assert parsed == []
    assert again.summary["headline"] == result.summary["headline"]


def test_report_of_a_frame_with_a_duplicated_index(cdnow_sample, tmp_path):
    shuffled = cdnow_sample.sample(frac=1.0, random_state=0)
    shuffled.index = np.arange(len(shuffled)) % 5
    result = report.build(shuffled, tmp_path / "dup")
    plain = report.build(shuffled.reset_index(drop=True), tmp_path / "plain")
    assert result.summary["headline"] == plain.summary["headline"]
    pd.testing.assert_frame_equal(result.customers, plain.customers)


def test_survey_answers_of_unknown_customers_are_reported(tmp_path):
    tx = pd.DataFrame(
        {"customer_id": [1, 2], "order_date": ["2024-01-01", "2024-01-02"], "amount": [5.0, 6.0]}
    )
    answers = pd.DataFrame({"customer_id": [1, 99], "date": ["2024-01-01", "2024-01-01"], "score": [10, 0]})
    with pytest.warns(DataDroppedWarning, match="1 of 2 answers are from customers without transactions"):
        result = report.build(tx, tmp_path, surveys=answers)
    assert result.summary["headline"]["surveys"]["responses"] == 2  # overall NPS keeps both
    assert result.summary["headline"]["surveys"]["nps"] == 0.0


def test_bad_input_names_input_column_and_problem(tmp_path):
    tx = pd.DataFrame(
        {"customer_id": [1, 2], "order_date": ["1997-01-01", "1997-02-02"], "amount": [5.0, 6.0]}
    )
    with pytest.raises(SchemaError, match="'amount'") as info:
        report.build(tx.drop(columns="amount"), tmp_path)
    assert info.value.input == "transactions"
    answers = pd.DataFrame({"customer_id": [1], "date": ["1997-02-01"], "rating": [9]})
    with pytest.raises(
        SchemaError, match=r"no NPS score column; expected one of \['score', 'nps_score'\]"
    ) as info:
        report.build(tx, tmp_path, surveys=answers)
    assert info.value.input == "surveys"
    answers = pd.DataFrame({"customer_id": [1], "date": ["1997-02-01"], "score": [11]})
    with pytest.raises(SchemaError, match="'score'") as info:
        report.build(tx, tmp_path, surveys=answers)
    assert info.value.input == "surveys"
    tickets = ecrm.datasets.make_tickets(50, random_state=0).drop(columns="created_at")
    with pytest.raises(SchemaError, match="'created_at'") as info:
        report.build(tx, tmp_path, tickets=tickets)
    assert info.value.input == "tickets"
    events = pd.DataFrame(
        {
            "event_id": [1, 2],
            "customer_id": [1, 2],
            "ts": ["1997-01-01"] * 2,
            "type": "earn",
            "points": [5, 0],
        }
    )
    with pytest.raises(
        LedgerError, match=r"points must be positive integers .*: 1 event\(s\): event_id 2"
    ) as info:
        report.build(tx, tmp_path, loyalty=events.assign(amount=1.0))
    assert info.value.input == "loyalty"
    with pytest.raises(SchemaError, match="'ts'") as info:
        report.build(tx, tmp_path, loyalty=events.drop(columns="ts"))
    assert info.value.input == "loyalty"
    with pytest.raises(SchemaError, match="lang='fr'"):
        report.build(tx, tmp_path, lang="fr")


def test_new_sections_plug_into_the_registry(cdnow_sample, tmp_path, monkeypatch):
    def extra(ctx):
        flag = (ctx.customers["n_orders"] > 1).rename("repeat_buyer")
        return report.Section(headline=[("customers", int(flag.sum()), "count")], columns=flag.to_frame())

    spec = report.SectionSpec("repeat", (), extra)
    monkeypatch.setitem(_labels.REPORT_SECTIONS, "repeat", {"en": "Repeat buyers", "zh": "复购客户"})
    monkeypatch.setattr(report, "SECTIONS", (report.SECTIONS[0], spec))  # overview, then the new one
    result = report.build(cdnow_sample, tmp_path)
    assert result.summary["sections"] == ["overview", "repeat"]
    repeat = int((ecrm.customer_summary(cdnow_sample)["n_orders"] > 1).sum())
    assert result.summary["headline"]["repeat"]["customers"] == repeat
    assert result.customers["repeat_buyer"].sum() == repeat
    assert '<section id="repeat"><h2>Repeat buyers</h2>' in result.index_html.read_text(encoding="utf-8")


# --- the page as a person sees it ----------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")
_SNAKE_CASE = re.compile(r"[a-z0-9]+_[a-z0-9]+")
_TOO_PRECISE = re.compile(r"\d\.\d{3,}")  # a raw float: more than two decimals


class _PageParser(html.parser.HTMLParser):
    """Table headers, table rows and notes of a report page, as text."""

    def __init__(self):
        super().__init__()
        self.tables, self.notes, self._stack, self._text = [], [], [], None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table":
            self.tables.append({"headers": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        if tag in ("th", "td") or (tag in ("p", "li") and ("note" in classes or self._in_notes())):
            self._text = ""
        self._stack.append((tag, classes, dict(attrs).get("id")))

    def _in_notes(self):
        return any(ident == "notes" for _, _, ident in self._stack)

    def handle_endtag(self, tag):
        self._stack.pop()
        if self._text is None:
            return
        if tag == "th" and any(t == "thead" for t, _, _ in self._stack):
            self.tables[-1]["headers"].append(self._text.strip())
        elif tag == "td":
            self.tables[-1]["rows"][-1].append(self._text.strip())
        elif tag in ("p", "li"):
            self.notes.append(self._text.strip())
        if tag in ("th", "td", "p", "li"):
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text += data


def _share_headers(lang):
    """Labels of every column the formatting layer shows as a share, in ``lang``."""
    from ecrm import _display

    names = [n for n in _labels.REPORT_COLUMNS if _display.kind_of(n) == "share"]
    return {_display.column_label(n, lang) for n in names}


def _check_tables(tables, lang):
    """What a person reading the page must never see, for tables given as header and row text."""
    shares = _share_headers(lang)
    assert tables
    for table in tables:
        headers = [h for h in table["headers"] if h]
        for header in headers:
            assert not _SNAKE_CASE.search(header), f"snake_case header {header!r}"
            if lang == "zh":
                assert _CJK.search(header), f"header without Chinese: {header!r}"
        data_headers = table["headers"][1:]  # the first is the row labels'
        for row in table["rows"]:
            for header, cell in zip(data_headers, row, strict=False):
                assert not _TOO_PRECISE.search(cell), f"{header}: {cell!r} has more than two decimals"
                if header in shares:
                    assert cell.endswith("%") or cell == "–", f"{header}: share {cell!r} not in %"


def test_tables_are_formatted_for_people(built):
    parser = _PageParser()
    parser.feed((built["out"] / "index.html").read_text(encoding="utf-8"))
    _check_tables(parser.tables, "en")
    page = (built["out"] / "index.html").read_text(encoding="utf-8")
    # The machine outputs keep machine names and full precision.
    written = pd.read_csv(built["out"] / "customers.csv", index_col="customer_id")
    assert {"total_spend", "clv_12m", "churn_probability"} <= set(written.columns)
    assert written["clv_12m"].round(6).ne(written["clv_12m"].round(2)).any()
    head = built["result"].summary["headline"]["rfm"]
    assert f"{100 * head['champions_revenue_share']:.1f}%" in page and head["champions_revenue_share"] < 1


def test_chinese_page_is_chinese_throughout(cdnow_sample, tmp_path):
    surveys = ecrm.datasets.make_surveys(
        500, customer_ids=ecrm.customer_summary(cdnow_sample).index, start="1997-06-01", end="1998-06-30"
    )
    tickets = ecrm.datasets.make_tickets(300, start="1998-01-01", end="1998-06-29", n_customers=2_357)
    result = report.build(cdnow_sample, tmp_path, surveys=surveys, tickets=tickets, lang="zh")
    parser = _PageParser()
    parser.feed(result.index_html.read_text(encoding="utf-8"))
    _check_tables(parser.tables, "zh")
    assert parser.notes and all(_CJK.search(note) for note in parser.notes), parser.notes
    assert all(_CJK.search(line) for line in result.executive_summary)
    assert "按渠道的服务水平" in result.index_html.read_text(encoding="utf-8")


def test_display_layer_by_hand():
    from ecrm import _display

    table = _display.Table(
        "t",
        pd.DataFrame(
            {
                "n_customers": [4118, 6],
                "revenue_share": [0.5175, 0.00114],
                "mean_monetary": [314.2335, np.nan],
            },
            index=pd.Index(["Champions", "Can't lose them"], name="segment"),
        ),
    )
    shown = _display.show(table, "en", currency="$")
    assert shown.index_label == "Segment" and shown.columns == ["Customers", "Revenue share", "Mean spend"]
    assert shown.rows == [
        ("Champions", ["4,118", "51.7%", "$314.23"]),
        ("Can't lose them", ["6", "0.1%", "–"]),
    ]
    zh = _display.show(table, "zh")
    assert zh.index_label == "客户分层" and zh.columns == ["客户数", "收入占比", "平均消费额"]
    liability = pd.Series({"outstanding_points": 7673732, "breakage": 0.43989604782269465,
                           "breakage_source": "estimated", "liability": 42980.87621149458})  # fmt: skip
    liability.index.name = "item"
    rows = _display.show(_display.Table("l", liability), "en").rows
    assert rows == [
        ("Points outstanding", ["7,673,732"]),
        ("Breakage", ["44.0%"]),
        ("Breakage from", ["estimated from expired lots"]),
        ("Points liability, net of breakage", ["42,980.88"]),
    ]


def test_notes_on_the_data_show_each_warning_once_with_counts(cdnow_sample, tmp_path):
    # A customer whose only row is a return: every customer summary (overview, CLV, the
    # churn baseline) leaves it out with the same warning.
    tx = pd.concat(
        [cdnow_sample, pd.DataFrame({"customer_id": [99_999], "order_date": [pd.Timestamp("1998-01-05")],
                                     "quantity": [1], "amount": [-10.0], "master_id": [0]})],
        ignore_index=True,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = report.build(tx, tmp_path)
    message = "customer_summary: left out 1 customer(s) whose only rows on or before as_of are returns"
    issued = [w for w in caught if str(w.message).startswith(message)]
    assert len(issued) == 1  # once, however many sections met it
    notes = [n for n in result.summary["notes"] if n["message"].startswith(message)]
    assert len(notes) == 1 and notes[0]["count"] >= 3
    assert notes[0]["sections"][:2] == ["overview", "clv"]
    page = result.index_html.read_text(encoding="utf-8")
    assert page.count(message) == 1
    assert f"{notes[0]['count']}× in: Customer base overview, Customer lifetime value" in page
    messages = [n["message"] for n in result.summary["notes"]]
    assert len(messages) == len(set(messages))


def test_weak_churn_model_says_so_and_its_tiers_are_unreliable(cdnow_sample, tmp_path, monkeypatch):
    # The sample's model ranks with a ROC AUC of about 0.83; a floor above it must flag it.
    monkeypatch.setattr(report, "CHURN_MIN_AUC", 0.95)
    result = report.build(cdnow_sample, tmp_path)
    auc = result.summary["headline"]["churn"]["churn_auc"]
    assert 0.6 < auc < 0.95
    caveat = result.summary["caveats"]["churn"]
    assert caveat.startswith(
        f"Caveat: out of time, the churn model ranks customers with a ROC AUC of {auc:.2f}"
    )
    page = result.index_html.read_text(encoding="utf-8")
    churn_part = page[page.index('<section id="churn">') :]
    assert churn_part.index('class="caveat note"') < churn_part.index('class="note"')  # the first line
    assert "High risk (unreliable)" in churn_part
    assert any(line.startswith("High-risk customers (unreliable): ") for line in result.headline)
    # The executive summary does not act on unreliable tiers.
    assert not any("churn model" in line for line in result.executive_summary)


def test_clv_fit_that_warned_says_so_first(cdnow_sample, tmp_path, monkeypatch):
    fit = clv.CLVModel.fit

    def fit_that_warns(self, *args, **kwargs):
        fitted = fit(self, *args, **kwargs)
        warnings.warn("CLVModel: the BG/NBD fit did not converge", clv.ConvergenceWarning, stacklevel=2)
        return fitted

    monkeypatch.setattr(clv.CLVModel, "fit", fit_that_warns)
    with pytest.warns(clv.ConvergenceWarning, match="did not converge"):
        result = report.build(cdnow_sample, tmp_path)
    assert result.summary["caveats"]["clv"].startswith("Caveat: the CLV model's fit did not converge")
    assert "churn" not in result.summary["caveats"]
    assert [n["category"] for n in result.summary["notes"]].count("ConvergenceWarning") == 1


def test_executive_summary_by_hand(built, cdnow):
    customers = built["result"].customers
    spend = customers["total_spend"]
    champions = customers["rfm_segment"] == "Champions"
    lines = built["result"].executive_summary
    assert lines[0].startswith(
        f"The best customers are the {champions.sum():,} Champions ({champions.mean():.1%} of customers): "
        f"they brought {spend[champions].sum() / spend.sum():.1%} of revenue."
    )
    slipping = customers["rfm_segment"].isin(["At risk", "Can't lose them"])
    assert lines[1].startswith(f"{slipping.sum():,} valuable customers are slipping away")
    assert f"they brought {spend[slipping].sum():,.2f}" in lines[1]
    assert f"CLV at stake is {customers.loc[slipping, 'clv_12m'].sum():,.2f}" in lines[1]
    monthly = metrics.kpis(cdnow)
    last, before = monthly.iloc[-1], monthly.iloc[-2]
    change = last["net_revenue"] / before["net_revenue"] - 1
    assert lines[2] == (
        f"In 1998-06, net revenue was {last['net_revenue']:,.2f} (+{change:.1%} on the month before) from "
        f"{int(last['buyers']):,} buyers (+{last['buyers'] / before['buyers'] - 1:.1%})."
    )
    actions = lines[3:]
    assert len(actions) == 3
    call = customers["churn_intervention"] == "Personal service call"
    assert actions[0].startswith(f"Personal service call for the {call.sum():,} high-value customers")
    assert actions[1].startswith(f"Champions ({champions.sum():,} customers, ")
    assert actions[1].endswith(": Reward them: early access to new products, ask for reviews and referrals.")


# --- the demo page in a browser -------------------------------------------------------------

_CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
)

# Appended to a copy of the page: after everything loaded, open the folded tables, then
# write what the browser laid out into the DOM: every image's natural width, the visible
# text of cards, table headers and cells, notes, and the widths of each table, its box
# and its section.
_PROBE = """
<script>
window.addEventListener("load", () => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const text = e => e.innerText.trim();
  const seen = {
    images: Array.from(document.images).map(i => [i.getAttribute("src"), i.naturalWidth]),
    cards: Array.from(document.querySelectorAll(".card .value")).map(text),
    notes: Array.from(document.querySelectorAll("p.note, #notes li")).map(text),
    tables: Array.from(document.querySelectorAll("table")).map(t => ({
      headers: Array.from(t.querySelectorAll("thead th")).map(text),
      rows: Array.from(t.querySelectorAll("tbody tr"))
        .map(r => Array.from(r.querySelectorAll("td")).map(text)),
      width: t.getBoundingClientRect().width,
      box: t.parentElement.clientWidth,
      boxWidth: t.parentElement.getBoundingClientRect().width,
      section: t.closest("section").getBoundingClientRect().width,
    })),
    pageWidth: document.documentElement.scrollWidth,
    windowWidth: window.innerWidth,
  };
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(seen);
  document.body.appendChild(out);
});
</script>
"""


def _seen_by_chromium(index, profile):
    probe = index.with_name("probe.html")
    probe.write_text(
        index.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8"
    )
    command = [
        _CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--allow-file-access-from-files", f"--user-data-dir={profile}", "--window-size=1280,2000",
        "--virtual-time-budget=10000", "--dump-dom", probe.as_uri(),
    ]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, text=True, timeout=180, check=True).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe script did not run"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module", params=["en", "zh"])
def demo_page(request, tmp_path_factory):
    from ecrm import cli

    out = tmp_path_factory.mktemp(f"demo-{request.param}")
    assert cli.main(["demo", "--out", str(out), "--lang", request.param, "--quiet"]) == 0
    return request.param, out


@pytest.mark.skipif(_CHROMIUM is None, reason="Chromium is not installed")
def test_demo_page_in_headless_chromium(demo_page, tmp_path):
    lang, out = demo_page
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    seen = _seen_by_chromium(out / "index.html", tmp_path / "profile")
    # Every figure loaded.
    assert (
        sorted(src for src, _ in seen["images"]) == sorted(summary["figures"]) and len(seen["images"]) >= 16
    )
    for source, width in seen["images"]:
        assert width > 0, f"{source} did not load"
    # Tables: human headers (Chinese for zh), no raw floats, shares in %.
    _check_tables(seen["tables"], lang)
    # No table is wider than its box, no box wider than its section, the page never scrolls sideways.
    for table in seen["tables"]:
        assert table["width"] <= table["box"] + 1, f"table {table['headers'][:3]} is wider than its box"
        assert table["boxWidth"] <= table["section"] + 1
    assert seen["pageWidth"] <= seen["windowWidth"]
    # Section notes and the notes on the data, in the report language.
    assert seen["notes"]
    if lang == "zh":
        assert all(_CJK.search(note) for note in seen["notes"]), seen["notes"]
    assert "23,570" in seen["cards"]


# --- options, and an export as it comes from a shop ------------------------------------------

RETAIL_MAPPING = {
    "customer_col": "CustomerID",
    "date_col": "InvoiceDate",
    "order_col": "InvoiceNo",
    "quantity_col": "Quantity",
    "price_col": "UnitPrice",
    "date_format": "%m/%d/%Y %H:%M",
    "missing_customers": "drop",
    "cancel_prefix": "C",
}


@pytest.fixture(scope="module")
def retail_log():
    lines = ecrm.datasets.make_online_retail(n_customers=400, random_state=3)
    with pytest.warns(DataDroppedWarning, match="without a customer id"):
        return ecrm.transactions(lines, **RETAIL_MAPPING)


def test_options_change_the_models_and_the_page(cdnow_sample, tmp_path):
    tiers = {"high": 0.9, "medium": 0.6}
    result = report.build(
        cdnow_sample, tmp_path, currency="$", clv_horizon_months=6, clv_penalizer=0.001,
        churn_horizon_days=60, churn_tiers=tiers,
    )  # fmt: skip
    customers = result.customers
    assert {"clv_6m", "expected_purchases_6m"} <= set(customers.columns) and "clv_12m" not in customers
    model = clv.CLVModel(penalizer=0.001).fit(ecrm.customer_summary(cdnow_sample, time_unit="W"))
    value = model.predict_clv(horizon=6, horizon_unit="M")
    np.testing.assert_allclose(customers["clv_6m"], value["clv"], rtol=1e-9)
    head = result.summary["headline"]
    assert head["clv"]["clv_6m_total"] == pytest.approx(value["clv"].sum())
    assert result.summary["options"]["churn_tiers"] == tiers
    # Churn: labels over 60 days (train as of 1998-03-02, test as of 1998-05-01), tiers at 0.9 / 0.6.
    test = churn.dataset(cdnow_sample, cutoff="1998-05-01", horizon_days=60)
    assert head["churn"]["recent_churn_rate"] == pytest.approx(test.y.mean())
    p = customers["churn_probability"]
    expected = np.where(p >= 0.9, "High risk", np.where(p >= 0.6, "Medium risk", "Low risk"))
    assert (customers["churn_risk_tier"].astype(str) == expected).all()
    page = result.index_html.read_text(encoding="utf-8")
    assert "6-month CLV, all customers" in page and "Customers who bought nothing in the last 60 days" in page
    assert f">${head['overview']['revenue']:,.2f}</span>" in page
    for bad, match in (
        ({"clv_horizon_months": 0}, r"clv_horizon_months=0 must be an integer >= 1 and <= 120"),
        ({"clv_penalizer": -1}, r"clv_penalizer=-1 must be a finite number >= 0"),
        ({"clv_horizon_months": "6"}, r"clv_horizon_months='6' must be an integer"),
        (
            {"churn_tiers": {"high": "0.9", "medium": 0.5}},
            r"churn_tiers\['high'\]='0\.9' must be a finite number",
        ),
        ({"churn_tiers": {"high": 0.4, "medium": 0.7}}, r"churn_tiers=.*0 <= q <= p <= 1"),
        ({"currency": 1}, r"currency=1 must be a string"),
    ):
        with pytest.raises(SchemaError, match=match):
            report.build(cdnow_sample, tmp_path, **bad)


def test_online_retail_shape_in_chinese(retail_log, tmp_path):
    result = report.build(retail_log, tmp_path, lang="zh")
    parser = _PageParser()
    page = result.index_html.read_text(encoding="utf-8")
    parser.feed(page)
    _check_tables(parser.tables, "zh")
    assert parser.notes and all(_CJK.search(note) for note in parser.notes), parser.notes
    # How the data were read, from the log's own account: guests left out, returns netted.
    facts = retail_log.describe()
    data = result.summary["data"]
    assert data["rows_without_customer"] == facts["rows_without_customer"] > 0
    assert f"{facts['rows_without_customer']:,} 行无客户编号（游客下单）未计入" in page
    assert f"{facts['return_rows']:,} 行退货已冲减" in page
    # The data end on 9 December: the cards compare November with October, and say so.
    kpis = result.summary["headline"]["kpis"]
    monthly = metrics.kpis(retail_log)
    assert monthly.index[-1] == pd.Period("2011-12", "M") and kpis["last_period"] == "2011-11"
    assert kpis["net_revenue_change"] == pytest.approx(monthly.loc["2011-11", "net_revenue_growth"])
    assert "2011-12 尚未结束（数据截至 2011-12-09）" in page


# --- did the campaign work? and products bought together --------------------------------------

CAMPAIGN_START = "2024-06-01"


@pytest.fixture(scope="module")
def campaign_data():
    return ecrm.datasets.make_campaign(4_000, start=CAMPAIGN_START, random_state=5)


def test_campaign_section_is_campaign_evaluate(campaign_data, tmp_path):
    assignments, tx = campaign_data
    copy = assignments.copy()
    result = report.build(
        tx, tmp_path, campaign=assignments, campaign_start=CAMPAIGN_START, order_col="order_id"
    )
    pd.testing.assert_frame_equal(assignments, copy)
    expected = ecrm.campaign.evaluate(
        assignments, tx, start=CAMPAIGN_START, by="segment", order_col="order_id"
    )
    assert result.summary["sections"] == [*BASE_SECTIONS, "campaign"]
    head = result.summary["headline"]["campaign"]
    conversion = expected.lift.loc[("conversion_rate", "raw")]
    revenue = expected.lift.loc[("revenue_per_customer", "cuped")]
    assert head["campaign_treatment"] == expected.srm["n_treatment"] == 2_000
    assert head["conversion_treatment"] == pytest.approx(conversion["treatment"], rel=1e-12)
    assert head["conversion_control"] == pytest.approx(conversion["control"], rel=1e-12)
    assert head["conversion_lift"] == pytest.approx(conversion["lift"], rel=1e-12)
    assert head["revenue_lift_cuped"] == pytest.approx(revenue["lift"], rel=1e-12)
    assert head["incremental_revenue"] == pytest.approx(expected.impact["incremental_revenue"], rel=1e-12)
    # The reading in words, with the interval as the page shows it; a planted effect is found.
    page = html.unescape(result.index_html.read_text(encoding="utf-8"))
    assert (
        f"a lift of {100 * conversion['lift']:+.1f} percentage points (95% interval "
        f"{100 * conversion['ci_low']:+.1f} to {100 * conversion['ci_high']:+.1f}; p < 0.01). "
        "The campaign raised conversion rate." in page
    )
    assert f"narrowed the revenue interval by {100 * expected.cuped['interval_narrowing']:.1f}%" in page
    # ... and the verdict in the executive summary.
    assert [line for line in result.executive_summary if line.startswith("Campaign: ")] == [
        f"Campaign: {100 * conversion['treatment']:.1f}% of the treatment group bought in the window "
        f"against {100 * conversion['control']:.1f}% of the holdout: a lift of "
        f"{100 * conversion['lift']:+.1f} percentage points (95% interval "
        f"{100 * conversion['ci_low']:+.1f} to {100 * conversion['ci_high']:+.1f}; p < 0.01). "
        "The campaign raised conversion rate."
    ]
    # Lift by segment: one row per segment of the assignments, each the segment's own lift.
    by_segment = expected.segments.xs(("conversion_rate", "raw"), level=("metric", "estimate"))
    for name, row in by_segment.iterrows():
        cells = (
            f'<th scope="row">{_display_row(name)}</th><td class="num">{row["n_treatment"]:,}</td>'
            f'<td class="num">{row["n_control"]:,}</td><td class="num">{100 * row["lift"]:+.1f}</td>'
        )
        assert cells in page, name
    # The at-risk customers respond most (make_campaign plants it): the note names them.
    assert "the largest conversion lift is in At risk" in page
    # Per customer: group, conversion and revenue in the window.
    customers = result.customers
    labels = {"treatment": "Treatment group", "control": "Control group (holdout)"}
    group = assignments.set_index("customer_id")["group"].map(labels).reindex(customers.index)
    assert (customers["campaign_group"].astype(str) == group).all()
    measured = expected.customers.reindex(customers.index)
    np.testing.assert_array_equal(customers["campaign_converted"], measured["converted"])
    np.testing.assert_allclose(customers["campaign_revenue"], measured["revenue"])
    figures = {f"figures/campaign_{name}.png" for name in ("conversion", "lift_conversion", "lift_revenue")}
    assert figures <= set(result.summary["figures"])


def _display_row(name):
    return ecrm._display.column_label(str(name), "en")


def test_campaign_without_segments_uses_the_rfm_segment_at_the_send_and_flags_a_broken_split(
    campaign_data, tmp_path
):
    assignments, tx = campaign_data
    # No segment column, and 600 control customers lost: 2,000 against 1,400 where half was planned.
    lost = assignments.index[assignments["group"] == "control"][:600]
    broken = assignments.drop(index=lost).drop(columns="segment")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = report.build(tx, tmp_path, campaign=broken, campaign_start=CAMPAIGN_START, lang="zh")
    assert any(issubclass(w.category, ecrm.errors.SampleRatioMismatchWarning) for w in caught)
    page = html.unescape(result.index_html.read_text(encoding="utf-8"))
    assert "注意：样本比例失衡：实验组 2,000 位、对照组 1,400 位，而计划实验组占比为 50.0%" in page
    # The executive summary says so too, instead of the lift.
    assert [line[:13] for line in result.executive_summary if "样本比例" in line] == [
        "注意：样本比例失衡：实验组"
    ]
    assert "按发送时的 RFM 分层的提升" in page
    # Segments as they were the moment before the send: RFM of the history up to then.
    eve = ecrm.customer_summary(tx, as_of=pd.Timestamp(CAMPAIGN_START) - pd.Timedelta(seconds=1))
    segment = rfm.segment(rfm.score(eve), lang="zh")["segment"].reindex(broken["customer_id"])
    counts = pd.crosstab(segment.to_numpy(), broken["group"].to_numpy())
    assert counts.to_numpy().sum() == len(broken)
    for name, row in counts.iterrows():
        assert (
            f'<th scope="row">{name}</th><td class="num">{row["treatment"]:,}</td>'
            f'<td class="num">{row["control"]:,}</td>'
        ) in page


def test_campaign_bad_input_names_the_campaign(campaign_data, tmp_path):
    assignments, tx = campaign_data
    with pytest.raises(SchemaError, match="'group'") as err:
        report.build(tx, tmp_path, campaign=assignments.drop(columns="group"), campaign_start=CAMPAIGN_START)
    assert err.value.input == "campaign"
    with pytest.raises(SchemaError, match=r"give start=.* or a column 'assigned_at'") as err:
        report.build(tx, tmp_path, campaign=assignments)
    assert err.value.input == "campaign"
    unknown = assignments.assign(group=assignments["group"].replace({"control": "holdout"}))
    with pytest.raises(SchemaError, match="holdout"):
        report.build(tx, tmp_path, campaign=unknown, campaign_start=CAMPAIGN_START)
    for bad, match in (
        ({"campaign_split": 1.5}, r"campaign_split=1.5 must be a finite number > 0 and < 1"),
        ({"campaign_start": "soon"}, r"campaign_start='soon' is not a date"),
        ({"campaign_window_days": 0}, r"campaign_window_days=0 must be an integer >= 1"),
        ({"campaign_cuped": "yes"}, r"campaign_cuped='yes' must be True or False"),
    ):
        with pytest.raises(SchemaError, match=match):
            report.build(tx, tmp_path, campaign=assignments, **bad)


@pytest.fixture(scope="module")
def retail_products():
    lines = ecrm.datasets.make_online_retail(n_customers=400, random_state=3)
    with pytest.warns(DataDroppedWarning, match="without a customer id"):
        return ecrm.transactions(lines, **RETAIL_MAPPING, product_col="StockCode")


def test_products_section_is_recommend_on_the_online_retail_shape(retail_products, tmp_path):
    from ecrm import recommend

    result = report.build(retail_products, tmp_path, lang="zh")
    assert result.summary["sections"] == [*BASE_SECTIONS, "products"]
    head = result.summary["headline"]["products"]
    # The rules: ecrm.recommend's, at the report's support (20 baskets, at least 0.1%).
    n_baskets = recommend.association_rules(retail_products, min_support=1.0).attrs["n_baskets"]
    rules = recommend.association_rules(
        retail_products, min_support=min(1.0, max(20 / n_baskets, 0.001)), min_confidence=0.1
    )
    assert head["n_baskets"] == n_baskets and head["n_rules"] == len(rules) > 0
    assert head["top_rule_lift"] == rules["lift"].iloc[0]
    purchases = retail_products.product[retail_products.purchase]
    assert head["n_products"] == purchases.nunique()
    # The table shows each pair once, the more confident way round, by lift.
    page = html.unescape(result.index_html.read_text(encoding="utf-8"))
    first = rules.iloc[0]
    assert (
        f'<th scope="row">1</th><td class="text">{first["antecedent"][0]}</td>'
        f'<td class="text">{first["consequent"][0]}</td>'
    ) in page
    reverse = (rules["antecedent"] == first["consequent"]) & (rules["consequent"] == first["antecedent"])
    if reverse.any():
        assert rules.loc[reverse, "confidence"].iloc[0] <= first["confidence"]
        assert f'<th scope="row">2</th><td class="text">{first["consequent"][0]}</td>' not in page
    # Next best product per customer: ItemKNN on the purchases, RFM segments for the rest.
    model = recommend.ItemKNN().fit(retail_products, result.customers["rfm_segment"])
    best = recommend.next_best_product(model)["next_best_product"]
    pd.testing.assert_series_equal(
        result.customers["next_best_product"], best.reindex(result.customers.index), check_names=False
    )
    assert "下一个最佳商品" in page and "figures/products_rules.png" in result.summary["figures"]
    written = pd.read_csv(result.index_html.parent / "customers.csv", index_col="CustomerID", dtype=str)
    shown = result.customers["next_best_product"].fillna("").to_numpy()
    np.testing.assert_array_equal(written["next_best_product"].fillna("").to_numpy(), shown)
