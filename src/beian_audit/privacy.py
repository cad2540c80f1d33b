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
from typing import Literal

import pandas as pd

from beian_audit.errors import ArgumentError

__all__ = ["MaskKind", "mask_frame", "mask_series", "mask_value"]

MaskKind = Literal["name", "id", "phone", "email", "address", "ip"]

_DIGITS = re.compile(r"\d")


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


def mask_frame(
    frame: pd.DataFrame,
    *,
    reveal: bool = False,
    columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with every personal column masked.

    Parameters
    ----------
    frame : DataFrame
        Any frame with canonical column names.
    reveal : bool, default False
        Return the frame unmasked (the caller explicitly asks for raw values).
    columns : dict, optional
        ``{column: kind}``; defaults to the personal columns of
        :data:`beian_audit.schema.FILING_SCHEMA`.

    Examples
    --------
    >>> df = pd.DataFrame({"sponsor_principal_mobile": ["13812345678"], "x": [1]})
    >>> mask_frame(df).loc[0, "sponsor_principal_mobile"]
    '138****5678'
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
    return out
