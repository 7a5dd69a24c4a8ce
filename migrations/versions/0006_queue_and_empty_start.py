"""import jobs record when they started (the queue's sweep fails the abandoned ones);
an organisation may have no booking mailbox yet (requests to it are held)

Revision ID: 0006_queue_and_empty_start
Revises: 0005_taxonomy_data
Create Date: 2026-12-01 21:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_queue_and_empty_start'
down_revision = '0005_taxonomy_data'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('booking_email', existing_type=sa.String(length=254), nullable=True)
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_mail_held', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.drop_column('owner_mail_held')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.alter_column('booking_email', existing_type=sa.String(length=254), nullable=False)
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_column('started_at')
