"""Book, hold, reschedule, cancel and reassign against a real database."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.booking.errors import Conflict, NotFound, SlotUnavailable
from portal.booking.holds import HoldRequest, hold_slot
from portal.booking.operations import Customer, book, cancel, reassign, reschedule
from portal.extensions import db
from portal.models import Appointment, AppointmentStatus, ParticipantType, SlotHold
from tests import factories

UTC = UTC
NOW = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # a Monday
TEN = datetime(2030, 3, 5, 10, 0, tzinfo=UTC)  # Tuesday 10:00 UTC
CORA = Customer("Cora", "Customer", "Cora@Example.org", "+15550100")


@pytest.fixture
def team(app):
    alice = factories.agent("alice@example.com", "Alice")
    bob = factories.agent("bob@example.com", "Bob")
    for person in (alice, bob):
        factories.weekly_hours(person, [(9 * 60, 17 * 60)])
    service = factories.service([alice, bob], duration_minutes=30)
    return service, alice, bob


def hold(service, email: str, agent, now=NOW, start=TEN):
    request = HoldRequest(service, start, email, f"browser of {email}", "192.0.2.1", agent.id)
    return hold_slot(db.session, request, now=now)


def appointments() -> int:
    return db.session.scalar(select(func.count()).select_from(Appointment))


def test_book_a_free_slot(team):
    service, alice, _bob = team
    booked = book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    assert booked.organizer_id == alice.id
    assert (booked.start_at, booked.end_at) == (TEN, TEN + timedelta(minutes=30))
    customer = [p for p in booked.participants if p.type == ParticipantType.CUSTOMER][0]
    assert customer.email == "cora@example.org"
    assert [p.user_id for p in booked.participants if p.is_organizer] == [alice.id]


def test_the_same_slot_cannot_be_booked_twice(team):
    service, alice, _bob = team
    book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    with pytest.raises(SlotUnavailable):
        book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    assert appointments() == 1


def test_an_overlapping_slot_is_refused(team):
    service, alice, _bob = team
    factories.appointment(service, alice, TEN + timedelta(minutes=15), minutes=10)
    with pytest.raises(SlotUnavailable):
        book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)


def test_off_grid_and_past_starts_are_refused(team):
    service, alice, _bob = team
    with pytest.raises(SlotUnavailable):
        book(db.session, service, TEN + timedelta(minutes=7), CORA, agent_id=alice.id, now=NOW)
    with pytest.raises(SlotUnavailable):
        book(db.session, service, NOW - timedelta(hours=1), CORA, agent_id=alice.id, now=NOW)
    assert appointments() == 0


def test_any_agent_takes_the_least_busy_agent(team):
    service, alice, bob = team
    factories.appointment(service, alice, TEN + timedelta(hours=2))
    booked = book(db.session, service, TEN, CORA, now=NOW)
    assert booked.organizer_id == bob.id
    # Both busy once this week now; Bob was booked most recently, so Alice comes next.
    assert (
        book(db.session, service, TEN + timedelta(hours=3), CORA, now=NOW).organizer_id == alice.id
    )


def test_an_agent_who_does_not_serve_the_service(team):
    service, _alice, _bob = team
    carol = factories.agent("carol@example.com", "Carol")
    with pytest.raises(NotFound):
        book(db.session, service, TEN, CORA, agent_id=carol.id, now=NOW)


def test_capacity_counts_seats(app):
    alice = factories.agent()
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)])
    service = factories.service([alice], capacity=2)
    book(db.session, service, TEN, CORA, now=NOW)
    book(db.session, service, TEN, CORA, now=NOW)
    with pytest.raises(SlotUnavailable):
        book(db.session, service, TEN, CORA, now=NOW)
    assert appointments() == 2


def test_a_hold_blocks_others_until_it_expires(team):
    service, alice, _bob = team
    held = hold(service, "first@example.org", alice)
    assert held.expires_at == NOW + timedelta(minutes=10)
    with pytest.raises(SlotUnavailable):
        book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW + timedelta(minutes=5))
    # The holder books through their own hold, which is then used up.
    then = NOW + timedelta(minutes=5)
    booked = book(db.session, service, TEN, CORA, hold_id=held.id, now=then)
    assert booked.organizer_id == alice.id
    live = select(func.count()).select_from(SlotHold).where(SlotHold.expires_at > then)
    assert db.session.scalar(live) == 0


def test_an_expired_hold_frees_the_slot(team):
    service, alice, _bob = team
    hold(service, "first@example.org", alice)
    later = NOW + timedelta(minutes=11)
    assert (
        book(db.session, service, TEN, CORA, agent_id=alice.id, now=later).organizer_id == alice.id
    )


def test_holding_a_taken_slot_fails(team):
    service, alice, _bob = team
    hold(service, "first@example.org", alice)
    with pytest.raises(SlotUnavailable):
        hold(service, "second@example.org", alice)


def test_minimum_notice_binds_customers_not_staff(app):
    alice = factories.agent()
    factories.weekly_hours(alice, [(0, 24 * 60)])
    service = factories.service([alice], minimum_notice_minutes=24 * 60)
    soon = NOW + timedelta(hours=2)
    with pytest.raises(SlotUnavailable):
        book(db.session, service, soon, CORA, now=NOW)
    assert book(db.session, service, soon, CORA, now=NOW, enforce_notice=False).start_at == soon


def test_reschedule_keeps_the_id_and_frees_the_old_time(team):
    service, alice, _bob = team
    booked = book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    original_id, sequence = booked.id, booked.sequence
    moved = reschedule(db.session, booked, TEN + timedelta(hours=1), now=NOW)
    assert moved.id == original_id
    assert moved.start_at == TEN + timedelta(hours=1)
    assert moved.sequence == sequence + 1
    # The old time is free again.
    assert book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW).start_at == TEN


def test_reschedule_onto_its_own_time_shift_is_allowed(team):
    service, alice, _bob = team
    booked = book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    # Overlaps only itself: fine.
    assert reschedule(
        db.session, booked, TEN + timedelta(minutes=30), now=NOW
    ).start_at == TEN + timedelta(minutes=30)


def test_reschedule_onto_a_busy_time_changes_nothing(team):
    service, alice, _bob = team
    booked = book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    factories.appointment(service, alice, TEN + timedelta(hours=2))
    with pytest.raises(SlotUnavailable):
        reschedule(db.session, booked, TEN + timedelta(hours=2), now=NOW)
    db.session.refresh(booked)
    assert booked.start_at == TEN


def test_cancel_frees_the_slot_and_keeps_the_row(team):
    service, alice, _bob = team
    booked = book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    cancel(db.session, booked, "Feeling better", now=NOW)
    assert booked.status == AppointmentStatus.CANCELLED
    assert booked.cancellation_reason == "Feeling better"
    assert appointments() == 1
    assert book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW).id != booked.id
    with pytest.raises(Conflict):
        cancel(db.session, booked, now=NOW)


def test_reassign_to_a_free_agent(team):
    service, alice, bob = team
    booked = book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    reassign(db.session, booked, bob.id, now=NOW)
    assert booked.organizer_id == bob.id
    agents = [
        (p.user_id, p.is_organizer) for p in booked.participants if p.type == ParticipantType.AGENT
    ]
    assert agents == [(bob.id, True)]


def test_reassign_to_a_busy_agent_is_refused(team):
    service, alice, bob = team
    booked = book(db.session, service, TEN, CORA, agent_id=alice.id, now=NOW)
    factories.appointment(service, bob, TEN)
    with pytest.raises(SlotUnavailable, match="not free"):
        reassign(db.session, booked, bob.id, now=NOW)
    db.session.refresh(booked)
    assert booked.organizer_id == alice.id
