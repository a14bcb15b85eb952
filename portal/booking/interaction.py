"""The video call of an appointment: activate (open a room), join, end, eligibility.

``activate`` gives the appointment a room ticket whose URL is the configured
``VIDEO_URL_TEMPLATE`` with ``{ticket}`` replaced by an unguessable token, and sets
the interaction state to ACTIVE. Activating again while the ticket is valid
returns the same ticket, so an agent and an integration never open two rooms.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.booking import lifecycle
from portal.booking.errors import InvalidBooking
from portal.booking.lifecycle import ROOM_GRACE, Action, Actor
from portal.booking.operations import retire_room
from portal.domain.i18n import N_
from portal.domain.settings import settings_of
from portal.webhooks import events as webhook_events
from portal.webhooks import emit_appointment
from portal.models import (
    Appointment,
    AppointmentStatus,
    InteractionState,
    RoomTicket,
    utcnow,
)

TICKET_TYPE = "MULTI_USE_TICKET"
# Without an explicit timeFrame, "eligible" looks this far ahead.
DEFAULT_TIME_FRAME = timedelta(hours=1)
# Agents see a join button from this long before the start until the end.
JOIN_WINDOW = timedelta(minutes=15)


def new_ticket() -> str:
    # 128 random bits, lower-case letters and digits: safe in any room-name scheme.
    return secrets.token_hex(16)


def room_url(template: str, ticket: str) -> str:
    """``VIDEO_URL_TEMPLATE`` with ``{ticket}`` filled in."""
    # A plain replace: other braces in an operator's template are left alone.
    return template.replace("{ticket}", ticket)


def live_ticket(appointment: Appointment, *, now: datetime | None = None) -> RoomTicket | None:
    """The newest ticket that has not expired, if any."""
    now = now or utcnow()
    tickets = [t for t in appointment.room_tickets if t.expires_at is None or t.expires_at > now]
    return max(tickets, key=lambda t: t.created_at) if tickets else None


def activate(
    session: Session,
    appointment: Appointment,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> RoomTicket:
    """Open the video room: a ticket (url, type, expires) and interaction state ACTIVE."""
    now = now or utcnow()
    lifecycle.require(actor or lifecycle.SYSTEM, Action.ACTIVATE, appointment, now)
    ticket = live_ticket(appointment, now=now)
    if ticket is None:
        token = new_ticket()
        ticket = RoomTicket(
            url=room_url(settings_of(session).video_url_template, token),
            type=TICKET_TYPE,
            expires_at=appointment.end_at + ROOM_GRACE,
            created_at=now,
        )
        appointment.room_tickets.append(ticket)
    opened = appointment.interaction_state != InteractionState.ACTIVE
    appointment.interaction_state = InteractionState.ACTIVE
    session.flush()
    if opened:  # activating an open room again changes nothing: no second event
        emit_appointment(session, webhook_events.APPOINTMENT_ACTIVATED, appointment, now=now)
    return ticket


def end(
    session: Session,
    appointment: Appointment,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """End the call: interaction state ENDED, the appointment done, its tickets expired."""
    now = now or utcnow()
    lifecycle.require(actor or lifecycle.SYSTEM, Action.END, appointment, now)
    appointment.interaction_state = InteractionState.ENDED
    appointment.done = True
    retire_room(appointment, now)
    session.flush()
    emit_appointment(session, webhook_events.APPOINTMENT_ENDED, appointment, now=now)
    return appointment


def is_eligible(
    appointment: Appointment, *, now: datetime | None = None, window: timedelta = JOIN_WINDOW
) -> bool:
    """Scheduled, not yet activated (nor ended), starting within ``window`` and not over."""
    now = now or utcnow()
    return (
        appointment.status == AppointmentStatus.SCHEDULED
        and appointment.interaction_state == InteractionState.PENDING
        and appointment.start_at - window <= now < appointment.end_at
    )


def can_join(appointment: Appointment, *, now: datetime | None = None) -> bool:
    """Show a join button: the room is open, or it may be opened now."""
    now = now or utcnow()
    if appointment.status != AppointmentStatus.SCHEDULED:
        return False
    if appointment.interaction_state == InteractionState.ACTIVE:
        return live_ticket(appointment, now=now) is not None
    return is_eligible(appointment, now=now)


@dataclass(frozen=True)
class Eligible:
    appointment: Appointment
    eligible_from: datetime


def eligible(
    session: Session, time_frame: timedelta = DEFAULT_TIME_FRAME, *, now: datetime | None = None
) -> list[Eligible]:
    """Seed 001 ``eligible``: scheduled, not yet activated, starting within ``time_frame``.

    An appointment is eligible from ``start - time_frame`` until it ends; so this
    lists those with ``start <= now + time_frame`` that have not ended yet.
    """
    now = now or utcnow()
    if time_frame < timedelta(0):
        raise InvalidBooking(N_("The time frame cannot be negative."))
    rows = session.scalars(
        select(Appointment)
        .where(
            Appointment.status == AppointmentStatus.SCHEDULED,
            Appointment.interaction_state == InteractionState.PENDING,
            Appointment.start_at <= now + time_frame,
            Appointment.end_at > now,
        )
        .order_by(Appointment.start_at, Appointment.id)
        .options(selectinload(Appointment.room_tickets))
    ).all()
    return [Eligible(a, a.start_at - time_frame) for a in rows if not live_ticket(a, now=now)]


__all__ = [
    "DEFAULT_TIME_FRAME",
    "Eligible",
    "JOIN_WINDOW",
    "TICKET_TYPE",
    "activate",
    "can_join",
    "eligible",
    "end",
    "is_eligible",
    "live_ticket",
    "room_url",
]
