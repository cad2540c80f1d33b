"""Hypothesis strategies for canonical filing tables (public, for users' own tests).

:func:`filings` draws DataFrames that are valid canonical filing tables: every
required column present and filled, unique ``website_id``, canonical dtypes,
and values already in normal form (so that ``read_filings`` returns them
unchanged). Use them to test code that consumes beian_audit output.

Examples
--------
>>> from hypothesis import given, settings
>>> from beian_audit.io import read_filings
>>> @settings(max_examples=5, derandomize=True, deadline=None)
... @given(filings(max_rows=3))
... def test_fixed_point(df):
...     assert read_filings(df).equals(df)
>>> test_fixed_point()
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from beian_audit.schema import FILING_SCHEMA, Column

__all__ = ["filings", "free_text", "identifiers"]

_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz0123456789-_.@:/;"
_TEXT_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Zs"),
    exclude_characters="\u2028\u2029\x85",
)


def _normal_text(raw: str) -> str | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    # what read_filings strips or cannot keep in a spreadsheet cell
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    text = text.lstrip("=+-@").strip()
    if unicodedata.normalize("NFKC", text) != text or text != text.strip():
        return None
    return text or None


def identifiers(min_size: int = 1, max_size: int = 20) -> st.SearchStrategy[str]:
    """Identifier-like strings: ASCII, no whitespace (already normalised)."""
    return st.text(_ID_ALPHABET, min_size=min_size, max_size=max_size).filter(
        lambda s: not s.startswith(("=", "+", "-", "@"))
    )


def free_text(max_size: int = 30) -> st.SearchStrategy[str | None]:
    """Free text (Chinese and other scripts) in the form ``read_filings`` returns."""
    return st.text(_TEXT_ALPHABET, max_size=max_size).map(_normal_text)


def _values(column: Column) -> st.SearchStrategy[Any]:
    if column.kind == "boolean":
        return st.sampled_from([True, False, None])
    if column.kind == "date":
        return st.one_of(
            st.none(),
            st.dates(
                min_value=pd.Timestamp("2000-01-01").date(),
                max_value=pd.Timestamp("2026-12-31").date(),
            ).map(pd.Timestamp),
        )
    if column.identifier:
        return st.one_of(st.none(), identifiers())
    return free_text()


@st.composite
def filings(
    draw: st.DrawFn,
    *,
    min_rows: int = 0,
    max_rows: int = 10,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Draw a canonical filings DataFrame.

    Parameters
    ----------
    min_rows, max_rows : int
        Number of rows.
    columns : list of str, optional
        Canonical columns to include (required columns are always included);
        default: a random subset of the optional columns.
    """
    names = columns or draw(
        st.lists(st.sampled_from([c.name for c in FILING_SCHEMA if not c.required]), unique=True)
    )
    chosen = [c for c in FILING_SCHEMA if c.required or c.name in names]
    n = draw(st.integers(min_rows, max_rows))
    keys = draw(st.lists(identifiers(), min_size=n, max_size=n, unique=True))
    data: dict[str, pd.Series] = {}
    for column in chosen:
        if column.name == "website_id":
            values: list[Any] = keys
        elif column.required:
            strategy = identifiers() if column.identifier else free_text().filter(bool)
            values = draw(st.lists(strategy, min_size=n, max_size=n))
        else:
            values = draw(st.lists(_values(column), min_size=n, max_size=n))
        data[column.name] = pd.Series(values, dtype=object).astype(column.dtype)  # type: ignore[call-overload]
    return pd.DataFrame(data, index=pd.RangeIndex(n))
