"""Customers in the API: one-time codes, POST /api/appointments/basic, the customer bearer."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Appointment, Role
from portal.tokens import issue_token
from tests import factories
from tests.clock import TODAY
from tests.conftest import make_user

UTC = UTC
DAY = TODAY + timedelta(days=7)
pytestmark = pytest.mark.date_sensitive  # DAY follows the clock
START = datetime.combine(DAY, time(10), tzinfo=UTC)
Z = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture
def service(app):
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(8 * 60, 18 * 60)])
    return factories.service([alice], duration_minutes=30)


def mailbox(app) -> list:
    mailman = app.extensions["mailman"]
    if not hasattr(mailman, "outbox"):
        mailman.outbox = []
    return mailman.outbox


def code_for(app, email: str) -> str:
    messages = [m for m in mailbox(app) if email in m.to]
    assert messages, f"no mail to {email}"
    return re.search(r"\b(\d{6})\b", messages[-1].subject).group(1)


def basic(service, **changes):
    body = {
        "serviceId": str(service.id),
        "start": START.strftime(Z),
        "timezone": "Europe/Berlin",
        "locale": "de",
        "customer": {
            "name": {"firstName": "Erika", "lastName": "Muster"},
            "contact": {"primaryPhone": "+4930123"},
        },
        "otp": {"email": "erika@example.org", "code": "000000"},
    }
    body.update(changes)
    return body


def appointments() -> int:
    return db.session.scalar(select(func.count()).select_from(Appointment))


def test_otp_always_answers_202(client, service):
    for email in ("erika@example.org", "nobody-ever@example.net"):
        response = client.post("/api/otp", json={"email": email})
        assert response.status_code == 202 and "code" in response.json["message"]
    assert client.post("/api/otp", json={"email": "not an email"}).json["error"] == "invalid_param"
    assert client.post("/api/otp", json={}).json["error"] == "missing_param"
    assert (
        client.post("/api/otp", json={"email": "e@example.org", "purpose": "x"}).json["error"]
        == "invalid_param"
    )
    again = client.post("/api/otp", json={"email": "erika@example.org"})
    assert (
        again.status_code == 429
        and again.json["error"] == "rate_limited"
        and again.headers["Retry-After"]
    )


def test_book_with_a_code(app, client, service):
    assert client.post("/api/otp", json={"email": "Erika@Example.org"}).status_code == 202
    code = code_for(app, "erika@example.org")
    response = client.post(
        "/api/appointments/basic",
        json=basic(service, otp={"email": "erika@example.org", "code": code}),
    )
    assert response.status_code == 200, response.json
    item = response.json
    assert (item["start"], item["timezone"], item["locale"], item["status"]) == (
        START.strftime(Z),
        "Europe/Berlin",
        "de",
        "SCHEDULED",
    )
    stored = db.session.get(Appointment, uuid.UUID(item["id"]))
    assert (
        stored.customers[0].email == "erika@example.org" and stored.customers[0].phone == "+4930123"
    )
    # The code is used up.
    reused = client.post(
        "/api/appointments/basic",
        json=basic(
            service,
            start=(START + timedelta(hours=1)).strftime(Z),
            otp={"email": "erika@example.org", "code": code},
        ),
    )
    assert reused.status_code == 401 and reused.json["error"] == "unauthorized"
    assert appointments() == 1


def test_basic_errors(app, client, service):
    client.post("/api/otp", json={"email": "erika@example.org"})
    code = code_for(app, "erika@example.org")
    wrong = client.post("/api/appointments/basic", json=basic(service))
    assert wrong.status_code == 401 and wrong.json["error"] == "unauthorized"
    assert (
        client.post(
            "/api/appointments/basic", json={k: v for k, v in basic(service).items() if k != "otp"}
        ).json["error"]
        == "missing_param"
    )
    other_email = basic(
        service,
        otp={"email": "erika@example.org", "code": code},
        customer={"name": {"firstName": "E"}, "contact": {"primaryEmail": "mallory@example.org"}},
    )
    assert client.post("/api/appointments/basic", json=other_email).json["error"] == "invalid_param"
    # Minimum notice applies to customers (not to staff).
    service.minimum_notice_minutes = 60 * 24 * 30
    db.session.commit()
    early = client.post(
        "/api/appointments/basic",
        json=basic(service, otp={"email": "erika@example.org", "code": code}),
    )
    assert early.status_code == 409 and early.json["error"] == "slot_unavailable"
    service.minimum_notice_minutes = 0
    db.session.commit()
    factories.appointment(service, service.agents[0], START)
    taken = client.post(
        "/api/appointments/basic",
        json=basic(service, otp={"email": "erika@example.org", "code": code}),
    )
    assert taken.status_code == 409 and taken.json["error"] == "slot_unavailable"
    # A taken slot did not use up the code.
    ok = client.post(
        "/api/appointments/basic",
        json=basic(
            service,
            start=(START + timedelta(hours=2)).strftime(Z),
            otp={"email": "erika@example.org", "code": code},
        ),
    )
    assert ok.status_code == 200, ok.json
    assert (
        client.post("/api/appointments/basic", json=basic(service, start="10 am")).json["error"]
        == "invalid_datetime_format"
    )


def test_customer_bearer_reads_own_appointments_only(app, client, service):
    mine = factories.appointment(service, service.agents[0], START)  # customer cora@example.org
    theirs = factories.appointment(service, service.agents[0], START + timedelta(hours=1))
    theirs.customers[0].email = "someone@example.org"
    db.session.commit()
    assert (
        client.post(
            "/api/otp", json={"email": "cora@example.org", "purpose": "sign-in"}
        ).status_code
        == 202
    )
    code = code_for(app, "cora@example.org")
    assert (
        client.post(
            "/api/otp/verify", json={"email": "cora@example.org", "code": "999999"}
        ).status_code
        == 401
    )
    token = client.post("/api/otp/verify", json={"email": "cora@example.org", "code": code})
    assert token.status_code == 200, token.json
    assert token.json["tokenType"] == "Bearer" and token.json["expiresIn"] == 3600
    headers = {"Authorization": f"Bearer {token.json['accessToken']}"}
    own = client.get(f"/api/appointments/{mine.id}", headers=headers)
    assert own.status_code == 200 and own.json["id"] == str(mine.id)
    customer = [p for p in mine.participants if p.type.value == "CUSTOMER"][0]
    detail = client.get(f"/api/appointments/{mine.id}/participants/{customer.id}", headers=headers)
    assert (
        detail.status_code == 200 and detail.json["contact"]["primaryEmail"] == "cora@example.org"
    )
    assert (
        client.get(f"/api/appointments/{theirs.id}", headers=headers).json["error"] == "not_found"
    )
    # A customer token opens nothing else.
    assert client.get("/api/appointments/", headers=headers).status_code == 401
    assert (
        client.put("/api/appointments/", json={"id": str(mine.id)}, headers=headers).status_code
        == 401
    )
    tampered = {"Authorization": f"Bearer {token.json['accessToken'][:-2]}xx"}
    assert (
        client.get(f"/api/appointments/{mine.id}", headers=tampered).json["error"] == "unauthorized"
    )


class TestExpiry:
    @pytest.fixture
    def config_overrides(self):
        return {"CUSTOMER_TOKEN_SECONDS": -1}

    def test_customer_tokens_expire(self, app, client, service):
        mine = factories.appointment(service, service.agents[0], START)
        client.post("/api/otp", json={"email": "cora@example.org", "purpose": "sign-in"})
        answer = client.post(
            "/api/otp/verify",
            json={"email": "cora@example.org", "code": code_for(app, "cora@example.org")},
        )
        token = answer.json["accessToken"]
        response = client.get(
            f"/api/appointments/{mine.id}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 401 and "expired" in response.json["error_description"]


def test_staff_tokens_still_work_beside_customer_tokens(client, service):
    sam = make_user("sam@example.com", Role.SUPERVISOR)
    token, secret = issue_token(sam, "t")
    db.session.add(token)
    db.session.commit()
    mine = factories.appointment(service, service.agents[0], START)
    assert (
        client.get(
            f"/api/appointments/{mine.id}", headers={"Authorization": f"Bearer {secret}"}
        ).status_code
        == 200
    )
