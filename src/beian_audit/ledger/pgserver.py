"""A throw-away PostgreSQL 15 server: for the ledger's tests, its benchmark, a trial.

:class:`PostgresServer` runs ``initdb`` and ``pg_ctl`` from the system's
binaries (``/usr/lib/postgresql/15/bin``, ``/usr/local/pgsql/bin`` or
``BEIAN_AUDIT_PG_BINDIR``) in a new temporary directory, listening on a Unix
socket only (no TCP port is opened to anyone), with durability switched off
(``fsync=off``: the data is thrown away). Running as root, the server runs
as the ``postgres`` user. :meth:`~PostgresServer.create_database` gives a
fresh, empty database for each ledger; :meth:`~PostgresServer.stop` shuts
the server down and removes the directory.

The test fixture (``tests/ledger/conftest.py``) and
``benchmarks/bench_ledger.py`` both start their server here. When the
binaries are missing or the server does not start,
:class:`~beian_audit.errors.LedgerServerError` says why (a test then fails,
it never skips); ``scripts/install_system_deps.sh`` installs them.

Examples
--------
>>> PG_BINDIRS[0]
'/usr/lib/postgresql/15/bin'

Start one, give each ledger a fresh database, stop it::

    with throwaway_postgres() as server:
        with Ledger.open(server.create_database()) as ledger:
            ...
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from beian_audit.errors import LedgerServerError

__all__ = ["PG_BINDIRS", "PostgresServer", "find_pg_bindir", "throwaway_postgres"]

#: Where the PostgreSQL 15 binaries are looked for (after ``BEIAN_AUDIT_PG_BINDIR``).
PG_BINDIRS: tuple[str, ...] = ("/usr/lib/postgresql/15/bin", "/usr/local/pgsql/bin")
_counter = itertools.count()


def find_pg_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``.

    Raises
    ------
    LedgerServerError
        Neither ``BEIAN_AUDIT_PG_BINDIR`` nor :data:`PG_BINDIRS` holds them.
    """
    candidates = [os.environ.get("BEIAN_AUDIT_PG_BINDIR"), *PG_BINDIRS]
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file() and (
            Path(candidate) / "pg_ctl"
        ).is_file():
            return Path(candidate)
    raise LedgerServerError(
        "a PostgreSQL 15 server is needed, but initdb/pg_ctl were not found in "
        f"{[c for c in candidates if c]}; install them with `scripts/install_system_deps.sh` "
        "(Debian package postgresql-15) or set BEIAN_AUDIT_PG_BINDIR"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A throw-away PostgreSQL cluster on a Unix socket in a temporary directory.

    Parameters
    ----------
    bindir : path, optional
        The binaries (default :func:`find_pg_bindir`).
    max_connections : int, default 60
    """

    def __init__(self, bindir: str | os.PathLike[str] | None = None, *,
                 max_connections: int = 60) -> None:
        import pwd

        self.bindir = find_pg_bindir() if bindir is None else Path(bindir)
        self.base = Path(tempfile.mkdtemp(prefix="beian-pg-"))  # short: socket path limit
        self.data = self.base / "data"
        self.port = _free_port()
        self.max_connections = int(max_connections)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)

    def __repr__(self) -> str:
        return f"PostgresServer(socket in {str(self.base)!r}, port {self.port})"

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
            raise LedgerServerError(f"PostgreSQL {what} failed: {result.stderr.strip()}\n{tail}")

    def start(self) -> PostgresServer:
        """Create the cluster and start the server (waits until it accepts connections)."""
        self._check(self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), "initdb")
        options = (f"-p {self.port} -k {self.base} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off "
                   f"-c max_connections={self.max_connections}")
        self._check(self._run("pg_ctl", "-D", str(self.data), "-l", str(self.base / "server.log"),
                              "-o", options, "-w", "-t", "60", "start"), "start")
        return self

    def stop(self) -> None:
        """Shut the server down at once (SIGQUIT), wait for it and remove its directory."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
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
        """The SQLAlchemy URL of a database of this server (psycopg 3, Unix socket)."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.base}&port={self.port}"

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        import sqlalchemy as sa

        name = f"ledger_{os.getpid()}_{next(_counter)}"
        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}" STRATEGY = FILE_COPY')
        finally:
            engine.dispose()
        return self.url(name)


@contextlib.contextmanager
def throwaway_postgres(bindir: str | os.PathLike[str] | None = None, *,
                       max_connections: int = 60) -> Iterator[PostgresServer]:
    """Start a :class:`PostgresServer`, yield it, stop it (whatever happens)."""
    server = PostgresServer(bindir, max_connections=max_connections)
    try:
        yield server.start()
    finally:
        server.stop()
