"""Allocation across strata (beian_audit.sampling.allocation): properties and closed forms."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from beian_audit.errors import SampleDesignError, SmallStratumWarning
from beian_audit.sampling.allocation import allocate, kish_deff, tianjin_rule

METHODS = ["proportional", "neyman", "equal", "power"]


@st.composite
def designs(draw: st.DrawFn) -> tuple[np.ndarray, int, str, int, np.ndarray, float]:
    sizes = np.array(draw(st.lists(st.integers(1, 5000), min_size=1, max_size=40)))
    minimum = draw(st.integers(0, 5))
    low = int(np.minimum(minimum, sizes).sum())
    n = draw(st.integers(low, int(sizes.sum())))
    method = draw(st.sampled_from(METHODS))
    rates = np.array(draw(st.lists(st.floats(0, 1), min_size=sizes.size, max_size=sizes.size)))
    exponent = draw(st.floats(0, 1))
    return sizes, n, method, minimum, rates, exponent


@settings(max_examples=300)
@given(designs())
def test_allocation_properties(design: tuple[np.ndarray, int, str, int, np.ndarray, float]) -> None:
    sizes, n, method, minimum, rates, exponent = design
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallStratumWarning)  # all-zero Neyman scores
        out = allocate(
            sizes, n, method=method, min_per_stratum=minimum, anticipated=rates, exponent=exponent
        )
    assert out.dtype == np.int64
    assert int(out.sum()) == n  # sums exactly to n
    assert np.all(out <= sizes)  # never above N_h (caps)
    assert np.all(out >= np.minimum(minimum, sizes))  # minimums respected


@settings(max_examples=200)
@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=30),
    st.integers(0, 4),
)
def test_proportional_is_within_one_of_the_share(sizes_list: list[int], minimum: int) -> None:
    sizes = np.array(sizes_list)
    n = int(sizes.sum()) // 7
    assume(n >= np.minimum(minimum, sizes).sum())
    out = allocate(sizes, n, min_per_stratum=minimum)
    share = n * sizes / sizes.sum()
    free = (share > minimum) & (out > np.minimum(minimum, sizes))
    # strata not held at their minimum get floor or ceil of a (rescaled) share
    if free.any():
        scale = (n - out[~free].sum()) / sizes[free].sum()
        assert np.all(np.abs(out[free] - scale * sizes[free]) < 1 + 1e-9)


def test_tianjin_rule_values() -> None:
    # DOMAIN.md §2: 1 -> 1, 2-49 -> 2, 50-100 -> 3, > 100 -> 3 % (rounded up)
    sizes = [1, 2, 49, 50, 100, 101, 150, 1000, 1001, 3_500]
    assert tianjin_rule(sizes).tolist() == [1, 2, 2, 3, 3, 4, 5, 30, 31, 105]
    assert allocate(sizes, method="tianjin").tolist() == [1, 2, 2, 3, 3, 4, 5, 30, 31, 105]
    # min_per_stratum raises small strata (but never above N_h)
    assert allocate([1, 3, 60], method="tianjin", min_per_stratum=5).tolist() == [1, 3, 5]
    with pytest.raises(ValueError, match="fixes the sizes by rule"):
        allocate([10], 3, method="tianjin")


def test_proportional_exact_and_largest_remainder() -> None:
    assert allocate([200, 300, 500], 100).tolist() == [20, 30, 50]
    # 10 * (1/3) each: floors 3, 3, 3 and the one left goes to the first (tie order)
    assert allocate([10, 10, 10], 10, min_per_stratum=0).tolist() == [4, 3, 3]
    # shares 12.42, 6.21, 1.24, 0.12 -> minimums 2 and 1 fixed, 17 left for 100:50
    assert allocate([100, 50, 10, 1], 20).tolist() == [11, 6, 2, 1]


def test_take_all_when_share_exceeds_stratum() -> None:
    # equal allocation of 60 over N = (5, 100, 100): 20 each, capped at 5 -> 5, 27/28
    out = allocate([5, 100, 100], 60, method="equal")
    assert out.tolist() == [5, 28, 27]


def test_neyman_closed_form() -> None:
    # Cochran (1977) eq. 5.26: n_h = n N_h S_h / sum N_h S_h, S_h^2 = N_h p q / (N_h - 1)
    sizes = np.array([4000, 3000, 3000])
    p = np.array([0.5, 0.8, 0.95])
    s = np.sqrt(sizes * p * (1 - p) / (sizes - 1))
    share = 600 * sizes * s / np.sum(sizes * s)
    out = allocate(sizes, 600, method="neyman", anticipated=p)
    assert np.all(np.abs(out - share) < 1)
    assert int(out.sum()) == 600


def test_neyman_needs_rates_and_falls_back() -> None:
    with pytest.raises(ValueError, match="anticipated"):
        allocate([10, 10], 5, method="neyman")
    with pytest.warns(SmallStratumWarning, match="proportionally"):
        out = allocate([60, 30], 9, method="neyman", anticipated=[1.0, 0.0], min_per_stratum=0)
    assert out.tolist() == [6, 3]


def test_power_allocation_bankier() -> None:
    sizes = np.array([10_000, 2_500, 100])
    # Bankier (1988): n_h proportional to N_h^a; a = 0.5 gives 100 : 50 : 10
    assert allocate(sizes, 160, method="power", exponent=0.5, min_per_stratum=0).tolist() == [
        100,
        50,
        10,
    ]
    assert np.array_equal(
        allocate(sizes, 160, method="power", exponent=1.0, min_per_stratum=0),
        allocate(sizes, 160, method="proportional", min_per_stratum=0),
    )
    assert np.array_equal(
        allocate(sizes, 160, method="power", exponent=0.0, min_per_stratum=0),
        allocate(sizes, 160, method="equal", min_per_stratum=0),
    )


def test_allocation_errors() -> None:
    with pytest.raises(SampleDesignError, match=r"n \(3\) is below the minimum.*gives 4"):
        allocate([10, 10], 3, min_per_stratum=2)
    with pytest.raises(SampleDesignError, match=r"n \(30\) exceeds the population size \(20\)"):
        allocate([10, 10], 30)
    with pytest.raises(ValueError, match=r"method \('optimal'\) must be one of 'proportional'"):
        allocate([10], 3, method="optimal")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a total sample size"):
        allocate([10], method="equal")
    with pytest.raises(ValueError, match="positive"):
        allocate([10, 0], 3)
    with pytest.raises(ValueError, match=r"exponent \(2\)"):
        allocate([10], 3, method="power", exponent=2)


def test_kish_deff_closed_form() -> None:
    # deff = n * sum(N_h^2 / n_h) / N^2 (Kish 1965, eq. 11.7.6 with stratum weights)
    big = np.array([900, 100])
    small = np.array([10, 10])
    assert kish_deff(big, small) == pytest.approx(20 * (900**2 / 10 + 100**2 / 10) / 1000**2)
    assert kish_deff(big, np.array([90, 10])) == pytest.approx(1.0)
    assert math.isnan(kish_deff(big, np.array([0, 0])))

