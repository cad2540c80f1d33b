"""What websites are called and say about themselves, and who answers their phone.

Website names follow the sponsor (its name, trade name, a sub-site or a topic);
service content, pre-approval items and the access limit are drawn by nature.

Examples
--------
>>> import numpy as np
>>> from beian_audit.synthetic.names import _SponsorNames
>>> from beian_audit.synthetic.vectors import _take
>>> none = np.zeros(0, dtype=np.int64)
>>> names = _SponsorNames(name=_take(["某某"], np.array([0])), company_rows=none,
...     company_pos=np.array([-1]), brand_zh=_take([], none), brand_py=_take([], none),
...     industry=none, small_business=none.astype(bool))
>>> rng = np.random.default_rng(1)
>>> _website_names(rng, np.array([6, 7]), np.array([0, 0]), names).to_pylist()
['某某的个人网站', '某某的博客']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from beian_audit.synthetic.names import _SponsorNames
from beian_audit.synthetic.params import _NATURES
from beian_audit.synthetic.sponsors import _Persons, _Websites
from beian_audit.synthetic.vectors import (
    _by_kind,
    _choice,
    _join,
    _nulls,
    _replace,
    _sub,
    _take,
    _where,
)
from beian_audit.synthetic.vocabulary import (
    _PRE_APPROVALS,
    _SERVICE_CONTENT,
    _SHOP_SITES,
    _SUBSITES,
    _TOPIC_SUFFIXES,
    _TOPICS,
)

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _website_names(
    rng: np.random.Generator,
    kind: np.ndarray,
    sponsor_of: np.ndarray,
    names: _SponsorNames,
) -> pa.Array:
    """Website names by kind.

    First websites: 0–2 organisation, 3–5 company, 6–8 individual; further websites:
    9 organisation (a sub-site), 10 company (a shop, forum …), 11 individual (a topic).
    """

    def one(f: int, r: np.ndarray) -> pa.Array:
        m = len(r)
        if f in (8, 11):
            return _join(
                _take(_TOPICS, rng.integers(0, len(_TOPICS), m)),
                _take(_TOPIC_SUFFIXES, rng.integers(0, len(_TOPIC_SUFFIXES), m)),
            )
        sname = _sub(names.name, sponsor_of[r])
        if f == 9:
            return _join(sname, _take(_SUBSITES, rng.integers(0, len(_SUBSITES), m)))
        brand = _sub(names.brand_zh, names.company_pos[sponsor_of[r]]) if f in (3, 4, 10) else None
        if f == 10:
            return _join(brand, _take(_SHOP_SITES, rng.integers(0, len(_SHOP_SITES), m)))
        if f in (3, 4):
            return _join(brand, "官网" if f == 3 else "网")
        suffix = {0: "", 1: "网站", 2: "官网", 5: "", 6: "的个人网站", 7: "的博客"}[f]
        return _join(sname, suffix)

    return _by_kind(kind, 12, one)


@dataclass(frozen=True, slots=True)
class _Texts:
    """The descriptive fields of each website."""

    website_name: pa.Array
    service: pa.Array  # service content (服务内容)
    pre_approval: pa.Array  # pre-approval item (前置审批), mostly null
    limit: pa.Array  # access limited (是/否)


def _website_texts(
    rng: np.random.Generator,
    websites: _Websites,
    names: _SponsorNames,
) -> _Texts:
    """Website name, service content, pre-approval and access limit of every website."""
    n, nature = websites.n, websites.nature
    site_kind = np.where(
        nature == _NATURES.index("个人"), 2, np.where(nature == _NATURES.index("企业"), 1, 0)
    )
    name_kind = np.where(
        websites.first, site_kind * 3 + _choice(rng, n, [0.4, 0.3, 0.3]), 9 + site_kind
    )
    website_name = _website_names(rng, name_kind, websites.sponsor_of, names)
    services = [_SERVICE_CONTENT["other"], _SERVICE_CONTENT["企业"], _SERVICE_CONTENT["个人"]]
    service = _by_kind(
        site_kind,
        3,
        lambda f, r: _take(
            [t for t, _ in services[f]], _choice(rng, len(r), [w for _, w in services[f]])
        ),
    )
    pre_approval = _replace(
        _nulls(n),
        rng.random(n) < 0.04,
        lambda r: _take(_PRE_APPROVALS, rng.integers(0, len(_PRE_APPROVALS), len(r))),
    )
    limit = _where(rng.random(n) < 0.005, "是", "否")
    return _Texts(
        website_name=website_name, service=service, pre_approval=pre_approval, limit=limit
    )


def _website_principal_phones(
    rng: np.random.Generator, websites: _Websites, persons: _Persons, office: pa.Array
) -> pa.Array:
    """Office phone of each website principal; for half of the organisations' websites
    with another principal, the sponsor principal's line (the organisation's number)."""
    org_line = (
        (~persons.same)
        & (websites.nature != _NATURES.index("个人"))
        & (rng.random(websites.n) < 0.5)
    )
    return _sub(office, np.where(org_line, websites.sponsor_of, persons.website_principal))
