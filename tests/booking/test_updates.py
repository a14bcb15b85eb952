"""Staff details editing, staff create (notice may be overridden, never a collision), upsert."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.booking import lifecycle, updates
from portal.booking.errors import Conflict, InvalidBooking, NotFound, SlotUnavailable
from portal.booking.lifecycle import Actor
from portal.domain.errors import Forbidden
from portal.booking.operations import Customer
from portal.extensions import db
from portal.models import Appointment, InteractionState, OutboxMessage
from tests import factories
from tests.booking.conftest import NOW, TEN

CORA = Customer("Cora", "Customer", "cora@example.org")


def reload(appointment):
    db.session.expire_all()
    return db.session.get(Appointment, appointment.id)


def test_update_replaces_the_given_fields(team):
    appointment = factories.appointment(team.service, team.alice, TEN, title="Old", notes="n")
    updates.update_details(
        db.session,
        appointment,
        title=" New title ",
        notes="",
        metadata={"crm": "1"},
        custom_fields={"a": "b"},
    )
    stored = reload(appointment)
    assert (stored.title, stored.notes, stored.metadata_, stored.custom_fields) == (
        "New title",
        "",
        {"crm": "1"},
        {"a": "b"},
    )
    assert stored.sequence == 1  # the title is on calendars


def test_a_stale_edit_writes_nothing(team, fixed_clock):
    appointment = factories.appointment(team.service, team.alice, TEN, title="Old")
    seen = appointment.updated_at
    fixed_clock.shift(timedelta(seconds=1))  # versions are update times: the other edit comes later
    updates.update_details(db.session, appointment, notes="someone else")
    with pytest.raises(Conflict):
        updates.update_details(db.session, appointment, title="Mine", expected_version=seen)
    assert reload(appointment).title == "Old"
    updates.update_details(
        db.session, appointment, title="Mine", expected_version=reload(appointment).updated_at
    )
    assert reload(appointment).title == "Mine"


def test_bad_details_are_refused(team):
    appointment = factories.appointment(team.service, team.alice, TEN, title="Old")
    with pytest.raises(InvalidBooking):
        updates.update_details(db.session, appointment, title="x" * 201)
    with pytest.raises(InvalidBooking):
        updates.update_details(db.session, appointment, metadata=["not", "an", "object"])
    with pytest.raises(InvalidBooking):
        updates.update_details(db.session, appointment, interaction_state=InteractionState.ACTIVE)
    assert reload(appointment).title == "Old"


def test_staff_may_book_inside_the_notice_but_never_a_collision(team):
    soon = NOW + timedelta(hours=1)  # notice is 2 hours
    booked = updates.create_for_staff(
        db.session, team.service, soon, CORA, organizer_id=team.alice.id, now=NOW
    )
    assert booked.organizer_id == team.alice.id
    with pytest.raises(SlotUnavailable):
        updates.create_for_staff(
            db.session, team.service, soon, CORA, organizer_id=team.alice.id, now=NOW
        )
    assert db.session.query(OutboxMessage).filter_by(appointment_id=booked.id).count() >= 1


def test_references_are_unique(team):
    updates.create_for_staff(db.session, team.service, TEN, CORA, reference="EXT-1", now=NOW)
    with pytest.raises(Conflict):
        updates.create_for_staff(
            db.session, team.service, TEN + timedelta(hours=1), CORA, reference="EXT-1", now=NOW
        )
    with pytest.raises(InvalidBooking):
        updates.create_for_staff(db.session, team.service, TEN, CORA, reference=" ", now=NOW)


def test_whose_calendar_a_staff_create_goes_into(team):
    service = team.service
    # An agent books into their own calendar, by default too; never a colleague's.
    assert lifecycle.organizer_for_create(Actor.of(team.alice), service, None) == team.alice.id
    with pytest.raises(Forbidden):
        lifecycle.organizer_for_create(Actor.of(team.alice), service, team.bob.id)
    # An agent who does not offer the service has no calendar to book it into.
    with pytest.raises(Forbidden):
        lifecycle.organizer_for_create(Actor.of(team.carol), service, None)
    # A supervisor picks any agent, or lets the portal choose.
    assert lifecycle.organizer_for_create(Actor.of(team.sam), service, None) is None
    assert lifecycle.organizer_for_create(Actor.of(team.sam), service, team.bob.id) == team.bob.id
    assert not lifecycle.can_create_for(Actor.customer("cora@example.org"), service, None)


def test_an_agent_cannot_create_into_a_colleagues_calendar(team):
    with pytest.raises(Forbidden):
        updates.create_for_staff(
            db.session,
            team.service,
            TEN,
            CORA,
            organizer_id=team.bob.id,
            actor=Actor.of(team.alice),
            now=NOW,
        )
    db.session.rollback()
    assert db.session.query(Appointment).count() == 0


def test_upsert_creates_then_updates(team):
    changes = updates.ReferenceUpsert(
        service_id=team.service.id, start=TEN, customer=CORA, title="Ext"
    )
    created, was_created = updates.upsert_by_reference(
        db.session, team.sam, "EXT-9", changes, now=NOW
    )
    assert was_created and created.reference == "EXT-9" and created.title == "Ext"
    later = TEN + timedelta(hours=2)
    other = team.bob.id if created.organizer_id == team.alice.id else team.alice.id
    changed, was_created = updates.upsert_by_reference(
        db.session,
        team.sam,
        "EXT-9",
        updates.ReferenceUpsert(start=later, organizer_id=other, notes="moved"),
        now=NOW,
    )
    assert not was_created and changed.id == created.id
    stored = reload(created)
    assert (stored.start_at, stored.organizer_id, stored.notes, stored.title) == (
        later,
        other,
        "moved",
        "Ext",
    )
    kinds = [m.type for m in db.session.query(OutboxMessage).filter_by(appointment_id=created.id)]
    assert "RESCHEDULE" in kinds


def test_upsert_errors(team):
    with pytest.raises(InvalidBooking):
        updates.upsert_by_reference(
            db.session, team.sam, "NEW", updates.ReferenceUpsert(start=TEN), now=NOW
        )
    factories.appointment(team.service, team.bob, TEN, reference="BOBS")
    # An agent who does not take part cannot see it: not found.
    with pytest.raises(NotFound):
        updates.upsert_by_reference(
            db.session, team.alice, "BOBS", updates.ReferenceUpsert(notes="x"), now=NOW
        )
    other = factories.service([team.alice], slug="other")
    with pytest.raises(InvalidBooking):
        updates.upsert_by_reference(
            db.session, team.sam, "BOBS", updates.ReferenceUpsert(service_id=other.id), now=NOW
        )
