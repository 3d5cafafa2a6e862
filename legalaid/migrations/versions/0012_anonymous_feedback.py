"""anonymous client feedback; a client's name to use and language needs

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 12:30:00.000000

feedback_code: the keyed hash of a code handed to a client, its clinic, the category of
service and its expiry; deleted when used. feedback_response: the answers, with clinic,
quarter and category only (no case, no client, no time stamp, no address).
client.name_to_use (encrypted), language, interpreter, access_needs (encrypted).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CATEGORY = "category IS NULL OR category IN ('gbv', 'discrimination', 'other')"
_YPN = "IN ('yes', 'partly', 'no')"


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite >= 3.35 adds and drops columns in place): recreating the
    # client table would trip the foreign keys that point at it once there are rows.
    op.add_column("client", sa.Column("name_to_use", sa.Text(), nullable=True))
    op.add_column("client", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column("client", sa.Column("interpreter", sa.String(length=8), nullable=True))
    op.add_column("client", sa.Column("access_needs", sa.Text(), nullable=True))
    op.create_table(
        "feedback_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("code_key", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.CheckConstraint(_CATEGORY, name=op.f("ck_feedback_code_category")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_feedback_code_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_code")),
        sa.UniqueConstraint("code_key", name=op.f("uq_feedback_code_code_key")),
    )
    op.create_index(op.f("ix_feedback_code_clinic_id"), "feedback_code", ["clinic_id"])
    op.create_index(op.f("ix_feedback_code_expires_on"), "feedback_code", ["expires_on"])
    op.create_table(
        "feedback_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("satisfaction", sa.String(length=1), nullable=False),
        sa.Column("respected", sa.String(length=8), nullable=True),
        sa.Column("felt_safe", sa.String(length=8), nullable=True),
        sa.Column("would_recommend", sa.String(length=8), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.CheckConstraint(_CATEGORY, name=op.f("ck_feedback_response_category")),
        sa.CheckConstraint(
            "satisfaction IN ('5', '4', '3', '2', '1')",
            name=op.f("ck_feedback_response_satisfaction"),
        ),
        sa.CheckConstraint(
            f"respected IS NULL OR respected {_YPN}", name=op.f("ck_feedback_response_respected")
        ),
        sa.CheckConstraint(
            f"felt_safe IS NULL OR felt_safe {_YPN}", name=op.f("ck_feedback_response_felt_safe")
        ),
        sa.CheckConstraint(
            "would_recommend IS NULL OR would_recommend IN ('yes', 'not_sure', 'no')",
            name=op.f("ck_feedback_response_would_recommend"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_feedback_response_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_response")),
    )
    op.create_index(
        "ix_feedback_response_clinic_quarter", "feedback_response", ["clinic_id", "quarter"]
    )


def downgrade() -> None:
    op.drop_index("ix_feedback_response_clinic_quarter", table_name="feedback_response")
    op.drop_table("feedback_response")
    op.drop_index(op.f("ix_feedback_code_expires_on"), table_name="feedback_code")
    op.drop_index(op.f("ix_feedback_code_clinic_id"), table_name="feedback_code")
    op.drop_table("feedback_code")
    for column in ("access_needs", "interpreter", "language", "name_to_use"):
        op.drop_column("client", column)
