"""Law-enforcement training sessions: sessions, modules, trainers, participants.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:05:57.292706
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("economic_region", sa.String(length=32), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("delivered_by", sa.String(length=8), nullable=False),
        sa.Column("partner_name", sa.String(length=200), nullable=True),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("participation_mode", sa.String(length=8), nullable=False),
        sa.Column("officers_total", sa.Integer(), nullable=False),
        sa.Column("officers_female", sa.Integer(), nullable=False),
        sa.Column("officers_male", sa.Integer(), nullable=False),
        sa.Column("officers_full_attendance", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(delivered_by = 'partner') = (partner_name IS NOT NULL)",
            name=op.f("ck_training_session_partner_named"),
        ),
        sa.CheckConstraint(
            "agency IN ('police', 'prosecutors', 'courts', 'penitentiary', 'migration', 'other')",
            name=op.f("ck_training_session_agency"),
        ),
        sa.CheckConstraint(
            "delivered_by IN ('clinic', 'partner')", name=op.f("ck_training_session_delivered_by")
        ),
        sa.CheckConstraint(
            "economic_region IN ('baku', 'absheron_khizi', 'mountainous_shirvan', 'ganja_dashkasan', 'karabakh', 'gazakh_tovuz', 'guba_khachmaz', 'lankaran_astara', 'central_aran', 'mil_mughan', 'shaki_zagatala', 'east_zangezur', 'shirvan_salyan', 'nakhchivan')",
            name=op.f("ck_training_session_economic_region"),
        ),
        sa.CheckConstraint(
            "participation_mode IN ('rows', 'counts')",
            name=op.f("ck_training_session_participation_mode"),
        ),
        sa.CheckConstraint("duration_minutes > 0", name=op.f("ck_training_session_duration")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_training_session_dates")),
        sa.CheckConstraint(
            "officers_female >= 0 AND officers_male >= 0 AND officers_total = officers_female + officers_male",
            name=op.f("ck_training_session_officers_by_sex"),
        ),
        sa.CheckConstraint(
            "officers_full_attendance IS NULL OR (officers_full_attendance >= 0 AND officers_full_attendance <= officers_total)",
            name=op.f("ck_training_session_officers_full_attendance"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_training_session_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_training_session_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
    )
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index("ix_training_session_agency", ["agency"], unique=False)
        batch_op.create_index(
            "ix_training_session_clinic_starts_on", ["clinic_id", "starts_on"], unique=False
        )
        batch_op.create_index(
            "ix_training_session_economic_region", ["economic_region"], unique=False
        )
        batch_op.create_index("ix_training_session_starts_on", ["starts_on"], unique=False)

    op.create_table(
        "training_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("rank_group", sa.String(length=16), nullable=True),
        sa.Column("service_years", sa.String(length=8), nullable=True),
        sa.Column("pre_score", sa.Integer(), nullable=True),
        sa.Column("post_score", sa.Integer(), nullable=True),
        sa.Column("attended_full", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "rank_group IS NULL OR rank_group IN ('rank_and_file', 'junior_officer', 'senior_officer', 'civilian')",
            name=op.f("ck_training_participant_rank"),
        ),
        sa.CheckConstraint(
            "service_years IS NULL OR service_years IN ('under_2', '2_5', '6_10', '11_20', 'over_20')",
            name=op.f("ck_training_participant_service_years"),
        ),
        sa.CheckConstraint("sex IN ('female', 'male')", name=op.f("ck_training_participant_sex")),
        sa.CheckConstraint(
            "post_score IS NULL OR (post_score >= 0 AND post_score <= 100)",
            name=op.f("ck_training_participant_post_score"),
        ),
        sa.CheckConstraint(
            "pre_score IS NULL OR (pre_score >= 0 AND pre_score <= 100)",
            name=op.f("ck_training_participant_pre_score"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_participant_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_participant")),
    )
    with op.batch_alter_table("training_participant", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_participant_session_line", ["session_id", "line"], unique=True
        )

    op.create_table(
        "training_session_module",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("module", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "module IN ('gbv_response', 'non_discrimination', 'hiv_stigma', 'drug_use_sex_work', 'gender_identity', 'protection_orders', 'referral_pathways')",
            name=op.f("ck_training_session_module_module"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_session_module_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "module", name=op.f("pk_training_session_module")),
    )
    with op.batch_alter_table("training_session_module", schema=None) as batch_op:
        batch_op.create_index("ix_training_session_module_module", ["module"], unique=False)

    op.create_table(
        "training_trainer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (name IS NULL)", name=op.f("ck_training_trainer_account_or_name")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_trainer_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_training_trainer_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_trainer")),
    )
    with op.batch_alter_table("training_trainer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_trainer_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_trainer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_trainer_session_id"))

    op.drop_table("training_trainer")
    with op.batch_alter_table("training_session_module", schema=None) as batch_op:
        batch_op.drop_index("ix_training_session_module_module")

    op.drop_table("training_session_module")
    with op.batch_alter_table("training_participant", schema=None) as batch_op:
        batch_op.drop_index("ix_training_participant_session_line")

    op.drop_table("training_participant")
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_index("ix_training_session_starts_on")
        batch_op.drop_index("ix_training_session_economic_region")
        batch_op.drop_index("ix_training_session_clinic_starts_on")
        batch_op.drop_index("ix_training_session_agency")

    op.drop_table("training_session")
