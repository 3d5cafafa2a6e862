"""release jobs: releases counted in the background, with a progress page

Revision ID: 0013
Revises: 0016
Create Date: 2026-12-07 12:30:00.000000

release_job: one row per release asked for; the job counts on a snapshot and stores the
release (release_id), or records why it failed. The reason typed for a new version is
encrypted like indicator_release.reason.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "release_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=24), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=True),
        sa.Column("period_code", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("failure", sa.String(length=16), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'running', 'done', 'failed')",
            name=op.f("ck_release_job_status_known"),
        ),
        sa.CheckConstraint(
            "failure IS NULL OR failure IN ('refused', 'conflict', 'error')",
            name=op.f("ck_release_job_failure_known"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_release_job_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_release_job_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["indicator_release.id"],
            name=op.f("fk_release_job_release_id_indicator_release"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_job")),
    )
    with op.batch_alter_table("release_job") as batch:
        batch.create_index("ix_release_job_scope_key", ["scope_key", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("release_job") as batch:
        batch.drop_index("ix_release_job_scope_key")
    op.drop_table("release_job")
