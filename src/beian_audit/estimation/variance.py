"""Variance kernels of :func:`~beian_audit.estimation.stratified.estimate_proportion`.

The Taylor-linearised variance of the ratio (Hájek) estimator of a proportion
and of the estimated totals, for the whole sample and any number of domains at
once, on a design in codes (:class:`~beian_audit.estimation.design._Design`):
PSU totals of the linearised scores, their within-stratum variance with R
survey's fpc and lonely-PSU rules (:func:`_finish`), a multistage design's
stage-2 term (:func:`_stats`), and Kish's design effect of the weights
(:func:`_kish_deff`). Every sum is a ``numpy.bincount``: no Python loop over
strata or domains. Cross-checked against R ``survey`` in
``tests/test_estimation_r_reference.py``.

Examples
--------
>>> import numpy as np
>>> _kish_deff(np.array([1.0, 1.0, 4.0]), None, 1).round(3).tolist()
[1.5]
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from beian_audit.errors import (
    EstimationError,
)
from beian_audit.estimation.design import _CERTAINTY_TOLERANCE, _SHOW, _compact, _Design
from beian_audit.estimation.intervals import (
    DesignStats,
)

__all__ = ["LONELY_PSU_RULES", "LonelyPSU"]

LonelyPSU = Literal["adjust", "average", "certainty", "remove", "fail"]
LONELY_PSU_RULES: tuple[str, ...] = get_args(LonelyPSU)


def _whole_sample_one_weight_per_stratum(
    y: np.ndarray, design: _Design, lonely_psu: str, total: bool = False
) -> dict[str, np.ndarray]:
    """:func:`_domain_stats` of the whole sample, element sampling, one weight per stratum.

    With :math:`k_h` successes among :math:`m_h` rows, the scores take two
    values, :math:`a(1-\\hat p)` and :math:`-a \\hat p` with :math:`a = w_h / W`, so
    a stratum's sum of squared deviations is :math:`a^2 k_h (m_h - k_h) / m_h`
    exactly: no per-row pass, and no cancellation (0 when :math:`k_h` is 0 or
    :math:`m_h`). For a total (``total=True``) the scores are :math:`w_h y`:
    :math:`a = w_h` and the stratum sum is :math:`a k_h`.
    """
    H = design.n_h.size
    m = design.n_h.astype(float)
    if design.starts is not None:
        k = np.add.reduceat(y, design.starts)
    else:
        k = np.bincount(design.stratum, weights=y, minlength=H)
    assert design.w_h is not None
    w_g = np.array([(design.w_h * m).sum()])
    p_g = np.array([(design.w_h * k).sum()]) / w_g
    a = design.w_h if total else design.w_h / w_g[0]
    ss = a * a * k * (m - k) / m
    s1 = a * k if total else a * (k - m * p_g[0])
    return _finish(
        ss, s1, np.zeros(H, dtype=np.int64), np.arange(H), 1, design, lonely_psu,
        np.array([float(y.size)]), w_g, p_g, np.array([float(y.size)]),
    )


def _domain_stats(
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    lonely_psu: str,
    total: bool = False,
) -> dict[str, np.ndarray]:
    """Estimate, variance and design counts for every domain code in ``d``.

    ``d`` holds a domain code per row, ``-1`` for rows outside every domain
    (missing outcome); an empty ``d`` means one domain holding every row.
    Rows outside a domain count as zeros in its linearised scores while every
    stratum keeps its full number of PSUs: R ``subset()`` semantics.

    ``total=True``: the variance is that of the estimated total
    :math:`\\sum_d w y` (scores :math:`w y`, R ``svytotal``), not of the mean.
    """
    G = n_domains
    if d.size == 0 and design.psu is None and design.w_h is not None:
        return _whole_sample_one_weight_per_stratum(y, design, lonely_psu, total)
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

    with np.errstate(all="ignore"):
        if G == 1:  # the whole sample: scalars, no gathers
            n_g = np.array([float(dk.size)])
            w_g = np.array([wk.sum()])
            # same (pairwise) summation as w_g, so all-ones gives exactly 1
            p_g = np.array([(wk * yk).sum()]) / w_g
            if total:
                z = wk * yk
            else:
                z = yk - p_g[0]  # z = w (y - p) / W, in place
                z /= w_g[0]
                z *= wk
        else:
            n_g = np.bincount(dk, minlength=G).astype(float)
            w_g = np.bincount(dk, weights=wk, minlength=G)
            p_g = np.bincount(dk, weights=wk * yk, minlength=G) / w_g
            z = wk * yk if total else wk * (yk - p_g[dk]) / w_g[dk]

    # cells: (domain, PSU) pairs holding at least one row of the domain
    if design.psu is None:
        cell_g, cell_h, z_cell = dk, hk, z
    else:
        P = int(design.psu_stratum.size)  # type: ignore[union-attr]
        psu_k = design.psu if rows is None else design.psu[rows]
        key = dk.astype(np.int64) * P + psu_k
        cell, uniques = _compact(key, G * P)
        cell_g = uniques // P
        cell_h = design.psu_stratum[uniques % P]  # type: ignore[index]
        z_cell = np.bincount(cell, weights=z, minlength=uniques.size)

    if G == 1 and rows is None and design.psu is None and design.starts is not None:
        # rows grouped by stratum (codes 0..H-1 in order): contiguous segment sums
        starts = design.starts
        m = design.n_h.astype(float)
        s1 = np.add.reduceat(z, starts)
        zbar = s1 / m
        dev = np.repeat(zbar, design.n_h)
        np.subtract(z, dev, out=dev)
        np.multiply(dev, dev, out=dev)
        ss = np.add.reduceat(dev, starts)
        ss = np.where(ss <= 1e-24 * (z @ z), 0.0, ss)
        return _finish(
            ss, s1, np.zeros(H, dtype=np.int64), np.arange(H), 1, design, lonely_psu,
            n_g, w_g, p_g, np.array([float(z.size)]),
        )

    # (domain, stratum) pairs holding at least one row of the domain
    if G == 1:
        m_h = np.bincount(cell_h, minlength=H)
        present = m_h > 0
        if present.all():
            gh, gh_h, m = cell_h, np.arange(H), m_h.astype(float)
        else:
            remap = np.cumsum(present) - 1
            gh, gh_h, m = remap[cell_h], np.flatnonzero(present), m_h[present].astype(float)
        gh_g = np.zeros(gh_h.size, dtype=np.int64)
        n_pairs = gh_h.size
    else:
        key2 = cell_g.astype(np.int64) * H + cell_h
        gh, u2 = _compact(key2, G * H)
        gh_g, gh_h = u2 // H, u2 % H
        n_pairs = gh_g.size
        m = np.bincount(gh, minlength=n_pairs).astype(float)
    s1 = np.bincount(gh, weights=z_cell, minlength=n_pairs)
    nh = design.n_h[gh_h].astype(float)
    zbar = s1 / nh
    dev = z_cell - zbar[gh]
    ss = np.bincount(gh, weights=dev * dev, minlength=n_pairs) + (nh - m) * zbar * zbar
    # A stratum whose PSU totals are all equal (same outcome, same weight) has
    # SS = 0 exactly; rounding leaves ~eps^2 * sum(z^2). Zero anything below
    # 1e-24 of the domain's sum of squared scores (which changes a genuine
    # variance by less than that), or p(1-p)/v becomes astronomically large.
    if G == 1:
        scale_g = np.array([z_cell @ z_cell])
    else:
        scale_g = np.bincount(cell_g, weights=z_cell * z_cell, minlength=G)
    ss = np.where(ss <= 1e-24 * scale_g[gh_g], 0.0, ss)
    n_psu_g = (
        np.array([float(cell_g.size)]) if G == 1 else np.bincount(cell_g, minlength=G).astype(float)
    )
    return _finish(ss, s1, gh_g, gh_h, G, design, lonely_psu, n_g, w_g, p_g, n_psu_g)


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
) -> dict[str, np.ndarray]:
    """Per-(domain, stratum) sums of squares -> per-domain variance and counts."""
    nh = design.n_h[gh_h].astype(float)
    fh = design.f_h[gh_h]
    certain = fh < _CERTAINTY_TOLERANCE
    lonely = (nh == 1) & ~certain
    with np.errstate(all="ignore"):
        v_pair = np.where(nh > 1, fh * nh / (nh - 1.0) * ss, 0.0)
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
        else:  # certainty / remove
            v_pair = np.where(lonely, 0.0, v_pair)
    v_pair = np.where(certain, 0.0, v_pair)

    ok = ~np.isnan(v_pair)
    v_g = np.bincount(gh_g, weights=np.where(ok, v_pair, 0.0), minlength=G)
    n_strata_g = np.bincount(gh_g, minlength=G).astype(float)
    if lonely_psu == "average":
        n_ok = np.bincount(gh_g, weights=ok.astype(float), minlength=G)
        with np.errstate(all="ignore"):
            v_g = np.where(n_ok > 0, v_g * n_strata_g / n_ok, np.nan)
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
    with np.errstate(all="ignore"):
        deff = n * s2 / (s1 * s1)
    # rounding can leave equal weights a hair below 1
    return np.where(n > 0, np.maximum(deff, 1.0), np.nan)


def _with_totals(
    stats: dict[str, np.ndarray],
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    stage2: _Design | None,
    lonely_psu: str,
) -> dict[str, np.ndarray]:
    """Add the estimated totals of units with outcome 1 and 0 and their standard errors."""
    n_hat, p = stats["population_size"], stats["estimate"]
    out = dict(stats)
    for key, values in (("1", y), ("0", 1.0 - y)):
        v = _stats(values, d, n_domains, design, stage2, lonely_psu, total=True)["variance"]
        out[f"total_{key}"] = n_hat * (p if key == "1" else 1.0 - p)
        out[f"se_total_{key}"] = np.sqrt(v)
    return out


def _stats(
    y: np.ndarray,
    d: np.ndarray,
    n_domains: int,
    design: _Design,
    stage2: _Design | None,
    lonely_psu: str,
    total: bool = False,
) -> dict[str, np.ndarray]:
    """:func:`_domain_stats` of stage 1 plus, for a multistage design, the stage-2 variance."""
    out = _domain_stats(y, d, n_domains, design, lonely_psu, total)
    if stage2 is not None:
        within = _domain_stats(y, d, n_domains, stage2, lonely_psu, total)
        out["variance"] = out["variance"] + within["variance"]
        out["census"] = out["census"] & within["census"]
        out["n_lonely_strata"] = out["n_lonely_strata"] + within["n_lonely_strata"]
    return out
