"""Tests of beian_audit.estimation.targets.assess_target.

Expected p-values come from scipy (exact binomial test, normal score test);
the additional-sample rule is checked against its closed form for the
Clopper-Pearson bound with no failure, and against proportion_ci.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from beian_audit.errors import EstimationError
from beian_audit.estimation import (
    DESIGN_METHODS,
    SRS_METHODS,
    ConfidenceInterval,
    assess_target,
    design_proportion_ci,
    estimate_proportion,
    proportion_ci,
)

DATA = Path(__file__).parent / "data" / "r_survey"


@pytest.mark.parametrize(("k", "n"), [(597, 600), (600, 600), (590, 600), (455, 600), (440, 600),
                                      (1990, 2000), (29, 30)])
@pytest.mark.parametrize("target", [0.75, 0.995, 0.9])
def test_clopper_pearson_p_value_is_the_exact_binomial_test(k, n, target):
    # H0: rate < target vs H1: rate >= target -> scipy.stats.binomtest(..., "greater").
    a = assess_target(proportion_ci(k, n, method="clopper-pearson"), target)
    assert a.p_value == pytest.approx(
        stats.binomtest(k, n, target, alternative="greater").pvalue, rel=1e-8, abs=1e-300
    )
    assert a.p_value_not_met == pytest.approx(
        stats.binomtest(k, n, target, alternative="less").pvalue, rel=1e-8, abs=1e-300
    )


@pytest.mark.parametrize(("k", "n", "target"), [(597, 600, 0.995), (455, 600, 0.75),
                                                (440, 600, 0.75), (600, 600, 0.995)])
def test_wilson_p_value_is_the_score_test(k, n, target):
    # Score test: z = (p_hat - t) / sqrt(t (1 - t) / n), p = 1 - Phi(z).
    z = (k / n - target) / math.sqrt(target * (1 - target) / n)
    a = assess_target(proportion_ci(k, n), target)
    assert a.p_value == pytest.approx(stats.norm.sf(z), rel=1e-8)
    assert a.p_value_not_met == pytest.approx(stats.norm.cdf(z), rel=1e-8)


def test_statuses_for_both_targets():
    # 600/600: one-sided 95 % CP bound 0.05^(1/600) = 0.99502 >= 0.995 -> met.
    assert assess_target(proportion_ci(600, 600, method="clopper-pearson"), 0.995).status == "met"
    # 597/600 straddles 0.995 -> inconclusive; 590/600 upper bound < 0.995 -> not met.
    assert assess_target(proportion_ci(597, 600), 0.995).status == "inconclusive"
    assert assess_target(proportion_ci(590, 600), 0.995).status == "not_met"
    # 75 % target: 480/600 = 0.80 met, 420/600 = 0.70 not met, 452/600 inconclusive.
    assert assess_target(proportion_ci(480, 600), 0.75).status == "met"
    assert assess_target(proportion_ci(420, 600), 0.75).status == "not_met"
    a = assess_target(proportion_ci(452, 600), 0.75)
    assert a.status == "inconclusive" and a.margin == pytest.approx(452 / 600 - 0.75)
    assert "\n" not in repr(a) and a.to_dict()["records"][0]["status"] == "inconclusive"


def test_additional_n_closed_form_for_no_failures():
    # With no failure, the one-sided 95 % Clopper-Pearson bound is 0.05^(1/n);
    # it reaches 0.995 at n = ceil(log 0.05 / log 0.995) = 598. From 300 checks
    # with no failure, 298 more are needed (the estimate 1 has no variance, so
    # power does not matter).
    a = assess_target(proportion_ci(300, 300, method="clopper-pearson"), 0.995)
    assert a.status == "inconclusive"
    assert a.additional_n_needed == math.ceil(math.log(0.05) / math.log(0.995)) - 300 == 298


@pytest.mark.parametrize("method", SRS_METHODS)
def test_additional_n_at_half_power_clears_the_bound(method):
    # power = 0.5: at the current estimate, n + additional is the first size at
    # which the bound clears the target (checked with proportion_ci itself).
    k, n, target = 497, 500, 0.99
    a = assess_target(proportion_ci(k, n, method=method), target, power=0.5)
    assert a.status == "inconclusive"
    n_new = n + a.additional_n_needed
    p = k / n
    bound = lambda m: proportion_ci(p * m, m, method=method, alternative="greater").low  # noqa: E731
    assert bound(n_new) >= target > bound(n_new - 1)
    # asking for more power needs more observations
    assert assess_target(proportion_ci(k, n, method=method), target, power=0.9) \
        .additional_n_needed > a.additional_n_needed


def test_estimate_equal_to_target_never_decides():
    a = assess_target(proportion_ci(597, 600), 0.995)
    assert a.margin == 0 and math.isinf(a.additional_n_needed)


def test_design_based_estimate_with_domains():
    frame = pd.read_csv(DATA / "design_stratified.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = estimate_proportion(frame, "y75", by="province")
        a = assess_target(est, 0.75)
    t = a.to_frame()
    assert list(t["level"]) == ["domain"] * 3 + ["total"]
    assert a.by is not None and list(a.by["province"]) == ["A", "B", "C"]
    assert set(t["status"]) <= {"met", "not_met", "inconclusive"}
    # decisions agree with the one-sided bounds of the estimate's own method
    lower = est.with_interval(alternative="greater").to_frame()["ci_low"]
    upper = est.with_interval(alternative="less").to_frame()["ci_high"]
    np.testing.assert_allclose(t["lower_bound"], lower, rtol=1e-14)
    np.testing.assert_allclose(t["upper_bound"], upper, rtol=1e-14)
    # an inconclusive domain asks for more data, a decided one for none
    assert ((t["status"] == "inconclusive") == (t["additional_n_needed"] > 0)).all()
    # additional sample never exceeds a census of the domain
    assert (t["n"] + t["additional_n_needed"] <= np.ceil(est.to_frame()["population_size"])).all()


def test_bare_interval_only_at_its_own_level():
    ci = ConfidenceInterval(low=0.996, high=0.999, confidence_level=0.90)
    # a two-sided 90 % interval holds one-sided 95 % bounds
    a = assess_target(ci, 0.995, confidence_level=0.95)
    assert a.status == "met" and math.isnan(a.p_value) and a.additional_n_needed == 0
    undecided = assess_target(ConfidenceInterval(low=0.99, high=0.999, confidence_level=0.9), 0.995)
    assert undecided.status == "inconclusive" and math.isnan(undecided.additional_n_needed)
    with pytest.raises(EstimationError, match=r"confidence_level=0.95"):
        assess_target(ci, 0.995, confidence_level=0.99)


def test_validation():
    ci = proportion_ci(5, 10)
    for bad in (0, 1, 1.5, "0.9", True):
        with pytest.raises(EstimationError, match="target"):
            assess_target(ci, bad)  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="confidence_level"):
        assess_target(ci, 0.5, confidence_level=1.0)
    with pytest.raises(EstimationError, match="power"):
        assess_target(ci, 0.5, power=1.0)
    with pytest.raises(EstimationError, match="must be a ProportionEstimate or a Confidence"):
        assess_target(0.99, 0.5)  # type: ignore[arg-type]


@settings(max_examples=40)
@given(
    p=st.floats(min_value=0, max_value=1),
    deff=st.floats(min_value=0.3, max_value=5),
    n=st.integers(min_value=5, max_value=3000),
    method=st.sampled_from(DESIGN_METHODS),
    target=st.floats(min_value=0.05, max_value=0.999),
    level=st.floats(min_value=0.6, max_value=0.995),
)
def test_decision_and_p_value_agree(p, deff, n, method, target, level):
    se = math.sqrt(deff * p * (1 - p) / n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ci = design_proportion_ci(p, se, n=n, df=n // 2, method=method)
        a = assess_target(ci, target, confidence_level=level)
    alpha = 1 - level
    if a.status == "met":
        assert a.p_value <= alpha * (1 + 1e-9)
    elif a.p_value < alpha * (1 - 1e-6):
        pytest.fail(f"p-value {a.p_value} < {alpha} but status {a.status}")
    if a.status == "not_met":
        assert a.p_value_not_met <= alpha * (1 + 1e-9)
    assert a.lower_bound <= a.upper_bound


# --------------------------------------------------------------------------- multiplicity (#11.4)
def _providers_frame(shares, n, big_n, rng):
    """Stratified SRSWOR of n filings from each provider of big_n with the given true shares."""
    parts = []
    for i, share in enumerate(shares):
        pop = np.r_[np.ones(round(share * big_n)), np.zeros(big_n - round(share * big_n))]
        parts.append(pd.DataFrame({"provider_id": f"P{i:02d}",
                                   "ok": rng.permutation(pop)[:n], "N": big_n}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def test_adjusted_p_values_equal_statsmodels_multipletests():
    from statsmodels.stats.multitest import multipletests

    from beian_audit.estimation.targets import adjust_p_values

    rng = np.random.default_rng(4)
    frame = _providers_frame([0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.55, 0.85], 30, 200, rng)
    with warnings.catch_warnings():  # providers with every checked filing correct
        warnings.simplefilter("ignore")
        est = estimate_proportion(frame, "ok", strata="provider_id", population_size="N",
                                  by="provider_id")  # fmt: skip
    raw = assess_target(est, 0.75, multiplicity="none").table
    dom = raw["level"] == "domain"
    for method in ("holm", "fdr_bh"):
        a = assess_target(est, 0.75, multiplicity=method)
        t = a.to_frame()
        for col in ("p_value", "p_value_not_met"):
            ref = multipletests(raw.loc[dom, col].to_numpy(), method=method)[1]
            assert np.allclose(t.loc[dom, f"{col}_adjusted"], ref, rtol=1e-12, atol=0)
            # the total row is a family of one
            assert t.loc[~dom, f"{col}_adjusted"].tolist() == t.loc[~dom, col].tolist()
        assert a.multiplicity == method and (t.loc[dom, "multiplicity"] == method).all()
        assert (t.loc[~dom, "multiplicity"] == "none").all()
        assert a.to_dict()["records"][0]["multiplicity"] == method
        # verdicts follow the adjusted p-values; never more decided than unadjusted
        assert ((t["status"] == "met") <= (raw["status"] == "met")).all()
        assert ((t.loc[dom, "status"] == "met")
                == (t.loc[dom, "p_value_adjusted"] <= 0.05)).all()  # fmt: skip
        assert t.loc[~dom, "status"].tolist() == raw.loc[~dom, "status"].tolist()
    # hand-computed: Holm sorts 0.01, 0.03, 0.04 -> 3 x 0.01, max(2 x 0.03, .), max(1 x 0.04, .)
    assert np.allclose(adjust_p_values([0.01, 0.04, 0.03], "holm"), [0.03, 0.06, 0.06])
    # Benjamini-Hochberg: 0.01 x 3/1, min(0.03 x 3/2, 0.04), 0.04 x 3/3
    assert np.allclose(adjust_p_values([0.01, 0.04, 0.03], "fdr_bh"), [0.03, 0.04, 0.04])
    assert assess_target(est, 0.75).multiplicity == "holm"  # the default
    with pytest.raises(EstimationError, match="multiplicity"):
        assess_target(est, 0.75, multiplicity="bonferroni")  # type: ignore[arg-type]


def test_holm_keeps_the_familywise_error_across_30_providers_at_target():
    # 30 providers of 400 filings, exactly 300 correct each (true share = the 75 % target),
    # 40 checked per provider (stratified SRSWOR). "not_met" is then a wrong verdict for
    # every provider. Unadjusted, some provider is wrongly "not_met" in ~45 % of samples;
    # with Holm the familywise rate must stay at 5 % (plus Monte Carlo error).
    rng = np.random.default_rng(11)
    reps, wrong_none, wrong_holm = 30, 0, 0
    for _ in range(reps):
        frame = _providers_frame([0.75] * 30, 40, 400, rng)
        est = estimate_proportion(frame, "ok", strata="provider_id", population_size="N",
                                  by="provider_id")  # fmt: skip
        wrong_none += (assess_target(est, 0.75, multiplicity="none").by["status"]
                       == "not_met").any()  # fmt: skip
        wrong_holm += (assess_target(est, 0.75).by["status"] == "not_met").any()
    assert wrong_holm / reps <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / reps)
    assert wrong_none / reps > 0.2  # the old behaviour


@pytest.mark.parametrize("seed", range(20))
def test_holm_closed_form_equals_statsmodels_multipletests(seed: int) -> None:
    # adjust_p_values computes Holm itself (statsmodels' holm branch calls gc.collect()
    # on every call); the reference is statsmodels' own multipletests(method="holm").
    from statsmodels.stats.multitest import multipletests

    from beian_audit.estimation.targets import adjust_p_values

    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 60))
    p = rng.choice([rng.random(m), rng.random(m) ** 6, np.round(rng.random(m), 2)])  # ties
    p[rng.random(m) < 0.1] = 1.0
    np.testing.assert_allclose(adjust_p_values(p, "holm"),
                               multipletests(p, method="holm")[1], rtol=0, atol=1e-15)
