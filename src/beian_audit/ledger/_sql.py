"""Small SQL helpers shared by the modules of the :class:`~beian_audit.ledger.Ledger`.

Rows are inserted in chunks inside the caller's transaction (so a failure
half way leaves nothing), and query results become frames column by column.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

__all__: list[str] = []

#: Rows per INSERT statement.
_CHUNK = 1000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)



def _result_frame(result: Any) -> pd.DataFrame:
    """A query result as a frame, built column by column (much faster than from rows)."""
    keys = list(result.keys())
    rows = result.fetchall()
    if not rows:
        return pd.DataFrame(columns=keys)
    columns = zip(*rows, strict=True)
    return pd.DataFrame({k: list(c) for k, c in zip(keys, columns, strict=True)},
                        columns=keys)


def _insert_chunks(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` in chunks (inside the caller's transaction).

    On PostgreSQL a chunk is one ``COPY … FROM STDIN`` (psycopg's
    ``executemany`` sends one INSERT per row).
    """
    for start in range(0, len(rows), _CHUNK):
        _insert_chunk(conn, table, rows[start : start + _CHUNK])


def _insert_chunk(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name == "postgresql" and len(rows) > 1 and _copy(conn, table, rows):
        return
    if rows:
        conn.execute(table.insert(), rows)


def _copy(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> bool:
    """``COPY`` the rows into ``table`` on the connection's psycopg connection.

    ``False`` (nothing done) when the rows do not all have the same keys, or a
    column they leave out has a default that SQLAlchemy computes (COPY only
    applies the database's defaults). Errors are raised as SQLAlchemy's, like
    those of ``conn.execute``.
    """
    import psycopg
    from psycopg import sql

    keys = rows[0].keys()
    if any(r.keys() != keys for r in rows):
        return False
    columns = [table.c[k] for k in keys]
    given = {c.name for c in columns}
    if any(c.default is not None or c.onupdate is not None
           for c in table.columns if c.name not in given):
        return False
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*(() if table.schema is None else (table.schema,)), table.name),
        sql.SQL(", ").join(sql.Identifier(c.name) for c in columns))
    raw: Any = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for r in rows:
                copy.write_row([r[k] for k in keys])
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(
            f"COPY {table.name}", None, exc, psycopg.Error) from exc
    return True


class LedgerParts:
    """What the :class:`~beian_audit.ledger.Ledger`'s mixins use of it, declared once.

    Each mixin (views, imports, records, reports) inherits these declarations;
    :class:`~beian_audit.ledger.Ledger` defines them (its own methods come first
    in the method resolution order).
    """

    url: str
    _engine: sa.Engine
    _registries: dict[int, pd.DataFrame]

    def _read(self) -> contextlib.AbstractContextManager[sa.Connection]:  # pragma: no cover
        raise NotImplementedError

    def _write(self) -> contextlib.AbstractContextManager[sa.Connection]:  # pragma: no cover
        raise NotImplementedError

    def _frame(self, query: Any) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError

    def _period_row(self, conn: sa.Connection, month: str, province: str, *,
                    lock: bool = False) -> Any:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def _require_open(row: Any, what: str) -> None:  # pragma: no cover
        raise NotImplementedError
