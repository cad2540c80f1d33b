"""Benchmark: estimate_proportion on a 1 M-row sample with 5,000 strata, against svy and samplics.

Prints the wall time of each library on the same data (best of ``--repeat``
runs, as ``timeit`` advises on a shared machine; samplics once), the ratios,
and the largest differences between the estimates, standard errors and
Korn-Graubard intervals, so that "faster" always means "faster at the same
answer".

Peers (optional, not dependencies of beian_audit)::

    pip install svy samplics

* svy: ``svy.Sample(polars_frame, svy.Design(stratum=, wgt=, pop_size=))
  .estimation.prop(y, ci_method="korn-graubard", deff="wor")``;
* samplics: ``TaylorEstimator(PopParam.prop).estimate(y, samp_weight, stratum,
  fpc={h: 1 - n_h / N_h})`` (its fpc argument is the factor, not N_h).

Usage::

    python benchmarks/bench_estimation.py [--rows 1000000] [--strata 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.estimation import estimate_proportion


def make_sample(rows: int, strata: int, seed: int) -> pd.DataFrame:
    """Stratified sample: log-normal stratum sizes, sampling fractions 1-10 %."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 1.0, strata)
    n_h = np.maximum(2, np.floor(size / size.sum() * rows)).astype(int)
    n_h[: rows - n_h.sum()] += 1 if rows > n_h.sum() else 0
    while n_h.sum() > rows:  # trim to exactly `rows`
        n_h[np.argmax(n_h)] -= n_h.sum() - rows
    big_n = np.ceil(n_h * rng.uniform(10, 100, strata)).astype(int)
    p_h = rng.beta(30, 10, strata)
    h = np.repeat(np.arange(strata), n_h)
    return pd.DataFrame(
        {
            "stratum": pd.Series([f"P{i:05d}" for i in h], dtype="string"),
            "population_size": big_n[h],
            "weight": (big_n / n_h)[h],
            "province": rng.integers(0, 31, h.size),
            "ok": (rng.random(h.size) < p_h[h]).astype(np.int8),
        }
    )


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def run_ours(frame: pd.DataFrame, by: str | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimate_proportion(frame, "ok", by=by, method="korn-graubard")


def to_polars(frame: pd.DataFrame):
    """The same data as a polars frame (svy's input; conversion not timed)."""
    import polars as pl

    return pl.from_pandas(frame.assign(stratum=frame["stratum"].astype(str)))


def run_svy(data: Any, by: str | None = None):
    import svy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sample = svy.Sample(data, svy.Design(stratum="stratum", wgt="weight",
                                             pop_size="population_size"))
        est = sample.estimation.prop("ok", by=by, ci_method="korn-graubard", deff="wor")
    return est.to_polars().to_pandas()


def run_samplics(frame: pd.DataFrame):
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    sizes = frame.groupby("stratum", observed=True).agg(
        n=("ok", "size"), N=("population_size", "first"))
    fpc = dict(zip(sizes.index.astype(str), 1.0 - sizes["n"] / sizes["N"], strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = TaylorEstimator(PopParam.prop)
        est.estimate(y=frame["ok"].to_numpy(), samp_weight=frame["weight"].to_numpy(),
                     stratum=frame["stratum"].astype(str).to_numpy(), fpc=fpc)
    return est


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--strata", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--skip-samplics", action="store_true")
    args = parser.parse_args(argv)

    frame = make_sample(args.rows, args.strata, args.seed)
    print(f"sample: {len(frame):,} rows, {frame['stratum'].nunique():,} strata, "
          f"overall rate {frame['ok'].mean():.4f}")

    run_ours(frame.iloc[:1000])  # first call pays the scipy imports
    t_ours, ours = timed(lambda: run_ours(frame), args.repeat)
    print(f"\nbeian_audit estimate_proportion: {t_ours:8.3f} s  "
          f"estimate {ours.estimate:.10f} se {ours.se:.10f} "
          f"KG [{ours.ci.low:.10f}, {ours.ci.high:.10f}] deff {ours.deff:.6f}")

    try:
        data = to_polars(frame)
        run_svy(data)  # first call pays svy's import and JIT-like warm-up
        t_svy, svy_out = timed(lambda: run_svy(data), args.repeat)
    except ImportError as exc:
        print(f"svy: not installed ({exc})")
    else:
        row = svy_out[svy_out["ok"] == 1].iloc[0]
        print(f"svy .estimation.prop:             {t_svy:8.3f} s  "
              f"estimate {row['est']:.10f} se {row['se']:.10f} "
              f"KG [{row['lci']:.10f}, {row['uci']:.10f}] deff {row['deff']:.6f}")
        diffs = {
            "estimate": abs(row["est"] - ours.estimate),
            "se": abs(row["se"] - ours.se),
            "ci_low": abs(row["lci"] - ours.ci.low),
            "ci_high": abs(row["uci"] - ours.ci.high),
            "deff": abs(row["deff"] - ours.deff),
        }
        print("  largest |difference| vs svy: "
              + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
        print(f"  ratio: beian_audit is {t_svy / t_ours:.1f}x faster than svy")

        t_ours_by, ours_by = timed(lambda: run_ours(frame, "province"), args.repeat)
        t_svy_by, svy_by = timed(lambda: run_svy(data, "province"), args.repeat)
        merged = ours_by.by.merge(svy_by[svy_by["ok"] == 1], on="province",
                                  suffixes=("", "_svy"))
        worst = max((merged["estimate"] - merged["est"]).abs().max(),
                    (merged["se"] - merged["se_svy"]).abs().max(),
                    (merged["ci_low"] - merged["lci"]).abs().max(),
                    (merged["ci_high"] - merged["uci"]).abs().max())
        print(f"\nby province (31 domains): beian_audit {t_ours_by:.3f} s, svy {t_svy_by:.3f} s "
              f"-> {t_svy_by / t_ours_by:.1f}x; largest |difference| {worst:.2e}")

    if not args.skip_samplics:
        try:
            t_smp, smp = timed(lambda: run_samplics(frame), 1)
        except ImportError as exc:
            print(f"samplics: not installed ({exc})")
        else:
            est_s = smp.point_est[1] if 1 in smp.point_est else list(smp.point_est.values())[-1]
            se_s = smp.stderror[1] if 1 in smp.stderror else list(smp.stderror.values())[-1]
            print(f"\nsamplics TaylorEstimator:         {t_smp:8.3f} s  "
                  f"estimate {est_s:.10f} se {se_s:.10f}")
            print(f"  largest |difference| vs samplics: estimate {abs(est_s - ours.estimate):.2e}, "
                  f"se {abs(se_s - ours.se):.2e}")
            print(f"  ratio: beian_audit is {t_smp / t_ours:.1f}x faster than samplics")


if __name__ == "__main__":
    main()
