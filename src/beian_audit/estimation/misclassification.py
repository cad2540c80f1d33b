"""Verifier error: double verification, agreement, and accuracy corrected for misclassification.

Auditors who call sponsors make mistakes: a correct filing is sometimes marked
incorrect and the reverse. Three tools handle it.

* :func:`double_verification_subsample` — a reproducible subsample of the drawn
  sample (default 10 % of each stratum) to be verified a second time,
  independently, or against a reference (e.g. a supervisor's verification).
  It takes, in each stratum, the ``⌈f n_h⌉`` units with the smallest second
  permanent random number ``prn(key, seed, stream=2)``: a simple random
  subsample within each stratum that anyone can re-create from the seed, and
  whose smaller fractions are nested in the larger ones.
* :func:`verifier_agreement` — Cohen's (1960) kappa between two verifications
  of the same units, with the large-sample standard error of Fleiss, Cohen &
  Everitt (1969) and a Wald interval.
* :func:`corrected_accuracy` — the Rogan & Gladen (1978) estimator

  ``π̂ = (p̂ + Ŝp − 1) / (Ŝe + Ŝp − 1)``

  of the true accuracy ``π`` from the apparent accuracy ``p̂`` (the share the
  verifiers called correct), the verifiers' sensitivity ``Se`` (probability
  that a truly correct filing is called correct) and specificity ``Sp``
  (probability that a truly incorrect filing is called incorrect), given as
  known values or estimated from a validation subsample with a reference
  verification. Its variance by the delta method (Rogan & Gladen 1978) is

  ``V(π̂) = [V(p̂) + π̂² V(Ŝe) + (1 − π̂)² V(Ŝp)] / (Ŝe + Ŝp − 1)²``

  with ``V(Ŝe) = Ŝe(1 − Ŝe)/n₁`` and ``V(Ŝp) = Ŝp(1 − Ŝp)/n₀`` over the ``n₁``
  reference-correct and ``n₀`` reference-incorrect validation units (zero when
  Se and Sp are known). ``V(p̂)`` is the design-based variance of the
  apparent estimate (a :class:`~beian_audit.estimation.ProportionEstimate`) or
  ``p̂(1 − p̂)/n`` for a simple random sample.

  With known ``Se`` and ``Sp``, ``π̂`` is an increasing linear function of
  ``p̂`` and the interval of ``p̂`` (the design-based one of a
  ``ProportionEstimate``; Wilson for a binomial rate) is mapped through it.
  With estimated ``Se`` and ``Sp``, ``method="delta"`` (the default) is the
  Wald interval ``π̂ ± z √V`` clipped to [0, 1]; ``method="adjusted"`` takes
  ``V(Ŝe)``, ``V(Ŝp)`` from Agresti–Coull shares (``z²/2`` correct and
  ``z²/2`` incorrect pseudo-units added to each validation group; Agresti &
  Coull 1998), so that they are not 0 when ``Ŝp`` is exactly 1. In the
  simulation of ``benchmarks/coverage_misclassification.py`` (2,000
  replicates per cell) the delta interval covered 0.943–0.980 at a nominal
  0.95 over nine cells (accuracy 0.50–0.95, Se and Sp 0.80–0.99, validation
  subsamples of 15–150), the adjusted one 0.964–1.000: the delta interval is
  the default, the adjusted one a conservative choice. The known-rate
  interval covered 0.943–0.961 with Wilson (the Wald one dipped to 0.937).
  Replicates whose validation subsample had no reference-incorrect unit (the
  function raises: Sp cannot be estimated) are left out of the validated cells.

The validation subsample is treated as independent of the main sample (true
when it is a separate sample, approximately when it is a small subsample of it).

References
----------
Agresti, A., Coull, B. A. (1998). Approximate is better than "exact" for
interval estimation of binomial proportions. *The American Statistician* 52,
119–126.

Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational
and Psychological Measurement* 20, 37–46.

Fleiss, J. L., Cohen, J., Everitt, B. S. (1969). Large sample standard errors of
kappa and weighted kappa. *Psychological Bulletin* 72, 323–327.

Rogan, W. J., Gladen, B. (1978). Estimating prevalence from the results of a
screening test. *American Journal of Epidemiology* 107, 71–76.

Examples
--------
>>> r = corrected_accuracy(0.70, n=600, sensitivity=0.90, specificity=0.80)
>>> round(r.estimate, 4)        # (0.70 + 0.80 - 1) / (0.90 + 0.80 - 1)
0.7143
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import ArgumentError, EstimationError
from beian_audit.estimation.intervals import check_choice, check_level

__all__ = [
    "CORRECTION_METHODS",
    "DOUBLE_VERIFICATION_STREAM",
    "CorrectedAccuracy",
    "CorrectionMethod",
    "VerifierAgreement",
    "corrected_accuracy",
    "double_verification_subsample",
    "verifier_agreement",
]

#: PRN stream of the double-verification subsample (0: filings, 1: stage-1 units).
DOUBLE_VERIFICATION_STREAM = 2

CorrectionMethod = Literal["delta", "adjusted"]
CORRECTION_METHODS: tuple[str, ...] = get_args(CorrectionMethod)

_TRUE = {"correct", "true", "1", "yes", "y", "t"}
_FALSE = {"incorrect", "false", "0", "no", "n", "f"}


# --------------------------------------------------------------------------- subsample


def double_verification_subsample(
    sample: Any,
    fraction: float = 0.10,
    *,
    seed: int | None = None,
    key: str | None = None,
    strata: str | None = "stratum",
) -> pd.DataFrame:
    """Units of a drawn sample to verify a second time, chosen by a second PRN.

    Parameters
    ----------
    sample : Sample or DataFrame
        The drawn sample (:func:`~beian_audit.sampling.draw_sample`) or its rows.
    fraction : float, default 0.10
        Share of each stratum's sample to verify twice; each stratum gets
        ``⌈fraction × n_h⌉`` units (at least one).
    seed : int, optional
        Seed of the second PRN; default the sample's seed (required for a
        DataFrame). The stream is :data:`DOUBLE_VERIFICATION_STREAM`, so the
        second PRN is independent of the one that drew the sample.
    key : str, optional
        Key column; default the sample's key, else ``"website_id"``.
    strata : str or None, default "stratum"
        Stratum column of the rows (``None``: one stratum).

    Returns
    -------
    DataFrame
        The chosen rows (original index), ordered by stratum and second PRN,
        with ``double_prn`` and ``double_fraction`` (the share of the
        stratum's sample chosen, the conditional inclusion probability).

    Examples
    --------
    >>> import pandas as pd
    >>> from beian_audit.sampling import plan_sample, draw_sample
    >>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(1000)],
    ...                       "provider_id": ["P1"] * 600 + ["P2"] * 400})
    >>> sample = draw_sample(frame, plan_sample(frame, n=100), seed=7)
    >>> sub = double_verification_subsample(sample)
    >>> sub.groupby("stratum").size().tolist()
    [6, 4]
    >>> sub.equals(double_verification_subsample(sample.frame, seed=7))
    True
    """
    from beian_audit.sampling.draw import Sample
    from beian_audit.sampling.prn import prn

    if isinstance(sample, Sample):
        rows = sample.frame
        key = key or sample.key
        seed = sample.seed if seed is None else seed
    elif isinstance(sample, pd.DataFrame):
        rows = sample
        key = key or "website_id"
        if seed is None:
            raise ArgumentError("seed is needed when the sample is given as a DataFrame")
    else:
        raise ArgumentError(f"sample must be a Sample or a DataFrame, not {type(sample).__name__}")
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, int | float)
        or not 0 < fraction <= 1
    ):
        raise ArgumentError(f"fraction ({fraction!r}) must be in (0, 1]")
    for col in (key, strata):
        if col is not None and col not in rows.columns:
            raise ArgumentError(f"the sample has no column {col!r}")
    if rows[key].isna().any():
        raise ArgumentError(f"key column {key!r} has missing values")
    u = prn(rows[key], int(seed), stream=DOUBLE_VERIFICATION_STREAM)
    if strata is None:
        codes = np.zeros(len(rows), dtype=np.int64)
    else:
        codes = pd.factorize(rows[strata], use_na_sentinel=False)[0].astype(np.int64)
    counts = np.bincount(codes) if len(rows) else np.zeros(0, dtype=np.int64)
    take = np.ceil(fraction * counts - 1e-9).astype(np.int64)
    order = np.lexsort((u, codes))
    rank = np.empty(len(rows), dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if counts.size else counts
    rank[order] = np.arange(len(rows)) - starts[codes[order]]
    chosen = rank < take[codes]
    out = rows.iloc[np.flatnonzero(chosen)].copy()
    out["double_prn"] = u[chosen]
    out["double_fraction"] = (take / np.maximum(counts, 1))[codes[chosen]]
    sort_cols = ([strata] if strata is not None else []) + ["double_prn"]
    return out.sort_values(sort_cols, kind="stable")


# --------------------------------------------------------------------------- agreement


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class VerifierAgreement(ResultMixin):
    """Cohen's kappa between two verifications of the same units.

    Attributes
    ----------
    kappa : float
        ``(p_o − p_e)/(1 − p_e)``; NaN when ``p_e = 1`` (both verifiers gave one
        and the same outcome throughout).
    se : float
        Large-sample standard error (Fleiss, Cohen & Everitt 1969).
    se_null : float
        Standard error under ``κ = 0`` (for testing agreement beyond chance).
    ci_low, ci_high : float
        Wald interval ``κ ± z se`` at ``confidence_level``, clipped to [−1, 1].
    observed_agreement, expected_agreement : float
        ``p_o`` and ``p_e``.
    n : int
        Units with both outcomes.
    n_dropped : int
        Units left out because an outcome was missing.
    confidence_level : float
    table : DataFrame
        The cross-table of counts (rows: first verification, columns: second).
    """

    kappa: float
    se: float
    se_null: float
    ci_low: float
    ci_high: float
    observed_agreement: float
    expected_agreement: float
    n: int
    n_dropped: int
    confidence_level: float
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row: kappa, its standard errors and interval, the agreements, ``n``."""
        return pd.DataFrame([{
            "kappa": self.kappa, "se": self.se, "se_null": self.se_null,
            "ci_low": self.ci_low, "ci_high": self.ci_high,
            "observed_agreement": self.observed_agreement,
            "expected_agreement": self.expected_agreement,
            "n": self.n, "n_dropped": self.n_dropped,
            "confidence_level": self.confidence_level,
        }])

    def _summary(self) -> str:
        return (
            f"kappa={self.kappa:.4g}, ci=({self.ci_low:.4g}, {self.ci_high:.4g}), "
            f"observed_agreement={self.observed_agreement:.4g}, n={self.n:,}"
        )


def _labels(values: Any, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        s = values.reset_index(drop=True)
    else:
        arr = np.asarray(values, dtype=object)
        if arr.ndim != 1:
            raise ArgumentError(f"{name} must be one-dimensional")
        s = pd.Series(arr, dtype=object)
    return s.astype(object).where(s.notna(), None)


def verifier_agreement(
    first: Sequence[Any] | np.ndarray | pd.Series,
    second: Sequence[Any] | np.ndarray | pd.Series,
    *,
    confidence_level: float = 0.95,
) -> VerifierAgreement:
    """Cohen's kappa of two verifications, with the Fleiss–Cohen–Everitt standard error.

    Parameters
    ----------
    first, second : array-like
        Outcomes of the same units by the two verifications (any labels, e.g.
        ``True``/``False`` or ``"correct"``/``"incorrect"``/``"unreachable"``);
        pairs with a missing outcome are left out.
    confidence_level : float, default 0.95

    Returns
    -------
    VerifierAgreement

    Notes
    -----
    With cell shares ``p_ij``, row and column margins ``p_i.`` and ``p_.j``,
    ``p_o = Σ p_ii`` and ``p_e = Σ p_i. p_.i``, the large-sample variance is
    (Fleiss, Cohen & Everitt 1969)

    ``V(κ) = {Σ p_ii [(1 − p_e) − (p_.i + p_i.)(1 − p_o)]²
    + (1 − p_o)² Σ_{i≠j} p_ij (p_.i + p_j.)² − (p_o p_e − 2p_e + p_o)²} / (n (1 − p_e)⁴)``

    and under ``κ = 0``
    ``V₀ = [p_e + p_e² − Σ p_i. p_.i (p_i. + p_.i)] / (n (1 − p_e)²)``.

    Examples
    --------
    >>> a = ["correct"] * 40 + ["incorrect"] * 10
    >>> b = ["correct"] * 38 + ["incorrect"] * 2 + ["incorrect"] * 8 + ["correct"] * 2
    >>> r = verifier_agreement(a, b)
    >>> round(r.kappa, 4), r.n
    (0.75, 50)
    """
    level = check_level(confidence_level)
    x, y = _labels(first, "first"), _labels(second, "second")
    if len(x) != len(y):
        raise ArgumentError(
            f"first and second must be the same length ({len(x)} and {len(y)})"
        )
    ok = (x.notna() & y.notna()).to_numpy()
    x, y = x[ok], y[ok]
    n = int(ok.sum())
    if n == 0:
        raise EstimationError("no unit has both verifications")
    cats = sorted(set(x.astype(str)) | set(y.astype(str)))
    table = pd.crosstab(
        pd.Categorical(x.astype(str), categories=cats),
        pd.Categorical(y.astype(str), categories=cats),
        dropna=False,
    )
    table.index.name, table.columns.name = "first", "second"
    counts = table.to_numpy(dtype=np.float64)
    p = counts / n
    row, col = p.sum(axis=1), p.sum(axis=0)
    p_o = float(np.trace(p))
    p_e = float(np.sum(row * col))
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + level / 2))
    if p_e >= 1 - 1e-15:
        kappa = se = se0 = low = high = math.nan
    else:
        kappa = (p_o - p_e) / (1 - p_e)
        diag = np.diag(p)
        term_a = float(np.sum(diag * ((1 - p_e) - (col + row) * (1 - p_o)) ** 2))
        pair = col[:, None] + row[None, :]  # [i, j] -> p_.i + p_j.
        off = p.copy()
        np.fill_diagonal(off, 0.0)
        term_b = (1 - p_o) ** 2 * float(np.sum(off * pair**2))
        term_c = (p_o * p_e - 2 * p_e + p_o) ** 2
        var = (term_a + term_b - term_c) / (n * (1 - p_e) ** 4)
        var0 = (p_e + p_e**2 - float(np.sum(row * col * (row + col)))) / (n * (1 - p_e) ** 2)
        se = math.sqrt(max(var, 0.0))
        se0 = math.sqrt(max(var0, 0.0))
        low, high = max(kappa - z * se, -1.0), min(kappa + z * se, 1.0)
    return VerifierAgreement(
        kappa=kappa, se=se, se_null=se0, ci_low=low, ci_high=high,
        observed_agreement=p_o, expected_agreement=p_e, n=n, n_dropped=int((~ok).sum()),
        confidence_level=level, table=table,
    )


# --------------------------------------------------------------------------- correction


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class CorrectedAccuracy(ResultMixin):
    """Accuracy corrected for verifier error (Rogan–Gladen), with its interval.

    Attributes
    ----------
    estimate : float
        Rogan–Gladen estimate clipped to [0, 1].
    estimate_unclipped : float
        ``(p̂ + Ŝp − 1)/(Ŝe + Ŝp − 1)`` before clipping (outside [0, 1] when the
        apparent rate is below ``1 − Sp`` or above ``Se``).
    se : float
        Delta-method standard error.
    ci_low, ci_high : float
        Interval at ``confidence_level`` (see ``method``), within [0, 1].
    apparent, apparent_se : float
        The apparent accuracy and its standard error.
    sensitivity, specificity : float
        ``Se`` and ``Sp`` used (given, or estimated from the validation subsample).
    sensitivity_se, specificity_se : float
        Their standard errors (0 when given as known; from the Agresti–Coull
        shares for ``method="adjusted"``).
    n_reference_correct, n_reference_incorrect : int
        Validation units the reference called correct / incorrect (0 when known).
    method : {"delta", "adjusted"}
    confidence_level : float
    """

    estimate: float
    estimate_unclipped: float
    se: float
    ci_low: float
    ci_high: float
    apparent: float
    apparent_se: float
    sensitivity: float
    specificity: float
    sensitivity_se: float
    specificity_se: float
    n_reference_correct: int
    n_reference_incorrect: int
    method: str
    confidence_level: float

    def to_frame(self) -> pd.DataFrame:
        """One row with every attribute."""
        return pd.DataFrame([{name: getattr(self, name) for name in self.__dataclass_fields__}])

    def _summary(self) -> str:
        return (
            f"estimate={self.estimate:.4g}, ci=({self.ci_low:.4g}, {self.ci_high:.4g}), "
            f"apparent={self.apparent:.4g}, sensitivity={self.sensitivity:.4g}, "
            f"specificity={self.specificity:.4g}, method={self.method!r}"
        )


def _binary(values: Any, name: str) -> np.ndarray:
    """0/1 floats from bool, 0/1 or correct/incorrect labels; NaN where missing."""
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    numeric = np.issubdtype(arr.dtype, np.number)
    if arr.dtype == bool or (
        numeric and np.isin(arr[~np.isnan(arr.astype(float))], (0, 1)).all()
    ):
        if arr.ndim != 1:
            raise ArgumentError(f"{name} must be one-dimensional")
        return arr.astype(np.float64)
    s = _labels(values, name)
    out = np.full(len(s), np.nan)
    for i, v in enumerate(s):
        if v is None:
            continue
        if isinstance(v, bool | np.bool_):
            out[i] = float(v)
        elif isinstance(v, int | float | np.integer | np.floating) and v in (0, 1):
            out[i] = float(v)
        elif str(v).strip().lower() in _TRUE:
            out[i] = 1.0
        elif str(v).strip().lower() in _FALSE:
            out[i] = 0.0
        else:
            raise ArgumentError(
                f"{name}[{i}] ({v!r}) is not an outcome: use True/False, 1/0 or "
                "'correct'/'incorrect' (leave others missing)"
            )
    return out


def _rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ArgumentError(f"{name} ({value!r}) must be a number in [0, 1]")
    if not 0 <= float(value) <= 1:
        raise ArgumentError(f"{name} ({value!r}) must be in [0, 1]")
    return float(value)


def corrected_accuracy(
    apparent: Any,
    *,
    n: int | None = None,
    se: float | None = None,
    sensitivity: float | None = None,
    specificity: float | None = None,
    reference: Sequence[Any] | np.ndarray | pd.Series | None = None,
    verified: Sequence[Any] | np.ndarray | pd.Series | None = None,
    confidence_level: float = 0.95,
    method: CorrectionMethod = "delta",
) -> CorrectedAccuracy:
    """Accuracy corrected for verifier error (Rogan & Gladen 1978) with an interval.

    Parameters
    ----------
    apparent : ProportionEstimate, float, or array-like of outcomes
        The apparent accuracy: a design-based estimate (its ``estimate`` and
        ``se`` are used), a rate (with ``se`` or ``n``), or the outcomes of a
        simple random sample (True/False, 1/0, "correct"/"incorrect").
    n : int, optional
        Sample size behind a rate given as a number (``se = √(p̂(1 − p̂)/n)``).
    se : float, optional
        Standard error of a rate given as a number.
    sensitivity, specificity : float, optional
        Known ``Se`` (P(called correct | correct)) and ``Sp`` (P(called
        incorrect | incorrect)). Give both, or ``reference`` and ``verified``.
    reference, verified : array-like, optional
        Validation subsample: the reference verification and the routine
        verifiers' outcomes of the same units (missing pairs left out).
    confidence_level : float, default 0.95
    method : {"delta", "adjusted"}, default "delta"
        Interval with an estimated Se and Sp (see the module documentation).
        With known Se and Sp the interval of the apparent rate is mapped through
        the (linear, increasing) correction: the estimate's own interval, Wilson
        for a rate with ``n`` or outcomes, Wald for a rate with ``se``.

    Returns
    -------
    CorrectedAccuracy

    Raises
    ------
    EstimationError
        When ``Se + Sp ≤ 1`` (the verification is no better than chance) or the
        validation subsample lacks reference-correct or reference-incorrect units.

    Examples
    --------
    >>> ref = [1] * 45 + [0] * 15
    >>> ver = [1] * 43 + [0] * 2 + [0] * 13 + [1] * 2
    >>> r = corrected_accuracy(0.72, n=600, reference=ref, verified=ver)
    >>> r.n_reference_correct, r.n_reference_incorrect
    (45, 15)
    >>> r.ci_low < r.estimate < r.ci_high
    True
    """
    level = check_level(confidence_level)
    method = check_choice("method", method, CORRECTION_METHODS)  # type: ignore[assignment]
    from scipy.stats import norm

    from beian_audit.estimation.stratified import ProportionEstimate

    z = float(norm.ppf(0.5 + level / 2))
    # --- apparent rate and its variance
    wilson_n: float | None = None  # binomial size behind the rate, for a Wilson interval
    given_ci: tuple[float, float] | None = None
    if isinstance(apparent, ProportionEstimate):
        if n is not None or se is not None:
            raise ArgumentError("n and se come from the estimate; do not pass them")
        p_hat, v_p = float(apparent.estimate), float(apparent.se) ** 2
        ci = apparent.ci
        if ci.alternative == "two-sided" and abs(ci.confidence_level - level) < 1e-12:
            given_ci = (float(ci.low), float(ci.high))
    elif isinstance(apparent, int | float | np.floating) and not isinstance(apparent, bool):
        p_hat = _rate("apparent", apparent)
        if (n is None) == (se is None):
            raise ArgumentError("with apparent given as a rate, give exactly one of n and se")
        if se is not None:
            if not isinstance(se, int | float) or not math.isfinite(se) or se < 0:
                raise ArgumentError(f"se ({se!r}) must be a non-negative number")
            v_p = float(se) ** 2
        else:
            if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
                raise ArgumentError(f"n ({n!r}) must be a positive integer")
            v_p = p_hat * (1 - p_hat) / int(n)
            wilson_n = float(n)
    else:
        y = _binary(apparent, "apparent")
        y = y[~np.isnan(y)]
        if y.size == 0:
            raise EstimationError("apparent has no outcome")
        if n is not None or se is not None:
            raise ArgumentError("n and se come from the outcomes; do not pass them")
        p_hat = float(y.mean())
        v_p = p_hat * (1 - p_hat) / y.size
        wilson_n = float(y.size)
    # --- sensitivity and specificity
    known = sensitivity is not None or specificity is not None
    validated = reference is not None or verified is not None
    if known == validated:
        raise ArgumentError(
            "give sensitivity and specificity, or a validation subsample (reference and verified)"
        )
    n1 = n0 = 0
    if known:
        if sensitivity is None or specificity is None:
            raise ArgumentError("give both sensitivity and specificity")
        se_t, sp_t = _rate("sensitivity", sensitivity), _rate("specificity", specificity)
        v_se = v_sp = 0.0
    else:
        if reference is None or verified is None:
            raise ArgumentError("give both reference and verified")
        ref, ver = _binary(reference, "reference"), _binary(verified, "verified")
        if ref.size != ver.size:
            raise ArgumentError(
                f"reference and verified must be the same length ({ref.size} and {ver.size})"
            )
        keep = ~np.isnan(ref) & ~np.isnan(ver)
        ref, ver = ref[keep], ver[keep]
        pos, neg = ref == 1, ref == 0
        n1, n0 = int(pos.sum()), int(neg.sum())
        if n1 == 0 or n0 == 0:
            missing = "correct" if n1 == 0 else "incorrect"
            raise EstimationError(
                f"the validation subsample has no reference-{missing} unit: the verifiers' "
                f"{'sensitivity' if n1 == 0 else 'specificity'} cannot be estimated"
            )
        x1, x0 = float(ver[pos].sum()), float((1 - ver[neg]).sum())
        se_t, sp_t = x1 / n1, x0 / n0
        # "adjusted": the variances from Agresti-Coull shares (z²/2 pseudo-units
        # of each kind), never 0 when Se or Sp is estimated as exactly 1
        add = z * z / 2 if method == "adjusted" else 0.0
        se_v, sp_v = (x1 + add) / (n1 + 2 * add), (x0 + add) / (n0 + 2 * add)
        v_se = se_v * (1 - se_v) / (n1 + 2 * add)
        v_sp = sp_v * (1 - sp_v) / (n0 + 2 * add)
    youden = se_t + sp_t - 1
    if youden <= 0:
        raise EstimationError(
            f"sensitivity + specificity ({se_t:.4g} + {sp_t:.4g}) must exceed 1: the "
            "verification is no better than chance and cannot be corrected for"
        )
    raw = (p_hat + sp_t - 1) / youden
    pi = min(max(raw, 0.0), 1.0)
    var = (v_p + pi**2 * v_se + (1 - pi) ** 2 * v_sp) / youden**2
    sd = math.sqrt(max(var, 0.0))
    if known:
        # Se, Sp fixed: π is a increasing linear function of p, so the interval of
        # p maps to one of π with the same coverage (the estimate's own interval,
        # Wilson for a binomial rate, else Wald)
        if given_ci is not None:
            a_low, a_high = given_ci
        elif wilson_n is not None:
            from statsmodels.stats.proportion import proportion_confint

            a_low, a_high = (float(v) for v in proportion_confint(
                p_hat * wilson_n, wilson_n, alpha=1 - level, method="wilson"))
        else:
            a_low, a_high = p_hat - z * math.sqrt(v_p), p_hat + z * math.sqrt(v_p)
        low = max((a_low + sp_t - 1) / youden, 0.0)
        high = min((a_high + sp_t - 1) / youden, 1.0)
    else:
        low, high = max(raw - z * sd, 0.0), min(raw + z * sd, 1.0)
    return CorrectedAccuracy(
        estimate=pi, estimate_unclipped=raw, se=sd, ci_low=min(low, pi), ci_high=max(high, pi),
        apparent=p_hat, apparent_se=math.sqrt(v_p), sensitivity=se_t, specificity=sp_t,
        sensitivity_se=math.sqrt(v_se), specificity_se=math.sqrt(v_sp),
        n_reference_correct=n1, n_reference_incorrect=n0, method=method,
        confidence_level=level,
    )
