"""Coverage study on a reduced grid (the full grid is benchmarks/coverage_study.py).

Exact part: Brown, Cai & DasGupta (2001, sect. 2.1) report that at p = 0.005
the standard (Wald) 95 % interval has coverage 0.792 at n = 592 (the same
enumeration gives 0.945 at n = 591: coverage is not monotone in n);
Clopper-Pearson coverage is never below nominal (a theorem: the interval
inverts two exact one-sided tests).

Simulated part: stratified samples from the synthetic registry with true
sponsor accuracy near 0.995; the thresholds are loose (300 replicates give a
Monte Carlo standard error of about 0.013 at 0.95).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from beian_audit.errors import EstimationError
from beian_audit.estimation import proportion_ci
from beian_audit.estimation.coverage import exact_coverage, simulate_coverage


def test_wald_coverage_at_p_0005_reproduces_brown_cai_dasgupta():
    c591 = float(exact_coverage("wald", 591, 0.005)[0])
    c592 = float(exact_coverage("wald", 592, 0.005)[0])
    assert round(c592, 3) == 0.792  # BCD (2001), sect. 2.1
    assert c591 > 0.94 and c591 - c592 > 0.15  # one more trial loses 15 points


def test_exact_coverage_equals_brute_force_enumeration():
    # C(p) = sum_k Binom(k; n, p) 1[L(k) <= p <= U(k)], written out with scipy.
    n, p = 40, 0.83
    brute = sum(
        stats.binom.pmf(k, n, p)
        for k in range(n + 1)
        if proportion_ci(k, n, method="jeffreys").low <= p <= proportion_ci(
            k, n, method="jeffreys").high
    )
    assert float(exact_coverage("jeffreys", n, p)[0]) == pytest.approx(brute, rel=1e-12)


@pytest.mark.parametrize("n", [30, 100])
def test_clopper_pearson_is_never_below_nominal(n):
    p = np.linspace(0.001, 0.999, 400)
    assert (exact_coverage("clopper-pearson", n, p) >= 0.95 - 1e-12).all()
    assert (exact_coverage("clopper-pearson", n, p, alternative="greater") >= 0.95 - 1e-12).all()


def test_exact_coverage_validation():
    with pytest.raises(EstimationError, match="n"):
        exact_coverage("wilson", 0, 0.5)
    with pytest.raises(EstimationError, match="p must lie"):
        exact_coverage("wilson", 10, 1.5)


@pytest.fixture(scope="module")
def registry_995() -> pd.DataFrame:
    from beian_audit.synthetic import generate_registry

    frame = generate_registry(8_000, seed=5, sponsor_accuracy=0.995, n_providers=60)
    return pd.DataFrame({"provider": frame["provider_id"].astype(str),
                         "ok": frame["truth_sponsor_ok"].astype(bool).astype(int)})


def test_simulated_coverage_near_995(registry_995):
    big_n = registry_995.groupby("provider").size()
    sizes = np.minimum(big_n, np.maximum(2, np.round(big_n / big_n.sum() * 300))).astype(int)
    out = simulate_coverage(registry_995, "ok", strata="provider", sizes=sizes, reps=300, rng=11,
                            methods=["korn-graubard", "beta", "mean"]).set_index("method")
    assert 0.99 < out.loc["korn-graubard", "truth"] < 1.0
    # samples without any failure occur (R's "beta" would be NaN there) ...
    assert out.loc["korn-graubard", "r_beta_undefined"] > 0.02
    # ... and the default still holds its one-sided and two-sided coverage
    assert out.loc["korn-graubard", "coverage_lower"] >= 0.92
    assert out.loc["korn-graubard", "coverage"] >= 0.92
    # the Wald-t interval does worse on the side that decides "met"
    assert out.loc["mean", "coverage_lower"] < out.loc["korn-graubard", "coverage_lower"]


def test_simulate_coverage_validation(registry_995):
    sizes = registry_995.groupby("provider").size() + 1
    with pytest.raises(EstimationError, match="sizes"):
        simulate_coverage(registry_995, "ok", strata="provider", sizes=sizes, reps=2, rng=1)
