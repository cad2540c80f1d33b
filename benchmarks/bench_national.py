"""The whole monthly job on a national-size registry: time and peak memory of each step.

Generates the registry once with ``beian_audit.generate_world(n, seed=1)`` (about
25 s per million websites) and caches it, git-ignored, under
``benchmarks/_data/national_<n>_seed<seed>/`` as a partitioned Parquet dataset
(``filings/part-NNN.parquet``, 500,000 rows a file, Arrow strings, zstd) with
``providers.parquet`` and ``accessed_sites.parquet``. Then it runs the monthly
job and prints one line per step:

1. **read** — Parquet with column projection: only the columns the job uses
   (:data:`beian_audit.scale.CHECK_FILINGS_COLUMNS` plus the plan, outcome and
   statistics-table columns: 29 of the 43), as Arrow-backed strings (pyarrow's
   reader, zero-copy to pandas);
2. **check_filings** — every field check and cross-field rule;
3. **plan_sample** — Tianjin rule per access provider (the default of
   ``run_spot_check``);
4. **draw_sample** — permanent random numbers, manifest with frame fingerprint;
5. **estimate** — sponsor and access accuracy by provider
   (``estimate_proportion(by="provider_id")``), outcomes from the synthetic truth
   columns (what a perfect verifier would find);
6. **statistics table** — the monthly table of the province hosting most filings
   (rows 1–2 and 5–13: registry, the province's providers' accessed sites matched
   to the whole registry by domain, providers, sample, and the province's
   re-estimated accuracy rates).

Each line shows the wall time, the CPU time (user + system, this process and
Dask's worker processes: less sensitive than wall time to other work on a shared
machine) and the peak resident memory of the process tree during the step,
sampled every 20 ms with psutil (``resource.getrusage`` when psutil is missing).
The load average at the start and end is printed: on a busy machine the wall
times are not the job's own.

``--engine pandas`` (default) runs in this process. ``--engine dask`` starts a
``distributed.LocalCluster`` with ``--workers`` single-threaded worker processes
(default: every core), reads the dataset lazily with
``dask.dataframe.read_parquet`` (one partition per 128 k-row row group) and passes
the Dask frame to the same public functions; each step reads its own projected
columns in the workers. The
printed sample fingerprint and estimates are the same for both engines.

Usage::

    python benchmarks/bench_national.py [--n 3500000] [--engine pandas|dask] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

CACHE = Path(__file__).resolve().parent / "_data"
ROWS_PER_FILE = 500_000
SEED = 2013  # PRN seed of the draw
MONTH, YEAR = 5, 2013
GIB = 1024**3

#: Columns of the registry each later step needs, besides those check_filings reads.
PLAN_COLUMNS = ("provider_id",)
OUTCOME_COLUMNS = ("truth_sponsor_ok", "truth_access_ok")
TABLE_COLUMNS = ("website_id", "provider_id", "domain", "material_uploaded")
SAMPLE_COLUMNS = ("website_id", "provider_id", "sponsor_province", *OUTCOME_COLUMNS)


def dataset_dir(n: int, seed: int) -> Path:
    """Cache directory of the generated registry (git-ignored)."""
    return CACHE / f"national_{n}_seed{seed}"


def prepare(n: int, seed: int) -> Path:
    """Generate ``generate_world(n, seed=seed)`` once and cache it as Parquet.

    A file ``COMPLETE`` marks a finished write; an unfinished one is redone.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    import beian_audit as ba

    root = dataset_dir(n, seed)
    if (root / "COMPLETE").exists():
        return root
    start = time.perf_counter()
    world = ba.generate_world(n, seed=seed)
    print(f"generate_world({n:,}, seed={seed}): {time.perf_counter() - start:.1f} s")
    (root / "filings").mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(world.filings, preserve_index=False)
    for i, a in enumerate(range(0, table.num_rows, ROWS_PER_FILE)):
        pq.write_table(
            table.slice(a, ROWS_PER_FILE),
            root / "filings" / f"part-{i:03d}.parquet",
            compression="zstd",
            row_group_size=128 * 1024,
        )
    for name in ("providers", "accessed_sites"):
        frame = getattr(world, name)
        pq.write_table(
            pa.Table.from_pandas(frame, preserve_index=False),
            root / f"{name}.parquet",
            compression="zstd",
        )
    (root / "COMPLETE").write_text(f"generate_world({n}, seed={seed})\n")
    print(f"cached in {root} ({time.perf_counter() - start:.1f} s)")
    return root


# --------------------------------------------------------------------------- measuring


class Meter:
    """Wall time and peak RSS of the process tree, per step."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float, str]] = []
        try:
            import psutil

            self._proc: Any = psutil.Process()
        except ImportError:  # pragma: no cover - psutil comes with distributed
            self._proc = None

    def rss(self) -> float:
        if self._proc is None:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024.0
        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:  # a child may exit while we look
                continue
        return float(total)

    def cpu(self) -> float:
        """CPU seconds (user + system) of this process and its live children."""
        if self._proc is None:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime
        total = 0.0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except Exception:  # a child may exit while we look
                continue
        return total

    @contextmanager
    def step(self, name: str, note: Callable[[], str] | None = None) -> Iterator[None]:
        cpu0 = self.cpu()
        peak = [self.rss()]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.02):
                peak[0] = max(peak[0], self.rss())

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            stop.set()
            thread.join()
            peak[0] = max(peak[0], self.rss())
            cpu = self.cpu() - cpu0
            self.rows.append((name, elapsed, cpu, peak[0] / GIB, note() if note else ""))
            print(f"  {name:<18} {elapsed:8.1f} s  {cpu:8.1f} cpu-s  {peak[0] / GIB:6.2f} GiB",
                  flush=True)

    def table(self) -> str:
        lines = [f"{'step':<18} {'time (s)':>9} {'CPU (s)':>8} {'peak RSS (GiB)':>15}  notes"]
        lines.append("-" * 88)
        for name, elapsed, cpu, peak, note in self.rows:
            lines.append(f"{name:<18} {elapsed:9.1f} {cpu:8.1f} {peak:15.2f}  {note}")
        lines.append("-" * 88)
        total = sum(r[1] for r in self.rows)
        cpu_total = sum(r[2] for r in self.rows)
        top = max(r[3] for r in self.rows)
        lines.append(f"{'whole job':<18} {total:9.1f} {cpu_total:8.1f} {top:15.2f}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the job


def job_columns() -> list[str]:
    from beian_audit.scale import CHECK_FILINGS_COLUMNS

    cols = [*CHECK_FILINGS_COLUMNS, *PLAN_COLUMNS, *OUTCOME_COLUMNS, *TABLE_COLUMNS]
    return list(dict.fromkeys(cols))


def busiest_province(registry_providers: pd.Series, providers: pd.DataFrame) -> str:
    """Home province of the providers hosting most filings (as write_spot_check picks it)."""
    homes = providers.drop_duplicates("provider_id").set_index("provider_id")["home_province"]
    counts = registry_providers.value_counts()
    by_home = counts.groupby(counts.index.map(homes)).sum()
    return str(by_home.idxmax())


def run(n: int, seed: int, engine: str, workers: int) -> None:
    import beian_audit as ba
    from beian_audit.reporting import statistics_table

    root = prepare(n, seed)
    meter = Meter()
    columns = job_columns()
    client = cluster = None
    print(f"monthly job, {n:,} websites, engine={engine}"
          + (f" ({workers} worker processes)" if engine == "dask" else ""), flush=True)
    if engine == "dask":
        import dask.dataframe as dd
        from distributed import Client, LocalCluster

        with meter.step("start cluster"):
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None, host="127.0.0.1",
            )
            client = Client(cluster)

    state: dict[str, Any] = {"load": ", ".join(f"{x:.2f}" for x in os.getloadavg())}
    with meter.step("read", lambda: state["read_note"]):
        providers = pd.read_parquet(root / "providers.parquet")
        accessed = pd.read_parquet(root / "accessed_sites.parquet")
        if engine == "dask":
            registry: Any = dd.read_parquet(
                root / "filings", columns=columns, split_row_groups=True
            )
            state["read_note"] = (
                f"lazy: {registry.npartitions} partitions, {len(columns)} of 43 columns"
            )
        else:
            import pyarrow.parquet as pq

            # pyarrow's multithreaded reader; the pandas metadata gives the canonical
            # dtypes (Arrow-backed strings, zero copy)
            registry = pq.read_table(root / "filings", columns=columns).to_pandas()
            state["read_note"] = f"{len(registry):,} rows x {len(columns)} of 43 columns"

    with meter.step("check_filings", lambda: state["check_note"]):
        from beian_audit.scale import CHECK_FILINGS_COLUMNS, check_filings_dask

        to_check = registry[list(CHECK_FILINGS_COLUMNS)]
        if engine == "dask":
            report = check_filings_dask(to_check, providers=providers)
        else:
            report = ba.check_filings(to_check, providers=providers)
        ok = report.verdict["sponsor_info_ok"].mean()
        state["check_note"] = (
            f"{len(report.checks_run)} checks, {len(report.failures):,} failures, "
            f"machine verdict sponsor ok {ok:.1%}"
        )
        del to_check

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the Tianjin rule leaves 1-unit strata: expected
        with meter.step("plan_sample", lambda: state["plan_note"]):
            plan = ba.plan_sample(registry, strata="provider_id", allocation="tianjin")
            state["plan_note"] = f"{plan.n_strata} strata, n = {plan.n:,}"

    with meter.step("draw_sample", lambda: state["draw_note"]):
        # the sample carries the columns the estimates need (the draw reads them)
        sample = ba.draw_sample(registry[list(SAMPLE_COLUMNS)], plan, seed=SEED)
        fp = sample.manifest["sample_fingerprint"].rsplit(":", 1)[-1][:12]
        state["draw_note"] = f"{sample.n:,} filings, sample fingerprint {fp}…"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lonely strata and degenerate domains: reported
        with meter.step("estimate", lambda: state["est_note"]):
            data = sample.frame.assign(
                sponsor_ok=sample.frame["truth_sponsor_ok"].astype("boolean"),
                access_ok=sample.frame["truth_access_ok"].astype("boolean"),
            )
            estimates = {
                name: ba.estimate_proportion(data, col, by="provider_id", missing="drop")
                for name, col in (("sponsor", "sponsor_ok"), ("access", "access_ok"))
            }
            state["est_note"] = ", ".join(
                f"{k} {e.estimate:.4f} [{e.ci.low:.4f}, {e.ci.high:.4f}]"
                for k, e in estimates.items()
            )

        with meter.step("statistics table", lambda: state["table_note"]):
            if engine == "dask":
                table_registry = registry[list(TABLE_COLUMNS)].compute()
            else:
                table_registry = registry[list(TABLE_COLUMNS)]
            province = busiest_province(table_registry["provider_id"], providers)
            homes = providers.set_index("provider_id")["home_province"]
            local = data[data["provider_id"].map(homes).to_numpy() == province]
            # only the province's providers' accessed sites enter row 2; each site is
            # matched against the whole registry, so leaving the others out is exact
            ours = accessed["provider_id"].map(homes).to_numpy() == province
            rates = {
                col: ba.estimate_proportion(local, col, missing="drop")
                for col in ("sponsor_ok", "access_ok")
            }
            table = statistics_table(
                province=province, month=MONTH, year=YEAR, registry=table_registry,
                accessed_sites=accessed[ours], providers=providers, sample=local,
                sponsor_accuracy=rates["sponsor_ok"], access_accuracy=rates["access_ok"],
            )
            state["table_note"] = (
                f"{province}: {table.value(1):,} filed, {table.value(2):,} unfiled, "
                f"sponsor accuracy {table.value(12):.2f} %"
            )

    if client is not None:
        client.close()
        cluster.close()
    print()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"monthly job, {n:,} websites, engine={engine}, {os.cpu_count()} cores "
          f"(load average at start {state['load']}, at end {load})")
    print(meter.table())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Time and peak memory of the monthly job on a national-size registry."
    )
    parser.add_argument("--n", type=int, default=3_500_000, help="websites (default 3.5 M)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--engine", choices=("pandas", "dask"), default="pandas")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="Dask worker processes (default: every core)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="generate and cache the registry, then stop")
    args = parser.parse_args(argv)
    if args.prepare_only:
        prepare(args.n, args.seed)
        return
    run(args.n, args.seed, args.engine, args.workers)


if __name__ == "__main__":
    main()
