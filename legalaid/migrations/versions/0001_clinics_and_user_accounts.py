"""clinics and user accounts

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('clinic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('economic_region', sa.String(length=32), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("economic_region IN ('baku', 'absheron_khizi', 'mountainous_shirvan', 'ganja_dashkasan', 'karabakh', 'gazakh_tovuz', 'guba_khachmaz', 'lankaran_astara', 'central_aran', 'mil_mughan', 'shaki_zagatala', 'east_zangezur', 'shirvan_salyan', 'nakhchivan')", name=op.f('ck_clinic_economic_region')),
    sa.CheckConstraint("status IN ('pilot', 'active', 'closed')", name=op.f('ck_clinic_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic')),
    sa.UniqueConstraint('code', name=op.f('uq_clinic_code'))
    )
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinic_economic_region'), ['economic_region'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('preferred_language', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(role IN ('lawyer', 'manager')) = (clinic_id IS NOT NULL)", name=op.f('ck_user_account_clinic_for_role')),
    sa.CheckConstraint("preferred_language IN ('en', 'az', 'ru')", name=op.f('ck_user_account_preferred_language')),
    sa.CheckConstraint("role IN ('lawyer', 'manager', 'task_force', 'admin')", name=op.f('ck_user_account_role')),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_user_account_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_clinic_id'), ['clinic_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_clinic_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('clinic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinic_economic_region'))

    op.drop_table('clinic')
