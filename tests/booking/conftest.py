"""Fixtures of the booking tests: the Skåne Nordost story, logged-in clients, a real SMTP server."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role, User
from tests import factories
from tests.booking.helpers import Region, SmtpServer, free_port


@pytest.fixture
def region(make) -> Region:
    bromolla = make.organisation(name="Bromölla kommun", municipality_code="1272", slug="bromolla",
                                 booking_email="arbetsmarknad@bromolla.example.se")
    hassleholm = make.organisation(name="Hässleholms kommun", municipality_code="1293", slug="hassleholm",
                                   booking_email="arbetsmarknad@hassleholm.example.se")
    osby = make.organisation(name="Osby kommun", municipality_code="1273", slug="osby",
                             booking_email="arbetsmarknad@osby.example.se")
    unit = make.unit(hassleholm, name="Cykelverkstaden", booking_email="cykelverkstaden@hassleholm.example.se")
    intervention = make.intervention(
        hassleholm, unit=unit, title="Arbetsträning i cykelverkstad", capacity=6, places_available=2,
        referrers=("socialtjansten", "arbetsformedlingen"),
    )
    return Region(
        bromolla=bromolla, hassleholm=hassleholm, osby=osby, cykel_unit=unit, intervention=intervention,
        caseworker=make.user(Role.CASEWORKER, bromolla, name="Karin Handläggare", locale="en"),
        hassleholm_editor=make.user(Role.EDITOR, hassleholm, name="Erik Redaktör"),
        osby_editor=make.user(Role.EDITOR, osby, name="Olle Osby"),
        bromolla_editor=make.user(Role.EDITOR, bromolla, name="Berit Bromölla"),
    )


@pytest.fixture
def client_for(app, no_csrf):
    """``client_for(user)``: a test client of its own, logged in as ``user``."""

    def logged_in(user: User):
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return logged_in


# ------------------------------------------------------------------------------ SMTP


@pytest.fixture
def smtp_port(app) -> int:
    """A loopback port the portal sends mail to (nothing listens until a server starts)."""
    port = free_port()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_USERNAME="")
    return port


@pytest.fixture
def smtp_server(smtp_port):
    server = SmtpServer(smtp_port)
    server.start()
    yield server.handler
    server.stop()


@pytest.fixture
def smtp_later(smtp_port):
    """An SMTP server that is down until the test calls ``.start()``."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


# ------------------------------------------------------------------------------ shortcuts


