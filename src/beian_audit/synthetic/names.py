"""Names of persons, companies and organisations, and the sponsor name of each sponsor.

Person names come from common surnames and given characters; company names combine
a city, a trade name (字号), an industry and a legal form; organisations are named
after their city or county.

Examples
--------
>>> import numpy as np
>>> name, pinyin = _person_names(np.random.default_rng(1), 3)
>>> len(name), len(pinyin)
(3, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from beian_audit.synthetic.geography import _Reference
from beian_audit.synthetic.params import _NATURES
from beian_audit.synthetic.vectors import (
    _by_kind,
    _choice,
    _choose,
    _duplicated,
    _join,
    _replace,
    _scatter,
    _sub,
    _take,
    _where,
)
from beian_audit.synthetic.vocabulary import (
    _BRAND,
    _DEPARTMENTS,
    _FIELDS,
    _GIVEN,
    _INDUSTRIES,
    _INSTITUTIONS,
    _NONPROFIT_SUFFIXES,
    _NUMERALS,
    _SMALL_BUSINESS,
    _SURNAMES,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _person_names(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """Chinese names (common surnames, one or two given characters) and their pinyin."""
    sur = _choice(rng, n, [w for _, _, w in _SURNAMES])
    two = rng.random(n) < 0.7
    g1 = rng.integers(0, len(_GIVEN), n)
    g2 = rng.integers(0, len(_GIVEN), n)
    gz = [c for c, _ in _GIVEN]
    gp = [p for _, p in _GIVEN]
    name = _join(
        _take([s for s, _, _ in _SURNAMES], sur), _take(gz, g1), _where(two, _take(gz, g2), "")
    )
    pinyin = _join(
        _take([p for _, p, _ in _SURNAMES], sur), _take(gp, g1), _where(two, _take(gp, g2), "")
    )
    return name, pinyin


def _brands(rng: np.random.Generator, n: int) -> tuple[pa.Array, pa.Array]:
    """Trade names (字号) of 2 or 3 characters and their pinyin."""
    bz = [c for c, _ in _BRAND]
    bp = [p for _, p in _BRAND]
    three = rng.random(n) < 0.2
    a, b, c = (rng.integers(0, len(_BRAND), n) for _ in range(3))
    zh = _join(_take(bz, a), _take(bz, b), _where(three, _take(bz, c), ""))
    py = _join(_take(bp, a), _take(bp, b), _where(three, _take(bp, c), ""))
    return zh, py


def _company_names(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> dict[str, Any]:
    """Company names such as 杭州云帆网络科技有限公司, distinct within the call."""
    n = len(county)
    city = ref.county_city[county]
    prov = ref.county_prov[county]
    form = _choice(rng, n, [0.55, 0.10, 0.10, 0.05, 0.10, 0.10])
    industry = rng.integers(0, len(_INDUSTRIES), n)
    small = rng.integers(0, len(_SMALL_BUSINESS), n)
    brand_zh, brand_py = _brands(rng, n)
    ind = [z for z, _ in _INDUSTRIES]

    def names(rows: np.ndarray, bz: Any) -> pa.Array:
        def one(k: int, r: np.ndarray) -> pa.Array:
            b = _sub(bz, r)
            cs = _take(ref.city_short, city[rows[r]])
            i = _take(ind, industry[rows[r]])
            if k == 0:
                return _join(cs, b, i, "有限公司")
            if k == 1:
                return _join(cs, "市", b, i, "有限公司")
            if k == 2:
                return _join(b, i, "有限公司")
            if k == 3:
                return _join(_take(ref.prov_short, prov[rows[r]]), b, i, "股份有限公司")
            if k == 4:
                return _join(cs, b, i, "有限责任公司")
            return _join(
                cs,
                _take(ref.county_short, county[rows[r]]),
                b,
                _take(_SMALL_BUSINESS, small[rows[r]]),
            )

        return _by_kind(form[rows], 6, one)

    name = names(np.arange(n), brand_zh)
    for _ in range(100):
        dup = _duplicated(name)
        if not dup.any():
            break
        rows = np.flatnonzero(dup)
        extra_zh, extra_py = _brands(rng, len(rows))
        brand_zh = _replace(brand_zh, dup, lambda _r, z=extra_zh: z)
        brand_py = _replace(brand_py, dup, lambda _r, y=extra_py: y)
        name = _replace(name, dup, lambda r, bz=brand_zh: names(r, _sub(bz, r)))
    return {
        "name": name,
        "brand_zh": brand_zh,
        "brand_py": brand_py,
        "industry": industry,
        "small_business": form == 5,
    }


def _org_names(
    rng: np.random.Generator, ref: _Reference, county: np.ndarray, nature: str
) -> pa.Array:
    """Names of institutions, government bodies, social groups and non-profits."""
    n = len(county)
    city_full = _take(ref.city_name, ref.county_city[county])
    county_full = _take(ref.county_scope, county)
    if nature == "事业单位":
        t = rng.integers(0, len(_INSTITUTIONS), n)
        scope = np.array([s == "county" for s, _ in _INSTITUTIONS])[t]
        pre = [x.split("{n}")[0] if "{n}" in x else "" for _, x in _INSTITUTIONS]
        post = [x.split("{n}")[1] if "{n}" in x else x for _, x in _INSTITUTIONS]
        has_num = np.array(["{n}" in x for _, x in _INSTITUTIONS])[t]
        num = _where(has_num, _take(_NUMERALS, rng.integers(0, len(_NUMERALS), n)), "")
        return _join(_where(scope, county_full, city_full), _take(pre, t), num, _take(post, t))
    if nature == "政府机关":
        scope = rng.random(n) < 0.6
        return _join(
            _where(scope, county_full, city_full),
            _take(_DEPARTMENTS, rng.integers(0, len(_DEPARTMENTS), n)),
        )
    if nature == "社会团体":
        kind = _choice(rng, n, [0.5, 0.3, 0.2])
        trade = _take([z for z, _ in _INDUSTRIES], rng.integers(0, len(_INDUSTRIES), n))
        field_ = _take(_FIELDS, rng.integers(0, len(_FIELDS), n))
        other_city = _take(ref.city_short, rng.integers(0, len(ref.city_short), n))
        return _choose(
            kind,
            _join(city_full, trade, "行业协会"),
            _join(city_full, field_, "学会"),
            _join(city_full, other_city, "商会"),
        )
    brand, _ = _brands(rng, n)
    if nature == "基金会":
        return _join(city_full, brand, "慈善基金会")
    return _join(
        city_full, brand, _take(_NONPROFIT_SUFFIXES, rng.integers(0, len(_NONPROFIT_SUFFIXES), n))
    )


@dataclass(frozen=True, slots=True)
class _SponsorNames:
    """Sponsor names, and the trade names and industries of the company sponsors."""

    name: pa.Array  # per sponsor
    company_rows: np.ndarray  # sponsors named as companies
    company_pos: np.ndarray  # per sponsor: its position in company_rows, -1 if none
    brand_zh: pa.Array  # per company row
    brand_py: pa.Array
    industry: np.ndarray
    small_business: np.ndarray


def _sponsor_names(
    rng: np.random.Generator,
    ref: _Reference,
    nature: np.ndarray,
    county: np.ndarray,
    person_name: pa.Array,
    ncm: np.ndarray,
) -> _SponsorNames:
    """The name of every sponsor by its nature.

    Companies — and individuals with ``nature_cert_mismatch`` (``ncm``), who file
    under a company name — get company names, other individuals their principal's
    name (``person_name`` of persons 0..n_s-1), organisations a name of their kind.
    """
    n_s = len(nature)
    is_person = nature == _NATURES.index("个人")
    company_rows = np.flatnonzero((nature == _NATURES.index("企业")) | (is_person & ncm))
    comp = _company_names(rng, ref, county[company_rows])
    comp_pos = np.full(n_s, -1, dtype=np.int64)
    comp_pos[company_rows] = np.arange(len(company_rows))
    name_parts: list[tuple[np.ndarray, Any]] = [(company_rows, comp["name"])]
    rows = np.flatnonzero(is_person & ~ncm)
    name_parts.append((rows, _sub(person_name, rows)))
    for nat in ("事业单位", "政府机关", "社会团体", "民办非企业单位", "基金会"):
        rows = np.flatnonzero(nature == _NATURES.index(nat))
        if len(rows):
            name_parts.append((rows, _org_names(rng, ref, county[rows], nat)))
    return _SponsorNames(
        name=_scatter(n_s, name_parts),
        company_rows=company_rows,
        company_pos=comp_pos,
        brand_zh=comp["brand_zh"],
        brand_py=comp["brand_py"],
        industry=comp["industry"],
        small_business=comp["small_business"],
    )


def _investors(
    rng: np.random.Generator,
    ref: _Reference,
    nature: np.ndarray,
    city: np.ndarray,
    sponsor_name: pa.Array,
    person_name: pa.Array,
) -> pa.Array:
    """Investor or competent authority (投资者或上级主管单位) of each sponsor.

    Individuals: themselves; companies: the principal (60 %) or another person;
    organisations: the city's government, or its civil affairs bureau (民政局) for
    social groups, non-profits and foundations.
    """
    n_s = len(nature)
    is_person = nature == _NATURES.index("个人")
    is_company = nature == _NATURES.index("企业")
    inv_kind = np.where(
        is_person, 0, np.where(is_company, np.where(rng.random(n_s) < 0.6, 1, 2), 3)
    )
    civil = np.isin(nature, [_NATURES.index(x) for x in ("社会团体", "民办非企业单位", "基金会")])
    return _by_kind(
        inv_kind,
        4,
        lambda f, r: (
            _sub(sponsor_name, r)
            if f == 0
            else _sub(person_name, r)
            if f == 1
            else _person_names(rng, len(r))[0]
            if f == 2
            else _join(_take(ref.city_name, city[r]), _where(civil[r], "民政局", "人民政府"))
        ),
    )
