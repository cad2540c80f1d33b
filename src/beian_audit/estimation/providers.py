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

# the three kinds of estimate live in their own modules; their public names stay
# importable from here
from beian_audit.estimation.empirical_bayes import BetaBinomialFit as BetaBinomialFit
from beian_audit.estimation.empirical_bayes import _betabinom_ppf, _int_array
from beian_audit.estimation.empirical_bayes import fit_beta_binomial as fit_beta_binomial
from beian_audit.estimation.exact_bounds import _exact_bounds, _ExactBounds
from beian_audit.estimation.exact_bounds import hypergeometric_ci as hypergeometric_ci
from beian_audit.estimation.hierarchical import HyperPosterior as HyperPosterior
from beian_audit.estimation.hierarchical import (
    _mixture_beta_ppf,
    _mixture_betabinom_ppf,
)
from beian_audit.estimation.hierarchical import hyper_posterior as hyper_posterior
from beian_audit.estimation.intervals import (
    ALTERNATIVES,
    Alternative,
    check_choice,
    check_level,
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

EbInterval = Literal["hierarchical", "plug-in"]
EB_INTERVALS: tuple[str, ...] = get_args(EbInterval)
_TOTAL = "total"


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
    eff_estimand = estimand if known.all() else "superpopulation"

    # 1. exact bounds per provider
    exact = _exact_bounds(x, m, big_n_f, method=method, alternative=alternative, level=level)
    # 2. empirical Bayes: the prior (plug-in or hierarchical) and each posterior
    fit = fit_beta_binomial(x, m)
    note, same = _prior_boundary(x, m, fit, eb_interval)
    post = _posteriors(x, m, big_n_f, fit, eb_interval=eb_interval, estimand=eff_estimand,
                       alternative=alternative, level=level)
    eb_low, eb_high = post.low, post.high
    if same:
        eb_low, eb_high = exact.ci_low.copy(), exact.ci_high.copy()
    # 3. rank intervals simulated from the joint posterior
    ranks, worst = _simulated_ranks(post, x, m, big_n_f, estimand=eff_estimand,
                                    n_sim=int(n_sim), generator=generator)
    kk = min(int(bottom_k), len(counts))
    table = _estimates_table(
        counts, by, exact, post, eb_low, eb_high, ranks, worst, kk,
        level=level, eb_interval=eb_interval, note=note,
    )
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
        hyper=post.hyper,
        eb_note=note,
    )


# --------------------------------------------------------------------------- steps


def _prior_boundary(
    x: np.ndarray, m: np.ndarray, fit: BetaBinomialFit, eb_interval: str
) -> tuple[str, bool]:
    """The note of a prior at a boundary (``""`` if none), and whether every
    checked filing has the same outcome (the posterior intervals are then the
    exact bounds); warns when the prior is at a boundary.
    """
    has = m > 0
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
                      DegenerateIntervalWarning, stacklevel=3)
    return note, same


@dataclass(frozen=True, slots=True)
class _Posteriors:
    """Each provider's posterior: a mixture over prior nodes (one node when plug-in)."""

    hyper: HyperPosterior | None
    node_w: np.ndarray  # (nodes,) weights of the prior nodes
    mix_a: np.ndarray  # (nodes, providers) beta parameters of the rate's posterior
    mix_b: np.ndarray
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    shrinkage: np.ndarray
    alpha: np.ndarray  # moment-matched Beta(alpha, beta) of each provider's rate
    beta: np.ndarray


def _posteriors(
    x: np.ndarray,
    m: np.ndarray,
    big_n_f: np.ndarray,
    fit: BetaBinomialFit,
    *,
    eb_interval: str,
    estimand: str,
    alternative: Alternative,
    level: float,
) -> _Posteriors:
    """Posterior estimates, intervals and shrinkage per provider (finite or superpopulation)."""
    from scipy.stats import beta as beta_dist

    k = x.size
    has = m > 0
    a_low, a_high = tail_probabilities(alternative, level)
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
    if estimand == "finite":
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
    return _Posteriors(hyper=hyper, node_w=node_w, mix_a=mix_a, mix_b=mix_b, estimate=eb,
                       low=eb_low, high=eb_high, shrinkage=shrink, alpha=post_a, beta=post_b)


def _simulated_ranks(
    post: _Posteriors,
    x: np.ndarray,
    m: np.ndarray,
    big_n_f: np.ndarray,
    *,
    estimand: str,
    n_sim: int,
    generator: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Ranks (1 = highest) and reverse ranks (1 = lowest) of ``n_sim`` posterior draws."""
    from scipy.stats import rankdata

    node_w = post.node_w
    # joint posterior draws: one prior node per simulated ranking, shared by the providers
    node = generator.choice(node_w.size, size=n_sim, p=node_w) if node_w.size > 1 else \
        np.zeros(n_sim, np.int64)
    draws = generator.beta(post.mix_a[node], post.mix_b[node])
    if estimand == "finite":
        big_n = big_n_f.astype(np.int64)
        extra = generator.binomial(np.broadcast_to(big_n - m, draws.shape), draws)
        draws = (x + extra) / big_n
    ranks = rankdata(-draws, method="min", axis=1)
    worst = rankdata(draws, method="min", axis=1)
    return ranks, worst


def _estimates_table(
    counts: pd.DataFrame,
    by: str,
    exact: _ExactBounds,
    post: _Posteriors,
    eb_low: np.ndarray,
    eb_high: np.ndarray,
    ranks: np.ndarray,
    worst: np.ndarray,
    bottom_k: int,
    *,
    level: float,
    eb_interval: str,
    note: str,
) -> pd.DataFrame:
    """The ``table`` of :class:`ProviderEstimates`: one row per provider and a total row."""
    from scipy.stats import rankdata

    m = counts["n"].to_numpy(np.int64)
    x = counts["successes"].to_numpy(np.int64)
    big_n_f = counts["population_size"].to_numpy(float)
    tail = (1.0 - level) / 2.0
    table = counts[[by]].copy()
    table.insert(0, "level", "domain")
    table["n"] = m
    table["successes"] = x
    table["n_missing"] = counts["n_missing"].to_numpy(np.int64)
    table["population_size"] = big_n_f
    table["estimate"] = exact.raw
    table["ci_low"] = exact.ci_low
    table["ci_high"] = exact.ci_high
    table["binom_low"] = exact.binom_low
    table["binom_high"] = exact.binom_high
    table["hyper_low"] = exact.hyper_low
    table["hyper_high"] = exact.hyper_high
    table["hyper_count_low"] = exact.hyper_count_low
    table["hyper_count_high"] = exact.hyper_count_high
    table["eb_estimate"] = post.estimate
    table["eb_low"] = eb_low
    table["eb_high"] = eb_high
    table["shrinkage"] = post.shrinkage
    table["posterior_alpha"] = post.alpha
    table["posterior_beta"] = post.beta
    table["rank"] = rankdata(-post.estimate, method="min").astype(np.int64)
    table["rank_low"] = np.quantile(ranks, tail, axis=0, method="inverted_cdf").astype(np.int64)
    table["rank_high"] = np.quantile(ranks, 1.0 - tail, axis=0,
                                     method="inverted_cdf").astype(np.int64)
    table["rank_mean"] = ranks.mean(axis=0)
    table["p_bottom"] = (worst <= bottom_k).mean(axis=0)
    table["eb_interval"] = eb_interval
    table["eb_note"] = note
    total = {
        "level": _TOTAL,
        "n": int(m.sum()),
        "successes": int(x.sum()),
        "n_missing": int(table["n_missing"].sum()),
        "population_size": float(big_n_f.sum()) if not np.isnan(big_n_f).any() else math.nan,
        "estimate": float(x.sum() / m.sum()),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    for col in ("n", "successes", "n_missing"):
        table[col] = table[col].astype(np.int64)
    for col in ("rank", "rank_low", "rank_high", "hyper_count_low", "hyper_count_high"):
        table[col] = table[col].astype("Int64")
    return table
