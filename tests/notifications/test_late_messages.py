"""Mails sent late still say one thing: their text and their invitation describe one state.

The outbox stores each CREATE / RESCHEDULE / CANCEL mail's invitation when it is queued,
from the snapshot its text was rendered from (docs/decisions.md, "Invitation e-mails
(issue 14)"). Here the sender is stopped while an appointment is booked, moved and
cancelled, then run: every mail must agree with its own invitation, SEQUENCE must never
go back in the order mails leave, and libical must accept each invitation under iTIP.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404 # runs the repository's own checker with a fixed argv
from datetime import datetime, timedelta, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.booking import operations
from portal.delivery import send_due
from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus, TemplateType
from portal.notifications.defaults import add_default_templates
from tests import factories
from tests.clock import TEST_NOW
from tests.notifications.factories import calendar_parts, parse_mail

pytestmark = pytest.mark.usefixtures("fake_manage_links")

BERLIN = ZoneInfo("Europe/Berlin")
SYSTEM_PYTHON = "/usr/bin/python3"
ITIP_CHECK = Path(__file__).with_name("itip_check.py")


def itip_problems(files: list[str]) -> list[list[str]]:
    """libical's iTIP findings per file; skipped without libical only outside CI."""
    if not Path(SYSTEM_PYTHON).exists():
        result = None
    else:
        result = subprocess.run(  # nosec B603 # fixed argv, no shell
            [SYSTEM_PYTHON, str(ITIP_CHECK)],
            input=json.dumps(files),
            capture_output=True,
            text=True,
            check=False,
        )
    if result is None or result.returncode == 3:
        reason = "libical (gir1.2-ical-3.0, python3-gi) is not installed for /usr/bin/python3"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must install it")
        pytest.skip(reason)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def mailbox(app) -> list:
    return getattr(app.extensions["mailman"], "outbox", [])


@pytest.fixture
def service(app):
    agent = factories.agent("dora@example.com", "Dora Agent", timezone="Europe/Berlin")
    factories.weekly_hours(agent, [(0, 24 * 60)])
    service = factories.service([agent], timezone="Europe/Berlin", name="Consultation")
    add_default_templates(service)
    db.session.commit()
    return service


def customer_mail_only(service) -> None:
    """Agent notices off, so only the customer's mail is counted."""
    for agent in service.agents:
        agent.agent_notices = False
    db.session.commit()


def day_at(hour: int) -> datetime:
    """A day a week after the test clock, at ``hour``:00 UTC."""
    day = (TEST_NOW + timedelta(days=7)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def delivered(app, to: str = "maria@example.org") -> list[tuple[object, Calendar, str]]:
    """(mail, its parsed invitation, the invitation's text) to ``to``, in the order sent."""
    found = []
    for mail in mailbox(app):
        if mail.to != [to]:
            continue
        mime = parse_mail(mail.message().as_bytes())
        (part,) = calendar_parts(mime)
        text = part.get_payload(decode=True).decode("utf-8")
        found.append((mail, Calendar.from_ical(text), text))
    return found


def test_create_reschedule_cancel_sent_late_agree_with_their_invitations(app, service):
    customer = operations.Customer("Maria", "Lopez", "maria@example.org")
    appointment = operations.book(db.session, service, day_at(10), customer, enforce_notice=False)
    db.session.commit()
    operations.reschedule(db.session, appointment, day_at(12), enforce_notice=False)
    db.session.commit()
    operations.cancel(db.session, appointment, "Plans changed")
    db.session.commit()

    # The sender was stopped until now: three mails to the customer, three to the agent.
    assert send_due().sent == 6
    customer_mails = delivered(app)
    assert [mail.subject.split(":")[0] for mail, _, _ in customer_mails] == [
        "Booked",
        "New time",
        "Cancelled",
    ]
    agent_mails = delivered(app, to="dora@example.com")
    assert [mail.subject.split(":")[0] for mail, _, _ in agent_mails] == [
        "New booking",
        "Moved",
        "Cancelled",
    ]
    for mails in (customer_mails, agent_mails):
        sequences = []
        for mail, calendar, _ in mails:
            (event,) = calendar.events
            method = str(calendar["METHOD"])
            status = str(event["STATUS"])
            assert (method, status) in {("REQUEST", "CONFIRMED"), ("CANCEL", "CANCELLED")}
            assert mail.subject.startswith("Cancelled") == (method == "CANCEL")
            assert str(event["ATTENDEE"]) == f"mailto:{mail.to[0]}"
            start = event.start.astimezone(BERLIN)
            said = f"{start:%d-%m-%Y} at {start:%H:%M} {start.tzname()} (Europe/Berlin)"
            assert said in mail.body, (said, mail.body)
            sequences.append(int(event["SEQUENCE"]))
        assert [calendar.events[0].start for _, calendar, _ in mails] == [
            day_at(10),
            day_at(12),
            day_at(12),
        ]
        assert sequences == sorted(sequences) and sequences == [0, 1, 2]
        assert itip_problems([text for _, _, text in mails]) == [[], [], []]


def test_an_older_notice_is_dropped_once_a_newer_one_was_sent(app, service):
    customer_mail_only(service)
    customer = operations.Customer("Maria", "Lopez", "maria@example.org")
    appointment = operations.book(db.session, service, day_at(10), customer, enforce_notice=False)
    db.session.commit()
    (created,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.type == TemplateType.CREATE.value)
    )
    created.due_at = TEST_NOW + timedelta(hours=1)  # backing off after a failed attempt
    created_id = created.id
    db.session.commit()
    operations.reschedule(db.session, appointment, day_at(12), enforce_notice=False)
    db.session.commit()

    assert send_due().sent == 1
    report = send_due(now=TEST_NOW + timedelta(hours=1))
    assert (report.sent, report.dropped) == (0, 1)
    ((mail, calendar, _),) = delivered(app)
    assert mail.subject.startswith("New time") and calendar.events[0]["SEQUENCE"] == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, created_id) is None


def test_the_invitation_is_the_one_stored_when_queued(app, service):
    customer_mail_only(service)
    customer = operations.Customer("Maria", "Lopez", "maria@example.org")
    appointment = operations.book(db.session, service, day_at(10), customer, enforce_notice=False)
    db.session.commit()
    (row,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.type == TemplateType.CREATE.value)
    )
    assert row.sequence == 0 and "METHOD:REQUEST" in row.ics
    appointment.title = "Renamed after queuing"
    db.session.commit()
    send_due()
    ((_, calendar, _),) = delivered(app)
    assert str(calendar.events[0]["SUMMARY"]) != "Renamed after queuing"


def test_a_row_queued_before_invitations_were_stored_goes_without_one(app, service):
    customer_mail_only(service)
    customer = operations.Customer("Maria", "Lopez", "maria@example.org")
    operations.book(db.session, service, day_at(10), customer, enforce_notice=False)
    db.session.commit()
    (row,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.type == TemplateType.CREATE.value)
    )
    row.ics, row.sequence = None, None
    db.session.commit()
    assert send_due().sent == 1
    (mail,) = mailbox(app)
    assert not calendar_parts(parse_mail(mail.message().as_bytes()))
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.SENT
