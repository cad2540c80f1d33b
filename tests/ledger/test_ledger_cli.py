"""``beian-audit month|outcomes|ledger|case`` on SQLite and PostgreSQL (#14).

The CLI runs in-process (``beian_audit.cli.main``); its JSON output is checked
against the ledger read back through the Python API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from beian_audit.cli import main
from beian_audit.ledger import Ledger


def call(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    try:
        payload = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        payload = out
    return code, payload, err


@pytest.fixture
def registry_file(registry: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "registry.parquet"
    registry.drop(columns=[c for c in registry.columns if c.startswith("truth_")]).to_parquet(
        path)
    return path


def test_a_month_on_the_command_line(
    ledger_location: str, registry_file: Path, registry: pd.DataFrame, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], fill: Any, truth: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    where = ["--month", "2013-05", "--province", "粤", "--ledger", ledger_location]
    code, opened, err = call(capsys, "month", "open", str(registry_file), *where, "--n", "90")
    assert code == 0, err
    assert (opened["n"], opened["province"]) == (90, "440000")
    code, _, err = call(capsys, "month", "open", str(registry_file), *where, "--n", "90")
    assert code == 2 and "already" in err
    code, drawn, err = call(capsys, "month", "draw", str(registry_file), *where, "--seed", "7",
                            "--split", "verifier", "--verifier", "甲", "--verifier", "乙",
                            "--out", "sheets")
    assert code == 0, err
    files = [Path(w["file"]) for w in drawn["worksheets"]]
    assert [f.name for f in files] == ["2013-05_440000_甲.xlsx", "2013-05_440000_乙.xlsx"]
    for file in files:
        fill(file, truth)
    code, imported, err = call(capsys, "outcomes", "import", *map(str, files),
                               "--ledger", ledger_location)
    assert code == 0, err
    assert [i["n_recorded"] for i in imported["imports"]] == [90, 90]
    code, again, err = call(capsys, "outcomes", "import", str(files[0]),
                            "--ledger", ledger_location)
    assert code == 0 and again["imports"][0]["already_imported"] is True
    code, status, err = call(capsys, "month", "status", *where, "--fail-on-target")
    assert code in (0, 1), err
    assert status["complete"] is True
    assert [t["verified"] for t in status["totals"]] == [90, 90]
    assert (code == 0) == (status["verdicts"]["sponsor"] == "met")
    code, closed, err = call(capsys, "month", "close", *where)
    assert code == 0 and closed["records"][0]["status"] == "closed"
    code, _, err = call(capsys, "outcomes", "import", str(files[1]), "--ledger",
                        ledger_location)
    assert code == 2 and "reopen" in err
    code, _, err = call(capsys, "month", "reopen", *where)
    assert code == 2  # --reason is required
    code, _, err = call(capsys, "month", "reopen", *where, "--reason", "recheck")
    assert code == 0, err
    code, cases, err = call(capsys, "case", "open", "--from-outcomes", *where,
                            "--deadline", "2013-06-15")
    assert code == 0, err
    first = cases["opened"][0]
    code, updated, err = call(capsys, "case", "update", str(first), "corrected",
                              "--ledger", ledger_location)
    assert code == 0 and updated["case"]["status"] == "corrected"
    code, _, err = call(capsys, "case", "update", str(first), "access_cut",
                        "--ledger", ledger_location)
    assert code == 2 and "corrected" in err
    code, listed, err = call(capsys, "case", "list", "--ledger", ledger_location,
                             "--status", "correction_ordered")
    assert code == 0 and len(listed["cases"]) == len(cases["opened"]) - 1
    with Ledger.open(ledger_location) as ledger:
        assert len(ledger.imports()) == 2
        assert ledger.period_events()["event"].tolist() == [
            "opened", "drawn", "closed", "reopened"]


def test_a_bad_row_is_named_on_stderr(
    registry_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fill: Any,
    truth: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    where = ["--month", "2013-05", "--province", "广东"]  # the default ledger
    assert call(capsys, "month", "open", str(registry_file), *where, "--n", "60")[0] == 0
    assert (tmp_path / "beian-audit.db").stat().st_mode & 0o777 == 0o600
    code, drawn, err = call(capsys, "month", "draw", str(registry_file), *where, "--seed", "1")
    assert code == 0, err
    sheet = fill(Path(drawn["worksheets"][0]["file"]), truth, checked_by=None)
    code, _, err = call(capsys, "outcomes", "import", str(sheet))
    assert code == 2
    assert "Excel row 3, column '核查人' (checked_by)" in err
    code, imported, err = call(capsys, "outcomes", "import", str(sheet), "--verifier", "甲")
    assert code == 0 and imported["imports"][0]["n_recorded"] == 120


def test_upgrade_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from beian_audit.ledger import migrate
    from beian_audit.ledger.engine import create_ledger_engine, ledger_url

    path = tmp_path / "old.db"
    url, file = ledger_url(path)
    engine = create_ledger_engine(url, file)
    with engine.connect().execution_options(ledger_write=True) as conn, conn.begin():
        migrate.upgrade(conn, "0001")
    engine.dispose()
    code, out, err = call(capsys, "ledger", "upgrade", str(path))
    assert code == 0, err
    assert (out["from"], out["to"]) == ("0001", migrate.head_revision())
    code, out, err = call(capsys, "ledger", "upgrade", "--ledger", str(path))
    assert code == 0 and out["from"] == out["to"]


def test_a_staged_ledger_is_owner_only_from_creation_to_its_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI stages its outputs (``beian-audit demo``: a directory holding the
    ledger) and moves them into place at the end: the ledger is 0600 right
    after creation, at the moment of the move and after it; no chmod ever
    gives it to others; the other files get the usual mode (0666 & ~umask)."""
    import os
    import stat

    from beian_audit import _cli_base as cli

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    moves: list[tuple[str, int]] = []
    chmods: list[tuple[str, int]] = []
    real_replace, real_chmod = os.replace, os.chmod

    def replace(source: Any, target: Any) -> None:
        moves.append((Path(target).name, mode(Path(source))))
        real_replace(source, target)

    def chmod(path: Any, value: int, *args: Any, **kwargs: Any) -> None:
        chmods.append((Path(path).name, value))
        real_chmod(path, value, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "chmod", chmod)
    mask = os.umask(0)  # even a permissive umask does not open the ledger to others
    try:
        outputs = cli.Outputs(force=True)
        out = outputs.directory(str(tmp_path / "out"), ["beian-audit.db", "notes.txt"],
                                "--out")
        single = outputs.file(str(tmp_path / "failures.csv"), (".csv",), "--failures")
        with outputs.transaction():
            staged = outputs.stage_dir(out)
            with Ledger.open(staged / "beian-audit.db"):
                assert mode(staged / "beian-audit.db") == 0o600  # right after creation
            (staged / "notes.txt").write_text("x")
            assert mode(outputs.stage(single)) == 0o666  # the usual mode from the start
    finally:
        os.umask(mask)
    assert mode(out / "beian-audit.db") == 0o600  # after the move
    assert ("beian-audit.db", 0o600) in moves  # and at the moment of the move
    assert all(m & 0o077 == 0 for name, m in chmods if name.startswith("beian-audit.db"))
    assert mode(out / "notes.txt") == 0o666 and mode(single) == 0o666
