"""Every script in examples/ runs to completion (a smoke test with a time limit each)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
TIME_LIMIT = 120  # seconds per script, generous for a shared CI machine
# Smaller runs of scripts whose defaults are sized for the docs, not for a smoke test.
ARGS = {
    "nps_interval_coverage.py": ["--reps", "200"],
    "campaign_interval_coverage.py": ["--reps", "300", "--sizes", "400"],
    "campaign_holdout_uplift.py": ["--customers", "10000"],
}


def test_examples_exist():
    names = {p.name for p in SCRIPTS}
    assert {
        "rfm_segments_cdnow.py",
        "lifecycle_cdnow.py",
        "nps_by_segment.py",
        "kpi_cohort_dashboard.py",
        "clv_paper_reproduction.py",
        "kmeans_auto_k.py",
        "loyalty_liability.py",
        "churn_backtest_interventions.py",
    } <= names


def test_docs_list_every_example():
    page = (EXAMPLES.parent / "docs" / "examples.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9_]+\.py)` \|", page, re.M))
    assert listed == {p.name for p in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    result = subprocess.run(
        [sys.executable, str(script), *ARGS.get(script.name, [])],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip(), "an example tells its story on stdout"
    assert "Traceback" not in result.stderr
