"""/api/openapi.json cannot drift from the code.

- every /api rule and method is an operation of the document, and nothing else is;
- the document is valid OpenAPI 3.1;
- a scenario calls every operation with its documented example (creates first, deletes
  last) and checks that each answer's status is documented and its body matches the
  documented schema, that the query parameters each view accepts (``query_args``) are
  exactly the documented ones, and that each view parses exactly the body schema the
  document was generated from (``parse_body``);
- /api/docs lists every operation.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import request

import portal.api.body as body_module
import portal.api.params as params_module
from portal.api.openapi import body_target, build_spec
from portal.api.openapi_spec import operations
from portal.extensions import db
from portal.models import Appointment, InteractionState, Role, WorkingHours
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user

jsonschema = pytest.importorskip("jsonschema")

RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def served_operations(app) -> dict[tuple[str, str], str]:
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = RULE_ARGUMENT.sub(r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found[(method.lower(), path)] = rule.endpoint
    return found


def test_every_rule_is_documented_and_nothing_else(app):
    spec = build_spec()
    documented = {
        (method, path): item["operationId"]
        for path, methods in spec["paths"].items()
        for method, item in methods.items()
    }
    served = served_operations(app)
    assert sorted(set(served) - set(documented)) == [], "served but not in /api/openapi.json"
    assert sorted(set(documented) - set(served)) == [], "documented but not served"
    for key, endpoint in served.items():
        assert endpoint == f"api.{documented[key]}", key


def test_document_is_valid_openapi_31(client):
    validator = pytest.importorskip("openapi_spec_validator")
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    validator.validate(spec)
    for name, schema in spec["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema), name


def test_docs_page_lists_every_operation(client):
    response = client.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for op in operations():
        assert f'id="op-{op.endpoint}"' in page
        assert f"<code>{op.path}</code>" in page
    assert client.get("/api/docs?x=1").status_code == 400


# --- the scenario -----------------------------------------------------------------------------


class Recorder:
    """Wraps query_args / parse_body in every API module and notes what each view passed."""

    def __init__(self, monkeypatch) -> None:
        self.queries: dict[str, set[str]] = {}
        self.bodies: dict[str, list[Any]] = {}
        original_query, original_body = params_module.query_args, body_module.parse_body

        def query_args(allowed):
            allowed = list(allowed)
            self.queries.setdefault(request.endpoint, set()).update(allowed)
            return original_query(allowed)

        def parse_body(schema, *args, **kwargs):
            self.bodies.setdefault(request.endpoint, []).append(schema)
            return original_body(schema, *args, **kwargs)

        for name, module in list(sys.modules.items()):
            if not name.startswith("portal.api.") or module is None:
                continue
            if getattr(module, "query_args", None) is original_query:
                monkeypatch.setattr(module, "query_args", query_args)
            if getattr(module, "parse_body", None) is original_body:
                monkeypatch.setattr(module, "parse_body", parse_body)


def fill(value: Any, context: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: context.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [fill(item, context) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, context) for key, item in value.items()}
    return value


def response_schema(spec: dict, item: dict, status: int) -> tuple[str, dict | None]:
    responses = item["responses"]
    key = str(status) if str(status) in responses else "default"
    assert key in responses, status
    content = responses[key].get("content")
    if not content:
        return key, None
    media, value = next(iter(content.items()))
    return key, {"media": media, "schema": value["schema"]}


def check_response(spec: dict, method: str, path: str, response) -> None:
    item = spec["paths"][path][method]
    key, expected = response_schema(spec, item, response.status_code)
    assert key != "default" or response.status_code >= 400, (method, path, response.status_code)
    if expected is None:
        assert not response.data or response.status_code == 302, (method, path, response.data[:200])
        return
    assert response.mimetype == expected["media"], (method, path, response.mimetype)
    if expected["media"] != "application/json":
        return
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": spec["components"],
        "allOf": [expected["schema"]],
    }
    errors = sorted(
        jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()
        ).iter_errors(response.json),
        key=str,
    )
    assert not errors, (
        f"{method.upper()} {path} {response.status_code}: {errors[0].message} at "
        f"{list(errors[0].absolute_path)}"
    )


# Operations whose documented example cannot succeed on its own (with the expected status).
EXPECTED_FAILURES = {
    "confirm_sender_email": 400,  # needs the code mailed to the sender
    "join_waitlist": 409,  # every day of the tour has free times (the waitlist's own tests join)
    "leave_waitlist": 404,  # needs the token mailed to the customer
}
CAPTURE = {
    "create_time_slot": {"slot_id": "id"},
    "create_user": {"user_id": "id"},
    "create_office_hours": {"item_id": "id"},
    "create_webhook": {"subscription_id": "id"},
    "create_time_exception": {"exception_id": "id"},
    "create_appointment": {"appointment_id": "id", "appointmentId": "id"},
    # From here on the tour works on the customer's booking: the staff one is cancelled by
    # reference, and a cancelled appointment cannot be cancelled again.
    "book_basic": {"basicAppointmentId": "id", "appointment_id": "id"},
    "verify_otp": {"customerToken": "accessToken"},
}


@pytest.fixture
def world(app):
    zone = ZoneInfo("Europe/Berlin")
    agents = [
        factories.agent(f"{name}@example.com", name.title(), "Europe/Berlin")
        for name in ("alice", "bob", "carol")
    ]
    for agent in agents:
        for day in range(1, 8):
            db.session.add(
                WorkingHours(agent_id=agent.id, day_of_week=day, start_minute=0, end_minute=1440)
            )
    db.session.commit()
    service = factories.service(agents, slug="consult", timezone="Europe/Berlin", horizon_days=365)
    monday = date.today() + timedelta(days=14)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    start = datetime.combine(monday, time(10, 0), tzinfo=zone).astimezone(ZoneInfo("UTC"))
    tokens = {}
    for role in (Role.ADMIN, Role.CLIENT_SERVICE):
        user = make_user(f"{role.value.lower()}@example.com", role=role, password="")
        token, secret = issue_token(user, "spec")
        db.session.add(token)
        tokens[role] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    context = {
        "agentId": str(agents[0].id),
        "agentId2": str(agents[1].id),
        "agentId3": str(agents[2].id),
        "agent_id": str(agents[0].id),
        "serviceId": str(service.id),
        "service_id": str(service.id),
        "mondayDate": monday.isoformat(),
        "farDate": (monday + timedelta(days=7)).isoformat(),
        "freeStart": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "freeStart2": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "freeStart3": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "reference": "spec-tour-1",
    }
    return context, tokens


def mailed_code(app, email: str) -> str:
    """The last one-time code mailed to ``email`` (locmem mail backend)."""
    mailman = app.extensions["mailman"]
    messages = [m for m in getattr(mailman, "outbox", []) if email in m.to]
    return re.search(r"\b(\d{6})\b", messages[-1].subject + " " + messages[-1].body).group(1)


@pytest.mark.date_sensitive
def test_scenario_every_operation_conforms(app, client, world, monkeypatch):
    context, tokens = world
    spec = build_spec()
    recorder = Recorder(monkeypatch)
    for op in operations():
        headers = {}
        if op.roles == ("CLIENT_SERVICE",):
            headers = tokens[Role.CLIENT_SERVICE]
        elif op.roles:
            headers = tokens[Role.ADMIN]
        if op.endpoint == "book_basic":
            context["bookingCode"] = mailed_code(app, "cora@example.org")
        if op.endpoint == "verify_otp":
            asked = client.post(
                "/api/otp", json={"email": "cora@example.org", "purpose": "sign-in"}
            )
            assert asked.status_code == 202
            context["signInCode"] = mailed_code(app, "cora@example.org")
        url = fill(op.path, context)
        query = {p.name: fill(p.example, context) for p in op.query if p.example is not None}
        kwargs: dict[str, Any] = {"headers": headers, "query_string": query}
        if op.body is not None:
            kwargs["json"] = fill(op.example if op.example is not None else {}, context)
        response = client.open(url, method=op.method.upper(), **kwargs)
        expected = EXPECTED_FAILURES.get(op.endpoint)
        if expected:
            assert response.status_code == expected, (
                op.endpoint,
                response.status_code,
                response.data[:300],
            )
        else:
            assert response.status_code < 400, (
                op.endpoint,
                response.status_code,
                response.data[:300],
            )
        check_response(spec, op.method, op.path, response)
        for key, field in CAPTURE.get(op.endpoint, {}).items():
            context[key] = response.json[field]
        if op.endpoint == "end_appointment":
            # An ended call is final (no cancel, no reschedule); the tour goes on with the
            # same appointment, so give it a fresh call.
            ended = db.session.get(Appointment, uuid.UUID(response.json["id"]))
            ended.interaction_state = InteractionState.PENDING
            db.session.commit()
        if op.endpoint == "add_customer_participant":
            customers = [p for p in response.json["participantIds"] if p["type"] == "CUSTOMER"]
            context["participant_id"] = customers[-1]["id"]
        # Every view is also asked with an unknown query parameter: refused, in the documented
        # shape.
        if op.method == "get":
            refused = client.get(url, headers=headers, query_string=query | {"noSuchParam": "1"})
            assert (refused.status_code, refused.json["error"]) == (400, "invalid_param"), (
                op.endpoint
            )
            check_response(spec, op.method, op.path, refused)

    # The customer bearer reads the customer's own appointment and participant, as documented.
    customer = {"Authorization": f"Bearer {context['customerToken']}"}
    own = client.get(f"/api/appointments/{context['basicAppointmentId']}", headers=customer)
    assert own.status_code == 200
    check_response(spec, "get", "/api/appointments/{appointment_id}", own)
    pid = own.json["participants"][0]["id"]
    path = "/api/appointments/{appointment_id}/participants/{participant_id}"
    participant = client.get(
        f"/api/appointments/{context['basicAppointmentId']}/participants/{pid}", headers=customer
    )
    assert participant.status_code == 200
    check_response(spec, "get", path, participant)
    other = client.get(f"/api/appointments/{context['appointmentId']}", headers=customer)
    assert other.status_code == 404
    check_response(spec, "get", "/api/appointments/{appointment_id}", other)

    # What the views really accept is what the document says.
    for op in operations():
        endpoint = f"api.{op.endpoint}"
        documented = {param.name for param in op.query}
        assert recorder.queries.get(endpoint, set()) == documented, (
            f"query parameters of {op.endpoint}"
        )
        if op.body is None:
            assert endpoint not in recorder.bodies, (
                f"{op.endpoint} parses a body the document lacks"
            )
        else:
            parsed = recorder.bodies.get(endpoint)
            assert parsed, f"{op.endpoint} did not parse its body"
            assert all(schema is body_target(op) for schema in parsed), (
                f"body schema of {op.endpoint}"
            )


@pytest.mark.date_sensitive
def test_errors_conform(client, world):
    """Every operation's 401/403/404 answers are documented and shaped as documented."""
    context, tokens = world
    spec = build_spec()
    missing = dict(
        context,
        **{
            key: "00000000-0000-0000-0000-000000000000"
            for key in (
                "service_id",
                "slot_id",
                "user_id",
                "item_id",
                "exception_id",
                "appointment_id",
                "participant_id",
                "agent_id",
            )
        },
        reference="no-such-reference",
    )
    for op in operations():
        url = fill(op.path, missing)
        query = {p.name: fill(p.example, context) for p in op.query if p.example is not None}
        kwargs: dict[str, Any] = {"query_string": query}
        if op.body is not None:
            kwargs["json"] = fill(op.example if op.example is not None else {}, context)
        if op.roles:
            anonymous = client.open(url, method=op.method.upper(), **kwargs)
            assert anonymous.status_code == 401, op.endpoint
            check_response(spec, op.method, op.path, anonymous)
        headers = (
            tokens[Role.CLIENT_SERVICE] if op.roles == ("CLIENT_SERVICE",) else tokens[Role.ADMIN]
        )
        response = client.open(url, method=op.method.upper(), headers=headers, **kwargs)
        check_response(spec, op.method, op.path, response)
        # And a body that is not JSON at all.
        if op.body is not None:
            broken = client.open(
                url,
                method=op.method.upper(),
                headers=headers | {"Content-Type": "application/json"},
                data="{not json",
                query_string=query,
            )
            assert broken.status_code in (400, 404), op.endpoint
            check_response(spec, op.method, op.path, broken)


def test_document_is_json_serialisable_and_stable(client):
    first = client.get("/api/openapi.json")
    assert first.status_code == 200 and first.mimetype == "application/json"
    assert json.loads(first.data) == client.get("/api/openapi.json").json
