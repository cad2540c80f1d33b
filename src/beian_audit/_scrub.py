"""Personal values found by their look, in any text: the base of errors and privacy.

ID numbers, Chinese mobile and ``+86`` phone numbers and e-mail addresses are
recognised by value, wherever they appear (an error message, a cell of an
unknown column, a header). :mod:`beian_audit.errors` masks every message with
:func:`scrub_text`, and :mod:`beian_audit.privacy` builds its column masking on
these functions and re-exports :func:`scrub_text`, :func:`detect_personal` and
:func:`mask_personal` (their public home). This module imports nothing from the
package, so that errors and privacy can both depend on it without a cycle.

Examples
--------
>>> scrub_text("call 13812345678")
'call 138****5678'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "STRING",
    "detect_personal",
    "is_missing",
    "mask_email",
    "mask_id",
    "mask_middle",
    "mask_personal",
    "scrub_text",
]

STRING = pd.StringDtype("pyarrow")


def mask_middle(text: str, keep_start: int, keep_end: int) -> str:
    """``text`` with all but ``keep_start`` first and ``keep_end`` last characters starred."""
    if len(text) <= keep_start + keep_end:
        return text[:1] + "*" * max(len(text) - 1, 0)
    tail = text[len(text) - keep_end :]
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + tail


def mask_id(text: str) -> str:
    """An ID number masked: region prefix and last four kept (long numbers).

    Examples
    --------
    >>> mask_id("110105199001011234")
    '110105********1234'
    """
    keep = 6 if len(text) >= 15 else 2
    return mask_middle(text, keep, 4 if len(text) >= 15 else 1)


def mask_email(text: str) -> str:
    """An e-mail masked: first letter and domain kept.

    Examples
    --------
    >>> mask_email("zhangsan@qq.com")
    'z***@qq.com'
    """
    local, at, domain = text.rpartition("@")
    if not at:
        return mask_middle(text, 1, 0)
    return (local[:1] + "***" if local else "***") + "@" + domain


# One spelling of each pattern that both Python's ``re`` and RE2 (pyarrow) read:
# ASCII classes only (the text is NFKC-normalised first, so full-width digits and
# @ are ASCII by then); non-ASCII letters of an e-mail are a literal range.
_WIDE = "\u00c0-\uffff"
_ID18 = r"[1-9][0-9]{5}[-\s]?[0-9]{8}[-\s]?[0-9]{3}[0-9Xx]"
_ID15 = r"[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}"
_MOBILE = (
    r"(?:(?:\+|00)?86[-\s]?|\(\+?86\)[-\s]?)?1[3-9][0-9][-\s]?[0-9]{4}[-\s]?[0-9]{4}"
    r"|(?:\+|00)86[-\s]?\(?0?[1-9][0-9]{1,3}\)?[-\s]?[0-9]{3,4}[-\s]?[0-9]{4}"
)
_EMAIL = (
    f"[A-Za-z0-9._%+\\-{_WIDE}]+@[A-Za-z0-9\\-{_WIDE}]+"
    f"(?:\\.[A-Za-z0-9\\-{_WIDE}]+)*\\.[A-Za-z{_WIDE}]{{2,}}"
)
_RE2 = {
    "id": f"(?:^|[^0-9])(?:{_ID18}|{_ID15})(?:[^0-9]|$)",
    "phone": f"(?:^|[^0-9])(?:{_MOBILE})(?:[^0-9]|$)",
    "email": _EMAIL,
}
_FIND = re.compile(
    f"(?<![0-9])(?P<id>{_ID18}|{_ID15})(?![0-9])"
    f"|(?<![0-9])(?P<phone>{_MOBILE})(?![0-9])"
    f"|(?P<email>{_EMAIL})"
)


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.lastgroup == "email":
        return mask_email(text)
    digits = re.sub(r"[^0-9Xx]", "", text)
    if match.lastgroup == "id":
        return mask_id(digits)
    if len(digits) > 11 and digits.startswith(("0086", "86")):
        digits = digits[4:] if digits.startswith("0086") else digits[2:]
    return digits[:3] + "*" * max(len(digits) - 7, 1) + digits[-4:]


def scrub_text(text: str) -> str:
    """Mask every ID number, mobile / ``+86`` phone number and e-mail inside ``text``.

    The value-based counterpart of :func:`mask_value`, for free text: error
    messages, remarks, unknown columns, reprs. Full-width forms are recognised
    (the text is NFKC-normalised when that reveals a personal value). Text
    without personal values is returned unchanged.

    Examples
    --------
    >>> scrub_text("row 3, column 'approval_date': unparseable (value '11010519900101123X')")
    "row 3, column 'approval_date': unparseable (value '110105********123X')"
    >>> scrub_text("联系 +86 138-1234-5678 或 zhang.san@163.com")
    '联系 138****5678 或 z***@163.com'
    >>> scrub_text("京ICP备10046444号-1")
    '京ICP备10046444号-1'
    """
    out = _FIND.sub(_mask_match, text)
    wide = unicodedata.normalize("NFKC", out)
    if wide != out and _FIND.search(wide):
        out = _FIND.sub(_mask_match, wide)
    return out


def _text_array(values: pd.Series) -> Any:
    """The values as a pyarrow string array (NFKC), or None when they cannot be personal."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return None
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        arr = pa.chunked_array(pa.array(values.array))
    elif pd.api.types.is_numeric_dtype(dtype):
        integral = pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype)
        if len(values) == 0 or not integral:
            return None
        big = values.abs() >= 1e9
        if not bool(big.fillna(False).any()):
            return None
        raw = [
            None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v)
            for v in values.astype(object)
        ]
        arr = pa.array(raw, type=pa.string())
    else:
        raw = [
            v if isinstance(v, str) else None if is_missing(v) else str(v)
            for v in values.to_numpy(dtype=object)
        ]
        arr = pa.array(raw, type=pa.string())
    if len(arr) == 0:
        return None
    return pc.utf8_normalize(arr, "NFKC")


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and bool(np.isnan(value))


def detect_personal(values: pd.Series) -> pd.Series:
    """Which cells hold a personal value: ``"id"``, ``"phone"``, ``"email"`` or ``<NA>``.

    Vectorised (RE2 regular expressions over the Arrow array of the NFKC
    text), whatever the column is called: 15- and 18-digit resident ID numbers
    (with ``X``, with or without separators), Chinese mobiles (also ``+86``,
    ``0086``, ``86`` and ``(+86)`` forms, with spaces or dashes), ``+86``
    landlines and e-mail addresses, alone in the cell or inside longer text.
    Integer and float columns are scanned too (a mobile read from Excel as a
    number). When a cell holds several kinds, the first of id, phone, email
    is reported.

    Examples
    --------
    >>> s = pd.Series(["W1", "11010519900101123x", "＋８６ １３８１２３４５６７８",
    ...                "备注：a.b@qq.com", None, "京ICP备10046444号-1"])
    >>> detect_personal(s).tolist()
    [<NA>, 'id', 'phone', 'email', <NA>, <NA>]
    """
    import pyarrow.compute as pc

    out = pd.Series(pd.NA, index=values.index, dtype=STRING)
    arr = _text_array(values)
    if arr is None:
        return out
    kinds = np.full(len(values), None, dtype=object)
    for kind in ("email", "phone", "id"):  # the last written wins: id first
        hit = pc.match_substring_regex(arr, _RE2[kind]).to_numpy(zero_copy_only=False)
        hit = np.asarray(pd.array(hit, dtype="boolean").fillna(False), dtype=bool)
        kinds[hit] = kind
    return pd.Series(kinds, index=values.index).astype(STRING)


def mask_personal(values: pd.Series) -> pd.Series:
    """Mask, cell by cell, every value that looks personal (see :func:`detect_personal`).

    Only the personal part of a cell is masked (``"电话 13812345678"`` becomes
    ``"电话 138****5678"``); other cells keep their value and type. A numeric
    column with a personal value (mobiles read from Excel as numbers) becomes
    a string column. Returns ``values`` itself when nothing looks personal.

    Examples
    --------
    >>> mask_personal(pd.Series([13812345678, 5])).tolist()
    ['138****5678', '5']
    >>> s = pd.Series(["x", "ok"])
    >>> mask_personal(s) is s
    True
    """
    found = detect_personal(values).notna().to_numpy(dtype=bool)
    if not found.any():
        return values
    numeric = pd.api.types.is_numeric_dtype(values.dtype)
    raw = values.to_numpy(dtype=object, copy=True)
    cache: dict[str, str] = {}
    for i in np.flatnonzero(found):
        v = raw[i]
        text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
        if text not in cache:
            cache[text] = scrub_text(text)
        raw[i] = cache[text]
    if numeric:  # a column of phone numbers read as numbers: all text now
        keep = ~found & values.notna().to_numpy(dtype=bool)
        raw[keep] = [_number_text(v) for v in raw[keep]]
        raw[values.isna().to_numpy(dtype=bool)] = None
        return pd.Series(raw, index=values.index, name=values.name, dtype=STRING)
    out = pd.Series(raw, index=values.index, name=values.name)
    return out.astype(values.dtype) if isinstance(values.dtype, pd.StringDtype) else out


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
