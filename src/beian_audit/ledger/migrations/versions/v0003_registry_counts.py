"""Stock counts of a month per access provider (rows 1, 2, 8 and 9 of the statistics table).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from beian_audit.ledger.migrations import _triggers

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = ("registry_counts",)


def upgrade() -> None:
    op.create_table(
        "registry_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "measure IN ('filings', 'material_uploaded', 'material_missing', "
            "'accessed_sites', 'unfiled_sites')",
            name=op.f("ck_registry_counts_measure"),
        ),
        sa.CheckConstraint("value >= 0", name=op.f("ck_registry_counts_value")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["periods.id"], name=op.f("fk_registry_counts_period_id_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_counts")),
        sa.UniqueConstraint(
            "period_id", "provider_id", "measure",
            name="uq_registry_counts_period_provider_measure",
        ),
    )
    _triggers.add(APPEND_ONLY)


def downgrade() -> None:
    _triggers.drop(APPEND_ONLY)
    op.drop_table("registry_counts")
