"""The hierarchical posterior of the providers' beta prior (mean and concentration).

The plug-in empirical-Bayes posterior (:mod:`beian_audit.estimation.empirical_bayes`)
treats the fitted Beta(α, β) prior as known; with a few filings per provider
its intervals are too short, and when no between-provider variation is
detected they collapse to the pooled mean. :func:`hyper_posterior` instead
puts a hyperprior on the prior's mean and concentration (uniform mean,
uniform shrinkage; Christiansen & Morris 1997) and integrates it out on a
grid; the provider posteriors are then mixtures of betas (or of beta-binomials
for the unchecked filings), whose quantiles :func:`_mixture_beta_ppf` and
:func:`_mixture_betabinom_ppf` compute.

References
----------
Christiansen, C. L. and Morris, C. N. (1997). Hierarchical Poisson regression
modeling. *JASA* 92(438), 618-632.

Examples
--------
>>> post = hyper_posterior([1, 3, 30, 2, 12, 19], [3, 3, 40, 2, 30, 20])
>>> round(float(post.weight.sum()), 6)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import EstimationError
from beian_audit.estimation.empirical_bayes import _LOGIT_MU_BOUND, _int_array

__all__ = ["HyperPosterior", "hyper_posterior"]

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
