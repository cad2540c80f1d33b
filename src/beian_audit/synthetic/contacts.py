"""Phones and emails of principals, with the contact defects injected.

Mobiles are distinct valid CN numbers, office phones carry the city's area code;
the phone defects make them malformed, placeholders or shared within a ring, the
email defects make an address invalid or put it at a mistyped webmail domain.

Examples
--------
>>> import numpy as np
>>> m = _mobiles(np.random.default_rng(1), 4)
>>> len(set(m.tolist())), bool(((m // 10**10) == 1).all())
(4, True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from beian_audit.synthetic.access import _Domains
from beian_audit.synthetic.defects import _Defects
from beian_audit.synthetic.geography import _Reference
from beian_audit.synthetic.network import _digits_suffix
from beian_audit.synthetic.sponsors import _Persons, _Sponsors
from beian_audit.synthetic.vectors import (
    _ascii,
    _by_kind,
    _choice,
    _choose,
    _const,
    _digits_ascii,
    _join,
    _num,
    _pc,
    _replace,
    _sub,
    _take,
    _unique_redraw,
    _where,
)
from beian_audit.synthetic.vocabulary import _EMAIL_TYPO_DOMAINS, _ROLE_LOCALS, _WEBMAIL

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


_MOBILE_SEGMENTS = (
    [(s, 1.0) for s in range(130, 140)]
    + [(s, 1.0) for s in (150, 151, 152, 153, 155, 156, 157, 158, 159)]
    + [(s, 1.0) for s in range(180, 190)]
    + [(145, 0.2), (147, 0.3), (170, 0.1), (176, 0.2), (177, 0.2), (178, 0.2)]
)
_PLACEHOLDER_MOBILES = (
    "13800000000 13888888888 13900000000 13999999999 18888888888 13333333333 15555555555 "
    "18000000000 13800138000 13012345678 13111111111 18666666666"
).split()


def _mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct valid CN mobiles as int64; no repeated-digit or 12345678 suffixes."""
    segs = np.array([s for s, _ in _MOBILE_SEGMENTS], dtype=np.int64)
    weights = [w for _, w in _MOBILE_SEGMENTS]

    def draw(m: int) -> np.ndarray:
        seg = segs[_choice(rng, m, weights)]
        suffix = rng.integers(0, 100_000_000, m)
        bad = (suffix % 11_111_111 == 0) | np.isin(suffix, [12345678, 87654321])
        suffix = np.where(bad, 20_000_000 + suffix // 7, suffix)
        return seg * 100_000_000 + suffix

    return _unique_redraw(draw(n), draw)


def _office_phones(rng: np.random.Generator, ref: _Reference, city: np.ndarray) -> pa.Array:
    """Fixed lines ``0AAA-NNNNNNN`` with the city's area code and subscriber length."""
    n = len(city)
    length = ref.city_len[city]
    first = np.array([2, 3, 5, 6, 8])[rng.integers(0, 5, n)]
    rest = rng.integers(0, 10_000_000, n) % (10 ** (length - 1))
    # 8 followed by 00 is a service range in some areas; avoid it.
    rest = np.where((first == 8) & (rest < 10 ** (length - 3)), rest + 10 ** (length - 2), rest)
    sub = first * 10 ** (length - 1) + rest
    repdigit = (10**length - 1) // 9
    sub = np.where(sub % repdigit == 0, sub - sub % 10 + (sub % 10 + 1) % 10, sub)
    return _join("0", _take(ref.city_area, city), "-", _num(sub))


def _bad_mobiles(rng: np.random.Generator, mobile: np.ndarray, variant: np.ndarray) -> pa.Array:
    """Malformed mobiles: 0 one digit short, 1 one digit long, 2 a letter for a digit."""

    def one(v: int, rr: np.ndarray) -> pa.Array:
        x = mobile[rr]
        if v == 0:
            return _num(x // 10)
        if v == 1:
            return _num(x * 10 + rng.integers(0, 10, len(rr)))
        mat = _digits_ascii(x, 11).copy()
        mat[np.arange(len(rr)), 3 + rng.integers(0, 8, len(rr))] = np.array(
            [ord("O"), ord("l"), ord("I")], dtype=np.uint8
        )[rng.integers(0, 3, len(rr))]
        return _ascii(mat)

    return _by_kind(variant, 3, one)


def _bad_offices(rng: np.random.Generator, office: pa.Array, variant: np.ndarray) -> pa.Array:
    """Malformed office phones: 0 without area code, 1 one digit short."""

    def one(v: int, rr: np.ndarray) -> pa.Array:
        if v == 0:  # no area code: 8 digits, no 1 or 9 at the 3rd/4th place
            d = rng.integers(0, 10, (len(rr), 8))
            d[:, 0] = np.array([2, 3, 5, 6, 8])[rng.integers(0, 5, len(rr))]
            d[:, 2:4] = np.array([0, 2, 3, 4, 5, 6, 7, 8])[rng.integers(0, 8, (len(rr), 2))]
            return _ascii((d + 48).astype(np.uint8))
        return _pc().utf8_slice_codeunits(_sub(office, rr), 0, -1)

    return _by_kind(variant, 2, one)


@dataclass(frozen=True, slots=True)
class _Phones:
    """Mobile and office phone of each person."""

    mobile: pa.Array
    office: pa.Array


def _malformed_phones(
    rng: np.random.Generator,
    ref: _Reference,
    phones: _Phones,
    mobile_int: np.ndarray,
    office_is_mobile: np.ndarray,
    p_city: np.ndarray,
    malformed: np.ndarray,
) -> _Phones:
    """Inject ``phone_malformed`` into the persons of ``malformed``.

    Variants: 0 mobile one digit short, 1 one digit long, 2 a letter for a digit,
    3 office phone without area code, 4 office phone one digit short (not in the
    areas whose subscriber numbers have two lengths).
    """
    variant = rng.integers(0, 5, len(malformed))
    variant = np.where(office_is_mobile & (variant >= 3), variant - 3, variant)
    area = np.array(ref.city_area)[p_city]
    variant = np.where((variant == 4) & np.isin(area, ["433", "435", "754", "851"]), 3, variant)
    mobile = _replace(
        phones.mobile,
        malformed & (variant <= 2),
        lambda r: _bad_mobiles(rng, mobile_int[r], variant[r]),
    )
    office = _replace(
        phones.office,
        malformed & (variant >= 3),
        lambda r: _bad_offices(rng, _sub(phones.office, r), variant[r] - 3),
    )
    return _Phones(mobile=mobile, office=office)


def _person_phones(
    rng: np.random.Generator,
    p: Mapping[str, Any],
    ref: _Reference,
    sponsors: _Sponsors,
    persons: _Persons,
    defects: _Defects,
) -> _Phones:
    """Mobiles and office phones, with the phone defects of the sponsor principals.

    Rings of sponsors (``ring_shared_mobile``) share one extra mobile each.
    """
    n_pers = persons.n
    mobile_int = _mobiles(rng, n_pers + defects.n_rings)
    ring_mobile = _num(mobile_int[n_pers:])
    mobile_int = mobile_int[:n_pers]
    mobile = _num(mobile_int)
    p_city = sponsors.city[persons.sponsor]
    office_is_mobile = rng.random(n_pers) < p["office_phone_is_mobile"]
    office = _by_kind(
        office_is_mobile.astype(np.int64),
        2,
        lambda f, r: _office_phones(rng, ref, p_city[r]) if f == 0 else _sub(mobile, r),
    )
    malformed = persons.of_sponsors(defects.has("phone_malformed"))
    phones = _Phones(mobile=mobile, office=office)
    phones = _malformed_phones(rng, ref, phones, mobile_int, office_is_mobile, p_city, malformed)
    mobile = _replace(
        phones.mobile,
        persons.of_sponsors(defects.has("phone_placeholder")),
        lambda r: _take(_PLACEHOLDER_MOBILES, rng.integers(0, len(_PLACEHOLDER_MOBILES), len(r))),
    )
    p_ring = defects.ring[persons.sponsor]
    mobile = _replace(mobile, p_ring >= 0, lambda r: _sub(ring_mobile, p_ring[r]))
    return _Phones(mobile=mobile, office=phones.office)


def _email_locals(rng: np.random.Generator, kind: np.ndarray, pinyin: pa.Array) -> pa.Array:
    """Local parts: 0 a QQ number, 1 pinyin (60 % with digits), 2 a role or pinyin."""

    def one(f: int, r: np.ndarray) -> pa.Array:
        m = len(r)
        if f == 0:
            return _num(rng.integers(10_000, 3_000_000_000, m))
        if f == 1:
            return _join(_sub(pinyin, r), _where(rng.random(m) < 0.6, _digits_suffix(rng, m), ""))
        return _where(
            rng.random(m) < 0.5,
            _take(_ROLE_LOCALS, rng.integers(0, len(_ROLE_LOCALS), m)),
            _sub(pinyin, r),
        )

    return _by_kind(kind, 3, one)


def _email_domains(
    rng: np.random.Generator, kind: np.ndarray, own: Callable[[np.ndarray], pa.Array]
) -> pa.Array:
    """Mail domains: 0 qq.com, 1 a webmail domain by share, 2 ``own(rows)``."""

    def one(f: int, r: np.ndarray) -> pa.Array:
        if f == 0:
            return _const("qq.com", len(r))
        if f == 1:
            return _take([d for d, _ in _WEBMAIL], _choice(rng, len(r), [w for _, w in _WEBMAIL]))
        return own(r)

    return _by_kind(kind, 3, one)


def _invalid_emails(rng: np.random.Generator, local: pa.Array) -> pa.Array:
    """Addresses that fail syntax: two @, no @, no dot, '..', '.@' or a comma."""
    wm = rng.integers(0, len(_WEBMAIL), len(local))
    dom = _take([d for d, _ in _WEBMAIL], wm)
    lab = _take([d.split(".")[0] for d, _ in _WEBMAIL], wm)
    top = _take([d.split(".", 1)[1] for d, _ in _WEBMAIL], wm)
    return _choose(
        rng.integers(0, 6, len(local)),
        _join(local, "@@", dom),
        _join(local, ".", dom),
        _join(local, "@", lab),
        _join(local, "@", lab, "..", top),
        _join(local, ".@", dom),
        _join(local, "@", lab, ",", top),
    )


def _emails(
    rng: np.random.Generator,
    sponsors: _Sponsors,
    persons: _Persons,
    defects: _Defects,
    domains: _Domains,
    first_row: np.ndarray,
) -> pa.Array:
    """Emails of all persons, with the email defects of the sponsor principals.

    QQ numbers at qq.com, pinyin at a webmail domain, or a role or name at the
    organisation's own (ASCII) domain: that of the first website of the person's
    sponsor (``first_row`` per sponsor).
    """
    own_row = first_row[persons.sponsor]
    org = ~sponsors.is_person[persons.sponsor] & ~domains.idn[own_row]
    e_kind = _choice(rng, persons.n, [0.35, 0.45, 0.20])
    e_kind = np.where((e_kind == 2) & ~org, 1, e_kind)
    local = _email_locals(rng, e_kind, persons.pinyin)
    email = _join(
        local, "@", _email_domains(rng, e_kind, lambda r: _sub(domains.domain, own_row[r]))
    )
    email = _replace(
        email,
        persons.of_sponsors(defects.has("email_typo_domain")),
        lambda r: _join(
            _sub(local, r),
            "@",
            _take(_EMAIL_TYPO_DOMAINS, rng.integers(0, len(_EMAIL_TYPO_DOMAINS), len(r))),
        ),
    )
    invalid = persons.of_sponsors(defects.has("email_invalid"))
    return _replace(email, invalid, lambda r: _invalid_emails(rng, _sub(local, r)))
