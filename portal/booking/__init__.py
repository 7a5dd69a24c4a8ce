"""Booking requests: a case officer asks the owning organisation for a place.

``models`` (requests, events, messages, notifications, reference counter), ``states``
(the lifecycle: one transitions table with who may make each), ``services`` (submit,
transition, message, purge), ``forms`` and ``views`` (the blueprint ``booking``).
"""
