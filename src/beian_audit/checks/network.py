"""Domains and IP addresses: IDNA / Public Suffix checks, filed IP lists, IP-range lookup.

* :func:`check_domain` reads a host from a domain or a full URL, converts it with
  IDNA 2008 + UTS-46 (the ``idna`` package, not Python's built-in IDNA 2003 codec)
  and finds its registered domain with the Public Suffix List bundled in the
  ``publicsuffixlist`` package (ICANN section; never the network).
* :func:`parse_ip_list` splits the filed IP column (``1.2.3.4;1.2.3.10-1.2.3.20``)
  into one row per address or range, with a reason for each bad item.
* :class:`IpRangeIndex` answers "which provider announced the range this IP is in"
  for millions of IPs: ranges are flattened to sorted, disjoint integer intervals
  (the most specific range wins where ranges overlap) and looked up with
  :func:`numpy.searchsorted`. IPv4 and IPv6 are both supported; IPv6 uses Python
  integers in object arrays (exact, slower than the IPv4 path).

Examples
--------
>>> check_domain(["http://www.Example.com.cn/path", "例子.中国", "1.2.3.4", "foo.invalid"])[
...     ["valid", "reason", "host", "registered_domain"]]
   valid            reason                    host      registered_domain
0   True                        www.example.com.cn         example.com.cn
1   True                    xn--fsqu00a.xn--fiqs8s  xn--fsqu00a.xn--fiqs8s
2  False             is_ip                 1.2.3.4                    NaN
3  False  no_public_suffix             foo.invalid                    NaN
>>> index = IpRangeIndex.from_ranges(["p1", "p2"], ["1.2.0.0/16", "1.2.3.0/24;5.6.7.8"])
>>> index.lookup(["1.2.3.4", "1.2.4.4", "5.6.7.8", "9.9.9.9", None]).tolist()
['p2', 'p1', 'p2', <NA>, <NA>]
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from beian_audit.checks._common import (
    Method,
    _assemble,
    _check_method,
    _const_piece,
    _distinct_text,
    _labels,
    _match,
    _np,
    _per_value,
    _str_array,
    as_text,
    checker_values,
    map_distinct,
)
from beian_audit.errors import ArgumentTypeError

if TYPE_CHECKING:
    import pyarrow as pa


# the IP lists and the range index live in beian_audit.checks.ip_lists; their
# public names stay importable from here
from beian_audit.checks.ip_lists import _SURROGATE, _V4
from beian_audit.checks.ip_lists import IP_REASONS as IP_REASONS
from beian_audit.checks.ip_lists import IpRangeIndex as IpRangeIndex
from beian_audit.checks.ip_lists import ip_in_ranges as ip_in_ranges
from beian_audit.checks.ip_lists import parse_ip_list as parse_ip_list

__all__ = [
    "IP_REASONS",
    "REASONS",
    "IpRangeIndex",
    "check_domain",
    "ip_in_ranges",
    "parse_ip_list",
]

#: Reason codes of :func:`check_domain`: code -> (Chinese message, English message).
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺失", "missing value"),
    "bad_syntax": ("域名格式错误", "not a syntactically valid host name"),
    "idna_error": ("国际化域名无法转换", "internationalised name fails IDNA 2008 / UTS-46"),
    "is_ip": ("填写的是IP地址，不是域名", "an IP address, not a domain name"),
    "no_public_suffix": (
        "顶级域不在公共后缀列表中",
        "top-level domain not in the Public Suffix List",
    ),
    "is_public_suffix": ("只有公共后缀，没有注册域名", "a public suffix itself (e.g. com.cn)"),
}


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?")
_ASCII_HOST = re.compile(r"[\x21-\x7e]+")


_NUMERIC_HOST = re.compile(r"[0-9.]+|0x[0-9a-f.x]+", re.IGNORECASE)


@functools.cache
def _psl(only_icann: bool = True) -> Any:
    """The bundled Public Suffix List: ICANN section only (default) or with the private one."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(only_icann=only_icann, accept_unknown=False)


def _extract_host(text: str) -> str:
    """The host part of a domain or URL (userinfo, port, path, trailing dot removed)."""
    if _SCHEME.match(text):
        try:
            netloc = urlsplit(text).netloc
        except ValueError:
            return text
    elif text.startswith("//"):
        netloc = text[2:]
    else:
        netloc = text
    netloc = re.split(r"[/?#\\]", netloc, maxsplit=1)[0]
    netloc = netloc.rpartition("@")[2]
    if netloc.startswith("["):
        return netloc  # an IPv6 literal, port and all; recognised by the caller
    host, colon, port = netloc.rpartition(":")
    if colon and port.isdigit() and host:
        netloc = host
    if netloc.endswith(".") and not netloc.endswith(".."):
        netloc = netloc[:-1]
    return netloc


def _fast_ascii(host: str) -> str | None:
    """Lower-cased host when it is plain LDH ASCII that IDNA leaves unchanged, else None.

    Exact: agrees with ``idna.encode(host, uts46=True)`` wherever it answers
    (property-tested in ``tests/test_checks_network.py``).
    """
    lower = host.lower()
    if len(lower) > 253 or not lower.isascii():
        return None
    labels = lower.split(".")
    for label in labels:
        if not _LDH_LABEL.fullmatch(label) or label[2:4] == "--":
            return None
    return lower


def _to_ascii(host: str) -> tuple[str | None, str]:
    """(A-label host, reason) via the fast path or ``idna``."""
    import idna

    fast = _fast_ascii(host)
    if fast is not None:
        return fast, ""
    try:
        return idna.encode(host, uts46=True).decode("ascii"), ""
    except (idna.IDNAError, UnicodeError, ValueError, IndexError):
        return None, "bad_syntax" if host.isascii() else "idna_error"


def _as_ip(host: str) -> str | None:
    text = host[1:].partition("]")[0] if host.startswith("[") else host
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return None


_DOMAIN_MISSING: dict[str, Any] = {
    "valid": False,
    "reason": "missing",
    "host": None,
    "host_unicode": None,
    "registered_domain": None,
    "public_suffix": None,
}


def _domain_one(raw: str) -> dict[str, Any]:
    text = unicodedata.normalize("NFKC", _SURROGATE.sub("\ufffd", raw)).strip().replace("。", ".")
    if not text:
        return _DOMAIN_MISSING
    host = _extract_host(text)
    ip = _as_ip(host)
    if ip is not None:
        return _DOMAIN_MISSING | {"reason": "is_ip", "host": ip, "host_unicode": ip}
    if not host or any(ch.isspace() for ch in host) or _NUMERIC_HOST.fullmatch(host):
        return _DOMAIN_MISSING | {"reason": "bad_syntax"}
    ascii_host, reason = _to_ascii(host)
    if ascii_host is None:
        return _DOMAIN_MISSING | {"reason": reason}
    unicode_host = ascii_host
    if "xn--" in ascii_host:
        import idna

        try:
            unicode_host = idna.decode(ascii_host)
        except (idna.IDNAError, UnicodeError, ValueError, IndexError):  # pragma: no cover
            return _DOMAIN_MISSING | {"reason": "idna_error"}
    out = _DOMAIN_MISSING | {"reason": "", "host": ascii_host, "host_unicode": unicode_host}
    suffix = _psl().publicsuffix(ascii_host)
    if suffix is None:
        return out | {"reason": "no_public_suffix"}
    registered = _psl().privatesuffix(ascii_host)
    if registered is None:
        return out | {"reason": "is_public_suffix", "public_suffix": suffix}
    return out | {"valid": True, "registered_domain": registered, "public_suffix": suffix}


def check_domain(
    values: Iterable[object] | pd.Series,
    *,
    method: Method = "fast",
    private_suffixes: bool = False,
) -> pd.DataFrame:
    """Validate domain names (or URLs) and find their registered domain.

    Parameters
    ----------
    values : list or Series
        Domains, host names or full URLs (``http://www.Example.com:8080/path``);
        full-width characters and the ideographic full stop ``。`` are accepted.
    method : {"fast", "reference"}, default "fast"
        ``"reference"`` runs the steps below on every distinct value; ``"fast"``
        decides bare ASCII host names (letters, digits, ``-`` and ``.``) with
        vectorised string operations, applying the same Public Suffix List rules
        (exception, wildcard and plain rules, longest match) through set look-ups
        of each host's label suffixes, and hands anything else (URLs, IDN, odd
        punctuation) to the per-value steps. Both give the same frame
        (property-tested against every rule of the list).
    private_suffixes : bool, default False
        Add the ``filing_domain`` column, which reads the private section of the
        list as well (see Notes).

    Returns
    -------
    DataFrame
        Same index as ``values``:

        * ``valid``, ``reason`` (code from :data:`REASONS`);
        * ``host``: the host in lower-case ASCII (A-label, ``xn--…``) form, the
          form DNS and the registry compare; for ``is_ip`` rows the IP address;
        * ``host_unicode``: the same host with U-labels (``例子.中国``);
        * ``registered_domain``: public suffix plus one label, ASCII form
          (``www.example.com.cn`` → ``example.com.cn``); ``www.`` and other
          sub-domains are kept in ``host``, never stripped;
        * ``public_suffix``: ASCII form (``com.cn``);
        * ``filing_domain`` (only with ``private_suffixes=True``): the domain a
          filing must name to cover the host. It is the registered domain under
          the whole list, ICANN and private sections (``x.github.io``,
          ``shop.myshopify.com``: a platform's tenants file their own sites), and
          the ICANN ``registered_domain`` where the whole list gives none because
          the host is a private-section suffix itself (``github.io``, the
          platform's own site, filed by the platform); missing where
          ``registered_domain`` is.

    Notes
    -----
    Conversion is IDNA 2008 with UTS-46 mapping, non-transitional
    (``idna.encode(host, uts46=True)``), so ``faß.de`` stays distinct from
    ``fass.de``. Plain ASCII names take an exact fast path. Suffixes come from the
    ICANN section of the Public Suffix List shipped with ``publicsuffixlist``:
    ``registered_domain`` is the domain bought from a registrar, which a filing's
    sponsor holds, so ``x.github.io`` has ``github.io``. The private section
    (suffixes under which a platform gives its customers names, e.g. ``github.io``,
    ``myshopify.com``, ``s3.amazonaws.com``) is read only for ``filing_domain``,
    the key on which :func:`~beian_audit.estimation.filing_rate` matches sites to
    filings. A name the list does not have in its private section keeps its
    ICANN registered domain there too (Alibaba Cloud's
    ``bucket.oss-cn-hangzhou.aliyuncs.com`` → ``aliyuncs.com``).

    Examples
    --------
    >>> check_domain(["faß.de", "com.cn", "localhost", "a_b.com", "https://[::1]:8080/"])[
    ...     ["valid", "reason", "host", "public_suffix"]]
       valid            reason           host public_suffix
    0   True                    xn--fa-hia.de            de
    1  False  is_public_suffix         com.cn        com.cn
    2  False  no_public_suffix      localhost           NaN
    3  False        bad_syntax            NaN           NaN
    4  False             is_ip            ::1           NaN
    >>> check_domain(["x.github.io", "github.io", "www.shop.myshopify.com", "www.a.com.cn"],
    ...              private_suffixes=True)[["registered_domain", "filing_domain"]]
      registered_domain       filing_domain
    0         github.io         x.github.io
    1         github.io           github.io
    2     myshopify.com  shop.myshopify.com
    3       a.com.cn            a.com.cn
    """
    values = checker_values(values)
    _check_method(method)
    if not isinstance(private_suffixes, bool):
        raise ArgumentTypeError(f"private_suffixes ({private_suffixes!r}) must be True or False")
    if method == "reference":
        out = _domain_finish(map_distinct(as_text(values), _domain_one, _DOMAIN_MISSING))
    else:
        out = _domain_fast(values)
    if private_suffixes:
        out["filing_domain"] = _filing_domains(out, method)
    return out


def _domain_finish(out: pd.DataFrame) -> pd.DataFrame:
    out["valid"] = out["valid"].astype(bool)
    for col in ("reason", "host", "host_unicode", "registered_domain", "public_suffix"):
        out[col] = out[col].astype("str")
    return out


def _domain_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _domain_finish(pd.DataFrame.from_records(rows, columns=list(_DOMAIN_MISSING)))


_LDH_HOST = (
    r"^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)*$"
)


@functools.cache
def _psl_rules(only_icann: bool = True) -> tuple[pa.Array, np.ndarray, pa.Array] | None:
    """The bundled list as look-up tables, from the ``PublicSuffixList`` object itself.

    Returns ``(suffixes, kinds, parents)``: each string a rule is tested against, its
    kind (3 for an exception rule ``!x``, 2 for a wildcard parent ``*.x``, 1 for a
    plain rule; the order in which ``publicsuffixlist`` tests them), and the proper
    label suffixes of those strings; ``None`` when the object does not expose its rule
    set (then the fast path is off).
    """
    import pyarrow as pa

    rules = getattr(_psl(only_icann), "_publicsuffix", None)
    maxlabel = getattr(_psl(only_icann), "_maxlabel", None)
    if not isinstance(rules, frozenset) or not isinstance(maxlabel, int):
        return None  # pragma: no cover - another publicsuffixlist layout
    kinds: dict[str, int] = {}
    for rule in rules:
        if rule.startswith("!"):
            key, kind = rule[1:], 3
        elif rule.startswith("*."):
            key, kind = rule[2:], 2
        else:
            key, kind = rule, 1
        kinds[key] = max(kinds.get(key, 0), kind)
    parents = {".".join(k.split(".")[-d:]) for k in kinds for d in range(1, k.count(".") + 1)}
    keys = sorted(kinds)
    return (
        pa.array(keys, type=pa.large_string()),
        np.array([kinds[k] for k in keys], dtype=np.int64),
        pa.array(sorted(parents), type=pa.large_string()),
    )


def _tails(array: pa.Array, lengths: np.ndarray) -> pa.Array:
    """The last ``lengths[i]`` bytes of each string of an ASCII string array."""
    import pyarrow as pa

    array = array.cast(pa.large_string())
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0)
    lengths = np.asarray(lengths, dtype=np.int64)
    out_offsets = np.zeros(len(array) + 1, dtype=np.int64)
    np.cumsum(lengths, out=out_offsets[1:])
    starts = offsets[1:] - lengths
    idx = np.repeat(starts - out_offsets[:-1], lengths) + np.arange(out_offsets[-1])
    return pa.LargeStringArray.from_buffers(
        len(array), pa.py_buffer(out_offsets.tobytes()),
        pa.py_buffer(data[idx].astype(np.uint8).tobytes()),
    )


def _public_suffix_lengths(
    hosts: pa.Array, *, only_icann: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """(number of labels, number of public-suffix labels) of lower-case LDH hosts.

    ``publicsuffixlist``'s ``_countpublic`` with ``accept_unknown=False``: the longest
    label suffix that is an exception (count = depth - 1), a wildcard parent
    (depth + 1 when the host is longer, else depth) or a plain rule (depth) decides;
    0 when none matches.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    tables = _psl_rules(only_icann)
    assert tables is not None
    keys, kinds, parents = tables
    lists = pc.split_pattern(hosts, ".")
    n = _np(pc.list_value_length(lists)).astype(np.int64)
    label_len = _np(pc.utf8_length(pc.list_flatten(lists))).astype(np.int64)
    ends = np.cumsum(n)
    csum = np.zeros(len(label_len) + 1, dtype=np.int64)
    np.cumsum(label_len + 1, out=csum[1:])
    publen = np.zeros(len(n), dtype=np.int64)
    alive = np.arange(len(n))
    depth = 1
    while len(alive):
        e = ends[alive]
        suffix_len = csum[e] - csum[e - depth] - 1
        suffixes = _tails(hosts.take(pa.array(alive)), suffix_len)
        at = _np(pc.fill_null(pc.index_in(suffixes, value_set=keys), -1)).astype(np.int64)
        hit = at >= 0
        kind = kinds[np.where(hit, at, 0)]
        count = np.select(
            [kind == 3, (kind == 2) & (n[alive] > depth), kind == 2],
            [depth - 1, depth + 1, depth],
            depth,
        )
        publen[alive[hit]] = count[hit]  # deeper matches overwrite shallower ones
        more = (n[alive] > depth) & _np(pc.is_in(suffixes, value_set=parents))
        alive = alive[more]
        depth += 1
    return n, publen


def _suffix_tails(
    hosts: pa.Array, *, only_icann: bool = True
) -> tuple[np.ndarray, np.ndarray, pa.Array, pa.Array]:
    """(has a suffix, has a registered domain, registered domains, public suffixes).

    For A-label hosts (lower-case ASCII, non-empty labels), under the ICANN section
    of the list or (``only_icann=False``) the whole list; the two arrays are null
    where there is none.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n, publen = _public_suffix_lengths(hosts, only_icann=only_icann)
    lists = pc.split_pattern(hosts, ".")
    label_len = _np(pc.utf8_length(pc.list_flatten(lists))).astype(np.int64)
    ends = np.cumsum(n)
    csum = np.zeros(len(label_len) + 1, dtype=np.int64)
    np.cumsum(label_len + 1, out=csum[1:])

    def tail(depth: np.ndarray, keep: np.ndarray) -> pa.Array:
        d = np.where(keep, depth, 0)
        lengths = np.where(keep, csum[ends] - csum[ends - d] - 1, 0)
        null = pa.scalar(None, pa.large_string())
        return pc.if_else(pa.array(keep), _tails(hosts, lengths), null)

    has_suffix = publen > 0
    registered_ok = has_suffix & (n >= publen + 1)
    return has_suffix, registered_ok, tail(publen + 1, registered_ok), tail(publen, has_suffix)


def _registered_frame(hosts: pa.Array, unicode_hosts: pa.Array | None) -> pd.DataFrame:
    """Output rows for A-label hosts (lower-case ASCII, non-empty labels)."""
    has_suffix, registered_ok, registered, suffix = _suffix_tails(hosts)
    reason = np.where(~has_suffix, 1, np.where(~registered_ok, 2, 0))
    names = _str_array(hosts)
    return pd.DataFrame(
        {
            "valid": reason == 0,
            "reason": _str_array(_labels(reason, ["", "no_public_suffix", "is_public_suffix"])),
            "host": names,
            "host_unicode": names if unicode_hosts is None else _str_array(unicode_hosts),
            "registered_domain": _str_array(registered),
            "public_suffix": _str_array(suffix),
        }
    )


# --------------------------------------------------------------------------- filing domains
@functools.cache
def _private_scope() -> tuple[pa.Array, pa.Array] | None:
    """Where the private section of the list can change a host's registered domain.

    ``(parents, suffixes)``: the ICANN registered domains at or under which a
    private-section rule sits (``github.io``, ``myshopify.com``, ``amazonaws.com``),
    and the rule keys that have no ICANN registered domain (a rule on an ICANN
    public suffix itself). Under the whole list a host's public suffix is the
    longest matching rule, so a host whose ICANN registered domain is not a parent
    and whose ICANN suffix is not such a key keeps its ICANN registered domain
    (property-tested against ``publicsuffixlist`` on every private rule).
    ``None`` when the ``PublicSuffixList`` object does not expose its rules.
    """
    import pyarrow as pa

    icann, full = _psl(True), _psl(False)
    icann_rules = getattr(icann, "_publicsuffix", None)
    full_rules = getattr(full, "_publicsuffix", None)
    if not isinstance(icann_rules, frozenset) or not isinstance(full_rules, frozenset):
        return None  # pragma: no cover - another publicsuffixlist layout
    parents: set[str] = set()
    suffixes: set[str] = set()
    for rule in full_rules - icann_rules:
        key = rule.removeprefix("!").removeprefix("*.")
        registered = icann.privatesuffix(key)
        if registered is None:
            suffixes.add(key)
        else:
            parents.add(registered)
    return (
        pa.array(sorted(parents), type=pa.large_string()),
        pa.array(sorted(suffixes), type=pa.large_string()),
    )


def _filing_one(host: str, registered: str) -> str:
    """:func:`_filing_domains` for one host, with ``publicsuffixlist`` itself."""
    tenant = _psl(False).privatesuffix(host)
    return registered if tenant is None else str(tenant)


def _filing_domains(checked: pd.DataFrame, method: str) -> pd.Series:
    """The ``filing_domain`` column of :func:`check_domain` from its other columns.

    The registered domain under the whole list (ICANN and private sections) where
    the host has one, else (the host is a private-section suffix itself, such as
    ``github.io``) its ICANN registered domain; missing where that is missing.
    ``"fast"`` re-examines, with the whole list's rule tables, only the hosts the
    private section can concern (:func:`_private_scope`); ``"reference"`` asks
    ``publicsuffixlist`` for every distinct host.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from beian_audit._arrow import one_chunk

    def text(column: str) -> pa.Array:
        return one_chunk(pa.array(checked[column].array)).cast(pa.large_string())

    registered = text("registered_domain")
    scope = _private_scope() if method == "fast" else None
    if scope is None or _psl_rules(False) is None:
        valid = checked["registered_domain"].notna().to_numpy(bool)
        hosts = checked["host"].to_numpy(dtype=object)[valid]
        regs = checked["registered_domain"].to_numpy(dtype=object)[valid]
        out = np.full(len(checked), None, dtype=object)
        pairs = list(zip(hosts, regs, strict=True))
        out[valid] = _per_value(lambda pair: _filing_one(*pair), pairs)
        return pd.Series(_str_array(pa.array(out, type=pa.large_string())), index=checked.index)
    parents, suffixes = scope
    candidate = pc.and_kleene(
        pc.is_valid(registered),
        pc.or_kleene(pc.is_in(registered, value_set=parents),
                     pc.is_in(text("public_suffix"), value_set=suffixes)),
    )  # fmt: skip
    pos = np.flatnonzero(_np(pc.fill_null(candidate, False)))
    result = registered
    if pos.size:
        _, ok, tenant, _ = _suffix_tails(text("host").take(pa.array(pos)), only_icann=False)
        take = np.arange(len(registered), dtype=np.int64)
        take[pos[ok]] = len(registered) + np.flatnonzero(ok)
        result = pa.concat_arrays([registered, tenant]).take(pa.array(take))
    return pd.Series(_str_array(result), index=checked.index)


_CJK = "\\x{4e00}-\\x{9fff}"
#: Host names of lower-case LDH and CJK-ideograph labels, at least one ideograph
#: (NFKC, white-space stripping, 。 and URL parsing leave them unchanged).
_IDN_HOST = f"^[a-z0-9\\-{_CJK}]+(?:\\.[a-z0-9\\-{_CJK}]+)*$"
_IDN_ERRORS = (UnicodeError, ValueError, IndexError)


def _idn_fast(hosts: pa.Array) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """:func:`_domain_one` for ``_IDN_HOST`` names, converting each distinct label once.

    ``idna.encode(host, uts46=True)`` maps the whole name (UTS-46 mapping is per
    character, then NFC, which never joins across a ``.``), splits it at dots and
    converts each label on its own, then checks the total length; ``idna.decode``
    likewise works label by label. So a name converts to its labels' conversions
    joined by dots, and fails when any label fails. Returns the positions decided,
    their frame, and a mask of the hosts that fail with ``idna_error``; names without
    an ideograph, and names whose A-label form is longer than 253 characters, are
    left for the per-value path.
    """
    import idna
    import pyarrow as pa
    import pyarrow.compute as pc

    m = len(hosts)
    if m == 0:
        return np.zeros(0, dtype=np.int64), _domain_frame([]), np.zeros(0, dtype=bool)
    has_cjk = _match(hosts, f"[{_CJK}]")
    lists = pc.split_pattern(hosts, ".")
    flat = pc.list_flatten(lists)
    parent = _np(pc.list_parent_indices(lists)).astype(np.int64)
    encoded = pc.dictionary_encode(flat)
    alabels: list[str | None] = []
    ulabels: list[str | None] = []
    for label in encoded.dictionary.to_pylist():
        try:
            alabel = idna.encode(label, uts46=True).decode("ascii")
        except _IDN_ERRORS:  # idna.IDNAError is a UnicodeError
            alabels.append(None)
            ulabels.append(None)
            continue
        alabels.append(alabel)
        try:
            ulabels.append(idna.decode(alabel))
        except _IDN_ERRORS:  # pragma: no cover - a label idna produced decodes
            ulabels.append(None)
    at = pa.array(_np(encoded.indices).astype(np.int64))
    a_flat = pa.array(alabels, type=pa.large_string()).take(at)
    u_flat = pa.array(ulabels, type=pa.large_string()).take(at)
    offsets = pa.array(
        np.concatenate([[0], np.cumsum(_np(pc.list_value_length(lists)))]), type=pa.int64()
    )
    bad_a = np.bincount(parent, weights=_np(a_flat.is_null()), minlength=m) > 0
    bad_u = np.bincount(parent, weights=_np(u_flat.is_null()), minlength=m) > 0
    dot = pa.scalar(".", pa.large_string())
    ascii_hosts = pc.binary_join(pa.LargeListArray.from_arrays(offsets, a_flat), dot)
    unicode_hosts = pc.binary_join(pa.LargeListArray.from_arrays(offsets, u_flat), dot)
    has_xn = _match(pc.fill_null(ascii_hosts, ""), "xn--")
    error = has_cjk & (bad_a | (has_xn & bad_u))
    fits = _np(pc.fill_null(pc.utf8_length(ascii_hosts), 0)) <= 253
    ok = has_cjk & ~error & fits
    keep = pa.array(ok)
    chosen = pc.if_else(pa.array(has_xn), unicode_hosts, ascii_hosts).filter(keep)
    frame = _registered_frame(ascii_hosts.filter(keep), chosen)
    return np.flatnonzero(ok), frame, error


def _domain_fast(values: Iterable[object] | pd.Series) -> pd.DataFrame:
    """:func:`_domain_one` for bare ASCII host names, vectorised; the rest per value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index, codes, uniques = _distinct_text(values)
    k = len(uniques)
    candidate = (
        _match(uniques, r"^[A-Za-z0-9.\-]+$") if _psl_rules() is not None else np.zeros(k, bool)
    )
    pos = np.flatnonzero(candidate)
    raw = uniques.take(pa.array(pos))
    # _extract_host: one trailing dot goes (not two); NFKC, strip and 。 change nothing
    trailing = _np(pc.ends_with(raw, ".")) & ~_np(pc.ends_with(raw, ".."))
    host = pc.if_else(pa.array(trailing), pc.utf8_slice_codeunits(raw, 0, -1), raw)
    is_ip = _match(host, "^(?:" + _V4.pattern + ")$")
    numeric = ~is_ip & _match(host, r"(?i)^(?:[0-9.]+|0x[0-9a-f.x]+)$")
    lower = pc.ascii_lower(host)
    ldh = (
        ~is_ip & ~numeric
        & _match(lower, _LDH_HOST)
        & ~_match(lower, r"(?:^|\.)[a-z0-9\-]{2}--|xn--")
        & (_np(pc.utf8_length(lower)) <= 253)
    )
    ip_hosts = host.filter(pa.array(is_ip))
    ip_frame = pd.DataFrame(
        {
            "valid": np.zeros(len(ip_hosts), dtype=bool),
            "reason": _str_array(["is_ip"] * len(ip_hosts)),
            "host": _str_array(ip_hosts),
            "host_unicode": _str_array(ip_hosts),
            "registered_domain": _str_array([None] * len(ip_hosts)),
            "public_suffix": _str_array([None] * len(ip_hosts)),
        }
    )
    ldh_frame = _registered_frame(lower.filter(pa.array(ldh)), None)
    # internationalised names written with CJK ideographs and lower-case LDH labels
    rest = np.flatnonzero(~candidate)
    rest_values = uniques.take(pa.array(rest))
    idn = _match(rest_values, _IDN_HOST) & (_np(pc.utf8_length(rest_values)) <= 200)
    idn_ok, idn_frame, idn_error = _idn_fast(rest_values.filter(pa.array(idn)))
    idn_pos = rest[idn][idn_ok]
    idn_error_pos = rest[idn][idn_error]
    done = np.zeros(k, dtype=bool)
    done[np.concatenate([idn_pos, idn_error_pos])] = True
    left = np.concatenate([rest[~done[rest]], pos[~(is_ip | numeric | ldh)]])
    other = _per_value(_domain_one, uniques.take(pa.array(left)).to_pylist())
    pieces = [
        (pos[ldh], ldh_frame),
        (idn_pos, idn_frame),
        (idn_error_pos, _const_piece(_domain_frame([_DOMAIN_MISSING | {"reason": "idna_error"}]),
                                     len(idn_error_pos))),
        (pos[is_ip], ip_frame),
        (pos[numeric], _const_piece(_domain_frame([_DOMAIN_MISSING | {"reason": "bad_syntax"}]),
                                    int(numeric.sum()))),
        (left, _domain_frame(other)),
        (np.array([k]), _domain_frame([_DOMAIN_MISSING])),
    ]
    return _assemble(codes, index, k, pieces)
