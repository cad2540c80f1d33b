"""Write the design_*.csv test designs read by make_reference.R (run once; output committed).

Deterministic (numpy Generator, fixed seed). Run from anywhere:

    python tests/data/r_survey/make_designs.py

Designs
-------
design_stratified.csv
    Single-stage stratified SRSWOR: 15 strata with N_h from 3 to 3,000 and
    n_h from 2 to 40, one certainty stratum (n_h = N_h), weights N_h / n_h.
    Outcomes: ``y75`` (about 75 % ones), ``y995`` (two failures in the whole
    sample, most strata without failures), ``y_all1`` (all ones),
    ``y_miss`` (y75 with a few missing values, for the na.rm case).
    Domain columns ``province`` (A/B/C) and ``nature``.
design_lonely.csv
    Stratified sample with a lonely PSU (n_h = 1 < N_h) and a single-unit
    certainty stratum (n_h = N_h = 1), outcome ``y``.
design_twostage.csv
    Two-stage sample: first-stage strata ``psu_stratum`` with
    ``psu_population_size`` PSUs, PSU ids ``psu`` reused across strata
    (nested), unequal ``weight``; outcomes ``y75``, ``y995``; domain
    ``province``. Also carries the second-stage ``stratum`` /
    ``population_size`` columns of a ``Sample`` frame.
design_multistage.csv
    Two-stage sample for the multistage variance: first-stage strata
    ``psu_stratum`` (A: 4 of 12 PSUs; B: 3 of 3, certainty; C: 5 of 20; D: the
    one PSU, certainty), second-stage strata ``stratum`` within each PSU with
    ``population_size`` units (one take-all, one with a single sampled unit
    out of several), row id ``ssu``, ``psu_inclusion_probability`` = n1/N1 and
    ``weight`` = (N1/n1)(N2/n2); outcomes ``y75``, ``y995``; domain
    ``province``. A πps variant of the first stage: ``psu_pi_pps`` (stratum C
    with unequal probabilities, one PSU with probability 1) and
    ``weight_pps`` = (1/psu_pi_pps)(N2/n2).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent


def stratified(rng: np.random.Generator) -> pd.DataFrame:
    big_n = [3, 12, 40, 75, 120, 200, 350, 500, 800, 1200, 1500, 2000, 2500, 3000, 900]
    small_n = [3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 35, 40, 40, 2]
    rows = []
    for h, (N, n) in enumerate(zip(big_n, small_n, strict=True)):
        p = rng.uniform(0.6, 0.9)
        for _ in range(n):
            rows.append(
                {
                    "stratum": f"S{h:02d}",
                    "population_size": N,
                    "weight": N / n,
                    "province": rng.choice(["A", "B", "C"], p=[0.5, 0.3, 0.2]),
                    "nature": rng.choice(["enterprise", "individual"], p=[0.65, 0.35]),
                    "y75": int(rng.random() < p),
                }
            )
    frame = pd.DataFrame(rows)
    frame["y995"] = 1
    frame.loc[[37, 180], "y995"] = 0  # two failures, in two different strata
    frame["y_all1"] = 1
    y_miss = frame["y75"].astype("Float64")
    y_miss[[5, 44, 101, 150]] = pd.NA
    frame["y_miss"] = y_miss
    return frame


def lonely(rng: np.random.Generator) -> pd.DataFrame:
    spec = [("L1", 30, 4), ("L2", 50, 6), ("L3", 20, 1), ("L4", 1, 1), ("L5", 80, 5)]
    rows = []
    for name, N, n in spec:
        for _ in range(n):
            rows.append(
                {
                    "stratum": name,
                    "population_size": N,
                    "weight": N / n,
                    "y": int(rng.random() < 0.7),
                }
            )
    frame = pd.DataFrame(rows)
    frame.loc[frame["stratum"] == "L3", "y"] = 0
    return frame


def twostage(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for s, (n_psu_pop, n_psu) in enumerate([(20, 4), (35, 5), (12, 3), (60, 6), (8, 2)]):
        for c in range(n_psu):
            m_pop = int(rng.integers(20, 400))
            m = int(rng.integers(3, 12))
            p = rng.uniform(0.55, 0.95)
            for _ in range(m):
                rows.append(
                    {
                        "psu_stratum": f"P{s}",
                        "psu": f"c{c}",  # reused across strata: nested ids
                        "psu_population_size": n_psu_pop,
                        "psu_inclusion_probability": n_psu / n_psu_pop,
                        "stratum": f"P{s}-c{c}",
                        "population_size": m_pop,
                        "weight": (n_psu_pop / n_psu) * (m_pop / m),
                        "province": rng.choice(["A", "B"]),
                        "y75": int(rng.random() < p),
                    }
                )
    frame = pd.DataFrame(rows)
    frame["y995"] = 1
    frame.loc[[11, 95], "y995"] = 0
    return frame


def multistage(rng: np.random.Generator) -> pd.DataFrame:
    stage1 = {"A": (12, 4), "B": (3, 3), "C": (20, 5), "D": (1, 1)}
    # πps first stage for stratum C: unequal probabilities summing to n1 = 5, one certainty
    pps_c = [1.0, 0.35, 0.9, 0.6, 0.75]
    rows = []
    for s_label, (n1_pop, n1) in stage1.items():
        for c in range(n1):
            p = rng.uniform(0.5, 0.95)
            n_strata = int(rng.integers(1, 4))
            for k in range(n_strata):
                if s_label == "B" and c == 0 and k == 0:
                    big, small = 4, 4  # a take-all second-stage stratum
                elif s_label == "C" and c == 1 and k == 0:
                    big, small = 30, 1  # a single sampled unit out of several
                else:
                    big = int(rng.integers(5, 300))
                    small = int(rng.integers(2, min(big, 9) + 1))
                pi_pps = pps_c[c] if s_label == "C" else n1 / n1_pop
                for _ in range(small):
                    rows.append(
                        {
                            "psu_stratum": s_label,
                            "psu": f"u{c}",  # reused across strata: nested ids
                            "psu_population_size": n1_pop,
                            "psu_inclusion_probability": n1 / n1_pop,
                            "stratum": f"k{k}",  # reused across PSUs: nested ids
                            "population_size": big,
                            "weight": (n1_pop / n1) * (big / small),
                            "psu_pi_pps": pi_pps,
                            "weight_pps": (1 / pi_pps) * (big / small),
                            "province": rng.choice(["A", "B"]),
                            "y75": int(rng.random() < p),
                        }
                    )
    frame = pd.DataFrame(rows)
    frame.insert(0, "ssu", np.arange(1, len(frame) + 1))
    frame["y995"] = 1
    frame.loc[[7, 60], "y995"] = 0
    return frame


def main() -> None:
    rng = np.random.default_rng(20260507)
    stratified(rng).to_csv(HERE / "design_stratified.csv", index=False)
    lonely(rng).to_csv(HERE / "design_lonely.csv", index=False)
    twostage(rng).to_csv(HERE / "design_twostage.csv", index=False)
    # its own generator: the designs above stay as they were
    multistage(np.random.default_rng(20260511)).to_csv(
        HERE / "design_multistage.csv", index=False
    )


if __name__ == "__main__":
    main()
