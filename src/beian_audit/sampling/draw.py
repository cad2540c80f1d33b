"""Draw a planned sample with permanent random numbers, and re-draw it to verify.

:func:`draw_sample` gives every filing ``u = prn(key, seed)`` (see
:mod:`beian_audit.sampling.prn`) and takes, in each stratum, the ``n_h``
filings with the smallest ``u`` — a simple random sample without replacement
(Ohlsson 1995). Two-stage plans first select stage-1 units (providers) with
their own PRNs (stream 1 of the same seed): all, the ``n_g`` smallest
(simple random sampling), Pareto πps (Rosén 1997) or Poisson πps.

The sample is a function of (keys, stratum of each key, design, seed, period,
rotation) only: not of the row order or of how the frame is split. The map step
:func:`draw_partition` keeps, in any part of the frame, the rows that can still
be selected; applied again to the union of its outputs it gives the sample
(property-tested), which is how the Dask path runs it.

**Coordination over months.** The same seed keeps the panel: filings stay in
the sample as long as they stay in the frame and their stratum's ``n_h/N_h``
does not shrink. To rotate a share ``r`` of the panel each period, the PRNs of
period ``k`` are shifted, ``u_k = (u − k r π) mod 1`` with ``π`` the unit's
inclusion probability (``n_h/N_h``); the selection window then slides along the
PRN line by ``r π`` per period, so consecutive samples share about ``1 − r`` of
their units and each unit's inclusion probability stays exactly ``π``
(Ohlsson 1995, §9.5 "rotation by shifting the starting point").

Examples
--------
>>> import pandas as pd
>>> from beian_audit.sampling.plan import plan_sample
>>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(100)],
...                       "provider_id": ["P1"] * 60 + ["P2"] * 40})
>>> plan = plan_sample(frame, n=10)
>>> sample = draw_sample(frame, plan, seed=20130401)
>>> sample.frame[["website_id", "stratum", "population_size", "weight"]].head(3)
   website_id stratum  population_size  weight
4          W4      P1               60    10.0
35        W35      P1               60    10.0
8          W8      P1               60    10.0
>>> verify_sample(frame, sample.manifest, sample.frame)
True
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from beian_audit import _engine
from beian_audit._arrow import take_rows
from beian_audit._results import SCHEMA_VERSION, ResultMixin, jsonable
from beian_audit.errors import (
    ArgumentError,
    ArgumentTypeError,
    BeianAuditError,
    SampleDesignError,
)
from beian_audit.privacy import mask_frame
from beian_audit.sampling.plan import SamplePlan, plan_from_design
from beian_audit.sampling.prn import (
    ALGORITHM_VERSION,
    _check_seed,
    fingerprint_codes,
    key_hash,
    seed_hash,
    splitmix64,
    to_unit,
)
from beian_audit.sampling.strata import factorize_strata, join_labels

__all__ = [
    "MANIFEST_VERSION",
    "Sample",
    "draw_partition",
    "draw_sample",
    "select_psus",
    "verify_sample",
]
# rotation_shift, duplicate_keys and assemble_sample are building blocks the
# engines (beian_audit.scale) share with draw_sample: public names, not in __all__.

#: Version of the manifest layout.
MANIFEST_VERSION = 1

_U64 = np.uint64
_FILINGS, _PSUS = 0, 1  # PRN streams
_BLOCK = 1 << 16


# --------------------------------------------------------------------------- helpers


def _check_draw_options(seed: object, period: object, rotation: object) -> tuple[int, int, float]:
    seed = _check_seed(seed)
    if isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 0:
        raise ArgumentError(f"period ({period!r}) must be a non-negative integer")
    if (
        isinstance(rotation, bool)
        or not isinstance(rotation, int | float | np.floating)
        or not 0 <= float(rotation) < 1
    ):
        raise ArgumentError(f"rotation ({rotation!r}) must be in [0, 1)")
    return seed, int(period), float(rotation)


def rotation_shift(pi: np.ndarray, period: int, rotation: float) -> np.ndarray:
    """Per-unit PRN shift ``(period × rotation × π) mod 1`` as a 64-bit integer."""
    c = np.mod(period * rotation * np.asarray(pi, dtype=np.float64), 1.0)
    return np.floor(c * 2.0**53).astype(_U64) << _U64(11)


def _key_hashes(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key not in frame.columns:
        raise SampleDesignError(f"the frame has no key column {key!r}")
    try:
        return key_hash(frame[key])
    except (ValueError, TypeError) as exc:
        raise SampleDesignError(f"key column {key!r}: {exc}") from exc


def _plan_codes(frame: pd.DataFrame, plan: SamplePlan) -> np.ndarray:
    """Position of each row's stratum in ``plan.sizes``."""
    missing = [c for c in plan.strata if c not in frame.columns]
    if missing:
        raise SampleDesignError(f"the frame has no stratum column(s) {missing}")
    if plan._rows is not None:
        cached = plan._rows.codes_for(frame, plan.strata)
        if cached is not None:
            return cached
    if not plan.strata:
        return np.zeros(len(frame), dtype=np.int64)
    local, parts = factorize_strata(frame, plan.strata)
    labels = join_labels(parts, plan.strata)
    lookup = {str(s): i for i, s in enumerate(plan.sizes["stratum"].tolist())}
    where = np.array([lookup.get(str(s), -1) for s in labels], dtype=np.int64)
    if (where < 0).any():
        unknown = labels[where < 0][:5].tolist()
        raise SampleDesignError(
            f"{int((where < 0).sum())} stratum/strata of the frame are not in the plan, "
            f"e.g. {unknown}; plan the sample on this frame"
        )
    return where[local] if len(local) else local


def _key_strings(frame: pd.DataFrame, key: str, positions: np.ndarray) -> np.ndarray:
    values = frame[key].iloc[positions]
    return np.array([str(v) for v in values.tolist()], dtype=object)


def _order(codes: np.ndarray, h: np.ndarray, keys: Any) -> np.ndarray:
    """Order by (code, h, key); the key only matters for equal hashes."""
    by_h = np.argsort(h)  # then a stable radix sort of the (small) codes
    small = codes[by_h]
    if codes.size and int(codes.max()) < 1 << 16:
        small = small.astype(np.uint16)
    order = by_h[np.argsort(small, kind="stable")]
    c_s, h_s = codes[order], h[order]
    ties = (c_s[1:] == c_s[:-1]) & (h_s[1:] == h_s[:-1])
    if ties.any():
        table = pd.DataFrame({"c": codes, "h": h, "k": keys()})
        order = table.sort_values(["c", "h", "k"], kind="stable").index.to_numpy()
    return order


def _smallest(
    codes: np.ndarray,
    h: np.ndarray,
    n_h: np.ndarray,
    big_n: np.ndarray,
    keys: Any,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """Positions of the ``n_h`` smallest ``h`` of each code, ordered by (code, h, key).

    ``keys(positions)`` returns the key strings of those rows (for tie-breaking);
    ``present`` the number of rows of each code (computed when not given).
    A cheap pre-filter keeps rows whose ``u`` is below a generous quantile of
    their stratum; strata where it keeps too few fall back to all their rows, so
    the result is exact whatever the part of the frame.
    """
    h_count = n_h.size
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    f = np.where(big_n > 0, n_h / np.maximum(big_n, 1), 0.0)
    t = f + 6.0 * np.sqrt(f * (1 - f) / np.maximum(big_n, 1)) + 10.0 / np.maximum(big_n, 1)
    # keep h <= limit: the whole stratum when t >= 1, nothing useful when n_h = 0
    limit = (np.floor(np.minimum(t, 1.0) * 2.0**53).astype(_U64) << _U64(11)) - _U64(1)
    limit[t >= 1.0] = np.iinfo(np.uint64).max
    limit[n_h <= 0] = _U64(0)
    cand = np.empty(codes.size, dtype=bool)
    for a in range(0, codes.size, _BLOCK):  # blockwise: no full-size temporaries
        np.less_equal(h[a : a + _BLOCK], limit[codes[a : a + _BLOCK]], out=cand[a : a + _BLOCK])
    if present is None:
        present = np.bincount(codes, minlength=h_count)
    kept = np.bincount(codes[cand], minlength=h_count)
    short = kept < np.minimum(n_h, present)
    if short.any():
        cand |= short[codes]
    idx = np.flatnonzero(cand)
    c, hh = codes[idx], h[idx]
    order = _order(c, hh, lambda: keys(idx))
    idx, c = idx[order], c[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    group_start = np.repeat(starts, np.diff(np.r_[starts, c.size]))
    rank = np.arange(c.size) - group_start
    return idx[rank < n_h[c]]


def select_psus(
    plan: SamplePlan,
    *,
    seed: int,
    period: int = 0,
    rotation: float = 0.0,
) -> pd.DataFrame:
    """Stage 1 of a two-stage plan: which psus are selected.

    Each psu gets a PRN from stream 1 of ``seed`` (its label as key), shifted by
    ``period × rotation × π`` for rotation. Then, within each stage-1 stratum:
    ``"all"`` takes every psu; ``"srs"`` the ``n_psu`` smallest PRNs; ``"pps"``
    (Pareto πps, Rosén 1997) the ``n_psu`` smallest ``[u/(1−u)] / [π/(1−π)]``;
    ``"poisson"`` every psu with ``u < π``.

    Parameters
    ----------
    plan : SamplePlan
        A plan with ``psu=``.
    seed : int
    period : int, default 0
    rotation : float, default 0.0

    Returns
    -------
    DataFrame
        ``plan.psus`` with ``prn`` and ``selected`` columns.

    Notes
    -----
    The reported ``psu_inclusion_probability`` is the target ``π``: exact for
    "all", "srs" and "poisson"; for Pareto πps the true probabilities differ
    from ``π`` by a term of order ``1/n_psu`` (Rosén 1997), the standard
    approximation of sequential πps schemes.

    Examples
    --------
    >>> import pandas as pd
    >>> from beian_audit.sampling.plan import plan_sample
    >>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(60)],
    ...                       "provider_id": [f"P{i % 6}" for i in range(60)]})
    >>> plan = plan_sample(frame, psu="provider_id", psu_selection="srs", n_psu=2,
    ...                    n_per_stratum=3, allocation="equal")
    >>> int(select_psus(plan, seed=1)["selected"].sum())
    2
    """
    if plan.psus is None:
        raise SampleDesignError("the plan has no stage 1 (plan it with psu=)")
    seed, period, rotation = _check_draw_options(seed, period, rotation)
    selected, u0 = _psu_selection(plan, plan.psus, seed, period, rotation)
    psus = plan.psus.copy()
    psus["prn"] = u0
    psus["selected"] = selected
    return psus


def _psu_selection(
    plan: SamplePlan, psus: pd.DataFrame, seed: int, period: int, rotation: float
) -> tuple[np.ndarray, np.ndarray]:
    """(selected, permanent u) for each psu of the plan."""
    labels = psus["psu"].astype(str).to_numpy()
    pi = psus["psu_inclusion_probability"].to_numpy(dtype=np.float64)
    h0 = splitmix64(key_hash(labels), xor=seed_hash(seed, _PSUS))
    h = h0 - rotation_shift(pi, period, rotation)
    u = to_unit(h)
    selection = plan.psu_selection
    if selection == "all":
        return np.ones(len(psus), dtype=bool), to_unit(h0)
    if selection == "poisson":
        return u < pi, to_unit(h0)
    groups, group_codes = np.unique(psus["psu_stratum"].astype(str).to_numpy(), return_inverse=True)
    n_g = np.zeros(groups.size, dtype=np.int64)
    n_g[group_codes] = psus["n_psu"].to_numpy()
    big_m = np.bincount(group_codes, minlength=groups.size)
    if selection == "srs":
        rank_key = h
    else:  # Pareto πps: rank by (u/(1-u)) / (pi/(1-pi)), certainties first
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (u / (1 - u)) / (pi / (1 - pi))
        q = np.where(pi >= 1, -1.0, np.where(pi <= 0, np.inf, q))
        # rank by q, equal q by the 64-bit PRN: an order-preserving integer key
        rank_key = np.lexsort((h, q)).argsort(kind="stable").astype(_U64)
    chosen = _smallest(group_codes, rank_key, n_g, big_m, lambda idx: labels[idx])
    selected = np.zeros(len(psus), dtype=bool)
    selected[chosen] = True
    if selection == "pps":
        selected &= pi > 0
    return selected, to_unit(h0)


def _draw_positions(
    frame: pd.DataFrame,
    plan: SamplePlan,
    *,
    seed: int,
    key: str,
    period: int,
    rotation: float,
    kh: np.ndarray | None = None,
    codes: np.ndarray | None = None,
    present: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame | None]:
    """Selected row positions, their codes, their PRN ``u``, and the stage-1 table."""
    if kh is None:
        kh = _key_hashes(frame, key)
    if codes is None:
        codes = _plan_codes(frame, plan)
    sizes = plan.sizes
    n_h = sizes["n"].to_numpy(dtype=np.int64).copy()
    big_n = sizes["N"].to_numpy(dtype=np.int64)
    pi = sizes["f"].to_numpy(dtype=np.float64)
    psus = None
    if plan.psus is not None:
        selected, u0 = _psu_selection(plan, plan.psus, seed, period, rotation)
        psus = plan.psus.assign(prn=u0, selected=selected)
        chosen = dict(zip(psus["psu"].astype(str), selected, strict=True))
        stratum_selected = np.array([chosen[str(p)] for p in sizes["psu"]], dtype=bool)
        n_h[~stratum_selected] = 0
    h0 = splitmix64(kh, xor=seed_hash(seed, _FILINGS))
    shift = rotation_shift(pi, period, rotation)
    h = h0 - shift[codes] if period and rotation else h0
    positions = _smallest(
        codes, h, n_h, big_n, lambda idx: _key_strings(frame, key, idx), present
    )
    return positions, codes[positions], to_unit(h0[positions]), psus


def duplicate_keys(
    frame: pd.DataFrame, key: str, kh: np.ndarray, positions: np.ndarray
) -> list[str]:
    """Keys that occur more than once among the selected rows.

    Equal keys have equal PRNs, so a key filed twice in one stratum is selected
    twice or not at all; the frame's other duplicates do not change the draw
    (``read_filings`` rejects duplicated keys in any case).
    """
    s = np.sort(kh[positions])
    repeated = s[1:][s[1:] == s[:-1]]
    if not repeated.size:
        return []
    rows = positions[np.isin(kh[positions], repeated)]
    values = frame[key].iloc[rows].astype(str)
    return sorted(values[values.duplicated()].unique().tolist())


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Sample(ResultMixin):
    """A drawn sample: the selected filings with their design columns, and a manifest.

    Attributes
    ----------
    frame : DataFrame
        Selected rows of the frame (original index kept, so check results indexed
        like the frame align) ordered by stratum and PRN, plus ``stratum``,
        ``population_size`` (N_h), ``sample_size`` (n_h),
        ``inclusion_probability``, ``weight`` (= 1/inclusion probability) and
        ``prn`` (the permanent random number ``u`` of period 0). Two-stage samples
        add ``psu``, ``psu_stratum``, ``psu_population_size`` (psus in the
        stage-1 stratum) and ``psu_inclusion_probability``; their
        ``inclusion_probability`` is the overall one (stage 1 × stage 2).
        Personal columns are raw here; every rendering masks them.
    manifest : dict
        JSON-ready record that re-draws the sample: ``seed``, ``key``,
        ``period``, ``rotation``, ``design``, ``frame_fingerprint``,
        ``sample_fingerprint``, ``algorithm_version``, ``library_version``,
        ``created``.
    plan : SamplePlan
        The plan it was drawn from.
    """

    frame: pd.DataFrame
    manifest: dict[str, Any]
    plan: SamplePlan

    @property
    def key(self) -> str:
        """Name of the key column."""
        return str(self.manifest["key"])

    @property
    def seed(self) -> int:
        """The seed of the draw."""
        return int(self.manifest["seed"])

    @property
    def n(self) -> int:
        """Number of selected filings."""
        return len(self.frame)

    def to_frame(self, *, reveal: bool = False) -> pd.DataFrame:
        """The selected rows with personal columns masked (``reveal=True``: raw)."""
        return mask_frame(self.frame, reveal=reveal)

    def by_stratum(self) -> pd.DataFrame:
        """Selected count per stratum next to the planned ``N`` and ``n``.

        Examples
        --------
        >>> import pandas as pd
        >>> from beian_audit.sampling.plan import plan_sample
        >>> df = pd.DataFrame({"website_id": list("abcdef"), "provider_id": list("xxxxyy")})
        >>> s = draw_sample(df, plan_sample(df, n=4), seed=3)
        >>> s.by_stratum()
          stratum  N  n  selected
        0       x  4  2         2
        1       y  2  2         2
        """
        counts = self.frame["stratum"].astype(str).value_counts()
        out = self.plan.sizes[["stratum", "N", "n"]].copy()
        out["selected"] = out["stratum"].astype(str).map(counts).fillna(0).astype(np.int64)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``schema_version``, ``kind``, ``summary``, ``manifest``, ``records``.

        The records are the selected rows with personal fields masked.
        """
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": "Sample",
            "summary": self._summary(),
            "manifest": jsonable(self.manifest),
            "records": jsonable(self.to_frame().to_dict(orient="records")),
        }

    def _summary(self) -> str:
        m = self.manifest
        parts = [
            f"n={self.n:,}",
            f"strata={self.plan.n_strata:,}",
            f"seed={m['seed']}",
            f"key={m['key']!r}",
        ]
        if m.get("period") or m.get("rotation"):
            parts.append(f"period={m['period']}, rotation={m['rotation']}")
        parts.append(f"algorithm={m['algorithm_version']!r}")
        return ", ".join(parts)

    def _repr_html_(self) -> str:
        head = self.to_frame().head(20)
        table = head.to_html(max_cols=30, float_format=lambda x: f"{x:.4g}")
        title = html.escape(f"Sample: {self._summary()}")
        more = f"<p>… {self.n - len(head):,} more rows</p>" if self.n > len(head) else ""
        return f"<div><p><strong>{title}</strong></p>{table}{more}</div>"

    def to_worksheet(
        self,
        path: str | os.PathLike[str],
        *,
        checks: pd.DataFrame | Any | None = None,
        columns: list[str] | None = None,
        reveal: bool = False,
        contacts: Literal["masked", "clear", "protected-sheet"] = "masked",
        overwrite: bool = True,
    ) -> Path:
        """Write the auditors' XLSX worksheet (atomically).

        See :func:`~beian_audit.sampling.write_worksheet` (``contacts`` writes the
        phone numbers for the field checkers in clear; ``overwrite=False``
        refuses to replace an existing file).
        """
        from beian_audit.sampling.worksheet import write_worksheet

        return write_worksheet(self, path, checks=checks, columns=columns, reveal=reveal,
                               contacts=contacts, overwrite=overwrite)

    def verify(self, frame: pd.DataFrame) -> bool:
        """Re-draw from ``frame`` and the manifest; ``True`` when it matches."""
        return verify_sample(frame, self.manifest, self.frame)


# --------------------------------------------------------------------------- entry points


def draw_partition(
    part: pd.DataFrame,
    plan: SamplePlan,
    *,
    seed: int,
    key: str = "website_id",
    period: int = 0,
    rotation: float = 0.0,
) -> pd.DataFrame:
    """Map step of a partitioned draw: the rows of ``part`` that can be in the sample.

    Returns, for each stratum, the ``n_h`` rows of ``part`` with the smallest
    (shifted) PRN — a superset of the part's share of the sample — with
    ``stratum`` and ``prn`` columns. Because "the ``n_h`` smallest of a union"
    are "the ``n_h`` smallest of the union of each part's ``n_h`` smallest",
    ``draw_partition(pd.concat(draw_partition(p) for p in parts))`` has exactly the
    keys of ``draw_sample(frame).frame``. With Dask::

        meta = draw_partition(ddf._meta, plan, seed=s)   # empty: the output columns
        kept = ddf.map_partitions(draw_partition, plan, seed=s, meta=meta).compute()
        rows = draw_partition(kept, plan, seed=s)        # the sample's rows

    (the weights are in ``plan.sizes``; a manifest with the frame's fingerprint
    comes from :func:`draw_sample` on the whole frame).

    Parameters
    ----------
    part : DataFrame
        Any subset of the frame's rows.
    plan, seed, key, period, rotation
        As in :func:`draw_sample`.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> from beian_audit.sampling.plan import plan_sample
    >>> df = pd.DataFrame({"website_id": [f"W{i}" for i in range(40)],
    ...                    "provider_id": ["A"] * 30 + ["B"] * 10})
    >>> plan = plan_sample(df, n=8)
    >>> parts = [df.iloc[:17], df.iloc[17:]]
    >>> reduced = draw_partition(pd.concat([draw_partition(p, plan, seed=5) for p in parts]),
    ...                          plan, seed=5)
    >>> sorted(reduced.website_id) == sorted(draw_sample(df, plan, seed=5).frame.website_id)
    True
    """
    seed, period, rotation = _check_draw_options(seed, period, rotation)
    positions, codes, u, _ = _draw_positions(
        part, plan, seed=seed, key=key, period=period, rotation=rotation
    )
    out = take_rows(part, positions)
    out["stratum"] = plan.sizes["stratum"].to_numpy()[codes]
    out["prn"] = u
    return out


def draw_sample(
    frame: pd.DataFrame,
    plan: SamplePlan,
    *,
    seed: int,
    key: str = "website_id",
    period: int = 0,
    rotation: float = 0.0,
) -> Sample:
    """Draw the planned sample with permanent random numbers.

    Parameters
    ----------
    frame : DataFrame
        The frame the plan was made on (same strata and stratum sizes).
    plan : SamplePlan
        From :func:`~beian_audit.sampling.plan_sample`.
    seed : int
        In [0, 2**64); recorded in the manifest. Keep it across months to keep
        the panel.
    key : str, default "website_id"
        Column with a unique, stable key per filing; hashed as UTF-8 text
        (integers as decimal text).
    period : int, default 0
        Period number (e.g. months since the panel started) for rotation.
    rotation : float, default 0.0
        Share of the panel to rotate out per period (0: keep the panel).

    Returns
    -------
    Sample

    Raises
    ------
    SampleDesignError
        Missing or duplicated keys, strata or stratum sizes that differ from the
        plan, a missing column.
    TypeError, ValueError
        For an invalid seed, period or rotation.

    Notes
    -----
    Within stratum ``h`` the ``n_h`` units with the smallest
    ``(u − period·rotation·n_h/N_h) mod 1`` are taken: every subset of size
    ``n_h`` has the same probability, so ``π = n_h/N_h`` (times the psu's
    probability in two-stage plans) and the weight is ``1/π``.

    References
    ----------
    Ohlsson, E. (1995). Coordination of samples using permanent random numbers.
    In *Business Survey Methods*, 153–169. Wiley.

    Rosén, B. (1997). On sampling with probability proportional to size.
    *Journal of Statistical Planning and Inference* 62, 159–191.

    Examples
    --------
    >>> import pandas as pd
    >>> from beian_audit.sampling.plan import plan_sample
    >>> frame = pd.DataFrame({"website_id": [f"W{i}" for i in range(1000)],
    ...                       "provider_id": [f"P{i % 3}" for i in range(1000)]})
    >>> plan = plan_sample(frame, n=90)
    >>> may = draw_sample(frame, plan, seed=7, period=0, rotation=0.25)
    >>> june = draw_sample(frame, plan, seed=7, period=1, rotation=0.25)
    >>> len(set(may.frame.website_id) & set(june.frame.website_id))  # about (1 - 0.25) * 90
    63
    """
    # --- engine dispatch: a Dask DataFrame is drawn by beian_audit.scale (same sample) ---
    engine = _engine.dispatch("draw_sample", frame)
    if engine is not None:
        drawn: Sample = engine(
            frame, plan, seed=seed, key=key, period=period, rotation=rotation
        )
        return drawn
    # --- end of engine dispatch ---
    seed, period, rotation = _check_draw_options(seed, period, rotation)
    if not isinstance(frame, pd.DataFrame):
        raise ArgumentTypeError(f"frame must be a pandas DataFrame, not {type(frame).__name__}")
    if not isinstance(plan, SamplePlan):
        raise ArgumentTypeError(f"plan must be a SamplePlan, not {type(plan).__name__}")
    kh = _key_hashes(frame, key)
    codes = _plan_codes(frame, plan)
    sizes = plan.sizes
    big_n = sizes["N"].to_numpy(dtype=np.int64)
    found = np.bincount(codes, minlength=len(sizes))
    if not np.array_equal(found, big_n):
        bad = int(np.flatnonzero(found != big_n)[0])
        raise SampleDesignError(
            f"the frame does not match the plan: stratum {sizes['stratum'].iloc[bad]!r} has "
            f"{found[bad]} rows, the plan {big_n[bad]}; plan the sample on this frame"
        )
    positions, sel_codes, u, psus = _draw_positions(
        frame, plan, seed=seed, key=key, period=period, rotation=rotation, kh=kh, codes=codes,
        present=found,
    )
    dups = duplicate_keys(frame, key, kh, positions)
    if dups:
        raise SampleDesignError(
            f"key column {key!r} has duplicated value(s) among the selected filings, e.g. "
            f"{dups[:5]}; each filing needs a unique key"
        )
    out = take_rows(frame, positions)

    labels = sizes["stratum"].astype(str).to_numpy()
    return assemble_sample(
        out, plan, psus if plan.psus is not None else None, labels, sel_codes, u,
        draw=(seed, key, period, rotation), frame_rows=len(frame),
        frame_fingerprint=fingerprint_codes(kh, codes, labels),
        sample_fingerprint=fingerprint_codes(kh[positions], sel_codes, labels),
    )


def assemble_sample(
    out: pd.DataFrame,
    plan: SamplePlan,
    psus: pd.DataFrame | None,
    labels: np.ndarray,
    sel_codes: np.ndarray,
    u: np.ndarray,
    *,
    draw: tuple[int, str, int, float],
    frame_rows: int,
    frame_fingerprint: str,
    sample_fingerprint: str,
) -> Sample:
    """The selected rows with their design columns, and the manifest (pandas and Dask)."""
    sizes = plan.sizes
    design: dict[str, Any] = {}
    if psus is not None:
        pos = pd.Index(psus["psu"].astype(str)).get_indexer(
            pd.Index(sizes["psu"].astype(str).to_numpy()[sel_codes])
        )
        design["psu"] = _texts(psus["psu"].astype(str).to_numpy(), pos)
        design["psu_stratum"] = _texts(psus["psu_stratum"].astype(str).to_numpy(), pos)
        design["psu_population_size"] = psus["psu_population_size"].to_numpy(dtype=np.int64)[pos]
        design["psu_inclusion_probability"] = psus["psu_inclusion_probability"].to_numpy()[pos]
    design["stratum"] = _texts(labels, sel_codes)
    design["population_size"] = sizes["N"].to_numpy(dtype=np.int64)[sel_codes]
    design["sample_size"] = sizes["n"].to_numpy(dtype=np.int64)[sel_codes]
    pi = sizes["inclusion_probability"].to_numpy(dtype=np.float64)[sel_codes]
    design["inclusion_probability"] = pi
    design["weight"] = 1.0 / pi
    design["prn"] = u
    for name, values in design.items():
        out[name] = values
    seed, key, period, rotation = draw
    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "algorithm_version": ALGORITHM_VERSION,
        "library_version": _library_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": seed,
        "key": key,
        "period": period,
        "rotation": rotation,
        "design": plan.design(),
        "frame_rows": frame_rows,
        "frame_fingerprint": frame_fingerprint,
        "sample_size": len(out),
        "sample_fingerprint": sample_fingerprint,
    }
    if psus is not None:
        manifest["selected_psus"] = sorted(psus.loc[psus["selected"], "psu"].astype(str))
    return Sample(frame=out, manifest=manifest, plan=plan)


def _texts(values: np.ndarray, idx: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[idx]`` as Arrow-backed strings, taken on the (small) Arrow dictionary."""
    import pyarrow as pa

    from beian_audit.schema import STRING_DTYPE

    taken = pa.array(list(values), type=pa.large_string()).take(pa.array(idx))
    return pd.array(taken, dtype=STRING_DTYPE)


def _library_version() -> str:
    import beian_audit

    return str(getattr(beian_audit, "__version__", "unknown"))


def verify_sample(
    frame: pd.DataFrame,
    manifest: Mapping[str, Any],
    sample_frame: pd.DataFrame,
    *,
    raise_on_mismatch: bool = False,
) -> bool:
    """Re-draw a sample from the frame and its manifest and compare.

    Checks that the algorithm version is this library's, that the frame has
    the recorded strata, stratum sizes and fingerprint (same keys in the same
    strata), and that ``sample_frame`` holds exactly the re-drawn keys (and, if
    it has them, the same strata and inclusion probabilities).

    Parameters
    ----------
    frame : DataFrame
        The frame the sample was drawn from.
    manifest : mapping
        ``Sample.manifest`` (e.g. read back from JSON or from a worksheet).
    sample_frame : DataFrame
        The sample to check; needs the key column.
    raise_on_mismatch : bool, default False
        Raise :class:`~beian_audit.errors.SampleDesignError` with the reason
        instead of returning ``False``.

    Returns
    -------
    bool
        ``False`` (or :class:`~beian_audit.errors.SampleDesignError` with
        ``raise_on_mismatch``) also when the manifest is incomplete or malformed
        or the sample's columns cannot be compared.

    Raises
    ------
    ArgumentTypeError
        ``frame`` or ``sample_frame`` is not a DataFrame, ``manifest`` is not a
        mapping (e.g. a JSON string: pass ``json.loads(text)``), or
        ``raise_on_mismatch`` is not a bool.

    Examples
    --------
    >>> import pandas as pd
    >>> from beian_audit.sampling.plan import plan_sample
    >>> df = pd.DataFrame({"website_id": [f"W{i}" for i in range(50)],
    ...                    "provider_id": ["A"] * 25 + ["B"] * 25})
    >>> s = draw_sample(df, plan_sample(df, n=10), seed=11)
    >>> verify_sample(df, s.manifest, s.frame)
    True
    >>> verify_sample(df, s.manifest, s.frame.iloc[1:])
    False
    """
    for name, value in (("frame", frame), ("sample_frame", sample_frame)):
        if not isinstance(value, pd.DataFrame):
            raise ArgumentTypeError(
                f"{name} must be a pandas DataFrame, not {type(value).__name__}"
            )
    if not isinstance(manifest, Mapping):
        hint = " (parse it first: json.loads(text))" if isinstance(manifest, str | bytes) else ""
        raise ArgumentTypeError(
            f"manifest must be a mapping (Sample.manifest), not {type(manifest).__name__}{hint}"
        )
    if not isinstance(raise_on_mismatch, bool | np.bool_):
        raise ArgumentTypeError(
            f"raise_on_mismatch must be True or False, not {raise_on_mismatch!r}"
        )
    try:
        return _verify_sample(
            frame, manifest, sample_frame, raise_on_mismatch=bool(raise_on_mismatch)
        )
    except BeianAuditError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, IndexError) as exc:
        reason = f"the manifest or the sample cannot be compared ({type(exc).__name__}: {exc})"
        if raise_on_mismatch:
            raise SampleDesignError(f"the sample does not verify: {reason}") from exc
        return False


def _verify_sample(
    frame: pd.DataFrame,
    manifest: Mapping[str, Any],
    sample_frame: pd.DataFrame,
    *,
    raise_on_mismatch: bool = False,
) -> bool:

    def fail(reason: str) -> bool:
        if raise_on_mismatch:
            raise SampleDesignError(f"the sample does not verify: {reason}")
        return False

    if pd.Index(sample_frame.columns).has_duplicates:
        return fail("the sample has duplicate column labels")

    try:
        version = manifest["algorithm_version"]
        key = str(manifest["key"])
        seed = int(manifest["seed"])
        design = manifest["design"]
    except (KeyError, TypeError, ValueError) as exc:
        return fail(f"the manifest is incomplete ({exc})")
    if version != ALGORITHM_VERSION:
        return fail(f"algorithm {version!r} is not this library's {ALGORITHM_VERSION!r}")
    if key not in sample_frame.columns:
        return fail(f"the sample has no key column {key!r}")
    try:
        plan = plan_from_design(frame, design)
        redraw = draw_sample(
            frame,
            plan,
            seed=seed,
            key=key,
            period=int(manifest.get("period", 0)),
            rotation=float(manifest.get("rotation", 0.0)),
        )
    except SampleDesignError as exc:
        return fail(str(exc))
    if redraw.manifest["frame_fingerprint"] != manifest.get("frame_fingerprint"):
        return fail("the frame's keys or strata differ from those recorded (fingerprint)")
    expected = redraw.frame.set_index(redraw.frame[key].astype(str))
    given_keys = sample_frame[key].astype(str)
    if given_keys.duplicated().any():
        return fail("the sample has duplicated keys")
    if set(given_keys) != set(expected.index):
        extra = sorted(set(given_keys) - set(expected.index))[:3]
        gone = sorted(set(expected.index) - set(given_keys))[:3]
        return fail(f"the keys differ: not in the re-draw {extra}, missing {gone}")
    order = given_keys.to_numpy()
    if "stratum" in sample_frame.columns:
        strata = sample_frame["stratum"].astype(str).to_numpy()
        if not np.array_equal(strata, expected["stratum"].reindex(order).astype(str).to_numpy()):
            return fail("the stratum of some keys differs")
    if "inclusion_probability" in sample_frame.columns:
        got = pd.to_numeric(sample_frame["inclusion_probability"]).to_numpy(dtype=float)
        want = expected["inclusion_probability"].reindex(order).to_numpy(dtype=float)
        if not np.allclose(got, want, rtol=1e-12, atol=0):
            return fail("the inclusion probabilities differ")
    if redraw.manifest["sample_fingerprint"] != manifest.get("sample_fingerprint"):
        return fail("the re-drawn sample's fingerprint differs from the manifest's")
    return True
