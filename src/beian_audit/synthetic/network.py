"""Network building blocks: providers' IP blocks, IP addresses and domain names.

Every provider announces disjoint CIDR blocks (:func:`_allocate_blocks`) and hosts
inside them (:func:`_random_ips`); domain labels are pinyin syllables, made unique
by digits (:func:`_unique_domains`), and IDN domains are also written as punycode.

Examples
--------
>>> import numpy as np
>>> _ips_to_str(np.array([(36 << 24) | 258])).to_pylist()
['36.0.1.2']
>>> blocks = _allocate_blocks(np.random.default_rng(1), np.array([0.7, 0.3]), 1_000)
>>> ips = _random_ips(np.random.default_rng(2), blocks, np.array([0, 1, 1]))
>>> bool(((ips & 255) > 0).all() and ((ips & 255) < 255).all())
True
>>> _punycode(_take(["例子.中国"], np.array([0]))).to_pylist()
['xn--fsqu00a.xn--fiqs8s']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from beian_audit.errors import BeianAuditError, SyntheticParameterError
from beian_audit.synthetic.vectors import (
    _choice,
    _duplicated,
    _join,
    _lit,
    _num,
    _pa,
    _pc,
    _replace,
    _sub,
    _take,
    _to_series,
    _where,
)
from beian_audit.synthetic.vocabulary import _SYLLABLES

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa


_SLASH8 = (
    36,
    39,
    42,
    49,
    58,
    59,
    60,
    61,
    101,
    106,
    110,
    111,
    112,
    113,
    114,
    115,
    116,
    117,
    118,
    119,
    120,
    121,
    122,
    123,
    124,
    125,
    175,
    180,
    182,
    183,
    202,
    211,
    218,
    219,
    220,
    221,
    222,
    223,
)


def _ips_to_str(ips: np.ndarray) -> pa.Array:
    ips = np.asarray(ips, dtype=np.int64)
    return _pc().binary_join_element_wise(
        _num(ips >> 24),
        _num((ips >> 16) & 255),
        _num((ips >> 8) & 255),
        _num(ips & 255),
        _lit("."),
    )


@dataclass(frozen=True, slots=True)
class _Blocks:
    start: np.ndarray  # first address of each block (int64), blocks grouped by provider
    size: np.ndarray
    prefix: np.ndarray
    first: np.ndarray  # per provider: index of its first block
    count: np.ndarray  # per provider: number of blocks


def _allocate_blocks(rng: np.random.Generator, share: np.ndarray, n_sites: float) -> _Blocks:
    """Disjoint CIDR blocks for every provider, sized to its expected number of sites.

    Each block goes to a random /8 of a pool of public /8s; within a /8 blocks are
    carved largest first (so every block stays aligned) with random aligned gaps.
    """
    k = len(share)
    count = 1 + rng.binomial(3, 0.4, k)
    need = np.maximum(256.0, 2.0 * share * n_sites / count)
    prefix = np.clip(32 - np.ceil(np.log2(need)).astype(np.int64), 12, 24)
    pfx = np.repeat(prefix, count)
    size = np.left_shift(np.int64(1), 32 - pfx)
    nb = len(pfx)
    n8 = len(_SLASH8)
    slot = rng.integers(0, n8, nb)
    jitter = rng.random(nb)
    spare = (n8 << 24) / max(float(size.sum()), 1.0)
    max_gap = int(np.clip(spare / 4 - 1, 0, 64))
    gap = rng.integers(0, max_gap + 1, nb) * size
    order = np.lexsort((jitter, pfx, slot))
    step = (gap + size)[order]
    cum = np.cumsum(step)
    group_start = np.searchsorted(slot[order], np.arange(n8), side="left")
    before = np.concatenate([[0], cum])[group_start[slot[order]]]
    end_in_slot = cum - before
    offset = np.empty(nb, dtype=np.int64)
    offset[order] = end_in_slot - size[order]
    if (end_in_slot > (1 << 24)).any():  # too full: pack the blocks without gaps or slots
        order = np.lexsort((jitter, pfx))
        offset = np.empty(nb, dtype=np.int64)
        offset[order] = np.concatenate([[0], np.cumsum(size[order])[:-1]])
        if offset.max() + size.max() > (n8 << 24):
            raise SyntheticParameterError(
                "the registry is too large for the synthetic address space"
            )
        slot = offset >> 24
        offset = offset & 0xFFFFFF
    else:  # start each /8's run at a random 1 MiB-aligned place that leaves room for it
        span = np.zeros(n8, dtype=np.int64)
        np.maximum.at(span, slot, offset + size)
        room = ((1 << 24) - span) >> 20
        offset = offset + (np.floor(rng.random(n8) * (room + 1)).astype(np.int64) << 20)[slot]
    slash8 = np.array(_SLASH8, dtype=np.int64)
    start = (slash8[slot] << 24) | offset
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    return _Blocks(start=start, size=size, prefix=pfx, first=first, count=count)


def _random_ips(rng: np.random.Generator, blocks: _Blocks, provider: np.ndarray) -> np.ndarray:
    """One random host address (last octet 1–254) inside each provider's blocks."""
    n = len(provider)
    block = blocks.first[provider] + np.floor(rng.random(n) * blocks.count[provider]).astype(
        np.int64
    )
    ip = blocks.start[block] + np.floor(rng.random(n) * blocks.size[block]).astype(np.int64)
    last = ip & 255
    fix = 1 + rng.integers(0, 254, n)
    return np.where((last == 0) | (last == 255), (ip & ~255) | fix, ip)


def _ranges_text(blocks: _Blocks) -> list[str]:
    out = []
    for p in range(len(blocks.first)):
        sel = slice(blocks.first[p], blocks.first[p] + blocks.count[p])
        starts, pfx = blocks.start[sel], blocks.prefix[sel]
        order = np.argsort(starts, kind="stable")
        out.append(
            ";".join(
                f"{s >> 24}.{(s >> 16) & 255}.{(s >> 8) & 255}.{s & 255}/{x}"
                for s, x in zip(starts[order].tolist(), pfx[order].tolist(), strict=True)
            )
        )
    return out


def _labels(rng: np.random.Generator, n: int) -> pa.Array:
    """Random pinyin domain labels of two or three syllables."""
    third = rng.random(n) < 0.35
    a, b, c = (rng.integers(0, len(_SYLLABLES), n) for _ in range(3))
    return _join(
        _take(_SYLLABLES, a), _take(_SYLLABLES, b), _where(third, _take(_SYLLABLES, c), "")
    )


def _digits_suffix(rng: np.random.Generator, n: int) -> pa.Array:
    kind = _choice(rng, n, [0.4, 0.3, 0.3])
    value = np.where(
        kind == 0,
        rng.integers(10, 100, n),
        np.where(kind == 1, rng.integers(100, 1000, n), rng.integers(1990, 2014, n)),
    )
    return _num(value)


def _punycode(domains: Any) -> pa.Array:
    """IDN domains in their ASCII (A-label) form, per distinct label with :mod:`idna`."""
    import idna

    pa = _pa()
    labels = _pc().split_pattern(domains, ".")
    flat = _to_series(labels.flatten(), "label")
    codes, uniques = pd.factorize(flat)
    ace = [idna.alabel(u).decode("ascii") if not u.isascii() else u for u in uniques]
    encoded = pa.array(ace, pa.large_string()).take(pa.array(codes))
    lists = pa.LargeListArray.from_arrays(labels.offsets.cast(pa.int64()), encoded)
    return _pc().binary_join(lists, _lit("."))


def _unique_domains(rng: np.random.Generator, label: Any, tld: Any) -> pa.Array:
    """``label.tld``, appending digits to the label until every domain is unique."""
    domain = _join(label, ".", tld)
    for _ in range(100):
        dup = _duplicated(domain)
        if not dup.any():
            return domain
        domain = _replace(
            domain,
            dup,
            lambda r: _join(
                _sub(label, r), _num(rng.integers(1, 10_000, len(r))), ".", _sub(tld, r)
            ),
        )
    raise BeianAuditError("could not draw unique domains")  # pragma: no cover
