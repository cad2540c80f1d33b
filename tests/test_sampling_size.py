"""Sample sizes (beian_audit.sampling.size) against published tables, closed forms and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from beian_audit.errors import GoalNotReachableWarning, SampleDesignError
from beian_audit.sampling.size import (
    max_failures,
    sample_size_margin,
    sample_size_power,
    sample_size_target,
    target_power,
)

# --------------------------------------------------------------------------- margin


@pytest.mark.parametrize(
    ("population", "expected"),
    # Krejcie & Morgan (1970), Table 1 (p = 0.5, d = 0.05, chi-square 3.841); the
    # table rounds to the nearest unit, these three entries also round up to it.
    [(100, 80), (1000, 278), (1_000_000, 384)],
)
def test_krejcie_morgan_table(population: int, expected: int) -> None:
    assert sample_size_margin(0.05, population_size=population) == expected


def test_wald_closed_forms() -> None:
    z = stats.norm.ppf(0.975)
    # n0 = z^2 p q / e^2 (Cochran 1977 eq. 4.1)
    assert sample_size_margin(0.05) == math.ceil(z**2 * 0.25 / 0.05**2) == 385
    assert sample_size_margin(0.03, expected=0.75) == math.ceil(z**2 * 0.1875 / 0.03**2) == 801
    z90 = stats.norm.ppf(0.95)
    assert sample_size_margin(0.02, expected=0.9, confidence_level=0.9) == math.ceil(
        z90**2 * 0.09 / 0.02**2
    )
    # design effect multiplies n0; the response rate divides the result
    assert sample_size_margin(0.05, deff=2.0) == math.ceil(2 * z**2 * 0.25 / 0.0025)
    assert sample_size_margin(0.05, response_rate=0.8) == math.ceil(z**2 * 0.25 / 0.0025 / 0.8)
    # Cochran eq. 4.2 with deff applied before the correction
    n0 = 1.5 * z**2 * 0.25 / 0.0025
    assert sample_size_margin(0.05, deff=1.5, population_size=2000) == math.ceil(
        n0 / (1 + (n0 - 1) / 2000)
    )


@pytest.mark.parametrize(("p", "e"), [(0.5, 0.05), (0.75, 0.03), (0.995, 0.005), (0.9, 0.02)])
def test_clopper_pearson_margin_is_smallest(p: float, e: float) -> None:
    n = sample_size_margin(e, expected=p, method="clopper-pearson")

    def width(m: int) -> float:
        # statsmodels' "beta" interval = Clopper-Pearson, at the expected count m p
        low, high = proportion_confint(m * p, m, alpha=0.05, method="beta")
        return high - low

    assert width(n) <= 2 * e
    assert width(n - 1) > 2 * e


def test_margin_warns_and_caps_at_population() -> None:
    with pytest.warns(GoalNotReachableWarning, match="census"):
        assert sample_size_margin(0.05, population_size=100, response_rate=0.5) == 100


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"margin": 0.0}, r"margin \(0.0\) must be a number strictly between 0 and 1"),
        ({"margin": 0.05, "method": "wilson"}, r"method \('wilson'\) must be one of 'wald'"),
        ({"margin": 0.05, "expected": 1.5}, r"expected \(1.5\) must be in \[0, 1\]"),
        ({"margin": 0.05, "deff": 0}, r"deff \(0\) must be a positive number"),
        ({"margin": 0.05, "response_rate": 0}, r"response_rate \(0\) must be in \(0, 1\]"),
        ({"margin": 0.05, "population_size": 0}, r"population_size \(0\)"),
    ],
)
def test_margin_input_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sample_size_margin(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- target

TOLERABLE = [0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.15, 0.20]
# AICPA Audit Sampling guide, Appendix A, Table A-1 "Statistical Sample Sizes for Tests
# of Controls — 5 Percent Risk of Overreliance": rows for an expected population
# deviation rate of 0 % (zero deviations allowed) and of 0.25–0.5 % (one deviation).
AICPA_ZERO = [149, 99, 74, 59, 49, 42, 36, 32, 29, 19, 14]
AICPA_ONE = [236, 157, 117, 93, 78, 66, 58, 51, 46, 30, 22]


@pytest.mark.parametrize(("tolerable", "n"), list(zip(TOLERABLE, AICPA_ZERO, strict=True)))
def test_aicpa_table_zero_deviations(tolerable: float, n: int) -> None:
    assert sample_size_target(1 - tolerable, confidence_level=0.95) == n


@pytest.mark.parametrize(("tolerable", "n"), list(zip(TOLERABLE, AICPA_ONE, strict=True)))
def test_aicpa_table_one_deviation(tolerable: float, n: int) -> None:
    assert sample_size_target(1 - tolerable, confidence_level=0.95, failures=1) == n


def test_aicpa_table_two_deviations() -> None:
    # Table A-1, entries with two expected deviations: 3 % -> 208, 4 % -> 156, 5 % -> 124.
    got = [sample_size_target(1 - t, failures=2) for t in (0.03, 0.04, 0.05)]
    assert got == [208, 156, 124]


def test_worked_example_995() -> None:
    # Closed form for zero failures: n = ceil(ln(alpha) / ln(target)) = ceil(597.6) = 598.
    assert math.log(0.05) / math.log(0.995) == pytest.approx(597.6, abs=0.05)
    assert sample_size_target(0.995) == 598
    # with the design effect of the allocation, e.g. deff 1.2: ceil(598 * 1.2)
    assert sample_size_target(0.995, deff=1.2) == math.ceil(598 * 1.2)


@pytest.mark.parametrize(("target", "k"), [(0.995, 0), (0.995, 2), (0.75, 10), (0.9, 3)])
def test_target_size_equals_clopper_pearson_decision(target: float, k: int) -> None:
    n = sample_size_target(target, failures=k)

    def lower(m: int) -> float:
        # scipy's exact one-sided lower bound for m - k successes in m
        res = stats.binomtest(m - k, m, alternative="greater")
        return res.proportion_ci(confidence_level=0.95, method="exact").low

    assert lower(n) >= target
    assert lower(n - 1) < target
    assert max_failures(n, target) == k


@pytest.mark.parametrize(
    ("population", "target", "k"), [(2000, 0.995, 0), (500, 0.9, 2), (60, 0.95, 0)]
)
def test_hypergeometric_against_scipy(population: int, target: float, k: int) -> None:
    n = sample_size_target(
        target, failures=k, distribution="hypergeometric", population_size=population
    )
    # consumer's risk point (LTPD) at D = N (1 - target) failing units, the
    # convention of R AcceptanceSampling find.plan(type = "hypergeom")
    d0 = round(population * (1 - target))
    assert stats.hypergeom.cdf(k, population, d0, n) <= 0.05
    assert stats.hypergeom.cdf(k, population, d0, n - 1) > 0.05
    assert n <= sample_size_target(target, failures=k)  # fpc never hurts


@pytest.mark.parametrize(("population", "target"), [(2000, 0.995), (500, 0.9), (10_000, 0.75)])
def test_lot_exactly_at_the_ltpd_is_accepted_with_probability_at_most_beta(
    population: int, target: float
) -> None:
    # A lot with exactly N * LTPD failing units (rate = target) must be accepted
    # with probability <= 0.05 (scipy.stats.hypergeom). The old boundary,
    # floor(N * LTPD) + 1 failing units, gave n = 476 for (2000, 0.995), which
    # accepts a lot of 10 failing units with probability 0.085.
    d = round(population * (1 - target))
    for n in (60, 200):
        k = max_failures(n, target, distribution="hypergeometric", population_size=population)
        if k >= 0:
            assert stats.hypergeom.cdf(k, population, d, n) <= 0.05
    n = sample_size_target(target, distribution="hypergeometric", population_size=population)
    assert stats.hypergeom.cdf(0, population, d, n) <= 0.05
    if (population, target) == (2000, 0.995):
        assert n == 517 and stats.hypergeom.cdf(0, population, 10, 476) > 0.05


@pytest.mark.parametrize(("population", "d"), [(2100, 10), (2300, 12), (2080, 10), (50, 1)])
def test_non_integer_ltpd_counts_round_like_r_phyper(population: int, d: int) -> None:
    # N * 0.005 = 10.5 -> 10, 11.5 -> 12 (halves to even: R 4.2.2
    # phyper(0, 10.5, 1989.5, 300) == phyper(0, 10, 1990, 300) = 0.1960916 and
    # phyper(0, 11.5, 2288.5, 300) == phyper(0, 12, ...)); 10.4 -> 10; at least 1.
    n = sample_size_target(0.995, distribution="hypergeometric", population_size=population)
    assert stats.hypergeom.cdf(0, population, d, n) <= 0.05
    assert stats.hypergeom.cdf(0, population, d, n - 1) > 0.05


def test_hypergeometric_tends_to_binomial() -> None:
    n = sample_size_target(0.995, distribution="hypergeometric", population_size=10_000_000)
    assert n in (597, 598)


def test_target_errors() -> None:
    with pytest.raises(ValueError, match="needs population_size"):
        sample_size_target(0.99, distribution="hypergeometric")
    with pytest.raises(ValueError, match=r"distribution \('normal'\) must be one of"):
        sample_size_target(0.99, distribution="normal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"failures \(-1\)"):
        sample_size_target(0.99, failures=-1)
    # 1 failing unit already breaks 99.5 % in a population of 100: cannot allow 1 failure
    with pytest.raises(SampleDesignError, match="no sample of 100 units"):
        sample_size_target(0.995, failures=1, distribution="hypergeometric", population_size=100)
    with pytest.warns(GoalNotReachableWarning):
        assert sample_size_target(0.995, population_size=300) == 300


def test_max_failures_values() -> None:
    assert max_failures(600, 0.995) == 0
    assert max_failures(300, 0.995) == -1  # cannot show 99.5 % even with zero failures
    # binom.ppf cross-check: largest k with P(X <= k | 1000, 0.25) <= 0.05
    k = max_failures(1000, 0.75)
    assert stats.binom.cdf(k, 1000, 0.25) <= 0.05 < stats.binom.cdf(k + 1, 1000, 0.25)


# --------------------------------------------------------------------------- power


def test_power_closed_form_and_sawtooth() -> None:
    # with k_n = 0 the power is P(no failure) = p1^n
    assert target_power(598, 0.995, 0.999) == pytest.approx(0.999**598, rel=1e-12)
    sizes = np.arange(590, 1400)
    power = target_power(sizes, 0.995, 0.999)
    assert np.any(np.diff(power) < 0) and np.any(np.diff(power) > 0)  # not monotone
    # brute force with scipy for a few sizes
    for n in (700, 949, 950, 1200):
        k = max(kk for kk in range(-1, 20) if kk < 0 or stats.binom.cdf(kk, n, 0.005) <= 0.05)
        want = 0.0 if k < 0 else stats.binom.cdf(k, n, 0.001)
        assert target_power(n, 0.995, 0.999) == pytest.approx(want, rel=1e-12)


def test_sample_size_power_first_and_stable() -> None:
    n = sample_size_power(0.995, 0.999, power=0.8)
    sizes = np.arange(1, n + 1)
    power = target_power(sizes, 0.995, 0.999)
    assert power[-1] >= 0.8 and np.all(power[:-1] < 0.8)
    m = sample_size_power(0.995, 0.999, power=0.8, stable=True)
    assert m >= n
    later = target_power(np.arange(m, 4 * n), 0.995, 0.999)
    assert np.all(later >= 0.8)
    assert target_power(m - 1, 0.995, 0.999) < 0.8


def test_power_hypergeometric_and_errors() -> None:
    n = sample_size_power(
        0.9, 0.97, power=0.8, distribution="hypergeometric", population_size=400
    )
    assert 0 < n <= 400
    assert target_power(n, 0.9, 0.97, distribution="hypergeometric", population_size=400) >= 0.8
    with pytest.raises(ValueError, match="must be above target"):
        sample_size_power(0.9, 0.85)
    with pytest.raises(SampleDesignError, match="no sample of at most 10"):
        # among 10 units one failure breaks 0.94, and a true rate of 0.945 means
        # round(0.55) = 1 failing unit: no sample can show the target
        sample_size_power(0.94, 0.945, distribution="hypergeometric", population_size=10)
