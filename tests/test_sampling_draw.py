"""Drawing with permanent random numbers (beian_audit.sampling.draw).

Exactness of the design is shown by simulation (inclusion probabilities n_h/N_h by a
chi-square test over many seeds; unbiasedness of the weighted estimator for the
synthetic registry's ground truth); invariance to row order and partitioning by
property tests; reproducibility by verify_sample and a golden sample.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from beian_audit.errors import SampleDesignError
from beian_audit.sampling import (
    Sample,
    draw_partition,
    draw_sample,
    plan_sample,
    select_psus,
    verify_sample,
)


def make_frame(sizes: dict[str, int], *, start: int = 0) -> pd.DataFrame:
    providers = [p for p, k in sizes.items() for _ in range(k)]
    n = len(providers)
    return pd.DataFrame(
        {
            "website_id": pd.array(
                [f"W{i:07d}" for i in range(start, start + n)], dtype="string[pyarrow]"
            ),
            "provider_id": pd.array(providers, dtype="string[pyarrow]"),
            "sponsor_principal_mobile": pd.array(
                [f"138{i:08d}" for i in range(n)], dtype="string[pyarrow]"
            ),
        }
    )


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    from beian_audit.synthetic import generate_registry

    return generate_registry(2_000, seed=11)


def keys_of(sample: Sample | pd.DataFrame) -> list[str]:
    frame = sample.frame if isinstance(sample, Sample) else sample
    return sorted(frame["website_id"].astype(str))


# --------------------------------------------------------------------------- columns


def test_single_stage_columns_and_values() -> None:
    frame = make_frame({"A": 60, "B": 30, "C": 10})
    plan = plan_sample(frame, n=20)
    sample = draw_sample(frame, plan, seed=20130401)
    out = sample.frame
    design = ("stratum", "population_size", "sample_size", "inclusion_probability", "weight")
    for col in (*design, "prn"):
        assert col in out.columns
    assert "psu" not in out.columns
    assert out.groupby("stratum").size().to_dict() == {"A": 12, "B": 6, "C": 2}
    np.testing.assert_allclose(
        out["inclusion_probability"], out["sample_size"] / out["population_size"]
    )
    np.testing.assert_allclose(out["weight"], 1 / out["inclusion_probability"])
    assert out["weight"].sum() == pytest.approx(100)  # sum of weights = N
    assert out["prn"].between(0, 1, inclusive="left").all()
    assert set(out.index) <= set(frame.index)
    # rows of a stratum are in PRN order
    assert out.groupby("stratum")["prn"].apply(lambda s: s.is_monotonic_increasing).all()


def test_golden_sample() -> None:
    # Regression of algorithm beian-prn/1: recorded when the algorithm was frozen.
    frame = make_frame({"A": 20, "B": 10})
    sample = draw_sample(frame, plan_sample(frame, n=6), seed=20130401)
    assert sample.frame["website_id"].tolist() == GOLDEN_KEYS
    assert sample.manifest["algorithm_version"] == "beian-prn/1"


GOLDEN_KEYS = ["W0000015", "W0000014", "W0000018", "W0000002", "W0000022", "W0000024"]


def test_manifest_contents_and_json() -> None:
    frame = make_frame({"A": 40, "B": 20})
    plan = plan_sample(frame, n=10)
    sample = draw_sample(frame, plan, seed=5, period=2, rotation=0.1)
    m = sample.manifest
    for field in (
        "seed",
        "key",
        "design",
        "frame_fingerprint",
        "algorithm_version",
        "library_version",
        "created",
        "sample_fingerprint",
        "period",
        "rotation",
    ):
        assert field in m
    assert m["seed"] == 5 and m["key"] == "website_id" and m["period"] == 2
    assert m["design"]["stratum_sizes"] == {"A": [40, 7], "B": [20, 3]}
    restored = json.loads(json.dumps(m))
    assert verify_sample(frame, restored, sample.frame)


# --------------------------------------------------------------------------- invariance


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 2**32), st.integers(6, 60))
def test_row_order_does_not_matter(seed: int, shuffle: int, n: int) -> None:
    frame = make_frame({"A": 70, "B": 25, "C": 5})
    plan = plan_sample(frame, n=n)
    base = draw_sample(frame, plan, seed=seed)
    shuffled = frame.sample(frac=1.0, random_state=shuffle % 2**32)
    other = draw_sample(shuffled, plan, seed=seed)
    assert other.frame["website_id"].tolist() == base.frame["website_id"].tolist()
    assert other.manifest["frame_fingerprint"] == base.manifest["frame_fingerprint"]
    assert other.manifest["sample_fingerprint"] == base.manifest["sample_fingerprint"]
    pd.testing.assert_frame_equal(
        other.frame.reset_index(drop=True), base.frame.loc[other.frame.index].reset_index(drop=True)
    )


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**64 - 1), st.integers(1, 6), st.integers(0, 2**32), st.floats(0, 0.9))
def test_partitions_reduce_to_the_whole(seed: int, parts: int, split: int, rotation: float) -> None:
    frame = make_frame({"A": 50, "B": 30, "C": 3})
    plan = plan_sample(frame, n=15)
    assignment = np.random.default_rng(split).integers(0, parts, len(frame))
    pieces = [frame[assignment == k] for k in range(parts)]
    mapped = pd.concat(
        [draw_partition(p, plan, seed=seed, period=3, rotation=rotation) for p in pieces]
    )
    reduced = draw_partition(mapped, plan, seed=seed, period=3, rotation=rotation)
    whole = draw_sample(frame, plan, seed=seed, period=3, rotation=rotation)
    assert reduced["website_id"].tolist() == whole.frame["website_id"].tolist()


def test_integer_keys_and_other_key_column() -> None:
    frame = make_frame({"A": 30, "B": 30}).assign(num=np.arange(60) * 7)
    plan = plan_sample(frame, n=10)
    by_num = draw_sample(frame, plan, seed=1, key="num")
    as_text = draw_sample(frame.assign(num=frame["num"].astype(str)), plan, seed=1, key="num")
    assert by_num.frame["num"].astype(str).tolist() == as_text.frame["num"].tolist()


# --------------------------------------------------------------------------- verification


def test_verify_sample_detects_changes() -> None:
    frame = make_frame({"A": 50, "B": 50})
    plan = plan_sample(frame, n=12)
    sample = draw_sample(frame, plan, seed=9)
    assert verify_sample(frame, sample.manifest, sample.frame)
    assert sample.verify(frame.sample(frac=1, random_state=2))
    # a swapped row
    swapped = sample.frame.copy()
    outsider = frame.loc[~frame["website_id"].isin(swapped["website_id"]), "website_id"].iloc[0]
    swapped.iloc[0, swapped.columns.get_loc("website_id")] = outsider
    assert not verify_sample(frame, sample.manifest, swapped)
    with pytest.raises(SampleDesignError, match="the keys differ"):
        verify_sample(frame, sample.manifest, swapped, raise_on_mismatch=True)
    # another seed in the manifest
    assert not verify_sample(frame, {**sample.manifest, "seed": 10}, sample.frame)
    # a frame whose filing moved to another provider (same stratum sizes, new fingerprint)
    moved = frame.copy()
    moved.loc[0, "provider_id"], moved.loc[99, "provider_id"] = "B", "A"
    with pytest.raises(SampleDesignError, match=r"fingerprint|keys differ"):
        verify_sample(moved, sample.manifest, sample.frame, raise_on_mismatch=True)
    # a frame with another size
    assert not verify_sample(frame.iloc[1:], sample.manifest, sample.frame)
    # another algorithm
    with pytest.raises(SampleDesignError, match="algorithm"):
        verify_sample(
            frame, {**sample.manifest, "algorithm_version": "x/0"}, sample.frame,
            raise_on_mismatch=True,
        )
    # changed inclusion probabilities
    tampered = sample.frame.assign(inclusion_probability=0.5)
    assert not verify_sample(frame, sample.manifest, tampered)


def test_draw_errors() -> None:
    frame = make_frame({"A": 10, "B": 10})
    plan = plan_sample(frame, n=6)
    dup = frame.copy()
    dup.loc[3, "website_id"] = dup.loc[4, "website_id"]
    # duplicated keys are rejected when they reach the sample (here: a census)
    with pytest.raises(SampleDesignError, match="duplicated"):
        draw_sample(dup, plan_sample(frame, n=20), seed=1)
    missing = frame.copy()
    missing.loc[3, "website_id"] = pd.NA
    with pytest.raises(SampleDesignError, match="missing"):
        draw_sample(missing, plan, seed=1)
    with pytest.raises(SampleDesignError, match="no key column 'id'"):
        draw_sample(frame, plan, seed=1, key="id")
    with pytest.raises(SampleDesignError, match="does not match the plan"):
        draw_sample(frame.iloc[1:], plan, seed=1)
    other = frame.assign(provider_id="C")
    with pytest.raises(SampleDesignError, match="not in the plan"):
        draw_sample(other, plan, seed=1)
    with pytest.raises(TypeError, match="seed"):
        draw_sample(frame, plan, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"rotation \(1.0\) must be in \[0, 1\)"):
        draw_sample(frame, plan, seed=1, rotation=1.0)
    with pytest.raises(ValueError, match=r"period \(-1\)"):
        draw_sample(frame, plan, seed=1, period=-1)


# --------------------------------------------------------------------------- simulation


def test_inclusion_probabilities_chi_square() -> None:
    frame = make_frame({"A": 5, "B": 8, "C": 12})
    plan = plan_sample(frame, n=9, min_per_stratum=0)
    assert plan.sizes["n"].tolist() == [2, 3, 4]
    runs = 400
    counts = pd.Series(0, index=frame["website_id"].astype(str))
    for seed in range(runs):
        chosen = draw_partition(frame, plan, seed=seed)["website_id"].astype(str)
        counts[chosen] += 1
    for provider, big, small in (("A", 5, 2), ("B", 8, 3), ("C", 12, 4)):
        observed = counts[frame["provider_id"].eq(provider).to_numpy()].to_numpy()
        # H0: every unit has inclusion probability n_h / N_h (expected runs * n_h / N_h)
        expected = np.full(big, runs * small / big)
        assert observed.sum() == runs * small
        assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_rotation_keeps_inclusion_probabilities() -> None:
    frame = make_frame({"A": 10})
    plan = plan_sample(frame, n=3)
    runs = 300
    counts = np.zeros(10)
    for seed in range(runs):
        chosen = draw_partition(frame, plan, seed=seed, period=4, rotation=0.3)
        counts[chosen.index.to_numpy()] += 1
    assert stats.chisquare(counts, np.full(10, runs * 0.3)).pvalue > 1e-3


def test_weighted_estimator_is_unbiased(registry: pd.DataFrame) -> None:
    truth = float(registry["truth_sponsor_ok"].astype(float).mean())
    plan = plan_sample(registry, n=150, allocation="equal", min_per_stratum=1)
    estimates = []
    for seed in range(200):
        s = draw_partition(registry, plan, seed=seed)
        w = plan.sizes.set_index("stratum")["weight"].reindex(s["stratum"]).to_numpy()
        y = s["truth_sponsor_ok"].astype(float).to_numpy()
        estimates.append(np.sum(w * y) / np.sum(w))
    est = np.array(estimates)
    # |mean - truth| within 4 simulation standard errors
    assert abs(est.mean() - truth) < 4 * est.std(ddof=1) / np.sqrt(len(est))
    # the unweighted mean of an equal allocation is biased here: weights matter
    assert plan.deff_kish > 1.5


def test_two_stage_columns_and_probabilities(registry: pd.DataFrame) -> None:
    plan = plan_sample(
        registry, psu="provider_id", psu_selection="srs", n_psu=8,
        allocation="equal", n_per_stratum=4,
    )
    sample = draw_sample(registry, plan, seed=3)
    out = sample.frame
    for col in (
        "psu", "psu_stratum", "psu_population_size", "psu_inclusion_probability",
        "stratum", "population_size", "inclusion_probability", "weight", "prn",
    ):
        assert col in out.columns
    assert out["psu"].nunique() == 8 and (out["psu_stratum"] == "all").all()
    m = registry["provider_id"].nunique()
    assert (out["psu_population_size"] == m).all()
    np.testing.assert_allclose(out["psu_inclusion_probability"], 8 / m)
    np.testing.assert_allclose(
        out["inclusion_probability"],
        8 / m * out["sample_size"] / out["population_size"],
    )
    assert sorted(sample.manifest["selected_psus"]) == sorted(out["psu"].unique())
    assert verify_sample(registry, sample.manifest, sample.frame)


def test_two_stage_first_stage_probabilities() -> None:
    frame = make_frame({f"P{i}": 5 + 3 * i for i in range(6)})
    srs = plan_sample(frame, psu="provider_id", psu_selection="srs", n_psu=2,
                      allocation="equal", n_per_stratum=2)
    poisson = plan_sample(frame, psu="provider_id", psu_selection="poisson", n_psu=2,
                          allocation="equal", n_per_stratum=2)
    pps = plan_sample(frame, psu="provider_id", psu_selection="pps", n_psu=2,
                      allocation="equal", n_per_stratum=2)
    runs = 400
    hits = {name: np.zeros(6) for name in ("srs", "poisson", "pps")}
    for seed in range(runs):
        for name, plan in (("srs", srs), ("poisson", poisson), ("pps", pps)):
            selected = select_psus(plan, seed=seed)["selected"].to_numpy()
            hits[name] += selected
            if name != "poisson":
                assert int(selected.sum()) == 2
    # SRS: exactly 2/6 each (chi-square); Poisson: exact pi = 2 x / sum x
    assert stats.chisquare(hits["srs"], np.full(6, runs / 3)).pvalue > 1e-3
    pi = poisson.psus["psu_inclusion_probability"].to_numpy()
    z = (hits["poisson"] - runs * pi) / np.sqrt(runs * pi * (1 - pi))
    assert np.all(np.abs(z) < 4)
    # Pareto pips: close to pi (Rosén 1997; the error is of order 1/n_psu)
    np.testing.assert_allclose(hits["pps"] / runs, pi, atol=0.07)


def test_two_stage_horvitz_thompson_unbiased(registry: pd.DataFrame) -> None:
    total = float(registry["truth_access_ok"].astype(float).sum())
    plan = plan_sample(registry, psu="provider_id", psu_selection="srs", n_psu=10,
                       allocation="equal", n_per_stratum=3)
    estimates = []
    for seed in range(150):
        s = draw_partition(registry, plan, seed=seed)
        w = plan.sizes.set_index("stratum")["weight"].reindex(s["stratum"]).to_numpy()
        estimates.append(np.sum(w * s["truth_access_ok"].astype(float).to_numpy()))
    est = np.array(estimates)
    assert abs(est.mean() - total) < 4 * est.std(ddof=1) / np.sqrt(len(est))


# --------------------------------------------------------------------------- months


def test_rotation_overlap_between_months() -> None:
    frame = make_frame({"A": 3000})
    plan = plan_sample(frame, n=300)
    months = [
        set(keys_of(draw_sample(frame, plan, seed=42, period=k, rotation=0.2))) for k in range(6)
    ]
    overlaps = [len(months[k] & months[k + 1]) / 300 for k in range(5)]
    # consecutive months share about 1 - rotation of the panel (Ohlsson's shift by r n/N)
    assert np.mean(overlaps) == pytest.approx(0.8, abs=0.04)
    assert all(0.7 < o < 0.9 for o in overlaps)
    # five shifts of 0.2 move the window by a whole sampling fraction: a fresh panel
    assert len(months[0] & months[5]) / 300 < 0.1


def test_same_seed_keeps_the_panel_as_the_frame_changes() -> None:
    may = make_frame({"A": 800, "B": 400})
    plan_may = plan_sample(may, n=120)
    first = set(keys_of(draw_sample(may, plan_may, seed=7)))
    # a month later: 5 % of filings cancelled, 60 new ones
    june = pd.concat([may.iloc[::20].iloc[0:0], may.drop(may.index[::20]),
                      make_frame({"A": 40, "B": 20}, start=10_000)])
    plan_june = plan_sample(june, n=120)
    second = set(keys_of(draw_sample(june, plan_june, seed=7)))
    assert len(first & second) / 120 > 0.85
    independent = set(keys_of(draw_sample(june, plan_june, seed=8)))
    assert len(first & independent) / 120 < 0.3
    # no rotation: the same sample every period
    assert keys_of(draw_sample(may, plan_may, seed=7, period=5)) == sorted(first)


# --------------------------------------------------------------------------- rendering


def test_sample_renderings_mask_personal_data() -> None:
    frame = make_frame({"A": 20, "B": 10})
    sample = draw_sample(frame, plan_sample(frame, n=6), seed=1)
    raw = str(sample.frame["sponsor_principal_mobile"].iloc[0])
    text = repr(sample)
    assert text == (
        "Sample(n=6, strata=2, seed=1, key='website_id', algorithm='beian-prn/1')"
    )
    html = sample._repr_html_()
    assert raw not in html and raw[:3] + "****" + raw[-4:] in html
    data = sample.to_dict()
    json.dumps(data)
    assert data["manifest"]["seed"] == 1
    assert all(raw not in json.dumps(r, ensure_ascii=False) for r in data["records"])
    assert sample.to_frame(reveal=True)["sponsor_principal_mobile"].iloc[0] == raw
    assert sample.by_stratum()["selected"].tolist() == [4, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sample.n == 6 and sample.key == "website_id" and sample.seed == 1


def test_plan_row_cache_never_goes_stale() -> None:
    # The plan keeps the stratum codes of its frame's rows (Arrow columns only) to spare
    # draw_sample a second factorisation; any edit of a stratum column must defeat it.
    frame = make_frame({"A": 50, "B": 50})
    census = plan_sample(frame, n=100)  # every row selected: every stratum label shows
    edited = frame.copy()
    a, b = edited.index[0], edited.index[-1]
    edited.loc[a, "provider_id"], edited.loc[b, "provider_id"] = "B", "A"  # sizes unchanged
    out = draw_sample(edited, census, seed=4).frame
    assert (out["stratum"] == out["provider_id"]).all()
    frame.loc[a, "provider_id"], frame.loc[b, "provider_id"] = "B", "A"  # in place
    out = draw_sample(frame, census, seed=4).frame
    assert (out["stratum"] == out["provider_id"]).all()
    plan = plan_sample(frame, n=20)
    fresh = keys_of(draw_sample(frame.copy(), plan, seed=4))
    assert keys_of(draw_sample(frame, plan, seed=4)) == fresh
    # an object-dtype frame is not cached and gives the same sample
    objects = frame.astype({"provider_id": object})
    assert keys_of(draw_sample(objects, plan_sample(objects, n=20), seed=4)) == fresh
