"""Time ecrm.rfm against pandas.qcut-based RFM scoring, in one run.

Scores and segments 1 million customers from a customer summary (BG/NBD draw from
``ecrm.datasets.make_transactions``), and does the same "the way most notebooks do it":
``pandas.qcut`` per metric (frequency ranked with ``rank(method="first")`` first,
because qcut cannot cut its ties), codes by string concatenation and the standard grid
by a 25-cell dict lookup. Prints absolute times and ratios for scoring alone and for
score + segment, then what qcut does to ties. Targets (issue 3): ecrm no slower than
1.5x the naive approach, under 2 s for 1M customers.

Run: python benchmarks/bench_rfm.py [--customers N]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

# The sibling script's best-of-n timer (the script's folder is on sys.path when run).
from bench_summary import timed

import ecrm
from ecrm import rfm
from ecrm._labels import RFM_STANDARD


def qcut_scores(values: pd.Series, ascending: bool = True) -> pd.Series:
    """Notebook-style quintile: qcut, falling back to rank(method='first') when ties break it."""
    labels = [1, 2, 3, 4, 5] if ascending else [5, 4, 3, 2, 1]
    try:
        return pd.qcut(values, 5, labels=labels).astype(int)
    except ValueError:  # "Bin edges must be unique"
        return pd.qcut(values.rank(method="first"), 5, labels=labels).astype(int)


def naive_score(summary: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "r_score": qcut_scores(summary["recency_days"], ascending=False),
            "f_score": pd.qcut(summary["n_orders"].rank(method="first"), 5, labels=[1, 2, 3, 4, 5]).astype(
                int
            ),
            "m_score": qcut_scores(summary["total_spend"]),
        }
    )
    return out


def naive_grid() -> dict[str, str]:
    """The 25 R x F cells -> English names, as a notebook would write the lookup."""
    import re

    grid = {}
    for r in range(1, 6):
        for f in range(1, 6):
            for pattern, key in rfm.STANDARD_MAP.items():
                if re.match(pattern, f"{r}{f}"):
                    grid[f"{r}{f}"] = RFM_STANDARD[key]["en"]
    return grid


def naive_score_segment(summary: pd.DataFrame, grid: dict[str, str]) -> pd.DataFrame:
    out = naive_score(summary)
    r, f, m = (out[c].astype(str) for c in ("r_score", "f_score", "m_score"))
    out["rfm_code"] = r + f + m
    out["rfm_score"] = out["r_score"] + out["f_score"] + out["m_score"]
    out["segment"] = (r + f).map(grid)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()

    tx = ecrm.datasets.make_transactions(args.customers, "2023-01-01", "2024-12-31", random_state=0)
    summary = ecrm.customer_summary(tx)
    del tx
    n = len(summary)
    one_time = (summary["n_orders"] == 1).mean()
    print(f"{n:,} customers in the summary; {one_time:.0%} bought once")

    grid = naive_grid()
    t_score, scored = timed(lambda: rfm.score(summary))
    t_both, _ = timed(lambda: rfm.segment(rfm.score(summary)))
    t_naive_score, naive = timed(lambda: naive_score(summary))
    t_naive_both, _ = timed(lambda: naive_score_segment(summary, grid))

    print("\n== times (best of 3)")
    print(f"ecrm rfm.score                    {t_score:6.3f} s")
    print(
        f"naive qcut scoring                {t_naive_score:6.3f} s   "
        f"ecrm / naive = {t_score / t_naive_score:.2f}x"
    )
    print(f"ecrm rfm.score + rfm.segment      {t_both:6.3f} s")
    print(
        f"naive qcut scoring + codes + grid {t_naive_both:6.3f} s   "
        f"ecrm / naive = {t_both / t_naive_both:.2f}x"
        "  (targets: <= 1.5x, ecrm < 2 s at 1M)"
    )

    print("\n== ties: what qcut does with n_orders")
    try:
        pd.qcut(summary["n_orders"], 5)
        print("pd.qcut(n_orders, 5): no error (no heavy ties in this draw)")
    except ValueError as err:
        print(f"pd.qcut(n_orders, 5) raises ValueError: {err}".splitlines()[0][:110])
    dropped = pd.qcut(summary["n_orders"], 5, labels=False, duplicates="drop")
    print(f"pd.qcut(n_orders, 5, duplicates='drop') keeps {dropped.nunique()} of 5 bins")
    split = naive.groupby(summary["n_orders"].to_numpy())["f_score"].nunique()
    customers_split = summary["n_orders"].isin(split.index[split > 1]).sum()
    print(
        f"rank(method='first') + qcut: {int((split > 1).sum())} order counts get more than one F score; "
        f"{customers_split:,} customers ({customers_split / n:.0%}) share their order count with a "
        "customer who scores differently"
    )
    same = scored.groupby("frequency")["f_score"].nunique().max()
    counts = scored["f_score"].value_counts().sort_index().to_dict()
    print(f"ecrm: at most {same} F score per order count; customers per F score {counts}")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    np.seterr(all="ignore")
    main()
