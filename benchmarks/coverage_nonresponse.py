"""Coverage under nonresponse (issue #15.1): MAR interval and Manski bounds.

A finite population of three strata (2,000 / 5,000 / 10,000 websites, true
accuracy 0.70 / 0.80 / 0.90, overall about 0.847), a stratified simple random
sample of ``n`` per stratum, and a nonresponse pattern:

``mcar``
    every sponsor answers with the same probability;
``mar``
    the answer probability depends on the stratum only (0.6 / 0.8 / 0.9
    scaled to the grid's response rate): missing at random within stratum;
``wrong_silent``
    adversarial: the sponsors of wrong filings answer far less often (the
    answer probability of a wrong filing is 0.4 times that of a correct one);
``right_silent``
    adversarial the other way: correct filings answer less often.

For each sample ``estimate_proportion(..., nonresponse="bounds")`` gives the
MAR estimate and interval (``scenarios["mar"]``) and the bounds interval
``[worst-case lower limit, best-case upper limit]`` (``ci``); the table reports
the share of samples whose interval covers the true population rate, its
Monte-Carlo standard error (``se_*`` = sqrt(c (1 - c) / reps) for the observed
coverage c; ``se_nominal`` the same at the nominal level), and the mean
widths. Expected: the MAR interval holds its level under ``mcar`` and ``mar``
and fails under the adversarial patterns; the bounds cover at or above the level
under every pattern.

Usage::

    python benchmarks/coverage_nonresponse.py            # full grid, 1000 samples per cell
    python benchmarks/coverage_nonresponse.py --reps 2000 --csv rows.csv
    python benchmarks/coverage_nonresponse.py --quick    # 150 samples, two cells
    python benchmarks/coverage_nonresponse.py --markdown nonresponse.md

One sample costs about 30 ms (three ``estimate_proportion`` fits), so the full
grid of 16 cells takes about 0.5 s per replicate: ``--reps 2000`` ran in 991 s
under ``nice`` on the shared 2-core machine (the table in ``docs/nonresponse.md``).
``--csv`` writes each cell's row as soon as it is done, so an interrupted run keeps
its finished cells.

All randomness comes from ``--seed`` (default 2015): the population comes from
the seed, and every cell has its own stream spawned from it
(``numpy.random.SeedSequence``), so a cell's figures do not depend on which
cells ran before it or on ``--quick``.
``tests/test_estimation_nonresponse.py`` runs a reduced grid.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from beian_audit.estimation import estimate_proportion

SIZES = {"a": 2000, "b": 5000, "c": 10000}
RATES = {"a": 0.70, "b": 0.80, "c": 0.90}
STRATUM_RESPONSE = {"a": 0.6, "b": 0.8, "c": 0.9}
PATTERNS = ("mcar", "mar", "wrong_silent", "right_silent")
FULL_GRID = [(p, r, n) for p in PATTERNS for r in (0.7, 0.9) for n in (30, 100)]
QUICK_GRID = [("mar", 0.8, 60), ("wrong_silent", 0.8, 60)]


def population(rng: np.random.Generator) -> pd.DataFrame:
    parts = [pd.DataFrame({"stratum": h, "population_size": n,
                           "y": (rng.random(n) < RATES[h]).astype(int)})
             for h, n in SIZES.items()]
    return pd.concat(parts, ignore_index=True)


def answer_probability(pattern: str, sample: pd.DataFrame, rate: float) -> np.ndarray:
    """Probability that each sampled sponsor answers, with mean response about ``rate``."""
    y = sample["y"].to_numpy()
    if pattern == "mcar":
        return np.full(len(sample), rate)
    if pattern == "mar":
        base = sample["stratum"].map(STRATUM_RESPONSE).to_numpy()
        return np.clip(base * rate / np.mean(list(STRATUM_RESPONSE.values())), 0.0, 1.0)
    low_for = 0 if pattern == "wrong_silent" else 1
    share_low = np.mean(y == low_for)
    high = min(rate / (1.0 - 0.6 * share_low), 1.0)  # low = 0.4 * high
    return np.where(y == low_for, 0.4 * high, high)


def cell(pattern: str, rate: float, n: int, reps: int, rng: np.random.Generator,
         pop: pd.DataFrame, level: float) -> dict[str, float | str | int]:
    truth = float(pop["y"].mean())
    hits = {"mar": 0, "bounds": 0, "worst": 0}
    width = {"mar": 0.0, "bounds": 0.0}
    achieved = 0.0
    for _ in range(reps):
        sample = pop.groupby("stratum", group_keys=False).sample(n=n, random_state=rng)
        y = sample["y"].to_numpy()
        responds = rng.random(len(sample)) < answer_probability(pattern, sample, rate)
        achieved += responds.mean()
        status = np.where(responds, np.where(y == 1, "correct", "incorrect"), "unreachable")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = estimate_proportion(sample.assign(status=status), "status",
                                      nonresponse="bounds", confidence_level=level)
        mar = est.scenarios["mar"].ci
        worst = est.scenarios["worst"].ci
        hits["mar"] += mar.low <= truth <= mar.high
        hits["bounds"] += est.ci.low <= truth <= est.ci.high
        hits["worst"] += worst.low <= truth <= worst.high
        width["mar"] += mar.high - mar.low
        width["bounds"] += est.ci.high - est.ci.low
    row: dict[str, float | str | int] = {
        "pattern": pattern, "response_rate": round(achieved / reps, 3), "n_per_stratum": n,
        "truth": round(truth, 4),
    }
    for key in ("mar", "bounds", "worst"):
        cov = hits[key] / reps
        row[f"coverage_{key}"] = round(cov, 3)
    for key in ("mar", "bounds"):
        cov = hits[key] / reps
        row[f"se_{key}"] = round(float(np.sqrt(cov * (1 - cov) / reps)), 4)
    row["se_nominal"] = round(float(np.sqrt(level * (1 - level) / reps)), 4)
    row["width_mar"] = round(width["mar"] / reps, 3)
    row["width_bounds"] = round(width["bounds"] / reps, 3)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--level", type=float, default=0.95)
    parser.add_argument("--markdown", default=None)
    parser.add_argument("--csv", default=None, help="write the finished rows after each cell")
    args = parser.parse_args()
    pop_seq, *cell_seqs = np.random.SeedSequence(args.seed).spawn(1 + len(FULL_GRID) + 2)
    pop = population(np.random.default_rng(pop_seq))
    reps = args.reps or (150 if args.quick else 1000)
    # Each cell keeps its stream whatever else runs: full grid first, then the quick cells.
    streams = dict(zip(FULL_GRID + QUICK_GRID, cell_seqs, strict=True))
    grid = QUICK_GRID if args.quick else FULL_GRID
    rows = []
    start = time.perf_counter()
    for pattern, rate, n in grid:
        rng = np.random.default_rng(streams[(pattern, rate, n)])
        t0 = time.perf_counter()
        rows.append(cell(pattern, rate, n, reps, rng, pop, args.level))
        print(rows[-1], f"{time.perf_counter() - t0:.0f} s", flush=True)
        if args.csv:
            pd.DataFrame(rows).to_csv(args.csv, index=False)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    print(f"{reps} samples per cell, seed {args.seed}, {time.perf_counter() - start:.0f} s")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table.to_markdown(index=False) + "\n")


if __name__ == "__main__":
    main()
