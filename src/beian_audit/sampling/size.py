"""Sample sizes for a proportion: for a margin of error, a target decision, or power.

Three questions an audit planner asks:

* **margin** — how many filings give a confidence interval of half-width ``e``?
  (:func:`sample_size_margin`: Wald with Cochran's finite-population correction,
  or exact Clopper–Pearson.)
* **target** — how many filings are needed so that, if at most ``k`` of them fail,
  the rate is shown to be at least the target at one-sided level α?
  (:func:`sample_size_target`: exact binomial or hypergeometric; the logic of
  the AICPA attribute-sampling tables.) :func:`max_failures` gives the
  acceptance number for a given ``n``.
* **power** — how many filings give probability 1−β of showing the target when
  the true rate is ``p1``? (:func:`sample_size_power`, :func:`target_power`.)

All three take a design effect (multiplies the simple-random-sampling size) and
an expected response rate (divides it), and return integers.

References
----------
Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §4.4. Wiley.

Lohr, S. L. (2010). *Sampling: Design and Analysis*, 2nd ed., §2.7. Brooks/Cole.

AICPA (2014). *Audit Sampling* (Audit Guide), Appendix A, Table A-1.

Krejcie, R. V., Morgan, D. W. (1970). Determining sample size for research
activities. *Educational and Psychological Measurement* 30, 607–610.

Chernick, M. R., Liu, C. Y. (2002). The saw-toothed behavior of power versus
sample size and software solutions. *The American Statistician* 56, 149–155.

Examples
--------
>>> sample_size_margin(0.05)                      # ±5 points at 95 %, p = 0.5
385
>>> sample_size_target(0.995)                     # show 99.5 % with no failure
598
>>> sample_size_target(0.95)                      # AICPA Table A-1: 59
59
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

import numpy as np

from beian_audit._options import check_choice
from beian_audit.errors import ArgumentError, GoalNotReachableWarning, SampleDesignError

__all__ = [
    "Distribution",
    "MarginMethod",
    "max_failures",
    "sample_size_margin",
    "sample_size_power",
    "sample_size_target",
    "target_power",
]

MarginMethod = Literal["wald", "clopper-pearson"]
Distribution = Literal["binomial", "hypergeometric"]

_MARGIN_METHODS = ("wald", "clopper-pearson")
_DISTRIBUTIONS = ("binomial", "hypergeometric")
_EPS = 1e-9
_N_LIMIT = 10**8


def _open_unit(name: str, value: float) -> float:
    if not isinstance(value, int | float | np.floating) or not 0 < float(value) < 1:
        raise ArgumentError(f"{name} ({value!r}) must be a number strictly between 0 and 1")
    return float(value)


def _check_common(deff: float, response_rate: float, population_size: int | None) -> None:
    if not isinstance(deff, int | float | np.number) or not float(deff) > 0:
        raise ArgumentError(f"deff ({deff!r}) must be a positive number")
    if not isinstance(response_rate, int | float | np.number) or not 0 < response_rate <= 1:
        raise ArgumentError(f"response_rate ({response_rate!r}) must be in (0, 1]")
    if population_size is not None and (
        isinstance(population_size, bool)
        or not isinstance(population_size, int | np.integer)
        or population_size < 1
    ):
        raise ArgumentError(f"population_size ({population_size!r}) must be a positive integer")


def _finish(n: float, deff: float, response_rate: float, population_size: int | None) -> int:
    """Inflate for non-response, round up, cap at the population."""
    out = math.ceil(n / response_rate - _EPS)
    out = max(out, 1)
    if population_size is not None and out > population_size:
        warnings.warn(
            f"the sample size needed ({out}) exceeds the population ({population_size}); "
            f"returning a census of {population_size}",
            GoalNotReachableWarning,
            stacklevel=3,
        )
        out = int(population_size)
    return out


def _fpc(n0: float, population_size: int | None) -> float:
    """Cochran (1977) eq. 4.2: n = n0 / (1 + (n0 - 1) / N)."""
    if population_size is None:
        return n0
    return n0 / (1.0 + (n0 - 1.0) / population_size)


def _cp_width(n: float, p: float, alpha: float) -> float:
    """Width of the Clopper–Pearson interval at the expected count x = n p."""
    from scipy.stats import beta

    x = n * p
    low = 0.0 if x <= 0 else float(beta.ppf(alpha / 2, x, n - x + 1))
    high = 1.0 if x >= n else float(beta.ppf(1 - alpha / 2, x + 1, n - x))
    return high - low


def sample_size_margin(
    margin: float,
    *,
    expected: float = 0.5,
    confidence_level: float = 0.95,
    method: MarginMethod = "wald",
    population_size: int | None = None,
    deff: float = 1.0,
    response_rate: float = 1.0,
) -> int:
    """Sample size for a two-sided confidence interval of half-width ``margin``.

    Parameters
    ----------
    margin : float
        Half-width of the interval, e.g. 0.03 for ±3 percentage points.
    expected : float, default 0.5
        Anticipated proportion (0.5 is the conservative choice).
    confidence_level : float, default 0.95
        Two-sided confidence level.
    method : {"wald", "clopper-pearson"}, default "wald"
        ``"wald"``: ``n0 = z² p (1−p) / e²`` (Cochran 1977 eq. 4.1).
        ``"clopper-pearson"``: smallest ``n`` whose exact interval at the
        expected count ``x = n p`` (non-integer, as in R ``presize::prec_prop``)
        is at most ``2 e`` wide.
    population_size : int, optional
        Population size N for the finite-population correction
        ``n = n0 / (1 + (n0 − 1)/N)`` (Cochran eq. 4.2; exact for the Wald
        variance of SRSWOR, an approximation for Clopper–Pearson).
    deff : float, default 1.0
        Design effect; multiplies ``n0`` before the correction.
    response_rate : float, default 1.0
        Expected share of selected units that can be verified; the result is
        divided by it.

    Returns
    -------
    int
        Number of units to select (rounded up, at most ``population_size``).

    Raises
    ------
    ValueError
        For options out of range.

    Warns
    -----
    GoalNotReachableWarning
        When non-response pushes the size beyond the population.

    Notes
    -----
    With ``z`` the ``1 − α/2`` normal quantile, ``n0 = deff · z² p(1−p)/e²``
    and ``n = n0 / (1 + (n0 − 1)/N)``, from ``z² (1 − n/N) S²/n = e²`` with
    ``S² = N p(1−p)/(N − 1)`` (Cochran 1977 §4.4; Krejcie & Morgan 1970 use the
    same formula).

    Examples
    --------
    >>> sample_size_margin(0.05, population_size=1000)   # Krejcie & Morgan: 278
    278
    >>> sample_size_margin(0.03, expected=0.75)
    801
    >>> sample_size_margin(0.01, expected=0.995, method="clopper-pearson")
    320
    """
    margin = _open_unit("margin", margin)
    expected = float(expected)
    if not 0 <= expected <= 1:
        raise ArgumentError(f"expected ({expected!r}) must be in [0, 1]")
    confidence_level = _open_unit("confidence_level", confidence_level)
    check_choice("method", method, _MARGIN_METHODS)
    _check_common(deff, response_rate, population_size)
    from scipy.stats import norm

    alpha = 1 - confidence_level
    if method == "wald":
        z = float(norm.ppf(1 - alpha / 2))
        n0 = z * z * expected * (1 - expected) / (margin * margin)
        n0 = max(n0, 1.0)
    else:
        lo, hi = 1, 2
        while _cp_width(hi, expected, alpha) > 2 * margin:
            lo, hi = hi, hi * 2
            if hi > _N_LIMIT:  # pragma: no cover - absurd margins
                raise SampleDesignError(f"margin ({margin!r}) needs more than {_N_LIMIT} units")
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if _cp_width(mid, expected, alpha) > 2 * margin:
                lo = mid
            else:
                hi = mid
        n0 = float(hi) if _cp_width(lo, expected, alpha) > 2 * margin else float(lo)
    n = _fpc(n0 * deff, population_size)
    return _finish(n, deff, response_rate, population_size)


def _deficient(target: float, population_size: int) -> int:
    """Failing units at the consumer's risk point (LTPD): ``D = N (1 - target)``.

    Rounded to the nearest integer, halves to even, as R's ``phyper`` rounds a
    non-integer ``m`` (so R AcceptanceSampling ``find.plan(type = "hypergeom")``,
    which passes ``D = CRP[1] * N``); at least 1. A lot with exactly
    ``N (1 - target)`` failing units, whose rate equals the target, is then
    accepted with probability at most α, as in the binomial plan; every lot
    below the target has more failing units and a smaller acceptance
    probability.
    """
    # 1 - target carries rounding error (1 - 0.995 = 0.0050000000000000044):
    # drop it before rounding, or 2100 * 0.005 = 10.5 would round up
    return max(round(round(population_size * (1 - target), 9)), 1)


def _cdf(
    k: np.ndarray | int,
    n: np.ndarray | int,
    rate: float,
    distribution: str,
    population_size: int | None,
    failing: int | None = None,
) -> np.ndarray:
    """P(failures <= k) among n units when the failure rate is ``rate``."""
    from scipy.stats import binom, hypergeom

    if distribution == "binomial":
        return np.asarray(binom.cdf(k, n, rate))
    assert population_size is not None
    d = failing if failing is not None else round(population_size * rate)
    return np.asarray(hypergeom.cdf(k, population_size, d, n))


def _check_failures(failures: int) -> int:
    if isinstance(failures, bool) or not isinstance(failures, int | np.integer) or failures < 0:
        raise ArgumentError(f"failures ({failures!r}) must be a non-negative integer")
    return int(failures)


def _check_distribution(distribution: str, population_size: int | None) -> None:
    check_choice("distribution", distribution, _DISTRIBUTIONS)
    if distribution == "hypergeometric" and population_size is None:
        raise ArgumentError("distribution='hypergeometric' needs population_size")


def sample_size_target(
    target: float,
    *,
    confidence_level: float = 0.95,
    failures: int = 0,
    distribution: Distribution = "binomial",
    population_size: int | None = None,
    deff: float = 1.0,
    response_rate: float = 1.0,
) -> int:
    """Smallest ``n`` that shows ``p ≥ target`` when at most ``failures`` units fail.

    The one-sided test of ``H0: p < target`` rejects when the number of
    failures ``X`` is at most ``failures``; ``n`` is the smallest size for which
    that happens with probability at most ``α = 1 − confidence_level`` at the
    boundary of ``H0`` — equivalently, ``failures`` failures in ``n`` give an
    exact (Clopper–Pearson) one-sided lower bound of at least ``target``. This
    is the attribute-sampling logic of the AICPA tables (tolerable deviation
    rate ``1 − target``, risk of overreliance ``α``, ``failures`` deviations).

    Parameters
    ----------
    target : float
        Rate to be shown, e.g. 0.995.
    confidence_level : float, default 0.95
        One-sided confidence level ``1 − α``.
    failures : int, default 0
        Number of failing units the sample may contain (acceptance number).
    distribution : {"binomial", "hypergeometric"}, default "binomial"
        ``"binomial"`` (infinite population / with replacement, conservative) or
        ``"hypergeometric"`` (exact for SRSWOR from ``population_size`` units,
        with ``D0 = N (1 − target)`` failing units at the boundary, rounded
        as R's ``phyper``; see Notes).
    population_size : int, optional
        N; needed for ``"hypergeometric"``; caps the result for ``"binomial"``.
    deff : float, default 1.0
        Design effect of the planned design; multiplies ``n``.
    response_rate : float, default 1.0
        Expected share of selected units verified; divides ``n``.

    Returns
    -------
    int

    Raises
    ------
    SampleDesignError
        When no sample of the population can show the target (hypergeometric,
        ``failures ≥ D0``).

    Warns
    -----
    GoalNotReachableWarning
        When the size exceeds ``population_size`` (a census is returned).

    Notes
    -----
    Binomial: smallest ``n`` with ``F_Bin(k; n, 1 − t) ≤ α``; for ``k = 0``
    ``n = ⌈ln α / ln t⌉``. Hypergeometric: smallest ``n`` with
    ``F_Hyp(k; N, D0, n) ≤ α``, with the consumer's risk point (LTPD)
    ``D0 = N (1 − target)`` failing units, rounded to the nearest integer
    (halves to even) and at least 1: the convention of R AcceptanceSampling's
    ``find.plan(type = "hypergeom")`` (Kiermeier 2008). A lot whose rate is
    exactly the target is accepted with probability at most α. (This library
    used ``floor(N (1 − target)) + 1``, the smallest lot strictly below the
    target, until issue #11.7; that accepted a lot at the target with
    probability above α and gave plans a few units smaller.)

    Kiermeier, A. (2008). Visualizing and assessing acceptance sampling plans:
    the R package AcceptanceSampling. *Journal of Statistical Software* 26(6).

    Examples
    --------
    >>> sample_size_target(0.995, confidence_level=0.95)   # ln 0.05 / ln 0.995 = 597.6
    598
    >>> sample_size_target(0.95, failures=1)               # AICPA Table A-1: 93
    93
    >>> sample_size_target(0.995, distribution="hypergeometric", population_size=2000)
    517
    """
    target = _open_unit("target", target)
    confidence_level = _open_unit("confidence_level", confidence_level)
    k = _check_failures(failures)
    _check_distribution(distribution, population_size)
    _check_common(deff, response_rate, population_size)
    alpha = 1 - confidence_level
    if distribution == "binomial":
        rate = 1 - target
        if k == 0:
            n = math.ceil(math.log(alpha) / math.log(target) - _EPS)
        else:
            lo, hi = k, max(2 * k + 2, 2)
            while _cdf(k, hi, rate, "binomial", None) > alpha:
                lo, hi = hi, hi * 2
                if hi > _N_LIMIT:  # pragma: no cover
                    raise SampleDesignError("the target needs more than 1e8 units")
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if _cdf(k, mid, rate, "binomial", None) > alpha:
                    lo = mid
                else:
                    hi = mid
            n = hi
        return _finish(n * deff, deff, response_rate, population_size)
    assert population_size is not None
    d0 = _deficient(target, population_size)
    if k >= d0 or d0 > population_size:
        raise SampleDesignError(
            f"no sample of {population_size} units can show a rate of at least {target} "
            f"allowing {k} failure(s): {d0} failing unit(s) already break the target"
        )
    # P(X <= k) decreases with n and is 0 at n = N (X = d0 > k): bisection
    lo, hi = 0, population_size
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _cdf(k, mid, 0.0, "hypergeometric", population_size, failing=d0) > alpha:
            lo = mid
        else:
            hi = mid
    n = hi
    return _finish(n * deff, deff, response_rate, population_size)


def max_failures(
    n: int,
    target: float,
    *,
    confidence_level: float = 0.95,
    distribution: Distribution = "binomial",
    population_size: int | None = None,
) -> int:
    """Largest number of failures among ``n`` that still shows ``p ≥ target``.

    Parameters
    ----------
    n : int
        Sample size.
    target : float
        Rate to be shown.
    confidence_level : float, default 0.95
        One-sided level ``1 − α``.
    distribution : {"binomial", "hypergeometric"}, default "binomial"
    population_size : int, optional
        Needed for ``"hypergeometric"``.

    Returns
    -------
    int
        The acceptance number ``k``; ``-1`` when even zero failures cannot show
        the target with this ``n``.

    Examples
    --------
    >>> max_failures(600, 0.995)
    0
    >>> max_failures(300, 0.995)
    -1
    >>> max_failures(1000, 0.75)
    227
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ArgumentError(f"n ({n!r}) must be a positive integer")
    out = _acceptance(np.array([int(n)]), target, confidence_level, distribution, population_size)
    return int(out[0])


def _acceptance(
    n: np.ndarray,
    target: float,
    confidence_level: float,
    distribution: str,
    population_size: int | None,
) -> np.ndarray:
    from scipy.stats import binom, hypergeom

    target = _open_unit("target", target)
    confidence_level = _open_unit("confidence_level", confidence_level)
    _check_distribution(distribution, population_size)
    alpha = 1 - confidence_level
    if distribution == "binomial":
        k = np.asarray(binom.ppf(alpha, n, 1 - target), dtype=float)
        cdf = binom.cdf(k, n, 1 - target)
    else:
        assert population_size is not None
        if np.any(n > population_size):
            raise ArgumentError(f"n must not exceed population_size ({population_size})")
        d0 = _deficient(target, population_size)
        if d0 > population_size:
            return np.full(n.shape, -1, dtype=np.int64)
        k = np.asarray(hypergeom.ppf(alpha, population_size, d0, n), dtype=float)
        cdf = hypergeom.cdf(k, population_size, d0, n)
    # ppf gives the smallest k with cdf(k) >= alpha; keep it only if cdf(k) <= alpha
    k = np.where(cdf <= alpha * (1 + 1e-12), k, k - 1)
    return k.astype(np.int64)


def target_power(
    n: int | np.ndarray,
    target: float,
    true_rate: float,
    *,
    confidence_level: float = 0.95,
    distribution: Distribution = "binomial",
    population_size: int | None = None,
) -> float | np.ndarray:
    """Probability that a sample of ``n`` shows ``p ≥ target`` when the rate is ``true_rate``.

    The exact test rejects ``H0: p < target`` when the failures are at most
    the acceptance number ``k_n`` (:func:`max_failures`); the power is
    ``P(X ≤ k_n)`` with ``X`` binomial ``(n, 1 − true_rate)`` (or
    hypergeometric with ``round(N (1 − true_rate))`` failing units).

    Power is **not monotone in n**: while ``k_n`` stays the same, each extra
    unit adds a chance of one more failure and the power drops, then jumps
    when ``k_n`` increases (the saw-tooth of Chernick & Liu 2002).

    Parameters
    ----------
    n : int or array of int
        Sample size(s).
    target, true_rate : float
        Rate to be shown, and the rate assumed true (usually above the target).
    confidence_level : float, default 0.95
    distribution : {"binomial", "hypergeometric"}, default "binomial"
    population_size : int, optional

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> round(float(target_power(598, 0.995, 0.999)), 4)    # 0.999 ** 598
    0.5498
    >>> p = target_power(np.arange(590, 1300), 0.995, 0.999)
    >>> bool(np.all(np.diff(p) >= 0))                        # saw-tooth
    False
    """
    true_rate = float(true_rate)
    if not 0 <= true_rate <= 1:
        raise ArgumentError(f"true_rate ({true_rate!r}) must be in [0, 1]")
    sizes = np.atleast_1d(np.asarray(n, dtype=np.int64))
    if np.any(sizes < 1):
        raise ArgumentError("n must be positive")
    k = _acceptance(sizes, target, confidence_level, distribution, population_size)
    d1 = None if population_size is None else round(population_size * (1 - true_rate))
    power = np.where(
        k >= 0,
        _cdf(np.maximum(k, 0), sizes, 1 - true_rate, distribution, population_size, d1),
        0.0,
    )
    if np.ndim(n) == 0:
        return float(power[0])
    return power


def sample_size_power(
    target: float,
    true_rate: float,
    *,
    power: float = 0.8,
    confidence_level: float = 0.95,
    distribution: Distribution = "binomial",
    population_size: int | None = None,
    stable: bool = False,
    deff: float = 1.0,
    response_rate: float = 1.0,
) -> int:
    """Smallest ``n`` with probability ``power`` of showing ``p ≥ target`` at ``true_rate``.

    Parameters
    ----------
    target : float
        Rate to be shown.
    true_rate : float
        Rate assumed true; must exceed ``target``.
    power : float, default 0.8
        Wanted probability 1 − β of showing the target.
    confidence_level : float, default 0.95
        One-sided level of the exact test.
    distribution : {"binomial", "hypergeometric"}, default "binomial"
    population_size : int, optional
    stable : bool, default False
        Power is saw-toothed in ``n`` (see :func:`target_power`). ``False``
        returns the first ``n`` that reaches ``power``; ``True`` the smallest
        ``n`` from which every larger size (checked up to four times the first)
        reaches it — the safe choice when the final sample may come out a few
        units larger or smaller.
    deff, response_rate : float
        As in :func:`sample_size_target`.

    Returns
    -------
    int

    Raises
    ------
    SampleDesignError
        When no size up to the population (or 10**7) reaches the power.

    Examples
    --------
    >>> sample_size_power(0.995, 0.999, power=0.8)
    1258
    >>> sample_size_power(0.995, 0.999, power=0.8, stable=True)
    1549
    >>> sample_size_power(0.70, 0.80, power=0.9)
    164
    """
    target = _open_unit("target", target)
    true_rate = float(true_rate)
    if not target < true_rate <= 1:
        raise ArgumentError(f"true_rate ({true_rate!r}) must be above target ({target!r}) and ≤ 1")
    power = _open_unit("power", power)
    _check_common(deff, response_rate, population_size)
    _check_distribution(distribution, population_size)
    limit = population_size if population_size is not None else 10**7
    if distribution == "binomial" and population_size is not None:
        limit = 10**7
    first = None
    hi = 256
    while first is None:
        hi = min(hi, limit)
        sizes = np.arange(1, hi + 1)
        pw = np.asarray(
            target_power(
                sizes,
                target,
                true_rate,
                confidence_level=confidence_level,
                distribution=distribution,
                population_size=population_size,
            )
        )
        reached = np.flatnonzero(pw >= power)
        if reached.size:
            first = int(sizes[reached[0]])
        elif hi >= limit:
            raise SampleDesignError(
                f"no sample of at most {limit} units reaches power {power} "
                f"to show {target} when the true rate is {true_rate}"
            )
        else:
            hi *= 4
    n = first
    if stable:
        top = min(4 * first, limit)
        sizes = np.arange(first, top + 1)
        pw = np.asarray(
            target_power(
                sizes,
                target,
                true_rate,
                confidence_level=confidence_level,
                distribution=distribution,
                population_size=population_size,
            )
        )
        below = np.flatnonzero(pw < power)
        n = int(sizes[below[-1]] + 1) if below.size else first
    return _finish(n * deff, deff, response_rate, population_size)
