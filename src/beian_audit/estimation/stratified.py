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
from beian_audit._arrow import one_chunk
from beian_audit._results import ResultMixin
from beian_audit._text import list_positions
from beian_audit.errors import (
    DegenerateIntervalWarning,
    EstimationError,
    MethodWeaknessWarning,
    SmallStratumWarning,
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

__all__ = ["LONELY_PSU_RULES", "LonelyPSU", "ProportionEstimate", "estimate_proportion"]

LonelyPSU = Literal["adjust", "average", "certainty", "remove", "fail"]
LONELY_PSU_RULES: tuple[str, ...] = get_args(LonelyPSU)
MissingRule = Literal["raise", "drop"]
MISSING_RULES: tuple[str, ...] = get_args(MissingRule)

#: R survey treats a stratum whose sampling fraction is within this of 1 as a census.
_CERTAINTY_TOLERANCE = 1e-7

_TOTAL_LABEL = "total"
_SHOW = 10  # rows / strata quoted in messages


# --------------------------------------------------------------------------- result
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


# --------------------------------------------------------------------------- input handling
_Column = str | Literal[False] | None


def _as_frame(sample: object) -> pd.DataFrame:
    frame = getattr(sample, "frame", sample)
    if not isinstance(frame, pd.DataFrame):
        raise EstimationError(
            f"sample must be a Sample (with a .frame DataFrame) or a pandas DataFrame, "
            f"not {type(sample).__name__}"
        )
    return frame


def _positions(mask: np.ndarray) -> str:
    return list_positions(mask, _SHOW)


def _design_of(frame: pd.DataFrame, options: dict[str, Any]) -> _Design:
    """The design of ``frame`` under ``estimate_proportion``'s design options."""
    cols = _resolve(
        frame, strata=options["strata"], population_size=options["population_size"],
        weight=options["weight"], cluster=options["cluster"],
        stage2_strata=options["stage2_strata"],
        stage2_population_size=options["stage2_population_size"],
        psu_probability=options["psu_probability"], multistage=options["multistage"],
    )
    return _build_design(frame, cols, len(frame))


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise EstimationError(
            f"{role} column ({name!r}) is not in the sample; columns are {list(frame.columns)}"
        )
    return frame[name]


def _resolve(
    frame: pd.DataFrame,
    *,
    strata: _Column,
    population_size: _Column,
    weight: _Column,
    cluster: _Column,
    stage2_strata: _Column = None,
    stage2_population_size: _Column = None,
    psu_probability: _Column = None,
    multistage: bool | None = False,
) -> dict[str, str | None]:
    """Apply the column defaults of a ``Sample`` frame (see estimate_proportion).

    The stage-2 keys (``stage2_strata``, ``stage2_population_size``,
    ``psu_probability``) are set only when the multistage variance applies;
    ``stage2_population_size`` is then never ``None``.
    """
    cols = set(frame.columns)
    if multistage is not None and not isinstance(multistage, bool):
        raise EstimationError(f"multistage ({multistage!r}) must be True, False or None")
    for role, value in (
        ("strata", strata),
        ("population_size", population_size),
        ("weight", weight),
        ("cluster", cluster),
        ("stage2_strata", stage2_strata),
        ("stage2_population_size", stage2_population_size),
        ("psu_probability", psu_probability),
    ):
        if value is not None and value is not False and not isinstance(value, str):
            raise EstimationError(
                f"{role} ({value!r}) must be a column name, None (use the default column) "
                f"or False (no {role})"
            )
    if cluster is None:
        cluster = "psu" if "psu" in cols else False
    two_stage = cluster == "psu"
    if strata is None:
        strata = (
            "psu_stratum"
            if two_stage and "psu_stratum" in cols
            else ("stratum" if "stratum" in cols else False)
        )
    if population_size is None:
        if two_stage:
            population_size = "psu_population_size" if "psu_population_size" in cols else False
        elif cluster:
            # an element count is not a number of PSUs: no default correction
            population_size = False
        else:
            population_size = "population_size" if "population_size" in cols else False
    if weight is None:
        weight = "weight" if "weight" in cols else False
    stage2: dict[str, str | None] = {
        "stage2_strata": None, "stage2_population_size": None, "psu_probability": None
    }
    if multistage is not False and cluster:
        if stage2_strata is None:
            stage2_strata = "stratum" if "stratum" in cols and strata != "stratum" else False
        if stage2_population_size is None:
            stage2_population_size = (
                "population_size"
                if "population_size" in cols and population_size != "population_size"
                else False
            )
        if psu_probability is None:
            psu_probability = (
                "psu_inclusion_probability" if "psu_inclusion_probability" in cols else False
            )
        if population_size and stage2_population_size:
            stage2 = {
                "stage2_strata": stage2_strata or None,
                "stage2_population_size": stage2_population_size,
                "psu_probability": psu_probability or None,
            }
        elif multistage:
            raise EstimationError(
                "multistage=True needs the first-stage population size (population_size=, "
                "PSUs per stratum) and the second-stage one (stage2_population_size=, units "
                "per second-stage stratum); without a first-stage correction the "
                "ultimate-cluster variance is already the with-replacement multistage one"
            )
    elif multistage:
        raise EstimationError("multistage=True needs a cluster (PSU) column")
    return {
        "strata": strata or None,
        "population_size": population_size or None,
        "weight": weight or None,
        "cluster": cluster or None,
        **stage2,
    }


def _outcome_values(series: pd.Series, name: str) -> np.ndarray:
    """0/1 float array with nan for missing; raise on anything else."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biu":  # no NA possible
        raw_int = series.to_numpy()
        bad_int = (raw_int != 0) & (raw_int != 1)
        if not bad_int.any():
            return raw_int.astype(float)
    na = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        values = np.array(series.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        bad = ~na & (values != 0.0) & (values != 1.0)
    else:
        raw = series.to_numpy(dtype=object)
        values = np.full(raw.shape, np.nan)
        bad = np.zeros(raw.shape, dtype=bool)
        for i in np.flatnonzero(~na):
            v = raw[i]
            if isinstance(v, bool | np.bool_ | int | np.integer | float | np.floating) and v in (
                0,
                1,
            ):
                values[i] = float(v)
            else:
                bad[i] = True
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[bad])[:5])
        raise EstimationError(
            f"outcome column ({name!r}) must hold 0/1 or True/False values; "
            f"{int(bad.sum())} row(s) do not, at positions {_positions(bad)} "
            f"(values such as {examples})"
        )
    values[na] = np.nan
    return values


def _numeric(series: pd.Series, role: str) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(
        series.dtype
    ):
        raise EstimationError(f"{role} column ({series.name!r}) must be numeric")
    if isinstance(series.dtype, np.dtype):  # NumPy-backed: no NA object to map
        return series.to_numpy().astype(float, copy=False)
    return series.to_numpy(dtype=float, na_value=np.nan)


def _codes(series: pd.Series, role: str) -> tuple[np.ndarray, pd.Index, np.ndarray | None]:
    """Integer codes (first appearance), labels, and run starts when rows are grouped."""
    na = series.isna().to_numpy()
    if na.any():
        raise EstimationError(
            f"{role} column ({series.name!r}) has missing values at positions {_positions(na)}"
        )
    runs = _grouped_runs(series)
    if runs is not None:  # rows grouped by label (a drawn sample): no hashing needed
        return runs
    codes, uniques = pd.factorize(series, sort=False)
    return codes.astype(np.int64, copy=False), pd.Index(uniques), None


def _grouped_runs(series: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray] | None:
    """``pandas.factorize`` of an Arrow-backed column whose equal labels are contiguous.

    Compares neighbours (vectorised, no hash table); returns ``None`` when the
    column is not Arrow-backed or a label occurs in two separate runs. Codes
    number the labels by first appearance, as ``factorize(sort=False)`` does.
    """
    data = getattr(series.array, "_pa_array", None)
    if data is None or len(series) < 2:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = one_chunk(data)
    if arr.null_count or pa.types.is_dictionary(arr.type):
        return None
    change = pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.flatnonzero(change) + 1])
    labels = pd.Index(series.array.take(starts))
    if not labels.is_unique:
        return None
    lengths = np.diff(np.append(starts, len(series)))
    return np.repeat(np.arange(starts.size, dtype=np.int64), lengths), labels, starts


# --------------------------------------------------------------------------- core computation
@dataclass(frozen=True, slots=True)
class _Design:
    """The design in integer codes (row-level arrays and per-stratum arrays)."""

    w: np.ndarray  # weights per row
    stratum: np.ndarray  # stratum code per row
    psu: np.ndarray | None  # PSU code per row (None: every row is its own PSU)
    psu_stratum: np.ndarray | None  # stratum code per PSU
    n_h: np.ndarray  # PSUs sampled per stratum
    f_h: np.ndarray  # R's fpc factor (N - n) / N per stratum (1 without fpc)
    stratum_labels: pd.Index
    single_stage: bool
    starts: np.ndarray | None = None  # first row of each stratum when rows are grouped by it
    w_h: np.ndarray | None = None  # weight of each stratum when constant within every stratum


_DENSE_LIMIT = 20_000_000


def _compact(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``0..k-1`` for the distinct values of ``key`` (all in ``[0, size)``).

    Returns ``(codes, uniques)`` with ``uniques[codes] == key``. A dense
    bincount when ``size`` is moderate (no hashing), else ``pandas.factorize``.
    """
    if size <= _DENSE_LIMIT:
        present = np.flatnonzero(np.bincount(key, minlength=size))
        remap = np.empty(size, dtype=np.int64)
        remap[present] = np.arange(present.size)
        return remap[key], present
    codes, uniques = pd.factorize(key, sort=False)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=np.int64)


def _whole_sample_one_weight_per_stratum(
    y: np.ndarray, design: _Design, lonely_psu: str, total: bool = False
) -> dict[str, np.ndarray]:
    """:func:`_domain_stats` of the whole sample, element sampling, one weight per stratum.

    With :math:`k_h` successes among :math:`m_h` rows, the scores take two
    values, :math:`a(1-\\hat p)` and :math:`-a \\hat p` with :math:`a = w_h / W`, so
    a stratum's sum of squared deviations is :math:`a^2 k_h (m_h - k_h) / m_h`
    exactly: no per-row pass, and no cancellation (0 when :math:`k_h` is 0 or
    :math:`m_h`). For a total (``total=True``) the scores are :math:`w_h y`:
    :math:`a = w_h` and the stratum sum is :math:`a k_h`.
    """
    H = design.n_h.size
    m = design.n_h.astype(float)
    if design.starts is not None:
        k = np.add.reduceat(y, design.starts)
    else:
        k = np.bincount(design.stratum, weights=y, minlength=H)
    assert design.w_h is not None
    w_g = np.array([(design.w_h * m).sum()])
    p_g = np.array([(design.w_h * k).sum()]) / w_g
    a = design.w_h if total else design.w_h / w_g[0]
    ss = a * a * k * (m - k) / m
    s1 = a * k if total else a * (k - m * p_g[0])
    return _finish(
        ss, s1, np.zeros(H, dtype=np.int64), np.arange(H), 1, design, lonely_psu,
        np.array([float(y.size)]), w_g, p_g, np.array([float(y.size)]),
    )


def _domain_stats(
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    lonely_psu: str,
    total: bool = False,
) -> dict[str, np.ndarray]:
    """Estimate, variance and design counts for every domain code in ``d``.

    ``d`` holds a domain code per row, ``-1`` for rows outside every domain
    (missing outcome); an empty ``d`` means one domain holding every row.
    Rows outside a domain count as zeros in its linearised scores while every
    stratum keeps its full number of PSUs: R ``subset()`` semantics.

    ``total=True``: the variance is that of the estimated total
    :math:`\\sum_d w y` (scores :math:`w y`, R ``svytotal``), not of the mean.
    """
    G = n_domains
    if d.size == 0 and design.psu is None and design.w_h is not None:
        return _whole_sample_one_weight_per_stratum(y, design, lonely_psu, total)
    if d.size == 0:
        d = np.zeros(y.size, dtype=np.int64)
        rows = None
        dk, yk, wk, hk = d, y, design.w, design.stratum
    elif (keep := d >= 0).all():
        rows = None
        dk, yk, wk, hk = d, y, design.w, design.stratum
    else:
        rows = np.flatnonzero(keep)
        dk, yk, wk, hk = d[rows], y[rows], design.w[rows], design.stratum[rows]
    H = design.n_h.size

    with np.errstate(all="ignore"):
        if G == 1:  # the whole sample: scalars, no gathers
            n_g = np.array([float(dk.size)])
            w_g = np.array([wk.sum()])
            # same (pairwise) summation as w_g, so all-ones gives exactly 1
            p_g = np.array([(wk * yk).sum()]) / w_g
            if total:
                z = wk * yk
            else:
                z = yk - p_g[0]  # z = w (y - p) / W, in place
                z /= w_g[0]
                z *= wk
        else:
            n_g = np.bincount(dk, minlength=G).astype(float)
            w_g = np.bincount(dk, weights=wk, minlength=G)
            p_g = np.bincount(dk, weights=wk * yk, minlength=G) / w_g
            z = wk * yk if total else wk * (yk - p_g[dk]) / w_g[dk]

    # cells: (domain, PSU) pairs holding at least one row of the domain
    if design.psu is None:
        cell_g, cell_h, z_cell = dk, hk, z
    else:
        P = int(design.psu_stratum.size)  # type: ignore[union-attr]
        psu_k = design.psu if rows is None else design.psu[rows]
        key = dk.astype(np.int64) * P + psu_k
        cell, uniques = _compact(key, G * P)
        cell_g = uniques // P
        cell_h = design.psu_stratum[uniques % P]  # type: ignore[index]
        z_cell = np.bincount(cell, weights=z, minlength=uniques.size)

    if G == 1 and rows is None and design.psu is None and design.starts is not None:
        # rows grouped by stratum (codes 0..H-1 in order): contiguous segment sums
        starts = design.starts
        m = design.n_h.astype(float)
        s1 = np.add.reduceat(z, starts)
        zbar = s1 / m
        dev = np.repeat(zbar, design.n_h)
        np.subtract(z, dev, out=dev)
        np.multiply(dev, dev, out=dev)
        ss = np.add.reduceat(dev, starts)
        ss = np.where(ss <= 1e-24 * (z @ z), 0.0, ss)
        return _finish(
            ss, s1, np.zeros(H, dtype=np.int64), np.arange(H), 1, design, lonely_psu,
            n_g, w_g, p_g, np.array([float(z.size)]),
        )

    # (domain, stratum) pairs holding at least one row of the domain
    if G == 1:
        m_h = np.bincount(cell_h, minlength=H)
        present = m_h > 0
        if present.all():
            gh, gh_h, m = cell_h, np.arange(H), m_h.astype(float)
        else:
            remap = np.cumsum(present) - 1
            gh, gh_h, m = remap[cell_h], np.flatnonzero(present), m_h[present].astype(float)
        gh_g = np.zeros(gh_h.size, dtype=np.int64)
        n_pairs = gh_h.size
    else:
        key2 = cell_g.astype(np.int64) * H + cell_h
        gh, u2 = _compact(key2, G * H)
        gh_g, gh_h = u2 // H, u2 % H
        n_pairs = gh_g.size
        m = np.bincount(gh, minlength=n_pairs).astype(float)
    s1 = np.bincount(gh, weights=z_cell, minlength=n_pairs)
    nh = design.n_h[gh_h].astype(float)
    zbar = s1 / nh
    dev = z_cell - zbar[gh]
    ss = np.bincount(gh, weights=dev * dev, minlength=n_pairs) + (nh - m) * zbar * zbar
    # A stratum whose PSU totals are all equal (same outcome, same weight) has
    # SS = 0 exactly; rounding leaves ~eps^2 * sum(z^2). Zero anything below
    # 1e-24 of the domain's sum of squared scores (which changes a genuine
    # variance by less than that), or p(1-p)/v becomes astronomically large.
    if G == 1:
        scale_g = np.array([z_cell @ z_cell])
    else:
        scale_g = np.bincount(cell_g, weights=z_cell * z_cell, minlength=G)
    ss = np.where(ss <= 1e-24 * scale_g[gh_g], 0.0, ss)
    n_psu_g = (
        np.array([float(cell_g.size)]) if G == 1 else np.bincount(cell_g, minlength=G).astype(float)
    )
    return _finish(ss, s1, gh_g, gh_h, G, design, lonely_psu, n_g, w_g, p_g, n_psu_g)


def _finish(
    ss: np.ndarray,
    s1: np.ndarray,
    gh_g: np.ndarray,
    gh_h: np.ndarray,
    G: int,
    design: _Design,
    lonely_psu: str,
    n_g: np.ndarray,
    w_g: np.ndarray,
    p_g: np.ndarray,
    n_psu_g: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per-(domain, stratum) sums of squares -> per-domain variance and counts."""
    nh = design.n_h[gh_h].astype(float)
    fh = design.f_h[gh_h]
    certain = fh < _CERTAINTY_TOLERANCE
    lonely = (nh == 1) & ~certain
    with np.errstate(all="ignore"):
        v_pair = np.where(nh > 1, fh * nh / (nh - 1.0) * ss, 0.0)
    if lonely.any():
        if lonely_psu == "fail":
            labels = design.stratum_labels[np.unique(gh_h[lonely])]
            raise EstimationError(
                f"{labels.size} stratum/strata have a single sampled PSU "
                f"({', '.join(map(str, labels[:_SHOW]))}); choose lonely_psu among "
                f"{', '.join(repr(r) for r in LONELY_PSU_RULES if r != 'fail')}"
            )
        if lonely_psu == "adjust":
            v_pair = np.where(lonely, fh * s1 * s1, v_pair)
        elif lonely_psu == "average":
            v_pair = np.where(lonely, np.nan, v_pair)
        else:  # certainty / remove
            v_pair = np.where(lonely, 0.0, v_pair)
    v_pair = np.where(certain, 0.0, v_pair)

    ok = ~np.isnan(v_pair)
    v_g = np.bincount(gh_g, weights=np.where(ok, v_pair, 0.0), minlength=G)
    n_strata_g = np.bincount(gh_g, minlength=G).astype(float)
    if lonely_psu == "average":
        n_ok = np.bincount(gh_g, weights=ok.astype(float), minlength=G)
        with np.errstate(all="ignore"):
            v_g = np.where(n_ok > 0, v_g * n_strata_g / n_ok, np.nan)
    census = np.bincount(gh_g, weights=(~certain).astype(float), minlength=G) == 0
    census &= design.single_stage & (n_g > 0)
    return {
        "n": n_g,
        "population_size": w_g,
        "estimate": p_g,
        "variance": v_g,
        "df": n_psu_g - n_strata_g,
        "n_psu": n_psu_g,
        "n_strata": n_strata_g,
        "n_lonely_strata": np.bincount(gh_g, weights=lonely.astype(float), minlength=G),
        "census": census,
    }


def _derived(stats: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Standard error, design effects and effective sample size."""
    p, v, n, w = stats["estimate"], stats["variance"], stats["n"], stats["population_size"]
    n_boundary = DesignStats.of(p, v, n, 0.0, deff_kish=stats["deff_kish"]).boundary_n()
    with np.errstate(all="ignore"):
        pq = p * (1.0 - p)
        s2 = pq * n / (n - 1.0)  # R svyvar: weighted variance with n / (n - 1)
        v_wor = np.where(w >= n, s2 * (w - n) / (w * n), np.nan)
        v_rep = s2 / n
        deff = np.where(pq > 0, v / v_wor, np.nan)
        deff_rep = np.where(pq > 0, v / v_rep, np.nan)
        n_eff = np.where((pq > 0) & (v > 0), pq / v, n_boundary)
        n_eff = np.where(stats["census"], np.inf, n_eff)
    return {"se": np.sqrt(v), "deff": deff, "deff_replace": deff_rep, "n_effective": n_eff}


#: Columns of ProportionEstimate.table after the by columns and ``level``.
_TABLE_COLUMNS = (
    "n", "n_missing", "population_size", "estimate", "se", "ci_low", "ci_high", "deff",
    "deff_replace", "n_effective", "df", "n_psu", "n_strata", "n_lonely_strata", "variance",
    "census", "note", "deff_kish", "total_1", "se_total_1", "total_1_low", "total_1_high",
    "total_0", "se_total_0", "total_0_low", "total_0_high",
)
_TOTAL_CI_COLUMNS = ("total_1_low", "total_1_high", "total_0_low", "total_0_high")


def _kish_deff(w: np.ndarray, codes: np.ndarray | None, n_domains: int) -> np.ndarray:
    """Kish's design effect of the weights, :math:`n\\sum w^2/(\\sum w)^2`, per domain.

    ``codes`` gives each row's domain (``-1``: outside every domain, e.g. a
    missing outcome); ``None`` means one domain holding every row. The weights
    are scaled by their maximum first, so that no square overflows. Computed
    as the planner does (:func:`beian_audit.sampling.allocation.kish_deff`).
    """
    u = w / w.max()
    if codes is None:
        n = np.array([float(u.size)])
        s1 = np.array([u.sum()])
        s2 = np.array([u @ u])
    else:
        keep = codes >= 0
        c, uk = codes[keep], u[keep]
        n = np.bincount(c, minlength=n_domains).astype(float)
        s1 = np.bincount(c, weights=uk, minlength=n_domains)
        s2 = np.bincount(c, weights=uk * uk, minlength=n_domains)
    with np.errstate(all="ignore"):
        deff = n * s2 / (s1 * s1)
    # rounding can leave equal weights a hair below 1
    return np.where(n > 0, np.maximum(deff, 1.0), np.nan)


def _check_weight_range(w: np.ndarray, column: str | None) -> None:
    """Raise when the weights' sum overflows (every estimate would be NaN)."""
    with np.errstate(over="ignore"):
        total = float(w.sum())
    if not np.isfinite(total):
        raise EstimationError(
            f"weight column ({column!r}) sums to more than the largest double "
            f"(about 1.8e308); divide the weights by a common factor (the estimate "
            f"does not change)"
        )


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


def _with_totals(
    stats: dict[str, np.ndarray],
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    stage2: _Design | None,
    lonely_psu: str,
) -> dict[str, np.ndarray]:
    """Add the estimated totals of units with outcome 1 and 0 and their standard errors."""
    n_hat, p = stats["population_size"], stats["estimate"]
    out = dict(stats)
    for key, values in (("1", y), ("0", 1.0 - y)):
        v = _stats(values, d, n_domains, design, stage2, lonely_psu, total=True)["variance"]
        out[f"total_{key}"] = n_hat * (p if key == "1" else 1.0 - p)
        out[f"se_total_{key}"] = np.sqrt(v)
    return out


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
        are left out like a missing outcome with ``missing="drop"`` and
        counted in ``n_pending``. See ``docs/nonresponse.md``.

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
    total = _with_totals(
        _stats(y, d_total, 1, design, stage2, lonely_psu), y, d_total, 1, design, stage2,
        lonely_psu,
    )
    total["n_missing"] = np.array([float(missing_rows.sum())])
    total["deff_kish"] = _kish_deff(design.w, d_total if any_missing else None, 1)

    if by_columns:
        if len(by_columns) == 1:
            raw_codes, uniques = pd.factorize(
                frame[by_columns[0]], sort=True, use_na_sentinel=False
            )
            codes: np.ndarray = raw_codes.astype(np.int64, copy=False)
            keys = pd.DataFrame({by_columns[0]: uniques})
        else:
            grouped = frame.groupby(list(by_columns), dropna=False, sort=True, observed=True)
            codes = grouped.ngroup().to_numpy(dtype=np.int64)
            keys = grouped.size().index.to_frame(index=False)
        n_dom = len(keys)
        d_dom = np.where(missing_rows, -1, codes)
        dom = _with_totals(
            _stats(y, d_dom, n_dom, design, stage2, lonely_psu), y, d_dom, n_dom, design,
            stage2, lonely_psu,
        )
        dom["n_missing"] = np.bincount(codes[missing_rows], minlength=n_dom).astype(float)
        dom["deff_kish"] = _kish_deff(design.w, np.where(missing_rows, -1, codes), n_dom)
        parts = [keys.assign(level="domain"), pd.DataFrame({"level": [_TOTAL_LABEL]})]
        table = pd.concat(parts, ignore_index=True)
        stats = {k: np.concatenate([dom[k], total[k]]) for k in total}
    else:
        table = pd.DataFrame({"level": [_TOTAL_LABEL]})
        stats = total

    if (lonely_count := int(total["n_lonely_strata"][0])) > 0:
        lonely_labels = design.stratum_labels[
            np.flatnonzero((design.n_h == 1) & (design.f_h >= _CERTAINTY_TOLERANCE))
        ]
        if stage2 is not None:
            lonely_labels = lonely_labels.append(stage2.stratum_labels[
                np.flatnonzero((stage2.n_h == 1) & (stage2.f_h >= _CERTAINTY_TOLERANCE))
            ])
        warnings.warn(
            f"{lonely_count} stratum/strata have a single sampled PSU "
            f"({', '.join(map(str, lonely_labels[:_SHOW]))}); variance uses "
            f"lonely_psu={lonely_psu!r}",
            SmallStratumWarning,
            stacklevel=2,
        )

    derived = _derived(stats)
    as_int = ("n", "n_missing", "df", "n_psu", "n_strata", "n_lonely_strata")
    columns: dict[str, np.ndarray] = {}
    for name in _TABLE_COLUMNS:
        source = derived if name in derived else stats
        if name in ("ci_low", "ci_high", *_TOTAL_CI_COLUMNS):
            columns[name] = np.full(table.shape[0], np.nan)
        elif name == "note":
            columns[name] = np.full(table.shape[0], "", dtype=object)
        else:
            columns[name] = source[name].astype(np.int64) if name in as_int else source[name]
    table = pd.concat([table, pd.DataFrame(columns)], axis=1)
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


def _stratum_value(
    values: np.ndarray, stratum: np.ndarray, starts: np.ndarray | None, n_strata: int
) -> tuple[np.ndarray, bool]:
    """One value of a per-row column for each stratum, and whether it is constant in all.

    ``starts`` (rows grouped by stratum) allows segment minima and maxima instead
    of scattered writes.
    """
    if starts is not None:
        constant = (np.minimum.reduceat(values, starts) == np.maximum.reduceat(values, starts))
        return values[starts], bool(constant.all())
    first = np.empty(n_strata)
    first[stratum] = values
    return first, bool((values == first[stratum]).all())


def _build_design(frame: pd.DataFrame, cols: dict[str, str | None], n_rows: int) -> _Design:
    if cols["strata"]:
        stratum, labels, starts = _codes(_column(frame, cols["strata"], "strata"), "strata")
    else:
        stratum, labels = np.zeros(n_rows, dtype=np.int64), pd.Index(["(all)"])
        starts = np.zeros(1, dtype=np.int64) if n_rows > 1 else None
    H = labels.size

    # factorize numbers strata by first appearance, so rows grouped by stratum
    # have non-decreasing codes: then segment sums replace scattered ones
    if starts is None and n_rows > 1 and bool((stratum[1:] >= stratum[:-1]).all()):
        starts = np.flatnonzero(np.diff(stratum)) + 1
        starts = np.concatenate([[0], starts])

    if cols["cluster"]:
        cl = _column(frame, cols["cluster"], "cluster")
        if cl.isna().any():
            raise EstimationError(
                f"cluster column ({cols['cluster']!r}) has missing values at positions "
                f"{_positions(cl.isna().to_numpy())}"
            )
        cl_codes, _ = pd.factorize(cl, sort=False)
        psu, uniq = pd.factorize(stratum * (int(cl_codes.max()) + 1) + cl_codes, sort=False)
        psu = psu.astype(np.int64)
        psu_stratum = (uniq // (int(cl_codes.max()) + 1)).astype(np.int64)
        n_h = np.bincount(psu_stratum, minlength=H)
    else:
        psu, psu_stratum = None, None
        n_h = (
            np.diff(np.append(starts, n_rows)) if starts is not None
            else np.bincount(stratum, minlength=H)
        )

    if cols["population_size"]:
        big_n = _numeric(
            _column(frame, cols["population_size"], "population_size"), "population_size"
        )
        if not big_n.min() > 0:  # also catches nan (reductions: no temporaries)
            bad = ~(big_n > 0)
            raise EstimationError(
                f"population_size column ({cols['population_size']!r}) must be positive, "
                f"not missing; check positions {_positions(bad)}"
            )
        first, constant = _stratum_value(big_n, stratum, starts, H)
        if not constant:
            varying = big_n != first[stratum]
            raise EstimationError(
                f"population_size column ({cols['population_size']!r}) must be constant "
                f"within each stratum; it varies at positions {_positions(varying)}"
            )
        too_small = first < n_h
        if too_small.any():
            shown = ", ".join(
                f"{labels[h]!s} (N={first[h]:g} < n={n_h[h]})"
                for h in np.flatnonzero(too_small)[:_SHOW]
            )
            raise EstimationError(
                f"population_size is below the number of sampled units in "
                f"{int(too_small.sum())} stratum/strata: {shown}"
            )
        with np.errstate(all="ignore"):
            f_h = np.where(np.isinf(first), 1.0, (first - n_h) / first)
    else:
        first = None
        f_h = np.ones(H)

    if cols["weight"]:
        w = _numeric(_column(frame, cols["weight"], "weight"), "weight")
        if not (w.min() > 0 and w.max() < np.inf):  # also catches nan
            bad = ~((w > 0) & (w < np.inf))
            raise EstimationError(
                f"weight column ({cols['weight']!r}) must be positive and finite; check "
                f"positions {_positions(bad)}"
            )
    elif first is not None and np.isfinite(first).all():
        w = (first / n_h)[stratum]
    else:
        w = np.ones(n_rows)
    w_h = None
    if psu is None:  # one weight per stratum? (the closed-form variance needs it)
        w_first, w_constant = _stratum_value(w, stratum, starts, H)
        w_h = w_first if w_constant else None
    return _Design(
        w=w,
        stratum=stratum,
        psu=psu,
        psu_stratum=psu_stratum,
        n_h=n_h,
        f_h=f_h,
        stratum_labels=labels,
        single_stage=psu is None,
        starts=starts,
        w_h=w_h,
    )


#: Stage-1 inclusion probabilities within this (relative) of n1/N1 are SRS ones.
_SRS_TOLERANCE = 1e-9


def _psu_value(values: np.ndarray, psu: np.ndarray, n_psu: int) -> tuple[np.ndarray, np.ndarray]:
    """One value per PSU of a per-row column, and the rows where it differs from it."""
    first = np.empty(n_psu)
    first[psu] = values
    return first, values != first[psu]


def _stage_two(
    frame: pd.DataFrame, cols: Mapping[str, str | None], design: _Design
) -> tuple[_Design, _Design, str]:
    """The stage-1 and stage-2 designs of the multistage variance, and the stage-1 kind.

    Stage 1 is the ultimate-cluster design of ``design`` (PSUs in first-stage
    strata). Stage 2 is an element design whose strata are the (PSU,
    second-stage stratum) pairs, with the second-stage correction
    :math:`(N_2 - n_2)/N_2` times the PSU's first-stage sampling fraction
    :math:`n_1/N_1` (R ``multistage``), so that :func:`_finish` gives
    :math:`\\sum_i (n_1/N_1)\\, \\hat V_{2i}` directly.

    When the PSU inclusion probabilities of a first-stage stratum are not
    ``n1/N1`` (a πps or Poisson draw), that stratum is treated as drawn with
    replacement: no first-stage correction and no stage-2 term (the
    ultimate-cluster with-replacement variance already holds the within-PSU
    variance), except that its PSUs with probability 1 are moved to a
    certainty stratum of their own, which contributes only their stage-2 term.
    """
    assert design.psu is not None and design.psu_stratum is not None
    psu, psu_stratum = design.psu, design.psu_stratum
    P, H = psu_stratum.size, design.n_h.size
    n_rows = psu.size
    frac = 1.0 - design.f_h  # n1/N1 per first-stage stratum (0 without a correction)
    a = frac[psu_stratum]  # weight of each PSU's stage-2 variance
    kind = "srs"

    if cols["psu_probability"]:
        name = cols["psu_probability"]
        pi_row = _numeric(_column(frame, name, "psu_probability"), "psu_probability")
        if not (pi_row.min() > 0 and pi_row.max() <= 1 + _SRS_TOLERANCE):  # also catches nan
            bad = ~((pi_row > 0) & (pi_row <= 1 + _SRS_TOLERANCE))
            raise EstimationError(
                f"psu_probability column ({name!r}) must be in (0, 1], not missing; check "
                f"positions {_positions(bad)}"
            )
        pi, varying = _psu_value(pi_row, psu, P)
        if varying.any():
            raise EstimationError(
                f"psu_probability column ({name!r}) must be constant within each PSU; it "
                f"varies at positions {_positions(varying)}"
            )
        expected = frac[psu_stratum]
        off = np.abs(pi - expected) > _SRS_TOLERANCE * np.maximum(expected, 1e-300)
        pps_stratum = np.bincount(psu_stratum, weights=off, minlength=H) > 0
        if pps_stratum.any():
            kind = "pps"
            in_pps = pps_stratum[psu_stratum]
            certain = in_pps & (pi >= 1.0 - _SRS_TOLERANCE)
            a = np.where(in_pps, certain.astype(float), a)
            new_code = np.where(certain, psu_stratum + H, psu_stratum)
            codes, uniq = _compact(new_code, 2 * H)
            old = uniq % H
            f_h = np.where(uniq >= H, 0.0, np.where(pps_stratum[old], 1.0, design.f_h[old]))
            base = design.stratum_labels[old].astype(str)
            labels = pd.Index(
                np.where(uniq >= H, base + " (certainty)", design.stratum_labels[old])
            )
            design = dataclasses.replace(
                design,
                stratum=codes[psu],
                psu_stratum=codes,
                n_h=np.bincount(codes, minlength=uniq.size),
                f_h=f_h,
                stratum_labels=labels,
                starts=None,
            )
    design = dataclasses.replace(design, single_stage=True)  # the variance is complete

    # stage 2: strata are (PSU, second-stage stratum) pairs; every row is a unit
    if cols["stage2_strata"]:
        s2, s2_labels, _ = _codes(_column(frame, cols["stage2_strata"], "stage2_strata"),
                                  "stage2_strata")
    else:
        s2, s2_labels = np.zeros(n_rows, dtype=np.int64), pd.Index(["(all)"])
    H2 = s2_labels.size
    pair, uniq2 = _compact(psu * H2 + s2, P * H2)
    K = uniq2.size
    starts: np.ndarray | None = None
    if n_rows > 1 and bool((pair[1:] >= pair[:-1]).all()):
        starts = np.concatenate([[0], np.flatnonzero(np.diff(pair)) + 1])
    n2 = np.bincount(pair, minlength=K)
    name2 = cast(str, cols["stage2_population_size"])
    big_n2 = _numeric(_column(frame, name2, "stage2_population_size"), "stage2_population_size")
    if not big_n2.min() > 0:
        raise EstimationError(
            f"stage2_population_size column ({name2!r}) must be positive, not missing; "
            f"check positions {_positions(~(big_n2 > 0))}"
        )
    first2, constant2 = _stratum_value(big_n2, pair, starts, K)
    if not constant2:
        raise EstimationError(
            f"stage2_population_size column ({name2!r}) must be constant within each "
            f"second-stage stratum of a PSU; it varies at positions "
            f"{_positions(big_n2 != first2[pair])}"
        )
    too_small = first2 < n2
    if too_small.any():
        k = int(np.flatnonzero(too_small)[0])
        raise EstimationError(
            f"stage2_population_size is below the number of sampled units in "
            f"{int(too_small.sum())} second-stage stratum/strata, e.g. "
            f"{s2_labels[uniq2[k] % H2]!s} (N={first2[k]:g} < n={n2[k]})"
        )
    with np.errstate(all="ignore"):
        f2 = np.where(np.isinf(first2), 1.0, (first2 - n2) / first2)
    w_first, w_constant = _stratum_value(design.w, pair, starts, K)
    stage2 = _Design(
        w=design.w,
        stratum=pair,
        psu=None,
        psu_stratum=None,
        n_h=n2,
        f_h=f2 * a[uniq2 // H2],
        stratum_labels=s2_labels[uniq2 % H2],
        single_stage=True,
        starts=starts,
        w_h=w_first if w_constant else None,
    )
    return design, stage2, kind


def _stats(
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    stage2: _Design | None,
    lonely_psu: str,
    total: bool = False,
) -> dict[str, np.ndarray]:
    """:func:`_domain_stats` of stage 1 plus, for a multistage design, the stage-2 variance."""
    out = _domain_stats(y, d, n_domains, design, lonely_psu, total)
    if stage2 is not None:
        within = _domain_stats(y, d, n_domains, stage2, lonely_psu, total)
        out["variance"] = out["variance"] + within["variance"]
        out["census"] = out["census"] & within["census"]
        out["n_lonely_strata"] = out["n_lonely_strata"] + within["n_lonely_strata"]
    return out
