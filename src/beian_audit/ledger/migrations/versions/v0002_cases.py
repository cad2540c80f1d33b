"""What follows the audit: cases, blacklist, enforcement events, review log, integration status.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from beian_audit.ledger.migrations import _triggers

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("case_events", "enforcement_events", "review_log", "provider_integration")


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("unit_key", sa.String(length=255), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("aspect", sa.String(length=8), nullable=True),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["outcome_id"], ["outcomes.id"], name=op.f("fk_cases_outcome_id_outcomes")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_cases_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(op.f("ix_cases_period_id"), "cases", ["period_id"], unique=False)
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('correction_ordered', 'corrected', 'access_cut', 'filing_cancelled')",
            name=op.f("ck_case_events_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table(
        "blacklist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sponsor', 'domain', 'mobile', 'website')",
            name=op.f("ck_blacklist_entries_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_blacklist_entries_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_blacklist_entries_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_entries")),
    )
    op.create_table(
        "enforcement_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=True),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("unit_key", sa.String(length=255), nullable=True),
        sa.Column("authority", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('closure_local', 'closure_ministry', 'interview', 'notice', 'penalty')",
            name=op.f("ck_enforcement_events_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_enforcement_events_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_enforcement_events_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_events")),
    )
    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_key", sa.String(length=255), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('review', 'enquiry')", name=op.f("ck_review_log_kind")),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_review_log_quantity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_log")),
    )
    op.create_table(
        "provider_integration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('integrated', 'not_integrated')",
            name=op.f("ck_provider_integration_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_integration")),
    )
    op.create_index(
        op.f("ix_provider_integration_provider_id"),
        "provider_integration",
        ["provider_id"],
        unique=False,
    )
    _triggers.add(APPEND_ONLY)


def downgrade() -> None:
    _triggers.drop(APPEND_ONLY)
    op.drop_table("provider_integration")
    op.drop_table("review_log")
    op.drop_table("enforcement_events")
    op.drop_table("blacklist_entries")
    op.drop_table("case_events")
    op.drop_table("cases")
