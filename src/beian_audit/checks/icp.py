"""ICP filing numbers (ICP备案号): parse, normalise and tell them from look-alikes.

A filing number is ``{prefix}ICP备{serial}号`` for the sponsor, plus ``-N`` for a
website and ``-NA`` for an app or mini-program: ``京ICP备10046444号-9``. The prefix is
the one-character province abbreviation of ``provinces.csv``; the serial has 6
digits (early numbers), 8 (two-digit year + 6) or 10 (four-digit year + 6).

Look-alikes get their own reasons: ICP *licences* ``京ICP证030173号``
(``is_licence``), value-added telecom licences ``B2-20090059``
(``is_telecom_licence``) and public-security filings ``京公网安备11010802020000号``
(``is_police_filing``).

Variants seen in the wild are accepted and normalised to the canonical form, with a
``warning``: the suffix written before 号 (``滇ICP备09010050-5号``), a missing 号,
and the alias prefixes 川 贵 云 甘 (ministry-issued numbers use 蜀 黔 滇 陇; the
alias is replaced by the canonical prefix in ``normalised`` and flagged in
``alias_prefix``). Spaces, lower-case ``icp`` and full-width characters are
normalised silently.

Examples
--------
>>> check_icp_number(["京ICP备10046444号-9", "滇ICP备09010050-5号", "川icp备 2021012345号",
...                   "京ICP证030173号"])[["valid", "reason", "warning", "normalised", "kind"]]
   valid      reason            warning          normalised     kind
0   True                                  京ICP备10046444号-9  website
1   True              suffix_before_hao   滇ICP备09010050号-5  website
2   True                   alias_prefix   蜀ICP备2021012345号  sponsor
3  False  is_licence                          京ICP证030173号      NaN
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.checks._common import (
    Method,
    _assemble,
    _check_method,
    _const_piece,
    _distinct_text,
    _join,
    _labels,
    _match,
    _np,
    _per_value,
    _str_array,
    as_text,
    check_date,
    checker_values,
    map_distinct,
)

__all__ = ["REASONS", "WARNINGS", "check_icp_number", "icp_prefixes"]

#: Reason codes: code -> (Chinese message, English message).
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺失", "missing value"),
    "bad_format": ("备案号格式错误", "not in the form 京ICP备12345678号(-N)"),
    "missing_prefix": ("缺少省份简称", "no province prefix before ICP备"),
    "unknown_prefix": ("省份简称无效", "prefix is not a province abbreviation"),
    "bad_serial_length": (
        "备案号数字位数错误（应为6、8或10位）",
        "serial must have 6, 8 or 10 digits",
    ),
    "bad_serial_year": (
        "备案号中的年份不合理",
        "year in the serial is before 2000 or in the future",
    ),
    "bad_site_number": ("网站/应用序号错误", "website or app number must be 1 or more"),
    "is_licence": ("这是ICP经营许可证号，不是备案号", "an ICP licence number, not a filing number"),
    "is_telecom_licence": ("这是增值电信业务经营许可证号", "a value-added telecom licence number"),
    "is_police_filing": ("这是公安联网备案号", "a public-security filing number"),
}

#: Warning codes (accepted and normalised): code -> (Chinese, English).
WARNINGS: dict[str, tuple[str, str]] = {
    "alias_prefix": (
        "使用了非标准省份简称（川贵云甘）",
        "alias prefix (川 贵 云 甘) instead of 蜀 黔 滇 陇",
    ),
    "suffix_before_hao": ("网站序号写在“号”之前", "website number written before 号"),
    "missing_hao": ("缺少“号”字", "the character 号 is missing"),
}

_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−－~～"})
_WS = re.compile(r"[\s\u200b-\u200d\ufeff]+")  # whitespace and zero-width characters
#: Lone surrogates (from bad decoding upstream) cannot be stored in pandas' string
#: dtype; they are replaced by U+FFFD before anything else.
_SURROGATE = re.compile("[\ud800-\udfff]")
_FILING = re.compile(
    r"(?P<prefix>[^\x00-\x7f])?ICP备(?P<serial>[0-9]+)(?P<s1>-[0-9]{1,6}A?)?(?P<hao>号)?(?P<s2>-[0-9]{1,6}A?)?"
)
_LICENCE = re.compile(r"(?P<prefix>[^\x00-\x7f])?ICP[证證](?P<serial>[0-9]+)号?")
_POLICE = re.compile(r"(?P<prefix>[^\x00-\x7f])?公网安备(?P<serial>[0-9]+)号?")
_TELECOM = re.compile(r"(?P<prefix>[^\x00-\x7f])?(?P<serial>[AB][12](?:\.[0-9])?-[0-9]{6,8})号?")


@functools.cache
def icp_prefixes() -> dict[str, tuple[str, str, bool]]:
    """Filing-number prefixes: prefix -> (canonical prefix, province code, is_alias).

    Read from ``provinces.csv`` (columns ``icp_prefix`` and
    ``icp_prefix_variants_seen``).

    Examples
    --------
    >>> icp_prefixes()["蜀"], icp_prefixes()["川"]
    (('蜀', '510000', False), ('蜀', '510000', True))
    """
    text = files("beian_audit").joinpath("data", "provinces.csv").read_text(encoding="utf-8")
    out: dict[str, tuple[str, str, bool]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        canonical, code = row["icp_prefix"], row["gb2260_code"]
        out[canonical] = (canonical, code, False)
        for alias in filter(None, re.split(r"[;,\s]+", row["icp_prefix_variants_seen"])):
            out[alias] = (canonical, code, True)
    return out


_MISSING: dict[str, Any] = {
    "valid": False,
    "reason": "missing",
    "warning": "",
    "normalised": None,
    "kind": None,
    "prefix": None,
    "province_code": None,
    "serial": None,
    "site_number": None,
    "serial_year": None,
    "alias_prefix": False,
}


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", _SURROGATE.sub("\ufffd", raw)).translate(_DASHES)
    return _WS.sub("", text).upper()


def _prefix_info(prefix: str | None) -> dict[str, Any]:
    info = icp_prefixes().get(prefix or "")
    if info is None:
        return {}
    return {"prefix": info[0], "province_code": info[1], "alias_prefix": info[2]}


def _lookalike(text: str) -> dict[str, Any] | None:
    for pattern, reason, word in (
        (_LICENCE, "is_licence", "ICP证"),
        (_POLICE, "is_police_filing", "公网安备"),
    ):
        m = pattern.fullmatch(text)
        if m:
            info = _prefix_info(m["prefix"])
            if reason == "is_police_filing" and len(m["serial"]) >= 2:
                code = m["serial"][:2] + "0000"
                info["province_code"] = (
                    code if code in {v[1] for v in icp_prefixes().values()} else None
                )
            canonical = f"{info.get('prefix', m['prefix'] or '')}{word}{m['serial']}号"
            return (
                _MISSING | info | {"reason": reason, "normalised": canonical, "alias_prefix": False}
            )
    m = _TELECOM.fullmatch(text)
    if m:
        info = _prefix_info(m["prefix"])
        return (
            _MISSING
            | info
            | {"reason": "is_telecom_licence", "normalised": m["serial"], "alias_prefix": False}
        )
    return None


def _icp_one(raw: str, as_of: date) -> dict[str, Any]:
    text = _clean(raw)
    if not text:
        return _MISSING
    m = _FILING.fullmatch(text)
    if m is None:
        return _lookalike(text) or _MISSING | {"reason": "bad_format"}
    if m["s1"] and m["s2"]:
        return _MISSING | {"reason": "bad_format"}
    warnings = []
    suffix = m["s1"] or m["s2"] or ""
    serial = m["serial"]
    out = _MISSING | {"reason": "", "serial": serial}
    if m["prefix"] is None:
        return out | {"reason": "missing_prefix"}
    info = _prefix_info(m["prefix"])
    if not info:
        return out | {"reason": "unknown_prefix"}
    out |= info
    if info["alias_prefix"]:
        warnings.append("alias_prefix")
    if m["s1"] and m["hao"]:
        warnings.append("suffix_before_hao")
    if not m["hao"]:
        warnings.append("missing_hao")
    site = int(suffix[1:].rstrip("A")) if suffix else None
    kind = "app" if suffix.endswith("A") else "website" if suffix else "sponsor"
    out |= {
        "kind": kind,
        "site_number": site,
        "warning": ";".join(warnings),
        "normalised": f"{info['prefix']}ICP备{serial}号"
        + (f"-{site}{'A' if kind == 'app' else ''}" if suffix else ""),
    }
    if len(serial) not in (6, 8, 10):
        return out | {"reason": "bad_serial_length"}
    if len(serial) > 6:
        year = 2000 + int(serial[:2]) if len(serial) == 8 else int(serial[:4])
        out["serial_year"] = year
        if not 2000 <= year <= as_of.year:
            return out | {"reason": "bad_serial_year"}
    if site is not None and site < 1:
        return out | {"reason": "bad_site_number"}
    return out | {"valid": True}


def check_icp_number(
    values: Iterable[object] | pd.Series, *, as_of: date | None = None, method: Method = "fast"
) -> pd.DataFrame:
    """Validate and normalise ICP filing numbers.

    Parameters
    ----------
    values : list or Series
        Raw filing numbers (sponsor, website or app numbers).
    as_of : date, optional
        Reference date: a year in the serial after ``as_of`` is ``bad_serial_year``.
        Default today.
    method : {"fast", "reference"}, default "fast"
        ``"reference"`` parses every distinct value with the rules below;
        ``"fast"`` parses the plain written forms (a known prefix, ``ICP备``,
        digits, ``号``, an optional ``-N`` / ``-NA`` suffix, any case) with
        vectorised regular expressions and hands anything else to the per-value
        rules. Both give the same frame (property-tested).

    Returns
    -------
    DataFrame
        Same index as ``values``:

        * ``valid``, ``reason`` (code from :data:`REASONS`), ``warning`` (codes
          from :data:`WARNINGS` joined by ``;``, ``""`` when none);
        * ``normalised``: canonical form ``京ICP备10046444号-9`` (alias prefixes
          replaced by the canonical one, suffix after 号, ``A`` upper-case); for
          look-alikes their cleaned form (``京ICP证030173号``, ``B2-20090059``);
        * ``kind``: ``sponsor``, ``website`` (``-N``) or ``app`` (``-NA``), NaN for
          anything that is not a filing number;
        * ``prefix`` (canonical), ``province_code`` (GB/T 2260, for police filings
          the province of the embedded region code), ``serial`` (digits as written),
          ``site_number`` (Int64), ``serial_year`` (Int64, from 8- and 10-digit
          serials), ``alias_prefix`` (bool).

    Notes
    -----
    Normalisation before parsing: NFKC (full-width digits and letters), all
    whitespace removed, dash variants to ``-``, Latin letters upper-cased.

    Examples
    --------
    >>> check_icp_number(["京ICP备10046444号-9A", "ICP备10046444号", "B2-20090059",
    ...                   "京公网安备11010802020000号", "京ICP备1004644号", "京ICP备99046444号"],
    ...                  as_of=date(2026, 1, 1))[["valid", "reason", "kind", "province_code"]]
       valid              reason     kind province_code
    0   True                          app        110000
    1  False      missing_prefix      NaN           NaN
    2  False  is_telecom_licence      NaN           NaN
    3  False    is_police_filing      NaN        110000
    4  False   bad_serial_length  sponsor        110000
    5  False     bad_serial_year  sponsor        110000
    """
    values = checker_values(values)
    _check_method(method)
    ref = check_date("as_of", as_of) or date.today()
    if method == "reference":
        return _finish(map_distinct(as_text(values), lambda v: _icp_one(v, ref), _MISSING))
    return _icp_fast(values, ref)


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    out["valid"] = out["valid"].astype(bool)
    out["alias_prefix"] = out["alias_prefix"].astype(bool)
    for col in ("site_number", "serial_year"):
        out[col] = out[col].astype("Int64")
    for col in ("reason", "warning", "normalised", "kind", "prefix", "province_code", "serial"):
        out[col] = out[col].astype("str")
    return out


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _finish(pd.DataFrame.from_records(rows, columns=list(_MISSING)))


# --------------------------------------------------------------------------- fast path


@functools.cache
def _plain_prefixes() -> tuple[str, ...]:
    """Prefixes that NFKC and upper-casing leave unchanged (all of them, in practice)."""
    return tuple(
        sorted(
            p for p in icp_prefixes()
            if len(p) == 1 and not p.isascii() and unicodedata.normalize("NFKC", p) == p
            and p.upper() == p
        )
    )




_WARNING_NAMES = [
    ";".join(w for w, on in zip(("alias_prefix", "suffix_before_hao", "missing_hao"),
                                 (a, b, c), strict=True) if on)
    for a in (False, True) for b in (False, True) for c in (False, True)
]


def _icp_fast(values: Iterable[object] | pd.Series, as_of: date) -> pd.DataFrame:
    """:func:`_icp_one` for plain filing numbers, vectorised; the rest per value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index, codes, uniques = _distinct_text(values)
    k = len(uniques)
    prefixes = _plain_prefixes()
    plain = np.zeros(k, dtype=bool)
    if prefixes:
        # NFKC, dash mapping and white-space removal leave these unchanged; upper-casing
        # touches only the ASCII letters
        # (without 号, two suffixes would be split between _FILING's s1 and s2: left to
        # the per-value rules)
        suffix = "-[0-9]{1,6}[Aa]?"
        plain = _match(
            uniques,
            "^[" + "".join(prefixes) + f"][Ii][Cc][Pp]备[0-9]+(?:(?:{suffix})?号(?:{suffix})?"
            f"|(?:{suffix})?)$",
        )
    fast = np.flatnonzero(plain)
    text = pc.ascii_upper(uniques.take(pa.array(fast)))
    # the groups of _FILING, read with literal splits: prefix, "ICP备", serial, s1, 号, s2
    # (a terminator appended before each split makes every list two elements long)
    prefix = pc.utf8_slice_codeunits(text, 0, 1)
    rest = pc.utf8_slice_codeunits(text, 5)
    has_hao = _np(pc.match_substring(rest, "号"))
    halves = pc.split_pattern(_join(rest, "号"), "号", max_splits=1)
    s2 = pc.utf8_slice_codeunits(pc.list_element(halves, 1), 0, -1)
    quarters = pc.split_pattern(_join(pc.list_element(halves, 0), "-"), "-", max_splits=1)
    serial = pc.list_element(quarters, 0)
    s1 = _join("-", pc.utf8_slice_codeunits(pc.list_element(quarters, 1), 0, -1))
    has_s1 = _np(pc.utf8_length(s1)) > 1
    has_s2 = _np(pc.utf8_length(s2)) > 0
    both = has_s1 & has_s2
    keep = pa.array(~both)
    prefix, serial, s1, s2 = (a.filter(keep) for a in (prefix, serial, s1, s2))
    has_s1, has_s2, has_hao = has_s1[~both], has_s2[~both], has_hao[~both]
    m = len(prefix)

    table = icp_prefixes()
    keys = list(prefixes)
    at = _np(pc.index_in(prefix, value_set=pa.array(keys)))
    canonical = pa.array([table[p][0] for p in keys]).take(pa.array(at))
    province = pa.array([table[p][1] for p in keys]).take(pa.array(at))
    alias = np.array([table[p][2] for p in keys], dtype=bool)[at]

    suffix = pc.if_else(pa.array(has_s1), s1, s2)
    has_suffix = has_s1 | has_s2
    app = has_suffix & _np(pc.ends_with(suffix, "A"))
    digits = pc.replace_substring_regex(suffix, "[^0-9]", "")
    site = np.zeros(m, dtype=np.int64)
    if has_suffix.any():
        site[has_suffix] = _np(pc.cast(digits.filter(pa.array(has_suffix)), pa.int64()))
    kind = np.where(app, 2, np.where(has_suffix, 1, 0))
    warning = alias * 4 + (has_s1 & has_hao) * 2 + (~has_hao) * 1
    tail = pc.if_else(
        pa.array(has_suffix),
        _join("-", pc.cast(pa.array(site), pa.large_string()),
              pc.if_else(pa.array(app), "A", "")),
        "",
    )
    normalised = _join(canonical, "ICP备", serial, "号", tail)

    length = _np(pc.utf8_length(serial))
    year = np.zeros(m, dtype=np.int64)
    eight, ten = length == 8, length == 10
    if eight.any():
        year[eight] = 2000 + _np(pc.cast(pc.utf8_slice_codeunits(serial.filter(pa.array(eight)),
                                                                0, 2), pa.int64()))
    if ten.any():
        year[ten] = _np(pc.cast(pc.utf8_slice_codeunits(serial.filter(pa.array(ten)), 0, 4),
                                pa.int64()))
    has_year = eight | ten
    reason = np.select(
        [
            ~np.isin(length, (6, 8, 10)),
            has_year & ((year < 2000) | (year > as_of.year)),
            has_suffix & (site < 1),
        ],
        [1, 2, 3],
        0,
    )
    parsed = pd.DataFrame(
        {
            "valid": reason == 0,
            "reason": _str_array(
                _labels(reason, ["", "bad_serial_length", "bad_serial_year", "bad_site_number"])
            ),
            "warning": _str_array(_labels(warning, _WARNING_NAMES)),
            "normalised": _str_array(normalised),
            "kind": _str_array(_labels(kind, ["sponsor", "website", "app"])),
            "prefix": _str_array(canonical),
            "province_code": _str_array(province),
            "serial": _str_array(serial),
            "site_number": pd.arrays.IntegerArray(site, ~has_suffix),
            "serial_year": pd.arrays.IntegerArray(year, ~has_year),
            "alias_prefix": alias,
        }
    )
    rest = np.flatnonzero(~plain)
    other = _per_value(lambda v: _icp_one(v, as_of), uniques.take(pa.array(rest)).to_pylist())
    pieces = [
        (fast[~both], parsed),
        (fast[both], _const_piece(_frame([_MISSING | {"reason": "bad_format"}]), int(both.sum()))),
        (rest, _frame(other)),
        (np.array([k]), _frame([_MISSING])),
    ]
    return _assemble(codes, index, k, pieces)
