"""Fixtures of the ledger tests: every test runs on SQLite and on a real PostgreSQL 15.

The PostgreSQL server is started once per session from the system's binaries
(``/usr/lib/postgresql/15/bin`` or ``BEIAN_AUDIT_PG_BINDIR``), in a temporary
directory, listening on a Unix socket only, and stopped at the end. Running as
root, ``initdb`` and ``postgres`` run as the ``postgres`` user. When the
binaries are missing the fixture fails (it never skips): install them with
``scripts/install_system_deps.sh``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

PG_BINDIRS = ("/usr/lib/postgresql/15/bin", "/usr/local/pgsql/bin")
_counter = itertools.count()


def _bindir() -> Path:
    candidates = [os.environ.get("BEIAN_AUDIT_PG_BINDIR"), *PG_BINDIRS]
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file() and (
            Path(candidate) / "pg_ctl"
        ).is_file():
            return Path(candidate)
    pytest.fail(
        "the ledger tests need a PostgreSQL 15 server, but initdb/pg_ctl were not found in "
        f"{[c for c in candidates if c]}; install them with `scripts/install_system_deps.sh` "
        "(Debian package postgresql-15) or set BEIAN_AUDIT_PG_BINDIR",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A throw-away PostgreSQL cluster on a Unix socket in a temporary directory."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="beian-pg-"))  # short: socket path limit
        self.data = self.base / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=120)

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = self.base / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            pytest.fail(f"PostgreSQL {what} failed: {result.stderr.strip()}\n{tail}",
                        pytrace=False)

    def start(self) -> None:
        self._check(self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), "initdb")
        options = (f"-p {self.port} -k {self.base} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self._check(self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                              "-o", options, "-w", "-t", "60", "start"), "start")

    def stop(self) -> None:
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():  # immediate shutdown (SIGQUIT), then wait for it
            pid = int(pid_file.read_text().split()[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGQUIT)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.base}&port={self.port}"

    def create_database(self) -> str:
        import sqlalchemy as sa

        name = f"ledger_{os.getpid()}_{next(_counter)}"
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" STRATEGY = FILE_COPY')
        engine.dispose()
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(_bindir())
    server.start()
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
