"""The outbox: messages written in the same transaction as the change they announce.

Booking operations call ``queue_created`` / ``queue_rescheduled`` /
``queue_cancelled`` after their writes and before their single commit; these
functions only add and delete rows, never commit. The sender delivers the rows
later, so a mail server outage delays notices but never loses them.

Rules (docs/decisions.md, "Notifications"):
- Recipients are the CUSTOMER participants: EMAIL templates go to each distinct
  email address, SMS templates to each distinct phone number.
- REMINDER and ROOM rows are due at start − period, in absolute time. A
  REMINDER whose due time has already passed is not queued (the confirmation
  has just gone out); a late ROOM message is due at once if the appointment has
  not ended.
- A row is unique per (appointment, template, recipient, schedule_start). Queuing
  the same notice for the same schedule again refreshes the row (and resends it,
  for CREATE / RESCHEDULE / CANCEL); a REMINDER or ROOM already sent for that
  schedule is not queued twice.
- Nothing is queued for customers while ``appointment.notifications_active`` is
  off; stale reminders are still dropped on reschedule and cancel.
- The appointment's agents get their own notices (``agent_notices``), whatever
  ``notifications_active`` says: it is the customers' switch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, UTC

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, object_session

from portal.booking import links as booking_links
from portal.calendars.details import Person
from portal.calendars.ics import IcsMethod
from portal.domain.settings import settings_of
from portal.models import (
    Appointment,
    Channel,
    NotificationTemplate,
    OutboxMessage,
    OutboxStatus,
    Participant,
    TemplateType,
    User,
    normalize_email,
    utcnow,
)
from portal.notifications.agent_notices import AgentNotice, queue_agent_notices
from portal.notifications.invitations import render_invitation
from portal.notifications.placeholders import TIMED_TYPES, one_line
from portal.notifications.rendering import render_template

ICS_FOR = {
    TemplateType.CREATE: IcsMethod.REQUEST,
    TemplateType.RESCHEDULE: IcsMethod.REQUEST,
    TemplateType.CANCEL: IcsMethod.CANCEL,
}
TIMED_TYPE_NAMES = tuple(t.value for t in TIMED_TYPES)

MessageKey = tuple[object, str, datetime | None]


def queue_created(appointment: Appointment, *, now: datetime | None = None) -> None:
    """CREATE notices now, and the REMINDER / ROOM messages for the start."""
    _notify_agents(appointment, AgentNotice.CREATE, now)
    if not appointment.notifications_active:
        return
    writer = _Writer(appointment, now)
    writer.notices(TemplateType.CREATE, (Channel.EMAIL, Channel.SMS))
    writer.timed()


def queue_rescheduled(appointment: Appointment, *, now: datetime | None = None) -> None:
    """RESCHEDULE notices; pending reminders move to the new start."""
    drop_pending_timed(appointment)
    _notify_agents(appointment, AgentNotice.RESCHEDULE, now)
    if not appointment.notifications_active:
        return
    writer = _Writer(appointment, now)
    writer.notices(TemplateType.RESCHEDULE, (Channel.EMAIL, Channel.SMS))
    writer.timed()


def queue_cancelled(
    appointment: Appointment,
    message: str | None = None,
    *,
    email: bool = True,
    sms: bool = False,
    now: datetime | None = None,
) -> None:
    """CANCEL notices on the channels asked for; pending reminders are dropped.

    ``message`` (e.g. a time-off ``cancelMessage``) is put before the template's text.
    """
    drop_pending_timed(appointment)
    _notify_agents(appointment, AgentNotice.CANCEL, now, reason=appointment.cancellation_reason)
    if not appointment.notifications_active:
        return
    channels = [
        channel for channel, wanted in ((Channel.EMAIL, email), (Channel.SMS, sms)) if wanted
    ]
    _Writer(appointment, now).notices(TemplateType.CANCEL, channels, preface=message)


def queue_reassigned(
    appointment: Appointment, previous_organizer: User | None, *, now: datetime | None = None
) -> None:
    """The old organizer's CANCEL, the new one's REQUEST, an update for the other agents.

    Customers get nothing: their appointment keeps its time and place.
    """
    session = _session(appointment)
    now = now or utcnow()
    if previous_organizer is not None and previous_organizer.id != appointment.organizer_id:
        queue_agent_notices(
            session, appointment, AgentNotice.UNASSIGNED, now=now, users=[previous_organizer]
        )
    queue_agent_notices(session, appointment, AgentNotice.ASSIGNED, now=now)


def _notify_agents(
    appointment: Appointment, kind: AgentNotice, now: datetime | None, reason: str | None = None
) -> None:
    session = _session(appointment)
    if appointment.id is None:
        session.flush()
    queue_agent_notices(session, appointment, kind, now=now or utcnow(), reason=reason)


def drop_pending_timed(appointment: Appointment) -> None:
    """Delete the REMINDER / ROOM rows of this appointment that have not gone out."""
    if appointment.id is None:
        return
    _session(appointment).execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.appointment_id == appointment.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.type.in_(TIMED_TYPE_NAMES),
        )
        .execution_options(synchronize_session="fetch")
    )


def queue_email(
    recipient: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    *,
    kind: str,
    now: datetime | None = None,
    session: Session,
) -> OutboxMessage:
    """A one-off email with no appointment (e.g. a sender verification code), in ``session``."""
    message = OutboxMessage(
        type=kind,
        channel=Channel.EMAIL,
        recipient=normalize_email(recipient),
        subject=one_line(subject)[:255],
        text_body=text_body,
        html_body=html_body,
        due_at=now or utcnow(),
        status=OutboxStatus.PENDING,
        attempts=0,
    )
    session.add(message)
    return message


def choose_templates(
    templates: Iterable[NotificationTemplate],
    type: TemplateType,
    channel: Channel,
    locale: str | None,
    service_locale: str | None = None,
) -> list[NotificationTemplate]:
    """The active templates to use: per period, the one whose locale fits best."""
    groups: dict[int | None, list[NotificationTemplate]] = {}
    for template in templates:
        if template.active and template.type == type and template.channel == channel:
            groups.setdefault(template.period_seconds, []).append(template)
    chosen = []
    for period in sorted(groups, key=lambda value: value or 0):
        ranked = sorted(
            groups[period],
            key=lambda t: (_locale_rank(t.locale, locale, service_locale), str(t.id)),
        )
        chosen.append(ranked[0])
    return chosen


def _locale_key(value: str | None) -> str:
    return (value or "").replace("-", "_").lower()


def _locale_rank(
    template_locale: str | None, wanted: str | None, service_locale: str | None
) -> int:
    have, want = _locale_key(template_locale), _locale_key(wanted)
    if have == want:
        return 0
    if have.split("_")[0] == want.split("_")[0]:
        return 1
    if have == _locale_key(service_locale):
        return 2
    return 3 if have.split("_")[0] == "en" else 4


def recipients(appointment: Appointment, channel: Channel) -> list[tuple[Participant, str]]:
    """Each customer's address on this channel, once per distinct address."""
    seen: set[str] = set()
    found = []
    for participant in appointment.customers:
        if channel == Channel.EMAIL:
            address = normalize_email(participant.email) if participant.email else ""
        else:
            address = (participant.phone or "").strip()
        if address and address not in seen:
            seen.add(address)
            found.append((participant, address))
    return found


def _session(appointment: Appointment) -> Session:
    session = object_session(appointment)
    if session is None:
        raise RuntimeError("Add the appointment to a session before queuing its notices.")
    return session


class _Writer:
    """Adds one appointment's rows, refreshing any that exist for the same key."""

    def __init__(self, appointment: Appointment, now: datetime | None) -> None:
        self.session = _session(appointment)
        if appointment.id is None:
            self.session.flush()
        self.appointment = appointment
        self.now = now or utcnow()
        self.templates = list(
            self.session.scalars(
                select(NotificationTemplate).where(
                    NotificationTemplate.service_id == appointment.service_id,
                    NotificationTemplate.active.is_(True),
                )
            )
        )
        self._existing: dict[MessageKey, OutboxMessage] | None = None
        self._manage: str | None = None

    @property
    def manage(self) -> str:
        """One new manage link for every row this writer puts (docs/decisions.md, issue 13)."""
        if self._manage is None:
            self._manage = booking_links.mint_manage_url(
                self.session, self.appointment, now=self.now
            )
        return self._manage

    def existing(self) -> dict[MessageKey, OutboxMessage]:
        if self._existing is None:
            rows = self.session.scalars(
                select(OutboxMessage).where(OutboxMessage.appointment_id == self.appointment.id)
            )
            self._existing = {(r.template_id, r.recipient, r.schedule_start): r for r in rows}
        return self._existing

    def _templates(self, type: TemplateType, channel: Channel) -> list[NotificationTemplate]:
        return choose_templates(
            self.templates, type, channel, self.appointment.locale, self.appointment.service.locale
        )

    def notices(
        self, type: TemplateType, channels: Iterable[Channel], preface: str | None = None
    ) -> None:
        for channel in channels:
            for template in self._templates(type, channel):
                for participant, address in recipients(self.appointment, channel):
                    ics = ICS_FOR[type] if channel == Channel.EMAIL else None
                    self._put(template, participant, address, self.now, ics, preface)

    def timed(self) -> None:
        start, end = self.appointment.start_at, self.appointment.end_at
        for type in (TemplateType.REMINDER, TemplateType.ROOM):
            for channel in (Channel.EMAIL, Channel.SMS):
                for template in self._templates(type, channel):
                    due = start - timedelta(seconds=template.period_seconds or 0)
                    if due < self.now:
                        if type == TemplateType.REMINDER or end <= self.now:
                            continue
                        due = self.now  # the room link is still worth sending
                    for participant, address in recipients(self.appointment, channel):
                        self._put(template, participant, address, due, None, None)

    def _put(
        self,
        template: NotificationTemplate,
        participant: Participant,
        address: str,
        due_at: datetime,
        ics: IcsMethod | None,
        preface: str | None,
    ) -> None:
        schedule_start = self.appointment.start_at.astimezone(UTC)
        key = (template.id, address, schedule_start)
        row = self.existing().get(key)
        if row is not None and template.type in TIMED_TYPES and row.status != OutboxStatus.PENDING:
            return  # this schedule has had its reminder
        # Rendered before the row exists: rendering may load data, which autoflushes.
        rendered = render_template(
            template, self.appointment, participant, manage=self.manage, preface=preface
        )
        # The invitation from the same snapshot as the text: sent as it is, however late.
        invitation = (
            render_invitation(
                self.appointment,
                ics,
                attendee=Person(participant.full_name, address),
                default_sender=settings_of(self.session).mail_default_sender,
                manage_link=self.manage,
                stamp=self.now,
            )
            if ics is not None
            else None
        )
        fields = dict(
            type=template.type.value,
            channel=template.channel,
            subject=rendered.subject,
            text_body=rendered.text_body,
            html_body=rendered.html_body if template.channel == Channel.EMAIL else None,
            ics_method=ics.value if ics else None,
            ics=invitation,
            sequence=(self.appointment.sequence or 0) if ics is not None else None,
            manage_link=self.manage,
            due_at=due_at,
            status=OutboxStatus.PENDING,
            attempts=0,
            last_error=None,
            sent_at=None,
        )
        if row is None:
            row = OutboxMessage(
                appointment_id=self.appointment.id,
                template_id=template.id,
                recipient=address,
                schedule_start=schedule_start,
                **fields,
            )
            self.session.add(row)
            self.existing()[key] = row
        else:
            for name, value in fields.items():
                setattr(row, name, value)
