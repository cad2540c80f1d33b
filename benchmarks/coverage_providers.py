"""Coverage of the per-provider empirical-Bayes intervals (table of docs/methodology.md §4b).

For every cell of a grid of provider counts K, filings checked per provider n and
shapes of the distribution of the providers' true rates, draws ``--reps``
replicates: K true rates, binomial outcomes of n filings each, then
``provider_estimates(counts, population_size=False)`` (superpopulation
estimand) with ``eb_interval="hierarchical"`` (the default) and ``"plug-in"``
(the maximum-likelihood prior treated as known, the old default). Reports the
coverage of the two-sided 95 % intervals (share of providers whose true rate is
inside ``eb_low``-``eb_high``, pooled over replicates), its Monte Carlo
standard error (between replicates), the share of replicates whose
maximum-likelihood fit sits at a bound, and the median interval width.

Shapes: ``tight`` Beta(70, 30); ``wide`` Beta(7, 3) (DOMAIN.md's provider
accuracy); ``bimodal`` half Beta(95, 5), half Beta(30, 70); ``degenerate``
every provider at 0.7; ``high`` every provider at 0.995; ``j-shaped``
Beta(19.9, 0.1) (mean 0.995, most providers all but perfect).

Usage::

    python benchmarks/coverage_providers.py              # full grid (K 10/30/100, n 3/10/50)
    python benchmarks/coverage_providers.py --quick      # small grid, under a minute
    python benchmarks/coverage_providers.py --reps 40 --markdown providers.md

All randomness comes from ``--seed`` (default 2013).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from beian_audit.errors import DegenerateIntervalWarning
from beian_audit.estimation.providers import provider_estimates

SHAPES: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "tight": lambda rng, k: rng.beta(70, 30, k),
    "wide": lambda rng, k: rng.beta(7, 3, k),
    "bimodal": lambda rng, k: np.where(rng.random(k) < 0.5, rng.beta(95, 5, k),
                                       rng.beta(30, 70, k)),
    "degenerate": lambda rng, k: np.full(k, 0.7),
    "high": lambda rng, k: np.full(k, 0.995),
    "j-shaped": lambda rng, k: rng.beta(19.9, 0.1, k),
}


def cell(shape: str, k: int, n: int, reps: int, seed: int) -> list[dict[str, object]]:
    """Coverage of both interval kinds in one cell (same replicates for both)."""
    rng = np.random.default_rng([seed, k, n, list(SHAPES).index(shape)])
    hits: dict[str, list[float]] = {"hierarchical": [], "plug-in": []}
    widths: dict[str, list[float]] = {"hierarchical": [], "plug-in": []}
    at_bound = 0
    for _ in range(reps):
        p = SHAPES[shape](rng, k)
        x = rng.binomial(n, p)
        counts = pd.DataFrame({"provider_id": [f"P{i:03d}" for i in range(k)], "n": n,
                               "successes": x})  # fmt: skip
        for kind in hits:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DegenerateIntervalWarning)
                est = provider_estimates(counts, population_size=False, n_sim=100, rng=0,
                                         eb_interval=kind)  # type: ignore[arg-type]  # fmt: skip
            rows = est.providers
            lo, hi = rows["eb_low"].to_numpy(), rows["eb_high"].to_numpy()
            hits[kind].append(float(np.mean((lo <= p) & (p <= hi))))
            widths[kind].append(float(np.median(hi - lo)))
            if kind == "plug-in":
                at_bound += bool(est.fit.at_bound)
    out = []
    for kind, h in hits.items():
        arr = np.array(h)
        out.append({"shape": shape, "providers": k, "n": n, "interval": kind,
                    "coverage": arr.mean(), "mc_se": arr.std(ddof=1) / np.sqrt(reps),
                    "fit_at_bound": at_bound / reps,
                    "median_width": float(np.median(widths[kind]))})  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small grid")
    parser.add_argument("--reps", type=int, default=None, help="replicates per cell")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--markdown", default=None, help="also write the table here")
    args = parser.parse_args(argv)
    if args.quick:
        shapes, ks, ns, reps = ["tight", "wide", "degenerate"], [10, 30], [3, 10], 10
    else:
        shapes, ks, ns, reps = list(SHAPES), [10, 30, 100], [3, 10, 50], 100
    reps = args.reps or reps
    start = time.perf_counter()
    rows = [r for s in shapes for k in ks for n in ns for r in cell(s, k, n, reps, args.seed)]
    table = pd.DataFrame(rows)
    wide = table.pivot_table(index=["shape", "providers", "n", "fit_at_bound"],
                             columns="interval", values=["coverage", "mc_se", "median_width"],
                             sort=False)  # fmt: skip
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    wide = wide.reset_index()
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(wide.round(3).to_string(index=False))
    print(f"\n{reps} replicates per cell, seed {args.seed}, "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(wide.round(3).to_markdown(index=False) + "\n")


if __name__ == "__main__":
    main()
