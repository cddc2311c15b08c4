"""Time KMeansSegmenter's automatic k against one plain scikit-learn KMeans, in one run.

1 million customers (``ecrm.datasets.make_transactions`` -> ``ecrm.customer_summary``,
features recency_days, n_orders, total_spend). ecrm: ``KMeansSegmenter()`` with every
default (above 100,000 rows: k = 2..10 chosen by silhouette on a 20,000-row subsample,
then the chosen k fitted on every row). Anchor: ``sklearn.cluster.KMeans(n_clusters=k)``
with default settings at the chosen k, on the same preprocessed features. Target
(issue 5): ecrm / anchor < 8x, and well under a minute in absolute terms.

Both sides run under the same ``threadpool_limits`` (``--threads``, default 1): on a
shared, oversubscribed machine OpenMP/BLAS spin-waiting would otherwise distort the
ratio. The load average is printed with the result.

Run: python benchmarks/bench_segmentation.py [--customers N] [--threads T]
"""

from __future__ import annotations

import argparse
import os
import time

import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

import ecrm
from ecrm.segmentation import KMeansSegmenter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads for both sides")
    args = parser.parse_args()

    tx = ecrm.datasets.make_transactions(args.customers, "2023-01-01", "2024-12-31", random_state=0)
    cust = ecrm.customer_summary(tx)
    print(f"{len(cust):,} customers")

    with threadpool_limits(args.threads):
        start = time.perf_counter()
        seg = KMeansSegmenter().fit(cust)
        t_ecrm = time.perf_counter() - start
        k = seg.n_clusters_
        Z = seg._preprocess(cust)  # same features the anchor sees

        start = time.perf_counter()
        plain = KMeans(n_clusters=k).fit(Z)
        t_plain = time.perf_counter() - start

    print(seg.k_scores_.round(4).to_string())
    print(f"chosen k = {k}")
    print(f"ecrm KMeansSegmenter (auto k over 2..10)  {t_ecrm:7.2f} s")
    print(f"sklearn KMeans at k = {k} (defaults)       {t_plain:7.2f} s")
    print(f"ratio ecrm / sklearn = {t_ecrm / t_plain:.1f}x (target < 8x)")
    print(f"inertia ecrm {seg.inertia_:,.0f}  sklearn {plain.inertia_:,.0f}")
    print(f"agreement (adjusted Rand index) {adjusted_rand_score(seg.labels_, plain.labels_):.4f}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"threads {args.threads}, load average (1/5/15 min) {load}")


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
