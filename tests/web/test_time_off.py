"""/agent/time-off: list, add, change, delete; collisions and the seed's choices; permissions."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, UTC

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Appointment, AppointmentStatus, OutboxMessage, Role, TimeException
from portal.notifications.defaults import add_default_templates
from portal.schedules import time_off as domain
from tests import factories
from tests.clock import TODAY
from tests.conftest import make_user, sign_in

UTC = UTC
DAY = TODAY + timedelta(days=21)
pytestmark = pytest.mark.date_sensitive  # DAY follows the clock
KEEP = "AddWithoutCancelingCollidingBookings"
CANCEL = "AddAndCancelCollidingBookings"


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def hidden(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def errors(html: str) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', html)


def one_off(day: date = DAY, **extra) -> dict:
    data = {
        "kind": "once",
        "from_date": day.isoformat(),
        "to_date": day.isoformat(),
        "from_time": "",
        "to_time": "",
        "reason_text": "Vacation",
        "reason_text_public": "Closed",
        "color": "#aabbcc",
        "block_time": "y",
    }
    data.update(extra)
    return data


@pytest.fixture
def team(app):
    alice = factories.agent("alice@example.com", "Alice", "UTC")
    bob = factories.agent("bob@example.com", "Bob")
    for person in (alice, bob):
        factories.weekly_hours(person, [(9 * 60, 17 * 60)])
    service = factories.service([alice, bob], duration_minutes=60, horizon_days=90)
    add_default_templates(service)
    db.session.commit()
    return service, alice, bob


def exceptions() -> list[TimeException]:
    return list(db.session.scalars(select(TimeException)))


def test_add_a_one_off_time_off(client, team):
    _, alice, _ = team
    sign_in(client, "alice@example.com")
    assert client.get("/agent/time-off/new").status_code == 200
    response = client.post(
        "/agent/time-off/new",
        data=one_off(from_time="13:00", to_date=(DAY + timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 303 and response.headers["Location"] == "/agent/time-off"
    [saved] = exceptions()
    assert (saved.from_date, saved.to_date, saved.from_minute, saved.to_minute) == (
        DAY,
        DAY + timedelta(days=1),
        780,
        None,
    )
    assert saved.days_of_week == [] and [a.id for a in saved.agents] == [alice.id]
    assert (saved.reason_text, saved.reason_text_public, saved.color) == (
        "Vacation",
        "Closed",
        "#aabbcc",
    )
    listing = client.get("/agent/time-off").get_data(as_text=True)
    assert (
        "Time off added." in listing
        and "Vacation" in listing
        and "Customers see: Closed" in listing
    )


def test_add_a_recurring_time_off(client, team):
    sign_in(client, "alice@example.com")
    response = client.post(
        "/agent/time-off/new",
        data=one_off(
            kind="weekly",
            to_date=(DAY + timedelta(days=60)).isoformat(),
            from_time="12:00",
            to_time="13:00",
            days_of_week=["1", "3"],
        ),
    )
    assert response.status_code == 303
    [saved] = exceptions()
    assert saved.days_of_week == [1, 3] and (saved.from_minute, saved.to_minute) == (720, 780)
    assert "Every Mon, Wed, 12:00–13:00" in client.get("/agent/time-off").get_data(as_text=True)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"to_date": (DAY - timedelta(days=1)).isoformat()}, "end date cannot be before"),
        ({"from_time": "14:00", "to_time": "13:00"}, "must be later than the start"),
        ({"from_time": "25:00"}, "Enter a time as HH:MM"),
        ({"from_date": "someday"}, "Not a valid date"),
        ({"kind": "weekly"}, "Tick the days"),
        (
            {"kind": "weekly", "days_of_week": ["2"], "from_time": "13:00", "to_time": "12:00"},
            "later than the start",
        ),
        ({"color": "blue"}, "#rrggbb"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(client, team, changes, message):
    sign_in(client, "alice@example.com")
    response = client.post("/agent/time-off/new", data=one_off(**changes))
    assert response.status_code == 422
    assert any(message in error for error in errors(response.get_data(as_text=True))), errors(
        response.get_data(as_text=True)
    )
    assert exceptions() == []


def test_a_collision_offers_the_choice_and_writes_nothing(client, team):
    service, alice, _ = team
    booked = factories.appointment(service, alice, at(DAY, 10), title="Consult with Cora")
    sign_in(client, "alice@example.com")
    response = client.post("/agent/time-off/new", data=one_off())
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert (
        "covers 1 booked appointment" in page
        and "Consult with Cora" in page
        and "Cora Customer" in page
    )
    assert f'value="{KEEP}"' in page and f'value="{CANCEL}"' in page
    assert (
        'name="cancel_message"' in page
        and 'name="send_email"' in page
        and 'name="send_sms"' in page
    )
    assert hidden(page, "force") == "1" and hidden(page, "seen") == str(booked.id)
    assert exceptions() == []


def _choose(client, page: str, **choice) -> object:
    data = one_off(force=hidden(page, "force"), seen=hidden(page, "seen"))
    data.update(choice)
    return client.post("/agent/time-off/new", data=data)


def test_keep_keeps_them(client, team):
    service, alice, _ = team
    booked = factories.appointment(service, alice, at(DAY, 10))
    sign_in(client, "alice@example.com")
    page = client.post("/agent/time-off/new", data=one_off()).get_data(as_text=True)
    response = _choose(client, page, colliding=KEEP, send_email="y")
    assert response.status_code == 303
    assert len(exceptions()) == 1
    db.session.expire_all()
    assert db.session.get(Appointment, booked.id).status == AppointmentStatus.SCHEDULED
    assert (
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CANCEL")).all() == []
    )
    assert "1 colliding appointment kept" in client.get("/agent/time-off").get_data(as_text=True)


def test_cancel_colliding_cancels_them_and_queues_the_messages(client, team):
    service, alice, _ = team
    booked = factories.appointment(service, alice, at(DAY, 10))
    sign_in(client, "alice@example.com")
    page = client.post("/agent/time-off/new", data=one_off()).get_data(as_text=True)
    response = _choose(
        client,
        page,
        colliding=CANCEL,
        cancel_message="I am ill, sorry.",
        send_email="y",
        send_sms="y",
    )
    assert response.status_code == 303
    db.session.expire_all()
    appointment = db.session.get(Appointment, booked.id)
    assert appointment.status == AppointmentStatus.CANCELLED
    messages = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.appointment_id == booked.id, OutboxMessage.type == "CANCEL"
        )
    ).all()
    assert {m.channel.value for m in messages} >= {"EMAIL"}
    assert all("I am ill, sorry." in m.text_body for m in messages)
    assert "1 appointment cancelled; the customers are told by email and SMS." in client.get(
        "/agent/time-off"
    ).get_data(as_text=True)


def test_cancel_without_a_message_is_a_form_error(client, team):
    service, alice, _ = team
    booked = factories.appointment(service, alice, at(DAY, 10))
    sign_in(client, "alice@example.com")
    page = client.post("/agent/time-off/new", data=one_off()).get_data(as_text=True)
    response = _choose(client, page, colliding=CANCEL, cancel_message="", send_email="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert any("Write the message" in e for e in errors(html))
    assert "covers 1 booked appointment" in html  # the choice is still there
    db.session.expire_all()
    assert (
        db.session.get(Appointment, booked.id).status == AppointmentStatus.SCHEDULED
        and exceptions() == []
    )


def test_a_booking_made_while_choosing_shows_the_choice_again(client, team):
    service, alice, _ = team
    factories.appointment(service, alice, at(DAY, 10))
    sign_in(client, "alice@example.com")
    page = client.post("/agent/time-off/new", data=one_off()).get_data(as_text=True)
    factories.appointment(service, alice, at(DAY, 14))  # booked meanwhile
    response = _choose(client, page, colliding=CANCEL, cancel_message="Closed", send_email="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed meanwhile" in html and "covers 2 booked appointments" in html
    assert exceptions() == []
    assert (
        db.session.scalar(
            select(Appointment).where(Appointment.status == AppointmentStatus.CANCELLED)
        )
        is None
    )


def test_edit_and_delete(client, team, fixed_clock):
    _, alice, _ = team
    sign_in(client, "alice@example.com")
    client.post("/agent/time-off/new", data=one_off())
    [saved] = exceptions()
    edit = client.get(f"/agent/time-off/{saved.id}/edit").get_data(as_text=True)
    fixed_clock.shift(timedelta(seconds=1))  # versions are update times: the edit comes later
    assert 'value="Vacation"' in edit
    response = client.post(
        f"/agent/time-off/{saved.id}/edit",
        data=one_off(reason_text="Training", version=hidden(edit, "version")),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(TimeException, saved.id).reason_text == "Training"
    # The same old form again: refused, nothing written.
    stale = client.post(
        f"/agent/time-off/{saved.id}/edit",
        data=one_off(reason_text="Old", version=hidden(edit, "version")),
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TimeException, saved.id).reason_text == "Training"
    listing = client.get("/agent/time-off").get_data(as_text=True)
    version = re.search(r'name="version" value="([^"]*)"', listing).group(1)
    assert (
        client.post(
            f"/agent/time-off/{saved.id}/delete", data={"version": "2000-01-01"}
        ).status_code
        == 303
    )
    assert len(exceptions()) == 1  # stale delete: nothing deleted
    assert (
        client.post(f"/agent/time-off/{saved.id}/delete", data={"version": version}).status_code
        == 303
    )
    assert exceptions() == []


def test_an_agent_cannot_see_or_change_another_agents_time_off(client, team):
    _, alice, bob = team
    theirs = domain.create_time_off(
        db.session,
        domain.TimeOff(agent_ids=(bob.id,), from_date=DAY, to_date=DAY, reason_text="Secret"),
    ).exception
    sign_in(client, "alice@example.com")
    assert "Secret" not in client.get("/agent/time-off").get_data(as_text=True)
    assert client.get(f"/agent/time-off?agent={bob.id}").status_code == 404
    assert client.get(f"/agent/time-off/new?agent={bob.id}").status_code == 404
    assert client.get(f"/agent/time-off/{theirs.id}/edit").status_code == 404
    assert client.post(f"/agent/time-off/{theirs.id}/edit", data=one_off()).status_code == 404
    assert client.post(f"/agent/time-off/{theirs.id}/delete").status_code == 404
    assert len(exceptions()) == 1 and exceptions()[0].reason_text == "Secret"


def test_an_agent_cannot_add_time_off_for_someone_else(client, team):
    _, alice, bob = team
    sign_in(client, "alice@example.com")
    response = client.post("/agent/time-off/new", data=one_off(agents=[str(bob.id)]))
    assert response.status_code == 303  # the agents field is ignored: it is always their own
    assert [a.id for a in exceptions()[0].agents] == [alice.id]


def test_shared_time_off_is_visible_to_an_agent_but_not_changeable(client, team):
    _, alice, bob = team
    shared = domain.create_time_off(
        db.session, domain.TimeOff(agent_ids=(alice.id, bob.id), from_date=DAY, to_date=DAY)
    ).exception
    sign_in(client, "alice@example.com")
    assert "Shared; ask a supervisor" in client.get("/agent/time-off").get_data(as_text=True)
    assert client.get(f"/agent/time-off/{shared.id}/edit").status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_a_supervisor_manages_time_off_for_any_agents(client, team, role):
    service, alice, bob = team
    booked = factories.appointment(service, bob, at(DAY, 11))
    make_user("boss@example.com", role, name="Boss")
    sign_in(client, "boss@example.com")
    new = client.get(f"/agent/time-off/new?agent={bob.id}").get_data(as_text=True)
    bob_box = re.search(rf'<input[^>]*value="{bob.id}"[^>]*>', new).group(0)
    alice_box = re.search(rf'<input[^>]*value="{alice.id}"[^>]*>', new).group(0)
    assert "checked" in bob_box and "checked" not in alice_box
    page = client.post(
        f"/agent/time-off/new?agent={bob.id}", data=one_off(agents=[str(alice.id), str(bob.id)])
    )
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    response = client.post(
        f"/agent/time-off/new?agent={bob.id}",
        data=one_off(
            agents=[str(alice.id), str(bob.id)],
            force="1",
            seen=hidden(html, "seen"),
            colliding=KEEP,
        ),
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(f"?agent={bob.id}")
    [saved] = exceptions()
    assert {a.id for a in saved.agents} == {alice.id, bob.id}
    assert db.session.get(Appointment, booked.id).status == AppointmentStatus.SCHEDULED
    listing = client.get("/agent/time-off?agent=all").get_data(as_text=True)
    assert "Alice, Bob" in listing or "Bob, Alice" in listing
    assert client.get(f"/agent/time-off/{saved.id}/edit").status_code == 200


def test_an_unknown_agent_is_a_form_error(client, team):
    make_user("boss@example.com", Role.SUPERVISOR, name="Boss")
    sign_in(client, "boss@example.com")
    response = client.post(
        "/agent/time-off/new", data=one_off(agents=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 422
    assert any("no longer exists" in e for e in errors(response.get_data(as_text=True)))
    assert exceptions() == []


def test_time_off_made_in_the_page_removes_slots_from_the_api(client, team):
    service, alice, _ = team
    query = {
        "from": DAY.isoformat(),
        "to": DAY.isoformat(),
        "timezone": "UTC",
        "agentId": str(alice.id),
    }
    before = [
        s["start"] for s in client.get(f"/api/services/{service.id}/slots", query_string=query).json
    ]
    assert f"{DAY.isoformat()}T10:00:00Z" in before
    sign_in(client, "alice@example.com")
    client.post("/agent/time-off/new", data=one_off(from_time="10:00", to_time="12:00"))
    after = [
        s["start"] for s in client.get(f"/api/services/{service.id}/slots", query_string=query).json
    ]
    assert (
        f"{DAY.isoformat()}T10:00:00Z" not in after and f"{DAY.isoformat()}T11:00:00Z" not in after
    )
    assert f"{DAY.isoformat()}T12:00:00Z" in after and len(after) == len(before) - 2


def test_htmx_form_swaps_its_partial_and_redirects_on_success(client, team):
    service, alice, _ = team
    factories.appointment(service, alice, at(DAY, 10))
    sign_in(client, "alice@example.com")
    response = client.post("/agent/time-off/new", data=one_off(), headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response.get_data(as_text=True).lstrip().startswith('<section id="time-off-form"')
    seen = hidden(response.get_data(as_text=True), "seen")
    ok = client.post(
        "/agent/time-off/new",
        data=one_off(force="1", seen=seen, colliding=KEEP),
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"] == "/agent/time-off"


def test_nul_characters_are_dropped_not_a_crash(client, team):
    sign_in(client, "alice@example.com")
    assert (
        client.post("/agent/time-off/new", data=one_off(reason_text="Va\x00cation")).status_code
        == 303
    )
    assert exceptions()[0].reason_text == "Vacation"


def test_weekday_ticks_belong_to_recurring_time_off_only(client, team):
    """Issue 16: the weekday checkboxes are marked for "Every week" (portal.js hides them
    for a one-off); without the script they show, say so, and a one-off ignores them."""
    sign_in(client, "alice@example.com")
    page = client.get("/agent/time-off/new").get_data(as_text=True)
    fieldset = re.search(r'<fieldset[^>]*id="time-off-weekdays"[^>]*>', page).group(0)
    assert 'data-shown-for="kind=weekly"' in fieldset
    assert "Ignored for one-off time off." in page
    response = client.post("/agent/time-off/new", data=one_off(days_of_week=["1", "3"]))
    assert response.status_code == 303
    [saved] = exceptions()
    assert saved.days_of_week == []
