"""Sequential verdicts by simulation: wrong-verdict rates and the share of the fixed sample used.

For each design (target, fixed-design n, number and timing of the looks, spending
function, one stratum or three), finite populations with a known number of correct
filings are sampled without replacement and verified batch by batch in PRN order;
the running verdict of :func:`beian_audit.estimation.sequential_assessment` is taken
after each batch, until the first "stop".

The replicates are vectorised: the counts of correct rows at the looks are drawn as a
chain of hypergeometric increments (nested simple random samples without replacement),
and the verdicts are computed for all replicates at once with the module's own
statistic and thresholds (``_thresholds``). ``--validate`` first checks, replicate by
replicate, that these vectorised verdicts are the public function's.

Printed per row: the wrong-verdict rates at the null boundary, with the Monte Carlo
standard error sqrt(a(1-a)/R):

* wrong "met": ceil(target * N) - 1 correct filings in the population (the largest
  count below the target);
* wrong "not met": ceil(target * N) correct filings (the smallest count at the target);

and the average share of the fixed-design sample used, with the probability of the
right verdict, when the truth is target - 0.15, - 0.05, + 0.05, + 0.15 (capped at 0.99).
Three strata: 10 000 / 6 000 / 4 000 filings with rates target + 0.03, target and
target - 0.075 (the count subtracted for the wrong-"met" null comes off the largest).

Usage::

    python benchmarks/coverage_sequential.py                 # full grid, 4000 replicates
    python benchmarks/coverage_sequential.py --validate 300  # check against the public API
    python benchmarks/coverage_sequential.py --reps 1000 --quick
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

from beian_audit.estimation import sequential_assessment
from beian_audit.estimation.sequential import (
    _INFO_CAP,
    _plan,
    _thresholds,
    spending_boundaries,
)

TARGETS = (0.75, 0.9)
NS = (100, 437)  # 437 = sample_size_power(0.75, 0.80): 80 % power at 0.80
LOOKS: list[object] = [2, 3, 5, 8, [0.1, 0.2, 0.6, 1.0], [0.5, 0.75, 1.0], [0.3, 1.0]]
QUICK_LOOKS: list[object] = [2, 5, [0.1, 0.2, 0.6, 1.0]]
SPENDINGS = ("obrien-fleming", "pocock")
ONE = (("all", 20_000, 0.0),)
THREE = (("a", 10_000, 0.03), ("b", 6_000, 0.0), ("c", 4_000, -0.075))


def template(n: int, groups: tuple[tuple[str, int, float], ...]) -> pd.DataFrame:
    """The drawn sample without outcomes: n rows allocated proportionally to N_h."""
    total = sum(g[1] for g in groups)
    parts = []
    for label, big_n, _ in groups:
        n_h = round(n * big_n / total)
        parts.append(pd.DataFrame({"stratum": label, "prn": (np.arange(n_h) + 0.5) / n_h,
                                   "population_size": big_n}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def populations(p: float, groups: tuple[tuple[str, int, float], ...]) -> np.ndarray:
    """Correct filings per stratum: round((p + offset) N_h), rates capped to [0, 1]."""
    rates = [min(max(p + off, 0.0), 1.0) for _, _, off in groups]
    return np.array([round(r * g[1]) for r, g in zip(rates, groups, strict=True)], dtype=np.int64)


def paths(frame: pd.DataFrame, looks: object, ones: np.ndarray, reps: int,
          rng: np.random.Generator) -> tuple[object, np.ndarray]:  # fmt: skip
    """Correct rows among the first n_hk of each stratum, shape (reps, K, H)."""
    plan = _plan(frame, "stratum", "population_size", "prn", looks)
    big_n = plan.big_n.astype(np.int64)
    k_max, h_count = plan.cumulative.shape
    x = np.zeros((reps, k_max, h_count), dtype=np.int64)
    prev_x = np.zeros((reps, h_count), dtype=np.int64)
    prev_n = np.zeros(h_count, dtype=np.int64)
    for k in range(k_max):
        d = plan.cumulative[k] - prev_n
        good = ones[None, :] - prev_x
        bad = (big_n - prev_n)[None, :] - good
        inc = rng.hypergeometric(good, bad, np.broadcast_to(d, good.shape))
        prev_x = prev_x + inc
        x[:, k] = prev_x
        prev_n = plan.cumulative[k].copy()
    return plan, x


def verdicts(plan: object, x: np.ndarray, target: float, alpha: float = 0.05,
             spending: str = "obrien-fleming") -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """First verdict of each replicate (+1 met, -1 not met, 0 inconclusive) and its look."""
    cum = plan.cumulative.astype(float)  # type: ignore[attr-defined]
    weight = plan.weight  # type: ignore[attr-defined]
    factor = plan.variance_factor(cum)  # type: ignore[attr-defined]
    third = plan.third_factor(cum)  # type: ignore[attr-defined]
    totals = cum.sum(axis=1)
    design_var = np.sum(weight**2 * factor, axis=1)
    with np.errstate(divide="ignore"):
        info = np.where(design_var > 0, 1.0 / design_var, np.inf)
    info = np.where(np.isfinite(info), info, info[0] * _INFO_CAP)
    c = spending_boundaries(totals / totals[-1], alpha=alpha, spending=spending,  # type: ignore[arg-type]
                            sides=1, information=info)  # fmt: skip
    p_h = x / cum[None]
    est = np.sum(weight * p_h, axis=-1)
    tilde = np.clip(p_h + (target - est)[..., None], 0.0, 1.0)
    var = np.sum(weight**2 * tilde * (1 - tilde) * factor, axis=-1)
    exact = np.all(factor == 0.0, axis=-1)[None, :]
    fallback = (var <= 0) & ~exact
    tilde = np.where(fallback[..., None], target, tilde)
    var = np.where(fallback, np.sum(weight**2 * target * (1 - target) * factor, axis=-1), var)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (est - target) / np.sqrt(var)
        low, high = _thresholds(weight, factor, third, cum, tilde, var, c)
    met = np.where(exact, est >= target, z >= high)
    not_met = np.where(exact, est < target, z <= low)
    out = np.where(met, 1, np.where(not_met, -1, 0))
    stopped = out != 0
    first = np.where(stopped.any(axis=1), np.argmax(stopped, axis=1), out.shape[1] - 1)
    return out[np.arange(out.shape[0]), first], first


def outcomes(plan: object, x: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """One 0/1 outcome vector (frame order) with the path's counts at every look."""
    y = np.zeros(len(frame))
    codes, rank = plan.codes, plan.rank  # type: ignore[attr-defined]
    for h in range(x.shape[1]):
        seq = np.zeros(int(plan.size[h]))  # type: ignore[attr-defined]
        lo_n, lo_x = 0, 0
        for k in range(x.shape[0]):
            hi_n = int(plan.cumulative[k, h])  # type: ignore[attr-defined]
            seq[lo_n: lo_n + int(x[k, h]) - lo_x] = 1.0
            lo_n, lo_x = hi_n, int(x[k, h])
        rows = codes == h
        y[rows] = seq[rank[rows]]
    return y


def validate(reps: int) -> None:
    """Vectorised verdicts equal the public function's, replicate by replicate."""
    rng = np.random.default_rng(2024)
    checked = 0
    for groups, looks, spending, target, n, p in [
        (ONE, 5, "obrien-fleming", 0.75, 437, 0.75),
        (THREE, [0.1, 0.2, 0.6, 1.0], "pocock", 0.75, 100, 0.72),
        (THREE, 3, "obrien-fleming", 0.9, 437, 0.9),
    ]:
        frame = template(n, groups)
        plan, x = paths(frame, looks, populations(p, groups), reps, rng)
        dec, first = verdicts(plan, x, target, spending=spending)
        for r in range(reps):
            v = sequential_assessment(frame.assign(correct=outcomes(plan, x[r], frame)),
                                      "correct", target, looks=looks, spending=spending)  # type: ignore[arg-type]
            want = {"stop: met": 1, "stop: not met": -1}.get(v.decision, 0)
            assert want == dec[r] and v.decided_at_look in (first[r] + 1, 0), (r, v, dec[r])
            checked += 1
    print(f"validation: {checked} replicates, vectorised verdicts == sequential_assessment")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=4000)
    parser.add_argument("--quick", action="store_true", help="fewer look designs")
    parser.add_argument("--validate", type=int, default=0, metavar="R",
                        help="first check R replicates per case against the public function")
    args = parser.parse_args()
    if args.validate:
        validate(args.validate)
    reps = args.reps
    print(f"alpha = 0.05 per wrong verdict, {reps} replicates per cell; simulation SE of an "
          f"error rate of 0.05: {math.sqrt(0.05 * 0.95 / reps):.4f}")  # fmt: skip
    print(f"{'target':>6} {'n':>4} {'H':>2} {'spending':>14} {'looks':>18} {'err_met':>8} "
          f"{'err_not':>8} " + " ".join(f"{'share@' + s:>9} {'right':>6}"
                                      for s in ("-.15", "-.05", "+.05", "+.15")))  # fmt: skip
    rng = np.random.default_rng(20240515)
    worst = [0.0, 0.0]
    start = time.perf_counter()
    for target in TARGETS:
        truths = [target - 0.15, target - 0.05, min(target + 0.05, 0.99),
                  min(target + 0.15, 0.99)]  # fmt: skip
        for n in NS:
            for groups in (ONE, THREE):
                frame = template(n, groups)
                for looks in QUICK_LOOKS if args.quick else LOOKS:
                    for spending in SPENDINGS:
                        at = populations(target, groups)
                        big = sum(g[1] for g in groups)
                        # exactly ceil(target N) correct filings, and one fewer
                        at[0] += math.ceil(target * big - 1e-9) - int(at.sum())
                        plan, x = paths(frame, looks, at, reps, rng)
                        dec, _ = verdicts(plan, x, target, spending=spending)
                        e_not = float(np.mean(dec == -1))
                        below = at.copy()
                        below[0] -= 1  # the largest stratum comes first
                        plan, x = paths(frame, looks, below, reps, rng)
                        e_met = float(np.mean(verdicts(plan, x, target, spending=spending)[0] == 1))
                        worst = [max(worst[0], e_met), max(worst[1], e_not)]
                        cells = []
                        for t in truths:
                            plan, x = paths(frame, looks, populations(t, groups), reps, rng)
                            dec, first = verdicts(plan, x, target, spending=spending)
                            tot = plan.cumulative.sum(axis=1)  # type: ignore[attr-defined]
                            share = float(np.mean(tot[first] / tot[-1]))
                            right = float(np.mean(dec == (1 if t > target else -1)))
                            cells.append(f"{share:>9.3f} {right:>6.3f}")
                        print(f"{target:>6} {n:>4} {len(groups):>2} {spending:>14} "
                              f"{looks!s:>18} {e_met:>8.4f} {e_not:>8.4f} " + " ".join(cells),
                              flush=True)  # fmt: skip
    se = math.sqrt(0.05 * 0.95 / reps)
    print(f"largest wrong 'met' {worst[0]:.4f}, largest wrong 'not met' {worst[1]:.4f} "
          f"(alpha 0.05, SE {se:.4f}); {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    main()
