"""Queuing: what create / reschedule / cancel write, and when reminders fall due."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    AppointmentStatus,
    Channel,
    NotificationTemplate,
    OutboxMessage,
    OutboxStatus,
    TemplateType,
)
from portal.notifications import outbox
from tests.notifications.factories import MANAGE_PREFIX, make_appointment

UTC = UTC
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("fake_manage_links")


def rows(appointment=None, type_: TemplateType | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.due_at, OutboxMessage.recipient)
    if appointment is not None:
        query = query.where(OutboxMessage.appointment_id == appointment.id)
    if type_ is not None:
        query = query.where(OutboxMessage.type == type_.value)
    return list(db.session.scalars(query))


def created(start: datetime, **kwargs):
    appointment = make_appointment(start, **kwargs)
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    return appointment


def reschedule(appointment, start: datetime, now: datetime = NOW):
    """What booking does: move, bump the sequence, queue, one commit."""
    appointment.start_at, appointment.end_at = start, start + appointment.duration
    appointment.sequence += 1
    db.session.flush()
    outbox.queue_rescheduled(appointment, now=now)
    db.session.commit()


def cancel(appointment, message=None, **channels):
    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence += 1
    db.session.flush()
    outbox.queue_cancelled(appointment, message, now=NOW, **channels)
    db.session.commit()


def test_create_queues_confirmation_sms_and_reminders(app):
    start = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)
    appointment = created(
        start,
        customers=[
            ("Maria", "Lopez", "Maria@Example.org", "+49 151 0000"),
            ("Jonas", "Weber", "jonas@example.org", None),
            ("Same", "Person", "maria@example.org", None),  # same address once
        ],
    )
    summary = sorted((r.type, r.channel.value, r.recipient, r.due_at) for r in rows(appointment))
    room_due = start - timedelta(minutes=10)
    assert summary == sorted(
        [
            ("CREATE", "EMAIL", "maria@example.org", NOW),
            ("CREATE", "EMAIL", "jonas@example.org", NOW),
            ("REMINDER", "EMAIL", "maria@example.org", start - timedelta(days=1)),
            ("REMINDER", "EMAIL", "jonas@example.org", start - timedelta(days=1)),
            ("REMINDER", "SMS", "+49 151 0000", start - timedelta(hours=2)),
            ("ROOM", "EMAIL", "maria@example.org", room_due),
            ("ROOM", "EMAIL", "jonas@example.org", room_due),
        ]
    )
    confirmation = rows(appointment, TemplateType.CREATE)[0]
    assert confirmation.status == OutboxStatus.PENDING and confirmation.attempts == 0
    assert confirmation.ics_method == "REQUEST"
    assert confirmation.schedule_start == start
    assert f"{MANAGE_PREFIX}{appointment.id}" in confirmation.text_body
    assert "20-03-2030 at 10:00 CET (Europe/Berlin)" in confirmation.text_body
    assert all(r.ics_method is None for r in rows(appointment, TemplateType.REMINDER))


def test_sms_only_with_an_active_sms_template(app):
    appointment = make_appointment(
        datetime(2030, 3, 20, 9, 0, tzinfo=UTC), customers=[("A", "B", None, "+1 555 0100")]
    )
    for template in appointment.service.templates:
        if template.channel == Channel.SMS:
            template.active = False
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    assert rows(appointment) == []


@pytest.mark.parametrize(
    "local_start",
    [
        datetime(2030, 3, 31, 10, 0),  # the day after the clocks spring forward
        datetime(2030, 10, 27, 10, 0),  # the day the clocks fall back
        datetime(2030, 6, 5, 10, 0),
    ],
)
def test_p1d_reminder_is_due_exactly_24_hours_before_start(app, local_start):
    start = local_start.replace(tzinfo=BERLIN).astimezone(UTC)
    appointment = created(start)
    (reminder,) = [
        r for r in rows(appointment, TemplateType.REMINDER) if r.channel == Channel.EMAIL
    ]
    assert start - reminder.due_at == timedelta(hours=24)  # absolute time
    # ...so across a DST change it is an hour off in local time.
    local_due = reminder.due_at.astimezone(BERLIN)
    expected_hour = {3: 9, 10: 11, 6: 10}[local_start.month]
    assert (local_due.hour, local_due.minute) == (expected_hour, 0)


def test_reminders_already_due_are_skipped_a_late_room_message_goes_now(app):
    start = NOW + timedelta(minutes=5)  # booked 5 minutes before start
    appointment = created(start)
    assert rows(appointment, TemplateType.REMINDER) == []
    (room,) = rows(appointment, TemplateType.ROOM)
    assert room.due_at == NOW
    assert {r.type for r in rows(appointment)} == {"CREATE", "ROOM"}


def test_reschedule_moves_reminders_and_announces_the_new_time(app):
    start = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)
    appointment = created(start)
    new_start = start + timedelta(days=2, hours=3)
    reschedule(appointment, new_start)

    reminders = rows(appointment, TemplateType.REMINDER)
    assert [r.due_at for r in reminders] == [new_start - timedelta(days=1)]
    assert all(
        r.schedule_start == new_start for r in reminders + rows(appointment, TemplateType.ROOM)
    )
    (notice,) = rows(appointment, TemplateType.RESCHEDULE)
    assert notice.due_at == NOW and notice.ics_method == "REQUEST"
    assert "22-03-2030 at 13:00" in notice.text_body
    # The confirmation stays as history.
    assert len(rows(appointment, TemplateType.CREATE)) == 1


def test_reschedule_keeps_sent_reminders_as_history(app):
    start = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)
    appointment = created(start)
    (sent,) = rows(appointment, TemplateType.REMINDER)
    sent.status = OutboxStatus.SENT
    db.session.commit()
    reschedule(appointment, start + timedelta(days=1))
    statuses = sorted(
        (r.status.value, r.schedule_start) for r in rows(appointment, TemplateType.REMINDER)
    )
    assert statuses == [("PENDING", start + timedelta(days=1)), ("SENT", start)]


def test_rescheduling_back_and_forth_never_breaks_uniqueness(app):
    a = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)
    b = a + timedelta(days=1)
    appointment = created(a)
    for status in (OutboxStatus.SENT, None):
        reschedule(appointment, b)
        if status:
            for row in rows(appointment):
                row.status = status
            db.session.commit()
        reschedule(appointment, a)
        reschedule(appointment, b)  # RESCHEDULE for b exists: refreshed and pending again
    notices = rows(appointment, TemplateType.RESCHEDULE)
    assert sorted(r.schedule_start for r in notices) == [a, b]
    assert next(r for r in notices if r.schedule_start == b).status == OutboxStatus.PENDING
    # A reminder already sent for schedule b is not queued again for b.
    reminders = rows(appointment, TemplateType.REMINDER)
    assert [(r.status, r.schedule_start) for r in reminders if r.schedule_start == b] == [
        (OutboxStatus.SENT, b)
    ]


def test_cancel_drops_pending_reminders_and_sends_the_notice(app):
    start = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)
    appointment = created(start, customers=[("Maria", "Lopez", "maria@example.org", "+49 1")])
    cancel(appointment, "Our office is closed that day.\nSorry!")
    types = sorted((r.type, r.channel.value) for r in rows(appointment))
    assert types == [("CANCEL", "EMAIL"), ("CREATE", "EMAIL")]
    (notice,) = rows(appointment, TemplateType.CANCEL)
    assert notice.ics_method == "CANCEL"
    assert notice.text_body.startswith("Our office is closed that day.\nSorry!\n\nDear Maria,")
    assert (
        '<body style="font-family: sans-serif"><p>Our office is closed that day.<br>\nSorry!</p>'
        in (notice.html_body)
    )


def test_cancel_by_sms_when_asked(app):
    appointment = created(
        datetime(2030, 3, 20, 9, 0, tzinfo=UTC),
        customers=[("Maria", "Lopez", "maria@example.org", "+49 1")],
    )
    cancel(appointment, "Closed <today>", email=False, sms=True)
    (notice,) = rows(appointment, TemplateType.CANCEL)
    assert (notice.channel, notice.recipient) == (Channel.SMS, "+49 1")
    assert notice.text_body.startswith("Closed <today>\n\nCancelled:")
    assert notice.html_body is None and notice.ics_method is None


def test_nothing_is_queued_while_notifications_are_off(app):
    start = datetime(2030, 3, 20, 9, 0, tzinfo=UTC)
    appointment = created(start, notifications_active=False)
    assert rows(appointment) == []
    appointment.notifications_active = True
    outbox.queue_created(appointment, now=NOW)
    appointment.notifications_active = False
    reschedule(appointment, start + timedelta(days=1))
    assert {r.type for r in rows(appointment)} == {"CREATE"}  # stale reminders dropped, none new
    cancel(appointment)
    assert {r.type for r in rows(appointment)} == {"CREATE"}


def test_locale_picks_the_matching_template(app):
    appointment = make_appointment(datetime(2030, 3, 20, 9, 0, tzinfo=UTC), locale="de_AT")
    db.session.add(
        NotificationTemplate(
            service=appointment.service,
            channel=Channel.EMAIL,
            type=TemplateType.CREATE,
            subject="Gebucht: {{title}} am {{dd-MM-yyyy}}",
            text_body="Hallo {{firstName}}, um {{time24}} Uhr.",
            locale="de",
        )
    )
    db.session.commit()
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    (confirmation,) = rows(appointment, TemplateType.CREATE)
    assert confirmation.subject == "Gebucht: Consultation am 20-03-2030"
    assert confirmation.text_body == "Hallo Maria, um 10:00 Uhr."


def test_queue_functions_never_commit(app):
    appointment = make_appointment(datetime(2030, 3, 20, 9, 0, tzinfo=UTC))
    outbox.queue_created(appointment, now=NOW)
    db.session.rollback()
    assert rows() == []
