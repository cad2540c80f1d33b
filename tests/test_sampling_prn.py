"""Tests of the permanent-random-number hash (beian_audit.sampling.prn).

Expected values come from the published FNV-1a and SplitMix64 test vectors, from a
plain-Python reference implementation written here from the algorithm's definition,
and from golden vectors recorded for algorithm ``beian-prn/1`` (any change of the
hash must change ALGORITHM_VERSION and these vectors).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from beian_audit.sampling.prn import (
    ALGORITHM_VERSION,
    fingerprint,
    key_hash,
    prn,
    prn_hash,
    seed_hash,
    splitmix64,
)

MASK = (1 << 64) - 1


def ref_fnv1a(key: str) -> int:
    """FNV-1a 64, byte by byte, as in the FNV reference code."""
    h = 0xCBF29CE484222325
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & MASK
    return h


def ref_splitmix(x: int) -> int:
    """First output of SplitMix64 from state x (Vigna, splitmix64.c)."""
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def ref_prn_hash(key: str, seed: int, stream: int = 0) -> int:
    s = ref_splitmix(ref_splitmix(seed) ^ stream)
    return ref_splitmix(ref_fnv1a(key) ^ s)


def test_fnv1a_published_vectors() -> None:
    # Test vectors of draft-eastlake-fnv (FNV-1a, 64 bit): "", "a", "foobar".
    got = [int(v) for v in key_hash(["", "a", "foobar"])]
    assert got == [0xCBF29CE484222325, 0xAF63DC4C8601EC8C, 0x85944171F73967E8]


def test_splitmix64_published_vectors() -> None:
    # SplitMix64 started at 1234567: the first five outputs as listed by Rosetta Code
    # ("Pseudo-random numbers/Splitmix64"), computed with Vigna's splitmix64.c.
    expected = [
        6457827717110365317,
        3203168211198807973,
        9817491932198370423,
        4593380528125082431,
        16408922859458223821,
    ]
    states = np.array(
        [(1234567 + i * 0x9E3779B97F4A7C15) & MASK for i in range(5)], dtype=np.uint64
    )
    assert [int(v) for v in splitmix64(states)] == expected


# Golden vectors of beian-prn/1, recorded when the algorithm was frozen.
GOLDEN = [
    (0, "W00000001", 0x57D1C87EA54BF838, 0.3430447873300152),
    (1, "W00000001", 0x45D2B656D3611F38, 0.2727464639641578),
    (20130401, "W00000001", 0xF505EB966FBE0D2D, 0.9571215860630603),
    (20130401, "京ICP备10046444号-9", 0xCA28D3F9C7645325, 0.7896854862987237),
    (20130401, "", 0x0995A08F8B24F986, 0.03743937973480971),
    (2**64 - 1, "a", 0x4FB9852CA95680D7, 0.31142456379287786),
    (7, "12345", 0x47D63ED6CAD752F1, 0.2806128763575917),
]


@pytest.mark.parametrize(("seed", "key", "h", "u"), GOLDEN)
def test_golden_vectors(seed: int, key: str, h: int, u: float) -> None:
    assert ALGORITHM_VERSION == "beian-prn/1"
    assert int(prn_hash([key], seed)[0]) == h
    assert float(prn([key], seed)[0]) == u  # exact: u is the top 53 bits of h
    assert ref_prn_hash(key, seed) == h


def test_stage1_stream_golden() -> None:
    assert int(prn_hash(["P0001"], 20130401, stream=1)[0]) == 0x46C4FB825D6184C8
    assert seed_hash(20130401) == 0xD1BFD6E9A791EB7F


@given(st.lists(st.text(max_size=12), min_size=1, max_size=30), st.integers(0, MASK))
def test_vectorised_equals_reference(keys: list[str], seed: int) -> None:
    got = prn_hash(keys, seed)
    assert [int(v) for v in got] == [ref_prn_hash(k, seed) for k in keys]


def test_long_mixed_length_keys_match_reference() -> None:
    rng = np.random.default_rng(5)
    # lengths 1..40 and more rows than one block of the vectorised loop
    keys = [f"K{i}" + "x" * int(rng.integers(0, 38)) for i in range(40_000)]
    keys[7] = "数" * 200  # one long multi-byte key
    got = key_hash(keys)
    for i in [*list(rng.integers(0, len(keys), 300)), 7]:
        assert int(got[i]) == ref_fnv1a(keys[i])


def test_fixed_width_path_matches_reference() -> None:
    keys = [f"W{i:08d}" for i in range(20_000)]
    got = key_hash(pd.Series(keys, dtype="string[pyarrow]"))
    for i in (0, 1, 16_383, 16_384, 19_999):
        assert int(got[i]) == ref_fnv1a(keys[i])


def test_same_numbers_whatever_the_container() -> None:
    keys = ["W1", "京ICP备1号-2", "", "abc", "W1000"]
    expected = prn(keys, 3)
    containers = [
        np.array(keys, dtype=object),
        pd.Series(keys, dtype="string[pyarrow]"),
        pd.Series(keys, dtype="string[python]"),
        pd.Series(keys, dtype=object),
        pd.Index(keys),
        pa.array(keys, type=pa.string()),
        pa.array(keys, type=pa.large_string()),
        pa.chunked_array([keys[:2], keys[2:]]),
        pa.array(["zz", *keys])[1:],  # a slice: non-zero Arrow offset
        pd.Series(keys, dtype="category"),
    ]
    for values in containers:
        np.testing.assert_array_equal(prn(values, 3), expected)


def test_integer_keys_hash_as_decimal_text() -> None:
    np.testing.assert_array_equal(prn([1, 22, 333], 9), prn(["1", "22", "333"], 9))
    np.testing.assert_array_equal(
        prn(pd.Series([1, 22], dtype="Int64"), 9), prn(["1", "22"], 9)
    )


def test_missing_and_float_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="missing"):
        prn(["a", None], 1)
    with pytest.raises(TypeError, match="strings or integers"):
        prn([1.5, 2.0], 1)


@pytest.mark.parametrize("seed", [-1, 2**64, 1.0, True, "1", np.random.default_rng(1)])
def test_seed_validation(seed: object) -> None:
    with pytest.raises((TypeError, ValueError), match="seed"):
        prn(["a"], seed)  # type: ignore[arg-type]


def test_uniform_and_independent_across_seeds() -> None:
    keys = [f"W{i:08d}" for i in range(50_000)]
    u1, u2 = prn(keys, 1), prn(keys, 2)
    # Kolmogorov–Smirnov against U(0, 1) (scipy.stats.kstest)
    assert stats.kstest(u1, "uniform").pvalue > 1e-3
    assert stats.kstest(u2, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u1, u2)[0, 1]) < 4 / np.sqrt(len(keys))
    assert ((u1 >= 0) & (u1 < 1)).all()


def test_fingerprint_is_order_independent_and_sensitive() -> None:
    keys = [f"W{i}" for i in range(100)]
    labels = ["A"] * 50 + ["B"] * 50
    base = fingerprint(keys, labels)
    perm = np.random.default_rng(1).permutation(100)
    assert fingerprint([keys[i] for i in perm], [labels[i] for i in perm]) == base
    moved = labels.copy()
    moved[0] = "B"
    assert fingerprint(keys, moved) != base
    assert fingerprint(keys[1:], labels[1:]) != base
    assert base.startswith(f"{ALGORITHM_VERSION}:100:")
