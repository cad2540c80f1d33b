"""Nonresponse in the outcome column (issue #15.1): "unreachable is not wrong".

Independent references:

* R survey (``tests/data/r_survey/reference_nonresponse.csv``, written by
  ``make_reference_nonresponse.R`` with R 4.2.2 / survey 4.1.1): the MAR
  weighting-class estimate (weights adjusted by hand within strata, then
  ``svydesign(strata, fpc)`` on the respondents), the worst and best cases;
* closed forms: the worst / best cases are the ordinary estimate with every
  nonrespondent set to 0 / 1; one stratum under MAR is the respondents' mean;
* simulation (reduced grid; the full grid is ``benchmarks/coverage_nonresponse.py``):
  coverage of the MAR interval under MAR, and of the bounds under nonresponse
  that depends on the outcome.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from beian_audit.errors import EstimationError, NonresponseWarning
from beian_audit.estimation import (
    NONRESPONSE_RULES,
    OUTCOME_STATUSES,
    assess_target,
    estimate_proportion,
)
from beian_audit.estimation.nonresponse import STATUS_WORDS, outcome_status_codes

DATA = Path(__file__).parent / "data" / "r_survey"
RTOL = 1e-8


def _r_reference() -> pd.Series:
    ref = pd.read_csv(DATA / "reference_nonresponse.csv", comment="#")
    return ref.set_index(["case", "quantity"])["value"]


# --------------------------------------------------------------------------- R survey
@pytest.mark.parametrize(("rule", "case", "by"), [
    ("mar", "mar", None), ("mar", "mar|province=A", "A"),
    ("worst", "worst", None), ("best", "best", None), ("worst", "worst|province=A", "A"),
])
def test_matches_r_survey(rule, case, by):
    ref = _r_reference()
    frame = pd.read_csv(DATA / "design_nonresponse.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a stratum left with one respondent (lonely PSU)
        if by is None:
            est = estimate_proportion(frame, "status", nonresponse=rule)
        else:
            est = estimate_proportion(frame, "status", nonresponse=rule,
                                      by="province").domain(by)
    assert est.nonresponse == rule
    assert est.estimate == pytest.approx(ref[(case, "mean")], rel=RTOL)
    assert est.se == pytest.approx(ref[(case, "se")], rel=RTOL)
    assert est.df == int(ref[(case, "df")])
    assert est.n == int(ref[(case, "n")])


def test_counts_and_response_table_match_the_r_script():
    ref = _r_reference()
    frame = pd.read_csv(DATA / "design_nonresponse.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = estimate_proportion(frame, "status")
    total = est.table.iloc[-1]
    assert total["n_respondents"] == ref[("counts", "n_respondents")]
    assert total["n_nonrespondents"] == ref[("counts", "n_nonrespondents")]
    assert total["n_pending"] == ref[("counts", "n_pending")]
    resp = est.response
    assert resp["n_sampled"].sum() == len(frame)
    assert (resp["n_respondents"] + resp["n_nonrespondents"] + resp["n_pending"]
            == resp["n_sampled"]).all()
    assert est.response_rate == pytest.approx(184 / 236)


# --------------------------------------------------------------------------- vocabulary
def test_vocabulary_and_synonyms():
    assert OUTCOME_STATUSES == ("correct", "incorrect", "unreachable", "refused", "pending")
    assert NONRESPONSE_RULES == ("mar", "worst", "best", "bounds")
    for status, chinese in zip(OUTCOME_STATUSES, ("正确", "错误", "无法联系", "拒绝", "待核"),
                               strict=True):
        assert chinese in STATUS_WORDS[status]
    codes = outcome_status_codes(
        pd.Series(["正确", " Incorrect ", "无法联系", "拒绝", "待核", 1, 0.0, True, None]), "ok")
    assert codes.tolist() == [1, 0, 2, 3, 4, 1, 0, 1, -1]


def test_unknown_word_is_a_clear_error():
    frame = pd.DataFrame({"ok": ["correct", "maybe", "correct", "incorrect"]})
    with pytest.raises(EstimationError, match=r"'ok'.*positions 1 .*'maybe'.*unreachable"):
        estimate_proportion(frame, "ok")


def test_bad_rule_names_the_choices():
    frame = pd.DataFrame({"ok": ["correct", "unreachable", "incorrect"]})
    with pytest.raises(EstimationError, match=r"nonresponse \('strict'\) must be one of 'mar'"):
        estimate_proportion(frame, "ok", nonresponse="strict")
    with pytest.raises(EstimationError, match="nonresponse"):
        assess_target(estimate_proportion(frame, "ok"), 0.75, nonresponse="strict")


def test_blank_outcome_still_follows_missing():
    frame = pd.DataFrame({"ok": ["correct", None, "unreachable", "incorrect"]})
    with pytest.raises(EstimationError, match=r"missing in 1 row\(s\), at positions 1"):
        estimate_proportion(frame, "ok")
    est = estimate_proportion(frame, "ok", missing="drop")
    assert est.table["n_missing"].iat[-1] == 1


def test_no_outcome_at_all_is_an_error():
    with pytest.raises(EstimationError, match="no outcome yet"):
        estimate_proportion(pd.DataFrame({"ok": ["pending", "pending"]}), "ok")
    only_nr = pd.DataFrame({"ok": ["refused", "unreachable"]})
    with pytest.raises(EstimationError, match="no respondent"):
        estimate_proportion(only_nr, "ok")
    assert estimate_proportion(only_nr, "ok", nonresponse="worst").estimate == 0.0


# --------------------------------------------------------------------------- defaults
def _sample(seed: int = 3, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"stratum": np.repeat(["a", "b", "c"], n // 3)})
    frame["population_size"] = frame["stratum"].map({"a": 900, "b": 4000, "c": 20000})
    frame["province"] = rng.choice(["P", "Q"], n)
    frame["y"] = (rng.random(n) < 0.8).astype(int)
    return frame


def test_a_0_1_column_is_unchanged():
    frame = _sample()
    est = estimate_proportion(frame, "y")
    assert est.nonresponse == "" and not est.scenarios and est.response is None
    assert "n_respondents" not in est.table.columns
    for rule in NONRESPONSE_RULES:  # no statuses: the rule changes nothing
        other = estimate_proportion(frame, "y", nonresponse=rule)
        assert (other.estimate, other.se, other.ci) == (est.estimate, est.se, est.ci)
        assert other.table.equals(est.table)


def test_status_words_without_nonresponse_equal_the_0_1_estimate():
    frame = _sample()
    words = frame.assign(y=frame["y"].map({1: "correct", 0: "incorrect"}))
    plain = estimate_proportion(frame, "y", by="province")
    est = estimate_proportion(words, "y", by="province")
    assert est.nonresponse == "mar" and est.response_rate == 1.0
    assert (est.estimate, est.se, est.ci.low, est.ci.high) == (
        plain.estimate, plain.se, plain.ci.low, plain.ci.high)
    assert (est.table["response_rate"] == 1.0).all()
    assert est.design["nonresponse"].startswith("mar")


def _with_nonresponse(frame: pd.DataFrame, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    status = frame["y"].map({1: "correct", 0: "incorrect"}).to_numpy(dtype=object)
    u = rng.random(len(frame))
    status[u < 0.15] = "unreachable"
    status[(u >= 0.15) & (u < 0.2)] = "refused"
    status[(u >= 0.2) & (u < 0.25)] = "pending"
    return frame.assign(status=status)


def test_worst_and_best_are_the_estimate_with_nonrespondents_set_to_0_or_1():
    # Closed form: stratified SRS of the resolved rows (pending ones are not drawn
    # yet, in PRN order), nonrespondents set to 0 / 1; weights N_h / resolved_h.
    frame = _with_nonresponse(_sample())
    nr = frame["status"].isin(["unreachable", "refused"])
    resolved = frame[frame["status"] != "pending"]
    y = resolved["status"].map({"correct": 1.0, "incorrect": 0.0})
    for rule, fill in (("worst", 0.0), ("best", 1.0)):
        est = estimate_proportion(frame, "status", nonresponse=rule, by="province")
        ref = estimate_proportion(resolved.assign(v=y.where(~nr[resolved.index], fill)), "v",
                                  by="province")
        assert est.estimate == pytest.approx(ref.estimate, rel=1e-12)
        assert est.se == pytest.approx(ref.se, rel=1e-12)
        np.testing.assert_allclose(est.table["estimate"], ref.table["estimate"], rtol=1e-12)


def test_pending_rows_are_carried_within_their_stratum():
    # Verification runs in PRN order: the verified rows of a stratum are a simple
    # random sample of it, so each stratum keeps its population share N_h / N.
    # Stratum a (N 1000): 10 verified, all correct, 90 pending; stratum b (N 1000):
    # 100 verified, all incorrect. True-share estimate: (1000 * 1 + 1000 * 0) / 2000.
    frame = pd.DataFrame({
        "stratum": ["a"] * 100 + ["b"] * 100,
        "population_size": 1000,
        "ok": ["correct"] * 10 + ["pending"] * 90 + ["incorrect"] * 100,
    })
    est = estimate_proportion(frame, "ok")
    assert est.estimate == pytest.approx(0.5)  # R na.rm semantics would give 10 / 110
    assert est.n == 110 and est.table["n_pending"].iat[-1] == 90
    ref = estimate_proportion(frame[frame["ok"] != "pending"].assign(
        y=lambda f: (f["ok"] == "correct").astype(int)), "y")
    assert (est.estimate, est.se, est.df) == pytest.approx((ref.estimate, ref.se, ref.df))


def test_a_stratum_with_every_row_pending_is_spread_with_a_warning():
    from beian_audit.errors import IncompleteSampleWarning

    frame = pd.DataFrame({
        "stratum": ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
        "population_size": 100,
        "ok": ["correct", "incorrect"] * 2 + ["correct"] * 4 + ["pending"] * 4,
    })
    with pytest.warns(IncompleteSampleWarning, match="no verified outcome yet"):
        est = estimate_proportion(frame, "ok")
    assert est.estimate == pytest.approx(0.75)  # strata a, b stand for c


def test_mar_in_one_stratum_is_the_respondents_mean():
    frame = pd.DataFrame({"ok": ["correct"] * 30 + ["incorrect"] * 10 + ["refused"] * 10})
    est = estimate_proportion(frame, "ok")
    assert est.estimate == pytest.approx(0.75)  # 30 / 40
    assert est.n == 40 and est.response_rate == pytest.approx(0.8)
    assert est.scenarios["worst"].estimate == pytest.approx(30 / 50)
    assert est.scenarios["best"].estimate == pytest.approx(40 / 50)


def test_bounds_interval_is_worst_lower_to_best_upper():
    frame = _with_nonresponse(_sample())
    est = estimate_proportion(frame, "status", nonresponse="bounds", by="province")
    worst, best = est.scenarios["worst"], est.scenarios["best"]
    assert est.estimate == est.scenarios["mar"].estimate
    assert (est.ci.low, est.ci.high) == (worst.ci.low, best.ci.high)
    np.testing.assert_array_equal(est.table["ci_low"], worst.table["ci_low"])
    np.testing.assert_array_equal(est.table["ci_high"], best.table["ci_high"])
    # derived views keep the rule
    again = est.with_interval(confidence_level=0.9)
    assert again.nonresponse == "bounds"
    assert again.ci.low == worst.with_interval(confidence_level=0.9).ci.low
    one = est.domain("P")
    assert one.nonresponse == "bounds" and one.ci.low == worst.domain("P").ci.low
    assert one.table["n_respondents"].iat[0] == est.by.loc[0, "n_respondents"]
    assert "nonresponse='bounds'" in repr(est)


def test_pending_is_left_out_and_counted_not_nonresponse():
    frame = pd.DataFrame({"ok": ["correct"] * 8 + ["incorrect"] * 2 + ["pending"] * 5})
    est = estimate_proportion(frame, "ok")
    assert est.estimate == pytest.approx(0.8) and est.n == 10
    assert est.response_rate == 1.0
    assert est.table["n_pending"].iat[-1] == 5 and est.design["n_pending"] == 5
    assert est.scenarios["worst"].estimate == est.scenarios["best"].estimate


def test_stratum_without_respondents_warns_under_mar():
    frame = pd.DataFrame({"stratum": ["a"] * 4 + ["b"] * 2,
                          "ok": ["correct", "incorrect", "correct", "correct",
                                 "unreachable", "refused"]})
    with pytest.warns(NonresponseWarning, match=r"no respondent \(b\)"):
        est = estimate_proportion(frame, "ok")
    assert est.estimate == pytest.approx(0.75)  # b's weight spread over every respondent
    with warnings.catch_warnings():
        warnings.simplefilter("error", NonresponseWarning)
        estimate_proportion(frame, "ok", nonresponse="worst")


# --------------------------------------------------------------------------- verdict kinds
def _one_stratum(correct: int, incorrect: int, unreachable: int) -> pd.DataFrame:
    ok = ["correct"] * correct + ["incorrect"] * incorrect + ["unreachable"] * unreachable
    return pd.DataFrame({"ok": ok, "population_size": 1_000_000})


def test_verdict_met_whatever_the_unreachable_sites_are():
    # 995 of 1000 correct, 5 unreachable: even with all 5 wrong the worst case
    # 0.995 has a lower bound far above 0.75
    a = assess_target(estimate_proportion(_one_stratum(995, 0, 5), "ok"), 0.75)
    assert (a.status, a.nonresponse_robustness) == ("met", "robust")
    assert a.nonresponse_note.startswith("met whatever the unreachable")
    assert a.table["status_worst"].iat[-1] == "met"


def test_verdict_met_only_under_mar():
    # worst case 750 / 1000 = 0.75 exactly at the target: inconclusive; MAR 0.9375
    # and best 0.95 clearly above: met
    est = estimate_proportion(_one_stratum(750, 50, 200), "ok")
    a = assess_target(est, 0.75)
    assert (a.status, a.nonresponse_robustness, a.nonresponse) == ("met", "mar_only", "mar")
    assert a.table[["status_worst", "status_mar", "status_best"]].iloc[-1].tolist() == [
        "inconclusive", "met", "met"]
    assert "only if the nonrespondents resemble" in a.nonresponse_note
    # the ministry's strict reading, by name
    strict = assess_target(est, 0.75, nonresponse="worst")
    assert (strict.status, strict.nonresponse) == ("inconclusive", "worst")
    bounds = assess_target(est, 0.75, nonresponse="bounds")
    assert bounds.status == "inconclusive"
    assert bounds.lower_bound == strict.lower_bound


def test_verdict_flips_with_the_nonrespondents():
    # worst 600 / 1000 = 0.6: not met; MAR 600 / 700 = 0.857 and best 0.9: met
    a = assess_target(estimate_proportion(_one_stratum(600, 100, 300), "ok"), 0.75)
    assert (a.status, a.nonresponse_robustness) == ("met", "flips")
    assert a.table[["status_worst", "status_best"]].iloc[-1].tolist() == ["not_met", "met"]
    assert a.nonresponse_note.startswith("the nonrespondents decide")
    assert assess_target(estimate_proportion(_one_stratum(600, 100, 300), "ok",
                                             nonresponse="worst"), 0.75).status == "not_met"


def test_assessment_of_a_0_1_estimate_has_no_robustness():
    a = assess_target(estimate_proportion(_sample(), "y"), 0.75)
    assert a.nonresponse == "" and a.nonresponse_robustness == ""
    assert "status_worst" not in a.table.columns


def test_domains_get_a_robustness_each():
    frame = _with_nonresponse(_sample(n=600))
    a = assess_target(estimate_proportion(frame, "status", by="province"), 0.6)
    assert set(a.table["nonresponse_robustness"]) <= {"robust", "mar_only", "flips"}
    assert a.table["response_rate"].between(0, 1).all()


# --------------------------------------------------------------------------- simulation
def _population(rng: np.random.Generator) -> pd.DataFrame:
    sizes = {"a": 2000, "b": 5000, "c": 10000}
    rates = {"a": 0.70, "b": 0.80, "c": 0.90}
    parts = [pd.DataFrame({"stratum": h, "population_size": n,
                           "y": (rng.random(n) < rates[h]).astype(int)})
             for h, n in sizes.items()]
    return pd.concat(parts, ignore_index=True)


def _coverage(pattern: str, reps: int, seed: int) -> tuple[float, float]:
    """Share of samples whose MAR interval / nonresponse bounds cover the true rate."""
    rng = np.random.default_rng(seed)
    pop = _population(rng)
    truth = pop["y"].mean()
    respond_by_stratum = {"a": 0.6, "b": 0.8, "c": 0.9}
    mar_hits = bounds_hits = 0
    for _ in range(reps):
        sample = pop.groupby("stratum", group_keys=False).sample(n=60, random_state=rng)
        y = sample["y"].to_numpy()
        if pattern == "mar":  # response depends on the stratum only
            p_respond = sample["stratum"].map(respond_by_stratum).to_numpy()
        else:  # adversarial: the wrong ones answer far less often
            p_respond = np.where(y == 1, 0.95, 0.4)
        responds = rng.random(len(sample)) < p_respond
        status = np.where(responds, np.where(y == 1, "correct", "incorrect"), "unreachable")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = estimate_proportion(sample.assign(status=status), "status",
                                      nonresponse="bounds")
        mar = est.scenarios["mar"].ci
        mar_hits += mar.low <= truth <= mar.high
        bounds_hits += est.ci.low <= truth <= est.ci.high
    return mar_hits / reps, bounds_hits / reps


def test_simulated_coverage_reduced_grid():
    # 80 samples per pattern; 3 simulation SEs at 95 % are 0.073. Full grid and
    # figures: benchmarks/coverage_nonresponse.py, docs/nonresponse.md.
    reps = 80
    floor = 0.95 - 3 * np.sqrt(0.95 * 0.05 / reps)
    mar_cov, bounds_cov = _coverage("mar", reps, seed=2015)
    assert mar_cov >= floor  # MAR interval under MAR
    assert bounds_cov >= floor
    mar_adv, bounds_adv = _coverage("adversarial", reps, seed=2016)
    assert bounds_adv >= floor  # the bounds whatever the nonrespondents are
    assert mar_adv < 0.5  # and the MAR interval fails when MAR is false


def test_blank_as_pending_reads_open_worksheet_rows_as_not_verified_yet():
    from beian_audit.estimation.nonresponse import blank_as_pending

    partial = pd.Series([True, False, None, 1], name="sponsor_ok", dtype=object)
    assert blank_as_pending(partial).tolist() == ["correct", "incorrect", "pending", "correct"]
    full = pd.Series([1, 0, 1])
    assert blank_as_pending(full) is full  # nothing open: the 0/1 column as it was
    empty = pd.Series([None, None], dtype=object)
    assert blank_as_pending(empty) is empty  # nothing verified: left to the caller
    words = pd.Series(["是", None])
    assert blank_as_pending(words) is words  # not 0/1: estimate_proportion names the cells
    # the estimate from a half-verified stratified sample: each stratum keeps N_h / N
    frame = pd.DataFrame({"stratum": ["a"] * 4 + ["b"] * 4, "population_size": 100,
                          "ok": [1, None, None, None, 0, 0, 0, 1]})
    est = estimate_proportion(frame.assign(ok=blank_as_pending(frame["ok"])), "ok")
    assert est.estimate == pytest.approx((1.0 + 0.25) / 2)
