"""Cost-aware planning: cost-optimal allocation, plan_sample(cost=, budget=), settlement cost.

Reference for the allocation: the closed form of Cochran (1977), *Sampling
Techniques*, 3rd ed., §5.5 (Theorem 5.6, eqs. 5.24 and 5.25), evaluated by hand
on an example stated here. We could not access the book's own numerical
examples, so the example is constructed (numbers chosen so that the closed
form gives whole numbers) rather than quoted.
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
