"""the region's follow-up targets and the 3- and 6-month follow-up prompts

Revision ID: 0009_targets_follow_up
Revises: 0008_home_municipality
Create Date: 2026-12-01 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_targets_follow_up'
down_revision = '0008_home_municipality'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stats_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('measure', sa.Enum('participants', 'women', 'men', 'to_work', 'to_studies', name='stats_target_measure', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('value >= 0', name=op.f('ck_stats_targets_value_not_negative')),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_stats_targets_period_in_order')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_stats_targets_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_targets')),
    sa.UniqueConstraint('period_start', 'period_end', 'measure', name=op.f('uq_stats_targets_period_start_period_end_measure'))
    )
    op.create_table('follow_up_prompts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Enum('in_work', 'in_studies', 'in_intervention', 'looking_for_work', 'other', 'not_known', name='follow_up_answer', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['booking_requests.id'], name=op.f('fk_follow_up_prompts_request_id_booking_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follow_up_prompts_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_prompts')),
    sa.UniqueConstraint('request_id', 'months', name=op.f('uq_follow_up_prompts_request_id_months'))
    )
    with op.batch_alter_table('follow_up_prompts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_prompts_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_prompts_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('follow_up_prompts')
    op.drop_table('stats_targets')
