"""Plan a stratified (optionally two-stage) spot-check sample: :func:`plan_sample`.

A plan fixes, for every stratum of the frame (an access provider, or provider ×
province, …), how many filings to draw, and reports what the design will
deliver: the expected margin of error, Kish's design effect from unequal
weights, the effective sample size, and whether the stated goal (a margin, or
showing that a rate reaches a target) can be reached. It warns with
:class:`~beian_audit.errors.GoalNotReachableWarning` when it cannot.

Two-stage designs select stage-1 units (``psu=``, e.g. providers) first — all,
by simple random sampling, or with probability proportional to size — and then
filings within the selected ones; the plan carries both stages' inclusion
probabilities.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "website_id": [f"W{i}" for i in range(1000)],
...     "provider_id": ["P1"] * 700 + ["P2"] * 250 + ["P3"] * 50})
>>> plan = plan_sample(frame, n=100)
>>> plan.sizes[["stratum", "N", "n"]]
  stratum    N   n
0      P1  700  70
1      P2  250  25
2      P3   50   5
>>> plan.n, plan.deff_kish, round(plan.expected_margin, 3)
(100, 1.0, 0.093)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from beian_audit import _engine
from beian_audit._options import check_choice
from beian_audit._results import ResultMixin
from beian_audit.errors import (
    ArgumentError,
    ArgumentTypeError,
    SampleDesignError,
    SmallStratumWarning,
)
from beian_audit.sampling.allocation import ALLOCATIONS, Allocation
from beian_audit.sampling.sizing import (
    _anticipated,
    _check_unit,
    _choose_sizes,
    _goal_statement,
    _metrics,
    _required_size,
    _Sizer,
    _unit_costs,
)

# the strata and stage-1 units live in beian_audit.sampling.strata; their public
# names stay importable from here
from beian_audit.sampling.strata import ALL as ALL
from beian_audit.sampling.strata import MISSING as MISSING
from beian_audit.sampling.strata import PSU_SELECTIONS as PSU_SELECTIONS
from beian_audit.sampling.strata import SEPARATOR as SEPARATOR
from beian_audit.sampling.strata import PsuSelection as PsuSelection
from beian_audit.sampling.strata import RowCodes as RowCodes
from beian_audit.sampling.strata import _columns, _psu_table
from beian_audit.sampling.strata import factorize_strata as factorize_strata
from beian_audit.sampling.strata import join_labels as join_labels
from beian_audit.sampling.strata import pps_probabilities as pps_probabilities
from beian_audit.sampling.strata import stratum_codes as stratum_codes

__all__ = [
    "PSU_SELECTIONS",
    "PsuSelection",
    "SamplePlan",
    "plan_from_design",
    "plan_sample",
    "pps_probabilities",
    "stratum_codes",
]


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class SamplePlan(ResultMixin):
    """A sample design: sizes per stratum and what they are expected to deliver.

    Attributes
    ----------
    sizes : DataFrame
        One row per (stage-2) stratum: ``stratum``, the stratum columns' values,
        ``N``, ``n`` (units to select when the stratum is reached), ``f``
        (= n/N), ``take_all``, ``anticipated`` (rate used for planning),
        ``inclusion_probability`` (overall), ``weight``, ``expected_n`` and
        ``lower_bound_no_failures`` (one-sided lower confidence bound of the
        stratum's rate if its sample has no failure: ``α^(1/n)``, 1 when the
        stratum is taken whole). Two-stage plans add ``psu``, ``psu_stratum``
        and ``psu_inclusion_probability``.
    psus : DataFrame or None
        Two-stage plans: one row per stage-1 unit with ``psu``, ``psu_stratum``,
        ``size``, ``psu_population_size`` (units in its stage-1 stratum),
        ``n_psu`` and ``psu_inclusion_probability``.
    strata : tuple of str
        Stage-2 stratum columns (for two-stage plans the psu column first).
    n : int
        Total units to select (expected total for random stage-1 selection).
    population_size : int
        Rows of the frame.
    deff_kish : float
        Kish's design effect from unequal weights with the stratum
        finite-population corrections: ``m Σ_h W_h² (1 − f_h)/m_h / (1 − m/N)``
        with ``m_h = n_h × response_rate``, ``f_h = m_h/N_h``, ``W_h = N_h/N``
        (1 for proportional allocation; ``n Σ w_i² / (Σ w_i)²`` when every
        ``f_h`` is small). Random stage 1: ``n Σ w_i² / (Σ w_i)²``.
    n_effective : float
        ``n × response_rate / (deff_kish × deff)``: the size of a simple random
        sample of equal precision.
    expected_margin : float
        Expected half-width of a two-sided interval at ``confidence_level``
        (see :func:`plan_sample`, Notes).
    required_n_effective : int or None
        Effective size needed to show ``target`` (with ``failures``, or with
        ``power`` at the ``expected`` true rate).
    goal_reached : bool or None
        Whether the plan meets ``margin`` and/or ``target``; ``None`` if no goal.
    goal : str
        The goal in words, with the reason when it is not reached.
    expected_cost : float or None
        With ``cost=``: ``Σ c_h × expected_n_h``, the cost of verifying the
        selected units (``sizes`` then has ``unit_cost`` and ``cost`` columns).
    budget : float or None
        The budget the plan was sized for (``budget=``).
    """

    sizes: pd.DataFrame
    psus: pd.DataFrame | None
    strata: tuple[str, ...]
    allocation: str
    min_per_stratum: int
    n: int
    population_size: int
    deff_kish: float
    n_effective: float
    expected_margin: float
    confidence_level: float
    expected: float | None
    margin: float | None
    target: float | None
    failures: int
    power: float | None
    deff: float
    response_rate: float
    required_n_effective: int | None
    goal_reached: bool | None
    goal: str
    psu: str | None = None
    psu_strata: tuple[str, ...] = ()
    psu_selection: str = "all"
    psu_size: str | None = None
    expected_cost: float | None = None
    budget: float | None = None
    _rows: RowCodes | None = field(default=None, repr=False, compare=False)

    @property
    def n_strata(self) -> int:
        """Number of (stage-2) strata."""
        return len(self.sizes)

    @property
    def two_stage(self) -> bool:
        """Whether stage-1 units are selected at random (not all taken)."""
        return self.psu is not None and self.psu_selection != "all"

    def to_frame(self) -> pd.DataFrame:
        """The sizes table with a final ``total`` row."""
        sizes = self.sizes
        total: dict[str, Any] = {c: pd.NA for c in sizes.columns}
        big_n, small_n = int(sizes["N"].sum()), int(sizes["n"].sum())
        total.update(
            stratum="total",
            N=big_n,
            n=small_n,
            f=small_n / big_n if big_n else math.nan,
            take_all=bool(sizes["take_all"].all()),
            expected_n=float(sizes["expected_n"].sum()),
            inclusion_probability=self.n / big_n if big_n else math.nan,
            weight=big_n / self.n if self.n else math.nan,
        )
        if "cost" in sizes.columns:
            total["cost"] = float(sizes["cost"].sum())
        row = pd.DataFrame([total]).astype({c: sizes[c].dtype for c in ("N", "n")})
        return pd.concat([sizes, row], ignore_index=True)

    def _summary(self) -> str:
        strata = self.strata[0] if len(self.strata) == 1 else list(self.strata)
        parts = [
            f"strata={strata!r}",
            f"allocation={self.allocation!r}",
            f"H={self.n_strata:,}",
            f"N={self.population_size:,}",
            f"n={self.n:,}",
            f"deff_kish={self.deff_kish:.3f}",
            f"expected_margin=±{self.expected_margin:.3f}",
        ]
        if self.expected_cost is not None:
            parts.append(f"expected_cost={self.expected_cost:,.6g}")
        if self.psu is not None:
            parts.insert(0, f"psu={self.psu!r} ({self.psu_selection})")
        if self.goal_reached is False:
            parts.append("goal NOT reachable")
        return ", ".join(parts)

    def _repr_html_(self) -> str:
        import html

        head = ResultMixin._repr_html_(self)
        return head.replace("</strong></p>", f"</strong><br>{html.escape(self.goal)}</p>", 1)

    def design(self) -> dict[str, Any]:
        """JSON-ready description that re-creates the sizes (stored in manifests).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"website_id": list("abcd"), "provider_id": list("xxxy")})
        >>> plan_sample(df, n=3, min_per_stratum=1).design()["stratum_sizes"]
        {'x': [3, 2], 'y': [1, 1]}
        """
        sizes = {
            str(s): [int(big), int(small)]
            for s, big, small in zip(
                self.sizes["stratum"], self.sizes["N"], self.sizes["n"], strict=True
            )
        }
        out: dict[str, Any] = {
            "strata": list(self.strata),
            "allocation": self.allocation,
            "min_per_stratum": self.min_per_stratum,
            "stratum_sizes": sizes,
            "psu": None,
        }
        if self.psu is not None and self.psus is not None:
            groups = self.psus.drop_duplicates("psu_stratum")
            out["psu"] = {
                "column": self.psu,
                "strata": list(self.psu_strata),
                "selection": self.psu_selection,
                "size": self.psu_size,
                "n_psu": {
                    str(g): int(k)
                    for g, k in zip(groups["psu_stratum"], groups["n_psu"], strict=True)
                },
            }
        return out


# --------------------------------------------------------------------------- entry point


def plan_sample(
    frame: pd.DataFrame,
    *,
    strata: str | Sequence[str] | None = "provider_id",
    n: int | None = None,
    margin: float | None = None,
    expected: float | None = None,
    confidence_level: float = 0.95,
    allocation: Allocation = "proportional",
    min_per_stratum: int = 2,
    deff: float = 1.0,
    target: float | None = None,
    failures: int = 0,
    power: float | None = None,
    response_rate: float = 1.0,
    anticipated: Mapping[str, float] | pd.Series | str | float | None = None,
    exponent: float = 0.5,
    n_per_stratum: int | None = None,
    psu: str | None = None,
    psu_selection: PsuSelection = "all",
    n_psu: int | Mapping[str, int] | None = None,
    psu_strata: str | Sequence[str] | None = None,
    psu_size: str | None = None,
    cost: str | Mapping[str, float] | pd.Series | float | None = None,
    budget: float | None = None,
) -> SamplePlan:
    """Plan a stratified sample of filings: sizes per stratum and expected precision.

    Give the size one way: a total ``n``; or a goal (``margin`` and/or
    ``target``) and let the plan find the smallest total that reaches it with
    the chosen allocation; or ``n_per_stratum`` (with ``allocation="equal"``);
    or ``allocation="tianjin"``, whose rule fixes every stratum's size. When
    ``n`` (or a rule) and a goal are both given, the plan checks the goal and
    warns if it is not reached.

    Parameters
    ----------
    frame : DataFrame
        The registry (one row per filing).
    strata : str, list of str or None, default "provider_id"
        Stratum column(s). Several columns make crossed strata labelled
        ``"P001 | 广东"``. ``None``: one stratum.
    n : int, optional
        Total sample size (expected total for a random stage 1).
    margin : float, optional
        Wanted half-width of the two-sided interval at ``confidence_level``.
    expected : float, optional
        Anticipated overall rate: planning value for the margin (default 0.5,
        the conservative choice) and the true rate ``p1`` for ``power``.
    confidence_level : float, default 0.95
        Two-sided for ``margin``; one-sided for ``target``.
    allocation : {"proportional", "neyman", "equal", "power", "tianjin"}
        How ``n`` is spread over strata (:func:`~beian_audit.sampling.allocate`).
    min_per_stratum : int, default 2
        Minimum per stratum (all units of smaller strata).
    deff : float, default 1.0
        Extra design effect the plan cannot see (e.g. clustering in two-stage
        designs); multiplies the variance.
    target : float, optional
        A rate to be shown, e.g. 0.995: the plan needs an effective size of at
        least :func:`~beian_audit.sampling.sample_size_target` (or
        :func:`~beian_audit.sampling.sample_size_power` when ``power`` is given).
    failures : int, default 0
        Failures the target decision may allow.
    power : float, optional
        With ``target``: wanted probability of showing it when the true rate is
        ``expected`` (which must then exceed the target).
    response_rate : float, default 1.0
        Expected share of selected filings that can be verified.
    anticipated : float, column name or mapping stratum -> rate, optional
        Anticipated rate per stratum (needed by ``"neyman"``; also used for the
        expected margin). A column name takes the stratum means of that column
        (e.g. last month's outcomes).
    exponent : float, default 0.5
        Exponent of ``"power"`` allocation.
    n_per_stratum : int, optional
        With ``allocation="equal"``: this many per stratum (capped at ``N_h``).
    psu : str, optional
        Two-stage design: column of the stage-1 units (e.g. ``"provider_id"``).
        Stage-2 strata are then ``psu`` crossed with the other ``strata``
        columns.
    psu_selection : {"all", "srs", "pps", "poisson"}, default "all"
        Stage 1: every psu; simple random sample of ``n_psu``; Pareto πps
        (probability proportional to size, fixed ``n_psu``, Rosén 1997); or
        Poisson πps (exact probabilities, random number of psus).
    n_psu : int or mapping, optional
        Number of psus to select (allocated over ``psu_strata`` proportionally
        to their psu counts, at least one each), or ``{psu_stratum: n}``.
    psu_strata : str or list of str, optional
        Stage-1 strata: columns constant within each psu.
    psu_size : str, optional
        Size measure of the psus for πps: the sum of this column; default the
        number of filings.
    cost : float, column name or mapping stratum -> cost, optional
        Cost of verifying one sampled filing, per stratum: a number (the same
        everywhere), a column of the frame (constant within each stratum), or a
        mapping from stratum label to cost. The plan then reports
        ``expected_cost`` and the ``unit_cost`` and ``cost`` columns. Without
        ``n`` the sizes become the cost-optimal allocation
        ``n_h ∝ N_h S_h / √c_h`` (Cochran 1977 §5.5;
        :func:`~beian_audit.sampling.allocation.cost_optimal_allocation`, with
        ``S_h`` from the anticipated rates): for ``budget`` the most precise
        plan that costs at most the budget, for a ``margin``/``target`` the
        cheapest plan of that form that reaches it. ``plan.allocation`` is then
        ``"cost_optimal"``.
    budget : float, optional
        Total cost allowed for the verifications (needs ``cost``; not with
        ``n``, ``n_per_stratum`` or a rule). Never exceeded after rounding.

    Returns
    -------
    SamplePlan

    Raises
    ------
    SampleDesignError
        When the sizes cannot be met (``n`` above the frame, below the minimums)
        or two-stage inputs are inconsistent.
    ValueError
        For invalid options.

    Warns
    -----
    GoalNotReachableWarning
        When the plan cannot reach ``margin`` or cannot show ``target`` (e.g.
        cannot show 99.5 % even with zero failures).
    SmallStratumWarning
        When strata get no sample or a single unit out of several.

    Notes
    -----
    Expected margin (single stage): ``z √(deff Σ W_h² (1 − f_h) S_h² / m_h)``
    with ``W_h = N_h/N``, ``m_h = n_h × response_rate``, ``f_h = m_h/N_h`` and
    ``S_h² = N_h p_h(1 − p_h)/(N_h − 1)`` (Cochran 1977 eq. 5.6). Two-stage with a
    random stage 1: ``z √(deff × deff_kish × p(1 − p)(1 − n/N)/m)``, which ignores
    the variation between psus unless ``deff`` accounts for it.

    Kish's design effect ``n Σ w² / (Σ w)²`` (Kish 1965, §11.7) measures the
    precision lost to unequal weights; with the stratum corrections it is
    ``m Σ W_h² (1 − f_h)/m_h / (1 − m/N)`` (the stratified variance of Cochran
    eq. 5.6 with equal ``S_h`` against simple random sampling without
    replacement), so a take-all stratum no longer counts as a loss. A target is
    reachable when ``n × response_rate / (deff_kish × deff)`` is at least the
    simple-random-sampling size: 598 to show 99.5 % at 95 % with no failure
    (``⌈ln 0.05 / ln 0.995⌉``). That size is binomial and the effective size is
    not raised by ``1/(1 − m/N)``: with no failure seen, the estimate's
    interval is the binomial one at ``n`` whatever the fpc.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.
    Kish, L. (1965). *Survey Sampling*. Wiley.
    Lohr, S. L. (2010). *Sampling: Design and Analysis*, 2nd ed. Brooks/Cole.
    Rosén, B. (1997). On sampling with probability proportional to size.
    *Journal of Statistical Planning and Inference* 62, 159–191.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(5000)],
    ...                       "provider_id": ["A"] * 4000 + ["B"] * 990 + ["C"] * 10})
    >>> plan_sample(frame, margin=0.05).n
    358
    >>> plan_sample(frame, allocation="tianjin").sizes["n"].tolist()
    [120, 30, 2]
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     plan = plan_sample(frame, n=300, target=0.995)
    >>> plan.goal_reached, w[0].category.__name__
    (False, 'GoalNotReachableWarning')

    With a cost per verification (calls to provider C cost 9 times as much),
    the budget buys the cost-optimal sizes ``n_h ∝ N_h S_h/√c_h``:

    >>> plan = plan_sample(frame, cost={"A": 1, "B": 1, "C": 9}, budget=300)
    >>> plan.sizes[["stratum", "n", "unit_cost", "cost"]]
      stratum    n  unit_cost   cost
    0       A  226        1.0  226.0
    1       B   56        1.0   56.0
    2       C    2        9.0   18.0
    >>> plan.allocation, plan.expected_cost
    ('cost_optimal', 300.0)
    """
    if (cost is not None or budget is not None) and _engine.handled(frame):
        raise ArgumentError("cost= and budget= need a pandas DataFrame (plan on the "
                            "stratum counts or call .compute() first)")
    # --- engine dispatch: a Dask DataFrame is planned by beian_audit.scale (same plan) ---
    engine = _engine.dispatch("plan_sample", frame)
    if engine is not None:
        planned: SamplePlan = engine(
            frame, strata=strata, n=n, margin=margin, expected=expected,
            confidence_level=confidence_level, allocation=allocation,
            min_per_stratum=min_per_stratum, deff=deff, target=target, failures=failures,
            power=power, response_rate=response_rate, anticipated=anticipated,
            exponent=exponent, n_per_stratum=n_per_stratum, psu=psu,
            psu_selection=psu_selection, n_psu=n_psu, psu_strata=psu_strata, psu_size=psu_size,
        )
        return planned
    # --- end of engine dispatch ---
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentTypeError(f"frame must be a pandas DataFrame, not {type(frame).__name__}")
    if len(frame) == 0:
        raise SampleDesignError("the frame has no rows")
    # 1. the options: the goal, and which one way the size is given
    confidence_level, margin, target, power, cost_optimal = _check_options(
        allocation=allocation, psu_selection=psu_selection, confidence_level=confidence_level,
        margin=margin, target=target, power=power, expected=expected, deff=deff,
        response_rate=response_rate, failures=failures, n=n, n_per_stratum=n_per_stratum,
        cost=cost, budget=budget, psu=psu,
    )
    # 2. the strata (stage 2) and, for two stages, the stage-1 units
    stage2, psu_strata_cols = _stage_columns(
        frame, strata=strata, psu=psu, psu_selection=psu_selection, n_psu=n_psu,
        psu_strata=psu_strata, psu_size=psu_size, anticipated=anticipated, cost=cost,
    )
    codes, labels, components = stratum_codes(frame, stage2)
    assert components is not None
    big_n = np.bincount(codes, minlength=labels.size).astype(np.int64)
    psus: pd.DataFrame | None = None
    psu_of_stratum: np.ndarray | None = None
    pi_psu = np.ones(labels.size)
    if psu is not None:
        psus, psu_of_stratum = _psu_table(
            frame, codes, components, psu=psu, psu_strata=psu_strata_cols,
            psu_selection=psu_selection, n_psu=n_psu, psu_size=psu_size,
        )
        pi_psu = psus["psu_inclusion_probability"].to_numpy()[psu_of_stratum]
    two_stage = psu is not None and psu_selection != "all"
    # 3. planning rates, costs and the size a target needs
    default_p = expected if expected is not None else (target if target is not None else 0.5)
    p_h = _anticipated(frame, codes, labels, anticipated, float(default_p))
    if allocation == "neyman" and anticipated is None:
        raise ArgumentError(
            "allocation='neyman' needs anticipated rates per stratum (anticipated=)"
        )
    c_h = None if cost is None else _unit_costs(frame, codes, labels, cost)

    from scipy.stats import norm

    z = float(norm.ppf(1 - (1 - confidence_level) / 2))
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int)
        or min_per_stratum < 0
    ):
        raise ArgumentError(f"min_per_stratum ({min_per_stratum!r}) must be a non-negative integer")
    required = _required_size(target, power=power, expected=expected,
                              confidence_level=confidence_level, failures=failures)
    # 4. the sizes, and what they deliver
    sizer = _Sizer(
        big_n=big_n, lo=np.minimum(min_per_stratum, big_n), pi_psu=pi_psu, p_h=p_h,
        allocation=allocation, min_per_stratum=min_per_stratum, exponent=exponent, z=z,
        deff=float(deff), response_rate=float(response_rate), two_stage=two_stage,
        margin=margin, required=required,
    )
    small_n = _choose_sizes(sizer, cost_optimal=cost_optimal, c_h=c_h, budget=budget, n=n,
                            n_per_stratum=n_per_stratum)
    met = sizer.metrics(small_n)
    goal, reached = _goal_statement(
        met, margin=margin, target=target, required=required,
        confidence_level=confidence_level, failures=failures, power=power, expected=expected,
    )
    _warn_small_strata(small_n, big_n, pi_psu)
    # 5. the result
    sizes = _sizes_table(
        labels, stage2, components, psus, psu_of_stratum, pi_psu, big_n, small_n, p_h,
        confidence_level,
    )
    expected_cost = None
    if c_h is not None:
        sizes["unit_cost"] = c_h
        sizes["cost"] = c_h * pi_psu * small_n
        expected_cost = float(sizes["cost"].sum())
        goal += f"; expected cost {expected_cost:,.6g}" + (
            f" of a budget of {budget:,.6g}" if budget is not None else ""
        )
    return SamplePlan(
        sizes=sizes,
        psus=psus,
        strata=tuple(stage2),
        allocation="cost_optimal" if cost_optimal else allocation,
        min_per_stratum=int(min_per_stratum),
        n=round(met.expected_n),
        population_size=int(big_n.sum()),
        deff_kish=met.deff_kish,
        n_effective=met.n_effective,
        expected_margin=met.margin,
        confidence_level=float(confidence_level),
        expected=None if expected is None else float(expected),
        margin=margin,
        target=target,
        failures=int(failures),
        power=power,
        deff=float(deff),
        response_rate=float(response_rate),
        required_n_effective=required,
        goal_reached=reached,
        goal=goal,
        psu=psu,
        psu_strata=psu_strata_cols,
        psu_selection=psu_selection,
        psu_size=psu_size,
        expected_cost=expected_cost,
        budget=None if budget is None else float(budget),
        _rows=_row_cache(frame, stage2, codes, labels.size),
    )


# --------------------------------------------------------------------------- steps


def _check_options(
    *,
    allocation: str,
    psu_selection: str,
    confidence_level: float,
    margin: float | None,
    target: float | None,
    power: float | None,
    expected: float | None,
    deff: float,
    response_rate: float,
    failures: int,
    n: int | None,
    n_per_stratum: int | None,
    cost: object,
    budget: float | None,
    psu: str | None,
) -> tuple[float, float | None, float | None, float | None, bool]:
    """Check the options of :func:`plan_sample`.

    Returns ``confidence_level``, ``margin``, ``target`` and ``power`` as floats,
    and whether the sizes are the cost-optimal ones (``cost=`` without ``n``).
    """
    check_choice("allocation", allocation, ALLOCATIONS)
    check_choice("psu_selection", psu_selection, PSU_SELECTIONS)
    level = _check_unit("confidence_level", confidence_level)
    assert level is not None
    margin = _check_unit("margin", margin)
    target = _check_unit("target", target)
    power = _check_unit("power", power)
    if expected is not None and not (isinstance(expected, int | float) and 0 <= expected <= 1):
        raise ArgumentError(f"expected ({expected!r}) must be in [0, 1]")
    if not isinstance(deff, int | float) or isinstance(deff, bool) or deff <= 0:
        raise ArgumentError(f"deff ({deff!r}) must be a positive number")
    if not isinstance(response_rate, int | float) or not 0 < response_rate <= 1:
        raise ArgumentError(f"response_rate ({response_rate!r}) must be in (0, 1]")
    if isinstance(failures, bool) or not isinstance(failures, int) or failures < 0:
        raise ArgumentError(f"failures ({failures!r}) must be a non-negative integer")
    if power is not None:
        if target is None:
            raise ArgumentError("power needs target")
        if expected is None or expected <= target:
            raise ArgumentError(
                f"power needs expected (the assumed true rate) above target ({target}); "
                f"got expected={expected!r}"
            )
    if n_per_stratum is not None and allocation != "equal":
        raise ArgumentError(
            f"n_per_stratum goes with allocation='equal', not allocation={allocation!r}"
        )
    given = [name for name, v in (("n", n), ("n_per_stratum", n_per_stratum)) if v is not None]
    if allocation == "tianjin":
        given.append("allocation='tianjin'")
    if budget is not None:
        if cost is None:
            raise ArgumentError("budget needs cost (the cost of one verification per stratum)")
        if (
            isinstance(budget, bool)
            or not isinstance(budget, int | float | np.integer | np.floating)
            or not math.isfinite(budget)
            or budget <= 0
        ):
            raise ArgumentError(f"budget ({budget!r}) must be a positive number")
        given.append("budget")
    if len(given) > 1:
        raise ArgumentError(f"give only one of {', '.join(given)}")
    if not given and margin is None and target is None:
        raise ArgumentError(
            "give n, n_per_stratum, margin or target (or allocation='tianjin', "
            "or cost with a budget)"
        )
    # cost-optimal sizes: for a budget, or the cheapest plan that reaches the goal
    cost_optimal = cost is not None and (budget is not None or not given)
    if cost_optimal:
        if allocation not in ("proportional", "neyman"):
            raise ArgumentError(
                f"cost= without n sizes the plan by the cost-optimal allocation; "
                f"allocation={allocation!r} cannot be combined with it (give n to use it)"
            )
        if psu is not None and psu_selection != "all":
            raise ArgumentError(
                "cost-optimal sizes (cost= without n) need a single-stage design; "
                "give n for a two-stage plan"
            )
    return level, margin, target, power, cost_optimal


def _stage_columns(
    frame: pd.DataFrame,
    *,
    strata: str | Sequence[str] | None,
    psu: str | None,
    psu_selection: str,
    n_psu: int | Mapping[str, int] | None,
    psu_strata: str | Sequence[str] | None,
    psu_size: str | None,
    anticipated: object,
    cost: object,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Stage-2 stratum columns (the psu first) and stage-1 stratum columns, checked."""
    strata_cols = _columns(strata, "strata")
    psu_strata_cols = _columns(psu_strata, "psu_strata")
    if psu is not None:
        if not isinstance(psu, str):
            raise ArgumentError(f"psu ({psu!r}) must be a column name")
        stage2 = (psu, *[c for c in strata_cols if c != psu])
    else:
        if psu_selection != "all" or n_psu is not None or psu_strata_cols or psu_size:
            raise ArgumentError("psu_selection, n_psu, psu_strata and psu_size need psu=")
        stage2 = strata_cols
    needed = [*stage2, *psu_strata_cols, *([psu_size] if psu_size else [])]
    if isinstance(anticipated, str):
        needed.append(anticipated)
    if isinstance(cost, str):
        needed.append(cost)
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        raise SampleDesignError(f"the frame has no column(s) {missing}")
    return stage2, psu_strata_cols


def _warn_small_strata(small_n: np.ndarray, big_n: np.ndarray, pi_psu: np.ndarray) -> None:
    """Warn of strata with no sample, or with one unit of several."""
    empty = int(((small_n == 0) & (pi_psu > 0)).sum())
    single = int(((small_n == 1) & (big_n > 1)).sum())
    if empty:
        warnings.warn(
            f"{empty} stratum/strata get no sample: their filings have inclusion "
            "probability 0 and are not represented by any estimate",
            SmallStratumWarning,
            stacklevel=3,
        )
    if single:
        warnings.warn(
            f"{single} stratum/strata get a single unit out of several: no variance "
            "can be estimated within them",
            SmallStratumWarning,
            stacklevel=3,
        )


def _sizes_table(
    labels: np.ndarray,
    stage2: tuple[str, ...],
    components: pd.DataFrame,
    psus: pd.DataFrame | None,
    psu_of_stratum: np.ndarray | None,
    pi_psu: np.ndarray,
    big_n: np.ndarray,
    small_n: np.ndarray,
    p_h: np.ndarray,
    confidence_level: float,
) -> pd.DataFrame:
    """The plan's ``sizes`` table: one row per stratum (see :class:`SamplePlan`)."""
    alpha = 1 - confidence_level
    with np.errstate(divide="ignore", invalid="ignore"):
        f = small_n / big_n
        pi = pi_psu * f
        weight = np.where(pi > 0, 1 / pi, np.nan)
        lower = np.where(
            small_n >= big_n, 1.0, np.where(small_n > 0, alpha ** (1 / np.maximum(small_n, 1)), 0.0)
        )
    sizes = pd.DataFrame({"stratum": labels})
    if len(stage2) > 1:
        for col in stage2:
            sizes[col] = components[col].to_numpy()
    if psus is not None:
        assert psu_of_stratum is not None
        sizes["psu"] = psus["psu"].to_numpy()[psu_of_stratum]
        sizes["psu_stratum"] = psus["psu_stratum"].to_numpy()[psu_of_stratum]
        sizes["psu_inclusion_probability"] = pi_psu
    sizes["N"] = big_n
    sizes["n"] = small_n.astype(np.int64)
    sizes["f"] = f
    sizes["take_all"] = small_n >= big_n
    sizes["anticipated"] = p_h
    sizes["inclusion_probability"] = pi
    sizes["weight"] = weight
    sizes["expected_n"] = pi_psu * small_n
    sizes["lower_bound_no_failures"] = lower
    return sizes


def _row_cache(
    frame: pd.DataFrame, columns: tuple[str, ...], codes: np.ndarray, n_strata: int
) -> RowCodes | None:
    if not columns:
        return None
    arrays = RowCodes.arrays_of(frame, columns)
    if arrays is None:
        return None
    small = codes.astype(np.int32) if n_strata < 2**31 else codes
    return RowCodes(tuple(columns), arrays, small)


def plan_from_design(frame: pd.DataFrame, design: Mapping[str, Any]) -> SamplePlan:
    """Re-create a plan with the recorded sizes (from a manifest's ``design``).

    Parameters
    ----------
    frame : DataFrame
        The frame the design was made on.
    design : mapping
        ``SamplePlan.design()``, e.g. ``Sample.manifest["design"]``.

    Returns
    -------
    SamplePlan
        Same strata, ``N_h``, ``n_h`` and stage-1 settings (goals are not kept).

    Raises
    ------
    SampleDesignError
        When the frame's strata or their sizes differ from the recorded ones.

    Examples
    --------
    >>> df = pd.DataFrame({"website_id": list("abcdef"), "provider_id": list("xxxxyy")})
    >>> plan = plan_sample(df, n=4)
    >>> again = plan_from_design(df, plan.design())
    >>> again.sizes["n"].tolist() == plan.sizes["n"].tolist()
    True
    """
    stage2 = tuple(design["strata"])
    recorded: dict[str, list[int]] = dict(design["stratum_sizes"])
    psu_design = design.get("psu")
    missing = [c for c in stage2 if c not in frame.columns]
    if missing:
        raise SampleDesignError(f"the frame has no column(s) {missing}")
    codes, labels, _ = stratum_codes(frame, stage2)
    big_n = np.bincount(codes, minlength=labels.size)
    found = {str(s): int(k) for s, k in zip(labels, big_n, strict=True)}
    if set(found) != set(recorded):
        extra = sorted(set(found) - set(recorded))[:5]
        gone = sorted(set(recorded) - set(found))[:5]
        raise SampleDesignError(
            f"the frame's strata differ from the design: new {extra}, missing {gone}"
        )
    changed = [s for s in found if found[s] != recorded[s][0]]
    if changed:
        s = changed[0]
        raise SampleDesignError(
            f"{len(changed)} stratum/strata changed size, e.g. {s!r}: "
            f"{recorded[s][0]} in the design, {found[s]} in the frame"
        )
    kwargs: dict[str, Any] = {}
    if psu_design is not None:
        kwargs = {
            "psu": psu_design["column"],
            "psu_strata": psu_design["strata"] or None,
            "psu_selection": psu_design["selection"],
            "psu_size": psu_design["size"],
            "n_psu": None if psu_design["selection"] == "all" else psu_design["n_psu"],
        }
        strata_arg: Any = list(stage2[1:]) or None
    else:
        strata_arg = list(stage2) or None
    sizes_map = {s: v[1] for s, v in recorded.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = plan_sample(frame, strata=strata_arg, n_per_stratum=1, allocation="equal",
                           min_per_stratum=0, **kwargs)
    small_n = np.array([sizes_map[str(s)] for s in plan.sizes["stratum"]], dtype=np.int64)
    sizes = plan.sizes.copy()
    big = sizes["N"].to_numpy()
    pi_psu = (
        sizes["psu_inclusion_probability"].to_numpy()
        if "psu_inclusion_probability" in sizes
        else np.ones(len(sizes))
    )
    sizes["n"] = small_n
    sizes["f"] = small_n / big
    sizes["take_all"] = small_n >= big
    pi = pi_psu * small_n / big
    sizes["inclusion_probability"] = pi
    with np.errstate(divide="ignore"):
        sizes["weight"] = np.where(pi > 0, 1 / np.where(pi > 0, pi, 1), np.nan)
    sizes["expected_n"] = pi_psu * small_n
    met = _metrics(
        big, small_n, pi_psu, sizes["anticipated"].to_numpy(), z=1.959963984540054,
        deff=1.0, response_rate=1.0, two_stage=plan.two_stage,
    )
    return SamplePlan(
        sizes=sizes,
        psus=plan.psus,
        strata=plan.strata,
        allocation=str(design.get("allocation", "fixed")),
        min_per_stratum=int(design.get("min_per_stratum", 0)),
        n=round(met.expected_n),
        population_size=plan.population_size,
        deff_kish=met.deff_kish,
        n_effective=met.n_effective,
        expected_margin=met.margin,
        confidence_level=0.95,
        expected=None,
        margin=None,
        target=None,
        failures=0,
        power=None,
        deff=1.0,
        response_rate=1.0,
        required_n_effective=None,
        goal_reached=None,
        goal="re-created from a manifest",
        psu=plan.psu,
        psu_strata=plan.psu_strata,
        psu_selection=plan.psu_selection,
        psu_size=plan.psu_size,
    )
