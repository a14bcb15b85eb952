"""Participants: add agents (409 on duplicates) and customers, remove, reassign options."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from portal.booking import participants
from portal.booking.errors import Conflict, InvalidBooking, NotFound
from portal.booking.operations import Customer, cancel
from portal.extensions import db
from portal.models import Appointment
from tests import factories
from tests.booking.conftest import NOW, TEN


def reload(appointment: Appointment) -> Appointment:
    db.session.expire_all()
    return db.session.get(Appointment, appointment.id)


def test_add_an_agent(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    participants.add_agent(db.session, appointment, team.bob.id)
    stored = reload(appointment)
    agents = {p.user_id: p for p in stored.agents}
    assert set(agents) == {team.alice.id, team.bob.id}
    assert agents[team.bob.id].is_organizer is False
    assert agents[team.bob.id].email == "bob@example.com"
    assert stored.organizer_id == team.alice.id


def test_adding_the_same_agent_twice_is_a_conflict(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    participants.add_agent(db.session, appointment, team.bob.id)
    with pytest.raises(Conflict) as raised:
        participants.add_agent(db.session, appointment, team.bob.id)
    assert raised.value.status == 409 and "Bob Baker" in raised.value.message
    with pytest.raises(Conflict):  # the organizer is already there too
        participants.add_agent(db.session, appointment, team.alice.id)
    assert len(reload(appointment).agents) == 2


def test_unknown_or_inactive_agents_are_not_found(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    with pytest.raises(NotFound):
        participants.add_agent(db.session, appointment, uuid.uuid4())
    team.carol.active = False
    db.session.commit()
    with pytest.raises(NotFound):
        participants.add_agent(db.session, appointment, team.carol.id)
    assert len(reload(appointment).agents) == 1


def test_add_a_customer(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    guest = Customer("Gina", "Guest", "Gina@Example.org", "+4930123", {"refNo": "CS-1"})
    participants.add_customer(db.session, appointment, guest, username="gina")
    stored = reload(appointment)
    added = [p for p in stored.customers if p.first_name == "Gina"][0]
    assert (added.email, added.phone, added.username) == ("gina@example.org", "+4930123", "gina")
    assert added.metadata_ == {"refNo": "CS-1"}
    with pytest.raises(InvalidBooking):
        participants.add_customer(db.session, appointment, Customer(" ", "", None))


def test_remove_a_participant_but_never_the_organizer(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    participants.add_agent(db.session, appointment, team.bob.id)
    customer = reload(appointment).customers[0]
    participants.remove_participant(db.session, appointment, customer.id)
    assert reload(appointment).customers == []
    organizer = [p for p in reload(appointment).agents if p.is_organizer][0]
    with pytest.raises(Conflict):
        participants.remove_participant(db.session, appointment, organizer.id)
    with pytest.raises(NotFound):
        participants.remove_participant(db.session, appointment, uuid.uuid4())
    assert {p.user_id for p in reload(appointment).agents} == {team.alice.id, team.bob.id}


def test_a_cancelled_appointment_takes_no_new_participants(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    cancel(db.session, appointment, "no longer needed")
    with pytest.raises(Conflict):
        participants.add_agent(db.session, appointment, team.bob.id)


def test_an_added_agent_is_busy_for_other_bookings(team):
    from portal.booking.availability import offered_slots
    from zoneinfo import ZoneInfo

    appointment = factories.appointment(team.service, team.alice, TEN)
    participants.add_agent(db.session, appointment, team.bob.id)
    slots = offered_slots(
        db.session, team.service, TEN.date(), TEN.date(), ZoneInfo("UTC"), now=NOW
    )
    assert TEN not in {s.start for s in slots}


def test_reassign_options_mark_who_is_free(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    options = participants.reassign_options(db.session, appointment, now=NOW)
    assert [(o.agent.id, o.free) for o in options] == [(team.bob.id, True)]
    factories.appointment(team.service, team.bob, TEN + timedelta(minutes=15))
    options = participants.reassign_options(db.session, appointment, now=NOW)
    assert [(o.agent.id, o.free) for o in options] == [(team.bob.id, False)]


def test_staff_directory_lists_active_staff(team):
    names = [u.name for u in participants.staff_directory(db.session)]
    assert names == ["Alice Able", "Bob Baker", "Carol Cole", "Sam Super"]
