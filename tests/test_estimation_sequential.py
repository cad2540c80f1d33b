"""Sequential verdicts: boundaries against published tables and scipy, error rates and
savings by simulation (reduced grid; the full grid is benchmarks/coverage_sequential.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom, multivariate_normal

import beian_audit as ba
from beian_audit.errors import EstimationError
from beian_audit.estimation import (
    SequentialVerdict,
    alpha_spent,
    assess_target,
    ppr_interval,
    proportion_ci,
    sequential_assessment,
    spending_boundaries,
    verification_batches,
    verification_order,
)

TARGET = 0.75


# --------------------------------------------------------------------------- boundaries
def test_obrien_fleming_type_matches_the_published_table() -> None:
    # DeMets & Lan (1994), "Interim analysis: the alpha spending function approach",
    # Stat. Med. 13:1341-1352, Table (K = 5 equally spaced looks, two-sided alpha = 0.05,
    # O'Brien-Fleming-type spending): 4.877, 3.357, 2.680, 2.290, 2.031 -- the same
    # values as the one-sided alpha = 0.025 Lan-DeMets bounds (gsDesign sfLDOF).
    published = [4.877, 3.357, 2.680, 2.290, 2.031]
    np.testing.assert_allclose(spending_boundaries(5, alpha=0.05, sides=2), published, atol=6e-4)
    np.testing.assert_allclose(spending_boundaries(5, alpha=0.025), published, atol=6e-4)


@pytest.mark.parametrize("spending", ["pocock", "obrien-fleming"])
def test_boundaries_spend_exactly_alpha_star_by_scipy_multivariate_normal(spending: str) -> None:
    # Independent reference: Genz's algorithm in scipy.stats.multivariate_normal.cdf on the
    # canonical correlation sqrt(t_j / t_k), unequal spacing.
    t = np.array([0.15, 0.4, 0.55, 1.0])
    c = spending_boundaries(t, alpha=0.05, spending=spending)  # type: ignore[arg-type]
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    for k in range(1, t.size + 1):
        crossed = 1.0 - multivariate_normal.cdf(
            c[:k], mean=np.zeros(k), cov=cov[:k, :k], abseps=1e-8, releps=1e-8,
            maxpts=1_000_000, rng=np.random.default_rng(0),
        )  # fmt: skip
        spent = alpha_spent(t[k - 1], 0.05, spending)[0]  # type: ignore[arg-type]
        assert crossed == pytest.approx(spent, abs=2e-6)


def test_single_look_is_the_fixed_design() -> None:
    assert spending_boundaries(1, alpha=0.05)[0] == pytest.approx(1.6448536, abs=1e-6)


def test_spending_functions_closed_forms() -> None:
    # Lan & DeMets (1983): OBF-type 2 - 2 Phi(z_{1-a/2}/sqrt t), Pocock-type a ln(1+(e-1)t)
    from scipy.stats import norm

    t = np.array([0.25, 0.5, 1.0])
    np.testing.assert_allclose(
        alpha_spent(t, 0.05), 2 - 2 * norm.cdf(norm.ppf(0.975) / np.sqrt(t)), rtol=1e-12
    )
    np.testing.assert_allclose(alpha_spent(t, 0.05, "pocock"), 0.05 * np.log(1 + (math.e - 1) * t))


# --------------------------------------------------------------------------- confidence sequence
def test_ppr_interval_is_the_set_where_the_posterior_prior_ratio_exceeds_alpha() -> None:
    # brute force over every count with scipy's beta-binomial prior / posterior
    from scipy.stats import betabinom

    big_n, t, s, alpha = 60, 20, 14, 0.1
    x = np.arange(big_n + 1)
    prior = betabinom.pmf(x, big_n, 1, 1)
    post = np.where((x >= s) & (big_n - x >= t - s),
                    betabinom.pmf(x - s, big_n - t, 1 + s, 1 + t - s), 0.0)  # fmt: skip
    kept = x[post / prior > alpha]
    assert ppr_interval(s, t, big_n, alpha) == (kept.min(), kept.max())


# --------------------------------------------------------------------------- order and batches
def _frame(n_h: dict[str, int], big_n: dict[str, int], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = [
        pd.DataFrame({"stratum": h, "prn": rng.random(n), "population_size": big_n[h]})
        for h, n in n_h.items()
    ]
    return pd.concat(parts, ignore_index=True)


def test_batches_are_proportional_prn_prefixes() -> None:
    f = _frame({"a": 50, "b": 30, "c": 20}, {"a": 500, "b": 300, "c": 200})
    b = verification_batches(f, [0.2, 0.5])
    assert b["look"].max() == 3 and list(b["sequence"]) == list(range(1, 101))
    done = b[b["look"] <= 1].groupby("stratum").size().to_dict()
    assert done == {"a": 10, "b": 6, "c": 4}
    done = b[b["look"] <= 2].groupby("stratum").size().to_dict()
    assert done == {"a": 25, "b": 15, "c": 10}
    # within a stratum the batches follow the PRN order
    for _, g in b.groupby("stratum"):
        assert g["prn"].is_monotonic_increasing
    o = verification_order(f)
    for _, g in o.groupby("stratum"):
        assert list(g["position"]) == list(range(1, len(g) + 1))


def test_draw_sample_prn_column_drives_the_order() -> None:
    frame = pd.DataFrame({"website_id": [f"w{i}" for i in range(400)],
                          "isp": ["x"] * 300 + ["y"] * 100})  # fmt: skip
    plan = ba.plan_sample(frame, strata="isp", n=80, allocation="proportional")
    sample = ba.draw_sample(frame, plan, key="website_id", seed=7)
    b = verification_batches(sample, 4)
    assert len(b) == sample.n and b.groupby("stratum")["prn"].is_monotonic_increasing.all()


# --------------------------------------------------------------------------- the verdict
def _with_outcomes(f: pd.DataFrame, y: np.ndarray, verified: int | None = None) -> pd.DataFrame:
    b = verification_batches(f, 5)
    out = b.assign(correct=y[: len(b)].astype(float))
    if verified is not None:
        out.loc[out["sequence"] > verified, "correct"] = np.nan
    return out


def test_verdicts_and_message() -> None:
    f = _frame({"a": 300, "b": 200}, {"a": 6000, "b": 4000})
    met = sequential_assessment(_with_outcomes(f, np.ones(500), verified=100), "correct", TARGET)
    assert isinstance(met, SequentialVerdict)
    assert (met.decision, met.message, met.status, met.look) == ("stop: met", "stop: met", "met", 1)
    assert met.expected_more == 0 and met.lower_bound >= TARGET and met.stopped
    low = sequential_assessment(_with_outcomes(f, np.zeros(500), verified=100), "correct", TARGET)
    assert low.decision == "stop: not met" and low.upper_bound < TARGET
    rng = np.random.default_rng(3)
    mid = sequential_assessment(
        _with_outcomes(f, (rng.random(500) < 0.76).astype(float), verified=150), "correct", TARGET
    )
    assert mid.decision == "continue" and mid.look == 1 and mid.n_verified == 150
    k = math.ceil(mid.expected_more)
    assert mid.message == f"continue (about {k} more verifications expected)"
    assert 0 < mid.expected_more <= 350
    assert list(mid.to_frame()["verdict"]) == ["continue"] + ["pending"] * 4
    assert mid.to_dict()["kind"] == "SequentialVerdict" and "continue" in mid._repr_html_()
    # the whole sample, no crossing: inconclusive
    y = np.r_[np.ones(375), np.zeros(125)]
    full = sequential_assessment(_with_outcomes(f, rng.permutation(y)), "correct", TARGET)
    assert full.decision in ("stop: inconclusive", "stop: met", "stop: not met")


def test_out_of_order_verification_is_refused() -> None:
    f = _frame({"a": 20}, {"a": 100})
    b = verification_batches(f, 2).assign(correct=np.nan)
    b.loc[b.index[5], "correct"] = 1.0  # the 6th smallest PRN before the first five
    with pytest.raises(EstimationError, match="out of PRN order"):
        sequential_assessment(b, "correct", TARGET)


def test_nonresponse_and_bad_options_are_refused() -> None:
    f = verification_batches(_frame({"a": 10}, {"a": 100}), 2).assign(correct="pending")
    f.loc[f.index[0], "correct"] = "unreachable"
    with pytest.raises(EstimationError, match="nonresponse"):
        sequential_assessment(f, "correct", TARGET)
    f.loc[f.index[0], "correct"] = "correct"
    assert sequential_assessment(f, "correct", TARGET).look == 0
    with pytest.raises(EstimationError, match="method"):
        sequential_assessment(f, "correct", TARGET, method="bayes")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="looks"):
        sequential_assessment(f, "correct", TARGET, looks=[0.5, 0.3])


def test_assess_target_carries_the_stop_advice_and_is_unchanged_without_it() -> None:
    ci = proportion_ci(118, 120)
    f = _frame({"a": 600}, {"a": 20000})
    v = sequential_assessment(_with_outcomes(f, np.ones(600), verified=120), "correct", TARGET)
    a = assess_target(ci, TARGET, sequential=v)
    assert a.stop_advice == "stop: met"
    plain = assess_target(ci, TARGET)
    assert plain.stop_advice == "" and "stop_advice" not in repr(plain)
    with pytest.raises(EstimationError):
        assess_target(ci, 0.9, sequential=v)


# --------------------------------------------------------------------------- simulation
def _population_sample(p: float, n: int, big_n: int, rng: np.random.Generator) -> np.ndarray:
    pop = np.zeros(big_n)
    pop[: round(p * big_n)] = 1.0
    return rng.permutation(pop)[:n]


def _simulate(p: float, looks: object, reps: int, seed: int, **kw: object) -> tuple[float, dict]:
    rng = np.random.default_rng(seed)
    n, big_n = 440, 20_000  # ~ sample_size_power(0.75, 0.80): 80 % power at 0.80
    base = pd.DataFrame({"prn": (np.arange(n) + 0.5) / n, "population_size": big_n})
    shares, decisions = [], []
    for _ in range(reps):
        f = base.assign(correct=_population_sample(p, n, big_n, rng))
        v = sequential_assessment(f, "correct", TARGET, looks=looks, **kw)  # type: ignore[arg-type]
        shares.append(v.n_at_look / v.n_max)
        decisions.append(v.decision)
    return float(np.mean(shares)), pd.Series(decisions).value_counts(normalize=True).to_dict()


# ------------------------------------------------------- exact type-I error, one stratum
def _exact() -> object:
    """benchmarks/exact_sequential.py: regions read off the public function by bisection,
    errors summed over every path of counts (hypergeometric / binomial increments)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "exact_sequential.py"
    spec = importlib.util.spec_from_file_location("exact_sequential", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_enumeration_reproduces_the_hypergeometric_tail_with_one_look() -> None:
    from scipy.stats import hypergeom

    ex = _exact()
    counts, low, high = ex.rejection_counts(437, 20_000, 1, TARGET, "obrien-fleming")  # type: ignore[attr-defined]
    not_met, _ = ex.crossing(counts, 20_000, 15_000, low, high)  # type: ignore[attr-defined]
    assert not_met == pytest.approx(hypergeom.cdf(low[0], 20_000, 15_000, 437), rel=1e-9)
    _, met = ex.crossing(counts, None, TARGET, low, high)  # type: ignore[attr-defined]
    assert met == pytest.approx(1.0 - binom.cdf(high[0] - 1, 437, TARGET), rel=1e-9)


def test_enumeration_equals_brute_force_over_every_order() -> None:
    # The forward recursion against all 2^12 ordered outcome sequences (each with its
    # probability under drawing without replacement), N = 40, n = 12, three designs; and
    # the log-binomial pmf against scipy.stats.hypergeom.
    _exact().check()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("target", "n", "looks", "spending", "big_n"),
    [
        (0.75, 437, 1, "obrien-fleming", 20_000),  # the fixed design: 0.0572 plain score
        (0.75, 100, 5, "obrien-fleming", 20_000),  # 0.0558 before the corrections
        (0.75, 100, [0.1, 0.2, 0.6, 1.0], "pocock", 20_000),  # 0.0654 before
        (0.75, 100, 8, "pocock", None),  # 0.0642 before (N = 20 000)
        (0.9, 100, [0.1, 0.2, 0.6, 1.0], "pocock", None),
        (0.9, 100, 3, "obrien-fleming", 20_000),
    ],
)
def test_exact_type_one_error_one_stratum(target: float, n: int, looks: object, spending: str,
                                          big_n: int | None) -> None:  # fmt: skip
    # Deterministic, no simulation error (reduced grid of benchmarks/exact_sequential.py,
    # whose full grid of 128 designs is in docs/sequential.md). At the least favourable
    # null counts (ceil(target N) correct for a wrong "not met", one fewer for a wrong
    # "met"; p = target for N infinite), both wrong verdicts, as run and non-binding, are
    # at most alpha. Before the skewness and continuity corrections they were the figures
    # in the comments.
    got = _exact().design_errors(target, n, looks, spending, big_n)  # type: ignore[attr-defined]
    for key in ("met", "not_met", "met_nb", "not_met_nb"):
        assert 0.0 < got[key] <= 0.05, (key, got)
    assert got["met"] <= got["met_nb"] and got["not_met"] <= got["not_met_nb"]


# ------------------------------------------------- type-I error, three strata, simulation
def _benchmark() -> object:
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "coverage_sequential.py"
    spec = importlib.util.spec_from_file_location("coverage_sequential", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_third_cumulant_of_an_srswor_mean_matches_scipy_hypergeom() -> None:
    from scipy.stats import hypergeom

    from beian_audit.estimation.sequential import _third_factor

    big_n, ones, n = 200, 150, 37
    _, var, skew = hypergeom.stats(big_n, ones, n, moments="mvs")
    p = ones / big_n
    k3 = float(skew) * float(var) ** 1.5 / n**3  # of the sample mean
    got = p * (1 - p) * (1 - 2 * p) * _third_factor(np.array(n), np.array(float(big_n)))
    assert float(got) == pytest.approx(k3, rel=1e-10)


@pytest.mark.parametrize(
    ("looks", "spending"), [([0.1, 0.2, 0.6, 1.0], "pocock"), (5, "obrien-fleming")]
)
def test_type_one_error_three_strata(looks: object, spending: str) -> None:
    # Vectorised replicates (benchmarks/coverage_sequential.py: hypergeometric chains per
    # stratum), first checked verdict by verdict against the public function. 4 000
    # replicates: SE 0.0034 at 0.05, so an error of 0.065 would exceed the bound below
    # (0.05 + 2.5 SE = 0.0586) with probability > 0.99.
    bench = _benchmark()
    frame = bench.template(437, bench.THREE)  # type: ignore[attr-defined]
    rng = np.random.default_rng(99)
    at = bench.populations(TARGET, bench.THREE)  # type: ignore[attr-defined]
    assert at.sum() == 15_000  # = 0.75 N
    plan, x = bench.paths(frame, looks, at, 25, rng)  # type: ignore[attr-defined]
    dec, _ = bench.verdicts(plan, x, TARGET, spending=spending)  # type: ignore[attr-defined]
    for r in range(25):
        y = bench.outcomes(plan, x[r], frame)  # type: ignore[attr-defined]
        v = sequential_assessment(frame.assign(correct=y), "correct", TARGET, looks=looks,
                                  spending=spending)  # type: ignore[arg-type]  # fmt: skip
        assert {"stop: met": 1, "stop: not met": -1}.get(v.decision, 0) == dec[r]
    reps = 4000
    bound = 0.05 + 2.5 * math.sqrt(0.05 * 0.95 / reps)
    plan, x = bench.paths(frame, looks, at, reps, rng)  # type: ignore[attr-defined]
    assert np.mean(bench.verdicts(plan, x, TARGET, spending=spending)[0] == -1) <= bound  # type: ignore[attr-defined]
    below = at.copy()
    below[0] -= 1
    plan, x = bench.paths(frame, looks, below, reps, rng)  # type: ignore[attr-defined]
    assert np.mean(bench.verdicts(plan, x, TARGET, spending=spending)[0] == 1) <= bound  # type: ignore[attr-defined]


@pytest.mark.parametrize("truth", [0.60, 0.90])
def test_half_the_fixed_sample_when_far_from_the_target(truth: float) -> None:
    share, d = _simulate(truth, 5, 60, seed=5)
    assert share <= 0.5
    assert d.get("stop: met" if truth > TARGET else "stop: not met", 0.0) >= 0.95
