"""Time ecrm.service.sla(by="agent") on tickets in memory (pandas) and on DuckDB and Polars.

Generated tickets (``ecrm.datasets.make_tickets``) written once to a Parquet file; the
pandas path reads the whole file into memory, DuckDB and Polars read it lazily and send
back one row per agent. The three tables are checked to agree (counts exactly,
durations to 1e-9) before the times and the ratios to pandas are printed, with the peak
resident memory of the process. Reading the file counts in every time.

Run: python benchmarks/bench_service_engines.py [--tickets N]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import ecrm


def timed(fn, repeat: int) -> tuple[float, pd.DataFrame]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    import duckdb
    import polars as pl

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tickets.parquet"
        tickets = ecrm.datasets.make_tickets(args.tickets, random_state=0, n_agents=200)
        tickets.assign(agent=tickets["agent"].astype(str), channel=tickets["channel"].astype(str)).drop(
            columns="category"
        ).to_parquet(path)
        del tickets
        runs = {
            "pandas (read + sla)": lambda: ecrm.service.sla(pd.read_parquet(path), by="agent"),
            "duckdb (lazy)": lambda: ecrm.service.sla(duckdb.connect().read_parquet(str(path)), by="agent"),
            "polars (lazy)": lambda: ecrm.service.sla(pl.scan_parquet(path), by="agent"),
        }
        results = {name: timed(run, args.repeat) for name, run in runs.items()}
    base_time, base = results["pandas (read + sla)"]
    for name, (seconds, table) in results.items():
        for column in base.columns:
            if base[column].dtype.kind == "f":
                np.testing.assert_allclose(table[column], base[column], rtol=1e-9, atol=1e-9, err_msg=column)
            else:
                assert (table[column].to_numpy() == base[column].to_numpy()).all(), column
        print(
            f"{name:22s} {seconds:7.2f} s  {args.tickets / seconds:12,.0f} tickets/s  "
            f"x{base_time / seconds:5.2f} vs pandas"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.tickets:,} tickets, {len(base)} agents; peak resident memory {peak:,.0f} MB")


if __name__ == "__main__":
    main()
