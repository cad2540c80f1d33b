"""Tests of beian_audit.reporting.rankings.

Reference numbers: the probability that one provider ranks above another is
computed independently by numerical integration with ``scipy.integrate.quad``
(Beta posteriors) or the closed form Φ((p_A − p_B)/√(se_A² + se_B²)) (normal),
and compared with the simulated rank distribution within four Monte Carlo
standard errors. Unfiled counts are checked against plain pandas counts of the
synthetic ground truth.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from beian_audit.errors import EstimationError, SchemaError
from beian_audit.estimation import estimate_proportion
from beian_audit.reporting import (
    ProviderRanking,
    UnfiledRanking,
    match_accessed_sites,
    rank_providers,
    top_unfiled_providers,
)


# --------------------------------------------------------------------------- matching
def test_match_accessed_sites_rules():
    sites = pd.DataFrame(
        {
            "site_id": ["S1", "S2", "S3", "S4", "S5", "S6"],
            "provider_id": ["P1"] * 6,
            "domain": [
                "https://WWW.Example.com.cn/a",
                "blog.example.cn",
                "www.例子.中国",
                "other.cn",
                "10.0.0.1",
                None,
            ],
        }
    )
    registry = pd.DataFrame(
        {
            "website_id": ["W2", "W1", "W3"],
            "domain": ["example.com.cn", "example.com.cn; example.cn", "xn--fsqu00a.xn--fiqs8s"],
        }
    )
    m = match_accessed_sites(sites, registry)
    assert m.index.equals(sites.index)
    assert m["filed"].tolist() == [True, True, True, False, pd.NA, pd.NA]
    # several filings of one domain: the smallest website_id is reported
    assert m["website_id"].tolist()[:3] == ["W1", "W1", "W3"]
    assert m["registered_domain"].tolist()[:4] == [
        "example.com.cn", "example.cn", "xn--fsqu00a.xn--fiqs8s", "other.cn",
    ]  # fmt: skip


def test_match_requires_columns():
    with pytest.raises(SchemaError, match="domain"):
        match_accessed_sites(pd.DataFrame({"site_id": [1], "provider_id": [1]}),
                             pd.DataFrame({"website_id": [], "domain": []}))  # fmt: skip


# --------------------------------------------------------------------------- top unfiled
@pytest.fixture()
def tied_sites() -> pd.DataFrame:
    # unfiled per provider: P1 3, P2 2, P3 2, P4 1, P5 0
    providers = ["P1"] * 3 + ["P2"] * 2 + ["P3"] * 2 + ["P4"] + ["P5"] * 2
    filed = [False] * 8 + [True] * 2
    return pd.DataFrame(
        {"site_id": [f"S{i}" for i in range(10)], "provider_id": providers, "filed": filed}
    )


def test_top_unfiled_ties(tied_sites):
    r = top_unfiled_providers(tied_sites, n=2)
    assert isinstance(r, UnfiledRanking)
    t = r.to_frame()
    # competition ranking: 1, 2, 2 (both tied providers at place 2 are listed)
    assert t["provider_id"].tolist() == ["P1", "P2", "P3"]
    assert t["rank"].tolist() == [1, 2, 2]
    assert t["tied"].tolist() == [False, True, True]
    t = top_unfiled_providers(tied_sites, n=2, ties="exclude").to_frame()
    assert t["provider_id"].tolist() == ["P1"]
    t = top_unfiled_providers(tied_sites, n=10).to_frame()
    assert t["provider_id"].tolist() == ["P1", "P2", "P3", "P4"]  # P5 has none
    assert t["rank"].tolist() == [1, 2, 2, 4]
    assert t["n_accessed"].tolist() == [3, 2, 2, 1]


def test_top_unfiled_inputs(tied_sites):
    flags = tied_sites.pop("filed")
    by_array = top_unfiled_providers(tied_sites, flags.to_numpy()).to_frame()
    match = pd.DataFrame({"site_id": tied_sites["site_id"], "filed": flags})
    by_frame = top_unfiled_providers(tied_sites, match).to_frame()
    pd.testing.assert_frame_equal(by_array, by_frame)
    with pytest.raises(SchemaError):
        top_unfiled_providers(tied_sites, flags.to_numpy()[:3])
    with pytest.raises(SchemaError, match="filed"):
        top_unfiled_providers(tied_sites)
    with pytest.raises(ValueError, match="n"):
        top_unfiled_providers(tied_sites, flags, n=0)
    with pytest.raises(ValueError, match="ties"):
        top_unfiled_providers(tied_sites, flags, ties="random")  # type: ignore[arg-type]


def test_top_unfiled_on_synthetic_truth():
    from beian_audit.synthetic import generate_world

    world = generate_world(2000, seed=21)
    acc = world.accessed_sites
    ranking = top_unfiled_providers(acc, world.filings, providers=world.providers)
    t = ranking.to_frame()
    # independent count from the synthetic truth
    truth = (~acc["truth_filed"]).groupby(acc["provider_id"]).sum()
    truth = truth[truth > 0].sort_values(ascending=False)
    expected = dict(truth.astype(int))
    assert dict(zip(t["provider_id"], t["n_unfiled"], strict=True)).items() <= expected.items()
    cutoff = t["n_unfiled"].min()
    assert set(t["provider_id"]) == {p for p, v in expected.items() if v >= cutoff}
    assert len(t) >= min(10, len(expected))
    assert t["provider_name"].notna().all()
    assert "top=" in repr(ranking)


# --------------------------------------------------------------------------- rank intervals
def _p_first_beta(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X1 > X2) for independent Beta variables, by quadrature."""
    value, _ = integrate.quad(lambda x: stats.beta.pdf(x, a1, b1) * stats.beta.cdf(x, a2, b2), 0, 1)
    return value


def test_rank_probability_matches_quadrature():
    est = pd.DataFrame(
        {
            "provider_id": ["A", "B"],
            "estimate": [10 / 12, 8 / 12],
            "ci_low": [0.6, 0.4],
            "ci_high": [0.95, 0.85],
            "posterior_alpha": [10.0, 8.0],
            "posterior_beta": [2.0, 4.0],
        }
    )
    n_sim = 20_000
    r = rank_providers(estimates=est, n_sim=n_sim, rng=5)
    q = _p_first_beta(10, 2, 8, 4)  # ≈ 0.82
    # simulated share of draws where A ranks first, from the mean rank (ranks 1 or 2)
    share = 2.0 - r.to_frame().set_index("provider_id").loc["A", "rank_mean"]
    assert share == pytest.approx(q, abs=4 * math.sqrt(q * (1 - q) / n_sim))
    # q lies in (0.025, 0.975): the two providers cannot be ordered at 95 %
    t = r.to_frame()
    assert t["rank_low"].tolist() == [1, 1] and t["rank_high"].tolist() == [2, 2]
    assert t["rank_interval"].tolist() == ["1–2", "1–2"]


def test_normal_method_matches_closed_form():
    z = stats.norm.ppf(0.975)
    se = np.array([0.03, 0.04])
    p = np.array([0.80, 0.76])
    est = pd.DataFrame(
        {"provider_id": ["A", "B"], "estimate": p, "ci_low": p - z * se, "ci_high": p + z * se}
    )
    n_sim = 20_000
    r = rank_providers(estimates=est, method="normal", n_sim=n_sim, rng=2)
    q = stats.norm.cdf((p[0] - p[1]) / math.hypot(*se))  # ≈ 0.79
    share = 2.0 - r.to_frame().set_index("provider_id").loc["A", "rank_mean"]
    assert share == pytest.approx(q, abs=4 * math.sqrt(q * (1 - q) / n_sim))


def test_clearly_separated_providers_get_exact_ranks():
    frame = pd.DataFrame(
        {
            "provider_id": ["A"] * 200 + ["B"] * 200 + ["C"] * 200,
            "ok": [1] * 196 + [0] * 4 + [1] * 150 + [0] * 50 + [1] * 60 + [0] * 140,
        }
    )
    r = rank_providers(frame, "ok", rng=1)
    assert isinstance(r, ProviderRanking)
    t = r.to_frame()
    assert t["provider_id"].tolist() == ["A", "B", "C"]
    assert t["rank_low"].tolist() == t["rank_high"].tolist() == [1, 2, 3]
    # the accuracy intervals are the design-based ones (estimate_proportion, by=)
    ref = estimate_proportion(frame, "ok", by="provider_id").by.set_index("provider_id")
    assert t.set_index("provider_id")["ci_low"].to_dict() == pytest.approx(ref["ci_low"].to_dict())
    # worst first
    t = rank_providers(frame, "ok", rng=1, higher_is_better=False).to_frame()
    assert t["provider_id"].tolist() == ["C", "B", "A"]


def test_overlapping_providers_are_not_ordered():
    # B and C: same counts; A a little better; intervals overlap
    frame = pd.DataFrame(
        {
            "provider_id": ["A"] * 30 + ["B"] * 30 + ["C"] * 30,
            "ok": [1] * 25 + [0] * 5 + [1] * 24 + [0] * 6 + [1] * 24 + [0] * 6,
        }
    )
    t = rank_providers(frame, "ok", rng=3).to_frame().set_index("provider_id")
    assert t.loc["B", "rank"] == t.loc["C", "rank"] == 2  # tied point estimates share rank 2
    for p in "ABC":
        assert t.loc[p, "rank_low"] == 1 and t.loc[p, "rank_high"] == 3


def test_census_providers_are_fixed_and_ties_share_rank():
    est = pd.DataFrame(
        {
            "provider_id": ["A", "B", "C"],
            "estimate": [0.9, 0.9, 0.5],
            "ci_low": [0.9, 0.9, 0.5],
            "ci_high": [0.9, 0.9, 0.5],
            "n_effective": [np.inf, np.inf, np.inf],
        }
    )
    t = rank_providers(estimates=est, rng=0).to_frame()
    assert t["rank_low"].tolist() == [1, 1, 3] and t["rank_high"].tolist() == [1, 1, 3]


def test_simultaneous_intervals_are_wider():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "provider_id": np.repeat([f"P{i}" for i in range(12)], 25),
            "ok": rng.random(300) < np.repeat(np.linspace(0.6, 0.95, 12), 25),
        }
    )
    marginal = rank_providers(frame, "ok", rng=4).to_frame()
    joint = rank_providers(frame, "ok", rng=4, simultaneous=True).to_frame()
    assert (joint["rank_low"] <= marginal["rank_low"]).all()
    assert (joint["rank_high"] >= marginal["rank_high"]).all()
    assert (joint["rank_high"] - joint["rank_low"]).sum() > (
        marginal["rank_high"] - marginal["rank_low"]
    ).sum()


def test_reproducible_and_accepts_estimate_objects():
    frame = pd.DataFrame(
        {"provider_id": ["A"] * 10 + ["B"] * 10, "ok": [1] * 8 + [0] * 2 + [1] * 7 + [0] * 3}
    )
    a = rank_providers(frame, "ok", rng=np.random.default_rng(9)).to_frame()
    b = rank_providers(frame, "ok", rng=9).to_frame()
    pd.testing.assert_frame_equal(a, b)
    est = estimate_proportion(frame, "ok", by="provider_id")
    c = rank_providers(est, rng=9).to_frame()
    pd.testing.assert_frame_equal(a[c.columns.intersection(a.columns)],
                                  c[c.columns.intersection(a.columns)])  # fmt: skip


def test_rank_validation():
    frame = pd.DataFrame({"provider_id": ["A", "B"], "ok": [1, 0]})
    with pytest.raises(ValueError, match="method"):
        rank_providers(frame, "ok", method="bootstrap")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_sim"):
        rank_providers(frame, "ok", n_sim=10)
    with pytest.raises(EstimationError, match="outcome"):
        rank_providers(frame)
    with pytest.raises(EstimationError):
        rank_providers(frame, "ok", confidence_level=1.5)
    with pytest.raises(EstimationError, match="by"):
        rank_providers(estimate_proportion(frame, "ok"))
    only_ci = pd.DataFrame({"provider_id": ["A"], "estimate": [0.5], "ci_low": [0.4],
                            "ci_high": [0.6]})  # fmt: skip
    with pytest.raises(EstimationError, match="method='normal'"):
        rank_providers(estimates=only_ci)
    with pytest.raises(EstimationError):
        rank_providers()


# --------------------------------------------------------------------------- verdicts (#11.4)
def test_rank_providers_verdicts_use_multiplicity_control():
    from statsmodels.stats.multitest import multipletests

    from beian_audit.estimation import assess_target, estimate_proportion

    rng = np.random.default_rng(8)
    shares = [0.55, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.65, 0.72, 0.78]
    frame = pd.DataFrame({
        "provider_id": np.repeat([f"P{i}" for i in range(10)], 30),
        "ok": np.concatenate([rng.binomial(1, s, 30) for s in shares])})  # fmt: skip
    plain = rank_providers(frame, "ok", rng=1)
    assert plain.target is None and "status" not in plain.table.columns
    ranked = rank_providers(frame, "ok", rng=1, target=0.75)  # default: Holm
    assert ranked.multiplicity == "holm" and (ranked.table["multiplicity"] == "holm").all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = estimate_proportion(frame, "ok", by="provider_id")
    raw = assess_target(est, 0.75, multiplicity="none").by.set_index("provider_id")
    got = ranked.to_frame().set_index("provider_id").loc[raw.index]
    ref = multipletests(raw["p_value_not_met"].to_numpy(), method="holm")[1]
    assert np.allclose(got["p_value_not_met_adjusted"], ref, rtol=1e-12, atol=0)
    assert ((got["status"] == "not_met") == (ref <= 0.05)).all()
    # the ranks themselves do not depend on the verdicts
    assert ranked.table["rank_low"].tolist() == plain.table["rank_low"].tolist()
    # seam: unadjusted p-values in the estimates frame are adjusted here
    frame_in = est.by[["provider_id", "estimate", "se", "ci_low", "ci_high"]].merge(
        raw[["p_value", "p_value_not_met"]].reset_index(), on="provider_id")
    seam = rank_providers(estimates=frame_in, method="normal", rng=1, target=0.75,
                          multiplicity="fdr_bh").to_frame().set_index("provider_id")  # fmt: skip
    bh = multipletests(raw["p_value"].to_numpy(), method="fdr_bh")[1]
    assert np.allclose(seam.loc[raw.index, "p_value_adjusted"], bh, rtol=1e-12, atol=0)
    assert "target=0.75" in repr(ranked)
    with pytest.raises(ValueError, match="multiplicity"):
        rank_providers(frame, "ok", target=0.75, multiplicity="sidak")
    with pytest.raises(SchemaError, match="p_value"):
        rank_providers(estimates=frame_in.drop(columns=["p_value"]), method="normal",
                       target=0.75)  # fmt: skip
