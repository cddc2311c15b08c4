"""Time ecrm.clv.CLVModel.fit against lifetimes' fitters on the same summary, in one run.

1 million customers drawn from ``ecrm.datasets.make_transactions`` (CDNOW parameters,
weekly units), summarised once with ``ecrm.customer_summary(time_unit="W")``. Times:

- ecrm ``CLVModel(purchase_model=..., spend_model="gamma_gamma").fit(summary)``;
- lifetimes' fitter on every customer row plus ``GammaGammaFitter`` on the repeat
  customers, called directly (the same optimiser and starting point);
- ``predict_clv(horizon=12, freq="M")`` for every customer.

Prints the absolute times, the speed-up ratios and the largest relative difference
of the estimates (target: >= 3x faster, difference < 1e-4).

Run: python benchmarks/bench_clv.py [--customers N] [--models bgnbd,mbgnbd,paretonbd]
(default models bgnbd,mbgnbd; Pareto/NBD is slow in lifetimes, time it on 100,000).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import ecrm
from ecrm.clv import CLVModel


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


def lifetimes_fit(name: str, summary):
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

    fitter = {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter, "paretonbd": ParetoNBDFitter}[name]
    # lifetimes' Pareto/NBD starts from a random point unless told; ecrm starts from ones.
    start = {"initial_params": np.ones(4)} if name == "paretonbd" else {}
    purchase = fitter().fit(summary["frequency"], summary["recency"], summary["T"], **start)
    repeat = summary[summary["frequency"] > 0]
    spend = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    return np.concatenate([purchase.params_.to_numpy(), spend.params_.to_numpy()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    # Pareto/NBD is lifetimes' Nelder-Mead on hypergeometric terms: minutes at 1M
    # customers even on distinct patterns; time it at --customers 100000.
    parser.add_argument("--models", default="bgnbd,mbgnbd")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)  # lifetimes/autograd on numpy 2

    ecrm.clv._fitters()  # import lifetimes and autograd outside the timings
    tx = ecrm.datasets.make_transactions(args.customers, random_state=0)
    t_summary, summary = timed(ecrm.customer_summary, tx, time_unit="W")
    print(f"{len(tx):,} transactions, {len(summary):,} customers; customer_summary {t_summary:.2f} s")
    for name in args.models.split(","):
        t_ecrm, model = timed(CLVModel(purchase_model=name).fit, summary)
        t_lt, direct = timed(lifetimes_fit, name, summary)
        diff = np.max(np.abs(model.params_["estimate"].to_numpy() / direct - 1))
        t_clv, clv = timed(model.predict_clv, horizon=12, freq="M")
        print(
            f"\n== {name} + gamma_gamma ({model.n_patterns_:,} distinct (frequency, recency, T) "
            f"patterns)\n"
            f"  fit: ecrm {t_ecrm:7.2f} s   lifetimes {t_lt:7.2f} s   speed-up {t_lt / t_ecrm:5.1f}x   "
            f"max relative difference of estimates {diff:.1e}\n"
            f"  predict_clv(12 months) for {len(clv):,} customers: {t_clv:.2f} s "
            f"(mean CLV {clv['clv'].mean():.2f})"
        )


if __name__ == "__main__":
    main()
