"""The booking tests' helpers (they are moving from the booking conftest to its helpers module)."""

try:
    from tests.booking.helpers import form_key, new_request, only_request, submit_request
except ImportError:  # pragma: no cover - the layout before the move
    from tests.booking.conftest import form_key, new_request, only_request, submit_request  # type: ignore

__all__ = ["form_key", "new_request", "only_request", "submit_request"]
