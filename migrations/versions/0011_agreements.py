"""cooperation agreements; who an intervention is open to, its price for others and its referral rule;
the price, agreement and exception a booking request was sent with

Revision ID: 0011_agreements
Revises: 0010_event_status_index
Create Date: 2026-12-01 23:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_agreements'
down_revision = '0010_event_status_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('regional', 'bilateral', name='agreement_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('price_per_week_sek', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('price_per_week_sek >= 0', name=op.f('ck_agreements_price_not_negative')),
    sa.CheckConstraint('valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from', name=op.f('ck_agreements_valid_period_ordered')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('name', name=op.f('uq_agreements_name'))
    )
    op.create_table('agreement_members',
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_agreement_members_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_agreement_members_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agreement_id', 'organisation_id', name=op.f('pk_agreement_members'))
    )
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_to', sa.Enum('own', 'agreement', 'region', 'anyone', name='intervention_open_to', native_enum=False, create_constraint=True, length=32), server_default='anyone', nullable=False))
        batch_op.add_column(sa.Column('price_per_week_other_sek', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('referral_rule', sa.Enum('refuse', 'warn', name='intervention_referral_rule', native_enum=False, create_constraint=True, length=32), server_default='warn', nullable=False))
        batch_op.create_check_constraint('other_price_not_negative', 'price_per_week_other_sek IS NULL OR price_per_week_other_sek >= 0')
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_per_week_sek', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agreement_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eligibility_exception', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('eligibility_note', sa.Text(), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_booking_requests_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_booking_requests_agreement_id_agreements'), 'agreements', ['agreement_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_booking_requests_agreement_id_agreements'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_booking_requests_agreement_id'))
        batch_op.drop_column('eligibility_note')
        batch_op.drop_column('eligibility_exception')
        batch_op.drop_column('agreement_id')
        batch_op.drop_column('price_per_week_sek')
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.drop_constraint('other_price_not_negative', type_='check')
        batch_op.drop_column('referral_rule')
        batch_op.drop_column('price_per_week_other_sek')
        batch_op.drop_column('open_to')
    op.drop_table('agreement_members')
    op.drop_table('agreements')
