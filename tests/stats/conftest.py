"""Fixtures of the follow-up tests: the booking tests' region and logged-in clients."""

from tests.booking.conftest import client_for, region  # noqa: F401  (fixtures)
