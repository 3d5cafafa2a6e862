"""Clients, cases, conflict checks, casework and referrals.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:55:47.338588
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "number_counter",
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_number_counter_clinic_id_clinic")
        ),
        sa.PrimaryKeyConstraint("clinic_id", "series", name=op.f("pk_number_counter")),
    )
    op.create_table(
        "client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("other_names", sa.Text(), nullable=True),
        sa.Column("date_of_birth", sa.Text(), nullable=True),
        sa.Column("birth_year_key", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("may_call", sa.Boolean(), nullable=False),
        sa.Column("may_leave_message", sa.Boolean(), nullable=False),
        sa.Column("contact_channel", sa.String(length=24), nullable=True),
        sa.Column("contact_hours", sa.Text(), nullable=True),
        sa.Column("contact_notes", sa.Text(), nullable=True),
        sa.Column("gender_identity", sa.String(length=16), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("economic_region", sa.String(length=32), nullable=False),
        sa.Column("settlement", sa.String(length=8), nullable=False),
        sa.Column("disability", sa.String(length=8), nullable=False),
        sa.Column("consent_services", sa.Boolean(), nullable=False),
        sa.Column("consent_services_on", sa.Date(), nullable=True),
        sa.Column("consent_services_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_statistics", sa.Boolean(), nullable=False),
        sa.Column("consent_statistics_on", sa.Date(), nullable=True),
        sa.Column("consent_statistics_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_sharing", sa.Boolean(), nullable=False),
        sa.Column("consent_sharing_on", sa.Date(), nullable=True),
        sa.Column("consent_sharing_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "age_band IN ('under_18', '18_24', '25_29', '30_39', '40_49', '50_59', '60_plus')",
            name=op.f("ck_client_age_band"),
        ),
        sa.CheckConstraint(
            "contact_channel IS NULL OR contact_channel IN ('phone', 'sms', 'messenger', 'in_person', 'through_partner')",
            name=op.f("ck_client_contact_channel"),
        ),
        sa.CheckConstraint(
            "disability IN ('no', 'yes', 'unknown')", name=op.f("ck_client_disability")
        ),
        sa.CheckConstraint(
            "economic_region IN ('baku', 'absheron_khizi', 'mountainous_shirvan', 'ganja_dashkasan', 'karabakh', 'gazakh_tovuz', 'guba_khachmaz', 'lankaran_astara', 'central_aran', 'mil_mughan', 'shaki_zagatala', 'east_zangezur', 'shirvan_salyan', 'nakhchivan')",
            name=op.f("ck_client_economic_region"),
        ),
        sa.CheckConstraint(
            "gender_identity IN ('woman', 'man', 'trans_woman', 'trans_man', 'non_binary', 'not_stated')",
            name=op.f("ck_client_gender_identity"),
        ),
        sa.CheckConstraint("settlement IN ('urban', 'rural')", name=op.f("ck_client_settlement")),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_client_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["consent_services_by_id"],
            ["user_account.id"],
            name=op.f("fk_client_consent_services_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["consent_sharing_by_id"],
            ["user_account.id"],
            name=op.f("fk_client_consent_sharing_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["consent_statistics_by_id"],
            ["user_account.id"],
            name=op.f("fk_client_consent_statistics_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_client_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client")),
        sa.UniqueConstraint("number", name=op.f("uq_client_number")),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "service_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("service_type", sa.String(length=24), nullable=False),
        sa.Column("economic_region", sa.String(length=32), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "economic_region IN ('baku', 'absheron_khizi', 'mountainous_shirvan', 'ganja_dashkasan', 'karabakh', 'gazakh_tovuz', 'guba_khachmaz', 'lankaran_astara', 'central_aran', 'mil_mughan', 'shaki_zagatala', 'east_zangezur', 'shirvan_salyan', 'nakhchivan')",
            name=op.f("ck_service_provider_economic_region"),
        ),
        sa.CheckConstraint(
            "service_type IN ('shelter', 'psychosocial', 'health', 'harm_reduction', 'police', 'social_services', 'legal_provider', 'livelihood')",
            name=op.f("ck_service_provider_service_type"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_service_provider_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_provider")),
    )
    with op.batch_alter_table("service_provider", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_provider_economic_region"), ["economic_region"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_provider_service_type"), ["service_type"], unique=False
        )

    op.create_table(
        "client_key_population",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("population", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "population IN ('hiv', 'sex_work', 'drug_use', 'transgender')",
            name=op.f("ck_client_key_population_population"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_client_key_population_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("client_id", "population", name=op.f("pk_client_key_population")),
    )
    with op.batch_alter_table("client_key_population", schema=None) as batch_op:
        batch_op.create_index(
            "ix_client_key_population_population", ["population", "client_id"], unique=False
        )

    op.create_table(
        "legal_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("gbv_type", sa.String(length=24), nullable=True),
        sa.Column("intimate_partner_violence", sa.Boolean(), nullable=False),
        sa.Column("early_marriage", sa.Boolean(), nullable=False),
        sa.Column("discrimination_domain", sa.String(length=24), nullable=True),
        sa.Column("incident_date", sa.Date(), nullable=True),
        sa.Column("incident_date_approximate", sa.Boolean(), nullable=False),
        sa.Column("incident_region", sa.String(length=32), nullable=True),
        sa.Column("risk_level", sa.String(length=8), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("referral_source", sa.String(length=24), nullable=True),
        sa.Column("referral_source_provider_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("intake_on", sa.Date(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("assigned_lawyer_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'closed') = (outcome IS NOT NULL)",
            name=op.f("ck_legal_case_closed_has_outcome"),
        ),
        sa.CheckConstraint(
            "category IN ('gbv', 'discrimination', 'other')", name=op.f("ck_legal_case_category")
        ),
        sa.CheckConstraint(
            "discrimination_domain IS NULL OR discrimination_domain IN ('health_care', 'employment', 'law_enforcement', 'courts', 'housing', 'education', 'family', 'social_services', 'other')",
            name=op.f("ck_legal_case_discrimination_domain"),
        ),
        sa.CheckConstraint(
            "gbv_type IS NULL OR gbv_type IN ('rape', 'sexual_assault', 'physical_assault', 'forced_marriage', 'denial_of_resources', 'psychological_abuse')",
            name=op.f("ck_legal_case_gbv_type"),
        ),
        sa.CheckConstraint(
            "incident_region IS NULL OR incident_region IN ('baku', 'absheron_khizi', 'mountainous_shirvan', 'ganja_dashkasan', 'karabakh', 'gazakh_tovuz', 'guba_khachmaz', 'lankaran_astara', 'central_aran', 'mil_mughan', 'shaki_zagatala', 'east_zangezur', 'shirvan_salyan', 'nakhchivan')",
            name=op.f("ck_legal_case_incident_region"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('resolved_favour', 'partly_favour', 'not_favour', 'withdrawn', 'lost_contact', 'referred_out', 'conflict_declined')",
            name=op.f("ck_legal_case_outcome"),
        ),
        sa.CheckConstraint(
            "referral_source IS NULL OR referral_source IN ('self', 'community', 'health', 'harm_reduction', 'shelter', 'police', 'social_services', 'legal_provider', 'hotline', 'other')",
            name=op.f("ck_legal_case_referral_source"),
        ),
        sa.CheckConstraint(
            "risk_level IN ('low', 'medium', 'high')", name=op.f("ck_legal_case_risk_level")
        ),
        sa.CheckConstraint(
            "status IN ('intake', 'open', 'closed')", name=op.f("ck_legal_case_status")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_lawyer_id"],
            ["user_account.id"],
            name=op.f("fk_legal_case_assigned_lawyer_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_legal_case_client_id_client")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_legal_case_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_legal_case_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_source_provider_id"],
            ["service_provider.id"],
            name=op.f("fk_legal_case_referral_source_provider_id_service_provider"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_case")),
        sa.UniqueConstraint("number", name=op.f("uq_legal_case_number")),
    )
    with op.batch_alter_table("legal_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_case_client_id"), ["client_id"], unique=False)
        batch_op.create_index(
            "ix_legal_case_clinic_status", ["clinic_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "ix_legal_case_clinic_year_seq", ["clinic_id", "year", "seq"], unique=True
        )
        batch_op.create_index("ix_legal_case_closed_on", ["closed_on"], unique=False)
        batch_op.create_index(
            "ix_legal_case_lawyer_status", ["assigned_lawyer_id", "status", "id"], unique=False
        )
        batch_op.create_index("ix_legal_case_opened_on", ["opened_on"], unique=False)
        batch_op.create_index("ix_legal_case_lawyer", ["assigned_lawyer_id", "id"], unique=False)
        batch_op.create_index("ix_legal_case_clinic", ["clinic_id", "id"], unique=False)
        batch_op.create_index(
            "ix_legal_case_caseload",
            ["clinic_id", "status", "assigned_lawyer_id", "risk_level"],
            unique=False,
        )

    op.create_table(
        "case_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_lawyer_id", sa.Integer(), nullable=True),
        sa.Column("to_lawyer_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_assignment_assigned_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_case_assignment_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_lawyer_id"],
            ["user_account.id"],
            name=op.f("fk_case_assignment_from_lawyer_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["to_lawyer_id"],
            ["user_account.id"],
            name=op.f("fk_case_assignment_to_lawyer_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignment")),
    )
    with op.batch_alter_table("case_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assignment_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_discrimination_ground",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ground", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "ground IN ('hiv_status', 'sex_work', 'drug_use', 'gender_identity', 'sex', 'other')",
            name=op.f("ck_case_discrimination_ground_ground"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_case_discrimination_ground_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "ground", name=op.f("pk_case_discrimination_ground")),
    )
    op.create_table(
        "case_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_case_note_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_case_note_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_note_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=8), nullable=True),
        sa.Column("to_status", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_case_status_change_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_status_change_changed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_status_change")),
    )
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_status_change_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "conflict_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("performed_by_id", sa.Integer(), nullable=True),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("names_checked", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "decision IN ('proceed', 'decline')", name=op.f("ck_conflict_check_decision")
        ),
        sa.CheckConstraint(
            "result IN ('clear', 'in_scope', 'possible')", name=op.f("ck_conflict_check_result")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_conflict_check_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["performed_by_id"],
            ["user_account.id"],
            name=op.f("fk_conflict_check_performed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_check")),
    )
    with op.batch_alter_table("conflict_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflict_check_case_id"), ["case_id"], unique=False)

    op.create_table(
        "hearing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('hearing', 'deadline', 'appeal_deadline', 'police_interview', 'meeting')",
            name=op.f("ck_hearing_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_hearing_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_hearing_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing")),
    )
    with op.batch_alter_table("hearing", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hearing_case_open", ["case_id", "done", "due_on"], unique=False
        )
        batch_op.create_index("ix_hearing_done_due_on", ["done", "due_on"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("status_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "service_type IN ('shelter', 'psychosocial', 'health', 'harm_reduction', 'police', 'social_services', 'legal_provider', 'livelihood')",
            name=op.f("ck_referral_service_type"),
        ),
        sa.CheckConstraint(
            "status IN ('sent', 'accepted', 'completed', 'declined')",
            name=op.f("ck_referral_status"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_referral_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_referral_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["service_provider.id"],
            name=op.f("fk_referral_provider_id_service_provider"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referral_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index("ix_referral_sent_on", ["sent_on", "service_type"], unique=False)

    op.create_table(
        "respondent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("relation", sa.String(length=24), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "relation IN ('intimate_partner', 'former_partner', 'family_member', 'law_enforcement', 'health_worker', 'employer', 'known_person', 'stranger', 'institution', 'unknown')",
            name=op.f("ck_respondent_relation"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_respondent_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_respondent_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondent")),
    )
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_respondent_case_id"), ["case_id"], unique=False)

    op.create_table(
        "service_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("service_type", sa.String(length=24), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("provided_by_id", sa.Integer(), nullable=True),
        sa.Column("order_kind", sa.String(length=16), nullable=True),
        sa.Column("order_result", sa.String(length=16), nullable=True),
        sa.Column("order_result_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(service_type = 'protection_order') = (order_kind IS NOT NULL)",
            name=op.f("ck_service_delivery_order_only_for_orders"),
        ),
        sa.CheckConstraint(
            "order_kind IS NULL OR order_kind IN ('short_term', 'long_term')",
            name=op.f("ck_service_delivery_order_kind"),
        ),
        sa.CheckConstraint(
            "order_result IS NULL OR order_result IN ('pending', 'granted', 'refused', 'withdrawn')",
            name=op.f("ck_service_delivery_order_result"),
        ),
        sa.CheckConstraint(
            "service_type IN ('advice', 'document_drafting', 'court_representation', 'police_representation', 'protection_order', 'mediation', 'accompaniment', 'referral')",
            name=op.f("ck_service_delivery_service_type"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["legal_case.id"],
            name=op.f("fk_service_delivery_case_id_legal_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provided_by_id"],
            ["user_account.id"],
            name=op.f("fk_service_delivery_provided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_delivery")),
    )
    with op.batch_alter_table("service_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_delivery_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_service_delivery_delivered_on", ["delivered_on", "service_type"], unique=False
        )

    op.create_table(
        "case_note_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edited_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_note_revision_edited_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["case_note.id"],
            name=op.f("fk_case_note_revision_note_id_case_note"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note_revision")),
    )
    with op.batch_alter_table("case_note_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_note_revision_note_id"), ["note_id"], unique=False
        )

    op.create_table(
        "conflict_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("matched_kind", sa.String(length=16), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("in_scope", sa.Boolean(), nullable=False),
        sa.Column("matched_case_id", sa.Integer(), nullable=True),
        sa.Column("matched_client_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["conflict_check.id"],
            name=op.f("fk_conflict_hit_check_id_conflict_check"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_conflict_hit_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["matched_case_id"],
            ["legal_case.id"],
            name=op.f("fk_conflict_hit_matched_case_id_legal_case"),
        ),
        sa.ForeignKeyConstraint(
            ["matched_client_id"],
            ["client.id"],
            name=op.f("fk_conflict_hit_matched_client_id_client"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_hit")),
    )
    with op.batch_alter_table("conflict_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conflict_hit_check_id"), ["check_id"], unique=False)

    op.create_table(
        "name_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("respondent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(client_id IS NULL) <> (respondent_id IS NULL)", name=op.f("ck_name_key_one_owner")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_name_key_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_name_key_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_name_key_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_key")),
    )
    with op.batch_alter_table("name_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_name_key_client_id"), ["client_id"], unique=False)
        batch_op.create_index("ix_name_key_key", ["key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_name_key_respondent_id"), ["respondent_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("name_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_name_key_respondent_id"))
        batch_op.drop_index("ix_name_key_key")
        batch_op.drop_index(batch_op.f("ix_name_key_client_id"))

    op.drop_table("name_key")
    with op.batch_alter_table("conflict_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_hit_check_id"))

    op.drop_table("conflict_hit")
    with op.batch_alter_table("case_note_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_revision_note_id"))

    op.drop_table("case_note_revision")
    with op.batch_alter_table("service_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_service_delivery_delivered_on")
        batch_op.drop_index(batch_op.f("ix_service_delivery_case_id"))

    op.drop_table("service_delivery")
    with op.batch_alter_table("respondent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_respondent_case_id"))

    op.drop_table("respondent")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_sent_on")
        batch_op.drop_index(batch_op.f("ix_referral_provider_id"))
        batch_op.drop_index(batch_op.f("ix_referral_case_id"))

    op.drop_table("referral")
    with op.batch_alter_table("hearing", schema=None) as batch_op:
        batch_op.drop_index("ix_hearing_done_due_on")
        batch_op.drop_index("ix_hearing_case_open")

    op.drop_table("hearing")
    with op.batch_alter_table("conflict_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conflict_check_case_id"))

    op.drop_table("conflict_check")
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_status_change_case_id"))

    op.drop_table("case_status_change")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_note_case_id"))

    op.drop_table("case_note")
    op.drop_table("case_discrimination_ground")
    with op.batch_alter_table("case_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assignment_case_id"))

    op.drop_table("case_assignment")
    with op.batch_alter_table("legal_case", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_case_opened_on")
        batch_op.drop_index("ix_legal_case_lawyer")
        batch_op.drop_index("ix_legal_case_clinic")
        batch_op.drop_index("ix_legal_case_caseload")
        batch_op.drop_index("ix_legal_case_lawyer_status")
        batch_op.drop_index("ix_legal_case_closed_on")
        batch_op.drop_index("ix_legal_case_clinic_year_seq")
        batch_op.drop_index("ix_legal_case_clinic_status")
        batch_op.drop_index(batch_op.f("ix_legal_case_client_id"))

    op.drop_table("legal_case")
    with op.batch_alter_table("client_key_population", schema=None) as batch_op:
        batch_op.drop_index("ix_client_key_population_population")

    op.drop_table("client_key_population")
    with op.batch_alter_table("service_provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_provider_service_type"))
        batch_op.drop_index(batch_op.f("ix_service_provider_economic_region"))

    op.drop_table("service_provider")
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_clinic_id"))

    op.drop_table("client")
    op.drop_table("number_counter")
