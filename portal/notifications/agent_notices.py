"""E-mails to the agents of an appointment: the organizer and agent participants (issue 18).

Each notice carries the invitation (METHOD:REQUEST, or CANCEL when the appointment is
cancelled or taken off the agent's calendar by a reassign) with the agent as ATTENDEE,
so their mail client keeps their calendar in step. Rows go through the outbox in the
same transaction as the change, with the invitation stored like every other notice
(docs/decisions.md, "Agent notices (issue 18)").

The texts are fixed here rather than admin templates: they are for staff, name the
customers and link to the agent's appointment page, never to the customer's manage link.
Dates, times and wording are in the agent's own zone and locale.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from portal.notifications.language import Wording, wording_in
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


_METHOD = {
    AgentNotice.CREATE: IcsMethod.REQUEST,
    AgentNotice.RESCHEDULE: IcsMethod.REQUEST,
    AgentNotice.CANCEL: IcsMethod.CANCEL,
    AgentNotice.ASSIGNED: IcsMethod.REQUEST,
    AgentNotice.UNASSIGNED: IcsMethod.CANCEL,
}


def _subject_and_sentence(w: Wording, kind: AgentNotice, values: dict[str, str]) -> tuple[str, str]:
    """The notice's subject and its one sentence, in the agent's language."""
    if kind == AgentNotice.CREATE:
        return (
            w.gettext("New booking: %(title)s on %(when)s", **values),
            w.gettext('%(customers)s booked "%(title)s" with you for %(when_long)s.', **values),
        )
    if kind == AgentNotice.RESCHEDULE:
        return (
            w.gettext("Moved: %(title)s to %(when)s", **values),
            w.gettext('"%(title)s" with %(customers)s has moved to %(when_long)s.', **values),
        )
    if kind == AgentNotice.CANCEL:
        return (
            w.gettext("Cancelled: %(title)s on %(when)s", **values),
            w.gettext(
                '"%(title)s" with %(customers)s on %(when_long)s has been cancelled.', **values
            ),
        )
    if kind == AgentNotice.ASSIGNED:
        return (
            w.gettext("Assigned to you: %(title)s on %(when)s", **values),
            w.gettext(
                '"%(title)s" with %(customers)s on %(when_long)s is now yours '
                "(organizer: %(organizer)s).",
                **values,
            ),
        )
    return (
        w.gettext("Reassigned: %(title)s on %(when)s", **values),
        w.gettext(
            '"%(title)s" with %(customers)s on %(when_long)s was handed to %(organizer)s; '
            "it is off your calendar.",
            **values,
        ),
    )


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
    method = _METHOD[kind]
    w = wording_in(session, user.locale)
    zone = _zone(user, appointment)
    times = time_values(appointment.start_at, zone, user.locale)
    customers = ", ".join(p.full_name for p in appointment.customers if p.full_name.strip())
    values = {
        "title": one_line(appointment.title or appointment.service.name),
        # Staff notices keep the numeric date and 24-hour time in every language.
        "when": f"{times['dd-MM-yyyy']} {times['time24']} {times['zoneAbbr']}",
        "when_long": w.gettext(
            "%(date)s at %(time)s %(zone_abbr)s (%(zone)s)",
            date=times["dd-MM-yyyy"],
            time=times["time24"],
            zone_abbr=times["zoneAbbr"],
            zone=zone.key,
        ),
        "customers": one_line(customers) or w.gettext("A customer"),
        "organizer": one_line(appointment.organizer.name if appointment.organizer else ""),
    }
    subject, sentence = _subject_and_sentence(w, kind, values)
    page = settings.absolute_url(f"/agent/appointments/{appointment.id}")
    lines = [w.gettext("Hello %(name)s,", name=one_line(user.name)), sentence]
    if kind == AgentNotice.CANCEL and (reason or "").strip():
        lines.append(w.gettext("Reason: %(reason)s", reason=reason.strip()))
    if kind != AgentNotice.UNASSIGNED:
        lines.append(w.gettext("Details: %(link)s", link=page))
    lines += [
        w.gettext("The calendar entry is attached."),
        w.gettext("You get these e-mails because agent notices are on in your settings."),
    ]
    invitation = render_invitation(
        appointment,
        method,
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
        subject=one_line(subject)[:255],
        text_body="\n\n".join(lines),
        html_body=None,
        ics_method=method.value,
        ics=invitation,
        sequence=appointment.sequence or 0,
        manage_link=None,
        schedule_start=appointment.start_at.astimezone(UTC),
        due_at=now,
        status=OutboxStatus.PENDING,
        attempts=0,
    )
