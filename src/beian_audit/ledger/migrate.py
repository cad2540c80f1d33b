"""Schema revisions of the ledger, run programmatically with Alembic.

The migration scripts ship inside the package
(``beian_audit/ledger/migrations/versions``), so that a ledger written by an
older version of beian_audit is upgraded by the version that opens it:
:meth:`Ledger.open <beian_audit.ledger.Ledger.open>` does it by default, and
``beian-audit ledger upgrade PATH`` does it explicitly.

Examples
--------
>>> head_revision()
'0003'
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from beian_audit.errors import LedgerVersionError

__all__ = ["current_revision", "head_revision", "revisions", "upgrade"]

SCRIPT_LOCATION = "beian_audit.ledger:migrations"
_LOCK = 0x6265_6961  # PostgreSQL advisory lock taken while migrating ("beia")


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    """The newest schema revision this version of beian_audit knows."""
    head = _script().get_current_head()
    assert head is not None
    return head


def revisions() -> list[str]:
    """Every known revision, oldest first."""
    return [r.revision for r in reversed(list(_script().walk_revisions()))]


def current_revision(connection: sa.Connection) -> str | None:
    """The ledger's revision (``None``: an empty database, not a ledger yet).

    Raises
    ------
    LedgerVersionError
        The database has tables but is not a ledger, or its revision is newer
        than this version of beian_audit knows.
    """
    names = set(sa.inspect(connection).get_table_names())
    if "alembic_version" not in names:
        if names:
            raise LedgerVersionError(
                f"the database is not a beian-audit ledger (it has tables "
                f"{sorted(names)[:5]} but no ledger revision); give another file or URL"
            )
        return None
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is not None and revision not in revisions():
        raise LedgerVersionError(
            f"the ledger has schema revision {revision!r}, newer than this version of "
            f"beian_audit knows ({head_revision()!r}): upgrade beian_audit to open it"
        )
    return revision


def upgrade(connection: sa.Connection, revision: str = "head") -> None:
    """Upgrade the ledger on ``connection`` to ``revision``, in its transaction.

    On PostgreSQL an advisory lock keeps two processes from migrating at once;
    on SQLite the write lock taken by ``BEGIN IMMEDIATE`` does.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    if revision == "head" and current_revision(connection) == head_revision():
        return  # upgraded meanwhile by another process
    command.upgrade(_config(connection), revision)
