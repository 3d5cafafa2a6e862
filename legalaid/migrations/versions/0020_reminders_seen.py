"""when each user last looked at her reminders in the app (the bell's count of new ones)

Revision ID: 0020
Revises: 0023
Create Date: 2026-12-07 15:20:00.000000

reminder_seen: one row per user, apart from user_account so that opening the home page
never bumps the account's version (and never races an administrator's edit of it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_seen",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_reminder_seen_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_reminder_seen")),
    )


def downgrade() -> None:
    op.drop_table("reminder_seen")
