"""Realised rates of a synthetic registry against the rates its parameters imply.

Examples
--------
>>> round(expected_rates()["both_accuracy"], 3)
0.546
>>> _cluster_se(np.array([1.0, 0.0, 1.0, 1.0]), np.array([0, 0, 1, 1]))
0.25
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from beian_audit._results import ResultMixin
from beian_audit.errors import SyntheticParameterError
from beian_audit.synthetic.defects import (
    _ACCESS_CODES,
    _SPONSOR_CODES,
    DEFECT_CODES,
    _sponsor_code_given_defective,
)
from beian_audit.synthetic.params import _NATURES, _fmt_allowed, _resolve_params
from beian_audit.synthetic.providers import _provider_shares
from beian_audit.synthetic.world import SyntheticWorld


def expected_rates(
    params: Mapping[str, Any] | None = None, *, n_providers: int | None = None
) -> dict[str, float]:
    """Expected values of the realised rates under the given (or default) parameters.

    Parameters
    ----------
    params : mapping, optional
        Generator parameters (as in :data:`DEFAULT_PARAMS`, or ``SyntheticWorld.params``).
    n_providers : int, optional
        Number of providers for the concentration figures; defaults to
        ``params["n_providers"]`` or 1,000.

    Returns
    -------
    dict
        Metric name -> expected value (the keys of :func:`realised_rates`).

    Examples
    --------
    >>> e = expected_rates()
    >>> e["sponsor_accuracy"], e["access_accuracy"], e["filing_rate"]
    (0.7, 0.78, 0.9925)
    >>> round(e["defect_rate:phone_dead"], 4)
    0.0699
    """
    given = dict(params or {})
    for key in ("n_websites", "seed", "generator_version", "reference_fingerprint"):
        given.pop(key, None)
    k = n_providers if n_providers is not None else given.get("n_providers") or 1000
    given["n_providers"] = int(k)
    p = _resolve_params(1, 0, given)
    out: dict[str, float] = {
        "filing_rate": p["filing_rate"],
        "sponsor_accuracy": p["sponsor_accuracy"],
        "access_accuracy": p["access_accuracy"],
        "both_accuracy": p["sponsor_accuracy"] * p["access_accuracy"],
        "material_uploaded": p["material_uploaded"],
        "websites_per_sponsor": p["websites_per_sponsor"],
    }
    shares = _provider_shares(int(k), p["provider_largest_share"], p["provider_top10_share"])
    out["provider_largest_share"] = float(shares[0])
    out["provider_top10_share"] = float(shares[:10].sum())
    given_def = _sponsor_code_given_defective(p)
    for code in _SPONSOR_CODES:
        out[f"defect_rate:{code}"] = (1 - p["sponsor_accuracy"]) * given_def[code]
    for code in _ACCESS_CODES:
        out[f"defect_rate:{code}"] = (1 - p["access_accuracy"]) * p["access_defect_mix"][code]
    for nature in _NATURES:
        out[f"nature_share:{nature}"] = p["nature_mix"][nature]
    return out


@dataclass(frozen=True, slots=True, kw_only=True, eq=False, repr=False)
class SyntheticRates(ResultMixin):
    """Realised rates of a synthetic registry next to their expected values.

    ``table`` has one row per metric with columns ``metric``, ``expected``,
    ``realised``, ``difference``, ``se`` (standard error of the realised
    proportion: binomial for accessed sites, access defects and sponsor natures;
    clustered by sponsor for sponsor-block figures, whose truth is shared by all
    websites of a sponsor), ``z`` (difference / se) and ``n`` (denominator).
    """

    table: pd.DataFrame
    n_websites: int
    n_sponsors: int
    n_providers: int

    def to_frame(self) -> pd.DataFrame:
        """The metrics table (a copy)."""
        return self.table.copy()

    def _summary(self) -> str:
        realised_of = dict(zip(self.table["metric"], self.table["realised"], strict=True))
        expected_of = dict(zip(self.table["metric"], self.table["expected"], strict=True))
        parts = [f"n_websites={self.n_websites}"]
        for m in ("filing_rate", "sponsor_accuracy", "access_accuracy"):
            if m in realised_of:
                realised, expected = float(realised_of[m]), float(expected_of[m])
                parts.append(f"{m}={realised:.4f} (expected {expected:.4f})")
        return ", ".join(parts)


def _cluster_se(y: np.ndarray, cluster: np.ndarray) -> float:
    """Linearisation SE of a mean of ``y`` over clusters (Kish 1965; Lohr 2010 §9.2)."""
    n = len(y)
    c = int(cluster.max()) + 1 if n else 0
    if n == 0 or c < 2:
        return float("nan")
    mean = y.mean()
    totals = np.bincount(cluster, weights=y, minlength=c)
    sizes = np.bincount(cluster, minlength=c)
    resid = totals - mean * sizes
    return float(math.sqrt(c / (c - 1) * np.sum(resid**2)) / n)


def _binom_se(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n) if n > 0 else float("nan")


def realised_rates(
    data: SyntheticWorld | pd.DataFrame,
    *,
    accessed_sites: pd.DataFrame | None = None,
    params: Mapping[str, Any] | None = None,
) -> SyntheticRates:
    """Realised filing rate, accuracies, defect rates, concentration and nature mix.

    Parameters
    ----------
    data : SyntheticWorld or DataFrame
        A world from :func:`generate_world`, or a filings table with the truth
        columns (e.g. :func:`load_synthetic_registry`).
    accessed_sites : DataFrame, optional
        The accessed-site list (needed for the filing rate when ``data`` is a frame).
    params : mapping, optional
        Generator parameters for the expected values; defaults to the world's, else
        :data:`DEFAULT_PARAMS` (with the number of providers seen in the data).

    Returns
    -------
    SyntheticRates
        ``.to_frame()``: metric, expected, realised, difference, se, z, n.

    Examples
    --------
    >>> from beian_audit.synthetic import generate_world
    >>> w = generate_world(5_000, seed=11)
    >>> t = realised_rates(w).to_frame().set_index("metric")
    >>> bool(abs(t.loc["sponsor_accuracy", "z"]) < 4)
    True
    >>> float(t.loc["nature_share:企业", "expected"])
    0.648
    """
    if isinstance(data, SyntheticWorld):
        filings = data.filings
        accessed_sites = data.accessed_sites if accessed_sites is None else accessed_sites
        params = data.params if params is None else params
    elif isinstance(data, pd.DataFrame):
        filings = data
    else:
        raise SyntheticParameterError(
            f"data ({type(data).__name__}) must be a SyntheticWorld or a DataFrame"
        )
    missing = [
        c
        for c in (
            "sponsor_id",
            "provider_id",
            "sponsor_nature",
            "truth_sponsor_ok",
            "truth_access_ok",
            "truth_defects",
        )
        if c not in filings
    ]
    if missing:
        raise SyntheticParameterError(f"data lacks the columns {_fmt_allowed(missing)}")
    n_prov_seen = int(filings["provider_id"].nunique())
    params = dict(params or {})
    expected = expected_rates(params, n_providers=params.get("n_providers") or n_prov_seen)
    sponsor_codes, _ = pd.factorize(filings["sponsor_id"])
    n = len(filings)
    rows: list[tuple[str, float, float, float, int]] = []

    def add(metric: str, realised: float, se: float, denom: int) -> None:
        rows.append((metric, expected.get(metric, float("nan")), realised, se, denom))

    if accessed_sites is not None:
        filed = accessed_sites["truth_filed"].to_numpy(dtype=bool)
        add(
            "filing_rate",
            float(filed.mean()),
            _binom_se(float(filed.mean()), len(filed)),
            len(filed),
        )
    s_ok = filings["truth_sponsor_ok"].to_numpy(dtype=bool)
    a_ok = filings["truth_access_ok"].to_numpy(dtype=bool)
    add("sponsor_accuracy", float(s_ok.mean()), _cluster_se(s_ok.astype(float), sponsor_codes), n)
    add("access_accuracy", float(a_ok.mean()), _binom_se(float(a_ok.mean()), n), n)
    both = (s_ok & a_ok).astype(float)
    add("both_accuracy", float(both.mean()), _cluster_se(both, sponsor_codes), n)
    if "material_uploaded" in filings:
        mat = filings["material_uploaded"].to_numpy(dtype=bool)
        add("material_uploaded", float(mat.mean()), _binom_se(float(mat.mean()), n), n)
    n_s = int(sponsor_codes.max()) + 1
    add("websites_per_sponsor", n / n_s, float("nan"), n_s)
    counts = np.sort(filings["provider_id"].value_counts().to_numpy())[::-1]
    add("provider_largest_share", float(counts[0] / n), float("nan"), n)
    add("provider_top10_share", float(counts[:10].sum() / n), float("nan"), n)
    defects = filings["truth_defects"].fillna("")
    block = {d.code: d.block for d in DEFECT_CODES}
    for d in DEFECT_CODES:
        has = defects.str.contains(rf"(?:^|;){d.code}(?:;|$)", regex=True).to_numpy(dtype=bool)
        rate = float(has.mean())
        se = (
            _cluster_se(has.astype(float), sponsor_codes)
            if block[d.code] == "sponsor"
            else _binom_se(rate, n)
        )
        add(f"defect_rate:{d.code}", rate, se, n)
    first = np.unique(sponsor_codes, return_index=True)[1]
    natures = filings["sponsor_nature"].to_numpy(dtype=object)[first]
    for nature in _NATURES:
        share = float(np.mean(natures == nature))
        add(f"nature_share:{nature}", share, _binom_se(share, len(natures)), len(natures))
    table = pd.DataFrame(rows, columns=["metric", "expected", "realised", "se", "n"])
    table["difference"] = table["realised"] - table["expected"]
    table["z"] = table["difference"] / table["se"]
    table = table[["metric", "expected", "realised", "difference", "se", "z", "n"]]
    return SyntheticRates(table=table, n_websites=n, n_sponsors=n_s, n_providers=n_prov_seen)
