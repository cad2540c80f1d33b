"""The audit ledger (#14, phase 1) on SQLite and on a real PostgreSQL 15 server.

Every test taking the ``ledger`` / ``ledger_location`` fixture runs twice: on a
SQLite file and on a fresh database of the session's PostgreSQL server
(conftest.py). Reference values: the weighted share p̂ = Σ w·y / Σ w is
computed here from the synthetic truth columns by the closed form (Horvitz–
Thompson ratio, Cochran 1977 §5A), not by the estimator under test.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from beian_audit.errors import (
    ArgumentError,
    BeianAuditError,
    LedgerNotFoundError,
    LedgerUpgradeRequiredError,
    LedgerVersionError,
    OutcomeImportError,
    PeriodStateError,
    WorksheetError,
)
from beian_audit.ledger import Ledger, migrate
from beian_audit.ledger.engine import create_ledger_engine, ledger_url

SRC = str(Path(__file__).resolve().parents[2] / "src")
MONTH, PROVINCE = "2013-05", "广东"


def _drawn(ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, *, n: int = 120,
           split: str = "verifier", verifiers: tuple[str, ...] = ("甲", "乙")) -> Any:
    month = ledger.open_month(registry, MONTH, PROVINCE, n=n)
    drawn = month.draw(seed=2013, out_dir=tmp_path / "sheets", split=split,
                       verifiers=list(verifiers) if split == "verifier" else None)
    return month, drawn


def _count(ledger: Ledger, table: str) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


# ----------------------------------------------------------------------------- storage


def test_a_new_sqlite_ledger_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "team" / "beian-audit.db"
    with Ledger.open(path) as ledger:
        assert ledger.revision == migrate.head_revision()
        with ledger.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    for file in path.parent.iterdir():  # the -wal and -shm files too
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_the_default_ledger_is_beian_audit_db_in_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LedgerNotFoundError, match="month open"):
        Ledger.open(create=False)
    assert not (tmp_path / "beian-audit.db").exists()
    with Ledger.open() as ledger:
        assert ledger.path == tmp_path / "beian-audit.db"


def test_migrations_create_exactly_the_schema(ledger: Ledger) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from beian_audit.ledger.schema import metadata

    with ledger.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_an_older_ledger_is_upgraded_or_names_the_command(ledger_location: str) -> None:
    url, path = ledger_url(ledger_location)
    engine = create_ledger_engine(url, path)
    with engine.connect().execution_options(ledger_write=True) as conn, conn.begin():
        migrate.upgrade(conn, "0001")
    engine.dispose()
    with pytest.raises(LedgerUpgradeRequiredError) as info:
        Ledger.open(ledger_location, upgrade=False)
    where = str(path) if path is not None else url.render_as_string(hide_password=True)
    assert info.value.command == f"beian-audit ledger upgrade {where}"
    assert f"`beian-audit ledger upgrade {where}`" in str(info.value)
    assert (info.value.current, info.value.head) == ("0001", migrate.head_revision())
    with Ledger.open(ledger_location) as ledger:
        assert ledger.revision == migrate.head_revision()
        assert ledger.cases().empty  # a table of revision 0002


def test_a_database_that_is_not_a_ledger_or_is_newer_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{other}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE clients (name TEXT)")
    with pytest.raises(LedgerVersionError, match="not a beian-audit ledger"):
        Ledger.open(other)
    newer = tmp_path / "newer.db"
    Ledger.open(newer).close()
    engine = sa.create_engine(f"sqlite:///{newer}")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(LedgerVersionError, match="upgrade beian_audit"):
        Ledger.open(newer)
    with pytest.raises(ArgumentError, match=r"SQLite .* or PostgreSQL"):
        Ledger.open("mysql://u@h/db")


def test_a_password_never_shows(tmp_path: Path) -> None:
    url, _ = ledger_url("postgresql://auditor:s3cret@localhost:1/audit")
    assert "s3cret" not in url.render_as_string(hide_password=True)
    with pytest.raises(Exception) as info:  # nothing listens on port 1
        Ledger.open("postgresql://auditor:s3cret@localhost:1/audit")
    assert "s3cret" not in str(info.value)


# ----------------------------------------------------------------------------- workflow


def test_a_month_from_open_to_close(ledger: Ledger, registry: pd.DataFrame, tmp_path: Path,
                                    fill: Any, truth: Any) -> None:
    month, drawn = _drawn(ledger, registry, tmp_path)
    assert drawn.n == 120 and len(drawn.worksheets) == 2
    first, second = (Path(f) for f in drawn.worksheets["file"])
    assert ledger.periods()["n_drawn"].tolist() == [120]
    snapshot = ledger.snapshots().iloc[0]
    assert snapshot["row_count"] == 600 and len(snapshot["fingerprint"]) == 64

    fill(first, truth)
    result = month.import_outcomes(first)
    assert (result.n_rows, result.n_recorded, result.already_imported) == (60, 120, False)
    again = month.import_outcomes(first)
    assert again.already_imported and again.n_recorded == 0
    assert _count(ledger, "outcomes") == 120 and _count(ledger, "imports") == 1

    status = month.status()
    totals = status.totals().set_index("aspect")
    assert totals.loc["sponsor", "verified"] == 60 and totals.loc["sponsor", "pending"] == 60
    assert status.verdicts == {"sponsor": "inconclusive"}  # half the sample is pending

    # the estimate, in closed form: each stratum's verified units (a PRN prefix, so a
    # simple random sample of it) stand for the stratum's weight, sum_h W_h ybar_h / W
    # (strata with no verified unit yet are carried by the others)
    frame = month.outcomes()
    done = frame["sponsor_status"] != "pending"
    y = registry.set_index("website_id").loc[frame["website_id"], "truth_sponsor_ok"]
    per = pd.DataFrame({"stratum": frame["stratum"].to_numpy(), "w": frame["weight"].to_numpy(),
                        "y": np.where(done, y.to_numpy(dtype=float), np.nan)})
    strata = per.groupby("stratum").agg(W=("w", "sum"), ybar=("y", "mean")).dropna()
    expected = float((strata["W"] * strata["ybar"]).sum() / strata["W"].sum())
    assert status.estimates["sponsor"].estimate == pytest.approx(expected, rel=1e-12)

    fill(second, truth, checked_by=None)
    month.import_outcomes(second, verifier="乙")
    status = month.status()
    assert status.complete and status.totals()["verified"].tolist() == [120, 120]
    assert status.verdicts["sponsor"] == status.assessments["sponsor"].status
    assert set(month.outcomes()["sponsor_verifier"]) == {"王核查", "乙"}

    month.close()
    assert ledger.period(MONTH, PROVINCE).status == "closed"
    with pytest.raises(PeriodStateError, match="reopen"):
        month.import_outcomes(second)
    with pytest.raises(ArgumentError, match="reason"):
        month.reopen(reason=" ")
    month.reopen(reason="late worksheet from 乙")
    events = ledger.period_events(MONTH, PROVINCE)
    assert events["event"].tolist() == ["opened", "drawn", "closed", "reopened"]
    assert events["reason"].iloc[-1] == "late worksheet from 乙"
    with pytest.raises(PeriodStateError, match="already drawn"):
        month.draw(seed=1)


def test_a_correction_supersedes_and_the_history_stays(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any) -> None:
    month, drawn = _drawn(ledger, registry, tmp_path, split="none")
    sheet = Path(drawn.worksheets["file"].iloc[0])
    keys = month.sample()["website_id"].tolist()
    fill(sheet, {keys[0]: (True, True, None), keys[1]: (None, None, "phone_unreachable")})
    month.import_outcomes(sheet)
    # the same worksheet, corrected: the first filing was wrong after all
    fill(sheet, {keys[0]: (False, True, "address_wrong")})
    result = month.import_outcomes(sheet)
    assert (result.n_recorded, result.n_superseding, result.n_unchanged) == (1, 1, 3)
    history = month.outcomes(current=False)
    mine = history[(history["website_id"] == keys[0]) & (history["aspect"] == "sponsor")]
    assert mine["status"].tolist() == ["correct", "incorrect"]
    assert mine["supersedes_id"].iloc[1] == mine["id"].iloc[0]
    assert mine["current"].tolist() == [False, True]
    assert mine["source_row"].tolist() == [3, 3]
    now = month.outcomes().set_index("website_id")
    assert now.loc[keys[0], "sponsor_status"] == "incorrect"
    assert now.loc[keys[1], "sponsor_status"] == "unreachable"
    assert pd.isna(now.loc[keys[1], "sponsor_ok"])
    refused = month.record_outcome(keys[2], "access", "refused", verifier="甲")
    assert month.outcomes().set_index("website_id").loc[keys[2], "access_status"] == "refused"
    progress = month.status().totals().set_index("aspect")
    assert progress.loc["access", "refused"] == 1 and progress.loc["sponsor", "unreachable"] == 1
    # append-only: the database itself refuses to rewrite or delete an outcome
    for statement in (f"UPDATE outcomes SET status = 'correct' WHERE id = {refused}",
                      f"DELETE FROM outcomes WHERE id = {refused}"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), \
                ledger.engine.begin() as conn:
            conn.execute(sa.text(statement))


def test_a_bad_row_late_in_the_worksheet_writes_nothing(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any, truth: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    month, drawn = _drawn(ledger, registry, tmp_path, n=400, split="none")
    sheet = Path(drawn.worksheets["file"].iloc[0])
    fill(sheet, truth)
    import openpyxl

    wb = openpyxl.load_workbook(sheet)
    ws = wb["抽查核验"]
    header = {c.value: c.column for c in ws[1] if c.value}
    ws.cell(row=302, column=header["checked_by"]).value = None  # row 300 of 400: nobody
    wb.save(sheet)
    with pytest.raises(OutcomeImportError) as info:
        month.import_outcomes(sheet)
    assert "Excel row 302" in str(info.value) and "checked_by" in str(info.value)
    assert info.value.failure_cases[["row", "column", "reason"]].values.tolist() == [
        [302, "checked_by", "verifier_missing"]]
    assert _count(ledger, "outcomes") == 0 and _count(ledger, "imports") == 0

    ws.cell(row=302, column=header["checked_by"]).value = "甲"
    ws.cell(row=302, column=header["sponsor_info_correct"]).value = "也许"
    wb.save(sheet)
    with pytest.raises(WorksheetError) as info:
        month.import_outcomes(sheet)
    assert "Excel row 302" in str(info.value) and "sponsor_info_correct" in str(info.value)
    assert _count(ledger, "outcomes") == 0

    # a failure of the database half way through the inserts: nothing of it stays
    ws.cell(row=302, column=header["sponsor_info_correct"]).value = "是"
    wb.save(sheet)
    import beian_audit.ledger._sql as sql

    calls = []
    real = sql._insert_chunk

    def failing(conn: Any, table: Any, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        real(conn, table, rows)

    monkeypatch.setattr(sql, "_CHUNK", 100)
    monkeypatch.setattr(sql, "_insert_chunk", failing)
    with pytest.raises(RuntimeError, match="disk"):
        month.import_outcomes(sheet)
    assert _count(ledger, "outcomes") == 0 and _count(ledger, "imports") == 0
    monkeypatch.setattr(sql, "_insert_chunk", real)
    assert month.import_outcomes(sheet).n_recorded == 800


def test_a_worksheet_of_another_ledger_is_refused(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any, truth: Any) -> None:
    with Ledger.open(tmp_path / "elsewhere.db") as other:
        _, drawn = _drawn(other, registry, tmp_path / "o", split="none")
    sheet = fill(Path(drawn.worksheets["file"].iloc[0]), truth)
    with pytest.raises(OutcomeImportError, match="not drawn in this ledger"):
        ledger.import_outcomes(sheet)


def test_two_processes_import_different_worksheets_at_once(
        ledger_location: str, registry: pd.DataFrame, tmp_path: Path, fill: Any,
        truth: Any) -> None:
    with Ledger.open(ledger_location) as ledger:
        _, drawn = _drawn(ledger, registry, tmp_path, n=300)
    sheets = [fill(Path(f), truth) for f in drawn.worksheets["file"]]
    code = textwrap.dedent("""
        import sys, time
        from beian_audit.ledger import Ledger
        ledger = Ledger.open(sys.argv[1], create=False)
        while time.time() < float(sys.argv[3]):
            time.sleep(0.005)
        print(ledger.import_outcomes(sys.argv[2]).n_recorded)
    """)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    import time

    start = str(time.time() + 3.0)  # both begin at the same moment
    procs = [subprocess.Popen([sys.executable, "-c", code, ledger_location, str(s), start],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for s in sheets]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    assert sorted(int(o[0]) for o in outs) == [300, 300]
    with Ledger.open(ledger_location) as ledger:
        assert _count(ledger, "outcomes") == 600 and _count(ledger, "imports") == 2
        assert ledger.status(MONTH, PROVINCE).complete


def test_open_month_checks_its_inputs(ledger: Ledger, registry: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match="YYYY-MM"):
        ledger.open_month(registry, "2013-5", PROVINCE, n=60)
    with pytest.raises(ArgumentError, match="province"):
        ledger.open_month(registry, MONTH, "火星", n=60)
    with pytest.raises(TypeError, match="unknown plan option"):
        ledger.open_month(registry, MONTH, PROVINCE, sample_size=60)
    ledger.open_month(registry, MONTH, "440000", n=60)
    with pytest.raises(PeriodStateError, match="already"):
        ledger.open_month(registry, MONTH, "广东省", n=60)
    with pytest.raises(ArgumentError, match="differs"):
        ledger.draw(MONTH, PROVINCE, seed=1, registry=registry.head(599))
    with pytest.raises(PeriodStateError, match="no month"):
        ledger.status("2013-06", PROVINCE)
    assert ledger.plan(MONTH, PROVINCE)["options"] == {"n": 60}


# ----------------------------------------------------------------------------- records


def test_cases_and_the_other_records(ledger: Ledger, registry: pd.DataFrame, tmp_path: Path,
                                     fill: Any, truth: Any) -> None:
    month, drawn = _drawn(ledger, registry, tmp_path, split="provider")
    assert len(drawn.worksheets) == registry["provider_id"].nunique()
    assert set(drawn.worksheets["assignee"]) == set(month.sample()["provider_id"])
    whole = month.write_worksheets(tmp_path / "all")  # the same sample, one worksheet
    month.import_outcomes(fill(Path(whole["file"].iloc[0]), truth))
    frame = month.outcomes()
    n_bad = int((frame["sponsor_status"] == "incorrect").sum()
                + (frame["access_status"] == "incorrect").sum())
    ids = ledger.open_cases_from_outcomes(MONTH, PROVINCE, deadline="2013-06-15")
    assert len(ids) == n_bad > 0
    assert ledger.open_cases_from_outcomes(MONTH, PROVINCE, deadline="2013-06-15") == []
    first = ids[0]
    ledger.update_case(first, "correction_ordered", deadline="2013-06-30", note="extended")
    assert ledger.cases(overdue_on="2013-06-20")["case_id"].tolist() == ids[1:]
    ledger.update_case(first, "access_cut")
    with pytest.raises(PeriodStateError, match="access_cut"):
        ledger.update_case(first, "corrected")
    ledger.update_case(first, "filing_cancelled")
    cases = ledger.cases().set_index("case_id")
    assert cases.loc[first, "status"] == "filing_cancelled"
    assert len(ledger.case_events(first)) == 4

    ledger.add_blacklist_entry("mobile", "13912345678", listed_on="2013-06-01",
                               case_id=first)
    shown = ledger.blacklist()
    assert shown["value"].tolist() == ["139****5678"]
    assert ledger.blacklist(reveal=True)["value"].tolist() == ["13912345678"]
    ledger.add_enforcement_event("closure_local", "2013-06-02", province=PROVINCE,
                                 case_id=first)
    ledger.add_enforcement_event("penalty", "2013-06-03", provider_id="P0001")
    assert ledger.enforcement_events()["kind"].tolist() == ["closure_local", "penalty"]
    ledger.add_review("review", "2013-05-03", quantity=40, province=PROVINCE)
    ledger.add_review("enquiry", "2013-05-04")
    assert ledger.review_log().groupby("kind")["quantity"].sum().to_dict() == {
        "enquiry": 1, "review": 40}
    ledger.set_integration_status("P0001", "not_integrated", "2013-04-01")
    ledger.set_integration_status("P0001", "integrated", "2013-05-10")
    assert ledger.integration()["status"].tolist() == ["integrated"]
    assert ledger.integration(as_of="2013-05-01")["status"].tolist() == ["not_integrated"]
    with pytest.raises(ArgumentError, match="kind"):
        ledger.add_enforcement_event("fine", "2013-06-03")


# ----------------------------------------------------------------------------- privacy


def test_no_personal_value_in_any_column_not_meant_to_hold_it(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any, truth: Any) -> None:
    from beian_audit.privacy import detect_personal

    month, drawn = _drawn(ledger, registry, tmp_path, split="none")
    sheet = fill(Path(drawn.worksheets["file"].iloc[0]), truth, checked_by="13912345678")
    month.import_outcomes(sheet, actor="wang.wu@example.cn")
    month.close(reason="done, call 13800138000")
    month.reopen(reason="ID 11010519491231002X asked for a recheck", actor="li_si88@qq.com")
    ledger.open_case("W00000001", deadline="2013-06-01", note="mobile 15800001111")
    ledger.add_blacklist_entry("sponsor", "11010519491231002X", listed_on="2013-06-01")
    personal = registry[[c for c in registry.columns
                         if c.endswith(("_id_number", "_mobile", "_email", "cert_number"))]]
    raw = {str(v) for v in personal.to_numpy().ravel() if isinstance(v, str) and v}
    raw |= {"13912345678", "wang.wu@example.cn", "13800138000", "li_si88@qq.com",
            "11010519491231002X", "15800001111"}
    found = []
    with ledger.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            frame = pd.read_sql_table(table, conn)
            for column in frame.columns:
                if (table, column) == ("blacklist_entries", "value"):
                    continue  # meant to hold it (masked in every view)
                text = frame[column].astype(str)
                hits = detect_personal(frame[column].astype(object))
                leaked = text[text.isin(raw)]
                if hits.notna().any() or not leaked.empty:
                    found.append((table, column, text[hits.notna()].tolist()[:3]))
    assert found == []
    for text in (repr(ledger), repr(month.status()), month.status().to_json(),
                 ledger.period_events().to_string(), ledger.blacklist().to_string()):
        assert not any(value in text for value in raw), text[:300]


def test_errors_are_typed_and_masked(ledger: Ledger, registry: pd.DataFrame) -> None:
    ledger.open_month(registry, MONTH, PROVINCE, n=60)
    ledger.draw(MONTH, PROVINCE, seed=1)  # the ledger kept the registry of open_month
    with pytest.raises(BeianAuditError) as info:
        ledger.record_outcome(MONTH, PROVINCE, "13912345678", "sponsor", "correct",
                              verifier="甲")
    assert "13912345678" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_closing_with_pending_outcomes_warns(ledger: Ledger, registry: pd.DataFrame,
                                             tmp_path: Path) -> None:
    from beian_audit.errors import IncompleteSampleWarning

    month, _ = _drawn(ledger, registry, tmp_path, split="none")
    with pytest.warns(IncompleteSampleWarning, match="pending"):
        month.close()
    assert ledger.period(MONTH, PROVINCE).status == "closed"
    assert ledger.period_events()["actor"].notna().all()
    assert isinstance(ledger.period_events()["at"].iloc[0], dt.datetime | pd.Timestamp)


def test_no_postgresql_binaries_is_an_error_naming_the_install_script(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared server of the fixture and the benchmark fails loudly (tests never skip)."""
    from beian_audit.errors import LedgerServerError
    from beian_audit.ledger import pgserver

    monkeypatch.setenv("BEIAN_AUDIT_PG_BINDIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(pgserver, "PG_BINDIRS", ())
    with pytest.raises(LedgerServerError, match=r"install_system_deps\.sh") as info:
        pgserver.find_pg_bindir()
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, BeianAuditError)


def test_the_session_server_is_a_throwaway_cluster_on_a_socket(postgres_server: Any) -> None:
    url = postgres_server.url()
    assert url.startswith("postgresql+psycopg://postgres@/postgres?host=")
    assert (postgres_server.base / f".s.PGSQL.{postgres_server.port}").is_socket()
    first, second = postgres_server.create_database(), postgres_server.create_database()
    assert first != second
