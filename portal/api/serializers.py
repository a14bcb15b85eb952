"""Model → JSON, in the API's one style: camelCase, UTC times with Z, ISO durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from portal.booking.questions import answers_by_id
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
        "cancelCutoff": _minutes_or_none(service.cancel_cutoff_minutes),
        "rescheduleCutoff": _minutes_or_none(service.reschedule_cutoff_minutes),
        "maxBookingsPerCustomer": service.max_bookings_per_customer,
        "maxPerAgentPerDay": service.max_per_agent_per_day,
        "questions": [dict(question) for question in service.questions or ()],
        "agentIds": [str(agent.id) for agent in agents],
        "agents": [
            {"id": str(agent.id), "name": agent.name, "timezone": agent.timezone}
            for agent in agents
        ],
    }


def _minutes_or_none(minutes: int | None) -> str | None:
    return None if minutes is None else format_duration(timedelta(minutes=minutes))


def slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "start": utc_z(slot.start),
        "end": utc_z(slot.end),
        "agentIds": [str(agent_id) for agent_id in slot.agent_ids],
        "remaining": slot.remaining,
    }


def _fast_utc_z(value: datetime) -> str:
    """``utc_z`` for the slot list: ``isoformat`` is several times faster than ``strftime``
    and gives the same text for the four-digit years slots have."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def slots_json_text(slots: list[Slot]) -> str:
    """The slot list as JSON text, as ``[slot_json(s) ...]`` would give, built cheaply.

    A month holds thousands of slots over a few dozen agent sets and instants that
    repeat (one slot's end is often the next one's start): each agent set and each
    instant is formatted once, and the text is joined without a JSON encoder pass
    (UUIDs, Z times and integers need no escaping).
    """
    times: dict[datetime, str] = {}
    # Agent sets are keyed by the identity of their ids: hashing a tuple of UUIDs calls
    # Python's UUID.__hash__ per element, and the computation hands out one id object
    # per agent. Every slot stays alive meanwhile, so no identity is reused; equal ids
    # that are other objects are only formatted twice.
    agent_sets: dict[tuple[int, ...], str] = {}
    quoted: dict[int, str] = {}
    parts = []
    for slot in slots:
        start = times.get(slot.start)
        if start is None:
            start = times[slot.start] = _fast_utc_z(slot.start)
        end = times.get(slot.end)
        if end is None:
            end = times[slot.end] = _fast_utc_z(slot.end)
        identity = tuple(map(id, slot.agent_ids))
        agents = agent_sets.get(identity)
        if agents is None:
            names = []
            for agent_id in slot.agent_ids:
                name = quoted.get(id(agent_id))
                if name is None:
                    name = quoted[id(agent_id)] = f'"{agent_id}"'
                names.append(name)
            agents = agent_sets[identity] = "[" + ",".join(names) + "]"
        parts.append(
            f'{{"start":"{start}","end":"{end}","agentIds":{agents},"remaining":{slot.remaining:d}}}'
        )
    return "[" + ",".join(parts) + "]"


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
        "answers": answers_by_id(appointment.answers),
        "cancellationReason": appointment.cancellation_reason,
    }
