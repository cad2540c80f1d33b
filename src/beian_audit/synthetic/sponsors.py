"""Sponsors (主体), their websites and principals, filing numbers and certificates.

Sponsors are drawn with their number of websites, nature, county and access
provider; their websites are laid out in sponsor order with approval dates; each
sponsor gets a filing (ICP) number; principals (负责人) are the sponsor principals
followed by the website principals who are someone else; certificates are the
principal's resident ID card or the organisation's credit code.

Examples
--------
>>> import numpy as np
>>> from beian_audit.synthetic.params import _resolve_params
>>> p = _resolve_params(1_000, 1, {})
>>> sizes = _sponsor_sizes(np.random.default_rng(1), 1_000, p)
>>> int(sizes.sum()), bool((sizes >= 1).all())
(1000, True)
>>> one = np.zeros(2, dtype=np.int64)
>>> sponsors = _Sponsors(sizes=np.array([2, 1]), nature=one, prov=one, county=one,
...                      city=one, provider=one)
>>> w = _draw_websites(np.random.default_rng(1), _resolve_params(3, 1, {}), sponsors)
>>> w.sponsor_of.tolist(), w.seq.tolist(), w.first_row.tolist()
([0, 0, 1], [1, 2, 1], [0, 2])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit.synthetic.defects import _Defects
from beian_audit.synthetic.geography import _MUNICIPALITIES, _Reference
from beian_audit.synthetic.identity import (
    _ALPHA,
    _ALPHA_INDEX,
    _NATURE_USCC,
    _id_bodies,
    _ric_check,
    _ric_strings,
    _uscc_matrix,
    _year_dates,
)
from beian_audit.synthetic.names import _person_names, _SponsorNames
from beian_audit.synthetic.params import _NATURES, _tail_and_body
from beian_audit.synthetic.vectors import (
    _ascii,
    _by_kind,
    _choice,
    _choice_within,
    _join,
    _num,
    _sub,
    _take,
    _where,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _sponsor_sizes(rng: np.random.Generator, n: int, p: Mapping[str, Any]) -> np.ndarray:
    """Websites per sponsor: geometric body with a discrete, capped Pareto tail."""
    _, body_mean = _tail_and_body(p)
    tau, alpha = p["sponsor_tail_share"], p["sponsor_tail_alpha"]
    xmin, xmax = p["sponsor_tail_min"], p["sponsor_tail_max"]
    chunks: list[np.ndarray] = []
    total = 0
    while total < n:
        m = int(n / p["websites_per_sponsor"] * 1.05) + 64
        tail = rng.random(m) < tau
        body = rng.geometric(1 / body_mean, m)
        pareto = np.minimum(np.floor(xmin * (1 - rng.random(m)) ** (-1 / alpha)), xmax)
        counts = np.where(tail, pareto, body).astype(np.int64)
        chunks.append(counts)
        total += int(counts.sum())
    counts = np.concatenate(chunks)
    cum = np.cumsum(counts)
    n_s = int(np.searchsorted(cum, n)) + 1
    counts = counts[:n_s].copy()
    counts[-1] -= int(cum[n_s - 1] - n)
    return counts


@dataclass(frozen=True, slots=True)
class _Sponsors:
    """Sponsors: websites each, nature (index into the natures), province, county,
    city (indexes into the reference) and access provider."""

    sizes: np.ndarray
    nature: np.ndarray
    prov: np.ndarray
    county: np.ndarray
    city: np.ndarray
    provider: np.ndarray

    @property
    def n(self) -> int:
        return len(self.sizes)

    @property
    def is_person(self) -> np.ndarray:
        return self.nature == _NATURES.index("个人")

    @property
    def is_company(self) -> np.ndarray:
        return self.nature == _NATURES.index("企业")


def _draw_sponsors(
    rng: np.random.Generator, p: Mapping[str, Any], ref: _Reference, share: np.ndarray
) -> _Sponsors:
    """Sponsors with their size, nature, place and provider (by ``share``)."""
    sizes = _sponsor_sizes(rng, p["n_websites"], p)
    n_s = len(sizes)
    nature = _choice(rng, n_s, [p["nature_mix"][x] for x in _NATURES])
    s_prov = _choice(rng, n_s, ref.prov_weight)
    s_county = _choice_within(rng, s_prov, ref.county_prov, ref.county_weight)
    s_city = ref.county_city[s_county]
    s_provider = _choice(rng, n_s, share)
    return _Sponsors(
        sizes=sizes, nature=nature, prov=s_prov, county=s_county, city=s_city, provider=s_provider
    )


def _icp_numbers(
    rng: np.random.Generator,
    ref: _Reference,
    s_prov: np.ndarray,
    s_first_year: np.ndarray,
    bad: np.ndarray,
) -> pa.Array:
    """Distinct filing numbers such as 浙ICP备13012345号, one per sponsor.

    The prefix is the sponsor's province, or another one where ``bad``
    (icp_prefix_mismatch); the serial has 6 digits before 2005, then 8 (two-digit
    year) up to 2018 and 10 (four-digit year) after.
    """
    n_ref = len(ref.prov_name)
    n_s = len(s_prov)
    # ICP numbers: prefix of the sponsor's province, or another (icp_prefix_mismatch).
    icp_prov = s_prov.copy()
    icp_prov[bad] = (s_prov[bad] + 1 + rng.integers(0, n_ref - 1, int(bad.sum()))) % n_ref
    yk = np.where(s_first_year < 2005, 0, s_first_year)
    key = icp_prov * 10**11 + yk * 10**6 + rng.integers(0, 1_000_000, n_s)
    for _ in range(200):
        dup = pd.Series(key).duplicated().to_numpy()
        if not dup.any():
            break
        key[dup] = (key[dup] // 10**6) * 10**6 + rng.integers(0, 1_000_000, int(dup.sum()))
    serial6 = key % 10**6
    fmt = np.where(s_first_year < 2005, 0, np.where(s_first_year <= 2018, 1, 2))
    serial = np.where(
        fmt == 1,
        (s_first_year % 100) * 10**6 + serial6,
        np.where(fmt == 2, s_first_year * 10**6 + serial6, serial6),
    )
    return _join(
        _take(ref.prov_prefix, icp_prov),
        "ICP备",
        _by_kind(fmt, 3, lambda f, r: _num(serial[r], (6, 8, 10)[f])),
        "号",
    )


@dataclass(frozen=True, slots=True)
class _Websites:
    """Websites in sponsor order: their sponsor, number within it, nature, provider and
    approval, and each sponsor's first filing year."""

    sponsor_of: np.ndarray
    first_row: np.ndarray  # per sponsor: row of its first website
    seq: np.ndarray  # 1, 2, … within the sponsor
    nature: np.ndarray
    provider: np.ndarray
    year: np.ndarray
    approval: np.ndarray  # datetime64[D]
    sponsor_first_year: np.ndarray  # per sponsor

    @property
    def n(self) -> int:
        return len(self.sponsor_of)

    @property
    def first(self) -> np.ndarray:
        return self.seq == 1


def _draw_websites(
    rng: np.random.Generator, p: Mapping[str, Any], sponsors: _Sponsors
) -> _Websites:
    """Lay out the websites of each sponsor and draw their approval dates.

    Approvals grow by ``approval_growth`` a year; a sponsor first filed in the year
    of its first approval or, for 20 %, one or two years before.
    """
    sizes = sponsors.sizes
    sponsor_of = np.repeat(np.arange(sponsors.n), sizes)
    first_row = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    n = len(sponsor_of)
    years = np.arange(p["approval_first_year"], p["approval_last_year"] + 1)
    year = years[_choice(rng, n, p["approval_growth"] ** (years - years[0]))]
    approval = _year_dates(rng, year)
    first_year = np.minimum.reduceat(year, first_row) - _choice(rng, sponsors.n, [0.8, 0.12, 0.08])
    return _Websites(
        sponsor_of=sponsor_of,
        first_row=first_row,
        seq=np.arange(n) - first_row[sponsor_of] + 1,
        nature=sponsors.nature[sponsor_of],
        provider=sponsors.provider[sponsor_of],
        year=year,
        approval=approval,
        sponsor_first_year=first_year,
    )


@dataclass(frozen=True, slots=True)
class _Persons:
    """Principals (负责人). Sponsor principals are persons 0..n_s-1; website principals
    who are someone else follow in website order."""

    sponsor: np.ndarray  # per person: the sponsor it belongs to
    same: np.ndarray  # per website: its principal is the sponsor principal
    website_principal: np.ndarray  # per website: the person who is its principal
    name: pa.Array
    pinyin: pa.Array
    id_body: np.ndarray  # first 17 digits of the resident ID number
    id_county: np.ndarray  # county of the ID number's region code

    @property
    def n(self) -> int:
        return len(self.sponsor)

    def of_sponsors(self, mask: np.ndarray) -> np.ndarray:
        """A per-person mask: the sponsor principals of the sponsors in ``mask``."""
        out = np.zeros(self.n, dtype=bool)
        out[: len(mask)] = mask
        return out


def _draw_persons(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    ref: _Reference,
    sponsors: _Sponsors,
    websites: _Websites,
) -> _Persons:
    """Sponsor principals and the other website principals, with names and ID numbers."""
    n_s = sponsors.n
    sponsor_of = websites.sponsor_of
    same = rng.random(websites.n) < np.where(
        websites.nature == _NATURES.index("个人"),
        p["same_principal_person"],
        p["same_principal_org"],
    )
    other_rows = np.flatnonzero(~same)
    n_pers = n_s + len(other_rows)
    p_sponsor = np.concatenate([np.arange(n_s), sponsor_of[other_rows]])
    p_name, p_pinyin = _person_names(rng, n_pers)
    id_body, id_county = _id_bodies(
        rng,
        ref,
        sponsors.prov[p_sponsor],
        np.concatenate([websites.sponsor_first_year, websites.year[other_rows]]),
    )
    return _Persons(
        sponsor=p_sponsor,
        same=same,
        website_principal=np.where(same, sponsor_of, n_s + np.cumsum(~same) - 1),
        name=p_name,
        pinyin=p_pinyin,
        id_body=id_body,
        id_county=id_county,
    )


@dataclass(frozen=True, slots=True)
class _Certificates:
    """Certificates of sponsors and the resident ID numbers of all persons."""

    person_id: pa.Array  # per person: resident ID number
    cert_type: pa.Array  # per sponsor
    cert_number: pa.Array  # per sponsor


def _credit_codes(
    rng: np.random.Generator, ref: _Reference, sponsors: _Sponsors, names: _SponsorNames
) -> np.ndarray:
    """Unified social credit codes of all sponsors (used for organisations) as ASCII rows.

    Registered in the sponsor's county (80 %, always in a municipality) or its city;
    individual businesses (个体工商户) get type 92.
    """
    n_s = sponsors.n
    small = np.zeros(n_s, dtype=bool)
    small[names.company_rows] = names.small_business
    pair = np.array([_NATURE_USCC.get(x, "91") for x in _NATURES])[sponsors.nature]
    pair = np.where(small & sponsors.is_company, "92", pair)
    municipal = np.isin(np.array(ref.city_code)[sponsors.city], _MUNICIPALITIES)
    city_code_int = np.array(ref.city_code, dtype=np.int64)[sponsors.city]
    region = np.where(
        (rng.random(n_s) < 0.8) | municipal, ref.county_code[sponsors.county], city_code_int
    )
    return _uscc_matrix(rng, pair, region)


def _certificates(
    rng: np.random.Generator,
    ref: _Reference,
    sponsors: _Sponsors,
    persons: _Persons,
    names: _SponsorNames,
    defects: _Defects,
) -> _Certificates:
    """Certificate type and number of each sponsor, with ``id_checksum`` injected.

    Individuals (and sponsors with ``nature_cert_mismatch``) file the principal's
    resident ID card, organisations their credit code.
    """
    n_s = sponsors.n
    uscc = _credit_codes(rng, ref, sponsors, names)
    # id_checksum: on the credit code (organisations, half of the time) or on the
    # principal's ID number (for individuals that is the certificate too).
    bad_id = defects.has("id_checksum")
    on_cert = bad_id & ~sponsors.is_person & (rng.random(n_s) < 0.5)
    on_pid = persons.of_sponsors(bad_id & ~on_cert)
    right = _ALPHA_INDEX[uscc[on_cert, 17]]
    uscc[on_cert, 17] = _ALPHA[(right + 1 + rng.integers(0, 30, int(on_cert.sum()))) % 31]
    id_check = _ric_check(persons.id_body)
    id_check[on_pid] = (id_check[on_pid] + 1 + rng.integers(0, 10, int(on_pid.sum()))) % 11
    pid = _ric_strings(persons.id_body, id_check)
    cert_is_id = sponsors.is_person | defects.has("nature_cert_mismatch")
    return _Certificates(
        person_id=pid,
        cert_type=_where(cert_is_id, "居民身份证", "统一社会信用代码"),
        cert_number=_where(cert_is_id, _sub(pid, np.arange(n_s)), _ascii(uscc)),
    )
