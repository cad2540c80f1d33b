"""Database triggers that make tables append-only (used by the migrations).

A row of an append-only table is never updated or deleted: a correction is a
new row. The triggers refuse ``UPDATE`` and ``DELETE`` on both back ends, so
that a hand-written SQL statement cannot rewrite the record either.
"""

from __future__ import annotations

from alembic import op

MESSAGE = "is append-only: record a new row that supersedes the old one"


def _function() -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger AS $$ BEGIN "
        f"RAISE EXCEPTION 'table % {MESSAGE}', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
    )


def add(tables: tuple[str, ...]) -> None:
    """Refuse UPDATE and DELETE on ``tables``."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _function()
    for table in tables:
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
            )
        elif dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'table {table} {MESSAGE}'); END"
                )


def drop(tables: tuple[str, ...]) -> None:
    """Remove the triggers of :func:`add`."""
    dialect = op.get_bind().dialect.name
    for table in tables:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif dialect == "sqlite":
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
