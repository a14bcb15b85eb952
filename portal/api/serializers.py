"""Model → JSON, in the API's one style: camelCase, UTC times with Z, ISO durations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from portal.isoduration import format_duration
from portal.models import Appointment, Participant, RoomTicket, Service
from portal.representation import activation_json, utc_z
from portal.scheduling import Slot

__all__ = [
    "activation_json",
    "customer_appointment_json",
    "customer_participant_json",
    "service_json",
    "slot_json",
    "utc_z",
]


def service_json(service: Service) -> dict[str, Any]:
    agents = [agent for agent in service.agents if agent.active]
    return {
        "id": str(service.id),
        "slug": service.slug,
        "name": service.name,
        "description": service.description,
        "duration": format_duration(service.duration),
        "slotInterval": format_duration(service.slot_interval),
        "bufferBefore": format_duration(timedelta(minutes=service.buffer_before_minutes)),
        "bufferAfter": format_duration(timedelta(minutes=service.buffer_after_minutes)),
        "minimumNotice": format_duration(timedelta(minutes=service.minimum_notice_minutes)),
        "horizonDays": service.horizon_days,
        "capacity": service.capacity,
        "timezone": service.timezone,
        "locale": service.locale,
        "active": service.active,
        "agentIds": [str(agent.id) for agent in agents],
        "agents": [
            {"id": str(agent.id), "name": agent.name, "timezone": agent.timezone}
            for agent in agents
        ],
    }


def slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "start": utc_z(slot.start),
        "end": utc_z(slot.end),
        "agentIds": [str(agent_id) for agent_id in slot.agent_ids],
        "remaining": slot.remaining,
    }


# --- the customer's view of an appointment ----------------------------------------------------
# What a customer reads about their own booking (docs/decisions.md, "Organizers and the
# customer's view"): their times, the service, status, title, the agent's display name,
# their own participant entry and the video link while the room is open. Never notes,
# metadata, custom fields, the reference, notification templates, nor a staff e-mail or id.


def customer_participant_json(participant: Participant) -> dict[str, Any]:
    return {
        "id": str(participant.id),
        "type": participant.type.value,
        "name": {"firstName": participant.first_name, "lastName": participant.last_name},
        "contact": {"primaryEmail": participant.email, "primaryPhone": participant.phone},
    }


def customer_appointment_json(
    appointment: Appointment,
    own: list[Participant],
    room: RoomTicket | None,
) -> dict[str, Any]:
    """``own``: the customer's participant entries; ``room``: the live ticket, if any."""
    return {
        "id": str(appointment.id),
        "serviceId": str(appointment.service_id),
        "serviceName": appointment.service.name,
        "status": appointment.status.value,
        "title": appointment.title,
        "start": utc_z(appointment.start_at),
        "end": utc_z(appointment.end_at),
        "duration": format_duration(appointment.duration),
        "timezone": appointment.timezone,
        "locale": appointment.locale,
        "interaction": {"state": appointment.interaction_state.value},
        "agent": {"name": appointment.organizer.name if appointment.organizer else ""},
        "participants": [customer_participant_json(p) for p in own],
        "room": activation_json(room) if room is not None else None,
        "cancellationReason": appointment.cancellation_reason,
    }
