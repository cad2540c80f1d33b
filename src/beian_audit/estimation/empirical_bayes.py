"""Empirical Bayes for provider rates: the beta-binomial prior fitted across providers.

Provider rates are modelled as draws from a Beta(α, β) distribution whose
parameters are fitted by maximum marginal (beta-binomial) likelihood across
providers (:func:`fit_beta_binomial`; Efron & Morris 1975, Casella 1985); each
provider's posterior mean shrinks its raw share towards the pooled mean, the
more so the fewer filings were checked. :func:`_betabinom_ppf` gives the
quantiles of the unchecked filings' beta-binomial posterior for many providers
at once. The hierarchical alternative, which averages over the prior's
uncertainty, is in :mod:`beian_audit.estimation.hierarchical`.

References
----------
Efron, B. and Morris, C. (1975). Data analysis using Stein's estimator and its
generalizations. *JASA* 70(350), 311-319.

Casella, G. (1985). An introduction to empirical Bayes data analysis. *The
American Statistician* 39(2), 83-87.

Examples
--------
>>> fit = fit_beta_binomial([1, 3, 30, 2, 12, 19], [3, 3, 40, 2, 30, 20])
>>> round(fit.mean, 2)
0.72
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import EstimationError

__all__ = ["BetaBinomialFit", "fit_beta_binomial"]

#: Search box of the beta-binomial fit: logit of the mean and log of the
#: concentration alpha + beta. A concentration at the upper edge means "no
#: between-provider variation detected" (complete pooling).
_LOGIT_MU_BOUND = 25.0
_LOG_KAPPA_BOUNDS = (math.log(1e-3), math.log(1e7))
_KAPPA_STARTS = (0.5, 5.0, 50.0, 500.0)


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
