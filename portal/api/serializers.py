"""Model → JSON, in the API's one style: camelCase, UTC times with Z, ISO durations."""

from __future__ import annotations

from datetime import date, timedelta
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


_EPOCH_DAY = date(1970, 1, 1)
_DAY_SECONDS = 86400


def slots_json_text(slots: list[Slot]) -> str:
    """The slot list as JSON text, as ``[slot_json(s) ...]`` would give, built cheaply.

    A month holds about a thousand slots on a few dozen days and times of day: each
    instant is written from its day's text and its time of day's text (both kept per
    call), straight from the slots' epoch seconds, and each agent id is formatted once.
    The text is joined without a JSON encoder pass (UUIDs, Z times and integers need
    no escaping).
    """
    days: dict[int, str] = {}
    clocks: dict[int, str] = {}
    # Keyed by identity: UUID.__hash__ is Python code, and the computation hands out
    # one id object per agent (equal ids that are other objects are formatted twice).
    quoted: dict[int, str] = {}
    parts = []
    for slot in slots:
        start_day, start_clock = divmod(slot.start_second, _DAY_SECONDS)
        end_day, end_clock = divmod(slot.end_second, _DAY_SECONDS)
        start_date = days.get(start_day) or _day_text(days, start_day)
        end_date = days.get(end_day) or _day_text(days, end_day)
        start_time = clocks.get(start_clock) or _clock_text(clocks, start_clock)
        end_time = clocks.get(end_clock) or _clock_text(clocks, end_clock)
        names = []
        for agent_id in slot.agent_ids:
            name = quoted.get(id(agent_id))
            if name is None:
                name = quoted[id(agent_id)] = f'"{agent_id}"'
            names.append(name)
        parts.append(
            f'{{"start":"{start_date}{start_time}","end":"{end_date}{end_time}",'
            f'"agentIds":[{",".join(names)}],"remaining":{slot.remaining:d}}}'
        )
    return "[" + ",".join(parts) + "]"


def _day_text(days: dict[int, str], day: int) -> str:
    """``utc_z``'s date part and the T for the day ``day`` days after 1970-01-01."""
    text = days[day] = f"{_EPOCH_DAY + timedelta(days=day):%Y-%m-%d}T"
    return text


def _clock_text(clocks: dict[int, str], second: int) -> str:
    """``utc_z``'s time part and the Z for ``second`` seconds after midnight."""
    text = clocks[second] = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
    return text


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
