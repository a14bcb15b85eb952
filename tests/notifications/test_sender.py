"""The sender: delivery, retries with backoff, giving up, and what it drops or defers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, UTC

import pytest
from icalendar import Calendar
from sqlalchemy import select

from portal.delivery import send_due, sms_outbox
from portal.extensions import db
from portal.models import (
    AppointmentStatus,
    Channel,
    OutboxMessage,
    OutboxStatus,
    RoomTicket,
    TemplateType,
)
from portal.notifications import outbox
from portal.notifications.sender import LEASE, _claim
from tests.notifications import backends
from tests.notifications.factories import (
    MANAGE_PREFIX,
    calendar_parts,
    make_appointment,
    parse_mail,
)

UTC = UTC
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("fake_manage_links")


def mailbox(app) -> list:
    return getattr(app.extensions["mailman"], "outbox", [])


def rows(type_: TemplateType | str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.due_at)
    if type_ is not None:
        query = query.where(OutboxMessage.type == str(type_))
    return list(db.session.scalars(query))


def booked(start=START, **kwargs):
    appointment = make_appointment(start, **kwargs)
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    return appointment


def test_confirmation_goes_out_with_its_ics_request_part(app):
    appointment = booked(customers=[("Maria", "Lopez", "maria@example.org", None)])
    report = send_due(now=NOW)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)

    (message,) = mailbox(app)
    assert message.to == ["maria@example.org"]
    assert message.from_email == "Portal <no-reply@portal.localhost>"
    mime = parse_mail(message.message().as_bytes())
    assert mime["Subject"] == "Booked: Consultation on 20-03-2030"
    (part,) = calendar_parts(mime)
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_disposition() is None  # the invitation itself, not a file
    (attachment,) = [p for p in mime.walk() if p.get_content_type() == "application/ics"]
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    same_text = attachment.get_payload(decode=True).replace(b"\r\n", b"\n")
    assert same_text == part.get_payload(decode=True).replace(b"\r\n", b"\n")
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == "REQUEST"
    event = calendar.events[0]
    assert event["UID"] == f"{appointment.id}@portal"
    assert str(event["ATTENDEE"]) == "mailto:maria@example.org"
    assert event["ATTENDEE"].params["CN"] == "Maria Lopez"
    assert f"{MANAGE_PREFIX}{appointment.id}" in event["DESCRIPTION"]
    html = [p for p in mime.walk() if p.get_content_type() == "text/html"]
    assert len(html) == 1

    (confirmation,) = rows(TemplateType.CREATE)
    assert confirmation.status == OutboxStatus.SENT
    assert confirmation.sent_at == NOW and confirmation.attempts == 1
    assert send_due(now=NOW).sent == 0  # sent once, not again


def test_reminders_wait_for_their_time(app):
    booked()
    send_due(now=NOW)
    assert send_due(now=START - timedelta(days=1, seconds=1)).sent == 0
    assert send_due(now=START - timedelta(days=1)).sent == 1
    assert [m.subject for m in mailbox(app)][-1] == (
        "Reminder: Consultation on 20-03-2030 at 10:00 CET"
    )


def test_cancel_mail_carries_method_cancel(app):
    appointment = booked()
    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence += 1
    outbox.queue_cancelled(appointment, now=NOW)
    db.session.commit()
    assert send_due(now=NOW).sent == 2
    cancel_mail = next(m for m in mailbox(app) if m.subject.startswith("Cancelled"))
    (part,) = calendar_parts(parse_mail(cancel_mail.message().as_bytes()))
    assert part.get_param("method") == "CANCEL"
    event = Calendar.from_ical(part.get_payload(decode=True)).events[0]
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    assert send_due(now=START).sent == 0  # no reminder for a cancelled appointment


@pytest.fixture
def config_overrides():
    return {
        "MAIL_BACKEND": "tests.notifications.backends.FailingEmailBackend",
        "NOTIFICATIONS_MAX_ATTEMPTS": 4,
        "NOTIFICATIONS_BACKOFF_SECONDS": 60,
    }


@pytest.fixture
def mail_down():
    backends.state["down"] = True
    yield backends.state
    backends.state["down"] = False


def test_failures_back_off_exponentially_then_give_up(app, mail_down):
    booked()
    clock = NOW
    for attempt, wait in enumerate((60, 120, 240), start=1):
        report = send_due(now=clock)
        assert (report.sent, report.retrying) == (0, 1)
        (row,) = rows(TemplateType.CREATE)
        assert row.status == OutboxStatus.PENDING and row.attempts == attempt
        assert row.due_at == clock + timedelta(seconds=wait)
        assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        assert send_due(now=row.due_at - timedelta(seconds=1)).handled == 0  # not yet
        clock = row.due_at
    report = send_due(now=clock)
    assert report.failed == 1
    (row,) = rows(TemplateType.CREATE)
    assert row.status == OutboxStatus.FAILED and row.attempts == 4
    assert "SMTPServerDisconnected" in row.last_error
    assert send_due(now=clock + timedelta(days=30)).handled <= 3  # only the reminders remain
    assert rows(TemplateType.CREATE)[0].status == OutboxStatus.FAILED


def test_a_retry_after_the_outage_delivers_once(app, mail_down):
    booked()
    send_due(now=NOW)
    assert mailbox(app) == []
    mail_down["down"] = False
    assert send_due(now=NOW + timedelta(seconds=60)).sent == 1
    assert len(mailbox(app)) == 1
    (row,) = rows(TemplateType.CREATE)
    assert row.status == OutboxStatus.SENT and row.last_error is None and row.attempts == 2


def test_a_sender_that_dies_after_claiming_loses_nothing(app):
    booked()
    db.session.commit()
    # A sender claims the due rows and dies before sending or recording anything.
    claimed = _claim(db.session, NOW, NOW + LEASE, 20)
    assert len(claimed) == 1
    assert send_due(now=NOW + timedelta(minutes=1)).sent == 0  # still leased to the dead one
    report = send_due(now=NOW + LEASE)
    assert report.sent == 1
    assert rows(TemplateType.CREATE)[0].status == OutboxStatus.SENT


def test_stale_reminders_are_dropped_at_send_time(app):
    kept = booked()
    cancelled = booked()
    moved = booked()
    switched_off = booked()
    send_due(now=NOW)
    # Changes made without the outbox functions (they would have dropped the rows earlier).
    cancelled.status = AppointmentStatus.CANCELLED
    moved.start_at += timedelta(hours=1)
    moved.end_at += timedelta(hours=1)
    switched_off.notifications_active = False
    db.session.commit()
    report = send_due(now=START - timedelta(days=1))
    assert report.sent == 1 and report.dropped == 3
    assert [m.to for m in mailbox(app)][-1] == [kept.customers[0].email]


def test_reminder_is_rendered_again_when_sent(app):
    appointment = booked()
    send_due(now=NOW)
    appointment.customers[0].first_name = "Mariana"
    appointment.title = "Renamed"
    db.session.commit()
    send_due(now=START - timedelta(days=1))
    reminder = mailbox(app)[-1]
    assert reminder.subject.startswith("Reminder: Renamed")
    assert "Dear Mariana," in reminder.body


def test_room_message_waits_for_the_room(app):
    appointment = booked()
    send_due(now=START - timedelta(days=1))  # confirmation and reminder
    room_due = START - timedelta(minutes=10)
    report = send_due(now=room_due)
    assert (report.sent, report.waiting) == (0, 1)
    (room,) = rows(TemplateType.ROOM)
    assert room.due_at == room_due + timedelta(minutes=1) and room.attempts == 0
    appointment.room_tickets.append(RoomTicket(url="https://meet.example/portal-abc"))
    db.session.commit()
    assert send_due(now=room_due + timedelta(minutes=1)).sent == 1
    assert "Join: https://meet.example/portal-abc" in mailbox(app)[-1].body


def test_room_message_without_a_room_is_dropped_after_the_end(app):
    booked()
    send_due(now=START - timedelta(days=1))
    assert send_due(now=START + timedelta(minutes=30)).dropped == 1
    assert rows(TemplateType.ROOM) == []


def test_verified_service_sender_is_used(app):
    appointment = make_appointment(START)
    appointment.service.sender_email = "team@clinic.example"
    appointment.service.sender_verified = True
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    send_due(now=NOW)
    assert mailbox(app)[0].from_email == "Video consultation <team@clinic.example>"


def test_one_off_email_without_appointment(app):
    outbox.queue_email(
        "Admin@Example.com",
        "Code\n123",
        "Your code is 123",
        kind="TEST",
        now=NOW,
        session=db.session,
    )
    db.session.commit()
    assert send_due(now=NOW).sent == 1
    (message,) = mailbox(app)
    assert message.to == ["admin@example.com"] and message.subject == "Code 123"
    assert not calendar_parts(parse_mail(message.message().as_bytes()))


def test_sms_go_through_the_gateway(app):
    appointment = booked(customers=[("Maria", "Lopez", None, "+49 151 2345")])
    send_due(now=START - timedelta(hours=2))
    (sms,) = sms_outbox(app)
    assert sms.to == "+49 151 2345"
    assert sms.text.startswith("Reminder: Consultation with Dana Agent on 20-03-2030 10:00")
    assert f"{MANAGE_PREFIX}{appointment.id}" in sms.text


def test_sms_log_backend_appends_one_line_per_message(app, tmp_path):
    log_path = tmp_path / "sms" / "sms.log"
    app.config.update(SMS_BACKEND="log", SMS_LOG_PATH=str(log_path))
    booked(customers=[("Maria", "Lopez", None, "+49 1")])
    appointment = booked(customers=[("Jo", "X", None, "+49 2")])
    appointment.status = AppointmentStatus.CANCELLED
    outbox.queue_cancelled(appointment, "Line one\nline two", email=False, sms=True, now=NOW)
    db.session.commit()
    send_due(now=START)
    lines = log_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    parsed = [
        (json.loads(to), json.loads(text))
        for _stamp, to, text in (line.split("\t") for line in lines)
    ]
    assert {to for to, _ in parsed} == {"+49 1", "+49 2"}
    assert any(text.startswith("Line one\nline two\n\nCancelled:") for _, text in parsed)


def test_channel_of_each_row_matches_its_template(app):
    booked(customers=[("Maria", "Lopez", "m@example.org", "+49 1")])
    assert {(r.type, r.channel) for r in rows()} >= {
        ("REMINDER", Channel.SMS),
        ("CREATE", Channel.EMAIL),
    }
