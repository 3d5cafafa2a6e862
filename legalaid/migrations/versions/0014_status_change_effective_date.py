"""case status changes carry the date they take effect

Revision ID: 0014
Revises: 0009
Create Date: 2026-12-07 12:40:00.000000

case_status_change.effective_on: the date a move of the lifecycle takes effect (the
closing date the lawyer entered, which may be earlier than the day she entered it). LA03
counts closures from it, so a case reopened later no longer changes an old quarter.
Existing rows take the Baku date of changed_at; the last closure of a case that is closed
now takes the case's closing date.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_status_change") as batch:
        batch.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE case_status_change "
            "SET effective_on = (changed_at AT TIME ZONE 'Asia/Baku')::date"
        )
    else:
        # SQLite keeps ISO text with its UTC offset; Baku is UTC+4 all year (no DST).
        op.execute("UPDATE case_status_change SET effective_on = date(changed_at, '+4 hours')")
    op.execute(
        "UPDATE case_status_change SET effective_on = ("
        " SELECT legal_case.closed_on FROM legal_case"
        " WHERE legal_case.id = case_status_change.case_id)"
        " WHERE to_status = 'closed'"
        " AND id = (SELECT max(later.id) FROM case_status_change later"
        "  WHERE later.case_id = case_status_change.case_id AND later.to_status = 'closed')"
        " AND EXISTS (SELECT 1 FROM legal_case WHERE legal_case.id = case_status_change.case_id"
        "  AND legal_case.status = 'closed' AND legal_case.closed_on IS NOT NULL)"
    )
    with op.batch_alter_table("case_status_change") as batch:
        batch.alter_column("effective_on", existing_type=sa.Date(), nullable=False)
        batch.create_index(
            "ix_case_status_change_closures", ["to_status", "effective_on", "case_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("case_status_change") as batch:
        batch.drop_index("ix_case_status_change_closures")
        batch.drop_column("effective_on")
