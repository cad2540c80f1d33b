"""Helpers shared by the reporting modules (not public API).

Examples
--------
>>> resolve_province("浙江")
('330000', '浙江省')
>>> resolve_province(330000)
('330000', '浙江省')
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

from beian_audit._options import check_choice
from beian_audit._provinces import province_codes, resolve_province
from beian_audit.errors import SchemaError

__all__ = [
    "as_frame",
    "check_choice",
    "clean_text",
    "province_codes",
    "require_columns",
    "resolve_province",
]


def as_frame(data: object, name: str) -> pd.DataFrame:
    """A DataFrame from a frame or an object with a ``.frame`` (a ``Sample``)."""
    frame = getattr(data, "frame", data)
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(
            f"{name} must be a pandas DataFrame (or a Sample), not {type(data).__name__}"
        )
    return frame


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, name: str) -> None:
    """Raise :class:`SchemaError` listing every missing column at once."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        cases = pd.DataFrame(
            {
                "row": [None] * len(missing),
                "column": missing,
                "value": [None] * len(missing),
                "reason": ["missing_column"] * len(missing),
            }
        )
        raise SchemaError(
            f"{name} lacks column(s) {missing}; it has {list(map(str, frame.columns))[:20]}",
            cases,
        )


def clean_text(values: pd.Series) -> pd.Series:
    """NFKC, strip, drop inner whitespace; missing stays missing (vectorised on distinct).

    Examples
    --------
    >>> clean_text(pd.Series([" ａ b ", None])).tolist()
    ['ab', None]
    """
    uniques = pd.unique(values.dropna())
    mapping = {u: "".join(unicodedata.normalize("NFKC", str(u)).split()) for u in uniques}
    out = values.map(mapping).astype(object)
    return out.where(values.notna(), None)


def count_rows(frame: pd.DataFrame, mask: np.ndarray | pd.Series) -> int:
    """Sum of the optional ``count`` column (default 1 per row) over ``mask``."""
    mask = np.asarray(mask, dtype=bool)
    if "count" not in frame.columns:
        return int(mask.sum())
    counts = pd.to_numeric(frame["count"], errors="coerce")
    bad = counts.isna() | (counts < 0) | (counts % 1 != 0)
    if bool(bad.any()):
        rows = np.flatnonzero(bad.to_numpy())
        cases = pd.DataFrame(
            {
                "row": rows,
                "column": "count",
                "value": frame["count"].iloc[rows].astype(str).to_numpy(),
                "reason": "not_a_count",
            }
        )
        raise SchemaError(
            f"column 'count' must hold non-negative integers; {len(rows)} row(s) do not",
            cases,
        )
    return int(counts.to_numpy()[mask].sum())
