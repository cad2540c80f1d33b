"""Connecting to a ledger: a SQLite file (the default) or a PostgreSQL server.

* ``None`` → ``beian-audit.db`` in the current directory;
* a path (``audit/2013.db``) → a SQLite file, created with owner-only
  permissions (``0600``: it holds the team's verification record) and used in
  WAL mode with a busy timeout, so that several processes can import at once;
* a URL: ``sqlite:///path.db``, or ``postgresql://user@host/db`` (the psycopg 3
  driver is used: ``postgresql+psycopg://``) for a team that shares one ledger.

Passwords never appear in a repr or a message (:func:`display_url`).

Examples
--------
>>> display_url(ledger_url("postgresql://auditor:secret@db.example/audit")[0])
'postgresql+psycopg://auditor:***@db.example/audit'
>>> ledger_url("audit.db")[1].name
'audit.db'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from beian_audit.errors import ArgumentError, ArgumentTypeError, LedgerNotFoundError

__all__ = ["DEFAULT_LEDGER", "create_ledger_engine", "display_url", "ledger_url"]

#: File name of the default ledger (in the current directory).
DEFAULT_LEDGER = "beian-audit.db"
#: How long a writer waits for another one (seconds) before giving up.
BUSY_TIMEOUT = 60.0


def ledger_url(path_or_url: str | os.PathLike[str] | None) -> tuple[sa.URL, Path | None]:
    """The SQLAlchemy URL of a ledger and, for a SQLite file, its path.

    Raises
    ------
    ArgumentError
        An unsupported database (only SQLite and PostgreSQL are supported) or
        an in-memory SQLite database (a ledger is a lasting record).
    """
    if path_or_url is None:
        path_or_url = Path.cwd() / DEFAULT_LEDGER
    if isinstance(path_or_url, os.PathLike):
        path_or_url = os.fspath(path_or_url)
    if not isinstance(path_or_url, str):
        raise ArgumentTypeError(
            f"the ledger must be a path or a URL, not {type(path_or_url).__name__}"
        )
    if "://" not in path_or_url:
        path = Path(path_or_url).expanduser().resolve()
        return sa.URL.create("sqlite", database=str(path)), path
    try:
        url = sa.make_url(path_or_url)
    except sa.exc.ArgumentError as exc:
        raise ArgumentError(f"the ledger URL cannot be read: {exc}") from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg"), None
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ArgumentError("a ledger is a lasting record: give a SQLite file, not memory")
        path = Path(url.database).expanduser().resolve()
        return url.set(drivername="sqlite", database=str(path)), path
    raise ArgumentError(
        f"the ledger database must be SQLite (a path) or PostgreSQL "
        f"(postgresql://…), not {backend!r}"
    )


def display_url(url: sa.URL) -> str:
    """The URL with its password hidden."""
    return url.render_as_string(hide_password=True)


def _create_private_file(path: Path) -> None:
    """Create an empty SQLite file readable and writable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:  # created meanwhile by another process
        return
    os.close(fd)
    os.chmod(path, 0o600)  # whatever the umask


def create_ledger_engine(
    url: sa.URL, path: Path | None, *, create: bool = True, busy_timeout: float = BUSY_TIMEOUT
) -> sa.Engine:
    """An engine for the ledger at ``url`` (SQLite: WAL, busy timeout, foreign keys).

    On SQLite a connection whose execution options hold ``ledger_write=True``
    begins its transactions with ``BEGIN IMMEDIATE`` (it takes the write lock
    at once, so two writers queue instead of failing half way).

    Raises
    ------
    LedgerNotFoundError
        ``create=False`` and the SQLite file does not exist.
    """
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(url, pool_pre_ping=True)
    assert path is not None
    if not path.exists():
        if not create:
            raise LedgerNotFoundError(
                f"no ledger at {str(path)!r}; `beian-audit month open` creates one "
                "(or give --ledger PATH_OR_URL)"
            )
        if path.is_dir():  # pragma: no cover - exists() was False
            raise ArgumentError(f"the ledger {str(path)!r} is a directory")
        _create_private_file(path)
    elif path.is_dir():
        raise ArgumentError(f"the ledger ({str(path)!r}) is a directory, not a file")
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout})
    milliseconds = int(busy_timeout * 1000)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {milliseconds}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        write = connection.get_execution_options().get("ledger_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
