"""an index on interventions.updated_at: every API answer reads the newest change

Revision ID: 0013_intervention_updated_index
Revises: 0012_booking_steps
Create Date: 2026-12-02 01:15:00

"""
from alembic import op


revision = '0013_intervention_updated_index'
down_revision = '0012_booking_steps'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interventions_updated_at'), ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interventions_updated_at'))
