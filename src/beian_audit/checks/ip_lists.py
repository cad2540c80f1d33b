"""Filed IP lists and IP-range lookup.

* :func:`parse_ip_list` splits the filed IP column (``1.2.3.4;1.2.3.10-1.2.3.20``)
  into one row per address or range, with a reason for each bad item.
* :class:`IpRangeIndex` answers "which provider announced the range this IP is in"
  for millions of IPs: ranges are flattened to sorted, disjoint integer intervals
  (the most specific range wins where ranges overlap) and looked up with
  :func:`numpy.searchsorted`. IPv4 and IPv6 are both supported; IPv6 uses Python
  integers in object arrays (exact, slower than the IPv4 path).

Both are importable from :mod:`beian_audit.checks.network` too, with
:func:`~beian_audit.checks.network.check_domain`.

Examples
--------
>>> index = IpRangeIndex.from_ranges(["p1", "p2"], ["1.2.0.0/16", "1.2.3.0/24;5.6.7.8"])
>>> index.lookup(["1.2.3.4", "1.2.4.4", "5.6.7.8", "9.9.9.9", None]).tolist()
['p2', 'p1', 'p2', <NA>, <NA>]
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from beian_audit._options import check_choice
from beian_audit._results import ResultMixin
from beian_audit.checks._common import (
    Method,
    _check_method,
    _distinct_text,
    _labels,
    _match,
    _np,
    _per_value,
    _str_array,
    as_text,
    checker_values,
)
from beian_audit.errors import ArgumentError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["IP_REASONS", "IpRangeIndex", "ip_in_ranges", "parse_ip_list"]

#: Reason codes of :func:`parse_ip_list`: code -> (Chinese message, English message).
IP_REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺失", "missing value"),
    "bad_ip": ("IP地址格式错误", "not an IPv4 or IPv6 address"),
    "bad_range": ("IP地址段格式错误", "range is not start-end or CIDR of one IP version"),
    "reversed_range": ("IP地址段起止颠倒", "range starts after it ends"),
    "not_global": (
        "非公网IP地址（内网、保留或回环）",
        "not a public address (private, reserved, loopback)",
    ),
}


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_V4 = re.compile(r"\.".join([_OCTET] * 4))  # strict dotted decimal, as ipaddress reads it
_SURROGATE = re.compile("[\ud800-\udfff]")  # not storable in pandas' string dtype


_ITEM_SPLIT = re.compile(r"[;,|、\s]+")
_RANGE_DASH = re.compile(r"\s*(?:-|~|至|到)\s*")


def _parse_item(text: str) -> tuple[int, int, int, str, bool]:
    """(version, first, last, reason, is_range) for one address, start-end range or CIDR."""
    if "/" in text:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return 0, 0, 0, "bad_range", True
        return net.version, int(net.network_address), int(net.broadcast_address), "", True
    if "-" in text:
        left, _, right = text.partition("-")
        try:
            a, b = ipaddress.ip_address(left), ipaddress.ip_address(right)
        except ValueError:
            return 0, 0, 0, "bad_range", True
        if a.version != b.version:
            return 0, 0, 0, "bad_range", True
        if int(a) > int(b):
            return a.version, int(a), int(b), "reversed_range", True
        return a.version, int(a), int(b), "", True
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return 0, 0, 0, "bad_ip", False
    return a.version, int(a), int(a), "", False


def _split_items(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", _SURROGATE.sub("\ufffd", text)).replace("。", ".")
    text = _RANGE_DASH.sub("-", text.strip())
    return [t for t in _ITEM_SPLIT.split(text) if t]


def _ip_text(version: int, value: int) -> str:
    return (
        ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value)
    ).compressed


def parse_ip_list(
    values: Iterable[object] | pd.Series, *, method: Method = "fast"
) -> pd.DataFrame:
    """Split filed IP lists into one row per address or range.

    Parameters
    ----------
    values : list or Series
        One filed list per row: addresses, ``start-end`` ranges (also with ``~``,
        ``至``) or CIDR blocks, separated by ``;``, ``,``, ``、``, ``|`` or
        whitespace (full-width forms included).
    method : {"fast", "reference"}, default "fast"
        ``"fast"`` parses lists of plain dotted-decimal IPv4 addresses separated by
        ``;``, ``,`` or ``|`` with vectorised string and integer operations (and
        :mod:`ipaddress`'s own special-purpose networks for ``not_global``), and
        hands anything else (ranges, CIDR, IPv6, other separators) to the
        per-item parser (``"reference"``). Both give the same frame.

    Returns
    -------
    DataFrame
        One row per item, indexed by the input row's label (repeated, like
        :meth:`pandas.Series.explode`); a missing or empty list gives one row with
        ``reason="missing"``. Columns ``item`` (0-based position in the list),
        ``text`` (the item as written), ``valid``, ``reason`` (code from
        :data:`IP_REASONS`), ``version`` (Int8, 4 or 6), ``first`` and ``last``
        (compressed address text; equal for a single address) and ``is_range``.

    Notes
    -----
    Parsing is :mod:`ipaddress` (strict: no leading zeros in IPv4). An item is
    ``not_global`` when its first or last address is not globally routable
    (``ipaddress`` ``is_global``): private, shared (100.64/10), loopback, reserved.

    Examples
    --------
    >>> parse_ip_list(pd.Series(["1.2.3.4；1.2.3.10 - 1.2.3.20", "10.0.0.1", None],
    ...                         index=[7, 8, 9]))[["item", "valid", "reason", "first", "last"]]
       item  valid      reason     first       last
    7     0   True               1.2.3.4    1.2.3.4
    7     1   True              1.2.3.10   1.2.3.20
    8     0  False  not_global  10.0.0.1   10.0.0.1
    9     0  False     missing       NaN        NaN
    """
    values = checker_values(values)
    _check_method(method)
    if method == "fast":
        fast = _ip_list_fast(values)
        if fast is not None:
            return fast
    text = as_text(values)
    labels, items = [], []
    cache: dict[str, list[dict[str, Any]]] = {}
    for label, value in zip(text.index, text.to_numpy(dtype=object), strict=True):
        parsed = cache.get(value) if value is not None else None
        if parsed is None:
            parsed = _parse_value(value)
            if value is not None:
                cache[value] = parsed
        labels.extend([label] * len(parsed))
        items.extend(parsed)
    out = pd.DataFrame.from_records(items, columns=_IP_COLUMNS)
    out.index = pd.Index(
        labels, name=text.index.name, dtype=text.index.dtype if len(labels) else None
    )
    return _ip_finish(out)


_IP_COLUMNS = ["item", "text", "valid", "reason", "version", "first", "last", "is_range"]


def _ip_finish(out: pd.DataFrame) -> pd.DataFrame:
    out["item"] = out["item"].astype("int64")
    out["valid"] = out["valid"].astype(bool)
    out["is_range"] = out["is_range"].astype(bool)
    out["version"] = out["version"].astype("Int8")
    for col in ("text", "reason", "first", "last"):
        out[col] = out[col].astype("str")
    return out


def _parse_value(value: str | None) -> list[dict[str, Any]]:
    """The item rows of one filed list (one ``missing`` row when it has no item)."""
    parsed: list[dict[str, Any]] = []
    for pos, item in enumerate(_split_items(value) if value is not None else []):
        version, first, last, reason, is_range = _parse_item(item)
        row: dict[str, Any] = {
            "item": pos,
            "text": item,
            "valid": False,
            "reason": reason,
            "version": version or None,
            "first": None,
            "last": None,
            "is_range": is_range,
        }
        if version and reason in ("", "reversed_range"):
            row["first"], row["last"] = _ip_text(version, first), _ip_text(version, last)
            if not reason and not (
                ipaddress.ip_address(row["first"]).is_global
                and ipaddress.ip_address(row["last"]).is_global
            ):
                reason = "not_global"
        row["reason"], row["valid"] = reason, not reason
        parsed.append(row)
    if not parsed:
        parsed = [dict(_IP_MISSING)]
    return parsed




_IP_MISSING: dict[str, Any] = {
    "item": 0,
    "text": None,
    "valid": False,
    "reason": "missing",
    "version": None,
    "first": None,
    "last": None,
    "is_range": False,
}


@functools.cache
def _ipv4_global_table() -> tuple[np.ndarray, np.ndarray] | None:
    """IPv4 ``is_global`` as sorted interval starts and a verdict per interval.

    :mod:`ipaddress` decides ``is_global`` by membership in the special-purpose
    networks it lists on ``IPv4Address._constants``; the verdict is constant between
    consecutive boundaries of those networks, so one call per interval gives the whole
    table (``None`` if the constants are not where this expects them).
    """
    constants = getattr(ipaddress.IPv4Address, "_constants", None)
    if constants is None:  # pragma: no cover - another ipaddress layout
        return None
    networks: list[ipaddress.IPv4Network] = [ipaddress.IPv4Network("100.64.0.0/10")]
    for value in vars(constants).values():
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, ipaddress.IPv4Network):
                networks.append(item)
            elif isinstance(item, ipaddress.IPv4Address):
                networks.append(ipaddress.IPv4Network(item))
    bounds = {0}
    for net in networks:
        bounds.add(int(net.network_address))
        bounds.add(int(net.broadcast_address) + 1)
    starts = np.array(sorted(b for b in bounds if b < 2**32), dtype=np.int64)
    verdict = np.array([ipaddress.IPv4Address(int(b)).is_global for b in starts], dtype=bool)
    return starts, verdict


_STRICT_V4 = "(?:" + _V4.pattern.replace("(", "(?:") + ")"


def _ipv4_ints(texts: pa.Array) -> np.ndarray:
    """Integer value of strict dotted-decimal IPv4 strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64)
    parts = pc.cast(pc.list_flatten(pc.split_pattern(texts, ".")), pa.int64())
    octets = _np(parts).reshape(-1, 4)
    return (octets[:, 0] << 24) | (octets[:, 1] << 16) | (octets[:, 2] << 8) | octets[:, 3]


def _ip_list_fast(values: Iterable[object] | pd.Series) -> pd.DataFrame | None:
    """Vectorised :func:`parse_ip_list`; ``None`` when it cannot help (empty input)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = _ipv4_global_table()
    index, codes, uniques = _distinct_text(values)
    if len(codes) == 0 or table is None:
        return None
    k = len(uniques)
    plain = _match(uniques, f"^{_STRICT_V4}(?:[;,|]{_STRICT_V4})*$")
    fast = np.flatnonzero(plain)
    lists = pc.split_pattern_regex(uniques.take(pa.array(fast)), "[;,|]")
    items = pc.list_flatten(lists)
    count_fast = _np(pc.list_value_length(lists)).astype(np.int64)
    parent = np.repeat(np.arange(len(fast)), count_fast)
    starts = np.concatenate([[0], np.cumsum(count_fast)])[:-1].astype(np.int64)
    position = np.arange(len(parent)) - np.repeat(starts, count_fast)
    number = _ipv4_ints(items)
    bounds, verdict = table
    is_global = verdict[np.searchsorted(bounds, number, side="right") - 1]
    text = _str_array(items)
    fast_items = pd.DataFrame(
        {
            "item": position.astype(np.int64),
            "text": text,
            "valid": is_global,
            "reason": _str_array(_labels(np.where(is_global, 0, 1), ["", "not_global"])),
            "version": pd.array(np.full(len(parent), 4, dtype=np.int8), dtype="Int8"),
            "first": text,
            "last": text,
            "is_range": np.zeros(len(parent), dtype=bool),
        }
    )
    rest = np.flatnonzero(~plain)
    rest_rows = _per_value(_parse_value, uniques.take(pa.array(rest)).to_pylist())
    count_rest = np.array([len(r) for r in rest_rows], dtype=np.int64)
    rest_items = _ip_finish(
        pd.DataFrame.from_records([r for rows in rest_rows for r in rows], columns=_IP_COLUMNS)
    )
    missing = _ip_finish(pd.DataFrame.from_records([_IP_MISSING], columns=_IP_COLUMNS))
    # where each distinct value's items start in the combined item table, and how many
    item_start = np.zeros(k + 1, dtype=np.int64)
    item_count = np.ones(k + 1, dtype=np.int64)
    item_start[fast] = starts
    item_count[fast] = count_fast
    item_start[rest] = len(fast_items) + np.concatenate([[0], np.cumsum(count_rest)])[:-1]
    item_count[rest] = count_rest
    item_start[k] = len(fast_items) + len(rest_items)
    frames = [f for f in (fast_items, rest_items, missing) if len(f)]
    items_table = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    row_code = np.where(codes < 0, k, codes)
    counts = item_count[row_code]
    first_of_row = np.concatenate([[0], np.cumsum(counts)[:-1]])
    take = np.repeat(item_start[row_code] - first_of_row, counts) + np.arange(int(counts.sum()))
    out = items_table.take(take)
    out.index = index.repeat(counts)
    return out


# --------------------------------------------------------------------------- range index

OnInvalid = Literal["raise", "skip"]


def _paint(
    starts: np.ndarray, ends: np.ndarray, positions: np.ndarray, dtype: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint intervals [bounds[i], bounds[i+1]) owned by the most specific range."""
    if len(starts) == 0:
        return np.array([], dtype=dtype), np.array([], dtype=np.int64)
    stops = np.array([e + 1 for e in ends], dtype=dtype)
    bounds = np.unique(np.concatenate([np.asarray(starts, dtype=dtype), stops]))
    owners = np.full(len(bounds) - 1, -1, dtype=np.int64)
    lo = np.searchsorted(bounds, np.asarray(starts, dtype=dtype))
    hi = np.searchsorted(bounds, stops)
    sizes = [e - s for s, e in zip(starts, ends, strict=True)]
    # paint large ranges first so smaller (more specific) ones overwrite them; among
    # ranges of equal size the first listed is painted last and wins
    order = sorted(range(len(starts)), key=lambda i: (-sizes[i], -positions[i]))
    for i in order:
        owners[lo[i] : hi[i]] = positions[i]
    keep = np.ones(len(owners), dtype=bool)
    keep[1:] = owners[1:] != owners[:-1]
    return np.append(bounds[:-1][keep], bounds[-1]), owners[keep]


def _find(bounds: np.ndarray, owners: np.ndarray, values: np.ndarray) -> np.ndarray:
    if len(owners) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    i = np.searchsorted(bounds, values, side="right") - 1
    inside = (i >= 0) & (i < len(owners))
    return np.where(inside, owners[np.clip(i, 0, len(owners) - 1)], -1)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class IpRangeIndex(ResultMixin):
    """Frozen lookup table from IP address to the provider that announced its range.

    Build it with :meth:`from_ranges`; query it with :meth:`lookup` (provider id)
    or :meth:`lookup_position` (row of the range list).

    Attributes
    ----------
    provider_ids : ExtensionArray
        Provider id of each input row (nullable array).
    bounds4, owners4 : ndarray
        IPv4 interval boundaries (int64, sorted) and the owning input row of each
        interval ``[bounds4[i], bounds4[i+1])`` (-1 = none).
    bounds6, owners6 : ndarray
        The same for IPv6 (boundaries are Python ints in an object array).
    n_ranges : int
        Number of ranges indexed.
    """

    provider_ids: Any
    bounds4: np.ndarray
    owners4: np.ndarray
    bounds6: np.ndarray
    owners6: np.ndarray
    n_ranges: int

    @classmethod
    def from_ranges(
        cls,
        provider_ids: Sequence[object] | pd.Series,
        ranges: Sequence[object] | pd.Series,
        *,
        on_invalid: OnInvalid = "raise",
    ) -> IpRangeIndex:
        """Index the ranges announced by each provider.

        Parameters
        ----------
        provider_ids : sequence or Series
            One id per row of ``ranges`` (any hashable; repeated ids are fine).
        ranges : sequence or Series
            CIDR blocks, ``start-end`` ranges or single addresses; a row may hold
            several separated by ``;`` (the ``ip_ranges`` column).
        on_invalid : {"raise", "skip"}, default "raise"
            What to do with an item that is not a valid range: raise
            :class:`~beian_audit.errors.SchemaError` listing every bad item in
            ``failure_cases``, or skip it.

        Returns
        -------
        IpRangeIndex

        Raises
        ------
        ValueError
            If the two inputs differ in length or ``on_invalid`` is not allowed.
        SchemaError
            If an item is invalid and ``on_invalid="raise"``.

        Notes
        -----
        Where ranges overlap, the most specific (smallest) range owns the
        addresses it covers; between ranges of equal size, the first listed. CIDR
        blocks are read with ``strict=False`` (host bits set are ignored).

        Examples
        --------
        >>> IpRangeIndex.from_ranges([1, 2], ["10.0.0.0/8", "10.1.0.0/16"])
        IpRangeIndex(ranges=2, intervals=3)
        """
        check_choice("on_invalid", on_invalid, ("raise", "skip"))
        ids, texts = list(provider_ids), as_text(ranges)
        if len(ids) != len(texts):
            raise ArgumentError(
                f"provider_ids (length {len(ids)}) and ranges (length {len(texts)}) "
                "must have the same length"
            )
        cols: dict[int, tuple[list[int], list[int], list[int]]] = {4: ([], [], []), 6: ([], [], [])}
        failures = []
        for row, value in enumerate(texts.to_numpy(dtype=object)):
            for item in _split_items(value) if value is not None else []:
                version, first, last, reason, _ = _parse_item(item)
                if reason:
                    failures.append(
                        {"row": row, "column": "ip_ranges", "value": item, "reason": reason}
                    )
                    continue
                starts, ends, positions = cols[version]
                starts.append(first)
                ends.append(last)
                positions.append(row)
        if failures and on_invalid == "raise":
            from beian_audit.errors import SchemaError

            shown = ", ".join(repr(f["value"]) for f in failures[:3])
            more = ", …" if len(failures) > 3 else ""
            raise SchemaError(
                f"ranges has {len(failures)} invalid item(s) ({shown}{more}); "
                "each must be a CIDR block, a start-end range or an address",
                pd.DataFrame(failures),
            )
        b4, o4 = _paint(
            np.array(cols[4][0], dtype=np.int64),
            np.array(cols[4][1], dtype=np.int64),
            np.array(cols[4][2], dtype=np.int64),
            np.int64,
        )
        b6, o6 = _paint(
            np.array(cols[6][0], dtype=object),
            np.array(cols[6][1], dtype=object),
            np.array(cols[6][2], dtype=np.int64),
            object,
        )
        return cls(
            provider_ids=pd.array(ids) if ids else pd.array([], dtype="str"),
            bounds4=b4,
            owners4=o4,
            bounds6=b6,
            owners6=o6,
            n_ranges=len(cols[4][0]) + len(cols[6][0]),
        )

    def lookup_position(self, ips: Iterable[object] | pd.Series) -> np.ndarray:
        """Row of the range list owning each IP (-1 when in no range or not an IP).

        Takes the same input as :meth:`lookup`; returns an int64 array.

        Examples
        --------
        >>> IpRangeIndex.from_ranges(["a", "b"], ["1.0.0.0/8", "2001:db8::/32"]).lookup_position(
        ...     ["1.2.3.4", "2001:db8::1", "::ffff:1.1.1.1", "x"])
        array([ 0,  1,  0, -1])
        """
        if isinstance(ips, np.ndarray | pd.Series) and pd.api.types.is_integer_dtype(ips.dtype):
            numeric = pd.Series(ips).astype("float64").to_numpy()  # NA -> NaN
            inside = (numeric >= 0) & (numeric < 2**32)
            as_int = np.where(inside, numeric, 0).astype(np.int64)
            return np.where(inside, _find(self.bounds4, self.owners4, as_int), -1)
        import pyarrow as pa

        _, codes, distinct = _distinct_text(ips)
        uniques = distinct.to_numpy(zero_copy_only=False)
        v4 = np.full(len(uniques), -1, dtype=np.int64)
        # strict dotted decimal, vectorised (exact: agrees with ipaddress, property-tested)
        strict = _match(distinct, f"^{_STRICT_V4}$")
        v4[strict] = _ipv4_ints(distinct.filter(pa.array(strict)))
        v6: list[int] = []
        v6_at: list[int] = []
        for k in np.flatnonzero(~strict):
            u = uniques[k]
            try:
                addr = ipaddress.ip_address(unicodedata.normalize("NFKC", str(u)).strip())
            except ValueError:
                continue
            if addr.version == 6 and addr.ipv4_mapped is not None:  # type: ignore[union-attr]
                addr = addr.ipv4_mapped  # type: ignore[union-attr]
            if addr.version == 4:
                v4[k] = int(addr)
            else:
                v6.append(int(addr))
                v6_at.append(int(k))
        found = np.full(len(uniques), -1, dtype=np.int64)
        is4 = v4 >= 0
        found[is4] = _find(self.bounds4, self.owners4, v4[is4])
        if v6:
            found[np.array(v6_at)] = _find(self.bounds6, self.owners6, np.array(v6, dtype=object))
        return np.where(codes < 0, -1, found[np.clip(codes, 0, None)] if len(uniques) else -1)

    def lookup(self, ips: Iterable[object] | pd.Series) -> pd.Series:
        """Provider id owning each IP (NA when in no range or not an IP).

        Parameters
        ----------
        ips : list, Series or integer array
            IP address strings (or anything; non-addresses give NA). IPv4-mapped
            IPv6 addresses (``::ffff:1.2.3.4``) are looked up as IPv4. An integer
            array or Series is read as IPv4 addresses in integer form (the fastest
            path: no parsing).

        Returns
        -------
        Series
            Same index as ``ips`` (a Series) or a RangeIndex; nullable dtype of the
            provider ids.

        Examples
        --------
        >>> idx = IpRangeIndex.from_ranges([10, 20], ["1.2.3.0-1.2.3.9", "1.2.3.5"])
        >>> idx.lookup(pd.Series(["1.2.3.5", "1.2.3.6"], index=["a", "b"]))
        a    20
        b    10
        dtype: Int64
        """
        pos = self.lookup_position(ips)
        values = self.provider_ids.take(pos, allow_fill=True)
        index = ips.index if isinstance(ips, pd.Series) else None
        return pd.Series(values, index=index, name="provider_id" if index is None else None)

    def to_frame(self) -> pd.DataFrame:
        """The flattened intervals: ``version``, ``first``, ``last``, ``provider_id``."""
        rows = []
        for version, bounds, owners in (
            (4, self.bounds4, self.owners4),
            (6, self.bounds6, self.owners6),
        ):
            for i, owner in enumerate(owners):
                if owner >= 0:
                    rows.append(
                        {
                            "version": version,
                            "first": _ip_text(version, int(bounds[i])),
                            "last": _ip_text(version, int(bounds[i + 1]) - 1),
                            "provider_id": self.provider_ids[owner],
                        }
                    )
        return pd.DataFrame.from_records(rows, columns=["version", "first", "last", "provider_id"])

    def _summary(self) -> str:
        intervals = int((self.owners4 >= 0).sum() + (self.owners6 >= 0).sum())
        return f"ranges={self.n_ranges}, intervals={intervals}"


def ip_in_ranges(
    ips: Iterable[object] | pd.Series, ranges: Sequence[object] | pd.Series
) -> np.ndarray:
    """Position in ``ranges`` of the most specific range containing each IP (-1 if none).

    Parameters
    ----------
    ips : list or Series
        IP address strings.
    ranges : sequence or Series
        CIDR blocks or ``start-end`` ranges (a row may hold several, ``;``-separated).

    Returns
    -------
    ndarray of int64
        One position per IP.

    Examples
    --------
    >>> ip_in_ranges(["10.1.2.3", "10.9.9.9", "8.8.8.8"], ["10.0.0.0/8", "10.1.0.0/16"])
    array([ 1,  0, -1])
    """
    index = IpRangeIndex.from_ranges(list(range(len(as_text(ranges)))), ranges)
    return index.lookup_position(ips)
