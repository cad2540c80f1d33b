"""Access providers: market shares, quality, licences, and the sites they report.

Providers get log-normal market shares with a fixed largest and top-ten share, a
home province, a licence number, IP blocks, and hidden accuracy probabilities that
are calibrated to the target accuracies; :func:`_accessed_sites` lists what each
provider says it hosts, unfiled sites included.

Examples
--------
>>> s = _provider_shares(50, 0.17, 0.5)
>>> round(float(s[0]), 2), round(float(s[:10].sum()), 2), round(float(s.sum()), 6)
(0.17, 0.5, 1.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit.errors import SyntheticParameterError
from beian_audit.schema import ACCESSED_SITES_SCHEMA, PROVIDER_SCHEMA
from beian_audit.synthetic.defects import _Truth
from beian_audit.synthetic.geography import _Reference
from beian_audit.synthetic.names import _brands
from beian_audit.synthetic.network import (
    _allocate_blocks,
    _Blocks,
    _digits_suffix,
    _ips_to_str,
    _labels,
    _punycode,
    _random_ips,
    _ranges_text,
    _unique_domains,
)
from beian_audit.synthetic.vectors import (
    _by_kind,
    _choice,
    _choice_within,
    _duplicated,
    _frame,
    _join,
    _num,
    _pa,
    _pc,
    _replace,
    _sub,
    _take,
    _to_series,
    _unique_redraw,
    _where,
)
from beian_audit.synthetic.vocabulary import _SUBDOMAINS, _SYLLABLES

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _provider_shares(k: int, largest: float, top10: float) -> np.ndarray:
    """Expected market shares of ``k`` providers, largest first.

    The largest provider gets ``largest``. The other ``k - 1`` get log-normal
    quantile sizes ``exp(sigma * z_i)`` at ``z_i = Phi^-1((i - 0.5)/(k - 1))`` with
    ``sigma`` solved so that the ten largest together hold ``top10``. With ten
    providers or fewer, plain log-normal quantile sizes (sigma = 1) are used; when
    ``top10`` is below what equal sizes give, the others are equal.
    """
    nd = NormalDist()
    if k <= 10:
        z = np.array([nd.inv_cdf((i - 0.5) / k) for i in range(k, 0, -1)])
        w = np.exp(z - z[0])
        return w / w.sum()
    m = k - 1
    z = np.array([nd.inv_cdf((i - 0.5) / m) for i in range(m, 0, -1)])
    goal = (top10 - largest) / (1 - largest)

    def top(sigma: float) -> float:
        w = np.exp(sigma * (z - z[0]))
        return float(w[:9].sum() / w.sum())

    lo, hi = 0.0, 12.0
    if top(0.0) < goal:
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if top(mid) < goal else (lo, mid)
    w = np.exp(lo * (z - z[0]))
    rest = (1 - largest) * w / w.sum()
    if rest[0] > largest:
        raise SyntheticParameterError(
            f"provider_largest_share ({largest!r}) and provider_top10_share ({top10!r}) are "
            f"inconsistent for {k} providers: the second would be larger than the first"
        )
    return np.concatenate([[largest], rest])


def _calibrate(q: np.ndarray, weight: np.ndarray, target: float) -> np.ndarray:
    """Shift ``q`` on the logit scale so that its ``weight``-weighted mean is ``target``."""
    if target <= 0 or target >= 1:
        return np.full_like(q, target)
    q = np.clip(q, 1e-9, 1 - 1e-9)
    logit = np.log(q / (1 - q))
    total = weight.sum()
    if total <= 0:
        return q
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        mean = float(np.sum(weight / (1 + np.exp(-(logit + mid)))) / total)
        lo, hi = (mid, hi) if mean < target else (lo, mid)
    return 1 / (1 + np.exp(-(logit + (lo + hi) / 2)))


@dataclass(slots=True)
class _Providers:
    k: int
    share: np.ndarray
    rank: np.ndarray
    home: np.ndarray
    name: Any
    licence: Any
    national: np.ndarray
    integration: np.ndarray
    q_s: np.ndarray
    q_a: np.ndarray
    q_m: np.ndarray
    laxity: np.ndarray
    blocks: _Blocks


def _make_providers(
    rng: np.random.Generator, p: Mapping[str, Any], ref: _Reference, n: int
) -> _Providers:
    k = p["n_providers"]
    shares_sorted = _provider_shares(k, p["provider_largest_share"], p["provider_top10_share"])
    rank = rng.permutation(k)
    share = shares_sorted[rank]
    hub = ref.prov_is_hub
    hub_w = np.where(
        hub,
        p["provider_hub_share"] * ref.prov_weight / ref.prov_weight[hub].sum(),
        (1 - p["provider_hub_share"]) * ref.prov_weight / ref.prov_weight[~hub].sum(),
    )
    home = _choice(rng, k, hub_w)
    county = _choice_within(rng, home, ref.county_prov, ref.county_weight)
    mids = ("数据", "网络", "信息", "云计算", "通信", "互联", "数码", "电信")
    tails = ("科技", "技术", "服务", "技术服务", "发展")
    mid = _take(mids, rng.integers(0, len(mids), k))
    tail = _take(tails, rng.integers(0, len(tails), k))
    city_short = _take(ref.city_short, ref.county_city[county])
    brand, _ = _brands(rng, k)
    name = _join(city_short, brand, mid, tail, "有限公司")
    for _ in range(100):
        dup = _duplicated(name)
        if not dup.any():
            break
        more, _ = _brands(rng, k)
        brand = _where(dup, _join(brand, more), brand)
        name = _join(city_short, brand, mid, tail, "有限公司")
    national = rank < max(1, round(p["national_provider_share"] * k))
    serial = _unique_redraw(
        rng.integers(2003, 2013, k) * 10_000 + rng.integers(1, 10_000, k),
        lambda m: rng.integers(2003, 2013, m) * 10_000 + rng.integers(1, 10_000, m),
    )
    licence = _join(_where(national, "", _take(ref.prov_prefix, home)), "B1-", _num(serial))
    integration = rng.random(k) < p["integration_passed"]
    kappa = p["provider_quality_concentration"]

    def beta(mean: float) -> np.ndarray:
        return rng.beta(kappa * mean + 1e-9, kappa * (1 - mean) + 1e-9, k)

    q_s, q_a, q_m = (
        beta(p["sponsor_accuracy"]),
        beta(p["access_accuracy"]),
        beta(p["material_uploaded"]),
    )
    laxity = np.exp(p["provider_laxity_sigma"] * rng.standard_normal(k))
    blocks = _allocate_blocks(rng, share, n * (1 + 2 * (1 - p["filing_rate"])))
    return _Providers(
        k=k,
        share=share,
        rank=rank,
        home=home,
        name=name,
        licence=licence,
        national=national,
        integration=integration,
        q_s=q_s,
        q_a=q_a,
        q_m=q_m,
        laxity=laxity,
        blocks=blocks,
    )


def _accessed_sites(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    blocks: _Blocks,
    domain: pa.Array,
    idn: np.ndarray,
    resolved_text: pa.Array,
    ip1_text: pa.Array,
    host: np.ndarray,
    laxity: np.ndarray,
    provider_id: pa.Array,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Sites each provider reports: every filed website plus its unfiled ones."""
    arrow, compute = _pa(), _pc()
    n = len(domain)
    k = len(laxity)
    # Domains as providers report them: IDN as punycode (A-label), sometimes with www.
    # or a subdomain, sometimes in upper case.
    reported = _replace(domain, idn, lambda r: _punycode(_sub(domain, r)))

    def variants(base: Any) -> pa.Array:
        m = len(base)
        form = _choice(rng, m, [0.6, 0.3, 0.05, 0.05])
        return _by_kind(
            form,
            4,
            lambda f, r: (
                _sub(base, r)
                if f == 0
                else _join("www.", _sub(base, r))
                if f == 1
                else _join(
                    _take(_SUBDOMAINS, rng.integers(0, len(_SUBDOMAINS), len(r))),
                    ".",
                    _sub(base, r),
                )
                if f == 2
                else compute.utf8_upper(_sub(base, r))
            ),
        )

    reported = variants(reported)
    ip_seen = compute.coalesce(resolved_text, ip1_text)
    # Unfiled sites: expected count per host proportional to its filed sites times its
    # laxity, scaled so that the expected filing rate is p["filing_rate"].
    weight = np.bincount(host, minlength=k) * laxity
    total_unfiled = n * (1 - p["filing_rate"]) / p["filing_rate"]
    lam = total_unfiled * weight / weight.sum() if weight.sum() > 0 else np.zeros(k)
    unfiled = rng.poisson(lam)
    u_host = np.repeat(np.arange(k), unfiled)
    m = len(u_host)
    # Unfiled labels carry a hyphen, which filed labels never do, so the two sets of
    # domains are disjoint by construction.
    u_label = _join(
        _take(_SYLLABLES, rng.integers(0, len(_SYLLABLES), m)),
        "-",
        _labels(rng, m),
        _where(rng.random(m) < 0.5, _digits_suffix(rng, m), ""),
    )
    u_tld = _take(
        ["com", "cn", "net", "com.cn", "cc", "info"],
        _choice(rng, m, [0.45, 0.2, 0.15, 0.08, 0.07, 0.05]),
    )
    u_domain = _unique_domains(rng, u_label, u_tld)
    u_reported = variants(u_domain)
    u_ip = _ips_to_str(_random_ips(rng, blocks, u_host))
    total = n + m
    order = rng.permutation(total)
    frame = _frame(
        {
            "site_id": _join("S", _num(np.arange(1, total + 1), max(8, len(str(total))))),
            "domain": arrow.concat_arrays([reported, u_reported]).take(arrow.array(order)),
            "ip": arrow.concat_arrays([ip_seen, u_ip]).take(arrow.array(order)),
            "provider_id": _sub(provider_id, np.concatenate([host, u_host])[order]),
            "truth_filed": np.concatenate([np.ones(n, dtype=bool), np.zeros(m, dtype=bool)])[order],
        },
        ACCESSED_SITES_SCHEMA,
    )
    return frame, unfiled


@dataclass(frozen=True, slots=True)
class _Quality:
    """Providers' probabilities, calibrated to the targets over their websites."""

    sponsor: np.ndarray  # a sponsor of the provider is correct
    access: np.ndarray  # an access block is correct
    material: np.ndarray  # verification material was uploaded


def _calibrated_quality(
    p: Mapping[str, Any], prov: _Providers, s_provider: np.ndarray, sizes: np.ndarray
) -> _Quality:
    """Shift the providers' drawn probabilities so their website-weighted means hit the targets."""
    per_provider = np.bincount(s_provider, weights=sizes, minlength=prov.k)
    return _Quality(
        sponsor=_calibrate(prov.q_s, per_provider, p["sponsor_accuracy"]),
        access=_calibrate(prov.q_a, per_provider, p["access_accuracy"]),
        material=_calibrate(prov.q_m, per_provider, p["material_uploaded"]),
    )


def _provider_ids(k: int) -> pa.Array:
    """P0001, P0002, … (at least four digits)."""
    return _join("P", _num(np.arange(1, k + 1), max(4, len(str(k)))))


def _provider_table(prov: _Providers, ref: _Reference, provider_id: pa.Array) -> pd.DataFrame:
    """The providers table (:data:`~beian_audit.schema.PROVIDER_SCHEMA`)."""
    arrow = _pa()
    return _frame(
        {
            "provider_id": provider_id,
            "provider_name": prov.name,
            "licence": prov.licence,
            "home_province": _take(ref.prov_name, prov.home),
            "ip_ranges": arrow.array(_ranges_text(prov.blocks), arrow.large_string()),
            "integration_passed": prov.integration,
        },
        PROVIDER_SCHEMA,
    )


def _provider_truth(
    prov: _Providers,
    quality: _Quality,
    provider_id: pa.Array,
    w_provider: np.ndarray,
    truth: _Truth,
    host: np.ndarray,
    unfiled: np.ndarray,
) -> pd.DataFrame:
    """Hidden per-provider parameters and realised counts."""
    k = prov.k
    return pd.DataFrame(
        {
            "provider_id": _to_series(provider_id, "provider_id"),
            "expected_share": prov.share,
            "size_rank": prov.rank + 1,
            "sponsor_accuracy_p": quality.sponsor,
            "access_accuracy_p": quality.access,
            "material_rate_p": quality.material,
            "laxity": prov.laxity,
            "national_licence": prov.national,
            "n_websites": np.bincount(w_provider, minlength=k),
            "n_sponsor_ok": np.bincount(w_provider[truth.sponsor_ok], minlength=k),
            "n_access_ok": np.bincount(w_provider[truth.access_ok], minlength=k),
            "n_hosted_filed": np.bincount(host, minlength=k),
            "n_hosted_unfiled": unfiled,
        }
    )
