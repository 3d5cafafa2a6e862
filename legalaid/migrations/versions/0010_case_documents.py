"""case documents: encrypted files on a case or a client (metadata only)

Revision ID: 0010
Revises: 0014
Create Date: 2026-12-07 12:30:00.000000

case_document: kind, date, encrypted description and original file name, size, type,
the random storage name, the file id and the per-file data key wrapped by the key ring,
the version chain (replaces_id) and the deletion record (content destroyed, row kept).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "medical_certificate",
    "police_report",
    "court_document",
    "consent_form",
    "evidence_photo",
    "correspondence",
    "other",
)


def upgrade() -> None:
    kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    op.create_table(
        "case_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "original_filename",
            sa.Text(),
            nullable=False,
        ),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("storage_name", sa.String(length=64), nullable=True),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("data_key", sa.Text(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "delete_reason", sa.Text(), nullable=True
        ),
        sa.CheckConstraint(f"kind IN ({kinds})", name=op.f("ck_case_document_kind")),
        sa.CheckConstraint(
            "(case_id IS NULL) <> (client_id IS NULL)", name=op.f("ck_case_document_case_or_client")
        ),
        sa.CheckConstraint(
            "(storage_name IS NULL) = (data_key IS NULL)",
            name=op.f("ck_case_document_content_and_key_together"),
        ),
        sa.CheckConstraint(
            "deleted_at IS NOT NULL OR storage_name IS NOT NULL",
            name=op.f("ck_case_document_live_has_content"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["legal_case.id"], name=op.f("fk_case_document_case_id_legal_case")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_case_document_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["case_document.id"],
            name=op.f("fk_case_document_replaces_id_case_document"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_document_uploaded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_document_deleted_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_document")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_case_document_storage_name")),
        sa.UniqueConstraint("replaces_id", name=op.f("uq_case_document_replaces_id")),
    )
    op.create_index("ix_case_document_case", "case_document", ["case_id", "id"])
    op.create_index("ix_case_document_client", "case_document", ["client_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_case_document_client", table_name="case_document")
    op.drop_index("ix_case_document_case", table_name="case_document")
    op.drop_table("case_document")
