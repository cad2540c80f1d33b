"""Verifier error: double-verification subsample, Cohen's kappa, Rogan–Gladen correction.

References used here (none produced by the code under test):

* statsmodels ``cohens_kappa`` (kappa, ``var_kappa`` and ``var_kappa0`` of
  Fleiss, Cohen & Everitt 1969) for :func:`verifier_agreement`;
* the closed form of Rogan & Gladen (1978), computed by hand in the test;
* simulation of known truths for bias and coverage (reduced grid of
  ``benchmarks/coverage_misclassification.py``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from beian_audit.errors import ArgumentError, BeianAuditError, EstimationError
from beian_audit.estimation import estimate_proportion
from beian_audit.estimation.misclassification import (
    corrected_accuracy,
    double_verification_subsample,
    verifier_agreement,
)
from beian_audit.sampling import draw_sample, plan_sample, prn


# --------------------------------------------------------------------------- subsample
@pytest.fixture(scope="module")
def sample():
    frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(3000)],
                          "provider_id": ["P1"] * 2000 + ["P2"] * 900 + ["P3"] * 100})
    return draw_sample(frame, plan_sample(frame, n=300), seed=2013)


def test_subsample_sizes_and_reproducible(sample) -> None:
    sub = double_verification_subsample(sample, 0.10)
    per = sample.frame.groupby("stratum").size()
    got = sub.groupby("stratum").size()
    assert got.to_dict() == {s: math.ceil(0.10 * k) for s, k in per.items()}
    again = double_verification_subsample(sample.frame, 0.10, seed=sample.seed)
    pd.testing.assert_frame_equal(sub, again)
    assert set(sub.index) <= set(sample.frame.index)


def test_subsample_is_smallest_second_prn(sample) -> None:
    # independent recomputation: stream-2 PRN of the key, smallest ceil(f n_h) per stratum
    u = prn(sample.frame["website_id"], sample.seed, stream=2)
    ref = sample.frame.assign(u2=u)
    expected = set()
    for _, g in ref.groupby("stratum"):
        expected |= set(g.nsmallest(math.ceil(0.2 * len(g)), "u2").index)
    assert set(double_verification_subsample(sample, 0.2).index) == expected


def test_subsample_nested_and_independent_of_draw(sample) -> None:
    small = set(double_verification_subsample(sample, 0.1).index)
    large = set(double_verification_subsample(sample, 0.3).index)
    assert small <= large
    sub = double_verification_subsample(sample, 0.5)
    assert abs(np.corrcoef(sub["prn"], sub["double_prn"])[0, 1]) < 0.25


def test_subsample_errors(sample) -> None:
    with pytest.raises(ArgumentError, match="fraction"):
        double_verification_subsample(sample, 0.0)
    with pytest.raises(ArgumentError, match="seed"):
        double_verification_subsample(sample.frame)
    with pytest.raises(BeianAuditError, match="no column"):
        double_verification_subsample(sample.frame, seed=1, strata="province")


# --------------------------------------------------------------------------- kappa
@pytest.mark.parametrize("table", [
    [[38, 2], [2, 8]],
    [[120, 14, 3], [9, 60, 5], [1, 4, 22]],
    [[50, 0], [3, 1]],
])
def test_kappa_matches_statsmodels(table) -> None:
    t = np.array(table)
    k = t.shape[0]
    first = np.repeat(np.repeat(np.arange(k), k), t.ravel())
    second = np.repeat(np.tile(np.arange(k), k), t.ravel())
    got = verifier_agreement(first, second)
    ref = cohens_kappa(t)
    assert got.kappa == pytest.approx(ref.kappa, abs=1e-12)
    assert got.se == pytest.approx(math.sqrt(ref.var_kappa), abs=1e-12)
    assert got.se_null == pytest.approx(math.sqrt(ref.var_kappa0), abs=1e-12)
    z = 1.959963984540054
    assert got.ci_low == pytest.approx(max(ref.kappa - z * math.sqrt(ref.var_kappa), -1), abs=1e-9)
    assert got.n == t.sum()


def test_kappa_by_hand_and_missing() -> None:
    # p_o = 46/50, p_e = 0.8*0.8 + 0.2*0.2 = 0.68 -> kappa = 0.24/0.32 = 0.75
    a = ["correct"] * 40 + ["incorrect"] * 10 + [None]
    b = ["correct"] * 38 + ["incorrect"] * 10 + ["correct"] * 2 + ["correct"]
    r = verifier_agreement(a, b)
    assert r.kappa == pytest.approx(0.75) and r.n == 50 and r.n_dropped == 1
    assert r.to_frame().shape == (1, 10)
    with pytest.raises(EstimationError):
        verifier_agreement([None], [True])
    assert math.isnan(verifier_agreement([True] * 5, [True] * 5).kappa)


# --------------------------------------------------------------------------- Rogan-Gladen
def test_rogan_gladen_closed_form_known_rates() -> None:
    # by hand: pi = (p + Sp - 1) / (Se + Sp - 1) = (0.7 + 0.8 - 1) / (0.9 + 0.8 - 1) = 0.5/0.7
    r = corrected_accuracy(0.70, se=0.02, sensitivity=0.90, specificity=0.80)
    assert r.estimate == pytest.approx(0.5 / 0.7, abs=1e-15)
    assert r.se == pytest.approx(0.02 / 0.7, abs=1e-15)
    z = 1.959963984540054
    assert r.ci_low == pytest.approx((0.70 - z * 0.02 + 0.8 - 1) / 0.7, abs=1e-12)
    # perfect verifiers change nothing
    assert corrected_accuracy(0.7, n=100, sensitivity=1.0, specificity=1.0).estimate == 0.7


def test_rogan_gladen_closed_form_validation_subsample() -> None:
    # validation: 45 reference-correct (43 called correct), 15 reference-incorrect
    # (13 called incorrect) -> Se = 43/45, Sp = 13/15
    ref = [1] * 45 + [0] * 15
    ver = [1] * 43 + [0] * 2 + [0] * 13 + [1] * 2
    r = corrected_accuracy(0.72, n=600, reference=ref, verified=ver)
    se_, sp_ = 43 / 45, 13 / 15
    j = se_ + sp_ - 1
    pi = (0.72 + sp_ - 1) / j
    var = (0.72 * 0.28 / 600 + pi**2 * se_ * (1 - se_) / 45 + (1 - pi) ** 2 * sp_ * (1 - sp_) / 15)
    assert r.estimate == pytest.approx(pi, abs=1e-14)
    assert r.se == pytest.approx(math.sqrt(var / j**2), abs=1e-14)
    assert (r.sensitivity, r.specificity) == (pytest.approx(se_), pytest.approx(sp_))
    adj = corrected_accuracy(0.72, n=600, reference=ref, verified=ver, method="adjusted")
    assert adj.estimate == r.estimate and adj.se > r.se


def test_design_estimate_input() -> None:
    rng = np.random.default_rng(5)
    s = pd.DataFrame({"stratum": np.repeat(["a", "b"], 100),
                      "population_size": np.repeat([1000, 3000], 100),
                      "ok": rng.random(200) < 0.8})
    est = estimate_proportion(s, "ok", strata="stratum", population_size="population_size")
    r = corrected_accuracy(est, sensitivity=0.95, specificity=0.9)
    assert r.apparent == pytest.approx(est.estimate)
    assert r.ci_low == pytest.approx(max((est.ci.low + 0.9 - 1) / 0.85, 0), abs=1e-12)


def test_correction_errors() -> None:
    with pytest.raises(EstimationError, match="no better than chance"):
        corrected_accuracy(0.6, n=100, sensitivity=0.5, specificity=0.5)
    with pytest.raises(EstimationError, match="reference-incorrect"):
        corrected_accuracy(0.6, n=100, reference=[1, 1], verified=[1, 0])
    with pytest.raises(ArgumentError):
        corrected_accuracy(0.6, sensitivity=0.9, specificity=0.9)  # neither n nor se
    with pytest.raises(ArgumentError):
        corrected_accuracy(0.6, n=10, sensitivity=0.9)
    with pytest.raises(ArgumentError, match="not an outcome"):
        corrected_accuracy(["correct", "maybe"], sensitivity=0.9, specificity=0.9)


# --------------------------------------------------------------------------- simulation
def test_simulation_recovers_truth_and_covers() -> None:
    """Reduced grid of benchmarks/coverage_misclassification.py (400 replicates per cell).

    Known Se/Sp: mean estimate within 4 Monte Carlo SEs of the truth, coverage within
    4 SEs of 0.95 (Wilson mapped through the correction). Validated Se/Sp (delta):
    coverage at least 0.95 - 4 SE.
    """
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from coverage_misclassification import table

    reps = 400
    out = table([(0.75, 0.95, 0.90, 600, 0.10), (0.90, 0.99, 0.95, 600, 0.10)], reps, 2013)
    mc = math.sqrt(0.95 * 0.05 / reps)
    for _, row in out.iterrows():
        if row["setting"] == "known":
            # sd of the estimate ~ sqrt(p(1-p)/n)/J <= 0.025 -> MC sd of the mean <= 0.00125
            assert abs(row["bias"]) < 0.005, row.to_dict()
            assert abs(row["coverage"] - 0.95) < 4 * mc, row.to_dict()
        elif row["setting"] == "delta":
            assert abs(row["bias"]) < 0.01, row.to_dict()
            assert row["coverage"] > 0.95 - 4 * mc, row.to_dict()
        else:
            assert row["coverage"] > 0.95 - 4 * mc, row.to_dict()
