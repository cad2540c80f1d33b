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
from typing import Literal

import numpy as np
import pandas as pd

from beian_audit._scrub import (
    detect_personal,
    is_missing,
    mask_email,
    mask_id,
    mask_middle,
    mask_personal,
    scrub_text,
)
from beian_audit.errors import ArgumentError

__all__ = [
    "INDIVIDUAL_NATURES",
    "MaskKind",
    "detect_personal",
    "leaked_values",
    "mask_frame",
    "mask_personal",
    "mask_series",
    "mask_value",
    "scrub_text",
    "show_value",
]

MaskKind = Literal["name", "id", "phone", "email", "address", "ip"]



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
        return mask_id(text)
    if kind == "phone":
        return mask_middle(text, 3 if len(text) <= 11 else 5, 4 if len(text) <= 11 else 3)
    if kind == "email":
        return mask_email(text)
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


def _individual(natures: pd.Series) -> np.ndarray:
    text = natures.astype(object).map(
        lambda v: None if is_missing(v) else unicodedata.normalize("NFKC", str(v)).strip().lower()
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


def leaked_values(text: str, raw_values: set[str]) -> list[str]:
    """The raw values that occur in ``text``: a check that an output is masked.

    Exact substring search, made fast: a value can only sit inside a run of
    the characters that values are made of, so every window of every value
    length inside those runs is looked up in the set. The same answer as
    ``sorted(v for v in raw_values if v in text)`` in time linear in the text
    rather than values × text.

    Parameters
    ----------
    text : str
        What was written (a report, an export's text, a log).
    raw_values : set of str
        The unmasked personal values of the input (ID numbers, phones, emails …).

    Returns
    -------
    list of str
        The values found, sorted; empty when the text is clean.

    Examples
    --------
    >>> leaked_values("call 13812345678 or mail a***@example.com",
    ...               {"13812345678", "alice@example.com"})
    ['13812345678']
    """
    if not raw_values:
        return []
    chars = "".join(sorted({c for v in raw_values for c in v}))
    lengths = sorted({len(v) for v in raw_values})
    found: set[str] = set()
    for run in re.findall(f"[{re.escape(chars)}]{{{lengths[0]},}}", text):
        for size in lengths:
            for i in range(len(run) - size + 1):
                if run[i : i + size] in raw_values:
                    found.add(run[i : i + size])
    return sorted(found)
