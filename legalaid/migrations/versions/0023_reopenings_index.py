"""reopenings index: which cases were ever reopened, for clients served (LA01)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 16:40:00.000000

LA01 reads the status history only for cases that were ever reopened; this index finds
them in one range (from_status = 'closed') instead of a scan of the whole history.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_case_status_change_reopenings", "case_status_change", ["from_status", "case_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_case_status_change_reopenings", table_name="case_status_change")
