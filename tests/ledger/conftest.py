"""Fixtures of the ledger tests: every test runs on SQLite and on a real PostgreSQL 15.

The PostgreSQL server is started once per session by
:func:`beian_audit.ledger.pgserver.throwaway_postgres` (shared with
``benchmarks/bench_ledger.py``) from the system's binaries
(``/usr/lib/postgresql/15/bin`` or ``BEIAN_AUDIT_PG_BINDIR``), in a temporary
directory, listening on a Unix socket only, and stopped at the end. Running as
root, ``initdb`` and ``postgres`` run as the ``postgres`` user. When the
binaries are missing or the server does not start the fixture fails (it never
skips): install them with ``scripts/install_system_deps.sh``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from beian_audit.errors import LedgerServerError
from beian_audit.ledger.pgserver import PostgresServer


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throw-away server for the session (:mod:`beian_audit.ledger.pgserver`, which
    the benchmark uses too); no server is a failure, never a skip."""
    server: PostgresServer | None = None
    try:
        server = PostgresServer()
        server.start()
    except LedgerServerError as exc:
        if server is not None:
            server.stop()
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a fresh, empty ledger goes: a SQLite path or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger" / "audit.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def ledger(ledger_location: str) -> Iterator[Any]:
    from beian_audit.ledger import Ledger

    with Ledger.open(ledger_location) as opened:
        yield opened


@pytest.fixture(scope="session")
def registry() -> pd.DataFrame:
    """The first 600 filings of the bundled synthetic registry (truth columns included)."""
    import beian_audit as ba

    return ba.load_synthetic_registry().head(600).reset_index(drop=True)


def fill_worksheet(
    path: Path,
    outcomes: dict[str, tuple[Any, Any, str | None]] | Callable[[str], Any],
    *,
    checked_by: str | None = "王核查",
    checked_on: dt.date | None = dt.date(2013, 5, 20),
) -> Path:
    """Fill the outcome cells of a worksheet as an auditor would (是/否, reason, who, when).

    ``outcomes`` maps key → (sponsor, access, reason) with True/False/None
    (None leaves the cell empty), or is a function of the key; keys not
    given stay empty.
    """
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["抽查核验"]
    header = {c.value: c.column for c in ws[1] if c.value}

    def word(v: Any) -> str | None:
        return None if v is None else ("是" if v else "否")

    for r in range(3, ws.max_row + 1):
        key = ws.cell(row=r, column=1).value
        if key is None:
            continue
        got = outcomes(str(key)) if callable(outcomes) else outcomes.get(str(key))
        if got is None:
            continue
        sponsor, access, reason = got
        ws.cell(row=r, column=header["sponsor_info_correct"]).value = word(sponsor)
        ws.cell(row=r, column=header["access_info_correct"]).value = word(access)
        ws.cell(row=r, column=header["reason"]).value = reason
        ws.cell(row=r, column=header["checked_by"]).value = checked_by
        ws.cell(row=r, column=header["checked_on"]).value = checked_on
    wb.save(path)
    return path


@pytest.fixture
def fill() -> Callable[..., Path]:
    return fill_worksheet


def truth_outcomes(registry: pd.DataFrame) -> Callable[[str], Any]:
    """Outcomes from the synthetic truth columns."""
    truth = registry.set_index("website_id")[["truth_sponsor_ok", "truth_access_ok"]]

    def outcome(key: str) -> tuple[bool, bool, str | None]:
        sponsor, access = (bool(v) for v in truth.loc[key])
        return sponsor, access, None if sponsor and access else "other"

    return outcome


@pytest.fixture
def truth(registry: pd.DataFrame) -> Callable[[str], Any]:
    return truth_outcomes(registry)
