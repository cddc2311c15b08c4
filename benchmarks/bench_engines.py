"""ecrm.customer_summary on a Parquet log larger than memory: DuckDB, Polars, Spark, pandas.

Writes (once; reused when present) a generated order log of ``--rows`` rows (default 200
million) to ``DIR/orders/part-NNNNN.parquet`` in ``--chunks`` files of equal size, each a
slice of time, the way a lake partitions orders: ``customer_id`` (int64, ``--customers``
customers, default 12 million, whose activity is gamma-distributed and who join over
the five years), ``order_id`` (int64), ``order_date`` (timestamp, with the time of day)
and ``amount`` (float64; 4% of the rows are returns with a negative amount). Every
chunk is drawn and written on its own with numpy and pyarrow, so generating needs the
memory of one chunk only.

Then, in one run, each engine in a fresh child process:

- **DuckDB** (the default engine for a path), memory limit ``--memory-limit`` (2 GB),
  ``ecrm.customer_summary(ecrm.transactions("DIR/orders/*.parquet", connection=con))``
  to a pandas frame; the child's peak resident memory comes from the kernel
  (``os.wait4``) and must stay under 4 GB;
- **Polars** on the same glob, every query on its streaming engine
  (``pl.Config.set_engine_affinity("streaming")``);
- **Spark** in local mode on the same glob (``customer_summary`` to pandas); its peak
  is that of the Python process and the JVM together (sampled);
- **pandas**, the in-memory numpy path, on a 10-million-row slice (the first chunk):
  ``pd.read_parquet`` then ``ecrm.customer_summary``, and DuckDB on the same slice
  for the ratio at equal size.

Each prints its time, rows per second (rows of the log / seconds of the call, which
includes reading the Parquet files), the CPU seconds of its processes, the number of
customers, the total spend and the orders (equal on every engine of the full log) and
the peak memory. From the pandas
child's peak per row the script prints what the pandas path would need for the whole log.
An engine whose process tree passes ``--max-memory`` (12 GB), or still runs at
``--stop-at``, is stopped, and the run says so (the machine is shared).

Run: python benchmarks/bench_engines.py [--dir DIR] [--rows N] [--chunks N]
[--customers N] [--memory-limit 2GB] [--engines duckdb,polars,spark,pandas] [--max-memory GB]
[--stop-at HH:MM]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

GB = 1e9
START = np.datetime64("2021-01-01T00:00:00", "us")
YEARS = 5
RETURN_SHARE = 0.04
PEAK_LIMIT_GB = 4.0


def generate(folder: Path, rows: int, chunks: int, customers: int, seed: int = 0) -> Path:
    """Write the log as ``chunks`` Parquet files (reused when the same log is there)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    orders = folder / "orders"
    meta = {"rows": rows, "chunks": chunks, "customers": customers, "seed": seed}
    stamp = folder / "log.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == meta:
        print(f"reusing the log in {orders}")
        return orders
    orders.mkdir(parents=True, exist_ok=True)
    for old in orders.glob("*.parquet"):
        old.unlink()
    rng = np.random.default_rng(seed)
    span = int(np.timedelta64(YEARS * 365, "D") / np.timedelta64(1, "us"))
    # Customer k joins at joined[k] (sorted: ids in order of sign-up) and buys at a
    # gamma-distributed rate, so a few buy often and most rarely, as in a real shop.
    joined = np.sort(rng.integers(0, span, customers))
    weight = np.cumsum(rng.gamma(0.5, 1.0, customers))
    per_chunk = rows // chunks
    started = time.perf_counter()
    for c in range(chunks):
        lo, hi = span * c // chunks, span * (c + 1) // chunks
        n = per_chunk if c < chunks - 1 else rows - per_chunk * (chunks - 1)
        # Customers who joined before this slice ends, drawn by weight.
        active = max(int(np.searchsorted(joined, hi)), 1)
        who = np.searchsorted(weight[:active], rng.random(n) * weight[active - 1])
        since = np.maximum(joined[who], lo)
        when = since + (rng.random(n) * (hi - since)).astype(np.int64)
        amount = np.round(rng.gamma(2.0, 30.0, n), 2)
        back = rng.random(n) < RETURN_SHARE
        amount[back] = -np.round(amount[back] * rng.random(int(back.sum())), 2)
        table = pa.table(
            {
                "customer_id": who.astype(np.int64),
                "order_id": np.arange(c * per_chunk, c * per_chunk + n, dtype=np.int64),
                "order_date": pa.array(START + when.astype("timedelta64[us]")),
                "amount": amount,
            }
        )
        pq.write_table(table, orders / f"part-{c:05d}.parquet", row_group_size=1_000_000)
        elapsed = time.perf_counter() - started
        print(f"  wrote chunk {c + 1}/{chunks} ({n:,} rows), {elapsed:.0f} s", flush=True)
    stamp.write_text(json.dumps(meta))
    return orders


# ---------------------------------------------------------------------------------------
# One engine, in a child process: prints one JSON line.


def _facts(summary, seconds: float, rows: int, **extra) -> dict:
    return {
        "seconds": seconds,
        "rows": rows,
        "customers": len(summary),
        "orders": int(summary["n_orders"].sum()),
        "total_spend": round(float(summary["total_spend"].sum()), 2),
        **extra,
    }


def worker(engine: str, path: str, rows: int, memory_limit: str, spill: str) -> dict:
    import warnings

    import ecrm

    warnings.simplefilter("ignore", ecrm.errors.DataDroppedWarning)  # customers with only returns
    warnings.simplefilter("ignore", FutureWarning)  # pyspark on pandas 3
    if engine in ("duckdb", "duckdb-slice"):
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET temp_directory = '{spill}'")  # where DuckDB spills past the limit
        start = time.perf_counter()
        summary = ecrm.customer_summary(ecrm.transactions(path, connection=con))
        return _facts(summary, time.perf_counter() - start, rows)
    if engine == "polars":
        import polars as pl

        # Every collect ecrm makes (the checks as well as the summary) on the streaming engine.
        pl.Config.set_engine_affinity("streaming")
        start = time.perf_counter()
        summary = ecrm.customer_summary(ecrm.transactions(path, engine="polars"))
        return _facts(summary, time.perf_counter() - start, rows)
    if engine == "spark":
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[*]")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .config("spark.local.dir", spill)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        start = time.perf_counter()
        summary = ecrm.customer_summary(ecrm.transactions(path, engine="spark"))
        seconds = time.perf_counter() - start
        spark.stop()
        return _facts(summary, seconds, rows)
    if engine == "pandas":
        import resource

        import pandas as pd

        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        start = time.perf_counter()
        frame = pd.read_parquet(path)
        read = time.perf_counter() - start
        summary = ecrm.customer_summary(frame)
        return _facts(
            summary,
            time.perf_counter() - start,
            len(frame),
            read_seconds=read,
            frame_bytes=int(frame.memory_usage(deep=True).sum()),
            base_rss=base,
        )
    raise ValueError(f"unknown engine {engine!r}")


def run_child(engine: str, path: str, rows: int, args: argparse.Namespace) -> dict:
    """Run one engine in a fresh process; its peak memory from the kernel and, for the
    whole process tree (Spark's JVM), sampled every 0.2 s."""
    spill = Path(args.dir) / "spill"
    spill.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, __file__, "--worker", engine, "--path", path, "--rows", str(rows)]
    command += ["--memory-limit", args.memory_limit, "--dir", str(args.dir)]
    log = Path(args.dir) / f"{engine}.stderr"
    with log.open("w") as stderr:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
    tree_peak = [0]
    cpu: dict[int, float] = {}  # CPU seconds of each process of the tree, last seen
    stopped: list[str | None] = [None]
    started = time.perf_counter()
    done = threading.Event()

    def sample() -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            proc = psutil.Process(child.pid)
            while not done.is_set():
                total = 0
                for p in [proc, *proc.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                        times = p.cpu_times()
                        cpu[p.pid] = times.user + times.system + times.children_user + times.children_system
                    except psutil.Error:
                        pass
                tree_peak[0] = max(tree_peak[0], total)
                if total > args.max_memory * GB:  # the machine is shared: stop before it swaps
                    stopped[0] = f"stopped when its memory passed {args.max_memory:g} GB (--max-memory)"
                elif args.stop_at is not None and time.time() > args.stop_at:
                    stopped[0] = f"stopped at --stop-at, after {time.perf_counter() - started:.0f} s"
                if stopped[0]:
                    for p in [*proc.children(recursive=True), proc]:
                        p.kill()
                done.wait(0.2)
        except psutil.Error:
            pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if stopped[0]:
        return {"error": stopped[0]}
    if child.returncode != 0:
        tail = log.read_text().strip().splitlines()[-3:]
        return {"error": f"exit status {child.returncode}: " + " / ".join(tail)}
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss"] = usage.ru_maxrss * 1024  # kilobytes on Linux
    result["tree_peak_rss"] = tree_peak[0]
    # CPU seconds: the kernel's count for the child (and the children it waited for), or
    # the sampled tree's when larger (Spark's JVM). With other work on the machine, rows
    # per CPU second compare engines better than rows per wall-clock second.
    result["cpu_seconds"] = max(usage.ru_utime + usage.ru_stime, sum(cpu.values()))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/work/data/bench_engines"))
    parser.add_argument("--rows", type=int, default=200_000_000)
    parser.add_argument("--chunks", type=int, default=20)
    parser.add_argument("--customers", type=int, default=12_000_000)
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--engines", default="duckdb,polars,spark,pandas")
    parser.add_argument(
        "--max-memory", type=float, default=12.0, help="GB at which an engine's run is stopped"
    )
    parser.add_argument("--stop-at", help="stop an engine still running at this UTC time (HH:MM)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stop_at is not None:
        import datetime as dt

        hour, minute = map(int, args.stop_at.split(":"))
        now = dt.datetime.now(dt.timezone.utc)
        args.stop_at = now.replace(hour=hour, minute=minute, second=0, microsecond=0).timestamp()
    if args.worker:
        facts = worker(args.worker, args.path, args.rows, args.memory_limit, str(args.dir / "spill"))
        print(json.dumps(facts))
        return

    import platform

    import psutil

    memory = psutil.virtual_memory().total
    print(
        f"machine: {os.cpu_count()} cores, {memory / GB:.1f} GB of memory, Python {platform.python_version()}"
    )
    orders = generate(args.dir, args.rows, args.chunks, args.customers)
    files = sorted(orders.glob("*.parquet"))
    on_disk = sum(f.stat().st_size for f in files)
    glob = str(orders / "*.parquet")
    print(f"log: {args.rows:,} rows in {len(files)} Parquet files, {on_disk / GB:.1f} GB on disk ({glob})")
    engines = args.engines.split(",")
    results: dict[str, dict] = {}
    slice_path, slice_rows = str(files[0]), args.rows // args.chunks
    for engine in engines:
        runs = [(engine, glob, args.rows)]
        if engine == "pandas":  # the in-memory path on one chunk, and DuckDB on the same chunk
            runs = [("pandas", slice_path, slice_rows), ("duckdb-slice", slice_path, slice_rows)]
        for name, path, rows in runs:
            print(f"\n== {name}: customer_summary of {rows:,} rows", flush=True)
            results[name] = result = run_child(name, path, rows, args)
            if "error" in result:
                print(f"   failed: {result['error']}")
                continue
            print(
                f"   {result['seconds']:8.1f} s  {rows / result['seconds'] / 1e6:6.2f} M rows/s  "
                f"{result['customers']:,} customers, {result['orders']:,} orders, "
                f"spend {result['total_spend']:,.2f}"
            )
            print(
                f"   {result['cpu_seconds']:8.1f} CPU s (whole process, with start-up)  "
                f"{rows / result['cpu_seconds'] / 1e6:6.2f} M rows per CPU second"
            )
            print(
                f"   peak resident memory {result['peak_rss'] / GB:.2f} GB "
                f"(with child processes, sampled: {result['tree_peak_rss'] / GB:.2f} GB)"
            )

    print("\n== summary")
    full = [e for e in ("duckdb", "polars", "spark") if "seconds" in results.get(e, {})]
    for engine in full:
        r = results[engine]
        print(
            f"{engine:8s} {args.rows / r['seconds'] / 1e6:6.2f} M rows/s "
            f"({args.rows / r['cpu_seconds'] / 1e6:.2f} M per CPU second) on {args.rows:,} rows"
        )
    if "duckdb" in full:
        duck = results["duckdb"]
        peak = duck["peak_rss"] / GB
        verdict = "under" if peak < PEAK_LIMIT_GB else "OVER"
        print(
            f"DuckDB peak resident memory {peak:.2f} GB with memory_limit {args.memory_limit}: "
            f"{verdict} {PEAK_LIMIT_GB:.0f} GB"
        )
        for engine in full:
            if engine != "duckdb":
                same = all(results[engine][k] == duck[k] for k in ("customers", "orders")) and abs(
                    results[engine]["total_spend"] - duck["total_spend"]
                ) <= 1e-6 * abs(duck["total_spend"])
                ratio = results[engine]["seconds"] / duck["seconds"]
                print(f"{engine} / DuckDB time = {ratio:.2f}x; same customers, orders and spend: {same}")
    pandas, slice_duck = results.get("pandas", {}), results.get("duckdb-slice", {})
    if "seconds" in pandas:
        read = pandas["read_seconds"]
        print(
            f"pandas   {slice_rows / pandas['seconds'] / 1e6:6.2f} M rows/s on a {slice_rows:,}-row slice "
            f"(read {read:.1f} s + summary {pandas['seconds'] - read:.1f} s)"
        )
        if "seconds" in slice_duck:
            same = (pandas["customers"], pandas["orders"]) == (slice_duck["customers"], slice_duck["orders"])
            ratio = pandas["seconds"] / slice_duck["seconds"]
            print(
                f"DuckDB on the same slice {slice_rows / slice_duck['seconds'] / 1e6:.2f} M rows/s: "
                f"pandas / DuckDB time = {ratio:.2f}x; same result: {same}"
            )
        scale = args.rows / slice_rows
        frame = pandas["frame_bytes"] * scale
        path_peak = pandas["base_rss"] + (pandas["peak_rss"] - pandas["base_rss"]) * scale
        print(
            f"the whole log as a pandas frame: {frame / GB:.1f} GB; the pandas path (read + "
            f"customer_summary) peaked at {pandas['peak_rss'] / GB:.2f} GB on the slice, so "
            f"{path_peak / GB:.1f} GB for the whole log, against {memory / GB:.1f} GB on this machine"
        )


if __name__ == "__main__":
    main()
