"""Time ecrm.clv's fits against lifetimes' fitters on the same summaries, in one run.

1 million customers drawn from ``ecrm.datasets.make_transactions`` (CDNOW parameters,
weekly units), summarised once with ``ecrm.customer_summary(time_unit="W")``. Times:

- BG/NBD and MBG/NBD on every customer: ecrm ``CLVModel(purchase_model=...,
  spend_model=None).fit(summary)`` against lifetimes' fitter on every row (targets:
  BG/NBD >= 20x);
- Pareto/NBD on the first 100,000 customers: ecrm against lifetimes' ``ParetoNBDFitter``
  (Nelder-Mead from ones, its default tolerance; target >= 10x);
- BG/NBD + Gamma-Gamma together, ecrm against lifetimes' two fitters;
- ``predict_clv(horizon=12, horizon_unit="M", interval=0.9)`` for every customer.

Each fit is timed as the best of ``--repeat`` runs (lifetimes' once: it is the slow
side). Prints times, speed-up ratios and the largest relative difference of the
estimates. Run on a shared machine, note the load (printed at the start and the end).

Run: python benchmarks/bench_clv.py [--customers N] [--pareto-customers N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np
from bench_summary import timed  # the same best-of-n timer (this script's folder is on sys.path)

import ecrm
from ecrm.clv import CLVModel


def once(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def lifetimes_fit(name: str, summary, spend: bool = False) -> np.ndarray:
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

    fitter = {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter, "paretonbd": ParetoNBDFitter}[name]
    # lifetimes' Pareto/NBD starts from a random point unless told; start it from ones.
    start = {"initial_params": np.ones(4)} if name == "paretonbd" else {}
    purchase = fitter().fit(summary["frequency"], summary["recency"], summary["T"], **start)
    params = purchase.params_.to_numpy()
    if spend:
        repeat = summary[summary["frequency"] > 0]
        gamma = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        params = np.concatenate([params, gamma.params_.to_numpy()])
    return params


def compare(label: str, name: str, summary, repeat: int, spend: bool = False) -> None:
    model = CLVModel(purchase_model=name, spend_model="gamma_gamma" if spend else None)
    t_ecrm, fitted = timed(lambda: model.fit(summary), repeat)
    t_lt, direct = once(lambda: lifetimes_fit(name, summary, spend))
    diff = np.max(np.abs(fitted.params_["estimate"].to_numpy() / direct - 1))
    print(
        f"{label:<34} ecrm {t_ecrm:7.2f} s   lifetimes {t_lt:7.2f} s   ratio {t_lt / t_ecrm:6.1f}x   "
        f"({fitted.n_patterns_:,} patterns; max relative difference of estimates {diff:.1e})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--pareto-customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)  # lifetimes/autograd on numpy 2
    import lifetimes  # noqa: F401  (import outside the timings)

    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    tx = ecrm.datasets.make_transactions(args.customers, random_state=0)
    t_summary, summary = once(lambda: ecrm.customer_summary(tx, time_unit="W"))
    print(f"{len(tx):,} transactions, {len(summary):,} customers; customer_summary {t_summary:.2f} s\n")
    compare(f"BG/NBD, {len(summary):,} customers", "bgnbd", summary, args.repeat)
    compare(f"MBG/NBD, {len(summary):,} customers", "mbgnbd", summary, args.repeat)
    few = summary.iloc[: args.pareto_customers]
    compare(f"Pareto/NBD, {len(few):,} customers", "paretonbd", few, args.repeat)
    compare(f"BG/NBD + Gamma-Gamma, {len(summary):,}", "bgnbd", summary, args.repeat, spend=True)

    model = CLVModel().fit(summary)
    t_clv, clv = timed(lambda: model.predict_clv(horizon=12, horizon_unit="M", interval=0.9), args.repeat)
    t_plain, _ = timed(lambda: model.predict_clv(horizon=12, horizon_unit="M"), args.repeat)
    width = (clv["clv_upper"] - clv["clv_lower"]) / clv["clv"]
    print(
        f"\npredict_clv(12 months) for {len(clv):,} customers: {t_plain:.2f} s; with 90% intervals "
        f"{t_clv:.2f} s (mean CLV {clv['clv'].mean():.2f}, "
        f"median relative interval width {width.median():.3f})"
    )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
