"""Coverage at the boundary (every checked unit passes) with unequal weights.

The scenario of issue #11.2: ten providers of very unequal size (60,000 down
to 300 websites), equal allocation per provider (so weights differ by a factor
of 200), a true rate near 99.5 %. When the failures sit in the largest
provider, a sizeable share of samples holds no failure at all; the interval is
then computed by the boundary rule. With the old rule (effective size ``n``)
``assess_target(e, 0.995)`` said "met" in those samples although the truth is
below 0.995 (one-sided coverage about 0.76 at a true rate of 0.9932 and 140 per
provider); with the boundary rule (``n / deff_Kish``) the coverage of the
one-sided 95 % lower bound is at or above nominal.

Grid: true rate x allocation per provider x where the failures are
("largest": all in the largest provider; "spread": the same rate in every
provider), every design-based method. ``tests/test_estimation_boundary.py``
runs one cell with 400 samples.

Usage::

    python benchmarks/coverage_boundary.py            # full grid, 2000 samples per cell
    python benchmarks/coverage_boundary.py --quick    # 300 samples, two cells
    python benchmarks/coverage_boundary.py --markdown boundary.md

All randomness comes from ``--seed`` (default 2013).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from beian_audit.estimation import DESIGN_METHODS
from beian_audit.estimation.coverage import simulate_coverage
from beian_audit.sampling.allocation import kish_deff

SIZES = np.array([60000, 9000, 6000, 4000, 3000, 2000, 1500, 1000, 500, 300])


def population(rate: float, where: str) -> pd.DataFrame:
    """Ten providers; ``round(N (1 - rate))`` failures in the largest one or spread."""
    failures = round(SIZES.sum() * (1 - rate))
    if where == "largest":
        per = np.zeros(SIZES.size, dtype=int)
        per[0] = failures
    else:
        per = np.round(SIZES * (1 - rate)).astype(int)
    y = np.concatenate([np.r_[np.zeros(f), np.ones(s - f)] for s, f in zip(SIZES, per,
                                                                            strict=True)])
    return pd.DataFrame({
        "provider": np.repeat([f"P{i:02d}" for i in range(SIZES.size)], SIZES),
        "ok": y.astype(int),
    })


def boundary_table(
    rates: list[float], allocations: list[int], wheres: list[str], reps: int, seed: int,
    methods: tuple[str, ...] = DESIGN_METHODS,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = []
    for where in wheres:
        for rate in rates:
            pop = population(rate, where)
            for per in allocations:
                sizes = {f"P{i:02d}": per for i in range(SIZES.size)}
                t0 = time.perf_counter()
                res = simulate_coverage(pop, "ok", strata="provider", sizes=sizes, reps=reps,
                                        rng=int(rng.integers(2**31)), methods=methods)
                res.insert(0, "per_provider", per)
                res.insert(0, "failures_in", where)
                res.insert(0, "rate", rate)
                res["deff_kish"] = kish_deff(SIZES, np.full(SIZES.size, per))
                res["all_pass"] = res["r_beta_undefined"]
                res["seconds"] = time.perf_counter() - t0
                out.append(res)
    return pd.concat(out, ignore_index=True)


def _markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        cells = []
        for c in cols:
            v = row[c]
            if c in ("n", "reps", "per_provider"):
                cells.append(f"{int(v)}")
            elif isinstance(v, float | np.floating):
                cells.append(f"{v:.{digits}f}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grid")
    parser.add_argument("--reps", type=int, default=None, help="samples per cell")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--markdown", default=None, help="also write the table here")
    args = parser.parse_args(argv)
    reps = args.reps or (300 if args.quick else 2000)
    if args.quick:
        grid = ([0.9932], [140], ["largest"])
    else:
        grid = ([0.990, 0.9932, 0.995], [60, 140], ["largest", "spread"])
    t0 = time.perf_counter()
    table = boundary_table(*grid, reps=reps, seed=args.seed)
    cols = ["rate", "failures_in", "per_provider", "deff_kish", "method", "truth",
            "coverage", "coverage_lower", "all_pass", "mean_width"]
    text = (
        f"### One-sided coverage at the boundary, unequal weights ({reps} samples per row, "
        f"10 providers of {SIZES.max():,} to {SIZES.min():,} websites, seed {args.seed})\n\n"
        + _markdown(table[cols])
    )
    print(text)
    print(f"\n(simulation: {time.perf_counter() - t0:.1f} s)")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
