"""Masking of personal data: ID numbers, phones, emails, names, addresses.

Every report, repr, log line and export of beian_audit goes through these
functions unless the caller passes ``reveal=True``. Masking keeps just enough to
let an auditor recognise a record (region prefix of an ID number, the first three
and last four digits of a mobile, the domain of an email, the surname).

Examples
--------
>>> mask_value("110105199001011234", "id")
'110105********1234'
>>> mask_value("13812345678", "phone")
'138****5678'
>>> mask_value("zhangsan@qq.com", "email")
'z***@qq.com'
>>> mask_value("张三丰", "name")
'张**'
>>> mask_value("北京市朝阳区建国路88号3号楼201", "address")
'北京市朝阳区建国路****'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit.errors import ArgumentError

__all__ = [
    "INDIVIDUAL_NATURES",
    "MaskKind",
    "detect_personal",
    "mask_frame",
    "mask_personal",
    "mask_series",
    "mask_value",
    "scrub_text",
    "show_value",
]

MaskKind = Literal["name", "id", "phone", "email", "address", "ip"]

_DIGITS = re.compile(r"\d")
STRING = pd.StringDtype("pyarrow")


def _mask_middle(text: str, keep_start: int, keep_end: int) -> str:
    if len(text) <= keep_start + keep_end:
        return text[:1] + "*" * max(len(text) - 1, 0)
    tail = text[len(text) - keep_end :]
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + tail


def mask_value(value: object, kind: MaskKind) -> object:
    """Mask one personal value; missing values pass through unchanged.

    Parameters
    ----------
    value : object
        The raw value. ``None`` / NaN / ``pd.NA`` are returned as they are.
    kind : {"name", "id", "phone", "email", "address", "ip"}
        What the value is.

    Returns
    -------
    object
        The masked string, or the missing value.

    Examples
    --------
    >>> mask_value("010-62345678转123", "phone")
    '010-6********123'
    >>> mask_value(None, "phone") is None
    True
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return value
    text = str(value)
    if not text:
        return text
    if kind == "id":
        keep = 6 if len(text) >= 15 else 2
        return _mask_middle(text, keep, 4 if len(text) >= 15 else 1)
    if kind == "phone":
        return _mask_middle(text, 3 if len(text) <= 11 else 5, 4 if len(text) <= 11 else 3)
    if kind == "email":
        local, at, domain = text.rpartition("@")
        if not at:
            return _mask_middle(text, 1, 0)
        return (local[:1] + "***" if local else "***") + "@" + domain
    if kind == "name":
        return text[:1] + "*" * (min(len(text), 8) - 1)
    if kind == "address":
        keep = min(10, max(len(text) // 2, 1))
        return text[:keep] + "****"
    if kind == "ip":
        parts = text.split(".")
        return ".".join(parts[:2] + ["*"] * (len(parts) - 2)) if len(parts) == 4 else "*"
    raise ArgumentError(
        f"kind ({kind!r}) must be one of 'name', 'id', 'phone', 'email', 'address', 'ip'"
    )


def mask_series(values: pd.Series, kind: MaskKind) -> pd.Series:
    """Mask a Series of personal values, computing each distinct value once.

    Examples
    --------
    >>> s = pd.Series(["13812345678", None, "13812345678"], dtype="string")
    >>> mask_series(s, "phone").tolist()
    ['138****5678', <NA>, '138****5678']
    """
    uniques = pd.unique(values.dropna())
    mapping = {u: mask_value(u, kind) for u in uniques}
    out = values.map(mapping)
    return out.astype(values.dtype) if isinstance(values.dtype, pd.StringDtype) else out


# --------------------------------------------------------------------------- by value
#: Sponsor natures that make the sponsor (and its ``investor``) a natural person.
INDIVIDUAL_NATURES: frozenset[str] = frozenset(
    {"个人", "自然人", "individual", "person", "personal"}
)

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
        return str(mask_value(text, "email"))
    digits = re.sub(r"[^0-9Xx]", "", text)
    if match.lastgroup == "id":
        return str(mask_value(digits, "id"))
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


def show_value(value: object, kind: MaskKind | None = None) -> str:
    """The repr of ``value`` to quote in a message, masked by ``kind`` and by value.

    Every error message and log line that quotes a user's value goes through
    this function, so that an ID number in a column where it does not belong
    (a shifted CSV row) is still masked.

    Examples
    --------
    >>> show_value("110105199001011234")
    "'110105********1234'"
    >>> show_value("张三丰", "name")
    "'张**'"
    >>> show_value(3)
    '3'
    """
    if kind is not None:
        value = mask_value(value, kind)
    return scrub_text(repr(value))


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
            v if isinstance(v, str) else None if _missing(v) else str(v)
            for v in values.to_numpy(dtype=object)
        ]
        arr = pa.array(raw, type=pa.string())
    if len(arr) == 0:
        return None
    return pc.utf8_normalize(arr, "NFKC")


def _missing(value: object) -> bool:
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


def _individual(natures: pd.Series) -> np.ndarray:
    text = natures.astype(object).map(
        lambda v: None if _missing(v) else unicodedata.normalize("NFKC", str(v)).strip().lower()
    )
    return (text.isin(INDIVIDUAL_NATURES) | text.isna()).to_numpy(dtype=bool)


def mask_frame(
    frame: pd.DataFrame,
    *,
    reveal: bool = False,
    columns: dict[str, str] | None = None,
    by_value: bool = True,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with every personal value masked.

    Three layers: (1) the personal columns of the schema are masked by their
    kind; (2) ``investor`` is masked as a name where the sponsor is a natural
    person (``sponsor_nature`` in :data:`INDIVIDUAL_NATURES`, or unknown);
    (3) with ``by_value`` every other column, known or not, is scanned cell by
    cell and what looks like an ID number, a phone number or an e-mail is
    masked (:func:`mask_personal`), and so are such values in the headers.

    Parameters
    ----------
    frame : DataFrame
        Any frame with canonical column names.
    reveal : bool, default False
        Return the frame unmasked (the caller explicitly asks for raw values).
    columns : dict, optional
        ``{column: kind}``; defaults to the personal columns of
        :data:`beian_audit.schema.FILING_SCHEMA`.
    by_value : bool, default True
        Also mask personal-looking values in any other column.

    Examples
    --------
    >>> df = pd.DataFrame({"sponsor_principal_mobile": ["13812345678"], "x": [1],
    ...                    "备用联系": ["13912345678"]})
    >>> [str(v) for v in mask_frame(df).iloc[0]]
    ['138****5678', '1', '139****5678']
    """
    if reveal:
        return frame
    if columns is None:
        from beian_audit.schema import FILING_SCHEMA

        columns = FILING_SCHEMA.personal_columns()
    out = frame.copy()
    for col, kind in columns.items():
        if col in out.columns:
            out[col] = mask_series(out[col], kind)  # type: ignore[arg-type]
    done = {c for c in columns if c in out.columns}
    if "investor" in out.columns and "investor" not in done and len(out):
        natures = (
            out["sponsor_nature"]
            if "sponsor_nature" in out.columns
            else pd.Series(None, index=out.index, dtype=object)
        )
        person = _individual(natures)
        if person.any():
            investor = out["investor"].astype(object)
            investor[person] = mask_series(investor[person], "name").to_numpy()
            out["investor"] = investor
    if by_value:
        for i, name in enumerate(out.columns):
            if name in done:
                continue
            column = out.iloc[:, i]
            masked = mask_personal(column)
            if masked is not column:
                out.isetitem(i, masked.array)
        out.columns = pd.Index(
            [scrub_text(c) if isinstance(c, str) else c for c in out.columns]
        )
    return out
