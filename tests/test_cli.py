"""The ecrm command line: demo, summary of a CSV, exit codes."""

import subprocess
import sys

import pandas as pd

from ecrm import cli


def test_demo_prints_cdnow_overview(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "23570" in out and "1998-06-30" in out
    assert "Top 10 customers by spend" in out


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
