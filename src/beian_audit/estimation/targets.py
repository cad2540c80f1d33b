"""Decide whether an estimated rate meets a target (99.5 %, 75 %, or any other).

:func:`assess_target` turns an estimate into a decision that respects its
uncertainty: ``"met"`` when the one-sided lower confidence bound reaches the
target, ``"not_met"`` when the one-sided upper bound is below it, otherwise
``"inconclusive"``, with the p-value of the matching one-sided test and the
additional sample that would likely settle an inconclusive case.

Examples
--------
>>> from beian_audit.estimation import proportion_ci
>>> a = assess_target(proportion_ci(598, 600), 0.75)
>>> a.status, round(a.margin, 4)
('met', 0.2467)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import EstimationError
from beian_audit.estimation.intervals import (
    SRS_METHODS,
    ConfidenceInterval,
    DesignStats,
    check_level,
    degenerate_reason,
    design_lower,
    design_upper,
    srs_lower,
    srs_upper,
)
from beian_audit.estimation.nonresponse import NONRESPONSE_RULES, NonresponseRule
from beian_audit.estimation.stratified import ProportionEstimate

__all__ = ["MULTIPLICITY", "STATUSES", "Multiplicity", "TargetAssessment", "adjust_p_values",
           "assess_target"]

#: The possible values of :attr:`TargetAssessment.status`.
STATUSES: tuple[str, ...] = ("met", "not_met", "inconclusive")
#: Multiplicity control of the domain verdicts (``statsmodels`` method names).
Multiplicity = Literal["holm", "fdr_bh", "none"]
MULTIPLICITY: tuple[str, ...] = get_args(Multiplicity)

_LOGIT_MIN = -690.0  # a = 1e-300
_LOGIT_MAX = 36.7  # a = 1 - 1e-16
_N_GROWTH_MAX = 1e7  # search the additional sample up to n * 1e7
_BISECTIONS = 56  # logit(a) interval of width 727 -> 1e-14 precision


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class TargetAssessment(ResultMixin):
    """Decision of an estimate against a target.

    Attributes
    ----------
    status : {"met", "not_met", "inconclusive"}
        ``"met"``: one-sided lower bound at ``confidence_level`` >= target;
        ``"not_met"``: one-sided upper bound < target; else ``"inconclusive"``.
    target, estimate : float
        The target and the point estimate.
    margin : float
        ``estimate - target``.
    lower_bound, upper_bound : float
        One-sided bounds at ``confidence_level`` (each is the bound of a
        separate one-sided interval).
    p_value : float
        One-sided p-value of H0: rate < target against H1: rate >= target,
        obtained by inverting the lower bound of the same method (so
        ``status == "met"`` exactly when ``p_value <= 1 - confidence_level``).
    p_value_not_met : float
        One-sided p-value of H0: rate >= target against H1: rate < target
        (inverting the upper bound).
    confidence_level, method : float, str
        How the bounds were computed.
    power : float
        Probability used for ``additional_n_needed``.
    additional_n_needed : float
        0 when decided; otherwise the number of further observations after
        which, if the true rate equals the current estimate and the design
        effect stays the same, the decision would be reached with probability
        ``power`` (``inf`` when the estimate equals the target; ``nan`` when it
        cannot be computed). See :func:`assess_target`.
    n : float
        Observations behind the estimate.
    by_columns : tuple of str
        Domain columns when the estimate had domains.
    multiplicity : {"holm", "fdr_bh", "none"}
        Multiplicity control of the domain verdicts (see :func:`assess_target`).
    table : pandas.DataFrame
        One row per domain (if any) plus the total, with all the above, and
        ``p_value_adjusted`` / ``p_value_not_met_adjusted`` (the p-values
        adjusted across the domains; equal to the raw ones on the total row)
        and ``multiplicity`` (the control applied to the row: the total is a
        family of one, ``"none"``).
    note : str
        Why the decision is limited: the interval's degenerate-case code
        (``"boundary"`` …), or ``"invalid_interval"`` when a bound is NaN, the
        bounds are inverted (low > high) or outside [0, 1]: such an interval
        is never called ``"met"`` (status ``"inconclusive"``, p-values NaN).
    nonresponse : str
        The nonresponse rule of the decision (``"mar"``, ``"worst"``,
        ``"best"``, ``"bounds"``; ``""`` when the estimate had no
        nonresponse statuses). Under ``"bounds"`` the status is ``"met"``
        when the worst case is met, ``"not_met"`` when the best case is not.
    nonresponse_robustness : {"robust", "mar_only", "flips", ""}
        Whether the verdict depends on what the nonrespondents are, from the
        statuses under the worst case (every nonrespondent incorrect), MAR
        and the best case (every nonrespondent correct): ``"robust"``, the
        same status under all three ("met whatever the unreachable sites
        are" is ``status == "met"`` and ``"robust"``); ``"mar_only"``, they
        differ but none reverses the verdict (an extreme case is
        inconclusive); ``"flips"``, one case gives "met" and another "not
        met": the nonrespondents decide. ``""`` without nonresponse. The
        table has it per row with ``status_worst``, ``status_mar``,
        ``status_best``, ``lower_bound_worst``, ``upper_bound_best`` and
        ``response_rate``.
    nonresponse_note : str
        The same in words, e.g. "met whatever the unreachable or refusing
        sites are (met even if all are incorrect)".
    """

    status: str
    target: float
    estimate: float
    margin: float
    lower_bound: float
    upper_bound: float
    p_value: float
    p_value_not_met: float
    confidence_level: float
    method: str
    power: float
    additional_n_needed: float
    n: float
    by_columns: tuple[str, ...]
    table: pd.DataFrame
    note: str = ""
    multiplicity: str = "none"
    #: With ``assess_target(..., sequential=verdict)``: the valid stopping
    #: advice of the sequential plan ("stop: met", "stop: not met",
    #: "continue (about k more verifications expected)"); "" otherwise.
    stop_advice: str = ""
    nonresponse: str = ""
    nonresponse_robustness: str = ""
    nonresponse_note: str = ""

    @property
    def by(self) -> pd.DataFrame | None:
        """One row per domain (``None`` when the estimate had no domains)."""
        if not self.by_columns:
            return None
        rows = self.table[self.table["level"] == "domain"]
        return rows.drop(columns=["level"]).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per domain (if any) plus the total."""
        return self.table.copy()

    def _summary(self) -> str:
        return (
            f"status={self.status!r}, target={self.target:g}, estimate={self.estimate:.6g}, "
            f"lower_bound={self.lower_bound:.6g}, upper_bound={self.upper_bound:.6g}, "
            f"p_value={self.p_value:.3g}, confidence_level={self.confidence_level:g}, "
            f"method={self.method!r}, additional_n_needed={self.additional_n_needed:g}"
            + (f", multiplicity={self.multiplicity!r}" if self.by_columns else "")
            + (f", stop_advice={self.stop_advice!r}" if self.stop_advice else "")
            + (f", nonresponse={self.nonresponse!r}, "
               f"nonresponse_robustness={self.nonresponse_robustness!r}"
               if self.nonresponse else "")
        )


def adjust_p_values(p_values: object, method: Multiplicity = "holm") -> np.ndarray:
    """Adjust a family of p-values (Holm, or ``statsmodels``' Benjamini-Hochberg).

    Parameters
    ----------
    p_values : array-like of float
        The family; ``nan`` entries are left out of it and stay ``nan``.
    method : {"holm", "fdr_bh", "none"}
        Holm (1979) step-down (familywise error rate), Benjamini-Hochberg (1995)
        step-up (false discovery rate), or none.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same order; reject at level ``a`` where ``<= a``.

    Notes
    -----
    Holm's adjusted p-values are the closed form
    :math:`\\tilde p_{(i)} = \\max_{j \\le i} \\min\\{1, (m - j + 1)\\, p_{(j)}\\}`
    (Holm 1979; Wright 1992), computed here rather than by ``statsmodels``'
    ``multipletests(method="holm")``, which runs ``gc.collect()`` on every
    call (statsmodels 0.14): 0.8 s a call in a process holding three million
    Python objects, and :func:`assess_target` makes two calls per assessment.
    ``tests/test_estimation_targets.py`` checks that both agree to 1e-15 on
    random families with ties. Benjamini-Hochberg is ``multipletests``'.

    Examples
    --------
    >>> adjust_p_values([0.01, 0.04, 0.03, float("nan")], "holm").round(3)
    array([0.03, 0.06, 0.06,  nan])
    >>> adjust_p_values([0.01, 0.04, 0.03], "fdr_bh").round(3)
    array([0.03, 0.04, 0.04])
    """
    from beian_audit.estimation.intervals import check_choice

    method = check_choice("multiplicity", method, MULTIPLICITY)  # type: ignore[assignment]
    p = np.asarray(p_values, float).ravel().copy()
    ok = np.isfinite(p)
    if method == "none" or ok.sum() < 2:
        return p
    if method == "holm":
        p[ok] = _holm(np.clip(p[ok], 0.0, 1.0))
        return p
    from statsmodels.stats.multitest import multipletests

    p[ok] = multipletests(np.clip(p[ok], 0.0, 1.0), method=method)[1]
    return p


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values of a family without ``nan``."""
    order = np.argsort(p, kind="mergesort")
    m = p.size
    stepped = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    out = np.empty(m)
    out[order] = stepped
    return out


# --------------------------------------------------------------------------- bound sources
@dataclass(frozen=True, slots=True)
class _Source:
    """Everything needed to recompute bounds at any tail probability."""

    kind: str  # "design", "srs" or "bounds"
    method: str
    estimate: np.ndarray
    n: np.ndarray
    stats: DesignStats | None = None  # design
    population_size: np.ndarray | None = None  # design: sum of weights
    low: np.ndarray | None = None  # bounds: given one-sided bounds
    high: np.ndarray | None = None

    def lower(self, a: np.ndarray) -> np.ndarray:
        if self.kind == "design":
            return design_lower(self.method, self.stats, a)[0]  # type: ignore[arg-type]
        return srs_lower(self.method, self.estimate * self.n, self.n, a)

    def upper(self, a: np.ndarray) -> np.ndarray:
        if self.kind == "design":
            return design_upper(self.method, self.stats, a)[0]  # type: ignore[arg-type]
        return srs_upper(self.method, self.estimate * self.n, self.n, a)


def _source(estimate: object, confidence_level: float) -> tuple[_Source, pd.DataFrame, tuple]:
    """Bound source, the base table (level/by columns) and the by columns."""
    if isinstance(estimate, ProportionEstimate):
        t = estimate.table
        stats = estimate.stats()
        base = t[[*estimate.by_columns, "level"]].copy()
        src = _Source(
            kind="design",
            method=estimate.method,
            estimate=stats.p,
            n=stats.n,
            stats=stats,
            population_size=t["population_size"].to_numpy(float),
        )
        return src, base, estimate.by_columns
    if isinstance(estimate, ConfidenceInterval):
        base = pd.DataFrame({"level": ["total"]})
        p = np.array([estimate.estimate], float)
        n = np.array([estimate.n], float)
        if estimate.design_based and math.isfinite(estimate.se) and math.isfinite(estimate.n):
            stats = DesignStats.of(
                estimate.estimate,
                estimate.se**2,
                estimate.n,
                estimate.df,
                estimate.note == "census",
                estimate.deff_kish,
            )
            return _Source("design", estimate.method, p, n, stats=stats), base, ()
        if (
            estimate.method in SRS_METHODS
            and not estimate.design_based
            and math.isfinite(estimate.n)
            and math.isfinite(estimate.estimate)
        ):
            return _Source("srs", estimate.method, p, n), base, ()
        # bare bounds: usable only at the one-sided level they carry
        level = estimate.confidence_level
        implied = (1.0 + level) / 2.0 if estimate.alternative == "two-sided" else level
        if not math.isfinite(implied) or abs(implied - confidence_level) > 1e-12:
            raise EstimationError(
                f"this ConfidenceInterval carries no sample size or standard error, so its "
                f"bounds cannot be recomputed; they are one-sided bounds at "
                f"confidence_level={implied!r}, pass that value"
            )
        src = _Source(
            "bounds",
            estimate.method,
            p,
            n,
            low=np.array([estimate.low]),
            high=np.array([estimate.high]),
        )
        return src, base, ()
    raise EstimationError(
        f"estimate must be a ProportionEstimate or a ConfidenceInterval, "
        f"not {type(estimate).__name__}"
    )


# --------------------------------------------------------------------------- inversion
def _expit(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def _p_value(bound: Any, target: float, size: int, increasing: bool) -> np.ndarray:
    """Tail probability ``a`` at which ``bound(a) == target`` (vectorised bisection).

    ``bound`` is monotone in ``a``: increasing for a lower bound (a larger tail
    probability gives a higher lower bound), decreasing for an upper bound.
    The p-value is the smallest ``a`` at which the bound reaches the target.
    """
    lo = np.full(size, _LOGIT_MIN)
    hi = np.full(size, _LOGIT_MAX)

    def reached(u: np.ndarray) -> np.ndarray:
        b = bound(_expit(u))
        return b >= target if increasing else b < target

    at_min = reached(lo)
    at_max = reached(hi)
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2.0
        r = reached(mid)
        hi = np.where(r, mid, hi)
        lo = np.where(r, lo, mid)
    p = _expit(hi)
    p = np.where(at_min, 0.0, p)
    p = np.where(~at_max, 1.0, p)
    return p


def _additional_n(
    src: _Source, target: float, a: float | np.ndarray, power: float, status: np.ndarray
) -> np.ndarray:
    """Further observations that would decide each undecided row (see assess_target)."""
    from scipy import special

    p = src.estimate
    n = src.n
    size = p.size
    out = np.where(status == "inconclusive", np.nan, 0.0)
    todo = (status == "inconclusive") & np.isfinite(p) & (n > 0)
    out = np.where(todo & (p == target), np.inf, out)
    todo &= p != target
    if not todo.any() or src.kind == "bounds":
        return out
    up = p > target  # heading for "met": the lower bound must clear the target
    z_pow = float(special.ndtri(power))
    if src.kind == "design":
        s = src.stats
        assert s is not None
        with np.errstate(all="ignore"):
            regular = (s.v > 0) & (p > 0) & (p < 1) & np.isfinite(s.v)
            deff_kish = n / s.boundary_n()  # the boundary rule's design effect
            # the weights' design effect when the variance is undefined
            v_unit = np.where(regular, s.v * n, deff_kish * p * (1.0 - p))
            df_unit = np.where(s.df > 0, s.df, 1.0) / n
    else:
        v_unit = p * (1.0 - p)
        df_unit = np.full(size, np.inf)
        deff_kish = np.ones(size)

    def decided(n_new: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            shift = z_pow * np.sqrt(v_unit / n_new)
            p_new = np.clip(np.where(up, p - shift, p + shift), 0.0, 1.0)
            if src.kind == "design":
                stats = DesignStats.of(
                    p_new, v_unit / n_new, n_new, df_unit * n_new, False, deff_kish
                )
                low = design_lower(src.method, stats, a)[0]
                high = design_upper(src.method, stats, a)[0]
            else:
                low = srs_lower(src.method, p_new * n_new, n_new, a)
                high = srs_upper(src.method, p_new * n_new, n_new, a)
        return np.where(up, low >= target, high < target)

    lo = np.log(np.maximum(n, 1.0))
    hi = lo + math.log(_N_GROWTH_MAX)
    reachable = decided(np.exp(hi))
    for _ in range(40):  # 16.1 / 2^40: relative precision 1e-11 on n
        mid = (lo + hi) / 2.0
        r = decided(np.exp(mid))
        hi = np.where(r, mid, hi)
        lo = np.where(r, lo, mid)
    n_needed = np.ceil(np.exp(hi) - 1e-9)
    extra = np.where(reachable, np.maximum(n_needed - n, 1.0), np.inf)
    if src.population_size is not None:
        # a census of the domain decides for certain
        census_extra = np.ceil(src.population_size - n)
        extra = np.where(np.isfinite(census_extra), np.minimum(extra, census_extra), extra)
        extra = np.maximum(extra, 1.0)
    return np.where(todo, extra, out)


# --------------------------------------------------------------------------- entry point
def assess_target(
    estimate: ProportionEstimate | ConfidenceInterval,
    target: float,
    *,
    confidence_level: float = 0.95,
    power: float = 0.8,
    multiplicity: Multiplicity = "holm",
    sequential: Any = None,
    nonresponse: NonresponseRule | None = None,
) -> TargetAssessment:
    """Decide whether an estimated rate meets a target, honestly.

    Parameters
    ----------
    estimate : ProportionEstimate or ConfidenceInterval
        A design-based estimate (domains are assessed too), an interval from
        :func:`~beian_audit.estimation.proportion_ci` or
        :func:`~beian_audit.estimation.design_proportion_ci`, or a bare
        ``ConfidenceInterval(low=…, high=…)`` (then only the status at the
        interval's own one-sided level is available).
    target : float
        The target rate, strictly between 0 and 1 (0.995, 0.75, …).
    confidence_level : float
        Level of each one-sided bound, strictly between 0 and 1.
    power : float
        For ``additional_n_needed``: probability of reaching a decision,
        strictly between 0 and 1 (0.5 gives "the bound computed at the current
        estimate just clears the target").
    multiplicity : {"holm", "fdr_bh", "none"}
        Control of the domain verdicts (providers, provinces …) for being many:
        ``"holm"`` (default) keeps the chance of *any* wrong "met" verdict,
        and separately of any wrong "not_met" verdict, across the domains at
        most ``1 - confidence_level`` (Holm 1979); ``"fdr_bh"`` keeps the
        expected share of wrong verdicts among the "met" (and among the
        "not_met") domains at most that (Benjamini & Hochberg 1995);
        ``"none"`` judges each domain on its own (the behaviour before
        version 0.2). The total row is never adjusted.
    sequential : SequentialVerdict, optional
        When the sample is verified in batches with a stopping plan, the
        result of :func:`~beian_audit.estimation.sequential_assessment` for the
        same target: its advice is copied to ``stop_advice`` ("stop: met",
        "stop: not met", "continue (about k more verifications expected)").
        While verification goes on, rely on ``stop_advice``: the status above
        is the fixed-design one and does not allow for repeated looks.
    nonresponse : {"mar", "worst", "best", "bounds"} or None
        For an estimate made from verification statuses (with unreachable or
        refused outcomes): the rule of the decision; ``None`` (default) keeps
        the estimate's own (``estimate.nonresponse``). ``"worst"`` is the
        ministry's strict reading (nonrespondents incorrect). Whatever the
        rule, ``nonresponse_robustness`` says whether the verdict holds under
        every nonresponse assumption (see :class:`TargetAssessment`).

    Returns
    -------
    TargetAssessment

    Raises
    ------
    EstimationError
        For a target or level outside (0, 1), or a bare interval whose implied
        one-sided level differs from ``confidence_level``.

    Notes
    -----
    The bounds and the p-values use the estimate's own interval method, so the
    decision and the p-value always agree: with :math:`L(a)` the lower bound of
    tail probability :math:`a`, ``p_value`` is the :math:`a` solving
    :math:`L(a) = \\text{target}` (by bisection; for Clopper-Pearson it is the
    exact binomial p-value, for Wilson the score-test p-value), and
    ``status == "met"`` exactly when ``p_value <= 1 - confidence_level``.

    Multiplicity: the one-sided p-values of the domain rows are adjusted
    with :func:`adjust_p_values` (``statsmodels``' ``multipletests``), the
    "met" family and the "not met" family each on its own: a domain's true
    rate is either below the target or not, so only one of its two verdicts
    can be wrong, and each kind of wrong verdict is controlled across the
    domains (with ``"holm"`` the chance of any wrong verdict is at most
    ``1 - confidence_level`` when all domains are on the same side of the
    target, at most twice that otherwise). A domain is "met" when its
    adjusted ``p_value`` is at most ``1 - confidence_level`` (likewise
    "not_met"); ``lower_bound`` / ``upper_bound`` stay the per-domain
    bounds, so a domain can show a bound past the target and still be
    "inconclusive". Its ``additional_n_needed`` is then planned at the
    Bonferroni level ``(1 - confidence_level) / m`` over the ``m`` domains
    (conservative for Holm and Benjamini-Hochberg).

    ``additional_n_needed`` (rule): for an inconclusive case, the smallest
    total size :math:`n'` such that the bound recomputed with the variance
    scaled to :math:`v\\,n/n'` (the same design effect; Kish's design effect of
    the weights when it is undefined because the estimate is 0 or 1), degrees
    of freedom scaled likewise, and the estimate moved against the decision by
    :math:`\\Phi^{-1}(\\text{power})\\sqrt{v\\,n/n'}` clears the target; the
    answer is :math:`n' - n`, capped at the domain's population size (a census
    decides). It ignores the finite-population correction of the larger
    sample, so it errs on the large side. It is a planning figure, not a
    guarantee.

    Examples
    --------
    >>> from beian_audit.estimation import proportion_ci
    >>> a = assess_target(proportion_ci(597, 600, method="clopper-pearson"), 0.995)
    >>> a.status, round(a.p_value, 4)
    ('inconclusive', 0.6472)
    >>> a.additional_n_needed > 0
    True
    >>> assess_target(proportion_ci(600, 600), 0.995).status
    'met'
    """
    if isinstance(target, bool) or not isinstance(target, int | float | np.integer | np.floating):
        raise EstimationError(f"target ({target!r}) must be a number strictly between 0 and 1")
    target = float(target)
    if not 0.0 < target < 1.0:
        raise EstimationError(f"target ({target!r}) must be a number strictly between 0 and 1")
    level = check_level(confidence_level)
    if isinstance(power, bool) or not isinstance(power, int | float | np.integer | np.floating):
        raise EstimationError(f"power ({power!r}) must be a number strictly between 0 and 1")
    power = float(power)
    if not 0.0 < power < 1.0:
        raise EstimationError(f"power ({power!r}) must be a number strictly between 0 and 1")

    from beian_audit.estimation.intervals import check_choice

    multiplicity = check_choice(  # type: ignore[assignment]
        "multiplicity", multiplicity, MULTIPLICITY
    )
    stop_advice = ""
    if sequential is not None:
        from beian_audit.estimation.sequential import SequentialVerdict

        if not isinstance(sequential, SequentialVerdict) or sequential.target != target:
            raise EstimationError("sequential must be a SequentialVerdict for the same target")
        stop_advice = sequential.message
    if isinstance(estimate, ProportionEstimate) and estimate.scenarios:
        from beian_audit.estimation.nonresponse import assess_with_nonresponse

        rule = estimate.nonresponse if nonresponse is None else check_choice(
            "nonresponse", nonresponse, NONRESPONSE_RULES)
        assessed = assess_with_nonresponse(estimate, target, rule, assess_target,
                                           confidence_level=level,
                                           power=power, multiplicity=multiplicity)
        return replace(assessed, stop_advice=stop_advice) if stop_advice else assessed
    if nonresponse is not None:
        check_choice("nonresponse", nonresponse, NONRESPONSE_RULES)
    src, table, by_columns = _source(estimate, level)
    a = 1.0 - level
    size = src.estimate.size
    if src.kind == "bounds":
        low, high = src.low, src.high
        p_met = np.full(size, np.nan)
        p_not = np.full(size, np.nan)
    else:
        low = src.lower(np.full(size, a))
        high = src.upper(np.full(size, a))
        p_met = _p_value(src.lower, target, size, increasing=True)
        p_not = _p_value(src.upper, target, size, increasing=False)
    assert low is not None and high is not None
    status = np.where(low >= target, "met", np.where(high < target, "not_met", "inconclusive"))
    # A NaN, inverted or out-of-range interval decides nothing (never "met").
    with np.errstate(invalid="ignore"):
        invalid = (
            np.isnan(low) | np.isnan(high) | (low > high) | (low < 0) | (high > 1)
        )
    status = np.where(invalid, "inconclusive", status)
    p_met = np.where(invalid, np.nan, p_met)
    p_not = np.where(invalid, np.nan, p_not)
    domain = (table["level"] == "domain").to_numpy() & np.isfinite(p_met) & np.isfinite(p_not)
    adj_met, adj_not = p_met.copy(), p_not.copy()
    a_rows: float | np.ndarray = a
    family = np.full(size, "none", dtype=object)
    if multiplicity != "none" and domain.sum() >= 2:
        adj_met[domain] = adjust_p_values(p_met[domain], multiplicity)  # type: ignore[arg-type]
        adj_not[domain] = adjust_p_values(p_not[domain], multiplicity)  # type: ignore[arg-type]
        status = np.where(domain & (status == "met") & ~(adj_met <= a), "inconclusive", status)
        status = np.where(domain & (status == "not_met") & ~(adj_not <= a), "inconclusive",
                          status)  # fmt: skip
        a_rows = np.where(domain, a / int(domain.sum()), a)
        family[domain] = multiplicity
    extra = _additional_n(src, target, a_rows, power, status)
    extra = np.where(invalid, np.nan, extra)
    note = (
        degenerate_reason(src.method, src.stats)
        if src.kind == "design" and src.stats is not None
        else np.full(size, "", dtype=object)
    )
    note = np.where(invalid & (note != "empty"), "invalid_interval", note)

    table = table.reset_index(drop=True)
    table["n"] = src.n
    table["estimate"] = src.estimate
    table["target"] = target
    table["margin"] = src.estimate - target
    table["lower_bound"] = low
    table["upper_bound"] = high
    table["status"] = status
    table["p_value"] = p_met
    table["p_value_not_met"] = p_not
    table["p_value_adjusted"] = adj_met
    table["p_value_not_met_adjusted"] = adj_not
    table["multiplicity"] = family
    table["additional_n_needed"] = extra
    table["confidence_level"] = level
    table["method"] = src.method
    table["note"] = note
    total = table.iloc[-1]
    return TargetAssessment(
        status=str(total["status"]),
        target=target,
        estimate=float(total["estimate"]),
        margin=float(total["margin"]),
        lower_bound=float(total["lower_bound"]),
        upper_bound=float(total["upper_bound"]),
        p_value=float(total["p_value"]),
        p_value_not_met=float(total["p_value_not_met"]),
        confidence_level=level,
        method=src.method,
        power=power,
        additional_n_needed=float(total["additional_n_needed"]),
        n=float(total["n"]),
        by_columns=tuple(by_columns),
        table=table,
        note=str(total["note"]),
        multiplicity=multiplicity if by_columns else "none",
        stop_advice=stop_advice,
    )

