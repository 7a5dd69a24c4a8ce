"""Signals of the catalogue domain.

``interventions_changed`` is sent (inside the open transaction) by code that changes
interventions with a Core ``UPDATE`` the ORM does not see, such as the atomic update of
places available; the search domain listens and queues index jobs in that transaction.
ORM changes are picked up automatically and need no signal.
"""

from blinker import Namespace

_signals = Namespace()

interventions_changed = _signals.signal("interventions-changed")


def send_interventions_changed(*intervention_ids: int) -> None:
    interventions_changed.send(None, intervention_ids=list(intervention_ids))
