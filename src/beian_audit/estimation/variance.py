"""Variance kernels of :func:`~beian_audit.estimation.stratified.estimate_proportion`.

The Taylor-linearised variance of the ratio (Hájek) estimator of a proportion
and of the estimated totals, for the whole sample and any number of domains at
once, on a design in codes (:class:`~beian_audit.estimation.design._Design`):
PSU totals of the linearised scores, their within-stratum variance with R
survey's fpc and lonely-PSU rules (:func:`_finish`), a multistage design's
stage-2 term (:func:`_stats`), and Kish's design effect of the weights
(:func:`_kish_deff`). Every sum is a ``numpy.bincount``: no Python loop over
strata or domains. The mean, the two totals and Kish's design effect of one
estimate share one grouping of the rows into (domain, stratum) pairs
(:func:`_pairs_of`); with element sampling and one weight per stratum the
totals and Kish's design effect come from the pairs' counts of rows and
successes (closed forms), with no further pass over the rows.
Cross-checked against R ``survey`` in ``tests/test_estimation_r_reference.py``.

Examples
--------
>>> import numpy as np
>>> _kish_deff(np.array([1.0, 1.0, 4.0]), None, 1).round(3).tolist()
[1.5]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple, get_args

import numpy as np

from beian_audit.errors import (
    EstimationError,
)
from beian_audit.estimation.design import (
    _CERTAINTY_TOLERANCE,
    _SHOW,
    _compact,
    _compact_counted,
    _Design,
)
from beian_audit.estimation.intervals import (
    DesignStats,
)

__all__ = ["LONELY_PSU_RULES", "LonelyPSU"]

LonelyPSU = Literal["adjust", "average", "certainty", "remove", "fail"]
LONELY_PSU_RULES: tuple[str, ...] = get_args(LonelyPSU)


def _stratum_sums(y: np.ndarray, design: _Design) -> np.ndarray:
    """Sum of ``y`` in each stratum (segment sums when rows are grouped by stratum)."""
    if design.starts is not None:
        return np.add.reduceat(y, design.starts)
    return np.bincount(design.stratum, weights=y, minlength=design.n_h.size)


def _whole_sample_one_weight_per_stratum(
    k: np.ndarray, n_rows: int, design: _Design, lonely_psu: str, total: bool = False
) -> dict[str, np.ndarray]:
    """:func:`_domain_stats` of the whole sample, element sampling, one weight per stratum.

    With :math:`k_h` successes among :math:`m_h` rows, the scores take two
    values, :math:`a(1-\\hat p)` and :math:`-a \\hat p` with :math:`a = w_h / W`, so
    a stratum's sum of squared deviations is :math:`a^2 k_h (m_h - k_h) / m_h`
    exactly: no per-row pass, and no cancellation (0 when :math:`k_h` is 0 or
    :math:`m_h`). For a total (``total=True``) the scores are :math:`w_h y`:
    :math:`a = w_h` and the stratum sum is :math:`a k_h`. ``k`` is
    :func:`_stratum_sums` of the 0/1 outcome; the outcome 0 has ``m - k``.
    """
    H = design.n_h.size
    m = design.n_h.astype(float)
    assert design.w_h is not None
    w_g = np.array([(design.w_h * m).sum()])
    p_g = np.array([(design.w_h * k).sum()]) / w_g
    a = design.w_h if total else design.w_h / w_g[0]
    ss = a * a * k * (m - k) / m
    s1 = a * k if total else a * (k - m * p_g[0])
    return _finish(
        ss, s1, np.zeros(H, dtype=np.int64), np.arange(H), 1, design, lonely_psu,
        np.array([float(n_rows)]), w_g, p_g, np.array([float(n_rows)]),
    )


def _whole_sample_with_totals(
    y: np.ndarray, design: _Design, lonely_psu: str
) -> dict[str, np.ndarray]:
    """:func:`_whole_sample_one_weight_per_stratum` of the mean and both totals, one pass.

    The per-stratum successes :math:`k_h` serve all three: the outcome 0 has
    :math:`m_h - k_h` (exact: sums of 0/1 values are integers), and Kish's
    design effect is :math:`n \\sum_h m_h u_h^2 / (\\sum_h m_h u_h)^2`.
    """
    assert design.w_h is not None
    k = _stratum_sums(y, design)
    m = design.n_h.astype(float)
    out = _whole_sample_one_weight_per_stratum(k, y.size, design, lonely_psu)
    for key, successes in (("1", k), ("0", m - k)):
        out[f"variance_total_{key}"] = _whole_sample_one_weight_per_stratum(
            successes, y.size, design, lonely_psu, total=True
        )["variance"]
    out["deff_kish"] = _kish_from_counts(
        m, np.zeros(m.size, dtype=np.int64), design.w_h / design.w_h.max(), out["n"]
    )
    return out


@dataclass(frozen=True, slots=True)
class _Pairs:
    """The (domain, stratum) pairs of the rows in a domain, and of their PSUs (cells)."""

    cell_g: np.ndarray  # domain of each cell (a row, or a (domain, PSU) pair)
    cell: np.ndarray | None  # cell of each row (None: every row is its own cell)
    n_cells: int
    gh: np.ndarray  # pair of each cell
    gh_g: np.ndarray  # domain of each pair
    gh_h: np.ndarray  # stratum of each pair
    m: np.ndarray  # cells per pair (float)


def _pairs_of(dk: np.ndarray, hk: np.ndarray, psu_k: np.ndarray | None, G: int,
              design: _Design) -> _Pairs:
    """Cells and (domain, stratum) pairs holding at least one row of the domain."""
    H = design.n_h.size
    if psu_k is None:
        cell_g, cell_h, cell, n_cells = dk, hk, None, dk.size
    else:
        P = int(design.psu_stratum.size)  # type: ignore[union-attr]
        cell, uniques = _compact(dk.astype(np.int64, copy=False) * P + psu_k, G * P)
        cell_g = uniques // P
        cell_h = design.psu_stratum[uniques % P]  # type: ignore[index]
        n_cells = uniques.size
    if G == 1:
        m_h = np.bincount(cell_h, minlength=H)
        present = m_h > 0
        if present.all():
            gh, gh_h, m = cell_h, np.arange(H), m_h.astype(float)
        else:
            remap = np.cumsum(present) - 1
            gh, gh_h, m = remap[cell_h], np.flatnonzero(present), m_h[present].astype(float)
        gh_g = np.zeros(gh_h.size, dtype=np.int64)
    else:
        key = cell_g.astype(np.int64, copy=False) * H
        key += cell_h
        gh, u2, counts = _compact_counted(key, G * H)
        gh_g, gh_h, m = u2 // H, u2 % H, counts.astype(float)
    return _Pairs(cell_g, cell, n_cells, gh, gh_g, gh_h, m)


def _pair_sums(
    z: np.ndarray, pairs: _Pairs, G: int, nh: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-pair sums of squared deviations of the cells' scores from their mean, and sums."""
    if pairs.cell is None:
        z_cell = z
    else:
        z_cell = np.bincount(pairs.cell, weights=z, minlength=pairs.n_cells)
    n_pairs = pairs.gh_g.size
    s1 = np.bincount(pairs.gh, weights=z_cell, minlength=n_pairs)
    zbar = s1 / nh  # nh: PSUs sampled in each pair's stratum
    dev = zbar[pairs.gh]  # z - zbar, squared, in one buffer
    np.subtract(z_cell, dev, out=dev)
    np.multiply(dev, dev, out=dev)
    ss_cells = np.bincount(pairs.gh, weights=dev, minlength=n_pairs)
    ss = ss_cells + (nh - pairs.m) * zbar * zbar
    # A stratum whose PSU totals are all equal (same outcome, same weight) has
    # SS = 0 exactly; rounding leaves ~eps^2 * sum(z^2). Zero anything below
    # 1e-24 of the domain's sum of squared scores (which changes a genuine
    # variance by less than that), or p(1-p)/v becomes astronomically large.
    if G == 1:
        scale_g = np.array([z_cell @ z_cell])
    else:
        # a pair's sum of z^2 from its sums (every term >= 0, no cancellation):
        # sum (z - zbar)^2 + zbar (2 s1 - m zbar); a scale for the threshold only,
        # so no second pass over the cells
        z2_pair = zbar * (2.0 * s1 - pairs.m * zbar)
        z2_pair += ss_cells
        scale_g = np.bincount(pairs.gh_g, weights=z2_pair, minlength=G)
    return np.where(ss <= 1e-24 * scale_g[pairs.gh_g], 0.0, ss), s1


def _segment_sums(z: np.ndarray, design: _Design) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_pair_sums` of the whole sample, rows grouped by stratum: segment sums."""
    starts = design.starts
    assert starts is not None
    m = design.n_h.astype(float)
    s1 = np.add.reduceat(z, starts)
    zbar = s1 / m
    dev = np.repeat(zbar, design.n_h)
    np.subtract(z, dev, out=dev)
    np.multiply(dev, dev, out=dev)
    ss = np.add.reduceat(dev, starts)
    return np.where(ss <= 1e-24 * (z @ z), 0.0, ss), s1


def _kish_from_counts(
    m: np.ndarray, gh_g: np.ndarray, u_h: np.ndarray, n: np.ndarray
) -> np.ndarray:
    """:func:`_kish_deff` from ``m`` rows of relative weight ``u_h`` in each (domain, stratum) pair.

    ``n`` is each domain's number of rows (the sum of its pairs' ``m``).

    Equal to the row-by-row sums in exact arithmetic; in floating point it
    differs from them in the last digits (about 1e-14 relative), as sums in
    another order do.
    """
    G = n.size
    mu = m * u_h
    s1 = np.bincount(gh_g, weights=mu, minlength=G)
    mu *= u_h  # m * u_h * u_h, same rounding
    s2 = np.bincount(gh_g, weights=mu, minlength=G)
    return _kish_ratio(n, s1, s2)


def _domain_stats(
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    lonely_psu: str,
    totals: bool = False,
) -> dict[str, np.ndarray]:
    """Estimate, variance and design counts for every domain code in ``d``.

    ``d`` holds a domain code per row, ``-1`` for rows outside every domain
    (missing outcome); an empty ``d`` means one domain holding every row.
    Rows outside a domain count as zeros in its linearised scores while every
    stratum keeps its full number of PSUs: R ``subset()`` semantics.

    ``totals=True`` adds ``variance_total_1`` and ``variance_total_0``, the
    variances of the estimated totals :math:`\\sum_d w y` and
    :math:`\\sum_d w (1 - y)` (scores :math:`w y`, R ``svytotal``), on the same
    cells and pairs as the mean, and (with one weight per stratum, element
    sampling) ``deff_kish`` from the pairs' row counts.
    """
    G = n_domains
    if d.size == 0 and design.psu is None and design.w_h is not None:
        if totals:
            return _whole_sample_with_totals(y, design, lonely_psu)
        return _whole_sample_one_weight_per_stratum(
            _stratum_sums(y, design), y.size, design, lonely_psu
        )
    if d.size == 0:
        d = np.zeros(y.size, dtype=np.int64)
        rows = None
        dk, yk, wk, hk = d, y, design.w, design.stratum
    elif (keep := d >= 0).all():
        rows = None
        dk, yk, wk, hk = d, y, design.w, design.stratum
    else:
        rows = np.flatnonzero(keep)
        dk, yk, wk, hk = d[rows], y[rows], design.w[rows], design.stratum[rows]
    H = design.n_h.size
    segments = G == 1 and rows is None and design.psu is None and design.starts is not None
    psu_k = None if design.psu is None else (design.psu if rows is None else design.psu[rows])
    pairs = None if segments else _pairs_of(dk, hk, psu_k, G, design)

    with np.errstate(all="ignore"):
        if G == 1:  # the whole sample: scalars, no gathers
            n_g = np.array([float(dk.size)])
            w_g = np.array([wk.sum()])
            # same (pairwise) summation as w_g, so all-ones gives exactly 1
            p_g = np.array([(wk * yk).sum()]) / w_g
            z = yk - p_g[0]  # z = w (y - p) / W, in place
            z /= w_g[0]
            z *= wk
        else:
            assert pairs is not None
            if pairs.cell is None:  # rows per domain from the pairs' row counts (exact)
                n_g = np.bincount(pairs.gh_g, weights=pairs.m, minlength=G)
            else:
                n_g = np.bincount(dk, minlength=G).astype(float)
            w_g = np.bincount(dk, weights=wk, minlength=G)
            p_g = np.bincount(dk, weights=wk * yk, minlength=G) / w_g
            z = p_g[dk]  # z = w (y - p) / W, in place
            np.subtract(yk, z, out=z)
            np.multiply(wk, z, out=z)
            z /= w_g[dk]

    def finish(sums: tuple[np.ndarray, np.ndarray], gh_g: np.ndarray, gh_h: np.ndarray,
               n_psu_g: np.ndarray, per_pair: _PairDesign) -> dict[str, np.ndarray]:
        return _finish(*sums, gh_g, gh_h, G, design, lonely_psu, n_g, w_g, p_g, n_psu_g,
                       per_pair)

    def variance(sums: tuple[np.ndarray, np.ndarray], gh_g: np.ndarray, gh_h: np.ndarray,
                 n_strata_g: np.ndarray, per_pair: _PairDesign) -> np.ndarray:
        return _pair_variance(*sums, gh_g, gh_h, G, design, lonely_psu, n_strata_g, per_pair)

    if pairs is None:
        # rows grouped by stratum (codes 0..H-1 in order): contiguous segment sums
        zeros, strata, n_psu = np.zeros(H, dtype=np.int64), np.arange(H), np.array([float(z.size)])
        per_pair = _pair_design(strata, design)
        out = finish(_segment_sums(z, design), zeros, strata, n_psu, per_pair)
        if totals:
            for key, values in (("1", yk), ("0", 1.0 - yk)):
                out[f"variance_total_{key}"] = variance(
                    _segment_sums(wk * values, design), zeros, strata, out["n_strata"], per_pair
                )
        return out

    if G == 1:
        n_psu_g = np.array([float(pairs.n_cells)])
    elif pairs.cell is None:  # every row its own PSU: as many PSUs as rows
        n_psu_g = n_g.copy()
    else:
        n_psu_g = np.bincount(pairs.cell_g, minlength=G).astype(float)
    per_pair = _pair_design(pairs.gh_h, design)
    out = finish(_pair_sums(z, pairs, G, per_pair.nh), pairs.gh_g, pairs.gh_h, n_psu_g, per_pair)
    if not totals:
        return out
    if design.psu is None and design.w_h is not None:
        # element sampling, one weight per stratum: a pair's scores are w_h (k rows)
        # and 0 (the stratum's other rows), as in _whole_sample_one_weight_per_stratum
        k = np.bincount(pairs.gh, weights=yk, minlength=pairs.gh_g.size)
        a, nh = design.w_h[pairs.gh_h], per_pair.nh
        a2 = a * a
        for key, successes in (("1", k), ("0", pairs.m - k)):
            sums = (a2 * successes * (nh - successes) / nh, a * successes)
            out[f"variance_total_{key}"] = variance(
                sums, pairs.gh_g, pairs.gh_h, out["n_strata"], per_pair)
        out["deff_kish"] = _kish_from_counts(
            pairs.m, pairs.gh_g, (design.w_h / design.w_h.max())[pairs.gh_h], n_g
        )
    else:
        for key, values in (("1", yk), ("0", 1.0 - yk)):
            out[f"variance_total_{key}"] = variance(
                _pair_sums(wk * values, pairs, G, per_pair.nh), pairs.gh_g, pairs.gh_h,
                out["n_strata"], per_pair,
            )
    return out


class _PairDesign(NamedTuple):
    """The design of each (domain, stratum) pair's stratum."""

    nh: np.ndarray  # PSUs sampled (float)
    fh: np.ndarray  # R's fpc factor
    certain: np.ndarray  # a census (fpc factor 0)
    lonely: np.ndarray  # a single sampled PSU, not a census
    factor: np.ndarray  # fh nh / (nh - 1): variance of the pair = factor * SS
    zero: np.ndarray  # no within-stratum variance (a single PSU or a census)


def _pair_design(gh_h: np.ndarray, design: _Design) -> _PairDesign:
    nh = design.n_h[gh_h].astype(float)
    fh = design.f_h[gh_h]
    certain = fh < _CERTAINTY_TOLERANCE
    with np.errstate(all="ignore"):
        factor = fh * nh / (nh - 1.0)
    zero = nh <= 1
    zero |= certain
    return _PairDesign(nh, fh, certain, (nh == 1) & ~certain, factor, zero)


def _finish(
    ss: np.ndarray,
    s1: np.ndarray,
    gh_g: np.ndarray,
    gh_h: np.ndarray,
    G: int,
    design: _Design,
    lonely_psu: str,
    n_g: np.ndarray,
    w_g: np.ndarray,
    p_g: np.ndarray,
    n_psu_g: np.ndarray,
    per_pair: _PairDesign | None = None,
) -> dict[str, np.ndarray]:
    """Per-(domain, stratum) sums of squares -> per-domain variance and counts."""
    n_strata_g = np.bincount(gh_g, minlength=G).astype(float)
    per_pair = _pair_design(gh_h, design) if per_pair is None else per_pair
    v_g = _pair_variance(ss, s1, gh_g, gh_h, G, design, lonely_psu, n_strata_g, per_pair)
    certain, lonely = per_pair.certain, per_pair.lonely
    census = np.bincount(gh_g, weights=(~certain).astype(float), minlength=G) == 0
    census &= design.single_stage & (n_g > 0)
    return {
        "n": n_g,
        "population_size": w_g,
        "estimate": p_g,
        "variance": v_g,
        "df": n_psu_g - n_strata_g,
        "n_psu": n_psu_g,
        "n_strata": n_strata_g,
        "n_lonely_strata": np.bincount(gh_g, weights=lonely.astype(float), minlength=G),
        "census": census,
    }


def _pair_variance(
    ss: np.ndarray,
    s1: np.ndarray,
    gh_g: np.ndarray,
    gh_h: np.ndarray,
    G: int,
    design: _Design,
    lonely_psu: str,
    n_strata_g: np.ndarray,
    per_pair: _PairDesign,
) -> np.ndarray:
    """Per-domain variance from per-pair sums (R's fpc and lonely-PSU rules)."""
    fh, lonely = per_pair.fh, per_pair.lonely
    with np.errstate(all="ignore"):
        v_pair = per_pair.factor * ss
    v_pair[per_pair.zero] = 0.0  # a single PSU (lonely rules below) or a census
    if lonely.any():
        if lonely_psu == "fail":
            labels = design.stratum_labels[np.unique(gh_h[lonely])]
            raise EstimationError(
                f"{labels.size} stratum/strata have a single sampled PSU "
                f"({', '.join(map(str, labels[:_SHOW]))}); choose lonely_psu among "
                f"{', '.join(repr(r) for r in LONELY_PSU_RULES if r != 'fail')}"
            )
        if lonely_psu == "adjust":
            v_pair = np.where(lonely, fh * s1 * s1, v_pair)
        elif lonely_psu == "average":
            v_pair = np.where(lonely, np.nan, v_pair)
        # certainty / remove: lonely pairs stay at 0 (lonely pairs are never a census)

    nan = np.isnan(v_pair)
    if nan.any():
        v_pair[nan] = 0.0
    v_g = np.bincount(gh_g, weights=v_pair, minlength=G)
    if lonely_psu == "average":
        n_ok = np.bincount(gh_g, weights=(~nan).astype(float), minlength=G)
        with np.errstate(all="ignore"):
            v_g = np.where(n_ok > 0, v_g * n_strata_g / n_ok, np.nan)
    return v_g


def _derived(stats: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Standard error, design effects and effective sample size."""
    p, v, n, w = stats["estimate"], stats["variance"], stats["n"], stats["population_size"]
    n_boundary = DesignStats.of(p, v, n, 0.0, deff_kish=stats["deff_kish"]).boundary_n()
    with np.errstate(all="ignore"):
        pq = p * (1.0 - p)
        s2 = pq * n / (n - 1.0)  # R svyvar: weighted variance with n / (n - 1)
        v_wor = np.where(w >= n, s2 * (w - n) / (w * n), np.nan)
        v_rep = s2 / n
        deff = np.where(pq > 0, v / v_wor, np.nan)
        deff_rep = np.where(pq > 0, v / v_rep, np.nan)
        n_eff = np.where((pq > 0) & (v > 0), pq / v, n_boundary)
        n_eff = np.where(stats["census"], np.inf, n_eff)
    return {"se": np.sqrt(v), "deff": deff, "deff_replace": deff_rep, "n_effective": n_eff}


def _kish_deff(w: np.ndarray, codes: np.ndarray | None, n_domains: int) -> np.ndarray:
    """Kish's design effect of the weights, :math:`n\\sum w^2/(\\sum w)^2`, per domain.

    ``codes`` gives each row's domain (``-1``: outside every domain, e.g. a
    missing outcome); ``None`` means one domain holding every row. The weights
    are scaled by their maximum first, so that no square overflows. Computed
    as the planner does (:func:`beian_audit.sampling.allocation.kish_deff`).
    """
    u = w / w.max()
    if codes is None:
        n = np.array([float(u.size)])
        s1 = np.array([u.sum()])
        s2 = np.array([u @ u])
    else:
        keep = codes >= 0
        c, uk = codes[keep], u[keep]
        n = np.bincount(c, minlength=n_domains).astype(float)
        s1 = np.bincount(c, weights=uk, minlength=n_domains)
        s2 = np.bincount(c, weights=uk * uk, minlength=n_domains)
    return _kish_ratio(n, s1, s2)


def _kish_ratio(n: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """``n s2 / s1**2`` per domain from its row count and weight sums (``nan`` for none).

    Rounding can leave equal weights a hair below 1: the ratio is floored at 1.
    """
    with np.errstate(all="ignore"):
        deff = n * s2 / (s1 * s1)
    return np.where(n > 0, np.maximum(deff, 1.0), np.nan)


def _stats(
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    stage2: _Design | None,
    lonely_psu: str,
) -> dict[str, np.ndarray]:
    """:func:`_domain_stats` of stage 1 plus, for a multistage design, the stage-2 variance.

    Also the estimated totals of units with outcome 1 and 0 (``total_1``,
    ``total_0``) with their standard errors, and Kish's design effect of the
    weights (``deff_kish``), each domain's from the rows in it.
    """
    out = _domain_stats(y, d, n_domains, design, lonely_psu, totals=True)
    if stage2 is not None:
        within = _domain_stats(y, d, n_domains, stage2, lonely_psu, totals=True)
        for key in ("variance", "variance_total_1", "variance_total_0", "n_lonely_strata"):
            out[key] = out[key] + within[key]
        out["census"] = out["census"] & within["census"]
    if "deff_kish" not in out:
        out["deff_kish"] = _kish_deff(design.w, d if d.size else None, n_domains)
    n_hat, p = out["population_size"], out["estimate"]
    out["total_1"], out["total_0"] = n_hat * p, n_hat * (1.0 - p)
    out["se_total_1"] = np.sqrt(out.pop("variance_total_1"))
    out["se_total_0"] = np.sqrt(out.pop("variance_total_0"))
    return out
