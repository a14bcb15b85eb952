"""Seed gaps closed by issue 18, through the API: notificationsActive, references with
wildcards, interaction.routing, endDate / done on create, time slot filters, and time
filters that compare with the value as shown (to the second)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Appointment, ServiceTimeSlot
from tests.api.test_appointments_api import (  # noqa: F401 - ``world`` is a fixture
    CUSTOMER,
    at,
    error,
    messages,
    world,
    z,
)
from tests.clock import TEST_NOW

pytestmark = pytest.mark.date_sensitive  # the world's day follows the clock


def create(client, world, user=None, **body):
    payload = {
        "serviceId": str(world.service.id),
        "start": z(at(14)),
        "organizerId": str(world.alice.id),
        "customer": CUSTOMER,
    } | body
    return client.post("/api/appointments/", json=payload, headers=world.auth(user or world.sam))


# --- notificationsActive ----------------------------------------------------------------


def customer_messages(appointment_id) -> list:
    """The appointment's outbox rows but the agents' own notices (which that switch leaves on)."""
    return [m for m in messages(appointment_id) if not m.type.startswith("AGENT_")]


def test_notifications_off_on_create_queues_nothing_for_the_customer(client, world):
    response = create(client, world, notificationsActive=False)
    assert response.status_code == 201, response.json
    assert response.json["notificationsActive"] is False
    assert customer_messages(uuid.UUID(response.json["id"])) == []
    # The same booking with notifications on queues the customer's confirmation.
    other = create(client, world, start=z(at(15)))
    assert other.json["notificationsActive"] is True
    assert {m.recipient for m in messages(uuid.UUID(other.json["id"]))} >= {"bobby@example.org"}


def test_switching_notifications_off_by_put_stops_later_notices(client, world):
    headers = world.auth(world.alice)
    put = client.put(
        "/api/appointments/",
        json={"id": str(world.mine.id), "title": "Quiet", "notificationsActive": False},
        headers=headers,
    )
    assert put.status_code == 200 and put.json["notificationsActive"] is False
    moved = client.put(
        "/api/appointments/reschedule/",
        json={"id": str(world.mine.id), "start": z(at(16))},
        headers=headers,
    )
    assert moved.status_code == 200, moved.json
    assert messages(world.mine.id, "RESCHEDULE") == []
    # A PUT without the field keeps the current value (a flag has no "empty").
    again = client.put(
        "/api/appointments/",
        json={"id": str(world.mine.id), "title": "Still quiet"},
        headers=headers,
    )
    assert again.json["notificationsActive"] is False


def test_notifications_on_an_upsert_create(client, world):
    response = client.put(
        "/api/appointments/reference/UP-QUIET",
        json={
            "serviceId": str(world.service.id),
            "start": z(at(14)),
            "organizerId": str(world.alice.id),
            "customer": CUSTOMER,
            "notificationsActive": False,
        },
        headers=world.auth(world.sam),
    )
    assert response.status_code == 201, response.json
    assert response.json["notificationsActive"] is False
    assert customer_messages(uuid.UUID(response.json["id"])) == []


# --- references ---------------------------------------------------------------------------


def test_customer_reference_is_stored_and_filtered_with_wildcards(client, world):
    customer = CUSTOMER | {"customerReference": "Ref-61"}
    made = create(client, world, customer=customer)
    assert made.status_code == 201, made.json
    customer_id = next(p["id"] for p in made.json["participantIds"] if p["type"] == "CUSTOMER")
    detail = client.get(
        f"/api/appointments/{made.json['id']}/participants/{customer_id}",
        headers=world.auth(world.sam),
    )
    assert detail.json["customerReference"] == "Ref-61"
    headers = world.auth(world.sam)
    for pattern in ("Ref-6*", "*ef-61", "*EF-6*", "ref-61"):
        found = client.get(
            "/api/appointments/", query_string={"customerReference": pattern}, headers=headers
        )
        assert found.status_code == 200
        assert [item["id"] for item in found.json["content"]] == [made.json["id"]], pattern
    for pattern in ("Ref-6", "*x*", "Ref_61"):
        found = client.get(
            "/api/appointments/", query_string={"customerReference": pattern}, headers=headers
        )
        assert found.json["total"] == 0, pattern


def test_customer_reference_on_an_added_customer(client, world):
    headers = world.auth(world.alice)
    added = client.post(
        "/api/appointments/participants/customers/",
        json={"id": str(world.mine.id), "customer": CUSTOMER | {"customerReference": "CRM-9"}},
        headers=headers,
    )
    assert added.status_code == 200, added.json
    found = client.get("/api/appointments/?customerReference=crm-*", headers=headers)
    assert [item["id"] for item in found.json["content"]] == [str(world.mine.id)]


def test_employee_reference_is_set_on_users_and_filters_by_organizer(client, world):
    admin = world.auth(world.ada)
    patched = client.patch(
        f"/api/users/{world.bob.id}", json={"employeeReference": "emp-04"}, headers=admin
    )
    assert patched.status_code == 200, patched.json
    assert patched.json["employeeReference"] == "emp-04"
    made = client.post(
        "/api/users",
        json={
            "email": "erin@example.com",
            "name": "Erin",
            "role": "AGENT",
            "password": "long-enough",
            "employeeReference": "emp-05",
        },
        headers=admin,
    )
    assert made.status_code == 201 and made.json["employeeReference"] == "emp-05"
    headers = world.auth(world.sam)
    found = client.get("/api/appointments/?employeeReference=emp-0*", headers=headers)
    assert [item["id"] for item in found.json["content"]] == [str(world.theirs.id)]
    assert found.json["content"][0]["organizer"]["employeeReference"] == "emp-04"
    assert (
        client.get("/api/appointments/?employeeReference=*04", headers=headers).json["total"] == 1
    )
    assert (
        client.get("/api/appointments/?employeeReference=emp", headers=headers).json["total"] == 0
    )
    cleared = client.patch(
        f"/api/users/{world.bob.id}", json={"employeeReference": None}, headers=admin
    )
    assert cleared.json["employeeReference"] is None


def test_customers_book_without_a_reference(client, world):
    """``/basic`` is the customer's own booking: no integration reference there."""
    from portal.api.otp import BASIC_BODY

    assert "customerReference" not in BASIC_BODY["customer"].fields


# --- interaction.routing ----------------------------------------------------------------------

ROUTING = {"type": "GENESYS_CLOUD_FLOW", "properties": {"deploymentId": "c461a74-af3a"}}


def test_routing_round_trip(client, world):
    headers = world.auth(world.robot)
    put = client.put(
        "/api/appointments/",
        json={"id": str(world.mine.id), "interaction": {"routing": ROUTING}},
        headers=headers,
    )
    assert put.status_code == 200, put.json
    assert put.json["interaction"]["routing"] == ROUTING
    read = client.get(f"/api/appointments/{world.mine.id}", headers=headers)
    assert read.json["interaction"]["routing"] == ROUTING
    # Seed 001: empty data replaces, so a PUT without routing clears it.
    cleared = client.put("/api/appointments/", json={"id": str(world.mine.id)}, headers=headers)
    assert cleared.json["interaction"]["routing"] is None


def test_routing_on_create_and_refusals(client, world):
    made = create(client, world, interaction={"routing": ROUTING})
    assert made.status_code == 201, made.json
    assert made.json["interaction"]["routing"] == ROUTING
    headers = world.auth(world.alice)
    for routing in ({"queue": "x"}, {"type": 5}, {"properties": []}):
        error(
            client.put(
                "/api/appointments/",
                json={"id": str(world.mine.id), "interaction": {"routing": routing}},
                headers=headers,
            ),
            400,
            "invalid_param_type" if routing != {"queue": "x"} else "invalid_param",
        )


def test_the_customer_view_shows_no_routing(client, world):
    from portal.api.serializers import customer_appointment_json

    db.session.execute(
        update(Appointment).where(Appointment.id == world.mine.id).values(routing=ROUTING)
    )
    db.session.commit()
    appointment = db.session.get(Appointment, world.mine.id)
    assert "routing" not in str(customer_appointment_json(appointment, [], None))


# --- endDate and done on create ------------------------------------------------------------------


def test_end_date_must_agree_with_the_service_duration(client, world):
    ok = create(client, world, endDate=z(at(14, 30)), done=False)
    assert ok.status_code == 201, ok.json
    assert (ok.json["end"], ok.json["done"]) == (z(at(14, 30)), False)
    wrong = create(client, world, start=z(at(15)), endDate=z(at(16)))
    error(wrong, 400, "invalid_param")
    assert "2026" in wrong.json["error_description"] or "endDate" in wrong.json["error_description"]
    done = create(client, world, start=z(at(15)), done=True)
    error(done, 400, "invalid_param")
    assert "done" in done.json["error_description"]
    assert db.session.scalar(select(Appointment).where(Appointment.start_at == at(15))) is None


def test_end_date_on_an_upsert_sets_the_length_of_an_existing_appointment(client, world):
    headers = world.auth(world.sam)
    response = client.put(
        "/api/appointments/reference/REF-A", json={"endDate": z(at(10, 15))}, headers=headers
    )
    assert response.status_code == 200, response.json
    assert (response.json["duration"], response.json["end"]) == ("PT15M", z(at(10, 15)))
    error(
        client.put(
            "/api/appointments/reference/REF-A",
            json={"endDate": z(at(10, 15)), "duration": "PT30M"},
            headers=headers,
        ),
        400,
        "invalid_param",
    )


# --- whole-second time filters ------------------------------------------------------------------


def test_last_updated_lte_the_shown_value_includes_the_record(client, world):
    stored = TEST_NOW + timedelta(milliseconds=437)
    db.session.execute(
        update(Appointment)
        .where(Appointment.id == world.mine.id)
        .values(updated_at=stored, created_at=stored)
    )
    db.session.commit()
    headers = world.auth(world.alice)
    shown = client.get(f"/api/appointments/{world.mine.id}", headers=headers).json["lastUpdated"]
    assert shown == z(TEST_NOW)

    def ids(**query):
        found = client.get("/api/appointments/", query_string=query, headers=headers)
        assert found.status_code == 200, found.json
        return [item["id"] for item in found.json["content"]]

    mine = [str(world.mine.id)]
    assert ids(lastUpdated_lte=shown) == mine
    assert ids(lastUpdated_gte=shown) == mine
    assert ids(lastUpdated_lt=shown) == []
    assert ids(lastUpdated_gt=shown) == []
    assert ids(dateCreated_lte=shown, dateCreated_gte=shown) == mine
    next_second = z(TEST_NOW + timedelta(seconds=1))
    assert ids(lastUpdated_lt=next_second) == mine
    assert ids(lastUpdated_gte=next_second) == []


# --- seed 004 time slot filters ------------------------------------------------------------------


def test_time_slot_to_time_and_created_updated_filters(client, world):
    admin = world.auth(world.ada)
    base = f"/api/services/{world.service.id}/time-slots"
    early = client.post(
        base, json={"dayOfWeek": 1, "fromTime": "08:00", "toTime": "12:00"}, headers=admin
    ).json
    late = client.post(
        base, json={"dayOfWeek": 1, "fromTime": "13:00", "toTime": "18:00"}, headers=admin
    ).json
    assert early["createdOn"] == early["updatedOn"] == z(TEST_NOW)
    # The late window was made half a second after the early one, and saved again later.
    db.session.execute(
        update(ServiceTimeSlot)
        .where(ServiceTimeSlot.id == uuid.UUID(late["id"]))
        .values(
            created_at=TEST_NOW + timedelta(milliseconds=500),
            updated_at=TEST_NOW + timedelta(hours=1, milliseconds=250),
        )
    )
    db.session.commit()

    def ids(**query):
        found = client.get(base, query_string=query, headers=admin)
        assert found.status_code == 200, found.json
        return {item["id"] for item in found.json["content"]}

    both = {early["id"], late["id"]}
    assert ids(toTime_lte="12:00") == {early["id"]}
    assert ids(toTime_gte="12:01") == {late["id"]}
    assert ids(toTime_gte="12:00", toTime_lte="18:00") == both
    assert ids(createdOn_lte=z(TEST_NOW)) == both  # both shown as that second
    assert ids(createdOn_gte=z(TEST_NOW + timedelta(seconds=1))) == set()
    assert ids(updatedOn_gte=z(TEST_NOW + timedelta(minutes=1))) == {late["id"]}
    shown = client.get(f"{base}/{late['id']}", headers=admin).json["updatedOn"]
    assert ids(updatedOn_lte=shown, updatedOn_gte=shown) == {late["id"]}
    error(
        client.get(f"{base}?createdOn_gte=yesterday", headers=admin), 400, "invalid_datetime_format"
    )
    error(client.get(f"{base}?toTime_gte=25:00", headers=admin), 400, "invalid_datetime_format")


def test_saving_a_time_slot_moves_updated_on(client, world, fixed_clock):
    admin = world.auth(world.ada)
    base = f"/api/services/{world.service.id}/time-slots"
    made = client.post(
        base, json={"dayOfWeek": 2, "fromTime": "08:00", "toTime": "12:00"}, headers=admin
    ).json
    fixed_clock.shift(timedelta(minutes=5))
    saved = client.put(
        f"{base}/{made['id']}",
        json={"dayOfWeek": 2, "fromTime": "08:00", "toTime": "12:00"},
        headers=admin,
    ).json
    assert saved["createdOn"] == made["createdOn"]
    assert saved["updatedOn"] == z(TEST_NOW + timedelta(minutes=5))


# --- small things ---------------------------------------------------------------------------


def test_p5m_as_a_template_period_is_refused_with_a_hint(client, world):
    body = {
        "type": "ROOM",
        "period": "P5M",
        "subject": "Your room",
        "textBody": "Join at {{roomLink}}",
        "toEmail": "ada@example.com",
    }
    response = client.post(
        "/api/notifications/emails/test", json=body, headers=world.auth(world.ada)
    )
    error(response, 400, "invalid_param")
    assert "did you mean PT5M" in response.json["error_description"]
    assert (
        client.post(
            "/api/notifications/emails/test",
            json=body | {"period": "PT5M"},
            headers=world.auth(world.ada),
        ).status_code
        == 204
    )
