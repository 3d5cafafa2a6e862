"""release confirmation: a version that would hide much more waits for a confirmation

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-07 15:30:00.000000

release_job.preview: what the version would hide that its previous version published
(codes and cell counts only); release_job.more_hidden_confirmed: she saw it and confirmed;
failure "confirm": stopped before freezing, waiting for that confirmation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "failure IS NULL OR failure IN ('refused', 'conflict', 'error')"
_AFTER = "failure IS NULL OR failure IN ('refused', 'conflict', 'error', 'confirm')"


def upgrade() -> None:
    with op.batch_alter_table("release_job") as batch:
        batch.add_column(
            sa.Column(
                "more_hidden_confirmed", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.add_column(sa.Column("preview", sa.Text(), nullable=True))
        batch.drop_constraint(op.f("ck_release_job_failure_known"), type_="check")
        batch.create_check_constraint(op.f("ck_release_job_failure_known"), _AFTER)


def downgrade() -> None:
    op.execute("UPDATE release_job SET failure = 'refused' WHERE failure = 'confirm'")
    with op.batch_alter_table("release_job") as batch:
        batch.drop_constraint(op.f("ck_release_job_failure_known"), type_="check")
        batch.create_check_constraint(op.f("ck_release_job_failure_known"), _BEFORE)
        batch.drop_column("preview")
        batch.drop_column("more_hidden_confirmed")
