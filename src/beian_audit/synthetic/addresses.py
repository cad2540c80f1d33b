"""Postal and certificate addresses of sponsors.

Addresses run from the province down to the door number (浙江省杭州市西湖区文三路88号…);
individuals may have a village address with the accepted remark 已是最详细地址;
the address defects drop the door number or move the address to another province.

Examples
--------
>>> import numpy as np
>>> from beian_audit.synthetic.geography import _reference
>>> addr = _addresses(np.random.default_rng(1), _reference(), np.array([0, 1]))
>>> all("号" in a for a in addr.to_pylist())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from beian_audit.synthetic.defects import _Defects
from beian_audit.synthetic.geography import _Reference
from beian_audit.synthetic.names import _brands
from beian_audit.synthetic.sponsors import _Sponsors
from beian_audit.synthetic.vectors import (
    _by_kind,
    _choice,
    _choice_within,
    _choose,
    _const,
    _join,
    _num,
    _replace,
    _take,
)
from beian_audit.synthetic.vocabulary import _ROAD_CORES, _ROAD_MIDDLES, _ROAD_TYPES

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


def _roads(rng: np.random.Generator, n: int) -> pa.Array:
    return _join(
        _take(_ROAD_CORES, rng.integers(0, len(_ROAD_CORES), n)),
        _take(_ROAD_MIDDLES, rng.integers(0, len(_ROAD_MIDDLES), n)),
        _take(_ROAD_TYPES, rng.integers(0, len(_ROAD_TYPES), n)),
    )


def _addresses(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> pa.Array:
    """Full addresses down to the door number, e.g. 浙江省杭州市西湖区文三路88号3幢201室."""
    n = len(county)
    door = 1 + np.floor(rng.exponential(80.0, n)).astype(np.int64) % 999
    floor_ = 1 + rng.integers(0, 25, n)
    room = floor_ * 100 + 1 + rng.integers(0, 12, n)
    building = 1 + rng.integers(0, 30, n)
    unit = 1 + rng.integers(0, 6, n)
    kind = _choice(rng, n, [0.25, 0.2, 0.15, 0.1, 0.1, 0.2])

    def tail(k: int, r: np.ndarray) -> pa.Array:
        if k == 0:
            return _join(_num(building[r]), "幢", _num(room[r]), "室")
        if k == 1:
            return _join(_num(building[r]), "号楼", _num(room[r]), "室")
        if k == 2:
            return _join(_brands(rng, len(r))[0], "大厦", _num(floor_[r]), "层")
        if k == 3:
            return _join(_num(room[r]), "室")
        if k == 4:
            return _join(_num(unit[r]), "单元", _num(room[r]), "室")
        return _const("", len(r))

    return _join(
        _take(ref.county_prefix, county), _roads(rng, n), _num(door), "号", _by_kind(kind, 6, tail)
    )


def _village_addresses(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> pa.Array:
    """Rural addresses with the accepted remark 已是最详细地址 (not a defect)."""
    n = len(county)
    town, _ = _brands(rng, n)
    village, _ = _brands(rng, n)
    return _join(_take(ref.county_prefix, county), town, "镇", village, "村(已是最详细地址)")


def _doorless_addresses(rng: np.random.Generator, ref: _Reference, county: np.ndarray) -> pa.Array:
    """Addresses without any door number (defect ``address_no_door``): no 号, no digit."""
    n = len(county)
    brand, _ = _brands(rng, n)
    kind = _choice(rng, n, [0.4, 0.2, 0.2, 0.1, 0.1])
    road = _roads(rng, n)
    tail = _choose(
        kind,
        road,
        _join(road, "附近"),
        _join(brand, "小区"),
        _join(brand, "工业园"),
        _join(road, brand, "大厦"),
    )
    return _join(_take(ref.county_prefix, county), tail)


def _addresses_elsewhere(rng: np.random.Generator, ref: _Reference, home: np.ndarray) -> pa.Array:
    """Full addresses in a random province other than ``home`` (address_province_mismatch)."""
    n_ref = len(ref.prov_name)
    other = (home + 1 + rng.integers(0, n_ref - 1, len(home))) % n_ref
    return _addresses(rng, ref, _choice_within(rng, other, ref.county_prov, ref.county_weight))


@dataclass(frozen=True, slots=True)
class _Addresses:
    """Postal address and certificate address of each sponsor."""

    postal: pa.Array
    certificate: pa.Array


def _postal_addresses(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    ref: _Reference,
    sponsors: _Sponsors,
    defects: _Defects,
) -> pa.Array:
    """Postal addresses in the sponsor's county, villages for some individuals, and the
    address defects ``address_no_door`` and ``address_province_mismatch``."""
    county = sponsors.county
    postal = _addresses(rng, ref, county)
    remark = sponsors.is_person & (rng.random(sponsors.n) < p["detailed_address_remark"])
    postal = _replace(postal, remark, lambda r: _village_addresses(rng, ref, county[r]))
    doorless = defects.has("address_no_door")
    postal = _replace(postal, doorless, lambda r: _doorless_addresses(rng, ref, county[r]))
    elsewhere = defects.has("address_province_mismatch")
    return _replace(postal, elsewhere, lambda r: _addresses_elsewhere(rng, ref, sponsors.prov[r]))


def _sponsor_addresses(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    ref: _Reference,
    sponsors: _Sponsors,
    id_county: np.ndarray,
    defects: _Defects,
) -> _Addresses:
    """Postal and certificate addresses of the sponsors.

    Certificate address: the same for 70 % of organisations, otherwise another one in
    the county; for individuals the ID-card address (county of the ID number 40 %).
    A defective postal address is never copied to the certificate.
    """
    n_s, is_person, s_county = sponsors.n, sponsors.is_person, sponsors.county
    postal = _postal_addresses(rng, p, ref, sponsors, defects)
    cert_county = np.where(is_person & (rng.random(n_s) < 0.4), id_county[:n_s], s_county)
    keep = (
        np.where(
            is_person, (cert_county == s_county) & (rng.random(n_s) < 0.6), rng.random(n_s) < 0.7
        )
        & ~defects.has("address_no_door")
        & ~defects.has("address_province_mismatch")
    )
    cert_addr = _replace(postal, ~keep, lambda r: _addresses(rng, ref, cert_county[r]))
    return _Addresses(postal=postal, certificate=cert_addr)
