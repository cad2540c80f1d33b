"""checks/rules.py: the checks as data, and rules of one's own flowing through check_filings."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import beian_audit as ba
from beian_audit.checks.filings import CHECK_LABELS_ZH, CHECKS, check_filings, reason_label_zh
from beian_audit.checks.rules import (
    PHONE_MOBILE,
    RULES,
    FieldCheck,
    Rule,
    RuleContext,
    check_rules,
    rules_table,
)
from beian_audit.errors import ArgumentError, ArgumentTypeError


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return ba.load_synthetic_registry().head(1500)


def _quiet(frame: pd.DataFrame, **kwargs: object) -> ba.CheckReport:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check_filings(frame, **kwargs)  # type: ignore[arg-type]


def _long_name(ctx: RuleContext) -> tuple[pd.Series, str]:
    return ctx.frame["sponsor_name"].str.len().gt(12).fillna(False), "too_long"


TOY = Rule(
    name="long_sponsor_name", block="sponsor", severity="error", verdict="sponsor_info_ok",
    column="sponsor_name", requires=("sponsor_name",), function=_long_name,
    description="sponsor name longer than 12 characters", label_zh="主办者名称过长",
    reasons={"too_long": ("名称过长", "name too long")},
)


def test_public_tables_are_derived_from_the_rules() -> None:
    assert list(CHECKS) == [rule.name for rule in RULES]
    assert CHECK_LABELS_ZH == {rule.name: rule.label_zh for rule in RULES}
    assert len({rule.name for rule in RULES}) == len(RULES) == 24
    table = rules_table()
    assert table["check"].tolist() == list(CHECKS)
    # only errors feed a verdict, and the website block (domain) feeds none
    assert set(table.loc[table["severity"] == "warning", "verdict"]) == {""}
    assert table.set_index("check").loc["domain", "verdict"] == ""
    # every cross-field rule has labels for its reason codes, in both languages
    for rule in RULES:
        assert rule.reasons, rule.name
        assert all(len(label) == 2 and all(label) for label in rule.reasons.values())


def test_a_declared_rule_flows_into_every_output(registry: pd.DataFrame) -> None:
    providers = ba.load_providers()
    base = check_filings(registry, providers=providers, workers=1)
    extended = check_filings(registry, providers=providers, workers=1, rules=(*RULES, TOY))
    expected = registry["sponsor_name"].str.len().gt(12).fillna(False).to_numpy(dtype=bool)
    assert 0 < expected.sum() < len(registry)
    # flags: one more column, last; the other columns unchanged
    assert list(extended.flags.columns) == [*base.flags.columns, "long_sponsor_name"]
    assert extended.flags["long_sponsor_name"].to_numpy().tolist() == expected.tolist()
    pd.testing.assert_frame_equal(extended.flags.drop(columns="long_sponsor_name"), base.flags)
    # failures: one row per flagged filing, with its reason, block and severity
    toy = extended.failures[extended.failures["check"] == "long_sponsor_name"]
    assert len(toy) == expected.sum()
    assert set(toy["reason"]) == {"too_long"} and set(toy["block"]) == {"sponsor"}
    assert set(toy["website_id"]) == set(registry.loc[expected, "website_id"])
    # the verdict it feeds: sponsor information is not ok where it flags
    sponsor_ok = base.verdict["sponsor_info_ok"].to_numpy(dtype=bool) & ~expected
    assert extended.verdict["sponsor_info_ok"].to_numpy(dtype=bool).tolist() == (
        sponsor_ok.tolist()
    )
    pd.testing.assert_series_equal(extended.verdict["access_info_ok"],
                                   base.verdict["access_info_ok"])
    # summary and to_frame count it in its block
    frame = extended.to_frame().set_index("check")
    assert frame.loc["long_sponsor_name", "flagged"] == expected.sum()
    summary, base_summary = extended.summary(), base.summary()
    assert (summary["sponsor_flags"] - base_summary["sponsor_flags"]).sum() == expected.sum()
    assert reason_label_zh("long_sponsor_name", "too_long", rules=extended.rules) == "名称过长"


def test_a_declared_rule_without_its_column_is_listed_as_skipped(
    registry: pd.DataFrame,
) -> None:
    frame = registry.drop(columns=["sponsor_name"])
    with pytest.warns(ba.errors.SkippedCheckWarning, match="long_sponsor_name"):
        report = check_filings(frame, providers=ba.load_providers(), workers=1,
                               rules=(*RULES, TOY))
    skipped = report.skipped.set_index("check")
    assert skipped.loc["long_sponsor_name", "reason"] == "missing_column"
    assert skipped.loc["long_sponsor_name", "missing_columns"] == "sponsor_name"
    assert "long_sponsor_name" not in report.flags.columns
    # nature_certificate also reads sponsor_name: it runs, in part
    assert skipped.loc["nature_certificate", "reason"] == "partial"


def test_a_field_rule_shares_its_checker_and_matches_the_checker_alone(
    registry: pd.DataFrame,
) -> None:
    """A new column checked with an existing checker; reference: check_phone itself."""
    frame = registry.assign(emergency_mobile=registry["website_principal_mobile"].iloc[::-1].values)
    rule = Rule(
        name="phone:emergency_mobile", block="sponsor", severity="warning", verdict=None,
        column="emergency_mobile", requires=("emergency_mobile",), function=PHONE_MOBILE,
        description="emergency contact's mobile", label_zh="紧急联系人手机号码",
    )
    report = _quiet(frame, rules=(*RULES[:2], rule), workers=2)
    direct = ba.check_phone(frame["emergency_mobile"], kind="mobile")
    expected = (~direct["valid"] & direct["reason"].ne("missing")).to_numpy(dtype=bool)
    assert report.flags["phone:emergency_mobile"].to_numpy().tolist() == expected.tolist()
    assert rule.reasons is PHONE_MOBILE.reasons  # a field rule's codes are its checker's
    assert reason_label_zh("phone:emergency_mobile", "wrong_length", rules=report.rules) == (
        "号码位数不对"
    )


def test_every_field_rule_agrees_with_its_checker_run_alone(registry: pd.DataFrame) -> None:
    """The batched, distinct-value runner equals each field checker on its own column."""
    report = check_filings(registry, providers=ba.load_providers(), workers=2)
    context = RuleContext(registry)
    for rule in RULES:
        if not isinstance(rule.function, FieldCheck):
            continue
        assert rule.column is not None
        values = registry[rule.column]
        expected = np.zeros(len(registry), dtype=bool)
        applies = None if rule.applies is None else rule.applies(context)
        rows = (np.arange(len(registry)) if applies is None
                else np.flatnonzero(applies.fillna(False).to_numpy(dtype=bool)))
        if len(rows):
            result = rule.function.run(values.iloc[rows].reset_index(drop=True), context)
            expected[rows] = (~result["valid"] & result["reason"].ne("missing")).to_numpy(
                dtype=bool
            )
        assert report.flags[rule.name].to_numpy().tolist() == expected.tolist(), rule.name


def test_a_rule_reads_a_field_rules_result() -> None:
    def ends_in_zero(ctx: RuleContext) -> tuple[pd.Series, str]:
        e164 = ctx.result("phone:sponsor_principal_mobile")["e164"]  # normalised by check_phone
        return e164.str.endswith("0").fillna(False), "ends_in_zero"

    rule = Rule(
        name="mobile_ends_in_zero", block="sponsor", severity="warning", verdict=None,
        column="sponsor_principal_mobile", requires=("sponsor_principal_mobile",),
        after=("phone:sponsor_principal_mobile",), function=ends_in_zero,
        description="a normalised mobile ending in 0", label_zh="手机号码以0结尾",
        reasons={"ends_in_zero": ("以0结尾", "ends in 0")},
    )
    frame = pd.DataFrame({"website_id": ["W1", "W2", "W3", "W4"],
                          "sponsor_principal_mobile": ["139 1234 5670", None, "13912345671",
                                                       "+86 139-1234-5680"]})
    report = _quiet(frame, rules=(RULES[0], rule))
    assert report.checks_run == ("phone:sponsor_principal_mobile", "mobile_ends_in_zero")
    assert report.flags["mobile_ends_in_zero"].tolist() == [True, False, False, True]


def test_bad_rules_are_argument_errors() -> None:
    frame = pd.DataFrame({"website_id": ["W1"], "sponsor_name": ["某公司"]})
    with pytest.raises(ArgumentError, match="duplicate names"):
        check_filings(frame, rules=(*RULES, RULES[0]))
    with pytest.raises(ArgumentTypeError, match="tuple of Rule"):
        check_filings(frame, rules=["phone"])  # type: ignore[list-item]
    with pytest.raises(ArgumentError, match="must be a field rule listed before it"):
        check_rules((Rule(name="x", block="sponsor", severity="warning", verdict=None,
                          column=None, requires=("a",), after=("phone:nope",),
                          function=_long_name, description="", label_zh=""),))
    with pytest.raises(ArgumentError, match="block"):
        Rule(name="x", block="nope", severity="error", verdict=None,  # type: ignore[arg-type]
             column=None, requires=("a",), function=_long_name, description="", label_zh="")
    with pytest.raises(ArgumentError, match="a warning feeds no verdict"):
        Rule(name="x", block="sponsor", severity="warning", verdict="sponsor_info_ok",
             column=None, requires=("a",), function=_long_name, description="", label_zh="")
    with pytest.raises(ArgumentError, match="returned"):
        _quiet(frame, rules=(Rule(name="x", block="sponsor", severity="warning", verdict=None,
                                  column=None, requires=("sponsor_name",), description="",
                                  label_zh="", function=lambda ctx: (np.zeros(3), "x")),))


def test_other_rules_are_refused_for_a_dask_frame() -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(pd.DataFrame({"website_id": ["W1"], "sponsor_name": ["某"]}),
                           npartitions=1)
    with pytest.raises(ArgumentError, match="Dask"):
        check_filings(frame, rules=(*RULES, TOY))
