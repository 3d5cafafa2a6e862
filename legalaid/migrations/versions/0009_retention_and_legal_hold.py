"""retention: erased clients and legal holds on cases

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:55:00.000000

client.erased_on / erasure_rule: when a client's personal data was overwritten and under
which rule ("retention" or "request"); the coded record stays for the statistics.
legal_case.legal_hold / legal_hold_since: proceedings continue, erasure must wait.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("client") as batch:
        batch.add_column(sa.Column("erased_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("erasure_rule", sa.String(length=16), nullable=True))
    with op.batch_alter_table("legal_case") as batch:
        batch.add_column(
            sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.add_column(sa.Column("legal_hold_since", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("legal_case") as batch:
        batch.drop_column("legal_hold_since")
        batch.drop_column("legal_hold")
    with op.batch_alter_table("client") as batch:
        batch.drop_column("erasure_rule")
        batch.drop_column("erased_on")
