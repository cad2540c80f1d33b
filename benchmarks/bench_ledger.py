"""The audit ledger at scale (issue #14): three timings against their goals.

1. **import** — ``Ledger.import_outcomes`` of one filled 5,000-row worksheet
   (read, validate, one transaction). Goal: under 2 s.
2. **month status** — ``Ledger.status`` (what ``beian-audit month status``
   prints: progress per stratum, estimates, verdicts) on a month drawn from the
   national registry (3.5 M filings, ~105 k drawn by the Tianjin rule, every
   outcome recorded). The registry is the one of ``bench_national.py``
   (``generate_world(n, seed=1)``, cached under ``benchmarks/_data/``). Goal:
   under 5 s.
3. **18-row table** — ``Ledger.statistics_table`` of the last month of a
   24-month ledger with 30,000 outcomes a month (15,000 filings × 2 aspects),
   review log, enforcement events, blacklist and integration status. Goal:
   under 5 s. The 24-month panel (``Ledger.panels``) is timed too.

Set-up steps (generating, opening, drawing, recording outcomes in bulk) are
printed but have no goal. The three steps run on each backend: a SQLite ledger
in a temporary directory, and a fresh database of a throw-away PostgreSQL 15
server started for the run by :mod:`beian_audit.ledger.pgserver` (the same
server code as the test fixture; it needs the postgresql-15 binaries, see
``scripts/install_system_deps.sh``) and stopped at the end. Not a test:
timings depend on the machine and its load.

Usage::

    python benchmarks/bench_ledger.py [--quick] [--n 3500000] [--months 24]
                                      [--backend sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

RESULTS: list[tuple[str, str, float, float | None]] = []  # backend, step, seconds, goal
BACKEND = ["sqlite"]


@contextmanager
def timed(name: str, goal: float | None = None) -> Iterator[None]:
    start = time.perf_counter()
    yield
    took = time.perf_counter() - start
    RESULTS.append((BACKEND[0], name, took, goal))
    verdict = "" if goal is None else ("  ok" if took < goal else "  MISSED")
    shown = "" if goal is None else f"  (goal < {goal:g} s)"
    print(f"  {name:<46} {took:8.2f} s{shown}{verdict}", flush=True)


def fill_worksheet(path: Path, truth: pd.DataFrame) -> None:
    """Fill every row as a verifier would (是/否, reason, who, when) with openpyxl."""
    import openpyxl

    from beian_audit.sampling.worksheet import DATA_START_ROW, MAIN_SHEET

    book = openpyxl.load_workbook(path)
    sheet = book[MAIN_SHEET]
    header = {c.value: c.column for c in sheet[1] if c.value}
    for r in range(DATA_START_ROW, sheet.max_row + 1):
        key = sheet.cell(row=r, column=1).value
        if key is None:
            continue
        sponsor, access = truth.loc[str(key)]
        sheet.cell(row=r, column=header["sponsor_info_correct"]).value = "是" if sponsor else "否"
        sheet.cell(row=r, column=header["access_info_correct"]).value = "是" if access else "否"
        if not (sponsor and access):
            sheet.cell(row=r, column=header["reason"]).value = "other"
        sheet.cell(row=r, column=header["checked_by"]).value = "核查员"
        sheet.cell(row=r, column=header["checked_on"]).value = dt.date(2013, 5, 20)
    book.save(path)


def record_truth(ledger: Any, month: str, province: str, registry: pd.DataFrame,
                 unreachable: float = 0.02, seed: int = 0) -> int:
    """Record every drawn filing's outcomes from the truth with ``Ledger.record_outcomes``."""
    units = ledger.sample(month, province)
    truth = registry.set_index("website_id").loc[units["website_id"],
                                                 ["truth_sponsor_ok", "truth_access_ok"]]
    rng = np.random.default_rng(seed)
    lost = rng.random(len(units)) < unreachable
    parts = []
    for aspect, column in (("sponsor", "truth_sponsor_ok"), ("access", "truth_access_ok")):
        ok = truth[column].to_numpy(bool)
        status = np.where(lost, "unreachable", np.where(ok, "correct", "incorrect"))
        parts.append(pd.DataFrame({
            "website_id": units["website_id"].to_numpy(), "aspect": aspect, "status": status,
            "reason": np.where(lost, "phone_unreachable", np.where(ok, None, "other")),
            "checked_on": dt.date(2013, 5, 20)}))
    frame = pd.concat(parts, ignore_index=True)
    result = ledger.record_outcomes(frame, month, province, verifier="核查员",
                                    source="bench")
    return int(result.n_recorded)


def bench_import(location: str, where: Path, rows: int) -> None:
    import beian_audit as ba
    from beian_audit.ledger import Ledger

    print(f"1. import a {rows:,}-row worksheet")
    world = ba.generate_world(max(4 * rows, 20_000), seed=3)
    registry = world.filings
    truth = registry.set_index("website_id")[["truth_sponsor_ok", "truth_access_ok"]]
    with Ledger.open(location) as ledger:
        month = ledger.open_month(registry, "2013-05", "广东", n=rows, allocation="proportional")
        with timed("draw + write worksheet (set-up)"):
            drawn = month.draw(seed=1, out_dir=where / "sheets")
        sheet = Path(drawn.worksheets["file"].iloc[0])
        with timed("fill worksheet with openpyxl (set-up)"):
            fill_worksheet(sheet, truth)
        with timed(f"import_outcomes ({rows:,} rows)", 2.0):
            result = month.import_outcomes(sheet)
        assert result.n_recorded == 2 * rows, result
        with timed("import the same worksheet again (no-op)"):
            again = month.import_outcomes(sheet)
        assert again.already_imported


def bench_status(location: str, n: int) -> None:
    from bench_national import busiest_province, prepare

    from beian_audit.ledger import Ledger

    print(f"2. month status on a month of a {n:,}-filing registry")
    root = prepare(n, 1)
    with timed("read registry (set-up)"):
        registry = pd.read_parquet(root / "filings", columns=[
            "website_id", "provider_id", "material_uploaded", "truth_sponsor_ok",
            "truth_access_ok"])
        providers = pd.read_parquet(root / "providers.parquet")
    province = busiest_province(registry["provider_id"], providers)
    with Ledger.open(location) as ledger:
        with timed("open_month (fingerprint, plan, counts) (set-up)"):
            month = ledger.open_month(registry, "2013-05", province, strata="provider_id",
                                      allocation="tianjin")
        with timed("draw (set-up)"):
            drawn = month.draw(seed=2013)
        with timed(f"record_outcomes ({2 * drawn.n:,} outcomes) (set-up)"):
            record_truth(ledger, "2013-05", province, registry)
        with timed(f"month status ({drawn.n:,} drawn filings)", 5.0):
            status = month.status()
        print(f"     {status._summary()}")


def bench_table(location: str, months: int, per_month: int) -> None:
    import beian_audit as ba
    from beian_audit.ledger import Ledger

    units = per_month // 2
    print(f"3. 18-row table from a {months}-month ledger, {per_month:,} outcomes a month")
    world = ba.generate_world(max(8 * units, 40_000), seed=5)
    registry, providers = world.filings, world.providers
    homes = registry["provider_id"].map(providers.set_index("provider_id")["home_province"])
    province = str(homes.value_counts().index[0])
    periods = [str(pd.Period("2011-06", freq="M") + k) for k in range(months)]
    from beian_audit.synthetic.operations import operations_log

    ops = operations_log(providers, province, periods, seed=1, registry=registry)
    with Ledger.open(location) as ledger:
        with timed(f"{months} months opened, drawn, outcomes recorded (set-up)"):
            for i, m in enumerate(periods):
                month = ledger.open_month(registry, m, province, n=units,
                                          allocation="proportional")
                month.draw(seed=i)
                record_truth(ledger, m, province, registry, seed=i)
                month.record_accessed_sites(world.accessed_sites.drop(columns=["truth_filed"]),
                                            registry=registry)
                if m != periods[-1]:
                    month.close()
        with timed("logs recorded (set-up)"):
            for r in ops.integration.to_dict(orient="records"):
                ledger.set_integration_status(r["provider_id"], r["status"], r["as_of"],
                                              province=r["province"])
            for r in ops.review_log.to_dict(orient="records"):
                ledger.add_review(r["kind"], r["date"], quantity=int(r["quantity"]),
                                  province=r["province"])
            for r in ops.enforcement.to_dict(orient="records"):
                ledger.add_enforcement_event(r["kind"], r["date"], province=r["province"])
        with timed(f"statistics_table ({months}-month ledger)", 5.0):
            table = ledger.statistics_table(periods[-1], province)
        filled = 18 - len(table.missing_inputs)
        print(f"     rows filled {filled}/18 (missing: {list(table.missing_inputs)})")
        with timed(f"panels over {months} months"):
            panels = ledger.panels(province)
        print(f"     panel months: {len(panels['sponsor_accuracy'].months)}")


def run_backend(backend: str, where: Path, args: argparse.Namespace, n: int,
                months: int) -> None:
    """The three steps on one backend, each on a fresh ledger."""
    from beian_audit.ledger.pgserver import throwaway_postgres

    BACKEND[0] = backend
    print(f"== {backend}")
    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            def fresh(name: str) -> str:
                return str(where / f"{name}.db")
        else:
            server = stack.enter_context(throwaway_postgres())

            def fresh(name: str) -> str:
                return server.create_database()
        bench_import(fresh("import"), where / backend, args.rows)
        bench_status(fresh("status"), n)
        bench_table(fresh("table"), months, args.outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="reduced sizes: 200,000-filing registry, 6 months")
    parser.add_argument("--n", type=int, default=None, help="registry size of step 2")
    parser.add_argument("--months", type=int, default=None, help="months of step 3")
    parser.add_argument("--rows", type=int, default=5_000, help="worksheet rows of step 1")
    parser.add_argument("--outcomes", type=int, default=30_000, help="outcomes a month")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both",
                        help="where the ledgers go (postgresql: a throw-away server)")
    args = parser.parse_args(argv)
    n = args.n or (200_000 if args.quick else 3_500_000)
    months = args.months or (6 if args.quick else 24)
    warnings.simplefilter("ignore")
    print(f"bench_ledger: load {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            run_backend(backend, Path(tmp), args, n, months)
    print("\nsummary (seconds)")
    steps = list(dict.fromkeys(name for _, name, _, goal in RESULTS if goal is not None))
    print(f"  {'step':<46} " + " ".join(f"{b:>10}" for b in backends) + "   goal")
    for step in steps:
        took = {b: t for b, name, t, _ in RESULTS if name == step}
        goal = next(g for _, name, _, g in RESULTS if name == step)
        print(f"  {step:<46} " + " ".join(f"{took.get(b, float('nan')):>10.2f}"
                                          for b in backends) + f"   < {goal:g}")
    missed = [f"{b}: {name}" for b, name, took, goal in RESULTS
              if goal is not None and took >= goal]
    print("all goals met" if not missed else f"goals missed: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
