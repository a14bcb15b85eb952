"""What a notice looks like on the wire: headers, subject folding, MIME layout, zone names."""

from __future__ import annotations

import email
from datetime import datetime, UTC
from email import policy
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from portal.delivery import build_email, send_due
from portal.extensions import db
from portal.models import AppointmentStatus, Channel, TemplateType
from portal.notifications import outbox
from portal.notifications.rendering import render_template, zone_abbreviation
from tests.notifications.factories import make_appointment, parse_mail

pytestmark = pytest.mark.usefixtures("fake_manage_links")

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)
UNICODE_SUBJECT = (
    "Booked: Beratung für Jürgen Müller-Lüdenscheidt on 31-10-2027 at 02:00 CEST, "
    "Überprüfung der Unterlagen – 東京オフィス"
)


@pytest.fixture
def config_overrides() -> dict:
    return {"PUBLIC_URL": "https://termine.example.net"}


def mailbox(app) -> list:
    return getattr(app.extensions["mailman"], "outbox", [])


def sent_mime(app) -> list[email.message.Message]:
    return [parse_mail(message.message().as_bytes()) for message in mailbox(app)]


def booked_and_sent(app, **kwargs):
    appointment = make_appointment(START, **kwargs)
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    send_due(now=NOW)
    return appointment


def test_notices_say_they_were_generated_by_a_program(app):
    booked_and_sent(app)
    (mime,) = sent_mime(app)
    assert mime["Auto-Submitted"] == "auto-generated"


def test_message_id_is_the_rows_on_the_public_host(app):
    booked_and_sent(app)
    (mime,) = sent_mime(app)
    assert mime["Message-ID"].endswith("@termine.example.net>")


def test_a_non_ascii_subject_folds_without_an_empty_first_line(app):
    message = build_email(
        from_email="Portal <no-reply@portal.localhost>",
        to="maria@example.org",
        subject=UNICODE_SUBJECT,
        text_body="Hello",
    )
    raw = message.message().as_bytes()
    header_lines = raw.split(b"\n\n", 1)[0].split(b"\n")
    (first,) = [line for line in header_lines if line.startswith(b"Subject:")]
    assert first.strip() != b"Subject:"  # the first line carries text
    assert all(len(line) <= 78 for line in header_lines)
    assert email.message_from_bytes(raw, policy=policy.default)["Subject"] == UNICODE_SUBJECT
    legacy = email.message_from_bytes(raw)["Subject"]
    assert str(make_header(decode_header(legacy))) == UNICODE_SUBJECT


def test_an_ascii_subject_stays_readable(app):
    message = build_email(
        from_email="Portal <no-reply@portal.localhost>",
        to="maria@example.org",
        subject="Booked: Consultation on 20-03-2030",
        text_body="Hello",
    )
    raw = message.message().as_bytes()
    assert b"\nSubject: Booked: Consultation on 20-03-2030\n" in raw


def test_invitation_is_an_alternative_plus_an_attached_copy(app):
    booked_and_sent(app)
    (mime,) = sent_mime(app)
    assert mime.get_content_type() == "multipart/mixed"
    alternative, attachment = mime.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar_part = alternative.get_payload()[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    assert calendar_part.get_content_disposition() is None
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    copy = Calendar.from_ical(attachment.get_payload(decode=True))
    shown = Calendar.from_ical(calendar_part.get_payload(decode=True))
    assert copy.to_ical() == shown.to_ical()


def test_a_cancel_carries_method_cancel_in_both_parts(app):
    appointment = booked_and_sent(app)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence += 1
    outbox.queue_cancelled(appointment, now=NOW)
    db.session.commit()
    send_due(now=NOW)
    cancel = sent_mime(app)[-1]
    alternative, attachment = cancel.get_payload()
    calendar_part = alternative.get_payload()[-1]
    assert calendar_part.get_param("method") == "CANCEL"
    calendar = Calendar.from_ical(attachment.get_payload(decode=True))
    assert calendar["METHOD"] == "CANCEL" and calendar.events[0]["STATUS"] == "CANCELLED"


def test_a_mail_without_invitation_keeps_the_plain_layout(app):
    message = build_email(
        from_email="Portal <no-reply@portal.localhost>",
        to="maria@example.org",
        subject="Your code",
        text_body="123456",
    )
    mime = parse_mail(message.message().as_bytes())
    assert mime.get_content_type() == "text/plain"
    assert mime["Auto-Submitted"] == "auto-generated"


def _create_text(appointment) -> str:
    template = next(
        t
        for t in appointment.service.templates
        if t.type == TemplateType.CREATE and t.channel == Channel.EMAIL
    )
    return render_template(template, appointment, appointment.customers[0], manage="m").text_body


def test_the_repeated_autumn_hour_reads_differently_in_berlin(app):
    first = make_appointment(datetime(2027, 10, 31, 0, 0, tzinfo=UTC))  # 02:00 CEST
    second = make_appointment(datetime(2027, 10, 31, 1, 0, tzinfo=UTC))  # 02:00 CET
    first_text, second_text = _create_text(first), _create_text(second)
    assert "31-10-2027 at 02:00 CEST (Europe/Berlin)" in first_text
    assert "31-10-2027 at 02:00 CET (Europe/Berlin)" in second_text


@pytest.mark.parametrize(
    "zone, instant, expected",
    [
        ("Europe/Berlin", datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "CEST"),
        ("Europe/Berlin", datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "CET"),
        ("America/New_York", datetime(2027, 11, 7, 5, 30, tzinfo=UTC), "EDT"),
        ("America/New_York", datetime(2027, 11, 7, 6, 30, tzinfo=UTC), "EST"),
        ("Asia/Kathmandu", datetime(2027, 6, 1, 6, 0, tzinfo=UTC), "UTC+05:45"),
        ("America/Sao_Paulo", datetime(2027, 6, 1, 6, 0, tzinfo=UTC), "UTC-03:00"),
        ("Australia/Lord_Howe", datetime(2027, 1, 1, 6, 0, tzinfo=UTC), "UTC+11:00"),
        ("Australia/Lord_Howe", datetime(2027, 7, 1, 6, 0, tzinfo=UTC), "UTC+10:30"),
        ("UTC", datetime(2027, 7, 1, 6, 0, tzinfo=UTC), "UTC"),
    ],
)
def test_zone_abbreviation(zone, instant, expected):
    assert zone_abbreviation(instant.astimezone(ZoneInfo(zone))) == expected
