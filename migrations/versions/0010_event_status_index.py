"""an index on booking events by request, status and time, for the follow-up figures

Revision ID: 0010_event_status_index
Revises: 0009_targets_follow_up
Create Date: 2026-12-01 22:20:00

"""
from alembic import op


revision = '0010_event_status_index'
down_revision = '0009_targets_follow_up'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.create_index('ix_booking_events_request_status_time', ['request_id', 'to_status', 'created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_events_request_status_time')
