"""Exact bounds of one provider's share of correct filings.

Clopper–Pearson (binomial) bounds, and, when the provider's number of filings
:math:`N` is known, the exact hypergeometric bounds on the *number* of
correct filings among its :math:`N`, divided by :math:`N`
(:func:`hypergeometric_ci`), which use the finite-population information a
census-sized check carries. :func:`~beian_audit.estimation.providers.provider_estimates`
reports both per provider (:func:`_exact_bounds`).

Examples
--------
>>> ci = hypergeometric_ci(2, 2, 2)
>>> ci.low, ci.high
(1.0, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from beian_audit.errors import EstimationError
from beian_audit.estimation.intervals import (
    ALTERNATIVES,
    Alternative,
    ConfidenceInterval,
    check_choice,
    check_level,
    srs_lower,
    srs_upper,
    tail_probabilities,
)

__all__ = ["hypergeometric_ci"]


def _hyper_lower_count(
    x: np.ndarray, n: np.ndarray, big_n: np.ndarray, a: np.ndarray
) -> np.ndarray:
    """Smallest M with P(X >= x | N, M, n) > a (vectorised integer bisection).

    ``P(X >= x)`` increases with M; at ``M = N - (n - x)`` it is 1, so the set is
    never empty. Rows with ``n == 0`` get 0.
    """
    from scipy.stats import hypergeom

    x, n, big_n, a = np.broadcast_arrays(
        np.asarray(x, np.int64), np.asarray(n, np.int64), np.asarray(big_n, np.int64),
        np.asarray(a, float),
    )  # fmt: skip
    lo = x.copy()  # candidate answer: f(lo) may already exceed a
    hi = big_n - (n - x)  # f(hi) == 1 > a
    with np.errstate(all="ignore"):
        ok_at_lo = hypergeom.sf(x - 1, big_n, lo, n) > a
    answer = np.where(ok_at_lo, lo, hi)
    # invariant for the others: f(lo) <= a < f(hi)
    todo = ~ok_at_lo & (hi - lo > 1)
    while todo.any():
        mid = (lo + hi) // 2
        with np.errstate(all="ignore"):
            f_mid = hypergeom.sf(x - 1, big_n, mid, n) > a
        hi = np.where(todo & f_mid, mid, hi)
        lo = np.where(todo & ~f_mid, mid, lo)
        todo = todo & (hi - lo > 1)
    answer = np.where(ok_at_lo, answer, hi)
    return np.where(n > 0, answer, 0)


def _hyper_bounds(
    x: np.ndarray,
    n: np.ndarray,
    big_n: np.ndarray,
    alternative: str,
    level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Integer bounds (low, high) on the number of successes in the population."""
    a_low, a_high = tail_probabilities(alternative, level)
    if math.isnan(a_low):
        low = np.zeros(x.shape, np.int64)
    else:
        low = _hyper_lower_count(x, n, big_n, np.full(x.shape, a_low))
    if math.isnan(a_high):
        high = big_n.astype(np.int64).copy()
    else:  # mirror: an upper bound on successes is N minus a lower bound on failures
        high = big_n - _hyper_lower_count(n - x, n, big_n, np.full(x.shape, a_high))
    return low, high


def hypergeometric_ci(
    successes: int,
    n: int,
    population_size: int,
    *,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> ConfidenceInterval:
    """Exact confidence interval for a population share from a sample without replacement.

    ``n`` units drawn by simple random sampling without replacement from a
    population of ``population_size`` (a provider's filings), ``successes`` of
    them correct: exact bounds on the number :math:`M` of correct units in the
    population, divided by ``population_size``.

    Parameters
    ----------
    successes : int
        Correct units in the sample, ``0 <= successes <= n``.
    n : int
        Sample size, ``0 < n <= population_size``.
    population_size : int
        Number of units in the population, :math:`N`.
    confidence_level : float
        Strictly between 0 and 1.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: lower bound only (``high = 1``); ``"less"``: upper bound
        only (``low = 0``). Same naming as scipy and R.

    Returns
    -------
    ConfidenceInterval
        ``low = M_L / N``, ``high = M_U / N``; ``n`` and ``successes`` recorded,
        ``method = "hypergeometric"``.

    Raises
    ------
    EstimationError
        For counts that are not integers with ``0 <= successes <= n <= N``,
        ``n >= 1``, or invalid options.

    Notes
    -----
    With :math:`X \\sim \\mathrm{Hypergeometric}(N, M, n)` and tail probability
    :math:`a` per side (:math:`(1-L)/2` two-sided, :math:`1-L` one-sided),

    .. math::

        M_L = \\min\\{M : P_M(X \\ge x) > a\\}, \\qquad
        M_U = \\max\\{M : P_M(X \\le x) > a\\},

    the values of :math:`M` that the exact one-sided tests at level :math:`a`
    do not reject (Buonaccorsi 1987; Wright 1991). Both tail probabilities are
    monotone in :math:`M`, so each bound is found by integer bisection with
    ``scipy.stats.hypergeom``. A census (``n = N``) gives ``low = high = x/N``;
    as :math:`N \\to \\infty` the bounds tend to Clopper-Pearson.

    References
    ----------
    Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in
    finite populations. *The American Statistician* 41(3), 215-218.

    Wright, T. (1991). *Exact Confidence Bounds when Sampling from Small Finite
    Universes*. Lecture Notes in Statistics 66. Springer.

    Examples
    --------
    >>> ci = hypergeometric_ci(3, 3, 60)
    >>> round(ci.low, 4), ci.high    # 19 / 60: C(19, 3) / C(60, 3) > 0.025 >= C(18, 3) / C(60, 3)
    (0.3167, 1.0)
    >>> hypergeometric_ci(2, 2, 2).low   # the whole provider was checked
    1.0
    """
    alternative = check_choice("alternative", alternative, ALTERNATIVES)  # type: ignore[assignment]
    level = check_level(confidence_level)
    values = []
    for name, value in (("successes", successes), ("n", n), ("population_size", population_size)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            if isinstance(value, float | np.floating) and float(value).is_integer():
                value = int(value)
            else:
                raise EstimationError(f"{name} ({value!r}) must be an integer")
        values.append(int(value))
    x, m, big_n = values
    if not (0 <= x <= m and 1 <= m <= big_n):
        raise EstimationError(
            f"counts must satisfy 0 <= successes <= n <= population_size and n >= 1; got "
            f"successes={successes!r}, n={n!r}, population_size={population_size!r}"
        )
    low, high = _hyper_bounds(
        np.array([x]), np.array([m]), np.array([big_n]), alternative, level
    )
    return ConfidenceInterval(
        low=float(low[0]) / big_n,
        high=float(high[0]) / big_n,
        estimate=x / m,
        method="hypergeometric",
        confidence_level=level,
        alternative=alternative,
        n=float(m),
        successes=float(x),
        df=math.inf,
    )


@dataclass(frozen=True, slots=True)
class _ExactBounds:
    """Per-provider exact bounds (arrays in the providers' order)."""

    raw: np.ndarray
    binom_low: np.ndarray
    binom_high: np.ndarray
    hyper_low: np.ndarray
    hyper_high: np.ndarray
    hyper_count_low: pd.arrays.IntegerArray
    hyper_count_high: pd.arrays.IntegerArray
    ci_low: np.ndarray
    ci_high: np.ndarray


def _exact_bounds(
    x: np.ndarray,
    m: np.ndarray,
    big_n_f: np.ndarray,
    *,
    method: str,
    alternative: Alternative,
    level: float,
) -> _ExactBounds:
    """Clopper–Pearson and (where ``N`` is known) hypergeometric bounds per provider.

    ``ci_low`` / ``ci_high`` are the hypergeometric bounds where ``N`` is known
    (``method="exact"``), else the binomial ones; ``method`` forces either.
    """
    k = x.size
    known = ~np.isnan(big_n_f)
    a_low, a_high = tail_probabilities(alternative, level)
    has = m > 0
    with np.errstate(all="ignore"):
        raw = np.where(has, x / np.maximum(m, 1), np.nan)
        b_low = (np.zeros(k) if math.isnan(a_low)
                 else srs_lower("clopper-pearson", x, m, np.full(k, a_low)))
        b_high = (np.ones(k) if math.isnan(a_high)
                  else srs_upper("clopper-pearson", x, m, np.full(k, a_high)))
    b_low = np.where(has, b_low, 0.0)
    b_high = np.where(has, b_high, 1.0)
    h_low = np.full(k, np.nan)
    h_high = np.full(k, np.nan)
    hc_low = pd.array([pd.NA] * k, dtype="Int64")
    hc_high = pd.array([pd.NA] * k, dtype="Int64")
    if known.any():
        big_n = np.where(known, big_n_f, 0).astype(np.int64)
        sel = np.flatnonzero(known)
        c_low, c_high = _hyper_bounds(x[sel], m[sel], big_n[sel], alternative, level)
        c_low = np.where(m[sel] > 0, c_low, 0)
        c_high = np.where(m[sel] > 0, c_high, big_n[sel])
        h_low[sel] = c_low / big_n[sel]
        h_high[sel] = c_high / big_n[sel]
        hc_low[sel] = c_low
        hc_high[sel] = c_high
    use_hyper = known if method == "exact" else np.full(k, method == "hypergeometric")
    return _ExactBounds(
        raw=raw, binom_low=b_low, binom_high=b_high, hyper_low=h_low, hyper_high=h_high,
        hyper_count_low=hc_low, hyper_count_high=hc_high,
        ci_low=np.where(use_hyper, h_low, b_low), ci_high=np.where(use_hyper, h_high, b_high),
    )
