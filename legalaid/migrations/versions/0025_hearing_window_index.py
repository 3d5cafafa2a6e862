"""hearing window index: hearings by date, done or not, for the upcoming agenda

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 23:10:00.000000

The upcoming agenda lists what falls in the window whether it is done or not, so neither
``ix_hearing_done_due_on`` (done first) nor ``ix_hearing_case_open`` (per case) gives its
date range: PostgreSQL read the whole hearing table for a manager at 10k cases. This index
serves the range, in the agenda's order (due_on, id).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_hearing_due_on", "hearing", ["due_on", "id"])


def downgrade() -> None:
    op.drop_index("ix_hearing_due_on", table_name="hearing")
