"""What it costs to settle every provider's verdict: :func:`expected_settlement_cost`.

For each provider (stratum) with ``N_h`` filings, an anticipated accuracy
``p_h`` and a cost ``c_h`` per verification, the planner asks how many
verifications settle the provider's verdict against the target ``t``:

* ``p_h > t``: the smallest ``n`` with probability ``power`` that the exact
  one-sided lower bound reaches ``t`` (:func:`~beian_audit.sampling.sample_size_power`);
  the verdict is then ``"met"``;
* ``p_h < t``: the same for the upper bound falling below ``t``, i.e. showing
  that the failure rate ``1 − p_h`` exceeds ``1 − t``
  (``sample_size_power(1 − t, 1 − p_h)``; Clopper–Pearson bounds are symmetric
  in successes and failures); the verdict is then ``"not_met"``;
* ``p_h = t``, or no sample short of the whole provider reaches the power: only
  a census (all ``N_h`` filings) settles it.

``n_h`` is capped at ``N_h`` (a census settles any verdict) and the cost is
``c_h × n_h``. These are fixed-size plans; verifying in PRN order and stopping
once the verdict is settled (issue #15, item 2) usually spends less.

Examples
--------
>>> r = expected_settlement_cost({"P1": 5000, "P2": 80}, 0.75,
...                              anticipated={"P1": 0.9, "P2": 0.6}, cost={"P1": 1, "P2": 3})
>>> r.table[["stratum", "anticipated", "verdict", "n", "cost"]]
  stratum  anticipated  verdict   n   cost
0      P1          0.9      met  45   45.0
1      P2          0.6  not_met  62  186.0
>>> r.total_cost
231.0
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import ArgumentError, GoalNotReachableWarning, SampleDesignError
from beian_audit.sampling.size import sample_size_power

__all__ = ["SettlementCost", "expected_settlement_cost"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SettlementCost(ResultMixin):
    """Verifications and cost needed to settle each provider's verdict.

    Attributes
    ----------
    table : DataFrame
        One row per provider: ``stratum``, ``N``, ``anticipated``, ``verdict``
        (the verdict the plan is built to reach: ``"met"``, ``"not_met"``, or
        ``"census"`` when only verifying every filing settles it), ``n``
        (verifications, at most ``N``), ``census`` (``n == N``), ``unit_cost``
        and ``cost`` (``unit_cost × n``).
    target, power, confidence_level : float
        The decision: one-sided bounds at ``confidence_level``, reached with
        probability ``power`` if the anticipated rate is true.
    total_n : int
        ``Σ n``.
    total_cost : float
        ``Σ cost``.
    """

    table: pd.DataFrame
    target: float
    power: float
    confidence_level: float
    total_n: int
    total_cost: float

    def to_frame(self) -> pd.DataFrame:
        """The per-provider table with a final ``total`` row."""
        total: dict[str, Any] = {c: pd.NA for c in self.table.columns}
        total.update(stratum="total", N=int(self.table["N"].sum()), n=self.total_n,
                     census=bool(self.table["census"].all()), cost=self.total_cost)
        row = pd.DataFrame([total]).astype({"N": np.int64, "n": np.int64})
        return pd.concat([self.table, row], ignore_index=True)

    def _summary(self) -> str:
        census = int(self.table["census"].sum())
        return (
            f"providers={len(self.table):,}, target={self.target:g}, power={self.power:g}, "
            f"total_n={self.total_n:,}, total_cost={self.total_cost:,.6g}, census={census:,}"
        )


def _per_stratum(
    value: Any, labels: list[str], name: str, default: np.ndarray | None
) -> np.ndarray:
    if value is None:
        if default is None:
            raise ArgumentError(f"{name} is needed (a number or a mapping stratum -> value)")
        return default
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return np.full(len(labels), float(value))
    if isinstance(value, Mapping | pd.Series):
        mapping = {str(k): v for k, v in dict(value).items()}
        missing = [s for s in labels if s not in mapping]
        if missing:
            raise ArgumentError(f"{name} has no value for strata {missing[:5]}")
        return np.array([float(mapping[s]) for s in labels], dtype=float)
    raise ArgumentError(f"{name} ({value!r}) must be a number or a mapping stratum -> value")


def expected_settlement_cost(
    providers: Any,
    target: float,
    *,
    anticipated: Mapping[str, float] | pd.Series | float | None = None,
    cost: Mapping[str, float] | pd.Series | float | None = None,
    power: float = 0.8,
    confidence_level: float = 0.95,
) -> SettlementCost:
    """Verifications and cost to settle a met / not-met verdict for every provider.

    Parameters
    ----------
    providers : SamplePlan, mapping stratum -> N, or Series
        The providers and their numbers of filings ``N_h``. A
        :class:`~beian_audit.sampling.SamplePlan` also supplies the
        anticipated rates and, when it was made with ``cost=``, the unit costs.
    target : float
        The rate to decide on, e.g. 0.75.
    anticipated : float or mapping stratum -> rate, optional
        Anticipated rate per provider (default: the plan's ``anticipated``).
    cost : float or mapping stratum -> cost, optional
        Cost of one verification (default: the plan's ``unit_cost``, else 1).
    power : float, default 0.8
        Wanted probability of settling the verdict if the anticipated rate is true.
    confidence_level : float, default 0.95
        One-sided level of the bounds.

    Returns
    -------
    SettlementCost

    Warns
    -----
    GoalNotReachableWarning
        When some providers can only be settled by a census (anticipated rate
        at the target, or too close to it for any smaller sample).

    Examples
    --------
    >>> expected_settlement_cost({"P1": 100}, 0.75, anticipated=0.99).table["n"].tolist()
    [11]
    """
    from beian_audit.sampling.plan import SamplePlan

    default_p: np.ndarray | None = None
    default_c: np.ndarray | None = None
    if isinstance(providers, SamplePlan):
        labels = [str(s) for s in providers.sizes["stratum"]]
        big_n = providers.sizes["N"].to_numpy(dtype=np.int64)
        default_p = providers.sizes["anticipated"].to_numpy(dtype=float)
        if "unit_cost" in providers.sizes.columns:
            default_c = providers.sizes["unit_cost"].to_numpy(dtype=float)
    elif isinstance(providers, Mapping | pd.Series):
        items = dict(providers)
        labels = [str(k) for k in items]
        try:
            big_n = np.array([int(v) for v in items.values()], dtype=np.int64)
        except (TypeError, ValueError):
            raise ArgumentError(
                "providers must map each stratum to its number of filings"
            ) from None
    else:
        raise ArgumentError(
            "providers must be a SamplePlan or a mapping stratum -> number of filings"
        )
    if not labels:
        raise ArgumentError("providers is empty")
    if np.any(big_n < 1):
        raise ArgumentError("every provider must have at least one filing")
    for name, value in (("target", target), ("power", power),
                        ("confidence_level", confidence_level)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
            raise ArgumentError(f"{name} ({value!r}) must be strictly between 0 and 1")
    p = _per_stratum(anticipated, labels, "anticipated", default_p)
    c = _per_stratum(cost, labels, "cost", default_c if default_c is not None
                     else np.ones(len(labels)))
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ArgumentError("anticipated rates must be in [0, 1]")
    if np.any(~np.isfinite(c)) or np.any(c <= 0):
        raise ArgumentError("cost must be positive and finite for every provider")

    memo: dict[tuple[float, int], tuple[str, int]] = {}

    def needed(rate: float, size: int) -> tuple[str, int]:
        key = (rate, size)
        if key in memo:
            return memo[key]
        if rate == target:
            out = ("census", size)
        else:
            met = rate > target
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", GoalNotReachableWarning)
                    k = (
                        sample_size_power(target, rate, power=power,
                                          confidence_level=confidence_level)
                        if met
                        else sample_size_power(1 - target, 1 - rate, power=power,
                                               confidence_level=confidence_level)
                    )
            except SampleDesignError:
                k = size
            out = ("met" if met else "not_met", k) if k < size else ("census", size)
        memo[key] = out
        return out

    verdicts, ns = zip(*(needed(float(r), int(s)) for r, s in zip(p, big_n, strict=True)),
                       strict=True)
    n_arr = np.array(ns, dtype=np.int64)
    table = pd.DataFrame({
        "stratum": labels,
        "N": big_n,
        "anticipated": p,
        "verdict": list(verdicts),
        "n": n_arr,
        "census": n_arr >= big_n,
        "unit_cost": c,
        "cost": c * n_arr,
    })
    census_only = int((table["verdict"] == "census").sum())
    if census_only:
        warnings.warn(
            f"{census_only} provider(s) can only be settled by verifying every filing "
            "(anticipated rate at or too near the target)",
            GoalNotReachableWarning,
            stacklevel=2,
        )
    total_cost = float(table["cost"].sum())
    return SettlementCost(
        table=table,
        target=float(target),
        power=float(power),
        confidence_level=float(confidence_level),
        total_n=int(n_arr.sum()),
        total_cost=total_cost if math.isfinite(total_cost) else math.inf,
    )
