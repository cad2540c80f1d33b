"""Filing rate: matching rules, census counts, sample estimates, target decisions.

References: the synthetic generator's ground truth (``truth_filed``, written
when the sites are generated, independently of any matching), hand counts on
small frames, :func:`~beian_audit.estimation.estimate_proportion` on the same
sample (the estimator the sample mode must hand its outcomes to) and the
independent matcher of :mod:`beian_audit.reporting.rankings`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from beian_audit.errors import (
    DataQualityWarning,
    DegenerateIntervalWarning,
    EstimationError,
    SchemaError,
)
from beian_audit.estimation import ProportionEstimate, assess_target, estimate_proportion
from beian_audit.estimation.filing_rate import FilingRate, filing_rate


@pytest.fixture(scope="module")
def bundled() -> tuple[pd.DataFrame, pd.DataFrame, FilingRate]:
    from beian_audit.synthetic import load_accessed_sites, load_synthetic_registry

    sites = load_accessed_sites()
    registry = load_synthetic_registry()
    return sites, registry, filing_rate(sites, registry)


@pytest.fixture(scope="module")
def small(bundled) -> tuple[pd.DataFrame, pd.DataFrame]:
    """3000 accessed sites and a registry of 4000 filings (most, not all, of theirs)."""
    sites, registry, _ = bundled
    return sites.iloc[:3000].copy(), registry.iloc[:4000].copy()


def sites_frame(domains, providers=None) -> pd.DataFrame:
    k = len(domains)
    return pd.DataFrame({
        "site_id": [f"S{i}" for i in range(k)],
        "domain": domains,
        "provider_id": providers if providers is not None else ["P1"] * k,
    })  # fmt: skip


# --------------------------------------------------------------------------- matching rules
@pytest.mark.parametrize(
    ("site", "filed_domain", "filed"),
    [
        ("example.com", "example.com", True),
        ("www.example.com", "example.com", True),  # www.
        ("blog.shop.example.com", "example.com", True),  # any subdomain
        ("EXAMPLE.COM", "example.com", True),  # case
        ("http://www.Example.com:8080/index.html", "example.com", True),  # URL form
        ("example.com.", "example.com", True),  # trailing dot
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", "example.com", True),  # full-width (NFKC)
        ("example.com", "www.example.com", True),  # filing written with www.
        ("shop.example.com", "www.example.com", True),  # same registered domain
        ("xn--fsqu00a.xn--fiqs8s", "例子.中国", True),  # punycode site, Unicode filing
        ("www.例子.中国", "xn--fsqu00a.xn--fiqs8s", True),  # Unicode site, punycode filing
        ("XN--FSQU00A.XN--FIQS8S", "例子.中国", True),  # upper-case A-labels
        ("example.com.cn", "example.cn", False),  # another registered domain
        ("example.com.cn", "com.cn", False),  # a public suffix covers nothing
        ("example.org", "example.com", False),
        ("myexample.com", "example.com", False),  # no suffix matching on strings
        ("faß.de", "fass.de", False),  # IDNA 2008 keeps ß distinct
    ],
)
def test_matching_rules(site, filed_domain, filed):
    registry = pd.DataFrame({"website_id": ["W1"], "domain": [filed_domain]})
    rate = filing_rate(sites_frame([site]), registry)
    assert bool(rate.sites["filed"].iloc[0]) is filed
    assert rate.n_filed == int(filed)


def test_registry_cells_may_list_several_domains():
    registry = pd.DataFrame({"website_id": ["W1", "W2"],
                             "domain": ["a.cn; b.com、c.net", "d.org,e.cn  f.cn"]})  # fmt: skip
    sites = sites_frame(["www.a.cn", "b.com", "x.c.net", "d.org", "e.cn", "f.cn", "g.cn"])
    rate = filing_rate(sites, registry)
    assert rate.sites["filed"].tolist() == [True] * 6 + [False]
    assert rate.sites["website_id"].tolist()[:6] == ["W1", "W1", "W1", "W2", "W2", "W2"]
    assert rate.matching["registry_domains"] == 6


def test_website_id_is_the_smallest_matching_filing_and_provider_flag():
    registry = pd.DataFrame({"website_id": ["W9", "W2"], "domain": ["a.cn", "www.a.cn"],
                             "provider_id": ["P1", "P2"]})  # fmt: skip
    sites = sites_frame(["a.cn", "m.a.cn", "b.cn"], ["P2", "P3", "P1"])
    rate = filing_rate(sites, registry)
    assert rate.sites["website_id"].tolist()[:2] == ["W2", "W2"]
    assert rate.sites["filed_with_provider"].tolist() == [True, False, False]


def test_undetermined_sites_are_unfiled_or_excluded_with_a_warning():
    sites = sites_frame(["a.cn", "1.2.3.4", None, "b.cn", "not a domain"])
    registry = pd.DataFrame({"domain": ["a.cn", "b.cn"]})
    with pytest.warns(DataQualityWarning, match=r"3 accessed site\(s\) have no registered"):
        unfiled = filing_rate(sites, registry)
    assert (unfiled.n, unfiled.n_filed, unfiled.n_unfiled, unfiled.n_undetermined) == (5, 2, 3, 3)
    assert unfiled.estimate == pytest.approx(2 / 5)
    assert len(unfiled.unfiled) == 3
    with pytest.warns(DataQualityWarning, match="left out of the rate"):
        excluded = filing_rate(sites, registry, undetermined="exclude")
    assert (excluded.n, excluded.n_unfiled, excluded.n_undetermined) == (2, 0, 3)
    assert excluded.estimate == 1.0 and excluded.unfiled.empty
    total = excluded.table.iloc[-1]
    assert (total["n_accessed"], total["n"], total["unfiled_estimate"]) == (5, 2, 0)
    reasons = unfiled.sites["domain_reason"].tolist()
    assert reasons == ["", "is_ip", "missing", "", "bad_syntax"]


# --------------------------------------------------------------------------- census
def test_census_reproduces_the_generator_truth_on_the_bundled_data(bundled):
    sites, _, rate = bundled
    truth = sites["truth_filed"].to_numpy(bool)
    assert rate.mode == "census"
    assert (rate.sites["filed"].to_numpy(bool) == truth).all()
    assert rate.n_undetermined == 0
    assert rate.n_unfiled == int((~truth).sum())
    assert rate.estimate == truth.mean()
    per = sites.groupby("provider_id")["truth_filed"].agg(["size", "sum"])
    table = rate.by.set_index("provider_id")
    assert (table["n"] == per["size"]).all()
    assert (table["n_filed"] == per["sum"]).all()
    assert np.allclose(table["estimate"], per["sum"] / per["size"], rtol=0, atol=1e-15)
    assert (table["unfiled_estimate"] == table["n_unfiled"]).all()
    assert (table["ci_low"] == table["estimate"]).all() and (table["note"] == "census").all()
    assert set(rate.unfiled["site_id"]) == set(sites.loc[~truth, "site_id"])


@pytest.mark.parametrize("seed", [1, 2])
def test_census_reproduces_the_truth_of_generated_worlds(seed):
    # many IDN and all domain variants, in fresh worlds (generator vs matcher)
    from beian_audit.synthetic import generate_world

    world = generate_world(2000, seed=seed, idn_share=0.3, filing_rate=0.97)
    sites = world.accessed_sites
    rate = filing_rate(sites, world.filings)
    assert (rate.sites["filed"].to_numpy(bool) == sites["truth_filed"].to_numpy(bool)).all()


def test_census_result_feeds_assess_target_without_sampling_error(bundled):
    _, _, rate = bundled
    est = rate.estimate_result
    assert isinstance(est, ProportionEstimate)
    assert est.ci.low == est.ci.high == rate.estimate and est.ci.note == "census"
    below = assess_target(est, rate.estimate - 1e-6)
    above = assess_target(est, rate.estimate + 1e-6)
    assert (below.status, below.p_value) == ("met", 0.0)
    assert (above.status, above.p_value) == ("not_met", 1.0)
    assert above.additional_n_needed == 0
    # the bundled registry misses 99.5 % (99.30 %), and per provider decisions are exact
    a = rate.assess(0.995)
    assert a.status == "not_met"
    by = a.by.set_index("provider_id")
    table = rate.by.set_index("provider_id")
    assert ((by["status"] == "met") == (table["estimate"] >= 0.995)).all()


def test_census_agrees_with_the_rankings_matcher_and_top_unfiled(bundled, small):
    from beian_audit.reporting.rankings import match_accessed_sites, top_unfiled_providers

    sub_sites, sub_registry = small
    theirs = match_accessed_sites(sub_sites, sub_registry)
    ours = filing_rate(sub_sites, sub_registry)
    assert (theirs["filed"].to_numpy(bool) == ours.sites["filed"].to_numpy(bool)).all()
    sites, _, rate = bundled
    ours = rate.top_unfiled(10)
    ranking = top_unfiled_providers(sites, rate.sites[["site_id", "filed"]], n=10).to_frame()
    cols = ["rank", "provider_id", "n_unfiled", "n_accessed", "share_unfiled", "tied"]
    pd.testing.assert_frame_equal(ours[cols], ranking[cols], check_dtype=False)


def test_top_unfiled_counts_and_ties():
    sites = sites_frame(["a.cn", "b.cn", "c.cn", "d.cn", "e.cn", "f.cn"],
                        ["P1", "P2", "P2", "P3", "P3", "P4"])  # fmt: skip
    rate = filing_rate(sites, pd.DataFrame({"domain": ["a.cn", "f.cn"]}))
    top = rate.top_unfiled(1)
    assert top["provider_id"].tolist() == ["P2", "P3"] and top["tied"].all()
    top3 = rate.top_unfiled(3)
    assert top3["provider_id"].tolist() == ["P2", "P3"]  # P1 and P4 have none unfiled
    with pytest.raises(EstimationError, match=r"n \(0\) must be a positive integer"):
        rate.top_unfiled(0)


def test_census_is_invariant_to_row_order(small):
    sites, registry = small
    a = filing_rate(sites, registry)
    b = filing_rate(sites.sample(frac=1.0, random_state=7),
                    registry.sample(frac=1.0, random_state=8))  # fmt: skip
    pd.testing.assert_frame_equal(a.table, b.table)
    assert 0 < a.n_unfiled < len(sites)  # the registry subset leaves some unfiled


def test_by_other_columns_and_overall_only():
    sites = sites_frame(["a.cn", "b.cn", "c.cn", "d.cn"], ["P1", "P1", "P2", "P2"])
    sites["province"] = ["44", "11", "44", "44"]
    registry = pd.DataFrame({"domain": ["a.cn", "c.cn", "d.cn"]})
    by_prov = filing_rate(sites, registry, by="province")
    assert by_prov.by.set_index("province")["estimate"].to_dict() == {"11": 0.0, "44": 1.0}
    both = filing_rate(sites, registry, by=["provider_id", "province"])
    assert len(both.by) == 3
    overall = filing_rate(sites, registry, by=None)
    assert overall.by is None and overall.table["level"].tolist() == ["total"]
    assert overall.estimate == 0.75


# --------------------------------------------------------------------------- sample
@pytest.fixture(scope="module")
def sampled(bundled) -> FilingRate:
    sites, registry, _ = bundled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateIntervalWarning)
        return filing_rate(sites, registry, sample_size=2000, seed=20130501)


def test_sample_mode_hands_the_matched_outcomes_to_estimate_proportion(bundled, sampled):
    from beian_audit.sampling import draw_sample, plan_sample

    sites, _, _ = bundled
    rate = sampled
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateIntervalWarning)
        # reference: the same sample with the generator's truth as outcome
        frame = rate.sample.frame.assign(filed=rate.sample.frame["truth_filed"])
        ref = estimate_proportion(frame, "filed", by="provider_id")
    assert rate.mode == "sample" and rate.n == 2000
    assert rate.sample.manifest["seed"] == 20130501 and rate.sample.key == "site_id"
    assert rate.estimate == ref.estimate and rate.ci.low == ref.ci.low
    assert np.allclose(rate.by["ci_high"], ref.by["ci_high"])
    assert rate.sites.index.equals(rate.sample.frame.index)
    # an estimate with an interval, not a census
    assert rate.ci.low < rate.estimate < rate.ci.high
    assert rate.estimate_result.ci.note == ""
    # the draw is plan_sample + draw_sample with the key site_id
    again = draw_sample(sites, plan_sample(sites, n=2000), seed=20130501, key="site_id")
    assert again.frame["site_id"].tolist() == rate.sample.frame["site_id"].tolist()
    # the census rate lies in the interval
    assert rate.ci.low <= sites["truth_filed"].mean() <= rate.ci.high
    # feeds assess_target: 2000 sites cannot show 99.5 % at a rate near 99.3 %
    assert rate.assess(0.995).status in ("inconclusive", "not_met")


def test_sample_given_as_frame_equals_sample_object(small):
    sites, registry = small
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateIntervalWarning)
        drawn = filing_rate(sites, registry, sample_size=400, seed=3)
        as_sample = filing_rate(sites, registry, sample=drawn.sample)
        as_frame = filing_rate(sites, registry, sample=drawn.sample.frame)
    pd.testing.assert_frame_equal(drawn.table, as_sample.table)
    pd.testing.assert_frame_equal(drawn.table, as_frame.table)


def test_sample_top_unfiled_uses_estimated_counts(sampled, small):
    top = sampled.top_unfiled(3)
    assert list(top.columns[:3]) == ["rank", "provider_id", "unfiled_estimate"]
    assert (top["unfiled_low"] <= top["unfiled_estimate"]).all()
    assert (top["unfiled_estimate"] <= top["unfiled_high"]).all()
    assert top["unfiled_estimate"].is_monotonic_decreasing
    sites, registry = small
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateIntervalWarning)
        overall = filing_rate(sites, registry, by=None, sample_size=100, seed=1)
    with pytest.raises(EstimationError, match="by='provider_id'"):
        overall.top_unfiled()


# --------------------------------------------------------------------------- result and validation
def test_result_renders_one_line_and_json():
    sites = sites_frame(["a.cn", "b.cn"])
    rate = filing_rate(sites, pd.DataFrame({"domain": ["a.cn"]}))
    text = repr(rate)
    assert text.startswith("FilingRate(mode='census', estimate=0.5") and "\n" not in text
    out = rate.to_dict()
    assert out["kind"] == "FilingRate" and out["records"][-1]["level"] == "total"
    assert "<table" in rate._repr_html_()


def test_filing_rate_validates_input():
    sites = sites_frame(["a.cn", "b.cn"])
    registry = pd.DataFrame({"domain": ["a.cn"]})
    with pytest.raises(SchemaError, match="registry lacks column") as info:
        filing_rate(sites, pd.DataFrame({"url": ["a.cn"]}))
    assert info.value.failure_cases["reason"].tolist() == ["missing_column"]
    with pytest.raises(SchemaError, match="accessed_sites lacks column"):
        filing_rate(sites.drop(columns="domain"), registry)
    with pytest.raises(EstimationError, match=r"undetermined \('drop'\) must be one of"):
        filing_rate(sites, registry, undetermined="drop")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match=r"method \('wald'\) must be one of"):
        filing_rate(sites, registry, method="wald")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="either sample= or sample_size="):
        filing_rate(sites, registry, sample=sites, sample_size=1, seed=1)
    with pytest.raises(EstimationError, match="needs seed="):
        filing_rate(sites, registry, sample_size=1)
    with pytest.raises(EstimationError, match="sample_size"):
        filing_rate(sites, registry, sample_size=0, seed=1)
    with pytest.raises(EstimationError, match="by"):
        filing_rate(sites, registry, by=3)  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="empty"):
        filing_rate(sites.iloc[:0], registry)
    with pytest.raises(EstimationError, match="must be a DataFrame"):
        filing_rate(["a.cn"], registry)  # type: ignore[arg-type]


def test_registry_domain_lists_split_on_every_kind_of_white_space():
    from beian_audit.estimation.filing_rate import match_sites

    sites = pd.DataFrame({"site_id": ["S1", "S2", "S3", "S4"], "provider_id": ["P1"] * 4,
                          "domain": ["a.cn", "b.cn", "c.cn", "d.cn"]})
    for dtype in (object, "str"):
        reg = pd.DataFrame({"website_id": ["W2", "W1", "W3"],
                            "domain": pd.Series(["a.cn\u3000b.cn", "b.cn\x1cc.cn", None],
                                                dtype=dtype)})
        got = match_sites(sites, reg)
        assert got["filed"].tolist() == [True, True, True, False]
        assert got["website_id"].tolist()[:3] == ["W2", "W1", "W1"]  # the smallest id
    mixed = pd.DataFrame({"website_id": [2, "W1"], "domain": ["a.cn", "a.cn"]})
    assert match_sites(sites, mixed)["filed"].tolist() == [True, False, False, False]


# --------------------------------------------------------------------------- issue 11.5
# Reduced grids of benchmarks/coverage_filing.py (which prints the full ones).
_PLATFORMS = ["github.io", "myshopify.com", "vercel.app", "netlify.app", "blogspot.com"]


def _tenant_world(seed: int, n_sites: int = 3000, tenant_share: float = 0.2,
                  tenant_filed: float = 0.6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sites incl. platform tenants; the truth is drawn here, before any matching."""
    rng = np.random.default_rng(seed)
    tenant = rng.random(n_sites) < tenant_share
    platform = rng.choice(_PLATFORMS, n_sites)
    domain = np.where(tenant, [f"t{i}.{p}" for i, p in enumerate(platform)],
                      [f"site{i}.cn" for i in range(n_sites)])
    host = np.where(rng.random(n_sites) < 0.3, np.char.add("www.", domain.astype(str)), domain)
    truth = np.where(tenant, rng.random(n_sites) < tenant_filed, rng.random(n_sites) < 0.99)
    sites = pd.DataFrame({"site_id": [f"S{i}" for i in range(n_sites)], "domain": host,
                          "provider_id": rng.choice(["P0", "P1", "P2", "P3"], n_sites),
                          "truth_filed": truth})
    # every platform files its own domain; a tenant's own filing names its site
    return sites, pd.DataFrame({"domain": [*domain[truth].tolist(), *_PLATFORMS]})


def _stratified_sample(rng: np.random.Generator, sites: pd.DataFrame, per: int) -> pd.DataFrame:
    picks = [rng.choice(idx, size=per, replace=False)
             for idx in sites.groupby("provider_id").indices.values()]
    sample = sites.iloc[np.sort(np.concatenate(picks))].copy()
    sample["stratum"] = sample["provider_id"]
    sample["population_size"] = sample["provider_id"].map(
        sites["provider_id"].value_counts()).astype(float)
    return sample


@pytest.mark.parametrize("seed", [11, 12])
def test_platform_tenants_are_filed_only_by_their_own_filing(seed):
    """Census == the generator's truth; under the ICANN-only rule every tenant is filed."""
    sites, registry = _tenant_world(seed)
    rate = filing_rate(sites, registry)
    truth = sites["truth_filed"].to_numpy()
    assert rate.sites["filed"].to_numpy(bool).tolist() == truth.tolist()
    by = sites.groupby("provider_id")["truth_filed"].mean()
    assert np.allclose(rate.by.set_index("provider_id")["estimate"], by)
    tenants = rate.sites["registered_domain"].isin(_PLATFORMS)
    assert tenants.mean() > 0.15 and not truth[tenants].all()  # tenants without a filing
    # the old rule (ICANN registered domain) would call all of them filed
    assert rate.sites.loc[tenants, "filing_domain"].ne(
        rate.sites.loc[tenants, "registered_domain"]).all()


def test_tenant_world_sample_intervals_cover_the_true_rate():
    """30 stratified samples: the 95 % interval covers the truth (old rule: never)."""
    sites, registry = _tenant_world(13)
    truth = sites["truth_filed"].mean()  # about 0.91; the old rule's rate is about 0.99
    rng = np.random.default_rng(14)
    hits = 0
    for _ in range(30):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateIntervalWarning)
            est = filing_rate(sites, registry, sample=_stratified_sample(rng, sites, 60),
                              by=None)
        hits += est.ci.low <= truth <= est.ci.high
        assert est.ci.high < 0.985  # far below the old rule's rate
    assert hits >= 25  # binomial(30, 0.95): P(hits < 25) < 0.01


def _r_design_sites() -> tuple[pd.DataFrame, pd.DataFrame]:
    st = pd.read_csv(R_DATA / "design_stratified.csv")
    st["domain"] = [f"s{i}.cn" for i in range(len(st))]
    st["site_id"] = st["domain"]
    return st, pd.DataFrame({"domain": st.loc[st["y75"] == 1, "domain"]})


R_DATA = Path(__file__).parent / "data" / "r_survey"


@pytest.mark.parametrize("by", ["province", "nature", None])
def test_unfiled_se_is_that_of_a_domain_total_r_svytotal(by):
    """Reference: R survey 4.1.1 ``svytotal(~I(1 - y75), subset(design, d))``
    (tests/data/r_survey/make_unfiled_totals.R), and the textbook stratified
    variance of a total, sum_h (1 - f_h) n_h / (n_h - 1) sum_i (w_i z_i - mean_h)^2
    with z = 1[domain] (1 - y), written out in numpy."""
    st, registry = _r_design_sites()
    ref = pd.read_csv(R_DATA / "unfiled_totals.csv", comment="#").set_index("case")
    rate = filing_rate(st, registry, sample=st, by=by)
    table = rate.table
    for _, row in table.iterrows():
        case = "total" if row["level"] == "total" else f"{by}={row[by]}"
        r = ref.loc[case]
        assert row["unfiled_estimate"] == pytest.approx(r["unfiled_total"], rel=1e-12)
        assert row["unfiled_se"] == pytest.approx(r["unfiled_se"], rel=1e-10)
        member = np.ones(len(st), bool) if case == "total" else (st[by] == row[by]).to_numpy()
        z = st["weight"].to_numpy() * member * (1 - st["y75"].to_numpy())
        var = 0.0
        for _, idx in st.groupby("stratum").indices.items():
            n_h, big_n = idx.size, st["population_size"].iloc[idx[0]]
            var += (1 - n_h / big_n) * n_h / (n_h - 1) * np.sum((z[idx] - z[idx].mean()) ** 2)
        assert row["unfiled_se"] == pytest.approx(np.sqrt(var), rel=1e-10)
        if r["n_se"] > 0:  # N-hat_d is estimated: the old SE, N-hat_d SE(p-hat_d), is off
            old = row["population_size"] * row["se"]
            assert old == pytest.approx(r["naive_se"], rel=1e-10)
            assert abs(old / row["unfiled_se"] - 1) > 1e-3  # 0.2 % to 12 % here
        else:  # N-hat_d known: the interval is N-hat_d times the rate's
            assert row["unfiled_low"] == pytest.approx(
                row["population_size"] * (1 - row["ci_high"]), rel=1e-12)
        assert row["unfiled_low"] <= row["unfiled_estimate"] <= row["unfiled_high"]


def test_unfiled_se_simulation_matches_the_exact_sd_reduced_grid():
    """Provinces cutting across provider strata, unfiled rate 0.3, 40 samples.

    Reference: the exact SD of the linear estimator sum_h N_h / n_h sum z
    (Cochran 1977, Theorem 5.3) from the population. The root mean square of
    ``unfiled_se`` matches it (its square is unbiased for the variance); the
    old N-hat_d SE(p-hat_d) is about 12 % low here (about 3 % at rate 0.08,
    benchmarks/coverage_filing.py)."""
    rng = np.random.default_rng(2013)
    n_sites, per = 4000, 150
    provider = rng.integers(0, 4, n_sites)
    province = np.where(rng.random(n_sites) < 0.25 * np.linspace(0.5, 1.5, 4)[provider],
                        "A", "B")
    truth = rng.random(n_sites) >= 0.3 * np.linspace(1.5, 0.5, 4)[provider]
    domain = np.array([f"site{i}.cn" for i in range(n_sites)])
    sites = pd.DataFrame({"site_id": domain, "domain": domain, "province": province,
                          "provider_id": np.array(["P0", "P1", "P2", "P3"])[provider]})
    registry = pd.DataFrame({"domain": domain[truth]})
    z = ((province == "A") & ~truth).astype(float)
    exact = np.sqrt(sum(idx.size**2 * (1 - per / idx.size) * np.var(z[idx], ddof=1) / per
                        for idx in sites.groupby("provider_id").indices.values()))
    new, old, hits = [], [], 0
    for _ in range(40):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateIntervalWarning)
            row = filing_rate(sites, registry, sample=_stratified_sample(rng, sites, per),
                              by="province").table.iloc[0]
        new.append(row["unfiled_se"])
        old.append(row["population_size"] * row["se"])
        hits += row["unfiled_low"] <= z.sum() <= row["unfiled_high"]
    assert np.sqrt(np.mean(np.square(new))) / exact == pytest.approx(1, abs=0.04)
    assert np.sqrt(np.mean(np.square(old))) / exact < 0.92
    assert hits >= 34  # binomial(40, 0.95): P(hits < 34) < 0.01
