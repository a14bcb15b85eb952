"""/api/appointments*: success, each error code and the role matrix (DESIGN.md 8, issue 7)."""

from __future__ import annotations

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
from portal.tokens import issue_token
from tests import factories
from tests.clock import TODAY
from tests.conftest import make_user

UTC = UTC
DAY = TODAY + timedelta(days=14)
pytestmark = pytest.mark.date_sensitive  # DAY follows the clock


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def bearer(user: User) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class World:
    service: Service
    alice: User
    bob: User
    carol: User
    sam: User
    ada: User
    robot: User
    mine: Appointment  # alice's, 10:00
    theirs: Appointment  # bob's, 11:00

    def auth(self, user: User) -> dict[str, str]:
        return bearer(user)


@pytest.fixture
def world(app) -> World:
    alice = factories.agent("alice@example.com", "Alice Able")
    bob = factories.agent("bob@example.com", "Bob Baker")
    carol = factories.agent("carol@example.com", "Carol Cole")
    for person in (alice, bob, carol):
        factories.weekly_hours(person, [(8 * 60, 18 * 60)])
    service = factories.service([alice, bob], duration_minutes=30, minimum_notice_minutes=120)
    add_default_templates(service)
    db.session.commit()
    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    ada = make_user("ada@example.com", Role.ADMIN, name="Ada Admin")
    robot = make_user("robot@example.com", Role.CLIENT_SERVICE, password="", name="Robot")
    mine = factories.appointment(service, alice, at(10), title="Alice's call", reference="REF-A")
    theirs = factories.appointment(service, bob, at(11), title="Bob's call")
    return World(service, alice, bob, carol, sam, ada, robot, mine, theirs)


def messages(appointment_id, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.appointment_id == appointment_id)
    if kind:
        query = query.where(OutboxMessage.type == kind)
    return list(db.session.scalars(query))


def error(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] == code, response.json
    assert response.json["error_description"]


CUSTOMER = {
    "name": {"firstName": "Bobby", "lastName": "Ewing"},
    "contact": {"primaryEmail": "bobby@example.org", "primaryPhone": "2102234988"},
    "metadata": {"refNo": "CS-9838"},
}


# --- list ----------------------------------------------------------------------------------


def test_agents_list_their_own_and_supervisors_everything(client, world):
    own = client.get("/api/appointments/", headers=world.auth(world.alice))
    assert own.status_code == 200
    body = own.json
    assert [item["id"] for item in body["content"]] == [str(world.mine.id)]
    assert (
        body["total"],
        body["pageNumber"],
        body["pageSize"],
        body["sortField"],
        body["sortOrder"],
    ) == (1, 1, 25, "start", "asc")
    for user in (world.sam, world.ada, world.robot):
        listed = client.get("/api/appointments/", headers=world.auth(user)).json
        assert listed["total"] == 2


def test_the_appointment_shape(client, world):
    item = client.get(f"/api/appointments/{world.mine.id}", headers=world.auth(world.alice)).json
    assert item["id"] == str(world.mine.id)
    assert item["serviceId"] == str(world.service.id)
    assert (item["status"], item["reference"], item["title"]) == (
        "SCHEDULED",
        "REF-A",
        "Alice's call",
    )
    assert (item["start"], item["end"], item["duration"]) == (z(at(10)), z(at(10, 30)), "PT30M")
    assert item["interaction"] == {"customFields": {}, "routing": None, "state": "PENDING"}
    assert item["organizer"] == {
        "id": str(world.alice.id),
        "type": "AGENT",
        "employeeReference": None,
    }
    assert sorted(p["type"] for p in item["participantIds"]) == ["AGENT", "CUSTOMER"]
    assert item["notificationsActive"] is True
    assert {n["type"] for n in item["notifications"]} >= {"CREATE", "RESCHEDULE", "CANCEL"}
    assert item["timezone"] == "UTC" and item["metadata"] == {}


def test_organizer_filter_is_for_supervisors(client, world):
    by_bob = {"organizerId": str(world.bob.id)}
    sup = client.get("/api/appointments/", query_string=by_bob, headers=world.auth(world.sam)).json
    assert [i["id"] for i in sup["content"]] == [str(world.theirs.id)]
    agent = client.get(
        "/api/appointments/", query_string=by_bob, headers=world.auth(world.alice)
    ).json
    assert [i["id"] for i in agent["content"]] == [str(world.mine.id)]  # ignored, seed 001


def test_list_filters_sorting_and_paging(client, world):
    headers = world.auth(world.sam)

    def ids(**params):
        response = client.get("/api/appointments/", query_string=params, headers=headers)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["content"]]

    mine, theirs = str(world.mine.id), str(world.theirs.id)
    assert ids(sortOrder="desc") == [theirs, mine]
    assert ids(sortField="duration") == sorted([mine, theirs])  # equal lengths: by id
    assert ids(duration="PT30M,PT1H") == [mine, theirs]
    assert ids(duration="PT1H") == []
    assert ids(range=f"{z(at(9))},{z(at(10, 30))}") == [mine]
    assert ids(startDate_gte=z(at(10, 30))) == [theirs]
    assert ids(startDate_lt=z(at(11)), endDate_lte=z(at(10, 30))) == [mine]
    assert ids(dateCreated_gte=z(datetime.now(UTC) - timedelta(hours=1))) == [mine, theirs]
    assert ids(lastUpdated_gt=z(datetime.now(UTC) + timedelta(hours=1))) == []
    assert ids(title="alice*") == [mine]
    assert ids(title="*call") == [mine, theirs]
    assert ids(reference="REF-*") == [mine]
    assert ids(status="CANCELLED") == []
    assert ids(serviceId=str(world.service.id)) == [mine, theirs]
    page = client.get(
        "/api/appointments/", query_string={"pageSize": 1, "pageNumber": 2}, headers=headers
    ).json
    assert ([i["id"] for i in page["content"]], page["pageCount"], page["total"]) == (
        [theirs],
        2,
        2,
    )


@pytest.mark.parametrize(
    "params, code",
    [
        ({"colour": "red"}, "invalid_param"),
        ({"startDate_gta": "2030-01-01T00:00:00Z"}, "invalid_param"),
        ({"startDate_gt": "2016-08-1Z"}, "invalid_datetime_format"),
        ({"range": "2030-01-01T00:00:00Z"}, "invalid_param"),
        ({"duration": "30 minutes"}, "invalid_param"),
        ({"organizerId": "not-a-uuid"}, "invalid_param"),
        ({"sortField": "title"}, "invalid_param"),
        ({"sortOrder": "up"}, "invalid_param"),
        ({"pageSize": "0"}, "invalid_param"),
        ({"status": "DONE"}, "invalid_param"),
        ({"title": "a\x00b"}, "invalid_param"),
    ],
)
def test_list_refuses_bad_parameters(client, world, params, code):
    error(
        client.get("/api/appointments/", query_string=params, headers=world.auth(world.sam)),
        400,
        code,
    )


def test_tokens_and_roles(client, world):
    error(client.get("/api/appointments/"), 401, "unauthorized")
    error(
        client.get("/api/appointments/", headers={"Authorization": "Bearer nope"}),
        401,
        "unauthorized",
    )
    customer = make_user("cus@example.org", Role.CUSTOMER, password="")
    error(client.get("/api/appointments/", headers=world.auth(customer)), 403, "forbidden")


# --- one appointment ------------------------------------------------------------------------


def test_get_one(client, world):
    assert (
        client.get(
            f"/api/appointments/{world.theirs.id}", headers=world.auth(world.sam)
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/api/appointments/{world.theirs.id}", headers=world.auth(world.robot)
        ).status_code
        == 200
    )
    error(
        client.get(f"/api/appointments/{world.theirs.id}", headers=world.auth(world.alice)),
        404,
        "not_found",
    )
    error(
        client.get(f"/api/appointments/{uuid.uuid4()}", headers=world.auth(world.sam)),
        404,
        "not_found",
    )
    error(
        client.get("/api/appointments/12", headers=world.auth(world.sam)), 400, "invalid_param_type"
    )
    error(
        client.get(
            f"/api/appointments/{world.mine.id}",
            query_string={"x": 1},
            headers=world.auth(world.alice),
        ),
        400,
        "invalid_param",
    )
    error(client.get(f"/api/appointments/{world.mine.id}"), 401, "unauthorized")


# --- staff create ----------------------------------------------------------------------------


def create(client, headers, **fields):
    body = {"serviceId": None, "start": z(at(14)), "customer": CUSTOMER} | fields
    return client.post("/api/appointments/", json=body, headers=headers)


def test_staff_create(client, world):
    response = create(
        client,
        world.auth(world.alice),
        serviceId=str(world.service.id),
        title="Install",
        reference="CRM-1",
        metadata={"crm": "1"},
        timezone="Europe/Berlin",
        locale="de-DE",
    )
    assert response.status_code == 201, response.json
    item = response.json
    assert response.headers["Location"].endswith(f"/api/appointments/{item['id']}")
    assert (item["organizer"]["id"], item["title"], item["reference"]) == (
        str(world.alice.id),
        "Install",
        "CRM-1",
    )
    # Locales are stored in one form, Babel's, whichever separator was sent.
    assert (item["timezone"], item["locale"], item["metadata"]) == (
        "Europe/Berlin",
        "de_DE",
        {"crm": "1"},
    )
    assert item["start"] == z(at(14))
    created = db.session.get(Appointment, uuid.UUID(item["id"]))
    customer = created.customers[0]
    assert (customer.first_name, customer.email, customer.phone) == (
        "Bobby",
        "bobby@example.org",
        "2102234988",
    )
    assert messages(created.id, "CREATE"), "the customer is told"


def test_staff_create_without_a_title_names_the_agent_once(client, world):
    """The default title is the service: the messages add "with <agent>" themselves."""
    response = create(client, world.auth(world.alice), serviceId=str(world.service.id))
    assert response.status_code == 201, response.json
    assert response.json["title"] == world.service.name
    (created,) = messages(uuid.UUID(response.json["id"]), "CREATE")
    assert created.text_body.count(world.alice.name) == 1
    assert f"with {world.alice.name}" in created.text_body


def test_staff_create_for_a_colleague_and_inside_the_notice(client, world):
    soon = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    factories.weekly_hours(world.bob, [(0, 24 * 60)])
    response = create(
        client,
        world.auth(world.sam),
        serviceId=str(world.service.id),
        start=z(soon),
        organizerId=str(world.bob.id),
    )
    assert response.status_code == 201, response.json
    assert response.json["organizer"]["id"] == str(world.bob.id)


def test_staff_create_errors(client, world):
    headers = world.auth(world.sam)
    service = str(world.service.id)
    error(
        create(
            client, headers, serviceId=service, start=z(at(10)), organizerId=str(world.alice.id)
        ),
        409,
        "slot_unavailable",
    )
    error(create(client, headers, serviceId=service, start=z(at(10, 7))), 409, "slot_unavailable")
    error(
        create(client, headers, serviceId=service, organizerId=str(world.carol.id)),
        404,
        "not_found",
    )
    error(create(client, headers, serviceId=str(uuid.uuid4())), 404, "not_found")
    error(
        create(client, headers, serviceId=service, start="tomorrow at ten"),
        400,
        "invalid_datetime_format",
    )
    error(
        create(client, headers, serviceId=service, start=z(at(10)).replace("Z", "")),
        400,
        "invalid_datetime_format",
    )
    error(create(client, headers, serviceId=service, title=12), 400, "invalid_param_type")
    error(create(client, headers, serviceId=service, colour="red"), 400, "invalid_param")
    error(create(client, headers, serviceId=service, timezone="Mars/Olympus"), 400, "invalid_param")
    error(create(client, headers, serviceId="abc"), 400, "invalid_param")
    error(
        create(client, headers, serviceId=service, customer={"contact": {}}), 400, "missing_param"
    )
    error(create(client, headers, serviceId=service, customer={"name": {}}), 400, "missing_param")
    error(
        create(
            client,
            headers,
            serviceId=service,
            customer=CUSTOMER | {"contact": {"primaryEmail": "nope"}},
        ),
        400,
        "invalid_param",
    )
    error(
        client.post("/api/appointments/", json={"start": z(at(14))}, headers=headers),
        400,
        "missing_param",
    )
    error(
        client.post(
            "/api/appointments/", data="{not json", content_type="application/json", headers=headers
        ),
        400,
        "invalid_param",
    )
    error(create(client, headers, serviceId=service, reference="REF-A"), 409, "conflict")
    assert db.session.scalar(select(Appointment).where(Appointment.start_at == at(14))) is None


# --- update, cancel ------------------------------------------------------------------------------


def test_update_replaces_details(client, world):
    body = {
        "id": str(world.mine.id),
        "title": "New",
        "notes": "CRM ref",
        "metadata": {"a": {"b": 1}},
        "interaction": {"customFields": {"property1": "x"}, "state": "PENDING"},
    }
    response = client.put("/api/appointments/", json=body, headers=world.auth(world.alice))
    assert response.status_code == 200, response.json
    assert (response.json["title"], response.json["notes"], response.json["metadata"]) == (
        "New",
        "CRM ref",
        {"a": {"b": 1}},
    )
    assert response.json["interaction"]["customFields"] == {"property1": "x"}
    # Empty data replaces (seed 001): omitted fields are cleared.
    cleared = client.put(
        "/api/appointments/", json={"id": str(world.mine.id)}, headers=world.auth(world.robot)
    ).json
    assert (
        cleared["title"],
        cleared["notes"],
        cleared["metadata"],
        cleared["interaction"]["customFields"],
    ) == ("", "", {}, {})


def test_update_errors(client, world):
    headers = world.auth(world.alice)
    error(
        client.put("/api/appointments/", json={"title": "x"}, headers=headers), 400, "missing_param"
    )
    error(
        client.put("/api/appointments/", json={"id": str(world.theirs.id)}, headers=headers),
        404,
        "not_found",
    )
    error(
        client.put(
            "/api/appointments/", json={"id": str(world.mine.id), "metadata": "x"}, headers=headers
        ),
        400,
        "invalid_param_type",
    )
    error(
        client.put(
            "/api/appointments/",
            json={"id": str(world.mine.id), "interaction": {"state": "ACTIVE"}},
            headers=headers,
        ),
        400,
        "invalid_param",
    )
    error(
        client.put(
            "/api/appointments/",
            json={"id": str(world.mine.id), "interaction": {"routing": {"queue": "x"}}},
            headers=headers,
        ),
        400,
        "invalid_param",
    )
    assert db.session.get(Appointment, world.mine.id).title == "Alice's call"


def test_delete_cancels_and_notifies(client, world):
    response = client.delete(f"/api/appointments/{world.mine.id}", headers=world.auth(world.alice))
    assert response.status_code == 204 and response.data == b""
    db.session.expire_all()
    cancelled = db.session.get(Appointment, world.mine.id)
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert messages(world.mine.id, "CANCEL")
    sent = len(messages(world.mine.id, "CANCEL"))
    # Nothing happens to a cancelled appointment: 409, as on the page, and no second notice.
    error(
        client.delete(f"/api/appointments/{world.mine.id}", headers=world.auth(world.alice)),
        409,
        "conflict",
    )
    assert len(messages(world.mine.id, "CANCEL")) == sent
    error(
        client.delete(f"/api/appointments/{world.theirs.id}", headers=world.auth(world.alice)),
        404,
        "not_found",
    )
    assert db.session.get(Appointment, world.theirs.id).status == AppointmentStatus.SCHEDULED


# --- by reference (seed 003) ---------------------------------------------------------------------


def test_reference_upsert_read_delete(client, world):
    headers = world.auth(world.robot)
    body = {
        "serviceId": str(world.service.id),
        "start": z(at(15)),
        "customer": CUSTOMER,
        "title": "Ext",
    }
    created = client.put("/api/appointments/reference/EXT-77", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["reference"] == "EXT-77"
    got = client.get("/api/appointments/reference/EXT-77", headers=headers)
    assert got.status_code == 200 and got.json["id"] == created.json["id"]
    moved = client.put(
        "/api/appointments/reference/EXT-77",
        json={"start": z(at(16)), "notes": "moved"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.json
    assert (moved.json["id"], moved.json["start"], moved.json["notes"], moved.json["title"]) == (
        created.json["id"],
        z(at(16)),
        "moved",
        "Ext",
    )
    assert messages(uuid.UUID(created.json["id"]), "RESCHEDULE")
    assert client.delete("/api/appointments/reference/EXT-77", headers=headers).status_code == 204
    assert (
        client.get("/api/appointments/reference/EXT-77", headers=headers).json["status"]
        == "CANCELLED"
    )


def test_reference_errors(client, world):
    headers = world.auth(world.sam)
    error(client.get("/api/appointments/reference/NOPE", headers=headers), 404, "not_found")
    error(client.delete("/api/appointments/reference/NOPE", headers=headers), 404, "not_found")
    error(
        client.put("/api/appointments/reference/NEW", json={"title": "x"}, headers=headers),
        400,
        "invalid_param",
    )
    factories.appointment(world.service, world.alice, at(12))
    error(
        client.put("/api/appointments/reference/REF-A", json={"start": z(at(12))}, headers=headers),
        409,
        "slot_unavailable",
    )
    error(
        client.put(
            "/api/appointments/reference/REF-A",
            json={"serviceId": str(world.service.id), "x": 1},
            headers=headers,
        ),
        400,
        "invalid_param",
    )
    # An agent who does not take part cannot read it.
    error(
        client.get("/api/appointments/reference/REF-A", headers=world.auth(world.bob)),
        404,
        "not_found",
    )


# --- the call ------------------------------------------------------------------------------------


def test_activate_and_end(client, world):
    activated = client.post(
        f"/api/appointments/activate/{world.mine.id}", headers=world.auth(world.robot)
    )
    assert activated.status_code == 200, activated.json
    assert activated.json["type"] == "MULTI_USE_TICKET"
    assert activated.json["url"].startswith("https://meet.jit.si/portal-")
    assert activated.json["expires"].endswith("Z")
    again = client.post(
        f"/api/appointments/activate/{world.mine.id}", headers=world.auth(world.alice)
    )
    assert again.json["url"] == activated.json["url"]
    item = client.get(f"/api/appointments/{world.mine.id}", headers=world.auth(world.alice)).json
    assert item["interaction"]["state"] == "ACTIVE" and item["room"]["url"] == activated.json["url"]
    ended = client.put(f"/api/appointments/{world.mine.id}/end", headers=world.auth(world.alice))
    assert ended.status_code == 200 and ended.json["interaction"]["state"] == "ENDED"
    error(
        client.post(f"/api/appointments/activate/{world.mine.id}", headers=world.auth(world.robot)),
        409,
        "conflict",
    )


def test_call_permissions(client, world):
    error(
        client.post(
            f"/api/appointments/activate/{world.theirs.id}", headers=world.auth(world.alice)
        ),
        404,
        "not_found",
    )
    error(
        client.put(f"/api/appointments/{world.theirs.id}/end", headers=world.auth(world.alice)),
        404,
        "not_found",
    )
    error(
        client.put(f"/api/appointments/{world.mine.id}/end", headers=world.auth(world.robot)),
        403,
        "forbidden",
    )
    # Not started and not open: too early to end (the page refuses the same way).
    error(
        client.put(f"/api/appointments/{world.theirs.id}/end", headers=world.auth(world.sam)),
        409,
        "conflict",
    )
    assert (
        client.post(
            f"/api/appointments/activate/{world.theirs.id}", headers=world.auth(world.sam)
        ).status_code
        == 200
    )
    assert (
        client.put(
            f"/api/appointments/{world.theirs.id}/end", headers=world.auth(world.sam)
        ).status_code
        == 200
    )


def test_eligible(client, world):
    now = datetime.now(UTC)
    soon = factories.appointment(world.service, world.carol, now + timedelta(minutes=20))
    headers = world.auth(world.robot)
    found = client.get(
        "/api/appointments/eligible/", query_string={"timeFrame": "PT1H"}, headers=headers
    )
    assert found.status_code == 200, found.json
    assert found.json == [
        {
            "eligibleFrom": z(soon.start_at - timedelta(hours=1)),
            "id": str(soon.id),
            "start": z(soon.start_at),
            "timezone": "UTC",
        }
    ]
    assert (
        client.get(
            "/api/appointments/eligible/", query_string={"timeFrame": "PT5M"}, headers=headers
        ).json
        == []
    )
    assert len(client.get("/api/appointments/eligible/", headers=headers).json) == 1  # default PT1H
    error(
        client.get(
            "/api/appointments/eligible/", query_string={"timeFrame": "1h"}, headers=headers
        ),
        400,
        "invalid_param",
    )
    error(
        client.get("/api/appointments/eligible/", headers=world.auth(world.alice)), 403, "forbidden"
    )


# --- participants ---------------------------------------------------------------------------------


def test_participants(client, world):
    headers = world.auth(world.alice)
    added = client.post(
        "/api/appointments/participants/agents/",
        json={"id": str(world.mine.id), "userId": str(world.carol.id)},
        headers=headers,
    )
    assert added.status_code == 200, added.json
    assert sum(1 for p in added.json["participantIds"] if p["type"] == "AGENT") == 2
    error(
        client.post(
            "/api/appointments/participants/agents/",
            json={"id": str(world.mine.id), "userId": str(world.carol.id)},
            headers=headers,
        ),
        409,
        "conflict",
    )
    error(
        client.post(
            "/api/appointments/participants/agents/",
            json={"id": str(world.mine.id), "userId": str(uuid.uuid4())},
            headers=headers,
        ),
        404,
        "not_found",
    )
    guest = client.post(
        "/api/appointments/participants/customers/",
        json={"id": str(world.mine.id), "customer": CUSTOMER | {"username": "ewingb@myorg.com"}},
        headers=headers,
    )
    assert guest.status_code == 200, guest.json
    new_ids = {p["id"] for p in guest.json["participantIds"]} - {
        p["id"] for p in added.json["participantIds"]
    }
    pid = new_ids.pop()
    detail = client.get(f"/api/appointments/{world.mine.id}/participants/{pid}", headers=headers)
    assert detail.status_code == 200
    assert detail.json | {"id": None} == {
        "id": None,
        "type": "CUSTOMER",
        "name": {"firstName": "Bobby", "lastName": "Ewing"},
        "contact": {"primaryEmail": "bobby@example.org", "primaryPhone": "2102234988"},
        "username": "ewingb@myorg.com",
        "metadata": {"refNo": "CS-9838"},
        "customerReference": None,
        "userId": None,
        "organizer": False,
    }
    removed = client.delete(
        f"/api/appointments/{world.mine.id}/participants/{pid}", headers=headers
    )
    assert removed.status_code == 200 and pid not in {
        p["id"] for p in removed.json["participantIds"]
    }
    organizer = [
        p for p in db.session.get(Appointment, world.mine.id).participants if p.is_organizer
    ][0]
    error(
        client.delete(
            f"/api/appointments/{world.mine.id}/participants/{organizer.id}", headers=headers
        ),
        409,
        "conflict",
    )
    error(
        client.get(
            f"/api/appointments/{world.mine.id}/participants/{uuid.uuid4()}", headers=headers
        ),
        404,
        "not_found",
    )
    error(
        client.get(f"/api/appointments/{world.mine.id}/participants/x", headers=headers),
        400,
        "invalid_param_type",
    )
    # Another agent's appointment: not found, also for its participants.
    other = db.session.get(Appointment, world.theirs.id).participants[0]
    error(
        client.get(f"/api/appointments/{world.theirs.id}/participants/{other.id}", headers=headers),
        404,
        "not_found",
    )
    error(
        client.post(
            "/api/appointments/participants/customers/",
            json={"id": str(world.theirs.id), "customer": CUSTOMER},
            headers=headers,
        ),
        404,
        "not_found",
    )
    error(
        client.post(
            "/api/appointments/participants/customers/",
            json={"id": str(world.mine.id)},
            headers=headers,
        ),
        400,
        "missing_param",
    )
    error(
        client.post(
            "/api/appointments/participants/agents/",
            json={"id": str(world.mine.id), "userId": str(world.carol.id)},
            headers=world.auth(world.robot),
        ),
        403,
        "forbidden",
    )


# --- reassign, reschedule ------------------------------------------------------------------------


def test_reassign(client, world):
    headers = world.auth(world.alice)
    error(
        client.put(
            "/api/appointments/reassign/",
            json={"id": str(world.mine.id), "userId": str(world.carol.id)},
            headers=headers,
        ),
        404,
        "not_found",
    )
    factories.appointment(world.service, world.bob, at(10, 15), minutes=10)
    error(
        client.put(
            "/api/appointments/reassign/",
            json={"id": str(world.mine.id), "userId": str(world.bob.id)},
            headers=headers,
        ),
        409,
        "slot_unavailable",
    )
    moved = client.put(
        "/api/appointments/reassign/",
        json={"id": str(world.theirs.id), "userId": str(world.alice.id)},
        headers=world.auth(world.sam),
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["organizer"]["id"] == str(world.alice.id)
    error(
        client.put("/api/appointments/reassign/", json={"id": str(world.mine.id)}, headers=headers),
        400,
        "missing_param",
    )


def test_reschedule(client, world):
    headers = world.auth(world.robot)
    body = {
        "id": str(world.mine.id),
        "start": z(at(12)),
        "timezone": "Europe/Berlin",
        "locale": "en-GB",
    }
    response = client.put("/api/appointments/reschedule/", json=body, headers=headers)
    assert response.status_code == 200, response.json
    assert (response.json["start"], response.json["end"], response.json["timezone"]) == (
        z(at(12)),
        z(at(12, 30)),
        "Europe/Berlin",
    )
    assert messages(world.mine.id, "RESCHEDULE")
    # The old time is free again; a time the organizer is busy is not.
    assert (
        create(
            client, world.auth(world.alice), serviceId=str(world.service.id), start=z(at(10))
        ).status_code
        == 201
    )
    factories.appointment(world.service, world.alice, at(15))
    error(
        client.put(
            "/api/appointments/reschedule/",
            json={"id": str(world.mine.id), "start": z(at(15))},
            headers=world.auth(world.sam),
        ),
        409,
        "slot_unavailable",
    )
    longer = client.put(
        "/api/appointments/reschedule/",
        json={"id": str(world.mine.id), "start": z(at(13)), "duration": "PT1H"},
        headers=headers,
    )
    assert longer.status_code == 200 and longer.json["duration"] == "PT1H"
    error(
        client.put(
            "/api/appointments/reschedule/",
            json={"id": str(world.mine.id), "start": z(at(13)), "duration": "PT0S"},
            headers=headers,
        ),
        400,
        "invalid_param",
    )
    error(
        client.put(
            "/api/appointments/reschedule/", json={"id": str(world.mine.id)}, headers=headers
        ),
        400,
        "missing_param",
    )
    error(
        client.put(
            "/api/appointments/reschedule/",
            json={"id": str(world.theirs.id), "start": z(at(15))},
            headers=world.auth(world.alice),
        ),
        404,
        "not_found",
    )


# --- public counts --------------------------------------------------------------------------------


def test_times_beyond_the_calendar_are_refused(client, world):
    far = "9999-12-31T23:30:00Z"
    headers = world.auth(world.sam)
    error(create(client, headers, serviceId=str(world.service.id), start=far), 400, "invalid_param")
    error(
        client.put(
            "/api/appointments/reschedule/",
            json={"id": str(world.mine.id), "start": far},
            headers=headers,
        ),
        400,
        "invalid_param",
    )
    error(
        client.put(
            "/api/appointments/reference/FAR",
            json={"serviceId": str(world.service.id), "start": far, "customer": CUSTOMER},
            headers=headers,
        ),
        400,
        "invalid_param",
    )
    params = {
        "serviceId": str(world.service.id),
        "start": "9999-12-31T23:00:00Z",
        "timeFrame": "P366D",
    }
    error(client.get("/api/appointments/count", query_string=params), 400, "invalid_param")
    # Filters are bounded like every other date-time (portal.domain.values).
    listed = client.get(
        "/api/appointments/", query_string={"range": f"0001-01-01T00:00:00Z,{far}"}, headers=headers
    )
    error(listed, 400, "invalid_param")
    listed = client.get(
        "/api/appointments/",
        query_string={"range": "1900-01-01T00:00:00Z,2200-12-31T00:00:00Z"},
        headers=headers,
    )
    assert listed.status_code == 200 and listed.json["total"] == 2


def test_counts_are_public(client, world):
    factories.appointment(world.service, world.bob, at(10))
    counts = client.get(
        "/api/appointments/count",
        query_string={"serviceId": str(world.service.id), "start": z(at(9)), "timeFrame": "PT3H"},
    )
    assert counts.status_code == 200, counts.json
    assert counts.json == [
        {
            "count": 2,
            "duration": "PT30M",
            "end": z(at(10, 30)),
            "start": z(at(10)),
            "timezone": "UTC",
        },
        {
            "count": 1,
            "duration": "PT30M",
            "end": z(at(11, 30)),
            "start": z(at(11)),
            "timezone": "UTC",
        },
    ]
    overlap = client.get(
        "/api/appointments/overlap/count",
        query_string={
            "serviceId": str(world.service.id),
            "start": z(at(10, 15)),
            "duration": "PT5M",
        },
    )
    assert overlap.status_code == 200 and overlap.json == {"count": 2}


@pytest.mark.parametrize(
    "path, params, status, code",
    [
        ("count", {"start": "2030-01-01T00:00:00Z", "timeFrame": "PT1H"}, 400, "missing_param"),
        (
            "count",
            {"serviceId": "SERVICE", "start": "soon", "timeFrame": "PT1H"},
            400,
            "invalid_datetime_format",
        ),
        (
            "count",
            {"serviceId": "SERVICE", "start": "2030-01-01T00:00:00Z", "timeFrame": "an hour"},
            400,
            "invalid_param",
        ),
        (
            "count",
            {
                "serviceId": "SERVICE",
                "start": "2030-01-01T00:00:00Z",
                "timeFrame": "PT1H",
                "x": "1",
            },
            400,
            "invalid_param",
        ),
        (
            "count",
            {"serviceId": str(uuid.uuid4()), "start": "2030-01-01T00:00:00Z", "timeFrame": "PT1H"},
            404,
            "not_found",
        ),
        (
            "overlap/count",
            {"serviceId": "SERVICE", "start": "2030-01-01T00:00:00Z"},
            400,
            "missing_param",
        ),
        (
            "overlap/count",
            {"serviceId": "SERVICE", "start": "2030-01-01T00:00:00Z", "duration": "PT0S"},
            400,
            "invalid_param",
        ),
        (
            "overlap/count",
            {"serviceId": "nope", "start": "2030-01-01T00:00:00Z", "duration": "PT5M"},
            400,
            "invalid_param",
        ),
    ],
)
def test_count_errors(client, world, path, params, status, code):
    params = {k: (str(world.service.id) if v == "SERVICE" else v) for k, v in params.items()}
    error(client.get(f"/api/appointments/{path}", query_string=params), status, code)


# --- the role matrix ------------------------------------------------------------------------------


# Expected status per caller. The agent does not take part in "theirs": where agents may
# call the endpoint at all they get 404 (not 403), so they learn nothing about it.
ALL_OK = {"SUPERVISOR": 200, "ADMIN": 200, "CLIENT_SERVICE": 200}
ROLE_MATRIX = [
    ("get", "/api/appointments/", None, {"AGENT": 200, **ALL_OK}),
    ("get", "/api/appointments/{theirs}", None, {"AGENT": 404, **ALL_OK}),
    ("get", "/api/appointments/reference/THEIRS", None, {"AGENT": 404, **ALL_OK}),
    # "theirs" has not started: those who may end calls are told it is too early (409).
    (
        "put",
        "/api/appointments/{theirs}/end",
        None,
        {"AGENT": 404, "SUPERVISOR": 409, "ADMIN": 409},
    ),
    ("post", "/api/appointments/activate/{theirs}", None, {"AGENT": 404, **ALL_OK}),
    ("get", "/api/appointments/eligible/", None, {"CLIENT_SERVICE": 200}),
    (
        "post",
        "/api/appointments/participants/agents/",
        {"id": "{theirs}", "userId": "{carol}"},
        {"AGENT": 404, "SUPERVISOR": 200, "ADMIN": 200},
    ),
    ("put", "/api/appointments/", {"id": "{theirs}", "title": "x"}, {"AGENT": 404, **ALL_OK}),
    (
        "put",
        "/api/appointments/reschedule/",
        {"id": "{theirs}", "start": "{theirs_start}"},
        {"AGENT": 404, **ALL_OK},
    ),
    (
        "put",
        "/api/appointments/reassign/",
        {"id": "{theirs}", "userId": "{bob}"},
        {"AGENT": 404, "SUPERVISOR": 200, "ADMIN": 200},
    ),
]


@pytest.mark.parametrize("method, path, body, expected", ROLE_MATRIX)
def test_role_matrix(client, world, method, path, body, expected):
    """Each role gets exactly the expected status; every other role 403; customers never in."""
    world.theirs.reference = "THEIRS"
    db.session.commit()
    values = {
        "theirs": str(world.theirs.id),
        "carol": str(world.carol.id),
        "bob": str(world.bob.id),
        "theirs_start": z(world.theirs.start_at),
    }
    path = path.format(**values)
    if body:
        body = {k: v.format(**values) for k, v in body.items()}
    callers = {
        "AGENT": world.alice,
        "SUPERVISOR": world.sam,
        "ADMIN": world.ada,
        "CLIENT_SERVICE": world.robot,
        "CUSTOMER": make_user("cus@example.org", Role.CUSTOMER, password=""),
    }
    for role, user in callers.items():
        response = getattr(client, method)(path, json=body, headers=world.auth(user))
        status = expected.get(role, 403)
        assert response.status_code == status, (role, path, response.get_data(as_text=True))
        if status != 200:
            expected_code = {403: "forbidden", 404: "not_found", 409: "conflict"}[status]
            assert response.json["error"] == expected_code
        # Undo what a successful call changed, so the next caller finds the same state.
        db.session.expire_all()
        appointment = db.session.get(Appointment, world.theirs.id)
        appointment.interaction_state = InteractionState.PENDING
        appointment.room_tickets.clear()
        for participant in list(appointment.participants):
            if participant.user_id == world.carol.id:
                appointment.participants.remove(participant)
        db.session.commit()


# --- compound operations are all or nothing ------------------------------------------------------


def snapshot(appointment_id) -> dict:
    """What a failed request must leave exactly as it was."""
    db.session.expire_all()
    item = db.session.get(Appointment, appointment_id)
    return {
        "start": item.start_at,
        "end": item.end_at,
        "organizer": item.organizer_id,
        "sequence": item.sequence,
        "title": item.title,
        "notes": item.notes,
        "participants": sorted(
            (str(p.user_id), p.email, p.is_organizer) for p in item.participants
        ),
        "outbox": sorted(
            (str(m.type), m.recipient, m.due_at.isoformat()) for m in messages(appointment_id)
        ),
    }


def test_reference_upsert_that_fails_halfway_changes_nothing(client, world):
    """A new start (free) and a new organizer (busy then): 409, and nothing moved or was queued."""
    headers = world.auth(world.sam)
    factories.appointment(world.service, world.bob, at(15), title="Bob is busy")
    before = snapshot(world.mine.id)
    body = {"start": z(at(15)), "organizerId": str(world.bob.id), "notes": "moved and handed over"}
    answer = client.put("/api/appointments/reference/REF-A", json=body, headers=headers)
    error(answer, 409, "slot_unavailable")
    assert snapshot(world.mine.id) == before
    # The same change without the busy colleague goes through as one.
    body["organizerId"] = str(world.alice.id)
    assert (
        client.put("/api/appointments/reference/REF-A", json=body, headers=headers).status_code
        == 200
    )
    after = snapshot(world.mine.id)
    assert after["start"] == at(15) and after["notes"] == "moved and handed over"
    assert any(kind == "RESCHEDULE" for kind, _, _ in after["outbox"])


def test_reference_upsert_refused_by_the_lifecycle_changes_nothing(client, world):
    """An ended call is not moved: 409 conflict, and its notes stay too."""
    world.mine.interaction_state = InteractionState.ENDED
    db.session.commit()
    before = snapshot(world.mine.id)
    body = {"start": z(at(16)), "notes": "should not stay"}
    answer = client.put(
        "/api/appointments/reference/REF-A", json=body, headers=world.auth(world.sam)
    )
    error(answer, 409, "conflict")
    assert snapshot(world.mine.id) == before
