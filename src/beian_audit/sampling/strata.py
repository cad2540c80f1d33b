"""Strata and stage-1 units of a sample design: labels, row codes, PSU selection.

The pieces :func:`~beian_audit.sampling.plan.plan_sample` and the draw share:
the stratum of every row of the frame (:func:`stratum_codes`; several columns
make crossed strata labelled ``"a | b"``), and, for two-stage designs, the
stage-1 table of primary sampling units with their inclusion probabilities
(:func:`pps_probabilities` for selection proportional to size).

Examples
--------
>>> import pandas as pd
>>> codes, labels, _ = stratum_codes(pd.DataFrame({"p": ["y", "x", "y"]}), ["p"])
>>> codes.tolist(), labels.tolist()
([1, 0, 1], ['x', 'y'])
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit.errors import (
    ArgumentError,
    DataQualityWarning,
    SampleDesignError,
    SmallStratumWarning,
)
from beian_audit.sampling.allocation import allocate

__all__ = [
    "ALL",
    "MISSING",
    "PSU_SELECTIONS",
    "SEPARATOR",
    "PsuSelection",
    "RowCodes",
    "factorize_strata",
    "join_labels",
    "pps_probabilities",
    "stratum_codes",
]

PsuSelection = Literal["all", "srs", "pps", "poisson"]
PSU_SELECTIONS: tuple[str, ...] = ("all", "srs", "pps", "poisson")

#: Label of the single stratum of an unstratified design, and of the single
#: stage-1 stratum when ``psu_strata`` is not given.
ALL = "all"
#: Separator of the parts of a stratum label made of several columns.
SEPARATOR = " | "
#: Label of a missing value in a stratum column.
MISSING = "<NA>"

# --------------------------------------------------------------------------- labels


def _columns(value: str | Sequence[str] | None, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ArgumentError(f"{name} ({value!r}) must be a column name, a list of column names or None")


def _label(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return MISSING
    return str(value)


def stratum_codes(
    frame: pd.DataFrame, columns: Sequence[str], *, with_components: bool = True
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Stratum of every row: codes into the sorted labels.

    Parameters
    ----------
    frame : DataFrame
    columns : sequence of str
        Stratum columns; empty for one stratum labelled ``"all"``.
    with_components : bool, default True
        Also return the per-label column values.

    Returns
    -------
    codes : ndarray of int64
        Position of each row's label in ``labels``.
    labels : ndarray of object
        Sorted unique labels: the value as text, or the values of several
        columns joined with ``" | "``; missing values read ``"<NA>"``.
    components : DataFrame or None
        One row per label with the text of each stratum column (``None`` when
        ``with_components=False``, which also skips the missing-value warning).

    Examples
    --------
    >>> df = pd.DataFrame({"p": ["b", "a", "b"], "q": [1, 2, 1]})
    >>> codes, labels, _ = stratum_codes(df, ["p", "q"])
    >>> codes.tolist(), labels.tolist()
    ([1, 0, 1], ['a | 2', 'b | 1'])
    """
    if not columns:
        n = len(frame)
        return np.zeros(n, dtype=np.int64), np.array([ALL], dtype=object), pd.DataFrame(index=[0])
    codes, parts = factorize_strata(frame, columns)
    labels = join_labels(parts, columns)
    order = np.argsort(labels.astype(str), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    components = (
        pd.DataFrame({col: vals[order] for col, vals in parts.items()})
        if with_components
        else None
    )
    if with_components and any((vals == MISSING).any() for vals in parts.values()):
        warnings.warn(
            f"stratum columns {list(columns)} have missing values; they form strata "
            f"labelled {MISSING!r}",
            DataQualityWarning,
            stacklevel=3,
        )
    return rank[codes], labels[order], components


def factorize_strata(
    frame: pd.DataFrame, columns: Sequence[str]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Row codes in order of first appearance, and each column's text per code."""
    n = len(frame)
    per_codes: list[np.ndarray] = []
    per_uniques: list[np.ndarray] = []
    combined: np.ndarray | None = None
    for col in columns:
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        codes = np.asarray(codes, dtype=np.int64)
        per_codes.append(codes)
        per_uniques.append(np.array([_label(v) for v in uniques], dtype=object))
        if combined is None:
            combined = codes
        else:
            combined, _ = pd.factorize(combined * len(uniques) + codes)
            combined = np.asarray(combined, dtype=np.int64)
    assert combined is not None
    if len(columns) == 1:
        return combined, {columns[0]: per_uniques[0]}
    k = int(combined.max()) + 1 if n else 0
    first = np.zeros(k, dtype=np.int64)
    first[combined[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
    return combined, {col: per_uniques[j][per_codes[j][first]] for j, col in enumerate(columns)}


def join_labels(parts: Mapping[str, np.ndarray], columns: Sequence[str]) -> np.ndarray:
    """Stratum labels: one column's text, or several joined with ``" | "``."""
    if len(columns) == 1:
        return np.asarray(parts[columns[0]], dtype=object)
    return np.array(
        [SEPARATOR.join(vals) for vals in zip(*(parts[c] for c in columns), strict=True)],
        dtype=object,
    )


class RowCodes:
    """Stratum codes of a frame's rows, kept with the plan to spare a second pass.

    Valid for a frame whose stratum columns are the *same* Arrow arrays (Arrow
    data are immutable and pandas replaces the array on any edit; the cache
    holds them, so their identity cannot be reused).
    """

    __slots__ = ("arrays", "codes", "columns")

    def __init__(self, columns: tuple[str, ...], arrays: tuple[Any, ...], codes: np.ndarray):
        self.columns = columns
        self.arrays = arrays
        self.codes = codes

    @staticmethod
    def arrays_of(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[Any, ...] | None:
        out = []
        for col in columns:
            values = frame[col].array
            getter = getattr(values, "__arrow_array__", None)
            if getter is None:
                return None
            out.append(getter())
        return tuple(out)

    def codes_for(self, frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray | None:
        """The cached codes when ``frame`` has the same stratum arrays, else ``None``."""
        if tuple(columns) != self.columns or len(frame) != self.codes.size:
            return None
        if any(c not in frame.columns for c in columns):
            return None
        arrays = RowCodes.arrays_of(frame, columns)
        if arrays is None or any(a is not b for a, b in zip(arrays, self.arrays, strict=True)):
            return None
        return self.codes


# --------------------------------------------------------------------------- stage 1


def pps_probabilities(sizes: np.ndarray, n: int) -> np.ndarray:
    """Inclusion probabilities proportional to size, capped at 1, summing to ``n``.

    Units whose ``n x_i / Σx`` reaches 1 are taken with certainty and the rest
    is recomputed over the others (Särndal, Swensson & Wretman 1992, §3.6).

    Examples
    --------
    >>> pps_probabilities(np.array([100.0, 10, 10, 5]), 2).round(4).tolist()
    [1.0, 0.4, 0.4, 0.2]
    """
    x = np.asarray(sizes, dtype=np.float64)
    lam = np.zeros_like(x)
    positive = x > 0
    if n >= positive.sum():
        lam[positive] = 1.0
        return lam
    certain = np.zeros_like(positive)
    while True:
        rest = positive & ~certain
        room = n - certain.sum()
        lam = np.where(certain, 1.0, np.where(rest, room * x / x[rest].sum(), 0.0))
        over = rest & (lam >= 1.0)
        if not over.any():
            return lam
        certain |= over


def _psu_table(
    frame: pd.DataFrame,
    codes: np.ndarray,
    components: pd.DataFrame,
    *,
    psu: str,
    psu_strata: tuple[str, ...],
    psu_selection: str,
    n_psu: int | Mapping[str, int] | None,
    psu_size: str | None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Stage-1 table (one row per PSU) and the PSU position of each stage-2 stratum."""
    psu_labels_of_stratum = components[psu].to_numpy(dtype=object)
    psu_labels, psu_of_stratum = np.unique(psu_labels_of_stratum.astype(str), return_inverse=True)
    row_psu = psu_of_stratum[codes]
    m = psu_labels.size
    if psu_size is None:
        size: np.ndarray = np.bincount(row_psu, minlength=m).astype(np.float64)
    else:
        values = pd.to_numeric(frame[psu_size], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(values).any() or (values < 0).any():
            raise SampleDesignError(
                f"psu_size column {psu_size!r} must be numeric, non-negative and complete"
            )
        size = np.bincount(row_psu, weights=values, minlength=m)
    if psu_strata:
        g_codes, g_labels, _ = stratum_codes(frame, psu_strata)
        pairs = np.unique(row_psu * len(g_labels) + g_codes)
        if pairs.size != m:
            raise SampleDesignError(
                f"psu_strata {list(psu_strata)} must be constant within each psu ({psu!r}); "
                f"{pairs.size - m} psu(s) fall in more than one stage-1 stratum"
            )
        g_of_psu = np.empty(m, dtype=np.int64)
        g_of_psu[pairs // len(g_labels)] = pairs % len(g_labels)
    else:
        g_labels = np.array([ALL], dtype=object)
        g_of_psu = np.zeros(m, dtype=np.int64)
    big_m = np.bincount(g_of_psu, minlength=g_labels.size)
    if psu_selection == "all":
        if n_psu is not None:
            raise ArgumentError("psu_selection='all' takes every psu; do not pass n_psu")
        n_g = big_m.copy()
    elif n_psu is None:
        raise ArgumentError(f"psu_selection={psu_selection!r} needs n_psu")
    elif isinstance(n_psu, Mapping):
        unknown = sorted(set(map(str, n_psu)) - set(g_labels.astype(str)))
        missing = sorted(set(g_labels.astype(str)) - set(map(str, n_psu)))
        if unknown or missing:
            raise ArgumentError(
                f"n_psu must give a size for every stage-1 stratum; unknown {unknown}, "
                f"missing {missing}"
            )
        n_g = np.array([int(n_psu[str(g)]) for g in g_labels], dtype=np.int64)
        if np.any(n_g < 0) or np.any(n_g > big_m):
            raise SampleDesignError("n_psu per stage-1 stratum must be between 0 and its psu count")
    else:
        if isinstance(n_psu, bool) or not isinstance(n_psu, int | np.integer) or n_psu < 1:
            raise ArgumentError(f"n_psu ({n_psu!r}) must be a positive integer or a mapping")
        if n_psu > m:
            raise SampleDesignError(f"n_psu ({n_psu}) exceeds the number of psus ({m})")
        n_g = allocate(big_m, int(n_psu), method="proportional", min_per_stratum=1)
    pi = np.zeros(m, dtype=np.float64)
    for g in range(g_labels.size):
        members = g_of_psu == g
        if psu_selection in ("all",):
            pi[members] = 1.0
        elif psu_selection == "srs":
            pi[members] = n_g[g] / big_m[g]
        else:
            pi[members] = pps_probabilities(size[members], int(n_g[g]))
    if psu_selection in ("pps", "poisson") and np.any(pi == 0):
        warnings.warn(
            f"{int((pi == 0).sum())} psu(s) have size 0 and can never be selected",
            SmallStratumWarning,
            stacklevel=4,
        )
    table = pd.DataFrame(
        {
            "psu": psu_labels.astype(object),
            "psu_stratum": g_labels[g_of_psu].astype(object),
            "size": size,
            "psu_population_size": big_m[g_of_psu],
            "n_psu": n_g[g_of_psu],
            "psu_inclusion_probability": pi,
        }
    )
    return table, psu_of_stratum.astype(np.int64)
