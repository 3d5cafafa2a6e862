"""indicator indexes: the columns the indicator measures filter and count by

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 23:55:00.000000

Each index holds every column its measures read, so an annual release's GROUP BY
queries read compact indexes instead of the wide, encrypted rows (see
benchmarks/releases.py).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: tuple[tuple[str, str, list[str]], ...] = (
    (
        "ix_client_statistics",
        "client",
        [
            "id",
            "consent_statistics",
            "gender_identity",
            "age_band",
            "economic_region",
            "settlement",
            "disability",
            "clinic_id",
        ],
    ),
    (
        "ix_legal_case_opened_statistics",
        "legal_case",
        [
            "opened_on",
            "closed_on",
            "category",
            "client_id",
            "clinic_id",
            "gbv_type",
            "discrimination_domain",
            "incident_region",
        ],
    ),
    (
        "ix_legal_case_closed_statistics",
        "legal_case",
        ["closed_on", "category", "outcome", "client_id", "clinic_id"],
    ),
    ("ix_respondent_case_relation", "respondent", ["case_id", "relation"]),
    (
        "ix_service_delivery_order_statistics",
        "service_delivery",
        ["order_result", "order_result_on", "order_kind", "case_id"],
    ),
    ("ix_referral_sent_statistics", "referral", ["sent_on", "status", "service_type", "case_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
