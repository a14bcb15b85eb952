"""Every date, date-time and duration input is bounded (issue 12, item 4).

Years outside 1900..2200, offsets that push a date-time past them, durations
beyond 400 days (or what overflows Python's ``timedelta``), negative or empty
values: the API answers 400 (``invalid_param`` or ``invalid_datetime_format``),
the pages answer 4xx or show a form error, and nothing answers 5xx.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask.testing import FlaskClient

from tests.factories import manage_token
from portal.extensions import db, settings
from portal.models import Appointment, Role, Service, User
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user, sign_in

DAY = date.today() + timedelta(days=14)

# The issue's examples and their neighbours.
BAD_DATETIMES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "1900-01-01T00:00:00+14:00",  # 1899 in UTC
    "2200-12-31T23:59:59-12:00",  # 2201 in UTC
    "2201-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59+14:00",
    "",
    "soon",
]
BAD_DATES = [
    "0001-01-01",
    "1899-12-31",
    "2201-01-01",
    "9999-12-31",
    "",
    "2030-02-30",
    "+10000-01-01",
]
BAD_DURATIONS = [
    "P1000000000D",
    "PT99999999999H",
    "P99999999999999999999W",
    "PT99999999999999999999999S",
    "P401D",
    "-PT1H",
    "",
    "P",
]
API_CODES = {"invalid_param", "invalid_datetime_format", "missing_param"}


@dataclass
class World:
    service: Service
    alice: User
    ada: User
    robot: User
    appointment_id: str

    def auth(self, user: User) -> dict[str, str]:
        token, secret = issue_token(user, "test")
        db.session.add(token)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(app) -> World:
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(8 * 60, 18 * 60)])
    service = factories.service([alice], duration_minutes=30)
    add_default_templates(service)
    db.session.commit()
    ada = make_user("ada@example.com", Role.ADMIN, name="Ada Admin")
    robot = make_user("robot@example.com", Role.CLIENT_SERVICE, password="", name="Robot")
    start = datetime.combine(DAY, time(10), tzinfo=UTC)
    appointment = factories.appointment(service, alice, start, reference="REF-A")
    return World(service, alice, ada, robot, str(appointment.id))


def api_cases(world: World) -> list[tuple[str, str, str, dict]]:
    """(name, method, path, request options) with the placeholder ``BAD`` for the value."""
    service = str(world.service.id)
    customer = {"name": {"firstName": "Cora"}, "contact": {"primaryEmail": "cora@example.org"}}
    body_start = {"serviceId": service, "start": "BAD", "customer": customer}
    cases: list[tuple[str, str, str, dict]] = [
        (
            "slots from",
            "GET",
            f"/api/services/{service}/slots",
            {"query_string": {"from": "BAD", "to": DAY.isoformat(), "timezone": "UTC"}},
        ),
        (
            "slots to",
            "GET",
            f"/api/services/{service}/slots",
            {"query_string": {"from": DAY.isoformat(), "to": "BAD", "timezone": "UTC"}},
        ),
        (
            "slots from=to",
            "GET",
            f"/api/services/{service}/slots",
            {"query_string": {"from": "BAD", "to": "BAD", "timezone": "UTC"}},
        ),
        (
            "count start",
            "GET",
            "/api/appointments/count",
            {"query_string": {"serviceId": service, "start": "BAD", "timeFrame": "PT1H"}},
        ),
        (
            "overlap start",
            "GET",
            "/api/appointments/overlap/count",
            {"query_string": {"serviceId": service, "start": "BAD", "duration": "PT30M"}},
        ),
        (
            "basic start",
            "POST",
            "/api/appointments/basic",
            {"json": body_start | {"otp": {"email": "cora@example.org", "code": "123456"}}},
        ),
        ("create start", "POST", "/api/appointments/", {"json": body_start, "auth": "ada"}),
        (
            "reschedule start",
            "PUT",
            "/api/appointments/reschedule/",
            {"json": {"id": world.appointment_id, "start": "BAD"}, "auth": "ada"},
        ),
        (
            "upsert start",
            "PUT",
            "/api/appointments/reference/NEW-1",
            {"json": body_start, "auth": "ada"},
        ),
        (
            "upsert existing start",
            "PUT",
            "/api/appointments/reference/REF-A",
            {"json": {"start": "BAD"}, "auth": "ada"},
        ),
        (
            "list range start",
            "GET",
            "/api/appointments/",
            {"query_string": {"range": "BAD,2030-01-01T00:00:00Z"}, "auth": "ada"},
        ),
        (
            "list range end",
            "GET",
            "/api/appointments/",
            {"query_string": {"range": "2030-01-01T00:00:00Z,BAD"}, "auth": "ada"},
        ),
    ]
    for field in ("startDate", "endDate", "dateCreated", "lastUpdated"):
        for op in ("gt", "gte", "lt", "lte"):
            cases.append(
                (
                    f"list {field}_{op}",
                    "GET",
                    "/api/appointments/",
                    {"query_string": {f"{field}_{op}": "BAD"}, "auth": "ada"},
                )
            )
    return cases


def api_date_cases(world: World) -> list[tuple[str, str, str, dict]]:
    off = {"agentIds": [str(world.alice.id)], "from": DAY.isoformat(), "to": DAY.isoformat()}
    return [
        (
            "time-exceptions from",
            "POST",
            "/api/time-exceptions",
            {"json": off | {"from": "BAD"}, "auth": "ada"},
        ),
        (
            "time-exceptions to",
            "POST",
            "/api/time-exceptions",
            {"json": off | {"to": "BAD"}, "auth": "ada"},
        ),
        (
            "list time-exceptions from",
            "GET",
            "/api/time-exceptions",
            {"query_string": {"from": "BAD"}, "auth": "ada"},
        ),
        (
            "list time-exceptions to",
            "GET",
            "/api/time-exceptions",
            {"query_string": {"to": "BAD"}, "auth": "ada"},
        ),
    ]


def api_duration_cases(world: World) -> list[tuple[str, str, str, dict]]:
    service = str(world.service.id)
    start = datetime.combine(DAY, time(9), tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new_service = {"name": "Far", "duration": "PT30M"}
    cases = [
        (
            "count timeFrame",
            "GET",
            "/api/appointments/count",
            {"query_string": {"serviceId": service, "start": start, "timeFrame": "BAD"}},
        ),
        (
            "overlap duration",
            "GET",
            "/api/appointments/overlap/count",
            {"query_string": {"serviceId": service, "start": start, "duration": "BAD"}},
        ),
        (
            "eligible timeFrame",
            "GET",
            "/api/appointments/eligible/",
            {"query_string": {"timeFrame": "BAD"}, "auth": "robot"},
        ),
        (
            "list duration",
            "GET",
            "/api/appointments/",
            {"query_string": {"duration": "BAD"}, "auth": "ada"},
        ),
        (
            "reschedule duration",
            "PUT",
            "/api/appointments/reschedule/",
            {
                "json": {"id": world.appointment_id, "start": start, "duration": "BAD"},
                "auth": "ada",
            },
        ),
        (
            "upsert duration",
            "PUT",
            "/api/appointments/reference/REF-A",
            {"json": {"duration": "BAD"}, "auth": "ada"},
        ),
        (
            "test mail period",
            "POST",
            "/api/notifications/emails/test",
            {
                "json": {
                    "type": "REMINDER",
                    "subject": "s",
                    "textBody": "t",
                    "toEmail": "x@example.com",
                    "period": "BAD",
                },
                "auth": "ada",
            },
        ),
    ]
    for name in ("duration", "slotInterval", "bufferBefore", "bufferAfter", "minimumNotice"):
        cases.append(
            (
                f"create service {name}",
                "POST",
                "/api/services",
                {"json": new_service | {name: "BAD"}, "auth": "ada"},
            )
        )
        cases.append(
            (
                f"patch service {name}",
                "PATCH",
                f"/api/services/{service}",
                {"json": {name: "BAD"}, "auth": "ada"},
            )
        )
    return cases


def call(client: FlaskClient, world: World, method: str, path: str, options: dict, bad: str):
    options = dict(options)
    who = options.pop("auth", None)
    headers = world.auth({"ada": world.ada, "robot": world.robot}[who]) if who else {}
    options = _replace(options, bad)
    return client.open(path, method=method, headers=headers, **options)


def _replace(value, bad: str):
    if value == "BAD":
        return bad
    if isinstance(value, str) and "BAD" in value:
        return value.replace("BAD", bad)
    if isinstance(value, dict):
        return {key: _replace(item, bad) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace(item, bad) for item in value]
    return value


def assert_api_refuses(response, name: str, bad: str) -> None:
    assert 400 <= response.status_code < 500, (
        name,
        bad,
        response.status_code,
        response.get_data(as_text=True),
    )
    if response.status_code == 400:
        assert response.json["error"] in API_CODES, (name, bad, response.json)


def test_the_api_refuses_date_times_out_of_bounds(client, world):
    for name, method, path, options in api_cases(world):
        for bad in BAD_DATETIMES:
            assert_api_refuses(call(client, world, method, path, options, bad), name, bad)


def test_the_api_refuses_dates_out_of_bounds(client, world):
    cases = [case for case in api_cases(world) if case[0].startswith("slots")] + api_date_cases(
        world
    )
    for name, method, path, options in cases:
        for bad in BAD_DATES:
            assert_api_refuses(call(client, world, method, path, options, bad), name, bad)


def test_the_api_refuses_durations_out_of_bounds(client, world):
    for name, method, path, options in api_duration_cases(world):
        for bad in BAD_DURATIONS:
            assert_api_refuses(call(client, world, method, path, options, bad), name, bad)


def test_the_issues_examples_answer_invalid_param(client, world):
    service = world.service.id
    far = client.get(f"/api/services/{service}/slots?from=9999-12-31&to=9999-12-31&timezone=UTC")
    assert (far.status_code, far.json["error"]) == (400, "invalid_param")
    huge = client.get(
        "/api/appointments/count",
        query_string={
            "serviceId": str(service),
            "start": "2030-01-01T00:00:00Z",
            "timeFrame": "P1000000000D",
        },
    )
    assert (huge.status_code, huge.json["error"]) == (400, "invalid_param")
    early = client.post(
        "/api/appointments/basic",
        json={
            "serviceId": str(service),
            "start": "0001-01-01T00:00:00+14:00",
            "customer": {"name": {"firstName": "Cora"}},
            "otp": {"email": "cora@example.org", "code": "123456"},
        },
    )
    assert (early.status_code, early.json["error"]) == (400, "invalid_param")
    assert (
        "1900" in early.json["error_description"] and "'start'" in early.json["error_description"]
    )


def test_values_at_the_bounds_are_accepted(client, world):
    service = str(world.service.id)
    for first, last in (("1900-01-01", "1900-01-01"), ("2200-12-31", "2200-12-31")):
        answer = client.get(
            f"/api/services/{service}/slots",
            query_string={"from": first, "to": last, "timezone": "Pacific/Kiritimati"},
        )
        assert answer.status_code == 200, answer.json
    answer = client.get(
        "/api/appointments/count",
        query_string={"serviceId": service, "start": "2200-06-01T00:00:00Z", "timeFrame": "P180D"},
    )
    assert answer.status_code == 200, answer.json
    answer = client.get(
        "/api/appointments/count",
        query_string={"serviceId": service, "start": "2200-06-01T00:00:00Z", "timeFrame": "P366D"},
    )
    assert answer.status_code == 400 and "end of 2200" in answer.json["error_description"]
    listed = client.get(
        "/api/appointments/",
        headers=world.auth(world.ada),
        query_string={"range": "1900-01-01T00:00:00Z,2200-12-31T23:59:59Z"},
    )
    assert listed.status_code == 200 and listed.json["total"] == 1


# --- pages ---------------------------------------------------------------------------------


def page_refuses(response, name: str, bad: str) -> None:
    """A 4xx, or the form shown again with an error (never 5xx, never a saved change)."""
    status = response.status_code
    assert status < 500, (name, bad, status)
    assert not 300 <= status < 400, (name, bad, status, response.headers.get("Location"))
    if status < 300:
        assert "error" in response.get_data(as_text=True), (name, bad)


def test_the_booking_hold_refuses_far_starts(client, world):
    for bad in BAD_DATETIMES:
        response = client.post(
            f"/book/{world.service.slug}/hold", data={"start": bad, "timezone": "UTC"}
        )
        assert 400 <= response.status_code < 500, (bad, response.status_code)
        assert "Please pick a time from the list." in response.get_data(as_text=True)


def test_the_picker_ignores_bad_query_values(client, world):
    slug = world.service.slug
    for bad in [
        *BAD_DATES,
        "9999-12",
        "0001-01",
        "1899-12",
        "2201-01",
        "2030-13",
        "../../etc/passwd",
    ]:
        for params in (
            {"month": bad},
            {"day": bad},
            {"timezone": bad},
            {"month": bad, "timezone": bad},
        ):
            response = client.get(f"/book/{slug}", query_string=params)
            assert response.status_code == 200, (params, response.status_code)
        if bad:
            assert client.get(f"/book/{slug}/day/{bad}").status_code == 404, bad


def test_the_customer_reschedule_refuses_far_starts(client, world):
    token = manage_token(db.session.get(Appointment, uuid.UUID(world.appointment_id)))
    for bad in BAD_DATETIMES:
        response = client.post(f"/manage/{token}/reschedule", data={"start": bad})
        assert 400 <= response.status_code < 500, (bad, response.status_code)
    for bad in BAD_DATES:
        assert (
            client.get(f"/manage/{token}", query_string={"day": bad, "month": bad}).status_code
            == 200
        )
        if bad:
            assert client.get(f"/manage/{token}/day/{bad}").status_code == 404


def test_staff_pages_refuse_far_dates(client, world):
    sign_in(client, "ada@example.com")
    appointment = world.appointment_id
    for bad in BAD_DATETIMES:
        response = client.post(f"/agent/appointments/{appointment}/reschedule", data={"start": bad})
        assert 400 <= response.status_code < 500, (bad, response.status_code)
    for bad in [*BAD_DATES, "9999-12-31T23:59:59Z"]:
        for path in ("/agent/calendar", "/team", "/agent/time-off"):
            response = client.get(path, query_string={"date": bad})
            assert response.status_code < 500, (path, bad, response.status_code)
        response = client.get(
            f"/agent/appointments/{appointment}", query_string={"day": bad, "month": bad}
        )
        assert response.status_code == 200, (bad, response.status_code)
        if bad:
            assert client.get(f"/agent/appointments/{appointment}/day/{bad}").status_code == 404


def test_time_off_refuses_far_dates(client, world):
    sign_in(client, "alice@example.com")
    for field in ("from_date", "to_date"):
        for bad in ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"]:
            data = {
                "kind": "once",
                "from_date": DAY.isoformat(),
                "to_date": DAY.isoformat(),
                "reason_text": "Away",
                "color": "#aabbcc",
                "block_time": "y",
                field: bad,
            }
            if field == "from_date":
                data["to_date"] = bad  # keep the span ordered, so only the bound refuses it
            response = client.post("/agent/time-off/new", data=data)
            page_refuses(response, field, bad)
            assert "between 1900 and 2200" in response.get_data(as_text=True), (field, bad)


def test_working_hours_and_windows_refuse_bad_times(client, world):
    sign_in(client, "ada@example.com")
    for bad in ["24:01", "99:99", "-1:00", "9999999999:00", "", "T"]:
        response = client.post(
            "/agent/hours",
            data={"days-0-windows-0-start": "09:00", "days-0-windows-0-end": bad, "action": "save"},
        )
        assert response.status_code < 500, (bad, response.status_code)
        for path in ("/admin/office-hours", f"/admin/services/{world.service.id}/time-slots"):
            response = client.post(
                path,
                data={
                    "name": "Lunch",
                    "type": "lunchtime",
                    "dow": "mon",
                    "day_of_week": "1",
                    "time_from": "12:00",
                    "time_to": bad,
                    "from_time": "12:00",
                    "to_time": bad,
                },
            )
            page_refuses(response, path, bad)


def test_the_service_form_refuses_huge_minutes(client, world):
    sign_in(client, "ada@example.com")
    for field in (
        "duration",
        "buffer_before",
        "buffer_after",
        "minimum_notice",
        "slot_interval",
        "horizon_days",
        "capacity",
    ):
        for bad in ["99999999999999999999", "-1", "1e9", "576001"]:
            data = {
                "name": "Far",
                "duration": "30",
                "horizon_days": "30",
                "capacity": "1",
                "timezone": "UTC",
                "locale": "en",
                field: bad,
            }
            response = client.post("/admin/services/new", data=data)
            page_refuses(response, field, bad)
