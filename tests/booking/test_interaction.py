"""The video call: activate (room ticket), end, eligibility, join."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.booking import interaction
from portal.booking.errors import Conflict
from portal.booking.operations import cancel
from portal.extensions import db
from portal.models import Appointment, InteractionState, RoomTicket
from tests import factories
from tests.booking.conftest import TEN


@pytest.fixture
def config_overrides():
    return {"VIDEO_URL_TEMPLATE": "https://video.example.test/room/{ticket}?x={y}"}


def test_activate_opens_a_room(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    ticket = interaction.activate(db.session, appointment, now=TEN - timedelta(minutes=5))
    assert ticket.type == "MULTI_USE_TICKET"
    assert ticket.url.startswith("https://video.example.test/room/")
    assert ticket.url.endswith("?x={y}")  # other braces are left alone
    token = ticket.url.removeprefix("https://video.example.test/room/").removesuffix("?x={y}")
    assert len(token) == 32 and int(token, 16) >= 0
    assert ticket.expires_at == appointment.end_at + interaction.ROOM_GRACE
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored.interaction_state == InteractionState.ACTIVE
    assert [t.url for t in stored.room_tickets] == [ticket.url]


def test_activating_again_returns_the_same_room(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    first = interaction.activate(db.session, appointment, now=TEN)
    second = interaction.activate(db.session, appointment, now=TEN + timedelta(minutes=1))
    assert first.url == second.url
    assert db.session.query(RoomTicket).count() == 1


def test_tickets_are_unguessable(team):
    one = factories.appointment(team.service, team.alice, TEN)
    two = factories.appointment(team.service, team.bob, TEN)
    assert (
        interaction.activate(db.session, one, now=TEN).url
        != interaction.activate(db.session, two, now=TEN).url
    )


def test_cancelled_ended_or_past_appointments_cannot_be_activated(team):
    cancelled = factories.appointment(team.service, team.alice, TEN)
    cancel(db.session, cancelled, "x")
    with pytest.raises(Conflict):
        interaction.activate(db.session, cancelled, now=TEN)
    ended = factories.appointment(team.service, team.bob, TEN)
    interaction.end(db.session, ended, now=TEN)
    with pytest.raises(Conflict):
        interaction.activate(db.session, ended, now=TEN)
    old = factories.appointment(team.service, team.alice, TEN + timedelta(hours=1))
    with pytest.raises(Conflict):
        interaction.activate(db.session, old, now=TEN + timedelta(hours=3))


def test_end_the_call(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    ticket = interaction.activate(db.session, appointment, now=TEN)
    interaction.end(db.session, appointment, now=TEN + timedelta(minutes=20))
    db.session.expire_all()
    stored = db.session.get(Appointment, appointment.id)
    assert stored.interaction_state == InteractionState.ENDED and stored.done
    assert db.session.get(RoomTicket, ticket.id).expires_at == TEN + timedelta(minutes=20)
    assert interaction.live_ticket(stored, now=TEN + timedelta(minutes=21)) is None


def test_eligible_within_the_time_frame(team):
    now = TEN - timedelta(minutes=50)
    soon = factories.appointment(team.service, team.alice, TEN)  # starts in 50 min
    running = factories.appointment(team.service, team.bob, TEN - timedelta(hours=1), minutes=90)
    factories.appointment(team.service, team.alice, TEN + timedelta(hours=2))  # too far
    activated = factories.appointment(team.service, team.bob, TEN + timedelta(minutes=30))
    interaction.activate(db.session, activated, now=now)
    cancelled = factories.appointment(team.service, team.alice, TEN + timedelta(minutes=30))
    cancel(db.session, cancelled, "x")
    found = interaction.eligible(db.session, timedelta(hours=1), now=now)
    assert [e.appointment.id for e in found] == [running.id, soon.id]
    assert found[1].eligible_from == TEN - timedelta(hours=1)
    assert [
        e.appointment.id for e in interaction.eligible(db.session, timedelta(minutes=10), now=now)
    ] == [running.id]


def test_join_button_rules(team):
    appointment = factories.appointment(team.service, team.alice, TEN)
    assert not interaction.can_join(appointment, now=TEN - timedelta(hours=1))
    assert interaction.can_join(appointment, now=TEN - timedelta(minutes=10))
    assert interaction.can_join(appointment, now=TEN + timedelta(minutes=10))
    assert not interaction.can_join(appointment, now=TEN + timedelta(minutes=30))
    interaction.activate(db.session, appointment, now=TEN - timedelta(hours=1))
    assert interaction.can_join(appointment, now=TEN - timedelta(hours=1))
