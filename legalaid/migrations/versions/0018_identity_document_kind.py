"""identity documents: a kind for the papers kept on a client (passport, ID card)

Revision ID: 0018
Revises: 0011
Create Date: 2026-12-07 15:30:00.000000

case_document.kind may now be 'identity_document' (a client's identity papers, uploaded
from her page). A downgrade files such documents under 'other'.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "medical_certificate",
    "police_report",
    "court_document",
    "consent_form",
    "evidence_photo",
    "correspondence",
    "other",
)
NEW_KINDS = (*OLD_KINDS[:-1], "identity_document", "other")


def _kinds(kinds: Sequence[str]) -> str:
    return "kind IN ({})".format(", ".join(f"'{kind}'" for kind in kinds))


def upgrade() -> None:
    with op.batch_alter_table("case_document") as batch:
        batch.drop_constraint(op.f("ck_case_document_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_case_document_kind"), _kinds(NEW_KINDS))


def downgrade() -> None:
    op.execute("UPDATE case_document SET kind = 'other' WHERE kind = 'identity_document'")
    with op.batch_alter_table("case_document") as batch:
        batch.drop_constraint(op.f("ck_case_document_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_case_document_kind"), _kinds(OLD_KINDS))
