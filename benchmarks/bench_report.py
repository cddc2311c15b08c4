"""Time ecrm.report.build on CDNOW, and ``ecrm demo`` end to end, before and now, in one run.

"Before" is the code of a base commit (default 5df6dc4, main before issue 14: every
section validated and re-derived the transactions itself), extracted with ``git archive``
into a temporary folder; "after" is this checkout, where the report validates the
transactions once and hands one ``ecrm.Transactions`` to every section. Each version
runs in its own fresh Python process, on the same data, ``--repeat`` times (best time
kept), for CDNOW as loaded (datetime64 dates) and with the dates as ISO-8601 strings
(as read from a CSV). Besides the time, each run counts how often the transactions'
date column is validated (``ecrm._schema.dates``) and parsed (``pd.to_datetime``), and
adds up the time spent in the column checks and key derivations both versions share
(``ids``, ``dates``, ``amounts``, ``factorize_ids``, ``day_number`` of ``ecrm._schema``):
the part of the report that issue 14 removes the repetition of.

Then ``ecrm demo`` as a new user runs it (issue 17's target: under 8 s on a 2-core
machine): one fresh ``python -m ecrm.cli demo --quiet`` process per timing, wall clock,
imports, data, every section, the figures and the files included; the two versions
alternate (before, now, before, now, ...) so that a change in the machine's load hits
both alike, and the load average is printed with the times.

Run: python benchmarks/bench_report.py [--base REV] [--repeat N] [--demo-repeat N] [--lang en|zh]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside each child process: build the report with the ecrm found on sys.path.
CHILD = r"""
import json, sys, tempfile, time, warnings
import pandas as pd
import ecrm
from ecrm import _schema

strings, repeat = sys.argv[1] == "strings", int(sys.argv[2])
tx = ecrm.datasets.load_cdnow()
if strings:
    tx = tx.assign(order_date=tx["order_date"].dt.strftime("%Y-%m-%d"))
counts = {"validated": 0, "parsed": 0, "derive_s": 0.0}
real_dates, real_parse = _schema.dates, pd.to_datetime

def timed(fn):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            counts["derive_s"] += time.perf_counter() - start
    return wrapper

for name in ("ids", "amounts", "factorize_ids", "day_number"):
    setattr(_schema, name, timed(getattr(_schema, name)))

@timed
def dates(frame, column, *args, **kwargs):
    counts["validated"] += column == "order_date"
    return real_dates(frame, column, *args, **kwargs)

def parse(arg, *args, **kwargs):
    counts["parsed"] += isinstance(arg, pd.Series) and arg.name == "order_date"
    return real_parse(arg, *args, **kwargs)

_schema.dates, pd.to_datetime = dates, parse
best, best_counts = float("inf"), {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for _ in range(repeat):
        for key in counts:
            counts[key] = 0
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            report = ecrm.report.build(tx, out, as_of="1998-06-30")
            seconds = time.perf_counter() - start
        if seconds < best:
            best, best_counts = seconds, dict(counts)
print(json.dumps({"seconds": best, "customers": len(report.customers), **best_counts,
                  "ecrm": ecrm.__file__}))
"""


def run(src: Path, variant: str, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), MPLBACKEND="Agg")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, variant, str(repeat)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def demo_seconds(src: Path, lang: str) -> float:
    """Wall time of one ``ecrm demo`` process with the package in ``src``."""
    env = dict(os.environ, PYTHONPATH=str(src), MPLBACKEND="Agg")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "ecrm.cli", "demo", "--out", out, "--lang", lang, "--quiet"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def time_demo(before_src: Path, after_src: Path, repeat: int, lang: str, base: str) -> None:
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(repeat):  # alternating, so that the machine's load hits both alike
        times["before"].append(demo_seconds(before_src, lang))
        times["after"].append(demo_seconds(after_src, lang))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\necrm demo --lang {lang} end to end, {repeat} runs each, {os.cpu_count()} cores,", end=" ")
    print(f"load average {load}")
    for name, label in (("before", f"before ({base})"), ("after", "after (this checkout)")):
        runs = " ".join(f"{t:.2f}" for t in times[name])
        best, median = min(times[name]), statistics.median(times[name])
        print(f"{label:24s} best {best:6.2f} s  median {median:6.2f} s  ({runs})")
    best = min(times["after"])
    print(
        f"speed-up {min(times['before']) / best:.1f}x; target under 8 s: {'met' if best < 8 else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="5df6dc4", help="the commit timed as 'before'")
    parser.add_argument("--repeat", type=int, default=2, help="builds per version (best kept)")
    parser.add_argument("--demo-repeat", type=int, default=3, help="ecrm demo runs per version (0: none)")
    parser.add_argument("--lang", default="en", choices=("en", "zh"), help="language of the demo")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.base, "src"], capture_output=True, check=True
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        before_src, after_src = Path(tmp) / "src", ROOT / "src"
        print("report.build on CDNOW (23,570 customers, 69,659 rows), as_of 1998-06-30;", end=" ")
        print(f"best of {args.repeat}\nbefore: {args.base} (git archive), after: {after_src}\n")
        print(f"{'dates':<22}{'before':>10}{'after':>10}{'after/before':>14}", end="")
        print("   checks and keys (s)   date column validated / parsed")
        for variant, label in (("datetime64", "datetime64 (as loaded)"), ("strings", "ISO-8601 strings")):
            before = run(before_src, variant, args.repeat)
            after = run(after_src, variant, args.repeat)
            assert before["customers"] == after["customers"]
            print(
                f"{label:<22}{before['seconds']:>9.2f}s{after['seconds']:>9.2f}s"
                f"{after['seconds'] / before['seconds']:>13.2f}x   "
                f"{before['derive_s']:>6.2f} -> {after['derive_s']:<6.2f}       "
                f"before {before['validated']} / {before['parsed']}, "
                f"after {after['validated']} / {after['parsed']}"
            )
        if args.demo_repeat:
            time_demo(before_src, after_src, args.demo_repeat, args.lang, args.base)


if __name__ == "__main__":
    main()
