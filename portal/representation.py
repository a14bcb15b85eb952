"""The staff view of an appointment as JSON, in the API's one style.

camelCase, UTC times with ``Z``, ISO 8601 durations. The API answers with it and
webhooks carry it as their ``data`` (docs/webhooks.md), so an integration reads one
shape whichever way an appointment reaches it. No Flask here: the outbox builds
webhook payloads inside the domain's unit of work.
"""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from typing import Any

from portal.isoduration import format_duration
from portal.models import Appointment, NotificationTemplate, Participant, RoomTicket


def utc_z(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def activation_json(ticket: RoomTicket) -> dict[str, Any]:
    return {
        "expires": utc_z(ticket.expires_at) if ticket.expires_at else None,
        "type": ticket.type,
        "url": ticket.url,
    }


def participant_json(participant: Participant) -> dict[str, Any]:
    """Seed 001 GetParticipantDetailsResponse (plus userId and organizer for agents)."""
    return {
        "id": str(participant.id),
        "type": participant.type.value,
        "name": {"firstName": participant.first_name, "lastName": participant.last_name},
        "contact": {"primaryEmail": participant.email, "primaryPhone": participant.phone},
        "username": participant.username,
        "metadata": participant.metadata_ or {},
        "customerReference": participant.reference,
        "userId": str(participant.user_id) if participant.user_id else None,
        "organizer": participant.is_organizer,
    }


def notification_ref_json(template: NotificationTemplate) -> dict[str, Any]:
    """What an appointment says about one of its notifications: which template, when."""
    item: dict[str, Any] = {
        "id": str(template.id),
        "channel": template.channel.value,
        "type": template.type.value,
    }
    if template.period_seconds is not None:
        item["period"] = format_duration(timedelta(seconds=template.period_seconds))
    return item


def notification_json(template: NotificationTemplate) -> dict[str, Any]:
    """The template in full: the reference plus its bodies (and subject, for e-mail)."""
    item = notification_ref_json(template)
    item["textBody"] = template.text_body
    if template.channel.value == "EMAIL":
        item["subject"] = template.subject
        item["htmlBody"] = template.html_body
    return item


def active_notifications(appointment: Appointment) -> list[NotificationTemplate]:
    return [t for t in appointment.service.templates if t.active]


def appointment_json(appointment: Appointment) -> dict[str, Any]:
    """Seed 001 GetAppointmentResponse plus serviceId, status, reference (and seed 003 dates)."""
    return appointment_json_with(
        appointment, [notification_json(t) for t in active_notifications(appointment)]
    )


def appointment_json_with(
    appointment: Appointment, notifications: list[dict[str, Any]]
) -> dict[str, Any]:
    """The appointment with ``notifications`` as given (in full, or references in a list)."""
    # Imported here: the booking operations emit webhooks built with this function.
    from portal.booking.interaction import live_ticket
    from portal.booking.questions import answers_by_id

    ticket = live_ticket(appointment)
    return {
        "id": str(appointment.id),
        "serviceId": str(appointment.service_id),
        "reference": appointment.reference,
        "status": appointment.status.value,
        "title": appointment.title,
        "notes": appointment.notes,
        "start": utc_z(appointment.start_at),
        "end": utc_z(appointment.end_at),
        "duration": format_duration(appointment.duration),
        "timezone": appointment.timezone,
        "locale": appointment.locale,
        "interaction": {
            "customFields": appointment.custom_fields or {},
            "routing": appointment.routing or None,
            "state": appointment.interaction_state.value,
        },
        "metadata": appointment.metadata_ or {},
        "notificationsActive": appointment.notifications_active,
        "notifications": notifications,
        "organizer": {
            "id": str(appointment.organizer_id),
            "type": "AGENT",
            "employeeReference": appointment.organizer.reference,
        },
        "participantIds": [
            {"id": str(p.id), "type": p.type.value} for p in appointment.participants
        ],
        "room": activation_json(ticket) if ticket is not None else None,
        "done": appointment.done,
        "answers": answers_by_id(appointment.answers),
        "cancellationReason": appointment.cancellation_reason,
        "dateCreated": utc_z(appointment.created_at),
        "lastUpdated": utc_z(appointment.updated_at),
    }
