"""Plumbing shared by the field checkers: input coercion and per-distinct-value work.

Every checker accepts a list, tuple, numpy array or pandas Series of raw values
(``None`` / NaN / numbers allowed), validates each *distinct* value once and
broadcasts the verdicts back, so a registry that repeats values pays once.

Examples
--------
>>> s = as_text(["a", None, 3, float("nan")])
>>> s.tolist()
['a', None, '3', None]
>>> def one(v):
...     return {"valid": v == "a", "reason": "" if v == "a" else "bad"}
>>> map_distinct(as_text(["a", "b", "a", None]), one, {"valid": False, "reason": "missing"})
   valid   reason
0   True
1  False      bad
2   True
3  False  missing
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["as_text", "map_distinct"]


def as_text(values: Iterable[object] | pd.Series) -> pd.Series:
    """Coerce raw input to an object Series of ``str`` or ``None``, keeping the index.

    Missing values (None, NaN, NA, NaT) become ``None``; anything else becomes
    ``str(value)`` (numbers included: a phone read from Excel as an integer stays usable).
    Lone surrogates, which no UTF-8 string column can hold, become U+FFFD.

    Examples
    --------
    >>> as_text(["a" + chr(0xD800)]).tolist() == ["a" + chr(0xFFFD)]
    True
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    out = series.astype(object)
    mask = pd.isna(out).to_numpy(dtype=bool)
    arr = out.to_numpy(dtype=object, copy=True)
    if pd.api.types.infer_dtype(out, skipna=True) not in {"string", "empty"}:
        for i in np.flatnonzero(~mask):
            v = arr[i]
            if not isinstance(v, str):
                if isinstance(v, float) and v.is_integer():
                    v = str(int(v))
                arr[i] = str(v)
    arr[mask] = None
    present = arr[~mask]
    try:  # one C-level pass; lone surrogates (unencodable) are rare
        "".join(present).encode("utf-8")
    except UnicodeEncodeError:
        for i in np.flatnonzero(~mask):
            if _has_surrogate(arr[i]):
                arr[i] = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in arr[i])
    return pd.Series(arr, index=series.index, dtype=object, name=series.name)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def map_distinct(
    text: pd.Series,
    func: Callable[[str], Mapping[str, Any]],
    missing: Mapping[str, Any],
    *,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Apply ``func`` to each distinct non-missing value and broadcast to every row.

    Parameters
    ----------
    text : Series
        Output of :func:`as_text`.
    func : callable
        ``str -> mapping`` of output columns for one value.
    missing : mapping
        The row to use for missing values (must have the same keys).
    columns : list of str, optional
        Column order of the result; defaults to the keys of ``missing``.

    Returns
    -------
    DataFrame
        Same index and length as ``text``.
    """
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    cols = list(columns or missing.keys())
    rows = [func(u) for u in uniques]
    table = pd.DataFrame.from_records(rows, columns=cols) if rows else pd.DataFrame(columns=cols)
    missing_row = pd.DataFrame.from_records([dict(missing)], columns=cols)
    table = pd.concat([table, missing_row], ignore_index=True)
    for col in cols:  # decided on the small table of distinct values, not per row
        if table[col].map(lambda v: isinstance(v, bool)).all():
            table[col] = table[col].astype(bool)
    take = np.where(codes < 0, len(uniques), codes)
    out = table.take(take)
    out.index = text.index
    return out
