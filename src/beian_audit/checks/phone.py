"""Phone numbers: mobile, fixed line, 400/800, extensions, with a reason per value.

:func:`check_phone` validates the contact phones of a filing with ``phonenumbers``
(region ``CN``) and says *why* a number fails, with a stable reason code (table
:data:`REASONS`, messages in Chinese and English).

In front of ``phonenumbers`` sits a small normaliser, because the library gets the
way Chinese registries write extensions wrong (``010-62345678转123`` raises,
``0571-87654321-8001`` is read as one 15-digit invalid number). It does exactly
this, in order:

1. Unicode NFKC (full-width digits, ``＋``, ``（）``, ``－``, ideographic space) and
   strip surrounding white space; an empty result is ``missing``.
2. An explicit extension at the end — a label ``转``, ``轉``, ``转分机(号)``,
   ``分机(号)``, ``分機(號)``, ``内线``, ``ext``, ``extn``, ``extension``, ``x`` or ``#``
   (any case, optional ``.`` / ``:``, optional brackets) followed by 1–10 digits —
   is cut off into ``extension``.
3. Otherwise, a trailing ``-`` group of 1–6 digits is an extension **only if** the
   whole string is not a valid number and the part before the dash is a valid
   mainland fixed line (``0571-87654321-8001`` → ``0571-87654321`` ext ``8001``;
   ``0571-8765-4321`` stays one number because it is valid as written).
4. A field holding two numbers (at least two pieces, split at ``, ; / 、 |`` or
   white space, each with 7 or more digits) is ``multiple_numbers``; any character
   other than ASCII digits, white space, ``+ - . ( ) [ ] /`` and dashes is
   ``not_a_number`` (``phonenumbers`` would silently drop letters).

What is left goes to ``phonenumbers.parse(…, "CN")``, ``is_valid_number`` and
``number_type``; short service numbers (95588, 10086, 110) are recognised with
``phonenumbers.shortnumberinfo``.

``method="fast"`` (the default) gives the same answer without calling ``parse`` for
the usual shapes (digits with spaces, dashes, brackets and an optional ``+``): it
replays ``parse`` step by step — international prefix, country code, national prefix
and carrier code, possible lengths — with phonenumbers' own CN metadata patterns as
vectorised regular expressions over the distinct values, and hands any other shape
(and any number it cannot settle: other country codes, carrier-prefixed
international calls) to ``phonenumbers`` itself. ``method="reference"`` calls
``phonenumbers`` for every distinct value. The two agree on every input; the test
suite proves it with property tests (``docs/checks-contact.md``).

Examples
--------
>>> check_phone(["13912345679", "010-62345678转123", "95588", "62345678", None])[
...     ["valid", "reason", "number_type", "e164", "extension", "province_code"]]
   valid             reason number_type            e164 extension province_code
0   True                         mobile  +8613912345679       NaN           NaN
1   True                     fixed_line   +861062345678       123        110000
2  False     service_number         NaN             NaN       NaN           NaN
3  False  missing_area_code         NaN             NaN       NaN           NaN
4  False            missing         NaN             NaN       NaN           NaN
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumberDesc,
    PhoneNumberType,
    shortnumberinfo,
)

from beian_audit._options import check_choice
from beian_audit.checks._common import (
    _assemble,
    _checker_frame,
    _distinct_text,
    as_text,
    checker_values,
    map_distinct,
    nfkc_strip,
    nfkc_strip_all,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["REASONS", "check_phone"]

PhoneKind = Literal["any", "mobile", "fixed_line"]
Method = Literal["fast", "reference"]

#: Reason codes: code -> (Chinese message, English message). ``""`` means valid.
REASONS: dict[str, tuple[str, str]] = {
    "missing": ("号码为空", "missing value"),
    "not_a_number": (
        "含有号码以外的字符（字母、汉字、符号）",
        "contains characters that are not part of a phone number (letters, Chinese, symbols)",
    ),
    "multiple_numbers": ("一个字段里填了多个号码", "several numbers in one field"),
    "placeholder": (
        "占位或编造的号码（如末八位同一数字、顺序数字）",
        "placeholder or made-up number (last eight digits repeated, a run of digits …)",
    ),
    "service_number": (
        "短号码或服务号码（如 95588、10086），不是联系人号码",
        "short service number (95588, 10086 …), not a contact's number",
    ),
    "missing_area_code": ("固定电话缺少区号", "local fixed-line number without its area code"),
    "wrong_length": ("号码位数不对", "wrong number of digits"),
    "invalid_number": (
        "号码不在任何已分配的号段内",
        "no allocated number range matches (right shape, invalid prefix)",
    ),
    "not_chinese": ("不是中国大陆（+86）号码", "valid number outside mainland China (+86)"),
    "not_mobile": ("不是手机号码", "not a mobile number (kind='mobile')"),
    "not_fixed_line": ("不是固定电话号码", "not a fixed-line number (kind='fixed_line')"),
}

_KINDS = ("any", "mobile", "fixed_line")
_METHODS = ("fast", "reference")
OUTPUT_COLUMNS = [
    "valid", "reason", "number_type", "e164", "region", "extension", "area_code",
    "province_code",
]
_TEXT_COLUMNS = OUTPUT_COLUMNS[1:]

_TYPE_NAMES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.VOIP: "voip",
}
_ERROR_NAMES = {
    NumberParseException.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    NumberParseException.NOT_A_NUMBER: "NOT_A_NUMBER",
    NumberParseException.TOO_SHORT_AFTER_IDD: "TOO_SHORT_AFTER_IDD",
    NumberParseException.TOO_SHORT_NSN: "TOO_SHORT_NSN",
    NumberParseException.TOO_LONG: "TOO_LONG",
}
_LENGTH_ERRORS = frozenset({"TOO_SHORT_AFTER_IDD", "TOO_SHORT_NSN", "TOO_LONG"})

# ----------------------------------------------------------------- the normaliser

_EXT_LABELS = sorted(
    ["转分机号", "转分机", "转", "轉", "分机号", "分機號", "分机", "分機", "内线",
     "extension", "extn", "ext", "x", "#"],
    key=len,
    reverse=True,
)
#: Explicit extension at the end (step 2 of the normaliser); used with fullmatch.
_EXPLICIT_EXT = re.compile(
    r"(?P<core>.*?[0-9)])[\s,;\-]*[(\[]?\s*(?:" + "|".join(map(re.escape, _EXT_LABELS))
    + r")\.?\s*[:.]?\s*(?P<ext>[0-9]{1,10})\s*[)\]]?\s*#?",
    re.IGNORECASE | re.DOTALL,
)
#: Every explicit label contains one of these characters (cheap prefilter).
_EXT_HINT = "[转轉分内xX#]"
_DASHES = "\\-\u2010-\u2015\u2212"
#: Trailing ``-123`` after a number (step 3); used with fullmatch.
_TRAILING_EXT = re.compile(
    rf"(?P<core>.*[0-9])[ \t]*[{_DASHES}][ \t]*(?P<ext>[0-9]{{1,6}})", re.DOTALL
)
_TRAILING_HINT = "[-\\x{2010}-\\x{2015}\\x{2212}][ \\t]*[0-9]{1,6}$"
#: Pieces of a field for the multiple-numbers rule (step 4).
_PIECES = re.compile(r"[,;/、|\s]+")
#: Characters allowed in what is handed to phonenumbers (step 4).
_CHARSET = re.compile(rf"[0-9\s+.()\[\]/{_DASHES}]*")
_NON_DIGIT = re.compile(r"[^0-9]")

# ----------------------------------------------------------------- placeholders

_RUNS = ("0123456789", "9876543210")
_SHORT_RUNS = sorted({run[i:i + k] for run in _RUNS for k in (5, 6, 7) for i in range(11 - k)})
_RUNS8 = sorted({run[i:i + 8] for run in _RUNS for i in range(3)})
#: Explicitly listed placeholders (13800138000 is China Mobile's service line, the
#: most common made-up mobile in registries).
PLACEHOLDER_NUMBERS = ("13800138000",)
#: A number (national significant number, or all digits when it does not parse) is a
#: placeholder when it is 5–7 identical digits or a 5–7 digit run (``12345``), or
#: when its last eight digits are one repeated digit (``13800000000``,
#: ``13888888888``) or a run of eight consecutive digits up or down
#: (``13812345678``, ``01087654321``), or it is listed in PLACEHOLDER_NUMBERS.
#: Written without back-references so that Python ``re`` and RE2 read it alike.
PLACEHOLDER_PATTERN = (
    "^(?:[0-9]*(?:" + "|".join([d * 8 for d in "0123456789"] + _RUNS8) + ")"
    + "|" + "|".join(d + "{5,7}" for d in "0123456789")
    + "|" + "|".join(_SHORT_RUNS)
    + "|" + "|".join(PLACEHOLDER_NUMBERS) + ")$"
)
_PLACEHOLDER = re.compile(PLACEHOLDER_PATTERN)

# ----------------------------------------------------------------- CN metadata

_META = cast(PhoneMetadata, PhoneMetadata.metadata_for_region("CN"))
_SHORT_GENERAL = cast(PhoneMetadata, PhoneMetadata.short_metadata_for_region("CN")).general_desc
_GENERAL = cast(PhoneNumberDesc, _META.general_desc)
_GENERAL_LENGTHS = tuple(sorted(_GENERAL.possible_length))
_LOCAL_LENGTHS = tuple(_GENERAL.possible_length_local_only)
_MOBILE_LENGTHS = tuple(cast(PhoneNumberDesc, _META.mobile).possible_length)
_MISSING_AREA = re.compile(r"[2-9][0-9]{6,7}")
_MOBILE_RANGE = re.compile(r"1[1-9]")
# parse()'s possible-length verdicts (phonenumbers' ValidationResult semantics)
_POSSIBLE, _LOCAL_ONLY, _TOO_SHORT, _INVALID_LENGTH, _TOO_LONG = range(5)
_MAX_INPUT = 250  # phonenumbers' _MAX_INPUT_STRING_LENGTH
_MAX_NSN = 17  # phonenumbers' _MAX_LENGTH_FOR_NSN
_MIN_NSN = 2  # phonenumbers' _MIN_LENGTH_FOR_NSN

#: Shapes the fast path replays itself: optional ``+`` before the first digit, then
#: digits with spaces, dashes and brackets (at least 3 digits, at most 250 chars).
_SIMPLE = r"^[ (]*\+?[ ()\-]*[0-9][0-9 ()\-]*$"
_PURE_REGEX = re.compile(r"[0-9\[\]()?:|{},\-\\d]*")


def _pure(pattern: str | None) -> bool:
    """A metadata pattern made only of classes, groups, alternation and counts.

    Such a pattern means the same in Python ``re`` and in RE2 (pyarrow), so the fast
    path can evaluate it vectorised; anything fancier disables the fast path.
    """
    return pattern is None or bool(_PURE_REGEX.fullmatch(pattern))


def _desc_pattern(desc: Any) -> str | None:
    if desc is None or not desc.national_number_pattern:
        return None
    return str(desc.national_number_pattern)


_TYPE_ORDER: tuple[tuple[str, Any], ...] = (
    ("premium_rate", _META.premium_rate),
    ("toll_free", _META.toll_free),
    ("shared_cost", _META.shared_cost),
    ("voip", _META.voip),
    ("other", _META.personal_number),
    ("other", _META.pager),
    ("other", _META.uan),
    ("other", _META.voicemail),
)
_FAST_OK = (
    _META.national_prefix_transform_rule is None
    and 8 not in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
    and phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(86) == ("CN",)
    and all(
        _pure(p)
        for p in (
            _META.international_prefix,
            _META.national_prefix_for_parsing,
            _desc_pattern(_GENERAL),
            _desc_pattern(_META.fixed_line),
            _desc_pattern(_META.mobile),
            _desc_pattern(_SHORT_GENERAL),
            *(_desc_pattern(d) for _, d in _TYPE_ORDER),
        )
    )
)


def _unnamed_groups(pattern: str) -> str:
    """Turn capturing groups into non-capturing ones (for RE2 replace/extract)."""
    return re.sub(r"\((?!\?)", "(?:", pattern)


_IDD_PREFIX = "^(?:" + _unnamed_groups(_META.international_prefix or "a^") + ")"
_NATIONAL_PREFIX = "^(?:" + _unnamed_groups(_META.national_prefix_for_parsing or "a^") + ")"


@functools.cache
def _area_codes() -> dict[str, str]:
    """Area code -> province code, from ``data/phone_area_codes.csv``."""
    text = files("beian_audit").joinpath("data", "phone_area_codes.csv").read_text(
        encoding="utf-8"
    )
    lines = (line for line in io.StringIO(text) if not line.startswith("#"))
    return {row["area_code"]: row["province_code"] for row in csv.DictReader(lines)}


def _area_code(nsn: str) -> tuple[str | None, str | None]:
    table = _area_codes()
    for length in (2, 3):
        code = nsn[:length]
        if code in table:
            return code, table[code] or None
    return None, None


def _numobj(nsn: str) -> phonenumbers.PhoneNumber:
    """The +86 PhoneNumber whose national significant number is ``nsn``."""
    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(nsn))
    if len(nsn) > 1 and nsn[0] == "0":  # as phonenumbers records leading zeros
        number.italian_leading_zero = True
        zeros = min(len(nsn) - len(nsn.lstrip("0")), len(nsn) - 1)
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


@functools.cache
def _area_code_arrays() -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Area codes, and as object arrays the codes and province codes (``None`` last)."""
    import pyarrow as pa

    table = _area_codes()
    codes = list(table)
    provinces = [table[c] or None for c in codes]
    return (
        pa.array(codes, type=pa.string()),
        np.array([*codes, None], dtype=object),
        np.array([*provinces, None], dtype=object),
    )


def _area_codes_vec(nsn: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_area_code` of many national numbers: (area codes, province codes)."""
    import pyarrow.compute as pc

    keys, codes, provinces = _area_code_arrays()
    found = np.full(len(nsn), -1, dtype=np.int64)
    for length in (3, 2):  # the 2-digit code wins when both are in the table
        at = _np(pc.index_in(pc.utf8_slice_codeunits(nsn, 0, length), value_set=keys)
                 .fill_null(-1)).astype(np.int64)
        found = np.where(at >= 0, at, found)
    return codes[found], provinces[found]


def _is_short(nsn: str) -> bool:
    return bool(shortnumberinfo.is_valid_short_number_for_region(_numobj(nsn), "CN"))


# ----------------------------------------------------------------- reference path

_CORE_DEFAULT: dict[str, Any] = {
    "pre": "", "error": "", "cc": 0, "nsn": None, "pn_valid": False, "pn_type": None,
    "region": None, "short": False, "digits": "",
}


def _multiple(core: str) -> bool:
    pieces = _PIECES.split(core)
    return sum(len(_NON_DIGIT.sub("", p)) >= 7 for p in pieces) >= 2


def _reference_core(core: str) -> dict[str, Any]:
    """Classify one normalised, extension-free string with phonenumbers itself."""
    if _multiple(core):
        return {**_CORE_DEFAULT, "pre": "multiple_numbers"}
    if not _CHARSET.fullmatch(core):
        return {**_CORE_DEFAULT, "pre": "not_a_number"}
    try:
        number = phonenumbers.parse(core, "CN")
    except NumberParseException as exc:
        digits = _NON_DIGIT.sub("", core)  # what the placeholder rule reads instead
        return {**_CORE_DEFAULT, "error": _ERROR_NAMES[exc.error_type], "digits": digits}
    nsn = phonenumbers.national_significant_number(number)
    valid = phonenumbers.is_valid_number(number)
    cc = int(number.country_code or 0)
    row = {**_CORE_DEFAULT, "cc": cc, "nsn": nsn, "pn_valid": valid}
    if valid:
        row["pn_type"] = _TYPE_NAMES.get(phonenumbers.number_type(number), "other")
        row["region"] = phonenumbers.region_code_for_number(number)
    elif cc == 86:
        row["short"] = bool(shortnumberinfo.is_valid_short_number_for_region(number, "CN"))
    return row


def _is_cn_fixed(row: dict[str, Any]) -> bool:
    return bool(row["pn_valid"]) and row["cc"] == 86 and row["pn_type"] == "fixed_line"


def _derive_one(row: dict[str, Any], kind: str) -> dict[str, Any]:
    """Reason and output columns from one classification row (scalar version)."""
    nsn = row["nsn"]
    valid_number = bool(row["pn_valid"])
    if row["pre"]:
        reason = row["pre"]
    elif _PLACEHOLDER.match(nsn if nsn is not None else row["digits"]):
        reason = "placeholder"
    elif row["error"]:
        reason = (
            "wrong_length" if row["error"] in _LENGTH_ERRORS
            else "not_a_number" if row["error"] == "NOT_A_NUMBER"
            else "invalid_number"
        )
    elif row["cc"] != 86:
        reason = "not_chinese" if valid_number else "invalid_number"
    elif not valid_number:
        if row["short"]:
            reason = "service_number"
        elif _MISSING_AREA.fullmatch(nsn):
            reason = "missing_area_code"
        elif len(nsn) not in _GENERAL_LENGTHS or (
            _MOBILE_RANGE.match(nsn) and len(nsn) not in _MOBILE_LENGTHS
        ):
            reason = "wrong_length"
        else:
            reason = "invalid_number"
    elif kind == "mobile" and row["pn_type"] != "mobile":
        reason = "not_mobile"
    elif kind == "fixed_line" and row["pn_type"] != "fixed_line":
        reason = "not_fixed_line"
    else:
        reason = ""
    area_code = province_code = None
    if valid_number and row["cc"] == 86 and row["pn_type"] == "fixed_line":
        area_code, province_code = _area_code(nsn)
    return {
        "valid": reason == "",
        "reason": reason,
        "number_type": row["pn_type"] if valid_number else None,
        "e164": f"+{row['cc']}{nsn}" if valid_number else None,
        "region": row["region"] if valid_number else None,
        "extension": row.get("extension"),
        "area_code": area_code,
        "province_code": province_code,
    }


def _reference_one(raw: str, kind: str = "any") -> dict[str, Any]:
    """The whole check of one raw string with plain phonenumbers calls."""
    text = nfkc_strip(raw)
    if not text:
        return _derive_one({**_CORE_DEFAULT, "pre": "missing"}, kind)
    extension = None
    match = _EXPLICIT_EXT.fullmatch(text) if re.search(_EXT_HINT, text) else None
    if match:
        row = _reference_core(match["core"])
        extension = match["ext"]
    else:
        row = _reference_core(text)
        trailing = (
            _TRAILING_EXT.fullmatch(text)
            if row["pre"] == "" and not row["pn_valid"] else None
        )
        if trailing:
            alternative = _reference_core(trailing["core"])
            if _is_cn_fixed(alternative):
                row, extension = alternative, trailing["ext"]
    return _derive_one({**row, "extension": extension}, kind)


# ----------------------------------------------------------------- fast path


def _np(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _fullmatch(array: pa.Array, pattern: str | None) -> np.ndarray:
    import pyarrow.compute as pc

    if pattern is None or len(array) == 0:
        return np.zeros(len(array), dtype=bool)
    return _np(pc.match_substring_regex(array, f"^(?:{pattern})$"))


def _lengths(array: pa.Array) -> np.ndarray:
    import pyarrow.compute as pc

    return _np(pc.utf8_length(array)).astype(np.int64)


def _choose(mask: np.ndarray, yes: pa.Array, no: pa.Array) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pa.array(mask, type=pa.bool_()), yes, no)


def _test_length(lengths: np.ndarray) -> np.ndarray:
    """phonenumbers' ``_test_number_length`` against the CN general description."""
    lo, hi = _GENERAL_LENGTHS[0], _GENERAL_LENGTHS[-1]
    out = np.full(lengths.shape, _INVALID_LENGTH)
    out[np.isin(lengths, _GENERAL_LENGTHS[1:])] = _POSSIBLE
    out[lengths > hi] = _TOO_LONG
    out[lengths < lo] = _TOO_SHORT
    out[lengths == lo] = _POSSIBLE
    out[np.isin(lengths, _LOCAL_LENGTHS)] = _LOCAL_ONLY
    return out


def _strip_national_prefix(numbers: pa.Array) -> pa.Array:
    """phonenumbers' ``_maybe_strip_national_prefix_carrier_code`` (no transform rule)."""
    import pyarrow.compute as pc

    rest = pc.replace_substring_regex(numbers, _NATIONAL_PREFIX, "", max_replacements=1)
    general = _desc_pattern(_GENERAL)
    matched = _lengths(rest) < _lengths(numbers)
    keep = ~matched | (_fullmatch(numbers, general) & ~_fullmatch(rest, general))
    return _choose(keep, numbers, rest)


def _fast_parse(digits: pa.Array, plus: np.ndarray) -> tuple[np.ndarray, np.ndarray, pa.Array]:
    """Replay ``phonenumbers.parse(text, "CN")`` on digit strings.

    ``digits`` are the digits of a simple-shape string, ``plus`` whether a ``+``
    came before them. Returns the parse error name (``""`` when none), a mask of the
    rows this function cannot settle (another country code), and the national
    significant number.
    """
    import pyarrow.compute as pc

    n = len(digits)
    general = _desc_pattern(_GENERAL)
    error = np.full(n, "", dtype=object)
    defer = np.zeros(n, dtype=bool)
    length = _lengths(digits)
    starts86 = _np(pc.starts_with(digits, "86"))
    after86 = pc.utf8_slice_codeunits(digits, 2)

    # leading plus: the country code must follow ("8" is no code, so "86" is +86)
    error[plus & (length <= _MIN_NSN)] = "TOO_SHORT_AFTER_IDD"
    defer |= plus & (length > _MIN_NSN) & ~starts86

    # international prefix (00, or a carrier-selection prefix + 00), unless a 0 follows
    after_idd = pc.replace_substring_regex(digits, _IDD_PREFIX, "", max_replacements=1)
    idd_length = _lengths(after_idd)
    idd = ~plus & (idd_length < length) & ~_np(pc.starts_with(after_idd, "0"))
    error[idd & (idd_length <= _MIN_NSN)] = "TOO_SHORT_AFTER_IDD"
    defer |= idd & (idd_length > _MIN_NSN) & ~_np(pc.starts_with(after_idd, "86"))
    national_idd = pc.utf8_slice_codeunits(after_idd, 2)

    # no prefix but a leading 86: strip it when that makes the number fit better
    potential = _strip_national_prefix(after86)
    take86 = (
        ~plus & ~idd & starts86
        & (
            (~_fullmatch(digits, general) & _fullmatch(potential, general))
            | (_test_length(length) == _TOO_LONG)
        )
    )
    national = _choose(plus, after86, digits)
    national = _choose(idd, national_idd, national)
    national = _choose(take86, potential, national)

    ok = (error == "") & ~defer
    error[ok & (_lengths(national) < _MIN_NSN)] = "TOO_SHORT_NSN"
    stripped = _strip_national_prefix(national)
    accept = ~np.isin(
        _test_length(_lengths(stripped)), (_TOO_SHORT, _LOCAL_ONLY, _INVALID_LENGTH)
    )
    nsn = _choose(accept, stripped, national)
    error[(error == "") & ~defer & (_lengths(nsn) > _MAX_NSN)] = "TOO_LONG"
    return error, defer, nsn


def _match_desc(nsn: pa.Array, lengths: np.ndarray, desc: Any) -> np.ndarray:
    """phonenumbers' ``_is_number_matching_desc``."""
    pattern = _desc_pattern(desc)
    if pattern is None:
        return np.zeros(len(nsn), dtype=bool)
    out = _fullmatch(nsn, pattern)
    if desc.possible_length:
        out &= np.isin(lengths, desc.possible_length)
    return out


def _fast_types(nsn: pa.Array) -> np.ndarray:
    """phonenumbers' ``_number_type_helper`` for +86; ``None`` means invalid."""
    lengths = _lengths(nsn)
    kinds = np.full(len(nsn), None, dtype=object)
    left = _match_desc(nsn, lengths, _GENERAL)
    for name, desc in _TYPE_ORDER:
        hit = left & _match_desc(nsn, lengths, desc)
        kinds[hit] = name
        left &= ~hit
    fixed = left & _match_desc(nsn, lengths, _META.fixed_line)
    mobile = _match_desc(nsn, lengths, _META.mobile)
    if _META.same_mobile_and_fixed_line_pattern:
        kinds[fixed] = "other"
    else:
        kinds[fixed & mobile] = "other"
        kinds[fixed & ~mobile] = "fixed_line"
        kinds[left & ~fixed & mobile] = "mobile"
    return kinds


def _multiple_vec(texts: pa.Array) -> np.ndarray:
    """The multiple-numbers rule for simple shapes (only spaces separate pieces)."""
    import pyarrow.compute as pc

    out = np.zeros(len(texts), dtype=bool)
    spaced = np.flatnonzero(_np(pc.match_substring(texts, " ")))
    if len(spaced):
        pieces = pc.split_pattern(texts.take(spaced), " ")
        flat = pc.list_flatten(pieces)
        parent = _np(pc.list_parent_indices(pieces))
        long_piece = _lengths(pc.replace_substring_regex(flat, "[^0-9]", "")) >= 7
        out[spaced] = np.bincount(parent[long_piece], minlength=len(spaced)) >= 2
    return out


def _empty_core(m: int) -> dict[str, np.ndarray]:
    return {
        "pre": np.full(m, "", dtype=object),
        "error": np.full(m, "", dtype=object),
        "cc": np.zeros(m, dtype=np.int64),
        "nsn": np.full(m, None, dtype=object),
        "pn_valid": np.zeros(m, dtype=bool),
        "pn_type": np.full(m, None, dtype=object),
        "region": np.full(m, None, dtype=object),
        "short": np.zeros(m, dtype=bool),
        "digits": np.full(m, "", dtype=object),
    }


def _fast_cores(cores: Sequence[str]) -> dict[str, np.ndarray]:
    """Classify many normalised, extension-free strings; same result as _reference_core."""
    import pyarrow as pa
    import pyarrow.compute as pc

    m = len(cores)
    out = _empty_core(m)
    if m == 0:
        return out
    texts = pa.array(cores, type=pa.string())
    digits = pc.replace_substring_regex(texts, "[^0-9]", "")
    simple = (
        _np(pc.match_substring_regex(texts, _SIMPLE))
        & (_lengths(texts) <= _MAX_INPUT)
        & (_lengths(digits) >= 3)
    ) if _FAST_OK else np.zeros(m, dtype=bool)
    multiple = np.zeros(m, dtype=bool)
    multiple[simple] = _multiple_vec(texts.filter(pa.array(simple)))
    out["pre"][multiple] = "multiple_numbers"
    todo = np.flatnonzero(simple & ~multiple)
    fallback = np.flatnonzero(~simple)
    if len(todo):
        sub_digits = digits.take(todo)
        plus = _np(pc.match_substring(texts.take(todo), "+"))
        error, defer, nsn = _fast_parse(sub_digits, plus)
        ok = (error == "") & ~defer
        kinds = np.full(len(todo), None, dtype=object)
        ok_idx = np.flatnonzero(ok)
        kinds[ok_idx] = _fast_types(nsn.take(ok_idx))
        nsn_obj = np.asarray(nsn.to_numpy(zero_copy_only=False), dtype=object)
        rows = todo[~defer]
        keep = ~defer
        out["error"][rows] = error[keep]
        failed = np.flatnonzero(keep & (error != ""))  # digits are only read when
        out["digits"][todo[failed]] = _np(sub_digits.take(failed))  # parse failed
        parsed = todo[ok]
        out["cc"][parsed] = 86
        out["nsn"][parsed] = nsn_obj[ok]
        valid = kinds[ok] != None  # noqa: E711 - elementwise test on an object array
        out["pn_valid"][parsed] = valid
        out["pn_type"][parsed] = kinds[ok]
        out["region"][parsed[valid]] = "CN"
        # shortnumberinfo's own first test (general short-number description)
        # decides most invalid numbers at once; the rest go to the library
        invalid_nsn = nsn.take(ok_idx[~valid])
        maybe_short = _match_desc(invalid_nsn, _lengths(invalid_nsn), _SHORT_GENERAL)
        invalid = parsed[~valid][maybe_short]
        out["short"][invalid] = [_is_short(s) for s in out["nsn"][invalid]]
        fallback = np.concatenate([fallback, todo[defer]])
    for i in fallback:
        row = _reference_core(cores[int(i)])
        for key, column in out.items():
            column[i] = row[key]
    return out


def _fast_classify(texts: list[str]) -> dict[str, np.ndarray]:
    """The normaliser + classification of many stripped NFKC strings (vectorised)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    m = len(texts)
    array = pa.array(texts, type=pa.string())
    empty = _lengths(array) == 0
    extension = np.full(m, None, dtype=object)
    cores = list(texts)
    explicit = np.zeros(m, dtype=bool)
    for i in np.flatnonzero(_np(pc.match_substring_regex(array, _EXT_HINT))):
        match = _EXPLICIT_EXT.fullmatch(texts[i])
        if match:
            cores[i], extension[i], explicit[i] = match["core"], match["ext"], True
    present = np.flatnonzero(~empty)
    out = _empty_core(m)
    out["pre"][empty] = "missing"
    classified = _fast_cores([cores[i] for i in present])
    for key, column in out.items():
        column[present] = classified[key]
    candidates = np.flatnonzero(
        ~empty & ~explicit & (out["pre"] == "") & ~out["pn_valid"]
        & _np(pc.match_substring_regex(array, _TRAILING_HINT))
    )
    rows, alt_cores, alt_ext = [], [], []
    for i in candidates:
        trailing = _TRAILING_EXT.fullmatch(texts[i])
        if trailing:
            rows.append(i)
            alt_cores.append(trailing["core"])
            alt_ext.append(trailing["ext"])
    if rows:
        alt = _fast_cores(alt_cores)
        use = alt["pn_valid"] & (alt["cc"] == 86) & (alt["pn_type"] == "fixed_line")
        target = np.asarray(rows)[use]
        for key, column in out.items():
            column[target] = alt[key][use]
        extension[target] = np.asarray(alt_ext, dtype=object)[use]
    out["extension"] = extension
    return out


def _derive_vec(cls: dict[str, np.ndarray], kind: str) -> dict[str, np.ndarray]:
    """Reason and output columns from classification arrays (vectorised version)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    m = len(cls["pre"])
    nsn = cls["nsn"]
    has_nsn = nsn != None  # noqa: E711
    q = np.where(has_nsn, nsn, cls["digits"])
    placeholder = _fullmatch(pa.array(q, type=pa.string()), PLACEHOLDER_PATTERN[1:-1])
    nsn_text = pa.array(np.where(has_nsn, nsn, ""), type=pa.string())
    nsn_len = _lengths(nsn_text)
    missing_area = _fullmatch(nsn_text, _MISSING_AREA.pattern)
    bad_length = ~np.isin(nsn_len, _GENERAL_LENGTHS) | (
        _np(pc.match_substring_regex(nsn_text, "^" + _MOBILE_RANGE.pattern))
        & ~np.isin(nsn_len, _MOBILE_LENGTHS)
    )
    valid_number = cls["pn_valid"].astype(bool)
    pn_type = cls["pn_type"]
    error = cls["error"]
    cn = cls["cc"] == 86
    # (condition, reason) in order of precedence; the first true one wins
    rules = [
        (placeholder, "placeholder"),
        (np.isin(error, list(_LENGTH_ERRORS)), "wrong_length"),
        (error == "NOT_A_NUMBER", "not_a_number"),
        (error != "", "invalid_number"),
        (~cn & valid_number, "not_chinese"),
        (~cn, "invalid_number"),
        (~valid_number & cls["short"], "service_number"),
        (~valid_number & missing_area, "missing_area_code"),
        (~valid_number & bad_length, "wrong_length"),
        (~valid_number, "invalid_number"),
        (np.full(m, kind == "mobile") & (pn_type != "mobile"), "not_mobile"),
        (np.full(m, kind == "fixed_line") & (pn_type != "fixed_line"), "not_fixed_line"),
    ]
    names = np.array(["", *(name for _, name in rules)], dtype=object)
    code = np.select([cond for cond, _ in rules], np.arange(1, len(rules) + 1), default=0)
    reason = np.where(cls["pre"] != "", cls["pre"], names[code])
    none = np.full(m, None, dtype=object)
    e164 = none.copy()
    idx = np.flatnonzero(valid_number)
    if len(idx):
        e164[idx] = _np(pc.binary_join_element_wise(
            "+", pa.array(cls["cc"][idx]).cast(pa.string()), pa.array(nsn[idx], type=pa.string()),
            "",
        ))
    area = none.copy()
    province = none.copy()
    fixed = np.flatnonzero(valid_number & cn & (pn_type == "fixed_line"))
    area[fixed], province[fixed] = _area_codes_vec(pa.array(nsn[fixed], type=pa.string()))
    number_type = pn_type.copy()
    number_type[~valid_number] = None
    region = cls["region"].copy()
    region[~valid_number] = None
    return {
        "valid": reason == "",
        "reason": reason,
        "number_type": number_type,
        "e164": e164,
        "region": region,
        "extension": cls["extension"],
        "area_code": area,
        "province_code": province,
    }


# ----------------------------------------------------------------- entry point



def check_phone(
    values: Iterable[object] | pd.Series,
    *,
    kind: PhoneKind = "any",
    method: Method = "fast",
) -> pd.DataFrame:
    """Validate phone numbers and give a reason code for each failure.

    Parameters
    ----------
    values : list, array or Series
        Raw values: strings in any common Chinese format, numbers (as Excel reads
        them), ``None`` / NaN.
    kind : {"any", "mobile", "fixed_line"}, default "any"
        What the field must hold. ``"mobile"`` turns every valid non-mobile number
        into ``not_mobile``; ``"fixed_line"`` every valid non-fixed-line number
        (mobiles, 400 / 800 numbers) into ``not_fixed_line``.
    method : {"fast", "reference"}, default "fast"
        ``"reference"`` calls ``phonenumbers.parse`` for every distinct value;
        ``"fast"`` replays it with the library's own CN patterns, vectorised, and
        gives the same result (see Notes).

    Returns
    -------
    DataFrame
        Same index and length as ``values``, columns:

        ``valid`` (bool), ``reason`` (code from :data:`REASONS`, ``""`` when
        valid), ``number_type`` (``mobile``, ``fixed_line``, ``toll_free`` (800),
        ``shared_cost`` (400), ``premium_rate``, ``voip``, ``other``; for every
        number phonenumbers finds valid, even when ``reason`` flags it), ``e164``
        (``+8613812345678``), ``region`` (``CN``, ``HK`` …), ``extension``
        (digits), ``area_code`` (``571``) and ``province_code`` (GB/T 2260,
        ``330000``) of a mainland fixed line. Missing text is NaN.

    Raises
    ------
    ValueError
        If ``kind`` or ``method`` is not one of the allowed values.

    Notes
    -----
    The normaliser in front of phonenumbers, the order in which reasons are
    decided and the placeholder rule (:data:`PLACEHOLDER_PATTERN`) are documented
    in the module docstring and in ``docs/checks-contact.md``.

    The fast path reads the same metadata as phonenumbers
    (``PhoneMetadata.metadata_for_region("CN")``: international prefix, national
    prefix and carrier codes for parsing, possible lengths, the patterns of every
    number type) and evaluates it with RE2 through pyarrow. It only accepts those
    patterns when they consist of character classes, groups, alternation and
    counts, where RE2 and Python ``re`` give the same matches; with a future
    metadata release that uses anything else the fast path hands every value to
    phonenumbers.

    Examples
    --------
    >>> r = check_phone(["(0571)87654322", "+86 139 1234 5679", "400-810-8888",
    ...                  "13800000000", "1391234567", "12345678", "+85221234567"])
    >>> r[["valid", "reason", "number_type", "area_code"]]
       valid        reason  number_type area_code
    0   True                 fixed_line       571
    1   True                     mobile       NaN
    2   True                shared_cost       NaN
    3  False   placeholder       mobile       NaN
    4  False  wrong_length          NaN       NaN
    5  False   placeholder          NaN       NaN
    6  False   not_chinese   fixed_line       NaN
    >>> check_phone(["13912345679", "0571-87654322-8001"], kind="fixed_line")[
    ...     ["reason", "e164", "extension"]]
               reason            e164 extension
    0  not_fixed_line  +8613912345679       NaN
    1                  +8657187654322      8001
    """
    values = checker_values(values)
    check_choice("kind", kind, _KINDS)
    check_choice("method", method, _METHODS)
    if method == "reference":
        missing = _derive_one({**_CORE_DEFAULT, "pre": "missing"}, kind)
        out = map_distinct(as_text(values), lambda v: _reference_one(v, kind), missing,
                           columns=OUTPUT_COLUMNS)
        return _checker_frame(out, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    index, codes, uniques = _distinct_text(values, always=True)
    texts = [*nfkc_strip_all(uniques), ""]  # last row: missing values
    table = _checker_frame(_derive_vec(_fast_classify(texts), kind), OUTPUT_COLUMNS,
                           _TEXT_COLUMNS)
    return _assemble(codes, index, len(uniques), [(np.arange(len(table)), table)])
