"""The statistics table and the panel read from a ledger (issue #14, items 4 and 5).

A province's two months (2013-04, 2013-05) of the synthetic world are recorded
in a ledger the way ``make demo`` does it (worksheets filled by two verifiers,
imported; review log, enforcement, blacklist, integration status), once on
SQLite and once on PostgreSQL, and shared by the tests of this module.

The independent reference of the table is
:func:`~beian_audit.reporting.statistics_table` called directly on the raw
inputs — the registry, the accessed-site list, the provider table and the
generator's logs — which never went through the ledger: every count row must
come out the same from the ledger's records. The accuracy rows are checked
against the synthetic ground truth of the sampled filings.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import beian_audit as ba
from beian_audit.errors import ArgumentError, PeriodStateError
from beian_audit.ledger import Ledger
from beian_audit.privacy import leaked_values
from beian_audit.reporting import statistics_table

PROVINCE = "江苏省"
CODE = "320000"
MONTHS = ("2013-04", "2013-05")
SEED = 11


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    registry = ba.load_synthetic_registry()
    providers = ba.load_providers()
    accessed = ba.load_accessed_sites().drop(columns=["truth_filed"])
    return {"registry": registry, "providers": providers, "accessed": accessed}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled(request: pytest.FixtureRequest, world: dict[str, Any],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two months of the province recorded as the demo does, and what came out."""
    from beian_audit.demo import record_demo_ledger
    from beian_audit.synthetic.operations import operations_log

    if request.param == "sqlite":
        location = str(tmp_path_factory.mktemp("table") / "audit.db")
    else:
        location = request.getfixturevalue("postgres_server").create_database()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table, panels = record_demo_ledger(location, world["registry"], world["providers"],
                                           world["accessed"], province=PROVINCE,
                                           month=MONTHS[-1], seed=SEED)
    ops = operations_log(world["providers"], PROVINCE, list(MONTHS), seed=SEED,
                         registry=world["registry"])
    with Ledger.open(location) as ledger:
        yield {"ledger": ledger, "table": table, "panels": panels, "ops": ops,
               "location": location}


def _raw_enforcement(ops: Any) -> pd.DataFrame:
    actions = {"closure_local": "closed_local", "closure_ministry": "closed_ministry",
               "interview": "interview", "notice": "notice", "penalty": "penalty"}
    return pd.concat([
        pd.DataFrame({"date": ops.enforcement["date"],
                      "action": ops.enforcement["kind"].map(actions), "province": CODE}),
        pd.DataFrame({"date": ops.blacklist["listed_on"], "action": "blacklisted",
                      "province": CODE}),
    ], ignore_index=True)


# ----------------------------------------------------------------------------- the table


def test_all_18_rows_are_filled_from_the_ledger(filled: dict[str, Any]) -> None:
    table = filled["table"]
    assert table.missing_inputs == ()
    rows = table.to_frame()
    assert len(rows) == 18 and not rows["missing"].any()
    assert rows["source"].str.startswith("ledger ").all()
    assert table.province_code == CODE and (table.year, table.month) == (2013, 5)
    # the same table again through the month handle
    again = filled["ledger"].month(MONTHS[-1], PROVINCE).statistics_table()
    pd.testing.assert_frame_equal(again.to_frame(), rows)


def test_every_count_equals_the_table_built_from_the_raw_inputs(
        filled: dict[str, Any], world: dict[str, Any]) -> None:
    ops, ledger = filled["ops"], filled["ledger"]
    review = ops.review_log.rename(columns={"quantity": "count"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = statistics_table(
            province=PROVINCE, month=5, registry=world["registry"],
            accessed_sites=world["accessed"], providers=world["providers"],
            review_log=review, enforcement=_raw_enforcement(ops),
            sample=ledger.sample(MONTHS[-1], PROVINCE))
    table = filled["table"]
    for row in raw.to_frame().itertuples():
        if row.unit == "percent":
            continue
        assert table.value(row.key) == raw.value(row.key), row.key
    # hand counts straight from the generator's logs (the month of May only)
    may = pd.to_datetime(ops.review_log["date"]).dt.month == 5
    reviews = ops.review_log[may]
    assert table.value(3) == int(reviews.loc[reviews["kind"] == "review", "quantity"].sum())
    assert table.value(4) == int(reviews.loc[reviews["kind"] == "enquiry", "quantity"].sum())
    events = ops.enforcement[pd.to_datetime(ops.enforcement["date"]).dt.month == 5]
    assert table.value(17) == int(events["kind"].isin(["interview", "notice"]).sum())
    assert table.value(16) == int((ops.blacklist["month"] == "2013-05").sum())
    local = world["providers"][world["providers"]["home_province"] == PROVINCE]
    assert (table.value(5), table.value(6), table.value(7)) == (
        len(local), int(local["integration_passed"].sum()),
        int((~local["integration_passed"].astype(bool)).sum()))


def test_the_accuracy_rows_match_the_synthetic_truth(filled: dict[str, Any],
                                                     world: dict[str, Any]) -> None:
    ledger = filled["ledger"]
    outcomes = ledger.outcomes(MONTHS[-1], PROVINCE)
    truth = world["registry"].set_index("website_id").loc[outcomes["website_id"]]
    reached = outcomes["sponsor_status"].isin(["correct", "incorrect"]).to_numpy()
    assert (outcomes.loc[~reached, "sponsor_status"] == "unreachable").all()
    assert 0 < (~reached).sum() < 0.15 * len(outcomes)  # a few sites could not be reached
    np.testing.assert_array_equal(outcomes.loc[reached, "sponsor_ok"].to_numpy(bool),
                                  truth["truth_sponsor_ok"].to_numpy(bool)[reached])
    # the stratified estimate over the reached filings of the sample, by hand:
    # sum_h N_h * p_h / sum_h N_h with p_h the share correct among the reached in stratum h
    data = outcomes.loc[reached].assign(ok=outcomes.loc[reached, "sponsor_ok"].astype(float))
    strata = data.groupby("stratum").agg(N=("population_size", "first"), p=("ok", "mean"))
    expected = float((strata["N"] * strata["p"]).sum() / strata["N"].sum())
    assert filled["table"].value(12) == pytest.approx(100 * expected, rel=1e-12)
    row = filled["table"].to_frame().set_index("key").loc["sponsor_accuracy_pct"]
    assert row["ci_low"] < row["value"] < row["ci_high"]
    assert int(row["n"]) == int(reached.sum())
    assert any("nonresponse" in note for note in filled["table"].notes)


def test_year_to_date_sums_the_months_in_the_ledger(filled: dict[str, Any]) -> None:
    ytd = filled["ledger"].statistics_table(MONTHS[-1], PROVINCE, period="year_to_date")
    log = filled["ops"].review_log
    assert ytd.value(3) == int(log.loc[log["kind"] == "review", "quantity"].sum())
    events = filled["ops"].enforcement
    assert ytd.value(18) == int((events["kind"] == "penalty").sum())


def test_stock_counts_are_recorded_per_provider_without_rows(
        filled: dict[str, Any], world: dict[str, Any]) -> None:
    counts = filled["ledger"].registry_counts(MONTHS[0], PROVINCE)
    wide = counts.pivot(index="provider_id", columns="measure", values="value")
    registry = world["registry"]
    local_ids = world["providers"].loc[world["providers"]["home_province"] == PROVINCE,
                                       "provider_id"]
    april = registry[(registry["approval_date"] < "2013-05-01")
                     & registry["provider_id"].isin(local_ids)]
    ids = april["provider_id"].astype(str)
    by_hand = april["website_id"].groupby(ids).nunique()
    assert {k: int(v) for k, v in wide["filings"].dropna().items()} == by_hand.to_dict()
    uploaded = ids[april["material_uploaded"].astype(bool).to_numpy()].value_counts()
    assert {k: int(v) for k, v in wide["material_uploaded"].dropna().items()} == uploaded.to_dict()
    assert set(counts["measure"]) == {"filings", "material_uploaded", "material_missing",
                                      "accessed_sites", "unfiled_sites"}


def test_accessed_sites_are_recorded_once_and_not_in_a_closed_month(
        filled: dict[str, Any], world: dict[str, Any]) -> None:
    ledger = filled["ledger"]
    with pytest.raises(PeriodStateError, match="closed"):
        ledger.record_accessed_sites(MONTHS[0], PROVINCE, world["accessed"],
                                     registry=world["registry"])
    with pytest.raises(PeriodStateError, match="already recorded"):
        ledger.record_accessed_sites(MONTHS[1], PROVINCE, world["accessed"],
                                     registry=world["registry"])


# ----------------------------------------------------------------------------- the panel


def test_the_panel_reads_the_months_of_the_ledger(filled: dict[str, Any]) -> None:
    panels = filled["panels"]
    assert set(panels) == {"filing_rate", "sponsor_accuracy", "access_accuracy"}
    rates = panels["filing_rate"].to_frame()  # the census of the recorded site counts
    for month, value in zip(rates["month"], rates["estimate"], strict=True):
        counts = filled["ledger"].registry_counts(str(month), PROVINCE)
        scope = filled["ledger"].province_scope(str(month), PROVINCE)  # as row 2 counts
        if scope is not None:
            counts = counts[counts["provider_id"].astype(str).isin(scope)]
        total = counts.groupby("measure")["value"].sum()
        assert value == pytest.approx(1 - total["unfiled_sites"] / total["accessed_sites"],
                                      rel=1e-12)
    panel = panels["sponsor_accuracy"]
    assert panel.months == MONTHS
    frame = panel.to_frame()
    may = frame[(frame["month"] == "2013-05") & (frame["level"] == "total")].iloc[0]
    # the province's sample is all local providers: the panel's May is row 12 of the table
    assert 100 * may["estimate"] == pytest.approx(filled["table"].value(12), rel=1e-12)
    by_provider = filled["ledger"].panel(PROVINCE, "access_accuracy", by="provider_id")
    assert by_provider.by_columns == ("provider_id",)
    assert set(by_provider.to_frame()["level"]) == {"domain", "total"}
    only = filled["ledger"].panel(PROVINCE, months=["2013-05"])
    assert only.months == ("2013-05",)


def test_the_panel_and_table_refuse_what_is_not_there(filled: dict[str, Any]) -> None:
    ledger = filled["ledger"]
    with pytest.raises(ArgumentError, match="measure"):
        ledger.panel(PROVINCE, "filing_rate")
    with pytest.raises(PeriodStateError):
        ledger.panel(PROVINCE, months=["2013-03"])
    with pytest.raises(PeriodStateError):
        ledger.panel("上海")
    with pytest.raises(PeriodStateError):
        ledger.statistics_table("2013-06", PROVINCE)


# ----------------------------------------------------------------------------- honesty


def test_a_log_never_kept_leaves_its_rows_empty_not_zero(
        ledger: Ledger, world: dict[str, Any]) -> None:
    registry = world["registry"].head(400)
    month = ledger.open_month(registry, "2013-05", PROVINCE, n=90)
    month.draw(seed=1)
    table = month.statistics_table()
    assert set(table.missing_inputs) >= {
        "unfiled_websites", "filings_reviewed", "enquiries_handled", "providers_in_province",
        "closed_with_local_authorities", "administrative_penalties"}
    assert table.value(3) is None and table.value(14) is None
    # the provider table names the province's providers; the rates wait for outcomes
    given = month.statistics_table(providers=world["providers"])
    assert given.value(5) == 4 and given.value(1) is not None
    assert given.value(12) is None
    # one enquiry recorded: rows 3-4 are counted (0 reviews is then a real zero)
    ledger.add_review("enquiry", "2013-05-03", province=PROVINCE, quantity=2)
    ledger.add_review("enquiry", "2013-05-03", province="上海", quantity=9)
    logged = month.statistics_table(providers=world["providers"])
    assert (logged.value(3), logged.value(4)) == (0, 2)


# ----------------------------------------------------------------------------- privacy


def test_no_personal_value_in_the_new_tables(filled: dict[str, Any],
                                             world: dict[str, Any]) -> None:
    from beian_audit.privacy import detect_personal

    registry = world["registry"]
    personal = registry[[c for c in registry.columns
                         if c.endswith(("_id_number", "_mobile", "_email", "cert_number"))]]
    raw = {str(v) for v in personal.to_numpy().ravel() if isinstance(v, str) and v}
    found = []
    ledger = filled["ledger"]
    with ledger.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            frame = pd.read_sql_table(table, conn)
            for column in frame.columns:
                if (table, column) == ("blacklist_entries", "value"):
                    continue  # meant to hold it (masked in every view)
                text = frame[column].astype(str)
                hits = detect_personal(frame[column].astype(object))
                if hits.notna().any() or not raw.isdisjoint(text):
                    found.append((table, column))
    assert found == []
    shown = (filled["table"].to_json() + repr(filled["table"])
             + filled["panels"]["sponsor_accuracy"].to_frame().to_string()
             + ledger.registry_counts().to_string() + ledger.review_log().to_string()
             + ledger.enforcement_events().to_string() + ledger.integration().to_string())
    assert leaked_values(shown, raw) == []


def test_the_ledger_file_is_owner_only(filled: dict[str, Any]) -> None:
    if filled["location"].startswith("postgresql"):
        return
    assert Path(filled["location"]).stat().st_mode & 0o777 == 0o600
    assert dt.date(2013, 5, 1) <= max(filled["ledger"].review_log()["received_on"])
