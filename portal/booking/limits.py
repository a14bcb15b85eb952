"""Booking limits of a service (issue 18): per customer and per agent and day.

- ``max_bookings_per_customer``: how many scheduled, future appointments of the
  service one e-mail address may hold. Reached: that customer's slot lists are empty
  (when the portal knows who asks: a signed-in customer, a customer bearer) and their
  booking is refused (``Conflict``). An anonymous slot list cannot know and shows every
  slot; the booking (and already the hold, once the e-mail is given) is refused.
- ``max_per_agent_per_day``: how many scheduled appointments of the service one agent
  takes on one local day (the agent's time zone). Reached: that agent's slots of that
  day leave every slot list (``full_days``, fed to the availability rules), and a
  booking of one is refused with a sentence that says why.

Customers are always bound; staff and integrations are bound unless they book with
``override_limits`` (``lifecycle.limits_bind``). The checks run in the booking's
transaction after its locks, so two concurrent bookings cannot both pass a limit.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.domain.errors import Conflict
from portal.domain.i18n import N_
from portal.models import (
    Appointment,
    AppointmentStatus,
    Participant,
    ParticipantType,
    Service,
    normalize_email,
)

LIMIT_CODE = "conflict"


def full_days(
    session: Session,
    service: Service,
    agent_zones: dict[uuid.UUID, str],
    start: datetime,
    end: datetime,
    *,
    exclude_appointment_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, frozenset[date]]:
    """Per agent, the local dates in [start, end) on which the daily limit is reached.

    ``exclude_appointment_id`` (an appointment being moved) does not count.
    """
    limit = service.max_per_agent_per_day
    if not limit or not agent_zones:
        return {}
    query = select(Appointment.organizer_id, Appointment.start_at).where(
        Appointment.service_id == service.id,
        Appointment.status == AppointmentStatus.SCHEDULED,
        Appointment.organizer_id.in_(list(agent_zones)),
        Appointment.start_at >= start,
        Appointment.start_at < end,
    )
    if exclude_appointment_id is not None:
        query = query.where(Appointment.id != exclude_appointment_id)
    counts: Counter[tuple[uuid.UUID, date]] = Counter()
    zones = {agent_id: ZoneInfo(name) for agent_id, name in agent_zones.items()}
    for organizer_id, start_at in session.execute(query):
        counts[(organizer_id, start_at.astimezone(zones[organizer_id]).date())] += 1
    full: dict[uuid.UUID, set[date]] = {}
    for (agent_id, day), count in counts.items():
        if count >= limit:
            full.setdefault(agent_id, set()).add(day)
    return {agent_id: frozenset(days) for agent_id, days in full.items()}


def day_limit_refusal(service: Service, agent_name: str, day: date) -> Conflict:
    values = {
        "agent": agent_name,
        "count": service.max_per_agent_per_day,
        "service": service.name,
        "day": day.isoformat(),
    }
    if service.max_per_agent_per_day == 1:
        return Conflict(
            N_(
                "%(agent)s takes at most 1 %(service)s appointment a day, and %(day)s is full. "
                "Please pick another day.",
                **values,
            )
        )
    return Conflict(
        N_(
            "%(agent)s takes at most %(count)s %(service)s appointments a day, and %(day)s is "
            "full. Please pick another day.",
            **values,
        )
    )


def customer_bookings(session: Session, service: Service, email: str, now: datetime) -> int:
    """Scheduled appointments of ``service`` still to come where ``email`` is a customer."""
    return (
        session.scalar(
            select(func.count(func.distinct(Appointment.id)))
            .join(Participant, Participant.appointment_id == Appointment.id)
            .where(
                Appointment.service_id == service.id,
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.start_at > now,
                Participant.type == ParticipantType.CUSTOMER,
                Participant.email == normalize_email(email),
            )
        )
        or 0
    )


def customer_limit_refusal(
    session: Session, service: Service, email: str | None, now: datetime
) -> Conflict | None:
    """Why ``email`` may not book ``service`` again now, if its limit is reached."""
    limit = service.max_bookings_per_customer
    if not limit or not email:
        return None
    if customer_bookings(session, service, email, now) < limit:
        return None
    if limit == 1:
        message = N_(
            "You already have 1 upcoming %(service)s appointment, the most one person may book. "
            "Cancel one to book another, or contact us.",
            service=service.name,
        )
    else:
        message = N_(
            "You already have %(count)s upcoming %(service)s appointments, the most one person "
            "may book. Cancel one to book another, or contact us.",
            count=limit,
            service=service.name,
        )
    return Conflict(message, "email")


def check_customer_limit(
    session: Session, service: Service, email: str | None, now: datetime
) -> None:
    refusal = customer_limit_refusal(session, service, email, now)
    if refusal is not None:
        raise refusal


def customer_lock_name(service: Service, email: str) -> str:
    """The advisory lock two bookings of one customer for one service share."""
    return f"customer-limit:{service.id}:{normalize_email(email)}"


__all__ = [
    "check_customer_limit",
    "customer_bookings",
    "customer_limit_refusal",
    "customer_lock_name",
    "day_limit_refusal",
    "full_days",
]
