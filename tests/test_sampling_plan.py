"""Sample plans (beian_audit.sampling.plan): sizes, design effect, margins, goals, two stages."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from beian_audit.errors import (
    DataQualityWarning,
    GoalNotReachableWarning,
    SampleDesignError,
    SmallStratumWarning,
)
from beian_audit.sampling import plan_sample, sample_size_margin, sample_size_target
from beian_audit.sampling.plan import pps_probabilities


def make_frame(sizes: dict[str, int], *, provinces: tuple[str, ...] = ("广东省",)) -> pd.DataFrame:
    """A small registry: website_id, provider_id, sponsor_province (cycled)."""
    providers = [p for p, k in sizes.items() for _ in range(k)]
    n = len(providers)
    return pd.DataFrame(
        {
            "website_id": pd.array([f"W{i:07d}" for i in range(n)], dtype="string[pyarrow]"),
            "provider_id": pd.array(providers, dtype="string[pyarrow]"),
            "sponsor_province": pd.array(
                [provinces[i % len(provinces)] for i in range(n)], dtype="string[pyarrow]"
            ),
        }
    )


FRAME = make_frame({"P1": 6000, "P2": 2500, "P3": 1000, "P4": 450, "P5": 49, "P6": 1})


def test_proportional_sizes_and_table() -> None:
    plan = plan_sample(FRAME, n=500)
    sizes = plan.sizes
    assert sizes["stratum"].tolist() == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert sizes["N"].tolist() == [6000, 2500, 1000, 450, 49, 1]
    assert int(sizes["n"].sum()) == 500 == plan.n
    # minimums: P6 has one filing (take-all), P5 gets 2 (share 2.45 -> 2 or 3)
    assert sizes.loc[5, "n"] == 1 and bool(sizes.loc[5, "take_all"])
    np.testing.assert_allclose(sizes["inclusion_probability"], sizes["n"] / sizes["N"])
    np.testing.assert_allclose(sizes["weight"], sizes["N"] / sizes["n"])
    total = plan.to_frame().iloc[-1]
    assert total["stratum"] == "total" and total["N"] == 10_000 and total["n"] == 500


def test_kish_deff_and_expected_margin_closed_forms() -> None:
    plan = plan_sample(FRAME, n=400, allocation="equal", expected=0.7)
    big = plan.sizes["N"].to_numpy(float)
    small = plan.sizes["n"].to_numpy(float)
    # Kish (1965) with the stratum fpc (P5 and P6 are taken whole here):
    # n sum W_h^2 (1 - f_h) / n_h / (1 - n/N), the stratified variance with equal
    # S_h (Cochran 1977 eq. 5.6) over the SRS-without-replacement one
    w_h = big / big.sum()
    kish_fpc = small.sum() * np.sum(w_h**2 * (1 - small / big) / small) / (1 - 400 / 10_000)
    assert plan.deff_kish == pytest.approx(kish_fpc, rel=1e-12)
    # the take-all strata P5 and P6 (f_h = 1) add nothing to the numerator
    assert kish_fpc == pytest.approx(
        400 * np.sum((w_h**2 * (1 - small / big) / small)[:4]) / 0.96, rel=1e-12)
    # proportional allocation (f_h = f): exactly 1, fpc or not
    prop = plan_sample(make_frame({"A": 3000, "B": 1000}), n=400)
    assert prop.deff_kish == pytest.approx(1.0, rel=1e-12)
    # Cochran (1977) eq. 5.6 with S_h^2 = N_h p q / (N_h - 1)
    w = big / big.sum()
    s2 = np.where(big > 1, big * 0.21 / np.maximum(big - 1, 1), 0)
    var = np.sum(w**2 * (1 - small / big) * s2 / small)
    assert plan.expected_margin == pytest.approx(stats.norm.ppf(0.975) * math.sqrt(var))
    assert plan.n_effective == pytest.approx(400 / plan.deff_kish)


def test_unstratified_margin_matches_cochran() -> None:
    plan = plan_sample(FRAME, strata=None, margin=0.03)
    # one stratum: the plan's n is Cochran's n with fpc
    assert plan.n == sample_size_margin(0.03, population_size=10_000) == 965
    assert plan.sizes["stratum"].tolist() == ["all"]
    assert plan.goal_reached is True and plan.expected_margin <= 0.03


def test_margin_solver_returns_smallest_n() -> None:
    plan = plan_sample(FRAME, margin=0.02, expected=0.75)
    assert plan.expected_margin <= 0.02
    with pytest.warns(GoalNotReachableWarning, match="wider than"):
        smaller = plan_sample(FRAME, n=plan.n - 1, margin=0.02, expected=0.75)
    assert smaller.goal_reached is False and smaller.expected_margin > 0.02


def test_target_goal_and_worked_example() -> None:
    big = make_frame({"A": 300_000, "B": 200_000})
    plan = plan_sample(big, strata=None, target=0.995)
    # SRS: ceil(ln 0.05 / ln 0.995) = 598
    assert plan.n == sample_size_target(0.995) == 598 and plan.goal_reached
    equal = plan_sample(big, target=0.995, allocation="equal")
    # unequal weights: the plan needs 598 * deff_kish units (rounded up to integers)
    assert equal.n_effective >= 598
    assert equal.n == pytest.approx(598 * equal.deff_kish, abs=2)
    assert equal.deff_kish == pytest.approx(1.04, abs=0.01)  # (3:2 split sampled 1:1)


def test_warns_when_target_cannot_be_shown() -> None:
    big = make_frame({"A": 30_000, "B": 20_000})
    with pytest.warns(GoalNotReachableWarning, match="even with zero failures"):
        plan = plan_sample(big, n=300, target=0.995)
    assert plan.goal_reached is False
    assert "NOT reachable" in plan.goal and "goal NOT reachable" in repr(plan)
    # the Tianjin rule gives about 3 % of each provider: 1,500 filings, enough for 99.5 %
    with warnings.catch_warnings():
        warnings.simplefilter("error", GoalNotReachableWarning)
        ok = plan_sample(big, allocation="tianjin", target=0.995)
    assert ok.n == 1500 and ok.goal_reached


def test_census_cannot_show_target_warns() -> None:
    small = make_frame({"A": 200, "B": 100})
    with pytest.warns(GoalNotReachableWarning):
        plan = plan_sample(small, target=0.995)
    assert plan.n == 300  # a census, still short of 598 effective units


def test_power_goal() -> None:
    big = make_frame({"A": 300_000, "B": 200_000})
    plan = plan_sample(big, strata=None, target=0.995, expected=0.999, power=0.8)
    assert plan.required_n_effective == 1258  # sample_size_power(0.995, 0.999, power=0.8)
    assert plan.n == 1258
    with pytest.raises(ValueError, match="above target"):
        plan_sample(big, target=0.995, power=0.8)


def test_tianjin_and_equal_per_stratum() -> None:
    plan = plan_sample(FRAME, allocation="tianjin")
    # 6000 -> 180, 2500 -> 75, 1000 -> 30, 450 -> 14 (ceil 13.5), 49 -> 2, 1 -> 1
    assert plan.sizes["n"].tolist() == [180, 75, 30, 14, 2, 1]
    fixed = plan_sample(FRAME, allocation="equal", n_per_stratum=20)
    assert fixed.sizes["n"].tolist() == [20, 20, 20, 20, 20, 1]
    with pytest.raises(ValueError, match="n_per_stratum goes with allocation='equal'"):
        plan_sample(FRAME, n_per_stratum=20)


def test_crossed_strata_labels() -> None:
    frame = make_frame({"P1": 300, "P2": 100}, provinces=("广东省", "北京市", "上海市"))
    plan = plan_sample(frame, strata=["provider_id", "sponsor_province"], n=60)
    assert plan.sizes["stratum"].iloc[0] == "P1 | 上海市"
    assert list(plan.sizes.columns[:3]) == ["stratum", "provider_id", "sponsor_province"]
    assert plan.n_strata == 6 and int(plan.sizes["n"].sum()) == 60


def test_missing_stratum_values_form_their_own_stratum() -> None:
    frame = make_frame({"P1": 50, "P2": 50})
    frame.loc[0, "provider_id"] = pd.NA
    with pytest.warns(DataQualityWarning, match="missing"):
        plan = plan_sample(frame, n=10)
    assert "<NA>" in plan.sizes["stratum"].tolist()


def test_neyman_with_anticipated_rates() -> None:
    frame = FRAME.assign(last=np.where(FRAME["provider_id"] == "P1", 0.5, 0.95))
    plan = plan_sample(frame, n=400, allocation="neyman", anticipated="last")
    np.testing.assert_allclose(plan.sizes["anticipated"].to_numpy()[:2], [0.5, 0.95])
    by_map = plan_sample(
        frame,
        n=400,
        allocation="neyman",
        anticipated={"P1": 0.5, "P2": 0.95, "P3": 0.95, "P4": 0.95, "P5": 0.95, "P6": 0.95},
    )
    assert by_map.sizes["n"].tolist() == plan.sizes["n"].tolist()
    with pytest.raises(ValueError, match="needs anticipated"):
        plan_sample(frame, n=400, allocation="neyman")


def test_small_strata_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan_sample(FRAME, n=20, min_per_stratum=0)
    messages = [str(w.message) for w in caught if w.category is SmallStratumWarning]
    assert any("no sample" in m for m in messages)
    with pytest.warns(SmallStratumWarning, match="single unit"):
        plan_sample(FRAME, n=20, min_per_stratum=1)


def test_response_rate_inflates() -> None:
    plan = plan_sample(FRAME, strata=None, margin=0.05, response_rate=0.8)
    base = plan_sample(FRAME, strata=None, margin=0.05)
    assert plan.n == pytest.approx(base.n / 0.8, abs=3)
    assert plan.n_effective == pytest.approx(plan.n * 0.8)


def test_pps_probabilities_cap_and_sum() -> None:
    pi = pps_probabilities(np.array([100.0, 10, 10, 5, 0]), 2)
    # 100 alone exceeds 1: taken with certainty, 1 unit left over 10 : 10 : 5
    np.testing.assert_allclose(pi, [1.0, 0.4, 0.4, 0.2, 0.0])
    assert pps_probabilities(np.array([3.0, 1.0]), 2).tolist() == [1.0, 1.0]


def test_two_stage_plan() -> None:
    frame = make_frame({f"P{i}": 20 + 10 * i for i in range(10)})
    plan = plan_sample(
        frame, psu="provider_id", psu_selection="srs", n_psu=4, allocation="equal", n_per_stratum=5
    )
    assert plan.two_stage and plan.psus is not None and len(plan.psus) == 10
    np.testing.assert_allclose(plan.psus["psu_inclusion_probability"], 0.4)
    assert set(plan.psus["psu_stratum"]) == {"all"}
    assert (plan.psus["psu_population_size"] == 10).all()
    np.testing.assert_allclose(
        plan.sizes["inclusion_probability"], 0.4 * 5 / plan.sizes["N"].to_numpy()
    )
    assert plan.n == 20  # expected 4 psus x 5 filings
    pps = plan_sample(
        frame, psu="provider_id", psu_selection="pps", n_psu=3, allocation="equal", n_per_stratum=5
    )
    sizes = frame["provider_id"].value_counts().sort_index()
    np.testing.assert_allclose(
        pps.psus["psu_inclusion_probability"], 3 * sizes.to_numpy() / sizes.sum()
    )
    # expected total n for a two-stage plan with a given n
    by_n = plan_sample(frame, psu="provider_id", psu_selection="srs", n_psu=5, n=60)
    assert by_n.n in (60, 61)


def test_two_stage_with_psu_strata_and_substrata() -> None:
    frame = make_frame({f"P{i}": 30 for i in range(6)}, provinces=("甲", "乙"))
    frame["tier"] = np.where(frame["provider_id"].isin(["P0", "P1", "P2"]), "big", "small")
    plan = plan_sample(
        frame,
        strata=["provider_id", "sponsor_province"],
        psu="provider_id",
        psu_strata="tier",
        psu_selection="srs",
        n_psu={"big": 1, "small": 2},
        allocation="equal",
        n_per_stratum=3,
    )
    assert plan.sizes["stratum"].iloc[0] == "P0 | 乙"
    probs = dict(zip(plan.psus["psu"], plan.psus["psu_inclusion_probability"], strict=True))
    assert probs["P0"] == pytest.approx(1 / 3) and probs["P5"] == pytest.approx(2 / 3)
    frame.loc[0, "tier"] = "small"
    with pytest.raises(SampleDesignError, match="constant within each psu"):
        plan_sample(frame, psu="provider_id", psu_strata="tier", psu_selection="srs",
                    n_psu=2, allocation="equal", n_per_stratum=3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 10, "allocation": "optimal"}, ValueError,
         r"allocation \('optimal'\) must be one of"),
        ({}, ValueError, "give n, n_per_stratum, margin or target"),
        ({"n": 10, "allocation": "tianjin"}, ValueError, "give only one of n"),
        ({"n": 20_000}, SampleDesignError, r"n \(20000\) exceeds the frame"),
        ({"n": 5}, SampleDesignError, "below the minimum"),
        ({"n": 10, "strata": "nope"}, SampleDesignError, r"no column\(s\) \['nope'\]"),
        ({"margin": 1.5}, ValueError, r"margin \(1.5\) must be in \(0, 1\)"),
        ({"n": 10, "psu_selection": "srs"}, ValueError, "need psu="),
        ({"n": 10, "psu": "provider_id", "psu_selection": "srs"}, ValueError, "needs n_psu"),
        ({"n": 10, "psu": "provider_id", "psu_selection": "cluster"}, ValueError,
         r"psu_selection \('cluster'\) must be one of 'all', 'srs', 'pps', 'poisson'"),
    ],
)
def test_plan_input_validation(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        plan_sample(FRAME, **kwargs)  # type: ignore[arg-type]


def test_result_object_rendering() -> None:
    plan = plan_sample(FRAME, n=500, margin=0.05)
    text = repr(plan)
    assert text.startswith("SamplePlan(strata='provider_id'") and "\n" not in text
    data = plan.to_dict()
    assert data["kind"] == "SamplePlan" and data["schema_version"]
    json.dumps(data)
    assert "<table" in plan._repr_html_() and "margin" in plan._repr_html_()
    with pytest.raises(AttributeError):
        plan.n = 3  # type: ignore[misc]
    design = plan.design()
    assert design["stratum_sizes"]["P1"] == [6000, int(plan.sizes.loc[0, "n"])]
