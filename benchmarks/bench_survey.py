"""Time ecrm.survey.nps(by=...) against a pandas groupby-apply doing the same arithmetic.

10 million 0..10 responses in 100,000 groups (integer group ids, uniform). The anchor
computes, per group inside ``groupby(...).apply``, the counts, the NPS and the
adjusted-Wald interval (Rocks 2016) with numpy, which is how the computation is usually
written by hand. Both results are checked to agree before the times and the ratio are
printed. Target (issue 8): ecrm at least 10x faster, in seconds.

Run: python benchmarks/bench_survey.py [--responses N] [--groups G]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import ecrm

Z = 1.959963984540054


def by_apply(frame: pd.DataFrame) -> pd.DataFrame:
    """The anchor: one Python call per group."""

    def one(scores: pd.Series) -> pd.Series:
        s = scores.to_numpy()
        n = s.size
        promoters, detractors = (s >= 9).sum(), (s <= 6).sum()
        p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
        half = Z * np.sqrt((p + d - (p - d) ** 2) / (n + 3))
        return pd.Series(
            {
                "n": n,
                "nps": 100 * (promoters - detractors) / n,
                "ci_low": max(-100.0, 100 * (p - d - half)),
                "ci_high": min(100.0, 100 * (p - d + half)),
            }
        )

    return frame.groupby("group")["score"].apply(one).unstack()


def timed(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--groups", type=int, default=100_000)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"group": rng.integers(0, args.groups, args.responses), "score": rng.integers(0, 11, args.responses)}
    )
    print(f"{len(frame):,} responses in {frame['group'].nunique():,} groups")
    t_ecrm, ours = timed(lambda: ecrm.survey.nps(frame, by="group"), repeat=3)
    t_apply, theirs = timed(lambda: by_apply(frame), repeat=1)
    for column in ("n", "nps", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].to_numpy(), rtol=1e-12, atol=1e-9)
    print(f"ecrm.survey.nps(by=)      {t_ecrm:8.2f} s")
    print(f"pandas groupby-apply      {t_apply:8.2f} s")
    print(f"ratio (apply / ecrm)      {t_apply / t_ecrm:8.1f}x   (target >= 10x)")
    t_boot, _ = timed(lambda: ecrm.survey.nps(frame, by="group", ci="bootstrap", random_state=0), repeat=1)
    print(f"ecrm bootstrap (1000 replicates per group) {t_boot:8.2f} s")


if __name__ == "__main__":
    main()
