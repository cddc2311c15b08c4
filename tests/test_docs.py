"""The docs pages written as runnable examples stay true: their python blocks are run
(as doctests when they show output) and the CLI error shown in the report guide is the
one the CLI prints."""

import doctest
import re
from pathlib import Path

import pandas as pd
import pytest

from ecrm import cli

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = [
    "quickstart.md",
    "guide/report.md",
    "guide/transactions.md",
    "index.md",
    "guide/campaign.md",
    "guide/recommend.md",
]
FENCE = re.compile(r"```python\n(.*?)```", re.S)


def python_blocks(page: str) -> list[str]:
    return FENCE.findall((DOCS / page).read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run_and_print_what_the_page_says(page):
    blocks = python_blocks(page)
    namespace: dict = {}
    parser = doctest.DocTestParser()
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    runner = doctest.DocTestRunner(optionflags=flags)
    with pd.option_context("display.width", 120):
        for number, block in enumerate(blocks):
            if ">>> " in block:
                test = parser.get_doctest(block, namespace, f"{page}[{number}]", page, 0)
                runner.run(test, clear_globs=False)
                namespace.update(test.globs)  # DocTest copies its globals; carry them on
            else:
                exec(compile(block, f"{page}[{number}]", "exec"), namespace)
    assert runner.failures == 0, f"{runner.failures} doctest example(s) of {page} failed (see output)"


def test_pages_have_examples():
    assert len(python_blocks("quickstart.md")) >= 5 and python_blocks("guide/report.md")


def test_cli_error_in_the_report_guide(tmp_path, capsys, monkeypatch):
    page = (DOCS / "guide" / "report.md").read_text(encoding="utf-8")
    shown = re.search(r"^(ecrm: error: .*?)\n```", page, re.M | re.S).group(1)
    monkeypatch.chdir(tmp_path)
    Path("tx.csv").write_text("customer_id,order_date,amount\n1,2024-01-01,5\n2,2024-01-02,3\n")
    Path("nps.csv").write_text("customer_id,date,score\n1,2024-01-01,12\n2,2024-01-01,9\n")
    assert cli.main(["report", "tx.csv", "--surveys", "nps.csv", "--out", "report/"]) == 2
    assert capsys.readouterr().err.strip() == shown


def test_readme_tour_runs_and_joins_one_row_per_customer():
    import warnings

    from ecrm.errors import DataDroppedWarning

    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    (tour,) = FENCE.findall(readme)
    namespace: dict = {}
    with warnings.catch_warnings():
        # CDNOW has one repeat buyer with zero spend; the CLV fit says so.
        warnings.simplefilter("ignore", DataDroppedWarning)
        exec(compile(tour, "README.md", "exec"), namespace)
    table, risk = namespace["table"], namespace["risk"]
    assert table.shape[0] == 23_570 and table.index.is_unique
    assert {"segment", "stage", "clv", "rfm_code"} <= set(table.columns)
    assert risk["churn_probability"].between(0, 1).all() and risk.index.equals(table.index)


def test_readme_and_report_guide_run_the_online_retail_export_in_one_command(tmp_path, monkeypatch, capsys):
    import shlex

    import ecrm

    def command(text: str) -> list[str]:
        block = re.search(r"```bash\n(python -c .*?)```", text, re.S).group(1)
        lines = block.replace("\\\n", " ").splitlines()
        assert lines[0].startswith("python -c") and len(lines) == 2
        return shlex.split(lines[1])

    readme = command((DOCS.parent / "README.md").read_text(encoding="utf-8"))
    guide = command((DOCS / "guide" / "report.md").read_text(encoding="utf-8"))
    assert readme == guide and readme[:3] == ["ecrm", "report", "retail.csv"]
    monkeypatch.chdir(tmp_path)
    ecrm.datasets.make_online_retail().to_csv("retail.csv", index=False)  # the first line
    assert cli.main(readme[1:]) == 0
    captured = capsys.readouterr()
    assert "left out 7,047 of 48,577 row(s) without a customer id" in captured.err
    assert "13.6% of revenue" in captured.err
    assert "Customers: 1,000" in captured.out and "Orders: 3,450" in captured.out
    # The stock codes: products bought together, as the report guide says.
    assert "Baskets: 3,450" in captured.out and "Co-purchase rules found: 1,796" in captured.out
