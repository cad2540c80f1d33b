"""Tests of beian_audit.estimation.stratified (behaviour, errors, invariances).

Numerical agreement with R survey is in test_estimation_r_reference.py; here the
expected numbers are closed forms (stated in comments) or the function itself
under a transformation that must not change the answer.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beian_audit.errors import (
    DegenerateIntervalWarning,
    EstimationError,
    SmallStratumWarning,
)
from beian_audit.estimation import DESIGN_METHODS, ProportionEstimate, estimate_proportion

DATA = Path(__file__).parent / "data" / "r_survey"


@pytest.fixture(scope="module")
def design() -> pd.DataFrame:
    return pd.read_csv(DATA / "design_stratified.csv")


def _quiet(*args, **kwargs) -> ProportionEstimate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimate_proportion(*args, **kwargs)


@dataclass
class FakeSample:
    """Duck-typed Sample: .frame and .manifest."""

    frame: pd.DataFrame
    manifest: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- inputs
def test_sample_object_and_frame_give_the_same_answer(design):
    a = estimate_proportion(FakeSample(design), "y75")
    b = estimate_proportion(design, "y75")
    assert (a.estimate, a.se, tuple(a.ci)) == (b.estimate, b.se, tuple(b.ci))
    assert a.design["strata"] == "stratum" and a.design["population_size"] == "population_size"


def test_column_overrides_and_no_design(design):
    explicit = estimate_proportion(design, "y75", strata="stratum",
                                   population_size="population_size", weight="weight")
    assert explicit.se == estimate_proportion(design, "y75").se
    # False switches a default off: no strata, no fpc, equal weights -> SRS with
    # replacement: se^2 = p(1-p)/(n-1) (R svymean with ids=~1, no strata/fpc).
    plain = estimate_proportion(design, "y75", strata=False, population_size=False, weight=False)
    p, n = design["y75"].mean(), len(design)
    assert plain.estimate == pytest.approx(p, rel=1e-14)
    assert plain.se == pytest.approx(math.sqrt(p * (1 - p) / (n - 1)), rel=1e-12)
    assert plain.df == n - 1


def test_other_cluster_columns_get_no_element_level_correction(design):
    # population_size counts filings, not clusters: with cluster="nature" (any
    # non-"psu" cluster) the default is no finite-population correction.
    est = estimate_proportion(design, "y75", cluster="nature")
    assert est.design["population_size"] is None and est.design["cluster"] == "nature"
    explicit = estimate_proportion(design, "y75", cluster="nature", population_size=False)
    assert est.se == explicit.se


def test_weights_default_to_population_over_sample_size(design):
    # Without a weight column the weights are N_h / n_h (as R derives them from fpc).
    no_w = estimate_proportion(design.drop(columns="weight"), "y75")
    assert no_w.design["weight"] is None
    assert no_w.estimate == pytest.approx(estimate_proportion(design, "y75").estimate, rel=1e-14)


def test_boolean_and_nullable_outcomes(design):
    as_bool = design.assign(ok=design["y75"].astype(bool))
    as_nullable = design.assign(ok=design["y75"].astype("boolean"))
    as_object = design.assign(ok=design["y75"].map({1: True, 0: False}).astype(object))
    ref = estimate_proportion(design, "y75")
    for frame in (as_bool, as_nullable, as_object):
        assert estimate_proportion(frame, "ok").estimate == ref.estimate


def test_invalid_outcome_values_name_the_rows(design):
    bad = design.assign(ok=design["y75"].astype(object))
    bad.loc[[3, 7], "ok"] = "yes"
    with pytest.raises(EstimationError, match=r"2 row\(s\) do not, at positions 3, 7"):
        estimate_proportion(bad, "ok")
    with pytest.raises(EstimationError, match=r"positions 0"):
        estimate_proportion(design.assign(ok=[2] + [1] * (len(design) - 1)), "ok")


def test_missing_outcomes_raise_or_are_accounted_for(design):
    with pytest.raises(EstimationError, match=r"missing in 4 row\(s\), at positions 5, 44, 101, "
                                              r"150.*missing='drop'"):
        estimate_proportion(design, "y_miss")
    est = estimate_proportion(design, "y_miss", missing="drop", by="province")
    table = est.to_frame()
    # every input row is accounted for: used + missing, per domain and in total
    rows_per_domain = design.groupby("province").size()
    domains = table[table["level"] == "domain"].set_index("province")
    assert (domains["n"] + domains["n_missing"]).to_dict() == rows_per_domain.to_dict()
    total = table.iloc[-1]
    assert total["n"] + total["n_missing"] == len(design) == est.design["n_input"]
    assert est.design["n_missing"] == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="y75"), r"outcome column \('y75'\) is not in the sample"),
        (lambda f: f.assign(stratum=f["stratum"].where(f.index != 4)),
         r"strata column \('stratum'\) has missing values at positions 4"),
        (lambda f: f.assign(weight=f["weight"].where(f.index != 9, -1.0)),
         r"weight column \('weight'\) must be positive and finite; check positions 9"),
        (lambda f: f.assign(population_size=f["population_size"].where(f.index != 20, 999)),
         r"must be constant within each stratum"),
        (lambda f: f.assign(population_size=2), r"below the number of sampled units"),
        (lambda f: f.assign(weight="heavy"), r"weight column \('weight'\) must be numeric"),
    ],
)
def test_design_errors(design, change, message):
    with pytest.raises(EstimationError, match=message):
        estimate_proportion(change(design), "y75")


def test_option_errors(design):
    with pytest.raises(EstimationError, match=r"method \('wald'\) must be one of 'korn-graubard'"):
        estimate_proportion(design, "y75", method="wald")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match=r"alternative \('larger'\)"):
        estimate_proportion(design, "y75", alternative="larger")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match=r"lonely_psu \('skip'\)"):
        estimate_proportion(design, "y75", lonely_psu="skip")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match=r"missing \('ignore'\)"):
        estimate_proportion(design, "y75", missing="ignore")  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="by column"):
        estimate_proportion(design, "y75", by="nope")
    with pytest.raises(EstimationError, match="must be a Sample"):
        estimate_proportion([1, 2, 3], "y75")
    with pytest.raises(EstimationError, match="no rows"):
        estimate_proportion(design.iloc[:0], "y75")
    with pytest.raises(EstimationError, match=r"strata \(3\) must be a column name"):
        estimate_proportion(design, "y75", strata=3)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- domains
def test_domains_are_subpopulations_of_the_full_design(design):
    est = estimate_proportion(design, "y75", by=["province", "nature"])
    by = est.by
    assert by is not None and len(by) == design.groupby(["province", "nature"]).ngroups
    assert list(by.columns[:2]) == ["province", "nature"]
    one = est.domain(("A", "individual"))
    assert one.n == ((design["province"] == "A") & (design["nature"] == "individual")).sum()
    # the same domain computed by zeroing the outcome's indicator outside it:
    # the domain mean is the ratio of two weighted totals (closed form)
    mask = (design["province"] == "A") & (design["nature"] == "individual")
    w = design["weight"]
    assert one.estimate == pytest.approx((w * design["y75"])[mask].sum() / w[mask].sum())
    assert one.by is None and "domain" in one.design
    with pytest.raises(EstimationError, match="not a domain"):
        est.domain(("Z", "individual"))
    with pytest.raises(EstimationError, match="one value per by column"):
        est.domain("A")


def test_missing_domain_values_form_their_own_domain(design):
    frame = design.assign(province=design["province"].where(design.index % 17 != 0))
    est = estimate_proportion(frame, "y75", by="province")
    assert est.by["n"].sum() == len(frame)
    assert est.by["province"].isna().sum() == 1
    assert est.domain(np.nan).n == (design.index % 17 == 0).sum()


def test_stacked_replicates_equal_separate_estimates(design):
    # Replicates stacked with strata of their own and by="rep" give exactly the
    # separate estimates: the identity the coverage simulation relies on.
    rng = np.random.default_rng(3)
    reps = [design.assign(y75=rng.permutation(design["y75"].to_numpy())) for _ in range(3)]
    stacked = pd.concat(
        [r.assign(rep=i, stratum=f"{i}-" + r["stratum"]) for i, r in enumerate(reps)],
        ignore_index=True,
    )
    together = estimate_proportion(stacked, "y75", by="rep").by
    for i, r in enumerate(reps):
        alone = estimate_proportion(r, "y75")
        row = together.iloc[i]
        assert row["estimate"] == pytest.approx(alone.estimate, rel=1e-13)
        assert row["se"] == pytest.approx(alone.se, rel=1e-12)
        assert row["df"] == alone.df
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(alone.ci), rel=1e-12)


# --------------------------------------------------------------------------- degenerate cases
def test_census_gives_zero_width_with_a_warning():
    frame = pd.DataFrame({"stratum": ["a"] * 3 + ["b"] * 2, "population_size": [3] * 3 + [2] * 2,
                          "ok": [1, 0, 1, 1, 1]})
    with pytest.warns(DegenerateIntervalWarning, match="fully enumerated"):
        est = estimate_proportion(frame, "ok")
    assert est.se == 0 and est.ci.low == est.ci.high == est.estimate == 0.8
    assert est.ci.note == "census" and math.isinf(est.n_effective)


def test_no_failure_is_defined_and_warned():
    # p-hat = 1 with n = 400: the Korn-Graubard lower bound is (alpha/2)^(1/n)
    # (NCHS rule: effective n = n), R's "beta" would be NaN.
    frame = pd.DataFrame({"stratum": np.repeat(["a", "b"], 200), "population_size": 10_000,
                          "ok": 1})
    with pytest.warns(DegenerateIntervalWarning, match="estimate is 0 or 1"):
        est = estimate_proportion(frame, "ok")
    assert est.ci.low == pytest.approx(0.025 ** (1 / 400), rel=1e-12) and est.ci.high == 1.0
    assert est.n_effective == 400 and math.isnan(est.deff)
    with pytest.warns(DegenerateIntervalWarning):
        beta = est.interval(method="beta")
    assert beta.low == est.ci.low and beta.note == "boundary"


def test_lonely_psu_rules():
    frame = pd.read_csv(DATA / "design_lonely.csv")
    with pytest.warns(SmallStratumWarning, match="single sampled PSU.*L3.*'adjust'"):
        est = estimate_proportion(frame, "y")
    assert est.table["n_lonely_strata"].iloc[-1] == 1
    with pytest.raises(EstimationError, match=r"single sampled PSU \(L3\)"):
        estimate_proportion(frame, "y", lonely_psu="fail")
    # certainty and remove: the lonely stratum adds nothing; adjust adds f_h * z^2 > 0
    se = {r: _quiet(frame, "y", lonely_psu=r).se for r in ("adjust", "certainty", "remove")}
    assert se["certainty"] == se["remove"] < se["adjust"]


def test_df_zero_gives_the_whole_range():
    # Two strata with one PSU each: df = 2 - 2 = 0, t-based bounds are [0, 1].
    frame = pd.DataFrame({"stratum": ["a", "b"], "population_size": [10, 10], "ok": [1, 0]})
    with pytest.warns(DegenerateIntervalWarning, match="degrees of freedom <= 0"), \
            pytest.warns(SmallStratumWarning):
        est = estimate_proportion(frame, "ok", method="logit")
    assert est.df == 0 and tuple(est.ci) == (0.0, 1.0) and est.ci.note == "df"


# --------------------------------------------------------------------------- result object
def test_result_object(design):
    est = estimate_proportion(design, "y75", by="province")
    assert "\n" not in repr(est) and repr(est).startswith("ProportionEstimate(outcome='y75'")
    frame = est.to_frame()
    assert list(frame["level"]) == ["domain"] * 3 + ["total"]
    doc = est.to_dict()
    assert doc["schema_version"] and doc["kind"] == "ProportionEstimate"
    json.dumps(doc)  # JSON-ready
    assert len(doc["records"]) == 4
    assert "<table" in est._repr_html_()
    with pytest.raises(AttributeError):
        est.estimate = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("method", DESIGN_METHODS)
def test_with_interval_equals_a_fresh_estimate(design, method):
    base = _quiet(design, "y995", by="province", method="korn-graubard")
    for alternative in ("two-sided", "greater", "less"):
        fresh = _quiet(design, "y995", by="province", method=method, confidence_level=0.9,
                       alternative=alternative)
        again = _quiet_with(base, method, alternative)
        pd.testing.assert_frame_equal(fresh.to_frame(), again.to_frame())
        assert tuple(fresh.ci) == tuple(again.ci)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert fresh.ci == again.interval()


def _quiet_with(est, method, alternative):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.with_interval(method=method, confidence_level=0.9, alternative=alternative)


# --------------------------------------------------------------------------- properties
@st.composite
def stratified_samples(draw):
    n_strata = draw(st.integers(min_value=1, max_value=6))
    rows = []
    for h in range(n_strata):
        n_h = draw(st.integers(min_value=2, max_value=12))
        big_n = draw(st.integers(min_value=n_h, max_value=500))
        p = draw(st.sampled_from([0.5, 1.0]))
        failures = draw(st.integers(min_value=0, max_value=n_h))
        ok = [0] * failures + [1] * (n_h - failures) if p < 1 else [1] * n_h
        for i in range(n_h):
            rows.append({"stratum": f"s{h}", "population_size": big_n,
                         "weight": big_n / n_h, "dom": "ab"[i % 2], "ok": ok[i]})
    return pd.DataFrame(rows)


@settings(max_examples=60)
@given(frame=stratified_samples(), method=st.sampled_from(DESIGN_METHODS),
       level=st.floats(min_value=0.5, max_value=0.99), seed=st.integers(0, 2**32 - 1))
def test_bounds_are_valid_monotone_and_row_order_free(frame, method, level, seed):
    est = _quiet(frame, "ok", by="dom", method=method, confidence_level=level)
    t = est.to_frame()
    assert ((t["ci_low"] >= 0) & (t["ci_high"] <= 1)).all()
    assert (t["ci_low"] <= t["estimate"] + 1e-15).all()
    assert (t["estimate"] <= t["ci_high"] + 1e-15).all()
    w = _quiet(frame, "ok", by="dom", method=method,
               confidence_level=min(level + 0.05, 0.999)).to_frame()
    assert (w["ci_low"] <= t["ci_low"] + 1e-12).all()
    assert (w["ci_high"] >= t["ci_high"] - 1e-12).all()
    shuffled = frame.sample(frac=1.0, random_state=seed % (2**31)).reset_index(drop=True)
    again = _quiet(shuffled, "ok", by="dom", method=method, confidence_level=level).to_frame()
    for col in ("estimate", "se", "ci_low", "ci_high", "deff", "n_effective"):
        np.testing.assert_allclose(again[col], t[col], rtol=1e-10, atol=1e-14)
    assert (again["df"] == t["df"]).all() and (again["n"] == t["n"]).all()


@settings(max_examples=60)
@given(frame=stratified_samples(), arrow=st.booleans(), grouped=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_one_weight_per_stratum_closed_form_equals_the_general_variance(
    frame, arrow, grouped, seed
):
    # one weight per stratum takes the closed form a^2 k (m - k) / m; a PSU
    # column of one row each gives the same design through the general path
    # (population sizes above n: a census is a census only for one-stage designs)
    frame = frame.assign(population_size=frame["population_size"] + 13)
    if not grouped:
        frame = frame.sample(frac=1.0, random_state=seed % (2**31)).reset_index(drop=True)
    if arrow:
        frame = frame.assign(stratum=frame["stratum"].astype("string[pyarrow]"))
    fast = _quiet(frame, "ok").to_frame()
    general = _quiet(frame.assign(psu=np.arange(len(frame))), "ok", cluster="psu",
                     population_size="population_size").to_frame()
    for col in ("estimate", "se", "ci_low", "ci_high", "deff", "n_effective",
                "population_size"):
        np.testing.assert_allclose(fast[col], general[col], rtol=1e-9, atol=1e-15)
    assert (fast["df"] == general["df"]).all()


@settings(max_examples=80)
@given(labels=st.lists(st.sampled_from(["a", "b", "c", "甲", ""]), min_size=0, max_size=30),
       grouped=st.booleans())
def test_grouped_run_codes_equal_pandas_factorize(labels, grouped):
    from beian_audit.estimation.design import _codes

    if grouped:
        labels = sorted(labels)
    series = pd.Series(labels, dtype="string[pyarrow]")
    codes, uniques, starts = _codes(series, "strata")
    expected, expected_uniques = pd.factorize(series, sort=False)
    np.testing.assert_array_equal(codes, expected)
    assert list(uniques) == list(expected_uniques)
    if starts is not None:
        assert (np.diff(codes) >= 0).all() and (codes[starts] == np.arange(starts.size)).all()


# --------------------------------------------------------------------------- multistage


def _coverage_module():
    import importlib.util

    path = Path(__file__).parents[1] / "benchmarks" / "coverage_multistage.py"
    spec = importlib.util.spec_from_file_location("coverage_multistage", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_multistage_se_and_coverage_with_providers_drawn_at_random():
    # Reduced grid of benchmarks/coverage_multistage.py: 8 of 10 providers by
    # SRS, 5 filings per province of each, provider effects small so the
    # within-provider variance dominates. Reference: the empirical SE of the
    # estimate over 100 independent two-stage draws, and the true rate of the
    # fixed population. The ultimate-cluster variance with the stage-1 fpc
    # (the former default) gives se_ratio about 0.57 and Wald coverage 0.75 here.
    cov = _coverage_module()
    frame = cov.population(10, rate=0.9, between=0.1, seed=11)
    table = cov.simulate(frame, n_psu=8, per_stratum=5, reps=100, seed=11,
                         methods=("mean",), variances=("multistage",))
    row = table.iloc[0]
    assert 0.8 <= row["se_ratio"] <= 1.35  # 100 draws: the empirical SE is within ~7 %
    assert row["cover_mean"] >= 0.89  # Wald-t, nominal 0.95; 100 draws: sd about 0.022


def _two_stage_sample(selection: str, **options):
    from beian_audit.sampling import draw_sample, plan_sample

    cov = _coverage_module()
    frame = cov.population(6, rate=0.8, between=0.5, seed=3)
    plan = plan_sample(frame, strata=["provider_id", "province"], psu="provider_id",
                       psu_selection=selection, allocation="equal", n_per_stratum=6, **options)
    return draw_sample(frame, plan, seed=5)


def test_certainty_psus_add_only_their_within_psu_variance():
    # psu_selection="all": every provider is a certainty PSU, so the multistage
    # variance is the stratified element variance with strata provider x
    # province and their own fpc (Cochran 1977, 5A); it was 0 before.
    sample = _two_stage_sample("all")
    est = _quiet(sample, "ok")
    element = _quiet(sample.frame, "ok", cluster=False, strata="stratum",
                     population_size="population_size")
    assert est.design["multistage"] and est.se > 0
    assert est.se == pytest.approx(element.se, rel=1e-12)
    assert est.estimate == pytest.approx(element.estimate, rel=1e-14)
    assert est.df == sample.frame["psu"].nunique() - 1  # R degf(): PSUs - stage-1 strata
    assert _quiet(sample, "ok", multistage=False).se == 0.0


def test_pps_first_stage_is_taken_with_replacement():
    # Pareto pips providers: no SRS fpc exists; no provider has probability 1 here,
    # so the variance is the with-replacement ultimate-cluster one, R
    # svydesign(ids = ~psu, strata = ~psu_stratum, weights = ~weight) (no fpc).
    sample = _two_stage_sample("pps", n_psu=3)
    assert (sample.frame["psu_inclusion_probability"] < 1).all()
    est = _quiet(sample, "ok")
    wr = _quiet(sample, "ok", population_size=False)
    assert not wr.design["multistage"]
    assert est.se == pytest.approx(wr.se, rel=1e-12)
    assert "pps" in est.design["variance"]
    # told it is SRS (psu_probability=False) it would use the stage-1 fpc instead
    assert _quiet(sample, "ok", psu_probability=False).se != pytest.approx(est.se)


def test_multistage_options_and_errors():
    frame = pd.read_csv(DATA / "design_multistage.csv")
    with pytest.raises(EstimationError, match="multistage=True needs a cluster"):
        estimate_proportion(frame, "y75", cluster=False, multistage=True)
    with pytest.raises(EstimationError, match="multistage=True needs the first-stage"):
        estimate_proportion(frame.drop(columns="population_size"), "y75", multistage=True)
    with pytest.raises(EstimationError, match=r"multistage \('yes'\)"):
        estimate_proportion(frame, "y75", multistage="yes")  # type: ignore[arg-type]
    bad = frame.assign(psu_inclusion_probability=frame["psu_inclusion_probability"] * 1.0)
    bad.loc[1, "psu_inclusion_probability"] = 0.5
    with pytest.raises(EstimationError, match="constant within each PSU"):
        _quiet(bad, "y75")
    small = frame.assign(population_size=frame["population_size"].where(frame.index != 0, 1))
    with pytest.raises(EstimationError, match="constant within each second-stage"):
        _quiet(small, "y75")
    # without second-stage strata each PSU is one stratum: a different, larger SS
    one = _quiet(frame.assign(population_size=10_000), "y75", stage2_strata=False)
    assert one.design["stage2_strata"] is None and one.se > 0


def test_multistage_dask_equals_pandas():
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.read_csv(DATA / "design_multistage.csv")
    # the pips first stage: psu_inclusion_probability must reach the estimate
    kwargs = {"psu_probability": "psu_pi_pps", "weight": "weight_pps", "by": "province"}
    expected = _quiet(frame, "y75", **kwargs)
    got = _quiet(dd.from_pandas(frame, npartitions=3), "y75", **kwargs)
    assert got.design["multistage"] and "pps" in got.design["variance"]
    default = _quiet(dd.from_pandas(frame, npartitions=2), "y75")
    assert default.se == _quiet(frame, "y75").se
    # (Dask reads the domain labels as another string dtype)
    pd.testing.assert_frame_equal(got.to_frame(), expected.to_frame(), check_dtype=False)


# --------------------------------------------------------------------------- totals


def test_totals_closed_forms(design):
    # Element sampling with weights N_h / n_h: sum w = N is fixed, so the total's
    # variance is N^2 V(p) (the scores w y and w (y - p) differ by a constant
    # within each stratum); the two totals add up to N with equal SEs.
    est = _quiet(design, "y75")
    big_n = design.groupby("stratum")["population_size"].first().sum()
    assert est.population_size == pytest.approx(big_n, rel=1e-12)
    assert est.total_1 == pytest.approx((design["weight"] * design["y75"]).sum(), rel=1e-12)
    assert est.total_1 + est.total_0 == pytest.approx(big_n, rel=1e-12)
    assert est.se_total_1 == pytest.approx(big_n * est.se, rel=1e-10)
    assert est.se_total_0 == pytest.approx(est.se_total_1, rel=1e-10)
    # a domain's size is estimated: its total's SE is not N_d * se(p_d)
    dom = _quiet(design, "y75", by="province").domain("A")
    assert dom.se_total_1 != pytest.approx(dom.population_size * dom.se, rel=1e-3)
    # Wald-t interval: t_{df} quantile, one-sided variants open at 0 / inf
    from scipy import stats

    q = stats.t.ppf(0.975, est.df)
    assert est.ci_total_1 == pytest.approx(
        (est.total_1 - q * est.se_total_1, est.total_1 + q * est.se_total_1), rel=1e-12)
    greater = est.with_interval(alternative="greater")
    assert greater.ci_total_1[1] == math.inf
    assert greater.ci_total_1[0] == pytest.approx(
        est.total_1 - stats.t.ppf(0.95, est.df) * est.se_total_1, rel=1e-12)
    assert {"total_1", "se_total_1", "total_1_low", "total_0_high"} <= set(est.to_frame())
