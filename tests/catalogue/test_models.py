"""Constraints live in the database, not only in forms."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.catalogue.models import InterventionTranslation, Organisation, OrganisationKind
from portal.extensions import db


def assert_refused(statement_values):
    with pytest.raises(IntegrityError):
        db.session.execute(statement_values)
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "values",
    [
        {"capacity": -1, "places_available": 0},
        {"capacity": 5, "places_available": 6},
        {"capacity": 5, "places_available": -1},
        {"duration_weeks": 0},
        {"hours_per_week": 61},
        {"price_per_week_sek": -100},
    ],
)
def test_intervention_numbers_are_checked_by_the_database(make, values):
    intervention = make.intervention()
    table = type(intervention).__table__
    assert_refused(table.update().where(table.c.id == intervention.id).values(**values))


def test_municipality_code_is_unique(make):
    make.organisation(municipality_code="1290")
    with pytest.raises(IntegrityError):
        make.organisation(municipality_code="1290")
    db.session.rollback()


def test_a_kommun_needs_a_municipality_code(make):
    organisation = make.organisation()
    table = Organisation.__table__
    assert_refused(table.update().where(table.c.id == organisation.id).values(municipality_code=None))


def test_municipality_code_must_be_four_digits(app):
    with pytest.raises(ValueError):
        Organisation(name="X", kind=OrganisationKind.KOMMUN, municipality_code="12a4", slug="x",
                     booking_email="x@example.se")


def test_external_id_is_unique_per_organisation(make):
    organisation = make.organisation()
    make.intervention(organisation, external_id="A1")
    make.intervention(make.organisation(), external_id="A1")  # another organisation: fine
    with pytest.raises(IntegrityError):
        make.intervention(organisation, external_id="A1")
    db.session.rollback()


def test_swedish_is_the_source_text_not_a_translation(make):
    intervention = make.intervention()
    db.session.add(InterventionTranslation(intervention=intervention, locale="sv", title="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_optimistic_locking_refuses_a_stale_version(make, app):
    intervention = make.intervention()
    assert intervention.version == 1
    table = type(intervention).__table__
    db.session.execute(table.update().where(table.c.id == intervention.id).values(version=2))
    intervention.title = "Changed by someone holding version 1"
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()


def test_unit_falls_back_to_organisation_mailbox(make):
    organisation = make.organisation(booking_email="central@example.se")
    assert make.unit(organisation).effective_booking_email == "central@example.se"
    assert make.unit(organisation, booking_email="unit@example.se").effective_booking_email == "unit@example.se"


def test_intervention_is_stale_after_half_a_year(make):
    from datetime import timedelta

    from portal.timeutil import today

    assert not make.intervention(confirmed_on=today()).is_stale
    assert make.intervention(confirmed_on=today() - timedelta(days=200)).is_stale
