"""Recording audit events from services."""

from __future__ import annotations

from typing import Any

from portal.extensions import db

# What an administrator reviews after a suspected break-in: who got in, who tried, and who
# changed the keys.
SECURITY_ACTIONS = ("login", "login_failed", "password_reset_requested", "set_password", "end_sessions",
                    "change_role", "activate", "deactivate")


def record(
    action: str,
    record_type: str,
    record_id: Any = None,
    *,
    actor: Any = None,
    organisation_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    from portal.audit.models import AuditEvent

    actor_id = getattr(actor, "id", None) if actor is not None else None
    db.session.add(
        AuditEvent(
            action=action,
            record_type=record_type,
            record_id=None if record_id is None else str(record_id),
            actor_id=actor_id,
            organisation_id=organisation_id,
            changes=changes or {},
        )
    )
