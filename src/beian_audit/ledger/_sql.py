"""Small SQL helpers shared by the modules of the :class:`~beian_audit.ledger.Ledger`.

Rows are inserted in chunks inside the caller's transaction (so a failure
half way leaves nothing), and query results become frames column by column.
"""

from __future__ import annotations

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
    """Insert ``rows`` in chunks (inside the caller's transaction)."""
    for start in range(0, len(rows), _CHUNK):
        _insert_chunk(conn, table, rows[start : start + _CHUNK])


def _insert_chunk(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), rows)
