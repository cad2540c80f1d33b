"""Defect codes, their injection into sponsors, and the ground truth of each website.

:data:`DEFECT_CODES` lists every defect the generator can inject (DOMAIN.md §7);
:func:`_sponsor_defects` draws them for sponsors, :func:`_website_truth` turns them
(plus each website's access defect) into the truth columns.

Examples
--------
>>> [d.code for d in DEFECT_CODES if d.group == "email"]
['email_invalid', 'email_typo_domain']
>>> defect_codes().shape
(17, 5)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from beian_audit.synthetic.vectors import _choice, _take

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


@dataclass(frozen=True, slots=True, kw_only=True)
class DefectCode:
    """One injected defect: its code, block, how it can be detected and its meaning.

    ``detect`` is ``"record"`` when a machine can decide it from the record alone,
    ``"registry"`` when it needs other records of the registry, ``"dns"`` when it
    needs a DNS lookup and the providers' IP ranges, and ``"human"`` when only a
    human verifier (calling, visiting, querying an authoritative register) finds it.
    """

    code: str
    block: Literal["sponsor", "access"]
    detect: Literal["record", "registry", "dns", "human"]
    group: str
    description: str


DEFECT_CODES: tuple[DefectCode, ...] = (
    DefectCode(
        code="phone_malformed",
        block="sponsor",
        detect="record",
        group="phone",
        description="Mobile of wrong length or with a letter, or office phone without "
        "area code or one digit short: fails phonenumbers.",
    ),
    DefectCode(
        code="phone_placeholder",
        block="sponsor",
        detect="record",
        group="phone",
        description="Mobile is a placeholder such as 13800000000 or repeated digits.",
    ),
    DefectCode(
        code="phone_dead",
        block="sponsor",
        detect="human",
        group="phone",
        description="Valid-looking mobile that is not in service (空号); found by calling.",
    ),
    DefectCode(
        code="ring_shared_mobile",
        block="sponsor",
        detect="registry",
        group="phone",
        description="Member of a ring of unrelated sponsors sharing one mobile (fake filings).",
    ),
    DefectCode(
        code="email_invalid",
        block="sponsor",
        detect="record",
        group="email",
        description="Email that fails syntax (two @, no @, no dot, '..', '.@', comma).",
    ),
    DefectCode(
        code="email_typo_domain",
        block="sponsor",
        detect="record",
        group="email",
        description="Email at a mistyped webmail domain (qq.con, 163.cm …): valid syntax.",
    ),
    DefectCode(
        code="address_no_door",
        block="sponsor",
        detect="record",
        group="address",
        description="Postal address stops at the road or estate: no door number, no 号.",
    ),
    DefectCode(
        code="address_fictitious",
        block="sponsor",
        detect="human",
        group="address",
        description="Well-formed postal address that does not exist; found on a visit.",
    ),
    DefectCode(
        code="address_province_mismatch",
        block="sponsor",
        detect="record",
        group="address",
        description="Postal address lies in another province than the declared one.",
    ),
    DefectCode(
        code="id_checksum",
        block="sponsor",
        detect="record",
        group="identity",
        description="Check character of the credit code or resident ID number is wrong.",
    ),
    DefectCode(
        code="id_name_mismatch",
        block="sponsor",
        detect="human",
        group="identity",
        description="Valid certificate number that belongs to another name (register query).",
    ),
    DefectCode(
        code="nature_cert_mismatch",
        block="sponsor",
        detect="record",
        group="identity",
        description="Nature contradicts certificate: a …公司 filed as 个人, or an "
        "organisation filed with a resident ID card.",
    ),
    DefectCode(
        code="icp_prefix_mismatch",
        block="sponsor",
        detect="record",
        group="icp",
        description="Province prefix of the filing number differs from the sponsor's province.",
    ),
    DefectCode(
        code="stale_contact",
        block="sponsor",
        detect="human",
        group="stale",
        description="Contact details were right once but are out of date; found by calling.",
    ),
    DefectCode(
        code="domain_unresolved",
        block="access",
        detect="dns",
        group="access",
        description="The domain does not resolve (resolved_ip is missing).",
    ),
    DefectCode(
        code="hosted_elsewhere",
        block="access",
        detect="dns",
        group="access",
        description="The domain resolves into another provider's announced range.",
    ),
    DefectCode(
        code="ip_not_filed",
        block="access",
        detect="dns",
        group="access",
        description="Resolves inside the filed provider's range but not to a filed IP.",
    ),
)
_SPONSOR_CODES = tuple(d.code for d in DEFECT_CODES if d.block == "sponsor")
_ACCESS_CODES = tuple(d.code for d in DEFECT_CODES if d.block == "access")
_CODE_BIT = {d.code: i for i, d in enumerate(DEFECT_CODES)}


def defect_codes() -> pd.DataFrame:
    """The defect codes as a table (code, block, detect, group, description).

    Examples
    --------
    >>> t = defect_codes()
    >>> t.loc[t["code"] == "id_checksum", "detect"].item()
    'record'
    >>> sorted(t["block"].unique())
    ['access', 'sponsor']
    """
    return pd.DataFrame(
        {
            "code": [d.code for d in DEFECT_CODES],
            "block": [d.block for d in DEFECT_CODES],
            "detect": [d.detect for d in DEFECT_CODES],
            "group": [d.group for d in DEFECT_CODES],
            "description": [d.description for d in DEFECT_CODES],
        }
    )


def _sponsor_code_given_defective(p: Mapping[str, Any]) -> dict[str, float]:
    """P(code present | sponsor defective) under the primary + second-defect scheme.

    The primary code is drawn from ``sponsor_defect_mix``; with probability
    ``second_defect_rate`` a second code is drawn from the mix without
    ``ring_shared_mobile`` and kept only when it belongs to another field group.
    """
    mix = p["sponsor_defect_mix"]
    group = {d.code: d.group for d in DEFECT_CODES}
    no_ring = {c: (0.0 if c == "ring_shared_mobile" else w) for c, w in mix.items()}
    total = sum(no_ring.values())
    second = {c: w / total for c, w in no_ring.items()} if total > 0 else no_ring
    out = {}
    for c, w in mix.items():
        same_group = sum(mix[j] for j in mix if group[j] == group[c])
        out[c] = w + p["second_defect_rate"] * second[c] * (1 - same_group)
    return out


def _sponsor_defects(
    rng: np.random.Generator, p: Mapping[str, Any], q: np.ndarray, provider: np.ndarray
) -> _Defects:
    """Defect bit masks of sponsors and their ring numbers (-1 outside a ring)."""
    n_s = len(provider)
    codes = list(_SPONSOR_CODES)
    group = np.array([next(d.group for d in DEFECT_CODES if d.code == c) for c in codes])
    mix = np.array([p["sponsor_defect_mix"][c] for c in codes])
    ring_i = codes.index("ring_shared_mobile")
    defective = rng.random(n_s) >= q[provider]
    primary = _choice(rng, n_s, mix)
    mix2 = mix.copy()
    mix2[ring_i] = 0.0
    has_second = rng.random(n_s) < p["second_defect_rate"]
    second = _choice(rng, n_s, mix2) if mix2.sum() > 0 else primary.copy()
    has_second &= group[second] != group[primary]
    # Rings: sponsors whose primary defect is the shared mobile, grouped within provider.
    members = np.flatnonzero(defective & (primary == ring_i))
    members = members[np.lexsort((rng.random(len(members)), provider[members]))]
    ring = np.full(n_s, -1, dtype=np.int64)
    m = len(members)
    if m == 1:
        primary[members] = codes.index("phone_dead")
    elif m >= 2:
        sizes: list[int] = []
        while sum(sizes) < m:
            sizes.append(3 + int(rng.poisson(p["ring_size_mean"] - 3)))
        if len(sizes) > 1 and m - sum(sizes[:-1]) < 3:
            sizes = sizes[:-1]
        labels = np.repeat(np.arange(len(sizes)), sizes)[:m]
        labels = np.concatenate([labels, np.full(m - len(labels), len(sizes) - 1)])
        ring[members] = labels
    bit = np.array([_CODE_BIT[c] for c in codes])
    bits = np.zeros(n_s, dtype=np.int64)
    bits[defective] |= np.left_shift(1, bit[primary[defective]])
    both = defective & has_second
    bits[both] |= np.left_shift(1, bit[second[both]])
    return _Defects(bits=bits, ring=ring)


@dataclass(frozen=True, slots=True)
class _Defects:
    """Injected sponsor defects: a bit mask per sponsor (bit = index in DEFECT_CODES)
    and the sponsor's ring number (-1 outside a ring of shared mobiles)."""

    bits: np.ndarray
    ring: np.ndarray

    @property
    def n_rings(self) -> int:
        return int(self.ring.max()) + 1

    def has(self, code: str) -> np.ndarray:
        """Boolean mask of the sponsors that carry ``code``."""
        return (self.bits >> _CODE_BIT[code]) & 1 == 1


@dataclass(frozen=True, slots=True)
class _Truth:
    """Ground truth of each website: its defect codes and whether each block is correct."""

    defects: pa.Array  # ";"-joined codes in DEFECT_CODES order, null when none
    sponsor_ok: np.ndarray
    access_ok: np.ndarray


def _website_truth(defects: _Defects, sponsor_of: np.ndarray, access_code: np.ndarray) -> _Truth:
    """Each website's truth: its sponsor's defects plus its own access defect.

    ``access_code`` is the index into the access codes of each website's access
    defect, -1 when its access block is correct.
    """
    w_bits = defects.bits[sponsor_of].copy()
    acc_bit = np.array([_CODE_BIT[c] for c in _ACCESS_CODES])
    has_acc = access_code >= 0
    w_bits[has_acc] |= np.left_shift(1, acc_bit[access_code[has_acc]])
    uniq, inverse = np.unique(w_bits, return_inverse=True)
    texts = [
        ";".join(d.code for d in DEFECT_CODES if (int(u) >> _CODE_BIT[d.code]) & 1) or None
        for u in uniq
    ]
    return _Truth(
        defects=_take(texts, inverse.ravel()),
        sponsor_ok=defects.bits[sponsor_of] == 0,
        access_ok=~has_acc,
    )
