"""Per-provider estimates for small samples: exact bounds, empirical-Bayes shrinkage, ranks.

A provincial spot check takes two or three filings from most access providers
(Tianjin rule: 1 → 1, 2–49 → 2, 50–100 → 3, > 100 → 3 %). Per provider that is
far too little for a normal approximation, and ranking providers by their raw
share of correct filings mostly ranks their luck. This module gives, for every
provider,

* **exact bounds** for its share of correct filings: Clopper–Pearson
  (binomial) and, when the provider's number of filings :math:`N_h` is known,
  the exact hypergeometric bounds on the *number* of correct filings among its
  :math:`N_h`, divided by :math:`N_h` (:func:`hypergeometric_ci`), which use
  the finite-population information a census-sized check carries;
* an **empirical-Bayes** estimate (Efron & Morris 1975; Casella 1985): provider
  rates are modelled as draws from a Beta(α, β) distribution whose parameters
  are fitted by maximum marginal (beta-binomial) likelihood across providers
  (:func:`fit_beta_binomial`); each provider's posterior mean shrinks its raw
  share towards the pooled mean, the more so the fewer filings were checked;
* **rank intervals** simulated from the posteriors (Goldstein & Spiegelhalter
  1996) and the probability of being among the ``bottom_k`` worst providers.

:func:`provider_estimates` does all three from a sample (or from per-provider
counts) and returns a :class:`ProviderEstimates`.

References
----------
Efron, B. and Morris, C. (1975). Data analysis using Stein's estimator and its
generalizations. *JASA* 70(350), 311-319.

Casella, G. (1985). An introduction to empirical Bayes data analysis. *The
American Statistician* 39(2), 83-87.

Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their
limitations: statistical issues in comparisons of institutional performance.
*JRSS A* 159(3), 385-443.

Examples
--------
>>> import pandas as pd
>>> counts = pd.DataFrame({"provider_id": ["A", "B", "C", "D", "E", "F"],
...                        "n": [3, 3, 40, 2, 30, 20], "successes": [1, 3, 30, 2, 12, 19],
...                        "population_size": [3, 60, 1500, 2, 800, 400]})
>>> est = provider_estimates(counts, bottom_k=2, rng=1)
>>> est.providers[["provider_id", "n", "successes", "ci_low", "ci_high", "eb_estimate",
...                "rank_low", "rank_high"]].round(3)
  provider_id   n  successes  ci_low  ci_high  eb_estimate  rank_low  rank_high
0           A   3          1   0.333    0.333        0.333         5          6
1           B   3          3   0.317    1.000        0.849         1          4
2           C  40         30   0.591    0.871        0.745         3          4
3           D   2          2   1.000    1.000        1.000         1          1
4           E  30         12   0.230    0.590        0.435         5          6
5           F  20         19   0.758    0.998        0.910         2          4
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import DegenerateIntervalWarning, EstimationError
from beian_audit.estimation.intervals import (
    ALTERNATIVES,
    Alternative,
    ConfidenceInterval,
    check_choice,
    check_level,
    srs_lower,
    srs_upper,
    tail_probabilities,
)

__all__ = [
    "EB_INTERVALS",
    "ESTIMANDS",
    "EXACT_METHODS",
    "BetaBinomialFit",
    "EbInterval",
    "Estimand",
    "ExactMethod",
    "HyperPosterior",
    "ProviderEstimates",
    "fit_beta_binomial",
    "hyper_posterior",
    "hypergeometric_ci",
    "provider_estimates",
]

ExactMethod = Literal["exact", "clopper-pearson", "hypergeometric"]
EXACT_METHODS: tuple[str, ...] = get_args(ExactMethod)
Estimand = Literal["finite", "superpopulation"]
ESTIMANDS: tuple[str, ...] = get_args(Estimand)
_MissingRule = Literal["raise", "drop"]
_MISSING_RULES: tuple[str, ...] = get_args(_MissingRule)

#: Search box of the beta-binomial fit: logit of the mean and log of the
#: concentration alpha + beta. A concentration at the upper edge means "no
#: between-provider variation detected" (complete pooling).
_LOGIT_MU_BOUND = 25.0
_LOG_KAPPA_BOUNDS = (math.log(1e-3), math.log(1e7))
_KAPPA_STARTS = (0.5, 5.0, 50.0, 500.0)
_TOTAL = "total"


# --------------------------------------------------------------------------- hypergeometric
def _hyper_lower_count(
    x: np.ndarray, n: np.ndarray, big_n: np.ndarray, a: np.ndarray
) -> np.ndarray:
    """Smallest M with P(X >= x | N, M, n) > a (vectorised integer bisection).

    ``P(X >= x)`` increases with M; at ``M = N - (n - x)`` it is 1, so the set is
    never empty. Rows with ``n == 0`` get 0.
    """
    from scipy.stats import hypergeom

    x, n, big_n, a = np.broadcast_arrays(
        np.asarray(x, np.int64), np.asarray(n, np.int64), np.asarray(big_n, np.int64),
        np.asarray(a, float),
    )  # fmt: skip
    lo = x.copy()  # candidate answer: f(lo) may already exceed a
    hi = big_n - (n - x)  # f(hi) == 1 > a
    with np.errstate(all="ignore"):
        ok_at_lo = hypergeom.sf(x - 1, big_n, lo, n) > a
    answer = np.where(ok_at_lo, lo, hi)
    # invariant for the others: f(lo) <= a < f(hi)
    todo = ~ok_at_lo & (hi - lo > 1)
    while todo.any():
        mid = (lo + hi) // 2
        with np.errstate(all="ignore"):
            f_mid = hypergeom.sf(x - 1, big_n, mid, n) > a
        hi = np.where(todo & f_mid, mid, hi)
        lo = np.where(todo & ~f_mid, mid, lo)
        todo = todo & (hi - lo > 1)
    answer = np.where(ok_at_lo, answer, hi)
    return np.where(n > 0, answer, 0)


def _hyper_bounds(
    x: np.ndarray,
    n: np.ndarray,
    big_n: np.ndarray,
    alternative: str,
    level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Integer bounds (low, high) on the number of successes in the population."""
    a_low, a_high = tail_probabilities(alternative, level)
    if math.isnan(a_low):
        low = np.zeros(x.shape, np.int64)
    else:
        low = _hyper_lower_count(x, n, big_n, np.full(x.shape, a_low))
    if math.isnan(a_high):
        high = big_n.astype(np.int64).copy()
    else:  # mirror: an upper bound on successes is N minus a lower bound on failures
        high = big_n - _hyper_lower_count(n - x, n, big_n, np.full(x.shape, a_high))
    return low, high


def hypergeometric_ci(
    successes: int,
    n: int,
    population_size: int,
    *,
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> ConfidenceInterval:
    """Exact confidence interval for a population share from a sample without replacement.

    ``n`` units drawn by simple random sampling without replacement from a
    population of ``population_size`` (a provider's filings), ``successes`` of
    them correct: exact bounds on the number :math:`M` of correct units in the
    population, divided by ``population_size``.

    Parameters
    ----------
    successes : int
        Correct units in the sample, ``0 <= successes <= n``.
    n : int
        Sample size, ``0 < n <= population_size``.
    population_size : int
        Number of units in the population, :math:`N`.
    confidence_level : float
        Strictly between 0 and 1.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: lower bound only (``high = 1``); ``"less"``: upper bound
        only (``low = 0``). Same naming as scipy and R.

    Returns
    -------
    ConfidenceInterval
        ``low = M_L / N``, ``high = M_U / N``; ``n`` and ``successes`` recorded,
        ``method = "hypergeometric"``.

    Raises
    ------
    EstimationError
        For counts that are not integers with ``0 <= successes <= n <= N``,
        ``n >= 1``, or invalid options.

    Notes
    -----
    With :math:`X \\sim \\mathrm{Hypergeometric}(N, M, n)` and tail probability
    :math:`a` per side (:math:`(1-L)/2` two-sided, :math:`1-L` one-sided),

    .. math::

        M_L = \\min\\{M : P_M(X \\ge x) > a\\}, \\qquad
        M_U = \\max\\{M : P_M(X \\le x) > a\\},

    the values of :math:`M` that the exact one-sided tests at level :math:`a`
    do not reject (Buonaccorsi 1987; Wright 1991). Both tail probabilities are
    monotone in :math:`M`, so each bound is found by integer bisection with
    ``scipy.stats.hypergeom``. A census (``n = N``) gives ``low = high = x/N``;
    as :math:`N \\to \\infty` the bounds tend to Clopper-Pearson.

    References
    ----------
    Buonaccorsi, J. P. (1987). A note on confidence intervals for proportions in
    finite populations. *The American Statistician* 41(3), 215-218.

    Wright, T. (1991). *Exact Confidence Bounds when Sampling from Small Finite
    Universes*. Lecture Notes in Statistics 66. Springer.

    Examples
    --------
    >>> ci = hypergeometric_ci(3, 3, 60)
    >>> round(ci.low, 4), ci.high    # 19 / 60: C(19, 3) / C(60, 3) > 0.025 >= C(18, 3) / C(60, 3)
    (0.3167, 1.0)
    >>> hypergeometric_ci(2, 2, 2).low   # the whole provider was checked
    1.0
    """
    alternative = check_choice("alternative", alternative, ALTERNATIVES)  # type: ignore[assignment]
    level = check_level(confidence_level)
    values = []
    for name, value in (("successes", successes), ("n", n), ("population_size", population_size)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            if isinstance(value, float | np.floating) and float(value).is_integer():
                value = int(value)
            else:
                raise EstimationError(f"{name} ({value!r}) must be an integer")
        values.append(int(value))
    x, m, big_n = values
    if not (0 <= x <= m and 1 <= m <= big_n):
        raise EstimationError(
            f"counts must satisfy 0 <= successes <= n <= population_size and n >= 1; got "
            f"successes={successes!r}, n={n!r}, population_size={population_size!r}"
        )
    low, high = _hyper_bounds(
        np.array([x]), np.array([m]), np.array([big_n]), alternative, level
    )
    return ConfidenceInterval(
        low=float(low[0]) / big_n,
        high=float(high[0]) / big_n,
        estimate=x / m,
        method="hypergeometric",
        confidence_level=level,
        alternative=alternative,
        n=float(m),
        successes=float(x),
        df=math.inf,
    )


def _betabinom_ppf(q: float, size: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``scipy.stats.betabinom.ppf(q, size, a, b)`` for many distributions at once.

    scipy's generic discrete ``ppf`` searches one distribution at a time through
    its pmf, which takes seconds for a thousand providers with thousands of
    unchecked filings each. Here every pmf is evaluated at once
    (``betabinom.logpmf`` on the concatenated supports), summed per distribution
    and the quantile read off as the number of support points whose cdf is
    below ``q``: the smallest ``y`` with ``cdf(y) >= q``, scipy's definition
    (``tests/test_estimation_providers.py`` compares them).
    """
    from scipy.stats import betabinom

    size = np.asarray(size, np.int64)
    out = np.zeros(size.shape, np.int64)
    todo = np.flatnonzero(size > 0)
    if todo.size == 0:
        return out
    lengths = size[todo] + 1
    owner = np.repeat(np.arange(todo.size), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    y = np.arange(owner.size) - starts[owner]
    pmf = np.exp(betabinom.logpmf(y, size[todo][owner], a[todo][owner], b[todo][owner]))
    total = np.cumsum(pmf)
    before = np.concatenate([[0.0], total[starts[1:] - 1]]) if todo.size > 1 else np.zeros(1)
    cdf = total - before[owner]
    below = np.add.reduceat((cdf < q).astype(np.int64), starts)
    out[todo] = np.minimum(below, size[todo])
    return out


# --------------------------------------------------------------------------- beta-binomial fit
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class BetaBinomialFit(ResultMixin):
    """Maximum marginal likelihood fit of Beta(α, β) to binomial counts.

    Attributes
    ----------
    alpha, beta : float
        Fitted hyperparameters.
    mean : float
        :math:`\\mu = \\alpha / (\\alpha + \\beta)`, the pooled (prior) mean.
    concentration : float
        :math:`\\kappa = \\alpha + \\beta`; a provider with ``n`` checked filings
        keeps the weight :math:`n / (n + \\kappa)` on its own share.
    log_likelihood : float
        Beta-binomial log-likelihood at the optimum (``scipy.stats.betabinom``).
    n_groups : int
        Groups (providers) with at least one observation.
    converged : bool
        Whether the optimiser reported success.
    at_bound : str
        ``""``, or ``"concentration"`` when κ reached its upper search bound
        (no between-group variation detected: complete pooling), or ``"mean"``
        when μ reached 0 or 1 (every observation a success, or none).
    message : str
        The optimiser's message.
    """

    alpha: float
    beta: float
    mean: float
    concentration: float
    log_likelihood: float
    n_groups: int
    converged: bool
    at_bound: str
    message: str

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the fit."""
        return pd.DataFrame(
            {
                "alpha": [self.alpha],
                "beta": [self.beta],
                "mean": [self.mean],
                "concentration": [self.concentration],
                "log_likelihood": [self.log_likelihood],
                "n_groups": [self.n_groups],
                "converged": [self.converged],
                "at_bound": [self.at_bound],
            }
        )

    def _summary(self) -> str:
        text = (
            f"alpha={self.alpha:.6g}, beta={self.beta:.6g}, mean={self.mean:.6g}, "
            f"concentration={self.concentration:.6g}, log_likelihood={self.log_likelihood:.6g}"
        )
        if self.at_bound:
            text += f", at_bound={self.at_bound!r}"
        return text


def _int_array(values: object, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size and not (np.isfinite(arr).all() and (arr == np.round(arr)).all()):
        raise EstimationError(f"{name} must hold finite whole numbers")
    return arr.astype(np.int64)


def fit_beta_binomial(successes: object, n: object) -> BetaBinomialFit:
    """Fit Beta(α, β) across groups by maximum marginal (beta-binomial) likelihood.

    Parameters
    ----------
    successes, n : array-like of int
        Successes and trials per group (provider). Groups with ``n = 0`` carry
        no information and are ignored.

    Returns
    -------
    BetaBinomialFit

    Raises
    ------
    EstimationError
        For counts that are not whole numbers with ``0 <= successes <= n``, or
        fewer than two groups with observations.

    Notes
    -----
    The marginal likelihood of group :math:`k` is the beta-binomial

    .. math::

        P(x_k \\mid n_k, \\alpha, \\beta) = \\binom{n_k}{x_k}
        \\frac{B(x_k + \\alpha,\\, n_k - x_k + \\beta)}{B(\\alpha, \\beta)}

    (``scipy.stats.betabinom.logpmf``). Its sum over groups is maximised in
    :math:`(\\mathrm{logit}\\,\\mu, \\log\\kappa)`, :math:`\\mu = \\alpha/(\\alpha+\\beta)`,
    :math:`\\kappa = \\alpha + \\beta`, with ``scipy.optimize.minimize``
    (SLSQP with bounds, analytic gradient in digamma functions) from several starting
    concentrations, keeping the best. κ is
    searched in :math:`[10^{-3}, 10^7]`: when the groups vary no more than
    binomial sampling explains, the likelihood keeps rising as
    :math:`\\kappa \\to \\infty` and the fit stops at the bound (``at_bound =
    "concentration"``), i.e. complete pooling.

    Examples
    --------
    >>> fit = fit_beta_binomial([18, 17, 9, 10, 2, 19], [20, 20, 20, 20, 20, 20])
    >>> round(fit.mean, 3), round(fit.concentration, 2)
    (0.614, 2.22)
    """
    from scipy import optimize
    from scipy.special import digamma, expit, logit
    from scipy.stats import betabinom

    x = _int_array(successes, "successes")
    m = _int_array(n, "n")
    if x.shape != m.shape:
        raise EstimationError(
            f"successes ({x.size} values) and n ({m.size} values) must have the same length"
        )
    if ((x < 0) | (x > m)).any():
        raise EstimationError("successes must satisfy 0 <= successes <= n in every group")
    keep = m > 0
    x, m = x[keep], m[keep]
    if x.size < 2:
        raise EstimationError(
            f"the beta-binomial fit needs at least two groups with observations, got {x.size}"
        )

    def nll(theta: np.ndarray) -> tuple[float, np.ndarray]:
        mu = float(expit(theta[0]))
        kappa = math.exp(theta[1])
        a, b = mu * kappa, (1.0 - mu) * kappa
        value = -float(np.sum(betabinom.logpmf(x, m, a, b)))
        # gradient of the log-likelihood in (alpha, beta), then the chain rule
        common = digamma(kappa) - digamma(m + kappa)
        d_a = float(np.sum(digamma(x + a) - digamma(a) + common))
        d_b = float(np.sum(digamma(m - x + b) - digamma(b) + common))
        grad = -np.array([(d_a - d_b) * kappa * mu * (1.0 - mu), d_a * a + d_b * b])
        if not (math.isfinite(value) and np.isfinite(grad).all()):
            return 1e300, np.zeros(2)
        return value, grad

    pooled = (x.sum() + 0.5) / (m.sum() + 1.0)
    mu0 = float(np.clip(logit(pooled), -_LOGIT_MU_BOUND + 1, _LOGIT_MU_BOUND - 1))
    bounds = [(-_LOGIT_MU_BOUND, _LOGIT_MU_BOUND), _LOG_KAPPA_BOUNDS]
    best = None
    for kappa0 in _KAPPA_STARTS:
        res = optimize.minimize(
            nll,
            np.array([mu0, math.log(kappa0)]),
            jac=True,
            method="SLSQP",
            bounds=bounds,
            options={"ftol": 1e-14, "maxiter": 1000},
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    mu = float(expit(best.x[0]))
    kappa = float(math.exp(best.x[1]))
    at_bound = ""
    if best.x[1] >= _LOG_KAPPA_BOUNDS[1] - 1e-6:
        at_bound = "concentration"
    if abs(best.x[0]) >= _LOGIT_MU_BOUND - 1e-6 or (x == m).all() or (x == 0).all():
        at_bound = "mean"
    return BetaBinomialFit(
        alpha=mu * kappa,
        beta=(1.0 - mu) * kappa,
        mean=mu,
        concentration=kappa,
        log_likelihood=-float(best.fun),
        n_groups=int(x.size),
        converged=bool(best.success),
        at_bound=at_bound,
        message=str(best.message),
    )


# --------------------------------------------------------------------------- hierarchical posterior
#: Hyperprior scale: the uniform-shrinkage prior is centred at n0 = this times the
#: median number checked (chosen on the coverage simulations of
#: ``benchmarks/coverage_providers.py``; 1.0 gives 0.939-0.942 at 100 providers).
_N0_FACTOR = 0.3
_HYPER_GRID = 31  # points per axis of each grid pass
_HYPER_PASSES = 4  # zoom passes onto the region holding the posterior
_HYPER_DROP = 20.0  # log-posterior drop that bounds the zoomed region
_HYPER_TAIL = 1e-6  # posterior mass left out when pruning the nodes
_LOG_KAPPA_GRID = (math.log(1e-2), math.log(1e7))
_PPF_BISECTIONS = 48
_MIX_BUDGET = 2_000_000  # support points x nodes per chunk (finite estimand)

EbInterval = Literal["hierarchical", "plug-in"]
EB_INTERVALS: tuple[str, ...] = get_args(EbInterval)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class HyperPosterior(ResultMixin):
    """Grid posterior of the beta prior's mean and concentration.

    Attributes
    ----------
    alpha, beta, weight : numpy.ndarray
        Quadrature nodes (Beta(α, β) priors) and their posterior weights
        (summing to 1).
    n0 : float
        Scale of the uniform-shrinkage hyperprior (``0.3 ×`` the median
        number checked).
    mean : float
        Posterior mean of the prior mean :math:`\\mu`.
    concentration_median, concentration_low, concentration_high : float
        Posterior median and equal-tailed 95 % interval of :math:`\\kappa`.
    """

    alpha: np.ndarray
    beta: np.ndarray
    weight: np.ndarray
    n0: float
    mean: float
    concentration_median: float
    concentration_low: float
    concentration_high: float

    def to_frame(self) -> pd.DataFrame:
        """One row per node: ``alpha``, ``beta``, ``mean``, ``concentration``, ``weight``."""
        kappa = self.alpha + self.beta
        return pd.DataFrame({"alpha": self.alpha, "beta": self.beta,
                             "mean": self.alpha / kappa, "concentration": kappa,
                             "weight": self.weight})  # fmt: skip

    def _summary(self) -> str:
        return (
            f"nodes={self.weight.size}, mean={self.mean:.4g}, "
            f"concentration={self.concentration_median:.4g} "
            f"[{self.concentration_low:.4g}, {self.concentration_high:.4g}], n0={self.n0:.3g}"
        )


def _log_hyper_density(u: np.ndarray, v: np.ndarray, x: np.ndarray, m: np.ndarray,
                       count: np.ndarray, n0: float) -> np.ndarray:
    """Log posterior (up to a constant) at (logit mu, log kappa) points."""
    from scipy.special import betaln, expit

    mu = expit(u)
    kappa = np.exp(v)
    a = (mu * kappa)[:, None]
    b = ((1.0 - mu) * kappa)[:, None]
    loglik = (betaln(x[None, :] + a, (m - x)[None, :] + b) - betaln(a, b)) @ count
    # mu ~ Uniform(0, 1): density mu (1 - mu) in logit mu;
    # B = kappa / (kappa + n0) ~ Uniform(0, 1): density kappa n0 / (kappa + n0)^2 in log kappa
    log_n0 = math.log(n0)
    prior = np.log(mu) + np.log1p(-mu) + v + log_n0 - 2.0 * np.logaddexp(v, log_n0)
    return np.asarray(loglik + prior)


def hyper_posterior(successes: object, n: object) -> HyperPosterior:
    """Posterior of the Beta(α, β) prior of the hierarchical beta-binomial model.

    Parameters
    ----------
    successes, n : array-like of int
        Successes and trials per group; groups with ``n = 0`` are ignored.

    Returns
    -------
    HyperPosterior

    Raises
    ------
    EstimationError
        For invalid counts or fewer than two groups with observations.

    Notes
    -----
    Hyperprior: :math:`\\mu = \\alpha/(\\alpha+\\beta)` uniform on (0, 1) and
    the *uniform-shrinkage* prior on :math:`\\kappa = \\alpha + \\beta`,
    :math:`\\kappa/(\\kappa + n_0) \\sim U(0, 1)` (Christiansen & Morris 1997;
    Daniels 1999), :math:`n_0 = 0.3 \\times` the median number checked: the
    prior median of a typical provider's shrinkage weight is 0.23, leaning
    towards less pooling. Proper, so the posterior is proper even when every
    provider has the same outcome. The posterior is evaluated on a
    31 × 31 grid in :math:`(\\mathrm{logit}\\,\\mu, \\log\\kappa)`,
    :math:`\\kappa \\in [10^{-2}, 10^7]`, zoomed (up to four passes) onto the
    region within 20 log-units of the maximum; nodes carrying the last
    :math:`10^{-6}` of mass are dropped. Deterministic.

    Examples
    --------
    >>> hp = hyper_posterior([18, 17, 9, 10, 2, 19], [20, 20, 20, 20, 20, 20])
    >>> round(hp.mean, 2), hp.concentration_low < 2.22 < hp.concentration_high
    (0.6, True)
    """
    x = _int_array(successes, "successes")
    m = _int_array(n, "n")
    if x.shape != m.shape or ((x < 0) | (x > m)).any():
        raise EstimationError("successes and n must have the same length, 0 <= successes <= n")
    keep = m > 0
    if int(keep.sum()) < 2:
        raise EstimationError(
            f"the hierarchical model needs at least two groups with observations, "
            f"got {int(keep.sum())}"
        )
    pairs, count = np.unique(np.stack([x[keep], m[keep]], axis=1), axis=0, return_counts=True)
    px, pm = pairs[:, 0].astype(float), pairs[:, 1].astype(float)
    n0 = _N0_FACTOR * float(np.median(m[keep]))
    box = (-_LOGIT_MU_BOUND, _LOGIT_MU_BOUND, *_LOG_KAPPA_GRID)
    for _ in range(_HYPER_PASSES):
        u = np.linspace(box[0], box[1], _HYPER_GRID)
        v = np.linspace(box[2], box[3], _HYPER_GRID)
        uu, vv = np.meshgrid(u, v, indexing="ij")
        lp = _log_hyper_density(uu.ravel(), vv.ravel(), px, pm, count.astype(float), n0)
        lp = lp.reshape(uu.shape)
        held = lp > lp.max() - _HYPER_DROP
        iu, iv = np.flatnonzero(held.any(axis=1)), np.flatnonzero(held.any(axis=0))
        du, dv = u[1] - u[0], v[1] - v[0]
        new = (max(-_LOGIT_MU_BOUND, u[iu[0]] - du), min(_LOGIT_MU_BOUND, u[iu[-1]] + du),
               max(_LOG_KAPPA_GRID[0], v[iv[0]] - dv), min(_LOG_KAPPA_GRID[1], v[iv[-1]] + dv))
        if new == box:
            break
        box = new
    w = np.exp(lp - lp.max()).ravel()
    w /= w.sum()
    order = np.argsort(-w, kind="stable")
    keep_n = int(np.searchsorted(np.cumsum(w[order]), 1.0 - _HYPER_TAIL)) + 1
    sel = np.sort(order[:keep_n])
    from scipy.special import expit

    mu = expit(uu.ravel()[sel])
    kappa = np.exp(vv.ravel()[sel])
    weight = w[sel] / w[sel].sum()
    by_kappa = np.argsort(kappa, kind="stable")
    cum = np.cumsum(weight[by_kappa])
    q = [float(kappa[by_kappa][min(int(np.searchsorted(cum, p)), cum.size - 1)])
         for p in (0.025, 0.5, 0.975)]  # fmt: skip
    return HyperPosterior(alpha=mu * kappa, beta=(1.0 - mu) * kappa, weight=weight, n0=n0,
                          mean=float(weight @ mu), concentration_low=q[0],
                          concentration_median=q[1], concentration_high=q[2])  # fmt: skip


def _mixture_beta_ppf(q: float, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Quantile ``q`` of the mixtures ``sum_g w_g Beta(a[g, k], b[g, k])``, one per column.

    The quantile of a mixture lies between the smallest and the largest
    component quantile; bisection on the mixture cdf (``scipy.special.betainc``)
    from there, 48 halvings.
    """
    from scipy.special import betainc, betaincinv

    comp = betaincinv(a, b, q)
    lo, hi = comp.min(axis=0), comp.max(axis=0)
    for _ in range(_PPF_BISECTIONS):
        mid = (lo + hi) / 2.0
        below = (w @ betainc(a, b, mid[None, :])) < q
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return hi


def _mixture_betabinom_ppf(qs: tuple[float, ...], size: np.ndarray, a: np.ndarray,
                           b: np.ndarray, w: np.ndarray) -> list[np.ndarray]:
    """Quantiles (scipy's definition) of ``sum_g w_g BetaBinomial(size_k, a[g, k], b[g, k])``."""
    from scipy.stats import betabinom

    size = np.asarray(size, np.int64)
    out = [np.zeros(size.shape, np.int64) for _ in qs]
    todo = np.flatnonzero(size > 0)
    start = 0
    while start < todo.size:
        stop = start
        points = 0
        while stop < todo.size and (stop == start or
                                    (points + size[todo[stop]] + 1) * w.size <= _MIX_BUDGET):
            points += int(size[todo[stop]]) + 1
            stop += 1
        cols = todo[start:stop]
        lengths = size[cols] + 1
        owner = np.repeat(np.arange(cols.size), lengths)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        y = np.arange(owner.size) - starts[owner]
        pmf = w @ np.exp(betabinom.logpmf(y[None, :], size[cols][owner][None, :],
                                          a[:, cols][:, owner], b[:, cols][:, owner]))
        total = np.cumsum(pmf)
        before = np.concatenate([[0.0], total[starts[1:] - 1]]) if cols.size > 1 else np.zeros(1)
        cdf = total - before[owner]
        for i, q in enumerate(qs):
            below = np.add.reduceat((cdf < q).astype(np.int64), starts)
            out[i][cols] = np.minimum(below, size[cols])
        start = stop
    return out


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ProviderEstimates(ResultMixin):
    """Per-provider exact bounds, empirical-Bayes estimates and rank intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per provider (sorted by the ``by`` column) then a ``total`` row
        (counts and the pooled share of checked filings only). Columns:

        * ``level`` (``"domain"`` / ``"total"``), the ``by`` column, ``n``
          (checked), ``successes``, ``n_missing``, ``population_size``
          (:math:`N_h`, NaN when unknown);
        * ``estimate`` (raw share ``successes / n``), ``ci_low``, ``ci_high``
          (the bounds chosen by ``method``), ``binom_low``, ``binom_high``
          (Clopper-Pearson), ``hyper_low``, ``hyper_high`` (hypergeometric
          share), ``hyper_count_low``, ``hyper_count_high`` (bounds on the
          number of correct filings);
        * ``eb_estimate`` (posterior mean), ``eb_low``, ``eb_high``
          (equal-tailed posterior interval), ``shrinkage`` (weight put on
          the pooled mean: :math:`B = \\kappa/(\\kappa + n)`, times
          :math:`(N - n)/N` for the finite estimand),
          ``posterior_alpha``, ``posterior_beta``;
        * ``rank`` (by posterior mean, 1 = highest, ties share the smallest
          rank), ``rank_low``, ``rank_high`` (rank interval), ``rank_mean``,
          ``p_bottom`` (probability of being among the ``bottom_k`` lowest);
        * ``eb_interval``, ``eb_note`` (as the attributes below).

        With ``posterior_alpha`` / ``posterior_beta`` the table plugs into
        :func:`beian_audit.reporting.rank_providers` as ``estimates=``.
    by : str
        The provider column.
    outcome : str or None
        The outcome column (``None`` when counts were given).
    method, confidence_level, alternative : str, float, str
        How ``ci_low`` / ``ci_high`` and the posterior intervals were computed.
    estimand : str
        ``"finite"`` (each provider's actual share of correct filings among its
        :math:`N_h`) or ``"superpopulation"`` (its underlying rate); the
        effective one (``"superpopulation"`` when sizes are unknown).
    fit : BetaBinomialFit
        The fitted prior.
    bottom_k : int
        The ``k`` of ``p_bottom``.
    n_sim : int
        Simulated rankings.
    eb_interval : str
        ``"hierarchical"`` (posterior mean, intervals and ranks average over
        the prior's uncertainty, :attr:`hyper`) or ``"plug-in"`` (the fitted
        prior :attr:`fit` treated as known).
    hyper : HyperPosterior or None
        The posterior of the prior (``"hierarchical"`` only).
    eb_note : str
        ``""``, or why the posterior intervals were widened or may be
        degenerate (also warned as :class:`~beian_audit.errors.DegenerateIntervalWarning`):
        ``"exact: every checked filing has the same outcome"`` (the
        intervals are the exact per-provider bounds), or, with
        ``"plug-in"``, ``"collapsed: …"``.
    """

    table: pd.DataFrame
    by: str
    outcome: str | None
    method: str
    confidence_level: float
    alternative: str
    estimand: str
    fit: BetaBinomialFit
    bottom_k: int
    n_sim: int
    eb_interval: str = "plug-in"
    hyper: HyperPosterior | None = None
    eb_note: str = ""

    @property
    def providers(self) -> pd.DataFrame:
        """The provider rows of :attr:`table` (without the total)."""
        rows = self.table[self.table["level"] == "domain"]
        return rows.drop(columns=["level"]).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per provider plus the total (a copy of :attr:`table`)."""
        return self.table.copy()

    def _summary(self) -> str:
        k = int((self.table["level"] == "domain").sum())
        return (
            f"providers={k}, method={self.method!r}, estimand={self.estimand!r}, "
            f"prior_mean={self.fit.mean:.4g}, concentration={self.fit.concentration:.4g}, "
            f"confidence_level={self.confidence_level:g}, bottom_k={self.bottom_k}, "
            f"eb_interval={self.eb_interval!r}" + (f", eb_note={self.eb_note!r}" if self.eb_note
                                                   else "")
        )


# --------------------------------------------------------------------------- input
def _outcome01(series: pd.Series, name: str) -> np.ndarray:
    """0/1 float array (nan for missing); raise on other values."""
    na = series.isna().to_numpy()
    try:
        numeric = pd.to_numeric(series.astype(object).where(~na, np.nan), errors="raise")
        values = np.asarray(numeric, dtype=float).astype(float, copy=True)
    except (TypeError, ValueError) as exc:
        raise EstimationError(
            f"outcome column ({name!r}) must hold 0/1 or True/False values"
        ) from exc
    bad = ~na & (values != 0.0) & (values != 1.0)
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[bad])[:5])
        raise EstimationError(
            f"outcome column ({name!r}) must hold 0/1 or True/False values; "
            f"{int(bad.sum())} row(s) do not (values such as {examples})"
        )
    values[na] = np.nan
    return values


def _sizes_from(
    frame: pd.DataFrame,
    keys: pd.Index,
    by: str,
    population_size: str | Mapping[Any, Any] | pd.Series | Literal[False] | None,
    *,
    per_row: bool,
) -> np.ndarray:
    """N_h per provider in ``keys`` order (nan when unknown)."""
    if population_size is False:
        return np.full(len(keys), np.nan)
    if isinstance(population_size, Mapping | pd.Series):
        mapping = pd.Series(population_size)
        mapped = pd.Series(keys, dtype="object").map(mapping)
        values = pd.to_numeric(mapped, errors="coerce").to_numpy(float)
        missing = np.isnan(values)
        if missing.any():
            shown = ", ".join(repr(k) for k in keys[missing][:5])
            raise EstimationError(
                f"population_size has no size for {int(missing.sum())} provider(s): {shown}"
            )
        return values
    column = population_size
    if column is None:
        if "population_size" not in frame.columns:
            return np.full(len(keys), np.nan)
        column = "population_size"
    if not isinstance(column, str) or column not in frame.columns:
        raise EstimationError(
            f"population_size ({population_size!r}) must be a column of the sample, a mapping "
            f"provider -> N, False (sizes unknown) or None (use 'population_size' if present)"
        )
    sizes = pd.to_numeric(frame[column], errors="coerce")
    grouped = sizes.groupby(frame[by].to_numpy(), sort=True)
    if per_row:
        if (grouped.nunique(dropna=False) > 1).any():
            bad = grouped.nunique(dropna=False)
            shown = ", ".join(repr(k) for k in bad[bad > 1].index[:5])
            raise EstimationError(
                f"population_size column ({column!r}) varies within provider(s) {shown}: the "
                f"sampling strata are not the providers. Exact per-provider bounds need a simple "
                f"random sample within each provider; pass population_size=False (sizes "
                f"unknown) or a mapping provider -> N"
            )
        if "stratum" in frame.columns and column == "population_size":
            strata_per = frame.groupby(by, sort=False)["stratum"].nunique()
            by_per = frame.groupby("stratum", sort=False)[by].nunique()
            if (strata_per > 1).any() or (by_per > 1).any():
                raise EstimationError(
                    "the sample's strata are not the providers, so 'population_size' is not a "
                    "provider's number of filings; pass population_size=False or a mapping "
                    "provider -> N"
                )
    values = grouped.first().reindex(keys).to_numpy(float)
    if np.isnan(values).any():
        raise EstimationError(f"population_size column ({column!r}) has missing values")
    return values


def _counts(
    sample_or_frame: object,
    outcome: str | None,
    by: str,
    population_size: Any,
    missing: str,
) -> pd.DataFrame:
    frame = getattr(sample_or_frame, "frame", sample_or_frame)
    if not isinstance(frame, pd.DataFrame):
        raise EstimationError(
            f"sample_or_frame must be a Sample, a DataFrame of checked filings, or a "
            f"DataFrame of counts, not {type(sample_or_frame).__name__}"
        )
    if by not in frame.columns:
        raise EstimationError(f"by column ({by!r}) is not in the data; columns are "
                              f"{list(frame.columns)}")
    if frame[by].isna().any():
        raise EstimationError(f"by column ({by!r}) has missing values")
    if outcome is None:  # a table of counts, one row per provider
        for col in ("n", "successes"):
            if col not in frame.columns:
                raise EstimationError(
                    f"without outcome=, sample_or_frame must be a table of counts with columns "
                    f"{by!r}, 'n' and 'successes'; {col!r} is missing"
                )
        if frame[by].duplicated().any():
            raise EstimationError(f"the counts table has repeated {by!r} values")
        table = frame.sort_values(by, kind="stable").reset_index(drop=True)
        x = _int_array(table["successes"], "successes")
        m = _int_array(table["n"], "n")
        if ((x < 0) | (x > m)).any():
            raise EstimationError("counts must satisfy 0 <= successes <= n")
        keys = pd.Index(table[by])
        sizes = _sizes_from(table, keys, by, population_size, per_row=False)
        out = pd.DataFrame({by: table[by].to_numpy(), "n": m, "successes": x,
                            "n_missing": np.zeros(len(m), np.int64)})
    else:
        if outcome not in frame.columns:
            raise EstimationError(
                f"outcome column ({outcome!r}) is not in the sample; columns are "
                f"{list(frame.columns)}"
            )
        y = _outcome01(frame[outcome], outcome)
        miss = np.isnan(y)
        if miss.any() and missing == "raise":
            raise EstimationError(
                f"outcome column ({outcome!r}) is missing in {int(miss.sum())} row(s); fill "
                f"them in or pass missing='drop'"
            )
        if "weight" in frame.columns:
            w = pd.to_numeric(frame["weight"], errors="coerce")
            spread = w.groupby(frame[by].to_numpy()).agg(lambda s: s.max() - s.min())
            scale = w.groupby(frame[by].to_numpy()).max()
            if (spread > 1e-9 * scale).any():
                shown = ", ".join(repr(k) for k in spread[spread > 1e-9 * scale].index[:5])
                raise EstimationError(
                    f"weights vary within provider(s) {shown}: the checked filings are not a "
                    f"simple random sample of each provider, so exact per-provider bounds do "
                    f"not apply; use estimate_proportion(..., by={by!r}) instead"
                )
        work = pd.DataFrame({"key": frame[by].to_numpy(), "y": np.where(miss, 0.0, y),
                             "ok": (~miss).astype(np.int64), "miss": miss.astype(np.int64)})
        grouped = work.groupby("key", sort=True)
        summed = grouped[["y", "ok", "miss"]].sum()
        keys = summed.index
        sizes = _sizes_from(frame, pd.Index(keys), by, population_size, per_row=True)
        out = pd.DataFrame({by: keys.to_numpy(), "n": summed["ok"].to_numpy(np.int64),
                            "successes": np.round(summed["y"].to_numpy()).astype(np.int64),
                            "n_missing": summed["miss"].to_numpy(np.int64)})
    known = ~np.isnan(sizes)
    if known.any():
        if (sizes[known] != np.round(sizes[known])).any():
            raise EstimationError("population sizes must be whole numbers")
        if (sizes[known] < out["n"].to_numpy()[known] + out["n_missing"].to_numpy()[known]).any():
            raise EstimationError("a provider's population_size is below its number checked")
    out["population_size"] = sizes
    return out


# --------------------------------------------------------------------------- entry point
def provider_estimates(
    sample_or_frame: object,
    outcome: str | None = None,
    *,
    by: str = "provider_id",
    population_size: str | Mapping[Any, Any] | pd.Series | Literal[False] | None = None,
    method: ExactMethod = "exact",
    estimand: Estimand = "finite",
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
    bottom_k: int = 10,
    n_sim: int = 4000,
    rng: int | np.random.Generator | None = None,
    missing: _MissingRule = "raise",
    eb_interval: EbInterval = "hierarchical",
) -> ProviderEstimates:
    """Small-sample estimates per provider: exact bounds, shrinkage and rank intervals.

    Parameters
    ----------
    sample_or_frame : Sample or DataFrame
        A ``Sample`` (its ``.frame``) or any DataFrame of checked filings with
        the ``by`` and ``outcome`` columns; or, with ``outcome=None``, a table
        of counts with one row per provider and columns ``by``, ``n``,
        ``successes`` (and ``population_size`` when known). Providers with
        ``n = 0`` are allowed in a counts table (they get the prior).
    outcome : str, optional
        Column of 0/1 or boolean outcomes (1 = correct).
    by : str, default "provider_id"
        The provider column.
    population_size : str, mapping, False or None
        Each provider's number of filings :math:`N_h`: a column (constant
        within each provider), a mapping provider → N, ``False`` (unknown:
        binomial bounds and the superpopulation estimand only) or ``None``
        (default: the ``population_size`` column when present; in a ``Sample``
        it is the stratum size, accepted only when the strata are the
        providers).
    method : {"exact", "clopper-pearson", "hypergeometric"}
        Bounds reported as ``ci_low`` / ``ci_high``: ``"exact"`` (default) is
        hypergeometric when :math:`N_h` is known, else Clopper-Pearson. Both
        kinds are always in the table.
    estimand : {"finite", "superpopulation"}
        What the empirical-Bayes posterior is about: ``"finite"`` (default)
        the provider's actual share of correct filings among its :math:`N_h`
        (a fully checked provider is then known exactly); ``"superpopulation"``
        its underlying rate. Without sizes, ``"superpopulation"``.
    confidence_level : float, default 0.95
        Level of the bounds, the posterior intervals and the rank intervals.
    alternative : {"two-sided", "greater", "less"}
        Sides of the bounds and posterior intervals (``"greater"``: lower
        bound only). Rank intervals are always two-sided.
    bottom_k : int, default 10
        ``p_bottom`` is the probability of being among the ``bottom_k``
        lowest providers (capped at the number of providers).
    n_sim : int, default 4000
        Simulated rankings (at least 100).
    rng : int or numpy.random.Generator, optional
        Seed or generator for the rank simulation.
    missing : {"raise", "drop"}
        Missing outcomes: raise, or leave them out (counted in ``n_missing``).
    eb_interval : {"hierarchical", "plug-in"}
        ``"hierarchical"`` (default): posterior means, intervals, rank
        intervals and ``p_bottom`` average over the posterior of the prior
        (:func:`hyper_posterior`), so they keep their level with few providers
        and do not collapse when no between-provider variation is detected.
        ``"plug-in"``: the maximum-likelihood prior treated as known (the
        behaviour before version 0.2; its intervals are too short, see Notes).

    Returns
    -------
    ProviderEstimates

    Raises
    ------
    EstimationError
        Invalid options; missing columns; outcomes that are not 0/1; weights
        that vary within a provider (not a simple random sample per provider);
        ``method="hypergeometric"`` without sizes; fewer than two providers
        with checked filings.

    Warns
    -----
    DegenerateIntervalWarning
        When the fitted prior is at a boundary: no between-provider variation
        detected (the plug-in prior pools every provider completely; with
        ``"plug-in"`` the intervals are then collapsed) or every checked filing
        correct (or every one wrong: the posterior intervals are then the exact
        per-provider bounds). Recorded in ``eb_note``.

    Notes
    -----
    For provider :math:`k` with :math:`x_k` correct of :math:`n_k` checked and
    the fitted prior Beta(α, β) (:func:`fit_beta_binomial`), the posterior of
    its rate is :math:`\\mathrm{Beta}(\\alpha + x_k, \\beta + n_k - x_k)`, with
    mean

    .. math::

        \\tilde p_k = (1 - B_k)\\,\\frac{x_k}{n_k} + B_k\\,\\mu, \\qquad
        B_k = \\frac{\\kappa}{\\kappa + n_k},

    so the raw share is shrunk towards the pooled mean :math:`\\mu` with weight
    :math:`B_k` (``shrinkage``), large when few filings were checked (Efron &
    Morris 1975; Casella 1985). With ``estimand="finite"`` the unchecked
    :math:`N_k - n_k` filings hold
    :math:`Y_k \\sim \\mathrm{BetaBinomial}(N_k - n_k, \\alpha + x_k, \\beta + n_k - x_k)`
    correct ones and the share is :math:`(x_k + Y_k)/N_k`, whose mean is
    :math:`(x_k + (N_k - n_k)\\,\\tilde p_k)/N_k`. Posterior intervals are
    equal-tailed. That is the ``"plug-in"`` posterior: it treats α and β as
    known, and with 30 providers of 3 filings its 95 % intervals cover 36-72 %
    of the true rates (the fit reaches the bound κ = 10^7 in about half the
    samples and the intervals collapse; Morris 1983; Laird & Louis 1987).

    ``"hierarchical"`` (default) integrates over the posterior of (α, β)
    under a uniform prior on μ and the uniform-shrinkage prior on κ
    (:func:`hyper_posterior`): each provider's posterior is the mixture
    :math:`\\sum_g w_g\\,\\mathrm{Beta}(\\alpha_g + x_k, \\beta_g + n_k - x_k)`
    over the grid nodes (for the finite estimand, the mixture of the
    beta-binomials of the unchecked filings), its quantiles found by
    bisection on the mixture cdf. ``eb_estimate`` and ``shrinkage`` are the
    posterior means; ``posterior_alpha`` / ``posterior_beta`` a Beta with
    the same mean and variance (for :func:`~beian_audit.reporting.rank_providers`).
    A provider with every checked filing correct keeps 1 in its interval
    (every one wrong: 0), as the exact bounds do; when *every* checked filing
    has the same outcome, the spread of the rates is not identified and the
    intervals are the exact per-provider bounds. Coverage of the 95 %
    intervals on 10-100 providers of 3-50 filings, tight, wide, bimodal,
    degenerate and near-1 rates: 0.93-1.00, against 0.20-0.97 for the
    plug-in intervals (``benchmarks/coverage_providers.py``).

    Rank intervals (Goldstein & Spiegelhalter 1996): every provider's share is
    drawn ``n_sim`` times from its posterior (``"hierarchical"``: one prior
    node per draw, shared by all providers, i.e. the joint posterior), each
    draw is ranked (1 =
    highest, ties share the smallest rank) and the equal-tailed
    ``confidence_level`` interval of each provider's ranks is reported.
    ``p_bottom`` is the share of draws in which the provider is among the
    ``bottom_k`` lowest (ties counted in). These are marginal, one provider
    at a time.

    References
    ----------
    Efron, B. and Morris, C. (1975). Data analysis using Stein's estimator and
    its generalizations. *JASA* 70(350), 311-319.

    Casella, G. (1985). An introduction to empirical Bayes data analysis.
    *The American Statistician* 39(2), 83-87.

    Morris, C. N. (1983). Parametric empirical Bayes inference: theory and
    applications. *JASA* 78(381), 47-55.

    Laird, N. M. and Louis, T. A. (1987). Empirical Bayes confidence intervals
    based on bootstrap samples. *JASA* 82(399), 739-750.

    Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their
    limitations. *JRSS A* 159(3), 385-443.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "provider_id": ["A"] * 2 + ["B"] * 2 + ["C"] * 30 + ["D"] * 30,
    ...     "ok": [0, 0] + [1, 1] + [1] * 15 + [0] * 15 + [1] * 27 + [0] * 3})
    >>> est = provider_estimates(frame, "ok", population_size=False, bottom_k=1, rng=7)
    >>> est.providers[["provider_id", "estimate", "eb_estimate", "rank_low", "rank_high",
    ...                "p_bottom"]].round(3)
      provider_id  estimate  eb_estimate  rank_low  rank_high  p_bottom
    0           A       0.0        0.366         2          4     0.702
    1           B       1.0        0.780         1          4     0.039
    2           C       0.5        0.518         2          4     0.258
    3           D       0.9        0.868         1          2     0.000
    """
    method = check_choice("method", method, EXACT_METHODS)  # type: ignore[assignment]
    estimand = check_choice("estimand", estimand, ESTIMANDS)  # type: ignore[assignment]
    alternative = check_choice("alternative", alternative, ALTERNATIVES)  # type: ignore[assignment]
    missing = check_choice("missing", missing, _MISSING_RULES)  # type: ignore[assignment]
    eb_interval = check_choice("eb_interval", eb_interval, EB_INTERVALS)  # type: ignore[assignment]
    level = check_level(confidence_level)
    if not isinstance(by, str):
        raise EstimationError(f"by ({by!r}) must be a column name")
    if outcome is not None and not isinstance(outcome, str):
        raise EstimationError(f"outcome ({outcome!r}) must be a column name or None")
    for name, value, low in (("bottom_k", bottom_k, 1), ("n_sim", n_sim, 100)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise EstimationError(f"{name} ({value!r}) must be an integer >= {low}")
    generator = np.random.default_rng(rng)

    counts = _counts(sample_or_frame, outcome, by, population_size, missing)
    x = counts["successes"].to_numpy(np.int64)
    m = counts["n"].to_numpy(np.int64)
    big_n_f = counts["population_size"].to_numpy(float)
    known = ~np.isnan(big_n_f)
    if method == "hypergeometric" and not known.all():
        raise EstimationError(
            "method='hypergeometric' needs every provider's population_size; give a column "
            "or a mapping, or use method='exact' / 'clopper-pearson'"
        )
    k = len(counts)
    eff_estimand = estimand if known.all() else "superpopulation"

    # ------------------------------------------------ exact bounds
    a_low, a_high = tail_probabilities(alternative, level)
    has = m > 0
    with np.errstate(all="ignore"):
        raw = np.where(has, x / np.maximum(m, 1), np.nan)
        b_low = (np.zeros(k) if math.isnan(a_low)
                 else srs_lower("clopper-pearson", x, m, np.full(k, a_low)))
        b_high = (np.ones(k) if math.isnan(a_high)
                  else srs_upper("clopper-pearson", x, m, np.full(k, a_high)))
    b_low = np.where(has, b_low, 0.0)
    b_high = np.where(has, b_high, 1.0)
    h_low = np.full(k, np.nan)
    h_high = np.full(k, np.nan)
    hc_low = pd.array([pd.NA] * k, dtype="Int64")
    hc_high = pd.array([pd.NA] * k, dtype="Int64")
    if known.any():
        big_n = np.where(known, big_n_f, 0).astype(np.int64)
        sel = np.flatnonzero(known)
        c_low, c_high = _hyper_bounds(x[sel], m[sel], big_n[sel], alternative, level)
        c_low = np.where(m[sel] > 0, c_low, 0)
        c_high = np.where(m[sel] > 0, c_high, big_n[sel])
        h_low[sel] = c_low / big_n[sel]
        h_high[sel] = c_high / big_n[sel]
        hc_low[sel] = c_low
        hc_high[sel] = c_high
    use_hyper = known if method == "exact" else np.full(k, method == "hypergeometric")
    ci_low = np.where(use_hyper, h_low, b_low)
    ci_high = np.where(use_hyper, h_high, b_high)

    # ------------------------------------------------ empirical Bayes
    fit = fit_beta_binomial(x, m)
    same = bool((x[has] == m[has]).all() or (x[has] == 0).all())
    note = ""
    if same:
        note = "exact: every checked filing has the same outcome"
        reason = ("every checked filing has the same outcome, so the spread of the providers' "
                  "rates is not identified; the posterior intervals are the exact per-provider "
                  "bounds (ci_low / ci_high)")
    elif fit.at_bound == "concentration":
        reason = ("no between-provider variation detected: the maximum-likelihood prior pools "
                  "every provider completely")
        if eb_interval == "plug-in":
            note = "collapsed: the plug-in prior pools every provider completely"
            reason += ("; the plug-in posterior intervals are collapsed to the pooled mean "
                       "(use eb_interval='hierarchical')")
        else:
            reason += ("; the hierarchical posterior averages over the prior's uncertainty, so "
                       "the intervals are not collapsed")
    if same or fit.at_bound:
        warnings.warn(f"the beta-binomial prior is at a boundary ({reason})",
                      DegenerateIntervalWarning, stacklevel=2)
    from scipy.stats import beta as beta_dist

    hyper = None
    if eb_interval == "hierarchical":
        hyper = hyper_posterior(x, m)
        node_a, node_b, node_w = hyper.alpha, hyper.beta, hyper.weight
    else:
        node_a, node_b, node_w = np.array([fit.alpha]), np.array([fit.beta]), np.ones(1)
    node_k = node_a + node_b
    mix_a = node_a[:, None] + x[None, :]  # (nodes, providers)
    mix_b = node_b[:, None] + (m - x)[None, :]
    post_mean = node_w @ (mix_a / (mix_a + mix_b))
    shrink = node_w @ (node_k[:, None] / (node_k[:, None] + m[None, :]))
    # moment-matched Beta(posterior_alpha, posterior_beta) of each provider's rate
    second = node_w @ (mix_a * (mix_a + 1) / ((mix_a + mix_b) * (mix_a + mix_b + 1)))
    var = np.maximum(second - post_mean**2, 1e-300)
    size_mm = np.maximum(post_mean * (1 - post_mean) / var - 1.0, 1e-12)
    post_a = post_mean * size_mm if hyper is not None else mix_a[0]
    post_b = (1 - post_mean) * size_mm if hyper is not None else mix_b[0]
    if eff_estimand == "finite":
        big_n = big_n_f.astype(np.int64)
        rest = big_n - m
        shrink = shrink * rest / big_n  # the checked filings are known, not shrunk
        eb = (x + rest * post_mean) / big_n
        qs = tuple(q for q in (a_low, 1.0 - a_high) if not math.isnan(q))
        if hyper is None:
            found = [_betabinom_ppf(q, rest, mix_a[0], mix_b[0]) for q in qs]
        else:
            found = _mixture_betabinom_ppf(qs, rest, mix_a, mix_b, node_w)
        # one-sided: the other side is the whole range, as for every bound here
        eb_low = np.zeros(k) if math.isnan(a_low) else (x + found[0]) / big_n
        eb_high = np.ones(k) if math.isnan(a_high) else (x + found[-1]) / big_n
    else:
        eb = post_mean
        if hyper is None:
            eb_low = np.zeros(k) if math.isnan(a_low) else beta_dist.ppf(a_low, post_a, post_b)
            eb_high = np.ones(k) if math.isnan(a_high) else beta_dist.isf(a_high, post_a, post_b)
        else:
            eb_low = (np.zeros(k) if math.isnan(a_low)
                      else _mixture_beta_ppf(a_low, mix_a, mix_b, node_w))
            eb_high = (np.ones(k) if math.isnan(a_high)
                       else _mixture_beta_ppf(1.0 - a_high, mix_a, mix_b, node_w))
    if hyper is not None:
        # a provider with every checked filing correct (or wrong) keeps 1 (or 0) in its
        # interval, as the exact bounds do: the posterior puts rates next to the edge
        eb_low = np.where(has & (x == 0), 0.0, eb_low)
        eb_high = np.where(has & (x == m), 1.0, eb_high)
    if same:
        eb_low, eb_high = ci_low.copy(), ci_high.copy()

    # ------------------------------------------------ rank intervals
    from scipy.stats import rankdata

    # joint posterior draws: one prior node per simulated ranking, shared by the providers
    node = generator.choice(node_w.size, size=int(n_sim), p=node_w) if node_w.size > 1 else \
        np.zeros(int(n_sim), np.int64)
    draws = generator.beta(mix_a[node], mix_b[node])
    if eff_estimand == "finite":
        extra = generator.binomial(np.broadcast_to(big_n - m, draws.shape), draws)
        draws = (x + extra) / big_n
    ranks = rankdata(-draws, method="min", axis=1)
    worst = rankdata(draws, method="min", axis=1)
    kk = min(int(bottom_k), k)
    tail = (1.0 - level) / 2.0
    rank_low = np.quantile(ranks, tail, axis=0, method="inverted_cdf").astype(np.int64)
    rank_high = np.quantile(ranks, 1.0 - tail, axis=0, method="inverted_cdf").astype(np.int64)

    table = counts[[by]].copy()
    table.insert(0, "level", "domain")
    table["n"] = m
    table["successes"] = x
    table["n_missing"] = counts["n_missing"].to_numpy(np.int64)
    table["population_size"] = big_n_f
    table["estimate"] = raw
    table["ci_low"] = ci_low
    table["ci_high"] = ci_high
    table["binom_low"] = b_low
    table["binom_high"] = b_high
    table["hyper_low"] = h_low
    table["hyper_high"] = h_high
    table["hyper_count_low"] = hc_low
    table["hyper_count_high"] = hc_high
    table["eb_estimate"] = eb
    table["eb_low"] = eb_low
    table["eb_high"] = eb_high
    table["shrinkage"] = shrink
    table["posterior_alpha"] = post_a
    table["posterior_beta"] = post_b
    table["rank"] = rankdata(-eb, method="min").astype(np.int64)
    table["rank_low"] = rank_low
    table["rank_high"] = rank_high
    table["rank_mean"] = ranks.mean(axis=0)
    table["p_bottom"] = (worst <= kk).mean(axis=0)
    table["eb_interval"] = eb_interval
    table["eb_note"] = note
    total = {
        "level": _TOTAL,
        "n": int(m.sum()),
        "successes": int(x.sum()),
        "n_missing": int(table["n_missing"].sum()),
        "population_size": float(big_n_f.sum()) if known.all() else math.nan,
        "estimate": float(x.sum() / m.sum()),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for col in ("n", "successes", "n_missing"):
        table[col] = table[col].astype(np.int64)
    for col in ("rank", "rank_low", "rank_high", "hyper_count_low", "hyper_count_high"):
        table[col] = table[col].astype("Int64")
    return ProviderEstimates(
        table=table,
        by=by,
        outcome=outcome,
        method=method,
        confidence_level=level,
        alternative=alternative,
        estimand=eff_estimand,
        fit=fit,
        bottom_k=kk,
        n_sim=int(n_sim),
        eb_interval=eb_interval,
        hyper=hyper,
        eb_note=note,
    )
