"""Rogan–Gladen correction for verifier error: bias and coverage by simulation.

Each replicate: ``n`` filings, each truly correct with probability ``π``; the
routine verifiers call a correct filing correct with probability ``Se`` and an
incorrect one incorrect with probability ``Sp``. Two settings:

* ``known``: ``Se`` and ``Sp`` are given to :func:`corrected_accuracy` (the
  correction alone);
* ``validated``: ``Se`` and ``Sp`` are estimated from an independent
  validation subsample of ``⌈fraction × n⌉`` filings with a reference
  verification (both intervals, ``"delta"`` and ``"adjusted"``).

Reported per cell: the mean of the estimate minus ``π`` (bias), two-sided 95 %
coverage, and its Monte Carlo standard error ``√(c(1 − c)/reps)``.
``tests/test_estimation_misclassification.py`` runs a reduced grid.

Usage::

    python benchmarks/coverage_misclassification.py            # full grid, 2000 reps
    python benchmarks/coverage_misclassification.py --quick    # 300 reps, 3 cells
    python benchmarks/coverage_misclassification.py --markdown verifier.md

All randomness comes from ``--seed`` (default 2013).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

from beian_audit.errors import EstimationError
from beian_audit.estimation.misclassification import corrected_accuracy

# (pi, Se, Sp, n, validation fraction)
GRID: list[tuple[float, float, float, int, float]] = [
    (0.75, 0.95, 0.90, 600, 0.10),
    (0.75, 0.99, 0.99, 300, 0.10),
    (0.75, 0.95, 0.90, 600, 0.25),
    (0.60, 0.90, 0.90, 300, 0.05),
    (0.60, 0.95, 0.85, 600, 0.10),
    (0.90, 0.95, 0.80, 600, 0.10),
    (0.90, 0.99, 0.99, 600, 0.05),
    (0.95, 0.99, 0.95, 600, 0.10),
    (0.50, 0.90, 0.95, 1000, 0.10),
]
QUICK = [GRID[0], GRID[6], GRID[7]]


def one_cell(
    pi: float, se: float, sp: float, n: int, fraction: float, reps: int,
    rng: np.random.Generator,
) -> list[dict[str, object]]:
    """Bias and coverage of the known-rate and validated corrections in one cell."""
    k = math.ceil(fraction * n)
    hits = {"known": 0, "delta": 0, "adjusted": 0}
    sums = {"known": 0.0, "delta": 0.0, "adjusted": 0.0}
    used = {"known": 0, "delta": 0, "adjusted": 0}
    for _ in range(reps):
        truth = rng.random(n) < pi
        called = np.where(truth, rng.random(n) < se, rng.random(n) >= sp)
        apparent = float(called.mean())
        ref = rng.random(k) < pi
        ver = np.where(ref, rng.random(k) < se, rng.random(k) >= sp)
        runs: dict[str, dict[str, object]] = {
            "known": {"sensitivity": se, "specificity": sp},
            "delta": {"reference": ref, "verified": ver, "method": "delta"},
            "adjusted": {"reference": ref, "verified": ver, "method": "adjusted"},
        }
        for name, kwargs in runs.items():
            try:
                r = corrected_accuracy(apparent, n=n, **kwargs)  # type: ignore[arg-type]
            except EstimationError:  # no reference-incorrect unit, or Se + Sp <= 1
                continue
            used[name] += 1
            sums[name] += r.estimate
            hits[name] += r.ci_low <= pi <= r.ci_high
    rows = []
    for name in hits:
        m = max(used[name], 1)
        c = hits[name] / m
        rows.append({
            "pi": pi, "Se": se, "Sp": sp, "n": n, "validation": k, "setting": name,
            "bias": sums[name] / m - pi, "coverage": c,
            "mc_se": math.sqrt(c * (1 - c) / m), "reps": used[name],
        })
    return rows


def table(cells: list[tuple[float, float, float, int, float]], reps: int,
          seed: int) -> pd.DataFrame:
    """All cells, one generator seeded once."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for cell in cells:
        rows.extend(one_cell(*cell, reps=reps, rng=rng))
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown", default=None)
    args = parser.parse_args()
    reps = 300 if args.quick else args.reps
    start = time.perf_counter()
    out = table(QUICK if args.quick else GRID, reps, args.seed)
    wide = out.pivot_table(index=["pi", "Se", "Sp", "n", "validation"], columns="setting",
                           values=["coverage", "bias"]).round(4)
    print(wide.to_string())
    print(f"{reps} replicates per cell, seed {args.seed}, "
          f"{time.perf_counter() - start:.1f} s")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(out.round(4).to_markdown(index=False))


if __name__ == "__main__":
    main()
