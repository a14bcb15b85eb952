"""Time off (seed 002): rules, what it blocks, collisions and the colliding-booking options."""

from __future__ import annotations

from datetime import date, datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.booking.availability import offered_slots
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    OutboxMessage,
    Participant,
    ParticipantType,
    TimeException,
)
from portal.notifications.defaults import add_default_templates
from portal.schedules import time_off as domain
from portal.schedules.errors import Collision, InvalidSchedule, StaleChange
from tests import factories
from tests.clock import TODAY

UTC = UTC
DAY = TODAY + timedelta(days=20)
pytestmark = pytest.mark.date_sensitive  # DAY follows the clock
KEEP = domain.CollidingBookingOptions.KEEP
CANCEL = domain.CollidingBookingOptions.CANCEL


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def off(agent_ids, **fields) -> domain.TimeOff:
    values = dict(agent_ids=tuple(agent_ids), from_date=DAY, to_date=DAY)
    values.update(fields)
    values["agent_ids"] = tuple(values["agent_ids"])
    return domain.TimeOff(**values)


@pytest.fixture
def in_request(app):
    # Notices carry manage links, which need a request (or SERVER_NAME) to build.
    with app.test_request_context("/"):
        yield


@pytest.fixture
def team(app):
    alice = factories.agent("alice@example.com", "Alice")
    bob = factories.agent("bob@example.com", "Bob")
    for person in (alice, bob):
        factories.weekly_hours(person, [(9 * 60, 17 * 60)])
    service = factories.service([alice, bob], duration_minutes=60, horizon_days=90)
    add_default_templates(service)
    db.session.commit()
    return service, alice, bob


# --- rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"to_date": DAY - timedelta(days=1)}, "to_date"),
        ({"from_minute": 600, "to_minute": 540}, "to_minute"),
        ({"from_minute": 600, "to_minute": 600}, "to_minute"),
        ({"days_of_week": (1, 2), "from_minute": 600, "to_minute": 500}, "to_minute"),
        ({"days_of_week": (0,)}, "days_of_week"),
        ({"days_of_week": (1, 1)}, "days_of_week"),
        ({"color": "red"}, "color"),
        ({"from_date": date(1960, 1, 1)}, "from_date"),
        ({"to_date": date(9999, 12, 31)}, "to_date"),
        ({"reason_text": "x" * 501}, "reason_text"),
        ({"agent_ids": ()}, "agent_ids"),
    ],
)
def test_broken_rules_name_their_field(fields, field):
    data = off(fields.pop("agent_ids", ["a"]), **fields)
    with pytest.raises(InvalidSchedule) as caught:
        domain.check_time_off(data)
    assert caught.value.field == field


def test_a_one_off_may_end_on_a_later_day_before_its_start_time():
    domain.check_time_off(
        off(["a"], to_date=DAY + timedelta(days=1), from_minute=600, to_minute=60)
    )


# --- what it blocks -----------------------------------------------------------------------------


def test_one_off_blocks_from_the_first_day_to_the_last_day():
    zone = ZoneInfo("Europe/Berlin")
    rule = off(["a"], to_date=DAY + timedelta(days=2), from_minute=13 * 60).rule()
    periods = domain.blocked_periods(rule, DAY - timedelta(days=1), DAY + timedelta(days=5), zone)
    start = datetime.combine(DAY, datetime.min.time(), zone).replace(hour=13)
    end = datetime.combine(DAY + timedelta(days=3), datetime.min.time(), zone)
    assert periods == [(start.astimezone(UTC), end.astimezone(UTC))]


def test_recurring_blocks_each_listed_weekday_between_the_dates():
    monday = date(2031, 3, 3)
    rule = domain.TimeOff(
        agent_ids=("a",),
        from_date=monday,
        to_date=monday + timedelta(days=13),
        from_minute=12 * 60,
        to_minute=13 * 60,
        days_of_week=(1, 3),
    ).rule()
    periods = domain.blocked_periods(
        rule, monday - timedelta(days=7), monday + timedelta(days=30), ZoneInfo("UTC")
    )
    assert [p[0].date().isoformat() for p in periods] == [
        "2031-03-03",
        "2031-03-05",
        "2031-03-10",
        "2031-03-12",
    ]
    assert all(p[1] - p[0] == timedelta(hours=1) for p in periods)


def test_recurring_over_a_dst_change_keeps_local_times():
    # Europe/Berlin springs forward on Sunday 2031-03-30.
    rule = domain.TimeOff(
        agent_ids=("a",),
        from_date=date(2031, 3, 29),
        to_date=date(2031, 3, 31),
        from_minute=9 * 60,
        to_minute=10 * 60,
        days_of_week=(6, 7, 1),
    ).rule()
    periods = domain.blocked_periods(
        rule, date(2031, 3, 29), date(2031, 3, 31), ZoneInfo("Europe/Berlin")
    )
    assert [p[0].hour for p in periods] == [8, 7, 7]  # UTC: +01:00, then +02:00


def test_an_annotation_blocks_nothing():
    rule = off(["a"], block_time=False).rule()
    assert domain.blocked_periods(rule, DAY, DAY, ZoneInfo("UTC")) == []


# --- collisions ---------------------------------------------------------------------------------


def test_collisions_are_the_agents_scheduled_appointments_it_covers(team):
    service, alice, bob = team
    inside = factories.appointment(service, alice, at(DAY, 10))
    factories.appointment(service, alice, at(DAY + timedelta(days=1), 10))  # another day
    factories.appointment(service, bob, at(DAY, 10))  # another agent
    cancelled = factories.appointment(service, alice, at(DAY, 12))
    cancelled.status = AppointmentStatus.CANCELLED
    # Bob joined one of Alice's appointments as a second agent: it is his too.
    joined = factories.appointment(service, bob, at(DAY, 14))
    joined.participants.append(
        Participant(type=ParticipantType.AGENT, user=alice, email=alice.email)
    )
    db.session.commit()
    found = domain.find_collisions(
        db.session, off([alice.id], from_minute=9 * 60, to_minute=15 * 60)
    )
    assert [a.id for a in found] == [inside.id, joined.id]


def test_touching_is_not_colliding_and_ended_appointments_do_not_count(team):
    service, alice, _ = team
    factories.appointment(service, alice, at(DAY, 9))  # 09:00-10:00
    data = off([alice.id], from_minute=10 * 60, to_minute=12 * 60)
    assert domain.find_collisions(db.session, data) == []
    assert domain.find_collisions(db.session, off([alice.id]), now=at(DAY, 11)) == []


def test_collisions_use_the_agents_time_zone(team):
    service, alice, _ = team
    alice.timezone = "America/New_York"  # 10:00 UTC is 05:00 or 06:00 there
    db.session.commit()
    factories.appointment(service, alice, at(DAY, 10))
    assert (
        domain.find_collisions(db.session, off([alice.id], from_minute=9 * 60, to_minute=17 * 60))
        == []
    )
    assert (
        len(domain.find_collisions(db.session, off([alice.id], from_minute=0, to_minute=8 * 60)))
        == 1
    )


def test_a_colliding_time_off_is_refused_with_the_list_and_nothing_is_written(team):
    service, alice, _ = team
    booked = factories.appointment(service, alice, at(DAY, 10))
    with pytest.raises(Collision) as caught:
        domain.create_time_off(db.session, off([alice.id]))
    assert caught.value.status == 409
    assert [a.id for a in caught.value.appointments] == [booked.id]
    assert db.session.scalar(select(TimeException)) is None


def test_force_keep_adds_it_and_keeps_the_appointments(team):
    service, alice, _ = team
    booked = factories.appointment(service, alice, at(DAY, 10))
    outcome = domain.create_time_off(
        db.session,
        off([alice.id], reason_text="Dentist"),
        created_by=alice,
        choice=domain.CollisionChoice(force=True),
    )
    assert [a.id for a in outcome.kept] == [booked.id] and outcome.cancelled == []
    db.session.expire_all()
    assert db.session.get(Appointment, booked.id).status == AppointmentStatus.SCHEDULED
    saved = db.session.scalar(select(TimeException))
    assert saved.reason_text == "Dentist" and [a.id for a in saved.agents] == [alice.id]
    assert saved.created_by_id == alice.id
    assert (
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CANCEL")).all() == []
    )


def test_force_cancel_cancels_them_and_queues_the_message(team, in_request):
    service, alice, bob = team
    first = factories.appointment(service, alice, at(DAY, 10))
    second = factories.appointment(service, bob, at(DAY, 11))
    outcome = domain.create_time_off(
        db.session,
        off([alice.id, bob.id]),
        choice=domain.CollisionChoice(
            force=True,
            option=CANCEL,
            cancel_message="Sorry, we are closed.",
            send_email=True,
            send_sms=True,
        ),
    )
    assert {a.id for a in outcome.cancelled} == {first.id, second.id}
    db.session.expire_all()
    for appointment_id in (first.id, second.id):
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment.status == AppointmentStatus.CANCELLED
        assert appointment.cancellation_reason == "Sorry, we are closed."
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CANCEL")).all()
    assert {m.appointment_id for m in messages} == {first.id, second.id}
    emails = [m for m in messages if m.channel.value == "EMAIL"]
    assert emails and all("Sorry, we are closed." in m.text_body for m in emails)
    assert all(m.recipient == "cora@example.org" for m in emails)


def test_force_cancel_by_email_only_queues_no_sms(team, in_request):
    service, alice, _ = team
    factories.appointment(service, alice, at(DAY, 10))
    domain.create_time_off(
        db.session,
        off([alice.id]),
        choice=domain.CollisionChoice(
            force=True, option=CANCEL, cancel_message="Closed", send_sms=False
        ),
    )
    channels = {
        m.channel.value
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CANCEL"))
    }
    assert channels == {"EMAIL"}


def test_cancelling_needs_a_message_and_writes_nothing_without_one(team):
    service, alice, _ = team
    booked = factories.appointment(service, alice, at(DAY, 10))
    with pytest.raises(InvalidSchedule) as caught:
        domain.create_time_off(
            db.session,
            off([alice.id]),
            choice=domain.CollisionChoice(force=True, option=CANCEL, cancel_message=" "),
        )
    assert caught.value.field == "cancel_message" and caught.value.code == "missing_param"
    db.session.expire_all()
    assert db.session.get(Appointment, booked.id).status == AppointmentStatus.SCHEDULED
    assert db.session.scalar(select(TimeException)) is None


def test_a_booking_made_after_the_choice_was_shown_asks_again(team):
    service, alice, _ = team
    seen = factories.appointment(service, alice, at(DAY, 10))
    newer = factories.appointment(service, alice, at(DAY, 13))
    choice = domain.CollisionChoice(
        force=True, option=CANCEL, cancel_message="Closed", expected_ids=frozenset({seen.id})
    )
    with pytest.raises(Collision) as caught:
        domain.create_time_off(db.session, off([alice.id]), choice=choice)
    assert {a.id for a in caught.value.appointments} == {seen.id, newer.id}
    assert "changed meanwhile" in caught.value.message
    db.session.expire_all()
    assert db.session.get(Appointment, seen.id).status == AppointmentStatus.SCHEDULED


def test_an_annotation_never_collides(team):
    service, alice, _ = team
    factories.appointment(service, alice, at(DAY, 10))
    outcome = domain.create_time_off(db.session, off([alice.id], block_time=False))
    assert outcome.kept == [] and outcome.exception.block_time is False


def test_update_checks_collisions_and_staleness(team, fixed_clock):
    service, alice, _ = team
    outcome = domain.create_time_off(
        db.session, off([alice.id], from_minute=6 * 60, to_minute=7 * 60)
    )
    exception = outcome.exception
    version = domain.version_of(exception)
    fixed_clock.shift(timedelta(seconds=1))  # versions are update times: the edit comes later
    factories.appointment(service, alice, at(DAY, 10))
    wider = off([alice.id], from_minute=6 * 60, to_minute=12 * 60)
    with pytest.raises(Collision):
        domain.update_time_off(db.session, exception, wider, expected_version=version)
    domain.update_time_off(
        db.session,
        exception,
        wider,
        expected_version=version,
        choice=domain.CollisionChoice(force=True),
    )
    assert exception.to_minute == 12 * 60
    with pytest.raises(StaleChange):  # the same old form again
        domain.update_time_off(db.session, exception, off([alice.id]), expected_version=version)
    db.session.expire_all()
    assert db.session.get(TimeException, exception.id).to_minute == 12 * 60


def test_delete(team):
    _, alice, _ = team
    exception = domain.create_time_off(db.session, off([alice.id])).exception
    with pytest.raises(StaleChange):
        domain.delete_time_off(db.session, exception, expected_version="2000-01-01T00:00:00")
    domain.delete_time_off(db.session, exception, expected_version=domain.version_of(exception))
    assert db.session.scalar(select(TimeException)) is None


def test_list_by_agent_and_dates(team):
    _, alice, bob = team
    a = domain.create_time_off(db.session, off([alice.id])).exception
    b = domain.create_time_off(
        db.session,
        off([bob.id], from_date=DAY + timedelta(days=5), to_date=DAY + timedelta(days=6)),
    ).exception
    both = domain.create_time_off(
        db.session,
        off([alice.id, bob.id], from_date=DAY + timedelta(days=9), to_date=DAY + timedelta(days=9)),
    ).exception
    ids = lambda items: [item.id for item in items[0]]  # noqa: E731
    assert ids(domain.list_time_off(db.session, agent_ids=[alice.id])) == [a.id, both.id]
    assert ids(domain.list_time_off(db.session, agent_ids=[bob.id], sort_order="desc")) == [
        both.id,
        b.id,
    ]
    assert ids(
        domain.list_time_off(
            db.session, from_date=DAY + timedelta(days=6), to_date=DAY + timedelta(days=8)
        )
    ) == [b.id]
    items, total = domain.list_time_off(db.session, page_size=2, page_number=2)
    assert total == 3 and [i.id for i in items] == [both.id]


def test_a_time_off_removes_the_slots_it_covers(team, app):
    service, alice, bob = team
    before = offered_slots(
        db.session,
        service,
        DAY,
        DAY,
        ZoneInfo("UTC"),
        now=at(DAY, 0) - timedelta(days=1),
        agent_id=alice.id,
    )
    assert any(s.start == at(DAY, 10) for s in before)
    domain.create_time_off(db.session, off([alice.id], from_minute=10 * 60, to_minute=12 * 60))
    after = offered_slots(
        db.session,
        service,
        DAY,
        DAY,
        ZoneInfo("UTC"),
        now=at(DAY, 0) - timedelta(days=1),
        agent_id=alice.id,
    )
    assert [s.start.hour for s in after] == [9, 12, 13, 14, 15, 16]
