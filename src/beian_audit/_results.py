"""Shared behaviour of the frozen result objects (STYLE.md habit 3).

A result class is ``@dataclass(frozen=True, slots=True, kw_only=True)`` and
inherits :class:`ResultMixin`, then implements ``to_frame()`` (a tidy table) and
``_summary()`` (a short one-line description). The mixin supplies

* ``to_dict()``: JSON-ready output with ``schema_version`` and ``kind``;
* ``_repr_html_()``: the tidy table rendered for notebooks;
* ``__repr__``: one line.

Personal data must already be masked by ``to_frame()``; as a second line of
defence the mixin masks, by value, any ID number, phone number or e-mail left
in the records, the summary line and the HTML table
(:func:`beian_audit.privacy.mask_frame` / :func:`~beian_audit.privacy.scrub_text`).

Examples
--------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(frozen=True, slots=True, kw_only=True, repr=False)
... class Toy(ResultMixin):
...     value: float
...     def to_frame(self) -> pd.DataFrame:
...         return pd.DataFrame({"value": [self.value]})
...     def _summary(self) -> str:
...         return f"value={self.value}"
>>> Toy(value=1.5)
Toy(value=1.5)
>>> Toy(value=1.5).to_dict()["records"]
[{'value': 1.5}]
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SCHEMA_VERSION", "ResultMixin", "jsonable"]

#: Version of every JSON document beian_audit writes. Bump the major part on a
#: breaking change of any field; the minor part when fields are added.
SCHEMA_VERSION = "1.0"


def jsonable(value: Any) -> Any:
    """Convert numpy / pandas scalars and containers to plain JSON types.

    NaN and missing values become ``None``.

    Examples
    --------
    >>> jsonable({"a": np.float64(0.5), "b": [np.int64(2), float("nan")], "c": pd.NA})
    {'a': 0.5, 'b': [2, None], 'c': None}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _by_value(frame: pd.DataFrame) -> pd.DataFrame:
    from beian_audit.privacy import mask_frame

    return mask_frame(frame, columns={})


def _scrub(text: str) -> str:
    from beian_audit.privacy import scrub_text

    return scrub_text(text)


class ResultMixin:
    """Rendering shared by all result objects."""

    __slots__ = ()

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _summary(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready output: ``schema_version``, ``kind``, ``summary`` and ``records``."""
        frame = _by_value(self.to_frame())
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": type(self).__name__,
            "summary": _scrub(self._summary()),
            "records": jsonable(frame.to_dict(orient="records")),
        }

    def to_json(self, **kwargs: Any) -> str:
        """``to_dict()`` serialised with :func:`json.dumps` (UTF-8, not ASCII-escaped)."""
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_scrub(self._summary())})"

    def _repr_html_(self) -> str:
        frame = _by_value(self.to_frame())
        table = frame.to_html(index=False, max_rows=60, float_format=lambda x: f"{x:.4g}")
        title = html.escape(f"{type(self).__name__}: {_scrub(self._summary())}")
        return f"<div><p><strong>{title}</strong></p>{table}</div>"
