"""Benchmark timings of two git revisions side by side (issue #13: before/after a restructure).

Checks each revision out into a temporary ``git worktree`` and runs the timed calls
of the benchmark scripts against that revision's ``src`` (``PYTHONPATH``), each in a
subprocess of its own:

* ``bench_estimation.py``: ``estimate_proportion`` on a 1 M-row sample with 5,000
  strata, for the whole sample and by province (31 domains);
* ``bench_sampling.py``: ``plan_sample`` + ``draw_sample`` on the narrow 3.5 M-row
  frame, ~1,000 provider strata, and provider x province;
* ``bench_check_filings.py``: ``check_filings(..., workers=1)`` on the synthetic
  registry of 100,000 websites (generated once, cached in ``benchmarks/_data/``);
* ``bench_phone_email.py``: ``check_phone`` and ``check_email`` on 200,000 registry
  values each.

The inputs are built once, by this checkout's benchmark scripts with the ``after``
revision's package, and handed to both revisions unchanged. Every call is warmed up
once (imports, data tables), then timed ``--repeat`` times in each of ``--rounds``
subprocesses per revision, the revisions taking turns so that a busy spell on a
shared machine hits both; the table shows the minimum CPU time (``process_time``,
all threads of the process) and the minimum wall time of each, their ratio
after / before (above 1: slower), and whether both revisions gave the same result
(a digest of the estimates, the drawn keys, the verdicts).

Run::

    python benchmarks/compare_revisions.py [BEFORE [AFTER]] [--repeat 3] [--rounds 2]
        [--only estimation,sampling,check_filings,phone_email]

``BEFORE`` defaults to ``e22f206`` (the last commit before the issue-13 restructure),
``AFTER`` to ``HEAD``; ``.`` means this checkout's ``src`` as it is (uncommitted
changes included). ``HEAD HEAD`` compares a revision with itself: the spread of
its ratios is the machine's noise. A full run takes two to four minutes on two
cores.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
GROUPS = ("estimation", "sampling", "check_filings", "phone_email")
SIZES = {
    "estimation_rows": 1_000_000,
    "estimation_strata": 5_000,
    "sampling_rows": 3_500_000,
    "sampling_providers": 1_000,
    "filings": 100_000,
    "values": 200_000,
}


# --------------------------------------------------------------------------- parent
def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


@contextmanager
def checked_out(revisions: list[str]) -> Iterator[dict[str, Path]]:
    """A temporary worktree per revision (``.``: this checkout); removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="compare_revisions_"))
    trees: dict[str, Path] = {}
    try:
        for rev in revisions:
            if rev == ".":
                trees[rev] = ROOT
                continue
            path = tmp / _git("rev-parse", "--short", rev)
            if not path.exists():
                _git("worktree", "add", "--detach", str(path), rev)
            trees[rev] = path
        yield trees
    finally:
        for rev, path in trees.items():
            if rev != ".":
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(path)], check=False, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _run_child(tree: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree / "src"), str(BENCH_DIR)])}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], env=env,
                         check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", nargs="?", default="e22f206")
    parser.add_argument("after", nargs="?", default="HEAD")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per subprocess")
    parser.add_argument("--rounds", type=int, default=2, help="subprocesses per revision")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"comma-separated groups among {', '.join(GROUPS)}")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, Path(args.data), args.repeat)))
        return
    groups = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = sorted(set(groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {unknown}; choose among {list(GROUPS)}")

    with checked_out([args.before, args.after]) as trees, \
            tempfile.TemporaryDirectory(prefix="compare_data_") as data:
        names = {rev: (rev if rev == "." else _git("rev-parse", "--short", rev))
                 for rev in trees}
        print(f"before: {args.before} ({names[args.before]}), after: {args.after} "
              f"({names[args.after]}); min of {args.repeat} x {args.rounds} runs", flush=True)
        _run_child(trees[args.after], "--child", "prepare:" + ",".join(groups), "--data", data)
        # by side, not by revision: "HEAD HEAD" measures the noise floor
        results: list[dict[str, dict[str, Any]]] = [{}, {}]
        for group in groups:
            for _ in range(args.rounds):
                for side, rev in enumerate((args.before, args.after)):
                    got = _run_child(trees[rev], "--child", group, "--data", data,
                                     "--repeat", str(args.repeat))
                    for name, row in got.items():
                        old = results[side].setdefault(name, row)
                        old["cpu"] = min(old["cpu"], row["cpu"])
                        old["wall"] = min(old["wall"], row["wall"])
            print(f"  {group} done", file=sys.stderr, flush=True)
    print_table(*results)


def print_table(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> None:
    head = (f"{'benchmark':<44}{'before CPU':>11}{'after CPU':>11}{'ratio':>7}"
            f"{'before wall':>13}{'after wall':>12}{'ratio':>7}  same result")
    print("\n" + head + "\n" + "-" * len(head))
    for name, b in before.items():
        a = after[name]
        same = "yes" if a["digest"] == b["digest"] else "NO"
        print(f"{name:<44}{b['cpu']:>10.3f}s{a['cpu']:>10.3f}s{a['cpu'] / b['cpu']:>7.2f}"
              f"{b['wall']:>12.3f}s{a['wall']:>11.3f}s{a['wall'] / b['wall']:>7.2f}  {same}")
    print("ratio = after / before (above 1: slower); times are the minimum over all runs")


# --------------------------------------------------------------------------- child
def _digest(*parts: Any) -> str:
    import hashlib

    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode())
    return h.hexdigest()[:12]


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    import gc
    import time

    cpu, wall, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        gc.collect()
        c, w = time.process_time(), time.perf_counter()
        out = fn()
        cpu, wall = min(cpu, time.process_time() - c), min(wall, time.perf_counter() - w)
    return cpu, wall, out


def prepare(groups: list[str], data: Path) -> dict[str, Any]:
    """Build the inputs once (this checkout's benchmark scripts) for both revisions."""
    import numpy as np

    if "estimation" in groups:
        from bench_estimation import make_sample

        frame = make_sample(SIZES["estimation_rows"], SIZES["estimation_strata"], 2013)
        (data / "estimation.pkl").write_bytes(pickle.dumps(frame))
    if "sampling" in groups:
        from bench_sampling import build_frame

        frame = build_frame(SIZES["sampling_rows"], SIZES["sampling_providers"], 0)
        (data / "sampling.pkl").write_bytes(pickle.dumps(frame))
    if "check_filings" in groups:
        from bench_check_filings import load_world

        load_world(SIZES["filings"], 1)  # cached in benchmarks/_data/
    if "phone_email" in groups:
        from bench_phone_email import _email, _phone, registry_values

        rng = np.random.default_rng(0)
        values = {"phone": registry_values(SIZES["values"], _phone, rng),
                  "email": registry_values(SIZES["values"], _email, rng),
                  "warm": registry_values(1_000, _phone, np.random.default_rng(1))}
        (data / "phone_email.pkl").write_bytes(pickle.dumps(values))
    return {}


def child(group: str, data: Path, repeat: int) -> dict[str, Any]:
    """Time one group's calls against the package on ``PYTHONPATH``; JSON-able rows."""
    import warnings

    import beian_audit

    if not Path(beian_audit.__file__).resolve().is_relative_to(
            Path(os.environ["PYTHONPATH"].split(os.pathsep)[0]).resolve()):
        raise RuntimeError(f"beian_audit imported from {beian_audit.__file__}, not the revision")
    if group.startswith("prepare:"):
        return prepare(group.split(":", 1)[1].split(","), data)
    rows: dict[str, Any] = {}

    def record(name: str, fn: Callable[[], Any], digest: Callable[[Any], str]) -> None:
        cpu, wall, out = _best(fn, repeat)
        rows[name] = {"cpu": cpu, "wall": wall, "digest": digest(out)}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if group == "estimation":
            _time_estimation(data, record)
        elif group == "sampling":
            _time_sampling(data, record)
        elif group == "check_filings":
            _time_check_filings(record)
        elif group == "phone_email":
            _time_phone_email(data, record)
        else:
            raise ValueError(group)
    return rows


Record = Callable[[str, Callable[[], Any], Callable[[Any], str]], None]


def _time_estimation(data: Path, record: Record) -> None:
    from bench_estimation import run_ours

    frame = pickle.loads((data / "estimation.pkl").read_bytes())
    run_ours(frame.iloc[:1000])  # first call pays the scipy imports
    run_ours(frame.iloc[:1000], "province")
    rows, strata = SIZES["estimation_rows"], SIZES["estimation_strata"]
    record(f"estimate_proportion {rows / 1e6:g}M rows, {strata:,} strata",
           lambda: run_ours(frame),
           lambda e: _digest(e.estimate, e.se, e.ci.low, e.ci.high, e.deff))
    record("estimate_proportion, by province (31)",
           lambda: run_ours(frame, "province"),
           lambda e: _digest(e.by[["estimate", "se", "ci_low", "ci_high"]].to_numpy().tobytes()))


def _time_sampling(data: Path, record: Record) -> None:
    from beian_audit.sampling import draw_sample, plan_sample

    frame = pickle.loads((data / "sampling.pkl").read_bytes())

    def plan_draw(strata: Any) -> Any:
        plan = plan_sample(frame, strata=strata, allocation="tianjin")
        return draw_sample(frame, plan, seed=20130401)

    plan_draw("provider_id")  # imports and caches
    rows = SIZES["sampling_rows"] / 1e6
    for label, strata in (("provider", "provider_id"),
                          ("provider x province", ["provider_id", "sponsor_province"])):
        record(f"plan+draw {rows:g}M rows, {label}", lambda s=strata: plan_draw(s),
               lambda s: _digest(sorted(s.frame["website_id"].astype(str))))


def _time_check_filings(record: Record) -> None:
    from bench_check_filings import load_world

    from beian_audit.checks.filings import check_filings

    filings, providers = load_world(SIZES["filings"], 1)
    check_filings(filings.head(200), providers=providers)  # imports and caches
    record(f"check_filings {SIZES['filings']:,} filings, workers=1",
           lambda: check_filings(filings, providers=providers, workers=1),
           lambda r: _digest(r.verdict.mean().round(12).to_dict(), len(r.failures)))


def _time_phone_email(data: Path, record: Record) -> None:
    from beian_audit.checks.email import check_email
    from beian_audit.checks.phone import check_phone

    values = pickle.loads((data / "phone_email.pkl").read_bytes())
    check_phone(values["warm"])
    check_email(values["warm"])
    n = SIZES["values"]
    record(f"check_phone {n:,} values", lambda: check_phone(values["phone"]),
           lambda r: _digest(r[["valid", "reason"]].astype(str).to_numpy().tolist()))
    record(f"check_email {n:,} values", lambda: check_email(values["email"]),
           lambda r: _digest(r[["valid", "reason"]].astype(str).to_numpy().tolist()))


if __name__ == "__main__":
    main()
