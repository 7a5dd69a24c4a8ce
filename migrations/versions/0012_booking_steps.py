"""the steps a booking request reached and when it was first accepted, decided on and started,
kept on the request (filled in from its events)

Revision ID: 0012_booking_steps
Revises: 0011_agreements
Create Date: 2026-12-02 00:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_booking_steps'
down_revision = '0011_agreements'
branch_labels = None
depends_on = None

# portal.booking.models.STEP_BITS as it was written: a migration does not follow later code.
STEP_BITS = {"submitted": 1, "received": 2, "accepted": 4, "waitlisted": 8, "declined": 16, "started": 32,
             "completed": 64, "interrupted": 128, "withdrawn": 256, "cancelled": 512}


def _first(*statuses: str) -> str:
    listed = ", ".join(f"'{status}'" for status in statuses)
    return ("(SELECT min(e.created_at) FROM booking_events e WHERE e.request_id = booking_requests.id "
            f"AND e.to_status IN ({listed}))")


def upgrade():
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reached_steps', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
    bits = " ".join(f"WHEN '{status}' THEN {bit}" for status, bit in STEP_BITS.items())
    op.execute(
        "UPDATE booking_requests SET "
        f"accepted_at = {_first('accepted')}, decided_at = {_first('accepted', 'declined')}, "
        f"started_at = {_first('started')}, "
        "reached_steps = (SELECT coalesce(sum(s.bit), 0) FROM (SELECT DISTINCT e.request_id, "
        f"CASE e.to_status {bits} ELSE 0 END AS bit FROM booking_events e) s "
        "WHERE s.request_id = booking_requests.id)"
    )


def downgrade():
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.drop_column('started_at')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('accepted_at')
        batch_op.drop_column('reached_steps')
