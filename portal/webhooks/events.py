"""The event types a webhook subscription may ask for (docs/webhooks.md)."""

from __future__ import annotations

APPOINTMENT_CREATED = "appointment.created"
APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
APPOINTMENT_REASSIGNED = "appointment.reassigned"
APPOINTMENT_CANCELLED = "appointment.cancelled"
APPOINTMENT_ACTIVATED = "appointment.activated"
APPOINTMENT_ENDED = "appointment.ended"
WAITLIST_OFFERED = "waitlist.offered"

EVENT_TYPES: tuple[str, ...] = (
    APPOINTMENT_CREATED,
    APPOINTMENT_RESCHEDULED,
    APPOINTMENT_REASSIGNED,
    APPOINTMENT_CANCELLED,
    APPOINTMENT_ACTIVATED,
    APPOINTMENT_ENDED,
    WAITLIST_OFFERED,
)
