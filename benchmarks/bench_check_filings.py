"""Throughput of ``check_filings`` on the synthetic national registry (issue #3).

Generates the synthetic registry of ``--n`` websites (default 1,000,000) with
``beian_audit.synthetic.generate_world(n, seed=--seed)`` -- or loads it from the cache
directory ``benchmarks/_data/`` (git-ignored) when an earlier run left it there -- and
runs ``check_filings(world.filings, providers=world.providers, workers=1)`` once, timing
every field checker it calls, then once more with the default ``workers`` (the checks
side by side on the cores) for the wall time. It prints

* records/s for the whole ``check_filings`` and for each checker (rows handed to the
  checker per CPU second; several columns checked by one checker are one call);
* peak memory: the process's peak resident set size (``resource.getrusage``) before
  and after the check, and the largest Python-level allocation of the check
  (``tracemalloc``, numpy buffers included, pyarrow buffers not) when ``--tracemalloc``
  is given (it slows the run down);
* ``check_phone`` + ``check_email`` (the fast paths, on the four phone and two email
  columns of the registry) against a plain per-row loop of
  ``phonenumbers.parse`` / ``is_valid_number`` / ``number_type`` and
  ``email_validator.validate_email(check_deliverability=False)``. The loop runs on a
  random subsample of ``--loop-sample`` rows (default 100,000) and is extrapolated to
  all rows (the output says so). On the subsample the fast verdicts are checked to
  be identical to the package's per-row reference path (the same rules, the library
  called for every row), and the agreement with the bare library verdict is printed.

Times are CPU seconds (``time.process_time``), which other jobs on a shared machine
do not inflate; wall time is printed alongside. Run::

    python benchmarks/bench_check_filings.py [--n 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import functools
import gc
import resource
import subprocess
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "_data"

#: (module, function) of every checker check_filings calls; each is wrapped with a timer.
CHECKERS = (
    ("beian_audit.checks.phone", "check_phone"),
    ("beian_audit.checks.email", "check_email"),
    ("beian_audit.checks.identity", "check_resident_id"),
    ("beian_audit.checks.identity", "check_credit_code"),
    ("beian_audit.checks.identity", "check_org_code"),
    ("beian_audit.checks.address", "check_address"),
    ("beian_audit.checks.icp", "check_icp_number"),
    ("beian_audit.checks.network", "check_domain"),
    ("beian_audit.checks.network", "parse_ip_list"),
)
PHONE_COLUMNS = {
    "sponsor_principal_mobile": "mobile",
    "website_principal_mobile": "mobile",
    "sponsor_principal_phone": "any",
    "website_principal_phone": "any",
}
EMAIL_COLUMNS = ("sponsor_principal_email", "website_principal_email")


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_world(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Filings and providers of ``generate_world(n, seed=seed)``, cached as Parquet.

    A missing cache is generated in a child process, so that the generator's own
    memory does not count in this process's peak.
    """
    filings_path = DATA_DIR / f"filings_{n}_seed{seed}.parquet"
    providers_path = DATA_DIR / f"providers_{n}_seed{seed}.parquet"
    if not (filings_path.exists() and providers_path.exists()):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        print(f"generating the synthetic registry ({n:,} websites, seed {seed}) ...", flush=True)
        code = (
            "import sys\n"
            "from beian_audit.synthetic import generate_world\n"
            f"w = generate_world({n}, seed={seed})\n"
            f"w.filings.to_parquet(sys.argv[1])\n"
            f"w.providers.to_parquet(sys.argv[2])\n"
        )
        subprocess.run(
            [sys.executable, "-c", code, str(filings_path), str(providers_path)], check=True
        )
    return pd.read_parquet(filings_path), pd.read_parquet(providers_path)


def instrument() -> tuple[dict[str, float], dict[str, float], dict[str, int]]:
    """Wrap every checker so that its CPU time, wall time and input rows add up."""
    import importlib

    cpu: dict[str, float] = defaultdict(float)
    wall: dict[str, float] = defaultdict(float)
    rows: dict[str, int] = defaultdict(int)
    for module_name, name in CHECKERS:
        module = importlib.import_module(module_name)
        func = getattr(module, name)

        @functools.wraps(func)
        def timed(*args: Any, _func: Callable[..., Any] = func, _name: str = name,
                  **kwargs: Any) -> Any:
            c, w = time.process_time(), time.perf_counter()
            try:
                return _func(*args, **kwargs)
            finally:
                cpu[_name] += time.process_time() - c
                wall[_name] += time.perf_counter() - w
                rows[_name] += len(args[0]) if args else 0

        setattr(module, name, timed)
    # the range look-up of the access check and the failure table, outside any checker
    from beian_audit.checks import filings as filings_mod
    from beian_audit.checks.network import IpRangeIndex

    for owner, name, label in ((IpRangeIndex, "lookup", "IpRangeIndex.lookup"),
                               (filings_mod, "_failures", "failure table")):
        func = getattr(owner, name)

        @functools.wraps(func)
        def timed_extra(*args: Any, _func: Callable[..., Any] = func, _label: str = label,
                        **kwargs: Any) -> Any:
            c, w = time.process_time(), time.perf_counter()
            try:
                return _func(*args, **kwargs)
            finally:
                cpu[_label] += time.process_time() - c
                wall[_label] += time.perf_counter() - w
                rows[_label] += len(args[1]) if _label.startswith("Ip") else len(args[0])

        setattr(owner, name, timed_extra)
    return cpu, wall, rows


def library_loop(phones: dict[str, list[object]], emails: list[object]) -> dict[str, Any]:
    """The plain per-row loop: phonenumbers and email-validator on every value."""
    import phonenumbers
    from email_validator import EmailNotValidError, validate_email

    phone_valid: dict[str, list[bool]] = {}
    for column, values in phones.items():
        out = []
        for v in values:
            ok = False
            if v is not None:
                try:
                    number = phonenumbers.parse(str(v), "CN")
                    ok = phonenumbers.is_valid_number(number)
                    if ok:
                        phonenumbers.number_type(number)
                except phonenumbers.NumberParseException:
                    ok = False
            out.append(ok)
        phone_valid[column] = out
    email_valid = []
    for v in emails:
        ok = False
        if v is not None:
            try:
                validate_email(str(v), check_deliverability=False)
                ok = True
            except EmailNotValidError:
                ok = False
        email_valid.append(ok)
    return {"phone": phone_valid, "email": email_valid}


def _as_values(series: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in series.tolist()]


def _same(a: pd.DataFrame, b: pd.DataFrame, columns: list[str], label: str) -> None:
    for col in columns:
        x = np.where(pd.isna(a[col].to_numpy(dtype=object)), None, a[col].to_numpy(dtype=object))
        y = np.where(pd.isna(b[col].to_numpy(dtype=object)), None, b[col].to_numpy(dtype=object))
        differ = np.flatnonzero(x != y)
        if len(differ):
            raise AssertionError(f"{label}: column {col!r} differs on {len(differ)} rows")


def compare_with_library_loop(filings: pd.DataFrame, sample: int, seed: int) -> None:
    """check_phone + check_email (fast) against the plain library loop."""
    from beian_audit.checks import email as email_mod
    from beian_audit.checks import phone as phone_mod

    n = len(filings)
    print("\ncheck_phone + check_email (fast) vs a plain per-row library loop")
    # fast, on the full columns, the way check_filings calls them
    fast_cpu = 0.0
    fast_phone: dict[str, pd.DataFrame] = {}
    for kind in ("mobile", "any"):
        columns = [c for c, k in PHONE_COLUMNS.items() if k == kind and c in filings]
        stacked = pd.concat([filings[c] for c in columns], ignore_index=True)
        gc.collect()
        c = time.process_time()
        result = phone_mod.check_phone(stacked, kind=kind)
        fast_cpu += time.process_time() - c
        for i, col in enumerate(columns):
            fast_phone[col] = result.iloc[i * n : (i + 1) * n].set_axis(filings.index)
    columns = [c for c in EMAIL_COLUMNS if c in filings]
    stacked = pd.concat([filings[c] for c in columns], ignore_index=True)
    gc.collect()
    c = time.process_time()
    result = email_mod.check_email(stacked)
    fast_cpu += time.process_time() - c
    fast_email = {col: result.iloc[i * n : (i + 1) * n].set_axis(filings.index)
                  for i, col in enumerate(columns)}
    values = (len(fast_phone) + len(fast_email)) * n
    print(f"  fast (check_phone + check_email, all {n:,} rows x {len(fast_phone)} phone + "
          f"{len(fast_email)} email columns = {values:,} values): {fast_cpu:.2f} s CPU, "
          f"{values / fast_cpu:,.0f} values/s")

    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=min(sample, n), replace=False))
    sub = filings.iloc[rows]
    phones = {c: _as_values(sub[c]) for c in fast_phone}
    emails = [v for c in fast_email for v in _as_values(sub[c])]
    gc.collect()
    c = time.process_time()
    loop = library_loop(phones, emails)
    loop_cpu = time.process_time() - c
    loop_values = sum(len(v) for v in phones.values()) + len(emails)
    extrapolated = loop_cpu * values / loop_values
    print(f"  library loop on a random subsample of {len(rows):,} rows ({loop_values:,} values):"
          f" {loop_cpu:.2f} s CPU, {loop_values / loop_cpu:,.0f} values/s;"
          f" extrapolated to all {values:,} values: {extrapolated:.1f} s")
    print(f"  speed-up of the fast path over the library loop: {extrapolated / fast_cpu:.1f}x"
          " (extrapolated from the subsample)")

    # verdicts on the subsample: fast = the package's per-row reference path, exactly
    for col, kind in PHONE_COLUMNS.items():
        if col not in fast_phone:
            continue
        ref = phone_mod.check_phone(sub[col], kind=kind, method="reference")
        _same(fast_phone[col].iloc[rows], ref, ["valid", "reason", "number_type", "e164",
                                                "extension"], col)
    for col in fast_email:
        ref = email_mod.check_email(sub[col], method="reference")
        _same(fast_email[col].iloc[rows], ref, ["valid", "reason"], col)
    print(f"  verdicts: fast == reference path (phonenumbers / email-validator called per "
          f"row, same rules) on all {len(rows):,} subsample rows of every column")

    # and against the bare library verdict
    for col in fast_phone:
        lib = np.asarray(loop["phone"][col], dtype=bool)
        ours = fast_phone[col].iloc[rows]
        parsed_valid = ours["number_type"].notna().to_numpy()
        differ = lib != parsed_valid
        why = ours["reason"].to_numpy(dtype=object)[differ]
        ext = ours["extension"].notna().to_numpy()[differ]
        note = "" if not differ.any() else (
            f"; the {differ.sum():,} others are values the normaliser changes first (extension "
            f"cut: {int(ext.sum())}, reasons: {pd.Series(why[~ext]).value_counts().to_dict()})"
        )
        print(f"  {col}: phonenumbers' is_valid_number agrees with check_phone's parse on "
              f"{(~differ).sum():,} of {len(rows):,} rows{note}")
    lib = np.asarray(loop["email"], dtype=bool)
    ours = np.concatenate([fast_email[c].iloc[rows]["reason"].to_numpy(dtype=object)
                           for c in fast_email])
    syntax_ok = np.isin(ours, ["", "typo_domain"])
    differ = lib != syntax_ok
    note = "" if not differ.any() else (
        f"; the others (NFKC first, reasons): {pd.Series(ours[differ]).value_counts().to_dict()}"
    )
    print(f"  emails: email-validator agrees with check_email's syntax verdict on "
          f"{(~differ).sum():,} of {len(lib):,} values{note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="websites (rows)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--loop-sample", type=int, default=100_000,
                        help="rows for the per-row library loop (extrapolated)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python-level allocations (slower)")
    args = parser.parse_args()

    filings, providers = load_world(args.n, args.seed)
    n = len(filings)
    print(f"registry: {n:,} filings, {len(providers):,} providers; peak RSS after loading "
          f"{_peak_rss_mb():,.0f} MB")

    from beian_audit.checks.filings import check_filings

    check_filings(filings.head(200), providers=providers)  # imports and caches
    cpu, wall, rows = instrument()
    gc.collect()
    if args.tracemalloc:
        tracemalloc.start()
    c, w = time.process_time(), time.perf_counter()
    report = check_filings(filings, providers=providers, workers=1)  # per-step CPU adds up
    total_cpu, total_wall = time.process_time() - c, time.perf_counter() - w
    traced = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    if args.tracemalloc:
        tracemalloc.stop()

    print(f"\ncheck_filings on {n:,} filings: {total_cpu:.1f} s CPU ({total_wall:.1f} s wall), "
          f"{n / total_cpu:,.0f} records/s; {len(report.checks_run)} checks, "
          f"{len(report.failures):,} failures")
    print(f"  {'step':<20}{'rows':>12}{'CPU s':>9}{'wall s':>9}{'records/s':>14}{'share':>8}")
    for name in sorted(cpu, key=cpu.__getitem__, reverse=True):
        print(f"  {name:<20}{rows[name]:>12,}{cpu[name]:>9.2f}{wall[name]:>9.2f}"
              f"{rows[name] / max(cpu[name], 1e-9):>14,.0f}{cpu[name] / total_cpu:>8.1%}")
    other = total_cpu - sum(cpu.values())
    print(f"  {'(rules, assembly)':<20}{n:>12,}{other:>9.2f}{'':>9}{n / max(other, 1e-9):>14,.0f}"
          f"{other / total_cpu:>8.1%}")
    print(f"peak RSS after check_filings: {_peak_rss_mb():,.0f} MB")
    if traced is not None:
        print(f"peak traced Python allocations during check_filings: {traced / 2**20:,.0f} MB")
    print("verdicts:", report.verdict.mean().round(4).to_dict())

    # the default: independent checks side by side on the cores (threads)
    gc.collect()
    c, w = time.process_time(), time.perf_counter()
    threaded = check_filings(filings, providers=providers)
    t_cpu, t_wall = time.process_time() - c, time.perf_counter() - w
    same = threaded.flags.equals(report.flags) and threaded.failures.equals(report.failures)
    print(f"\ncheck_filings with the default workers (threads): {t_wall:.1f} s wall "
          f"({t_cpu:.1f} s CPU), {n / t_wall:,.0f} records/s; {t_wall / total_wall:.0%} of the "
          f"one-thread wall time; report identical to one thread: {same}")
    print(f"peak RSS after both runs: {_peak_rss_mb():,.0f} MB")
    del threaded

    del report
    gc.collect()
    compare_with_library_loop(filings, args.loop_sample, args.seed)


if __name__ == "__main__":
    main()
