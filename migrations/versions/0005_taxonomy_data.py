"""the taxonomy (types, target groups, referrers) as data, so an empty database works

Revision ID: 0005_taxonomy_data
Revises: 0004_sessions
Create Date: 2026-12-01 20:50:00

An installation that runs only ``flask db upgrade`` and then imports its own offer needs
the vocabularies the import file refers to. The terms are read from the data file the
portal ships; terms that already exist (a portal that had loaded the demo) are left as
they are, so the migration adds only what is missing.
"""
import json
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0005_taxonomy_data'
down_revision = '0004_sessions'
branch_labels = None
depends_on = None

TAXONOMY_FILE = Path(__file__).resolve().parents[2] / "portal" / "catalogue" / "data" / "taxonomy.json"

terms = sa.table(
    "taxonomy_terms",
    sa.column("id", sa.Integer), sa.column("vocabulary", sa.String),
    sa.column("code", sa.String), sa.column("position", sa.Integer),
)
labels = sa.table(
    "taxonomy_labels",
    sa.column("term_id", sa.Integer), sa.column("locale", sa.String), sa.column("label", sa.String),
)


def upgrade():
    connection = op.get_bind()
    data = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))
    for vocabulary, entries in data.items():
        for position, entry in enumerate(entries):
            exists = connection.execute(
                sa.select(terms.c.id).where(terms.c.vocabulary == vocabulary, terms.c.code == entry["code"])
            ).scalar()
            if exists is not None:
                continue
            connection.execute(terms.insert().values(vocabulary=vocabulary, code=entry["code"], position=position))
            term_id = connection.execute(
                sa.select(terms.c.id).where(terms.c.vocabulary == vocabulary, terms.c.code == entry["code"])
            ).scalar_one()
            connection.execute(labels.insert(), [
                {"term_id": term_id, "locale": locale, "label": text} for locale, text in entry["labels"].items()
            ])


def downgrade():
    """Terms in use by interventions cannot be removed; the data stays."""
