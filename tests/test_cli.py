"""The ecrm command line: demo, summary of a CSV, exit codes."""

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import ecrm
from ecrm import cli


def test_demo_writes_the_cdnow_report_and_prints_headlines(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path / "demo")]) == 0
    captured = capsys.readouterr()
    assert f"wrote {tmp_path / 'demo' / 'index.html'}" in captured.out
    assert "Customers: 23,570" in captured.out and "Net Promoter Score:" in captured.out
    # No progress (stderr is not a terminal here), only the CLV model's warning and the
    # campaign's small segments (a 10% holdout split over nine RFM segments).
    assert captured.err.strip().splitlines() == [
        "ecrm: warning: CLVModel: left 1 repeat customer(s) with monetary_value <= 0 (zero-value "
        "orders, or returns netted out) out of the Gamma-Gamma spend model, which needs positive spend",
        "ecrm: warning: assignments: 5 of 9 segment(s) have fewer than 100 customers or 10 converters in "
        "a group, e.g. ['Promising', 'Need attention', 'About to sleep', 'At risk', \"Can't lose them\"]; "
        "their intervals are wide (or, with few buyers, unreliably narrow) and their lift says little on "
        "its own",
    ]
    summary = json.loads((tmp_path / "demo" / "summary.json").read_text(encoding="utf-8"))
    assert summary["sections"] == [
        "overview", "rfm", "lifecycle", "segments", "clv", "churn", "kpis", "campaign", "surveys", "loyalty",
        "service",
    ]  # fmt: skip
    # The demo's campaign: a random 10% holdout of CDNOW with nothing sent, an A/A test.
    tx = ecrm.datasets.load_cdnow()
    assignments = cli._demo_campaign(ecrm.customer_summary(tx).index)
    expected = ecrm.campaign.evaluate(assignments, tx, start=cli.DEMO_CAMPAIGN_START, split=0.9)
    head = summary["headline"]["campaign"]
    assert head["campaign_control"] == 2_357 and head["campaign_treatment"] == 21_213
    assert head["conversion_lift"] == pytest.approx(expected.lift.loc[("conversion_rate", "raw"), "lift"])
    page = (tmp_path / "demo" / "index.html").read_text(encoding="utf-8")
    assert "no evidence that the campaign changed conversion rate" in page
    for line in ("Loyalty members:", "12-month CLV, all customers:", "Churn model ROC AUC (out of time):"):
        assert line in captured.out
    assert summary["headline"]["overview"]["customers"] == 23_570


def _files(tmp_path):
    tx = pd.DataFrame(
        {
            "cid": [1, 1, 2, 3],
            "day": ["2024-01-01", "2024-02-05", "2024-01-03", "2024-03-01"],
            "value": [5.0, 7.0, 1.0, 4.0],
        }
    )
    answers = pd.DataFrame(
        {"cid": [1, 2, 3], "date": ["2024-02-01", "2024-02-02", "2024-02-20"], "score": [10, 9, 4]}
    )
    tx.to_csv(tmp_path / "tx.csv", index=False)
    answers.to_csv(tmp_path / "nps.csv", index=False)
    return [
        "report",
        str(tmp_path / "tx.csv"),
        "--customer-col",
        "cid",
        "--date-col",
        "day",
        "--amount-col",
        "value",
    ]


def test_report_from_csv_files(tmp_path, capsys):
    args = [*_files(tmp_path), "--surveys", str(tmp_path / "nps.csv"), "--out", str(tmp_path / "r")]
    assert cli.main(args) == 0
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["headline"]["overview"]["revenue"] == 17.0
    assert summary["headline"]["surveys"]["nps"] == pytest.approx(100 * (2 - 1) / 3)
    written = pd.read_csv(tmp_path / "r" / "customers.csv", index_col="cid")
    assert written.loc[3, "last_nps_score"] == 4 and written.loc[1, "n_orders"] == 2
    assert "Revenue: 17.00" in capsys.readouterr().out


def test_report_quiet_and_progress(tmp_path, capsys, monkeypatch):
    args = [*_files(tmp_path), "--out", str(tmp_path / "r")]
    assert cli.main([*args, "--quiet"]) == 0
    assert "Customers:" not in capsys.readouterr().out
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "customer summary" in err and "RFM scores and segments" in err and "writing files" in err
    assert cli.main([*args, "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_report_bad_input_exits_2_naming_file_and_column(tmp_path, capsys):
    args = _files(tmp_path)
    pd.DataFrame({"cid": [1], "date": ["2024-02-01"], "score": [12]}).to_csv(
        tmp_path / "bad.csv", index=False
    )
    assert cli.main([*args, "--surveys", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    first, *examples = err.splitlines()
    assert "Traceback" not in err
    assert first.startswith(f"ecrm: error: {tmp_path / 'bad.csv'}: ") and "'score'" in first
    # The example rows the message announces follow it, indented.
    assert first.endswith("first 1 shown:")
    assert [line.split() for line in examples] == [["cid", "date", "score"], ["0", "1", "2024-02-01", "12"]]
    assert all(line.startswith("    ") for line in examples)
    assert cli.main([*args[:2], "--out", str(tmp_path / "r")]) == 2  # default column names absent
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"ecrm: error: {tmp_path / 'tx.csv'}: ") and "'customer_id'" in err
    assert cli.main(["report", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r")]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
    # issue 18 item 14: a missing side file is that file's fault, not the transactions'
    assert cli.main([*args, "--surveys", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err.strip() == f"ecrm: error: {tmp_path / 'nope.csv'}: no such file"
    assert cli.main(["report", str(tmp_path / "tx.csv")]) == 2  # --out is required
    assert "--out" in capsys.readouterr().err


def test_parquet_needs_pyarrow(tmp_path, monkeypatch, capsys):
    path = tmp_path / "tx.parquet"
    path.write_bytes(b"PAR1")
    real = cli.importlib.util.find_spec
    monkeypatch.setattr(
        cli.importlib.util, "find_spec", lambda name: None if name == "pyarrow" else real(name)
    )
    assert cli.main(["report", str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert f"{path}: reading Parquet needs pyarrow" in err and err.count("\n") == 1


def test_parquet_is_read_with_pyarrow(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "customer_id": [1, 2],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "amount": [1.0, 2.0],
        }
    )
    frame.to_parquet(tmp_path / "tx.parquet")
    pd.testing.assert_frame_equal(cli.read_table(tmp_path / "tx.parquet"), frame)


def test_summary_writes_customers_csv(tmp_path, capsys):
    path = tmp_path / "tx.csv"
    pd.DataFrame(
        {"cid": [1, 1, 2], "day": ["2024-01-01", "2024-01-05", "2024-01-03"], "value": [5.0, 7.0, 1.0]}
    ).to_csv(path, index=False)
    code = cli.main(
        [
            "summary",
            str(path),
            "--customer-col",
            "cid",
            "--date-col",
            "day",
            "--amount-col",
            "value",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0
    written = pd.read_csv(tmp_path / "out" / "customers.csv", index_col="cid")
    assert written.loc[1, "total_spend"] == 12.0 and written.loc[1, "frequency"] == 1


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "tx.csv"
    pd.DataFrame({"customer_id": [1], "order_date": ["2024-01-01"]}).to_csv(path, index=False)
    assert cli.main(["summary", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert str(path) in err and "'amount'" in err
    assert cli.main(["summary", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_console_script_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "ecrm.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("ecrm ")


def test_report_with_loyalty_file_and_a_refused_stream(tmp_path, capsys):
    args = _files(tmp_path)
    events = pd.DataFrame(
        {
            "event_id": [1, 2, 3],
            "cid": [1, 1, 2],
            "ts": ["2024-01-01", "2024-02-01", "2024-01-03"],
            "type": ["earn", "redeem", "earn"],
            "points": [5, 2, 1],
            "amount": [5.0, None, 1.0],
        }
    )
    events.to_csv(tmp_path / "points.csv", index=False)
    assert cli.main([*args, "--loyalty", str(tmp_path / "points.csv"), "--out", str(tmp_path / "r")]) == 0
    written = pd.read_csv(tmp_path / "r" / "customers.csv", index_col="cid")
    assert written["points_balance"].to_dict() == {1: 3, 2: 1, 3: 0}
    assert "Points outstanding: 4" in capsys.readouterr().out
    # Redeeming more than the balance: refused, exit 2, one line naming the file and the event.
    events.loc[1, "points"] = 9
    events.to_csv(tmp_path / "points.csv", index=False)
    assert cli.main([*args, "--loyalty", str(tmp_path / "points.csv"), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"ecrm: error: {tmp_path / 'points.csv'}: ") and err.count("\n") == 0
    assert "debit exceeds the balance" in err and "2 (redeem 9 > 5 available)" in err


def test_mapping_flags_config_file_and_suggestions(tmp_path, capsys):
    retail = ecrm.datasets.make_online_retail(n_customers=60, random_state=2)
    path = tmp_path / "retail.csv"
    retail.to_csv(path, index=False)
    # Default column names absent: one line naming the flags that would fix it.
    assert cli.main(["summary", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith(f"ecrm: error: {path}: transactions: missing")
    assert "did you mean 'CustomerID', 'InvoiceDate', 'Quantity' x 'UnitPrice'?" in err
    assert (
        "pass --customer-col CustomerID --date-col InvoiceDate --quantity-col Quantity --price-col UnitPrice"
        in err
    )
    columns = ["--customer-col", "CustomerID", "--date-col", "InvoiceDate", "--quantity-col", "Quantity",
               "--price-col", "UnitPrice"]  # fmt: skip
    assert cli.main(["summary", str(path), *columns]) == 2
    assert "pass --missing-customers drop; first 5 shown:" in capsys.readouterr().err
    assert cli.main(["summary", str(path), *columns, "--missing-customers", "drop"]) == 2
    assert "pass --date-format '%m/%d/%Y %H:%M'" in capsys.readouterr().err
    # A typo in a flag or a config key: the nearest one.
    assert cli.main(["summary", str(path), "--custmer-col", "CustomerID"]) == 2
    assert "unrecognized argument '--custmer-col'; did you mean '--customer-col'?" in capsys.readouterr().err
    config = tmp_path / "retail.toml"
    config.write_text('[transactions]\ncustomer_column = "CustomerID"\n')
    assert cli.main(["summary", str(path), "--config", str(config)]) == 2
    assert f"{config}: unknown key 'customer_column' in [transactions]; did you mean 'customer_col'?" in (
        capsys.readouterr().err
    )
    config.write_text('[transactions]\nmissing_customers = "skip"\n')
    assert cli.main(["summary", str(path), "--config", str(config)]) == 2
    assert f"{config}: [transactions] missing_customers='skip' is not supported" in capsys.readouterr().err
    # A working config; a flag given on the command line wins over the file.
    config.write_text(
        "[transactions]\n"
        'customer_col = "CustomerID"\ndate_col = "InvoiceDate"\norder_col = "InvoiceNo"\n'
        'quantity_col = "Quantity"\nprice_col = "UnitPrice"\ndate_format = "%m/%d/%Y %H:%M"\n'
        'missing_customers = "raise"\ncancel_prefix = "C"\n'
        f'[report]\nout = "{tmp_path / "from-config"}"\nlang = "zh"\n'
    )
    args = ["--config", str(config), "--missing-customers", "drop"]
    assert cli.main(["summary", str(path), *args, "--out", str(tmp_path / "s")]) == 0
    assert "ecrm: warning: transactions: left out" in capsys.readouterr().err
    written = pd.read_csv(tmp_path / "s" / "customers.csv", index_col="CustomerID")
    assert written.index.dtype == "int64" and len(written) == 60
    assert cli.main(["report", str(path), *args, "--quiet"]) == 0
    page = (tmp_path / "from-config" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in page
    assert cli.main(["report", str(path), "--quiet", *columns]) == 2  # no --out and no config
    assert "--out is required" in capsys.readouterr().err


def test_read_config_reads_both_tables(tmp_path):
    path = tmp_path / "shop.toml"
    path.write_text('[transactions]\ndayfirst = true\n\n[report]\nas_of = "2024-06-30"\n')
    assert cli.read_config(path) == {"transactions": {"dayfirst": True}, "report": {"as_of": "2024-06-30"}}
    path.write_text("[transaction]\n")
    with pytest.raises(
        ecrm.errors.EcrmError, match=r"unknown table \[transaction\]; did you mean 'transactions'"
    ):
        cli.read_config(path)
    path.write_text("x = \n")
    with pytest.raises(ecrm.errors.EcrmError, match="cannot read as TOML"):
        cli.read_config(path)


def test_report_options_in_the_config_file(tmp_path, capsys):
    retail = ecrm.datasets.make_online_retail(n_customers=200, random_state=4)
    path = tmp_path / "retail.csv"
    retail.to_csv(path, index=False)
    mapping = (
        '[transactions]\ncustomer_col = "CustomerID"\ndate_col = "InvoiceDate"\norder_col = "InvoiceNo"\n'
        'quantity_col = "Quantity"\nprice_col = "UnitPrice"\ndate_format = "%m/%d/%Y %H:%M"\n'
        'missing_customers = "drop"\ncancel_prefix = "C"\n'
    )
    config = tmp_path / "retail.toml"
    config.write_text(
        mapping + f'[report]\nout = "{tmp_path / "r"}"\ncurrency = "£"\nclv_penalizer = 0.0001\n'
        "clv_horizon_months = 3\nchurn_horizon_days = 45\nchurn_tiers = { high = 0.8, medium = 0.5 }\n"
    )
    assert cli.main(["report", str(path), "--config", str(config), "--quiet"]) == 0
    err = capsys.readouterr().err
    guests = int(re.search(r"left out ([\d,]+) of", err).group(1).replace(",", ""))
    assert err.count("ecrm: warning: transactions: left out") == 1  # each warning once
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["options"] == {
        "currency": "£", "clv_horizon_months": 3, "clv_penalizer": 0.0001, "churn_horizon_days": 45,
        "churn_tiers": {"high": 0.8, "medium": 0.5}, "campaign_start": None, "campaign_window_days": 30,
        "campaign_cuped": True, "campaign_split": 0.5, "campaign_by": None,
    }  # fmt: skip
    written = pd.read_csv(tmp_path / "r" / "customers.csv", index_col="CustomerID")
    assert {"clv_3m", "expected_purchases_3m"} <= set(written.columns)
    page = (tmp_path / "r" / "index.html").read_text(encoding="utf-8")
    assert "Customers who bought nothing in the last 45 days" in page and "£" in page
    # The guest rows the mapping left out are on the page too, with their count.
    assert summary["data"]["rows_without_customer"] == guests
    assert f"{guests:,} rows without a customer id (guest checkouts) left out" in page
    # A bad option, or a misspelt one: exit 2 naming it.
    config.write_text(mapping + "[report]\nclv_penalizer = -1\n")
    assert cli.main(["report", str(path), "--config", str(config), "--out", str(tmp_path / "x")]) == 2
    assert f"{config}: [report] clv_penalizer=-1 must be a finite number >= 0" in capsys.readouterr().err
    config.write_text(mapping + "[report]\nchurn_horizon = 60\n")
    assert cli.main(["report", str(path), "--config", str(config), "--out", str(tmp_path / "x")]) == 2
    assert "unknown key 'churn_horizon' in [report]; did you mean 'churn_horizon_days'?" in (
        capsys.readouterr().err
    )
    config.write_text(mapping + '[report]\nloyalty_tiers = [["silver", 0, 1.0], ["gold", 400]]\n')
    assert cli.main(["report", str(path), "--config", str(config), "--out", str(tmp_path / "x")]) == 2
    assert "loyalty_tiers=" in capsys.readouterr().err


def test_read_table_reads_each_column_whole(tmp_path):
    # Read in chunks, an invoice column was 536365 (a number) in one chunk and '536365' (text)
    # in a later one, which ecrm refuses as ids that mix numbers and text (issue 18)
    n = 300_000
    invoices = np.repeat(np.arange(536_000, 536_000 + n // 3), 3).astype(object)
    invoices[-3:] = "C999999"
    path = tmp_path / "retail.csv"
    pd.DataFrame({"InvoiceNo": invoices, "Quantity": 1}).to_csv(path, index=False)
    assert pd.api.types.infer_dtype(cli.read_table(path)["InvoiceNo"]) == "string"


RETAIL_FLAGS = [
    "--customer-col", "CustomerID", "--date-col", "InvoiceDate", "--order-col", "InvoiceNo",
    "--quantity-col", "Quantity", "--price-col", "UnitPrice", "--date-format", "%m/%d/%Y %H:%M",
    "--missing-customers", "drop", "--cancel-prefix", "C",
]  # fmt: skip


def test_report_with_a_campaign_and_products_on_the_online_retail_shape(tmp_path, capsys):
    retail = ecrm.datasets.make_online_retail(n_customers=300, random_state=6)
    path = tmp_path / "retail.csv"
    retail.to_csv(path, index=False)
    ids = retail["CustomerID"].dropna().unique().astype(int)
    groups = np.random.default_rng(1).permutation(np.arange(len(ids)) % 2)
    assignments = pd.DataFrame({"CustomerID": ids, "group": np.where(groups == 1, "treatment", "control")})
    assignments.to_csv(tmp_path / "assign.csv", index=False)
    campaign = ["--campaign", str(tmp_path / "assign.csv"), "--campaign-start", "2011-10-01",
                "--campaign-window-days", "45", "--no-cuped"]  # fmt: skip
    out = tmp_path / "r"
    args = ["report", str(path), *RETAIL_FLAGS, "--product-col", "StockCode", *campaign, "--out", str(out)]
    assert cli.main([*args, "--quiet"]) == 0
    capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["sections"][-2:] == ["products", "campaign"]
    assert summary["options"]["campaign_window_days"] == 45 and summary["options"]["campaign_cuped"] is False
    # The lift is ecrm.campaign.evaluate's on the same mapped transactions.
    mapping = dict(zip([f[2:].replace("-", "_") for f in RETAIL_FLAGS[::2]], RETAIL_FLAGS[1::2], strict=True))
    with pytest.warns(ecrm.errors.DataDroppedWarning):
        log = ecrm.transactions(retail, **mapping, product_col="StockCode")
    expected = ecrm.campaign.evaluate(assignments, log, start="2011-10-01", window_days=45, cuped=False,
                                      customer_col="CustomerID")  # fmt: skip
    head = summary["headline"]["campaign"]
    assert head["revenue_lift"] == pytest.approx(expected.lift.loc[("revenue_per_customer", "raw"), "lift"])
    assert head["conversion_lift"] == pytest.approx(expected.lift.loc[("conversion_rate", "raw"), "lift"])
    written = pd.read_csv(out / "customers.csv", index_col="CustomerID")
    assert {"next_best_product", "campaign_group", "campaign_converted"} <= set(written.columns)
    assert written["next_best_product"].notna().mean() > 0.9
    # A group label the campaign does not know: exit 2 naming the assignments file.
    assignments.assign(group="holdout").to_csv(tmp_path / "bad.csv", index=False)
    bad = [
        *args[: args.index("--campaign") + 1],
        str(tmp_path / "bad.csv"),
        *args[args.index("--campaign") + 2 :],
    ]
    assert cli.main([*bad, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"ecrm: error: {tmp_path / 'bad.csv'}: " in err and "holdout" in err


def test_campaign_options_in_the_config_file(tmp_path):
    path = tmp_path / "shop.toml"
    path.write_text('[report]\ncampaign = "a.csv"\ncampaign_start = 2011-10-01\ncampaign_split = 0.9\n')
    config = cli.read_config(path)
    assert config["report"]["campaign"] == "a.csv"
    # A TOML date is a date: the options keep it as an ISO string (summary.json shows it so).
    options = ecrm.report.Options(**{k: v for k, v in config["report"].items() if k.startswith("campaign_")})
    assert options.campaign_start == "2011-10-01" and options.campaign_split == 0.9
    path.write_text("[report]\ncampaign_split = 2\n")
    with pytest.raises(
        ecrm.errors.EcrmError, match=r"\[report\] campaign_split=2 must be a finite number > 0 and < 1"
    ):
        cli.read_config(path)


# ---------------------------------------------------------------------------------------
# Data larger than memory: a glob of Parquet files on DuckDB (the default), Spark, ...


def _lake(tmp_path, frame, parts=2):
    """``frame`` as ``parts`` Parquet files in tmp_path/lake, and the same rows as one CSV."""
    pytest.importorskip("pyarrow")
    lake = tmp_path / "lake"
    lake.mkdir()
    for k, rows in enumerate(np.array_split(np.arange(len(frame)), parts)):
        # Microsecond timestamps: Spark reads no nanosecond Parquet timestamps.
        frame.iloc[rows].to_parquet(lake / f"part-{k}.parquet", index=False, coerce_timestamps="us")
    frame.to_csv(tmp_path / "all.csv", index=False)
    return str(lake / "*.parquet"), str(tmp_path / "all.csv")


def _same_customers(engine_dir, pandas_dir, index_col):
    on_engine = pd.read_csv(engine_dir / "customers.csv", index_col=index_col)
    in_memory = pd.read_csv(pandas_dir / "customers.csv", index_col=index_col)
    # Engines sum in another order (features differ by ~1e-13); the churn classifier's fit
    # carries that to ~1e-8 in its probabilities. Every other column: to 1e-9.
    fitted = [c for c in ("churn_probability",) if c in in_memory]
    pd.testing.assert_frame_equal(on_engine[fitted], in_memory[fitted], check_exact=False, rtol=1e-6)
    pd.testing.assert_frame_equal(
        on_engine.drop(columns=fitted),
        in_memory.drop(columns=fitted),
        check_exact=False,
        rtol=1e-9,
        atol=1e-9,
    )
    return on_engine


def test_report_on_a_parquet_glob_runs_on_duckdb_and_equals_the_pandas_report(tmp_path, capsys):
    pytest.importorskip("duckdb")
    sample = ecrm.datasets.load_cdnow_sample()
    glob, csv = _lake(tmp_path, sample.assign(sku=sample["customer_id"] % 7))
    out, ref = tmp_path / "engine", tmp_path / "pandas"
    # With product ids, the products section (baskets: every row in memory) is a note on an engine.
    args = ["--out", str(out), "--memory-limit", "1GB", "--quiet", "--product-col", "sku"]
    assert cli.main(["report", glob, *args]) == 0
    assert cli.main(["report", csv, "--out", str(ref), "--quiet"]) == 0
    capsys.readouterr()
    customers = _same_customers(out, ref, "customer_id")
    assert len(customers) == 2_357 and {"rfm_segment", "lifecycle_stage", "clv_12m"} <= set(customers)
    on_engine, in_memory = (json.loads((d / "summary.json").read_text(encoding="utf-8")) for d in (out, ref))
    assert on_engine["sections"] == [*in_memory["sections"], "products"]
    assert on_engine["headline"].pop("products") == {}
    assert on_engine["data"].pop("engine") == "duckdb"
    assert on_engine["data"] == in_memory["data"] and on_engine["inputs"] == in_memory["inputs"]
    for section, figures in in_memory["headline"].items():
        assert on_engine["headline"][section].keys() == figures.keys()
        for name, value in figures.items():
            rel = 1e-6 if section == "churn" else 1e-9  # a classifier's fit (see _same_customers)
            expected = value if isinstance(value, str) else pytest.approx(value, rel=rel)
            assert on_engine["headline"][section][name] == expected, (section, name)
    # What needs every row in memory (the stage history and transitions) is left out, and said so.
    assert [f for f in in_memory["figures"] if f not in on_engine["figures"]] == [
        "figures/lifecycle_history.png",
        "figures/lifecycle_transitions.png",
    ]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "The transactions are on duckdb: the stage history and the transitions" in page
    assert "The transactions are on duckdb: this section needs every row in memory" in page


def test_summary_on_an_engine_with_the_mapping_flags(tmp_path, capsys):
    pytest.importorskip("duckdb")
    retail = ecrm.datasets.make_online_retail(n_customers=80, random_state=3)
    glob, csv = _lake(tmp_path, retail, parts=3)
    flags = ["--customer-col", "CustomerID", "--date-col", "InvoiceDate", "--order-col", "InvoiceNo",
             "--quantity-col", "Quantity", "--price-col", "UnitPrice", "--date-format", "%m/%d/%Y %H:%M",
             "--missing-customers", "drop", "--cancel-prefix", "C"]  # fmt: skip
    assert cli.main(["summary", csv, *flags, "--out", str(tmp_path / "pandas")]) == 0
    in_memory = capsys.readouterr()
    # The CSV on DuckDB (text dates parsed there), and the Parquet glob.
    for path, out in ((csv, "csv"), (glob, "glob")):
        engine = ["--engine", "duckdb"] if path == csv else []
        assert cli.main(["summary", path, *flags, *engine, "--out", str(tmp_path / out)]) == 0
        captured = capsys.readouterr()
        assert captured.err == in_memory.err  # the same warning (guest rows left out), once
        assert "ecrm: warning: transactions: left out" in captured.err
        assert len(_same_customers(tmp_path / out, tmp_path / "pandas", "CustomerID")) == 80


def test_bad_rows_on_an_engine_give_the_pandas_message(tmp_path, capsys):
    pytest.importorskip("duckdb")
    frame = pd.DataFrame(
        {
            "customer_id": [1.0, None, 2.0, None],
            "order_date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
            "amount": [1.0, 2.0, 3.0, 4.0],
        }
    )
    glob, csv = _lake(tmp_path, frame)
    assert cli.main(["summary", csv]) == 2  # pandas
    in_memory = capsys.readouterr().err.splitlines()
    assert cli.main(["summary", glob]) == 2  # DuckDB
    on_engine = capsys.readouterr().err.splitlines()
    assert on_engine[0] == in_memory[0].replace(csv, glob)
    assert "has missing ids" in on_engine[0] and "--missing-customers drop" in on_engine[0]
    # The example rows (their values; an engine has no row labels to show).
    assert [line.split()[-3:] for line in on_engine[1:]] == [line.split()[-3:] for line in in_memory[1:]]
    assert on_engine[1].split() == ["customer_id", "order_date", "amount"] and len(on_engine) == 4


def test_engine_flags_refuse_what_cannot_work(tmp_path, capsys, monkeypatch):
    pytest.importorskip("duckdb")
    glob, _ = _lake(tmp_path, ecrm.datasets.load_cdnow_sample().head(50))
    assert cli.main(["summary", glob, "--engine", "polars", "--memory-limit", "1GB"]) == 2
    assert capsys.readouterr().err.startswith(
        "ecrm: error: --memory-limit caps DuckDB's memory; with --engine polars"
    )
    assert cli.main(["summary", glob, "--memory-limit", "plenty"]) == 2
    assert capsys.readouterr().err == (
        "ecrm: error: --memory-limit 'plenty': not a size DuckDB reads (e.g. 2GB, 500MB)\n"
    )
    assert cli.main(["summary", str(tmp_path / "lake" / "*.csv")]) == 2
    assert f"{tmp_path / 'lake' / '*.csv'}: no file matches" in capsys.readouterr().err
    assert cli.main(["summary", glob, "--engine", "pandas"]) == 2
    assert (
        f"{glob}: pandas reads one file; read a glob of files on --engine duckdb" in capsys.readouterr().err
    )
    (tmp_path / "lake" / "part-9.parquet").write_bytes(b"PAR1 not Parquet")
    assert cli.main(["summary", glob]) == 2  # the engine's own words, on one line
    err = capsys.readouterr().err
    assert err.startswith(f"ecrm: error: {glob}: cannot read on duckdb: ") and err.count("\n") == 1
    monkeypatch.setitem(sys.modules, "duckdb", None)  # the extra is not installed
    assert cli.main(["summary", glob]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install "ecrm[duckdb]"' in err


def test_summary_and_report_with_engine_spark(tmp_path, capsys, spark_session):
    # Few customers, so that the report's model sections say so rather than fit: every
    # Spark query takes a second, whatever its size (the DuckDB test above fits them all).
    sample = ecrm.datasets.load_cdnow_sample()
    glob, csv = _lake(tmp_path, sample[sample["customer_id"] <= 40])
    assert cli.main(["summary", csv, "--out", str(tmp_path / "pandas")]) == 0
    assert cli.main(["summary", glob, "--engine", "spark", "--out", str(tmp_path / "spark")]) == 0
    assert len(_same_customers(tmp_path / "spark", tmp_path / "pandas", "customer_id")) == 40
    capsys.readouterr()
    assert cli.main(["report", glob, "--engine", "spark", "--out", str(tmp_path / "report"), "--quiet"]) == 0
    assert cli.main(["report", csv, "--out", str(tmp_path / "ref"), "--quiet"]) == 0
    _same_customers(tmp_path / "report", tmp_path / "ref", "customer_id")
    on_spark, in_memory = (
        json.loads((tmp_path / d / "summary.json").read_text(encoding="utf-8")) for d in ("report", "ref")
    )
    assert on_spark["data"].pop("engine") == "spark" and on_spark["data"] == in_memory["data"]
    assert on_spark["headline"] == in_memory["headline"]
