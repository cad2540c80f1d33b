"""Postal addresses: resolve province / city / county (GB/T 2260) and check completeness.

The resolver is a longest-match dictionary scan over every name in
``divisions.csv`` (current and historical), with the short forms people write
(浙江, 杭州, 恩施州, 西湖), and it **abstains when the text is ambiguous**:
``鼓楼区中山路1号`` names a district that exists in Nanjing, Xuzhou, Fuzhou and
Kaifeng, so province and city stay unknown (``ambiguous=True``); and a short form
followed by a street word (``中山路``, ``南京东路``) is not read as a place, so
``中山路`` never suggests 中山市.

Rules of the scan (see ``docs/checks-identity.md`` for the reasoning):

* full names (杭州市, 西湖区, 恩施土家族苗族自治州) count anywhere in the text;
* province and prefecture short forms (浙江, 杭州, 恩施州) count at the start of the
  address, right after another accepted name, or right before another name, and
  never when followed by a street or building word (路, 街, 大道, 大厦, 大学 …);
* county short forms (西湖, 义乌) and generic district names (城区, 郊区, 矿区,
  市中区 …) only refine an address already placed, right after the previous name;
* every accepted name narrows the set of readings (province, city, county) to those
  consistent with it; a name consistent with none is ignored (a road named after
  another city). A level is reported only when all remaining readings agree on it.

City codes: a district of a municipality (北京, 天津, 上海, 重庆) gets the
municipality's own code (110000 …) as ``city_code``; county-level units directly
under a province (仙桃市, 济源市, the Hainan and Xinjiang ones) have no city.

Examples
--------
>>> match_divisions(["浙江省杭州市西湖区文三路90号", "鼓楼区中山路1号", "杭州西湖文三路"])
  province_code city_code county_code  ambiguous
0        330000    330100      330106      False
1           NaN       NaN         NaN       True
2        330000    330100      330106      False
>>> check_address(["北京市朝阳区建国路88号", "北京市朝阳区建国路", "北京市8888信箱"])[
...     ["valid", "reason", "county_code"]]
   valid          reason county_code
0   True                     110105
1  False  no_door_number      110105
2  False          po_box         NaN
"""

from __future__ import annotations

import csv
import functools
import io
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit.checks._common import (  # the fast-path plumbing, shared by the checkers
    Method,
    _assemble,
    _check_method,
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
from beian_audit.errors import ArgumentError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "REASONS",
    "check_address",
    "division_codes",
    "load_divisions",
    "match_divisions",
]

#: Reason codes: code -> (Chinese message, English message).
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("缺失", "missing value"),
    "too_short": ("地址过短", "address too short to be complete"),
    "po_box": ("使用邮政信箱", "a post-office box, not a street address"),
    "no_door_number": ("缺少门牌号", "no door or room number"),
    "unresolved_province": ("无法识别所在省份", "no province can be read from the address"),
    "ambiguous_province": ("所在省份有歧义", "the address fits several provinces"),
    "province_mismatch": ("地址与所填省份不一致", "address is in another province than declared"),
}

_MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
_REMARK = re.compile(r"已[是为]最详细(?:的)?地址")
_PO_BOX = re.compile(r"[0-9]*\s*(?:邮政)?信箱|P\.?\s*O\.?\s*BOX|POST\s*OFFICE\s*BOX", re.IGNORECASE)
_DOOR = re.compile(
    r"[0-9]+\s*(?:号(?!线)|號|栋|棟|幢|座|室|单元|楼|层|弄|户|组|排|铺|门|#)"
    r"|[一二三四五六七八九十百千零〇两]+(?:号(?!线)|栋|幢|座|单元|弄|组|排)"
    r"|[A-Za-z][0-9]*(?:座|栋|幢)"
    r"|[0-9]+-[0-9]+"
    r"|[0-9]{3,}$"
)
_NOISE = re.compile(r"[\W_]+")
#: Lone surrogates (from bad decoding upstream) cannot be stored in pandas' string
#: dtype; they are replaced by U+FFFD before anything else.
_SURROGATE = re.compile("[\ud800-\udfff]")
_COUNTRY = re.compile(r"^(?:中华人民共和国|中國|中国)")
#: A short form followed by one of these is a street, building or institution name.
_STREET_AFTER = re.compile(
    r"[东西南北中]?(?:路|街|大街|大道|道|巷|弄|胡同|里|桥)"
    r"|广场|大厦|花园|小区|公寓|新村|商场|市场|大学|学院|中学|小学|医院|酒店|宾馆|饭店|银行"
    r"|公园|机场|站|门"
)
_GENERIC = frozenset(
    {
        "市区",
        "郊区",
        "城区",
        "矿区",
        "新区",
        "东区",
        "西区",
        "南区",
        "北区",
        "市中区",
        "新城区",
        "城关区",
        "南郊区",
        "北郊区",
        "东郊区",
        "西郊区",
        "近郊区",
    }
)
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    "旗",
)
_ETHNIC = (
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
)
_ETHNIC_TAIL = re.compile("(?:" + "|".join(sorted(_ETHNIC, key=len, reverse=True)) + ")族$")

Reading = tuple[str | None, str | None, str | None]  # (province, city, county)


# --------------------------------------------------------------------------- table


@functools.cache
def _division_rows() -> tuple[dict[str, str], ...]:
    text = files("beian_audit").joinpath("data", "divisions.csv").read_text(encoding="utf-8")
    lines = (line for line in io.StringIO(text) if not line.startswith("#"))
    return tuple(csv.DictReader(lines))


def load_divisions() -> pd.DataFrame:
    """The shipped GB/T 2260 table (current and historical codes) as a DataFrame.

    Columns ``code``, ``name``, ``level`` (province / city / county),
    ``parent_code``, ``province_code``, ``valid_from``, ``valid_to`` (years, empty
    when unknown or open), ``current`` and ``grouping`` (bool) and ``source``. See
    ``beian_audit/data/README.md`` for sources and the rebuild command.

    Examples
    --------
    >>> d = load_divisions()
    >>> d.loc[d["code"] == "330106", ["name", "level", "current"]].to_dict("records")
    [{'name': '西湖区', 'level': 'county', 'current': True}]
    """
    frame = pd.DataFrame.from_records(list(_division_rows()))
    for col in ("current", "grouping"):
        frame[col] = frame[col].eq("1")
    return frame


@functools.cache
def division_codes() -> frozenset[str]:
    """Every six-digit code that ever existed in GB/T 2260 (grouping codes included).

    Examples
    --------
    >>> {"330113", "110103", "110100"} <= division_codes()   # 临平区, 崇文区 (to 2010), 市辖区
    True
    """
    return frozenset(row["code"] for row in _division_rows())


def _short_forms(name: str) -> list[str]:
    """Short forms of a division name: 浙江省 -> 浙江, 恩施土家族苗族自治州 -> 恩施, 恩施州."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            break
    else:
        return []
    autonomous = suffix.startswith("自治") or suffix == "特别行政区"
    while autonomous and _ETHNIC_TAIL.search(base):
        base = _ETHNIC_TAIL.sub("", base)
    out = [base] if len(base) >= 2 else []
    if suffix == "自治州" and len(base) >= 2:
        out.append(base + "州")
    return out


@dataclass(frozen=True, slots=True)
class _Entry:
    reading: Reading
    kind: str  # "full", "short" (may start a reading) or "weak" (refines only)
    current: bool
    level: str


@functools.cache
def _name_index() -> tuple[dict[str, tuple[_Entry, ...]], dict[str, tuple[int, ...]]]:
    rows = _division_rows()
    grouping_codes = {r["code"] for r in rows if r["grouping"] == "1"} - {
        r["code"] for r in rows if r["grouping"] == "0"
    }

    def reading(row: dict[str, str]) -> Reading:
        prov = row["province_code"]
        if row["level"] == "province":
            return prov, prov if prov in _MUNICIPALITIES else None, None
        if row["level"] == "city":
            return prov, row["code"], None
        parent = row["parent_code"]
        if prov in _MUNICIPALITIES:
            city = prov
        elif parent.endswith("00") and not parent.endswith("0000") and parent not in grouping_codes:
            city = parent
        else:
            city = None
        return prov, city, row["code"]

    raw: dict[str, list[_Entry]] = {}
    for row in rows:
        name = row["name"]
        if row["grouping"] == "1" or len(name) < 2:
            continue
        rd, current, level = reading(row), row["current"] == "1", row["level"]
        raw.setdefault(name, []).append(
            _Entry(rd, "weak" if name in _GENERIC else "full", current, level)
        )
        if name in _GENERIC:
            continue
        for short in _short_forms(name):
            kind = "weak" if level == "county" else "short"
            raw.setdefault(short, []).append(_Entry(rd, kind, current, level))

    index: dict[str, tuple[_Entry, ...]] = {}
    for key, entries in raw.items():
        # a full name beats a short form spelled the same (市中 is never 市中区's short
        # form where a division is called 市中)
        if any(e.kind == "full" for e in entries):
            entries = [e for e in entries if e.kind != "short" or e.level == "province"]
        # a province short form (海南) beats prefecture / county short forms elsewhere
        # (海南藏族自治州 in Qinghai)
        provinces = {e.reading[0] for e in entries if e.level == "province"}
        if provinces:
            entries = [e for e in entries if e.kind == "full" or e.reading[0] in provinces]
        # a current division beats historical ones of that name: they are mostly the
        # same place before a re-coding (重庆市 was 510200 until 1997, 龙泉市 332502 …)
        if any(e.current for e in entries):
            entries = [e for e in entries if e.current]
        unique: dict[tuple[Reading, str], _Entry] = {}
        for e in entries:
            unique.setdefault((e.reading, e.kind), e)
        index[key] = tuple(unique.values())
    lengths: dict[str, set[int]] = {}
    for key in index:
        lengths.setdefault(key[0], set()).add(len(key))
    return index, {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}


# --------------------------------------------------------------------------- matcher


def _longest(text: str, pos: int) -> tuple[str, tuple[_Entry, ...]] | None:
    index, lengths = _name_index()
    for n in lengths.get(text[pos], ()):
        entries = index.get(text[pos : pos + n])
        if entries is not None:
            return text[pos : pos + n], entries
    return None


def _compatible(a: Reading, b: Reading) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b, strict=True))


def _merge(a: Reading, b: Reading) -> Reading:
    return (a[0] or b[0], a[1] or b[1], a[2] or b[2])


def _readings(compact: str) -> set[Reading]:
    """All readings (province, city, county) consistent with the names in ``compact``."""
    text = _COUNTRY.sub("", compact)
    state: set[Reading] = set()
    chain = 0  # where the next name of an unbroken chain would start
    pos, end = 0, len(text)
    while pos < end:
        start = pos
        hit = _longest(text, pos)
        if pos == chain and pos > 0 and text[pos - 1] == "市":
            # 济南市中区, 青岛市南区: the 市 ending the city also starts 市中区, 市南区
            overlap = _longest(text, pos - 1)
            if overlap is not None and len(overlap[0]) >= max(3, len(hit[0]) + 1 if hit else 0):
                hit, start = overlap, pos - 1
        if hit is None:
            pos += 1
            continue
        key, entries = hit
        stop = start + len(key)
        after = text[stop : stop + 3]
        adjacent = pos == chain
        followed = stop < end and _longest(text, stop) is not None
        # 中山路, 南京东路: a street; but 石家庄桥西区 is 石家庄 + 桥西区
        street = not followed and _STREET_AFTER.match(after) is not None
        allowed = []
        for e in entries:
            if e.kind == "full":
                if key.endswith("市") and after[:1] == "场":
                    continue  # 东方市场 is a market, not 东方市
            elif street:
                continue
            elif e.kind == "short":
                if not (adjacent or followed):
                    continue
            elif not (state and adjacent):  # weak
                continue
            allowed.append(e.reading)
        if not allowed:
            pos += 1
            continue
        if not state:
            state = set(allowed)
        else:
            refined = {_merge(s, r) for s in state for r in allowed if _compatible(s, r)}
            if not refined:  # consistent with no reading so far: ignore it
                pos += 1
                continue
            state = refined
        chain = pos = stop
    return state


def _summarise(state: set[Reading]) -> dict[str, Any]:
    out: dict[str, Any] = {"ambiguous": False}
    for i, col in enumerate(("province_code", "city_code", "county_code")):
        values = {s[i] for s in state}
        out[col] = next(iter(values)) if len(values) == 1 else None
        out["ambiguous"] |= len(values) > 1
    return out


def _compact(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", _SURROGATE.sub("\ufffd", text)))


_MATCH_MISSING: dict[str, Any] = {
    "province_code": None,
    "city_code": None,
    "county_code": None,
    "ambiguous": False,
}


def _str_columns(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for col in columns:
        frame[col] = frame[col].astype("str")
    return frame


def match_divisions(
    values: Iterable[object] | pd.Series, *, method: Method = "fast"
) -> pd.DataFrame:
    """Resolve province, city and county codes (GB/T 2260) named in free text.

    Parameters
    ----------
    values : list or Series
        Addresses or place descriptions (e.g. a phone geocoder's ``浙江省杭州市``).
    method : {"fast", "reference"}, default "fast"
        ``"reference"`` scans each distinct text as described in the module
        docstring; ``"fast"`` replays the same scan on all texts at once (see
        :func:`check_address`) and gives the same frame.

    Returns
    -------
    DataFrame
        Same index as ``values``: ``province_code``, ``city_code``, ``county_code``
        (six-digit strings, NaN when unknown or ambiguous) and ``ambiguous`` (bool:
        the text fits several places at some level).

    Examples
    --------
    >>> match_divisions(["湖北恩施州", "吉林长春", "海南", "南京东路", None])
      province_code city_code county_code  ambiguous
    0        420000    422800         NaN      False
    1        220000    220100         NaN      False
    2        460000       NaN         NaN      False
    3           NaN       NaN         NaN      False
    4           NaN       NaN         NaN      False
    """
    values = checker_values(values)
    _check_method(method)
    if method == "fast":
        return _match_fast(values)
    out = map_distinct(
        as_text(values), lambda v: _summarise(_readings(_compact(v))), _MATCH_MISSING
    )
    return _match_finish(out)


def _match_finish(out: pd.DataFrame) -> pd.DataFrame:
    out["ambiguous"] = out["ambiguous"].astype(bool)
    return _str_columns(out, "province_code", "city_code", "county_code")


# --------------------------------------------------------------------------- check


_ADDRESS_MISSING: dict[str, Any] = {
    "valid": False,
    "reason": "missing",
    "reasons": "missing",
    "normalised": None,
    "province_code": None,
    "city_code": None,
    "county_code": None,
    "ambiguous": False,
    "has_door_number": False,
    "po_box": False,
}


def _declared_province(value: object) -> str | None:
    """A declared province as a code, from a code (33 / 330000) or a name (浙江 / 浙江省)."""
    text = as_text([value]).iloc[0]
    if text is None:
        return None
    text = _compact(text)
    if re.fullmatch(r"[0-9]{2}(?:[0-9]{4})?", text):
        code = text[:2] + "0000"
        return code if code in division_codes() else None
    provinces = {s[0] for s in _readings(text)}
    return next(iter(provinces)) if len(provinces) == 1 else None


def _address_one(raw: str, declared: str | None) -> dict[str, Any]:
    normalised = " ".join(unicodedata.normalize("NFKC", _SURROGATE.sub("\ufffd", raw)).split())
    if not normalised:
        return _ADDRESS_MISSING
    compact = _NOISE.sub("", normalised)
    remark = _REMARK.search(compact) is not None
    body = _REMARK.sub("", compact)
    box = _PO_BOX.search(normalised)
    po_box = box is not None
    before_box = normalised[: box.start()] if box is not None else normalised
    door = remark or _DOOR.search(_REMARK.sub("", before_box)) is not None
    state = _readings(body)
    provinces = {s[0] for s in state}
    mismatch = False
    if declared is not None and state:
        narrowed = {s for s in state if s[0] == declared}
        mismatch = not narrowed
        state = narrowed or state
    found = _summarise(state)
    reasons = []
    if len(body) < 6:
        reasons.append("too_short")
    if po_box:
        reasons.append("po_box")
    if not door:
        reasons.append("no_door_number")
    if not provinces:
        reasons.append("unresolved_province")
    elif mismatch:
        reasons.append("province_mismatch")
    elif found["province_code"] is None:
        reasons.append("ambiguous_province")
    return found | {
        "valid": not reasons,
        "reason": reasons[0] if reasons else "",
        "reasons": ";".join(reasons),
        "normalised": normalised,
        "has_door_number": door,
        "po_box": po_box,
    }


def check_address(
    values: Iterable[object] | pd.Series,
    *,
    declared_province: object | Sequence[object] | pd.Series | None = None,
    method: Method = "fast",
) -> pd.DataFrame:
    """Check postal addresses: location resolvable, door number, no PO box.

    Parameters
    ----------
    values : list or Series
        Raw addresses.
    declared_province : str, sequence or Series, optional
        The province declared elsewhere in the filing (所在省), as a code
        (``"330000"``, ``"33"``) or a name (``"浙江省"``, ``"浙江"``): one value for
        all rows, or one per row (same length; a Series is aligned by position).
        It narrows an ambiguous address (``鼓楼区…`` with 江苏 → Nanjing or Xuzhou)
        and gives ``province_mismatch`` when the address fits none of its readings.
        Values that name no single province (missing, ``"xx"``) are ignored.
    method : {"fast", "reference"}, default "fast"
        ``"reference"`` runs the rules below on each distinct address; ``"fast"``
        takes addresses written in printable ASCII and CJK ideographs only (which
        NFKC leaves unchanged) through RE2 versions of the same regular expressions
        and a lock-step replay of the resolver's scan over all addresses at once
        (longest names from a trie; every decision on reading sets made by the
        resolver's own functions, once per distinct case), and hands anything else
        (other characters, PO boxes) to the per-value rules. Both give the same
        frame (property-tested).

    Returns
    -------
    DataFrame
        Same index as ``values``:

        * ``valid``; ``reason``, the first of ``missing``, ``too_short``,
          ``po_box``, ``no_door_number``, ``unresolved_province``,
          ``province_mismatch``, ``ambiguous_province`` that applies, and
          ``reasons``, all of them joined by ``;``;
        * ``normalised`` (NFKC, whitespace collapsed);
        * ``province_code``, ``city_code``, ``county_code``, ``ambiguous`` as in
          :func:`match_divisions` (the address's own province is reported even
          when it mismatches the declared one);
        * ``has_door_number``: a number followed by 号 / 号楼 / 栋 / 幢 / 座 / 室 /
          单元 / 楼 / 层 / 弄 / 组 …, a ``5-2-301`` style number, a trailing room
          number of three or more digits, or the accepted remark ``已是最详细地址``;
        * ``po_box``: 信箱 / 邮政信箱 / P.O. Box.

    Raises
    ------
    ValueError
        If ``declared_province`` is a sequence of another length than ``values``,
        or ``method`` is not one of the allowed values.

    Examples
    --------
    >>> addresses = ["鼓楼区中山路1号", "鼓楼区中山路1号", "杭州市西湖区XX村已是最详细地址"]
    >>> out = check_address(addresses, declared_province=["江苏", "浙江", "浙江省"])
    >>> out[["valid", "reason", "province_code", "city_code", "ambiguous"]]
       valid             reason province_code city_code  ambiguous
    0   True                           320000       NaN       True
    1  False  province_mismatch           NaN       NaN       True
    2   True                           330000    330100      False
    """
    values = checker_values(values)
    _check_method(method)
    if not isinstance(values, pd.Series):
        values = list(values)
    n = len(values)
    declared: list[str | None] | None = None
    if declared_province is not None:
        if isinstance(declared_province, str) or not isinstance(declared_province, Iterable):
            declared = [_declared_province(declared_province)] * n
        else:
            items = list(declared_province)
            if len(items) != n:
                raise ArgumentError(
                    f"declared_province (length {len(items)}) must be one value or have the "
                    f"length of values ({n})"
                )
            cache: dict[object, str | None] = {}
            declared = []
            for item in items:
                key = item if isinstance(item, str) else repr(item)
                if key not in cache:
                    cache[key] = _declared_province(item)
                declared.append(cache[key])
    if method == "fast":
        return _address_fast(values, declared)
    text = as_text(values)
    if declared is None:
        out = map_distinct(text, lambda v: _address_one(v, None), _ADDRESS_MISSING)
    else:
        keyed = pd.Series(
            [
                None if t is None else f"{d or ''}\x1f{t}"
                for t, d in zip(text, declared, strict=True)
            ],
            index=text.index,
            dtype=object,
        )

        def one(key: str) -> dict[str, Any]:
            d, _, t = key.partition("\x1f")
            return _address_one(t, d or None)

        out = map_distinct(keyed, one, _ADDRESS_MISSING)
    return _address_finish(out)


# --------------------------------------------------------------------------- fast path
#
# The fast path replays _address_one on many addresses at once. Text made only of
# printable ASCII and CJK unified ideographs (U+4E00-U+9FFF) is unchanged by NFKC and
# has no white space but the ASCII space, so the normalisation, the noise removal and
# the door-number, remark and PO-box searches become RE2 regular expressions over a
# pyarrow array. The scan of _readings is replayed in lock-step over all addresses:
# a trie over the division names gives the longest name starting at every position,
# and the decisions that depend on sets of readings (which entries are allowed, how
# they refine the state) are made once per distinct (name, flags) and (state,
# entries) pair by the very functions the per-value scan uses. Anything else (other
# characters, PO boxes, lookaround patterns RE2 cannot read) goes to _address_one.

_CJK_RANGE = "\\x{4e00}-\\x{9fff}"
_SAFE = (
    f"^[\\x{{20}}-\\x{{7e}}{_CJK_RANGE}]*[\\x{{21}}-\\x{{7e}}{_CJK_RANGE}]"
    f"[\\x{{20}}-\\x{{7e}}{_CJK_RANGE}]*$"
)
_PLAIN = f"^[0-9A-Za-z{_CJK_RANGE}]+$"
#: Longer texts go to the per-value scan: the lock-step scan takes one round per name
#: in the longest text of a batch, which only pays for address-sized texts.
_MAX_FAST_LENGTH = 200
_RE2_DOOR = _DOOR.pattern.replace("号(?!线)", "号(?:[^线]|$)")
#: RE2 reads these patterns as Python does only without lookarounds (checked, not assumed)
_FAST_ADDRESS_OK = all(
    "(?" not in pattern.replace("(?:", "")
    for pattern in (_RE2_DOOR, _PO_BOX.pattern, _REMARK.pattern, _COUNTRY.pattern)
)


@functools.cache
def _safe_cjk() -> bool:
    """Every ideograph of U+4E00-U+9FFF is NFKC-stable and a word character here."""
    return all(
        unicodedata.normalize("NFKC", c) == c and re.match(r"\w", c)
        for c in map(chr, range(0x4E00, 0xA000))
    )


@dataclass(frozen=True, slots=True)
class _Trie:
    """The division names as a trie over small character ids, with dense first levels."""

    char_id: np.ndarray  # code point (BMP) -> 1-based id of a character of some name, else 0
    width: int  # number of character ids + 1
    first: np.ndarray  # id -> row of the second-level table (-1: no name starts so)
    second: np.ndarray  # row * width + id -> node after two characters (-1 none)
    codes: np.ndarray  # sorted node * width + id of the deeper transitions
    child: np.ndarray  # node reached by each of ``codes``
    key_of: np.ndarray  # node -> key number (-1 when no name ends there)
    keys: tuple[str, ...]
    market: np.ndarray  # key number -> the name ends with 市


@functools.cache
def _trie() -> _Trie:
    index, _ = _name_index()
    keys = tuple(sorted(index))
    chars = sorted({c for k in keys for c in k})
    char_id = np.zeros(0x10000, dtype=np.int32)
    char_id[[ord(c) for c in chars]] = np.arange(1, len(chars) + 1)
    width = len(chars) + 1
    children: dict[tuple[int, int], int] = {}
    key_at: dict[int, int] = {}
    depth: dict[int, int] = {0: 0}
    for number, key in enumerate(keys):
        node = 0
        for c in key:
            edge = (node, int(char_id[ord(c)]))
            if edge not in children:
                children[edge] = len(depth)
                depth[children[edge]] = depth[node] + 1
            node = children[edge]
        key_at[node] = number
    level1 = sorted(nxt for (node, _), nxt in children.items() if node == 0)
    row_of = {node: row for row, node in enumerate(level1)}
    first = np.full(width, -1, dtype=np.int64)
    second = np.full(len(level1) * width, -1, dtype=np.int32)
    deeper: dict[int, int] = {}
    for (node, cid), nxt in children.items():
        if node == 0:
            first[cid] = row_of[nxt]
        elif depth[node] == 1:
            second[row_of[node] * width + cid] = nxt
        else:
            deeper[node * width + cid] = nxt
    key_of = np.full(len(depth), -1, dtype=np.int32)
    for node, number in key_at.items():
        key_of[node] = number
    codes = np.array(sorted(deeper), dtype=np.int64)
    return _Trie(
        char_id=char_id,
        width=width,
        first=first,
        second=second,
        codes=codes,
        child=np.array([deeper[c] for c in codes], dtype=np.int64),
        key_of=key_of,
        keys=keys,
        market=np.array([k.endswith("市") for k in keys], dtype=bool),
    )


@functools.cache
def _street_table() -> tuple[np.ndarray, int, np.ndarray]:
    """``_STREET_AFTER.match`` of every three-character window, as a dense table.

    Characters are classed by a small id: 1..S for the characters of the pattern, 0
    for any other character (the pattern cannot match through it), S + 1 for the end
    of the text. Returns (class of each BMP code point, S + 2, verdict per
    ``c0 * (S + 2)**2 + c1 * (S + 2) + c2``).
    """
    letters = sorted({c for c in _STREET_AFTER.pattern if not c.isascii()})
    klass = np.zeros(0x10000, dtype=np.int64)
    klass[[ord(c) for c in letters]] = np.arange(1, len(letters) + 1)
    size = len(letters) + 2
    symbols = ["\x00", *letters, None]  # "\x00": a character outside the pattern

    def text(i: int, j: int, k: int) -> str:
        out = ""
        for c in (i, j, k):
            if symbols[c] is None:
                break
            out += symbols[c]  # type: ignore[operator]
        return out

    verdict = np.array(
        [
            _STREET_AFTER.match(text(i, j, k)) is not None
            for i in range(size) for j in range(size) for k in range(size)
        ],
        dtype=bool,
    )
    return klass, size, verdict


def _scan_alphabet() -> str:
    """Characters that matter to the scan: in a name, in a street word, 市 and 场."""
    names = {c for k in _trie().keys for c in k}
    street = {c for c in _STREET_AFTER.pattern if not c.isascii()}
    return "".join(sorted(names | street | {"市", "场"}))


def _codepoints(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Code points (int32) of a UTF-8 array of at most three-byte characters, char offsets."""
    import pyarrow as pa

    array = array.cast(pa.large_string())
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
    if buffers[2] is None or offsets[-1] == offsets[0]:
        return np.zeros(0, dtype=np.int32), np.zeros(len(array) + 1, dtype=np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    at = np.flatnonzero((data & 0xC0) != 0x80)
    last = len(data) - 1
    b0 = data[at].astype(np.int32)
    wide = np.flatnonzero(b0 >= 0x80)
    cps = b0
    if len(wide):
        lead = at[wide]
        c0 = b0[wide]
        b1 = data[np.minimum(lead + 1, last)].astype(np.int32) & 0x3F
        b2 = data[np.minimum(lead + 2, last)].astype(np.int32) & 0x3F
        cps[wide] = np.where(
            c0 < 0xE0, ((c0 & 0x1F) << 6) | b1, ((c0 & 0x0F) << 12) | (b1 << 6) | b2
        )
    return cps, np.searchsorted(at, offsets - offsets[0])


def _longest_names(
    cps: np.ndarray, owner: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Length and key number of the longest division name starting at each position.

    ``owner`` gives the string of each position and ``end`` the end of each string
    (names never cross it): the answer of :func:`_longest` at every position. Both
    outputs have one extra zero / -1 slot at the end.
    """
    trie = _trie()
    n = len(cps)
    hit_len = np.zeros(n + 1, dtype=np.int16)
    hit_key = np.full(n + 1, -1, dtype=np.int32)
    ids = np.zeros(n + 1, dtype=np.int64)
    ids[:n] = trie.char_id[cps]
    row = trie.first[ids[:n]]
    positions = np.flatnonzero(row >= 0)
    positions = positions[positions + 1 < end[owner[positions]]]
    node = trie.second[row[positions] * trie.width + ids[positions + 1]].astype(np.int64)
    length = 2
    while len(positions):
        keep = node >= 0
        positions, node = positions[keep], node[keep]
        key = trie.key_of[node]
        found = key >= 0
        hit_len[positions[found]] = length
        hit_key[positions[found]] = key[found]
        length += 1
        keep = positions + length <= end[owner[positions]]
        positions, node = positions[keep], node[keep]
        if not len(positions) or not len(trie.codes):
            break
        query = node * trie.width + ids[positions + length - 1]
        at = np.minimum(np.searchsorted(trie.codes, query), len(trie.codes) - 1)
        node = np.where(trie.codes[at] == query, trie.child[at], -1)
    return hit_len, hit_key


class _ScanMemo:
    """Interned reading sets and the scan's decisions on them, shared by every call.

    Ids only grow and never change meaning; a lock keeps them consistent when several
    threads check addresses at once (Dask's threaded scheduler).
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states: list[frozenset[Reading]] = [frozenset()]
        self.state_ids: dict[frozenset[Reading], int] = {frozenset(): 0}
        self.allowed = np.full(0, -1, dtype=np.int64)  # key * 16 + flags -> entries id
        self.moves: dict[int, tuple[int, bool]] = {}  # state * 2**32 + entries -> (state, ok)

    def intern(self, readings: frozenset[Reading]) -> int:
        with self.lock:
            found = self.state_ids.get(readings)
            if found is None:
                self.states.append(readings)
                found = self.state_ids[readings] = len(self.states) - 1
            return found

    def allowed_ids(self, codes: np.ndarray) -> np.ndarray:
        """Id of the reading set ``_readings`` takes from a name with these flags."""
        with self.lock:
            if len(self.allowed) == 0:
                self.allowed = np.full(len(_trie().keys) * 16, -1, dtype=np.int64)
        out = self.allowed[codes]
        for code in np.unique(codes[out < 0]):
            key, flags = divmod(int(code), 16)
            market, street, short_ok, weak_ok = (bool(flags & b) for b in (1, 2, 4, 8))
            readings = []
            for e in _name_index()[0][_trie().keys[key]]:
                if e.kind == "full":
                    if market:
                        continue
                elif street:
                    continue
                elif e.kind == "short":
                    if not short_ok:
                        continue
                elif not weak_ok:
                    continue
                readings.append(e.reading)
            self.allowed[code] = self.intern(frozenset(readings))
        return self.allowed[codes]

    def moves_of(self, states: np.ndarray, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """New state and acceptance of ``_readings`` for each (state, allowed entries)."""
        codes = states.astype(np.int64) * 2**32 + entries
        uniq_codes, uniques = pd.factorize(codes)
        new = np.empty(len(uniques), dtype=np.int64)
        ok = np.empty(len(uniques), dtype=bool)
        for i, code in enumerate(uniques):
            found = self.moves.get(int(code))
            if found is None:
                found = self.moves[int(code)] = self._move(*divmod(int(code), 2**32))
            new[i], ok[i] = found
        return new[uniq_codes], ok[uniq_codes]

    def _move(self, state_id: int, allowed_id: int) -> tuple[int, bool]:
        allowed = self.states[allowed_id]
        if not allowed:
            return state_id, False
        if state_id == 0:
            return allowed_id, True
        refined = frozenset(
            _merge(s, r) for s in self.states[state_id] for r in allowed if _compatible(s, r)
        )
        return (self.intern(refined), True) if refined else (state_id, False)


_MEMO = _ScanMemo()


def _scan_states(cps: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The state id (into ``_MEMO.states``) that :func:`_readings` ends with, per text.

    The texts are given as code points and character offsets, with the country prefix
    removed. Replays the scan in lock-step: at each round every unfinished text takes
    one step of the ``while`` loop of :func:`_readings` (jumping over positions where
    no name starts, which the loop would only step through).
    """
    m = len(offsets) - 1
    n = len(cps)
    base = offsets[:-1]
    end = offsets[1:]
    owner = np.repeat(np.arange(m, dtype=np.int64), np.diff(offsets))
    hit_len, hit_key = _longest_names(cps, owner, end)
    # next position at or after i that starts a name (n when none), for i in 0..n
    where = np.where(hit_len[:n] > 0, np.arange(n, dtype=np.int64), n)
    next_hit = np.empty(n + 1, dtype=np.int64)
    next_hit[:n] = np.minimum.accumulate(where[::-1])[::-1] if n else where
    next_hit[n] = n
    cps_pad = np.zeros(n + 3, dtype=np.int64)
    cps_pad[:n] = cps
    klass, size, street_table = _street_table()
    market = _trie().market
    city, market_char = ord("市"), ord("场")
    state = np.zeros(m, dtype=np.int64)
    chain = base.copy()
    pos = np.minimum(next_hit[base], end)
    active = np.flatnonzero(pos < end)
    while len(active):
        p, e, ch, st = pos[active], end[active], chain[active], state[active]
        length = hit_len[p].astype(np.int64)
        key = hit_key[p].astype(np.int64)
        # 济南市中区: the 市 that ends the previous name may start a longer one
        prev = np.maximum(p - 1, 0)
        overlap = (p == ch) & (p > base[active]) & (cps_pad[prev] == city)
        overlap &= hit_len[prev] >= np.maximum(3, np.where(length > 0, length + 1, 0))
        start = np.where(overlap, p - 1, p)
        length = np.where(overlap, hit_len[prev], length)
        key = np.where(overlap, hit_key[prev], key)
        has = np.flatnonzero(length > 0)
        accepted = np.zeros(len(active), dtype=bool)
        if len(has):
            stop = start[has] + length[has]
            e_has = e[has]
            followed = (stop < e_has) & (hit_len[np.minimum(stop, n)] > 0)
            window = [
                np.where(stop + j < e_has, klass[cps_pad[np.minimum(stop + j, n + 2)]], size - 1)
                for j in range(3)
            ]
            street = ~followed & street_table[(window[0] * size + window[1]) * size + window[2]]
            k = key[has]
            in_market = market[k] & (cps_pad[np.minimum(stop, n + 2)] == market_char) & (
                stop < e_has
            )
            adjacent = p[has] == ch[has]
            short_ok = ~street & (adjacent | followed)
            weak_ok = ~street & (st[has] != 0) & adjacent
            flags = in_market * 1 + street * 2 + short_ok * 4 + weak_ok * 8
            entries = _MEMO.allowed_ids(k * 16 + flags)
            new_state, ok = _MEMO.moves_of(st[has], entries)
            state[active[has]] = new_state
            accepted[has] = ok
            go = active[has[ok]]
            chain[go] = stop[ok]
            pos[go] = stop[ok]
        rest = ~accepted
        pos[active[rest]] = np.minimum(next_hit[np.minimum(p[rest] + 1, n)], e[rest])
        active = active[pos[active] < end[active]]
    return state


@functools.cache
def _state_summary(state_id: int, declared: str | None) -> tuple[dict[str, Any], bool, bool]:
    """(_summarise of the narrowed state, any province found, province mismatch)."""
    state = set(_MEMO.states[state_id])
    provinces = {s[0] for s in state}
    mismatch = False
    if declared is not None and state:
        narrowed = {s for s in state if s[0] == declared}
        mismatch = not narrowed
        state = narrowed or state
    return _summarise(state), bool(provinces), mismatch


def _fast_features(uniques: pa.Array) -> dict[str, Any]:
    """Everything of _address_one but the readings, for the addresses the fast path takes."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (_FAST_ADDRESS_OK and _safe_cjk()):
        empty = pa.array([], type=pa.large_string())
        return {"positions": np.zeros(0, dtype=np.int64), "normalised": empty,
                "door": np.zeros(0, dtype=bool), "too_short": np.zeros(0, dtype=bool),
                "state": np.zeros(0, dtype=np.int64)}
    # most addresses are letters, digits and ideographs only: then the normalised and
    # the compact form are the text itself
    plain = _match(uniques, _PLAIN)
    mixed = np.flatnonzero(~plain)
    safe = plain.copy()
    safe[mixed] = _match(uniques.take(pa.array(mixed)), _SAFE)
    safe &= _np(pc.utf8_length(uniques)) <= _MAX_FAST_LENGTH
    take = np.flatnonzero(safe)
    raw = uniques.take(pa.array(take))
    noisy = ~plain[take]
    normalised = _replace_where(
        raw, noisy, lambda t: pc.replace_substring_regex(pc.utf8_trim(t, " "), " {2,}", " ")
    )
    po_box = _match(normalised, "(?i)" + _PO_BOX.pattern)
    keep = ~po_box
    take, normalised, noisy = take[keep], normalised.filter(pa.array(keep)), noisy[keep]
    compact = _replace_where(
        normalised, noisy,
        lambda t: pc.replace_substring_regex(t, f"[^0-9A-Za-z{_CJK_RANGE}]+", ""),
    )
    remark = _match(compact, _REMARK.pattern)
    body = _replace_where(
        compact, remark, lambda t: pc.replace_substring_regex(t, _REMARK.pattern, "")
    )
    door = remark | _match(normalised, _RE2_DOOR)
    too_short = _np(pc.utf8_length(body)) < 6
    return {
        "positions": take,
        "normalised": normalised,
        "door": door,
        "too_short": too_short,
        "state": _scan_text_states(body),
    }


def _replace_where(array: pa.Array, mask: np.ndarray, func: Any) -> pa.Array:
    """``array`` with the values under ``mask`` replaced by ``func`` of them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not mask.any():
        return array
    changed = func(array.filter(pa.array(mask)))
    return pc.replace_with_mask(array, pa.array(mask), changed.cast(array.type))


def _scan_text_states(bodies: pa.Array) -> np.ndarray:
    """State id of :func:`_readings` for each text (safe characters only).

    After the country prefix is removed (as _readings does), every run of characters
    that occur in no division name and no street word and are not 市 or 场 is
    replaced by one ``0``: such characters never start, end or continue a name, stop
    a street word, and are not looked at by the 市 rules, so the scan treats the
    shorter text alike. Texts are scanned in batches.
    """
    import pyarrow.compute as pc

    country = _np(pc.starts_with(bodies, "中"))
    bodies = _replace_where(
        bodies, country,
        lambda t: pc.replace_substring_regex(t, "^" + _COUNTRY.pattern.lstrip("^"), ""),
    )
    relevant = _relevant_table()
    states = [np.zeros(0, dtype=np.int64)]
    for i in range(0, len(bodies), _CHUNK):
        cps, offsets = _codepoints(bodies.slice(i, _CHUNK))
        # keep relevant characters and the first of each run of irrelevant ones, as "0"
        rel = relevant[cps]
        starts = np.zeros(len(cps), dtype=bool)
        starts[offsets[:-1][offsets[:-1] < len(cps)]] = True
        prev_rel = np.empty(len(cps), dtype=bool)
        prev_rel[1:] = rel[:-1]
        keep = rel | starts | prev_rel
        compact = np.where(rel, cps, ord("0"))[keep]
        kept = np.concatenate([[0], np.cumsum(keep)])
        states.append(_scan_states(compact, kept[offsets]))
    return np.concatenate(states)


@functools.cache
def _relevant_table() -> np.ndarray:
    """BMP code point -> the scan can tell the character apart (see _scan_text_states)."""
    table = np.zeros(0x10000, dtype=bool)
    table[[ord(c) for c in _scan_alphabet()]] = True
    return table


#: Texts scanned per batch: the scan's arrays (a few per character) then stay small
#: enough to be reused from the heap instead of being mapped afresh for every batch,
#: which costs more than the arithmetic on them.
_CHUNK = 1 << 16


_REASON_ORDER = ("too_short", "po_box", "no_door_number", "unresolved_province",
                 "province_mismatch", "ambiguous_province")


def _address_fast(
    values: Iterable[object] | pd.Series, declared: list[str | None] | None
) -> pd.DataFrame:
    import pyarrow as pa

    index, codes, uniques = _distinct_text(values, always=True)
    k = len(uniques)
    pair_declared: list[str | None]
    if declared is None:
        pair_codes, pair_declared = codes, [None]
        pair_text = np.arange(k)
        pair_decl = np.zeros(k, dtype=np.int64)
    else:
        decl_codes, decl_values = pd.factorize(pd.Series(declared, dtype=object))
        pair = np.where(codes < 0, -1, codes * (len(decl_values) + 1) + decl_codes + 1)
        pair_codes, pair_unique = pd.factorize(pair, use_na_sentinel=False)
        present = pair_unique >= 0
        pair_unique = pair_unique[present]
        remap = np.full(len(present), -1, dtype=np.int64)
        remap[present] = np.arange(int(present.sum()))
        pair_codes = remap[pair_codes]
        pair_text = pair_unique // (len(decl_values) + 1)
        pair_decl = pair_unique % (len(decl_values) + 1)  # 0 = no declared province
        pair_declared = [None, *[str(v) for v in decl_values]]
    n_pairs = len(pair_text)
    feats = _fast_features(uniques)
    slot = np.full(k, -1, dtype=np.int64)
    slot[feats["positions"]] = np.arange(len(feats["positions"]))
    fast_pairs = np.flatnonzero(slot[pair_text] >= 0)
    s = slot[pair_text[fast_pairs]]
    state = feats["state"][s]
    keys = state * (len(pair_declared) + 1) + pair_decl[fast_pairs]
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    summaries = [
        _state_summary(int(u) // (len(pair_declared) + 1),
                       pair_declared[int(u) % (len(pair_declared) + 1)])
        for u in unique_keys
    ]
    province, city, county = (
        _labels(inverse, [x[0][col] for x in summaries])
        for col in ("province_code", "city_code", "county_code")
    )
    no_province = np.array([x[0]["province_code"] is None for x in summaries], bool)[inverse]
    ambiguous = np.array([x[0]["ambiguous"] for x in summaries], dtype=bool)[inverse]
    found_any = np.array([x[1] for x in summaries], dtype=bool)[inverse]
    mismatch = np.array([x[2] for x in summaries], dtype=bool)[inverse]
    too_short = feats["too_short"][s]
    door = feats["door"][s]
    flags = np.stack(
        [
            too_short,
            np.zeros(len(s), dtype=bool),
            ~door,
            ~found_any,
            found_any & mismatch,
            found_any & ~mismatch & no_province,
        ],
        axis=1,
    )
    combo = flags @ (1 << np.arange(flags.shape[1]))
    names = [
        [r for bit, r in enumerate(_REASON_ORDER) if c >> bit & 1] for c in range(1 << 6)
    ]
    parsed = pd.DataFrame(
        {
            "valid": combo == 0,
            "reason": _str_array(_labels(combo, [n[0] if n else "" for n in names])),
            "reasons": _str_array(_labels(combo, [";".join(n) for n in names])),
            "normalised": _str_array(feats["normalised"].take(pa.array(s))),
            "province_code": _str_array(province),
            "city_code": _str_array(city),
            "county_code": _str_array(county),
            "ambiguous": ambiguous,
            "has_door_number": door,
            "po_box": np.zeros(len(s), dtype=bool),
        }
    )
    rest = np.flatnonzero(slot[pair_text] < 0)
    raw = uniques.take(pa.array(pair_text[rest])).to_pylist()
    other = _per_value(
        lambda td: _address_one(td[0], td[1]),
        [(t, pair_declared[int(d)]) for t, d in zip(raw, pair_decl[rest], strict=True)],
    )
    pieces = [
        (fast_pairs, parsed),
        (rest, _address_frame(other)),
        (np.array([n_pairs]), _address_frame([_ADDRESS_MISSING])),
    ]
    return _assemble(pair_codes, index, n_pairs, pieces)


def _address_finish(out: pd.DataFrame) -> pd.DataFrame:
    out["valid"] = out["valid"].astype(bool)
    for col in ("ambiguous", "has_door_number", "po_box"):
        out[col] = out[col].astype(bool)
    return _str_columns(
        out, "reason", "reasons", "normalised", "province_code", "city_code", "county_code"
    )


def _address_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _address_finish(pd.DataFrame.from_records(rows, columns=list(_ADDRESS_MISSING)))


def _match_fast(values: Iterable[object] | pd.Series) -> pd.DataFrame:
    """:func:`match_divisions` with the scan replayed on all safe texts at once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    index, codes, uniques = _distinct_text(values, always=True)
    k = len(uniques)
    safe = _match(uniques, _SAFE) if _safe_cjk() else np.zeros(k, dtype=bool)
    safe &= _np(pc.utf8_length(uniques)) <= _MAX_FAST_LENGTH
    take = np.flatnonzero(safe)
    compact = pc.replace_substring_regex(
        uniques.take(pa.array(take)), f"[^0-9A-Za-z{_CJK_RANGE}]+", ""
    )
    state = _scan_text_states(compact)
    unique_states, inverse = np.unique(state, return_inverse=True)
    summaries = [_state_summary(int(u), None)[0] for u in unique_states]
    parsed = pd.DataFrame(
        {
            col: _str_array(np.array([x[col] for x in summaries], dtype=object)[inverse])
            for col in ("province_code", "city_code", "county_code")
        }
        | {"ambiguous": np.array([x["ambiguous"] for x in summaries], dtype=bool)[inverse]}
    )[list(_MATCH_MISSING)]
    rest = np.setdiff1d(np.arange(k), take, assume_unique=True)
    other = _per_value(
        lambda v: _summarise(_readings(_compact(v))), uniques.take(pa.array(rest)).to_pylist()
    )
    pieces = [
        (take, parsed),
        (rest, _match_frame(other)),
        (np.array([k]), _match_frame([_MATCH_MISSING])),
    ]
    return _assemble(codes, index, k, pieces)


def _match_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return _match_finish(pd.DataFrame.from_records(rows, columns=list(_MATCH_MISSING)))
