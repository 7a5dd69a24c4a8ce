"""Fixtures of the follow-up tests: the booking tests' region and clients, and a planned history."""

from datetime import datetime

import pytest

from portal.booking.models import HOME_OTHER
from tests.booking.conftest import client_for, region  # noqa: F401  (fixtures)
from tests.stats import history

START = datetime(2026, 1, 1)


@pytest.fixture
def planned(region, make):  # noqa: F811  (the region fixture, imported above)
    """160 requests to three owners (two types) from residents of four places."""
    bromolla_course = make.intervention(region.bromolla, type_code="utbildning")
    osby_practice = make.intervention(region.osby, type_code="praktik")
    interventions = [(region.intervention, "1293", "arbetstraning"), (bromolla_course, "1272", "utbildning"),
                     (osby_practice, "1273", "praktik")]
    plans = history.plan_history(interventions, ["1272", "1293", "1273", HOME_OTHER, None], count=160,
                                 start=START, days=180)
    history.store(plans, requester_organisation_id=region.bromolla.id)
    return plans
