"""POST/PATCH/DELETE /api/services and /api/users: success, each error code, the role matrix."""

from __future__ import annotations

import uuid
from datetime import datetime, UTC

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import NotificationTemplate, Role, Service, User
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user


def bearer(user: User) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(app):
    return make_user("admin@example.com", role=Role.ADMIN, name="Ada")


@pytest.fixture
def auth(admin):
    return bearer(admin)


@pytest.fixture
def role_headers(app):
    def make(role: Role) -> dict[str, str]:
        return bearer(make_user(f"caller-{role.value.lower()}@example.com", role=role, password=""))

    return make


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


SERVICE = {
    "name": "Tax advice",
    "slug": "tax-advice",
    "description": "With an adviser.",
    "duration": "PT45M",
    "slotInterval": "PT15M",
    "bufferBefore": "PT5M",
    "bufferAfter": "PT10M",
    "minimumNotice": "PT2H",
    "horizonDays": 30,
    "capacity": 2,
    "timezone": "Europe/Berlin",
    "locale": "de",
    "color": "#0f766e",
    "active": True,
}


# --- services ---------------------------------------------------------------------------------


def test_create_service(client, auth):
    alice = factories.agent("alice@example.com", "Alice")
    response = client.post(
        "/api/services", json=SERVICE | {"agentIds": [str(alice.id)]}, headers=auth
    )
    assert response.status_code == 201
    body = response.json
    assert response.headers["Location"] == f"/api/services/{body['id']}"
    assert body["duration"] == "PT45M" and body["slotInterval"] == "PT15M"
    assert body["bufferBefore"] == "PT5M" and body["minimumNotice"] == "PT2H"
    assert body["capacity"] == 2 and body["horizonDays"] == 30 and body["locale"] == "de"
    assert body["agentIds"] == [str(alice.id)] and body["senderEmail"] is None
    assert body["senderVerified"] is False and body["color"] == "#0f766e"
    service = db.session.get(Service, uuid.UUID(body["id"]))
    assert service.duration_minutes == 45 and len(service.templates) > 0
    # The public GET shows it.
    assert client.get(f"/api/services/{body['id']}", headers=auth).json["slug"] == "tax-advice"


def test_create_service_minimal_derives_slug(client, auth):
    response = client.post(
        "/api/services", json={"name": "Quick Chat", "duration": "PT15M"}, headers=auth
    )
    assert response.status_code == 201
    assert response.json["slug"] == "quick-chat" and response.json["slotInterval"] == "PT15M"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"duration": "PT30M"}, 400, "missing_param"),
        ({"name": "X"}, 400, "missing_param"),
        ({"name": "X", "duration": 30}, 400, "invalid_param_type"),
        ({"name": "X", "duration": "30 minutes"}, 400, "invalid_param"),
        ({"name": "X", "duration": "P99999999999999W"}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT0M"}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT30M", "capacity": 0}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT30M", "capacity": "2"}, 400, "invalid_param_type"),
        ({"name": "X", "duration": "PT30M", "timezone": "Mars/Base"}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT30M", "slug": "Not A Slug"}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT30M", "agentIds": ["nope"]}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT30M", "agentIds": [str(uuid.uuid4())]}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT30M", "senderEmail": "nope"}, 400, "invalid_param"),
        ({"name": "X", "duration": "PT30M", "colour": "#fff"}, 400, "invalid_param"),
        ({"name": None, "duration": "PT30M"}, 400, "invalid_param_type"),
    ],
)
def test_create_service_errors(client, auth, body, status, code):
    response = client.post("/api/services", json=body, headers=auth)
    assert (response.status_code, response.json["error"]) == (status, code)
    assert response.json["error_description"]
    assert count(Service) == 0 and count(NotificationTemplate) == 0


def test_create_service_bad_json_and_duplicate_slug(client, auth):
    response = client.post(
        "/api/services", data="{nope", headers=auth | {"Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_param"
    response = client.post("/api/services", json=[1], headers=auth)
    assert response.status_code == 400 and response.json["error"] == "invalid_param"
    factories.service([], slug="taken")
    response = client.post(
        "/api/services", json={"name": "X", "slug": "taken", "duration": "PT30M"}, headers=auth
    )
    assert response.status_code == 409 and response.json["error"] == "conflict"
    response = client.post(
        "/api/services?x=1", json={"name": "X", "duration": "PT30M"}, headers=auth
    )
    assert response.status_code == 400 and response.json["error"] == "invalid_param"


def test_patch_service(client, auth):
    alice = factories.agent("alice@example.com", "Alice")
    service = factories.service([alice], slug="consult")
    response = client.patch(
        f"/api/services/{service.id}",
        json={
            "capacity": 3,
            "slotInterval": None,
            "agentIds": [],
            "active": False,
            "senderEmail": "team@example.com",
        },
        headers=auth,
    )
    assert response.status_code == 200
    body = response.json
    assert body["capacity"] == 3 and body["agentIds"] == [] and body["active"] is False
    assert body["senderEmail"] == "team@example.com" and body["senderVerified"] is False
    assert body["name"] == "Consult" and body["slotInterval"] == "PT30M"
    # Inactive services can still be changed (and reactivated).
    response = client.patch(f"/api/services/{service.id}", json={"active": True}, headers=auth)
    assert response.status_code == 200 and response.json["active"] is True


def test_patch_service_errors(client, auth):
    service = factories.service([], slug="consult")
    factories.service([], slug="other")
    cases = [
        ({"capacity": -1}, 400, "invalid_param"),
        ({"slug": "other"}, 409, "conflict"),
        ({"unknown": 1}, 400, "invalid_param"),
        ({"active": "no"}, 400, "invalid_param_type"),
    ]
    for body, status, code in cases:
        response = client.patch(f"/api/services/{service.id}", json=body, headers=auth)
        assert (response.status_code, response.json["error"]) == (status, code), body
    db.session.expire_all()
    stored = db.session.get(Service, service.id)
    assert stored.capacity == 1 and stored.slug == "consult"
    for key in ("00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        response = client.patch(f"/api/services/{key}", json={}, headers=auth)
        assert response.status_code == 404 and response.json["error"] == "not_found"


def test_delete_service(client, auth):
    unbooked = factories.service([], slug="unbooked")
    response = client.delete(f"/api/services/{unbooked.id}", headers=auth)
    assert response.status_code == 204 and response.data == b""
    assert db.session.get(Service, unbooked.id) is None
    alice = factories.agent()
    booked = factories.service([alice], slug="booked")
    factories.appointment(booked, alice, datetime(2030, 1, 7, 9, tzinfo=UTC))
    response = client.delete(f"/api/services/{booked.id}", headers=auth)
    assert response.status_code == 200 and response.json["active"] is False
    assert client.delete(f"/api/services/{uuid.uuid4()}", headers=auth).status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.CLIENT_SERVICE])
def test_service_writes_need_admin(client, role_headers, role):
    headers = role_headers(role)
    service = factories.service([], slug="consult")
    calls = [
        client.post("/api/services", json={"name": "X", "duration": "PT30M"}, headers=headers),
        client.patch(f"/api/services/{service.id}", json={"capacity": 2}, headers=headers),
        client.delete(f"/api/services/{service.id}", headers=headers),
    ]
    assert [(r.status_code, r.json["error"]) for r in calls] == [(403, "forbidden")] * 3
    assert db.session.get(Service, service.id).capacity == 1


def test_service_writes_need_a_token(client):
    service = factories.service([], slug="consult")
    calls = [
        client.post("/api/services", json={"name": "X", "duration": "PT30M"}),
        client.patch(
            f"/api/services/{service.id}", json={}, headers={"Authorization": "Bearer nope"}
        ),
        client.delete(f"/api/services/{service.id}"),
    ]
    assert [(r.status_code, r.json["error"]) for r in calls] == [(401, "unauthorized")] * 3


# --- users ------------------------------------------------------------------------------------


NEW_USER = {
    "email": "Nina@Example.com",
    "name": "Nina",
    "role": "AGENT",
    "timezone": "Europe/Berlin",
    "locale": "de",
    "password": "long enough",
}


def test_create_and_get_user(client, auth):
    response = client.post("/api/users", json=NEW_USER, headers=auth)
    assert response.status_code == 201
    body = response.json
    assert (
        body["email"] == "nina@example.com" and body["role"] == "AGENT" and body["active"] is True
    )
    assert body["hasPassword"] is True and "password" not in body and "passwordHash" not in body
    assert body["createdAt"].endswith("Z")
    assert response.headers["Location"] == f"/api/users/{body['id']}"
    assert client.get(f"/api/users/{body['id']}", headers=auth).json == body
    user = db.session.get(User, uuid.UUID(body["id"]))
    assert user.check_password("long enough")


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"email": None}, 400, "invalid_param_type"),
        ({"role": "CUSTOMER"}, 400, "invalid_param"),
        ({"role": 5}, 400, "invalid_param_type"),
        ({"email": "bad"}, 400, "invalid_param"),
        ({"timezone": "Nowhere/City"}, 400, "invalid_param"),
        ({"locale": "zz"}, 400, "invalid_param"),
        ({"password": "short"}, 400, "invalid_param"),
        ({"active": 1}, 400, "invalid_param_type"),
        ({"extra": True}, 400, "invalid_param"),
        ({"email": "ADMIN@example.com"}, 409, "conflict"),
    ],
)
def test_create_user_errors(client, auth, changes, status, code):
    before = count(User)
    response = client.post("/api/users", json=NEW_USER | changes, headers=auth)
    assert (response.status_code, response.json["error"]) == (status, code)
    assert count(User) == before


def test_create_user_missing_fields(client, auth):
    for field in ("email", "name", "role"):
        body = {k: v for k, v in NEW_USER.items() if k != field}
        response = client.post("/api/users", json=body, headers=auth)
        assert (response.status_code, response.json["error"]) == (400, "missing_param")


def test_patch_user(client, auth):
    user = make_user("agent@example.com", name="Alice")
    response = client.patch(
        f"/api/users/{user.id}",
        json={"role": "SUPERVISOR", "timezone": "Asia/Tokyo", "password": None, "active": False},
        headers=auth,
    )
    assert response.status_code == 200
    assert (response.json["role"], response.json["timezone"], response.json["active"]) == (
        "SUPERVISOR",
        "Asia/Tokyo",
        False,
    )
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.check_password("correct horse") and stored.active is False
    response = client.patch(
        f"/api/users/{user.id}", json={"password": "a new password"}, headers=auth
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("a new password")


def test_patch_user_errors(client, auth, admin):
    user = make_user("agent@example.com")
    make_user("taken@example.com")
    assert (
        client.patch(
            f"/api/users/{user.id}", json={"email": "TAKEN@example.com"}, headers=auth
        ).status_code
        == 409
    )
    assert (
        client.patch(f"/api/users/{user.id}", json={"timezone": ""}, headers=auth).json["error"]
        == "invalid_param"
    )
    # An admin token cannot deactivate or demote its own user.
    response = client.patch(f"/api/users/{admin.id}", json={"active": False}, headers=auth)
    assert (response.status_code, response.json["error"]) == (409, "conflict")
    for key in (uuid.uuid4(), "nope"):
        assert client.patch(f"/api/users/{key}", json={}, headers=auth).status_code == 404
    customer = make_user("c@example.org", role=Role.CUSTOMER, password="")
    assert client.get(f"/api/users/{customer.id}", headers=auth).status_code == 404


def test_list_users_paging_sorting_filters(client, auth):
    make_user("b@example.com", name="Bea")
    make_user("c@example.com", name="Cid", role=Role.SUPERVISOR, active=False)
    make_user("x@example.org", name="Xena", role=Role.CUSTOMER, password="")
    body = client.get("/api/users", headers=auth).json
    assert [u["name"] for u in body["content"]] == ["Ada", "Bea", "Cid"]
    assert (body["total"], body["pageNumber"], body["pageSize"], body["pageCount"]) == (3, 1, 25, 1)
    assert (body["sortField"], body["sortOrder"]) == ("name", "asc")
    body = client.get(
        "/api/users?sortField=email&sortOrder=desc&pageSize=1&pageNumber=2", headers=auth
    ).json
    assert [u["email"] for u in body["content"]] == ["b@example.com"] and body["pageCount"] == 3
    body = client.get("/api/users?role=SUPERVISOR&active=false", headers=auth).json
    assert [u["name"] for u in body["content"]] == ["Cid"]
    for query in ("role=CUSTOMER", "active=maybe", "sortField=password", "pageSize=0", "bogus=1"):
        response = client.get(f"/api/users?{query}", headers=auth)
        assert (response.status_code, response.json["error"]) == (400, "invalid_param"), query


def test_users_role_matrix(client, role_headers):
    target = make_user("target@example.com")
    supervisor = role_headers(Role.SUPERVISOR)
    assert client.get("/api/users", headers=supervisor).status_code == 200
    assert client.get(f"/api/users/{target.id}", headers=supervisor).status_code == 200
    assert client.post("/api/users", json=NEW_USER, headers=supervisor).status_code == 403
    assert (
        client.patch(f"/api/users/{target.id}", json={"name": "X"}, headers=supervisor).status_code
        == 403
    )
    for role in (Role.AGENT, Role.CLIENT_SERVICE):
        headers = role_headers(role)
        assert client.get("/api/users", headers=headers).status_code == 403
        assert client.get(f"/api/users/{target.id}", headers=headers).status_code == 403
        assert client.post("/api/users", json=NEW_USER, headers=headers).status_code == 403
    assert client.get("/api/users").status_code == 401
    assert db.session.get(User, target.id).name == "Test User"


def test_deactivated_users_tokens_stop_working(client, auth):
    user = make_user("agent@example.com", role=Role.SUPERVISOR)
    headers = bearer(user)
    assert client.get("/api/users", headers=headers).status_code == 200
    client.patch(f"/api/users/{user.id}", json={"active": False}, headers=auth)
    assert client.get("/api/users", headers=headers).status_code == 401
