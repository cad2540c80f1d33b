"""Numerical edge cases of the intervals and the target decision (issue #12.9).

Properties checked with hypothesis over methods, levels from 1e-15 to
1 - 1e-15, counts, standard errors, degrees of freedom and weight ranges:

* an interval is never NaN for valid input, lies in [0, 1] and contains the
  estimate (also one-sided Jeffreys at low levels, where the bound at tail
  probability 1/2 is the posterior median, not the estimate);
* ``assess_target`` never says "met" for a NaN, inverted or out-of-range
  interval, and "met" always means lower bound >= target;
* a level whose tail probability cannot be represented, or weights whose sum
  overflows, give a typed error (``EstimationError``), never a silent NaN.

The reference for "contains the estimate" is the definition of a bound at
tail probability a <= 1/2; the exact Jeffreys numbers are Beta quantiles
(scipy.stats.beta.ppf).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from beian_audit.errors import BeianAuditWarning, EstimationError
from beian_audit.estimation import (
    DESIGN_METHODS,
    SRS_METHODS,
    ConfidenceInterval,
    assess_target,
    design_proportion_ci,
    estimate_proportion,
    proportion_ci,
)

ALTERNATIVES = ["two-sided", "greater", "less"]
levels = st.one_of(
    st.sampled_from([1e-15, 1e-12, 0.01, 0.3, 0.5, 0.9, 0.95, 0.99, 1 - 1e-12, 1 - 1e-15]),
    st.floats(min_value=1e-15, max_value=1 - 1e-15),
)


@st.composite
def counts(draw):
    n = draw(st.integers(min_value=1, max_value=100_000))
    k = draw(st.integers(min_value=0, max_value=n))
    return k, n


@settings(max_examples=300, deadline=None)
@given(counts(), st.sampled_from(SRS_METHODS), levels, st.sampled_from(ALTERNATIVES))
def test_srs_interval_is_finite_and_contains_the_estimate(kn, method, level, alternative):
    k, n = kn
    ci = proportion_ci(k, n, method=method, confidence_level=level, alternative=alternative)
    assert math.isfinite(ci.low) and math.isfinite(ci.high)
    assert 0.0 <= ci.low <= k / n <= ci.high <= 1.0


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=0.5),
    st.integers(min_value=1, max_value=10**6),
    st.one_of(st.integers(min_value=-2, max_value=10**6).map(float), st.just(math.inf)),
    st.floats(min_value=1.0, max_value=1e6),
    st.sampled_from(DESIGN_METHODS),
    levels,
    st.sampled_from(ALTERNATIVES),
)
def test_design_interval_is_finite_and_contains_the_estimate(
    p, se, n, df, deff_kish, method, level, alternative
):
    ci = design_proportion_ci(p, se, n=n, df=df, method=method, confidence_level=level,
                              alternative=alternative, deff_kish=deff_kish)
    assert math.isfinite(ci.low) and math.isfinite(ci.high), ci
    assert 0.0 <= ci.low <= p <= ci.high <= 1.0


@pytest.mark.parametrize("level", [0.5, 0.3, 1e-12])
def test_one_sided_jeffreys_at_low_levels_contains_the_estimate(level):
    # At level 0.5 the old bound was the posterior median of Beta(1.5, 9.5),
    # 0.1143 > 0.1 = the estimate.
    median = stats.beta.ppf(0.5, 1.5, 9.5)
    assert median > 0.1
    ci = proportion_ci(1, 10, method="jeffreys", alternative="greater", confidence_level=level)
    assert ci.low <= 0.1
    ci = proportion_ci(9, 10, method="jeffreys", alternative="less", confidence_level=level)
    assert ci.high >= 0.9
    # two-sided, level 1e-300: both tails 1/2 (rounded), used to give [median, median]
    ci = design_proportion_ci(0.99, 0.004, n=600, df=550, method="jeffreys",
                              confidence_level=1e-15)
    assert ci.low <= 0.99 <= ci.high


def test_one_sided_jeffreys_at_level_one_half_is_clamped_to_the_estimate():
    ci = proportion_ci(1, 10, method="jeffreys", alternative="greater", confidence_level=0.5)
    assert ci.low == pytest.approx(0.1)


@pytest.mark.parametrize("level", [5e-324, 1e-17, 1e-300])
def test_unrepresentable_levels_raise(level):
    with pytest.raises(EstimationError, match="too close to 0"):
        proportion_ci(3, 10, confidence_level=level)
    with pytest.raises(EstimationError, match="too close to 0"):
        design_proportion_ci(0.5, 0.1, n=30, df=20, confidence_level=level)


@pytest.mark.parametrize(("low", "high"), [(0.999, 0.99), (math.nan, 1.0), (0.999, math.nan),
                                            (1.2, 1.5), (0.9991, 0.999)])
def test_inverted_or_nan_interval_is_never_met(low, high):
    ci = ConfidenceInterval(low=low, high=high, confidence_level=0.9)  # one-sided 0.95
    a = assess_target(ci, 0.995)
    assert a.status == "inconclusive"
    assert a.note == "invalid_interval"
    assert math.isnan(a.p_value)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True),
       st.floats(allow_nan=True, allow_infinity=True),
       st.floats(min_value=0.01, max_value=0.99))
def test_met_only_for_a_valid_interval_above_the_target(low, high, target):
    a = assess_target(ConfidenceInterval(low=low, high=high, confidence_level=0.9), target,
                      confidence_level=0.95)
    if a.status == "met":
        assert 0.0 <= low <= high <= 1.0 and low >= target


@settings(max_examples=100, deadline=None)
@given(counts(), st.sampled_from(SRS_METHODS), levels,
       st.floats(min_value=1e-6, max_value=1 - 1e-6))
def test_assess_target_met_agrees_with_the_interval(kn, method, level, target):
    k, n = kn
    a = assess_target(proportion_ci(k, n, method=method), target, confidence_level=level)
    assert a.status in ("met", "not_met", "inconclusive")
    if a.status == "met":
        assert a.lower_bound >= target and not math.isnan(a.p_value)
    assert not (math.isnan(a.lower_bound) or math.isnan(a.upper_bound))


# --------------------------------------------------------------------------- weights
def test_weights_whose_sum_overflows_raise():
    frame = pd.DataFrame({"stratum": ["a", "a", "b", "b"], "weight": [1e308] * 4,
                          "ok": [1, 0, 1, 1]})
    with pytest.raises(EstimationError, match="largest double"):
        estimate_proportion(frame, "ok")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-300, max_value=300), min_size=4, max_size=12),
       st.integers(min_value=0, max_value=2**32 - 1),
       st.sampled_from(["korn-graubard", "likelihood", "wilson", "logit"]))
def test_extreme_weights_give_a_value_or_a_typed_error(log_weights, seed, method):
    rng = np.random.default_rng(seed)
    m = len(log_weights)
    frame = pd.DataFrame({
        "stratum": np.repeat(["a", "b"], [m // 2, m - m // 2]),
        "weight": 10.0 ** np.asarray(log_weights),
        "ok": rng.integers(0, 2, m),
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BeianAuditWarning)
        try:
            est = estimate_proportion(frame, "ok", method=method)
        except EstimationError:
            return
    t = est.table
    assert not t[["estimate", "ci_low", "ci_high", "deff_kish"]].isna().any().any()
    assert ((t["ci_low"] <= t["estimate"]) & (t["estimate"] <= t["ci_high"])).all()
    assert (t["deff_kish"] >= 1.0).all()
