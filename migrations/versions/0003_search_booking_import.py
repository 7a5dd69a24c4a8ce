"""index jobs, booking requests, import jobs

Revision ID: 0003_search_booking_import
Revises: 0002_accounts_outbox
Create Date: 2026-11-22 22:15:29.636694

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_search_booking_import'
down_revision = '0002_accounts_outbox'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('booking_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_booking_counters'))
    )
    op.create_table('index_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_jobs')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('index_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_jobs_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_index_jobs_intervention_id'), ['intervention_id'], unique=False)

    op.create_table('import_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'running', 'done', 'failed', name='import_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_import_jobs_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_import_jobs_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_jobs'))
    )
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_jobs_owner_id'), ['owner_id'], unique=False)

    op.create_table('booking_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('source', sa.Enum('referral', 'own_application', name='booking_source', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'received', 'accepted', 'waitlisted', 'declined', 'started', 'completed', 'interrupted', 'withdrawn', 'cancelled', name='booking_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=False),
    sa.Column('requester_organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('participant_reference', sa.String(length=40), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'other', 'not_stated', name='booking_gender', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('preferred_language', sa.String(length=8), nullable=True),
    sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('adaptation_needs', sa.Text(), nullable=False),
    sa.Column('wished_start', sa.Date(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('consent_text', sa.Text(), nullable=True),
    sa.Column('consented_at', sa.DateTime(), nullable=True),
    sa.Column('holds_place', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.Enum('work', 'studies', 'other', name='booking_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('reason_code', sa.Enum('no_places', 'requirements_not_met', 'did_not_come', 'got_job', 'started_studies', 'ill', 'other', name='booking_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('reason_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('anonymised_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status != 'completed' OR outcome IS NOT NULL", name=op.f('ck_booking_requests_completed_has_outcome')),
    sa.CheckConstraint('birth_year IS NULL OR (birth_year >= 1900 AND birth_year <= 2100)', name=op.f('ck_booking_requests_birth_year_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_booking_requests_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_booking_requests_intervention_id_interventions')),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_booking_requests_owner_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['requester_organisation_id'], ['organisations.id'], name=op.f('fk_booking_requests_requester_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_booking_requests_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_requests')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_booking_requests_idempotency_key')),
    sa.UniqueConstraint('reference', name=op.f('uq_booking_requests_reference'))
    )
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_requests_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_requests_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_requests_intervention_id'), ['intervention_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_requests_owner_organisation_id'), ['owner_organisation_id'], unique=False)
        batch_op.create_index('ix_booking_requests_owner_status', ['owner_organisation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_requests_requester_organisation_id'), ['requester_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_requests_unit_id'), ['unit_id'], unique=False)

    op.create_table('booking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.Enum('submitted', 'received', 'accepted', 'waitlisted', 'declined', 'started', 'completed', 'interrupted', 'withdrawn', 'cancelled', name='booking_event_from_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('submitted', 'received', 'accepted', 'waitlisted', 'declined', 'started', 'completed', 'interrupted', 'withdrawn', 'cancelled', name='booking_event_to_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('reason_code', sa.Enum('no_places', 'requirements_not_met', 'did_not_come', 'got_job', 'started_studies', 'ill', 'other', name='booking_event_reason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('outcome', sa.Enum('work', 'studies', 'other', name='booking_event_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_booking_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['booking_requests.id'], name=op.f('fk_booking_events_request_id_booking_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_events'))
    )
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_events_request_id'), ['request_id'], unique=False)

    op.create_table('booking_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_booking_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['booking_requests.id'], name=op.f('fk_booking_messages_request_id_booking_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_messages'))
    )
    with op.batch_alter_table('booking_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_messages_request_id'), ['request_id'], unique=False)

    op.create_table('booking_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'received', 'accepted', 'waitlisted', 'declined', 'started', 'completed', 'interrupted', 'withdrawn', 'cancelled', name='booking_notification_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['request_id'], ['booking_requests.id'], name=op.f('fk_booking_notifications_request_id_booking_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_booking_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_notifications'))
    )
    with op.batch_alter_table('booking_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_notifications_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_booking_notifications_user_unread', ['user_id', 'read_at'], unique=False)




def downgrade():

    with op.batch_alter_table('booking_notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_notifications_user_unread')
        batch_op.drop_index(batch_op.f('ix_booking_notifications_request_id'))

    op.drop_table('booking_notifications')
    with op.batch_alter_table('booking_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_messages_request_id'))

    op.drop_table('booking_messages')
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_events_request_id'))

    op.drop_table('booking_events')
    with op.batch_alter_table('booking_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_requests_unit_id'))
        batch_op.drop_index(batch_op.f('ix_booking_requests_status'))
        batch_op.drop_index(batch_op.f('ix_booking_requests_requester_organisation_id'))
        batch_op.drop_index('ix_booking_requests_owner_status')
        batch_op.drop_index(batch_op.f('ix_booking_requests_owner_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_booking_requests_intervention_id'))
        batch_op.drop_index(batch_op.f('ix_booking_requests_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_booking_requests_created_at'))
        batch_op.drop_index(batch_op.f('ix_booking_requests_closed_at'))

    op.drop_table('booking_requests')
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_jobs_owner_id'))

    op.drop_table('import_jobs')
    with op.batch_alter_table('index_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_jobs_intervention_id'))
        batch_op.drop_index(batch_op.f('ix_index_jobs_created_at'))

    op.drop_table('index_jobs')
    op.drop_table('booking_counters')

