"""Agreement of estimate_proportion with R survey (svydesign, svymean, svyciprop).

Every expected number comes from ``tests/data/r_survey/reference.csv``, written
by ``tests/data/r_survey/make_reference.R`` (R 4.2.2, survey 4.1.1, see the
README there) from the committed ``design_*.csv`` files. Method names map as
R -> here: "mean" -> "mean", "asin" -> "asin", "xlogit" -> "logit",
"logit" (svyglm) -> "logit", "beta" -> "beta", "likelihood" -> "likelihood".
Rows named "formula:<m>" are the methods survey 4.1 lacks ("korn-graubard",
"wilson", "jeffreys", "clopper-pearson"), computed in R from R's svymean
variance, with the boundary rule (effective size n / deff_Kish, deff_Kish
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
    ref = pd.read_csv(DATA / "reference.csv", comment="#", keep_default_na=False, dtype=str)
    for col in ("value", "level"):
        text = ref[col].str.strip()
        ref[col] = pd.to_numeric(text.where(text != "NA"), errors="raise")
    return ref


REF = _reference()
FRAMES = {name: pd.read_csv(DATA / f"design_{name}.csv") for name in
          ("stratified", "lonely", "twostage")}


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
    if outcome == "y_miss":
        kwargs["missing"] = "drop"
    frame = FRAMES[frame_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if len(parts) == 3:
            column, value = parts[2].split("=")
            return estimate_proportion(frame, outcome, by=column, **kwargs).domain(value)
        return estimate_proportion(frame, outcome, **kwargs)


CASES = list(dict.fromkeys(REF["case"]))


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
    assert est.deff_kish == pytest.approx(ref["deff_kish"], rel=1e-12)
    for ours, theirs in ((est.deff, ref["deff"]), (est.deff_replace, ref["deff_replace"])):
        if math.isnan(theirs):  # R: 0/0 when the estimate is 0 or 1
            assert math.isnan(ours)
        else:
            assert ours == pytest.approx(theirs, rel=RTOL)


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


def test_two_stage_defaults_are_the_stage_one_design():
    # A Sample frame of a two-stage draw carries psu / psu_stratum /
    # psu_population_size: they are picked up by default and give R's
    # svydesign(ids = ~psu, strata = ~psu_stratum, fpc = ~psu_population_size).
    frame = FRAMES["twostage"]
    auto = estimate_proportion(frame, "y75")
    explicit = estimate_proportion(frame, "y75", cluster="psu", strata="psu_stratum",
                                   population_size="psu_population_size", weight="weight")
    assert auto.design["cluster"] == "psu" and auto.design["strata"] == "psu_stratum"
    assert (auto.estimate, auto.se, auto.df) == (explicit.estimate, explicit.se, explicit.df)


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
