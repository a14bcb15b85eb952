"""E-mails to the agents of an appointment: the organizer and agent participants (issue 18).

Each notice carries the invitation (METHOD:REQUEST, or CANCEL when the appointment is
cancelled or taken off the agent's calendar by a reassign) with the agent as ATTENDEE,
so their mail client keeps their calendar in step. Rows go through the outbox in the
same transaction as the change, with the invitation stored like every other notice
(docs/decisions.md, "Agent notices (issue 18)").

The texts are fixed here rather than admin templates: they are for staff, name the
customers and link to the agent's appointment page, never to the customer's manage link.
Dates and times are in the agent's own zone and locale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, UTC
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from portal.calendars.details import Person
from portal.calendars.ics import IcsMethod
from portal.domain.settings import settings_of
from portal.models import (
    Appointment,
    Channel,
    OutboxMessage,
    OutboxStatus,
    ParticipantType,
    User,
    normalize_email,
)
from portal.notifications.invitations import render_invitation
from portal.notifications.placeholders import one_line
from portal.notifications.rendering import time_values


class AgentNotice(StrEnum):
    """What happened, from the agent's side; the value is the outbox row's type."""

    CREATE = "AGENT_CREATE"
    RESCHEDULE = "AGENT_RESCHEDULE"
    CANCEL = "AGENT_CANCEL"
    ASSIGNED = "AGENT_ASSIGNED"  # reassigned to this agent
    UNASSIGNED = "AGENT_UNASSIGNED"  # reassigned away from this agent


AGENT_NOTICE_TYPES = tuple(kind.value for kind in AgentNotice)


@dataclass(frozen=True)
class _Wording:
    subject: str
    sentence: str
    method: IcsMethod


_WORDING = {
    AgentNotice.CREATE: _Wording(
        "New booking: {title} on {when}",
        '{customers} booked "{title}" with you for {when_long}.',
        IcsMethod.REQUEST,
    ),
    AgentNotice.RESCHEDULE: _Wording(
        "Moved: {title} to {when}",
        '"{title}" with {customers} has moved to {when_long}.',
        IcsMethod.REQUEST,
    ),
    AgentNotice.CANCEL: _Wording(
        "Cancelled: {title} on {when}",
        '"{title}" with {customers} on {when_long} has been cancelled.',
        IcsMethod.CANCEL,
    ),
    AgentNotice.ASSIGNED: _Wording(
        "Assigned to you: {title} on {when}",
        '"{title}" with {customers} on {when_long} is now yours (organizer: {organizer}).',
        IcsMethod.REQUEST,
    ),
    AgentNotice.UNASSIGNED: _Wording(
        "Reassigned: {title} on {when}",
        '"{title}" with {customers} on {when_long} was handed to {organizer}; '
        "it is off your calendar.",
        IcsMethod.CANCEL,
    ),
}
_SWITCH_OFF = "You get these e-mails because agent notices are on in your settings."


def agents_to_notify(appointment: Appointment) -> list[User]:
    """The organizer and agent participants who want notices, once each."""
    users: list[User] = []
    if appointment.organizer is not None:
        users.append(appointment.organizer)
    users += [
        participant.user
        for participant in appointment.participants
        if participant.type == ParticipantType.AGENT and participant.user is not None
    ]
    return _wanting(users)


def _wanting(users: Iterable[User]) -> list[User]:
    seen: set[object] = set()
    wanted = []
    for user in users:
        if user.id in seen or not user.active or not user.agent_notices or not user.email:
            continue
        seen.add(user.id)
        wanted.append(user)
    return wanted


def queue_agent_notices(
    session: Session,
    appointment: Appointment,
    kind: AgentNotice,
    *,
    now: datetime,
    users: Iterable[User] | None = None,
    reason: str | None = None,
) -> None:
    """One row per agent for this change (``users``: default, the appointment's agents)."""
    for user in _wanting(users) if users is not None else agents_to_notify(appointment):
        session.add(_row(session, appointment, kind, user, now, reason))


def _zone(user: User, appointment: Appointment) -> ZoneInfo:
    for name in (user.timezone, appointment.timezone, "UTC"):
        try:
            return ZoneInfo(name or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def _row(
    session: Session,
    appointment: Appointment,
    kind: AgentNotice,
    user: User,
    now: datetime,
    reason: str | None,
) -> OutboxMessage:
    settings = settings_of(session)
    wording = _WORDING[kind]
    zone = _zone(user, appointment)
    times = time_values(appointment.start_at, zone, user.locale)
    when = f"{times['dd-MM-yyyy']} {times['time24']} {times['zoneAbbr']}"
    customers = ", ".join(p.full_name for p in appointment.customers if p.full_name.strip())
    values = {
        "title": one_line(appointment.title or appointment.service.name),
        "when": when,
        "when_long": f"{times['dd-MM-yyyy']} at {times['time24']} {times['zoneAbbr']} ({zone.key})",
        "customers": one_line(customers) or "A customer",
        "organizer": one_line(appointment.organizer.name if appointment.organizer else ""),
    }
    page = settings.absolute_url(f"/agent/appointments/{appointment.id}")
    lines = [f"Hello {one_line(user.name)},", wording.sentence.format(**values)]
    if kind == AgentNotice.CANCEL and (reason or "").strip():
        lines.append(f"Reason: {reason.strip()}")
    if kind != AgentNotice.UNASSIGNED:
        lines.append(f"Details: {page}")
    lines += ["The calendar entry is attached.", _SWITCH_OFF]
    invitation = render_invitation(
        appointment,
        wording.method,
        attendee=Person(user.name, user.email),
        default_sender=settings.mail_default_sender,
        manage_link=None,  # the customer's link is theirs alone
        stamp=now,
    )
    return OutboxMessage(
        appointment_id=appointment.id,
        template_id=None,
        type=kind.value,
        channel=Channel.EMAIL,
        recipient=normalize_email(user.email),
        subject=one_line(wording.subject.format(**values))[:255],
        text_body="\n\n".join(lines),
        html_body=None,
        ics_method=wording.method.value,
        ics=invitation,
        sequence=appointment.sequence or 0,
        manage_link=None,
        schedule_start=appointment.start_at.astimezone(UTC),
        due_at=now,
        status=OutboxStatus.PENDING,
        attempts=0,
    )
