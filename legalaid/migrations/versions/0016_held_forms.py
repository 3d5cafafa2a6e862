"""held forms: what a user posted after her session expired, until she signs in again

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-07 12:30:00.000000

held_form: the SHA-256 of a random id kept in the user's signed cookie, whose form it is,
where it was sent, the fields (encrypted) and when it expires (minutes after).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "held_form",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("had_files", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_held_form_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_held_form")),
    )
    op.create_index(op.f("ix_held_form_expires_at"), "held_form", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_held_form_expires_at"), table_name="held_form")
    op.drop_table("held_form")
