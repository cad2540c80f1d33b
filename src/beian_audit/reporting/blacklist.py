"""Matching filings and accessed sites against a blacklist (黑名单).

The plan (task 5) forbids access for blacklisted sponsors, domains and websites.
:func:`match_blacklist` compares a registry or an accessed-site list with a
blacklist on **normalised keys**, one vectorised merge per kind:

========  =====================================================  ===========================
kind      frame columns (default)                                normalised key / rules
========  =====================================================  ===========================
sponsor   ``sponsor_cert_number``, ``sponsor_principal_id_number``  resident ID, credit code, org
                                                                 code (``normalised`` of the
                                                                 identity checkers); a credit
                                                                 code also matches its embedded
                                                                 organisation code
domain    ``domain``, ``home_url``                               host in ASCII (IDNA 2008 /
                                                                 UTS-46); a blacklisted domain
                                                                 hits itself and every
                                                                 subdomain
mobile    principals' ``*_mobile`` and ``*_phone``               E.164 (``check_phone``)
website   ``website_id``, ``site_id``, ``website_icp_number``    id text; ICP number (a
                                                                 sponsor number covers all its
                                                                 ``-N`` websites)
========  =====================================================  ===========================

A hit in an accessed-site list is a blacklisted site **accessed again**.
Matched values are personal (ID numbers, phones) and are masked in every
rendering and export unless ``reveal=True``.

Examples
--------
>>> import pandas as pd
>>> blacklist = pd.DataFrame({"kind": ["domain", "mobile"],
...                           "value": ["bad.cn", "+86 139 1234 5678"]})
>>> registry = pd.DataFrame({"website_id": ["W1", "W2", "W3"], "provider_id": ["P1", "P1", "P2"],
...                          "domain": ["shop.bad.cn", "good.cn", "x.cn"],
...                          "sponsor_principal_mobile": ["13800000001", "13912345678", None]})
>>> m = match_blacklist(registry, blacklist)
>>> m.to_frame()[["key", "kind", "value", "rule"]]
  key    kind        value       rule
0  W1  domain  shop.bad.cn  subdomain
1  W2  mobile  139****5678       e164
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import DataQualityWarning, SchemaError
from beian_audit.privacy import mask_frame, mask_series
from beian_audit.reporting._common import as_frame, check_choice, clean_text, require_columns

__all__ = [
    "BLACKLIST_KINDS",
    "DEFAULT_COLUMNS",
    "SOURCES",
    "BlacklistKind",
    "BlacklistMatch",
    "Source",
    "match_blacklist",
]

BlacklistKind = Literal["sponsor", "domain", "mobile", "website"]
BLACKLIST_KINDS: tuple[str, ...] = get_args(BlacklistKind)
Source = Literal["auto", "registry", "accessed_sites"]
SOURCES: tuple[str, ...] = get_args(Source)

#: Frame columns compared with each blacklist kind (those present are used).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "sponsor": ("sponsor_cert_number", "sponsor_principal_id_number"),
    "domain": ("domain", "home_url"),
    "mobile": (
        "sponsor_principal_mobile",
        "sponsor_principal_phone",
        "website_principal_mobile",
        "website_principal_phone",
    ),
    "website": ("website_id", "site_id", "website_icp_number"),
}
_MASK = {"sponsor": "id", "mobile": "phone"}
_SPLIT = r"[;,，；\s]+"
#: Rule strength, strongest first (one hit per frame value and blacklist entry).
_RULES = (
    "resident_id",
    "credit_code",
    "org_code",
    "unverified_id",
    "text",
    "org_code_in_credit_code",
    "domain",
    "subdomain",
    "e164",
    "website_id",
    "icp_number",
    "sponsor_icp_number",
)
_HIT_COLUMNS = [
    "row", "key", "provider_id", "kind", "column", "value", "blacklist_row",
    "blacklist_value", "rule", "reason", "listed_on", "after_listing", "accessed_again",
]  # fmt: skip


# --------------------------------------------------------------------------- keys
def _sponsor_keys(values: pd.Series) -> pd.DataFrame:
    """Long table (pos, key, key_type) of the identity keys of each value."""
    from beian_audit.checks.identity import check_credit_code, check_org_code, check_resident_id

    values = values.reset_index(drop=True)
    rid = check_resident_id(values)
    cc = check_credit_code(values)
    org = check_org_code(values)
    text = _loose(values)
    key = pd.Series(None, index=values.index, dtype=object)
    kind = pd.Series(None, index=values.index, dtype=object)
    for mask, source, label in (
        (rid["valid"], rid["normalised"], "resident_id"),
        (cc["valid"], cc["normalised"], "credit_code"),
        (org["valid"], org["normalised"], "org_code"),
        (rid["normalised"].notna(), rid["normalised"], "unverified_id"),
        (cc["normalised"].notna(), cc["normalised"], "unverified_id"),
        (org["normalised"].notna(), org["normalised"], "unverified_id"),
        (text.notna() & (text != ""), text, "text"),
    ):
        take = mask.to_numpy(bool) & kind.isna().to_numpy()
        key[take] = source[take].astype(object)
        kind[take] = label
    primary = pd.DataFrame({"pos": values.index, "key": key, "key_type": kind})
    embedded = cc["valid"].to_numpy(bool) & cc["org_code"].notna().to_numpy()
    secondary = pd.DataFrame(
        {
            "pos": values.index[embedded],
            "key": cc["org_code"][embedded].astype(object).to_numpy(),
            "key_type": "org_code_in_credit_code",
        }
    )
    return pd.concat([primary, secondary], ignore_index=True).dropna(subset=["key"])


def _domain_hosts(values: pd.Series) -> pd.DataFrame:
    from beian_audit.checks.network import check_domain

    checked = check_domain(values.reset_index(drop=True))
    return pd.DataFrame(
        {"host": checked["host"].astype(object), "reg": checked["registered_domain"].astype(object)}
    )


def _domain_keys(values: pd.Series) -> pd.DataFrame:
    """Every suffix of each host down to its registered domain (d = labels removed)."""
    hosts = _domain_hosts(values)
    ok = hosts["reg"].notna().to_numpy()
    host = hosts["host"][ok]
    depth = host.str.count(r"\.") - hosts["reg"][ok].str.count(r"\.")
    parts = []
    for d in range(int(depth.max()) + 1 if len(depth) else 0):
        take = (depth >= d).to_numpy()
        cand = host[take] if d == 0 else host[take].str.split(".", n=d).str[-1]
        parts.append(
            pd.DataFrame(
                {
                    "pos": host.index[take],
                    "key": cand.to_numpy(),
                    "key_type": "domain" if d == 0 else "subdomain",
                }
            )
        )
    if not parts:
        return pd.DataFrame({"pos": [], "key": [], "key_type": []})
    return pd.concat(parts, ignore_index=True)


def _mobile_keys(values: pd.Series) -> pd.DataFrame:
    from beian_audit.checks.phone import check_phone

    e164 = check_phone(values.reset_index(drop=True))["e164"].astype(object)
    ok = e164.notna()
    return pd.DataFrame({"pos": e164.index[ok], "key": e164[ok].to_numpy(), "key_type": "e164"})


def _website_keys(values: pd.Series, column: str) -> pd.DataFrame:
    values = values.reset_index(drop=True)
    if column != "website_icp_number":
        text = clean_text(values).astype(object).str.upper()
        ok = text.notna() & (text != "")
        return pd.DataFrame(
            {"pos": text.index[ok], "key": "id:" + text[ok], "key_type": "website_id"}
        )
    from beian_audit.checks.icp import check_icp_number

    icp = check_icp_number(values)["normalised"].astype(object)
    ok = icp.notna()
    exact = pd.DataFrame({"pos": icp.index[ok], "key": "icp:" + icp[ok], "key_type": "icp_number"})
    sponsor = icp[ok].str.replace(r"-\d+A?$", "", regex=True)
    parent = sponsor != icp[ok]
    up = pd.DataFrame(
        {
            "pos": sponsor.index[parent.to_numpy()],
            "key": "icp:" + sponsor[parent],
            "key_type": "sponsor_icp_number",
        }
    )
    return pd.concat([exact, up], ignore_index=True)


def _blacklist_website_keys(values: pd.Series) -> pd.DataFrame:
    from beian_audit.checks.icp import check_icp_number

    values = values.reset_index(drop=True)
    icp = check_icp_number(values)["normalised"].astype(object)
    text = clean_text(values).astype(object).str.upper()
    key = ("icp:" + icp).where(icp.notna(), "id:" + text)
    ok = key.notna()
    return pd.DataFrame({"pos": key.index[ok], "key": key[ok].to_numpy(), "key_type": "website"})


def _loose(values: pd.Series) -> pd.Series:
    """NFKC, upper case, letters and digits only (``None`` when nothing is left)."""
    text = clean_text(values).astype(object).str.upper().str.replace(r"[^0-9A-Z]", "", regex=True)
    return text.where(text.notna() & (text != ""), None)


def _ascii_host(values: pd.Series) -> pd.Series:
    """Lower-case host of an ASCII domain or URL (scheme, path, port, user removed)."""
    text = values.astype(str).str.strip().str.lower()
    text = text.str.replace(r"^[a-z][a-z0-9+.-]*://", "", regex=True)
    text = text.str.replace(r"[/?#].*$", "", regex=True).str.replace(r"^.*@", "", regex=True)
    return text.str.replace(r":\d*$", "", regex=True).str.rstrip(".")


def _candidates(values: pd.Series, kind: str, family: str, b_keys: set[str]) -> np.ndarray:
    """Frame values that can possibly match, by a cheap test that never drops a match.

    The checkers' normalised forms are NFKC upper-case letters and digits (tested
    in ``tests/test_reporting_blacklist.py``), the ASCII host of an ASCII domain is
    its lower-case text, and an ICP number keeps its serial digits; values failing
    these cheap tests cannot match and are not run through the checkers.
    """
    if kind == "mobile" or (kind == "website" and family == "id"):
        return np.ones(len(values), dtype=bool)  # keys are cheap: no filter needed
    if kind == "sponsor":
        loose = _loose(values)
        text = clean_text(values).astype(object).str.upper()
        keep = loose.isin(b_keys) | text.isin(b_keys) | loose.str[8:17].isin(b_keys)
        # first-generation (15-digit) ID numbers are normalised to 18 digits
        keep |= loose.str.fullmatch(r"\d{15}").fillna(False).astype(bool)
        return keep.to_numpy(bool)
    if kind == "domain":
        text = values.astype(str)
        hit: np.ndarray = ~text.map(str.isascii).to_numpy(bool)  # Unicode IDN: always check
        host = _ascii_host(values)
        depth = int(host.str.count(r"\.").max()) if len(host) else 0
        for d in range(depth + 1):
            part = host if d == 0 else host.str.split(".", n=d).str[-1]
            hit |= part.isin(b_keys).to_numpy(bool)
        return hit
    # ICP numbers: the 6-, 8- or 10-digit serial survives normalisation
    serials = {m for k in b_keys for m in re.findall(r"\d{6,}", k)}
    runs = values.astype(str).map(lambda v: unicodedata.normalize("NFKC", v))
    found = runs.str.findall(r"\d{6,}").explode()
    return (
        found.isin(serials)
        .groupby(level=0)
        .any()
        .reindex(values.index, fill_value=False)
        .to_numpy(bool)
    )


def _frame_keys(values: pd.Series, kind: str, family: str) -> pd.DataFrame:
    if kind == "sponsor":
        return _sponsor_keys(values)
    if kind == "domain":
        return _domain_keys(values)
    if kind == "mobile":
        return _mobile_keys(values)
    return _website_keys(values, "website_icp_number" if family == "icp" else "website_id")


def _blacklist_keys(values: pd.Series, kind: str) -> pd.DataFrame:
    if kind == "sponsor":
        return _sponsor_keys(values)
    if kind == "domain":
        hosts = _domain_hosts(values)
        ok = hosts["reg"].notna()
        return pd.DataFrame(
            {"pos": hosts.index[ok], "key": hosts["host"][ok].to_numpy(), "key_type": "domain"}
        )
    if kind == "mobile":
        return _mobile_keys(values)
    return _blacklist_website_keys(values)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class BlacklistMatch(ResultMixin):
    """Blacklist hits of a registry or an accessed-site list.

    Attributes
    ----------
    hits : DataFrame
        One row per (frame row, column value, blacklist entry): ``row``
        (position in the input), ``key`` (``website_id`` / ``site_id``),
        ``provider_id``, ``kind``, ``column``, ``value`` (the frame's raw
        value), ``blacklist_row``, ``blacklist_value`` (raw), ``rule`` (how it
        matched), ``reason`` and ``listed_on`` (from the blacklist),
        ``after_listing`` (filing approved on or after ``listed_on``; ``NA``
        when unknown) and ``accessed_again`` (the hit is in an accessed-site
        list). Values are raw here; every rendering masks them.
    source : {"registry", "accessed_sites"}
    key : str
        The row-key column (``"(position)"`` when there was none).
    n_rows : int
        Rows of the input frame.
    n_entries : int
        Blacklist entries.
    unusable : DataFrame
        Blacklist entries that could not be normalised (``blacklist_row``,
        ``kind``): they cannot match anything.
    """

    hits: pd.DataFrame
    source: str
    key: str
    n_rows: int
    n_entries: int
    unusable: pd.DataFrame

    def to_frame(self, *, reveal: bool = False) -> pd.DataFrame:
        """The hits with ID numbers and phones masked (``reveal=True``: raw).

        Besides the values of sponsor and mobile hits, anything that looks like
        an ID number, a phone number or an e-mail in any column (a key, a
        reason) is masked (:func:`beian_audit.privacy.mask_personal`).
        """
        out = self.hits.copy()
        if reveal or out.empty:
            return out
        out = mask_frame(out, columns={})
        for kind, how in _MASK.items():
            sel = (out["kind"] == kind).to_numpy()
            if sel.any():
                for col in ("value", "blacklist_value"):
                    masked = mask_series(out.loc[sel, col].astype(object), how)  # type: ignore[arg-type]
                    out[col] = out[col].astype(object)
                    out.loc[sel, col] = masked.to_numpy()
        return out

    @property
    def accessed_again(self) -> pd.DataFrame:
        """Masked hits of blacklisted sites that are being accessed again."""
        frame = self.to_frame()
        return frame[frame["accessed_again"].astype(bool)].reset_index(drop=True)

    def rows_hit(self) -> pd.DataFrame:
        """One row per input row with at least one hit: ``row``, ``key``,
        ``provider_id``, ``kinds``, ``rules`` (sorted, ``;``-joined) and ``n_hits``.
        """
        if self.hits.empty:
            return pd.DataFrame(columns=["row", "key", "provider_id", "kinds", "rules", "n_hits"])
        grouped = self.hits.groupby("row", sort=True)
        return pd.DataFrame(
            {
                "key": grouped["key"].first(),
                "provider_id": grouped["provider_id"].first(),
                "kinds": grouped["kind"].agg(lambda s: ";".join(sorted(set(s)))),
                "rules": grouped["rule"].agg(lambda s: ";".join(sorted(set(s)))),
                "n_hits": grouped.size(),
            }
        ).reset_index()

    def hits_per_provider(self) -> pd.DataFrame:
        """Per provider: ``rows_hit`` (filings / sites with any hit), ``hits`` and
        the rows hit per kind, most rows first.
        """
        kinds = list(BLACKLIST_KINDS)
        if self.hits.empty:
            return pd.DataFrame(columns=["provider_id", "rows_hit", "hits", *kinds])
        hits = self.hits.assign(provider_id=self.hits["provider_id"].fillna("(unknown)"))
        rows = hits.drop_duplicates(["row", "kind"])
        per_kind = pd.crosstab(rows["provider_id"], rows["kind"]).reindex(
            columns=kinds, fill_value=0
        )
        out = pd.DataFrame(
            {
                "rows_hit": hits.groupby("provider_id")["row"].nunique(),
                "hits": hits.groupby("provider_id").size(),
            }
        ).join(per_kind)
        out.columns.name = None
        out = out.reset_index().rename(columns={"index": "provider_id"})
        return out.sort_values(["rows_hit", "provider_id"], ascending=[False, True]).reset_index(
            drop=True
        )

    def to_csv(self, path: str | Path, *, reveal: bool = False, overwrite: bool = True) -> Path:
        """Write the (masked) hits as CSV, atomically and safe to open; see
        :func:`~beian_audit.reporting.exports.write_csv`."""
        from beian_audit.reporting.exports import write_csv

        return write_csv(self.to_frame(reveal=reveal), path, overwrite=overwrite)

    def _summary(self) -> str:
        n_rows_hit = int(self.hits["row"].nunique()) if len(self.hits) else 0
        text = (
            f"source={self.source!r}, rows={self.n_rows}, entries={self.n_entries}, "
            f"hits={len(self.hits)}, rows_hit={n_rows_hit}"
        )
        if self.source == "accessed_sites":
            text += f", accessed_again={int(self.hits['accessed_again'].sum())}"
        return text


# --------------------------------------------------------------------------- entry point
def _check_blacklist(blacklist: object) -> pd.DataFrame:
    bl = as_frame(blacklist, "blacklist")
    require_columns(bl, ["kind", "value"], name="blacklist")
    kind = bl["kind"].astype(object)
    bad_kind = ~kind.isin(BLACKLIST_KINDS).to_numpy()
    no_value = (
        bl["value"].isna().to_numpy() | (bl["value"].astype(str).str.strip() == "").to_numpy()
    )
    if bad_kind.any() or no_value.any():
        rows_k = np.flatnonzero(bad_kind)
        rows_v = np.flatnonzero(no_value & ~bad_kind)
        cases = pd.concat(
            [
                pd.DataFrame(
                    {
                        "row": rows_k,
                        "column": "kind",
                        "value": kind.iloc[rows_k].astype(str).to_numpy(),
                        "reason": "unknown_kind",
                    }
                ),
                pd.DataFrame(
                    {"row": rows_v, "column": "value", "value": None, "reason": "missing"}
                ),
            ],
            ignore_index=True,
        )
        listed = ", ".join(repr(k) for k in BLACKLIST_KINDS)
        raise SchemaError(
            f"blacklist: {len(rows_k)} row(s) with a kind not in {listed} and {len(rows_v)} "
            "row(s) without a value",
            cases,
        )
    return bl.reset_index(drop=True)


def _long(frame: pd.DataFrame, column: str, kind: str) -> pd.DataFrame:
    """(row, value) pairs of one column; domain columns may hold several values."""
    values = frame[column].astype(object)
    rows = np.arange(len(frame))
    present = values.notna().to_numpy()
    out = pd.DataFrame({"row": rows[present], "value": values[present].to_numpy()})
    if kind == "domain" and column == "domain":
        out["value"] = out["value"].astype(str).str.strip().str.split(_SPLIT)
        out = out.explode("value")
        out = out[out["value"].astype(bool)]
    return out.reset_index(drop=True)


def match_blacklist(
    frame: pd.DataFrame,
    blacklist: pd.DataFrame,
    *,
    source: Source = "auto",
    key: str | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> BlacklistMatch:
    """Find the rows of a registry or accessed-site list that hit a blacklist.

    Parameters
    ----------
    frame : DataFrame
        The registry (canonical filing columns) or an accessed-site list
        (``site_id``, ``domain``, ``provider_id``).
    blacklist : DataFrame
        ``kind`` in {"sponsor", "domain", "mobile", "website"} and ``value``;
        optional ``reason`` and ``listed_on`` (a date).
    source : {"auto", "registry", "accessed_sites"}
        What ``frame`` is; ``"auto"``: an accessed-site list when it has
        ``site_id`` and no ``website_id``. Every hit in an accessed-site list
        is flagged ``accessed_again``.
    key : str, optional
        Row-key column reported with each hit; default ``website_id``, else
        ``site_id``, else the row position.
    columns : mapping, optional
        ``{kind: [frame columns]}`` overriding :data:`DEFAULT_COLUMNS` for the
        kinds given.

    Returns
    -------
    BlacklistMatch

    Raises
    ------
    SchemaError
        A blacklist without ``kind`` / ``value``, unknown kinds or empty
        values (``failure_cases`` lists them).
    ValueError
        Invalid ``source`` or ``columns``.

    Warns
    -----
    DataQualityWarning
        For blacklist entries that cannot be normalised (an invalid domain, a
        phone number that does not parse): they cannot match.

    Notes
    -----
    Keys (see the module table): sponsors by the ``normalised`` form of
    :func:`~beian_audit.checks.identity.check_resident_id`,
    :func:`~beian_audit.checks.identity.check_credit_code` or
    :func:`~beian_audit.checks.identity.check_org_code` (checksum failures are
    still matched on their normalised form, rule ``"unverified_id"``; anything
    else on its NFKC upper-case text, rule ``"text"``), plus the organisation
    code embedded in a valid credit code (rule ``"org_code_in_credit_code"``);
    domains by the ASCII host of
    :func:`~beian_audit.checks.network.check_domain` and each parent down to
    the registered domain (rules ``"domain"``, ``"subdomain"``; blacklisting
    ``shop.example.cn`` does not hit ``www.example.cn``); mobiles by
    :func:`~beian_audit.checks.phone.check_phone`'s ``e164``; websites by
    id text or by ICP number (rule ``"sponsor_icp_number"`` when a blacklisted
    sponsor number covers a website number ``…号-N``). Each key family is one
    merge of the frame's distinct values with the blacklist's.

    Examples
    --------
    >>> import pandas as pd
    >>> bl = pd.DataFrame({"kind": ["sponsor", "website"],
    ...                    "value": ["91520122mam2rjfdxq", "京ICP备10046444号"]})
    >>> reg = pd.DataFrame({"website_id": ["W1", "W2"], "provider_id": ["P1", "P2"],
    ...                     "sponsor_cert_number": ["MAM2RJFD-X", "110105199001011237"],
    ...                     "website_icp_number": ["京ICP备12345678号-1", "京ICP备10046444号-9"]})
    >>> match_blacklist(reg, bl).to_frame()[["key", "kind", "value", "rule"]]
      key     kind             value                     rule
    0  W1  sponsor        MA*******X  org_code_in_credit_code
    1  W2  website  京ICP备10046444号-9       sponsor_icp_number
    """
    data = as_frame(frame, "frame")
    bl = _check_blacklist(blacklist)
    source = check_choice("source", source, SOURCES)  # type: ignore[assignment]
    if source == "auto":
        is_accessed = "site_id" in data.columns and "website_id" not in data.columns
        source = "accessed_sites" if is_accessed else "registry"  # type: ignore[assignment]
    cols = dict(DEFAULT_COLUMNS)
    if columns is not None:
        for kind, names in columns.items():
            check_choice("columns kind", kind, BLACKLIST_KINDS)
            names = (names,) if isinstance(names, str) else tuple(names)
            require_columns(data, names, name="frame")
            cols[kind] = names
    if key is None:
        key = next((c for c in ("website_id", "site_id") if c in data.columns), None)
    elif key not in data.columns:
        require_columns(data, [key], name="frame")

    parts = []
    unusable = []
    for kind in BLACKLIST_KINDS:
        entries = bl[bl["kind"] == kind]
        if entries.empty:
            continue
        b_keys = _blacklist_keys(entries["value"].astype(object), kind)
        b_keys["blacklist_row"] = entries.index.to_numpy()[b_keys["pos"].to_numpy(int)]
        missing = np.setdiff1d(entries.index.to_numpy(), b_keys["blacklist_row"].to_numpy())
        if missing.size:
            unusable.append(pd.DataFrame({"blacklist_row": missing, "kind": kind}))
        b_keys = b_keys.rename(columns={"key_type": "b_type"})[["blacklist_row", "key", "b_type"]]
        key_set = set(b_keys["key"])
        present = [c for c in cols[kind] if c in data.columns]
        families: dict[str, list[str]] = {}
        for column in present:
            family = "icp" if kind == "website" and column == "website_icp_number" else "id"
            families.setdefault(family, []).append(column)
        for family, columns_ in families.items():
            long = pd.concat(
                [_long(data, c, kind).assign(column=c) for c in columns_], ignore_index=True
            )
            if long.empty:
                continue
            # each distinct value is normalised once, whatever column it is in
            distinct = pd.Series(pd.unique(long["value"]), dtype=object)
            distinct = distinct[_candidates(distinct, kind, family, key_set)].reset_index(drop=True)
            if distinct.empty:
                continue
            f_keys = _frame_keys(distinct, kind, family)
            f_keys["value"] = distinct.to_numpy()[f_keys["pos"].to_numpy(int)]
            merged = f_keys.drop(columns="pos").merge(b_keys, on="key", how="inner")
            if merged.empty:
                continue
            merged = long.merge(merged, on="value", how="inner")
            merged["kind"] = kind
            merged["rule"] = _rule(merged)
            parts.append(merged)

    unusable_frame = (
        pd.concat(unusable, ignore_index=True)
        if unusable
        else pd.DataFrame({"blacklist_row": pd.Series(dtype=np.int64), "kind": []})
    )
    if len(unusable_frame):
        counts = unusable_frame["kind"].value_counts().to_dict()
        warnings.warn(
            f"blacklist: {len(unusable_frame)} entr(y/ies) could not be normalised and cannot "
            f"match anything ({counts}); see .unusable",
            DataQualityWarning,
            stacklevel=2,
        )
    hits = _assemble(parts, data, bl, key, source)
    return BlacklistMatch(
        hits=hits,
        source=source,
        key=key or "(position)",
        n_rows=len(data),
        n_entries=len(bl),
        unusable=unusable_frame,
    )


def _rule(merged: pd.DataFrame) -> np.ndarray:
    f_type = merged["key_type"].to_numpy(object)
    b_type = merged["b_type"].to_numpy(object)
    rule = f_type.copy()
    sponsor_secondary = (f_type == "org_code_in_credit_code") | (
        b_type == "org_code_in_credit_code"
    )
    primary = ~sponsor_secondary & np.isin(f_type, ["resident_id", "credit_code", "org_code",
                                                   "unverified_id", "text"])  # fmt: skip
    # a sponsor's primary match is named after the stronger of the two readings
    strength = {r: i for i, r in enumerate(_RULES)}
    f_rank = merged["key_type"].map(strength).fillna(99).to_numpy(float)
    b_rank = merged["b_type"].map(strength).fillna(99).to_numpy(float)
    rule[primary] = np.where(f_rank <= b_rank, f_type, b_type)[primary]
    rule[sponsor_secondary] = "org_code_in_credit_code"
    website = np.isin(f_type, ["website_id", "icp_number", "sponsor_icp_number"])
    rule[website] = f_type[website]
    return rule


def _assemble(
    parts: list[pd.DataFrame], data: pd.DataFrame, bl: pd.DataFrame, key: str | None, source: str
) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _HIT_COLUMNS}).astype(
            {"row": np.int64, "blacklist_row": np.int64, "accessed_again": bool}
        )
    hits = pd.concat(parts, ignore_index=True)
    strength = {r: i for i, r in enumerate(_RULES)}
    hits["_s"] = hits["rule"].map(strength)
    hits = (
        hits.sort_values(["row", "column", "value", "blacklist_row", "_s"])
        .drop_duplicates(["row", "column", "value", "blacklist_row"])
        .drop(columns="_s")
    )
    rows = hits["row"].to_numpy(int)
    hits["key"] = data[key].astype(object).to_numpy()[rows] if key else rows
    hits["provider_id"] = (
        data["provider_id"].astype(object).to_numpy()[rows]
        if "provider_id" in data.columns
        else None
    )
    b_rows = hits["blacklist_row"].to_numpy(int)
    hits["blacklist_value"] = bl["value"].astype(object).to_numpy()[b_rows]
    hits["reason"] = bl["reason"].astype(object).to_numpy()[b_rows] if "reason" in bl else None
    listed = (
        pd.to_datetime(bl["listed_on"], errors="coerce").to_numpy()[b_rows]
        if "listed_on" in bl
        else np.full(len(hits), np.datetime64("NaT", "ns"))
    )
    hits["listed_on"] = listed
    if "approval_date" in data.columns:
        approved = pd.to_datetime(data["approval_date"], errors="coerce").to_numpy()[rows]
        after = pd.array(approved >= listed, dtype="boolean")
        after[pd.isna(approved) | pd.isna(listed)] = pd.NA
        hits["after_listing"] = after
    else:
        hits["after_listing"] = pd.array([pd.NA] * len(hits), dtype="boolean")
    hits["accessed_again"] = source == "accessed_sites"
    hits = hits.sort_values(["row", "kind", "column", "blacklist_row"], kind="stable")
    return hits[_HIT_COLUMNS].reset_index(drop=True)
