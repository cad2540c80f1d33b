"""Plan + draw of a stratified spot-check sample over a national-size registry.

By default the frame is the on-demand synthetic registry of ``--n`` websites
(default 3,500,000: the 2013 registry), ``generate_world(n, seed=1)`` with all its
columns, generated once (about 25 s per million websites) and cached as Parquet under
``benchmarks/_data/`` by the same code as ``bench_national.py`` (which shares the
cache), then read with pyarrow as ``read_filings`` would return it. ``--parquet PATH``
reads another registry. ``--narrow`` builds instead a frame of only the columns the
sampler reads — ``website_id`` (``W`` + 8 digits, shuffled), ``provider_id``
(``--providers`` access providers, default 1,000, with log-normal sizes: the largest
about 17 %, the top ten about half, as DOMAIN.md §7 assumes) and ``sponsor_province``
(31 provinces weighted as in the package's provinces table), Arrow-backed strings —
where pandas has the least to copy.

For each design it times, best of ``--repeat`` runs,

* ``beian_audit``: ``plan_sample`` + ``draw_sample`` (PRN hash of every key, stratum
  sizes, the selection, the manifest with its frame fingerprint, duplicate-key check);
* ``pandas apply``: ``value_counts`` of the strata, then
  ``groupby(strata).apply(lambda g: g.sample(n=n_h))`` with the plan's sizes — the
  same design drawn the usual pandas way;
* ``pandas sample(frac)``: ``groupby(strata).sample(frac=n/N)`` — pandas' vectorised
  grouped sampler (proportional rounding only; no per-stratum sizes, minimums or
  manifest), for reference;

and prints the times and the ratios. Run::

    python benchmarks/bench_sampling.py [--n 3500000] [--repeat 3] [--narrow | --parquet PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.sampling import draw_sample, plan_sample


def build_frame(n: int, providers: int, seed: int) -> pd.DataFrame:
    """A registry frame with the sampler's columns (Arrow-backed strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    # provider sizes: the largest 17 %, the others log-normal scaled to a top ten of ~50 %
    rest = np.sort(rng.lognormal(0.0, 1.5, providers - 1))[::-1]
    rest = rest / rest.sum() * 0.83
    shares = np.r_[0.17, rest]
    provider = rng.choice(providers, size=n, p=shares / shares.sum())
    table = pd.read_csv(resources.files("beian_audit.data") / "provinces.csv")
    weights = table["proposed_sponsor_weight_pct"].to_numpy(dtype=float)
    province = rng.choice(len(table), size=n, p=weights / weights.sum())
    ids = pc.binary_join_element_wise(
        "W", pc.utf8_lpad(pc.cast(pa.array(rng.permutation(n) + 1), pa.string()), 8, "0"), ""
    )
    pids = pc.binary_join_element_wise(
        "P", pc.utf8_lpad(pc.cast(pa.array(provider), pa.string()), 4, "0"), ""
    )
    names = pa.array(table["province_zh"].tolist())
    string = pd.StringDtype("pyarrow")
    return pd.DataFrame(
        {
            "website_id": pd.array(ids, dtype=string),
            "provider_id": pd.array(pids, dtype=string),
            "sponsor_province": pd.array(pc.take(names, pa.array(province)), dtype=string),
        }
    )


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def run(frame: pd.DataFrame, strata: str | list[str], plan_kwargs: dict[str, Any],
        repeat: int, pandas_repeat: int) -> None:
    cols = [strata] if isinstance(strata, str) else list(strata)
    timing: dict[str, float] = {}

    def ours() -> Any:
        plan = plan_sample(frame, strata=strata, **plan_kwargs)
        return plan, draw_sample(frame, plan, seed=20130401)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours()  # warm-up: imports and caches
        timing["beian_audit"], (plan, sample) = best(ours, repeat)
        t_plan, _ = best(lambda: plan_sample(frame, strata=strata, **plan_kwargs), repeat)
    sizes = dict(zip(plan.sizes["stratum"], plan.sizes["n"], strict=True))
    key = cols[0] if len(cols) == 1 else cols

    def label(name: Any) -> str:
        return str(name) if len(cols) == 1 else " | ".join(map(str, name))

    def pandas_apply() -> pd.DataFrame:
        frame.value_counts(cols)  # the stratum sizes a plan needs
        return frame.groupby(key, group_keys=False, observed=True)[frame.columns.tolist()].apply(
            lambda g: g.sample(n=sizes[label(g.name)], random_state=1)
        )

    frac = plan.n / len(frame)

    def pandas_frac() -> pd.DataFrame:
        return frame.groupby(key, observed=True).sample(frac=frac, random_state=1)

    timing["pandas apply"], applied = best(pandas_apply, pandas_repeat)
    timing["pandas sample(frac)"], _ = best(pandas_frac, pandas_repeat)
    assert len(applied) == sample.n == plan.n
    ours_t = timing["beian_audit"]
    print(
        f"\n{'strata':>8}: {strata!r}  allocation={plan.allocation!r}  "
        f"H={plan.n_strata:,}  N={plan.population_size:,}  n={plan.n:,}"
    )
    print(f"{'':>8}  beian_audit plan {t_plan:6.3f} s + draw {ours_t - t_plan:6.3f} s "
          f"= {ours_t:6.3f} s")
    for name in ("pandas apply", "pandas sample(frac)"):
        print(f"{'':>8}  {name:<22} {timing[name]:7.3f} s   ratio {timing[name] / ours_t:5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=3_500_000)
    parser.add_argument("--providers", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pandas-repeat", type=int, default=1)
    parser.add_argument("--narrow", action="store_true",
                        help="a frame of the three sampled columns only (seed --seed)")
    parser.add_argument("--parquet", default=None,
                        help="read the registry from this Parquet file or dataset")
    args = parser.parse_args()
    start = time.perf_counter()
    if args.narrow:
        frame = build_frame(args.n, args.providers, args.seed)
    else:
        import pyarrow.parquet as pq

        if args.parquet:
            path = Path(args.parquet)
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from bench_national import prepare

            path = prepare(args.n, 1) / "filings"
        frame = pq.read_table(path).to_pandas()
    print(f"frame: {len(frame):,} rows, {frame['provider_id'].nunique():,} providers, "
          f"built in {time.perf_counter() - start:.1f} s")
    run(frame, "provider_id", {"allocation": "tianjin"}, args.repeat, args.pandas_repeat)
    run(frame, "provider_id", {"n": 20_000}, args.repeat, args.pandas_repeat)
    run(frame, ["provider_id", "sponsor_province"], {"allocation": "tianjin"}, args.repeat,
        args.pandas_repeat)


if __name__ == "__main__":
    main()
