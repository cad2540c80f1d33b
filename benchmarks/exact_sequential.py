"""Exact wrong-verdict rates of the sequential verdicts, one stratum (no simulation error).

For one stratum the verdict of :func:`beian_audit.estimation.sequential_assessment` at
look ``k`` depends only on the number ``x_k`` of correct filings among the first
``n_k`` rows in PRN order, and (the statistic being increasing in ``x_k``, the
thresholds fixed) "not met" is ``x_k <= low_k`` and "met" is ``x_k >= high_k``.

1. **Rejection regions from the public function.** ``low_k`` and ``high_k`` are found
   by bisection on the count, calling ``sequential_assessment`` on a sample whose
   first ``n_k`` rows are verified with ``x`` correct (its per-look table gives the
   verdict of look ``k``). Nothing of the module's internals is used.
2. **Every path of counts.** Verifying in PRN order draws without replacement: given
   ``x_{k-1}``, the increment ``x_k - x_{k-1}`` is hypergeometric (``n_k - n_{k-1}``
   draws from the ``N - n_{k-1}`` unverified filings, ``M - x_{k-1}`` of them
   correct; ``scipy.stats.hypergeom``), binomial for an infinite population
   (``population_size=False``). A forward recursion over the looks sums the
   probability of every path.
3. **At the boundary truth.** A wrong "not met" is computed with
   ``M = ceil(target N)`` correct filings (the smallest count meeting the target),
   a wrong "met" with ``M - 1`` (the largest count below it); the probability of a
   one-sided region is monotone in ``M``, so these are the worst cases. For an
   infinite population both are at ``p = target`` (the limit from below for "met").

Two rates are reported per wrong verdict:

* ``met`` / ``not_met``: the procedure as run, stopping at the first crossing of
  either boundary (the probability that the verdict is the wrong one);
* ``met_nb`` / ``not_met_nb``: non-binding, the boundary alone (the auditor
  carries on after a stop the other way); never smaller, and the figure the design
  promises to keep at most alpha.

The grid: target 0.75 and 0.9 x fixed n 100 and 437 x looks 1, 2, 3, 5, 8 equal,
10/20/60/100 %, 50/75/100 %, 30/100 % x O'Brien-Fleming and Pocock spending x
N = 20 000 and infinite: 128 designs, alpha = 0.05 per wrong verdict. The printed
maxima are exact up to floating point (the regions are the public function's).

Usage::

    python benchmarks/exact_sequential.py              # full grid (~10 min on a busy core)
    python benchmarks/exact_sequential.py --quick      # n = 100 only
    python benchmarks/exact_sequential.py --check      # brute force over all 2^12 orders first

``tests/test_estimation_sequential.py`` runs a reduced grid and the brute-force check.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time

import numpy as np
import pandas as pd
from scipy.special import gammaln
from scipy.stats import binom, hypergeom

from beian_audit.estimation import sequential_assessment

ALPHA = 0.05
TARGETS = (0.75, 0.9)
NS = (100, 437)  # 437 = sample_size_power(0.75, 0.80): 80 % power at 0.80
LOOKS: list[object] = [1, 2, 3, 5, 8, [0.1, 0.2, 0.6, 1.0], [0.5, 0.75, 1.0], [0.3, 1.0]]
SPENDINGS = ("obrien-fleming", "pocock")
POPULATIONS: tuple[int | None, ...] = (20_000, None)  # None: infinite (binomial)


def _base(n: int, big_n: int | None) -> pd.DataFrame:
    frame = pd.DataFrame({"prn": (np.arange(n) + 0.5) / n})
    if big_n is not None:
        frame["population_size"] = big_n
    return frame


def _assess(frame: pd.DataFrame, y: np.ndarray, target: float, looks: object,
            spending: str, big_n: int | None) -> pd.DataFrame:  # fmt: skip
    kw: dict[str, object] = {} if big_n is not None else {"population_size": False}
    v = sequential_assessment(frame.assign(correct=y), "correct", target, looks=looks,  # type: ignore[arg-type]
                              alpha=ALPHA, spending=spending, **kw)  # type: ignore[arg-type]  # fmt: skip
    return v.table


def rejection_counts(n: int, big_n: int | None, looks: object, target: float,
                     spending: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Per look: n_k, the largest count giving "not met" (-1: none) and the smallest
    giving "met" (n_k + 1: none), by bisection on the public function's verdict."""
    frame = _base(n, big_n)
    counts = _assess(frame, np.full(n, np.nan), target, looks, spending, big_n)[
        "n_planned"].to_numpy().astype(np.int64)  # fmt: skip

    def verdict(k: int, x: int) -> str:
        y = np.full(n, np.nan)
        y[: counts[k]] = 0.0
        y[:x] = 1.0
        return str(_assess(frame, y, target, looks, spending, big_n)["verdict"].iloc[k])

    low, high = [], []
    for k, nk in enumerate(counts):
        a, b = -1, int(nk) + 1  # verdict(a) == "not met" or a == -1; b the other side
        while b - a > 1:
            m = (a + b) // 2
            a, b = (m, b) if verdict(k, m) == "not met" else (a, m)
        low.append(a)
        a, b = -1, int(nk) + 1
        while b - a > 1:
            m = (a + b) // 2
            a, b = (a, m) if verdict(k, m) == "met" else (m, b)
        high.append(b)
    return counts, np.array(low), np.array(high)


def _log_comb(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        out = gammaln(a + 1.0) - gammaln(b + 1.0) - gammaln(a - b + 1.0)
    return np.where((b >= 0) & (b <= a), out, -np.inf)


def _hypergeom_pmf(j: np.ndarray, total: int, good: np.ndarray, d: int) -> np.ndarray:
    """P(j correct among d draws from ``total`` with ``good`` correct), from log-binomials.

    scipy.stats.hypergeom.pmf gives the same numbers (checked in ``check``) but is
    slow for a population of 20 000.
    """
    j, good = np.asarray(j, dtype=float), np.asarray(good, dtype=float)
    log_p = _log_comb(good, j) + _log_comb(total - good, d - j) - _log_comb(
        np.asarray(float(total)), np.asarray(float(d)))  # fmt: skip
    return np.exp(log_p)


def _step(f: np.ndarray, prev: int, nk: int, big_n: int | None, ones: float) -> np.ndarray:
    """Distribution of x_k from that of x_{k-1} (support 0..prev): one batch of draws."""
    d = nk - prev
    j = np.arange(d + 1)[:, None]  # increment
    if big_n is None:
        pmf = np.broadcast_to(binom.pmf(j, d, ones), (d + 1, prev + 1))
    else:
        good = int(ones) - np.arange(prev + 1)  # correct filings not yet verified
        # states with more correct (or wrong) rows than the population holds have f = 0;
        # scipy returns nan for their impossible parameters
        possible = (good >= 0) & (good <= big_n - prev)
        pmf = np.where(possible[None, :],
                       _hypergeom_pmf(j, big_n - prev, np.where(possible, good, 0)[None, :], d),
                       0.0)  # fmt: skip
    new = np.zeros(nk + 1)
    for i in range(d + 1):
        new[i: i + prev + 1] += f * pmf[i]
    return new


def crossing(counts: np.ndarray, big_n: int | None, ones: float, low: np.ndarray | None,
             high: np.ndarray | None) -> tuple[float, float]:  # fmt: skip
    """(P(first stop is "not met"), P(first stop is "met")) over every path of counts.

    ``ones`` is the number of correct filings M (the probability p when ``big_n`` is
    None). A boundary given as None is never crossed (non-binding rates).
    """
    prev, f = 0, np.array([1.0])
    p_low = p_high = 0.0
    for k, nk in enumerate(counts):
        new = _step(f, prev, int(nk), big_n, ones)
        x = np.arange(int(nk) + 1)
        lo = x <= low[k] if low is not None else np.zeros(x.size, dtype=bool)
        hi = x >= high[k] if high is not None else np.zeros(x.size, dtype=bool)
        p_low += float(new[lo].sum())
        p_high += float(new[hi & ~lo].sum())
        f, prev = np.where(lo | hi, 0.0, new), int(nk)
    return p_low, p_high


def design_errors(target: float, n: int, looks: object, spending: str,
                  big_n: int | None) -> dict[str, object]:  # fmt: skip
    """The four exact wrong-verdict rates of one design at the boundary truth."""
    counts, low, high = rejection_counts(n, big_n, looks, target, spending)
    if big_n is None:
        at = below = target
    else:
        at = math.ceil(target * big_n - 1e-9)  # smallest count meeting the target
        below = at - 1
    not_met, _ = crossing(counts, big_n, at, low, high)
    _, met = crossing(counts, big_n, below, low, high)
    not_met_nb, _ = crossing(counts, big_n, at, low, None)
    _, met_nb = crossing(counts, big_n, below, None, high)
    return {"target": target, "n": n, "N": big_n if big_n is not None else "inf",
            "looks": str(looks), "spending": spending, "met": met, "not_met": not_met,
            "met_nb": met_nb, "not_met_nb": not_met_nb}  # fmt: skip


def brute_force(n: int, big_n: int, ones: int, counts: np.ndarray, low: np.ndarray,
                high: np.ndarray) -> tuple[float, float]:  # fmt: skip
    """The same two probabilities by enumerating all 2^n ordered outcome sequences.

    A sequence with s correct among its n draws without replacement has probability
    M!/(M-s)! (N-M)!/(N-M-n+s)! / (N!/(N-n)!), whatever the order; its counts at the
    looks are prefix sums. Independent of :func:`crossing` (no recursion, no scipy).
    """
    seqs = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.int64)
    s = seqs.sum(axis=1)

    def falling(a: int, k: np.ndarray) -> np.ndarray:
        return np.array([math.prod(range(a - int(j) + 1, a + 1)) for j in k], dtype=float)

    prob = falling(ones, s) * falling(big_n - ones, n - s) / math.prod(
        range(big_n - n + 1, big_n + 1))  # fmt: skip
    x = np.cumsum(seqs, axis=1)[:, counts - 1]
    lo, hi = x <= low[None, :], x >= high[None, :]
    stop = lo | hi
    first = np.where(stop.any(axis=1), np.argmax(stop, axis=1), -1)
    rows = np.arange(len(seqs))
    first_low = (first >= 0) & lo[rows, first]
    first_high = (first >= 0) & hi[rows, first] & ~lo[rows, first]
    return float(prob[first_low].sum()), float(prob[first_high].sum())


def check() -> None:
    """Recursion == brute force on small designs (N = 40, n = 12)."""
    for target, looks, spending in [(0.75, 3, "pocock"), (0.75, [0.5, 1.0], "obrien-fleming"),
                                    (0.9, 4, "pocock")]:  # fmt: skip
        counts, low, high = rejection_counts(12, 40, looks, target, spending)
        for ones in (math.ceil(target * 40) - 1, math.ceil(target * 40)):
            want = brute_force(12, 40, ones, counts, low, high)
            got = crossing(counts, 40, ones, low, high)
            assert np.allclose(got, want, rtol=1e-10, atol=1e-15), (target, looks, got, want)
    j = np.arange(60)[:, None]
    good = np.array([14_000, 15_000, 17_990])[None, :]
    assert np.allclose(_hypergeom_pmf(j, 19_950, good, 59), hypergeom.pmf(j, 19_950, good, 59),
                       rtol=1e-9, atol=1e-300)  # fmt: skip
    print("check: forward recursion == brute force over all 2^12 orders (3 designs); "
          "log-binomial pmf == scipy.stats.hypergeom.pmf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 100 only (64 designs)")
    parser.add_argument("--check", action="store_true", help="brute-force check first")
    parser.add_argument("--markdown", default=None, help="write the table as markdown")
    args = parser.parse_args()
    if args.check:
        check()
    start = time.perf_counter()
    rows = []
    for target, n, looks, spending, big_n in itertools.product(
        TARGETS, NS[:1] if args.quick else NS, LOOKS, SPENDINGS, POPULATIONS
    ):
        rows.append(design_errors(target, n, looks, spending, big_n))
        r = rows[-1]
        print(f"{target:>5} {n:>4} {r['N']!s:>6} {looks!s:>18} {spending:>14}  "
              f"met {r['met']:.4f} ({r['met_nb']:.4f} nb)  "
              f"not met {r['not_met']:.4f} ({r['not_met_nb']:.4f} nb)", flush=True)  # fmt: skip
    table = pd.DataFrame(rows)
    print(f"{len(table)} designs, alpha {ALPHA} per wrong verdict, "
          f"{time.perf_counter() - start:.0f} s")
    for tgt, part in table.groupby("target"):
        print(f"target {tgt}: largest wrong 'met' {part['met'].max():.4f} "
              f"(non-binding {part['met_nb'].max():.4f}), largest wrong 'not met' "
              f"{part['not_met'].max():.4f} (non-binding {part['not_met_nb'].max():.4f})")
    worst = float(table[["met", "not_met", "met_nb", "not_met_nb"]].to_numpy().max())
    print(f"largest wrong-verdict rate over the grid: {worst:.4f} (alpha {ALPHA})")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table.to_markdown(index=False, floatfmt=".4f") + "\n")


if __name__ == "__main__":
    main()
