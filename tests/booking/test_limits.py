"""Booking limits (issue 18): per agent and local day, per customer; staff may override."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.api import customer_tokens
from portal.extensions import db
from portal.models import Appointment, Role
from portal.tokens import issue_token
from tests import factories
from tests.booking.web_support import hold_for, outbox, shop, text  # noqa: F401
from tests.clock import TODAY
from tests.conftest import make_user

pytestmark = pytest.mark.date_sensitive  # DAY follows the clock
DAY = TODAY + timedelta(days=7)
Z = "%Y-%m-%dT%H:%M:%SZ"
# 09:00 in Berlin on DAY, in UTC (07:00 in summer, 08:00 in winter).
BERLIN_DAY_START = datetime.combine(DAY, time(9), tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def z(value: datetime) -> str:
    return value.strftime(Z)


def bearer(user) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def customer_bearer(app: Flask, email: str) -> dict[str, str]:
    with app.test_request_context("/"):
        return {"Authorization": f"Bearer {customer_tokens.issue(email)}"}


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Appointment))


def slots(client, service, day=DAY, headers=None, zone="Europe/Berlin"):
    answer = client.get(
        f"/api/services/{service.id}/slots",
        query_string={"from": day.isoformat(), "to": day.isoformat(), "timezone": zone},
        headers=headers or {},
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def staff_create(client, headers, service, start, email="cora@example.org", **extra):
    body = {
        "serviceId": str(service.id),
        "start": z(start),
        "customer": {
            "name": {"firstName": "Cora", "lastName": "Customer"},
            "contact": {"primaryEmail": email},
        },
        **extra,
    }
    return client.post("/api/appointments/", json=body, headers=headers)


@pytest.fixture
def berlin(app):
    """Two agents in Berlin working 09:00-17:00; at most two appointments per agent a day."""
    alice = factories.agent("alice@example.com", "Alice Able", timezone="Europe/Berlin")
    bob = factories.agent("bob@example.com", "Bob Baker", timezone="Europe/Berlin")
    for person in (alice, bob):
        factories.weekly_hours(person, [(9 * 60, 17 * 60)])
    service = factories.service([alice, bob], max_per_agent_per_day=2)
    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    return service, alice, bob, sam


def test_a_full_day_takes_the_agents_slots_away_and_refuses_a_third(app, client, berlin):
    service, alice, bob, sam = berlin
    before = slots(client, service)
    assert any(str(alice.id) in s["agentIds"] for s in before)
    supervisor = bearer(sam)
    for hour in (0, 1):
        made = staff_create(
            client,
            supervisor,
            service,
            BERLIN_DAY_START + timedelta(hours=hour),
            organizerId=str(alice.id),
        )
        assert made.status_code == 201, made.json
    after = slots(client, service)
    assert after and all(str(alice.id) not in s["agentIds"] for s in after)
    assert all(s["agentIds"] == [str(bob.id)] for s in after)
    # Alice's other days are untouched.
    next_day = slots(client, service, DAY + timedelta(days=1))
    assert any(str(alice.id) in s["agentIds"] for s in next_day)
    only_alice = client.get(
        f"/api/services/{service.id}/slots",
        query_string={
            "from": DAY.isoformat(),
            "to": DAY.isoformat(),
            "timezone": "Europe/Berlin",
            "agentId": str(alice.id),
        },
    )
    assert only_alice.json == []

    third = staff_create(
        client,
        supervisor,
        service,
        BERLIN_DAY_START + timedelta(hours=3),
        organizerId=str(alice.id),
    )
    assert third.status_code == 409 and third.json["error"] == "conflict"
    assert "at most 2" in third.json["error_description"]
    assert count() == 2
    # Staff exceed it deliberately.
    forced = staff_create(
        client,
        supervisor,
        service,
        BERLIN_DAY_START + timedelta(hours=3),
        organizerId=str(alice.id),
        overrideLimits=True,
    )
    assert forced.status_code == 201, forced.json
    assert count() == 3


def test_the_day_is_the_agents_local_day(app, client, berlin):
    service, alice, _bob, sam = berlin
    supervisor = bearer(sam)
    # 23:30 Berlin the evening before is another local day (21:30 UTC).
    for hour in (0, 1):
        assert (
            staff_create(
                client,
                supervisor,
                service,
                BERLIN_DAY_START + timedelta(hours=hour),
                organizerId=str(alice.id),
            ).status_code
            == 201
        )
    previous = slots(client, service, DAY - timedelta(days=1))
    assert any(str(alice.id) in s["agentIds"] for s in previous)


def test_a_customer_at_the_daily_limit_gets_a_clear_answer_on_the_page(app, client, shop):
    shop.service.max_per_agent_per_day = 1
    db.session.commit()
    factories.appointment(shop.service, shop.alice, shop.at(9))
    factories.appointment(shop.service, shop.bob, shop.at(9))
    refused = client.post(
        f"/book/{shop.service.slug}/hold",
        data={"start": z(shop.at(11)), "timezone": "UTC", "agent": str(shop.alice.id)},
    )
    assert refused.status_code == 409
    assert "takes at most 1" in text(refused) and "Please pick another day" in text(refused)


def otp_code(app, email: str) -> str:
    mailman = app.extensions["mailman"]
    messages = [m for m in getattr(mailman, "outbox", []) if email in m.to]
    return re.search(r"\b(\d{6})\b", messages[-1].subject).group(1)


def basic(client, app, service, start, email="cora@example.org"):
    assert client.post("/api/otp", json={"email": email}).status_code == 202
    return client.post(
        "/api/appointments/basic",
        json={
            "serviceId": str(service.id),
            "start": z(start),
            "customer": {"name": {"firstName": "Cora", "lastName": "Customer"}},
            "otp": {"email": email, "code": otp_code(app, email)},
        },
    )


def test_a_customer_at_their_limit_is_refused_and_sees_no_slots(app, client):
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(8 * 60, 18 * 60)])
    service = factories.service([alice], max_bookings_per_customer=1)
    first = basic(client, app, service, datetime.combine(DAY, time(10), tzinfo=UTC))
    assert first.status_code == 200, first.json
    again = basic(client, app, service, datetime.combine(DAY, time(12), tzinfo=UTC))
    assert again.status_code == 409 and again.json["error"] == "conflict"
    assert "You already have 1 upcoming" in again.json["error_description"]
    assert count() == 1
    # Known customers see no slots; the anonymous list shows every one.
    assert (
        slots(client, service, headers=customer_bearer(app, "cora@example.org"), zone="UTC") == []
    )
    assert slots(client, service, headers=customer_bearer(app, "dora@example.org"), zone="UTC")
    assert slots(client, service, zone="UTC")
    # Another customer books as before.
    other = basic(
        client, app, service, datetime.combine(DAY, time(12), tzinfo=UTC), "dora@example.org"
    )
    assert other.status_code == 200, other.json


def test_the_page_refuses_at_the_email_and_staff_may_override(app, client, shop):
    shop.service.max_bookings_per_customer = 1
    db.session.commit()
    factories.appointment(shop.service, shop.alice, shop.at(9))  # cora@example.org's
    answer = hold_for(client, shop, shop.at(11))
    assert answer.status_code == 409
    assert "You already have 1 upcoming Consultation appointment" in text(answer)
    assert re.search(r'id="email-error"[^>]*>[^<]*You already have', answer.get_data(as_text=True))
    assert count() == 1
    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    supervisor = bearer(sam)
    refused = staff_create(client, supervisor, shop.service, shop.at(12))
    assert refused.status_code == 409 and "You already have" in refused.json["error_description"]
    forced = staff_create(client, supervisor, shop.service, shop.at(12), overrideLimits=True)
    assert forced.status_code == 201, forced.json


def sign_in_as_customer(app, client, email: str) -> None:
    from flask import session

    from portal.web import customer as customer_pages

    with app.test_request_context("/"):
        customer_pages.sign_in_customer(email)
        cookie = dict(session)
    db.session.commit()
    with client.session_transaction() as stored:
        stored.update(cookie)


def test_a_signed_in_customer_at_the_limit_sees_no_times(app, client, shop):
    shop.service.max_bookings_per_customer = 1
    db.session.commit()
    factories.appointment(shop.service, shop.alice, shop.at(9))  # cora@example.org's
    anonymous = app.test_client().get(f"/book/{shop.service.slug}/day/{shop.day.isoformat()}")
    assert z(shop.at(11)) in anonymous.get_data(as_text=True)
    sign_in_as_customer(app, client, "cora@example.org")
    page = client.get(f"/book/{shop.service.slug}/day/{shop.day.isoformat()}")
    assert page.status_code == 200
    assert "You already have 1 upcoming" in text(page)
    assert z(shop.at(11)) not in page.get_data(as_text=True)
    partial = client.get(
        f"/book/{shop.service.slug}/day/{shop.day.isoformat()}", headers={"HX-Request": "true"}
    )
    assert "You already have 1 upcoming" in text(partial)


def test_moving_into_a_full_day_binds_the_customer_not_staff(app, client, berlin):
    service, alice, _bob, sam = berlin
    for hour in (0, 1):
        factories.appointment(service, alice, BERLIN_DAY_START + timedelta(hours=hour))
    later = factories.appointment(service, alice, BERLIN_DAY_START + timedelta(days=1, hours=2))
    into_full_day = {"id": str(later.id), "start": z(BERLIN_DAY_START + timedelta(hours=4))}
    customer = client.put(
        "/api/appointments/reschedule/",
        json=into_full_day,
        headers=customer_bearer(app, "cora@example.org"),
    )
    assert customer.status_code == 409 and customer.json["error"] == "conflict"
    assert "at most 2" in customer.json["error_description"]
    staff = client.put("/api/appointments/reschedule/", json=into_full_day, headers=bearer(sam))
    assert staff.status_code == 200, staff.json
