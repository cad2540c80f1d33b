"""Rankings of access providers: unfiled websites accessed, and accuracy with rank intervals.

* :func:`match_accessed_sites` tells, for every site on the providers'
  accessed-site lists, whether its registered domain has a filing;
* :func:`top_unfiled_providers` is the plan's monthly national ranking of the
  top ten access providers by number of unfiled websites accessed (a census
  count: no sampling error, ties handled explicitly);
* :func:`rank_providers` ranks providers by their *estimated* accuracy. A rank
  computed from a sample is uncertain, so every provider gets a **rank
  interval**: the ranks are simulated from each provider's posterior (or
  sampling) distribution and the interval holds the central share of them.
  Providers whose intervals overlap share ranks instead of being falsely
  ordered (Goldstein & Spiegelhalter 1996; Marshall & Spiegelhalter 1998).

References
----------
Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their
limitations: statistical issues in comparisons of institutional performance.
*Journal of the Royal Statistical Society A* 159(3), 385-443.

Marshall, E. C. and Spiegelhalter, D. J. (1998). Reliability of league tables
of in vitro fertilisation clinics: retrospective analysis of live birth rates.
*BMJ* 316, 1701-1705.

Examples
--------
>>> import pandas as pd
>>> sites = pd.DataFrame({"site_id": ["S1", "S2", "S3", "S4"],
...                       "domain": ["www.a.cn", "b.cn", "c.cn", "d.cn"],
...                       "provider_id": ["P1", "P1", "P2", "P2"]})
>>> registry = pd.DataFrame({"website_id": ["W1"], "domain": ["a.cn"]})
>>> top_unfiled_providers(sites, registry).to_frame()[["rank", "provider_id", "n_unfiled"]]
   rank provider_id  n_unfiled
0     1          P2          2
1     2          P1          1
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import (
    ArgumentError,
    DegenerateIntervalWarning,
    EstimationError,
    SchemaError,
)
from beian_audit.estimation import ProportionEstimate, assess_target, estimate_proportion
from beian_audit.estimation.intervals import DESIGN_METHODS, DesignMethod, check_level
from beian_audit.estimation.targets import MULTIPLICITY, Multiplicity, adjust_p_values
from beian_audit.reporting._common import as_frame, check_choice, require_columns

__all__ = [
    "RANK_METHODS",
    "TIES",
    "ProviderRanking",
    "RankMethod",
    "Ties",
    "UnfiledRanking",
    "match_accessed_sites",
    "rank_providers",
    "top_unfiled_providers",
]

Ties = Literal["include", "exclude"]
TIES: tuple[str, ...] = get_args(Ties)
RankMethod = Literal["beta", "normal"]
RANK_METHODS: tuple[str, ...] = get_args(RankMethod)



# --------------------------------------------------------------------------- matching
def match_accessed_sites(accessed_sites: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Match an accessed-site list against the filing registry by registered domain.

    A site is *filed* when the registered domain of its host (``www.shop.example.com.cn``
    -> ``example.com.cn``, Public Suffix List, IDN in ASCII form) is the
    registered domain of a domain in some filing: a filing covers its domain's
    subdomains. The registry's ``domain`` may list several domains separated by
    ``;``, ``,`` or spaces.

    Parameters
    ----------
    accessed_sites : DataFrame
        ``site_id``, ``domain`` (host or URL), ``provider_id``.
    registry : DataFrame
        ``website_id``, ``domain``.

    Returns
    -------
    DataFrame
        Same index as ``accessed_sites``: ``site_id``, ``provider_id``,
        ``registered_domain``, ``filed`` (nullable boolean: ``NA`` when the
        site's domain cannot be parsed, e.g. a bare IP) and ``website_id`` (one
        matching filing, the smallest id, else ``NA``).

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": ["S1", "S2", "S3"], "provider_id": ["P1"] * 3,
    ...                       "domain": ["http://Shop.Example.com.cn/x", "other.cn", "1.2.3.4"]})
    >>> reg = pd.DataFrame({"website_id": ["W9"], "domain": ["example.com.cn;example.cn"]})
    >>> match_accessed_sites(sites, reg)[["registered_domain", "filed", "website_id"]]
      registered_domain  filed website_id
    0    example.com.cn   True         W9
    1          other.cn  False        NaN
    2               NaN   <NA>        NaN
    """
    from beian_audit.estimation.filing_rate import match_sites

    acc = as_frame(accessed_sites, "accessed_sites")
    reg = as_frame(registry, "registry")
    require_columns(acc, ["site_id", "domain", "provider_id"], name="accessed_sites")
    require_columns(reg, ["website_id", "domain"], name="registry")
    matched = match_sites(acc, reg)
    return matched[["site_id", "provider_id", "registered_domain", "filed", "website_id"]]


# --------------------------------------------------------------------------- top unfiled
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class UnfiledRanking(ResultMixin):
    """Providers ranked by number of unfiled websites accessed.

    Attributes
    ----------
    table : DataFrame
        ``rank`` (competition ranking, ties share the smallest rank: 1, 2, 2,
        4), ``provider_id`` (``provider_name`` when providers were given),
        ``n_unfiled``, ``n_accessed``, ``share_unfiled``, ``n_undetermined``
        (sites whose domain could not be parsed), ``tied`` (shares its rank).
    n : int
        Number of places asked for.
    ties : str
        How a tie straddling place ``n`` was handled.
    n_providers : int
        Providers on the accessed-site list.
    """

    table: pd.DataFrame
    n: int
    ties: str
    n_providers: int

    def to_frame(self) -> pd.DataFrame:
        """The ranking (a copy)."""
        return self.table.copy()

    def to_csv(
        self, path: str | Path, *, encoding: str = "utf-8-sig", overwrite: bool = True
    ) -> Path:
        """Write :meth:`to_frame` as CSV, atomically and safe to open; see
        :func:`~beian_audit.reporting.exports.write_csv`."""
        from beian_audit.reporting.exports import write_csv

        return write_csv(self.to_frame(), path, encoding=encoding, overwrite=overwrite)

    def _summary(self) -> str:
        text = f"n={self.n}, ties={self.ties!r}, listed={len(self.table)}"
        if len(self.table):
            top = self.table.iloc[0]
            text += f", top={top['provider_id']!r} ({int(top['n_unfiled'])} unfiled)"
        return text


def _filed_flags(acc: pd.DataFrame, registry_or_match: object) -> pd.Series:
    if isinstance(registry_or_match, pd.Series | np.ndarray | list):
        flags = pd.Series(pd.array(np.asarray(registry_or_match, dtype=object), dtype="boolean"))
        if len(flags) != len(acc):
            raise SchemaError(
                f"registry_or_match holds {len(flags)} filed flags for {len(acc)} accessed sites"
            )
        return pd.Series(flags.to_numpy(), index=acc.index, dtype="boolean")
    frame = as_frame(registry_or_match, "registry_or_match")
    if "filed" in frame.columns and "site_id" in frame.columns:
        lookup = frame.drop_duplicates("site_id").set_index("site_id")["filed"].astype("boolean")
        flags = acc["site_id"].map(lookup)
        return pd.Series(flags.to_numpy(), index=acc.index, dtype="boolean")
    return match_accessed_sites(acc, frame)["filed"]


def top_unfiled_providers(
    accessed_sites: pd.DataFrame,
    registry_or_match: pd.DataFrame | pd.Series | np.ndarray | None = None,
    *,
    n: int = 10,
    ties: Ties = "include",
    providers: pd.DataFrame | None = None,
) -> UnfiledRanking:
    """The monthly top-``n`` access providers by number of unfiled websites accessed.

    Parameters
    ----------
    accessed_sites : DataFrame
        ``site_id``, ``provider_id`` (and ``domain`` when matching the registry).
    registry_or_match : DataFrame, Series or array, optional
        The registry (matched by registered domain with
        :func:`match_accessed_sites`); or a frame with ``site_id`` and a boolean
        ``filed`` (the output of :func:`match_accessed_sites` or a filing-rate
        census); or filed flags aligned with ``accessed_sites``. ``None``: the
        accessed-site list's own observed ``filed`` column. The synthetic
        ``truth_filed`` column is never used.
    n : int, default 10
        Places to list.
    ties : {"include", "exclude"}
        A tie across place ``n``: ``"include"`` (default) lists every provider
        tied at the last place, so more than ``n`` rows can appear;
        ``"exclude"`` leaves the whole tied group out, so fewer can. Tied
        providers share the smallest rank (1, 2, 2, 4) and are listed by
        ``provider_id``.
    providers : DataFrame, optional
        ``provider_id`` and ``provider_name``, to add names.

    Returns
    -------
    UnfiledRanking

    Notes
    -----
    This is a count over the full lists, not an estimate, so it carries no
    sampling error. Sites counted once per ``site_id``; providers with no
    unfiled site are not ranked; sites whose domain cannot be parsed are
    neither filed nor unfiled (``n_undetermined``).

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": list("abcdef"),
    ...                       "provider_id": ["P1", "P1", "P2", "P2", "P3", "P4"],
    ...                       "filed": [False, False, False, False, False, True]})
    >>> top_unfiled_providers(sites, n=2).to_frame()[["rank", "provider_id", "n_unfiled"]]
       rank provider_id  n_unfiled
    0     1          P1          2
    1     1          P2          2
    >>> len(top_unfiled_providers(sites, n=2, ties="exclude").table)
    2
    """
    acc = as_frame(accessed_sites, "accessed_sites")
    require_columns(acc, ["site_id", "provider_id"], name="accessed_sites")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ArgumentError(f"n ({n!r}) must be a positive integer")
    ties = check_choice("ties", ties, TIES)  # type: ignore[assignment]
    if registry_or_match is None:
        require_columns(acc, ["filed"], name="accessed_sites (registry_or_match=None)")
        filed = acc["filed"].astype("boolean")
    else:
        filed = _filed_flags(acc, registry_or_match)

    work = pd.DataFrame(
        {
            "provider_id": acc["provider_id"].astype(object).to_numpy(),
            "site_id": acc["site_id"].astype(object).to_numpy(),
            "unfiled": (~filed).fillna(False).to_numpy(bool),
            "undetermined": filed.isna().to_numpy(bool),
        }
    ).drop_duplicates("site_id")
    grouped = work.groupby("provider_id", sort=True)
    table = pd.DataFrame(
        {
            "n_unfiled": grouped["unfiled"].sum().astype(np.int64),
            "n_accessed": grouped.size().astype(np.int64),
            "n_undetermined": grouped["undetermined"].sum().astype(np.int64),
        }
    ).reset_index()
    n_providers = len(table)
    table = table[table["n_unfiled"] > 0]
    table = table.sort_values(["n_unfiled", "provider_id"], ascending=[False, True])
    table["rank"] = table["n_unfiled"].rank(method="min", ascending=False).astype(np.int64)
    keep = table["rank"] <= n
    if ties == "exclude":
        # a group straddles place n when it starts at or before n and ends after it
        group_end = table.groupby("rank")["rank"].transform("size") + table["rank"] - 1
        keep &= group_end <= n
    table = table[keep]
    table["share_unfiled"] = table["n_unfiled"] / (table["n_accessed"] - table["n_undetermined"])
    table["tied"] = table["rank"].duplicated(keep=False)
    columns = ["rank", "provider_id", "n_unfiled", "n_accessed", "share_unfiled",
               "n_undetermined", "tied"]  # fmt: skip
    if providers is not None:
        prov = as_frame(providers, "providers")
        require_columns(prov, ["provider_id", "provider_name"], name="providers")
        names = prov.drop_duplicates("provider_id").set_index("provider_id")["provider_name"]
        table["provider_name"] = table["provider_id"].map(names)
        columns.insert(2, "provider_name")
    return UnfiledRanking(
        table=table[columns].reset_index(drop=True), n=int(n), ties=ties, n_providers=n_providers
    )


# --------------------------------------------------------------------------- accuracy ranks
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class ProviderRanking(ResultMixin):
    """Providers ranked by estimated accuracy, with intervals and rank intervals.

    Attributes
    ----------
    table : DataFrame
        One row per provider, best first: the ``by`` column, ``n``,
        ``estimate``, ``ci_low``, ``ci_high`` (the estimates' intervals),
        ``rank`` (by point estimate, competition ranking), ``rank_low`` /
        ``rank_high`` (the rank interval), ``rank_mean`` (mean simulated rank),
        ``rank_interval`` (``"1–3"``).
    by : str
        The provider column.
    method : str
        How ranks were simulated (``"beta"`` or ``"normal"``).
    confidence_level : float
        Level of the rank intervals.
    simultaneous : bool
        Whether the rank intervals hold for all providers at once
        (Bonferroni), rather than one at a time.
    n_sim : int
        Number of simulated rankings.
    higher_is_better : bool
        Rank 1 is the highest estimate when ``True``.
    target : float or None
        The target the providers were judged against (``None``: no verdicts).
        With a target the table also has ``status`` (met / not_met /
        inconclusive), ``p_value``, ``p_value_not_met``, their
        ``*_adjusted`` versions and ``multiplicity``.
    multiplicity : str
        Multiplicity control of those verdicts (``"holm"``, ``"fdr_bh"`` or
        ``"none"``; ``"none"`` without a target).
    """

    table: pd.DataFrame
    by: str
    method: str
    confidence_level: float
    simultaneous: bool
    n_sim: int
    higher_is_better: bool
    target: float | None = None
    multiplicity: str = "none"

    def to_frame(self) -> pd.DataFrame:
        """The ranking (a copy)."""
        return self.table.copy()

    def to_csv(
        self, path: str | Path, *, encoding: str = "utf-8-sig", overwrite: bool = True
    ) -> Path:
        """Write :meth:`to_frame` as CSV, atomically and safe to open; see
        :func:`~beian_audit.reporting.exports.write_csv`."""
        from beian_audit.reporting.exports import write_csv

        return write_csv(self.to_frame(), path, encoding=encoding, overwrite=overwrite)

    def _summary(self) -> str:
        k = len(self.table)
        width = (self.table["rank_high"] - self.table["rank_low"]).mean() if k else math.nan
        return (
            f"providers={k}, method={self.method!r}, confidence_level={self.confidence_level:g}, "
            f"simultaneous={self.simultaneous}, mean_rank_interval_width={width:.3g}"
            + (f", target={self.target:g}, multiplicity={self.multiplicity!r}"
               if self.target is not None else "")
        )


def _estimates_from(
    sample_or_frame: object,
    outcome: str | None,
    by: str,
    ci_method: str,
    confidence_level: float,
) -> tuple[pd.DataFrame, ProportionEstimate]:
    if isinstance(sample_or_frame, ProportionEstimate):
        est = sample_or_frame
        if by not in est.by_columns:
            raise EstimationError(
                f"the ProportionEstimate has by columns {list(est.by_columns)}; "
                f"estimate it with by={by!r}"
            )
        table = est.by
        assert table is not None
    else:
        if outcome is None:
            raise EstimationError("outcome must name the 0/1 column to rank providers on")
        frame = as_frame(sample_or_frame, "sample_or_frame")
        require_columns(frame, [by, outcome], name="sample_or_frame")
        with warnings.catch_warnings():
            # a provider with all filings correct is the rule, not a problem
            warnings.simplefilter("ignore", DegenerateIntervalWarning)
            est = estimate_proportion(
                sample_or_frame,
                outcome,
                by=by,
                method=ci_method,  # type: ignore[arg-type]
                confidence_level=confidence_level,
            )
        table = est.by
        assert table is not None
    return table[[by, "n", "estimate", "se", "ci_low", "ci_high", "n_effective"]].copy(), est


def _draws(
    table: pd.DataFrame,
    method: str,
    n_sim: int,
    rng: np.random.Generator,
    level: float,
    prior: float,
) -> np.ndarray:
    """Simulated accuracies, shape (n_sim, providers)."""
    k = len(table)
    p = table["estimate"].to_numpy(float)
    if method == "beta":
        if {"posterior_alpha", "posterior_beta"} <= set(table.columns):
            a = table["posterior_alpha"].to_numpy(float)
            b = table["posterior_beta"].to_numpy(float)
            return rng.beta(a, b, size=(n_sim, k))
        size_col = "n_effective" if "n_effective" in table.columns else "n"
        sizes = pd.to_numeric(table[size_col], errors="coerce") if size_col in table else None
        if sizes is None or sizes.isna().any():
            raise EstimationError(
                "method='beta' needs posterior_alpha / posterior_beta, n_effective or n columns "
                "in estimates; pass method='normal' to simulate from estimate and se / interval"
            )
        m = sizes.to_numpy(float)
        census = ~np.isfinite(m)
        m = np.where(census, 1.0, m)
        draws = rng.beta(p * m + prior, (1.0 - p) * m + prior, size=(n_sim, k))
        return np.where(census, p, draws)
    # normal: the estimator's approximate sampling distribution, kept inside [0, 1]
    if "se" in table.columns:
        se = table["se"].to_numpy(float)
    else:
        from scipy.special import ndtri

        levels = (
            table["confidence_level"].to_numpy(float)
            if "confidence_level" in table.columns
            else np.full(k, level)
        )
        z = ndtri((1.0 + levels) / 2.0)
        se = (table["ci_high"].to_numpy(float) - table["ci_low"].to_numpy(float)) / (2.0 * z)
    if not np.isfinite(se).all():
        raise EstimationError("every provider needs a finite se (or interval) for method='normal'")
    return np.clip(p + se * rng.standard_normal((n_sim, k)), 0.0, 1.0)


def rank_providers(
    sample_or_frame: object | None = None,
    outcome: str | None = None,
    *,
    by: str = "provider_id",
    method: RankMethod = "beta",
    confidence_level: float = 0.95,
    simultaneous: bool = False,
    n_sim: int = 4000,
    rng: int | np.random.Generator | None = None,
    estimates: pd.DataFrame | None = None,
    ci_method: DesignMethod = "korn-graubard",
    higher_is_better: bool = True,
    prior: float = 0.5,
    target: float | None = None,
    multiplicity: Multiplicity = "holm",
) -> ProviderRanking:
    """Rank providers by estimated accuracy, with intervals and rank intervals.

    Parameters
    ----------
    sample_or_frame : Sample, DataFrame or ProportionEstimate, optional
        The spot-check sample with the outcome column, or an estimate made
        with ``by=by``. Not needed when ``estimates`` is given.
    outcome : str, optional
        The 0/1 outcome column (``"sponsor_info_correct"`` …).
    by : str, default "provider_id"
        The provider column.
    method : {"beta", "normal"}
        How to simulate each provider's accuracy (see Notes).
    confidence_level : float, default 0.95
        Level of the rank intervals (and of the accuracy intervals computed here).
    simultaneous : bool, default False
        ``True``: Bonferroni-adjust the rank intervals so that they hold for
        all providers at once (level ``1 - (1 - confidence_level) / K``).
    n_sim : int, default 4000
        Simulated rankings.
    rng : int or numpy.random.Generator, optional
        Seed or generator (never global state).
    estimates : DataFrame, optional
        The seam for other estimators (e.g. empirical-Bayes shrinkage): one
        row per provider with ``by``, ``estimate``, ``ci_low``, ``ci_high``
        and, for ``method="beta"``, ``posterior_alpha`` / ``posterior_beta``
        (drawn from directly) or ``n_effective`` / ``n``; for
        ``method="normal"``, ``se`` or the interval (its level from a
        ``confidence_level`` column, else ``confidence_level``).
    ci_method : str, default "korn-graubard"
        Interval method of the per-provider estimates computed from a sample.
    higher_is_better : bool, default True
        Rank 1 = highest accuracy; ``False`` ranks the worst first.
    prior : float, default 0.5
        Beta prior parameter added to both effective counts (0.5: Jeffreys).
    target : float, optional
        Judge every provider against this rate too (``status``, p-values):
        :func:`~beian_audit.estimation.assess_target` on the design-based
        estimates; with ``estimates=``, the frame must carry the unadjusted
        one-sided ``p_value`` and ``p_value_not_met`` (e.g.
        ``assess_target(est, target, multiplicity="none").by``).
    multiplicity : {"holm", "fdr_bh", "none"}
        Control of the provider verdicts for being many (default ``"holm"``:
        the chance of any wrong "met", and of any wrong "not_met", is at most
        ``1 - confidence_level``; ``"fdr_bh"``: false discovery rate;
        ``"none"``: each provider on its own). See
        :func:`~beian_audit.estimation.assess_target`.

    Returns
    -------
    ProviderRanking

    Raises
    ------
    EstimationError
        Missing outcome or estimate columns, invalid levels.
    ValueError
        Invalid options.

    Notes
    -----
    Ranks are simulated (Goldstein & Spiegelhalter 1996, sect. 5): draw every
    provider's accuracy ``n_sim`` times, rank each draw (ties share the
    smallest rank), and report the equal-tailed ``confidence_level`` interval
    of each provider's simulated ranks.

    * ``"beta"`` (default): provider :math:`k`'s accuracy is drawn from the
      posterior :math:`\\mathrm{Beta}(\\hat p_k n^*_k + a,\\,(1-\\hat p_k) n^*_k + a)`
      with :math:`n^*_k` the design-based effective sample size (Kish; equal to
      the number checked under simple random sampling, larger with a
      finite-population correction, infinite for a census, which fixes the
      rate) and :math:`a` = ``prior`` (Jeffreys: 1/2).
    * ``"normal"``: a parametric bootstrap of the design-based estimator,
      :math:`\\hat p_k + se_k Z` clipped to [0, 1]; for estimates that come only
      with an interval.

    Two providers whose rank intervals overlap are not distinguishable at this
    level: read the table as "rank between ``rank_low`` and ``rank_high``", not
    by its order. The intervals are marginal (one provider at a time) unless
    ``simultaneous=True``.

    References
    ----------
    Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their
    limitations. *JRSS A* 159(3), 385-443.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"provider_id": ["A"] * 40 + ["B"] * 40 + ["C"] * 40,
    ...                       "ok": [1] * 38 + [0] * 2 + [1] * 37 + [0] * 3 + [1] * 20 + [0] * 20})
    >>> r = rank_providers(frame, "ok", rng=1)
    >>> r.to_frame()[["provider_id", "estimate", "rank", "rank_low", "rank_high"]]
      provider_id  estimate  rank  rank_low  rank_high
    0           A     0.950     1         1          2
    1           B     0.925     2         1          2
    2           C     0.500     3         3          3
    """
    method = check_choice("method", method, RANK_METHODS)  # type: ignore[assignment]
    ci_method = check_choice("ci_method", ci_method, DESIGN_METHODS)  # type: ignore[assignment]
    level = check_level(confidence_level)
    if isinstance(n_sim, bool) or not isinstance(n_sim, int | np.integer) or n_sim < 100:
        raise ArgumentError(f"n_sim ({n_sim!r}) must be an integer >= 100")
    if isinstance(prior, bool) or not isinstance(prior, int | float) or not prior >= 0:
        raise ArgumentError(f"prior ({prior!r}) must be a number >= 0")
    multiplicity = check_choice(  # type: ignore[assignment]
        "multiplicity", multiplicity, MULTIPLICITY
    )
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, int | float) or not 0 < target < 1
    ):
        raise ArgumentError(f"target ({target!r}) must be a number strictly between 0 and 1")
    generator = np.random.default_rng(rng)
    source: ProportionEstimate | None = None

    if estimates is not None:
        table = as_frame(estimates, "estimates").copy()
        require_columns(table, [by, "estimate", "ci_low", "ci_high"], name="estimates")
        if "n" not in table.columns:
            table["n"] = np.nan
    elif sample_or_frame is not None:
        table, source = _estimates_from(sample_or_frame, outcome, by, ci_method, level)
    else:
        raise EstimationError("give a sample, a ProportionEstimate, or estimates=")
    table = table[table["estimate"].notna()].reset_index(drop=True)
    k = len(table)
    if k == 0:
        raise EstimationError("no provider has an estimate to rank")
    p = table["estimate"].to_numpy(float)
    if ((p < 0) | (p > 1)).any():
        raise EstimationError("estimates must lie in [0, 1]")

    draws = _draws(table, method, int(n_sim), generator, level, float(prior))
    sign = -1.0 if higher_is_better else 1.0
    from scipy.stats import rankdata

    ranks = rankdata(sign * draws, method="min", axis=1)
    rank_level = 1.0 - (1.0 - level) / k if simultaneous else level
    tail = (1.0 - rank_level) / 2.0
    low = np.quantile(ranks, tail, axis=0, method="inverted_cdf")
    high = np.quantile(ranks, 1.0 - tail, axis=0, method="inverted_cdf")

    if target is not None:
        table = _verdicts(table, source, by, float(target), level, multiplicity)
    table["rank"] = rankdata(sign * p, method="min").astype(np.int64)
    table["rank_low"] = low.astype(np.int64)
    table["rank_high"] = high.astype(np.int64)
    table["rank_mean"] = ranks.mean(axis=0)
    table["rank_interval"] = [
        str(a) if a == b else f"{a}–{b}" for a, b in zip(table["rank_low"], table["rank_high"],
                                                         strict=True)
    ]  # fmt: skip
    keep: Sequence[str] = [
        by, "n", "estimate", "ci_low", "ci_high", "rank", "rank_low", "rank_high",
        "rank_mean", "rank_interval",
    ]  # fmt: skip
    extra = [c for c in table.columns if c not in keep]
    table = table.sort_values(["rank", by], kind="stable")[[*keep, *extra]]
    return ProviderRanking(
        table=table.reset_index(drop=True),
        by=by,
        method=method,
        confidence_level=level,
        simultaneous=bool(simultaneous),
        n_sim=int(n_sim),
        higher_is_better=bool(higher_is_better),
        target=None if target is None else float(target),
        multiplicity=multiplicity if target is not None else "none",
    )


_VERDICT_COLUMNS = ("status", "p_value", "p_value_not_met", "p_value_adjusted",
                    "p_value_not_met_adjusted", "multiplicity")  # fmt: skip


def _verdicts(
    table: pd.DataFrame,
    source: ProportionEstimate | None,
    by: str,
    target: float,
    level: float,
    multiplicity: str,
) -> pd.DataFrame:
    """Add each provider's verdict against ``target`` under the multiplicity control."""
    if source is not None:
        judged = assess_target(source, target, confidence_level=level,
                               multiplicity=multiplicity)  # type: ignore[arg-type]  # fmt: skip
        found = judged.by
        assert found is not None
        found = found[[by, *_VERDICT_COLUMNS]]
        return table.drop(columns=[c for c in _VERDICT_COLUMNS if c in table.columns]).merge(
            found, on=by, how="left", validate="1:1"
        )
    require_columns(table, ["p_value", "p_value_not_met"], name="estimates (with target=)")
    a = 1.0 - level
    p_met = pd.to_numeric(table["p_value"], errors="coerce").to_numpy(float)
    p_not = pd.to_numeric(table["p_value_not_met"], errors="coerce").to_numpy(float)
    adj_met = adjust_p_values(p_met, multiplicity)  # type: ignore[arg-type]
    adj_not = adjust_p_values(p_not, multiplicity)  # type: ignore[arg-type]
    out = table.copy()
    out["status"] = np.where(adj_met <= a, "met", np.where(adj_not <= a, "not_met",
                                                           "inconclusive"))  # fmt: skip
    out["p_value_adjusted"] = adj_met
    out["p_value_not_met_adjusted"] = adj_not
    out["multiplicity"] = multiplicity
    return out
