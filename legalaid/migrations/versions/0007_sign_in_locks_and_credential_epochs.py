"""sign-in locks per account and address; credential epochs that end API tokens

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 06:30:00.000000

A lock's end is written once, when it starts (failures while locked never move it).
The credentials epoch of an account goes up when its password, role, clinic or active
state changes; a token minted under an older epoch no longer works. What is typed into a
search box is held (encrypted) on the session row instead of in URLs and access logs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_sign_in_lock_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_lock")),
    )
    with op.batch_alter_table("sign_in_lock", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sign_in_lock_user_address_end", ["user_id", "client_address", "ends_at"]
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credentials_epoch", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credentials_epoch", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_terms", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_column("search_terms")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("credentials_epoch")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("credentials_epoch")
    with op.batch_alter_table("sign_in_lock", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_lock_user_address_end")
    op.drop_table("sign_in_lock")
