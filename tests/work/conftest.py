"""The landing page's tests use the booking tests' region and clients."""

from tests.booking.conftest import client_for, region  # noqa: F401  (fixtures)
