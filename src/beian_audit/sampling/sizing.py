"""Sizing rules of a sample plan: how many units per stratum, and what they deliver.

The steps of :func:`~beian_audit.sampling.plan.plan_sample` between the strata
and the result: the planning rate of every stratum (:func:`_anticipated`), the
cost of one verification (:func:`_unit_costs`), the effective size needed to
show a target (:func:`_required_size`), the expected precision of a set of
sizes (:func:`_metrics`: Kish's design effect with the stratum fpc, the
effective size, the expected margin), the search for the smallest allocation
that meets the goal, or the cost-optimal one for a budget (:class:`_Sizer`),
and the goal in words (:func:`_goal_statement`). Formulas and references are in
:func:`~beian_audit.sampling.plan.plan_sample`, Notes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.errors import (
    ArgumentError,
    GoalNotReachableWarning,
    SampleDesignError,
)
from beian_audit.sampling.allocation import allocate, cost_optimal_allocation
from beian_audit.sampling.size import sample_size_power, sample_size_target

__all__: list[str] = []

# --------------------------------------------------------------------------- metrics


def _anticipated(
    frame: pd.DataFrame,
    codes: np.ndarray,
    labels: np.ndarray,
    anticipated: Mapping[str, float] | pd.Series | str | float | None,
    default: float,
) -> np.ndarray:
    h = labels.size
    if anticipated is None:
        return np.full(h, default)
    if isinstance(anticipated, int | float) and not isinstance(anticipated, bool):
        values = np.full(h, float(anticipated))
    elif isinstance(anticipated, str):
        if anticipated not in frame.columns:
            raise ArgumentError(f"anticipated ({anticipated!r}) is not a column of the frame")
        col = pd.to_numeric(frame[anticipated].astype("Float64"), errors="coerce")
        ok = col.notna().to_numpy()
        values_all = col.to_numpy(dtype=float, na_value=0.0)
        sums = np.bincount(codes[ok], weights=values_all[ok], minlength=h)
        counts = np.bincount(codes[ok], minlength=h)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(counts > 0, sums / np.maximum(counts, 1), default)
    elif isinstance(anticipated, Mapping | pd.Series):
        mapping = {str(k): float(v) for k, v in dict(anticipated).items()}
        values = np.array([mapping.get(str(s), math.nan) for s in labels], dtype=float)
        if np.isnan(values).any():
            missing = [str(s) for s, v in zip(labels, values, strict=True) if np.isnan(v)][:5]
            raise ArgumentError(f"anticipated has no rate for strata {missing} …")
    else:
        raise ArgumentError(
            "anticipated must be a rate, a column name, or a mapping stratum -> rate"
        )
    if np.any((values < 0) | (values > 1)):
        raise ArgumentError("anticipated rates must be in [0, 1]")
    return values


@dataclass(frozen=True, slots=True)
class _Metrics:
    expected_n: float
    deff_kish: float
    n_effective: float
    margin: float


def _metrics(
    big_n: np.ndarray,
    small_n: np.ndarray,
    pi_psu: np.ndarray,
    p: np.ndarray,
    *,
    z: float,
    deff: float,
    response_rate: float,
    two_stage: bool,
) -> _Metrics:
    big = big_n.astype(np.float64)
    small = small_n.astype(np.float64)
    counts = pi_psu * small  # expected sample units per stratum
    expected_n = float(counts.sum())
    keep = counts > 0
    if not keep.any():
        return _Metrics(0.0, math.nan, 0.0, math.inf)
    if two_stage:  # a random stage 1: Kish's weighting effect, the stage-1 term is in deff
        w = big[keep] / (pi_psu[keep] * small[keep])
        c = counts[keep]
        deff_kish = float(c.sum() * np.sum(c * w**2) / np.sum(c * w) ** 2)
        n_eff = expected_n * response_rate / (deff_kish * deff)
    else:
        # Kish's effect with the stratum fpc: the stratified variance per unit
        # element variance, sum W_h^2 (1 - f_h) / m_h, against SRS without
        # replacement of the same m from the same N, (1 - m/N) / m (Cochran 1977,
        # 5.6 with equal S_h; Kish 1965, 11.7). 1 for proportional allocation;
        # without fpc (all f_h -> 0) it is Kish's n sum w^2 / (sum w)^2.
        big_k = big[keep]
        m_h = small[keep] * response_rate
        share = big_k / big_k.sum()
        v_unit = float(np.sum(share**2 * np.clip(1.0 - m_h / big_k, 0.0, 1.0) / m_h))
        srs_fpc = 1.0 - float(m_h.sum() / big_k.sum())
        deff_kish = float(m_h.sum() * v_unit / srs_fpc) if srs_fpc > 1e-12 else 1.0
        # the size of a simple random sample (without replacement) of equal
        # precision; not inflated by 1 / (1 - m/N): with no failure seen the
        # estimate's interval is binomial at n (NCHS rule), fpc or not
        n_eff = expected_n * response_rate / (deff_kish * deff)
    total = big.sum()
    if not two_stage:
        m = small * response_rate
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = np.where(big > 1, big * p * (1 - p) / (big - 1), 0.0)
            fpc = np.clip(1 - m / big, 0.0, 1.0)
            var_h = np.where(m > 0, (big / total) ** 2 * fpc * s2 / m, 0.0)
        var = float(var_h.sum()) * deff
        # strata with no sample add bias, not variance: they are excluded here
    else:
        p_bar = float(np.sum(big * p) / total)
        shrink = max(1.0 - expected_n / float(total), 0.0)
        respondents = max(expected_n * response_rate, 1e-300)
        var = deff * deff_kish * p_bar * (1 - p_bar) * shrink / respondents
    return _Metrics(expected_n, deff_kish, n_eff, z * math.sqrt(max(var, 0.0)))


# --------------------------------------------------------------------------- cost


def _unit_costs(
    frame: pd.DataFrame,
    codes: np.ndarray,
    labels: np.ndarray,
    cost: str | Mapping[str, float] | pd.Series | float,
) -> np.ndarray:
    """Cost of one verification per stratum, from a number, a column or a mapping."""
    h = labels.size
    if isinstance(cost, int | float | np.integer | np.floating) and not isinstance(cost, bool):
        values = np.full(h, float(cost))
    elif isinstance(cost, str):
        col = pd.to_numeric(frame[cost].astype("Float64"), errors="coerce")
        bad = col.isna().to_numpy()
        if bad.any():
            first = frame.index[int(np.flatnonzero(bad)[0])]
            raise SampleDesignError(
                f"cost column {cost!r} must be numeric and complete; row {first!r} "
                f"({int(bad.sum())} row(s) in all) has no number"
            )
        v = col.to_numpy(dtype=float)
        low = np.full(h, np.inf)
        high = np.full(h, -np.inf)
        np.minimum.at(low, codes, v)
        np.maximum.at(high, codes, v)
        varies = np.flatnonzero(high > low)
        if varies.size:
            s = varies[0]
            raise SampleDesignError(
                f"cost column {cost!r} must be constant within each stratum; stratum "
                f"{labels[s]!r} has costs from {low[s]:g} to {high[s]:g} "
                f"({varies.size} stratum/strata vary)"
            )
        values = low
    elif isinstance(cost, Mapping | pd.Series):
        mapping = {str(k): v for k, v in dict(cost).items()}
        missing = [str(s) for s in labels if str(s) not in mapping]
        if missing:
            raise ArgumentError(f"cost has no value for strata {missing[:5]} …")
        try:
            values = np.array([float(mapping[str(s)]) for s in labels], dtype=float)
        except (TypeError, ValueError) as exc:
            raise ArgumentError(f"cost values must be numbers ({exc})") from None
    else:
        raise ArgumentError(
            f"cost ({cost!r}) must be a number, a column name, or a mapping stratum -> cost"
        )
    bad_h = np.flatnonzero(~np.isfinite(values) | (values <= 0))
    if bad_h.size:
        s = bad_h[0]
        raise ArgumentError(
            f"cost must be positive and finite in every stratum; stratum {labels[s]!r} "
            f"has {values[s]!r}"
        )
    return values


def _cost_sizes(
    big_n: np.ndarray,
    p_h: np.ndarray,
    c_h: np.ndarray,
    lo: np.ndarray,
    budget: float | None,
    min_per_stratum: int,
    meets: Any,
) -> np.ndarray:
    """Cost-optimal sizes for a budget, or for the smallest budget whose plan ``meets``."""
    big = big_n.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        s_h = np.sqrt(np.where(big > 1, big * p_h * (1 - p_h) / (big - 1), 0.0))

    def sizes_at(b: float) -> np.ndarray:
        return cost_optimal_allocation(
            big_n, s_h, c_h, budget=b, min_per_stratum=min_per_stratum
        )

    if budget is not None:
        return sizes_at(float(budget))
    low_b, high_b = float(np.sum(c_h * lo)), float(np.sum(c_h * big_n))
    if meets(sizes_at(low_b)):
        return sizes_at(low_b)
    if not meets(sizes_at(high_b)):
        return big_n.astype(np.int64)
    step = float(np.min(c_h))
    while high_b - low_b > 0.5 * step:  # sizes change in steps of at least min c_h
        mid = 0.5 * (low_b + high_b)
        if meets(sizes_at(mid)):
            high_b = mid
        else:
            low_b = mid
    return sizes_at(high_b)


# --------------------------------------------------------------------------- options


def _check_unit(name: str, value: float | None, *, closed_low: bool = False) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ArgumentError(f"{name} ({value!r}) must be a number")
    lo_ok = value >= 0 if closed_low else value > 0
    if not (lo_ok and value < 1):
        interval = "[0, 1)" if closed_low else "(0, 1)"
        raise ArgumentError(f"{name} ({value!r}) must be in {interval}")
    return float(value)


def _required_size(
    target: float | None,
    *,
    power: float | None,
    expected: float | None,
    confidence_level: float,
    failures: int,
) -> int | None:
    """Effective size needed to show ``target`` (``None`` without a target)."""
    if target is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GoalNotReachableWarning)
        if power is None:
            return sample_size_target(target, confidence_level=confidence_level, failures=failures)
        return sample_size_power(
            target,
            float(expected),  # type: ignore[arg-type]
            power=power,
            confidence_level=confidence_level,
        )


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True, slots=True)
class _Sizer:
    """The sizes of one design: allocation of a total, their metrics, the goal test."""

    big_n: np.ndarray
    lo: np.ndarray
    pi_psu: np.ndarray
    p_h: np.ndarray
    allocation: str
    min_per_stratum: int
    exponent: float
    z: float
    deff: float
    response_rate: float
    two_stage: bool
    margin: float | None
    required: int | None

    def sizes_for(self, total: int) -> np.ndarray:
        return allocate(
            self.big_n,
            int(total),
            method=self.allocation,  # type: ignore[arg-type]
            min_per_stratum=self.min_per_stratum,
            anticipated=self.p_h,
            exponent=self.exponent,
        )

    def metrics(self, small: np.ndarray) -> _Metrics:
        return _metrics(
            self.big_n,
            small,
            self.pi_psu,
            self.p_h,
            z=self.z,
            deff=self.deff,
            response_rate=self.response_rate,
            two_stage=self.two_stage,
        )

    def meets(self, met: _Metrics) -> bool:
        ok = True
        if self.margin is not None:
            ok &= met.margin <= self.margin * (1 + 1e-12)
        if self.required is not None:
            ok &= met.n_effective >= self.required * (1 - 1e-12)
        return ok

    def smallest(self, pred: Callable[[int], bool]) -> int:
        """Smallest total in [Σlo, ΣN] whose allocation satisfies ``pred``."""
        low, high = int(self.lo.sum()), int(self.big_n.sum())
        if pred(low):
            return low
        if not pred(high):
            return high
        while high - low > 1:
            mid = (low + high) // 2
            if pred(mid):
                high = mid
            else:
                low = mid
        return high


def _choose_sizes(
    sizer: _Sizer,
    *,
    cost_optimal: bool,
    c_h: np.ndarray | None,
    budget: float | None,
    n: int | None,
    n_per_stratum: int | None,
) -> np.ndarray:
    """Units per stratum: for a budget, by a rule, for a total ``n``, or for the goal."""
    big_n, lo = sizer.big_n, sizer.lo
    if cost_optimal:
        assert c_h is not None
        return _cost_sizes(big_n, sizer.p_h, c_h, lo, budget, sizer.min_per_stratum,
                           lambda small: sizer.meets(sizer.metrics(small)))
    if sizer.allocation == "tianjin":
        return allocate(big_n, method="tianjin", min_per_stratum=sizer.min_per_stratum)
    if n_per_stratum is not None:
        if (
            isinstance(n_per_stratum, bool)
            or not isinstance(n_per_stratum, int)
            or n_per_stratum < 1
        ):
            raise ArgumentError(f"n_per_stratum ({n_per_stratum!r}) must be a positive integer")
        return np.minimum(np.maximum(n_per_stratum, lo), big_n).astype(np.int64)
    if n is not None:
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ArgumentError(f"n ({n!r}) must be a positive integer")
        if n > big_n.sum():
            raise SampleDesignError(f"n ({n}) exceeds the frame ({int(big_n.sum())} rows)")
        if sizer.two_stage:
            total = sizer.smallest(
                lambda t: sizer.metrics(sizer.sizes_for(t)).expected_n >= n - 1e-9
            )
            return sizer.sizes_for(total)
        return sizer.sizes_for(int(n))
    total = sizer.smallest(lambda t: sizer.meets(sizer.metrics(sizer.sizes_for(t))))
    return sizer.sizes_for(total)


def _goal_statement(
    met: _Metrics,
    *,
    margin: float | None,
    target: float | None,
    required: int | None,
    confidence_level: float,
    failures: int,
    power: float | None,
    expected: float | None,
) -> tuple[str, bool | None]:
    """The goal in words and whether the plan reaches it; warns when it does not."""
    goal_parts: list[str] = []
    reached: bool | None = None
    problems: list[str] = []
    if margin is not None:
        goal_parts.append(f"margin ±{margin:g} at {confidence_level:.0%}")
        if met.margin > margin * (1 + 1e-12):
            problems.append(
                f"the expected margin is ±{met.margin:.4f}, wider than ±{margin:g}"
            )
    if target is not None and required is not None:
        how = (
            f"allowing {failures} failure(s)"
            if power is None
            else f"with power {power:g} if the rate is {expected:g}"
        )
        goal_parts.append(f"show ≥ {target:g} at {confidence_level:.0%} one-sided {how}")
        if met.n_effective < required * (1 - 1e-12):
            zero = " even with zero failures" if power is None and failures == 0 else ""
            problems.append(
                f"the plan cannot show {target:g}{zero}: its effective size "
                f"{met.n_effective:,.1f} (n={met.expected_n:,.0f}, deff_kish="
                f"{met.deff_kish:.3f}) is below the {required:,} needed"
            )
    if goal_parts:
        reached = not problems
    goal = "; ".join(goal_parts) if goal_parts else "no goal stated"
    if problems:
        goal += " — NOT reachable: " + "; ".join(problems)
        warnings.warn("; ".join(problems), GoalNotReachableWarning, stacklevel=3)
    return goal, reached
