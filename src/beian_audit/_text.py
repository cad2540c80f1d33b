"""Text coercion shared by every package: the checkers' input gate and ``as_text``.

Examples
--------
>>> as_text(["a", None, 3, float("nan")]).tolist()
['a', None, '3', None]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from beian_audit.errors import ArgumentTypeError

__all__ = ["as_text", "checker_values", "list_positions"]


def checker_values(values: object, *, name: str = "values") -> Any:
    """The one gate every public checker puts its ``values`` through.

    * a Series, list, tuple, ``range``, 1-D numpy array, pandas Index or
      extension array is used as it is (one result row per element);
    * a single value (a ``str``, a number, a date, NaN) is **one value**: the
      result has one row (index ``[0]``), a string is never split into characters;
    * a generator or other one-shot iterator is read once into a list;
    * ``None``, a DataFrame, a dict, a set, ``bytes`` and arrays of more than one
      dimension raise :class:`~beian_audit.errors.ArgumentTypeError` (a set has no
      order to align results with; a dict or DataFrame is ambiguous: pass one
      column or ``pd.Series(mapping)``).

    Each element must then be text, a number, a date or missing (see :func:`as_text`).

    Examples
    --------
    >>> checker_values("13812345678").tolist()
    ['13812345678']
    >>> checker_values(v for v in ["a", "b"])
    ['a', 'b']
    >>> checker_values({"a"})
    Traceback (most recent call last):
    ...
    beian_audit.errors.ArgumentTypeError: values is a set, which has no order ...
    """
    if isinstance(values, pd.Series):
        return values
    kind = type(values).__name__
    if values is None:
        raise ArgumentTypeError(
            f"{name} is None; pass a list, array or Series of values (one value: [value])"
        )
    if isinstance(values, pd.DataFrame):
        raise ArgumentTypeError(
            f"{name} is a DataFrame; pass one of its columns, e.g. frame['phone']"
        )
    if isinstance(values, str):
        return pd.Series([values], dtype=object)
    if isinstance(values, bytes | bytearray | memoryview):
        raise ArgumentTypeError(f"{name} is {kind}; decode it to str first")
    if isinstance(values, Mapping):
        raise ArgumentTypeError(
            f"{name} is a {kind}; pass pd.Series(mapping) to keep its keys as the index, "
            "or list(mapping.values())"
        )
    if isinstance(values, set | frozenset):
        raise ArgumentTypeError(
            f"{name} is a {kind}, which has no order to match results to; pass a list "
            "(e.g. sorted(values))"
        )
    if isinstance(values, np.ndarray):
        if values.ndim == 0:
            return pd.Series([values.item()], dtype=object)
        if values.ndim != 1:
            raise ArgumentTypeError(
                f"{name} is a {values.ndim}-dimensional array; pass a 1-D array (e.g. .ravel())"
            )
        return values
    if isinstance(values, list | tuple | range | pd.Index | pd.api.extensions.ExtensionArray):
        return values
    if pd.api.types.is_scalar(values):
        return pd.Series([values], dtype=object)
    if isinstance(values, Iterator | Iterable):
        return list(values)
    raise ArgumentTypeError(
        f"{name} must be a list, array or Series of values, not {kind}"
    )


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
    series = (
        values
        if isinstance(values, pd.Series)
        else pd.Series(list(checker_values(values)), dtype=object)
    )
    out = series.astype(object)
    mask = pd.isna(out).to_numpy(dtype=bool)
    arr = out.to_numpy(dtype=object, copy=True)
    if pd.api.types.infer_dtype(out, skipna=True) not in {"string", "empty"}:
        for i in np.flatnonzero(~mask):
            v = arr[i]
            if not isinstance(v, str):
                if isinstance(v, bytes | bytearray) or not pd.api.types.is_scalar(v):
                    raise ArgumentTypeError(
                        f"value at position {i} is a {type(v).__name__}; each value must be "
                        "text, a number, a date or missing"
                    )
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


def list_positions(mask: Any, show: int = 10) -> str:
    """The positions where ``mask`` is true, the first ``show`` of them, for messages.

    Examples
    --------
    >>> import numpy as np
    >>> list_positions(np.arange(14) % 2 == 1, show=3)
    '1, 3, 5 and 4 more'
    """
    import numpy as np

    where = np.flatnonzero(mask)
    shown = ", ".join(str(int(i)) for i in where[:show])
    more = f" and {where.size - show} more" if where.size > show else ""
    return f"{shown}{more}"
