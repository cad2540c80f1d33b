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

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from beian_audit._arrow import is_arrow_string as _is_arrow_string
from beian_audit._arrow import join_strings as _join  # noqa: F401 - for the checkers
from beian_audit._arrow import one_chunk
from beian_audit._arrow import string_array as _str_array
from beian_audit._arrow import to_numpy as _np
from beian_audit._options import check_choice
from beian_audit._text import as_text, checker_values
from beian_audit.errors import ArgumentError, ArgumentTypeError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["as_text", "check_bool", "check_date", "checker_values", "map_distinct"]


def check_bool(name: str, value: object) -> bool:
    """``value`` as a bool, or :class:`~beian_audit.errors.ArgumentTypeError`.

    Only ``True`` / ``False`` (and numpy booleans) count: ``"no"`` is a string,
    and a non-empty string is truthy, so it would silently mean ``True``.

    Examples
    --------
    >>> check_bool("reveal", False)
    False
    >>> check_bool("check_deliverability", "no")
    Traceback (most recent call last):
    ...
    beian_audit.errors.ArgumentTypeError: check_deliverability must be True or False, not 'no'
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ArgumentTypeError(f"{name} must be True or False, not {value!r}")


def check_date(name: str, value: object) -> date | None:
    """``None`` or a calendar date (a datetime or Timestamp counts by its date).

    Examples
    --------
    >>> check_date("as_of", pd.Timestamp("2024-05-01 13:00"))
    datetime.date(2024, 5, 1)
    """
    if value is None:
        return None
    if value is pd.NaT:
        raise ArgumentError(f"{name} is NaT; pass a date or None")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ArgumentTypeError(
        f"{name} must be a datetime.date (or datetime / pandas.Timestamp), not {value!r}"
    )


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


# --------------------------------------------------------------------------- fast-path plumbing
# Shared by the fast paths of the address, identity, ICP and network checkers: the
# distinct values of the input as one pyarrow array, and the assembly of per-distinct
# result pieces (vectorised rows, rows left to the per-value reference code, the
# missing row) into one frame with the input's index.

Method = Literal["fast", "reference"]
_METHODS = ("fast", "reference")


def _check_method(method: object) -> None:
    check_choice("method", method, _METHODS)


def _distinct_text(
    values: Iterable[object] | pd.Series, *, always: bool = False
) -> tuple[pd.Index, np.ndarray, pa.Array]:
    """Index, codes (-1 = missing) and distinct values of raw input, as ``as_text`` reads it.

    A pyarrow-backed string Series is encoded without creating Python strings; any other
    input goes through :func:`~beian_audit.checks._common.as_text` first. The distinct
    values come back as a pyarrow ``large_string`` array without nulls. Unless
    ``always`` (for checkers whose per-value work is costly), a large array whose values
    rarely repeat is not hashed at all: every present row is its own "distinct" value
    (see :func:`_mostly_distinct`).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values, pd.Series) and _is_arrow_string(values.dtype):
        array = one_chunk(pa.array(values.array)).cast(pa.large_string())
        if not always and _mostly_distinct(array):
            valid = ~_np(array.is_null())
            codes = np.where(valid, np.cumsum(valid) - 1, -1)
            return values.index, codes, array.filter(pa.array(valid))
        encoded = pc.dictionary_encode(array)
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return values.index, codes, encoded.dictionary
    text = as_text(values)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    uniques_list = list(np.asarray(uniques, dtype=object))
    return text.index, codes.astype(np.int64), pa.array(uniques_list, type=pa.large_string())


#: Values sampled by :func:`_mostly_distinct` (inputs under four times this are hashed).
_DEDUPE_SAMPLE = 2048


def _mostly_distinct(array: pa.Array) -> bool:
    """Whether nine in ten of an evenly spread sample of the values are distinct.

    A sample cannot tell a column of half-repeated values from one of distinct values,
    but it does see heavy repetition (a few thousand values over a million rows). When
    there is none, hashing every value to find the distinct ones costs about as much as
    the vectorised checks it would save, so the checkers work row by row (the
    per-value fallback still remembers each value it has seen, see :func:`_per_value`).
    """
    import pyarrow as pa

    sample = _DEDUPE_SAMPLE
    if len(array) < 4 * sample:
        return False
    picked = array.take(pa.array(np.linspace(0, len(array) - 1, sample).astype(np.int64)))
    values = [v for v in picked.to_pylist() if v is not None]
    return len(values) > 0 and len(set(values)) >= 0.9 * len(values)


def _per_value(func: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """``[func(v) for v in values]``, calling ``func`` once per distinct value."""
    seen: dict[Any, Any] = {}
    out = []
    for v in values:
        row = seen.get(v)
        if row is None:
            row = seen[v] = func(v)
        out.append(row)
    return out


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
    in_order = len(rows) == len(table) and bool(np.all(rows == np.arange(len(rows))))
    out = table if in_order else table.take(rows)
    out.index = index
    return out


def _const_piece(frame: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` copies of a one-row frame."""
    return frame.take(np.zeros(n, dtype=np.int64))


def _checker_frame(
    data: Mapping[str, Any] | pd.DataFrame, columns: Sequence[str], text_columns: Sequence[str]
) -> pd.DataFrame:
    """A checker's output table: ``columns`` in order, ``valid`` as bool, text as ``str``.

    ``data`` is the per-value reference output (a frame) or the arrays of a fast
    path; text columns not already of pandas' ``str`` dtype are built by pyarrow
    (not inferred by pandas).
    """
    out: dict[str, Any] = {}
    for column in columns:
        values = data[column]
        values = values.array if isinstance(values, pd.Series) else values
        if column == "valid":
            values = np.asarray(values, dtype=bool)
        elif column in text_columns and values.dtype != "str":
            values = _str_array(np.asarray(values, dtype=object))
        out[column] = values
    index = data.index if isinstance(data, pd.DataFrame) else None
    return pd.DataFrame(out, index=index, columns=list(columns))


def _labels(index: np.ndarray, names: Sequence[str | None]) -> pa.Array:
    """String array ``names[index]`` built from small integer codes (no Python objects)."""
    import pyarrow as pa

    dictionary = pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(index, dtype=np.int32)), pa.array(list(names), type=pa.large_string())
    )
    return dictionary.cast(pa.large_string())


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
    offsets = np.frombuffer(buffers[1], dtype=np.int64)
    offsets = offsets[array.offset : array.offset + len(array) + 1]
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


#: What ``str.strip()`` removes from an ASCII string (``str.isspace`` below 128).
_ASCII_SPACE = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


def nfkc_strip(raw: str) -> str:
    """Unicode NFKC (ASCII text is already normal) and ``str.strip()``.

    Examples
    --------
    >>> nfkc_strip("　１３９ ")
    '139'
    """
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    return text.strip()


def nfkc_strip_all(values: pa.Array) -> list[str]:
    """:func:`nfkc_strip` of every value of a string array without nulls, vectorised.

    ASCII values are trimmed by pyarrow with exactly the characters ``str.strip``
    removes; the (rare) others go through :func:`nfkc_strip` one by one.

    Examples
    --------
    >>> import pyarrow as pa
    >>> nfkc_strip_all(pa.array([" 139\x1f", "ｘ　", ""]))
    ['139', 'x', '']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) == 0:
        return []
    out: list[str] = pc.utf8_trim(values, characters=_ASCII_SPACE).to_pylist()
    other = np.flatnonzero(~_np(pc.string_is_ascii(values)))
    if len(other):
        for i, raw in zip(other, values.take(pa.array(other)).to_pylist(), strict=True):
            out[i] = nfkc_strip(raw)
    return out
