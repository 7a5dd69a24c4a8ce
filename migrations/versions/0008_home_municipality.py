"""the participant's home municipality on booking requests, backfilled from the requester

Revision ID: 0008_home_municipality
Revises: 0007_reminder_log
Create Date: 2026-12-01 21:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008_home_municipality'
down_revision = '0007_reminder_log'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_municipality', sa.String(length=8), nullable=True))
        batch_op.create_index(batch_op.f('ix_booking_requests_home_municipality'), ['home_municipality'],
                              unique=False)
    # Where the requester's organisation is a municipality, its residents were referred.
    op.execute(
        "UPDATE booking_requests SET home_municipality = ("
        " SELECT organisations.municipality_code FROM organisations"
        " WHERE organisations.id = booking_requests.requester_organisation_id"
        " AND organisations.kind = 'kommun')"
        " WHERE home_municipality IS NULL AND requester_organisation_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_requests_home_municipality'))
        batch_op.drop_column('home_municipality')
