"""The monthly audit: periods, registry snapshots, plans, draws, sample, imports and outcomes.

Revision ID: 0001
Revises: None
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from beian_audit.ledger.migrations import _triggers

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("period_events", "imports", "outcomes")


def upgrade() -> None:
    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("province", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_periods_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
        sa.UniqueConstraint("month", "province", name="uq_periods_month_province"),
    )
    op.create_table(
        "period_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "event IN ('opened', 'drawn', 'closed', 'reopened')",
            name=op.f("ck_period_events_event"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_period_events_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_events")),
    )
    op.create_index(
        op.f("ix_period_events_period_id"), "period_events", ["period_id"], unique=False
    )
    op.create_table(
        "registry_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("key_column", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_registry_snapshots_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_snapshots")),
        sa.UniqueConstraint("period_id", name=op.f("uq_registry_snapshots_period_id")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("design", sa.JSON(), nullable=False),
        sa.Column("n_total", sa.Integer(), nullable=False),
        sa.Column("n_strata", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_plans_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("period_id", name=op.f("uq_plans_period_id")),
    )
    op.create_table(
        "plan_strata",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=255), nullable=False),
        sa.Column("population_size", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_strata_plan_id_plans")
        ),
        sa.PrimaryKeyConstraint("plan_id", "stratum", name=op.f("pk_plan_strata")),
    )
    op.create_table(
        "draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=20), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("sample_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("frame_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("n_units", sa.Integer(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("drawn_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_draws_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draws")),
        sa.UniqueConstraint("period_id", name=op.f("uq_draws_period_id")),
    )
    op.create_index(
        op.f("ix_draws_sample_fingerprint"), "draws", ["sample_fingerprint"], unique=False
    )
    op.create_table(
        "sample_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("unit_key", sa.String(length=255), nullable=False),
        sa.Column("stratum", sa.String(length=255), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("population_size", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("inclusion_probability", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("prn", sa.Float(), nullable=True),
        sa.Column("psu", sa.String(length=255), nullable=True),
        sa.Column("psu_stratum", sa.String(length=255), nullable=True),
        sa.Column("psu_population_size", sa.Integer(), nullable=True),
        sa.Column("psu_inclusion_probability", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["draws.id"], name=op.f("fk_sample_units_draw_id_draws")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_sample_units_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample_units")),
        sa.UniqueConstraint("period_id", "unit_key", name="uq_sample_units_period_key"),
    )
    op.create_index(
        "ix_sample_units_period_stratum", "sample_units", ["period_id", "stratum"], unique=False
    )
    op.create_table(
        "worksheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("split", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=255), nullable=True),
        sa.Column("n_units", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_worksheets_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worksheets")),
    )
    op.create_index(op.f("ix_worksheets_period_id"), "worksheets", ["period_id"], unique=False)
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("n_recorded", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_imports_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("period_id", "fingerprint", name="uq_imports_period_fingerprint"),
    )
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("aspect", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("verifier", sa.String(length=100), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("aspect IN ('sponsor', 'access')", name=op.f("ck_outcomes_aspect")),
        sa.CheckConstraint(
            "status IN ('correct', 'incorrect', 'unreachable', 'refused', 'pending')",
            name=op.f("ck_outcomes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_outcomes_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_outcomes_period_id_periods")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["outcomes.id"], name=op.f("fk_outcomes_supersedes_id_outcomes")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["sample_units.id"], name=op.f("fk_outcomes_unit_id_sample_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcomes")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_outcomes_supersedes_id")),
    )
    op.create_index(
        "ix_outcomes_period_unit", "outcomes", ["period_id", "unit_id", "aspect"], unique=False
    )
    op.create_index(
        "uq_outcomes_first",
        "outcomes",
        ["unit_id", "aspect"],
        unique=True,
        sqlite_where=sa.text("supersedes_id IS NULL"),
        postgresql_where=sa.text("supersedes_id IS NULL"),
    )
    _triggers.add(APPEND_ONLY)


def downgrade() -> None:
    _triggers.drop(APPEND_ONLY)
    op.drop_table("outcomes")
    op.drop_table("imports")
    op.drop_table("worksheets")
    op.drop_table("sample_units")
    op.drop_table("draws")
    op.drop_table("plan_strata")
    op.drop_table("plans")
    op.drop_table("registry_snapshots")
    op.drop_table("period_events")
    op.drop_table("periods")
