"""/agent/appointments/<id>: details, participants, reschedule, reassign, cancel, the call,
messages; every bad input gives a form error and writes nothing; the permission matrix."""

from __future__ import annotations

import re

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, UTC

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    InteractionState,
    OutboxMessage,
    Role,
    Service,
    User,
)
from portal.notifications.defaults import add_default_templates
from tests import factories
from tests.clock import TODAY
from tests.conftest import make_user, sign_in
from tests.web.staff_support import parse


UTC = UTC
DAY = TODAY + timedelta(days=10)
pytestmark = pytest.mark.date_sensitive  # DAY follows the clock


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@dataclass
class Desk:
    service: Service
    alice: User
    bob: User
    mine: Appointment
    theirs: Appointment


@pytest.fixture
def desk(app, client) -> Desk:
    alice = factories.agent("alice@example.com", "Alice Able")
    bob = factories.agent("bob@example.com", "Bob Baker")
    for person in (alice, bob):
        factories.weekly_hours(person, [(8 * 60, 18 * 60)])
    service = factories.service([alice, bob], duration_minutes=30, minimum_notice_minutes=24 * 60)
    add_default_templates(service)
    db.session.commit()
    mine = factories.appointment(service, alice, at(10), title="Kitchen planning")
    theirs = factories.appointment(service, bob, at(11), title="Bob's")
    sign_in(client, "alice@example.com")
    return Desk(service, alice, bob, mine, theirs)


def url(appointment: Appointment, action: str = "") -> str:
    return f"/agent/appointments/{appointment.id}" + (f"/{action}" if action else "")


def fresh(appointment: Appointment) -> Appointment:
    db.session.expire_all()
    return db.session.get(Appointment, appointment.id)


def outbox(appointment: Appointment, kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.appointment_id == appointment.id, OutboxMessage.type == kind
            )
        )
    )


# --- reading --------------------------------------------------------------------------------------


def test_the_page_shows_the_appointment(client, desk):
    response = client.get(url(desk.mine))
    assert response.status_code == 200
    tree = parse(response.data)
    text = tree.text
    assert "Cora Customer" in text and "Kitchen planning" in text and "Alice Able" in text
    assert "10:00 AM – 10:30 AM" in text  # Babel, in Alice's zone; never ISO
    assert "T10:00:00" not in text
    participants = tree.find(id="participants")
    assert len(participants.find_all("people__item")) == 2
    links = tree.find(id="calendar-links")
    hrefs = {a.attrs["href"] for a in links.find_all(tag="a")}
    assert f"/api/cal/events/ical/{desk.mine.id}/event" in hrefs
    assert f"/api/cal/events/google/{desk.mine.id}/event" in hrefs
    # The reschedule picker offers Alice's free times (staff ignore the 24 h notice).
    assert tree.find(id="picker") is not None


def test_messages_of_the_appointment_are_listed(client, desk):
    client.post(url(desk.mine, "cancel"), data={"cancel-reason": "ill", "cancel-email": "y"})
    tree = parse(client.get(url(desk.mine)).data)
    items = tree.find(id="messages").find_all("messages__item")
    assert items and all(item.attrs["data-status"] == "PENDING" for item in items)
    # The customer's notice (the agent's own, issue 18, is listed too).
    assert any("Cancel" in item.text and "cora@example.org" in item.text for item in items)
    # Each due or sent time names its zone (issue 16).
    assert all(re.search(r"(Due|Sent) .+ Time", item.text) for item in items), [
        item.text for item in items
    ]


# --- details --------------------------------------------------------------------------------------


def details(client, appointment, version=None, **fields):
    tree = parse(client.get(url(appointment)).data)
    seen = tree.find(tag="input", name="details-version").attrs["value"]
    data = {
        "details-version": version if version is not None else seen,
        "details-title": "T",
        "details-notes": "",
        "details-metadata": "",
    }
    data.update({f"details-{k}": v for k, v in fields.items()})
    return client.post(url(appointment, "details"), data=data)


def test_edit_details(client, desk):
    response = details(
        client,
        desk.mine,
        title="Kitchen, take two",
        notes="Bring plans",
        metadata='{"crm": "CS-1"}',
    )
    assert response.status_code == 303
    stored = fresh(desk.mine)
    assert (stored.title, stored.notes, stored.metadata_) == (
        "Kitchen, take two",
        "Bring plans",
        {"crm": "CS-1"},
    )
    assert "Details saved." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_nul_characters_are_dropped(client, desk):
    assert details(client, desk.mine, title="Kitchen\x00 plan", notes="a\x00b").status_code == 303
    stored = fresh(desk.mine)
    assert (stored.title, stored.notes) == ("Kitchen plan", "ab")


def test_bad_or_stale_details_write_nothing(client, desk, fixed_clock):
    response = details(client, desk.mine, metadata="[1, 2]")
    assert response.status_code == 422 and "Write a JSON object" in response.get_data(as_text=True)
    response = details(client, desk.mine, title="x" * 201)
    assert response.status_code == 422
    tree = parse(client.get(url(desk.mine)).data)
    seen = tree.find(tag="input", name="details-version").attrs["value"]
    fixed_clock.shift(timedelta(seconds=1))  # versions are update times: the other tab saves later
    stored = fresh(desk.mine)
    stored.notes = "changed in another tab"
    db.session.commit()
    response = details(client, desk.mine, version=seen, title="Mine")
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)
    assert fresh(desk.mine).title == "Kitchen planning"
    assert details(client, desk.mine, version="garbage", title="Mine").status_code == 409
    assert fresh(desk.mine).title == "Kitchen planning"


# --- participants ---------------------------------------------------------------------------------


def test_add_and_remove_participants(client, desk):
    response = client.post(
        url(desk.mine, "participants/agents"), data={"agent-user_id": str(desk.bob.id)}
    )
    assert response.status_code == 303
    assert {p.user_id for p in fresh(desk.mine).agents} == {desk.alice.id, desk.bob.id}
    again = client.post(
        url(desk.mine, "participants/agents"), data={"agent-user_id": str(desk.bob.id)}
    )
    assert again.status_code == 409
    assert "Bob Baker already takes part in this appointment." in again.get_data(as_text=True)
    guest = client.post(
        url(desk.mine, "participants/customers"),
        data={
            "customer-first_name": "Gina",
            "customer-last_name": "Guest",
            "customer-email": "gina@example.org",
        },
    )
    assert guest.status_code == 303
    gina = [p for p in fresh(desk.mine).customers if p.first_name == "Gina"][0]
    assert gina.email == "gina@example.org"
    removed = client.post(url(desk.mine, f"participants/{gina.id}/remove"))
    assert removed.status_code == 303
    assert [p.first_name for p in fresh(desk.mine).customers] == ["Cora"]


def test_participant_errors(client, desk):
    assert (
        client.post(
            url(desk.mine, "participants/customers"), data={"customer-email": "x@example.org"}
        ).status_code
        == 422
    )
    assert (
        client.post(
            url(desk.mine, "participants/customers"),
            data={"customer-first_name": "A", "customer-email": "nope"},
        ).status_code
        == 422
    )
    assert (
        client.post(
            url(desk.mine, "participants/agents"), data={"agent-user_id": "nobody"}
        ).status_code
        == 422
    )
    unknown = client.post(
        url(desk.mine, "participants/agents"), data={"agent-user_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 404 and "That agent does not exist." in unknown.get_data(
        as_text=True
    )
    organizer = [p for p in fresh(desk.mine).agents if p.is_organizer][0]
    refused = client.post(url(desk.mine, f"participants/{organizer.id}/remove"))
    assert refused.status_code == 409 and "Reassign the appointment instead" in refused.get_data(
        as_text=True
    )
    assert len(fresh(desk.mine).participants) == 2


# --- reschedule, reassign, cancel -----------------------------------------------------------------


def test_reschedule_through_the_picker(client, desk):
    tree = parse(client.get(url(desk.mine)).data)
    buttons = {
        b.attrs["value"] for b in tree.find_all("slot", tag="button") if b.attrs.get("value")
    }
    assert f"{DAY.isoformat()}T14:00:00Z" in buttons
    assert f"{DAY.isoformat()}T10:00:00Z" not in buttons  # its own time is marked, not offered
    response = client.post(
        url(desk.mine, "reschedule"),
        data={"start": f"{DAY.isoformat()}T14:00:00Z", "timezone": "UTC"},
    )
    assert response.status_code == 303
    assert fresh(desk.mine).start_at == at(14)
    assert outbox(desk.mine, "RESCHEDULE")


def test_reschedule_onto_a_taken_time_is_refused(client, desk):
    factories.appointment(desk.service, desk.alice, at(15))
    response = client.post(
        url(desk.mine, "reschedule"),
        data={"start": f"{DAY.isoformat()}T15:00:00Z", "timezone": "UTC"},
    )
    assert response.status_code == 409
    assert "just taken" in response.get_data(as_text=True)
    assert fresh(desk.mine).start_at == at(10)
    assert client.post(url(desk.mine, "reschedule"), data={"start": "soon"}).status_code == 422


def test_staff_may_reschedule_inside_the_notice(client, desk):
    soon = (datetime.now(UTC) + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    factories.weekly_hours(desk.alice, [(0, 8 * 60), (18 * 60, 24 * 60)])
    response = client.post(
        url(desk.mine, "reschedule"), data={"start": soon.strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    assert fresh(desk.mine).start_at == soon


def test_picker_partials_for_htmx(client, desk):
    partial = client.get(
        url(desk.mine),
        query_string={"month": DAY.strftime("%Y-%m")},
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200 and partial.get_data(as_text=True).lstrip().startswith(
        '<div id="picker"'
    )
    assert "HX-Request" in partial.headers["Vary"]
    day = client.get(url(desk.mine, f"day/{DAY.isoformat()}"), headers={"HX-Request": "true"})
    assert day.status_code == 200 and day.get_data(as_text=True).lstrip().startswith(
        '<div id="slots"'
    )
    assert client.get(url(desk.mine, "day/2026-99-01")).status_code == 404


def test_reassign(client, desk):
    options = parse(client.get(url(desk.mine)).data).find(tag="select", name="reassign-user_id")
    assert [o.text for o in options.find_all(tag="option")][1:] == ["Bob Baker"]
    response = client.post(url(desk.mine, "reassign"), data={"reassign-user_id": str(desk.bob.id)})
    assert response.status_code == 303
    assert fresh(desk.mine).organizer_id == desk.bob.id
    # Alice no longer takes part, so she is sent back to her dashboard.
    assert response.headers["Location"].endswith("/agent/")


def test_reassign_to_a_busy_or_unsuitable_agent(client, desk):
    factories.appointment(desk.service, desk.bob, at(10, 15), minutes=15)
    busy = client.post(url(desk.mine, "reassign"), data={"reassign-user_id": str(desk.bob.id)})
    assert busy.status_code == 409
    assert "not free at this time" in busy.get_data(as_text=True)
    carol = factories.agent("carol@example.com", "Carol Cole")
    unsuitable = client.post(url(desk.mine, "reassign"), data={"reassign-user_id": str(carol.id)})
    assert unsuitable.status_code == 404
    assert "does not offer this service" in unsuitable.get_data(as_text=True)
    assert client.post(url(desk.mine, "reassign"), data={}).status_code == 422
    assert fresh(desk.mine).organizer_id == desk.alice.id
    tree = parse(client.get(url(desk.mine)).data)
    assert "Bob Baker (busy then)" in tree.find(tag="select", name="reassign-user_id").text


def test_cancel_with_a_reason(client, desk):
    response = client.post(
        url(desk.mine, "cancel"), data={"cancel-reason": "Customer is ill", "cancel-email": "y"}
    )
    assert response.status_code == 303
    stored = fresh(desk.mine)
    assert (
        stored.status == AppointmentStatus.CANCELLED
        and stored.cancellation_reason == "Customer is ill"
    )
    assert outbox(desk.mine, "CANCEL")
    again = client.post(url(desk.mine, "cancel"), data={"cancel-reason": "x"})
    assert again.status_code == 409
    assert (
        client.post(url(desk.theirs, "cancel"), data={"cancel-reason": "x" * 501}).status_code
        == 404
    )


# --- the call -------------------------------------------------------------------------------------


def test_activate_join_and_end(client, desk):
    response = client.post(url(desk.mine, "activate"))
    assert response.status_code == 303
    stored = fresh(desk.mine)
    assert stored.interaction_state == InteractionState.ACTIVE
    room = stored.room_tickets[0].url
    assert room.startswith("https://meet.jit.si/portal-")
    tree = parse(client.get(url(desk.mine)).data)
    assert tree.find(tag="a", href=room) is not None
    joined = client.post(url(desk.mine, "join"))
    assert joined.status_code == 303 and joined.headers["Location"] == room
    ended = client.post(url(desk.mine, "end"))
    assert ended.status_code == 303
    assert fresh(desk.mine).interaction_state == InteractionState.ENDED
    refused = client.post(url(desk.mine, "activate"))
    assert refused.status_code == 409 and "has ended" in refused.get_data(as_text=True)


# --- permissions ----------------------------------------------------------------------------------


ACTIONS = [
    ("details", {"details-version": "x", "details-title": "hacked"}),
    ("participants/agents", {"agent-user_id": "x"}),
    ("participants/customers", {"customer-first_name": "Eve"}),
    ("reschedule", {"start": "2030-01-01T10:00:00Z"}),
    ("reassign", {"reassign-user_id": "x"}),
    ("cancel", {"cancel-reason": "hacked"}),
    ("activate", {}),
    ("join", {}),
    ("end", {}),
]


def test_an_agent_cannot_see_or_change_another_agents_appointment(client, desk):
    assert client.get(url(desk.theirs)).status_code == 404
    assert client.get(url(desk.theirs, f"day/{DAY.isoformat()}")).status_code == 404
    for action, data in ACTIONS:
        assert client.post(url(desk.theirs, action), data=data).status_code == 404, action
    participant = fresh(desk.theirs).participants[0]
    assert client.post(url(desk.theirs, f"participants/{participant.id}/remove")).status_code == 404
    stored = fresh(desk.theirs)
    assert (stored.status, stored.title, stored.interaction_state, len(stored.participants)) == (
        AppointmentStatus.SCHEDULED,
        "Bob's",
        InteractionState.PENDING,
        2,
    )
    assert client.get(f"/agent/appointments/{uuid.uuid4()}").status_code == 404
    assert client.get("/agent/appointments/not-a-uuid").status_code == 404


def test_a_participating_agent_can_open_it(app, client, desk):
    client.post(url(desk.mine, "participants/agents"), data={"agent-user_id": str(desk.bob.id)})
    bob = app.test_client()
    sign_in(bob, "bob@example.com")
    assert bob.get(url(desk.mine)).status_code == 200


def test_supervisors_and_admins_open_and_change_any(app, desk):
    for role, email in ((Role.SUPERVISOR, "sam@example.com"), (Role.ADMIN, "ada@example.com")):
        make_user(email, role, name=role.value.title())
        other = app.test_client()
        sign_in(other, email)
        assert other.get(url(desk.theirs)).status_code == 200
    response = other.post(url(desk.theirs, "cancel"), data={"cancel-reason": "by the admin"})
    assert response.status_code == 303
    assert fresh(desk.theirs).status == AppointmentStatus.CANCELLED


def test_customers_and_strangers_never_reach_staff_pages(app, desk):
    anonymous = app.test_client()
    for path in (url(desk.mine), "/agent", "/agent/calendar", "/team"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert anonymous.post(url(desk.mine, "cancel"), data={"cancel-reason": "x"}).status_code == 302
    assert fresh(desk.mine).status == AppointmentStatus.SCHEDULED
