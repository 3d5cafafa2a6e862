"""hearing venue: the court or venue of a hearing, a code of policies/venues.toml

Revision ID: 0024
Revises: 0015
Create Date: 2026-12-07 18:40:00.000000

The calendar feed carries a place only as this code's name, never the hearing's free-text
place. Nullable (earlier hearings have none) and without a CHECK: the clinic network
extends the list in policy, and the service admits only listed codes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hearing") as batch:
        batch.add_column(sa.Column("venue", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hearing") as batch:
        batch.drop_column("venue")
