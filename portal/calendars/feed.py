"""The agent's subscribable calendar: ``/calendar/<secret>.ics``.

The secret in the URL is the only credential (calendar apps cannot sign in),
so it is long, random, per user, and can be replaced at any time. Only its
SHA-256 is stored: the URL is shown once, when it is made (like API tokens).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from portal.calendars.details import (
    Person,
    event_description,
    join_link,
    one_line,
    wording_of,
)
from portal.calendars.ics import IcsMethod, appointment_event, calendar_bytes
from portal.models import Appointment, Participant, ParticipantType, User, utcnow
from portal.tokens import hash_token

FEED_PAST = timedelta(days=30)
FEED_REFRESH = timedelta(minutes=15)
# A feed is a convenience view; a bound keeps one request from reading years of data.
FEED_MAX_EVENTS = 2000


# The calendar's UID (RFC 7986) is derived from its owner, so it is the same on every fetch.
FEED_UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:portal:agent-feed")

FEED_SECRET_BYTES = 24
MAX_FEED_SECRET_LENGTH = 64


def feed_user(session: Session, secret: str) -> User | None:
    """The active staff user this feed secret belongs to, or None."""
    if not secret or len(secret) > MAX_FEED_SECRET_LENGTH:
        return None
    user = session.scalar(select(User).where(User.calendar_secret_hash == hash_token(secret)))
    if user is None or not user.active or not user.is_staff:
        return None
    return user


def regenerate_calendar_secret(session: Session, user: User) -> str:
    """Give the user a new feed secret and return it (the old URL stops working).

    Only the hash is kept: show the returned secret now, it cannot be read back.
    """
    secret = secrets.token_urlsafe(FEED_SECRET_BYTES)
    user.calendar_secret_hash = hash_token(secret)
    session.flush()
    return secret


def feed_appointments(session: Session, user: User, now: datetime) -> list[Appointment]:
    """The user's appointments (organizer or joined agent) ending 30 days ago or later.

    Cancelled ones stay in, marked STATUS:CANCELLED, so subscribed calendars drop them.
    """
    joined = select(Participant.appointment_id).where(
        Participant.user_id == user.id, Participant.type == ParticipantType.AGENT
    )
    query = (
        select(Appointment)
        .where(
            or_(Appointment.organizer_id == user.id, Appointment.id.in_(joined)),
            Appointment.end_at >= now - FEED_PAST,
        )
        .options(
            selectinload(Appointment.participants),
            selectinload(Appointment.room_tickets),
            selectinload(Appointment.service),
            selectinload(Appointment.organizer),
        )
        .order_by(Appointment.start_at)
        .limit(FEED_MAX_EVENTS)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class FeedFile:
    """The feed's bytes and what a conditional GET compares them by."""

    body: bytes
    etag: str
    last_modified: datetime | None


def feed_uid(user: User) -> str:
    return str(uuid.uuid5(FEED_UID_NAMESPACE, str(user.id)))


def agent_feed(session: Session, user: User, *, now: datetime | None = None) -> FeedFile:
    """The agent's feed as an iCalendar file (METHOD:PUBLISH).

    Nothing in it depends on the moment of the fetch but which events the window
    holds: DTSTAMP is each appointment's last change, so an unchanged feed is the
    same bytes and a poll can be answered 304 by its ETag (a hash of them).
    """
    now = now or utcnow()
    appointments = feed_appointments(session, user, now)
    events = []
    for appointment in appointments:
        customers = ", ".join(
            one_line(p.full_name) or one_line(p.email) for p in appointment.customers
        )
        # The agent's feed reads in the agent's language, whatever the customer's.
        w = wording_of(appointment, user.locale)
        extra = [w.gettext("Customers: %(names)s", names=customers)] if customers else []
        if appointment.notes:
            extra.append(appointment.notes)
        description = event_description(
            appointment, join=join_link(appointment), manage=None, extra=extra, locale=user.locale
        )
        organizer = appointment.organizer
        events.append(
            appointment_event(
                appointment,
                organizer=Person(organizer.name, organizer.email),
                description=description,
                stamp=appointment.updated_at,
            )
        )
    body = calendar_bytes(
        events,
        method=IcsMethod.PUBLISH,
        name=f"Portal: {user.name}",
        uid=feed_uid(user),
        refresh_interval=FEED_REFRESH,
    )
    # What the file shows comes from these rows; the ETag covers anything else.
    rows = [user, *appointments, *(a.service for a in appointments)]
    rows += [a.organizer for a in appointments]
    changes = [row.updated_at for row in rows if row.updated_at is not None]
    return FeedFile(
        body=body,
        etag=hashlib.sha256(body).hexdigest(),
        last_modified=max(changes, default=None),
    )
