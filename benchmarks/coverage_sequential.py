"""Sequential verdicts by simulation: type-I error and the share of the fixed sample used.

For each design (number and timing of the looks, spending function or confidence
sequence, one stratum or three), finite populations with a known accuracy are
sampled without replacement, verified in PRN order batch by batch, and
:func:`beian_audit.estimation.sequential_assessment` is asked after each batch.

Printed per row: the wrong-verdict rate at the target boundary (wrong "met" at a true
rate just below 0.75, wrong "not met" at exactly 0.75), with its Monte Carlo standard
error sqrt(a(1-a)/R), and the average share of the fixed-design sample (n from
``sample_size_power(0.75, 0.80)``: 80 % power at 0.80) used when the truth is 0.60,
0.70, 0.80 and 0.90, with the probability of the right verdict.

Usage::

    python benchmarks/coverage_sequential.py            # full grid, 1000 replicates
    python benchmarks/coverage_sequential.py --reps 200 --quick
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

from beian_audit.estimation import sequential_assessment
from beian_audit.sampling.size import sample_size_power

TARGET = 0.75
TRUTHS = (0.60, 0.70, 0.80, 0.90)
LOOKS: list[object] = [2, 3, 5, 10, [0.1, 0.2, 0.6, 1.0], [0.5, 0.75, 1.0], [0.3, 1.0]]
QUICK_LOOKS: list[object] = [2, 5, [0.1, 0.2, 0.6, 1.0]]
# three strata: population shares and accuracy offsets that average to 0
STRATA = (("a", 10_000, 0.03), ("b", 6_000, 0.0), ("c", 4_000, -0.075))


def _sample(p: float, n: int, strata: bool, rng: np.random.Generator) -> pd.DataFrame:
    parts = []
    groups = STRATA if strata else (("all", 20_000, 0.0),)
    total = sum(g[1] for g in groups)
    for label, big_n, offset in groups:
        n_h = round(n * big_n / total)
        pop = np.zeros(big_n)
        pop[: round((p + offset) * big_n)] = 1.0
        parts.append(pd.DataFrame({
            "stratum": label, "prn": (np.arange(n_h) + 0.5) / n_h,
            "population_size": big_n, "correct": rng.permutation(pop)[:n_h],
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _run(
    p: float, n: int, strata: bool, reps: int, seed: int, **kw: object
) -> tuple[float, dict]:
    rng = np.random.default_rng(seed)
    shares, decisions = [], []
    for _ in range(reps):
        frame = _sample(p, n, strata, rng)
        v = sequential_assessment(frame, "correct", TARGET, **kw)  # type: ignore[arg-type]
        shares.append(v.n_at_look / v.n_max)
        decisions.append(v.decision)
    return float(np.mean(shares)), pd.Series(decisions).value_counts(normalize=True).to_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="fewer look designs")
    args = parser.parse_args()
    n = sample_size_power(TARGET, 0.80)
    reps = args.reps
    print(f"target {TARGET}, fixed-design n = {n} (sample_size_power(0.75, 0.80)), "
          f"alpha = 0.05 per wrong verdict, {reps} replicates; "
          f"simulation SE of an error rate near 0.05: "
          f"{math.sqrt(0.05 * 0.95 / reps):.4f}")  # fmt: skip
    designs: list[dict[str, object]] = []
    for looks in QUICK_LOOKS if args.quick else LOOKS:
        for spending in ("obrien-fleming", "pocock"):
            designs.append({"looks": looks, "method": "alpha-spending", "spending": spending})
    designs.append({"looks": 5, "method": "confidence-sequence"})
    cols = " ".join(f"{'share@' + str(t):>10} {'right@' + str(t):>9}" for t in TRUTHS)
    header = (f"{'strata':>6} {'method':>20} {'spending':>15} {'looks':>22} "
              f"{'err_met':>8} {'err_notmet':>10} " + cols)  # fmt: skip
    print(header)
    seed = 0
    for strata in (False, True):
        for d in designs:
            start = time.perf_counter()
            seed += 1
            _, d_low = _run(0.7499, n, strata, reps, seed * 10 + 1, **d)
            _, d_at = _run(0.75, n, strata, reps, seed * 10 + 2, **d)
            cells = []
            for i, t in enumerate(TRUTHS):
                share, dec = _run(t, n, strata, reps, seed * 10 + 3 + i, **d)
                right = dec.get("stop: met" if t > TARGET else "stop: not met", 0.0)
                cells.append(f"{share:>10.3f} {right:>9.3f}")
            e_met = d_low.get("stop: met", 0.0)
            e_not = d_at.get("stop: not met", 0.0)
            took = time.perf_counter() - start
            print(f"{3 if strata else 1:>6} {d['method']!s:>20} {d.get('spending', '')!s:>15} "
                  f"{d['looks']!s:>22} {e_met:>8.4f} {e_not:>10.4f} " + " ".join(cells)
                  + f"   ({took:.0f}s)", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
