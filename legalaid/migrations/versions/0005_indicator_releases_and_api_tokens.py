"""indicator releases and API tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 23:03:54.273320
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_requests", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_api_token_expires_after_creation")
        ),
        sa.CheckConstraint(
            "window_requests >= 0", name=op.f("ck_api_token_window_requests_positive")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "indicator_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=24), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("period_code", sa.String(length=16), nullable=False),
        sa.Column("period_kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("truth", sa.Text(), nullable=False),
        sa.Column("cells_total", sa.Integer(), nullable=False),
        sa.Column("cells_suppressed", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(clinic_id IS NULL AND scope_key = 'national') OR (clinic_id IS NOT NULL AND scope_key <> 'national')",
            name=op.f("ck_indicator_release_scope_matches_clinic"),
        ),
        sa.CheckConstraint(
            "period_start <= period_end", name=op.f("ck_indicator_release_period_order")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_indicator_release_version_positive")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_indicator_release_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_indicator_release_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_release")),
        sa.UniqueConstraint(
            "scope_key", "period_code", "period_end", "version", name="uq_indicator_release_series"
        ),
    )
    with op.batch_alter_table("indicator_release", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_release_period", ["period_start", "period_end"], unique=False
        )
        batch_op.create_index(
            "ix_indicator_release_scope_created", ["scope_key", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_release", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_release_scope_created")
        batch_op.drop_index("ix_indicator_release_period")

    op.drop_table("indicator_release")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
