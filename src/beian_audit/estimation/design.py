"""The sample design of :func:`~beian_audit.estimation.stratified.estimate_proportion`, in codes.

Reads the design from a sample's columns (strata, stratum sizes, weights,
clusters; for a two-stage sample the stage-2 strata and sizes and the stage-1
inclusion probabilities), checks them with errors that name the rows, and
turns them into integer codes (:class:`_Design`): weights, stratum and PSU per
row, sampled PSUs and R survey's fpc factor per stratum. The variance kernels
of :mod:`beian_audit.estimation.variance` work on that.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"stratum": ["a", "a", "b", "b"], "weight": [2.0, 2.0, 5.0, 5.0],
...                       "population_size": [4, 4, 10, 10]})
>>> options = {"strata": "stratum", "population_size": "population_size", "weight": "weight",
...            "cluster": None, "multistage": False, "stage2_strata": None,
...            "stage2_population_size": None, "psu_probability": None}
>>> design = _design_of(frame, options)
>>> design.n_h.tolist(), design.f_h.round(2).tolist()
([2, 2], [0.5, 0.8])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from beian_audit._arrow import one_chunk
from beian_audit._text import list_positions
from beian_audit.errors import (
    EstimationError,
)

__all__: list[str] = []

#: R survey treats a stratum whose sampling fraction is within this of 1 as a census.
_CERTAINTY_TOLERANCE = 1e-7


_SHOW = 10  # rows / strata quoted in messages


_Column = str | Literal[False] | None


def _as_frame(sample: object) -> pd.DataFrame:
    frame = getattr(sample, "frame", sample)
    if not isinstance(frame, pd.DataFrame):
        raise EstimationError(
            f"sample must be a Sample (with a .frame DataFrame) or a pandas DataFrame, "
            f"not {type(sample).__name__}"
        )
    return frame


def _positions(mask: np.ndarray) -> str:
    return list_positions(mask, _SHOW)


def _design_of(frame: pd.DataFrame, options: dict[str, Any]) -> _Design:
    """The design of ``frame`` under ``estimate_proportion``'s design options."""
    cols = _resolve(
        frame, strata=options["strata"], population_size=options["population_size"],
        weight=options["weight"], cluster=options["cluster"],
        stage2_strata=options["stage2_strata"],
        stage2_population_size=options["stage2_population_size"],
        psu_probability=options["psu_probability"], multistage=options["multistage"],
    )
    return _build_design(frame, cols, len(frame))


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise EstimationError(
            f"{role} column ({name!r}) is not in the sample; columns are {list(frame.columns)}"
        )
    return frame[name]


def _resolve(
    frame: pd.DataFrame,
    *,
    strata: _Column,
    population_size: _Column,
    weight: _Column,
    cluster: _Column,
    stage2_strata: _Column = None,
    stage2_population_size: _Column = None,
    psu_probability: _Column = None,
    multistage: bool | None = False,
) -> dict[str, str | None]:
    """Apply the column defaults of a ``Sample`` frame (see estimate_proportion).

    The stage-2 keys (``stage2_strata``, ``stage2_population_size``,
    ``psu_probability``) are set only when the multistage variance applies;
    ``stage2_population_size`` is then never ``None``.
    """
    cols = set(frame.columns)
    if multistage is not None and not isinstance(multistage, bool):
        raise EstimationError(f"multistage ({multistage!r}) must be True, False or None")
    for role, value in (
        ("strata", strata),
        ("population_size", population_size),
        ("weight", weight),
        ("cluster", cluster),
        ("stage2_strata", stage2_strata),
        ("stage2_population_size", stage2_population_size),
        ("psu_probability", psu_probability),
    ):
        if value is not None and value is not False and not isinstance(value, str):
            raise EstimationError(
                f"{role} ({value!r}) must be a column name, None (use the default column) "
                f"or False (no {role})"
            )
    if cluster is None:
        cluster = "psu" if "psu" in cols else False
    two_stage = cluster == "psu"
    if strata is None:
        strata = (
            "psu_stratum"
            if two_stage and "psu_stratum" in cols
            else ("stratum" if "stratum" in cols else False)
        )
    if population_size is None:
        if two_stage:
            population_size = "psu_population_size" if "psu_population_size" in cols else False
        elif cluster:
            # an element count is not a number of PSUs: no default correction
            population_size = False
        else:
            population_size = "population_size" if "population_size" in cols else False
    if weight is None:
        weight = "weight" if "weight" in cols else False
    stage2: dict[str, str | None] = {
        "stage2_strata": None, "stage2_population_size": None, "psu_probability": None
    }
    if multistage is not False and cluster:
        if stage2_strata is None:
            stage2_strata = "stratum" if "stratum" in cols and strata != "stratum" else False
        if stage2_population_size is None:
            stage2_population_size = (
                "population_size"
                if "population_size" in cols and population_size != "population_size"
                else False
            )
        if psu_probability is None:
            psu_probability = (
                "psu_inclusion_probability" if "psu_inclusion_probability" in cols else False
            )
        if population_size and stage2_population_size:
            stage2 = {
                "stage2_strata": stage2_strata or None,
                "stage2_population_size": stage2_population_size,
                "psu_probability": psu_probability or None,
            }
        elif multistage:
            raise EstimationError(
                "multistage=True needs the first-stage population size (population_size=, "
                "PSUs per stratum) and the second-stage one (stage2_population_size=, units "
                "per second-stage stratum); without a first-stage correction the "
                "ultimate-cluster variance is already the with-replacement multistage one"
            )
    elif multistage:
        raise EstimationError("multistage=True needs a cluster (PSU) column")
    return {
        "strata": strata or None,
        "population_size": population_size or None,
        "weight": weight or None,
        "cluster": cluster or None,
        **stage2,
    }


def _outcome_values(series: pd.Series, name: str) -> np.ndarray:
    """0/1 float array with nan for missing; raise on anything else."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biu":  # no NA possible
        raw_int = series.to_numpy()
        if raw_int.size == 0 or (raw_int.min() >= 0 and raw_int.max() <= 1):  # no temporaries
            return raw_int.astype(float)
    na = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        values = np.array(series.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        bad = ~na & (values != 0.0) & (values != 1.0)
    else:
        raw = series.to_numpy(dtype=object)
        values = np.full(raw.shape, np.nan)
        bad = np.zeros(raw.shape, dtype=bool)
        for i in np.flatnonzero(~na):
            v = raw[i]
            if isinstance(v, bool | np.bool_ | int | np.integer | float | np.floating) and v in (
                0,
                1,
            ):
                values[i] = float(v)
            else:
                bad[i] = True
    if bad.any():
        examples = ", ".join(repr(v) for v in pd.unique(series[bad])[:5])
        raise EstimationError(
            f"outcome column ({name!r}) must hold 0/1 or True/False values; "
            f"{int(bad.sum())} row(s) do not, at positions {_positions(bad)} "
            f"(values such as {examples})"
        )
    values[na] = np.nan
    return values


def _numeric(series: pd.Series, role: str, integers: bool = False) -> np.ndarray:
    """The column as floats (nan for missing); ``integers=True`` keeps a NumPy integer column.

    A count such as a population size is then checked and reduced per stratum
    as integers, and only the per-stratum values become floats (the same floats:
    counts are far below 2**53), with no float copy of the whole column.
    """
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(
        series.dtype
    ):
        raise EstimationError(f"{role} column ({series.name!r}) must be numeric")
    if isinstance(series.dtype, np.dtype):  # NumPy-backed: no NA object to map
        if integers and series.dtype.kind in "iu":
            return series.to_numpy()
        return series.to_numpy().astype(float, copy=False)
    return series.to_numpy(dtype=float, na_value=np.nan)


def _codes(series: pd.Series, role: str) -> tuple[np.ndarray, pd.Index, np.ndarray | None]:
    """Integer codes (first appearance), labels, and run starts when rows are grouped."""
    na = series.isna().to_numpy()
    if na.any():
        raise EstimationError(
            f"{role} column ({series.name!r}) has missing values at positions {_positions(na)}"
        )
    runs = _grouped_runs(series)
    if runs is not None:  # rows grouped by label (a drawn sample): no hashing needed
        return runs
    codes, uniques = pd.factorize(series, sort=False)
    return codes.astype(np.int64, copy=False), pd.Index(uniques), None


def _grouped_runs(series: pd.Series) -> tuple[np.ndarray, pd.Index, np.ndarray] | None:
    """``pandas.factorize`` of an Arrow-backed column whose equal labels are contiguous.

    Compares neighbours (vectorised, no hash table); returns ``None`` when the
    column is not Arrow-backed or a label occurs in two separate runs. Codes
    number the labels by first appearance, as ``factorize(sort=False)`` does.
    """
    data = getattr(series.array, "_pa_array", None)
    if data is None or len(series) < 2:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = one_chunk(data)
    if arr.null_count or pa.types.is_dictionary(arr.type):
        return None
    change = pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.flatnonzero(change) + 1])
    labels = pd.Index(series.array.take(starts))
    if not labels.is_unique:
        return None
    lengths = np.diff(np.append(starts, len(series)))
    return np.repeat(np.arange(starts.size, dtype=np.int64), lengths), labels, starts


# --------------------------------------------------------------------------- the design in codes
@dataclass(frozen=True, slots=True)
class _Design:
    """The design in integer codes (row-level arrays and per-stratum arrays)."""

    w: np.ndarray  # weights per row
    stratum: np.ndarray  # stratum code per row
    psu: np.ndarray | None  # PSU code per row (None: every row is its own PSU)
    psu_stratum: np.ndarray | None  # stratum code per PSU
    n_h: np.ndarray  # PSUs sampled per stratum
    f_h: np.ndarray  # R's fpc factor (N - n) / N per stratum (1 without fpc)
    stratum_labels: pd.Index
    single_stage: bool
    starts: np.ndarray | None = None  # first row of each stratum when rows are grouped by it
    w_h: np.ndarray | None = None  # weight of each stratum when constant within every stratum


_DENSE_LIMIT = 20_000_000


def _compact(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes ``0..k-1`` for the distinct values of ``key`` (all in ``[0, size)``).

    Returns ``(codes, uniques)`` with ``uniques[codes] == key``. A dense
    bincount when ``size`` is moderate (no hashing), else ``pandas.factorize``.
    """
    if size <= _DENSE_LIMIT:
        codes, uniques, _ = _compact_counted(key, size)
        return codes, uniques
    codes, uniques = pd.factorize(key, sort=False)
    return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=np.int64)


def _compact_counted(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_compact` and how many times each code occurs (``bincount(codes)``)."""
    if size <= _DENSE_LIMIT:
        counts = np.bincount(key, minlength=size)
        present = np.flatnonzero(counts)
        remap = np.empty(size, dtype=np.int64)
        remap[present] = np.arange(present.size)
        return remap[key], present, counts[present]
    codes, uniques = _compact(key, size)
    return codes, uniques, np.bincount(codes, minlength=uniques.size)


def _check_weight_range(w: np.ndarray, column: str | None) -> None:
    """Raise when the weights' sum overflows (every estimate would be NaN)."""
    with np.errstate(over="ignore"):
        total = float(w.sum())
    if not np.isfinite(total):
        raise EstimationError(
            f"weight column ({column!r}) sums to more than the largest double "
            f"(about 1.8e308); divide the weights by a common factor (the estimate "
            f"does not change)"
        )


def _stratum_value(
    values: np.ndarray, stratum: np.ndarray, starts: np.ndarray | None, n_strata: int
) -> tuple[np.ndarray, bool]:
    """One value of a per-row column for each stratum, and whether it is constant in all.

    ``starts`` (rows grouped by stratum) allows segment minima and maxima instead
    of scattered writes.
    """
    if starts is not None:
        constant = (np.minimum.reduceat(values, starts) == np.maximum.reduceat(values, starts))
        return values[starts], bool(constant.all())
    first = np.empty(n_strata)
    first[stratum] = values
    return first, bool((values == first[stratum]).all())


def _build_design(frame: pd.DataFrame, cols: dict[str, str | None], n_rows: int) -> _Design:
    if cols["strata"]:
        stratum, labels, starts = _codes(_column(frame, cols["strata"], "strata"), "strata")
    else:
        stratum, labels = np.zeros(n_rows, dtype=np.int64), pd.Index(["(all)"])
        starts = np.zeros(1, dtype=np.int64) if n_rows > 1 else None
    H = labels.size

    # factorize numbers strata by first appearance, so rows grouped by stratum
    # have non-decreasing codes: then segment sums replace scattered ones
    if starts is None and n_rows > 1 and bool((stratum[1:] >= stratum[:-1]).all()):
        starts = np.flatnonzero(np.diff(stratum)) + 1
        starts = np.concatenate([[0], starts])

    if cols["cluster"]:
        cl = _column(frame, cols["cluster"], "cluster")
        if cl.isna().any():
            raise EstimationError(
                f"cluster column ({cols['cluster']!r}) has missing values at positions "
                f"{_positions(cl.isna().to_numpy())}"
            )
        cl_codes, _ = pd.factorize(cl, sort=False)
        psu, uniq = pd.factorize(stratum * (int(cl_codes.max()) + 1) + cl_codes, sort=False)
        psu = psu.astype(np.int64)
        psu_stratum = (uniq // (int(cl_codes.max()) + 1)).astype(np.int64)
        n_h = np.bincount(psu_stratum, minlength=H)
    else:
        psu, psu_stratum = None, None
        n_h = (
            np.diff(np.append(starts, n_rows)) if starts is not None
            else np.bincount(stratum, minlength=H)
        )

    if cols["population_size"]:
        big_n = _numeric(
            _column(frame, cols["population_size"], "population_size"), "population_size",
            integers=True,
        )
        if not big_n.min() > 0:  # also catches nan (reductions: no temporaries)
            bad = ~(big_n > 0)
            raise EstimationError(
                f"population_size column ({cols['population_size']!r}) must be positive, "
                f"not missing; check positions {_positions(bad)}"
            )
        first, constant = _stratum_value(big_n, stratum, starts, H)
        first = first.astype(float, copy=False)
        if not constant:
            varying = big_n != first[stratum]
            raise EstimationError(
                f"population_size column ({cols['population_size']!r}) must be constant "
                f"within each stratum; it varies at positions {_positions(varying)}"
            )
        too_small = first < n_h
        if too_small.any():
            shown = ", ".join(
                f"{labels[h]!s} (N={first[h]:g} < n={n_h[h]})"
                for h in np.flatnonzero(too_small)[:_SHOW]
            )
            raise EstimationError(
                f"population_size is below the number of sampled units in "
                f"{int(too_small.sum())} stratum/strata: {shown}"
            )
        with np.errstate(all="ignore"):
            f_h = np.where(np.isinf(first), 1.0, (first - n_h) / first)
    else:
        first = None
        f_h = np.ones(H)

    if cols["weight"]:
        w = _numeric(_column(frame, cols["weight"], "weight"), "weight")
        if not (w.min() > 0 and w.max() < np.inf):  # also catches nan
            bad = ~((w > 0) & (w < np.inf))
            raise EstimationError(
                f"weight column ({cols['weight']!r}) must be positive and finite; check "
                f"positions {_positions(bad)}"
            )
    elif first is not None and np.isfinite(first).all():
        w = (first / n_h)[stratum]
    else:
        w = np.ones(n_rows)
    w_h = None
    if psu is None:  # one weight per stratum? (the closed-form variance needs it)
        w_first, w_constant = _stratum_value(w, stratum, starts, H)
        w_h = w_first if w_constant else None
    return _Design(
        w=w,
        stratum=stratum,
        psu=psu,
        psu_stratum=psu_stratum,
        n_h=n_h,
        f_h=f_h,
        stratum_labels=labels,
        single_stage=psu is None,
        starts=starts,
        w_h=w_h,
    )


#: Stage-1 inclusion probabilities within this (relative) of n1/N1 are SRS ones.
_SRS_TOLERANCE = 1e-9


def _psu_value(values: np.ndarray, psu: np.ndarray, n_psu: int) -> tuple[np.ndarray, np.ndarray]:
    """One value per PSU of a per-row column, and the rows where it differs from it."""
    first = np.empty(n_psu)
    first[psu] = values
    return first, values != first[psu]


def _stage_two(
    frame: pd.DataFrame, cols: Mapping[str, str | None], design: _Design
) -> tuple[_Design, _Design, str]:
    """The stage-1 and stage-2 designs of the multistage variance, and the stage-1 kind.

    Stage 1 is the ultimate-cluster design of ``design`` (PSUs in first-stage
    strata). Stage 2 is an element design whose strata are the (PSU,
    second-stage stratum) pairs, with the second-stage correction
    :math:`(N_2 - n_2)/N_2` times the PSU's first-stage sampling fraction
    :math:`n_1/N_1` (R ``multistage``), so that :func:`_finish` gives
    :math:`\\sum_i (n_1/N_1)\\, \\hat V_{2i}` directly.

    When the PSU inclusion probabilities of a first-stage stratum are not
    ``n1/N1`` (a πps or Poisson draw), that stratum is treated as drawn with
    replacement: no first-stage correction and no stage-2 term (the
    ultimate-cluster with-replacement variance already holds the within-PSU
    variance), except that its PSUs with probability 1 are moved to a
    certainty stratum of their own, which contributes only their stage-2 term.
    """
    assert design.psu is not None and design.psu_stratum is not None
    psu, psu_stratum = design.psu, design.psu_stratum
    P, H = psu_stratum.size, design.n_h.size
    n_rows = psu.size
    frac = 1.0 - design.f_h  # n1/N1 per first-stage stratum (0 without a correction)
    a = frac[psu_stratum]  # weight of each PSU's stage-2 variance
    kind = "srs"

    if cols["psu_probability"]:
        name = cols["psu_probability"]
        pi_row = _numeric(_column(frame, name, "psu_probability"), "psu_probability")
        if not (pi_row.min() > 0 and pi_row.max() <= 1 + _SRS_TOLERANCE):  # also catches nan
            bad = ~((pi_row > 0) & (pi_row <= 1 + _SRS_TOLERANCE))
            raise EstimationError(
                f"psu_probability column ({name!r}) must be in (0, 1], not missing; check "
                f"positions {_positions(bad)}"
            )
        pi, varying = _psu_value(pi_row, psu, P)
        if varying.any():
            raise EstimationError(
                f"psu_probability column ({name!r}) must be constant within each PSU; it "
                f"varies at positions {_positions(varying)}"
            )
        expected = frac[psu_stratum]
        off = np.abs(pi - expected) > _SRS_TOLERANCE * np.maximum(expected, 1e-300)
        pps_stratum = np.bincount(psu_stratum, weights=off, minlength=H) > 0
        if pps_stratum.any():
            kind = "pps"
            in_pps = pps_stratum[psu_stratum]
            certain = in_pps & (pi >= 1.0 - _SRS_TOLERANCE)
            a = np.where(in_pps, certain.astype(float), a)
            new_code = np.where(certain, psu_stratum + H, psu_stratum)
            codes, uniq = _compact(new_code, 2 * H)
            old = uniq % H
            f_h = np.where(uniq >= H, 0.0, np.where(pps_stratum[old], 1.0, design.f_h[old]))
            base = design.stratum_labels[old].astype(str)
            labels = pd.Index(
                np.where(uniq >= H, base + " (certainty)", design.stratum_labels[old])
            )
            design = dataclasses.replace(
                design,
                stratum=codes[psu],
                psu_stratum=codes,
                n_h=np.bincount(codes, minlength=uniq.size),
                f_h=f_h,
                stratum_labels=labels,
                starts=None,
            )
    design = dataclasses.replace(design, single_stage=True)  # the variance is complete

    # stage 2: strata are (PSU, second-stage stratum) pairs; every row is a unit
    if cols["stage2_strata"]:
        s2, s2_labels, _ = _codes(_column(frame, cols["stage2_strata"], "stage2_strata"),
                                  "stage2_strata")
    else:
        s2, s2_labels = np.zeros(n_rows, dtype=np.int64), pd.Index(["(all)"])
    H2 = s2_labels.size
    pair, uniq2 = _compact(psu * H2 + s2, P * H2)
    K = uniq2.size
    starts: np.ndarray | None = None
    if n_rows > 1 and bool((pair[1:] >= pair[:-1]).all()):
        starts = np.concatenate([[0], np.flatnonzero(np.diff(pair)) + 1])
    n2 = np.bincount(pair, minlength=K)
    name2 = cast(str, cols["stage2_population_size"])
    big_n2 = _numeric(_column(frame, name2, "stage2_population_size"), "stage2_population_size")
    if not big_n2.min() > 0:
        raise EstimationError(
            f"stage2_population_size column ({name2!r}) must be positive, not missing; "
            f"check positions {_positions(~(big_n2 > 0))}"
        )
    first2, constant2 = _stratum_value(big_n2, pair, starts, K)
    if not constant2:
        raise EstimationError(
            f"stage2_population_size column ({name2!r}) must be constant within each "
            f"second-stage stratum of a PSU; it varies at positions "
            f"{_positions(big_n2 != first2[pair])}"
        )
    too_small = first2 < n2
    if too_small.any():
        k = int(np.flatnonzero(too_small)[0])
        raise EstimationError(
            f"stage2_population_size is below the number of sampled units in "
            f"{int(too_small.sum())} second-stage stratum/strata, e.g. "
            f"{s2_labels[uniq2[k] % H2]!s} (N={first2[k]:g} < n={n2[k]})"
        )
    with np.errstate(all="ignore"):
        f2 = np.where(np.isinf(first2), 1.0, (first2 - n2) / first2)
    w_first, w_constant = _stratum_value(design.w, pair, starts, K)
    stage2 = _Design(
        w=design.w,
        stratum=pair,
        psu=None,
        psu_stratum=None,
        n_h=n2,
        f_h=f2 * a[uniq2 // H2],
        stratum_labels=s2_labels[uniq2 % H2],
        single_stage=True,
        starts=starts,
        w_h=w_first if w_constant else None,
    )
    return design, stage2, kind
