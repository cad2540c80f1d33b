"""Cost-aware planning: cost-optimal allocation, plan_sample(cost=, budget=), settlement cost.

References for the allocation:

* a published worked example with printed numbers: the six-stratum hospital
  example (``smho98``: N_h, S_h of total expenditure, unit costs c_h) of the
  vignette "Single-stage sample sizes" (``Singlestage-samsize``) of the R
  package PracTools 1.7.5 (Valliant, Zipf; companion of Valliant, Dever &
  Kreuter, *Practical Tools for Designing and Weighting Survey Samples*, 2nd
  ed., Springer 2018), which prints ``strAlloc(..., alloc = "totcost")`` for a
  variable budget of 100,000 and ``alloc = "totvar"`` for a CV of 0.05
  (file ``inst/doc/Singlestage-samsize.html`` of the CRAN package source);
* the closed form of Cochran (1977), *Sampling Techniques*, 3rd ed., §5.5
  (Theorem 5.6, eqs. 5.24 and 5.25), evaluated by hand on a constructed example
  (numbers chosen so that the closed form gives whole numbers). Cochran's own
  numerical examples were not accessible to us, so none is quoted.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from beian_audit.errors import (
    ArgumentError,
    GoalNotReachableWarning,
    SampleDesignError,
)
from beian_audit.sampling import plan_sample, sample_size_power, sample_size_target
from beian_audit.sampling.allocation import (
    allocate,
    cost_optimal_allocation,
    stratified_variance,
)
from beian_audit.sampling.cost import expected_settlement_cost

# the stated example: N_h, S_h, c_h, c_0 and C
N = np.array([1000, 1000, 500])
S = np.array([0.3, 0.4, 0.5])
C_H = np.array([1.0, 4.0, 25.0])
C0, BUDGET = 650.0, 3000.0


def test_closed_form_budget_cochran_5_24() -> None:
    # Cochran eq. 5.24: n = (C - c0) sum(N S / sqrt c) / sum(N S sqrt c)
    #   sum N S / sqrt c = 300 + 200 + 50 = 550; sum N S sqrt c = 300 + 800 + 1250 = 2350
    #   n = 2350 * 550 / 2350 = 550; n_h = n * (300, 200, 50) / 550 = (300, 200, 50)
    got = cost_optimal_allocation(N, S, C_H, budget=BUDGET, fixed_cost=C0)
    assert got.tolist() == [300, 200, 50]
    assert C0 + float(np.sum(C_H * got)) == BUDGET


def test_closed_form_variance_cochran_5_25() -> None:
    # Cochran eq. 5.25 for the variance of the mean V:
    #   n = (sum W S sqrt c)(sum W S / sqrt c) / (V + sum W S^2 / N)
    w = N / N.sum()
    v = 2e-4
    n = (np.sum(w * S * np.sqrt(C_H)) * np.sum(w * S / np.sqrt(C_H))
         / (v + np.sum(w * S**2) / N.sum()))
    cont = n * (N * S / np.sqrt(C_H)) / np.sum(N * S / np.sqrt(C_H))
    got = cost_optimal_allocation(N, S, C_H, variance=v, min_per_stratum=0)
    assert stratified_variance(N, S, got) <= v
    # the integer plan costs no more than rounding the closed form up (which reaches V)
    # and no less than the continuous optimum; it stays close to the closed form
    assert np.sum(C_H * cont) <= np.sum(C_H * got) <= np.sum(C_H * np.ceil(cont))
    assert np.all(np.abs(got - cont) <= 0.02 * cont), (got, cont)
    # no cheaper integer neighbour reaches the variance
    for h in range(3):
        fewer = got.copy()
        fewer[h] -= 1
        assert stratified_variance(N, S, fewer) > v


# PracTools 1.7.5, vignette "Single-stage sample sizes", section on stratified allocation
# (inst/doc/Singlestage-samsize.html): inputs and printed output, copied digit for digit.
PT_NH = np.array([215, 65, 252, 50, 149, 144])
PT_SH = np.array([26787207, 10645109, 6909676, 11085034, 9817762, 44553355], dtype=float)
PT_CH = np.array([1400, 200, 300, 600, 450, 1000], dtype=float)
# strAlloc(Nh = Nh, Sh = Sh, cost = 100000, ch = ch, alloc = "totcost")
PT_TOTCOST_NH = np.array([30.605403, 9.728474, 19.989127, 4.499121, 13.711619, 40.340301])
PT_TOTCOST_SE = 1636053.0  # "anticipated SE of estimated mean = 1636053"
# strAlloc(Nh = Nh, Sh = Sh, CV0 = 0.05, ch = ch, ybarU = 11664181, alloc = "totvar")
PT_TOTVAR_NH = np.array([104.54922, 33.23283, 68.28362, 15.36917, 46.83941, 137.80400])
PT_TOTVAR_SE = 583209.1
PT_V0 = (0.05 * 11664181) ** 2


def _best_integer(centre: np.ndarray, budget: float | None, variance: float | None) -> np.ndarray:
    """Exhaustive integer optimum within -3..+4 of ``floor(centre)`` (8^6 candidates)."""
    grid = np.array(np.meshgrid(*[np.arange(-3, 5)] * 6, indexing="ij")).reshape(6, -1).T
    grid = grid + np.floor(centre).astype(int)
    w = PT_NH / PT_NH.sum()
    var = np.sum(w**2 * PT_SH**2 * (1.0 / grid - 1.0 / PT_NH), axis=1)
    cost = grid @ PT_CH
    if budget is not None:
        return grid[np.argmin(np.where(cost <= budget, var, np.inf))]
    assert variance is not None
    return grid[np.argmin(np.where(var <= variance, cost, np.inf))]


def test_published_totcost_example_practools() -> None:
    from beian_audit.sampling.allocation import _cost_continuous

    # The Lagrange solution (before rounding) is PracTools' printed n_h to its 8 digits.
    scores = PT_NH * PT_SH / np.sqrt(PT_CH)
    cont = _cost_continuous(scores, np.full(6, 2), PT_NH,
                            lambda x: float(np.sum(PT_CH * x)) - 100000.0)
    np.testing.assert_allclose(cont, PT_TOTCOST_NH, rtol=0, atol=5e-6)
    assert math.sqrt(stratified_variance(PT_NH, PT_SH, cont)) == pytest.approx(
        PT_TOTCOST_SE, abs=0.5)
    # Our whole sizes: floors (30, 9, 19, 4, 13, 40), then the 2,250 left go unit by unit
    # to the largest variance reduction per cost: (30, 10, 22, 5, 14, 40), spending 99,900.
    got = cost_optimal_allocation(PT_NH, PT_SH, PT_CH, budget=100000.0)
    assert got.tolist() == [30, 10, 22, 5, 14, 40]
    assert float(got @ PT_CH) <= 100000.0
    se = math.sqrt(stratified_variance(PT_NH, PT_SH, got))
    # No whole allocation within the budget beats the continuous optimum, and ours is
    # within 0.15 % of its SE. The exhaustive integer optimum nearby is (30, 10, 19, 5, 14,
    # 41) (spends exactly 100,000, SE 1,636,834): it trades three units of stratum 3 for
    # one of stratum 6, a move the unit-by-unit greedy rounding cannot make (0.08 % in SE).
    assert PT_TOTCOST_SE <= se <= PT_TOTCOST_SE * 1.0015
    best = _best_integer(PT_TOTCOST_NH, 100000.0, None)
    assert best.tolist() == [30, 10, 19, 5, 14, 41]
    best_se = math.sqrt(stratified_variance(PT_NH, PT_SH, best))
    assert best_se <= se <= best_se * 1.001


def test_published_totvar_example_practools() -> None:
    from beian_audit.sampling.allocation import _cost_continuous

    # Minimum cost for the variance of a CV of 0.05 at ybarU = 11,664,181 (Cochran eq. 5.25).
    scores = PT_NH * PT_SH / np.sqrt(PT_CH)
    cont = _cost_continuous(scores, np.full(6, 2), PT_NH,
                            lambda x: PT_V0 - stratified_variance(PT_NH, PT_SH, x))
    np.testing.assert_allclose(cont, PT_TOTVAR_NH, rtol=0, atol=5e-5)
    got = cost_optimal_allocation(PT_NH, PT_SH, PT_CH, variance=PT_V0)
    # Whole sizes that reach the variance at the least cost: the exhaustive optimum.
    assert got.tolist() == [104, 33, 69, 16, 47, 138]
    assert got.tolist() == _best_integer(PT_TOTVAR_NH, None, PT_V0).tolist()
    assert math.sqrt(stratified_variance(PT_NH, PT_SH, got)) <= PT_TOTVAR_SE
    # 341,650 against 341,603.80 for the continuous optimum (which no whole plan can beat).
    assert float(got @ PT_CH) == 341650.0
    assert float(PT_TOTVAR_NH @ PT_CH) == pytest.approx(341603.80, abs=0.01)


def test_equal_costs_give_neyman() -> None:
    # with equal costs the optimum is Neyman's n_h ∝ N_h S_h (Cochran 5.5 with c_h = c)
    p = np.array([0.5, 0.9, 0.99])
    big = np.array([600, 300, 100])
    s = np.sqrt(big * p * (1 - p) / (big - 1))
    got = cost_optimal_allocation(big, s, np.full(3, 2.5), budget=250.0)
    ney = allocate(big, 100, method="neyman", anticipated=p)
    assert np.abs(got - ney).max() <= 1 and got.sum() == 100


def test_budget_never_exceeded_after_rounding() -> None:
    rng = np.random.default_rng(2013)
    checked = 0
    for _ in range(600):
        h = int(rng.integers(1, 40))
        big = rng.integers(1, 2000, h)
        s = rng.uniform(0, 0.5, h) * (rng.random(h) > 0.1)
        c = np.maximum(np.round(rng.uniform(0.1, 30, h), int(rng.integers(0, 4))), 0.5)
        fixed = float(rng.choice([0.0, 17.3]))
        budget = float(rng.uniform(0, float(np.sum(c * big)) * 1.1) + fixed)
        m = int(rng.integers(0, 3))
        try:
            out = cost_optimal_allocation(big, s, c, budget=budget, fixed_cost=fixed,
                                          min_per_stratum=m)
        except SampleDesignError:
            assert fixed + float(np.sum(c * np.minimum(m, big))) > budget
            continue
        checked += 1
        assert fixed + float(np.sum(c * out)) <= budget
        assert np.all(out <= big) and np.all(out >= np.minimum(m, big))
        # nothing affordable is left over where it would still reduce the variance
        left = budget - fixed - float(np.sum(c * out))
        useful = (out < big) & (s > 0)
        assert not np.any(useful & (c <= left - 1e-9))
    assert checked > 300


def test_cost_allocation_errors() -> None:
    with pytest.raises(SampleDesignError, match="does not pay"):
        cost_optimal_allocation(N, S, C_H, budget=10.0)
    with pytest.raises(ArgumentError, match="exactly one"):
        cost_optimal_allocation(N, S, C_H)
    with pytest.raises(ArgumentError, match="unit_costs"):
        cost_optimal_allocation(N, S, [1.0, 0.0, 2.0], budget=100.0)


# --------------------------------------------------------------------------- plan_sample
@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    sizes = {"A": 4000, "B": 990, "C": 10}
    df = pd.DataFrame({"website_id": [f"W{i}" for i in range(5000)],
                       "provider_id": np.repeat(list(sizes), list(sizes.values()))})
    df["call_cost"] = df["provider_id"].map({"A": 1.0, "B": 4.0, "C": 9.0})
    return df


def test_plan_budget(frame: pd.DataFrame) -> None:
    plan = plan_sample(frame, cost="call_cost", budget=700)
    sizes = plan.sizes
    assert plan.allocation == "cost_optimal" and plan.budget == 700
    assert plan.expected_cost == pytest.approx(float(np.sum(sizes["unit_cost"] * sizes["n"])))
    assert plan.expected_cost <= 700
    # the same sizes as the pure function with S_h from the anticipated 0.5
    big = sizes["N"].to_numpy()
    s = np.sqrt(big * 0.25 / (big - 1))
    expect = cost_optimal_allocation(big, s, sizes["unit_cost"].to_numpy(), budget=700)
    assert sizes["n"].tolist() == expect.tolist()
    total = plan.to_frame().iloc[-1]
    assert total["stratum"] == "total" and total["cost"] == pytest.approx(plan.expected_cost)
    mapping = plan_sample(frame, cost={"A": 1, "B": 4, "C": 9}, budget=700)
    assert mapping.sizes["n"].tolist() == sizes["n"].tolist()


def test_plan_cheapest_for_margin(frame: pd.DataFrame) -> None:
    plan = plan_sample(frame, cost="call_cost", margin=0.05)
    assert plan.goal_reached and plan.expected_margin <= 0.05
    # a plan of the same form with one unit of the cheapest cost less misses the margin
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GoalNotReachableWarning)
        cheaper = plan_sample(frame, cost="call_cost", budget=plan.expected_cost - 1,
                              margin=0.05)
    assert cheaper.expected_margin > 0.05
    # and it costs less than the proportional plan that reaches the same margin
    prop = plan_sample(frame, margin=0.05, cost="call_cost", n=358)
    assert prop.expected_margin <= 0.05 and plan.expected_cost < prop.expected_cost


def test_plan_without_cost_unchanged(frame: pd.DataFrame) -> None:
    base = plan_sample(frame, n=300)
    with_cost = plan_sample(frame, n=300, cost=2.0)
    assert base.sizes["n"].tolist() == with_cost.sizes["n"].tolist()
    assert "cost" not in base.sizes.columns and base.expected_cost is None
    assert with_cost.expected_cost == 600.0 and with_cost.allocation == "proportional"


def test_plan_cost_errors(frame: pd.DataFrame) -> None:
    bad = frame.assign(call_cost=np.arange(5000, dtype=float))
    with pytest.raises(SampleDesignError, match="constant within each stratum"):
        plan_sample(bad, cost="call_cost", budget=500)
    with pytest.raises(ArgumentError, match="budget needs cost"):
        plan_sample(frame, budget=500)
    with pytest.raises(ArgumentError, match="only one"):
        plan_sample(frame, n=100, cost=1.0, budget=500)
    with pytest.raises(ArgumentError, match="no value"):
        plan_sample(frame, cost={"A": 1}, budget=500)
    with pytest.raises(ArgumentError, match="cannot be combined"):
        plan_sample(frame, cost=1.0, budget=500, allocation="equal")


# --------------------------------------------------------------------------- settlement
def test_settlement_cost() -> None:
    providers = {"P1": 5000, "P2": 80, "P3": 40, "P4": 300}
    with pytest.warns(GoalNotReachableWarning, match="only be settled"):
        r = expected_settlement_cost(providers, 0.75,
                                     anticipated={"P1": 0.9, "P2": 0.6, "P3": 0.74, "P4": 1.0},
                                     cost={"P1": 1, "P2": 3, "P3": 2, "P4": 5})
    t = r.table.set_index("stratum")
    assert t.loc["P1", "n"] == sample_size_power(0.75, 0.9, power=0.8)
    assert t.loc["P2", "n"] == sample_size_power(0.25, 0.4, power=0.8)
    assert t.loc["P3", "verdict"] == "census" and t.loc["P3", "n"] == 40
    # a provider anticipated perfect needs the zero-failure size, by hand
    # ceil(ln 0.05 / ln 0.75) = ceil(10.41) = 11
    assert t.loc["P4", "n"] == 11 == sample_size_target(0.75)
    assert r.total_cost == pytest.approx(float((t["n"] * t["unit_cost"]).sum()))
    assert r.to_frame().iloc[-1]["cost"] == r.total_cost


def test_settlement_from_plan(frame: pd.DataFrame) -> None:
    plan = plan_sample(frame, cost="call_cost", budget=700, anticipated={"A": 0.9, "B": 0.6,
                                                                         "C": 0.95})
    with pytest.warns(GoalNotReachableWarning):
        r = expected_settlement_cost(plan, 0.75)
    t = r.table.set_index("stratum")
    assert t["unit_cost"].tolist() == [1.0, 4.0, 9.0]
    assert t.loc["C", "n"] == 10 and bool(t.loc["C", "census"])
    assert math.isfinite(r.total_cost)
