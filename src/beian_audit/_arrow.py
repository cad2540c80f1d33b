"""Arrow helpers shared by every package: string arrays, and fast row selection.

String arrays: :func:`is_arrow_string`, :func:`string_array`,
:func:`join_strings`, :func:`to_numpy` (used by the checkers and the filing
rate alike).

Row selection that stays fast on Arrow columns made of many chunks.

A registry read from a Parquet dataset holds each column as a pyarrow
``ChunkedArray`` of one chunk per row group. pyarrow's ``ChunkedArray.take``
(what ``DataFrame.iloc`` calls) costs about as much as copying the whole column,
whatever the number of rows taken; taking from each chunk the rows it holds
costs only the rows taken (20x less for 20,000 rows of 3.5 million).

Examples
--------
>>> import pandas as pd, pyarrow as pa
>>> column = pa.chunked_array([["a", "b"], ["c", "d"]])
>>> frame = pd.DataFrame({"x": pd.array(column, dtype="str"), "n": [1, 2, 3, 4]})
>>> take_rows(frame, [3, 0])
   x  n
3  d  4
0  a  1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "is_arrow_string",
    "join_strings",
    "one_chunk",
    "string_array",
    "take_rows",
    "take_values",
    "to_numpy",
]


def one_chunk(values: Any) -> Any:
    """A pyarrow ``Array``, or a ``ChunkedArray`` as one array (no copy for one chunk)."""
    import pyarrow as pa

    if not isinstance(values, pa.ChunkedArray):
        return values
    return values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()


def take_values(values: Any, positions: np.ndarray, order: np.ndarray | None = None) -> Any:
    """``values.take(positions)`` of a pyarrow ``ChunkedArray``, chunk by chunk.

    Returns a single-chunk array in the order of ``positions`` (non-negative);
    ``order`` is ``argsort(positions)`` when the caller has it already.
    """
    import pyarrow as pa

    chunks = [c for c in values.chunks if len(c)]
    if len(chunks) <= 1 or len(positions) == 0:
        return values.take(pa.array(positions, type=pa.int64()))
    if order is None:
        order = np.argsort(positions, kind="stable")
    bounds = np.cumsum([0, *(len(c) for c in chunks)])
    ordered = positions[order]
    which = np.searchsorted(bounds, ordered, side="right") - 1
    cuts = np.flatnonzero(np.diff(which)) + 1
    pieces = [
        chunks[int(which[a])].take(pa.array(ordered[a:b] - bounds[which[a]], type=pa.int64()))
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(ordered)], strict=True)
    ]
    taken = pa.concat_arrays(pieces)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return taken.take(pa.array(inverse, type=pa.int64()))


def take_rows(frame: pd.DataFrame, positions: Sequence[int] | np.ndarray) -> pd.DataFrame:
    """``frame.iloc[positions]`` (a new frame), Arrow columns taken chunk by chunk.

    Parameters
    ----------
    frame : DataFrame
    positions : array-like of int
        Row positions (non-negative), in the order wanted.

    Returns
    -------
    DataFrame
        Equal to ``frame.iloc[positions]``: same columns, dtypes, index labels
        and ``attrs``.
    """
    import pyarrow as pa

    at = np.asarray(positions, dtype=np.int64)
    if not frame.columns.is_unique or (at.size and at.min() < 0):
        return frame.iloc[at].copy()
    columns: dict[Any, Any] = {}
    order = np.argsort(at, kind="stable")
    for name in frame.columns:
        series = frame[name]
        data = getattr(series.array, "_pa_array", None)
        if isinstance(data, pa.ChunkedArray) and data.num_chunks > 1:
            columns[name] = pd.array(take_values(data, at, order), dtype=series.dtype)
        else:
            columns[name] = series.array.take(at)
    out = pd.DataFrame(columns, index=frame.index[at], columns=frame.columns)
    out.attrs = dict(frame.attrs)
    return out


# --------------------------------------------------------------------------- strings


def is_arrow_string(dtype: object) -> bool:
    """A pandas dtype whose values live in a pyarrow string array (no surrogates possible)."""
    import pyarrow as pa

    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        return dtype.pyarrow_dtype in (pa.string(), pa.large_string())
    return False


def string_array(values: pa.Array | np.ndarray | list[Any]) -> Any:
    """pandas' default string array from a pyarrow array or a sequence of str / None."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray | pa.Array):
        return pd.array(values.cast(pa.large_string()), dtype="str")
    objects = np.asarray(values, dtype=object)
    try:  # str / None / NaN only: pyarrow builds the array without pandas' checks
        return pd.array(pa.array(objects, type=pa.large_string(), from_pandas=True), dtype="str")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.array(objects, dtype="str")


def join_strings(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and constant strings."""
    import pyarrow as pa
    import pyarrow.compute as pc

    typed = [
        pa.scalar(p, pa.large_string()) if isinstance(p, str) else p.cast(pa.large_string())
        for p in parts
    ]
    return pc.binary_join_element_wise(*typed, pa.scalar("", pa.large_string()))


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow array as a numpy array (nulls as ``None`` / NaN)."""
    return np.asarray(array.to_numpy(zero_copy_only=False))
