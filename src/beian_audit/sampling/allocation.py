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

:func:`cost_optimal_allocation` adds unit costs ``c_h``: the optimum of Cochran
(1977) §5.5, ``n_h ∝ N_h S_h / √c_h``, for a budget (the least variance it
buys) or for a variance (the least cost that reaches it), in integers whose
cost never exceeds the budget.

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
from typing import Any, Literal

import numpy as np

from beian_audit._options import check_choice
from beian_audit.errors import ArgumentError, SampleDesignError, SmallStratumWarning

__all__ = [
    "ALLOCATIONS",
    "Allocation",
    "allocate",
    "cost_optimal_allocation",
    "stratified_variance",
    "tianjin_rule",
]

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
    check_choice("method", method, ALLOCATIONS)
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


# --------------------------------------------------------------------------- cost


def _cost_inputs(
    population_sizes: Sequence[int] | np.ndarray,
    stratum_sd: Sequence[float] | np.ndarray,
    unit_costs: Sequence[float] | np.ndarray,
    min_per_stratum: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    sizes = np.asarray(population_sizes)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ArgumentError("population_sizes must be a non-empty one-dimensional array")
    if not np.issubdtype(sizes.dtype, np.integer):
        if not (np.issubdtype(sizes.dtype, np.number) and np.all(np.mod(sizes, 1) == 0)):
            raise ArgumentError("population_sizes must be integers")
    sizes = sizes.astype(np.int64)
    if np.any(sizes < 1):
        raise ArgumentError("population_sizes must all be positive")
    sd = np.asarray(stratum_sd, dtype=np.float64)
    costs = np.asarray(unit_costs, dtype=np.float64)
    for name, values in (("stratum_sd", sd), ("unit_costs", costs)):
        if values.shape != sizes.shape:
            raise ArgumentError(
                f"{name} has {values.size} values for {sizes.size} strata; give one per stratum"
            )
    if np.any(~np.isfinite(sd)) or np.any(sd < 0):
        raise ArgumentError("stratum_sd must be finite and non-negative")
    if np.any(~np.isfinite(costs)) or np.any(costs <= 0):
        bad = int(np.flatnonzero(~np.isfinite(costs) | (costs <= 0))[0])
        raise ArgumentError(
            f"unit_costs must be finite and positive; stratum {bad} (0-based) has {costs[bad]!r}"
        )
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int | np.integer)
        or min_per_stratum < 0
    ):
        raise ArgumentError(f"min_per_stratum ({min_per_stratum!r}) must be a non-negative integer")
    lo = np.minimum(int(min_per_stratum), sizes)
    return sizes, sd, costs, lo


def stratified_variance(
    population_sizes: Sequence[int] | np.ndarray,
    stratum_sd: Sequence[float] | np.ndarray,
    sample_sizes: Sequence[float] | np.ndarray,
) -> float:
    """Variance of the stratified mean, ``Σ W_h² S_h² (1/n_h − 1/N_h)`` (Cochran eq. 5.6).

    Strata with ``S_h = 0`` add nothing; a stratum with ``S_h > 0`` and
    ``n_h = 0`` makes it infinite.

    Examples
    --------
    >>> stratified_variance([100, 100], [1.0, 1.0], [10, 10])
    0.045
    """
    big = np.asarray(population_sizes, dtype=np.float64)
    sd = np.asarray(stratum_sd, dtype=np.float64)
    small = np.asarray(sample_sizes, dtype=np.float64)
    share2 = (big / big.sum()) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(sd > 0, share2 * sd**2 * (1.0 / small - 1.0 / big), 0.0)
    return float(np.sum(terms))


def _cost_continuous(
    scores: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: Any
) -> np.ndarray:
    """``clip(λ a, lo, hi)`` with ``λ`` such that ``total(x)`` reaches its goal.

    ``total`` is a function of ``x`` returning a signed gap (negative: λ too
    small); it must be non-decreasing in ``λ``.
    """
    lo_f, hi_f = lo.astype(np.float64), hi.astype(np.float64)
    movable = (hi > lo) & (scores > 0)
    if not movable.any():
        return lo_f

    def x_of(log_lam: float) -> np.ndarray:
        return np.clip(math.exp(log_lam) * scores, lo_f, hi_f)

    log_lo = math.log(1e-300)
    log_hi = math.log(float(np.max(hi_f[movable] / scores[movable]))) + 1e-12
    if total(x_of(log_hi)) <= 0:
        return hi_f.copy()
    if total(x_of(log_lo)) >= 0:
        return lo_f.copy()
    for _ in range(200):
        mid = 0.5 * (log_lo + log_hi)
        if total(x_of(mid)) < 0:
            log_lo = mid
        else:
            log_hi = mid
        if log_hi - log_lo <= 1e-15:
            break
    return x_of(log_lo)


def cost_optimal_allocation(
    population_sizes: Sequence[int] | np.ndarray,
    stratum_sd: Sequence[float] | np.ndarray,
    unit_costs: Sequence[float] | np.ndarray,
    *,
    budget: float | None = None,
    variance: float | None = None,
    fixed_cost: float = 0.0,
    min_per_stratum: int = 2,
) -> np.ndarray:
    """Cost-optimal integer stratum sizes: ``n_h ∝ N_h S_h / √c_h`` (Cochran 1977 §5.5).

    With the linear cost function ``C = c_0 + Σ c_h n_h`` the variance of the
    stratified mean, ``V = Σ W_h² S_h² (1/n_h − 1/N_h)``, is smallest for a
    given cost, and the cost is smallest for a given variance, when
    ``n_h = λ N_h S_h / √c_h`` (Cochran 1977, Theorem 5.6). For a budget ``C``
    the unconstrained solution is (Cochran eq. 5.24)

    ``n = (C − c_0) Σ N_h S_h/√c_h / Σ N_h S_h √c_h``,
    ``n_h = n (N_h S_h/√c_h) / Σ N_k S_k/√c_k``;

    for a variance ``V`` (eq. 5.25)

    ``n = (Σ W_h S_h √c_h)(Σ W_h S_h/√c_h) / (V + Σ W_h S_h²/N)``.

    Here ``x_h = clip(λ N_h S_h/√c_h, m_h, N_h)`` with ``m_h = min(min_per_stratum, N_h)``
    and ``λ`` solved so that the cost equals the budget, or the variance the
    wanted one (the same Lagrange solution with the bounds active). Rounding:
    ``⌊x_h⌋``, then one unit at a time to the stratum with the largest variance
    reduction per unit cost, ``W_h² S_h² (1/n_h − 1/(n_h+1)) / c_h``, among
    those whose unit still fits the budget (budget mode; the total cost never
    exceeds ``budget``) or until the variance is reached (variance mode).

    Parameters
    ----------
    population_sizes : array-like of int
        ``N_h`` (positive).
    stratum_sd : array-like of float
        ``S_h``, the (anticipated) standard deviation within the stratum; for a
        rate ``p_h``, ``S_h = √(N_h p_h (1 − p_h)/(N_h − 1))``.
    unit_costs : array-like of float
        ``c_h``, cost of one sampled unit in the stratum (positive).
    budget : float, optional
        Total cost allowed, ``c_0 + Σ c_h n_h ≤ budget``.
    variance : float, optional
        Wanted variance of the stratified mean (give exactly one of ``budget``
        and ``variance``).
    fixed_cost : float, default 0
        ``c_0``, the overhead that does not depend on the sample (budget mode).
    min_per_stratum : int, default 2
        Minimum ``n_h`` (lowered to ``N_h`` in smaller strata), as in :func:`allocate`.

    Returns
    -------
    ndarray of int64
        ``n_h``, same order as the inputs.

    Raises
    ------
    SampleDesignError
        When the budget cannot pay for the minimums ``Σ c_h m_h + c_0``.
    ArgumentError
        For invalid inputs.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., §5.5, eqs. 5.23–5.25. Wiley.

    Examples
    --------
    Two strata of equal size and spread, one four times as expensive: it gets
    half the sample size of the other (``1/√4``).

    >>> cost_optimal_allocation([1000, 1000], [0.5, 0.5], [1.0, 4.0], budget=600)
    array([200, 100])
    >>> cost_optimal_allocation([1000, 1000], [0.5, 0.5], [1.0, 4.0], budget=601.5)
    array([201, 100])
    """
    sizes, sd, costs, lo = _cost_inputs(population_sizes, stratum_sd, unit_costs, min_per_stratum)
    if (budget is None) == (variance is None):
        raise ArgumentError("give exactly one of budget and variance")
    if (
        isinstance(fixed_cost, bool)
        or not isinstance(fixed_cost, int | float | np.floating | np.integer)
        or not math.isfinite(fixed_cost)
        or fixed_cost < 0
    ):
        raise ArgumentError(f"fixed_cost ({fixed_cost!r}) must be a non-negative number")
    scores = sizes * sd / np.sqrt(costs)
    share2 = (sizes / sizes.sum()) ** 2
    gain_weight = share2 * sd**2  # variance reduction of unit k+1 is gain_weight / (k (k+1))

    if budget is not None:
        if (
            isinstance(budget, bool)
            or not isinstance(budget, int | float | np.floating | np.integer)
            or not math.isfinite(budget)
        ):
            raise ArgumentError(f"budget ({budget!r}) must be a finite number")
        spend = float(budget) - float(fixed_cost)
        floor_cost = float(np.sum(costs * lo))
        if float(fixed_cost) + floor_cost > float(budget):
            raise SampleDesignError(
                f"the budget ({budget:g}) does not pay for the minimum sample: "
                f"min_per_stratum ({min_per_stratum}) in {sizes.size} strata costs "
                f"{floor_cost:g}" + (f" plus the fixed cost {fixed_cost:g}" if fixed_cost else "")
            )
        x = _cost_continuous(scores, lo, sizes, lambda x: float(np.sum(costs * x)) - spend)
        out = np.clip(np.floor(x + 1e-9).astype(np.int64), lo, sizes)
        _greedy_budget(out, sizes, costs, gain_weight, spend - float(np.sum(costs * out)))
        # float guard: the total as a user adds it up must not exceed the budget
        while float(fixed_cost) + float(np.sum(costs * out)) > float(budget):
            room = out > lo
            with np.errstate(divide="ignore", invalid="ignore"):
                loss = gain_weight / (out * (out - 1.0)) / costs
            out[int(np.argmin(np.where(room, loss, np.inf)))] -= 1
        return out

    assert variance is not None
    if (
        isinstance(variance, bool)
        or not isinstance(variance, int | float | np.floating | np.integer)
        or not math.isfinite(variance)
        or variance < 0
    ):
        raise ArgumentError(f"variance ({variance!r}) must be a non-negative number")
    wanted = float(variance)

    def gap(x: np.ndarray) -> float:
        return wanted - stratified_variance(sizes, sd, x)

    x = _cost_continuous(scores, lo, sizes, gap)
    out = np.clip(np.floor(x + 1e-9).astype(np.int64), lo, sizes)
    _greedy_variance(out, sizes, sd, costs, gain_weight, wanted)
    _prune(out, lo, sizes, sd, costs, wanted)
    up = np.clip(np.ceil(x - 1e-9).astype(np.int64), lo, sizes)  # always reaches it
    _prune(up, lo, sizes, sd, costs, wanted)
    if float(np.sum(costs * up)) < float(np.sum(costs * out)):
        return up
    return out


def _prune(
    out: np.ndarray, lo: np.ndarray, sizes: np.ndarray, sd: np.ndarray, costs: np.ndarray,
    wanted: float,
) -> None:
    """Drop units, most expensive stratum first, while the variance stays at most ``wanted``."""
    tol = wanted * 1e-12
    for h in np.argsort(-costs, kind="stable"):
        while out[h] > lo[h]:
            out[h] -= 1
            if stratified_variance(sizes, sd, out) > wanted + tol:
                out[h] += 1
                break


def _heap(out: np.ndarray, sizes: np.ndarray, costs: np.ndarray, gain_weight: np.ndarray) -> list:
    """Max-heap (negated) of the next unit's variance reduction per cost, per stratum."""
    import heapq

    heap = []
    for h in range(out.size):
        if out[h] < sizes[h] and gain_weight[h] > 0:
            g = gain_weight[h] / (out[h] * (out[h] + 1.0)) if out[h] > 0 else math.inf
            heap.append((-g / costs[h], h))
    heapq.heapify(heap)
    return heap


def _push(heap: list, out: np.ndarray, sizes: np.ndarray, costs: np.ndarray,
          gain_weight: np.ndarray, h: int) -> None:
    import heapq

    if out[h] < sizes[h]:
        g = float(gain_weight[h] / (out[h] * (out[h] + 1.0)))
        heapq.heappush(heap, (-g / costs[h], h))


def _greedy_budget(
    out: np.ndarray, sizes: np.ndarray, costs: np.ndarray, gain_weight: np.ndarray, left: float
) -> None:
    """Add units by largest variance reduction per cost while the budget allows (in place).

    A stratum whose unit no longer fits is dropped for good: what is left only shrinks.
    """
    import heapq

    heap = _heap(out, sizes, costs, gain_weight)
    while heap:
        _, h = heapq.heappop(heap)
        if costs[h] > left + 1e-9 * max(1.0, abs(left)):
            continue
        out[h] += 1
        left -= float(costs[h])
        _push(heap, out, sizes, costs, gain_weight, h)


def _greedy_variance(
    out: np.ndarray,
    sizes: np.ndarray,
    sd: np.ndarray,
    costs: np.ndarray,
    gain_weight: np.ndarray,
    wanted: float,
) -> None:
    """Add units by largest variance reduction per cost until the variance is ``wanted``."""
    import heapq

    heap = _heap(out, sizes, costs, gain_weight)
    current = stratified_variance(sizes, sd, out)
    tol = wanted * 1e-12
    while heap and current > wanted + tol:
        _, h = heapq.heappop(heap)
        if out[h] == 0:
            out[h] += 1
            current = stratified_variance(sizes, sd, out)
        else:
            current -= float(gain_weight[h] / (out[h] * (out[h] + 1.0)))
            out[h] += 1
        _push(heap, out, sizes, costs, gain_weight, h)
