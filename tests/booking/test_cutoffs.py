"""Cut-offs (issue 18): past ``cancelCutoff`` / ``rescheduleCutoff`` a customer cannot change
the appointment online (manage page, /my, customer bearer) while staff still can."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from flask import Flask

from portal.api import customer_tokens
from portal.extensions import db
from portal.models import AppointmentStatus, Role
from portal.tokens import issue_token
from tests import factories
from tests.booking.web_support import book_through_pages, manage_path, shop, text  # noqa: F401
from tests.conftest import make_user

DAY = timedelta(days=1)


def _hour(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def soon(app: Flask):
    """An appointment one hour from now; cancel and reschedule close 24 h before the start."""
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(0, 24 * 60)])
    service = factories.service(
        [alice], cancel_cutoff_minutes=24 * 60, reschedule_cutoff_minutes=24 * 60
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    return factories.appointment(service, alice, start)


def staff_bearer(user) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def customer_bearer(app: Flask, email: str = "cora@example.org") -> dict[str, str]:
    with app.test_request_context("/"):
        return {"Authorization": f"Bearer {customer_tokens.issue(email)}"}


def test_the_manage_page_refuses_a_cancel_past_the_cutoff(app, client, soon):
    path = f"/manage/{factories.manage_token(soon)}"
    page = client.get(path)
    shown = text(page)
    assert page.status_code == 200
    assert "could be cancelled online until" in shown and "Please contact Alice Able" in shown
    body = page.get_data(as_text=True)
    assert 'id="cancel"' not in body and 'id="reschedule"' not in body
    refused = client.post(f"{path}/cancel", data={"reason": "ill"})
    assert refused.status_code == 409
    assert "could be cancelled online until" in text(refused)
    moved = client.post(f"{path}/reschedule", data={"start": "2030-01-01T10:00:00Z"})
    assert moved.status_code == 409 and "could be rescheduled online until" in text(moved)
    db.session.refresh(soon)
    assert soon.status == AppointmentStatus.SCHEDULED


def test_a_customer_token_is_refused_and_staff_are_not(app, client, soon):
    customer = customer_bearer(app)
    start = soon.start_at
    later = (_hour(start) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    moved = client.put(
        "/api/appointments/reschedule/", json={"id": str(soon.id), "start": later}, headers=customer
    )
    assert moved.status_code == 409 and moved.json["error"] == "conflict"
    assert "rescheduled online until" in moved.json["error_description"]
    cancelled = client.delete(f"/api/appointments/{soon.id}", headers=customer)
    assert cancelled.status_code == 409 and cancelled.json["error"] == "conflict"
    db.session.refresh(soon)
    assert soon.status == AppointmentStatus.SCHEDULED and soon.start_at == start

    agent = staff_bearer(soon.organizer)
    moved = client.put(
        "/api/appointments/reschedule/", json={"id": str(soon.id), "start": later}, headers=agent
    )
    assert moved.status_code == 200, moved.json
    assert client.delete(f"/api/appointments/{soon.id}", headers=agent).status_code == 204
    db.session.refresh(soon)
    assert soon.status == AppointmentStatus.CANCELLED


def test_the_agent_page_cancels_past_the_cutoff(app, client, soon):
    from tests.conftest import sign_in

    sign_in(client, "alice@example.com")
    page = client.get(f"/agent/appointments/{soon.id}")
    assert page.status_code == 200 and "Cancel" in text(page)


def test_before_the_cutoff_a_customer_token_cancels_and_reschedules(app, client):
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(0, 24 * 60)])
    service = factories.service([alice], cancel_cutoff_minutes=24 * 60)
    start = _hour(datetime.now(UTC)) + 3 * DAY
    appointment = factories.appointment(service, alice, start)
    customer = customer_bearer(app)
    later = (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    moved = client.put(
        "/api/appointments/reschedule/",
        json={"id": str(appointment.id), "start": later},
        headers=customer,
    )
    assert moved.status_code == 200, moved.json
    assert "notes" not in moved.json  # the customer's view
    longer = client.put(
        "/api/appointments/reschedule/",
        json={"id": str(appointment.id), "start": later, "duration": "PT2H"},
        headers=customer,
    )
    assert longer.status_code == 403
    stranger = customer_bearer(app, "someone@example.org")
    assert client.delete(f"/api/appointments/{appointment.id}", headers=stranger).status_code == 404
    assert client.delete(f"/api/appointments/{appointment.id}", headers=customer).status_code == 204
    db.session.refresh(appointment)
    assert appointment.status == AppointmentStatus.CANCELLED


def test_my_page_hides_the_buttons_past_the_cutoff(app, client, soon):
    from portal.web import customer as customer_pages

    with app.test_request_context("/"):
        from flask import session

        customer_pages.sign_in_customer("cora@example.org")
        cookie = dict(session)
    with client.session_transaction() as stored:
        stored.update(cookie)
    page = client.get("/my")
    shown = text(page)
    assert page.status_code == 200 and "could be cancelled online until" in shown
    assert "Change time" not in shown and ">Cancel<" not in page.get_data(as_text=True)


@pytest.mark.date_sensitive
def test_the_confirmation_page_states_the_deadlines(app, client, shop):
    shop.service.cancel_cutoff_minutes = 24 * 60
    db.session.commit()
    confirmation = book_through_pages(app, client, shop, shop.at(10))
    shown = text(confirmation)
    assert "You can cancel online until" in shown and "change the time until" in shown
    assert manage_path(confirmation)


def test_staff_roles_are_not_bound(app, soon):
    from portal.booking import lifecycle

    now = datetime.now(UTC)
    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    for actor in (lifecycle.Actor.of(soon.organizer), lifecycle.Actor.of(sam)):
        assert lifecycle.decide(actor, lifecycle.Action.CANCEL, soon, now).allowed
    refusal = lifecycle.decide(lifecycle.Actor.customer(), lifecycle.Action.CANCEL, soon, now)
    assert refusal.refusal.status == 409
