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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from beian_audit.checks._common import as_text, map_distinct

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


# --------------------------------------------------------------------------- fast-path plumbing
# Shared by the fast paths of the address, identity, ICP and network checkers: the
# distinct values of the input as one pyarrow array, and the assembly of per-distinct
# result pieces (vectorised rows, rows left to the per-value reference code, the
# missing row) into one frame with the input's index.

Method = Literal["fast", "reference"]
_METHODS = ("fast", "reference")


def _check_method(method: object) -> None:
    if method not in _METHODS:
        raise ValueError(f"method ({method!r}) must be one of 'fast', 'reference'")


def _is_arrow_string(dtype: object) -> bool:
    """A pandas dtype whose values live in a pyarrow string array (no surrogates possible)."""
    import pyarrow as pa

    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        return dtype.pyarrow_dtype in (pa.string(), pa.large_string())
    return False


def _distinct_text(values: Iterable[object] | pd.Series) -> tuple[pd.Index, np.ndarray, pa.Array]:
    """Index, codes (-1 = missing) and distinct values of raw input, as ``as_text`` reads it.

    A pyarrow-backed string Series is encoded without creating Python strings; any other
    input goes through :func:`~beian_audit.checks._common.as_text` first. The distinct
    values come back as a pyarrow ``large_string`` array without nulls.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pd.Series) and _is_arrow_string(values.dtype):
        arrow = pa.array(values.array)
        chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
        array = (
            pa.concat_arrays([c.cast(pa.large_string()) for c in chunks])
            if chunks
            else pa.array([], type=pa.large_string())
        )
        encoded = pc.dictionary_encode(array.cast(pa.large_string()))
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return values.index, codes, encoded.dictionary
    text = as_text(values)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    uniques_list = list(np.asarray(uniques, dtype=object))
    return text.index, codes.astype(np.int64), pa.array(uniques_list, type=pa.large_string())


def _assemble(
    codes: np.ndarray,
    index: pd.Index,
    n_distinct: int,
    pieces: Sequence[tuple[np.ndarray, pd.DataFrame]],
) -> pd.DataFrame:
    """One output row per input row from per-distinct pieces.

    Each piece is (positions among the distinct values, frame with one row per
    position); position ``n_distinct`` stands for the missing values. Every position
    must be covered exactly once, and the pieces must share columns and dtypes.
    """
    where = np.full(n_distinct + 1, -1, dtype=np.int64)
    frames = []
    offset = 0
    for positions, frame in pieces:
        if len(positions) == 0:
            continue
        where[positions] = offset + np.arange(len(positions))
        frames.append(frame.reset_index(drop=True))
        offset += len(frame)
    table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    rows = where[np.where(codes < 0, n_distinct, codes)]
    out = table.take(rows)
    out.index = index
    return out


def _const_piece(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` copies of a one-row frame."""
    return frame.take(np.zeros(n, dtype=np.int64))


def _str_array(values: pa.Array | np.ndarray | list[Any]) -> Any:
    """pandas' default string array from a pyarrow array or a sequence of str / None."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray | pa.Array):
        return pd.array(values.cast(pa.large_string()), dtype="str")
    return pd.array(np.asarray(values, dtype=object), dtype="str")


def _labels(index: np.ndarray, names: Sequence[str | None]) -> pa.Array:
    """String array ``names[index]`` built from small integer codes (no Python objects)."""
    import pyarrow as pa

    dictionary = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(index, dtype=np.int32)), pa.array(list(names), type=pa.large_string())
    )
    return dictionary.cast(pa.large_string())


def _join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constant strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    typed = [
        pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*typed, pa.scalar("", pa.large_string()))


def _np(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _match(array: pa.Array, pattern: str) -> np.ndarray:
    """RE2 search of ``pattern`` in each string, as a numpy bool array."""
    import pyarrow.compute as pc

    if len(array) == 0:
        return np.zeros(0, dtype=bool)
    return _np(pc.match_substring_regex(array, pattern))


def _char_matrix(array: pa.Array, width: int) -> np.ndarray:
    """The bytes of an ASCII string array whose values all have ``width`` characters."""
    import pyarrow as pa

    array = array.cast(pa.large_string())
    if len(array) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    if not np.all(np.diff(offsets) == width):  # pragma: no cover - guarded by the callers
        raise AssertionError("_char_matrix needs strings of one width")
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    return data[offsets[0] : offsets[0] + width * len(array)].reshape(-1, width)


def _matrix_strings(matrix: np.ndarray) -> pa.Array:
    """A string array from a matrix of ASCII bytes, one string per row."""
    import pyarrow as pa

    m, width = matrix.shape
    data = np.ascontiguousarray(matrix, dtype=np.uint8).tobytes()
    offsets = (np.arange(m + 1, dtype=np.int64) * width).tobytes()
    return pa.LargeStringArray.from_buffers(m, pa.py_buffer(offsets), pa.py_buffer(data))


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


def match_divisions(values: Iterable[object] | pd.Series) -> pd.DataFrame:
    """Resolve province, city and county codes (GB/T 2260) named in free text.

    Parameters
    ----------
    values : list or Series
        Addresses or place descriptions (e.g. a phone geocoder's ``浙江省杭州市``).

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
    out = map_distinct(
        as_text(values), lambda v: _summarise(_readings(_compact(v))), _MATCH_MISSING
    )
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
        If ``declared_province`` is a sequence of another length than ``values``.

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
    text = as_text(values)
    if declared_province is None:
        out = map_distinct(text, lambda v: _address_one(v, None), _ADDRESS_MISSING)
    else:
        if isinstance(declared_province, str) or not isinstance(declared_province, Iterable):
            declared = [_declared_province(declared_province)] * len(text)
        else:
            items = list(declared_province)
            if len(items) != len(text):
                raise ValueError(
                    f"declared_province (length {len(items)}) must be one value or have the "
                    f"length of values ({len(text)})"
                )
            cache: dict[object, str | None] = {}
            declared = []
            for item in items:
                key = item if isinstance(item, str) else repr(item)
                if key not in cache:
                    cache[key] = _declared_province(item)
                declared.append(cache[key])
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
    for col in ("ambiguous", "has_door_number", "po_box"):
        out[col] = out[col].astype(bool)
    return _str_columns(
        out, "reason", "reasons", "normalised", "province_code", "city_code", "county_code"
    )
