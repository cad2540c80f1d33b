"""Coverage of interval methods: exact for simple random samples, simulated for designs.

:func:`exact_coverage` enumerates the binomial distribution (Brown, Cai &
DasGupta 2001, sect. 2); :func:`simulate_coverage` draws repeated stratified
samples without replacement from a finite population and records how often each
design-based interval covers the true population rate. Both are used by
``benchmarks/coverage_study.py`` for the tables of ``docs/methodology.md``.

Examples
--------
>>> round(float(exact_coverage("wald", 592, 0.005)[0]), 4)
0.7922
>>> round(float(exact_coverage("wald", 591, 0.005)[0]), 4)
0.9449
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from beian_audit.errors import DegenerateIntervalWarning, EstimationError, MethodWeaknessWarning
from beian_audit.estimation.intervals import (
    ALTERNATIVES,
    DESIGN_METHODS,
    SRS_METHODS,
    check_choice,
    check_level,
    srs_lower,
    srs_upper,
    tail_probabilities,
)
from beian_audit.estimation.stratified import estimate_proportion

__all__ = ["exact_coverage", "simulate_coverage"]


def exact_coverage(
    method: str,
    n: int,
    p: float | Sequence[float] | np.ndarray,
    *,
    confidence_level: float = 0.95,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Exact coverage probability of a simple-random-sample interval.

    Parameters
    ----------
    method : {"wilson", "clopper-pearson", "jeffreys", "agresti-coull", "wald"}
        Interval of :func:`~beian_audit.estimation.proportion_ci`.
    n : int
        Number of trials.
    p : float or array of float
        True proportion(s), in [0, 1].
    confidence_level : float
        Nominal level.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: coverage of the lower bound, :math:`P(L \\le p)`.

    Returns
    -------
    numpy.ndarray
        :math:`C(p) = \\sum_{k=0}^{n} \\binom{n}{k} p^k (1-p)^{n-k}
        \\mathbf 1[L(k) \\le p \\le U(k)]`, one value per ``p``.

    Examples
    --------
    >>> c = exact_coverage("clopper-pearson", 50, [0.5, 0.9, 0.99])
    >>> bool((c >= 0.95).all())
    True
    """
    from scipy import stats

    method = check_choice("method", method, SRS_METHODS)
    alternative = check_choice("alternative", alternative, ALTERNATIVES)
    level = check_level(confidence_level)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise EstimationError(f"n ({n!r}) must be a positive integer")
    p_arr = np.atleast_1d(np.asarray(p, float))
    if ((p_arr < 0) | (p_arr > 1) | np.isnan(p_arr)).any():
        raise EstimationError("p must lie in [0, 1]")
    k = np.arange(n + 1, dtype=float)
    a_low, a_high = tail_probabilities(alternative, level)
    low = np.zeros(k.size) if np.isnan(a_low) else srs_lower(method, k, float(n), a_low)
    high = np.ones(k.size) if np.isnan(a_high) else srs_upper(method, k, float(n), a_high)
    pmf = stats.binom.pmf(k[None, :], n, p_arr[:, None])
    covered = (low[None, :] <= p_arr[:, None]) & (p_arr[:, None] <= high[None, :])
    return (pmf * covered).sum(axis=1)


def simulate_coverage(
    population: pd.DataFrame,
    outcome: str,
    *,
    strata: str,
    sizes: Mapping[object, int] | pd.Series,
    reps: int,
    rng: int | np.random.Generator,
    methods: Sequence[str] = DESIGN_METHODS,
    confidence_level: float = 0.95,
    chunk: int = 100,
) -> pd.DataFrame:
    """Simulated coverage of the design-based intervals on a finite population.

    Each replicate draws a stratified simple random sample without replacement
    (``sizes[h]`` units from stratum ``h``), estimates the rate with
    :func:`~beian_audit.estimation.estimate_proportion` (weights
    :math:`N_h/n_h`, finite-population correction) and checks every method's
    intervals against the population rate. Replicates are estimated together
    as domains of one stacked frame (each replicate's strata are its own), which
    gives exactly the per-replicate estimates.

    Parameters
    ----------
    population : pandas.DataFrame
        One row per population unit, with ``strata`` and a 0/1 ``outcome``.
    outcome, strata : str
        Column names.
    sizes : mapping or Series
        Sample size per stratum label (every stratum of ``population``).
    reps : int
        Number of replicate samples.
    rng : int or numpy.random.Generator
        Seed or generator (the only source of randomness).
    methods : sequence of str
        Design-based methods to evaluate.
    confidence_level : float
        Nominal level of the two-sided intervals and of each one-sided bound.
    chunk : int
        Replicates estimated per stacked frame (memory / speed trade-off).

    Returns
    -------
    pandas.DataFrame
        One row per method: ``coverage`` (two-sided), ``coverage_lower``
        (:math:`P(L \\le p)` of the one-sided lower bound at
        ``confidence_level``), ``coverage_upper``, ``mean_width`` (two-sided),
        ``degenerate`` (share of replicates whose interval needed a documented
        fallback), ``r_beta_undefined`` (share of replicates with an estimate
        of exactly 0 or 1, where R's ``svyciprop(method = "beta")`` returns
        NaN), plus ``truth``, ``n``, ``reps``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> g = np.random.default_rng(1)
    >>> pop = pd.DataFrame({"h": np.repeat(["a", "b"], 500),
    ...                     "y": (g.random(1000) < 0.8).astype(int)})
    >>> out = simulate_coverage(pop, "y", strata="h", sizes={"a": 30, "b": 30},
    ...                         reps=50, rng=2, methods=["korn-graubard"])
    >>> out[["method", "reps"]].to_dict("records")
    [{'method': 'korn-graubard', 'reps': 50}]
    """
    level = check_level(confidence_level)
    for m in methods:
        check_choice("method", m, DESIGN_METHODS)
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    codes, labels = pd.factorize(population[strata], sort=True)
    y_pop = population[outcome].to_numpy(float)
    big_n = np.bincount(codes)
    n_h = np.array([int(pd.Series(sizes)[label]) for label in labels])
    if ((n_h < 1) | (n_h > big_n)).any():
        raise EstimationError("sizes must be between 1 and the stratum size")
    truth = float(y_pop.mean())
    order_key = np.argsort(codes, kind="stable")
    start = np.concatenate([[0], np.cumsum(big_n)[:-1]])
    take = np.concatenate([start[h] + np.arange(n_h[h]) for h in range(labels.size)])
    samp_h = np.repeat(np.arange(labels.size), n_h)
    n = int(n_h.sum())
    H = labels.size

    rows = []
    done = 0
    while done < reps:
        b = min(chunk, reps - done)
        # random order within stratum: sort by (stratum, uniform key)
        u = generator.random((b, y_pop.size))
        perm = np.argsort(codes[order_key][None, :] + u[:, order_key], axis=1, kind="stable")
        picked = order_key[perm[:, take]]
        frame = pd.DataFrame(
            {
                "rep": np.repeat(np.arange(b), n),
                "stratum": (np.arange(b)[:, None] * H + samp_h[None, :]).ravel(),
                "population_size": np.tile(big_n[samp_h], b),
                "weight": np.tile((big_n / n_h)[samp_h], b),
                "y": y_pop[picked].ravel(),
            }
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateIntervalWarning)
            warnings.simplefilter("ignore", MethodWeaknessWarning)
            est = estimate_proportion(
                frame, "y", by="rep", method=methods[0]  # type: ignore[arg-type]
            )
            for m in methods:
                two = est.with_interval(method=m, confidence_level=level).by  # type: ignore[arg-type]
                one = est.with_interval(
                    method=m, confidence_level=level, alternative="greater"  # type: ignore[arg-type]
                ).by
                upp = est.with_interval(
                    method=m, confidence_level=level, alternative="less"  # type: ignore[arg-type]
                ).by
                assert two is not None and one is not None and upp is not None
                rows.append(
                    pd.DataFrame(
                        {
                            "method": m,
                            "covered": (two["ci_low"] <= truth) & (truth <= two["ci_high"]),
                            "covered_lower": one["ci_low"] <= truth,
                            "covered_upper": truth <= upp["ci_high"],
                            "width": two["ci_high"] - two["ci_low"],
                            "degenerate": two["note"] != "",
                            "r_beta_undefined": (two["estimate"] <= 0) | (two["estimate"] >= 1),
                        }
                    )
                )
        done += b
    allrows = pd.concat(rows, ignore_index=True)
    out = (
        allrows.groupby("method", sort=False)
        .agg(
            coverage=("covered", "mean"),
            coverage_lower=("covered_lower", "mean"),
            coverage_upper=("covered_upper", "mean"),
            mean_width=("width", "mean"),
            degenerate=("degenerate", "mean"),
            r_beta_undefined=("r_beta_undefined", "mean"),
        )
        .reset_index()
    )
    out["truth"] = truth
    out["n"] = n
    out["reps"] = reps
    return out
