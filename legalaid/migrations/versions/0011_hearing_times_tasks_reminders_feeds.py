"""hearing times, case tasks, e-mail reminders and private calendar feeds

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-07 12:30:00.000000

hearing.starts_at / duration_minutes: the clinic time (Asia/Baku) and length of a hearing;
hearing.rule_code / rule_source: the deadline rule (policies/deadlines.toml) a date came from.
case_task: to-dos on a case with an encrypted description and an assignee.
user_account.reminders_enabled: e-mail reminders are opt-in.
reminder_delivery: one row per reminder and user, unique, so a reminder goes out once.
calendar_feed: the SHA-256 of each user's calendar feed secret.

Written after 0009; chained after 0013, the head of main when it was merged (one head).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hearing") as batch:
        batch.add_column(sa.Column("starts_at", sa.Time(), nullable=True))
        batch.add_column(sa.Column("duration_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rule_code", sa.String(length=48), nullable=True))
        batch.add_column(sa.Column("rule_source", sa.String(length=32), nullable=True))
        batch.create_check_constraint(
            "duration",
            "duration_minutes IS NULL OR (duration_minutes > 0 AND duration_minutes <= 1440"
            " AND starts_at IS NOT NULL)",
        )
        batch.create_unique_constraint(
            "uq_hearing_case_id_rule_code_rule_source", ["case_id", "rule_code", "rule_source"]
        )
    # In place (SQLite's ALTER TABLE ADD COLUMN): a copied user_account would break the
    # foreign keys of every table that points at it.
    with op.batch_alter_table("user_account", recreate="never") as batch:
        batch.add_column(
            sa.Column(
                "reminders_enabled", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "case_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_case_task_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_case_task_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_task_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_task")),
    )
    with op.batch_alter_table("case_task") as batch:
        batch.create_index("ix_case_task_case_id", ["case_id"], unique=False)
        batch.create_index(
            "ix_case_task_assignee_open", ["assignee_id", "done", "due_on"], unique=False
        )
    op.create_table(
        "reminder_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reminder_key", sa.String(length=80), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_reminder_delivery_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_delivery")),
        sa.UniqueConstraint(
            "user_id", "reminder_key", name=op.f("uq_reminder_delivery_user_id_reminder_key")
        ),
    )
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_calendar_feed_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feed_user_id")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feed")
    op.drop_table("reminder_delivery")
    with op.batch_alter_table("case_task") as batch:
        batch.drop_index("ix_case_task_assignee_open")
        batch.drop_index("ix_case_task_case_id")
    op.drop_table("case_task")
    # Not a copy of user_account (batch's default on SQLite): dropping the old table would
    # break every foreign key that points at it. SQLite 3.35+ drops the column in place.
    with op.batch_alter_table("user_account", recreate="never") as batch:
        batch.drop_column("reminders_enabled")
    with op.batch_alter_table("hearing") as batch:
        batch.drop_constraint("uq_hearing_case_id_rule_code_rule_source", type_="unique")
        batch.drop_constraint("duration", type_="check")
        batch.drop_column("rule_source")
        batch.drop_column("rule_code")
        batch.drop_column("duration_minutes")
        batch.drop_column("starts_at")
