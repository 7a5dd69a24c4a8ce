"""catalogue, accounts and audit

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-22 21:04:29.380166

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('kommun', 'arbetsformedlingen', 'forsakringskassan', 'region', 'samordningsforbund', 'other', name='organisation_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('municipality_code', sa.String(length=4), nullable=True),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('booking_email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind != 'kommun' OR municipality_code IS NOT NULL", name=op.f('ck_organisations_kommun_has_municipality_code')),
    sa.CheckConstraint('municipality_code IS NULL OR length(municipality_code) = 4', name=op.f('ck_organisations_municipality_code_four_digits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('municipality_code', name=op.f('uq_organisations_municipality_code')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('taxonomy_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vocabulary', sa.Enum('type', 'target_group', 'referrer', name='vocabulary', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_terms')),
    sa.UniqueConstraint('vocabulary', 'code', name=op.f('uq_taxonomy_terms_vocabulary_code'))
    )
    op.create_table('taxonomy_labels',
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['taxonomy_terms.id'], name=op.f('fk_taxonomy_labels_term_id_taxonomy_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('term_id', 'locale', name=op.f('pk_taxonomy_labels'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('booking_email', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_units_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_units_organisation_id_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('role', sa.Enum('caseworker', 'editor', 'org_admin', 'admin', name='user_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('record_type', sa.String(length=50), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_audit_events_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('interventions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('delivery_format', sa.Enum('on_site', 'remote', 'mixed', name='delivery_format', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('intake', sa.Enum('rolling', 'cohorts', 'single', name='intake', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('enrolment_open', sa.Boolean(), nullable=False),
    sa.Column('wait_weeks', sa.Integer(), nullable=True),
    sa.Column('closed_periods', sa.Text(), nullable=False),
    sa.Column('duration_weeks', sa.Integer(), nullable=True),
    sa.Column('hours_per_week', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('places_available', sa.Integer(), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=False),
    sa.Column('price_per_week_sek', sa.Integer(), nullable=False),
    sa.Column('referral_instructions', sa.Text(), nullable=False),
    sa.Column('accessibility', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'paused', 'archived', name='intervention_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_interventions_capacity_not_negative')),
    sa.CheckConstraint('duration_weeks IS NULL OR duration_weeks > 0', name=op.f('ck_interventions_duration_positive')),
    sa.CheckConstraint('hours_per_week IS NULL OR (hours_per_week >= 0 AND hours_per_week <= 60)', name=op.f('ck_interventions_hours_per_week_range')),
    sa.CheckConstraint('places_available >= 0 AND places_available <= capacity', name=op.f('ck_interventions_places_within_capacity')),
    sa.CheckConstraint('price_per_week_sek >= 0', name=op.f('ck_interventions_price_not_negative')),
    sa.CheckConstraint('valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from', name=op.f('ck_interventions_valid_period_ordered')),
    sa.CheckConstraint('wait_weeks IS NULL OR wait_weeks >= 0', name=op.f('ck_interventions_wait_not_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_interventions_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['type_id'], ['taxonomy_terms.id'], name=op.f('fk_interventions_type_id_taxonomy_terms')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_interventions_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interventions')),
    sa.UniqueConstraint('organisation_id', 'external_id', name=op.f('uq_interventions_organisation_id_external_id'))
    )
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interventions_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interventions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_interventions_type_id'), ['type_id'], unique=False)

    op.create_table('intervention_languages',
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.CheckConstraint('length(code) BETWEEN 2 AND 3', name=op.f('ck_intervention_languages_iso_code')),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_intervention_languages_intervention_id_interventions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('intervention_id', 'code', name=op.f('pk_intervention_languages'))
    )
    op.create_table('intervention_referrers',
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_intervention_referrers_intervention_id_interventions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['taxonomy_terms.id'], name=op.f('fk_intervention_referrers_term_id_taxonomy_terms'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('intervention_id', 'term_id', name=op.f('pk_intervention_referrers'))
    )
    op.create_table('intervention_starts',
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_intervention_starts_intervention_id_interventions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('intervention_id', 'starts_on', name=op.f('pk_intervention_starts'))
    )
    op.create_table('intervention_target_groups',
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_intervention_target_groups_intervention_id_interventions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['taxonomy_terms.id'], name=op.f('fk_intervention_target_groups_term_id_taxonomy_terms'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('intervention_id', 'term_id', name=op.f('pk_intervention_target_groups'))
    )
    op.create_table('intervention_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.CheckConstraint("locale != 'sv'", name=op.f('ck_intervention_translations_not_source_language')),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_intervention_translations_intervention_id_interventions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention_translations')),
    sa.UniqueConstraint('intervention_id', 'locale', name=op.f('uq_intervention_translations_intervention_id_locale'))
    )



def downgrade():
    
    op.drop_table('intervention_translations')
    op.drop_table('intervention_target_groups')
    op.drop_table('intervention_starts')
    op.drop_table('intervention_referrers')
    op.drop_table('intervention_languages')
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interventions_type_id'))
        batch_op.drop_index(batch_op.f('ix_interventions_status'))
        batch_op.drop_index(batch_op.f('ix_interventions_organisation_id'))

    op.drop_table('interventions')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_created_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    op.drop_table('units')
    op.drop_table('taxonomy_labels')
    op.drop_table('taxonomy_terms')
    op.drop_table('organisations')

