"""Working hours, time exceptions, office hours and service time slots over the API.

Success, each error code, the role matrix, and that pages and API share the rules.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    OfficeHours,
    OutboxMessage,
    Role,
    ServiceTimeSlot,
    TimeException,
    User,
)
from portal.notifications.defaults import add_default_templates
from portal.schedules import working_hours as hours
from portal.tokens import issue_token
from tests import factories
from tests.clock import TODAY
from tests.conftest import make_user

UTC = UTC
DAY = TODAY + timedelta(days=21)
pytestmark = pytest.mark.date_sensitive  # DAY follows the clock
NOBODY = "00000000-0000-0000-0000-000000000000"
KEEP = "AddWithoutCancelingCollidingBookings"
CANCEL = "AddAndCancelCollidingBookings"


def bearer(user: User) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def people(app):
    # API callers need no passwords (and hashing them is slow).
    alice = make_user(
        "alice@example.com", Role.AGENT, name="Alice", timezone="Europe/Berlin", password=""
    )
    bob = make_user("bob@example.com", Role.AGENT, name="Bob", password="")
    supervisor = make_user("sup@example.com", Role.SUPERVISOR, name="Sue", password="")
    admin = make_user("admin@example.com", Role.ADMIN, name="Ada", password="")
    client_service = make_user("cs@example.com", Role.CLIENT_SERVICE, name="CRM", password="")
    return {
        "alice": alice,
        "bob": bob,
        "as_alice": bearer(alice),
        "as_bob": bearer(bob),
        "as_supervisor": bearer(supervisor),
        "as_admin": bearer(admin),
        "as_client": bearer(client_service),
    }


# --- working hours ------------------------------------------------------------------------------


def test_get_and_put_working_hours(client, people):
    alice = people["alice"]
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)], days=[1])
    path = f"/api/agents/{alice.id}/working-hours"
    assert client.get(path, headers=people["as_alice"]).json == [
        {"dayOfWeek": 1, "start": "09:00", "end": "17:00"}
    ]
    week = [
        {"dayOfWeek": 2, "start": "13:00", "end": "24:00"},
        {"dayOfWeek": 2, "start": "08:00", "end": "12:00"},
        {"dayOfWeek": 7, "start": "00:00", "end": "01:30"},
    ]
    response = client.put(path, json=week, headers=people["as_alice"])
    assert response.status_code == 200
    assert response.json == [
        {"dayOfWeek": 2, "start": "08:00", "end": "12:00"},
        {"dayOfWeek": 2, "start": "13:00", "end": "24:00"},
        {"dayOfWeek": 7, "start": "00:00", "end": "01:30"},
    ]
    assert hours.get_week(db.session, alice.id)[0] == hours.Window(2, 480, 720)
    assert client.put(path, json=[], headers=people["as_alice"]).json == []
    assert hours.get_week(db.session, alice.id) == []


@pytest.mark.parametrize(
    "body, status, error",
    [
        ([{"dayOfWeek": 1, "start": "12:00", "end": "09:00"}], 400, "invalid_param"),
        (
            [
                {"dayOfWeek": 1, "start": "09:00", "end": "12:00"},
                {"dayOfWeek": 1, "start": "11:00", "end": "13:00"},
            ],
            400,
            "invalid_param",
        ),
        ([{"dayOfWeek": 8, "start": "09:00", "end": "12:00"}], 400, "invalid_param"),
        ([{"dayOfWeek": "1", "start": "09:00", "end": "12:00"}], 400, "invalid_param_type"),
        ([{"dayOfWeek": 1, "start": 900, "end": "12:00"}], 400, "invalid_param_type"),
        ([{"dayOfWeek": 1, "start": "9.00", "end": "12:00"}], 400, "invalid_datetime_format"),
        ([{"dayOfWeek": 1, "end": "12:00"}], 400, "missing_param"),
        ([{"dayOfWeek": 1, "start": "09:00", "end": "12:00", "note": "x"}], 400, "invalid_param"),
        ({"dayOfWeek": 1}, 400, "invalid_param_type"),
    ],
)
def test_put_working_hours_errors_write_nothing(client, people, body, status, error):
    alice = people["alice"]
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)], days=[1])
    response = client.put(
        f"/api/agents/{alice.id}/working-hours", json=body, headers=people["as_alice"]
    )
    assert (response.status_code, response.json["error"]) == (status, error)
    assert response.json["error_description"]
    assert hours.get_week(db.session, alice.id) == [hours.Window(1, 540, 1020)]


def test_overlap_error_points_at_the_item(client, people):
    body = [
        {"dayOfWeek": 1, "start": "09:00", "end": "12:00"},
        {"dayOfWeek": 3, "start": "09:00", "end": "10:00"},
        {"dayOfWeek": 1, "start": "11:00", "end": "13:00"},
    ]
    response = client.put(
        f"/api/agents/{people['alice'].id}/working-hours", json=body, headers=people["as_alice"]
    )
    assert response.json["error_description"].startswith(
        "[2]: Monday: 11:00–13:00 overlaps 09:00–12:00"
    )


def test_working_hours_role_matrix(client, people):
    alice, path = people["alice"], f"/api/agents/{people['alice'].id}/working-hours"
    body = [{"dayOfWeek": 1, "start": "09:00", "end": "10:00"}]
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get(path, headers=people["as_client"]).status_code == 403
    assert client.get(path, headers=people["as_bob"]).status_code == 404
    assert client.put(path, json=body, headers=people["as_bob"]).status_code == 404
    for who in ("as_supervisor", "as_admin"):
        assert client.put(path, json=body, headers=people[who]).status_code == 200
        assert client.get(path, headers=people[who]).status_code == 200
    assert (
        client.get(f"/api/agents/{NOBODY}/working-hours", headers=people["as_admin"]).status_code
        == 404
    )
    assert (
        client.get("/api/agents/nope/working-hours", headers=people["as_admin"]).status_code == 404
    )
    assert client.get(path + "?x=1", headers=people["as_alice"]).json["error"] == "invalid_param"
    assert hours.get_week(db.session, alice.id) == [hours.Window(1, 540, 600)]


# --- time exceptions ----------------------------------------------------------------------------


@pytest.fixture
def booked(people):
    alice = people["alice"]
    service = factories.service([alice, people["bob"]], duration_minutes=60, horizon_days=90)
    add_default_templates(service)
    db.session.commit()
    appointment = factories.appointment(service, alice, at(DAY, 10))
    return service, appointment


def time_off(agent: User, **fields) -> dict:
    body = {
        "agentIds": [str(agent.id)],
        "from": DAY.isoformat(),
        "to": DAY.isoformat(),
        "reasonText": "Vacation",
    }
    body.update(fields)
    return body


def test_create_get_list_update_delete(client, people):
    alice, auth = people["alice"], people["as_alice"]
    response = client.post(
        "/api/time-exceptions",
        json=time_off(
            alice,
            fromTime="09:00",
            toTime="12:00",
            daysOfWeek=[1, 3],
            to=(DAY + timedelta(days=30)).isoformat(),
            reasonTextPublic="Closed",
            color="#112233",
            blockTime=True,
            private=True,
        ),
        headers=auth,
    )
    assert response.status_code == 201
    body = response.json
    assert body["agentIds"] == [str(alice.id)] and body["isRecurring"] is True
    assert (body["fromTime"], body["toTime"], body["daysOfWeek"]) == ("09:00", "12:00", [1, 3])
    assert (body["reasonTextPublic"], body["color"], body["private"]) == ("Closed", "#112233", True)
    assert body["keptAppointmentIds"] == [] and body["cancelledAppointmentIds"] == []
    assert body["createdAt"].endswith("Z")
    item = f"/api/time-exceptions/{body['id']}"
    assert client.get(item, headers=auth).json["id"] == body["id"]
    listing = client.get("/api/time-exceptions", headers=auth).json
    assert (
        listing["total"] == 1
        and listing["content"][0]["id"] == body["id"]
        and listing["sortField"] == "from"
    )
    updated = client.put(item, json=time_off(alice, fromTime=None, toTime=None), headers=auth)
    assert updated.status_code == 200
    assert (
        updated.json["fromTime"],
        updated.json["isRecurring"],
        updated.json["reasonTextPublic"],
    ) == (None, False, "")
    assert client.delete(item, headers=auth).status_code == 204
    assert client.get(item, headers=auth).status_code == 404
    assert count(TimeException) == 0


def test_a_collision_answers_409_with_the_appointment_ids(client, people, booked):
    _, appointment = booked
    response = client.post(
        "/api/time-exceptions", json=time_off(people["alice"]), headers=people["as_alice"]
    )
    assert response.status_code == 409
    assert response.json["error"] == "conflict"
    assert response.json["collidingAppointmentIds"] == [str(appointment.id)]
    assert response.json["collidingAppointments"][0]["start"] == f"{DAY.isoformat()}T10:00:00Z"
    assert count(TimeException) == 0


def test_force_defaults_to_keeping_them(client, people, booked):
    _, appointment = booked
    response = client.post(
        "/api/time-exceptions",
        json=time_off(people["alice"], force=True),
        headers=people["as_alice"],
    )
    assert response.status_code == 201 and response.json["keptAppointmentIds"] == [
        str(appointment.id)
    ]
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.SCHEDULED


def test_force_cancel_cancels_and_notifies(client, people, booked):
    _, appointment = booked
    body = time_off(
        people["alice"],
        force=True,
        collidingBookingOptions=CANCEL,
        cancelMessage="Closed today.",
        sendEmailConfirmation=True,
        sendSmsConfirmation=False,
    )
    response = client.post("/api/time-exceptions", json=body, headers=people["as_alice"])
    assert response.status_code == 201 and response.json["cancelledAppointmentIds"] == [
        str(appointment.id)
    ]
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).status == AppointmentStatus.CANCELLED
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CANCEL")).all()
    assert messages and {m.channel.value for m in messages} == {"EMAIL"}
    assert all("Closed today." in m.text_body for m in messages)


def test_force_cancel_without_a_message_is_missing_param(client, people, booked):
    body = time_off(people["alice"], force=True, collidingBookingOptions=CANCEL)
    response = client.post("/api/time-exceptions", json=body, headers=people["as_alice"])
    assert (response.status_code, response.json["error"]) == (400, "missing_param")
    assert "cancelMessage" in response.json["error_description"]
    assert count(TimeException) == 0


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"agentIds": None}, "missing_param"),
        ({"from": None}, "missing_param"),
        ({"agentIds": []}, "invalid_param"),
        ({"agentIds": ["x"]}, "invalid_param"),
        ({"agentIds": "abc"}, "invalid_param_type"),
        ({"from": "2030-02-30"}, "invalid_datetime_format"),
        ({"to": "tomorrow"}, "invalid_datetime_format"),
        ({"fromTime": "25:00"}, "invalid_datetime_format"),
        ({"to": (DAY - timedelta(days=1)).isoformat()}, "invalid_param"),
        ({"fromTime": "12:00", "toTime": "11:00"}, "invalid_param"),
        ({"daysOfWeek": [0]}, "invalid_param"),
        ({"daysOfWeek": ["mon"]}, "invalid_param_type"),
        ({"color": "red"}, "invalid_param"),
        ({"blockTime": "yes"}, "invalid_param_type"),
        ({"collidingBookingOptions": "Maybe"}, "invalid_param"),
        ({"resourceIds": []}, "invalid_param"),
    ],
)
def test_time_exception_body_errors(client, people, changes, error):
    body = time_off(people["alice"])
    for key, value in changes.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    response = client.post("/api/time-exceptions", json=body, headers=people["as_alice"])
    assert (response.status_code, response.json["error"]) == (400, error), response.json
    assert count(TimeException) == 0


def test_bodies_that_are_not_objects(client, people):
    auth = people["as_alice"]
    response = client.post(
        "/api/time-exceptions", data="{not json", content_type="application/json", headers=auth
    )
    assert (response.status_code, response.json["error"]) == (400, "invalid_param")
    response = client.post("/api/time-exceptions", json=[1, 2], headers=auth)
    assert (response.status_code, response.json["error"]) == (400, "invalid_param")
    response = client.post("/api/time-exceptions", data="", headers=auth)
    assert (response.status_code, response.json["error"]) == (400, "missing_param")


def test_time_exception_role_matrix(client, people):
    alice, bob = people["alice"], people["bob"]
    mine = client.post(
        "/api/time-exceptions", json=time_off(alice), headers=people["as_alice"]
    ).json["id"]
    item = f"/api/time-exceptions/{mine}"
    assert client.get("/api/time-exceptions").status_code == 401
    assert client.get("/api/time-exceptions", headers=people["as_client"]).status_code == 403
    assert (
        client.post(
            "/api/time-exceptions", json=time_off(alice), headers=people["as_client"]
        ).status_code
        == 403
    )
    # Another agent: the object does not exist for them.
    assert client.get(item, headers=people["as_bob"]).status_code == 404
    assert client.put(item, json=time_off(bob), headers=people["as_bob"]).status_code == 404
    assert client.delete(item, headers=people["as_bob"]).status_code == 404
    assert (
        client.post(
            "/api/time-exceptions", json=time_off(alice), headers=people["as_bob"]
        ).status_code
        == 404
    )
    assert (
        client.get(f"/api/time-exceptions?agentId={alice.id}", headers=people["as_bob"]).status_code
        == 404
    )
    assert client.get("/api/time-exceptions", headers=people["as_bob"]).json["total"] == 0
    # Supervisors and admins: everyone's.
    for who in ("as_supervisor", "as_admin"):
        assert client.get(item, headers=people[who]).status_code == 200
        assert client.get("/api/time-exceptions", headers=people[who]).json["total"] >= 1
    both = client.post(
        "/api/time-exceptions",
        json=time_off(alice, agentIds=[str(alice.id), str(bob.id)]),
        headers=people["as_supervisor"],
    )
    assert both.status_code == 201
    # Shared with Bob: Alice sees it but may not change it.
    shared = f"/api/time-exceptions/{both.json['id']}"
    assert client.get(shared, headers=people["as_alice"]).status_code == 200
    assert client.put(shared, json=time_off(alice), headers=people["as_alice"]).status_code == 403
    assert client.delete(shared, headers=people["as_alice"]).status_code == 403
    assert (
        client.post(
            "/api/time-exceptions",
            json=time_off(alice, agentIds=[NOBODY]),
            headers=people["as_admin"],
        ).status_code
        == 404
    )
    assert client.get("/api/time-exceptions/nope", headers=people["as_admin"]).status_code == 404


def test_time_exception_list_filters_and_paging(client, people):
    alice, bob, auth = people["alice"], people["bob"], people["as_admin"]
    for offset, agent in ((0, alice), (3, bob), (6, alice)):
        day = (DAY + timedelta(days=offset)).isoformat()
        assert (
            client.post(
                "/api/time-exceptions",
                json=time_off(agent, **{"from": day, "to": day}),
                headers=auth,
            ).status_code
            == 201
        )
    page = client.get(
        "/api/time-exceptions?pageSize=2&pageNumber=2&sortOrder=desc", headers=auth
    ).json
    assert (page["total"], page["pageCount"], len(page["content"])) == (3, 2, 1)
    assert page["content"][0]["from"] == DAY.isoformat()
    only_alice = client.get(f"/api/time-exceptions?agentId={alice.id}", headers=auth).json
    assert only_alice["total"] == 2
    window = client.get(
        "/api/time-exceptions",
        query_string={
            "from": (DAY + timedelta(days=2)).isoformat(),
            "to": (DAY + timedelta(days=4)).isoformat(),
        },
        headers=auth,
    ).json
    assert window["total"] == 1
    assert (
        client.get("/api/time-exceptions?from=soon", headers=auth).json["error"]
        == "invalid_datetime_format"
    )
    assert (
        client.get("/api/time-exceptions?sortField=reason", headers=auth).json["error"]
        == "invalid_param"
    )
    assert (
        client.get("/api/time-exceptions?agentId=x", headers=auth).json["error"] == "invalid_param"
    )
    assert client.get("/api/time-exceptions?page=1", headers=auth).json["error"] == "invalid_param"


def test_time_off_through_the_api_blocks_the_page_slots(client, people, booked):
    service, _ = booked
    alice = people["alice"]
    day = DAY + timedelta(days=1)
    query = {
        "from": day.isoformat(),
        "to": day.isoformat(),
        "timezone": "Europe/Berlin",
        "agentId": str(alice.id),
    }
    factories.weekly_hours(alice, [(9 * 60, 12 * 60)])
    before = client.get(f"/api/services/{service.id}/slots", query_string=query).json
    assert len(before) == 3
    body = time_off(
        alice,
        **{"from": day.isoformat(), "to": day.isoformat(), "fromTime": "10:00", "toTime": "11:00"},
    )
    assert (
        client.post("/api/time-exceptions", json=body, headers=people["as_alice"]).status_code
        == 201
    )
    after = client.get(f"/api/services/{service.id}/slots", query_string=query).json
    assert len(after) == 2


# --- office hours -------------------------------------------------------------------------------

LUNCH = {"name": "Lunch", "type": "lunchtime", "dow": "mon", "timeFrom": 43200, "timeTo": 46800}


def test_office_hours_crud(client, people):
    auth = people["as_admin"]
    created = client.post("/api/office-hours", json=LUNCH, headers=auth)
    assert created.status_code == 201
    item = created.json
    assert {k: item[k] for k in LUNCH} == LUNCH and uuid.UUID(item["id"])
    path = f"/api/office-hours/{item['id']}"
    patched = client.patch(path, json={"timeTo": 48600, "name": "Long lunch"}, headers=auth)
    assert patched.status_code == 200 and (
        patched.json["timeTo"],
        patched.json["name"],
        patched.json["dow"],
    ) == (48600, "Long lunch", "mon")
    client.post(
        "/api/office-hours",
        json=LUNCH | {"dow": "sun", "type": "weekends", "timeFrom": 0, "timeTo": 86400},
        headers=auth,
    )
    listing = client.get("/api/office-hours", headers=people["as_alice"]).json
    assert [i["dow"] for i in listing["content"]] == ["mon", "sun"] and listing["total"] == 2
    assert client.get("/api/office-hours?dow=sun", headers=auth).json["total"] == 1
    assert client.get(path, headers=people["as_supervisor"]).json["name"] == "Long lunch"
    assert client.delete(path, headers=auth).status_code == 204
    assert client.get(path, headers=auth).status_code == 404
    assert count(OfficeHours) == 1


@pytest.mark.parametrize(
    "body, error",
    [
        ({k: v for k, v in LUNCH.items() if k != "name"}, "missing_param"),
        (LUNCH | {"name": ""}, "invalid_param"),
        (LUNCH | {"name": "x" * 25}, "invalid_param"),
        (LUNCH | {"type": "siesta"}, "invalid_param"),
        (LUNCH | {"dow": "monday"}, "invalid_param"),
        (LUNCH | {"timeFrom": "12:00"}, "invalid_param_type"),
        (LUNCH | {"timeFrom": 1.5}, "invalid_param_type"),
        (LUNCH | {"timeTo": 86401}, "invalid_param"),
        (LUNCH | {"timeFrom": 50000}, "invalid_param"),
        (LUNCH | {"time_from": 1}, "invalid_param"),
    ],
)
def test_office_hours_errors(client, people, body, error):
    response = client.post("/api/office-hours", json=body, headers=people["as_admin"])
    assert (response.status_code, response.json["error"]) == (400, error)
    assert count(OfficeHours) == 0


def test_office_hours_patch_keeps_the_rules(client, people):
    auth = people["as_admin"]
    path = (
        f"/api/office-hours/{client.post('/api/office-hours', json=LUNCH, headers=auth).json['id']}"
    )
    response = client.patch(path, json={"timeFrom": 50000}, headers=auth)
    assert (response.status_code, response.json["error"]) == (400, "invalid_param")
    assert "timeTo" in response.json["error_description"]
    assert (
        client.patch(path, json={"timeFrom": None}, headers=auth).json["error"]
        == "invalid_param_type"
    )
    assert client.get(path, headers=auth).json["timeFrom"] == 43200


def test_office_hours_role_matrix_and_params(client, people):
    auth = people["as_admin"]
    path = (
        f"/api/office-hours/{client.post('/api/office-hours', json=LUNCH, headers=auth).json['id']}"
    )
    assert client.get("/api/office-hours").status_code == 401
    assert client.get("/api/office-hours", headers=people["as_client"]).status_code == 403
    for who in ("as_alice", "as_supervisor"):
        assert client.get("/api/office-hours", headers=people[who]).status_code == 200
        assert client.post("/api/office-hours", json=LUNCH, headers=people[who]).status_code == 403
        assert client.patch(path, json={"name": "x"}, headers=people[who]).status_code == 403
        assert client.delete(path, headers=people[who]).status_code == 403
    assert client.get("/api/office-hours?dow=funday", headers=auth).json["error"] == "invalid_param"
    assert client.get("/api/office-hours?day=mon", headers=auth).json["error"] == "invalid_param"
    assert client.get("/api/office-hours?pageSize=0", headers=auth).json["error"] == "invalid_param"
    assert client.get(f"/api/office-hours/{NOBODY}", headers=auth).status_code == 404
    assert count(OfficeHours) == 1


# --- service time slots -------------------------------------------------------------------------

SLOT = {"dayOfWeek": 1, "fromTime": "09:00", "toTime": "12:00", "available": True}


@pytest.fixture
def service(people):
    return factories.service([people["alice"]], duration_minutes=60)


def test_time_slots_crud(client, people, service):
    auth, base = people["as_admin"], f"/api/services/{service.id}/time-slots"
    created = client.post(base, json=SLOT, headers=auth)
    assert created.status_code == 201
    slot = created.json
    assert {k: slot[k] for k in SLOT} == SLOT and slot["serviceId"] == str(service.id)
    path = f"{base}/{slot['id']}"
    replaced = client.put(
        path, json={"dayOfWeek": 2, "fromTime": "10:00", "toTime": "11:30"}, headers=auth
    )
    assert replaced.status_code == 200
    assert (
        replaced.json["dayOfWeek"],
        replaced.json["fromTime"],
        replaced.json["toTime"],
        replaced.json["available"],
    ) == (2, "10:00", "11:30", True)
    assert client.get(path, headers=auth).json["toTime"] == "11:30"
    assert client.delete(path, headers=auth).status_code == 204
    assert client.get(path, headers=auth).status_code == 404
    assert count(ServiceTimeSlot) == 0


def test_time_slots_list_filters_sorting_paging(client, people, service):
    auth, base = people["as_admin"], f"/api/services/{service.id}/time-slots"
    for day, start, end, available in [
        (1, "09:00", "12:00", True),
        (1, "13:00", "17:00", True),
        (3, "08:00", "10:00", False),
        (5, "14:00", "15:00", True),
    ]:
        client.post(
            base,
            json={"dayOfWeek": day, "fromTime": start, "toTime": end, "available": available},
            headers=auth,
        )
    listing = client.get(base, headers=auth).json
    assert [(s["dayOfWeek"], s["fromTime"]) for s in listing["content"]] == [
        (1, "09:00"),
        (1, "13:00"),
        (3, "08:00"),
        (5, "14:00"),
    ]
    assert (listing["total"], listing["sortField"], listing["sortOrder"]) == (4, "dayOfWeek", "asc")
    by_time = client.get(base + "?sortField=fromTime&sortOrder=desc", headers=auth).json["content"]
    assert [s["fromTime"] for s in by_time] == ["14:00", "13:00", "09:00", "08:00"]
    assert client.get(base + "?dayOfWeek=1", headers=auth).json["total"] == 2
    assert client.get(base + "?available=false", headers=auth).json["content"][0]["dayOfWeek"] == 3
    assert (
        client.get(base + "?fromTime_gte=09:00&fromTime_lte=13:00", headers=auth).json["total"] == 2
    )
    page = client.get(base + "?pageSize=3&pageNumber=2", headers=auth).json
    assert (page["pageCount"], len(page["content"])) == (2, 1)


@pytest.mark.parametrize(
    "query, error",
    [
        ("dayOfWeek=monday", "invalid_param_type"),
        ("dayOfWeek=9", "invalid_param"),
        ("available=yes", "invalid_param_type"),
        ("fromTime_gte=9", "invalid_datetime_format"),
        ("sortField=color", "invalid_param"),
        ("sortOrder=up", "invalid_param"),
        ("pageNumber=x", "invalid_param"),
        ("ExtraServiceTimeSlot_DayOfWeek=1", "invalid_param"),
    ],
)
def test_time_slots_query_errors(client, people, service, query, error):
    response = client.get(
        f"/api/services/{service.id}/time-slots?{query}", headers=people["as_admin"]
    )
    assert (response.status_code, response.json["error"]) == (400, error)


@pytest.mark.parametrize(
    "body, error",
    [
        ({k: v for k, v in SLOT.items() if k != "fromTime"}, "missing_param"),
        (SLOT | {"dayOfWeek": 0}, "invalid_param"),
        (SLOT | {"dayOfWeek": True}, "invalid_param_type"),
        (SLOT | {"fromTime": "12:00", "toTime": "09:00"}, "invalid_param"),
        (SLOT | {"fromTime": "2020-01-01T09:00:00Z"}, "invalid_datetime_format"),
        (SLOT | {"available": "true"}, "invalid_param_type"),
        (SLOT | {"systemId": "x"}, "invalid_param"),
    ],
)
def test_time_slot_body_errors(client, people, service, body, error):
    response = client.post(
        f"/api/services/{service.id}/time-slots", json=body, headers=people["as_admin"]
    )
    assert (response.status_code, response.json["error"]) == (400, error)
    assert count(ServiceTimeSlot) == 0


def test_time_slots_role_matrix(client, people, service):
    base = f"/api/services/{service.id}/time-slots"
    slot = client.post(base, json=SLOT, headers=people["as_admin"]).json
    assert client.get(base).status_code == 401
    for who in ("as_alice", "as_supervisor", "as_client"):
        assert client.get(base, headers=people[who]).status_code == 403
        assert client.post(base, json=SLOT, headers=people[who]).status_code == 403
        assert client.put(f"{base}/{slot['id']}", json=SLOT, headers=people[who]).status_code == 403
        assert client.delete(f"{base}/{slot['id']}", headers=people[who]).status_code == 403
    other = factories.service([], slug="other")
    assert (
        client.get(
            f"/api/services/{other.id}/time-slots/{slot['id']}", headers=people["as_admin"]
        ).status_code
        == 404
    )
    assert (
        client.get(f"/api/services/{NOBODY}/time-slots", headers=people["as_admin"]).status_code
        == 404
    )
    assert count(ServiceTimeSlot) == 1


def test_inputs_the_database_cannot_hold_are_400_not_500(client, people):
    auth = people["as_admin"]
    response = client.post("/api/office-hours", json=LUNCH | {"name": "a\x00b"}, headers=auth)
    assert (response.status_code, response.json["error"]) == (400, "invalid_param")
    response = client.post(
        "/api/time-exceptions", json=time_off(people["alice"], reasonText="x\x00"), headers=auth
    )
    assert (response.status_code, response.json["error"]) == (400, "invalid_param")
    response = client.get("/api/office-hours?pageNumber=99999999999999999999", headers=auth)
    assert (response.status_code, response.json["error"]) == (400, "invalid_param")
    response = client.post(
        "/api/time-exceptions",
        json=time_off(people["alice"], **{"from": "0001-01-01", "to": "9999-12-31"}),
        headers=auth,
    )
    assert (response.status_code, response.json["error"]) == (400, "invalid_param")
    assert count(OfficeHours) == 0 and count(TimeException) == 0
