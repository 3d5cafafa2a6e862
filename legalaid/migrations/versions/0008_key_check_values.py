"""key check values and form submission tokens

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 06:40:00.000000

One row per key (each encryption key id, the blind-index key, the audit key, the secret
key): an HMAC of a constant under that key, never the key. Start-up refuses a key whose
check value differs, naming the variable.

form_submission: the one-time token of each saved form post and where its record is, so
that a repeated post (double click, retry) saves once (legalaid/idempotency.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_check",
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("check_value", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_key_check")),
    )
    op.create_table(
        "form_submission",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_form_submission_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submission")),
    )
    op.create_index(
        op.f("ix_form_submission_created_at"), "form_submission", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_form_submission_created_at"), table_name="form_submission")
    op.drop_table("form_submission")
    op.drop_table("key_check")
