"""release job progress: steps done of the steps a release job takes

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 15:20:00.000000

release_job.steps_done / steps_total: the job counts its steps (each table counted, each
earlier table recounted, each audit of disclosure control, storing) so the progress page
shows a real percentage. Existing rows get 0 of 0 (their page shows no percentage).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("release_job") as batch:
        batch.add_column(
            sa.Column("steps_done", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("steps_total", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("release_job") as batch:
        batch.drop_column("steps_total")
        batch.drop_column("steps_done")
