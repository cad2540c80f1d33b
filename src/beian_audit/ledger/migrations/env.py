"""Alembic environment of the ledger: runs on the connection the ledger hands over.

The ledger runs migrations programmatically (:func:`beian_audit.ledger.migrate.upgrade`)
with ``config.attributes["connection"]`` set; from the command line they run
with ``beian-audit ledger upgrade``.
"""

from __future__ import annotations

from alembic import context

from beian_audit.ledger.schema import metadata


def run() -> None:
    """Run the pending migrations on the ledger's connection."""
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - the ledger always passes its connection
        raise RuntimeError("run the ledger migrations through `beian-audit ledger upgrade`")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


try:
    context.config  # noqa: B018 - set only while Alembic runs this file
except (NameError, AttributeError):  # imported outside Alembic (doctest collection)
    pass
else:
    run()
