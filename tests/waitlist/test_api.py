"""The waitlist API: join (201 and its refusals), the staff list, leaving by token."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from portal.api.openapi import build_spec
from portal.extensions import db
from portal.models import Role, WaitlistEntry, WaitlistStatus
from portal.tokens import issue_token
from tests.api.test_openapi import check_response
from tests.booking.web_support import last_code
from tests.conftest import make_user
from tests.waitlist.conftest import LEAVE_LINK, join, join_body, mails_to

CORA = "cora@example.org"
PATH = "/api/services/{service_id}/waitlist"


@pytest.fixture
def spec():
    return build_spec()


def bearer(role: Role, email: str) -> dict:
    user = make_user(email, role=role, password="")
    token, secret = issue_token(user, "waitlist")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def url(full_day) -> str:
    return f"/api/services/{full_day.service.id}/waitlist"


def test_join_answers_201_with_the_entry_and_mails_a_leave_link(app, client, full_day, spec):
    answer = join(app, client, full_day, CORA, agentId=str(full_day.alice.id))
    assert answer.status_code == 201, answer.json
    check_response(spec, "post", PATH, answer)
    assert answer.json["email"] == CORA
    assert answer.json["date"] == full_day.day.isoformat()
    assert answer.json["agentId"] == str(full_day.alice.id)
    assert answer.json["status"] == "WAITING"
    db.session.commit()
    from portal.delivery import send_due

    send_due()
    (mail,) = mails_to(app, CORA, "You are on the waitlist")
    assert LEAVE_LINK.search(mail.body)


def test_joining_again_keeps_one_entry_and_its_place(app, client, full_day, fixed_clock):
    first = join(app, client, full_day, CORA)
    fixed_clock.shift(timedelta(seconds=61))  # a new code may be asked for after a minute
    again = join(app, client, full_day, CORA)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json["id"] == first.json["id"]
    assert again.json["createdAt"] == first.json["createdAt"]
    assert len(db.session.scalars(db.select(WaitlistEntry)).all()) == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"date": "2026-13-40"}, "invalid_datetime_format"),
        ({"timezone": "Mars/Base"}, "invalid_param"),
        ({"email": "not-an-address"}, "invalid_param"),
        ({"unknown": 1}, "invalid_param"),
        ({"agentId": "nope"}, "invalid_param"),
    ],
)
def test_bad_input_is_400(client, full_day, spec, change, error):
    body = join_body(full_day, CORA, "123456") | change
    answer = client.post(url(full_day), json=body)
    assert (answer.status_code, answer.json["error"]) == (400, error)
    check_response(spec, "post", PATH, answer)


def test_a_past_day_or_one_beyond_the_horizon_is_400(client, full_day):
    past = join_body(full_day, CORA, "123456") | {"date": "2020-01-01"}
    answer = client.post(url(full_day), json=past)
    assert answer.status_code == 400 and "passed" in answer.json["error_description"]
    far = (full_day.day + timedelta(days=400)).isoformat()
    answer = client.post(url(full_day), json=join_body(full_day, CORA, "123456") | {"date": far})
    assert answer.status_code == 400


def test_missing_otp_is_400(client, full_day):
    body = join_body(full_day, CORA, "123456")
    del body["otp"]
    answer = client.post(url(full_day), json=body)
    assert (answer.status_code, answer.json["error"]) == (400, "missing_param")


def test_the_code_must_be_for_the_entrys_address(app, client, full_day):
    client.post("/api/otp", json={"email": "other@example.org"})
    body = join_body(full_day, CORA, last_code(app, "other@example.org"))
    body["otp"]["email"] = "other@example.org"
    answer = client.post(url(full_day), json=body)
    assert answer.status_code == 400


def test_a_wrong_code_is_401_and_nothing_is_stored(client, full_day, spec):
    client.post("/api/otp", json={"email": CORA})
    answer = client.post(url(full_day), json=join_body(full_day, CORA, "000000"))
    assert answer.status_code == 401
    check_response(spec, "post", PATH, answer)
    assert db.session.scalars(db.select(WaitlistEntry)).all() == []


def test_a_day_with_free_times_is_409(client, full_day, spec):
    db.session.delete(db.session.merge(full_day.nine))
    db.session.commit()
    answer = client.post(url(full_day), json=join_body(full_day, CORA, "123456"))
    assert (answer.status_code, answer.json["error"]) == (409, "conflict")
    check_response(spec, "post", PATH, answer)


def test_unknown_service_or_agent_is_404(client, full_day):
    body = join_body(full_day, CORA, "123456")
    answer = client.post(f"/api/services/{uuid.uuid4()}/waitlist", json=body)
    assert answer.status_code == 404
    answer = client.post(url(full_day), json=body | {"agentId": str(uuid.uuid4())})
    assert answer.status_code == 404


def test_staff_list_the_entries_with_their_offers(app, client, full_day, spec):
    assert join(app, client, full_day, CORA).status_code == 201
    agent = bearer(Role.AGENT, "agent2@example.com")
    answer = client.get(url(full_day), headers=agent)
    assert answer.status_code == 200
    check_response(spec, "get", PATH, answer)
    assert [e["email"] for e in answer.json["content"]] == [CORA]
    assert answer.json["content"][0]["offers"] == []
    waiting = client.get(url(full_day), headers=agent, query_string={"status": "LEFT"})
    assert waiting.json["total"] == 0
    assert client.get(url(full_day), headers=agent, query_string={"status": "x"}).status_code == 400


def test_the_list_is_for_staff_only(client, full_day, spec):
    assert client.get(url(full_day)).status_code == 401
    integration = bearer(Role.CLIENT_SERVICE, "robot@example.com")
    answer = client.get(url(full_day), headers=integration)
    assert answer.status_code == 403
    check_response(spec, "get", PATH, answer)
    admin = bearer(Role.ADMIN, "admin@example.com")
    assert client.get(f"/api/services/{uuid.uuid4()}/waitlist", headers=admin).status_code == 404


def test_leave_by_the_mailed_token(app, client, full_day, spec):
    entry_id = join(app, client, full_day, CORA).json["id"]
    db.session.commit()
    from portal.delivery import send_due

    send_due()
    (mail,) = mails_to(app, CORA, "You are on the waitlist")
    token = LEAVE_LINK.search(mail.body).group(1)
    leave = f"{url(full_day)}/{entry_id}"
    wrong = client.delete(leave, query_string={"token": "not-the-token"})
    assert wrong.status_code == 404
    check_response(spec, "delete", PATH + "/{entry_id}", wrong)
    assert client.delete(leave).status_code == 400  # the token is required
    other = client.delete(f"{url(full_day)}/{uuid.uuid4()}", query_string={"token": token})
    assert other.status_code == 404
    answer = client.delete(leave, query_string={"token": token})
    assert answer.status_code == 204
    assert db.session.get(WaitlistEntry, uuid.UUID(entry_id)).status == WaitlistStatus.LEFT
    assert client.delete(leave, query_string={"token": token}).status_code == 204
