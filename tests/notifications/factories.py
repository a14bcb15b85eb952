"""Appointments built straight from the models, as the booking module would leave them."""

from __future__ import annotations

import email
import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import Message

import pytest

from portal.booking import links
from portal.extensions import db
from portal.models import (
    Appointment,
    Participant,
    ParticipantType,
    Role,
    RoomTicket,
    Service,
    User,
)
from portal.notifications.defaults import add_default_templates

_counter = itertools.count()

MANAGE_PREFIX = "https://portal.test/manage/"


@pytest.fixture
def fake_manage_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """A predictable manage URL in queued messages, whatever state the manage page is in."""
    monkeypatch.setattr(
        links,
        "mint_manage_url",
        lambda _session, appointment, now=None: f"{MANAGE_PREFIX}{appointment.id}",
    )


def make_agent(
    name: str = "Dana Agent",
    email_address: str | None = None,
    tz: str = "Europe/Berlin",
    *,
    agent_notices: bool = False,
) -> User:
    """An agent; with agent notices off unless asked, so tests of the customers' mail
    count only theirs (the agents' own are tested in test_agent_notices.py)."""
    n = next(_counter)
    user = User(
        email=email_address or f"agent{n}@example.com",
        name=name,
        role=Role.AGENT,
        timezone=tz,
        agent_notices=agent_notices,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_service(
    *, templates: bool = True, tz: str = "Europe/Berlin", name: str = "Video consultation"
) -> Service:
    n = next(_counter)
    service = Service(slug=f"service-{n}", name=name, duration_minutes=30, timezone=tz)
    if templates:
        add_default_templates(service)
    db.session.add(service)
    db.session.flush()
    return service


Customer = tuple[str, str, str | None, str | None]  # first, last, email, phone


def make_appointment(
    start: datetime,
    *,
    duration: timedelta = timedelta(minutes=30),
    tz: str = "Europe/Berlin",
    locale: str = "en",
    title: str = "Consultation",
    service: Service | None = None,
    agent: User | None = None,
    customers: Sequence[Customer] = (("Maria", "Lopez", "maria@example.org", None),),
    room_url: str | None = None,
    notifications_active: bool = True,
    commit: bool = True,
) -> Appointment:
    service = service or make_service()
    agent = agent or make_agent()
    appointment = Appointment(
        service=service,
        organizer=agent,
        title=title,
        start_at=start,
        end_at=start + duration,
        timezone=tz,
        locale=locale,
        notifications_active=notifications_active,
    )
    appointment.participants = [
        Participant(
            type=ParticipantType.AGENT,
            user=agent,
            is_organizer=True,
            first_name=agent.name.split()[0],
            last_name=agent.name.split()[-1],
            email=agent.email,
        )
    ] + [
        Participant(
            type=ParticipantType.CUSTOMER, first_name=first, last_name=last, email=mail, phone=phone
        )
        for first, last, mail, phone in customers
    ]
    if room_url:
        appointment.room_tickets = [RoomTicket(url=room_url)]
    db.session.add(appointment)
    db.session.flush()
    if commit:
        db.session.commit()
    return appointment


def parse_mail(raw: bytes | str) -> Message:
    return email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode())


def calendar_parts(message: Message) -> list[Message]:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]
