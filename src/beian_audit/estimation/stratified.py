"""Design-based estimate of a proportion from a stratified (or two-stage) sample.

:func:`estimate_proportion` is the ratio (Hájek) estimator of the weighted mean
of a 0/1 outcome, with the Taylor-linearised variance of the stratified
(ultimate-cluster, or for a two-stage sample multistage) design and the
finite-population corrections, and the estimated totals, computed for
the whole sample and for any number of domains at once with ``numpy.bincount``
(no Python loop over strata or domains). It reproduces R ``survey``'s
``svymean`` / ``svyciprop`` / ``svytotal`` on the same design; see
``tests/test_estimation_r_reference.py`` and ``docs/methodology.md``.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({
...     "stratum": ["a"] * 4 + ["b"] * 4,
...     "population_size": [40] * 4 + [200] * 4,
...     "weight": [10.0] * 4 + [50.0] * 4,
...     "ok": [1, 1, 1, 0, 1, 1, 1, 1],
... })
>>> est = estimate_proportion(frame, "ok")
>>> round(est.estimate, 4), est.n, est.df
(0.9583, 8, 6)
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import numpy as np
import pandas as pd

from beian_audit import _engine
from beian_audit._results import ResultMixin
from beian_audit.errors import (
    DegenerateIntervalWarning,
    EstimationError,
    MethodWeaknessWarning,
    SmallStratumWarning,
)
from beian_audit.estimation.design import (
    _CERTAINTY_TOLERANCE,
    _SHOW,
    _as_frame,
    _build_design,
    _check_weight_range,
    _column,
    _Design,
    _design_of,
    _outcome_values,
    _positions,
    _resolve,
    _stage_two,
)
from beian_audit.estimation.intervals import (
    ALTERNATIVES,
    DEGENERATE_REASONS,
    DESIGN_METHODS,
    Alternative,
    ConfidenceInterval,
    DesignMethod,
    DesignStats,
    check_choice,
    check_level,
    design_interval_arrays,
)
from beian_audit.estimation.nonresponse import (
    NONRESPONSE_RULES,
    NonresponseRule,
    outcome_status_codes,
)
from beian_audit.estimation.variance import LONELY_PSU_RULES as LONELY_PSU_RULES
from beian_audit.estimation.variance import LonelyPSU as LonelyPSU
from beian_audit.estimation.variance import _derived, _stats

__all__ = ["LONELY_PSU_RULES", "LonelyPSU", "ProportionEstimate", "estimate_proportion"]


MissingRule = Literal["raise", "drop"]
MISSING_RULES: tuple[str, ...] = get_args(MissingRule)


_TOTAL_LABEL = "total"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ProportionEstimate(ResultMixin):
    """A design-based proportion, overall and per domain.

    The scalar attributes describe the whole sample; ``by`` (and
    ``to_frame()``) hold one row per domain. ``ci`` is an attribute: the
    interval at the method, level and alternative the estimate was made with.
    Intervals for another method, level or alternative are methods with
    parameters (as in scipy), computed from the kept sufficient statistics
    without the data: :meth:`interval` (overall) and :meth:`with_interval`
    (every row); :meth:`domain` gives one domain as its own estimate.

    Attributes
    ----------
    outcome : str
        The outcome column.
    estimate : float
        Weighted proportion :math:`\\hat p = \\sum w y / \\sum w`.
    se : float
        Linearised standard error.
    ci : ConfidenceInterval
        Interval at ``method`` / ``confidence_level`` / ``alternative``.
    deff : float
        Design effect against simple random sampling *without* replacement of
        the same size (R ``svymean(deff = TRUE)``); ``nan`` when
        :math:`\\hat p \\in \\{0, 1\\}`.
    deff_replace : float
        Design effect against sampling *with* replacement (R ``deff = "replace"``).
    n : int
        Observations used (outcome not missing).
    n_effective : float
        :math:`\\hat p(1-\\hat p)/v`; :math:`n/\\mathrm{deff_{Kish}}` when
        :math:`\\hat p \\in \\{0,1\\}` or :math:`v = 0` (the boundary rule);
        ``inf`` for a census.
    df : int
        Design degrees of freedom: PSUs minus strata holding observations.
    population_size : float
        :math:`\\sum w`, the estimated number of population units.
    total_1, total_0 : float
        Estimated number of population units with outcome 1 and with outcome
        0: :math:`\\sum w y = \\hat N \\hat p` and :math:`\\hat N (1 - \\hat p)`
        (R ``svytotal``).
    se_total_1, se_total_0 : float
        Their linearised standard errors, from the scores :math:`w y` and
        :math:`w (1 - y)`: the variance of an estimated total, which is not
        :math:`\\hat N^2 \\hat V(\\hat p)` when :math:`\\hat N` is itself estimated
        (domains, clustered samples).
    ci_total_1, ci_total_0 : tuple of float
        Wald intervals :math:`\\hat t \\pm t_{df}\\, \\widehat{se}` at
        ``confidence_level`` / ``alternative`` (R ``confint(svytotal(…), df =
        degf(design))``), cut at 0; the open side of a one-sided interval is
        0 or ``inf``.
    method, confidence_level, alternative : str, float, str
        How ``ci`` was computed.
    by_columns : tuple of str
        Domain columns (empty without ``by``).
    table : pandas.DataFrame
        Every domain then the total (``level`` = ``"domain"`` / ``"total"``) with
        the sufficient statistics (``estimate``, ``variance``, ``n``, ``df``,
        ``census``) and derived columns.
    design : dict
        How the design was read: columns used, variance rule, row accounting.
    deff_kish : float
        Kish's design effect of the weights, :math:`n\\sum w^2/(\\sum w)^2`
        over the observations used (1 for equal weights); the boundary rule
        takes the effective size :math:`n/\\mathrm{deff_{Kish}}`.
    nonresponse : str
        The nonresponse rule applied (``"mar"``, ``"worst"``, ``"best"``,
        ``"bounds"``) when the outcome column holds status words
        (:mod:`beian_audit.estimation.nonresponse`); ``""`` for a 0/1 column.
        ``design["nonresponse"]`` says it in words.
    scenarios : dict of str to ProportionEstimate
        With status words: the estimates with every nonrespondent counted as
        incorrect (``"worst"``), as correct (``"best"``) and reweighted within
        its stratum (``"mar"``); empty for a 0/1 column. The table then also
        has ``n_respondents``, ``n_nonrespondents``, ``n_pending``,
        ``response_rate``, ``estimate_worst``, ``ci_low_worst``,
        ``estimate_mar``, ``estimate_best`` and ``ci_high_best`` per row.
    response : pandas.DataFrame or None
        With status words: one row per stratum with the counts by status, the
        response rate (respondents over respondents and nonrespondents;
        pending and missing rows left out), the weighted response rate and
        the MAR adjustment factor.
    response_rate : float
        Respondents over respondents and nonrespondents, whole sample (1 for
        a 0/1 column).
    """

    outcome: str
    estimate: float
    se: float
    ci: ConfidenceInterval
    deff: float
    deff_replace: float
    n: int
    n_effective: float
    df: int
    population_size: float
    total_1: float
    se_total_1: float
    ci_total_1: tuple[float, float]
    total_0: float
    se_total_0: float
    ci_total_0: tuple[float, float]
    method: str
    confidence_level: float
    alternative: str
    by_columns: tuple[str, ...]
    table: pd.DataFrame
    design: dict[str, Any]
    deff_kish: float = 1.0
    nonresponse: str = ""
    scenarios: Mapping[str, ProportionEstimate] = dataclasses.field(default_factory=dict)
    response: pd.DataFrame | None = None
    response_rate: float = 1.0

    # ---------------------------------------------------------------- views
    @property
    def by(self) -> pd.DataFrame | None:
        """One row per domain (``None`` without ``by``)."""
        if not self.by_columns:
            return None
        rows = self.table[self.table["level"] == "domain"]
        return rows.drop(columns=["level"]).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per domain (when ``by`` was given) plus the total."""
        return self.table.copy()

    def _summary(self) -> str:
        text = (
            f"outcome={self.outcome!r}, estimate={self.estimate:.6g}, "
            f"ci=[{self.ci.low:.6g}, {self.ci.high:.6g}], method={self.method!r}, "
            f"confidence_level={self.confidence_level:g}"
        )
        if self.alternative != "two-sided":
            text += f", alternative={self.alternative!r}"
        text += f", n={self.n}, df={self.df}"
        if self.by_columns:
            text += f", domains={int((self.table['level'] == 'domain').sum())}"
        if self.nonresponse:
            text += f", nonresponse={self.nonresponse!r}, response_rate={self.response_rate:.4g}"
        return text

    # ---------------------------------------------------------------- derived
    def stats(self) -> DesignStats:
        """Sufficient statistics of every row of :attr:`table` (domains, then total)."""
        return _table_stats(self.table)

    def interval(
        self,
        *,
        method: DesignMethod | None = None,
        confidence_level: float | None = None,
        alternative: Alternative | None = None,
    ) -> ConfidenceInterval:
        """Overall interval for another method, level or alternative.

        Parameters default to the ones the estimate was made with.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"stratum": ["a", "a", "b", "b", "b"],
        ...                       "population_size": [10, 10, 20, 20, 20],
        ...                       "ok": [1, 0, 1, 1, 1]})
        >>> est = estimate_proportion(frame, "ok")
        >>> ci = est.interval(confidence_level=0.9, method="wilson")
        >>> ci.method, ci.confidence_level
        ('wilson', 0.9)
        """
        return self.with_interval(
            method=method, confidence_level=confidence_level, alternative=alternative
        ).ci

    def with_interval(
        self,
        *,
        method: DesignMethod | None = None,
        confidence_level: float | None = None,
        alternative: Alternative | None = None,
    ) -> ProportionEstimate:
        """The same estimate with every interval recomputed (no data needed).

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"ok": [1, 1, 1, 0, 1, 1, 1, 1, 1, 1]})
        >>> est = estimate_proportion(frame, "ok").with_interval(alternative="greater")
        >>> est.ci.high
        1.0
        """
        if self.scenarios:
            from beian_audit.estimation import nonresponse as nr

            return nr.with_interval(self, method=method, confidence_level=confidence_level,
                                    alternative=alternative)
        how = check_choice("method", self.method if method is None else method, DESIGN_METHODS)
        side = check_choice(
            "alternative", self.alternative if alternative is None else alternative, ALTERNATIVES
        )
        level = check_level(self.confidence_level if confidence_level is None else confidence_level)
        table = _with_intervals(self.table.copy(), how, level, side, self.by_columns, warn=True)
        table = _with_total_intervals(table, level, side)
        total = table.iloc[-1]
        return dataclasses.replace(
            self,
            ci=_total_ci(total, how, level, side),
            **_total_attributes(total),
            method=how,
            confidence_level=level,
            alternative=side,
            table=table,
        )

    def domain(self, key: Hashable | tuple[Hashable, ...]) -> ProportionEstimate:
        """The estimate of one domain, as a :class:`ProportionEstimate` without domains.

        Parameters
        ----------
        key : scalar or tuple
            The domain's value of the ``by`` column (a tuple for several columns).

        Raises
        ------
        EstimationError
            Without ``by`` or for an unknown key.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"province": ["A", "A", "B", "B", "B"],
        ...                       "ok": [1, 0, 1, 0, 1]})
        >>> round(estimate_proportion(frame, "ok", by="province").domain("B").estimate, 4)
        0.6667
        """
        if not self.by_columns:
            raise EstimationError("domain() needs an estimate made with by=")
        if self.scenarios:
            from beian_audit.estimation import nonresponse as nr

            return nr.domain(self, key)
        keys = key if isinstance(key, tuple) else (key,)
        if len(keys) != len(self.by_columns):
            raise EstimationError(
                f"key ({key!r}) must give one value per by column {list(self.by_columns)}"
            )
        rows = self.table[self.table["level"] == "domain"]
        mask = np.ones(len(rows), dtype=bool)
        for col, value in zip(self.by_columns, keys, strict=True):
            column = rows[col]
            mask &= column.isna().to_numpy() if _is_na(value) else (column == value).to_numpy()
        if not mask.any():
            raise EstimationError(f"key ({key!r}) is not a domain of this estimate")
        row = rows[mask].iloc[[0]].copy()
        row["level"] = _TOTAL_LABEL
        total = row.iloc[0]
        return dataclasses.replace(
            self,
            estimate=float(total["estimate"]),
            se=float(total["se"]),
            ci=_total_ci(total, self.method, self.confidence_level, self.alternative),
            deff=float(total["deff"]),
            deff_replace=float(total["deff_replace"]),
            n=int(total["n"]),
            n_effective=float(total["n_effective"]),
            df=int(total["df"]),
            population_size=float(total["population_size"]),
            **_total_attributes(total),
            deff_kish=float(total.get("deff_kish", 1.0)),
            by_columns=(),
            table=row.drop(columns=list(self.by_columns)).reset_index(drop=True),
            design={**self.design, "domain": dict(zip(self.by_columns, keys, strict=True))},
        )


def _is_na(value: object) -> bool:
    try:
        return bool(pd.isna(cast(Any, value)))
    except (TypeError, ValueError):
        return False


def _total_ci(
    total: Mapping[str, Any] | pd.Series, method: str, level: float, alternative: str
) -> ConfidenceInterval:
    return ConfidenceInterval(
        low=float(total["ci_low"]),
        high=float(total["ci_high"]),
        estimate=float(total["estimate"]),
        method=method,
        confidence_level=level,
        alternative=alternative,
        n=float(total["n"]),
        se=float(total["se"]),
        df=float(total["df"]),
        design_based=True,
        note=str(total["note"]),
        deff_kish=float(total["deff_kish"]) if "deff_kish" in total else 1.0,
    )


#: Columns of ProportionEstimate.table after the by columns and ``level``.
_TABLE_COLUMNS = (
    "n", "n_missing", "population_size", "estimate", "se", "ci_low", "ci_high", "deff",
    "deff_replace", "n_effective", "df", "n_psu", "n_strata", "n_lonely_strata", "variance",
    "census", "note", "deff_kish", "total_1", "se_total_1", "total_1_low", "total_1_high",
    "total_0", "se_total_0", "total_0_low", "total_0_high",
)
_TOTAL_CI_COLUMNS = ("total_1_low", "total_1_high", "total_0_low", "total_0_high")


def _table_stats(table: pd.DataFrame) -> DesignStats:
    """Sufficient statistics of every row of an estimate's table."""
    return DesignStats.of(
        table["estimate"].to_numpy(float),
        table["variance"].to_numpy(float),
        table["n"].to_numpy(float),
        table["df"].to_numpy(float),
        table["census"].to_numpy(bool),
        table["deff_kish"].to_numpy(float) if "deff_kish" in table.columns else 1.0,
    )


def _with_intervals(
    table: pd.DataFrame,
    method: str,
    level: float,
    alternative: str,
    by_columns: tuple[str, ...],
    *,
    warn: bool,
) -> pd.DataFrame:
    stats = _table_stats(table)
    low, high, reason = design_interval_arrays(method, stats, alternative, level)
    table = table.assign(ci_low=low, ci_high=high, note=reason)
    if warn and (reason != "").any():
        _warn_degenerate(table, reason, method, by_columns)
    if warn:
        _warn_weakness(table, stats, method, by_columns)
    return table


def _with_total_intervals(table: pd.DataFrame, level: float, alternative: str) -> pd.DataFrame:
    """Wald intervals of the totals with the design degrees of freedom (R confint, df=degf)."""
    from scipy import stats as st

    df = table["df"].to_numpy(float)
    tail = (1.0 - level) / 2.0 if alternative == "two-sided" else 1.0 - level
    with np.errstate(all="ignore"):
        q = np.where(df > 0, st.t.ppf(1.0 - tail, np.where(df > 0, df, 1.0)), np.nan)
    columns = {}
    for key in ("1", "0"):
        t = table[f"total_{key}"].to_numpy(float)
        half = q * table[f"se_total_{key}"].to_numpy(float)
        low = np.maximum(t - half, 0.0) if alternative != "less" else np.zeros_like(t)
        high = t + half if alternative != "greater" else np.full_like(t, np.inf)
        columns[f"total_{key}_low"], columns[f"total_{key}_high"] = low, high
    return table.assign(**columns)


def _total_attributes(row: Mapping[str, Any] | pd.Series) -> dict[str, Any]:
    """The ``total_*`` attributes of a ProportionEstimate from a table row."""
    out: dict[str, Any] = {}
    for key in ("1", "0"):
        out[f"total_{key}"] = float(row[f"total_{key}"])
        out[f"se_total_{key}"] = float(row[f"se_total_{key}"])
        out[f"ci_total_{key}"] = (float(row[f"total_{key}_low"]), float(row[f"total_{key}_high"]))
    return out


def _variance_label(cols: Mapping[str, str | None], design: _Design, stage1_kind: str) -> str:
    if not cols["population_size"]:
        return "Taylor linearisation, with replacement (no fpc)"
    if not cols["stage2_population_size"]:
        return (
            "Taylor linearisation, stratified "
            + ("ultimate-cluster" if design.psu is not None else "element")
            + " sampling, first-stage finite-population correction"
        )
    label = (
        "Taylor linearisation, multistage (R multistage): between PSUs with the first-stage "
        "correction, plus within PSUs (second-stage strata and correction) weighted by n1/N1"
    )
    if stage1_kind == "pps":
        label += (
            "; first-stage strata with unequal PSU probabilities (pps/poisson) taken with "
            "replacement (no first-stage correction, no within-PSU term), their certainty "
            "PSUs as a stratum of their own"
        )
    return label


def _label(row: pd.Series, by_columns: tuple[str, ...]) -> str:
    if row["level"] == _TOTAL_LABEL or not by_columns:
        return "total"
    return ", ".join(f"{c}={row[c]!r}" for c in by_columns)


def _warn_degenerate(
    table: pd.DataFrame, reason: np.ndarray, method: str, by_columns: tuple[str, ...]
) -> None:
    parts = []
    for code in ("boundary", "zero_variance", "census", "df", "variance_undefined", "empty"):
        hit = np.flatnonzero(reason == code)
        if hit.size == 0:
            continue
        names = [_label(table.iloc[i], by_columns) for i in hit[:3]]
        more = f" and {hit.size - 3} more" if hit.size > 3 else ""
        parts.append(f"{DEGENERATE_REASONS[code]} [{'; '.join(names)}{more}]")
    warnings.warn(
        f"method {method!r}: degenerate case(s): " + " | ".join(parts),
        DegenerateIntervalWarning,
        stacklevel=4,
    )


#: Methods that undercover with rare events under unequal weights (coverage
#: study of docs/methodology.md): no cap on the variance-based effective size.
RARE_EVENT_WEAK_METHODS: tuple[str, ...] = (
    "beta", "wilson", "wilson-normal", "logit", "asin", "mean", "jeffreys", "clopper-pearson",
    "likelihood",
)
#: Methods with no degrees-of-freedom correction (normal quantiles on n*).
SMALL_DF_WEAK_METHODS: tuple[str, ...] = ("wilson-normal", "jeffreys", "clopper-pearson")
#: "Rare": fewer than this many expected rare outcomes, min(p, 1 - p) * n.
RARE_EVENT_COUNT = 10.0
#: "Unequal weights": Kish's design effect of the weights at least this.
UNEQUAL_WEIGHTS_DEFF = 1.2
#: "Small df": fewer design degrees of freedom than this.
SMALL_DF = 30.0


def weakness_reasons(method: str, s: DesignStats) -> np.ndarray:
    """Known weakness of ``method`` that applies to each domain (``""`` if none).

    ``"rare_unequal"``: the rare outcome (failure or success) is expected
    fewer than :data:`RARE_EVENT_COUNT` times and the weights are unequal
    (Kish deff >= :data:`UNEQUAL_WEIGHTS_DEFF`); ``"small_df"``: a method
    without degrees-of-freedom correction with fewer than :data:`SMALL_DF`
    design degrees of freedom. The default ``"korn-graubard"`` has neither.
    """
    out = np.full(s.p.shape, "", dtype=object)
    with np.errstate(invalid="ignore"):
        regular = (s.n > 0) & ~s.census & ~np.isnan(s.p)
        if method in SMALL_DF_WEAK_METHODS:
            out[regular & (s.df < SMALL_DF)] = "small_df"
        if method in RARE_EVENT_WEAK_METHODS:
            deff = s.deff_kish if s.deff_kish is not None else np.ones(s.p.shape)
            rare = np.minimum(s.p, 1.0 - s.p) * s.n < RARE_EVENT_COUNT
            out[regular & rare & (deff >= UNEQUAL_WEIGHTS_DEFF)] = "rare_unequal"
    return out


_WEAKNESS_TEXT = {
    "rare_unequal": (
        "the rare outcome is seen fewer than {count:g} times (expected) and the weights "
        "are unequal (Kish deff >= {deff:g}): this method's variance-based effective size "
        "is unstable there and its simulated coverage falls to about 0.82-0.86 at 95 %"
    ),
    "small_df": (
        "fewer than {df:g} design degrees of freedom: this method has no "
        "degrees-of-freedom correction and undercovers"
    ),
}


def _warn_weakness(
    table: pd.DataFrame, stats: DesignStats, method: str, by_columns: tuple[str, ...]
) -> None:
    reason = weakness_reasons(method, stats)
    parts = []
    for code, text in _WEAKNESS_TEXT.items():
        hit = np.flatnonzero(reason == code)
        if hit.size == 0:
            continue
        names = [_label(table.iloc[i], by_columns) for i in hit[:3]]
        more = f" and {hit.size - 3} more" if hit.size > 3 else ""
        msg = text.format(count=RARE_EVENT_COUNT, deff=UNEQUAL_WEIGHTS_DEFF, df=SMALL_DF)
        parts.append(f"{msg} [{'; '.join(names)}{more}]")
    if parts:
        warnings.warn(
            f"method {method!r}: " + " | ".join(parts)
            + "; the default method 'korn-graubard' keeps its coverage here "
            "(docs/methodology.md, section 6)",
            MethodWeaknessWarning,
            stacklevel=4,
        )


# --------------------------------------------------------------------------- entry point
def estimate_proportion(
    sample: object,
    outcome: str,
    *,
    strata: str | Literal[False] | None = None,
    population_size: str | Literal[False] | None = None,
    weight: str | Literal[False] | None = None,
    cluster: str | Literal[False] | None = None,
    by: str | Sequence[str] | None = None,
    method: DesignMethod = "korn-graubard",
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    lonely_psu: LonelyPSU = "adjust",
    missing: MissingRule = "raise",
    multistage: bool | None = None,
    stage2_strata: str | Literal[False] | None = None,
    stage2_population_size: str | Literal[False] | None = None,
    psu_probability: str | Literal[False] | None = None,
    nonresponse: NonresponseRule = "mar",
) -> ProportionEstimate:
    """Estimate a proportion from a stratified (or two-stage) sample.

    Parameters
    ----------
    sample : Sample or pandas.DataFrame
        A ``Sample`` (its ``.frame`` is used) or any frame with the design
        columns, so samples drawn by other tools can be checked too.
    outcome : str
        Column of 0/1 or boolean values (1 = correct / filed …), or of the
        verification statuses ``"correct"``, ``"incorrect"``,
        ``"unreachable"``, ``"refused"``, ``"pending"`` (and their Chinese
        synonyms, :data:`~beian_audit.estimation.nonresponse.STATUS_WORDS`),
        mixed with 0/1 if need be; see ``nonresponse``.
    strata : str, False or None
        Stratum column. ``None`` (default): ``"psu_stratum"`` for a two-stage
        sample, else ``"stratum"`` when present, else no strata. ``False``: no
        strata.
    population_size : str, False or None
        Column with the number of population units (PSUs) in the row's stratum,
        :math:`N_h`, for the finite-population correction. ``None``:
        ``"psu_population_size"`` for a two-stage sample, no correction for
        another ``cluster`` column (an element count is not a PSU count),
        else ``"population_size"`` when present, else no correction.
    weight : str, False or None
        Sampling-weight column. ``None``: ``"weight"`` when present. Without a
        weight column, weights are :math:`N_h / n_h` when population sizes are
        known, else 1.
    cluster : str, False or None
        First-stage unit (PSU) column. ``None``: ``"psu"`` when present (a
        two-stage ``Sample``), else every row is its own PSU. PSU labels are
        read within strata (R ``nest = TRUE``).
    by : str or list of str, optional
        Domain column(s) (provider, province, sponsor nature …). Each domain is
        estimated as a subpopulation of the full design. Missing domain values
        form their own domain.
    method : {"korn-graubard", "beta", "wilson", "wilson-normal", "logit", "asin", "mean", \
"jeffreys", "clopper-pearson", "likelihood"}
        Interval method (see :func:`~beian_audit.estimation.design_proportion_ci`).
        The default ``"korn-graubard"`` holds its coverage near 99.5 % and is
        defined when no failure is seen (see Notes).
    confidence_level : float
        Strictly between 0 and 1.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: lower bound only (shows a target is met).
    lonely_psu : {"adjust", "average", "certainty", "remove", "fail"}
        Variance rule for a stratum with a single sampled PSU (and a sampling
        fraction below 1), as R ``options(survey.lonely.psu = …)``. Default
        ``"adjust"`` (conservative: the PSU is compared with the overall mean);
        a :class:`~beian_audit.errors.SmallStratumWarning` names such strata.
    missing : {"raise", "drop"}
        Missing outcomes: ``"raise"`` (default) an
        :class:`~beian_audit.errors.EstimationError` naming the rows; ``"drop"``
        leaves those rows out of every estimate while they keep their place in
        the design (R ``na.rm = TRUE``); ``n_missing`` counts them per domain.
    multistage : bool or None
        Variance of a clustered sample. ``None`` (default): the multistage
        variance (see Notes) when the design has a ``cluster``, a first-stage
        ``population_size`` and a second-stage population size, as a two-stage
        ``Sample`` frame has; else the ultimate-cluster variance. ``False``:
        always the ultimate-cluster variance (R
        ``options(survey.ultimate.cluster = TRUE)``). ``True``: require the
        multistage variance (an error when its columns are missing).
    stage2_strata : str, False or None
        Second-stage stratum column, read within PSUs. ``None``: ``"stratum"``
        when present (and not the first-stage strata). ``False``: one
        second-stage stratum per PSU.
    stage2_population_size : str, False or None
        Units in the row's second-stage stratum, :math:`N_2`. ``None``:
        ``"population_size"`` when present (and not the first-stage size).
    psu_probability : str, False or None
        First-stage inclusion probability of the row's PSU. ``None``:
        ``"psu_inclusion_probability"`` when present. Where it is not
        :math:`n_1/N_1` (πps or Poisson first stage) the first stage is treated
        as drawn with replacement (see Notes). ``False``: assume simple random
        sampling of PSUs.
    nonresponse : {"mar", "worst", "best", "bounds"}
        How ``"unreachable"`` and ``"refused"`` outcomes count (only when the
        outcome column holds status words; a 0/1 column is unaffected).
        ``"mar"`` (default): the respondents of each stratum are reweighted
        to carry its nonrespondents, which assumes the outcome is missing at
        random within the stratum. ``"worst"``: every nonrespondent counted
        as incorrect, **the ministry's strict reading**. ``"best"``: every
        nonrespondent counted as correct. ``"bounds"``: the MAR estimate with
        the interval from the worst case's lower limit to the best case's
        upper limit, which covers the rate whatever the nonrespondents are.
        The result keeps all three (``scenarios``), the response rate per
        stratum (``response``) and says which rule it applied
        (``nonresponse``). ``"pending"`` outcomes are not nonresponse: they
        are left out and the resolved rows of their stratum carry their
        weight (verification in PRN order makes those a simple random sample
        of the stratum); counted in ``n_pending``. See ``docs/nonresponse.md``.

    Returns
    -------
    ProportionEstimate

    Raises
    ------
    EstimationError
        Invalid options, missing or invalid columns (non-0/1 outcome, missing
        design values, non-positive weights, population size not constant
        within a stratum or below the number of sampled units), missing
        outcomes with ``missing="raise"``, or a lonely PSU with
        ``lonely_psu="fail"``.

    Warns
    -----
    DegenerateIntervalWarning
        When an interval is computed in a degenerate case (estimate 0 or 1,
        zero variance, census, df <= 0); ``note`` in the table says which.
    SmallStratumWarning
        When a stratum has a single sampled PSU.

    Notes
    -----
    With weights :math:`w_i`, outcome :math:`y_i`, strata :math:`h` holding
    :math:`n_h` sampled PSUs out of :math:`N_h`:

    .. math::

        \\hat p = \\frac{\\sum_i w_i y_i}{\\sum_i w_i}, \\qquad
        z_i = \\frac{w_i (y_i - \\hat p)}{\\sum_i w_i}, \\qquad
        \\hat V(\\hat p) = \\sum_h \\Bigl(1 - \\frac{n_h}{N_h}\\Bigr) \\frac{n_h}{n_h - 1}
        \\sum_{c \\in h} (z_{hc} - \\bar z_h)^2

    where :math:`z_{hc}` sums the :math:`z_i` of PSU :math:`c` (Cochran 1977,
    ch. 5A; Lohr 2010, ch. 9). For a two-stage sample this is the
    ultimate-cluster variance with the first-stage correction, as R
    ``svydesign(ids = ~psu, strata = ~psu_stratum, fpc = ~psu_population_size,
    weights = ~weight)`` (``multistage=False``). By default a two-stage sample
    adds the second-stage variance (R ``multistage``; Särndal, Swensson and
    Wretman 1992, §4.3):

    .. math::

        \\hat V = \\hat V_1 + \\sum_{i} \\frac{n_{1}}{N_{1}} \\sum_{k \\in i}
        \\Bigl(1 - \\frac{n_{2k}}{N_{2k}}\\Bigr) \\frac{n_{2k}}{n_{2k} - 1}
        \\sum_{j \\in k} (z_j - \\bar z_k)^2

    over sampled PSUs :math:`i` and their second-stage strata :math:`k`, with
    the same scores :math:`z`; it is R ``svydesign(ids = ~psu + ssu, strata =
    ~psu_stratum + stratum, fpc = ~psu_population_size + population_size,
    nest = TRUE)``. A PSU taken with certainty (:math:`n_1 = N_1`) adds only its
    within-PSU term. A πps or Poisson first stage (inclusion probabilities not
    :math:`n_1/N_1`) has no simple fpc: its strata get the with-replacement
    ultimate-cluster variance (no first-stage correction, no second-stage
    term; it holds the within-PSU variance and slightly overstates the
    variance of a without-replacement draw), its certainty PSUs being moved to
    a stratum of their own. Degrees of freedom are R's ``degf()``: first-stage
    PSUs minus first-stage strata. A domain's :math:`z_i` are zero outside it, every stratum
    keeping its :math:`n_h` (R ``subset()``); its degrees of freedom, like R's
    ``degf()`` on the subset, count the PSUs and strata holding the domain.

    The design effects follow R ``svymean(deff = TRUE)`` (against simple
    random sampling without replacement of ``n`` from :math:`\\sum w`) and
    ``deff = "replace"``.

    Why ``"korn-graubard"`` by default: the Clopper-Pearson form on the
    degrees-of-freedom-adjusted effective size keeps (or exceeds) the nominal
    coverage near 99.5 % in the simulation of ``docs/methodology.md``, where
    Wald-type intervals fall far short, and the NCHS rules (effective size
    capped at ``n``, equal to ``n`` when no failure is seen) make it defined in
    every sample, where R's ``"beta"`` returns NaN.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed. Wiley.

    Lohr, S. L. (2010). *Sampling: Design and Analysis*, 2nd ed. Brooks/Cole.

    Särndal, C.-E., Swensson, B. and Wretman, J. (1992). *Model Assisted
    Survey Sampling*. Springer.

    Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for
    proportions with small expected number of positive counts estimated from
    survey data. *Survey Methodology* 24(2), 193-201.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "stratum": ["a"] * 5 + ["b"] * 5,
    ...     "population_size": [50] * 5 + [500] * 5,
    ...     "weight": [10.0] * 5 + [100.0] * 5,
    ...     "province": ["A", "B"] * 5,
    ...     "ok": [1, 1, 1, 1, 0, 1, 1, 0, 1, 1],
    ... })
    >>> est = estimate_proportion(frame, "ok", by="province")
    >>> round(est.estimate, 4), round(est.ci.low, 4), round(est.ci.high, 4)
    (0.8, 0.266, 0.996)
    >>> est.by[["province", "n", "estimate", "df"]]
      province  n  estimate  df
    0        A  5  0.956522   3
    1        B  5  0.687500   3
    """
    # --- engine dispatch: a Dask DataFrame is estimated by beian_audit.scale (same estimate) ---
    engine = _engine.dispatch("estimate_proportion", sample, getattr(sample, "frame", None))
    if engine is not None:
        estimated: ProportionEstimate = engine(
            sample, outcome, strata=strata, population_size=population_size, weight=weight,
            cluster=cluster, by=by, method=method, confidence_level=confidence_level,
            alternative=alternative, lonely_psu=lonely_psu, missing=missing,
            multistage=multistage, stage2_strata=stage2_strata,
            stage2_population_size=stage2_population_size, psu_probability=psu_probability,
        )
        return estimated
    # --- end of engine dispatch ---
    method = check_choice("method", method, DESIGN_METHODS)  # type: ignore[assignment]
    alternative = check_choice("alternative", alternative, ALTERNATIVES)  # type: ignore[assignment]
    level = check_level(confidence_level)
    lonely_psu = check_choice("lonely_psu", lonely_psu, LONELY_PSU_RULES)  # type: ignore[assignment]
    missing = check_choice("missing", missing, MISSING_RULES)  # type: ignore[assignment]
    rule = check_choice("nonresponse", nonresponse, NONRESPONSE_RULES)
    if not isinstance(outcome, str):
        raise EstimationError(f"outcome ({outcome!r}) must be a column name")

    frame = _as_frame(sample)
    n_input = len(frame)
    if n_input == 0:
        raise EstimationError("sample has no rows")
    status_codes = outcome_status_codes(_column(frame, outcome, "outcome"), outcome)
    if status_codes is not None:  # verification statuses: nonresponse scenarios
        from beian_audit.estimation.nonresponse import estimate_with_nonresponse

        return estimate_with_nonresponse(
            frame, outcome, status_codes, rule=rule, missing=missing,
            estimate=estimate_proportion, design_of=_design_of,
            options={
                "strata": strata, "population_size": population_size, "weight": weight,
                "cluster": cluster, "by": by, "method": method,
                "confidence_level": level, "alternative": alternative,
                "lonely_psu": lonely_psu, "multistage": multistage,
                "stage2_strata": stage2_strata, "stage2_population_size": stage2_population_size,
                "psu_probability": psu_probability,
            },
        )
    cols = _resolve(
        frame, strata=strata, population_size=population_size, weight=weight, cluster=cluster,
        stage2_strata=stage2_strata, stage2_population_size=stage2_population_size,
        psu_probability=psu_probability, multistage=multistage,
    )
    by_columns: tuple[str, ...] = (
        () if by is None else ((by,) if isinstance(by, str) else tuple(by))
    )
    for col in by_columns:
        _column(frame, col, "by")

    y = _outcome_values(_column(frame, outcome, "outcome"), outcome)
    missing_rows = np.isnan(y)
    if missing_rows.any() and missing == "raise":
        raise EstimationError(
            f"outcome column ({outcome!r}) is missing in {int(missing_rows.sum())} row(s), at "
            f"positions {_positions(missing_rows)}; fill them in or pass missing='drop' "
            f"to leave them out (they are then counted in n_missing)"
        )

    design = _build_design(frame, cols, n_input)
    _check_weight_range(design.w, cols["weight"])
    stage2: _Design | None = None
    stage1_kind = ""
    if cols["stage2_population_size"]:
        design, stage2, stage1_kind = _stage_two(frame, cols, design)
    any_missing = bool(missing_rows.any())
    d_total = np.where(missing_rows, -1, 0) if any_missing else np.zeros(0, dtype=np.int64)
    total = _stats(y, d_total, 1, design, stage2, lonely_psu)
    total["n_missing"] = np.array([float(missing_rows.sum())])

    if by_columns:
        codes, keys = _domains(frame, by_columns)
        n_dom = len(keys)
        d_dom = np.where(missing_rows, -1, codes) if any_missing else codes
        dom = _stats(y, d_dom, n_dom, design, stage2, lonely_psu)
        dom["n_missing"] = np.bincount(codes[missing_rows], minlength=n_dom).astype(float)
        parts = [keys.assign(level="domain"), pd.DataFrame({"level": [_TOTAL_LABEL]})]
        table = pd.concat(parts, ignore_index=True)
        stats = {k: np.concatenate([dom[k], total[k]]) for k in total}
    else:
        table = pd.DataFrame({"level": [_TOTAL_LABEL]})
        stats = total

    if (lonely_count := int(total["n_lonely_strata"][0])) > 0:
        _warn_lonely(lonely_count, design, stage2, lonely_psu)
    table = pd.concat([table, _stats_columns(stats, table.shape[0])], axis=1)
    table = _with_intervals(table, method, level, alternative, by_columns, warn=True)
    table = _with_total_intervals(table, level, alternative)

    row: dict[str, Any] = {name: table[name].iat[-1] for name in _TABLE_COLUMNS}
    return ProportionEstimate(
        outcome=outcome,
        estimate=float(row["estimate"]),
        se=float(row["se"]),
        ci=_total_ci(row, method, level, alternative),
        deff=float(row["deff"]),
        deff_replace=float(row["deff_replace"]),
        n=int(row["n"]),
        n_effective=float(row["n_effective"]),
        df=int(row["df"]),
        population_size=float(row["population_size"]),
        **_total_attributes(table.iloc[-1]),
        deff_kish=float(row["deff_kish"]),
        method=method,
        confidence_level=level,
        alternative=alternative,
        by_columns=by_columns,
        table=table,
        design={
            **cols,
            "lonely_psu": lonely_psu,
            "multistage": stage2 is not None,
            "variance": _variance_label(cols, design, stage1_kind),
            "n_strata": int(design.n_h.size),
            "n_psu": int(design.n_h.sum()),
            "n_input": n_input,
            "n_missing": int(missing_rows.sum()),
        },
    )


def _domains(frame: pd.DataFrame, by_columns: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """Domain code of every row and the domains' keys (sorted, missing values kept)."""
    if len(by_columns) == 1:
        column = frame[by_columns[0]]
        dense = _dense_integer_codes(column)
        if dense is not None:
            return dense[0], pd.DataFrame({by_columns[0]: dense[1]})
        raw_codes, uniques = pd.factorize(column, sort=True, use_na_sentinel=False)
        return raw_codes.astype(np.int64, copy=False), pd.DataFrame({by_columns[0]: uniques})
    grouped = frame.groupby(list(by_columns), dropna=False, sort=True, observed=True)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    return codes, grouped.size().index.to_frame(index=False)


def _dense_integer_codes(column: pd.Series) -> tuple[np.ndarray, pd.Index] | None:
    """``pandas.factorize(sort=True)`` of a numpy integer column of moderate range, by bincount.

    Domain codes such as province numbers span a small range: a table of that
    range finds the sorted distinct values without hashing every row. ``None``
    for any other column (the caller factorizes it).

    Examples
    --------
    >>> column = pd.Series([44, 11, 44, 31, 11])
    >>> codes, uniques = _dense_integer_codes(column)
    >>> codes.tolist(), uniques.tolist()
    ([2, 0, 2, 1, 0], [11, 31, 44])
    >>> expected = pd.factorize(column, sort=True, use_na_sentinel=False)
    >>> bool((codes == expected[0]).all()) and uniques.equals(expected[1])
    True
    """
    values = column.to_numpy() if isinstance(column.dtype, np.dtype) else None
    if values is None or values.dtype.kind not in "iu" or values.size == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    if hi > np.iinfo(np.int64).max or hi - lo > max(4 * values.size, 1 << 16):
        return None
    shifted = values.astype(np.int64)
    shifted -= lo
    present = np.flatnonzero(np.bincount(shifted, minlength=hi - lo + 1))
    remap = np.empty(hi - lo + 1, dtype=np.int64)
    remap[present] = np.arange(present.size)
    return remap[shifted], pd.Index((present + lo).astype(values.dtype))


def _warn_lonely(count: int, design: _Design, stage2: _Design | None, lonely_psu: str) -> None:
    """Warn of strata with a single sampled PSU, naming the first of them."""
    lonely_labels = design.stratum_labels[
        np.flatnonzero((design.n_h == 1) & (design.f_h >= _CERTAINTY_TOLERANCE))
    ]
    if stage2 is not None:
        lonely_labels = lonely_labels.append(stage2.stratum_labels[
            np.flatnonzero((stage2.n_h == 1) & (stage2.f_h >= _CERTAINTY_TOLERANCE))
        ])
    warnings.warn(
        f"{count} stratum/strata have a single sampled PSU "
        f"({', '.join(map(str, lonely_labels[:_SHOW]))}); variance uses "
        f"lonely_psu={lonely_psu!r}",
        SmallStratumWarning,
        stacklevel=3,
    )


def _stats_columns(stats: dict[str, np.ndarray], n_rows: int) -> pd.DataFrame:
    """The table's statistics columns (:data:`_TABLE_COLUMNS`); intervals still empty."""
    derived = _derived(stats)
    as_int = ("n", "n_missing", "df", "n_psu", "n_strata", "n_lonely_strata")
    columns: dict[str, np.ndarray] = {}
    for name in _TABLE_COLUMNS:
        source = derived if name in derived else stats
        if name in ("ci_low", "ci_high", *_TOTAL_CI_COLUMNS):
            columns[name] = np.full(n_rows, np.nan)
        elif name == "note":
            columns[name] = np.full(n_rows, "", dtype=object)
        else:
            columns[name] = source[name].astype(np.int64) if name in as_int else source[name]
    return pd.DataFrame(columns)
