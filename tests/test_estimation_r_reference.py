"""Agreement of estimate_proportion with R survey (svydesign, svymean, svyciprop).

Every expected number comes from ``tests/data/r_survey/reference.csv``, written
by ``tests/data/r_survey/make_reference.R`` and ``reference_multistage.csv``,
written by ``make_reference_multistage.R`` (R 4.2.2, survey 4.1.1, see the
README there) from the committed ``design_*.csv`` files. The multistage cases
are R ``svydesign(ids = ~psu + ssu, strata = ~psu_stratum + stratum, fpc =
~psu_population_size + population_size, nest = TRUE)``; totals are R
``svytotal`` with ``confint(..., df = degf(design))``. Method names map as
R -> here: "mean" -> "mean", "asin" -> "asin", "xlogit" -> "logit",
"logit" (svyglm) -> "logit", "beta" -> "beta", "likelihood" -> "likelihood".
Rows named "formula:<m>" are the methods survey 4.1 lacks ("korn-graubard",
"wilson" as survey 4.5 computes it (t quantile with degf), "wilson-normal",
"jeffreys", "clopper-pearson"), computed in R from R's svymean variance,
with the boundary rule (effective size n / deff_Kish, deff_Kish
from R's ``weights()``) when the estimate is 0 or 1, and "formula:likelihood",
the Rao-Scott likelihood interval solved exactly by R's ``uniroot``.

Agreement is to 1e-8 relative; in fact it is about 1e-14, except R's "logit"
(svyglm's IRLS stops at ~1e-9) and R's own "likelihood", which interpolates
a spline through at most ten profile points (1e-6 to 1e-4 from the exact root,
checked to 2e-4 here; the exact root is checked to 1e-8 against
"formula:likelihood"). Documented differences are tested explicitly:
R leaves "mean" bounds outside [0, 1], lets the "asin" angle wrap around
pi/2, and returns a zero-width or NaN interval when the estimate is 0 or 1.
"""

from __future__ import annotations

import functools
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from beian_audit.errors import DegenerateIntervalWarning
from beian_audit.estimation import estimate_proportion

DATA = Path(__file__).parent / "data" / "r_survey"
R_TO_OURS = {"mean": "mean", "asin": "asin", "xlogit": "logit", "logit": "logit", "beta": "beta",
             "likelihood": "likelihood"}
RTOL = 1e-8


def _reference() -> pd.DataFrame:
    ref = pd.concat(
        [pd.read_csv(DATA / name, comment="#", keep_default_na=False, dtype=str)
         for name in ("reference.csv", "reference_multistage.csv")],
        ignore_index=True,
    )
    for col in ("value", "level"):
        text = ref[col].str.strip()
        ref[col] = pd.to_numeric(text.where(text != "NA"), errors="raise")
    return ref


REF = _reference()
FRAMES = {name: pd.read_csv(DATA / f"design_{name}.csv") for name in
          ("stratified", "lonely", "twostage", "multistage")}


@functools.cache
def _estimate(case: str):
    """Our estimate for a reference case id "design|outcome[|column=value]"."""
    parts = case.split("|")
    design, outcome = parts[0], parts[1]
    kwargs: dict = {}
    frame_name = design
    if design == "stratified_nofpc":
        frame_name, kwargs["population_size"] = "stratified", False
    if design.startswith("lonely_"):
        frame_name, kwargs["lonely_psu"] = "lonely", design.split("_", 1)[1]
    if design == "twostage":  # R: ids = ~psu only, the ultimate-cluster variance
        kwargs["multistage"] = False
    if design == "multistage_pps":  # the πps first stage of the same sample
        frame_name = "multistage"
        kwargs.update(psu_probability="psu_pi_pps", weight="weight_pps")
    if outcome == "y_miss":
        kwargs["missing"] = "drop"
    frame = FRAMES[frame_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if len(parts) == 3:
            column, value = parts[2].split("=")
            return estimate_proportion(frame, outcome, by=column, **kwargs).domain(value)
        return estimate_proportion(frame, outcome, **kwargs)


CASES = list(dict.fromkeys(REF.loc[REF["quantity"] == "mean", "case"]))
TOTAL_CASES = list(dict.fromkeys(REF.loc[REF["quantity"] == "total_1", "case"]))


def test_reference_covers_the_required_cases():
    # stratified with fpc, near-boundary data with strata without failures,
    # domains, no fpc, lonely-PSU rules, two-stage, missing outcomes.
    assert {"stratified|y75", "stratified|y995", "stratified|y995|province=A",
            "stratified_nofpc|y75", "lonely_adjust|y", "lonely_average|y",
            "twostage|y75", "twostage|y75|province=A", "stratified|y_miss"} <= set(CASES)
    strata = FRAMES["stratified"].groupby("stratum")["y995"].min()
    assert (strata == 1).sum() >= 10  # most strata have no failure


@pytest.mark.parametrize("case", CASES)
def test_point_estimate_se_deff_df_match_r(case):
    est = _estimate(case)
    ref = REF[(REF["case"] == case) & REF["level"].isna()].set_index("quantity")["value"]
    assert est.n == int(ref["n"])
    assert est.df == int(ref["df"])
    assert est.estimate == pytest.approx(ref["mean"], rel=RTOL, abs=1e-15)
    assert est.se == pytest.approx(ref["se"], rel=RTOL, abs=1e-15)
    # Kish's design effect of the weights (boundary rule): n sum(w^2) / sum(w)^2
    # (reference.csv carries it; the multistage file predates the column)
    if "deff_kish" in ref.index:
        assert est.deff_kish == pytest.approx(ref["deff_kish"], rel=1e-12)
    for ours, theirs in ((est.deff, ref["deff"]), (est.deff_replace, ref["deff_replace"])):
        if math.isnan(theirs):  # R: 0/0 when the estimate is 0 or 1
            assert math.isnan(ours)
        else:
            assert ours == pytest.approx(theirs, rel=RTOL)


def test_totals_match_r_svytotal():
    # R svytotal(~y) and svytotal(~I(1 - y)) and confint(..., df = degf(design))
    for case in TOTAL_CASES:
        est = _estimate(case)
        ref = REF[REF["case"] == case]
        point = ref[ref["level"].isna()].set_index("quantity")["value"]
        for k in ("1", "0"):
            assert getattr(est, f"total_{k}") == pytest.approx(point[f"total_{k}"], rel=RTOL)
            assert getattr(est, f"se_total_{k}") == pytest.approx(
                point[f"se_total_{k}"], rel=RTOL)
            for level in (0.95, 0.90):
                bounds = ref[ref["level"] == level].set_index("quantity")["value"]
                low, high = est.with_interval(confidence_level=level).__getattribute__(
                    f"ci_total_{k}")
                assert low == pytest.approx(max(bounds[f"total_{k}_low"], 0.0), rel=RTOL)
                assert high == pytest.approx(bounds[f"total_{k}_high"], rel=RTOL)


def test_reference_covers_the_multistage_cases():
    assert {"multistage|y75", "multistage|y995", "multistage|y75|province=A",
            "multistage|y995|province=A", "multistage_pps|y75"} <= set(CASES)
    assert {"stratified|y75", "stratified|y75|province=A", "twostage|y75",
            "multistage|y75", "multistage_pps|y75"} <= set(TOTAL_CASES)
    frame = FRAMES["multistage"]
    # certainty PSUs, a take-all and a lonely second-stage stratum are in the design
    assert (frame["psu_population_size"] == frame["psu_inclusion_probability"]
            .rdiv(1).mul(frame.groupby("psu_stratum")["psu"].transform("nunique"))).all()
    assert (frame["psu_inclusion_probability"] == 1).any()
    cells = frame.groupby(["psu_stratum", "psu", "stratum"]).agg(
        n=("ssu", "size"), N=("population_size", "first"))
    assert ((cells["n"] == cells["N"]).any() and ((cells["n"] == 1) & (cells["N"] > 1)).any())


def _ci_rows():
    rows = REF[REF["quantity"].isin(["ci_low", "ci_high"])]
    for (case, method, level), group in rows.groupby(["case", "method", "level"], sort=False):
        values = group.set_index("quantity")["value"]
        yield pytest.param(case, method, level, values["ci_low"], values["ci_high"],
                           id=f"{case}-{method}-{level}")


def _r_asin_wraps(est, level: float) -> tuple[bool, bool]:
    """Whether R's asin angle leaves [0, pi/2] (R then wraps, we clip)."""
    p, se = est.estimate, est.se
    if not 0 < p < 1:
        return False, False
    t = stats.t.ppf(1 - (1 - level) / 2, est.df)
    half = t * se / (2 * math.sqrt(p * (1 - p)))
    angle = math.asin(math.sqrt(p))
    return angle - half < 0, angle + half > math.pi / 2


@pytest.mark.parametrize(("case", "r_method", "level", "r_low", "r_high"), list(_ci_rows()))
def test_interval_matches_r(case, r_method, level, r_low, r_high):
    est = _estimate(case)
    method = r_method.split(":", 1)[1] if r_method.startswith("formula:") else R_TO_OURS[r_method]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ci = est.interval(method=method, confidence_level=level)
    if ci.note:
        # Degenerate case (estimate 0 or 1 in this case or domain): R gives NaN
        # or a zero-width interval; we give a defined, non-degenerate one and warn.
        # The formula rows follow the boundary rule (effective size n / deff_Kish).
        assert ci.note == "boundary"
        assert any(issubclass(w.category, DegenerateIntervalWarning) for w in caught)
        assert ci.high > ci.low
        if not r_method.startswith("formula:"):
            assert np.isnan(r_low) or np.isnan(r_high) or (r_high - r_low) < 1e-6
            return
    if np.isnan(r_low) and np.isnan(r_high) and r_method == "likelihood":
        return  # svyglm's profile failed in R (no interval to compare)
    expected_low, expected_high = r_low, r_high
    if r_method == "mean":
        # R does not clip the Wald interval to [0, 1]; we do.
        expected_low, expected_high = max(r_low, 0.0), min(r_high, 1.0)
    if r_method == "asin":
        wraps_low, wraps_high = _r_asin_wraps(est, level)
        if wraps_high:
            # R's bound came back below 1 (sin^2 past pi/2); ours stops at 1.
            assert ci.high == 1.0 and r_high < 1.0
            expected_high = 1.0
        if wraps_low:
            assert ci.low == 0.0 and r_low > 0.0
            expected_low = 0.0
    tol = dict(rel=RTOL, abs=1e-12)
    if r_method == "likelihood":
        tol = dict(rel=0.0, abs=2e-4)  # R interpolates a spline through the profile
    assert ci.low == pytest.approx(expected_low, **tol)
    assert ci.high == pytest.approx(expected_high, **tol)


def test_two_stage_defaults_are_the_multistage_design():
    # A Sample frame of a two-stage draw carries psu / psu_stratum /
    # psu_population_size and the second-stage stratum / population_size:
    # they are picked up by default and give R's multistage svydesign.
    frame = FRAMES["multistage"].drop(columns="ssu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the lonely second-stage stratum
        auto = estimate_proportion(frame, "y75")
        explicit = estimate_proportion(
            frame, "y75", cluster="psu", strata="psu_stratum",
            population_size="psu_population_size", weight="weight", multistage=True,
            stage2_strata="stratum", stage2_population_size="population_size",
            psu_probability="psu_inclusion_probability")
        stage_one = estimate_proportion(frame, "y75", multistage=False)
    assert auto.design["cluster"] == "psu" and auto.design["strata"] == "psu_stratum"
    assert auto.design["multistage"] and auto.design["stage2_strata"] == "stratum"
    assert (auto.estimate, auto.se, auto.df) == (explicit.estimate, explicit.se, explicit.df)
    ref = REF[(REF["case"] == "multistage|y75") & REF["level"].isna()].set_index("quantity")
    assert auto.se == pytest.approx(ref.loc["se", "value"], rel=RTOL)
    # the ultimate-cluster variance with the stage-1 fpc leaves the stage-2 term out
    assert stage_one.se < auto.se and not stage_one.design["multistage"]


@pytest.mark.filterwarnings("ignore::beian_audit.errors.MethodWeaknessWarning")
def test_one_sided_bound_equals_r_two_sided_at_doubled_alpha():
    # R has no one-sided svyciprop; a one-sided 95 % lower bound is the lower
    # end of R's two-sided 90 % interval (beta: the df factor uses qt(0.05)).
    ref = REF[(REF["case"] == "stratified|y995") & (REF["level"] == 0.90)
              & (REF["quantity"] == "ci_low")].set_index("method")["value"]
    est = _estimate("stratified|y995")
    for r_method, ours in (("beta", "beta"), ("xlogit", "logit"),
                           ("formula:korn-graubard", "korn-graubard")):
        ci = est.interval(method=ours, alternative="greater", confidence_level=0.95)
        assert ci.high == 1.0
        assert ci.low == pytest.approx(ref[r_method], rel=RTOL)


# --------------------------------------------------------------------------- survey 4.5 "wilson"
def test_wilson_matches_r_survey_45_on_apistrat():
    # tests/data/r_survey/reference_wilson.csv: R 4.2.2 / survey 4.1.1 svymean and
    # degf on survey's data(api) apistrat, with survey 4.5's svyciprop(method =
    # "wilson") written out in make_reference_wilson.R (t quantile with degf,
    # n_eff = p(1-p)/v, no df factor). "wilson-normal" is the normal-quantile form.
    ref = pd.read_csv(DATA / "reference_wilson.csv", comment="#", keep_default_na=False,
                      dtype=str)
    for col in ("value", "level"):
        ref[col] = pd.to_numeric(ref[col].where(ref[col] != "NA"))
    frame = pd.read_csv(DATA / "design_apistrat.csv")
    gaps = []
    for case, rows in ref.groupby("case", sort=False):
        outcome = case.split("|")[1]
        est = estimate_proportion(frame, outcome)
        point = rows[rows["level"].isna()].set_index("quantity")["value"]
        assert est.estimate == pytest.approx(point["mean"], rel=RTOL)
        assert est.se == pytest.approx(point["se"], rel=RTOL)
        assert est.df == int(point["df"])
        for (method, level), group in rows.dropna(subset=["level"]).groupby(
                ["method", "level"]):
            values = group.set_index("quantity")["value"]
            ci = est.interval(method=method.split(":", 1)[1], confidence_level=level)
            assert ci.low == pytest.approx(values["ci_low"], rel=RTOL, abs=1e-12)
            assert ci.high == pytest.approx(values["ci_high"], rel=RTOL, abs=1e-12)
        t_based = est.interval(method="wilson")
        normal = est.interval(method="wilson-normal")
        gaps.append(abs(t_based.low - normal.low))
        assert t_based.low < normal.low and t_based.high > normal.high  # t_df > z
    # the "about 3e-4 on the apistrat design"
    assert 1e-4 < max(gaps) < 1e-3
