"""The boundary rule with unequal weights, and the method-weakness warnings.

When every checked unit passes (estimate 1, or 0), the variance is 0 and says
nothing; the effective size of the interval is then the weight-based
:math:`n/\\mathrm{deff_{Kish}}` (Kish 1965), the size the planner asks for, and
no longer ``n``. References used here:

* closed form: the one-sided Clopper-Pearson lower bound at ``x = m`` successes
  of ``m`` is :math:`\\alpha^{1/m}` (Clopper & Pearson 1934), and Kish's design
  effect :math:`n\\sum w^2/(\\sum w)^2`, as computed by the planner
  (:func:`beian_audit.sampling.allocation.kish_deff`, tested against its
  closed form in ``tests/test_sampling_allocation.py``);
* simulation: one-sided coverage of the 95 % lower bound in the scenario of
  issue #11.2 (equal allocation of 140 per provider over very unequal
  providers, true rate 0.9932 with the failures in the largest provider, so
  that about a quarter of the samples hold no failure). With the old rule
  (effective size ``n``) ``assess_target(e, 0.995)`` said "met" in those
  samples and the coverage was about 0.76; the full grid is
  ``benchmarks/coverage_boundary.py``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from beian_audit.errors import (
    BeianAuditWarning,
    DegenerateIntervalWarning,
    MethodWeaknessWarning,
)
from beian_audit.estimation import assess_target, design_proportion_ci, estimate_proportion
from beian_audit.estimation.coverage import simulate_coverage
from beian_audit.sampling.allocation import kish_deff

SIZES = np.array([60000, 9000, 6000, 4000, 3000, 2000, 1500, 1000, 500, 300])
PER_PROVIDER = 140


def _population(rate: float = 0.9932) -> pd.DataFrame:
    """Providers of very unequal size; every failure in the largest one."""
    failures = round(SIZES.sum() * (1 - rate))
    y = [np.r_[np.zeros(failures), np.ones(SIZES[0] - failures)]]
    y += [np.ones(s) for s in SIZES[1:]]
    return pd.DataFrame({
        "provider": np.repeat([f"P{i:02d}" for i in range(SIZES.size)], SIZES),
        "ok": np.concatenate(y).astype(int),
    })


def _all_pass_sample() -> pd.DataFrame:
    return pd.DataFrame({
        "stratum": np.repeat([f"P{i:02d}" for i in range(SIZES.size)], PER_PROVIDER),
        "population_size": np.repeat(SIZES, PER_PROVIDER),
        "ok": 1,
    })


def test_boundary_effective_size_is_n_over_kish_deff():
    sample = _all_pass_sample()
    deff = kish_deff(SIZES, np.full(SIZES.size, PER_PROVIDER))  # the planner's number
    with pytest.warns(DegenerateIntervalWarning, match="deff_Kish"):
        est = estimate_proportion(sample, "ok", alternative="greater")
    assert est.estimate == 1.0 and est.ci.note == "boundary"
    assert est.deff_kish == pytest.approx(deff, rel=1e-12)
    assert est.n_effective == pytest.approx(est.n / deff, rel=1e-12)
    # Clopper-Pearson at x = m = n / deff: lower bound alpha ** (1 / m)
    assert est.ci.low == pytest.approx(0.05 ** (deff / est.n), rel=1e-12)
    assert est.ci.low < 0.995  # with m = n = 1400 it was 0.05 ** (1/1400) = 0.99786
    a = assess_target(est, 0.995)
    assert a.status == "inconclusive"  # was "met" under the old rule
    # the ConfidenceInterval carries deff_kish, so it gives the same decision
    assert assess_target(est.ci, 0.995).lower_bound == pytest.approx(a.lower_bound, rel=1e-12)


def test_equal_weights_keep_the_nchs_rule():
    # with equal weights deff_Kish = 1: effective size n, as before
    frame = pd.DataFrame({"ok": np.ones(600, int)})
    with pytest.warns(DegenerateIntervalWarning):
        est = estimate_proportion(frame, "ok", alternative="greater")
    assert est.deff_kish == 1.0
    assert est.ci.low == pytest.approx(0.05 ** (1 / 600), rel=1e-12)
    assert assess_target(est, 0.995).status == "met"


def test_design_proportion_ci_takes_deff_kish():
    base = design_proportion_ci(1.0, 0.0, n=1400, df=1390, alternative="greater")
    kish = design_proportion_ci(1.0, 0.0, n=1400, df=1390, alternative="greater",
                                deff_kish=4.0)
    assert base.low == pytest.approx(0.05 ** (1 / 1400), rel=1e-12)
    assert kish.low == pytest.approx(0.05 ** (1 / 350), rel=1e-12)
    assert kish.deff_kish == 4.0
    # the other end is the mirror image
    zero = design_proportion_ci(0.0, 0.0, n=1400, df=1390, alternative="less", deff_kish=4.0)
    assert zero.high == pytest.approx(1 - 0.05 ** (1 / 350), rel=1e-12)


def test_one_sided_coverage_at_the_boundary_reaches_nominal():
    # Reduced grid of benchmarks/coverage_boundary.py: 400 samples give a Monte
    # Carlo SE of about 0.011 at 0.95. Old rule: coverage_lower about 0.76.
    pop = _population()
    sizes = {f"P{i:02d}": PER_PROVIDER for i in range(SIZES.size)}
    out = simulate_coverage(pop, "ok", strata="provider", sizes=sizes, reps=400, rng=20131,
                            methods=["korn-graubard", "likelihood"])
    row = out.set_index("method")
    assert 0.15 < row.loc["korn-graubard", "degenerate"] < 0.35  # ~ a quarter all pass
    for method in ("korn-graubard", "likelihood"):
        assert row.loc[method, "coverage_lower"] >= 0.93, method


def test_assess_target_says_met_no_more_often_than_alpha():
    # The decision itself, on 200 samples of the same scenario: the truth
    # (0.9932) is below 0.995, so every "met" is a wrong decision.
    pop = _population()
    rng = np.random.default_rng(7)
    codes = pop["provider"].to_numpy()
    y = pop["ok"].to_numpy()
    rows = []
    for h, size in zip(np.unique(codes), SIZES, strict=True):
        rows.append(np.flatnonzero(codes == h))
        assert rows[-1].size == size
    met = 0
    reps = 200
    for _ in range(reps):
        picked = np.concatenate([rng.choice(r, PER_PROVIDER, replace=False) for r in rows])
        sample = pd.DataFrame({
            "stratum": codes[picked],
            "population_size": np.repeat(SIZES, PER_PROVIDER),
            "ok": y[picked],
        })
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BeianAuditWarning)
            met += assess_target(estimate_proportion(sample, "ok"), 0.995).status == "met"
    # binomial(200, 0.05) exceeds 18 with probability < 0.01; old rule: ~ 50
    assert met <= 18


# --------------------------------------------------------------------------- warnings
def _rare_unequal_sample() -> pd.DataFrame:
    sample = _all_pass_sample()
    sample.loc[[0, 200], "ok"] = 0  # two failures: rare, weights unequal
    return sample


@pytest.mark.parametrize("method", ["beta", "logit", "mean", "wilson", "clopper-pearson",
                                    "jeffreys", "asin", "likelihood"])
def test_weak_methods_warn_on_rare_events_with_unequal_weights(method):
    with pytest.warns(MethodWeaknessWarning, match="rare outcome"):
        estimate_proportion(_rare_unequal_sample(), "ok", method=method)


def test_default_method_does_not_warn_of_weakness():
    with warnings.catch_warnings():
        warnings.simplefilter("error", MethodWeaknessWarning)
        est = estimate_proportion(_rare_unequal_sample(), "ok")
    with pytest.warns(MethodWeaknessWarning):
        est.with_interval(method="beta")


def test_no_weakness_warning_with_equal_weights_or_common_events():
    frame = pd.DataFrame({"ok": np.r_[np.zeros(2), np.ones(598)].astype(int)})
    common = _all_pass_sample()
    common.loc[::3, "ok"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", MethodWeaknessWarning)
        estimate_proportion(frame, "ok", method="wilson")  # equal weights, df = 599
        estimate_proportion(common, "ok", method="beta")  # a third fail


def test_small_df_warns_for_methods_without_df_correction():
    frame = pd.DataFrame({"stratum": np.repeat(list("abcdefghij"), 2),
                          "ok": [1, 0] * 10})
    with pytest.warns(MethodWeaknessWarning, match="degrees of freedom"):
        estimate_proportion(frame, "ok", method="wilson-normal")  # df = 10
    with warnings.catch_warnings():
        warnings.simplefilter("error", MethodWeaknessWarning)
        estimate_proportion(frame, "ok", method="logit")  # t-based


def test_weakness_warning_is_in_the_package_tree():
    assert issubclass(MethodWeaknessWarning, BeianAuditWarning)
    assert issubclass(MethodWeaknessWarning, RuntimeWarning)
    assert math.isfinite(kish_deff(SIZES, np.full(SIZES.size, PER_PROVIDER)))
