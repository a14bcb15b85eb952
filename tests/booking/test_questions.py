"""Booking questions (issue 18): asked on the details form and in the API, stored with
their labels, shown to the agent, returned by the API, kept when the questions change."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Appointment, Role, SlotHold
from portal.tokens import issue_token
from tests import factories
from tests.booking.web_support import (  # noqa: F401
    details,
    enter_code,
    hidden,
    hold,
    last_code,
    outbox,
    shop,
    text,
)
from tests.clock import TODAY
from tests.conftest import make_user, sign_in

pytestmark = pytest.mark.date_sensitive
DAY = TODAY + timedelta(days=5)
Z = "%Y-%m-%dT%H:%M:%SZ"
QUESTIONS = [
    {"id": "reason", "label": "Reason for the visit", "type": "text", "required": True},
    {
        "id": "first-visit",
        "label": "Is this your first visit?",
        "type": "select",
        "required": False,
        "options": ["Yes", "No"],
    },
    {"id": "consent", "label": "I agree to the terms", "type": "checkbox", "required": True},
]


def bearer(user) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def appointments() -> int:
    return db.session.scalar(select(func.count()).select_from(Appointment))


@pytest.fixture
def admin(app):
    return bearer(make_user("ada@example.com", Role.ADMIN, name="Ada Admin"))


def test_the_admin_api_sets_and_checks_questions(client, shop, admin):
    path = f"/api/services/{shop.service.id}"
    saved = client.patch(
        path,
        json={
            "questions": QUESTIONS,
            "cancelCutoff": "P1D",
            "rescheduleCutoff": "PT12H",
            "maxBookingsPerCustomer": 2,
            "maxPerAgentPerDay": 5,
        },
        headers=admin,
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["questions"][1]["options"] == ["Yes", "No"]
    assert saved.json["cancelCutoff"] == "P1D" and saved.json["rescheduleCutoff"] == "PT12H"
    assert saved.json["maxBookingsPerCustomer"] == 2 and saved.json["maxPerAgentPerDay"] == 5
    public = client.get(path).json
    assert public["questions"] == saved.json["questions"]
    cleared = client.patch(
        path, json={"cancelCutoff": None, "maxPerAgentPerDay": None}, headers=admin
    )
    assert cleared.json["cancelCutoff"] is None and cleared.json["maxPerAgentPerDay"] is None
    for bad in (
        [QUESTIONS[0], QUESTIONS[0]],  # the same id twice
        [{"id": "Bad Id", "label": "x", "type": "text"}],
        [{"id": "a", "label": "x", "type": "text", "options": ["1"]}],  # options: select only
        [{"id": "a", "label": "x", "type": "select"}],  # a select without options
        [{"id": "a", "label": "", "type": "text"}],
        [{"id": "a", "label": "x", "type": "date"}],
        [{"id": f"q{n}", "label": "x", "type": "text"} for n in range(21)],
    ):
        refused = client.patch(path, json={"questions": bad}, headers=admin)
        assert refused.status_code == 400, (bad, refused.json)
    for bad in ({"maxPerAgentPerDay": 0}, {"cancelCutoff": "P400D"}, {"cancelCutoff": "soon"}):
        assert client.patch(path, json=bad, headers=admin).status_code == 400, bad


def basic_body(service, email, answers=None):
    body = {
        "serviceId": str(service.id),
        "start": datetime.combine(DAY, time(10), tzinfo=UTC).strftime(Z),
        "customer": {"name": {"firstName": "Cora", "lastName": "Customer"}},
        "otp": {"email": email, "code": "000000"},
    }
    if answers is not None:
        body["answers"] = answers
    return body


def otp(app, client, email) -> str:
    assert client.post("/api/otp", json={"email": email}).status_code == 202
    return last_code_subject(app, email)


def last_code_subject(app, email) -> str:
    messages = [m for m in outbox(app) if email in m.to]
    return re.search(r"\b(\d{6})\b", messages[-1].subject).group(1)


def test_the_basic_api_needs_the_required_answers(app, client, shop):
    shop.service.questions = QUESTIONS
    db.session.commit()
    email = "cora@example.org"
    code = otp(app, client, email)
    body = basic_body(shop.service, email, {"first-visit": "Yes"})
    body["otp"]["code"] = code
    missing = client.post("/api/appointments/basic", json=body)
    assert missing.status_code == 400, missing.json
    assert "'answers.reason'" in missing.json["error_description"]
    assert "'answers.consent'" in missing.json["error_description"]
    assert appointments() == 0
    wrong = dict(body, answers={"reason": "x", "consent": True, "first-visit": "Maybe"})
    assert client.post("/api/appointments/basic", json=wrong).status_code == 400
    unknown = dict(body, answers={"reason": "x", "consent": True, "shoe-size": "44"})
    assert (
        "'answers.shoe-size'"
        in client.post("/api/appointments/basic", json=unknown).json["error_description"]
    )
    # The code was not used up by the refusals.
    answered = dict(body, answers={"reason": "Back pain", "consent": True})
    booked = client.post("/api/appointments/basic", json=answered)
    assert booked.status_code == 200, booked.json
    assert booked.json["answers"] == {"reason": "Back pain", "consent": True}


def test_staff_create_needs_them_too_and_returns_them(client, shop):
    shop.service.questions = QUESTIONS
    db.session.commit()
    supervisor = bearer(make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super"))
    body = {
        "serviceId": str(shop.service.id),
        "start": shop.at(10).strftime(Z),
        "customer": {"name": {"firstName": "Cora"}, "contact": {"primaryEmail": "c@example.org"}},
    }
    missing = client.post("/api/appointments/", json=body, headers=supervisor)
    assert missing.status_code == 400 and "'answers.reason'" in missing.json["error_description"]
    assert appointments() == 0
    made = client.post(
        "/api/appointments/",
        json=dict(body, answers={"reason": "Follow-up", "consent": True, "first-visit": "No"}),
        headers=supervisor,
    )
    assert made.status_code == 201, made.json
    assert made.json["answers"] == {"reason": "Follow-up", "first-visit": "No", "consent": True}
    again = client.get(f"/api/appointments/{made.json['id']}", headers=supervisor)
    assert again.json["answers"] == made.json["answers"]


def test_the_details_form_asks_them_and_the_agent_reads_them(app, client, shop):
    shop.service.questions = QUESTIONS
    db.session.commit()
    chosen = hold(client, shop, shop.at(10))
    form_page = client.get(chosen.location)
    body = form_page.get_data(as_text=True)
    shown = text(form_page)
    assert shown.index("Reason for the visit") < shown.index("Is this your first visit?")
    assert shown.index("Is this your first visit?") < shown.index("I agree to the terms")
    draft = hidden(form_page, "h")
    missing = details(client, shop, draft, q_first_visit="Yes")
    assert missing.status_code == 422
    page = missing.get_data(as_text=True)
    assert re.search(r'id="q_reason-error"[^>]*>Please answer “Reason for the visit”', page)
    assert "Please tick “I agree to the terms”" in page
    assert db.session.scalar(select(func.count()).select_from(SlotHold)) == 0
    assert appointments() == 0 and not outbox(app)
    assert 'name="q_reason"' in body
    code_page = details(
        client, shop, draft, q_reason="Back pain", q_first_visit="No", q_consent="y"
    )
    assert code_page.status_code == 200, text(code_page)
    done = enter_code(client, shop, code_page, last_code(app, "cora@example.org"))
    assert done.status_code == 303, text(done)
    confirmation = client.get(done.location)
    assert "Reason for the visit Back pain" in text(confirmation)
    appointment = db.session.scalars(select(Appointment)).one()
    assert [a["id"] for a in appointment.answers] == ["reason", "first-visit", "consent"]

    staff = app.test_client()
    sign_in(
        staff, shop.alice.email if appointment.organizer_id == shop.alice.id else shop.bob.email
    )
    agent_page = text(staff.get(f"/agent/appointments/{appointment.id}"))
    assert "Reason for the visit Back pain" in agent_page
    assert "I agree to the terms Yes" in agent_page

    # The questions change: the answers stay, under the labels they were asked with.
    shop.service.questions = [
        {"id": "topic", "label": "Topic", "type": "textarea", "required": False}
    ]
    db.session.commit()
    agent_page = text(staff.get(f"/agent/appointments/{appointment.id}"))
    assert "Reason for the visit Back pain" in agent_page
    supervisor = bearer(make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super"))
    read = client.get(f"/api/appointments/{appointment.id}", headers=supervisor)
    assert read.json["answers"] == {"reason": "Back pain", "first-visit": "No", "consent": True}


def test_the_admin_page_edits_the_rules(app, client, shop):
    make_user("ada@example.com", Role.ADMIN, name="Ada Admin")
    sign_in(client, "ada@example.com")
    page = client.get(f"/admin/services/{shop.service.id}")
    assert page.status_code == 200 and 'name="questions"' in page.get_data(as_text=True)
    form = {
        "csrf_token": hidden(page, "csrf_token"),
        "version": hidden(page, "version"),
        "name": "Consultation",
        "slug": "consult",
        "duration": "30",
        "horizon_days": "60",
        "capacity": "1",
        "timezone": "UTC",
        "locale": "en",
        "color": "#4f46e5",
        "active": "y",
        "agent_ids": [str(shop.alice.id), str(shop.bob.id)],
        "cancel_cutoff": "1440",
        "max_per_agent_per_day": "3",
        "questions": "not json",
    }
    bad = client.post(f"/admin/services/{shop.service.id}", data=form)
    assert bad.status_code in (400, 422) and "JSON list" in text(bad)
    form["questions"] = '[{"id": "reason", "label": "Reason", "type": "text", "required": true}]'
    saved = client.post(f"/admin/services/{shop.service.id}", data=form)
    assert saved.status_code == 302, text(saved)
    db.session.refresh(shop.service)
    assert shop.service.cancel_cutoff_minutes == 1440
    assert shop.service.reschedule_cutoff_minutes is None
    assert shop.service.max_per_agent_per_day == 3
    assert shop.service.questions[0]["label"] == "Reason"
