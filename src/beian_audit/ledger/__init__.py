"""The audit ledger: the monthly audit as a lasting, shared record on a real database.

SQLAlchemy 2 Core tables (:mod:`~beian_audit.ledger.schema`), Alembic
migrations shipped inside the package (:mod:`~beian_audit.ledger.migrate`), a
SQLite file by default and PostgreSQL (psycopg 3) for a team
(:mod:`~beian_audit.ledger.engine`), and the workflow API
(:class:`Ledger`): ``open_month`` → ``draw`` → ``import_outcomes`` →
``status`` → ``close_month``. See docs/ledger.md.

Needs the ``ledger`` extra: ``pip install 'beian-audit[ledger]'`` (the names
below are imported on first use, and say so when it is missing).

Examples
--------
>>> from beian_audit.ledger import Ledger, OUTCOME_STATUSES
>>> "refused" in OUTCOME_STATUSES
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from beian_audit.ledger.constants import (
    ASPECTS,
    BLACKLIST_KINDS,
    CASE_STATUSES,
    ENFORCEMENT_KINDS,
    INTEGRATION_STATUSES,
    OUTCOME_STATUSES,
    REVIEW_KINDS,
)

_EXPORTS: dict[str, str] = {
    "UNREACHABLE_CODES": "beian_audit.ledger.imports",
    "Ledger": "beian_audit.ledger.api",
    "LedgerMonth": "beian_audit.ledger.api",
    "DEFAULT_LEDGER": "beian_audit.ledger.engine",
    "CASE_TRANSITIONS": "beian_audit.ledger.records",
    "DrawResult": "beian_audit.ledger.results",
    "ImportResult": "beian_audit.ledger.results",
    "MonthStatus": "beian_audit.ledger.results",
    "MonthReport": "beian_audit.ledger.monthly_report",
    "MonthReportData": "beian_audit.ledger.monthly_report",
    "Period": "beian_audit.ledger.results",
    "monthly_panel_from_ledger": "beian_audit.ledger.report",
    "statistics_table_from_ledger": "beian_audit.ledger.report",
}

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
    "MonthReport",
    "MonthReportData",
    "MonthStatus",
    "Period",
    "monthly_panel_from_ledger",
    "statistics_table_from_ledger",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'beian_audit.ledger' has no attribute {name!r}")
    from beian_audit.errors import require

    require("sqlalchemy", "ledger")
    require("alembic", "ledger")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover
    from beian_audit.ledger.api import Ledger, LedgerMonth
    from beian_audit.ledger.engine import DEFAULT_LEDGER
    from beian_audit.ledger.imports import UNREACHABLE_CODES
    from beian_audit.ledger.monthly_report import MonthReport, MonthReportData
    from beian_audit.ledger.records import CASE_TRANSITIONS
    from beian_audit.ledger.report import monthly_panel_from_ledger, statistics_table_from_ledger
    from beian_audit.ledger.results import DrawResult, ImportResult, MonthStatus, Period
