"""The synthetic administration's operations (review log, enforcement, integration, history).

References: the share of unreachable sites is checked against scipy's exact
binomial test; the integration history must end at the bundled provider
table's ``integration_passed`` (an input the generator does not change); the
registry history against ``approval_date`` counted by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

import beian_audit as ba
from beian_audit.errors import SyntheticParameterError
from beian_audit.synthetic.operations import (
    ENFORCEMENT_RATES,
    operations_log,
    registry_history,
    verification_outcomes,
)

MONTHS = ["2013-03", "2013-04", "2013-05"]


@pytest.fixture(scope="module")
def bundled() -> tuple[pd.DataFrame, pd.DataFrame]:
    return ba.load_synthetic_registry(), ba.load_providers()


def test_deterministic_from_the_seed(bundled: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    registry, providers = bundled
    a = operations_log(providers, "上海", MONTHS, seed=3, registry=registry)
    assert a == operations_log(providers, "上海", MONTHS, seed=3, registry=registry)
    assert a != operations_log(providers, "上海", MONTHS, seed=4, registry=registry)
    assert "SyntheticOperations(province='310000'" in repr(a)


def test_the_logs_use_the_ledger_vocabulary_and_stay_in_the_months(
        bundled: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    from beian_audit.ledger import ENFORCEMENT_KINDS, REVIEW_KINDS

    registry, providers = bundled
    ops = operations_log(providers, "上海", MONTHS, seed=3, registry=registry)
    assert set(ops.review_log["kind"]) == set(REVIEW_KINDS)
    assert set(ops.enforcement["kind"]) <= set(ENFORCEMENT_KINDS)
    assert set(ENFORCEMENT_RATES) == set(ENFORCEMENT_KINDS) | {"blacklisted"}
    for frame, column in ((ops.review_log, "date"), (ops.enforcement, "date"),
                          (ops.blacklist, "listed_on")):
        months = pd.to_datetime(frame[column]).dt.strftime("%Y-%m")
        assert set(months) <= set(MONTHS)
    assert (ops.review_log["quantity"] >= 1).all()
    # reviews on working days only
    assert (pd.to_datetime(ops.review_log["date"]).dt.day_of_week < 5).all()
    # closures name a website of a local provider whose truth has a defect
    local = set(providers.loc[providers["home_province"] == "上海市", "provider_id"])
    closed = ops.enforcement.dropna(subset=["unit_key"])
    assert len(closed) and set(closed["provider_id"]) <= local
    truth = registry.set_index("website_id").loc[closed["unit_key"]]
    assert (~(truth["truth_sponsor_ok"] & truth["truth_access_ok"])).all()
    assert set(ops.blacklist["value"]) <= set(registry["domain"])


def test_integration_history_ends_at_the_provider_table(
        bundled: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, providers = bundled
    ops = operations_log(providers, "江苏", MONTHS, seed=9)
    last = ops.integration.groupby("provider_id")["status"].last()
    local = providers[providers["home_province"] == "江苏省"].set_index("provider_id")
    expected = local["integration_passed"].map({True: "integrated", False: "not_integrated"})
    assert last.sort_index().to_dict() == expected.sort_index().to_dict()
    assert ops.integration["as_of"].max() <= pd.Timestamp("2013-05-31").date()


def test_registry_history_drops_later_approvals(
        bundled: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    registry, _ = bundled
    history = registry_history(registry, MONTHS)
    assert history["2013-05"] is registry
    march = int((registry["approval_date"] < "2013-04-01").sum())
    assert len(history["2013-03"]) == march < len(history["2013-04"]) < len(registry)


def test_a_few_sites_are_unreachable_at_the_rate_asked(
        bundled: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    registry, _ = bundled
    sample = registry.head(4000)
    found = verification_outcomes(sample, registry, seed=5, unreachable=0.05, month="2013-05")
    lost = found["sponsor_ok"].isna()
    assert (found.loc[lost, "reason"] == "phone_unreachable").all()
    assert stats.binomtest(int(lost.sum()), len(found), 0.05).pvalue > 0.001
    reached = found[~lost]
    truth = registry.set_index("website_id").loc[reached["website_id"]]
    assert (reached["sponsor_ok"].to_numpy(bool) == truth["truth_sponsor_ok"].to_numpy(bool)).all()
    assert pd.to_datetime(found["checked_on"]).dt.strftime("%Y-%m").eq("2013-05").all()


@pytest.mark.parametrize("kwargs, match", [
    ({"months": []}, "months"),
    ({"months": ["2013-13"]}, "YYYY-MM"),
    ({"province": "火星"}, "province"),
    ({"province": "西藏"}, "no provider"),
])
def test_bad_arguments_are_refused(bundled: tuple[pd.DataFrame, pd.DataFrame],
                                   kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"province": "上海", "months": MONTHS} | kwargs
    with pytest.raises(SyntheticParameterError, match=match):
        operations_log(bundled[1], seed=1, **args)  # type: ignore[arg-type]
