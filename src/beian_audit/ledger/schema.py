"""The ledger's tables (SQLAlchemy 2 Core), the same on SQLite and PostgreSQL.

The migrations in :mod:`beian_audit.ledger.migrations` create exactly these
tables (a test compares them); change both together and add a migration.

Stable tables, one per record kind:

=========================  ==============================================================
table                      holds
=========================  ==============================================================
``periods``                one row per month × province: status ``open`` / ``closed``
``period_events``          opened, drawn, closed, reopened (with the reason) — append-only
``registry_snapshots``     the registry a month was drawn from: fingerprint, row count,
                           source (no personal data)
``plans``                  plan options, design and sizes; ``plan_strata``: N_h, n_h
``draws``                  seed, manifest and fingerprints of the drawn sample
``sample_units``           the drawn filings: key, stratum, provider, N_h, n_h,
                           inclusion probability, weight, PRN (and two-stage columns)
``worksheets``             the worksheets written (file, assignee)
``imports``                every worksheet imported: content fingerprint, file, who, when
``outcomes``               verification outcomes per filing and aspect — append-only;
                           a correction is a new row whose ``supersedes_id`` points at the
                           row it replaces
``cases`` / ``case_events`` correction ordered → corrected / access cut / filing cancelled
``blacklist_entries``      blacklisted sponsors, domains, mobiles, websites
``enforcement_events``     closures (local / ministry), interviews, notices, penalties
``review_log``             filing reviews and enquiries handled
``provider_integration``   providers' integration status over time
``registry_counts``        stock counts of the month per access provider: filings, material
                           uploaded or not, accessed sites and unfiled ones (no rows)
=========================  ==============================================================

Examples
--------
>>> sorted(metadata.tables)[:3]
['blacklist_entries', 'case_events', 'cases']
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "ASPECTS",
    "BLACKLIST_KINDS",
    "CASE_STATUSES",
    "ENFORCEMENT_KINDS",
    "INTEGRATION_STATUSES",
    "OUTCOME_STATUSES",
    "PERIOD_EVENTS",
    "REGISTRY_MEASURES",
    "REVIEW_KINDS",
    "metadata",
]

from beian_audit.ledger.constants import (
    ASPECTS,
    BLACKLIST_KINDS,
    CASE_STATUSES,
    ENFORCEMENT_KINDS,
    INTEGRATION_STATUSES,
    OUTCOME_STATUSES,
    PERIOD_EVENTS,
    REVIEW_KINDS,
)

# naming convention: stable constraint names on both back ends (Alembic needs them)
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_WHO = 100  # people and organisations
_KEY = 255  # filing keys, strata


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _when(name: str = "recorded_at", *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


periods = sa.Table(
    "periods", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("province", sa.String(6), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    _when("opened_at"),
    sa.Column("opened_by", sa.String(_WHO)),
    _when("closed_at", nullable=True),
    sa.Column("closed_by", sa.String(_WHO)),
    sa.UniqueConstraint("month", "province", name="uq_periods_month_province"),
    sa.CheckConstraint(_in("status", ("open", "closed")), name="status"),
)

period_events = sa.Table(
    "period_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False, index=True),
    sa.Column("event", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("actor", sa.String(_WHO)),
    _when("at"),
    sa.CheckConstraint(_in("event", PERIOD_EVENTS), name="event"),
)

registry_snapshots = sa.Table(
    "registry_snapshots", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False,
              unique=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("row_count", sa.Integer, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("key_column", sa.String(64), nullable=False),
    _when(),
)

plans = sa.Table(
    "plans", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False,
              unique=True),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("design", sa.JSON, nullable=False),
    sa.Column("n_total", sa.Integer, nullable=False),
    sa.Column("n_strata", sa.Integer, nullable=False),
    _when(),
)

plan_strata = sa.Table(
    "plan_strata", metadata,
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
    sa.Column("stratum", sa.String(_KEY), primary_key=True),
    sa.Column("population_size", sa.Integer, nullable=False),
    sa.Column("sample_size", sa.Integer, nullable=False),
)

draws = sa.Table(
    "draws", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False,
              unique=True),
    sa.Column("seed", sa.String(20), nullable=False),  # up to 2**64: text, not BIGINT
    sa.Column("manifest", sa.JSON, nullable=False),
    sa.Column("sample_fingerprint", sa.String(64), nullable=False, index=True),
    sa.Column("frame_fingerprint", sa.String(64), nullable=False),
    sa.Column("n_units", sa.Integer, nullable=False),
    _when("drawn_at"),
    sa.Column("drawn_by", sa.String(_WHO)),
)

sample_units = sa.Table(
    "sample_units", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False),
    sa.Column("draw_id", sa.Integer, sa.ForeignKey("draws.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("unit_key", sa.String(_KEY), nullable=False),
    sa.Column("stratum", sa.String(_KEY), nullable=False),
    sa.Column("provider_id", sa.String(64)),
    sa.Column("population_size", sa.Integer, nullable=False),
    sa.Column("sample_size", sa.Integer, nullable=False),
    sa.Column("inclusion_probability", sa.Float, nullable=False),
    sa.Column("weight", sa.Float, nullable=False),
    sa.Column("prn", sa.Float),
    sa.Column("psu", sa.String(_KEY)),
    sa.Column("psu_stratum", sa.String(_KEY)),
    sa.Column("psu_population_size", sa.Integer),
    sa.Column("psu_inclusion_probability", sa.Float),
    sa.UniqueConstraint("period_id", "unit_key", name="uq_sample_units_period_key"),
    sa.Index("ix_sample_units_period_stratum", "period_id", "stratum"),
)

worksheets = sa.Table(
    "worksheets", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False,
              index=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("split", sa.String(16), nullable=False),
    sa.Column("assignee", sa.String(_KEY)),
    sa.Column("n_units", sa.Integer, nullable=False),
    _when("written_at"),
)

imports = sa.Table(
    "imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("imported_by", sa.String(_WHO)),
    _when("imported_at"),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("n_recorded", sa.Integer, nullable=False),
    sa.UniqueConstraint("period_id", "fingerprint", name="uq_imports_period_fingerprint"),
)

outcomes = sa.Table(
    "outcomes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False),
    sa.Column("unit_id", sa.Integer, sa.ForeignKey("sample_units.id"), nullable=False),
    sa.Column("aspect", sa.String(8), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("reason", sa.String(_KEY)),
    sa.Column("verifier", sa.String(_WHO)),
    sa.Column("checked_on", sa.Date),
    _when(),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id")),
    sa.Column("source_file", sa.Text),
    sa.Column("source_row", sa.Integer),
    # a correction points at the row it supersedes; each row is superseded at most once
    sa.Column("supersedes_id", sa.Integer, sa.ForeignKey("outcomes.id"), unique=True),
    sa.Column("note", sa.Text),
    sa.CheckConstraint(_in("aspect", ASPECTS), name="aspect"),
    sa.CheckConstraint(_in("status", OUTCOME_STATUSES), name="status"),
    sa.Index("ix_outcomes_period_unit", "period_id", "unit_id", "aspect"),
    # one first outcome per filing and aspect (the root of its history)
    sa.Index(
        "uq_outcomes_first", "unit_id", "aspect", unique=True,
        sqlite_where=sa.text("supersedes_id IS NULL"),
        postgresql_where=sa.text("supersedes_id IS NULL"),
    ),
)

cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), index=True),
    sa.Column("unit_key", sa.String(_KEY), nullable=False),
    sa.Column("provider_id", sa.String(64)),
    sa.Column("aspect", sa.String(8)),
    sa.Column("outcome_id", sa.Integer, sa.ForeignKey("outcomes.id")),
    sa.Column("reason", sa.String(_KEY)),
    _when("opened_at"),
    sa.Column("opened_by", sa.String(_WHO)),
)

case_events = sa.Table(
    "case_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("deadline", sa.Date),
    sa.Column("note", sa.Text),
    sa.Column("actor", sa.String(_WHO)),
    _when("at"),
    sa.CheckConstraint(_in("status", CASE_STATUSES), name="status"),
)

blacklist_entries = sa.Table(
    "blacklist_entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.Text, nullable=False),  # meant to hold it: masked in every view
    sa.Column("reason", sa.Text),
    sa.Column("listed_on", sa.Date, nullable=False),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id")),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id")),
    sa.Column("recorded_by", sa.String(_WHO)),
    _when(),
    sa.CheckConstraint(_in("kind", BLACKLIST_KINDS), name="kind"),
)

enforcement_events = sa.Table(
    "enforcement_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("happened_on", sa.Date, nullable=False),
    sa.Column("province", sa.String(6)),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id")),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id")),
    sa.Column("provider_id", sa.String(64)),
    sa.Column("unit_key", sa.String(_KEY)),
    sa.Column("authority", sa.String(_WHO)),
    sa.Column("note", sa.Text),
    sa.Column("recorded_by", sa.String(_WHO)),
    _when(),
    sa.CheckConstraint(_in("kind", ENFORCEMENT_KINDS), name="kind"),
)

review_log = sa.Table(
    "review_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("province", sa.String(6)),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_key", sa.String(_KEY)),
    sa.Column("provider_id", sa.String(64)),
    sa.Column("outcome", sa.String(_KEY)),
    sa.Column("note", sa.Text),
    sa.Column("recorded_by", sa.String(_WHO)),
    _when(),
    sa.CheckConstraint(_in("kind", REVIEW_KINDS), name="kind"),
    sa.CheckConstraint("quantity >= 1", name="quantity"),
)

provider_integration = sa.Table(
    "provider_integration", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("provider_id", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("province", sa.String(6)),
    sa.Column("note", sa.Text),
    sa.Column("recorded_by", sa.String(_WHO)),
    _when(),
    sa.CheckConstraint(_in("status", INTEGRATION_STATUSES), name="status"),
)

#: Stock counts of a month per access provider (rows 1, 2, 8 and 9 of the statistics table).
REGISTRY_MEASURES: tuple[str, ...] = (
    "filings", "material_uploaded", "material_missing", "accessed_sites", "unfiled_sites",
)

registry_counts = sa.Table(
    "registry_counts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period_id", sa.Integer, sa.ForeignKey("periods.id"), nullable=False),
    sa.Column("provider_id", sa.String(64), nullable=False),
    sa.Column("measure", sa.String(24), nullable=False),
    sa.Column("value", sa.Integer, nullable=False),
    sa.Column("source", sa.Text),
    _when(),
    sa.UniqueConstraint("period_id", "provider_id", "measure",
                        name="uq_registry_counts_period_provider_measure"),
    sa.CheckConstraint(_in("measure", REGISTRY_MEASURES), name="measure"),
    sa.CheckConstraint("value >= 0", name="value"),
)

#: Tables whose rows are never updated or deleted (database triggers refuse it).
APPEND_ONLY: tuple[str, ...] = (
    "period_events", "imports", "outcomes", "case_events", "enforcement_events",
    "review_log", "provider_integration", "registry_counts",
)
