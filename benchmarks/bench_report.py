"""Time `ecrm demo` as it was before the report work and as it is now, in one run.

Each timing is one fresh ``python -m ecrm.cli demo --quiet`` process, wall clock, as a new
user would run it: imports, the CDNOW data and the synthetic surveys, loyalty events and
tickets, every section, the figures and the files. The code of ``--before`` (default
5df6dc4, main before issues 14 and 17) runs from a temporary ``git worktree`` that is
removed afterwards; the code of this checkout runs from ``src``. The target (issue 17) is
under 8 s on a 2-core machine. The runs alternate (before, now, before, now, ...) so that
a change in the machine's load hits both alike; the load average is printed with them.

Run: python benchmarks/bench_report.py [--repeat 3] [--before COMMIT] [--lang en|zh]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def demo_seconds(src: Path, lang: str) -> float:
    """Wall time of one ``ecrm demo`` with the package in ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src), "MPLBACKEND": "Agg"}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="5df6dc4", help="commit of the 'before' code")
    parser.add_argument("--lang", default="en", choices=("en", "zh"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        before = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), args.before],
            check=True,
            capture_output=True,
        )
        try:
            times: dict[str, list[float]] = {"before": [], "now": []}
            for _ in range(args.repeat):
                times["before"].append(demo_seconds(before / "src", args.lang))
                times["now"].append(demo_seconds(ROOT / "src", args.lang))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                check=True,
                capture_output=True,
            )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"ecrm demo --lang {args.lang}, {args.repeat} runs each, {os.cpu_count()} cores, load average {load}"
    )
    for name, label in (("before", f"before ({args.before})"), ("now", "now (this checkout)")):
        runs = " ".join(f"{t:.2f}" for t in times[name])
        best, median = min(times[name]), statistics.median(times[name])
        print(f"{label:24s} best {best:6.2f} s  median {median:6.2f} s  ({runs})")
    ratio = min(times["before"]) / min(times["now"])
    print(f"speed-up {ratio:.1f}x; target: under 8 s -> {'met' if min(times['now']) < 8 else 'NOT met'}")


if __name__ == "__main__":
    main()
