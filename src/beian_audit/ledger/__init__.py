"""The audit ledger: the monthly audit as a lasting, shared record on a real database.

SQLAlchemy 2 Core tables (:mod:`~beian_audit.ledger.schema`), Alembic
migrations shipped inside the package (:mod:`~beian_audit.ledger.migrate`), a
SQLite file by default and PostgreSQL (psycopg 3) for a team
(:mod:`~beian_audit.ledger.engine`), and the workflow API
(:class:`Ledger`): ``open_month`` → ``draw`` → ``import_outcomes`` →
``status`` → ``close_month``. See docs/ledger.md.

Needs the ``ledger`` extra: ``pip install 'beian-audit[ledger]'``.
"""

from __future__ import annotations

from beian_audit.errors import require

require("sqlalchemy", "ledger")
require("alembic", "ledger")

from beian_audit.ledger.api import UNREACHABLE_CODES, Ledger, LedgerMonth  # noqa: E402
from beian_audit.ledger.engine import DEFAULT_LEDGER  # noqa: E402
from beian_audit.ledger.records import CASE_TRANSITIONS  # noqa: E402
from beian_audit.ledger.results import (  # noqa: E402
    DrawResult,
    ImportResult,
    MonthStatus,
    Period,
)
from beian_audit.ledger.schema import (  # noqa: E402
    ASPECTS,
    BLACKLIST_KINDS,
    CASE_STATUSES,
    ENFORCEMENT_KINDS,
    INTEGRATION_STATUSES,
    OUTCOME_STATUSES,
    REVIEW_KINDS,
)

__all__ = [
    "ASPECTS",
    "BLACKLIST_KINDS",
    "CASE_STATUSES",
    "CASE_TRANSITIONS",
    "DEFAULT_LEDGER",
    "ENFORCEMENT_KINDS",
    "INTEGRATION_STATUSES",
    "OUTCOME_STATUSES",
    "REVIEW_KINDS",
    "UNREACHABLE_CODES",
    "DrawResult",
    "ImportResult",
    "Ledger",
    "LedgerMonth",
    "MonthStatus",
    "Period",
]
