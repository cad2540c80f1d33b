"""``Ledger.record_outcomes``: many outcomes in one transaction (SQLite and PostgreSQL 15).

The bulk API follows the rules of the worksheet import: checked whole, written
all or nothing, append-only (a change supersedes, nothing is overwritten) and
idempotent. Reference values: the outcomes recorded are the synthetic truth
columns of the registry, and the estimate is checked against the closed-form
weighted share p̂ = Σ w·y / Σ w (Horvitz–Thompson ratio, Cochran 1977 §5A)
computed here, not by the estimator under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from beian_audit.errors import (
    ArgumentTypeError,
    BeianAuditError,
    OutcomeImportError,
    PeriodStateError,
)
from beian_audit.ledger import Ledger

MONTH, PROVINCE = "2013-05", "广东"


def _count(ledger: Ledger, table: str) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _truth_frame(month: Any, registry: pd.DataFrame) -> pd.DataFrame:
    """One row per drawn filing and aspect, from the synthetic truth."""
    keys = month.sample()["website_id"]
    truth = registry.set_index("website_id").loc[keys]
    parts = []
    for aspect in ("sponsor", "access"):
        ok = truth[f"truth_{aspect}_ok"].to_numpy(dtype=bool)
        parts.append(pd.DataFrame({
            "website_id": keys.to_numpy(), "aspect": aspect,
            "status": np.where(ok, "correct", "incorrect"),
            "reason": np.where(ok, None, "other"),
            "verifier": "王核查", "checked_on": dt.date(2013, 5, 20)}))
    return pd.concat(parts, ignore_index=True)


def test_record_outcomes_is_one_idempotent_append_only_batch(
        ledger: Ledger, registry: pd.DataFrame) -> None:
    month = ledger.open_month(registry, MONTH, PROVINCE, n=80)
    month.draw(seed=2013)
    frame = _truth_frame(month, registry)
    result = month.record_outcomes(frame, source="calls.csv")
    assert (result.n_rows, result.n_recorded, result.n_superseding) == (160, 160, 0)
    assert not result.already_imported and result.file == "calls.csv"
    again = month.record_outcomes(frame.copy(), source="calls.csv")
    assert again.already_imported and again.n_recorded == 0
    assert _count(ledger, "outcomes") == 160 and _count(ledger, "imports") == 1
    imports = ledger.imports()
    assert imports["file_name"].tolist() == ["calls.csv"]
    assert imports[["n_rows", "n_recorded"]].values.tolist() == [[160, 160]]

    # the estimate: closed-form weighted share of the truth over the drawn filings
    status = month.status()
    assert status.complete
    sample = month.outcomes()
    y = registry.set_index("website_id").loc[sample["website_id"], "truth_sponsor_ok"]
    w = sample["weight"].to_numpy()
    expected = float(np.sum(w * y.to_numpy(dtype=float)) / np.sum(w))
    assert status.estimates["sponsor"].estimate == pytest.approx(expected, rel=1e-12)

    # a second batch: one correction, one site that turned out unreachable, one
    # pending note (never replaces a final outcome), one unchanged row
    k = sample["website_id"].tolist()
    was = sample.set_index("website_id")["sponsor_status"]
    flip = "incorrect" if was[k[0]] == "correct" else "correct"
    batch = pd.DataFrame({
        "website_id": [k[0], k[1], k[2], k[3]],
        "aspect": ["sponsor", "access", "sponsor", "sponsor"],
        "status": [flip, "unreachable", "pending", was[k[3]]],
        "reason": [None if flip == "correct" else "address_wrong", "phone_unreachable",
                   "other", None if was[k[3]] == "correct" else "other"],
        "checked_on": ["2013-05-27", "2013-05-27", None, "2013-05-20"],
        "note": [None, "called three times", None, None],
    }, index=[10, 11, 12, 13])
    second = month.record_outcomes(batch, verifier="乙", source="recheck")
    assert (second.n_recorded, second.n_superseding, second.n_unchanged) == (2, 2, 2)
    history = month.outcomes(current=False)
    mine = history[(history["website_id"] == k[0]) & (history["aspect"] == "sponsor")]
    assert mine["status"].tolist() == [was[k[0]], flip]
    assert mine["supersedes_id"].iloc[1] == mine["id"].iloc[0]
    assert mine["current"].tolist() == [False, True]
    assert mine["source_file"].tolist() == ["calls.csv", "recheck"]
    assert mine["source_row"].iloc[1] == 10  # the frame's index label
    late = history[(history["website_id"] == k[1]) & (history["aspect"] == "access")]
    assert late["note"].iloc[-1] == "called three times"
    assert late["verifier"].iloc[-1] == "乙"
    now = month.outcomes().set_index("website_id")
    assert now.loc[k[1], "access_status"] == "unreachable"
    assert now.loc[k[2], "sponsor_status"] == was[k[2]]  # the pending note did not replace it
    assert now.loc[k[1], "access_checked_on"] == dt.date(2013, 5, 27)


def test_record_outcomes_agrees_with_the_worksheet_import(
        ledger: Ledger, registry: pd.DataFrame, tmp_path: Path, fill: Any,
        truth: Any) -> None:
    month = ledger.open_month(registry, MONTH, PROVINCE, n=60)
    drawn = month.draw(seed=7, out_dir=tmp_path / "sheets")
    sheet = fill(Path(drawn.worksheets["file"].iloc[0]), truth)
    assert month.import_outcomes(sheet).n_recorded == 120
    # the same outcomes as a frame: nothing changes (same status and reason rules)
    result = month.record_outcomes(_truth_frame(month, registry))
    assert (result.n_recorded, result.n_unchanged) == (0, 120)
    assert _count(ledger, "outcomes") == 120


def test_a_bad_row_late_in_the_frame_writes_nothing(
        ledger: Ledger, registry: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    month = ledger.open_month(registry, MONTH, PROVINCE, n=400)
    month.draw(seed=2013)
    frame = _truth_frame(month, registry)
    bad = frame.copy()
    bad.loc[650, "status"] = "maybe"          # row 650 of 800
    bad.loc[700, "checked_on"] = dt.date.today() + dt.timedelta(days=30)
    bad.loc[710, "verifier"] = None
    with pytest.raises(OutcomeImportError) as info:
        month.record_outcomes(bad, source="batch-3")
    text = str(info.value)
    assert "row 650, column 'status'" in text and "'maybe'" in text
    assert "row 700, column 'checked_on'" in text and "row 710, column 'verifier'" in text
    assert info.value.failure_cases[["row", "column", "reason"]].values.tolist() == [
        [650, "status", "unknown_status"], [700, "checked_on", "future_date"],
        [710, "verifier", "verifier_missing"]]
    assert isinstance(info.value, ValueError)
    assert _count(ledger, "outcomes") == 0 and _count(ledger, "imports") == 0

    # a failure of the database half way through the inserts: nothing of it stays
    import beian_audit.ledger._sql as sql

    calls: list[int] = []
    real = sql._insert_chunk

    def failing(conn: Any, table: Any, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        real(conn, table, rows)

    monkeypatch.setattr(sql, "_CHUNK", 100)
    monkeypatch.setattr(sql, "_insert_chunk", failing)
    with pytest.raises(RuntimeError, match="disk"):
        month.record_outcomes(frame)
    assert calls == [100, 100, 100]
    assert _count(ledger, "outcomes") == 0 and _count(ledger, "imports") == 0
    monkeypatch.setattr(sql, "_insert_chunk", real)
    assert month.record_outcomes(frame).n_recorded == 800


def test_record_outcomes_names_every_bad_row_and_column(
        ledger: Ledger, registry: pd.DataFrame) -> None:
    month = ledger.open_month(registry, MONTH, PROVINCE, n=60)
    with pytest.raises(PeriodStateError, match="not drawn"):
        month.record_outcomes(pd.DataFrame({"website_id": [], "aspect": [], "status": []}))
    month.draw(seed=1)
    keys = month.sample()["website_id"].tolist()
    with pytest.raises(ArgumentTypeError, match="DataFrame"):
        month.record_outcomes([{"website_id": keys[0]}])  # type: ignore[arg-type]

    with pytest.raises(OutcomeImportError) as info:
        month.record_outcomes(pd.DataFrame({"website_id": keys[:1], "statuz": ["correct"]}))
    assert info.value.failure_cases[["column", "reason"]].values.tolist() == [
        ["aspect", "column_missing"], ["status", "column_missing"],
        ["statuz", "unknown_column"]]

    frame = pd.DataFrame({
        "website_id": [keys[0], keys[0], "13912345678", None, keys[1], keys[2], keys[3]],
        "aspect": ["sponsor", "sponsor", "sponsor", "access", "both", "access", "access"],
        "status": ["correct", "incorrect", "correct", "correct", "correct", "incorrect",
                   "refused"],
        "reason": [None, "other", None, None, None, "no_such_code;other", "refused"],
        "verifier": ["甲"] * 7,
        "checked_on": ["2013-05-20"] * 6 + ["20.5.2013"],
    }, index=list("abcdefg"))
    with pytest.raises(OutcomeImportError) as info:
        month.record_outcomes(frame)
    cases = info.value.failure_cases
    assert cases[["row", "column", "reason"]].values.tolist() == [
        ["b", "website_id", "duplicate"], ["c", "website_id", "not_in_sample"],
        ["d", "website_id", "key_missing"], ["e", "aspect", "unknown_aspect"],
        ["f", "reason", "unknown_reason"], ["g", "checked_on", "bad_date"]]
    assert "row 'e', column 'aspect'" in str(info.value)
    # a personal value in a bad cell is masked in the message and the failure cases
    assert "13912345678" not in str(info.value)
    assert "13912345678" not in cases.to_string()
    assert isinstance(info.value, BeianAuditError)
    assert _count(ledger, "outcomes") == 0

    month.close()
    good = frame.loc[["a"]]
    with pytest.raises(PeriodStateError, match="reopen"):
        month.record_outcomes(good)
    month.reopen(reason="late calls")
    assert month.record_outcomes(good).n_recorded == 1
