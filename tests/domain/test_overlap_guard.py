"""The database itself refuses overlapping scheduled single-seat appointments of one agent.

On PostgreSQL an exclusion constraint, on SQLite triggers (portal.models.overlap_guard).
The inserts here go straight to the table, past every check of the booking code,
as a careless future code path or a hand-written SQL statement would.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, UTC

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.booking import operations
from portal.booking.errors import SlotUnavailable
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    OutboxMessage,
    Role,
    is_overlap_refusal,
)
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests import factories
from tests.clock import TODAY
from tests.conftest import make_user

UTC = UTC
DAY = TODAY + timedelta(days=10)
pytestmark = pytest.mark.date_sensitive  # DAY follows the clock


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), tzinfo=UTC)


@pytest.fixture
def calendar(app):
    alice = factories.agent("alice@example.com", "Alice Able")
    bob = factories.agent("bob@example.com", "Bob Baker")
    for person in (alice, bob):
        factories.weekly_hours(person, [(8 * 60, 18 * 60)])
    single = factories.service([alice, bob], slug="single", duration_minutes=30)
    group = factories.service([alice], slug="group", duration_minutes=30, capacity=3)
    add_default_templates(single)
    db.session.commit()
    booked = factories.appointment(single, alice, at(10))
    return alice, bob, single, group, booked


def raw_insert(service, organizer, start: datetime, minutes: int = 30, **values) -> None:
    """One INSERT statement straight into the table: no ORM defaults, no booking rules."""
    row = {
        "id": uuid.uuid4(),
        "service_id": service.id,
        "organizer_id": organizer.id,
        "title": "inserted by hand",
        "notes": "",
        "start_at": start,
        "end_at": start + timedelta(minutes=minutes),
        "timezone": "UTC",
        "locale": "en",
        "status": AppointmentStatus.SCHEDULED,
        "interaction_state": "PENDING",
        "done": False,
        "metadata": {},
        "custom_fields": {},
        "notifications_active": True,
        "sequence": 0,
        "created_at": at(0),
        "updated_at": at(0),
    } | values
    db.session.execute(insert(Appointment.__table__).values(**row))
    db.session.commit()


def assert_refused(write) -> None:
    with pytest.raises(IntegrityError) as refused:
        write()
    db.session.rollback()
    assert is_overlap_refusal(refused.value), refused.value


def scheduled_count(organizer) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.organizer_id == organizer.id,
            Appointment.status == AppointmentStatus.SCHEDULED,
        )
    )


def test_a_direct_overlapping_insert_is_refused_by_the_database(calendar):
    alice, _, single, _, _ = calendar
    # The INSERTs leave single_seat out: the column's own default puts them under the guard.
    assert_refused(lambda: raw_insert(single, alice, at(10)))  # the same time
    assert_refused(lambda: raw_insert(single, alice, at(10, 15)))  # starts inside
    assert_refused(lambda: raw_insert(single, alice, at(9, 45)))  # ends inside
    assert_refused(lambda: raw_insert(single, alice, at(9), minutes=180))  # covers it
    assert_refused(lambda: raw_insert(single, alice, at(10, 10), minutes=5))  # inside it
    assert scheduled_count(alice) == 1


def test_the_guard_leaves_every_lawful_row_alone(calendar):
    alice, bob, single, group, booked = calendar
    raw_insert(single, alice, at(9, 30))  # ends as the booked one starts: half-open ranges
    raw_insert(single, alice, at(10, 30))  # starts as it ends
    raw_insert(single, bob, at(10))  # another agent
    raw_insert(
        single, alice, at(10), status=AppointmentStatus.CANCELLED
    )  # cancelled rows free the time
    raw_insert(group, alice, at(16), single_seat=False)  # seats of a group session
    raw_insert(group, alice, at(16), single_seat=False)
    assert scheduled_count(alice) == 5


def test_an_update_into_an_overlap_is_refused(calendar):
    alice, bob, single, _, booked = calendar
    other = factories.appointment(single, alice, at(12))
    move = update(Appointment).where(Appointment.id == other.id)
    assert_refused(
        lambda: (
            db.session.execute(move.values(start_at=at(10, 15), end_at=at(10, 45))),
            db.session.commit(),
        )
    )
    bobs = factories.appointment(single, bob, at(10))
    assert_refused(
        lambda: (
            db.session.execute(
                update(Appointment).where(Appointment.id == bobs.id).values(organizer_id=alice.id)
            ),
            db.session.commit(),
        )
    )
    # Reviving a cancelled appointment over a taken time is refused too.
    db.session.execute(
        update(Appointment)
        .where(Appointment.id == booked.id)
        .values(status=AppointmentStatus.CANCELLED)
    )
    db.session.commit()
    factories.appointment(single, alice, at(10))
    revive = (
        update(Appointment)
        .where(Appointment.id == booked.id)
        .values(status=AppointmentStatus.SCHEDULED)
    )
    assert_refused(lambda: (db.session.execute(revive), db.session.commit()))


def test_the_seat_flag_follows_the_service(calendar):
    alice, _, single, group, booked = calendar
    assert booked.single_seat is True
    assert factories.appointment(group, alice, at(16)).single_seat is False


def test_a_booking_that_skips_the_check_gets_slot_unavailable_and_writes_nothing(
    app, calendar, monkeypatch
):
    alice, _, single, _, _ = calendar
    # A code path that forgot the re-check: it believes Alice is free at 10:00.
    monkeypatch.setattr(operations, "free_agents_at", lambda *args, **kwargs: (alice.id,))
    outbox_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    customer = operations.Customer("Cora", "Customer", "cora@example.org")
    with app.test_request_context("/"), pytest.raises(SlotUnavailable):
        operations.book(db.session, single, at(10), customer, agent_id=alice.id)
    assert scheduled_count(alice) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == outbox_before


def test_a_reschedule_that_skips_the_check_gets_slot_unavailable(app, calendar, monkeypatch):
    alice, _, single, _, _ = calendar
    other = factories.appointment(single, alice, at(12))
    monkeypatch.setattr(operations, "free_agents_at", lambda *args, **kwargs: (alice.id,))
    with app.test_request_context("/"), pytest.raises(SlotUnavailable):
        operations.reschedule(db.session, other, at(10))
    db.session.refresh(other)
    assert (other.start_at, other.sequence) == (at(12), 0)


def test_the_api_answers_slot_unavailable_when_the_database_refuses(client, calendar, monkeypatch):
    alice, _, single, _, _ = calendar
    robot = make_user("robot@example.com", Role.ADMIN, name="Robot")
    token, secret = issue_token(robot, "test")
    db.session.add(token)
    db.session.commit()
    monkeypatch.setattr(operations, "free_agents_at", lambda *args, **kwargs: (alice.id,))
    response = client.post(
        "/api/appointments/",
        json={
            "serviceId": str(single.id),
            "organizerId": str(alice.id),
            "start": at(10).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer": {
                "name": {"firstName": "Cora", "lastName": "C"},
                "contact": {"primaryEmail": "c@example.org"},
            },
        },
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.json["error"] == "slot_unavailable"
    assert scheduled_count(alice) == 1


def test_any_other_writer_meets_the_same_answer(app, calendar):
    """A future view that writes past the booking operations still answers "just taken"."""
    alice, _, single, _, _ = calendar

    def careless_writer():
        raw_insert(single, alice, at(10))
        return "written"

    app.add_url_rule("/api/test-careless", "api_careless", careless_writer, methods=["POST"])
    app.add_url_rule("/test-careless", "page_careless", careless_writer, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    api = client.post("/api/test-careless")
    assert api.status_code == 409
    assert api.json["error"] == "slot_unavailable"
    page = client.post("/test-careless")
    assert page.status_code == 409
    assert "That time was just taken" in page.get_data(as_text=True)
    assert scheduled_count(alice) == 1
