"""Allocation of a total sample size across strata, in integers that add up.

:func:`allocate` turns population sizes ``N_h`` and a total ``n`` into integer
stratum sizes ``n_h`` with

* ``min(min_per_stratum, N_h) ≤ n_h ≤ N_h`` (minimums; caps, so strata whose
  share reaches ``N_h`` are taken whole — *take-all* strata);
* ``Σ n_h = n`` exactly (largest-remainder rounding);
* ``n_h`` as close as the bounds allow to ``λ a_h`` for the method's score ``a_h``.

Methods (``method=``):

==================  ==========================================================
``"proportional"``  ``a_h = N_h`` (self-weighting)
``"neyman"``        ``a_h = N_h S_h``, ``S_h² = N_h p_h (1 − p_h)/(N_h − 1)`` from
                    anticipated rates ``p_h`` (Neyman 1934; Cochran 1977 §5.5)
``"equal"``         ``a_h = 1``
``"power"``         ``a_h = N_h^a`` (Bankier 1988), ``0 ≤ a ≤ 1`` (``exponent``)
``"tianjin"``       the provincial rule: ``N_h = 1 → 1``, ``2–49 → 2``,
                    ``50–100 → 3``, ``> 100 → ⌈3 % N_h⌉``; no total ``n``
==================  ==========================================================

The continuous solution is ``x_h = clip(λ a_h, lo_h, N_h)`` with ``λ`` such that
``Σ x_h = n`` (found by bisection, then solved exactly on the free strata); the
integers are ``⌊x_h⌋`` plus one for the ``n − Σ⌊x_h⌋`` strata with the largest
fractional parts (ties: first stratum first).

References
----------
Bankier, M. D. (1988). Power allocations: determining sample sizes for
subnational areas. *The American Statistician* 42, 174–177.

Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., ch. 5. Wiley.

Examples
--------
>>> allocate([100, 50, 10, 1], 20)
array([11,  6,  2,  1])
>>> allocate([100, 50, 10, 1], method="tianjin")
array([3, 3, 2, 1])
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np

from beian_audit.errors import ArgumentError, SampleDesignError, SmallStratumWarning

__all__ = ["ALLOCATIONS", "Allocation", "allocate", "tianjin_rule"]

Allocation = Literal["proportional", "neyman", "equal", "power", "tianjin"]
ALLOCATIONS: tuple[str, ...] = ("proportional", "neyman", "equal", "power", "tianjin")


def tianjin_rule(population_sizes: Sequence[int] | np.ndarray) -> np.ndarray:
    """Stratum sizes of the Tianjin provincial spot-check rule.

    ``1 → 1``, ``2–49 → 2``, ``50–100 → 3``, ``> 100 → ⌈0.03 N_h⌉`` (DOMAIN.md §2;
    applied here to the number of filings of the stratum).

    Examples
    --------
    >>> tianjin_rule([1, 2, 49, 50, 100, 101, 1000, 3500])
    array([  1,   2,   2,   3,   3,   4,  30, 105])
    """
    sizes = np.asarray(population_sizes, dtype=np.int64)
    # 3 % computed in integers (3 N / 100, rounded up) to avoid 0.03 * 100 = 3.0000000000000004
    big = -((-3 * sizes) // 100)
    out = np.where(sizes <= 1, sizes, np.where(sizes < 50, 2, np.where(sizes <= 100, 3, big)))
    return np.minimum(out, sizes).astype(np.int64)


def _scores(
    sizes: np.ndarray,
    method: str,
    anticipated: np.ndarray | None,
    exponent: float,
) -> np.ndarray:
    n_h = sizes.astype(np.float64)
    if method == "proportional":
        return n_h
    if method == "equal":
        return np.ones_like(n_h)
    if method == "power":
        return n_h**exponent
    if method == "neyman":
        if anticipated is None:
            raise ArgumentError(
                "allocation='neyman' needs anticipated rates per stratum (anticipated=...)"
            )
        p = np.asarray(anticipated, dtype=np.float64)
        if p.shape != n_h.shape:
            raise ArgumentError(
                f"anticipated has {p.size} values for {n_h.size} strata; give one per stratum"
            )
        if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
            raise ArgumentError("anticipated rates must be in [0, 1]")
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = np.where(n_h > 1, n_h * p * (1 - p) / (n_h - 1), 0.0)
        return n_h * np.sqrt(s2)
    raise AssertionError(method)  # pragma: no cover


def _continuous(scores: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    """``clip(λ a, lo, hi)`` with ``λ`` such that the sum is ``n`` (``Σlo ≤ n ≤ Σhi``)."""
    lo_f, hi_f = lo.astype(np.float64), hi.astype(np.float64)
    if n <= lo_f.sum():
        return lo_f
    if n >= hi_f.sum():
        return hi_f
    movable = (hi > lo) & (scores > 0)
    reachable = float(np.where(movable, hi_f, lo_f).sum())
    if n > reachable:
        # the scored strata are all taken whole: the rest goes to strata with score 0
        # (e.g. Neyman strata anticipated at 0 or 1), proportionally to their size
        x = np.where(movable, hi_f, lo_f)
        rest = ~movable
        x[rest] = _continuous(hi_f[rest], lo[rest], hi[rest], round(n - x[movable].sum()))
        return x

    def total(lam: float) -> float:
        return float(np.clip(lam * scores, lo_f, hi_f).sum())

    # bisection on log(lambda): scores may span hundreds of orders of magnitude
    log_lo = math.log(1e-300)
    log_hi = math.log(float(np.max(hi_f[movable] / scores[movable])))
    for _ in range(200):
        mid = 0.5 * (log_lo + log_hi)
        if total(math.exp(mid)) < n:
            log_lo = mid
        else:
            log_hi = mid
        if log_hi - log_lo <= 1e-15:
            break
    lam_hi = math.exp(log_hi)
    lam = lam_hi
    x = np.clip(lam * scores, lo_f, hi_f)
    free = movable & (lam * scores > lo_f) & (lam * scores < hi_f)
    if free.any():  # solve exactly on the free strata
        fixed_sum = x[~free].sum()
        lam_exact = (n - fixed_sum) / scores[free].sum()
        x_free = np.clip(lam_exact * scores[free], lo_f[free], hi_f[free])
        x[free] = x_free
    return x


def _round(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder rounding of ``x`` to integers in ``[lo, hi]`` summing to ``n``."""
    base = np.clip(np.floor(x + 1e-9).astype(np.int64), lo, hi)
    frac = x - base
    short = n - int(base.sum())
    if short > 0:
        room = base < hi
        order = np.lexsort((np.arange(x.size), -np.where(room, frac, -np.inf)))
        take = order[:short]
        take = take[room[take]]
        base[take] += 1
    elif short < 0:
        room = base > lo
        order = np.lexsort((np.arange(x.size), np.where(room, frac, np.inf)))
        take = order[:-short]
        take = take[room[take]]
        base[take] -= 1
    return base


def allocate(
    population_sizes: Sequence[int] | np.ndarray,
    n: int | None = None,
    *,
    method: Allocation = "proportional",
    min_per_stratum: int = 2,
    anticipated: Sequence[float] | np.ndarray | None = None,
    exponent: float = 0.5,
) -> np.ndarray:
    """Integer sample sizes per stratum.

    Parameters
    ----------
    population_sizes : array-like of int
        ``N_h`` for each stratum (positive).
    n : int, optional
        Total sample size; required unless ``method="tianjin"`` (which must not
        get one).
    method : {"proportional", "neyman", "equal", "power", "tianjin"}
        See the module documentation.
    min_per_stratum : int, default 2
        Minimum ``n_h`` (lowered to ``N_h`` in smaller strata). Two units per
        stratum are the least that allow a variance estimate.
    anticipated : array-like of float, optional
        Anticipated rate ``p_h`` per stratum (``"neyman"`` only).
    exponent : float, default 0.5
        Power ``a`` of ``"power"`` allocation (0: equal, 1: proportional).

    Returns
    -------
    ndarray of int64
        ``n_h``, same order as ``population_sizes``.

    Raises
    ------
    SampleDesignError
        When ``n`` is below ``Σ min(min_per_stratum, N_h)`` or above ``Σ N_h``.
    ValueError
        For invalid options.

    Warns
    -----
    SmallStratumWarning
        ``"neyman"`` with all anticipated rates 0 or 1 (no variance anywhere):
        falls back to proportional.

    Examples
    --------
    >>> allocate([600, 300, 100], 100, method="equal", min_per_stratum=0)
    array([34, 33, 33])
    >>> allocate([600, 300, 100], 100, method="neyman", anticipated=[0.5, 0.9, 0.99])
    array([75, 23,  2])
    >>> allocate([10_000, 100, 1], 50, method="power", exponent=0.5)
    array([45,  4,  1])
    """
    if method not in ALLOCATIONS:
        listed = ", ".join(repr(a) for a in ALLOCATIONS)
        raise ArgumentError(f"method ({method!r}) must be one of {listed}")
    sizes = np.asarray(population_sizes)
    if sizes.ndim != 1 or (sizes.size and not np.issubdtype(sizes.dtype, np.integer)):
        if sizes.size and np.all(np.mod(sizes, 1) == 0):
            sizes = sizes.astype(np.int64)
        else:
            raise ArgumentError("population_sizes must be a one-dimensional array of integers")
    sizes = sizes.astype(np.int64)
    if np.any(sizes < 1):
        raise ArgumentError("population_sizes must all be positive")
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int | np.integer)
        or min_per_stratum < 0
    ):
        raise ArgumentError(f"min_per_stratum ({min_per_stratum!r}) must be a non-negative integer")
    if not isinstance(exponent, int | float) or not 0 <= exponent <= 1:
        raise ArgumentError(f"exponent ({exponent!r}) must be in [0, 1]")
    lo = np.minimum(int(min_per_stratum), sizes)
    if method == "tianjin":
        if n is not None:
            raise ArgumentError("allocation='tianjin' fixes the sizes by rule; do not pass n")
        return np.maximum(tianjin_rule(sizes), lo)
    if n is None:
        raise ArgumentError(f"allocation={method!r} needs a total sample size n")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ArgumentError(f"n ({n!r}) must be a non-negative integer")
    n = int(n)
    total, floor_total = int(sizes.sum()), int(lo.sum())
    if n > total:
        raise SampleDesignError(f"n ({n}) exceeds the population size ({total})")
    if n < floor_total:
        raise SampleDesignError(
            f"n ({n}) is below the minimum the design needs: min_per_stratum "
            f"({min_per_stratum}) in {sizes.size} strata gives {floor_total}; "
            f"raise n or lower min_per_stratum"
        )
    rates = None if anticipated is None else np.asarray(anticipated)
    scores = _scores(sizes, method, rates, exponent)
    movable = (sizes > lo) & (scores > 0)
    if n > floor_total and not movable.any() and method == "neyman":
        warnings.warn(
            "no stratum has a positive allocation score (all anticipated rates are 0 or 1?); "
            "allocating the rest proportionally",
            SmallStratumWarning,
            stacklevel=2,
        )
        scores = sizes.astype(np.float64)
    x = _continuous(scores, lo, sizes, n)
    out = _round(x, lo, sizes, n)
    assert int(out.sum()) == n and np.all(out >= lo) and np.all(out <= sizes)
    return out


def kish_deff(population_sizes: np.ndarray, sample_sizes: np.ndarray) -> float:
    """Kish's design effect from unequal weights, ``n Σ w² / (Σ w)²``.

    With weight ``N_h / n_h`` for the ``n_h`` units of stratum ``h`` this is
    ``(Σ n_h)(Σ N_h² / n_h) / (Σ N_h)²`` over strata with ``n_h > 0``.

    Examples
    --------
    >>> kish_deff(np.array([100, 100]), np.array([10, 10]))
    1.0
    >>> round(kish_deff(np.array([900, 100]), np.array([10, 10])), 4)
    1.64
    """
    big_n = np.asarray(population_sizes, dtype=np.float64)
    small_n = np.asarray(sample_sizes, dtype=np.float64)
    keep = small_n > 0
    if not keep.any():
        return math.nan
    big_n, small_n = big_n[keep], small_n[keep]
    return float(small_n.sum() * np.sum(big_n**2 / small_n) / big_n.sum() ** 2)
