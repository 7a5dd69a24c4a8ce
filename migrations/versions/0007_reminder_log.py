"""reminders about interventions (review, valid-until), each sent once

Revision ID: 0007_reminder_log
Revises: 0006_queue_and_empty_start
Create Date: 2026-12-01 21:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_reminder_log'
down_revision = '0006_queue_and_empty_start'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_reminder_log_intervention_id_interventions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_log')),
    sa.UniqueConstraint('intervention_id', 'kind', 'due_on', name=op.f('uq_reminder_log_intervention_id_kind_due_on'))
    )
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_log_intervention_id'), ['intervention_id'], unique=False)


def downgrade():
    op.drop_table('reminder_log')
