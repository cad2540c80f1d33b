"""Each website's domain and access block: filed IPs, where its domain resolves, access truth.

Domains are unique, built from syllables, trade names or names, and ``idn_share`` of
them Chinese; the access defects make a domain unresolved, hosted in another
provider's range, or resolving to an IP of its provider that was not filed.

Examples
--------
>>> import numpy as np
>>> tlds = _domain_tlds(np.random.default_rng(1), np.array([3, 3, 3]))
>>> set(tlds.to_pylist()) <= {"gov.cn", "cn", "com"}
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from beian_audit.synthetic.defects import _ACCESS_CODES
from beian_audit.synthetic.names import _brands, _SponsorNames
from beian_audit.synthetic.network import (
    _Blocks,
    _digits_suffix,
    _ips_to_str,
    _labels,
    _random_ips,
    _unique_domains,
)
from beian_audit.synthetic.params import _ACCESS_MODES, _NATURES
from beian_audit.synthetic.providers import _Providers, _Quality
from beian_audit.synthetic.sponsors import _Websites
from beian_audit.synthetic.vectors import (
    _by_kind,
    _choice,
    _const,
    _join,
    _pa,
    _replace,
    _sub,
    _take,
    _where,
)
from beian_audit.synthetic.vocabulary import _IDN_TLDS, _INDUSTRIES, _TLDS

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _label_bases(
    rng: np.random.Generator, websites: _Websites, pinyin: pa.Array, names: _SponsorNames
) -> tuple[pa.Array, np.ndarray]:
    """Bases of domain labels and their kind.

    Kinds: 0 random syllables (further websites, organisations, half of the
    individuals), 1 the company's trade name in pinyin, 2 the individual's name.
    """
    nature, sponsor_of = websites.nature, websites.sponsor_of
    label_kind = np.where(
        ~websites.first,
        0,
        np.where(
            nature == _NATURES.index("企业"),
            1,
            np.where(nature == _NATURES.index("个人"), 2, 0),
        ),
    )
    label_kind = np.where((label_kind == 2) & (rng.random(websites.n) < 0.5), 0, label_kind)
    base = _by_kind(
        label_kind,
        3,
        lambda f, r: (
            _labels(rng, len(r))
            if f == 0
            else _sub(names.brand_py, names.company_pos[sponsor_of[r]])
            if f == 1
            else _sub(pinyin, sponsor_of[r])
        ),
    )
    return base, label_kind


def _domain_labels(
    rng: np.random.Generator, websites: _Websites, pinyin: pa.Array, names: _SponsorNames
) -> pa.Array:
    """Domain labels: a base plus nothing, the company's industry, or digits."""
    base, label_kind = _label_bases(rng, websites, pinyin, names)
    sponsor_of = websites.sponsor_of
    ind_py = [x for _, x in _INDUSTRIES]
    ind_of = np.zeros(len(names.company_pos), dtype=np.int64)
    ind_of[names.company_rows] = names.industry
    suffix_kind = _choice(rng, websites.n, [0.55, 0.15, 0.30])
    suffix_kind = np.where((suffix_kind == 1) & (label_kind != 1), 0, suffix_kind)
    suffix = _by_kind(
        suffix_kind,
        3,
        lambda f, r: (
            _const("", len(r))
            if f == 0
            else _take(ind_py, ind_of[sponsor_of[r]])
            if f == 1
            else _digits_suffix(rng, len(r))
        ),
    )
    return _join(base, suffix)


def _domain_tlds(rng: np.random.Generator, nature: np.ndarray) -> pa.Array:
    """Top-level domains by the sponsor's nature (gov.cn for government bodies …)."""
    tld_group = np.array(
        [{"企业": 0, "个人": 1, "事业单位": 2, "政府机关": 3}.get(x, 4) for x in _NATURES]
    )[nature]
    tables = [_TLDS["企业"], _TLDS["个人"], _TLDS["事业单位"], _TLDS["政府机关"], _TLDS["other"]]
    return _by_kind(
        tld_group,
        len(tables),
        lambda f, r: _take(
            [t for t, _ in tables[f]], _choice(rng, len(r), [w for _, w in tables[f]])
        ),
    )


@dataclass(frozen=True, slots=True)
class _Domains:
    """Each website's unique domain, whether it is Chinese (IDN), and its home URL."""

    domain: pa.Array
    idn: np.ndarray
    home_url: pa.Array


def _website_domains(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    websites: _Websites,
    pinyin: pa.Array,
    names: _SponsorNames,
) -> _Domains:
    """Unique domains (``idn_share`` of them Chinese) and home URLs of all websites."""
    n, sponsor_of = websites.n, websites.sponsor_of
    label = _domain_labels(rng, websites, pinyin, names)
    tld = _domain_tlds(rng, websites.nature)
    idn = rng.random(n) < p["idn_share"]

    def idn_label(r: np.ndarray) -> pa.Array:
        pos = names.company_pos[sponsor_of[r]]
        has_brand = pos >= 0
        own = _sub(names.brand_zh, np.maximum(pos, 0))
        return _where(has_brand, own, _join(_brands(rng, len(r))[0], "网"))

    label = _replace(label, idn, idn_label)
    tld = _replace(
        tld,
        idn,
        lambda r: _take([t for t, _ in _IDN_TLDS], _choice(rng, len(r), [w for _, w in _IDN_TLDS])),
    )
    domain = _unique_domains(rng, label, tld)
    url_kind = np.where(idn, 3, _choice(rng, n, [0.5, 0.3, 0.1, 0.1]))
    home_url = _by_kind(
        url_kind, 4, lambda f, r: _join(("http://www.", "www.", "", "http://")[f], _sub(domain, r))
    )
    return _Domains(domain=domain, idn=idn, home_url=home_url)


def _filed_ips(
    rng: np.random.Generator, p: Mapping[str, Any], blocks: _Blocks, provider: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and second filed IP of each website, and whether it files two."""
    ip1 = _random_ips(rng, blocks, provider)
    two = rng.random(len(provider)) < p["two_ip_share"]
    ip2 = _random_ips(rng, blocks, provider)
    for _ in range(100):
        clash = two & (ip2 == ip1)
        if not clash.any():
            break
        ip2[clash] = _random_ips(rng, blocks, provider[clash])
    return ip1, ip2, two


def _resolved_ips(
    rng: np.random.Generator,
    prov: _Providers,
    provider: np.ndarray,
    access_code: np.ndarray,
    filed: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each domain resolves, the provider that really hosts it, and the access codes.

    Correct: one of the filed IPs; ``hosted_elsewhere`` (code 1): an IP of another
    provider (with one provider, the domain does not resolve instead); ``ip_not_filed``
    (code 2): another IP of the filed provider.
    """
    ip1, ip2, two = filed
    k, n, blocks = prov.k, len(provider), prov.blocks
    access_code = access_code.copy()
    resolved = np.where(two & (rng.random(n) < 0.5), ip2, ip1)
    other = _choice(rng, n, prov.share)
    step = 1 + np.floor(rng.random(n) * max(k - 1, 1)).astype(np.int64)
    other = np.where(other == provider, (provider + step) % k, other)
    if k == 1:  # nowhere else to be hosted: the domain does not resolve instead
        access_code[access_code == 1] = 0
    hosted_elsewhere = access_code == 1
    resolved = np.where(hosted_elsewhere, _random_ips(rng, blocks, other), resolved)
    not_filed = access_code == 2
    stray = _random_ips(rng, blocks, provider)
    for _ in range(100):
        clash = not_filed & ((stray == ip1) | (two & (stray == ip2)))
        if not clash.any():
            break
        stray[clash] = _random_ips(rng, blocks, provider[clash])
    resolved = np.where(not_filed, stray, resolved)
    return resolved, np.where(hosted_elsewhere, other, provider), access_code


@dataclass(frozen=True, slots=True)
class _Access:
    """The access block of each website and its truth."""

    mode: pa.Array
    server_prov: np.ndarray
    ip1_text: pa.Array  # first filed IP
    ips_text: pa.Array  # filed IPs, ";"-separated
    code: np.ndarray  # index into the access defect codes, -1 when correct
    resolved_text: pa.Array  # null when the domain does not resolve
    host: np.ndarray  # provider really hosting the website
    material: np.ndarray


def _draw_access(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    prov: _Providers,
    quality: _Quality,
    s_prov: np.ndarray,
    websites: _Websites,
) -> _Access:
    """Access mode, server province, filed IPs, access defects and where domains resolve."""
    arrow = _pa()
    n, w_provider = websites.n, websites.provider
    mode = _take(_ACCESS_MODES, _choice(rng, n, [p["access_mode_mix"][x] for x in _ACCESS_MODES]))
    server_prov = np.where(
        rng.random(n) < p["server_in_sponsor_province"],
        s_prov[websites.sponsor_of],
        prov.home[w_provider],
    )
    ip1, ip2, two = _filed_ips(rng, p, prov.blocks, w_provider)
    ip1_text = _ips_to_str(ip1)
    ips_text = _replace(ip1_text, two, lambda r: _join(_sub(ip1_text, r), ";", _ips_to_str(ip2[r])))
    access_code = np.where(
        rng.random(n) >= quality.access[w_provider],
        _choice(rng, n, [p["access_defect_mix"][c] for c in _ACCESS_CODES]),
        -1,
    )
    resolved, host, access_code = _resolved_ips(rng, prov, w_provider, access_code, (ip1, ip2, two))
    resolved_text = _where(
        access_code == 0, arrow.scalar(None, arrow.large_string()), _ips_to_str(resolved)
    )
    return _Access(
        mode=mode,
        server_prov=server_prov,
        ip1_text=ip1_text,
        ips_text=ips_text,
        code=access_code,
        resolved_text=resolved_text,
        host=host,
        material=rng.random(n) < quality.material[w_provider],
    )
