"""key check values: a stored verifier per configured key

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-07 06:40:00.000000

One row per key (each encryption key id, the blind-index key, the audit key, the secret
key): an HMAC of a constant under that key, never the key. Start-up refuses a key whose
check value differs, naming the variable.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0006"
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


def downgrade() -> None:
    op.drop_table("key_check")
