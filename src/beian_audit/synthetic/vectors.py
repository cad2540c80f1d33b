"""Vector helpers of the generator: categorical draws and column-wise string building.

Strings are built column-wise with pyarrow compute on ``large_string`` arrays (the
storage of pandas' ``string[pyarrow]``): no per-row Python. Alternatives are built
only on the rows that use them and merged with a single ``take``.

Examples
--------
>>> import numpy as np
>>> _join("P", _num(np.array([1, 12]), 4)).to_pylist()
['P0001', 'P0012']
>>> _scatter(3, [(np.array([2]), _take(["a"], np.array([0])))]).to_pylist()
[None, None, 'a']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit.errors import BeianAuditError
from beian_audit.schema import Schema

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _pa() -> Any:
    import pyarrow as pa

    return pa


def _pc() -> Any:
    import pyarrow.compute as pc

    return pc


def _lit(value: Any) -> Any:
    """A Python string as a large_string scalar; anything else unchanged."""
    if isinstance(value, str):
        pa = _pa()
        return pa.scalar(value, pa.large_string())
    return value


def _choice(rng: np.random.Generator, n: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """``n`` draws of a categorical with the given (unnormalised) weights."""
    cum = np.cumsum(np.asarray(weights, dtype=float))
    cum /= cum[-1]
    cum[-1] = 1.0
    return np.searchsorted(cum, rng.random(n), side="right").astype(np.int64)


def _choice_within(
    rng: np.random.Generator, row_group: np.ndarray, item_group: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    """For each row draw an item of the row's group by weight; items sorted by group."""
    n_groups = int(item_group.max()) + 1
    totals = np.bincount(item_group, weights=weight, minlength=n_groups)
    cum = np.cumsum(weight / totals[item_group])
    starts = np.searchsorted(item_group, np.arange(n_groups), side="left")
    before = np.concatenate([[0.0], cum])[starts]
    cum = item_group + (cum - before[item_group])
    last = np.searchsorted(item_group, np.arange(n_groups), side="right") - 1
    cum[last] = np.arange(n_groups) + 1.0
    return np.searchsorted(cum, row_group + rng.random(len(row_group)), side="right")


def _take(choices: Sequence[str | None], idx: np.ndarray) -> pa.Array:
    pa = _pa()
    return pa.array(list(choices), pa.large_string()).take(
        pa.array(np.asarray(idx, dtype=np.int64))
    )


def _const(value: str, n: int) -> pa.Array:
    return _take([value], np.zeros(n, dtype=np.int64))


def _repeat(value: str, n: int) -> pa.Array:
    pa = _pa()
    return pa.repeat(pa.scalar(value, pa.large_string()), n)


def _join(*parts: Any) -> pa.Array:
    return _pc().binary_join_element_wise(*[_lit(x) for x in parts], _lit(""))


def _num(values: np.ndarray, width: int = 0) -> pa.Array:
    pa, pc = _pa(), _pc()
    out = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.large_string())
    return pc.utf8_lpad(out, width=width, padding="0") if width else out


def _where(mask: np.ndarray, a: Any, b: Any) -> pa.Array:
    pa, pc = _pa(), _pc()
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), _lit(a), _lit(b))


def _choose(index: np.ndarray, *options: Any) -> pa.Array:
    """Row-wise pick among equally long arrays (or string scalars) by an integer index."""
    pa, pc = _pa(), _pc()
    return pc.choose(pa.array(np.asarray(index, dtype=np.int8)), *[_lit(o) for o in options])


def _nulls(n: int) -> pa.Array:
    pa = _pa()
    return pa.nulls(n, pa.large_string())


def _ascii(mat: np.ndarray) -> pa.Array:
    """Fixed-width ASCII rows (an ``(n, width)`` uint8 matrix) as a string array."""
    pa = _pa()
    n, width = mat.shape
    data = np.ascontiguousarray(mat, dtype=np.uint8).tobytes()
    offsets = (np.arange(n + 1, dtype=np.int64) * width).tobytes()
    return pa.Array.from_buffers(
        pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


_TRIPLES = np.array([[48 + int(c) for c in f"{i:03d}"] for i in range(1000)], dtype=np.uint8)


def _digits_ascii(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII decimal digits of non-negative integers, zero-padded, as ``(n, width)`` uint8."""
    values = np.asarray(values, dtype=np.int64)
    k = -(-width // 3)
    powers = 1000 ** np.arange(k - 1, -1, -1, dtype=np.int64)
    chunks = (values[:, None] // powers) % 1000
    return _TRIPLES[chunks].reshape(len(values), 3 * k)[:, 3 * k - width :]


def _sub(arr: Any, idx: np.ndarray) -> pa.Array:
    pa = _pa()
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))


def _scatter(n: int, parts: Sequence[tuple[np.ndarray, Any]]) -> pa.Array:
    """Assemble a length-``n`` array from (row positions, values) parts; the rest is null."""
    pa = _pa()
    covered = np.zeros(n, dtype=bool)
    idx_list: list[np.ndarray] = []
    val_list: list[Any] = []
    for idx, vals in parts:
        idx_list.append(np.asarray(idx, dtype=np.int64))
        val_list.append(vals.combine_chunks() if isinstance(vals, pa.ChunkedArray) else vals)
        covered[idx] = True
    rest = np.flatnonzero(~covered)
    if len(rest):
        idx_list.append(rest)
        val_list.append(_nulls(len(rest)))
    all_idx = np.concatenate(idx_list) if idx_list else np.zeros(0, dtype=np.int64)
    values = pa.concat_arrays(val_list) if val_list else _nulls(0)
    pos = np.empty(n, dtype=np.int64)
    pos[all_idx] = np.arange(len(all_idx))
    return values.take(pa.array(pos))


def _replace(base: Any, mask: np.ndarray, build: Any) -> pa.Array:
    """``base`` with the rows of ``mask`` replaced by ``build(rows)``."""
    pa = _pa()
    idx = np.flatnonzero(mask)
    if not len(idx):
        return base
    n = len(base)
    pos = np.arange(n, dtype=np.int64)
    pos[idx] = n + np.arange(len(idx))
    return pa.concat_arrays([base, build(idx)]).take(pa.array(pos))


def _by_kind(kind: np.ndarray, n_kinds: int, build: Any) -> pa.Array:
    """Rows of kind ``k`` get ``build(k, rows)``; kinds are built in order 0, 1, …"""
    parts = []
    for k in range(n_kinds):
        rows = np.flatnonzero(kind == k)
        if len(rows):
            parts.append((rows, build(k, rows)))
    return _scatter(len(kind), parts)


def _to_series(arr: Any, name: str) -> pd.Series:
    pa = _pa()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(arr), name=name, copy=False)


def _duplicated(arr: Any) -> np.ndarray:
    return _to_series(arr, "x").duplicated().to_numpy()


def _unique_redraw(values: np.ndarray, draw: Any) -> np.ndarray:
    """Redraw duplicated integer values with ``draw(count)`` until all are unique."""
    values = np.asarray(values, dtype=np.int64).copy()
    for _ in range(200):
        dup = pd.Series(values).duplicated().to_numpy()
        if not dup.any():
            return values
        idx = np.flatnonzero(dup)
        values[idx] = draw(len(idx))
    raise BeianAuditError("could not draw unique values; the value space is too small")


def _frame(columns: Mapping[str, Any], schema: Schema) -> pd.DataFrame:
    """A DataFrame with exactly the schema's columns, in order, with canonical dtypes."""
    out: dict[str, pd.Series] = {}
    for col in schema:
        value = columns[col.name]
        if col.kind == "string":
            out[col.name] = _to_series(value, col.name)
        elif col.kind == "boolean":
            out[col.name] = pd.Series(np.asarray(value, dtype=bool), name=col.name, dtype="boolean")
        elif col.kind == "date":
            out[col.name] = pd.Series(np.asarray(value, dtype="datetime64[ns]"), name=col.name)
        else:  # pragma: no cover - no such column in the generated tables
            raise BeianAuditError(f"unexpected column kind {col.kind!r}")
    return pd.DataFrame(out, copy=False)
