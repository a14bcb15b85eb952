"""Webhooks (Standard Webhooks): subscriptions, events written to the outbox, delivery.

Other domains call ``emit(session, event_type, data)`` after their writes and before
the request's one commit; the booking operations call ``emit_appointment``. The
``notifications send`` workers deliver (``portal.webhooks.delivery``). See
docs/webhooks.md.
"""

from portal.webhooks.emitting import emit, emit_appointment
from portal.webhooks.events import (
    APPOINTMENT_ACTIVATED,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_CREATED,
    APPOINTMENT_ENDED,
    APPOINTMENT_REASSIGNED,
    APPOINTMENT_RESCHEDULED,
    EVENT_TYPES,
    WAITLIST_OFFERED,
)

__all__ = [
    "APPOINTMENT_ACTIVATED",
    "APPOINTMENT_CANCELLED",
    "APPOINTMENT_CREATED",
    "APPOINTMENT_ENDED",
    "APPOINTMENT_REASSIGNED",
    "APPOINTMENT_RESCHEDULED",
    "EVENT_TYPES",
    "WAITLIST_OFFERED",
    "emit",
    "emit_appointment",
]
