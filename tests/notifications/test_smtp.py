"""Real SMTP (aiosmtpd): the confirmation arrives with its .ics; an outage loses nothing."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, UTC

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus
from portal.notifications import outbox
from portal.delivery import send_due
from tests.notifications.factories import calendar_parts, make_appointment, parse_mail
from tests.smtp_sink import SmtpSink, smtp  # noqa: F401

UTC = UTC
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("fake_manage_links")


@pytest.fixture
def config_overrides(smtp: SmtpSink) -> dict:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_TIMEOUT": 5,
        "NOTIFICATIONS_BACKOFF_SECONDS": 60,
    }


def _confirmations(start: datetime, customers) -> None:
    appointment = make_appointment(start, customers=customers)
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()


def test_smtp_server_receives_the_confirmation_with_its_ics(app, smtp):
    smtp.start()
    appointment = make_appointment(
        datetime(2030, 3, 31, 0, 30, tzinfo=UTC),  # 01:30 Berlin, the spring-forward night
        title="Beratung, Kürzel; <script>",
        customers=[("Zoë", "Ørsted", "zoe@example.org", None)],
    )
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    assert send_due(now=NOW).sent == 1

    (envelope,) = smtp.envelopes
    assert envelope.mail_from == "no-reply@portal.localhost"
    assert envelope.rcpt_tos == ["zoe@example.org"]
    mime = parse_mail(envelope.content)
    assert mime["To"] == "zoe@example.org"
    (part,) = calendar_parts(mime)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    ics = part.get_payload(decode=True).decode("utf-8")
    strict = IcsCalendarStream.calendar_from_ics(ics)
    event = Calendar.from_ical(ics).events[0]
    assert event["SUMMARY"] == "Beratung, Kürzel; <script>"
    assert event.start.astimezone(UTC) == appointment.start_at
    assert strict.events[0].dtend.astimezone(UTC) == appointment.end_at
    assert str(event["ATTENDEE"]) == "mailto:zoe@example.org"


def test_outage_retries_later_and_delivers_each_message_once(app, smtp):
    _confirmations(datetime(2030, 3, 20, 9, 0, tzinfo=UTC), [("A", "One", "a@example.org", None)])
    _confirmations(
        datetime(2030, 3, 21, 9, 0, tzinfo=UTC),
        [("B", "Two", "b@example.org", None), ("C", "Three", "c@example.org", None)],
    )
    _confirmations(datetime(2030, 3, 22, 9, 0, tzinfo=UTC), [("D", "Four", "d@example.org", None)])

    # The server is down: every send fails and is put off with backoff.
    first = send_due(now=NOW)
    assert (first.sent, first.retrying) == (0, 4)
    second = send_due(now=NOW + timedelta(seconds=60))
    assert (second.sent, second.retrying) == (0, 4)
    pending = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CREATE")))
    assert all(row.status == OutboxStatus.PENDING and row.attempts == 2 for row in pending)
    assert all("Connection" in row.last_error or "refused" in row.last_error for row in pending)
    assert all(row.due_at == NOW + timedelta(seconds=60 + 120) for row in pending)

    # Still within the backoff once the server is back: nothing is sent early.
    smtp.start()
    assert send_due(now=NOW + timedelta(seconds=60 + 119)).handled == 0
    assert smtp.envelopes == []

    third = send_due(now=NOW + timedelta(seconds=60 + 120))
    assert third.sent == 4
    assert send_due(now=NOW + timedelta(hours=1)).sent == 0  # nothing twice
    received = Counter(
        (tuple(e.rcpt_tos), parse_mail(e.content)["Subject"]) for e in smtp.envelopes
    )
    assert received == Counter(
        {
            (("a@example.org",), "Booked: Consultation on 20-03-2030"): 1,
            (("b@example.org",), "Booked: Consultation on 21-03-2030"): 1,
            (("c@example.org",), "Booked: Consultation on 21-03-2030"): 1,
            (("d@example.org",), "Booked: Consultation on 22-03-2030"): 1,
        }
    )
    db.session.expire_all()
    sent = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CREATE")))
    assert all(row.status == OutboxStatus.SENT and row.attempts == 3 for row in sent)


def test_server_stopping_mid_pass(app, smtp):
    """A server that goes away between messages: the rest wait, nothing is lost or doubled."""
    smtp.start()
    _confirmations(datetime(2030, 3, 20, 9, 0, tzinfo=UTC), [("A", "One", "a@example.org", None)])
    assert send_due(now=NOW).sent == 1
    smtp.stop()
    _confirmations(datetime(2030, 3, 21, 9, 0, tzinfo=UTC), [("B", "Two", "b@example.org", None)])
    assert send_due(now=NOW).retrying == 1
    smtp.start()
    assert send_due(now=NOW + timedelta(minutes=1)).sent == 1
    assert sorted(e.rcpt_tos[0] for e in smtp.envelopes) == ["a@example.org", "b@example.org"]
