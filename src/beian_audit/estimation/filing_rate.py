"""The filing rate: share of the websites providers host that have a filing.

:func:`filing_rate` matches the access providers' lists of accessed websites
against the registry and returns a :class:`FilingRate`:

* **census** (default): every accessed site is matched, so the rate of each
  provider and overall is an exact count, with the list of unfiled sites;
* **sample**: only a probability sample of accessed sites is matched (given as
  ``sample=``, or drawn here with ``sample_size=`` and ``seed=``), and the rate
  is a design-based estimate with its interval
  (:func:`~beian_audit.estimation.estimate_proportion`).

Either way ``FilingRate.estimate_result`` is a
:class:`~beian_audit.estimation.ProportionEstimate` that
:func:`~beian_audit.estimation.assess_target` accepts; for a census its
intervals have zero width (``note = "census"``), so the 99.5 % target is
decided without sampling error.

Matching rule: an accessed site is *filed* when the *filing domain* of its host
is the filing domain of a domain in some filing (IDN in A-label form;
case-folded). The filing domain is the registered domain under the whole Public
Suffix List, ICANN and private sections, so a tenant of a platform listed in the
private section must file its own name: ``x.github.io``, ``shop.myshopify.com``
match only a filing of ``x.github.io``, ``shop.myshopify.com`` (or a subdomain
of them), never GitHub's or Shopify's own filing. A host that is a
private-section suffix itself (``github.io``, the platform's own site) has its
ICANN registered domain as filing domain, so the platform's filing of
``github.io`` covers ``github.io`` and nothing below it. Elsewhere the filing
domain is the ICANN registered domain: ``www.example.com``, ``blog.example.com``
and ``EXAMPLE.COM`` are filed when ``example.com`` is, and ``例子.中国`` equals
``xn--fsqu00a.xn--fiqs8s``. Names the list lacks in its private section stay
with the platform (``bucket.oss-cn-hangzhou.aliyuncs.com`` → ``aliyuncs.com``).
Normalisation is :func:`beian_audit.checks.network.check_domain` with
``private_suffixes=True``.

Examples
--------
>>> import pandas as pd
>>> sites = pd.DataFrame({
...     "site_id": ["S1", "S2", "S3", "S4", "S5"],
...     "domain": ["www.Example.com", "blog.example.com", "xn--fsqu00a.xn--fiqs8s",
...                "unfiled.cn", "other.net"],
...     "provider_id": ["P1", "P1", "P2", "P2", "P2"]})
>>> registry = pd.DataFrame({"website_id": ["W1", "W2"], "domain": ["example.com", "例子.中国"]})
>>> rate = filing_rate(sites, registry)
>>> rate.to_frame()[["provider_id", "n", "n_filed", "n_unfiled", "estimate"]]
  provider_id  n  n_filed  n_unfiled  estimate
0          P1  2        2          0  1.000000
1          P2  3        1          2  0.333333
2         NaN  5        3          2  0.600000
>>> rate.unfiled[["site_id", "domain", "provider_id"]]
  site_id      domain provider_id
3      S4  unfiled.cn          P2
4      S5   other.net          P2
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._arrow import one_chunk
from beian_audit._results import ResultMixin
from beian_audit.errors import (
    DataQualityWarning,
    DegenerateIntervalWarning,
    EstimationError,
    SchemaError,
)
from beian_audit.estimation.intervals import (
    ALTERNATIVES,
    DESIGN_METHODS,
    Alternative,
    ConfidenceInterval,
    DesignMethod,
    DesignStats,
    check_choice,
    check_level,
    design_interval_arrays,
)
from beian_audit.estimation.stratified import ProportionEstimate, estimate_proportion

__all__ = ["UNDETERMINED_RULES", "FilingRate", "Undetermined", "filing_rate"]

Undetermined = Literal["unfiled", "exclude"]
UNDETERMINED_RULES: tuple[str, ...] = get_args(Undetermined)

#: Separators between several domains in one registry cell.
_SPLIT = r"[;,，；、|\s]+"
_OUTCOME = "filed"
_RULE = (
    "filed when the filing domain of the site's host is the filing domain of a domain in "
    "some filing; filing domain: the registered domain under the whole Public Suffix List "
    "(ICANN and private sections: a platform's tenants file their own names), the ICANN "
    "registered domain for a host that is a private-section suffix itself; IDNA "
    "2008/UTS-46 A-labels, lower case"
)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class FilingRate(ResultMixin):
    """Filing rate of accessed websites, overall and per provider (or other domains).

    Attributes
    ----------
    mode : {"census", "sample"}
        Whether every accessed site was matched or a probability sample.
    estimate : float
        Overall filing rate (exact for a census).
    ci : ConfidenceInterval
        Its interval (zero width, ``note="census"``, for a census).
    n : int
        Sites used (census: the accessed sites, less the undetermined ones
        when they are excluded; sample: the sampled sites used).
    n_filed, n_unfiled, n_undetermined : int
        Counts among the matched sites (every accessed site for a census, the
        sampled ones for a sample). Undetermined sites (no registered domain:
        a bare IP, a malformed or missing domain) are counted in
        ``n_unfiled`` too when ``undetermined="unfiled"``.
    by_columns : tuple of str
        Domain columns (e.g. ``("provider_id",)``).
    table : pandas.DataFrame
        One row per domain then the total (``level``): ``n_accessed`` (sites
        matched: every accessed site for a census, the sampled ones for a
        sample), ``n`` (those used in the rate), ``n_filed``, ``n_unfiled``,
        ``n_undetermined``, ``population_size`` (accessed sites, estimated in a
        sample), ``estimate``, ``se``, ``ci_low``, ``ci_high``,
        ``unfiled_estimate`` / ``unfiled_se`` / ``unfiled_low`` /
        ``unfiled_high`` (number of unfiled sites, the domain total
        :math:`\\hat N_d (1 - \\hat p_d)`, its standard error and interval;
        exact, SE 0, for a census), ``note``.
    sites : pandas.DataFrame
        One row per matched site (same index as the input): ``site_id`` (when
        given), the ``by`` columns, ``provider_id``, ``domain``, ``host``,
        ``registered_domain`` (ICANN section), ``filing_domain`` (the matching
        key, see the module docstring), ``domain_reason`` (``check_domain`` reason code),
        ``filed`` (nullable: NA when undetermined), ``website_id`` (a matching
        filing, the smallest id), ``filed_with_provider`` (a matching filing
        names the same provider; NA without provider columns).
    estimate_result : ProportionEstimate
        The estimate behind ``table``; pass it to
        :func:`~beian_audit.estimation.assess_target` (or use :meth:`assess`).
    sample : Sample, DataFrame or None
        The sample used (as given, or drawn with ``sample_size=``); ``None``
        for a census.
    undetermined : str
        How undetermined sites were counted.
    matching : dict
        The rule and counts of the registry side.
    """

    mode: str
    estimate: float
    ci: ConfidenceInterval
    n: int
    n_filed: int
    n_unfiled: int
    n_undetermined: int
    by_columns: tuple[str, ...]
    table: pd.DataFrame
    sites: pd.DataFrame
    estimate_result: ProportionEstimate
    sample: Any = None
    undetermined: str = "unfiled"
    matching: dict[str, Any] = field(default_factory=dict)

    @property
    def unfiled(self) -> pd.DataFrame:
        """The matched sites counted as unfiled (undetermined ones too when so counted)."""
        filed = self.sites["filed"]
        mask = (filed == False).fillna(False).to_numpy(bool)  # noqa: E712 - nullable
        if self.undetermined == "unfiled":
            mask |= filed.isna().to_numpy(bool)
        return self.sites[mask].copy()

    @property
    def by(self) -> pd.DataFrame | None:
        """One row per domain (``None`` without ``by``)."""
        if not self.by_columns:
            return None
        rows = self.table[self.table["level"] == "domain"]
        return rows.drop(columns=["level"]).reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per domain (provider …) plus the total."""
        return self.table.copy()

    def assess(self, target: float = 0.995, *, confidence_level: float = 0.95) -> Any:
        """:func:`~beian_audit.estimation.assess_target` of :attr:`estimate_result`.

        Examples
        --------
        >>> import pandas as pd
        >>> sites = pd.DataFrame({"site_id": ["S1", "S2"], "domain": ["a.cn", "b.cn"],
        ...                       "provider_id": ["P1", "P1"]})
        >>> filing_rate(sites, pd.DataFrame({"domain": ["a.cn"]})).assess(0.995).status
        'not_met'
        """
        from beian_audit.estimation.targets import assess_target

        return assess_target(self.estimate_result, target, confidence_level=confidence_level)

    def top_unfiled(self, n: int = 10) -> pd.DataFrame:
        """Providers by number of unfiled websites accessed (ties at place ``n`` included).

        Parameters
        ----------
        n : int, default 10
            Places to list; every provider tied at the last place is listed.

        Returns
        -------
        DataFrame
            Census: ``rank`` (1, 2, 2, 4 for ties), ``provider_id``,
            ``n_unfiled`` (exact), ``n_accessed``, ``n_undetermined``,
            ``share_unfiled``, ``tied``; providers without unfiled sites are
            not listed. Sample (estimated with ``by="provider_id"``):
            ``unfiled_estimate``, ``unfiled_low``, ``unfiled_high`` and
            ``population_size`` instead of the counts; the order is that of the
            point estimates, whose intervals may overlap.

        Raises
        ------
        EstimationError
            Without a ``provider_id`` column (census), or for a sample not
            estimated by ``provider_id``.

        Examples
        --------
        >>> import pandas as pd
        >>> sites = pd.DataFrame({"site_id": list("abcde"),
        ...                       "domain": ["a.cn", "b.cn", "c.cn", "d.cn", "e.cn"],
        ...                       "provider_id": ["P1", "P2", "P2", "P3", "P3"]})
        >>> rate = filing_rate(sites, pd.DataFrame({"domain": ["a.cn"]}))
        >>> rate.top_unfiled(1)[["rank", "provider_id", "n_unfiled", "tied"]]
           rank provider_id  n_unfiled  tied
        0     1          P2          2  True
        1     1          P3          2  True
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise EstimationError(f"n ({n!r}) must be a positive integer")
        if self.mode == "census":
            if "provider_id" not in self.sites.columns:
                raise EstimationError("top_unfiled() needs a provider_id column")
            filed = self.sites["filed"]
            unfiled = (filed == False).fillna(False).to_numpy(bool)  # noqa: E712
            undetermined = filed.isna().to_numpy(bool)
            if self.undetermined == "unfiled":
                unfiled = unfiled | undetermined
            work = pd.DataFrame({
                "provider_id": self.sites["provider_id"].to_numpy(object),
                "n_unfiled": unfiled.astype(np.int64),
                "n_accessed": np.ones(len(filed), np.int64),
                "n_undetermined": undetermined.astype(np.int64),
            })  # fmt: skip
            table = work.groupby("provider_id", sort=True, dropna=False).sum().reset_index()
            used = table["n_accessed"] - (
                table["n_undetermined"] if self.undetermined == "exclude" else 0
            )
            with np.errstate(all="ignore"):
                table["share_unfiled"] = table["n_unfiled"] / used
            key = "n_unfiled"
        else:
            if self.by_columns != ("provider_id",):
                raise EstimationError(
                    "top_unfiled() on a sample needs the rate estimated with by='provider_id'"
                )
            rows = self.table[self.table["level"] == "domain"]
            table = rows[["provider_id", "unfiled_estimate", "unfiled_low", "unfiled_high",
                          "population_size"]].copy()  # fmt: skip
            with np.errstate(all="ignore"):
                table["share_unfiled"] = table["unfiled_estimate"] / table["population_size"]
            key = "unfiled_estimate"
        table = table[table[key] > 0]
        table = table.sort_values([key, "provider_id"], ascending=[False, True], kind="stable")
        table.insert(0, "rank", table[key].rank(method="min", ascending=False).astype(np.int64))
        table = table[table["rank"] <= n]
        table["tied"] = table["rank"].duplicated(keep=False)
        return table.reset_index(drop=True)

    def _summary(self) -> str:
        text = (
            f"mode={self.mode!r}, estimate={self.estimate:.6g}, "
            f"ci=[{self.ci.low:.6g}, {self.ci.high:.6g}], n={self.n}, "
            f"unfiled={self.n_unfiled}"
        )
        if self.n_undetermined:
            text += f", undetermined={self.n_undetermined}"
        if self.by_columns:
            text += f", domains={int((self.table['level'] == 'domain').sum())}"
        return text


# --------------------------------------------------------------------------- matching
def _require(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{name} lacks column(s) {missing}; it has {list(frame.columns)}",
            pd.DataFrame({"row": [None] * len(missing), "column": missing,
                          "value": [None] * len(missing),
                          "reason": ["missing_column"] * len(missing)}),
        )


def _object_series(values: pd.Series) -> pd.Series:
    """Values as an object Series with ``None`` for missing (positional index)."""
    arr = values.astype("object").to_numpy(copy=True)
    arr[pd.isna(arr)] = None
    return pd.Series(arr, dtype="object")


#: ``_SPLIT`` for RE2 (pyarrow): Python's ``\\s`` is every ``str.isspace`` character,
#: RE2's only the ASCII ones, so the class lists them.
_SPLIT_RE2 = "[;,，；、|" + "".join(
    c for c in map(chr, range(0x3001)) if c.isspace()
) + "]+"


def _text_array(values: pd.Series) -> Any:
    """A column as a pyarrow ``large_string`` array; missing and non-text values are null."""
    import pyarrow as pa

    from beian_audit._arrow import is_arrow_string as _is_arrow_string
    from beian_audit._text import as_text

    if _is_arrow_string(values.dtype):
        return one_chunk(pa.array(values.array)).cast(pa.large_string())
    raw = values.astype("object").to_numpy()
    text = np.array([v if isinstance(v, str) else None for v in raw], dtype=object)
    try:
        return pa.array(text, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):  # lone surrogates
        return pa.array(as_text(pd.Series(text)).to_numpy(), type=pa.large_string())


def _registry_domains(registry: pd.DataFrame) -> tuple[pd.DataFrame, Any, dict[str, Any]]:
    """One row per (filing, filing domain): ``website_id``, ``provider_id``, …

    The ``domain`` cells are split (``;``, ``,``, ``、``, ``|``, white space) and the
    filing domain of every piece found with :func:`check_domain`, all in
    pyarrow (no Python string per row). The filing domains, one per row of
    the frame, come back as a pyarrow array.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from beian_audit._arrow import string_array as _str_array
    from beian_audit._arrow import to_numpy as _np
    from beian_audit.checks.network import check_domain

    pieces = pc.split_pattern_regex(_text_array(registry["domain"]), _SPLIT_RE2)
    parent = _np(pc.list_parent_indices(pieces)).astype(np.int64)
    flat = pc.list_flatten(pieces)
    keep = _np(pc.greater(pc.utf8_length(flat), 0))
    rows = parent[keep]
    checked = check_domain(
        pd.Series(_str_array(flat.filter(pa.array(keep)))), private_suffixes=True
    )
    registered = checked["filing_domain"]
    valid = registered.notna().to_numpy(dtype=bool)
    rows = rows[valid]
    long = pd.DataFrame({"row": rows})
    for col in ("website_id", "provider_id"):
        if col in registry.columns:
            long[col] = registry[col].iloc[rows].reset_index(drop=True)
    if "website_id" not in long.columns:
        long["website_id"] = rows
    info: dict[str, Any] = {
        "registry_rows": len(registry),
        "registry_domains": int(keep.sum()),
        "registry_invalid_domains": int((~valid).sum()),
    }
    return long, _text_array(registered[valid]), info


def _first_filing(domains: Any, website_ids: pd.Series) -> tuple[Any, np.ndarray]:
    """Each distinct registered domain (pyarrow array) and the smallest ``website_id``.

    Most registered domains have one filing; only the shared ones are sorted.
    Ids of one type are compared as they are; ids of mixed types (numbers and
    text) by their text.
    """
    import pyarrow.compute as pc

    from beian_audit._arrow import to_numpy as _np

    encoded = pc.dictionary_encode(domains)
    codes = _np(encoded.indices).astype(np.int64)
    k = len(encoded.dictionary)
    ids = website_ids.to_numpy(dtype=object)
    pos = np.empty(k, dtype=np.int64)
    shared = np.bincount(codes, minlength=k)[codes] > 1
    pos[codes[~shared]] = np.flatnonzero(~shared)
    rows = np.flatnonzero(shared)
    if rows.size:
        sub = pd.DataFrame({"c": codes[rows], "w": ids[rows], "r": rows})
        try:
            sub = sub.sort_values(["c", "w"], kind="stable")
        except TypeError:  # ids of mixed types
            sub = sub.assign(t=sub["w"].astype(str)).sort_values(["c", "t"], kind="stable")
        first = sub.drop_duplicates("c")
        pos[first["c"].to_numpy()] = first["r"].to_numpy()
    return encoded.dictionary, ids[pos]


def _match(
    sites: pd.DataFrame, registry: pd.DataFrame, by_columns: tuple[str, ...]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per-site match table (same index as ``sites``)."""
    import pyarrow.compute as pc

    from beian_audit._arrow import join_strings as _join
    from beian_audit._arrow import to_numpy as _np
    from beian_audit.checks.network import check_domain

    filed_domains, filed_registered, info = _registry_domains(registry)
    first_dom, first_id = _first_filing(filed_registered, filed_domains["website_id"])
    info["registry_registered_domains"] = len(first_dom)
    checked = check_domain(_object_series(sites["domain"]), private_suffixes=True)
    out = pd.DataFrame(index=sites.index)
    if "site_id" in sites.columns:
        out["site_id"] = sites["site_id"].to_numpy()
    for col in dict.fromkeys((*by_columns, "provider_id")):
        if col in sites.columns:
            out[col] = sites[col].to_numpy()
    out["domain"] = sites["domain"].to_numpy()
    out["host"] = checked["host"].to_numpy(dtype=object)
    reg_dom = checked["registered_domain"].to_numpy(dtype=object)
    out["registered_domain"] = reg_dom
    out["filing_domain"] = checked["filing_domain"].to_numpy(dtype=object)
    out["domain_reason"] = checked["reason"].to_numpy(dtype=object)

    # hash look-ups in pyarrow (no merge of a million-row frame)
    site_dom = _text_array(checked["filing_domain"])
    at = pc.index_in(site_dom, value_set=first_dom)
    undetermined = pd.isna(reg_dom)
    filed = pd.array(_np(at.is_valid()), dtype="boolean")
    filed[undetermined] = pd.NA
    out["filed"] = filed
    where = _np(at.fill_null(-1)).astype(np.int64)  # -1: no filing, the NaN at the end
    out["website_id"] = np.append(first_id, np.nan)[where]
    if "provider_id" in filed_domains.columns and "provider_id" in sites.columns:
        sep = "\x1f"  # a unit separator: in neither a domain nor a provider id
        pairs = _join(filed_registered, sep,
                      _text_array(filed_domains["provider_id"].astype(object).astype(str)))
        keys = _join(site_dom, sep,
                     _text_array(sites["provider_id"].astype(object).astype(str)))
        same = _np(pc.is_in(keys, value_set=pc.unique(pairs)))
        flag = pd.array(same & pd.notna(sites["provider_id"].to_numpy(dtype=object)),
                        dtype="boolean")
        flag[undetermined] = pd.NA
        out["filed_with_provider"] = flag
    else:
        out["filed_with_provider"] = pd.array([pd.NA] * len(out), dtype="boolean")
    info["rule"] = _RULE
    return out, info


def match_sites(accessed_sites: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Match accessed sites against the registry by filing domain (the census rule).

    A site is filed when the filing domain of its host (its registered domain
    under the ICANN and private sections of the Public Suffix List, see the
    module docstring; IDN in ASCII form; ``www.`` and other subdomains covered) is
    the filing domain of a domain in some filing: a platform's tenant
    (``x.github.io``) is not covered by the platform's filing (``github.io``).
    Returns one row per site (same index): ``site_id``, ``provider_id``,
    ``domain``, ``host``, ``registered_domain`` (ICANN section),
    ``filing_domain``, ``domain_reason``, ``filed`` (NA when the site's domain
    cannot be parsed),
    ``website_id`` (the smallest matching filing) and ``filed_with_provider``.

    Examples
    --------
    >>> sites = pd.DataFrame({"site_id": ["S1", "S2"], "provider_id": ["P1", "P1"],
    ...                       "domain": ["www.Example.com.cn", "other.cn"]})
    >>> reg = pd.DataFrame({"website_id": ["W9"], "domain": ["example.com.cn"]})
    >>> match_sites(sites, reg)["filed"].tolist()
    [True, False]
    >>> tenants = pd.DataFrame({"domain": ["github.io", "x.github.io", "y.github.io"]})
    >>> match_sites(tenants, pd.DataFrame({"domain": ["github.io", "x.github.io"]}))[
    ...     ["registered_domain", "filing_domain", "filed"]]
      registered_domain filing_domain  filed
    0         github.io     github.io   True
    1         github.io   x.github.io   True
    2         github.io   y.github.io  False
    """
    return _match(accessed_sites, registry, ())[0]


# --------------------------------------------------------------------------- helpers
def _by_tuple(by: object) -> tuple[str, ...]:
    if by is None:
        return ()
    if isinstance(by, str):
        return (by,)
    if isinstance(by, Sequence) and all(isinstance(b, str) for b in by):
        return tuple(by)
    raise EstimationError(f"by ({by!r}) must be a column name, a list of them, or None")


def _outcome(sites: pd.DataFrame, undetermined: str) -> np.ndarray:
    filed = sites["filed"]
    y = filed.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if undetermined == "unfiled":
        y = np.where(np.isnan(y), 0.0, y)
    return y


def _warn_undetermined(sites: pd.DataFrame, undetermined: str) -> None:
    mask = sites["filed"].isna().to_numpy(bool)
    if not mask.any():
        return
    reasons = sites.loc[mask, "domain_reason"].value_counts()
    shown = ", ".join(f"{r or 'unknown'} {c}" for r, c in reasons.items())
    treated = "counted as unfiled" if undetermined == "unfiled" else "left out of the rate"
    warnings.warn(
        f"{int(mask.sum())} accessed site(s) have no registered domain to match ({shown}); "
        f"{treated} (undetermined={undetermined!r})",
        DataQualityWarning,
        stacklevel=3,
    )


def _table(
    est: ProportionEstimate,
    sites: pd.DataFrame,
    by_columns: tuple[str, ...],
    undetermined: str,
    unfiled_totals: dict[str, np.ndarray] | None,
) -> pd.DataFrame:
    filed = sites["filed"]
    counts = pd.DataFrame({
        "n_accessed": np.ones(len(filed), np.int64),
        "n_filed": (filed == True).fillna(False).to_numpy(np.int64),  # noqa: E712
        "n_unfiled": (filed == False).fillna(False).to_numpy(np.int64),  # noqa: E712
        "n_undetermined": filed.isna().to_numpy(np.int64),
    })  # fmt: skip
    if undetermined == "unfiled":
        counts["n_unfiled"] += counts["n_undetermined"]
    total = counts.sum().to_frame().T
    t = est.table
    keep = [*by_columns, "level", "n", "population_size", "estimate", "se", "ci_low",
            "ci_high", "note"]  # fmt: skip
    table = t[keep].copy().reset_index(drop=True)
    if by_columns:
        for col in by_columns:
            counts[col] = sites[col].to_numpy()
        per = counts.groupby(list(by_columns), dropna=False, sort=True).sum().reset_index()
        dom = table[table["level"] == "domain"].merge(per, on=list(by_columns), how="left")
        tot = table[table["level"] == "total"].reset_index(drop=True)
        tot = pd.concat([tot, total.reset_index(drop=True)], axis=1)
        table = pd.concat([dom, tot], ignore_index=True)
    else:
        table = pd.concat([table, total.reset_index(drop=True)], axis=1)
    for col in ("n_accessed", "n_filed", "n_unfiled", "n_undetermined"):
        table[col] = table[col].fillna(0).astype(np.int64)
    size = table["population_size"].to_numpy(float)
    unfiled = size * (1.0 - table["estimate"].to_numpy(float))
    census = (table["note"] == "census").to_numpy(bool)
    table["unfiled_estimate"] = np.where(census, np.round(unfiled), unfiled)  # exact counts
    if unfiled_totals is None:  # a census: exact counts
        table["unfiled_se"] = 0.0
        table["unfiled_low"] = size * (1.0 - table["ci_high"].to_numpy(float))
        table["unfiled_high"] = size * (1.0 - table["ci_low"].to_numpy(float))
    else:  # est.table and table have the same rows in the same order
        for col, values in unfiled_totals.items():
            table[col] = values
    order = [*by_columns, "level", "n_accessed", "n", "n_filed", "n_unfiled", "n_undetermined",
             "population_size", "estimate", "se", "ci_low", "ci_high", "unfiled_estimate",
             "unfiled_se", "unfiled_low", "unfiled_high", "note"]  # fmt: skip
    return table[order]


# --------------------------------------------------------------------------- unfiled totals
def _domain_codes(frame: pd.DataFrame, by_columns: tuple[str, ...]) -> tuple[np.ndarray, int]:
    """Domain code per row, in the order of ``estimate_proportion``'s table."""
    if not by_columns:
        return np.zeros(len(frame), dtype=np.int64), 1
    if len(by_columns) == 1:
        codes, uniques = pd.factorize(frame[by_columns[0]], sort=True, use_na_sentinel=False)
        return codes.astype(np.int64, copy=False), len(uniques)
    grouped = frame.groupby(list(by_columns), dropna=False, sort=True, observed=True)
    return grouped.ngroup().to_numpy(dtype=np.int64), int(grouped.ngroups)


def _total_variance(
    values: np.ndarray, codes: np.ndarray, n_domains: int, design: Any
) -> np.ndarray:
    """Linearised variance of each domain total :math:`\\hat T_d = \\sum_{i \\in d} w_i x_i`.

    The scores are :math:`w_i x_i` inside the domain and 0 outside it (rows with
    a missing ``values`` are outside every domain), every stratum keeping its
    :math:`n_h` PSUs: R ``svytotal`` on ``subset(design, d)``, with the
    finite-population correction and lonely-PSU rule (``"adjust"``) of
    :func:`~beian_audit.estimation.estimate_proportion`.
    """
    from beian_audit.estimation.design import _compact
    from beian_audit.estimation.variance import _finish

    G, H = n_domains, design.n_h.size
    rows = np.flatnonzero(~np.isnan(values) & (codes >= 0))
    d = codes[rows]
    t = design.w[rows] * values[rows]
    if design.psu is None:
        cell_g, cell_h, t_cell = d, design.stratum[rows], t
    else:
        P = int(design.psu_stratum.size)
        cell, uniques = _compact(d * P + design.psu[rows], G * P)
        cell_g, cell_h = uniques // P, design.psu_stratum[uniques % P]
        t_cell = np.bincount(cell, weights=t, minlength=uniques.size)
    gh, pairs = _compact(cell_g * H + cell_h, G * H)
    gh_g, gh_h = pairs // H, pairs % H
    m = np.bincount(gh, minlength=pairs.size).astype(float)
    s1 = np.bincount(gh, weights=t_cell, minlength=pairs.size)
    nh = design.n_h[gh_h].astype(float)
    tbar = s1 / nh
    dev = t_cell - tbar[gh]
    ss = np.bincount(gh, weights=dev * dev, minlength=pairs.size) + (nh - m) * tbar * tbar
    scale = np.bincount(cell_g, weights=t_cell * t_cell, minlength=G)
    ss = np.where(ss <= 1e-24 * scale[gh_g], 0.0, ss)  # rounding, as estimate_proportion
    zeros = np.zeros(G)
    stats = _finish(ss, s1, gh_g, gh_h, G, design, "adjust", zeros, zeros, zeros, zeros)
    return np.asarray(stats["variance"], dtype=float)


def _unfiled_totals(
    data: pd.DataFrame,
    y: np.ndarray,
    est: ProportionEstimate,
    by_columns: tuple[str, ...],
    method: str,
    alternative: str,
    level: float,
) -> dict[str, np.ndarray]:
    """``unfiled_se`` / ``unfiled_low`` / ``unfiled_high`` of a sample, one per table row.

    The number of unfiled sites of a domain, :math:`\\hat U_d = \\hat N_d (1 - \\hat p_d)
    = \\sum_{i \\in d} w_i (1 - y_i)`, is a domain total; its variance is that of
    the total (:func:`_total_variance`), which includes the sampling error of
    :math:`\\hat N_d`, not :math:`\\hat N_d^2 \\hat V(\\hat p_d)`. Where
    :math:`\\hat N_d` has no sampling error (the domain is a union of whole
    strata, e.g. providers when providers are the strata, and the total of a
    stratified sample) the two agree and the interval is
    :math:`\\hat N_d` times the rate's. Elsewhere the interval is that of the
    share :math:`\\hat U_d / \\hat N` of all units that are in the domain and
    unfiled (the chosen method, on the whole sample's size and degrees of
    freedom, variance :math:`\\hat V(\\hat U_d) / \\hat N^2`), times the whole
    sample's :math:`\\hat N`.
    """
    from beian_audit.estimation.design import _build_design

    cols = {k: est.design.get(k) for k in ("strata", "population_size", "weight", "cluster")}
    design = _build_design(data, cols, len(data))
    codes, G = _domain_codes(data, by_columns)
    u = 1.0 - y  # NaN (left out) stays NaN
    ones = np.where(np.isnan(y), np.nan, 1.0)
    zero = np.zeros(len(data), dtype=np.int64)
    var_u = _total_variance(u, codes, G, design) if by_columns else np.zeros(0)
    var_n = _total_variance(ones, codes, G, design) if by_columns else np.zeros(0)
    var_u = np.append(var_u, _total_variance(u, zero, 1, design))
    var_n = np.append(var_n, _total_variance(ones, zero, 1, design))

    t = est.table
    size = t["population_size"].to_numpy(float)
    p = t["estimate"].to_numpy(float)
    total_u = size * (1.0 - p)
    low = size * (1.0 - t["ci_high"].to_numpy(float))
    high = size * (1.0 - t["ci_low"].to_numpy(float))
    fixed = var_n <= 1e-12 * size * size  # N_d known: the rate's interval scales
    big_n = size[-1]
    if not fixed.all() and big_n > 0:
        stats = DesignStats.of(
            1.0 - total_u / big_n, var_u / (big_n * big_n),
            t["n"].to_numpy(float)[-1], t["df"].to_numpy(float)[-1], False,
        )  # fmt: skip
        share_low, share_high, _ = design_interval_arrays(method, stats, alternative, level)
        low = np.where(fixed, low, big_n * (1.0 - share_high))
        high = np.where(fixed, high, big_n * (1.0 - share_low))
    return {"unfiled_se": np.sqrt(var_u), "unfiled_low": low, "unfiled_high": high}


# --------------------------------------------------------------------------- entry point
def filing_rate(
    accessed_sites: pd.DataFrame,
    registry: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "provider_id",
    sample: Any = None,
    sample_size: int | None = None,
    seed: int | None = None,
    strata: str | Sequence[str] | None = "provider_id",
    allocation: str = "proportional",
    key: str = "site_id",
    undetermined: Undetermined = "unfiled",
    method: DesignMethod = "korn-graubard",
    confidence_level: float = 0.95,
    alternative: Alternative = "two-sided",
) -> FilingRate:
    """Filing rate of the websites providers host: a census, or an estimate from a sample.

    Parameters
    ----------
    accessed_sites : DataFrame
        The providers' accessed-site lists
        (:data:`~beian_audit.schema.ACCESSED_SITES_SCHEMA`): ``domain`` (host or
        URL), ``provider_id``, ``site_id``; ``ip`` is not used. A synthetic
        ``truth_filed`` column is ignored.
    registry : DataFrame
        The filings (:data:`~beian_audit.schema.FILING_SCHEMA`): ``domain`` (a
        cell may list several, separated by ``;``, ``,``, ``、`` or spaces),
        and optionally ``website_id`` and ``provider_id``.
    by : str, list of str or None, default "provider_id"
        Domain column(s) of the accessed-site list (or of the sample).
    sample : Sample or DataFrame, optional
        A probability sample of accessed sites with its design columns
        (``stratum``, ``population_size``, ``weight`` as
        :func:`~beian_audit.sampling.draw_sample` writes them, or any design
        :func:`~beian_audit.estimation.estimate_proportion` reads): only these
        sites are matched and the rate is estimated.
    sample_size : int, optional
        Draw a sample of this size from ``accessed_sites`` here
        (:func:`~beian_audit.sampling.plan_sample` with ``strata`` and
        ``allocation``, then :func:`~beian_audit.sampling.draw_sample` with
        ``seed`` and ``key``). Needs ``seed``.
    seed : int, optional
        Seed of the draw (recorded in ``sample.manifest``).
    strata : str, list of str or None, default "provider_id"
        Strata of the drawn sample.
    allocation : str, default "proportional"
        Allocation of the drawn sample across strata.
    key : str, default "site_id"
        Unique key of the accessed sites for the draw.
    undetermined : {"unfiled", "exclude"}
        Sites whose domain has no registered domain (bare IP, malformed,
        missing): ``"unfiled"`` (default; no filing can be shown for them, the
        conservative reading for a 99.5 % target) or ``"exclude"`` (left out
        of numerator and denominator). Either way they are counted in
        ``n_undetermined`` and a :class:`~beian_audit.errors.DataQualityWarning`
        names them.
    method : str, default "korn-graubard"
        Interval method of the sample estimate (see
        :func:`~beian_audit.estimation.estimate_proportion`); recorded but
        irrelevant for a census.
    confidence_level : float, default 0.95
        Level of the intervals.
    alternative : {"two-sided", "greater", "less"}
        Sides of the intervals (``"greater"``: lower bound only).

    Returns
    -------
    FilingRate

    Raises
    ------
    SchemaError
        When a required column is missing.
    EstimationError
        Invalid options (``sample`` and ``sample_size`` together,
        ``sample_size`` without ``seed`` …).

    Warns
    -----
    DataQualityWarning
        When some sites have no registered domain.

    Notes
    -----
    Census: with :math:`F_h` filed among :math:`A_h` accessed sites of
    provider :math:`h`, the rate is :math:`F_h / A_h` and overall
    :math:`\\sum F_h / \\sum A_h`, exact. It is returned as a
    :class:`~beian_audit.estimation.ProportionEstimate` of a single-stratum
    design with sampling fraction 1, so every interval has zero width
    (``note = "census"``) and :func:`~beian_audit.estimation.assess_target`
    decides ``"met"`` exactly when the rate reaches the target (p-value 0 or
    1).

    Sample: the 0/1 outcome *filed* of each sampled site goes to
    :func:`~beian_audit.estimation.estimate_proportion` (stratified Hájek
    estimator, linearised variance with finite-population correction, the
    chosen interval method). The number of unfiled sites of a domain,
    :math:`\\hat U_d = \\hat N_d (1 - \\hat p_d) = \\sum_{i \\in d} w_i (1 - y_i)`,
    is a domain total: ``unfiled_se`` is its linearised standard error (R
    ``svytotal`` on ``subset(design, d)``), which includes the sampling error of
    :math:`\\hat N_d`. Where :math:`\\hat N_d` has none (the domains are the
    strata, and the overall total) the bounds are
    :math:`\\hat N_d (1 - \\text{ci}_{high})`, :math:`\\hat N_d (1 - \\text{ci}_{low})`;
    elsewhere they are :math:`\\hat N` times the interval of the share
    :math:`\\hat U_d / \\hat N` (see ``docs/methodology.md``).

    Matching is vectorised: each distinct domain is normalised once with
    :func:`~beian_audit.checks.network.check_domain` and the sites are joined to
    the registry's filing domains with hash look-ups. A filing covers its filing
    domain and every subdomain of it (filings are made per registered domain, and
    a platform's tenants file their own names); a site accessed by one provider but filed
    with another is *filed* (``filed_with_provider`` is then False: an
    access-information defect, not a missing filing).

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": [f"S{i}" for i in range(400)],
    ...                       "domain": [f"site{i}.cn" for i in range(400)],
    ...                       "provider_id": ["P1", "P2"] * 200})
    >>> registry = pd.DataFrame({"domain": [f"site{i}.cn" for i in range(380)]})
    >>> census = filing_rate(sites, registry)
    >>> census.estimate, census.n_unfiled, census.assess(0.9).status
    (0.95, 20, 'met')
    >>> est = filing_rate(sites, registry, sample_size=100, seed=5)
    >>> est.mode, est.n, est.estimate, round(est.ci.low, 4), round(est.ci.high, 4)
    ('sample', 100, 0.95, 0.8872, 0.9836)
    >>> est.assess(0.9).status   # the sample cannot show 90 % yet
    'inconclusive'
    """
    undetermined = check_choice("undetermined", undetermined, UNDETERMINED_RULES)  # type: ignore[assignment]
    method = check_choice("method", method, DESIGN_METHODS)  # type: ignore[assignment]
    alternative = check_choice("alternative", alternative, ALTERNATIVES)  # type: ignore[assignment]
    level = check_level(confidence_level)
    by_columns = _by_tuple(by)
    if not isinstance(accessed_sites, pd.DataFrame):
        raise EstimationError(
            f"accessed_sites must be a DataFrame, not {type(accessed_sites).__name__}"
        )
    if not isinstance(registry, pd.DataFrame):
        raise EstimationError(f"registry must be a DataFrame, not {type(registry).__name__}")
    _require(registry, ["domain"], "registry")
    if sample is not None and sample_size is not None:
        raise EstimationError("give either sample= or sample_size=, not both")
    if sample_size is not None:
        sample = _draw_sites(accessed_sites, sample_size, seed=seed, key=key, strata=strata,
                             allocation=allocation, by_columns=by_columns)
    # 1. the sites: every accessed site (census) or the sample's
    mode, data = _sites_of(accessed_sites, sample, by_columns)
    # 2. each site filed or not: its registered domain matched against the registry
    sites, info = _match(data, registry, by_columns)
    info["undetermined"] = undetermined
    _warn_undetermined(sites, undetermined)
    y = _outcome(sites, undetermined)
    # 3. the rate (design-based for a sample), and the estimated unfiled totals
    work, est = _estimate_rate(data, y, mode, by_columns, method=method, level=level,
                               alternative=alternative)
    unfiled_totals = (
        None if mode == "census"
        else _unfiled_totals(work, y, est, by_columns, method, alternative, level)
    )  # fmt: skip
    table = _table(est, sites, by_columns, undetermined, unfiled_totals)
    total = table.iloc[-1]
    return FilingRate(
        mode=mode,
        estimate=float(est.estimate),
        ci=est.ci,
        n=int(est.n),
        n_filed=int(total["n_filed"]),
        n_unfiled=int(total["n_unfiled"]),
        n_undetermined=int(total["n_undetermined"]),
        by_columns=by_columns,
        table=table,
        sites=sites,
        estimate_result=est,
        sample=sample,
        undetermined=undetermined,
        matching=info,
    )


# --------------------------------------------------------------------------- steps


def _draw_sites(
    accessed_sites: pd.DataFrame,
    sample_size: int,
    *,
    seed: int | None,
    key: str,
    strata: str | Sequence[str] | None,
    allocation: str,
    by_columns: tuple[str, ...],
) -> Any:
    """A stratified sample of ``sample_size`` accessed sites (``sample_size=``)."""
    if isinstance(sample_size, bool) or not isinstance(sample_size, int | np.integer) or (
        sample_size < 1
    ):
        raise EstimationError(f"sample_size ({sample_size!r}) must be a positive integer")
    if seed is None:
        raise EstimationError("sample_size= needs seed= (it is recorded in the manifest)")
    _require(accessed_sites, [key, "domain", *by_columns], "accessed_sites")
    from beian_audit.sampling import draw_sample, plan_sample

    plan = plan_sample(
        accessed_sites, strata=strata, n=int(sample_size), allocation=allocation  # type: ignore[arg-type]
    )
    return draw_sample(accessed_sites, plan, seed=seed, key=key)


def _sites_of(
    accessed_sites: pd.DataFrame, sample: Any, by_columns: tuple[str, ...]
) -> tuple[str, pd.DataFrame]:
    """``("census", accessed_sites)`` without a sample, else ``("sample", its frame)``."""
    if sample is None:
        mode = "census"
        data = accessed_sites
    else:
        mode = "sample"
        data = getattr(sample, "frame", sample)
        if not isinstance(data, pd.DataFrame):
            raise EstimationError(
                f"sample must be a Sample or a DataFrame, not {type(sample).__name__}"
            )
    _require(data, ["domain", *by_columns], "accessed_sites" if mode == "census" else "sample")
    if len(data) == 0:
        raise EstimationError(f"{'accessed_sites' if mode == 'census' else 'sample'} is empty")
    return mode, data


def _estimate_rate(
    data: pd.DataFrame,
    y: np.ndarray,
    mode: str,
    by_columns: tuple[str, ...],
    *,
    method: DesignMethod,
    level: float,
    alternative: Alternative,
) -> tuple[pd.DataFrame, ProportionEstimate]:
    """The frame estimated on (with the outcome column) and the estimate of the rate.

    A census is one stratum taken whole (a zero-width interval is its point, not
    a degenerate case); a sample is estimated under its own design.
    """
    with warnings.catch_warnings():
        if mode == "census":
            warnings.simplefilter("ignore", DegenerateIntervalWarning)
            work = pd.DataFrame({c: data[c].to_numpy() for c in by_columns})
            work[_OUTCOME] = y
            work["_N"] = float(len(work))
            est = estimate_proportion(
                work, _OUTCOME, strata=False, population_size="_N", weight=False,
                cluster=False, by=list(by_columns) or None, method=method,
                confidence_level=level, alternative=alternative, missing="drop",
            )  # fmt: skip
        else:
            work = data.copy()
            work[_OUTCOME] = y
            est = estimate_proportion(
                work, _OUTCOME, by=list(by_columns) or None, method=method,
                confidence_level=level, alternative=alternative, missing="drop",
            )  # fmt: skip
    return work, est
