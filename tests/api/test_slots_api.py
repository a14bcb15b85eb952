"""GET /api/services and /api/services/{id}/slots: answers and every error."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, UTC

import pytest

from tests import factories
from tests.clock import TODAY

UTC = UTC
FAR = TODAY + timedelta(days=14)  # clear of minimum notice
pytestmark = pytest.mark.date_sensitive  # FAR follows the clock


@pytest.fixture
def setup(app):
    alice = factories.agent("alice@example.com", "Alice", "Europe/Berlin")
    bob = factories.agent("bob@example.com", "Bob", "America/New_York")
    factories.weekly_hours(alice, [(9 * 60, 12 * 60)])
    factories.weekly_hours(bob, [(9 * 60, 12 * 60)])
    service = factories.service([alice, bob], duration_minutes=60, horizon_days=90)
    return service, alice, bob


def slots(client, service, **params):
    return client.get(f"/api/services/{service.id}/slots", query_string=params)


def test_list_and_get_services(client, setup):
    service, alice, bob = setup
    listing = client.get("/api/services").json
    assert listing["total"] == 1 and listing["pageNumber"] == 1
    item = listing["content"][0]
    assert item["id"] == str(service.id)
    assert item["duration"] == "PT1H" and item["capacity"] == 1
    assert {a["name"] for a in item["agents"]} == {"Alice", "Bob"}
    assert client.get(f"/api/services/{service.id}").json["slug"] == "consult"


def test_slots_for_a_day_in_the_customers_zone(client, setup):
    service, alice, bob = setup
    response = slots(
        client,
        service,
        **{"from": FAR.isoformat(), "to": FAR.isoformat(), "timezone": "Asia/Kolkata"},
    )
    assert response.status_code == 200
    body = response.json
    starts = [item["start"] for item in body]
    assert starts == sorted(starts)
    assert all(item["start"].endswith("Z") and item["remaining"] >= 1 for item in body)
    # Every start lies on FAR in Kolkata (UTC+05:30).
    day_start = datetime.combine(FAR, datetime.min.time(), tzinfo=UTC) - timedelta(
        hours=5, minutes=30
    )
    for item in body:
        start = datetime.fromisoformat(item["start"].replace("Z", "+00:00"))
        assert day_start <= start < day_start + timedelta(days=1)
        assert datetime.fromisoformat(item["end"].replace("Z", "+00:00")) - start == timedelta(
            hours=1
        )
    agent_ids = {agent for item in body for agent in item["agentIds"]}
    assert agent_ids == {str(alice.id), str(bob.id)}


def test_slots_for_one_agent(client, setup):
    service, alice, bob = setup
    body = slots(
        client,
        service,
        **{
            "from": FAR.isoformat(),
            "to": FAR.isoformat(),
            "timezone": "UTC",
            "agentId": str(bob.id),
        },
    ).json
    assert body and all(item["agentIds"] == [str(bob.id)] for item in body)
    # Bob works 09:00-12:00 New York time: 14:00 or 13:00 UTC depending on DST.
    assert len(body) == 3


def test_a_booked_slot_disappears(client, setup):
    service, alice, bob = setup
    body = slots(
        client,
        service,
        **{
            "from": FAR.isoformat(),
            "to": FAR.isoformat(),
            "timezone": "UTC",
            "agentId": str(alice.id),
        },
    ).json
    first = datetime.fromisoformat(body[0]["start"].replace("Z", "+00:00"))
    factories.appointment(service, alice, first)
    again = slots(
        client,
        service,
        **{
            "from": FAR.isoformat(),
            "to": FAR.isoformat(),
            "timezone": "UTC",
            "agentId": str(alice.id),
        },
    ).json
    assert [item["start"] for item in again] == [item["start"] for item in body[1:]]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"to": "2030-01-01", "timezone": "UTC"}, 400, "missing_param"),
        ({"from": "2030-01-01", "timezone": "UTC"}, 400, "missing_param"),
        ({"from": "2030-01-01", "to": "2030-01-02"}, 400, "missing_param"),
        (
            {"from": "2030-13-01", "to": "2030-01-02", "timezone": "UTC"},
            400,
            "invalid_datetime_format",
        ),
        (
            {"from": "01/02/2030", "to": "2030-01-02", "timezone": "UTC"},
            400,
            "invalid_datetime_format",
        ),
        (
            {"from": "2030-01-01", "to": "2030-01-02T10:00", "timezone": "UTC"},
            400,
            "invalid_datetime_format",
        ),
        ({"from": "2030-01-01", "to": "2030-01-02", "timezone": "Mars/Base"}, 400, "invalid_param"),
        (
            {"from": "2030-01-01", "to": "2030-01-02", "timezone": "../../etc/passwd"},
            400,
            "invalid_param",
        ),
        ({"from": "2030-01-05", "to": "2030-01-02", "timezone": "UTC"}, 400, "invalid_param"),
        ({"from": "2030-01-01", "to": "2030-03-04", "timezone": "UTC"}, 400, "invalid_param"),
        (
            {"from": "2030-01-01", "to": "2030-01-02", "timezone": "UTC", "agentId": "nope"},
            400,
            "invalid_param",
        ),
        (
            {
                "from": "2030-01-01",
                "to": "2030-01-02",
                "timezone": "UTC",
                "agentId": str(uuid.uuid4()),
            },
            404,
            "not_found",
        ),
        (
            {"from": "2030-01-01", "to": "2030-01-02", "timezone": "UTC", "colour": "red"},
            400,
            "invalid_param",
        ),
    ],
)
def test_slot_errors(client, setup, params, status, code):
    service, _alice, _bob = setup
    response = slots(client, service, **params)
    assert response.status_code == status
    assert response.json["error"] == code
    assert response.json["error_description"]


def test_sixty_two_days_is_allowed(client, setup):
    service, _alice, _bob = setup
    response = slots(
        client, service, **{"from": "2030-01-01", "to": "2030-03-03", "timezone": "UTC"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("service_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_service(client, setup, service_id):
    response = client.get(
        f"/api/services/{service_id}/slots",
        query_string={"from": "2030-01-01", "to": "2030-01-01", "timezone": "UTC"},
    )
    assert response.status_code == 404 and response.json["error"] == "not_found"
    assert client.get(f"/api/services/{service_id}").status_code == 404


def test_inactive_service_is_not_found(client, setup):
    from portal.extensions import db

    service, _alice, _bob = setup
    service.active = False
    db.session.commit()
    assert client.get(f"/api/services/{service.id}").status_code == 404
    assert client.get("/api/services").json["total"] == 0


def test_list_paging_errors(client, setup):
    assert client.get("/api/services?pageSize=0").json["error"] == "invalid_param"
    assert client.get("/api/services?sortField=secret").json["error"] == "invalid_param"
    assert client.get("/api/services?bogus=1").json["error"] == "invalid_param"
