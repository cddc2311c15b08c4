"""Time ecrm.recommend against mlxtend (association rules) and on a million customers (ItemKNN).

Rules: 1,000,000 baskets (orders) over 10,000 products drawn by
``ecrm.datasets.make_baskets`` (Zipf popularity, 50 taste categories, 50 planted rules).
ecrm: ``recommend.association_rules(lines, min_support, min_confidence=0.1, max_len,
order_col="order_id")`` on the order lines (validation and basket building included).
Anchor (issue 20): mlxtend ``fpgrowth(onehot, min_support, max_len)`` followed by
``association_rules(metric="confidence", min_threshold=0.1)`` on the same baskets, given
as a pandas sparse one-hot frame (its construction is not timed). Target: ecrm at least
5x faster. mlxtend turns the one-hot frame dense (``df.values``) to count items: one byte
per basket and product, 10 GB for a million baskets, beyond the ~6 GB a process may use
on the shared machine; so mlxtend runs on the largest size whose dense copy fits in
``--mlxtend-gb`` (default 4 GB: 400,000 baskets), ecrm on that size (the ratio) and on
the million, and the script prints both.

ItemKNN: ``make_baskets(1_000_000 customers, 10,000 products)``; ``ItemKNN().fit(lines)``
and ``recommend(n=10)`` for every customer, timed (no anchor named in the issue).

Every measurement runs in a fresh process (``multiprocessing``, spawn) after a warm-up
call on small data, and its peak resident memory is measured from just before the timed call (Linux
``/proc/self/clear_refs`` resets ``VmHWM``); the memory resident before the call is
printed next to it. The load average is printed with the result.

Run: python benchmarks/bench_recommend.py [--baskets N] [--customers N] [--mlxtend-gb G]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

N_PRODUCTS = 10_000
MIN_SUPPORT = 0.0005
MIN_CONFIDENCE = 0.1


def _memory_gb(field: str) -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (peak resident) of this process, in GB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1e6  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _reset_peak() -> float:
    """Start a new peak-memory measurement (Linux: VmHWM := VmRSS); the memory now."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:  # not Linux, or not allowed: the peak is then the lifetime peak
        pass
    return _memory_gb("VmRSS")


def _baskets(n_customers: int, n_baskets: int | None, random_state: int = 0) -> pd.DataFrame:
    import ecrm

    lines = ecrm.datasets.make_baskets(
        n_customers, N_PRODUCTS, random_state=random_state, n_categories=50, n_rules=50
    )
    if n_baskets is not None:
        lines = lines[lines["order_id"] <= n_baskets].reset_index(drop=True)
    return lines


def _warm_up() -> None:
    """Import and call once on small data, so first-call costs stay out of the timing."""
    import ecrm

    small = _baskets(2_000, None, random_state=1)
    ecrm.recommend.association_rules(small, min_support=0.01, max_len=3, order_col="order_id")
    ecrm.recommend.ItemKNN().fit(small).recommend(n=10)


def _rules_result(seconds: float, before: float, antecedents, consequents, lifts) -> dict:
    """Time, memory and the lift of every rule, keyed by (antecedent, consequent) as int sets."""
    keys = {
        (frozenset(map(int, a)), frozenset(map(int, c))): lift
        for a, c, lift in zip(antecedents, consequents, lifts, strict=True)
    }
    return {
        "seconds": seconds,
        "rules": len(keys),
        "before_gb": before,
        "peak_gb": _memory_gb("VmHWM"),
        "lifts": keys,
    }


def _ecrm_rules(path: str, n_baskets: int, max_len: int) -> dict:
    import ecrm

    lines = pd.read_parquet(path)
    lines = lines[lines["order_id"] <= n_baskets]
    _warm_up()
    before = _reset_peak()
    start = time.perf_counter()
    rules = ecrm.recommend.association_rules(
        lines, min_support=MIN_SUPPORT, min_confidence=MIN_CONFIDENCE, max_len=max_len, order_col="order_id"
    )
    seconds = time.perf_counter() - start
    return _rules_result(seconds, before, rules["antecedent"], rules["consequent"], rules["lift"])


def _mlxtend_rules(path: str, n_baskets: int, max_len: int) -> dict:
    from mlxtend.frequent_patterns import association_rules, fpgrowth
    from scipy import sparse

    lines = pd.read_parquet(path, columns=["order_id", "product_id"])
    lines = lines[lines["order_id"] <= n_baskets]
    order, order_code = np.unique(lines["order_id"].to_numpy(), return_inverse=True)
    product, product_code = np.unique(lines["product_id"].to_numpy(), return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(lines), dtype=bool), (order_code, product_code)), shape=(order.size, product.size)
    )
    onehot = pd.DataFrame.sparse.from_spmatrix(matrix, columns=[str(p) for p in product])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fpgrowth(onehot.iloc[:1000], min_support=0.01, max_len=max_len)  # warm-up
        before = _reset_peak()
        start = time.perf_counter()
        itemsets = fpgrowth(onehot, min_support=MIN_SUPPORT, use_colnames=True, max_len=max_len)
        rules = association_rules(
            itemsets, num_itemsets=len(onehot), metric="confidence", min_threshold=MIN_CONFIDENCE
        )
        seconds = time.perf_counter() - start
    return _rules_result(seconds, before, rules["antecedents"], rules["consequents"], rules["lift"])


def _itemknn(n_customers: int) -> dict:
    import ecrm

    lines = _baskets(n_customers, None, random_state=2)
    _warm_up()
    before = _reset_peak()
    start = time.perf_counter()
    model = ecrm.recommend.ItemKNN().fit(lines)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    recs = model.recommend(n=10)
    recommend_seconds = time.perf_counter() - start
    return {
        "lines": len(lines),
        "customers": len(model.customers_),
        "products": len(model.products_),
        "fit_seconds": fit_seconds,
        "recommend_seconds": recommend_seconds,
        "rows": len(recs),
        "personal_share": float((recs["source"] == "similar_items").mean()),
        "before_gb": before,
        "peak_gb": _memory_gb("VmHWM"),
    }


def _run(function, *args) -> dict:
    """``function(*args)`` in a fresh process; its result."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baskets", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers for ItemKNN")
    parser.add_argument("--mlxtend-gb", type=float, default=4.0, help="memory for mlxtend's dense copy")
    args = parser.parse_args()

    # ~2.7 orders per customer: enough customers for the baskets, then the first N orders.
    lines = _baskets(int(args.baskets / 2.6) + 1_000, args.baskets)
    n_baskets = lines["order_id"].nunique()
    dense_gb = n_baskets * N_PRODUCTS / 1e9
    mlxtend_baskets = min(n_baskets, int(args.mlxtend_gb * 1e9 / N_PRODUCTS) // 1000 * 1000)
    print(
        f"{len(lines):,} order lines, {n_baskets:,} baskets (orders), "
        f"{lines['product_id'].nunique():,} products; "
        f"min_support {MIN_SUPPORT} ({MIN_SUPPORT * n_baskets:,.0f} baskets), min_confidence {MIN_CONFIDENCE}"
    )
    print(
        f"mlxtend's dense copy of {n_baskets:,} baskets x {N_PRODUCTS:,} products would take "
        f"{dense_gb:.1f} GB; "
        f"it runs on the first {mlxtend_baskets:,} baskets ({mlxtend_baskets * N_PRODUCTS / 1e9:.1f} GB)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "lines.parquet")
        lines[["customer_id", "order_id", "order_date", "product_id", "amount"]].to_parquet(path)
        del lines
        for max_len in (2, 3):
            small = _run(_ecrm_rules, path, mlxtend_baskets, max_len)
            anchor = _run(_mlxtend_rules, path, mlxtend_baskets, max_len)
            full = _run(_ecrm_rules, path, n_baskets, max_len)
            same = small["lifts"].keys() == anchor["lifts"].keys()
            gap = max((abs(small["lifts"][k] - anchor["lifts"][k]) for k in anchor["lifts"]), default=0.0)
            print(f"association rules, max_len={max_len}")
            for name, size, result in [
                ("ecrm   ", mlxtend_baskets, small),
                ("mlxtend", mlxtend_baskets, anchor),
                ("ecrm   ", n_baskets, full),
            ]:
                print(
                    f"  {name} {size:>9,} baskets {result['seconds']:8.2f} s  {result['rules']:>5} rules  "
                    f"peak memory {result['peak_gb']:.2f} GB "
                    f"(resident before the call {result['before_gb']:.2f} GB)"
                )
            ratio = anchor["seconds"] / small["seconds"]
            print(
                f"  same rules as mlxtend: {same}; largest lift difference {gap:.1e}; "
                f"ratio mlxtend / ecrm on {mlxtend_baskets:,} baskets = {ratio:.1f}x "
                f"(target >= 5x); mlxtend extrapolated linearly to {n_baskets:,} baskets: "
                f"~{anchor['seconds'] * n_baskets / mlxtend_baskets:.0f} s and > {dense_gb:.0f} GB\n"
            )

    knn = _run(_itemknn, args.customers)
    print(
        f"ItemKNN (n_neighbors=50) on {knn['customers']:,} customers, {knn['products']:,} products, "
        f"{knn['lines']:,} order lines"
    )
    print(f"  fit                   {knn['fit_seconds']:7.2f} s")
    print(
        f"  top-10 for everyone   {knn['recommend_seconds']:7.2f} s  ({knn['rows']:,} rows, "
        f"{knn['personal_share']:.1%} from similar items)"
    )
    print(f"  peak memory {knn['peak_gb']:.2f} GB (resident before the fit {knn['before_gb']:.2f} GB)")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average (1/5/15 min) {load}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
