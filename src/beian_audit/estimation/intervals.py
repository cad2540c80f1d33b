"""Confidence intervals for a proportion: pure, vectorised formulas.

Two families live here.

* **Simple random sample** (:func:`proportion_ci`): ``successes`` out of ``n``
  independent trials, with the methods compared by Brown, Cai & DasGupta (2001):
  ``"wilson"``, ``"wilson-cc"`` (with continuity correction, Newcombe 1998),
  ``"clopper-pearson"``, ``"jeffreys"``, ``"agresti-coull"`` and ``"wald"``
  (for comparison only).
* **Design-based** (:func:`design_proportion_ci`): an estimate ``p`` from a
  complex sample, its linearised standard error, the number of observations
  ``n`` and the design degrees of freedom ``df``. Method names follow R
  ``survey::svyciprop``: ``"beta"`` (Korn & Graubard 1998, exactly as R),
  ``"korn-graubard"`` (the NCHS variant), ``"wilson"`` (R survey 4.5's, with
  the Student-t quantile), ``"wilson-normal"`` (the same with the normal
  quantile), ``"logit"`` (R's ``"xlogit"``), ``"asin"``, ``"mean"`` (Wald-t), ``"jeffreys"`` and
  ``"clopper-pearson"`` on the effective sample size, and ``"likelihood"``
  (Rao-Scott scaled likelihood ratio, R's ``"likelihood"``).

Every bound is written as a function of its own tail probability ``a`` (a
one-sided lower bound at confidence ``c`` uses ``a = 1 - c``; a two-sided
interval at level ``L`` uses ``a = (1 - L) / 2`` on each side), so that
one-sided bounds, two-sided intervals and the p-values of
:func:`~beian_audit.estimation.assess_target` all come from the same formula.
``alternative`` follows scipy and R: ``"greater"`` gives the *lower* bound
(upper = 1), ``"less"`` the upper bound (lower = 0).

Why formulas here rather than calls to statsmodels' ``proportion_confint``:
that function has no one-sided bounds, no Student-t / degrees-of-freedom
adjustment, needs the bounds at arbitrary tail probabilities for p-values, and
its Jeffreys interval lacks the boundary modification recommended by Brown, Cai
& DasGupta (2001, sect. 4.1.3), so at ``x = 0`` its lower bound lies above the
estimate. The formulas are built on ``scipy.special`` (``betaincinv``,
``ndtri``, ``stdtrit``); ``tests/test_estimation_intervals.py`` shows they equal
scipy's ``binomtest(...).proportion_ci`` and statsmodels' ``proportion_confint``
wherever those implement the same method, and documents where they differ.

References
----------
Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a
binomial proportion. *Statistical Science* 16(2), 101-133.

Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions
with small expected number of positive counts estimated from survey data.
*Survey Methodology* 24(2), 193-201.

Dean, N. and Pagano, M. (2015). Evaluating confidence interval methods for
binomial proportions in clustered surveys. *Journal of Survey Statistics and
Methodology* 3(4), 484-503.

Parker, J. D., Talih, M., Malec, D. J. et al. (2017). National Center for
Health Statistics data presentation standards for proportions. *Vital and
Health Statistics* 2(175).

Kish, L. (1965). *Survey Sampling*. Wiley.

Newcombe, R. G. (1998). Two-sided confidence intervals for the single
proportion: comparison of seven methods. *Statistics in Medicine* 17, 857-872.

Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
contingency tables with cell proportions estimated from survey data. *Annals
of Statistics* 12(1), 46-60.

Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.

Examples
--------
>>> ci = proportion_ci(597, 600, method="wilson")
>>> round(ci.low, 6), round(ci.high, 6)
(0.985404, 0.998298)
>>> low, high = proportion_ci(600, 600, method="clopper-pearson", alternative="greater")
>>> round(low, 6), high
(0.99502, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from beian_audit._options import check_choice as _check_choice
from beian_audit._results import ResultMixin
from beian_audit.errors import EstimationError

__all__ = [
    "ALTERNATIVES",
    "DEGENERATE_REASONS",
    "DESIGN_METHODS",
    "SRS_METHODS",
    "Alternative",
    "ConfidenceInterval",
    "DesignMethod",
    "DesignStats",
    "SRSMethod",
    # building blocks for the sibling modules (bounds at any tail probability)
    "check_choice",
    "check_level",
    "degenerate_reason",
    "design_interval_arrays",
    "design_lower",
    "design_proportion_ci",
    "design_upper",
    "proportion_ci",
    "srs_lower",
    "srs_upper",
    "tail_probabilities",
]

SRSMethod = Literal["wilson", "wilson-cc", "clopper-pearson", "jeffreys", "agresti-coull", "wald"]
DesignMethod = Literal[
    "korn-graubard",
    "beta",
    "wilson",
    "wilson-normal",
    "logit",
    "asin",
    "mean",
    "jeffreys",
    "clopper-pearson",
    "likelihood",
]
Alternative = Literal["two-sided", "greater", "less"]

SRS_METHODS: tuple[str, ...] = get_args(SRSMethod)
DESIGN_METHODS: tuple[str, ...] = get_args(DesignMethod)
ALTERNATIVES: tuple[str, ...] = get_args(Alternative)

#: Reason codes attached to a design-based bound computed in a degenerate case.
DEGENERATE_REASONS = {
    "": "",
    "boundary": (
        "estimate is 0 or 1: the effective sample size is taken as n / deff_Kish "
        "(boundary rule; n for equal weights)"
    ),
    "zero_variance": (
        "estimated variance is 0 although 0 < estimate < 1: effective n taken as n / deff_Kish"
    ),
    "census": "every stratum is fully enumerated: no sampling error, zero-width interval",
    "df": "design degrees of freedom <= 0: t-based bound set to the whole range [0, 1]",
    "variance_undefined": "variance could not be estimated: bound set to the whole range [0, 1]",
    "empty": "no observation in this domain: estimate and interval undefined",
}


# --------------------------------------------------------------------------- validation
def _quote(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Validate a string option of an estimation function (:class:`EstimationError`).

    :func:`beian_audit._options.check_choice` with ``error=EstimationError``.

    Examples
    --------
    >>> check_choice("alternative", "greater", ALTERNATIVES)
    'greater'
    """
    return _check_choice(name, value, choices, error=EstimationError)


def check_level(confidence_level: object) -> float:
    """Validate a confidence level: a real number strictly between 0 and 1.

    Examples
    --------
    >>> check_level(0.95)
    0.95
    """
    if isinstance(confidence_level, bool) or not isinstance(
        confidence_level, int | float | np.floating | np.integer
    ):
        raise EstimationError(
            f"confidence_level ({confidence_level!r}) must be a number strictly between 0 and 1"
        )
    level = float(confidence_level)
    if not 0.0 < level < 1.0:
        raise EstimationError(
            f"confidence_level ({confidence_level!r}) must be a number strictly between 0 and 1"
        )
    if 1.0 - level == 1.0:
        # the tail probability 1 - level rounds to 1: no bound can be computed
        raise EstimationError(
            f"confidence_level ({confidence_level!r}) is too close to 0: 1 - confidence_level "
            f"rounds to 1 in double precision; use a level of at least 1e-15"
        )
    return level


def tail_probabilities(alternative: str, confidence_level: float) -> tuple[float, float]:
    """Tail probabilities ``(a_low, a_high)`` of the lower and upper bound.

    ``nan`` marks a side that is not computed (the bound is then 0 or 1).

    Examples
    --------
    >>> tail_probabilities("two-sided", 0.95)
    (0.025..., 0.025...)
    >>> tail_probabilities("greater", 0.95)
    (0.05..., nan)
    """
    alpha = 1.0 - confidence_level
    if alternative == "two-sided":
        return alpha / 2.0, alpha / 2.0
    if alternative == "greater":
        return alpha, math.nan
    return math.nan, alpha


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ConfidenceInterval(ResultMixin):
    """A confidence interval (or one-sided bound) for a proportion.

    Unpacks like scipy's ``ConfidenceInterval``: ``low, high = ci``. A
    one-sided bound has ``high = 1`` (``alternative="greater"``) or ``low = 0``
    (``alternative="less"``).

    Attributes
    ----------
    low, high : float
        The bounds, within [0, 1].
    estimate : float
        The point estimate the interval is about.
    method, confidence_level, alternative : str, float, str
        How the interval was computed.
    n : float
        Number of observations (trials for a simple random sample).
    successes : float
        Number of successes (simple random sample only, else ``nan``).
    se : float
        Design-based standard error (design-based intervals only, else ``nan``).
    df : float
        Design degrees of freedom (design-based only; ``inf`` for a simple
        random sample).
    design_based : bool
        Whether the interval came from a complex-sample estimate.
    deff_kish : float
        Kish's design effect of the weights (design-based only; 1 for equal
        weights), used by the boundary rule when the estimate is 0 or 1.
    note : str
        Reason code when the interval was computed in a degenerate case
        (``"boundary"``, ``"zero_variance"``, ``"census"``, ``"df"``,
        ``"variance_undefined"``, ``"empty"``), else ``""``.

    Examples
    --------
    >>> ci = ConfidenceInterval(low=0.2, high=0.4, estimate=0.3)
    >>> low, high = ci
    >>> (low, high)
    (0.2, 0.4)
    """

    low: float
    high: float
    estimate: float = math.nan
    method: str = ""
    confidence_level: float = math.nan
    alternative: str = "two-sided"
    n: float = math.nan
    successes: float = math.nan
    se: float = math.nan
    df: float = math.nan
    design_based: bool = False
    note: str = ""
    deff_kish: float = 1.0

    def __iter__(self) -> Iterator[float]:
        yield self.low
        yield self.high

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> float:
        return (self.low, self.high)[index]

    @property
    def width(self) -> float:
        """``high - low``."""
        return self.high - self.low

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the interval and how it was computed."""
        return pd.DataFrame(
            {
                "estimate": [self.estimate],
                "ci_low": [self.low],
                "ci_high": [self.high],
                "method": [self.method],
                "confidence_level": [self.confidence_level],
                "alternative": [self.alternative],
                "n": [self.n],
                "successes": [self.successes],
                "se": [self.se],
                "df": [self.df],
                "note": [self.note],
            }
        )

    def _summary(self) -> str:
        text = f"low={self.low:.6g}, high={self.high:.6g}"
        if self.method:
            text += f", method={self.method!r}"
        if not math.isnan(self.confidence_level):
            text += f", confidence_level={self.confidence_level:g}"
        if self.alternative != "two-sided":
            text += f", alternative={self.alternative!r}"
        if self.note:
            text += f", note={self.note!r}"
        return text


# --------------------------------------------------------------------------- SRS formulas
def _qbeta(a: np.ndarray, b: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Quantile ``q`` of Beta(a, b) with R's conventions at the edges (a=0 -> 0, b=0 -> 1)."""
    from scipy import special

    a, b, q = np.broadcast_arrays(
        np.asarray(a, float), np.asarray(b, float), np.asarray(q, float)
    )
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (b > 0) & np.isfinite(a) & np.isfinite(b)
    with np.errstate(all="ignore"):
        out[ok] = special.betaincinv(a[ok], b[ok], q[ok])
        # betaincinv gives up for astronomically large parameters (effective
        # sizes of 1e20 and more): the normal limit of the Beta is exact there
        lost = ok & np.isnan(out) & ~np.isnan(q)
        if lost.any():
            al, bl, ql = a[lost], b[lost], q[lost]
            total = al + bl
            sd = np.sqrt(al * bl / (total * total * (total + 1.0)))
            out[lost] = np.clip(al / total + special.ndtri(ql) * sd, 0.0, 1.0)
    out[(a == 0) & (b > 0)] = 0.0
    out[(b == 0) & (a > 0)] = 1.0
    return out


def srs_lower(method: str, x: ArrayLike, n: ArrayLike, a: ArrayLike) -> np.ndarray:
    """Lower bound with tail probability ``a`` for ``x`` successes of ``n`` trials.

    ``x`` and ``n`` may be fractional (effective counts). Vectorised. For
    ``a > 0.5`` the formulas continue smoothly above the estimate, which is
    what p-value inversion needs.
    """
    from scipy import special

    x = np.asarray(x, float)
    n = np.asarray(n, float)
    a = np.asarray(a, float)
    with np.errstate(all="ignore"):
        p = x / n
        if method in ("clopper-pearson", "jeffreys"):
            shift = 0.0 if method == "clopper-pearson" else 0.5
            low = _qbeta(x + shift, n - x + 1.0 - shift, a)
            low = np.where(x <= 0, 0.0, low)
        else:
            z = special.ndtri(1.0 - a)
            z2 = z * z
            if method in ("wilson", "wilson-cc"):
                # wilson-cc: the score bound at x - 1/2 (Newcombe 1998, method 4;
                # R prop.test(correct = TRUE)); 0 when x = 0.
                xc = x if method == "wilson" else np.maximum(x - 0.5, 0.0)
                pc = xc / n
                centre = (xc + z2 / 2.0) / (n + z2)
                half = z * np.sqrt(n) / (n + z2) * np.sqrt(pc * (1.0 - pc) + z2 / (4.0 * n))
                low = np.where(x <= 0, np.where(z >= 0, 0.0, centre - half), centre - half)
            elif method == "agresti-coull":
                nt = n + z2
                pt = (x + z2 / 2.0) / nt
                low = pt - z * np.sqrt(pt * (1.0 - pt) / nt)
            elif method == "wald":
                low = p - z * np.sqrt(p * (1.0 - p) / n)
            else:  # pragma: no cover - validated by callers
                raise EstimationError(f"method ({method!r}) must be one of {_quote(SRS_METHODS)}")
        # A bound with tail probability up to 1/2 never lies above the estimate
        # (the Jeffreys interval can, for effective counts below about one, and
        # its bound at a = 1/2 is the posterior median, not the estimate).
        low = np.where(a <= 0.5, np.minimum(low, p), low)
        return np.clip(low, 0.0, 1.0)


def _wilson_lower(x: np.ndarray, n: np.ndarray, q: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Wilson score lower bound for ``x`` of ``n`` with the quantile ``q`` in place of z.

    With ``q = ndtri(1 - a)`` it is :func:`srs_lower` ``("wilson", …)``; R survey
    4.5 ``svyciprop(method = "wilson")`` takes ``q = qt(1 - a, df)``.
    """
    with np.errstate(all="ignore"):
        p = x / n
        q2 = q * q
        centre = (x + q2 / 2.0) / (n + q2)
        half = q * np.sqrt(n) / (n + q2) * np.sqrt(p * (1.0 - p) + q2 / (4.0 * n))
        low = np.where(x <= 0, np.where(q >= 0, 0.0, centre - half), centre - half)
        low = np.where(a <= 0.5, np.minimum(low, p), low)
        return np.clip(low, 0.0, 1.0)


def srs_upper(method: str, x: ArrayLike, n: ArrayLike, a: ArrayLike) -> np.ndarray:
    """Upper bound with tail probability ``a``: the mirror image of :func:`srs_lower`."""
    x_arr = np.asarray(x, float)
    n_arr = np.asarray(n, float)
    return 1.0 - srs_lower(method, n_arr - x_arr, n_arr, a)


def _check_counts(successes: object, n: object) -> tuple[float, float]:
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not isinstance(
            value, int | float | np.integer | np.floating
        ):
            raise EstimationError(f"{name} ({value!r}) must be a number")
    k, m = float(successes), float(n)  # type: ignore[arg-type]
    if not (math.isfinite(m) and m > 0):
        raise EstimationError(f"n ({n!r}) must be a positive finite number")
    if not (math.isfinite(k) and 0 <= k <= m):
        raise EstimationError(f"successes ({successes!r}) must be between 0 and n ({n!r})")
    return k, m


def proportion_ci(
    successes: float,
    n: float,
    *,
    method: SRSMethod = "wilson",
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> ConfidenceInterval:
    """Confidence interval for a proportion from a simple random sample.

    Parameters
    ----------
    successes : int or float
        Number of successes, ``0 <= successes <= n``. Fractional values are
        accepted (effective counts).
    n : int or float
        Number of trials, ``> 0``.
    method : {"wilson", "wilson-cc", "clopper-pearson", "jeffreys", "agresti-coull", "wald"}
        ``"wilson"`` (score interval, default), ``"wilson-cc"`` (score
        interval with continuity correction, Newcombe 1998 method 4, as R
        ``prop.test(correct = TRUE)``), ``"clopper-pearson"`` (exact),
        ``"jeffreys"`` (equal-tailed Beta(1/2, 1/2) posterior interval with the
        boundary modification of Brown, Cai & DasGupta 2001: lower bound 0 when
        ``successes = 0``, upper 1 when ``successes = n``), ``"agresti-coull"``
        and ``"wald"`` (the textbook interval; it undercovers badly near 0 and
        1 and is offered for comparison only).
    confidence_level : float
        Confidence level, strictly between 0 and 1.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"`` gives the one-sided *lower* bound (``high = 1``), the one
        that shows a target is met; ``"less"`` the upper bound (``low = 0``).
        Same naming as scipy and R.

    Returns
    -------
    ConfidenceInterval
        ``low``, ``high`` (clipped to [0, 1]) plus how they were computed.

    Raises
    ------
    EstimationError
        For an unknown method or alternative, a confidence level outside
        (0, 1), or counts that are not ``0 <= successes <= n``, ``n > 0``.

    Notes
    -----
    With :math:`\\hat p = x/n`, :math:`a` the tail probability of a bound and
    :math:`z = \\Phi^{-1}(1-a)`:

    * Wilson: :math:`\\frac{x + z^2/2}{n + z^2} \\mp \\frac{z\\sqrt n}{n + z^2}
      \\sqrt{\\hat p(1-\\hat p) + z^2/(4n)}`.
    * Wilson with continuity correction: the Wilson lower bound at
      :math:`x - 1/2` (0 when :math:`x = 0`) and upper bound at :math:`x + 1/2`
      (1 when :math:`x = n`); the closed form of Newcombe (1998, method 4).
    * Clopper-Pearson: :math:`B^{-1}(a; x, n-x+1)` and
      :math:`B^{-1}(1-a; x+1, n-x)`.
    * Jeffreys: :math:`B^{-1}(a; x+1/2, n-x+1/2)` and
      :math:`B^{-1}(1-a; x+1/2, n-x+1/2)`.
    * Agresti-Coull: :math:`\\tilde p \\mp z\\sqrt{\\tilde p(1-\\tilde p)/\\tilde n}`
      with :math:`\\tilde n = n + z^2`, :math:`\\tilde p = (x + z^2/2)/\\tilde n`.
    * Wald: :math:`\\hat p \\mp z\\sqrt{\\hat p(1-\\hat p)/n}`.

    A two-sided interval at level :math:`L` uses :math:`a = (1-L)/2` on each
    side; a one-sided bound at level :math:`L` uses :math:`a = 1-L`. The
    interval always contains the estimate: a one-sided bound at a level below
    1/2, which would lie beyond it, is set to the estimate.

    References
    ----------
    Brown, L. D., Cai, T. T. and DasGupta, A. (2001). Interval estimation for a
    binomial proportion. *Statistical Science* 16(2), 101-133.

    Newcombe, R. G. (1998). Two-sided confidence intervals for the single
    proportion: comparison of seven methods. *Statistics in Medicine* 17,
    857-872.

    Examples
    --------
    >>> ci = proportion_ci(7, 10, method="clopper-pearson")
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.3475, 0.9333)
    >>> proportion_ci(7, 10, alternative="greater").high
    1.0
    """
    method = check_choice("method", method, SRS_METHODS)  # type: ignore[assignment]
    alternative = check_choice("alternative", alternative, ALTERNATIVES)  # type: ignore[assignment]
    level = check_level(confidence_level)
    k, m = _check_counts(successes, n)
    a_low, a_high = tail_probabilities(alternative, level)
    low = 0.0 if math.isnan(a_low) else float(srs_lower(method, k, m, a_low))
    high = 1.0 if math.isnan(a_high) else float(srs_upper(method, k, m, a_high))
    low, high = min(low, k / m), max(high, k / m)
    return ConfidenceInterval(
        low=low,
        high=high,
        estimate=k / m,
        method=method,
        confidence_level=level,
        alternative=alternative,
        n=m,
        successes=k,
        df=math.inf,
    )


# --------------------------------------------------------------------------- design formulas
def _t_quantile(df: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Student-t quantile; ``df = inf`` gives the normal quantile, ``df <= 0`` nan."""
    from scipy import special

    df, q = np.broadcast_arrays(np.asarray(df, float), np.asarray(q, float))
    out = np.full(df.shape, np.nan)
    finite = np.isfinite(df) & (df > 0)
    out[finite] = special.stdtrit(df[finite], q[finite])
    inf = np.isinf(df) & (df > 0)
    out[inf] = special.ndtri(q[inf])
    return out


def _df_ratio_squared(n: np.ndarray, df: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Korn-Graubard factor ``(t_{n-1}(a) / t_{df}(a))^2``; nan where undefined.

    At ``a = 1/2`` both quantiles are 0; the limit is the ratio of the t
    densities at 0, used there.
    """
    n, df, a = np.broadcast_arrays(
        np.asarray(n, float), np.asarray(df, float), np.asarray(a, float)
    )
    with np.errstate(all="ignore"):
        ratio = _t_quantile(n - 1.0, a) / _t_quantile(df, a)
        mid = np.abs(a - 0.5) < 1e-9
        if np.any(mid):
            ratio = np.where(mid, _t_density_at_zero(df) / _t_density_at_zero(n - 1.0), ratio)
    return ratio * ratio


def _t_density_at_zero(df: np.ndarray) -> np.ndarray:
    """Density of Student's t at 0 (the normal density for ``df = inf``)."""
    from scipy import special

    df = np.asarray(df, float)
    with np.errstate(all="ignore"):
        finite = special.gammaln((df + 1.0) / 2.0) - special.gammaln(df / 2.0)
        dens = np.exp(finite) / np.sqrt(df * np.pi)
    return np.where(np.isinf(df), 1.0 / np.sqrt(2.0 * np.pi), dens)


@dataclass(frozen=True, slots=True)
class DesignStats:
    """Sufficient statistics of a design-based proportion (arrays, one per domain).

    ``census`` marks a domain whose strata were all fully enumerated (single-stage
    designs only): its estimate has no sampling error. ``deff_kish`` is Kish's
    design effect of the weights, :math:`n \\sum w^2 / (\\sum w)^2` (1 for equal
    weights): the boundary rule takes the effective size :math:`n /
    \\mathrm{deff_{Kish}}` when the variance says nothing (estimate 0 or 1).
    """

    p: np.ndarray
    v: np.ndarray
    n: np.ndarray
    df: np.ndarray
    census: np.ndarray
    deff_kish: np.ndarray | None = None

    @classmethod
    def of(
        cls,
        p: object,
        v: object,
        n: object,
        df: object,
        census: object = False,
        deff_kish: object = 1.0,
    ) -> DesignStats:
        p_, v_, n_, df_, c_, k_ = np.broadcast_arrays(
            np.atleast_1d(np.asarray(p, float)),
            np.atleast_1d(np.asarray(v, float)),
            np.atleast_1d(np.asarray(n, float)),
            np.atleast_1d(np.asarray(df, float)),
            np.atleast_1d(np.asarray(census, bool)),
            np.atleast_1d(np.asarray(deff_kish, float)),
        )
        return cls(p_.copy(), v_.copy(), n_.copy(), df_.copy(), c_.copy(), k_.copy())

    def boundary_n(self) -> np.ndarray:
        """Effective size of the boundary rule: ``n / deff_kish`` (``n`` when unknown).

        A design effect that is missing, below 1 or not finite counts as 1.
        """
        if self.deff_kish is None:
            return self.n
        with np.errstate(all="ignore"):
            deff = np.where(np.isfinite(self.deff_kish) & (self.deff_kish > 1.0),
                            self.deff_kish, 1.0)
            return self.n / deff


def degenerate_reason(method: str, s: DesignStats) -> np.ndarray:
    """Reason code per domain (``""`` when the interval is regular)."""
    reason = np.full(s.p.shape, "", dtype=object)
    t_based = method in ("beta", "korn-graubard", "mean", "logit", "asin", "likelihood", "wilson")
    with np.errstate(all="ignore"):
        reason[t_based & ~(s.df > 0)] = "df"
        if method in ("beta", "korn-graubard"):
            # the Korn-Graubard factor t_{n-1} / t_df needs n - 1 > 0 too
            reason[~(s.n > 1)] = "df"
        reason[~np.isfinite(s.v)] = "variance_undefined"
        reason[(s.v == 0) & (s.p > 0) & (s.p < 1)] = "zero_variance"
        reason[(s.p <= 0) | (s.p >= 1)] = "boundary"
        reason[s.census] = "census"
        reason[~(s.n > 0) | np.isnan(s.p)] = "empty"
    return reason


def _effective_n(method: str, s: DesignStats, a: np.ndarray, reason: np.ndarray) -> np.ndarray:
    """Effective sample size used by the beta-type and Wilson-type methods.

    The boundary rule: when the estimate is 0 or 1 (or the variance is 0), the
    variance carries no information and the effective size is the
    weight-based :math:`n / \\mathrm{deff_{Kish}}` (Kish 1965), the size the
    planner asked for; with equal weights that is ``n`` (the NCHS rule).
    """
    with np.errstate(all="ignore"):
        raw = s.p * (1.0 - s.p) / s.v
        if method in ("beta", "korn-graubard"):
            factor = _df_ratio_squared(s.n, s.df, a)
            factor = np.where(s.df > 0, factor, 0.0)  # NCHS: df <= 0 -> factor 0 -> [0, 1]
            n_eff = raw * factor
            if method == "korn-graubard":
                n_eff = np.minimum(n_eff, s.n)
        else:
            n_eff = raw
        fallback = (reason == "boundary") | (reason == "zero_variance")
        return np.where(fallback, s.boundary_n(), n_eff)


def _likelihood_lower(p: np.ndarray, n_eff: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Rao-Scott likelihood-ratio lower bound (R ``svyciprop(method = "likelihood")``).

    Solves :math:`\\mathrm{sign}(\\hat p - q)\\sqrt{2 m K(\\hat p, q)} = t` for
    :math:`q`, with :math:`K(\\hat p, q) = \\hat p \\log(\\hat p/q) + (1-\\hat p)
    \\log((1-\\hat p)/(1-q))` (half the binomial deviance per unit) and ``n_eff``
    :math:`= m`. The signed root decreases on (0, 1): vectorised bisection on
    the logit of :math:`q` (80 halvings of [-745, 745]: full double precision).
    """
    from scipy import special

    p, n_eff, t = np.broadcast_arrays(
        np.asarray(p, float), np.asarray(n_eff, float), np.asarray(t, float)
    )

    def signed_root(q: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            kl = special.xlogy(p, p) - special.xlogy(p, q)
            kl = kl + special.xlogy(1.0 - p, 1.0 - p) - special.xlogy(1.0 - p, 1.0 - q)
            return np.sign(p - q) * np.sqrt(2.0 * n_eff * np.maximum(kl, 0.0))

    # bisection on the logit of q: resolves bounds near 0 and 1 to full precision
    lo = np.full(p.shape, -745.0)
    hi = np.full(p.shape, 745.0)
    for _ in range(80):
        mid = (lo + hi) / 2.0
        above = signed_root(special.expit(mid)) > t  # root still to the right
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    out = special.expit((lo + hi) / 2.0)
    out = np.where(np.isfinite(t) & np.isfinite(n_eff) & ~np.isnan(p), out, np.nan)
    out = np.where((p <= 0) & (t >= 0), 0.0, out)
    out = np.where(np.isposinf(t), 0.0, out)
    return np.clip(out, 0.0, 1.0)


def _design_lower_regular(
    method: str, s: DesignStats, a: np.ndarray, reason: np.ndarray
) -> np.ndarray:
    """Lower bounds with tail probability ``a``, before degenerate-case overrides."""
    p = s.p
    with np.errstate(all="ignore"):
        if method in ("mean", "logit", "asin"):
            t = _t_quantile(s.df, 1.0 - a)
            se = np.sqrt(s.v)
            if method == "mean":
                low = p - t * se
            elif method == "logit":
                eta = np.log(p / (1.0 - p)) - t * se / (p * (1.0 - p))
                low = 1.0 / (1.0 + np.exp(-eta))
            else:
                angle = np.arcsin(np.sqrt(p)) - t * se / (2.0 * np.sqrt(p * (1.0 - p)))
                low = np.sin(np.clip(angle, 0.0, np.pi / 2.0)) ** 2
            return np.clip(low, 0.0, 1.0)
        n_eff = _effective_n(method, s, a, reason)
        if method == "likelihood":
            # R's quasibinomial dispersion, n / (n - 1), scales the deviance
            t = _t_quantile(s.df, 1.0 - a)
            return _likelihood_lower(p, n_eff * (s.n - 1.0) / s.n, t)
        x = n_eff * p
        if method in ("beta", "korn-graubard"):
            low = _qbeta(x, n_eff - x + 1.0, a)
            return np.where(x <= 0, 0.0, np.clip(low, 0.0, 1.0))
        if method == "wilson":  # R survey 4.5: the score bound with t_df for z
            # df <= 0 (possible only with the boundary rule here): the whole range
            q = _t_quantile(s.df, 1.0 - a)
            return np.where(np.isnan(q), 0.0, _wilson_lower(x, n_eff, q, a))
        return srs_lower("wilson" if method == "wilson-normal" else method, x, n_eff, a)


def design_lower(method: str, s: DesignStats, a: object) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds at tail probability ``a`` and their reason codes (vectorised)."""
    a_arr = np.broadcast_to(np.asarray(a, float), s.p.shape)
    reason = degenerate_reason(method, s)
    low = _design_lower_regular(method, s, a_arr, reason)
    # Wald-type methods (and R's profile likelihood) have no answer at the
    # boundary or with zero variance: use the Korn-Graubard bound there (its
    # effective size is n / deff_Kish, the boundary rule).
    if method in ("mean", "logit", "asin", "likelihood"):
        fb = (reason == "boundary") | (reason == "zero_variance")
        if np.any(fb):
            low = np.where(fb, _design_lower_regular("korn-graubard", s, a_arr, reason), low)
    low = np.where((reason == "df") | (reason == "variance_undefined"), 0.0, low)
    with np.errstate(invalid="ignore"):
        low = np.where(a_arr <= 0.5, np.minimum(low, s.p), low)
    low = np.where(reason == "census", s.p, low)
    low = np.where(reason == "empty", np.nan, low)
    return low, reason


def design_upper(method: str, s: DesignStats, a: object) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds at tail probability ``a``: the mirror image of :func:`design_lower`."""
    mirrored = DesignStats(1.0 - s.p, s.v, s.n, s.df, s.census, s.deff_kish)
    low, reason = design_lower(method, mirrored, a)
    return 1.0 - low, reason


def design_interval_arrays(
    method: str, s: DesignStats, alternative: str, confidence_level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(low, high, reason)`` arrays for every domain in ``s``."""
    a_low, a_high = tail_probabilities(alternative, confidence_level)
    reason = degenerate_reason(method, s)
    if math.isnan(a_low):
        low = np.zeros(s.p.shape)
    else:
        low, _ = design_lower(method, s, a_low)
    if math.isnan(a_high):
        high = np.ones(s.p.shape)
    else:
        high, _ = design_upper(method, s, a_high)
    with np.errstate(invalid="ignore"):
        # the interval contains the estimate, also for a one-sided level below 1/2
        low = np.minimum(low, s.p)
        high = np.maximum(high, s.p)
    empty = reason == "empty"
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    return low, high, reason


def design_proportion_ci(
    estimate: float,
    se: float,
    *,
    n: float,
    df: float,
    method: DesignMethod = "korn-graubard",
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    deff_kish: float = 1.0,
) -> ConfidenceInterval:
    """Confidence interval for a proportion estimated from a complex sample.

    Takes the summary statistics of a design-based estimate, so that estimates
    produced elsewhere (another package, a published table) can be given the
    same intervals as :func:`~beian_audit.estimation.estimate_proportion`.

    Parameters
    ----------
    estimate : float
        Estimated proportion :math:`\\hat p` in [0, 1].
    se : float
        Its design-based (linearised) standard error, ``>= 0``.
    n : float
        Number of observations the estimate is based on.
    df : float
        Design degrees of freedom (number of PSUs minus number of strata);
        ``inf`` for a normal reference distribution.
    method : {"korn-graubard", "beta", "wilson", "wilson-normal", "logit", "asin", "mean", \
"jeffreys", "clopper-pearson", "likelihood"}
        See Notes. Default ``"korn-graubard"``.
    confidence_level : float
        Strictly between 0 and 1.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"`` gives the lower bound (``high = 1``).
    deff_kish : float
        Kish's design effect of the weights, :math:`n\\sum w^2/(\\sum w)^2`
        (>= 1; default 1, equal weights). Used only by the boundary rule.

    Returns
    -------
    ConfidenceInterval
        With ``note`` set when the case is degenerate (see Notes).

    Raises
    ------
    EstimationError
        For invalid options or statistics.

    Notes
    -----
    Let :math:`v = se^2`, :math:`n^* = \\hat p(1-\\hat p)/v` the effective sample
    size, :math:`a` the tail probability of a bound and
    :math:`r = t_{n-1}(a)/t_{df}(a)` the Korn-Graubard degrees-of-freedom
    factor.

    * ``"beta"``: Clopper-Pearson at :math:`(n^* r^2 \\hat p,\\, n^* r^2)`, exactly
      R ``svyciprop(method = "beta")``.
    * ``"korn-graubard"`` (NCHS, Parker et al. 2017): as ``"beta"`` with the
      effective size capped at :math:`n`, set to :math:`n` when
      :math:`\\hat p \\in \\{0, 1\\}`, and :math:`r = 0` (interval [0, 1]) when
      :math:`df \\le 0`.
    * ``"wilson"``: the Wilson score interval at :math:`(n^* \\hat p,\\, n^*)`
      with the Student-t quantile :math:`t_{df}(1-a)` in place of :math:`z`
      and no degrees-of-freedom factor on :math:`n^*`, exactly R survey 4.5
      ``svyciprop(method = "wilson")``.
    * ``"wilson-normal"``, ``"jeffreys"``, ``"clopper-pearson"``: the
      simple-random-sample formula at :math:`(n^* \\hat p,\\, n^*)` (Kish /
      Dean & Pagano 2015), normal quantile, no degrees-of-freedom factor
      (``"wilson-normal"`` is what ``"wilson"`` was before issue #15).
    * ``"mean"``: :math:`\\hat p \\mp t_{df}(1-a)\\, se` (R ``"mean"``).
    * ``"logit"``: :math:`\\mathrm{expit}(\\mathrm{logit}\\,\\hat p \\mp t_{df}(1-a)\\,
      se/(\\hat p(1-\\hat p)))` (R ``"xlogit"``).
    * ``"asin"``: :math:`\\sin^2(\\arcsin\\sqrt{\\hat p} \\mp t_{df}(1-a)\\, se /
      (2\\sqrt{\\hat p(1-\\hat p)}))` with the angle kept in :math:`[0, \\pi/2]`
      (R lets it wrap around, which makes its bound non-monotone).

    * ``"likelihood"``: the Rao-Scott scaled likelihood-ratio interval of R
      ``svyciprop(method = "likelihood")``: the :math:`q` with
      :math:`2\\, n^* \\tfrac{n-1}{n}\\, K(\\hat p, q) = t_{df}(1-a)^2`, where
      :math:`K(\\hat p, q) = \\hat p\\log(\\hat p/q) + (1-\\hat p)\\log((1-\\hat
      p)/(1-q))`: the binomial deviance divided by the design effect
      :math:`n/n^*` and by R's quasibinomial dispersion :math:`n/(n-1)`
      (Rao & Scott 1984; Lumley 2010, sect. 2.3.1). R finds it by a spline
      through a few profile points (about 1e-6 from the exact root); here it
      is solved to full precision.

    **The boundary rule.** Degenerate cases never give a silent zero-width
    interval: when :math:`\\hat p \\in \\{0, 1\\}` or :math:`v = 0`, the variance
    says nothing and the effective size is the weight-based
    :math:`n / \\mathrm{deff_{Kish}}` (Kish 1965; ``n`` for equal weights, the
    NCHS rule of Parker et al. 2017), the size the sample planner asks for,
    so that planning and estimation agree; ``"mean"``, ``"logit"``,
    ``"asin"`` and ``"likelihood"``, undefined there (R returns NaN or fails),
    use the ``"korn-graubard"`` bound. When
    :math:`df \\le 0` the t-based bounds are [0, 1]. The ``note`` field says
    which rule applied.
    Bounds are clipped to [0, 1] (R does not clip ``"mean"``) and to contain
    the estimate (the Jeffreys interval can exclude it when the effective
    number of successes or failures is below about one).

    Examples
    --------
    >>> ci = design_proportion_ci(0.99, 0.004, n=600, df=550)
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.9784, 0.9963)
    >>> design_proportion_ci(1.0, 0.0, n=600, df=550, alternative="greater").note
    'boundary'
    """
    method = check_choice("method", method, DESIGN_METHODS)  # type: ignore[assignment]
    alternative = check_choice("alternative", alternative, ALTERNATIVES)  # type: ignore[assignment]
    level = check_level(confidence_level)
    for name, value in (("estimate", estimate), ("se", se), ("n", n), ("df", df)):
        if isinstance(value, bool) or not isinstance(
            value, int | float | np.integer | np.floating
        ):
            raise EstimationError(f"{name} ({value!r}) must be a number")
    if not 0.0 <= float(estimate) <= 1.0:
        raise EstimationError(f"estimate ({estimate!r}) must be between 0 and 1")
    if not float(se) >= 0.0:
        raise EstimationError(f"se ({se!r}) must be >= 0")
    if not float(n) > 0:
        raise EstimationError(f"n ({n!r}) must be > 0")
    if isinstance(deff_kish, bool) or not isinstance(
        deff_kish, int | float | np.integer | np.floating
    ) or not (math.isfinite(float(deff_kish)) and float(deff_kish) >= 1.0):
        raise EstimationError(f"deff_kish ({deff_kish!r}) must be a finite number >= 1")
    stats = DesignStats.of(
        float(estimate), float(se) ** 2, float(n), float(df), deff_kish=float(deff_kish)
    )
    low, high, reason = design_interval_arrays(method, stats, alternative, level)
    return ConfidenceInterval(
        low=float(low[0]),
        high=float(high[0]),
        estimate=float(estimate),
        method=method,
        confidence_level=level,
        alternative=alternative,
        n=float(n),
        se=float(se),
        df=float(df),
        design_based=True,
        note=str(reason[0]),
        deff_kish=float(deff_kish),
    )
