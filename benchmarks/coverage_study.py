"""Coverage study of the interval methods (tables of docs/methodology.md).

Part 1, exact: coverage of the simple-random-sample intervals by binomial
enumeration, reproducing Brown, Cai & DasGupta (2001, sect. 2.1: the Wald
interval at p = 0.005 has coverage 0.792 at n = 592; enumeration also gives
0.945 at n = 591), then at the audit's rates 0.995 and 0.75.

Part 2, simulated: repeated stratified samples (strata = access providers) from
synthetic registries whose true sponsor-information accuracy is near 0.995 and
near 0.75 (``beian_audit.synthetic.generate_registry`` with ``sponsor_accuracy``
set), three allocations (the Tianjin provincial rule, proportional with at
least 2 per provider, and equal allocation of up to 10 per provider, whose
weights are very unequal: Kish deff about 7), every design-based method. The
equal allocation with rare failures is where the non-default methods fail
(and, at 0.995, the default too: see docs/methodology.md, section 6);
``benchmarks/coverage_boundary.py`` covers the boundary rule.

Part 3, with ``--all``: the full grids of the companion studies, each a
script of its own (run one by one, in this process's interpreter):
``coverage_boundary.py`` (the boundary rule with unequal weights),
``coverage_multistage.py`` (two-stage and provider-clustered samples),
``coverage_providers.py`` (per-provider empirical-Bayes intervals) and
``coverage_filing.py`` (the filing rate's unfiled count). The test suite runs
a reduced grid of each.

Usage::

    python benchmarks/coverage_study.py              # full grid (a few minutes)
    python benchmarks/coverage_study.py --quick      # small grid, seconds
    python benchmarks/coverage_study.py --all        # and every companion study
    python benchmarks/coverage_study.py --markdown coverage.md

All randomness comes from ``--seed`` (default 2013).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from beian_audit.estimation import DESIGN_METHODS, SRS_METHODS
from beian_audit.estimation.coverage import exact_coverage, simulate_coverage
from beian_audit.sampling.allocation import kish_deff

COMPANIONS = (
    "coverage_boundary.py",
    "coverage_multistage.py",
    "coverage_providers.py",
    "coverage_filing.py",
)

BCD_POINTS = [(591, 0.005), (592, 0.005), (953, 0.005), (954, 0.005)]


def bcd_table() -> pd.DataFrame:
    """Wald coverage at the n of Brown, Cai & DasGupta (2001) Example 2, plus others."""
    rows = []
    for n, p in BCD_POINTS:
        row = {"n": n, "p": p}
        for m in SRS_METHODS:
            row[m] = float(exact_coverage(m, n, p)[0])
        rows.append(row)
    return pd.DataFrame(rows)


def srs_table(ns: list[int], rates: list[float]) -> pd.DataFrame:
    """Two-sided and one-sided (lower bound) 95 % coverage at each (n, p).

    ``min_near`` is the minimum two-sided coverage over p in rate +- 0.004 (a
    grid of 81 points), which shows the oscillation BCD describe.
    """
    rows = []
    for rate in rates:
        near = np.clip(np.linspace(rate - 0.004, rate + 0.004, 81), 1e-6, 1 - 1e-6)
        for n in ns:
            for m in SRS_METHODS:
                rows.append(
                    {
                        "p": rate,
                        "n": n,
                        "method": m,
                        "two_sided": float(exact_coverage(m, n, rate)[0]),
                        "lower_bound": float(
                            exact_coverage(m, n, rate, alternative="greater")[0]
                        ),
                        "min_near": float(exact_coverage(m, n, near).min()),
                    }
                )
    return pd.DataFrame(rows)


def tianjin_sizes(big_n: pd.Series) -> pd.Series:
    """Tianjin rule: 1 -> 1, 2-49 -> 2, 50-100 -> 3, above 100 -> 3 % (rounded up)."""
    n = np.where(big_n == 1, 1, np.where(big_n < 50, 2, np.where(big_n <= 100, 3, 0)))
    n = np.where(big_n > 100, np.ceil(0.03 * big_n), n)
    return pd.Series(n.astype(int), index=big_n.index)


def proportional_sizes(big_n: pd.Series, total: int, minimum: int = 2) -> pd.Series:
    n = np.maximum(minimum, np.round(big_n / big_n.sum() * total))
    return pd.Series(np.minimum(n, big_n).astype(int), index=big_n.index)


def design_table(
    rates: list[float], reps: int, seed: int, n_websites: int, n_providers: int,
    methods: tuple[str, ...] = DESIGN_METHODS,
) -> pd.DataFrame:
    from beian_audit.synthetic import generate_registry

    rng = np.random.default_rng(seed)
    out = []
    for rate in rates:
        registry = generate_registry(
            n_websites, seed=int(rng.integers(2**31)), sponsor_accuracy=rate,
            n_providers=n_providers,
        )
        pop = pd.DataFrame(
            {
                "provider": registry["provider_id"].astype(str),
                "ok": registry["truth_sponsor_ok"].astype(bool).astype(int),
            }
        )
        big_n = pop.groupby("provider").size()
        for design, sizes in (
            ("tianjin", tianjin_sizes(big_n)),
            ("proportional-600", proportional_sizes(big_n, 600)),
            ("equal-10", pd.Series(np.minimum(big_n.to_numpy(), 10), index=big_n.index)),
        ):
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = simulate_coverage(
                    pop, "ok", strata="provider", sizes=sizes, reps=reps,
                    rng=int(rng.integers(2**31)), methods=methods,
                )
            res.insert(0, "design", design)
            res.insert(0, "rate", rate)
            res["deff_kish"] = kish_deff(big_n.to_numpy(), sizes.to_numpy())
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
            if c in ("n", "reps"):
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
    parser.add_argument("--reps", type=int, default=None, help="replicates per cell")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--markdown", default=None, help="also write the tables here")
    parser.add_argument("--all", action="store_true",
                        help="then run every companion coverage study (full grids)")
    args = parser.parse_args(argv)
    reps = args.reps or (200 if args.quick else 2000)
    ns = [100, 600] if args.quick else [50, 100, 300, 600, 1000, 2000]
    n_websites = 20_000 if args.quick else 35_000

    parts = []
    bcd = bcd_table()
    parts.append("### Exact coverage at the n of Brown, Cai & DasGupta (2001), p = 0.005\n\n"
                 + _markdown(bcd, 4))
    srs = srs_table(ns, [0.995, 0.75])
    wide = srs.pivot_table(index=["p", "n"], columns="method", values="two_sided").reset_index()
    parts.append("### Exact two-sided 95 % coverage, simple random sample\n\n" + _markdown(wide))
    wide = srs.pivot_table(index=["p", "n"], columns="method", values="lower_bound").reset_index()
    parts.append("### Exact coverage of the one-sided 95 % lower bound\n\n" + _markdown(wide))
    wide = srs.pivot_table(index=["p", "n"], columns="method", values="min_near").reset_index()
    parts.append("### Minimum two-sided coverage over p within 0.004 of the rate\n\n"
                 + _markdown(wide))

    t0 = time.perf_counter()
    sim = design_table([0.995, 0.75], reps, args.seed, n_websites, 150)
    elapsed = time.perf_counter() - t0
    cols = ["rate", "design", "deff_kish", "method", "truth", "n", "coverage",
            "coverage_lower", "mean_width", "degenerate", "r_beta_undefined"]
    parts.append(
        f"### Simulated 95 % coverage, stratified by provider ({reps} samples per row, "
        f"synthetic registry of {n_websites:,} websites, 150 providers, seed {args.seed})\n\n"
        + _markdown(sim[cols])
    )
    text = "\n\n".join(parts)
    print(text)
    print(f"\n(simulation: {elapsed:.1f} s)")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    if args.all:
        here = Path(__file__).resolve().parent
        for script in COMPANIONS:
            options = ["--quick"] if args.quick else []
            print(f"\n== {script} {' '.join(options)}", flush=True)
            subprocess.run([sys.executable, str(here / script), *options], check=True)


if __name__ == "__main__":
    main()
