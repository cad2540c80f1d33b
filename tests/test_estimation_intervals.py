"""Tests of beian_audit.estimation.intervals.

Reference values come from independent implementations: scipy's
``binomtest(...).proportion_ci`` (Wilson and exact Clopper-Pearson) and
statsmodels' ``proportion_confint`` (wilson, beta, jeffreys, agresti_coull,
normal), plus closed forms stated next to each test.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from beian_audit.errors import BeianAuditError, EstimationError
from beian_audit.estimation import (
    DESIGN_METHODS,
    SRS_METHODS,
    design_proportion_ci,
    proportion_ci,
)

GRID = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (1, 30), (29, 30), (597, 600),
        (600, 600), (0, 600), (150, 600), (4990, 5000), (2500, 5000)]
LEVELS = [0.8, 0.9, 0.95, 0.99]
TOL = dict(rel=1e-12, abs=1e-13)


# --------------------------------------------------------------------------- scipy
@pytest.mark.parametrize(("k", "n"), GRID)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("ours", "theirs"), [("wilson", "wilson"), ("clopper-pearson", "exact")])
@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_equals_scipy_binomtest(k, n, level, ours, theirs, alternative):
    # scipy.stats.binomtest(k, n, alternative=...).proportion_ci gives the same
    # one-sided bounds for "greater" (lower) and "less" (upper). scipy finds the
    # exact bounds by root-finding (about 1e-12 relative), where we take Beta
    # quantiles (as R's binom.test does), hence the tolerance.
    ref = stats.binomtest(k, n, alternative=alternative).proportion_ci(
        confidence_level=level, method=theirs
    )
    ci = proportion_ci(k, n, method=ours, confidence_level=level, alternative=alternative)
    assert ci.low == pytest.approx(ref.low, rel=1e-10, abs=1e-13)
    assert ci.high == pytest.approx(ref.high, rel=1e-10, abs=1e-13)


# --------------------------------------------------------------------------- statsmodels
SM_NAMES = {
    "wilson": "wilson",
    "clopper-pearson": "beta",
    "jeffreys": "jeffreys",
    "agresti-coull": "agresti_coull",
    "wald": "normal",
}


@pytest.mark.parametrize(("k", "n"), GRID)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("method", [m for m in SRS_METHODS if m in SM_NAMES])
def test_equals_statsmodels_proportion_confint(k, n, level, method):
    # (statsmodels has no Wilson interval with continuity correction: "wilson-cc"
    # is checked against R's prop.test and Newcombe 1998 below.)
    # statsmodels.stats.proportion.proportion_confint(k, n, alpha, method), two-sided.
    low, high = proportion_confint(k, n, alpha=1 - level, method=SM_NAMES[method])
    ci = proportion_ci(k, n, method=method, confidence_level=level)
    if method == "jeffreys" and k in (0, n):
        # Documented difference: Brown, Cai & DasGupta (2001, sect. 4.1.3) set the
        # lower bound to 0 at k = 0 and the upper to 1 at k = n; statsmodels does
        # not, so its interval at k = 0 excludes the estimate 0.
        if k == 0:
            assert ci.low == 0.0 and low > 0.0
            assert ci.high == pytest.approx(high, **TOL)
        else:
            assert ci.high == 1.0 and high < 1.0
            assert ci.low == pytest.approx(low, **TOL)
        return
    # Bounds outside [0, 1] (Wald, Agresti-Coull) are clipped here.
    assert ci.low == pytest.approx(min(max(low, 0.0), 1.0), **TOL)
    assert ci.high == pytest.approx(min(max(high, 0.0), 1.0), **TOL)


@pytest.mark.parametrize("method", SRS_METHODS)
def test_one_sided_equals_two_sided_at_doubled_alpha(method):
    # A one-sided bound at level c is the matching bound of the two-sided
    # interval at level 2c - 1 (all five methods are equal-tailed).
    for k, n in GRID:
        two = proportion_ci(k, n, method=method, confidence_level=0.90)
        lower = proportion_ci(k, n, method=method, confidence_level=0.95, alternative="greater")
        upper = proportion_ci(k, n, method=method, confidence_level=0.95, alternative="less")
        assert lower.low == pytest.approx(two.low, **TOL) and lower.high == 1.0
        assert upper.high == pytest.approx(two.high, **TOL) and upper.low == 0.0


def test_closed_forms_at_the_boundary():
    # Clopper-Pearson with no failure: lower bound (a)^(1/n) (Beta(n, 1) quantile);
    # one-sided 95 %: 0.05^(1/600) = 0.995019..., the "n = 600 shows 99.5 %" rule.
    ci = proportion_ci(600, 600, method="clopper-pearson", alternative="greater")
    assert ci.low == pytest.approx(0.05 ** (1 / 600), rel=1e-14)
    # Wilson at k = 0: [0, z^2 / (n + z^2)].
    z = stats.norm.ppf(0.975)
    ci = proportion_ci(0, 50)
    assert ci.low == 0.0 and ci.high == pytest.approx(z**2 / (50 + z**2), rel=1e-14)


def test_fractional_counts_are_accepted():
    # Effective counts are fractional; Clopper-Pearson is then the Beta quantile.
    ci = proportion_ci(12.5, 40.25, method="clopper-pearson")
    assert ci.low == pytest.approx(stats.beta.ppf(0.025, 12.5, 40.25 - 12.5 + 1), rel=1e-12)
    assert ci.high == pytest.approx(stats.beta.ppf(0.975, 13.5, 40.25 - 12.5), rel=1e-12)


# --------------------------------------------------------------------------- validation
def test_validation_messages():
    with pytest.raises(EstimationError, match=r"method \('exact'\) must be one of 'wilson'"):
        proportion_ci(1, 10, method="exact")  # type: ignore[arg-type]
    # statsmodels' inverted "larger" is not accepted: only scipy/R names.
    with pytest.raises(EstimationError, match=r"alternative \('larger'\) must be one of"):
        proportion_ci(1, 10, alternative="larger")  # type: ignore[arg-type]
    for bad in (0, 1, 1.5, -0.1, "0.95", True, float("nan")):
        with pytest.raises(EstimationError, match="confidence_level"):
            proportion_ci(1, 10, confidence_level=bad)  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match=r"successes \(11\) must be between 0 and n"):
        proportion_ci(11, 10)
    with pytest.raises(EstimationError, match=r"n \(0\) must be a positive"):
        proportion_ci(0, 0)
    with pytest.raises(EstimationError, match=r"successes \('3'\) must be a number"):
        proportion_ci("3", 10)  # type: ignore[arg-type]
    # Errors are both BeianAuditError and ValueError.
    with pytest.raises(ValueError):
        proportion_ci(1, 10, method="nope")  # type: ignore[arg-type]
    with pytest.raises(BeianAuditError):
        design_proportion_ci(0.5, 0.1, n=10, df=9, method="wald")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match=r"estimate \(1.5\)"):
        design_proportion_ci(1.5, 0.1, n=10, df=9)
    with pytest.raises(EstimationError, match=r"se \(-0.1\)"):
        design_proportion_ci(0.5, -0.1, n=10, df=9)


# --------------------------------------------------------------------------- result object
def test_confidence_interval_object():
    ci = proportion_ci(3, 10)
    low, high = ci
    assert (low, high) == (ci.low, ci.high) == (ci[0], ci[1])
    assert len(ci) == 2 and ci.width == pytest.approx(high - low)
    assert "\n" not in repr(ci) and repr(ci).startswith("ConfidenceInterval(low=")
    d = ci.to_dict()
    assert d["schema_version"] and d["kind"] == "ConfidenceInterval"
    assert d["records"][0]["method"] == "wilson"
    assert "<table" in ci._repr_html_()
    with pytest.raises(AttributeError):
        ci.low = 0.0  # type: ignore[misc]


# --------------------------------------------------------------------------- design formulas
def test_design_beta_reduces_to_clopper_pearson():
    # With the simple-random-sample variance p(1-p)/n and df = n - 1 the
    # Korn-Graubard factor is 1 and "beta" is Clopper-Pearson at (k, n).
    k, n = 37, 120
    p = k / n
    se = math.sqrt(p * (1 - p) / n)
    ref = stats.binomtest(k, n).proportion_ci(method="exact")
    for method in ("beta", "korn-graubard", "clopper-pearson"):
        ci = design_proportion_ci(p, se, n=n, df=n - 1, method=method)
        assert (ci.low, ci.high) == pytest.approx((ref.low, ref.high), rel=1e-12)


def test_design_wilson_and_mean_reduce_to_srs():
    # Wilson on the effective n equals the SRS Wilson: "wilson-normal" at any df,
    # "wilson" (R survey 4.5, t quantile) with df = inf; "mean" with df = inf is Wald.
    k, n = 37, 120
    p = k / n
    se = math.sqrt(p * (1 - p) / n)
    w = design_proportion_ci(p, se, n=n, df=50, method="wilson-normal")
    assert (w.low, w.high) == pytest.approx(tuple(proportion_ci(k, n)), rel=1e-12)
    w = design_proportion_ci(p, se, n=n, df=math.inf, method="wilson")
    assert (w.low, w.high) == pytest.approx(tuple(proportion_ci(k, n)), rel=1e-12)
    t = design_proportion_ci(p, se, n=n, df=50, method="wilson")
    assert t.low < w.low and t.high > w.high  # t_50 > z
    m = design_proportion_ci(p, se, n=n, df=math.inf, method="mean")
    assert (m.low, m.high) == pytest.approx(tuple(proportion_ci(k, n, method="wald")), rel=1e-12)


def test_design_degenerate_cases_are_defined_and_flagged():
    # Estimate 1, variance 0: every method gives a non-degenerate interval with
    # note "boundary"; the Korn-Graubard lower bound is then (alpha/2)^(1/n).
    for method in DESIGN_METHODS:
        ci = design_proportion_ci(1.0, 0.0, n=300, df=250, method=method)
        assert ci.note == "boundary"
        assert ci.high == 1.0 and 0.95 < ci.low < 1.0
    kg = design_proportion_ci(1.0, 0.0, n=300, df=250)
    assert kg.low == pytest.approx(0.025 ** (1 / 300), rel=1e-12)
    # df <= 0: t-based methods give the whole range.
    ci = design_proportion_ci(0.7, 0.05, n=5, df=0, method="logit")
    assert (ci.low, ci.high, ci.note) == (0.0, 1.0, "df")


# --------------------------------------------------------------------------- properties
levels = st.floats(min_value=0.5, max_value=0.999)


@given(
    n=st.integers(min_value=1, max_value=3000),
    frac=st.floats(min_value=0, max_value=1),
    method=st.sampled_from(SRS_METHODS),
    level=levels,
    delta=st.floats(min_value=0.001, max_value=0.3),
)
def test_srs_bounds_contain_estimate_and_grow_with_level(n, frac, method, level, delta):
    k = round(frac * n)
    ci = proportion_ci(k, n, method=method, confidence_level=level)
    assert 0.0 <= ci.low <= k / n <= ci.high <= 1.0
    wider = proportion_ci(k, n, method=method, confidence_level=min(level + delta, 0.9999))
    assert wider.low <= ci.low + 1e-12 and wider.high >= ci.high - 1e-12
    # symmetry: the interval of failures mirrors the interval of successes
    mirror = proportion_ci(n - k, n, method=method, confidence_level=level)
    assert ci.low == pytest.approx(1 - mirror.high, abs=1e-12)


@given(
    p=st.floats(min_value=0, max_value=1),
    deff=st.floats(min_value=0.2, max_value=20),
    n=st.integers(min_value=2, max_value=5000),
    df_frac=st.floats(min_value=0.01, max_value=1.0),
    method=st.sampled_from(DESIGN_METHODS),
    level=levels,
    delta=st.floats(min_value=0.001, max_value=0.3),
)
def test_design_bounds_contain_estimate_and_grow_with_level(p, deff, n, df_frac, method, level,
                                                            delta):
    se = math.sqrt(deff * p * (1 - p) / n)
    df = max(1, round(df_frac * (n - 1)))
    ci = design_proportion_ci(p, se, n=n, df=df, method=method, confidence_level=level)
    assert 0.0 <= ci.low <= p + 1e-15 and p - 1e-15 <= ci.high <= 1.0
    assert ci.high > ci.low  # never a silent zero-width interval
    wider = design_proportion_ci(p, se, n=n, df=df, method=method,
                                 confidence_level=min(level + delta, 0.9999))
    assert wider.low <= ci.low + 1e-12 and wider.high >= ci.high - 1e-12


# --------------------------------------------------------------------------- wilson-cc
# R 4.2.2: prop.test(x, n, conf.level = l, correct = TRUE)$conf.int (Wilson score
# interval with Yates's continuity correction), printed with %.17g.
R_PROP_TEST = [
    (81, 263, 0.95, 0.25350868229518525, 0.36817620104300364),
    (15, 148, 0.95, 0.059778208428498125, 0.16444977936483696),
    (0, 20, 0.95, 0.0, 0.20045334501348699),
    (1, 29, 0.95, 0.0018026402132796672, 0.19628175100975948),
    (597, 600, 0.95, 0.98418358745262158, 0.99870779773696572),
    (600, 600, 0.95, 0.99206924153615905, 1.0),
    (3, 10, 0.95, 0.080947824209994496, 0.64632927648883109),
    (81, 263, 0.9, 0.26151120218134272, 0.3585265844571276),
    (0, 20, 0.9, 0.0, 0.15975385429160788),
    (597, 600, 0.9, 0.98638472403940658, 0.99846350242017223),
]


@pytest.mark.parametrize(("k", "n", "level", "low", "high"), R_PROP_TEST)
def test_wilson_cc_equals_r_prop_test(k, n, level, low, high):
    ci = proportion_ci(k, n, method="wilson-cc", confidence_level=level)
    assert ci.low == pytest.approx(low, rel=1e-12, abs=1e-15)
    assert ci.high == pytest.approx(high, rel=1e-12, abs=1e-15)
    if level == 0.9:
        # R prop.test(x, n, conf.level = 0.95, correct = TRUE, alternative =
        # "greater") printed the same lower bound as the two-sided 90 % interval
        one = proportion_ci(k, n, method="wilson-cc", alternative="greater")
        assert one.high == 1.0
        assert one.low == pytest.approx(low, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe (1998), Table II, method 4 ("score method, continuity-corrected"), 4 decimals
    (81, 263, 0.2535, 0.3682),
    (15, 148, 0.0598, 0.1644),
    (0, 20, 0.0, 0.2005),
    (1, 29, 0.0018, 0.1963),
])
def test_wilson_cc_reproduces_newcombe_1998(k, n, low, high):
    ci = proportion_ci(k, n, method="wilson-cc")
    assert round(ci.low, 4) == low and round(ci.high, 4) == high


def test_wilson_cc_is_wider_than_wilson():
    # the correction moves each bound by about 1/(2n) outwards
    for k, n in [(3, 10), (150, 600), (597, 600)]:
        cc = proportion_ci(k, n, method="wilson-cc")
        plain = proportion_ci(k, n, method="wilson")
        assert cc.low < plain.low and cc.high > plain.high


# --------------------------------------------------------------------------- likelihood
@pytest.mark.parametrize(("p", "se", "n", "df"), [
    (0.75, 0.02, 600, 550), (0.99, 0.004, 600, 550), (0.3, 0.1, 30, 12),
    (0.995, 0.002, 2000, math.inf),
])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_likelihood_interval_solves_the_scaled_lr_equation(p, se, n, df, level):
    # Independent computation with scipy's brentq: the bound q solves
    # 2 * n* (n - 1)/n * K(p, q) = t_df(1 - a)^2, K the binomial
    # Kullback-Leibler divergence, n* = p(1-p)/se^2 (Rao-Scott; R svyciprop).
    from scipy import optimize

    m = p * (1 - p) / se**2 * (n - 1) / n
    t = stats.t.ppf(1 - (1 - level) / 2, df) if math.isfinite(df) else stats.norm.ppf(
        1 - (1 - level) / 2)

    def g(q):
        return 2 * m * (p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))) - t * t

    low = optimize.brentq(g, 1e-300, p, xtol=1e-15, rtol=1e-15)
    high = optimize.brentq(g, p, 1 - 1e-16, xtol=1e-15, rtol=1e-15)
    ci = design_proportion_ci(p, se, n=n, df=df, method="likelihood", confidence_level=level)
    assert ci.low == pytest.approx(low, rel=1e-10)
    assert ci.high == pytest.approx(high, rel=1e-10)


def test_likelihood_at_the_boundary_uses_the_korn_graubard_bound():
    # R's profile likelihood fails at p = 0 or 1; the Wald-type rule applies.
    lik = design_proportion_ci(1.0, 0.0, n=600, df=550, method="likelihood",
                               alternative="greater", deff_kish=2.0)
    kg = design_proportion_ci(1.0, 0.0, n=600, df=550, alternative="greater", deff_kish=2.0)
    assert lik.note == "boundary" and lik.low == kg.low == pytest.approx(0.05 ** (1 / 300))
