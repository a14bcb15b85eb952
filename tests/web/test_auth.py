"""Staff sign-in and sign-out, redirects and role requirements."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.auth import is_safe_next, role_required
from portal.models import Role
from tests.conftest import make_user, sign_in


def test_sign_in_success_redirects_to_next(client):
    make_user("agent@example.com")
    response = client.post(
        "/login",
        data={"email": "Agent@Example.com", "password": "correct horse", "next": "/?page=2"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/?page=2"
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page and "Test User" in page


def test_wrong_password_is_refused_with_a_message(client):
    make_user("agent@example.com")
    response = sign_in(client, "agent@example.com", "wrong password")
    assert response.status_code == 422
    assert "That email and password do not match." in response.get_data(as_text=True)
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_unknown_email_gets_the_same_message(client):
    response = sign_in(client, "nobody@example.com")
    assert "That email and password do not match." in response.get_data(as_text=True)


def test_inactive_user_cannot_sign_in(client):
    make_user("gone@example.com", active=False)
    response = sign_in(client, "gone@example.com")
    assert response.status_code == 422
    assert "deactivated" in response.get_data(as_text=True)
    assert "Sign out" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "http:/evil",
        "javascript:alert(1)",
    ],
)
def test_open_redirect_attempts_go_home(client, target):
    make_user("agent@example.com")
    response = client.post(
        "/login", data={"email": "agent@example.com", "password": "correct horse", "next": target}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/agent/"


@pytest.mark.parametrize(
    ("role", "home", "heading"),
    [
        (Role.AGENT, "/agent/", "Dashboard"),
        (Role.SUPERVISOR, "/team/", "Team"),
        (Role.ADMIN, "/admin", "Admin"),
    ],
)
def test_staff_land_on_their_roles_home(client, role, home, heading):
    make_user("staff@example.com", role=role)
    response = client.post(
        "/login", data={"email": "staff@example.com", "password": "correct horse"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == home
    page = client.get(home)
    assert page.status_code == 200
    assert heading in page.get_data(as_text=True)


def test_is_safe_next():
    assert is_safe_next("/agent?view=week")
    assert not is_safe_next(None)
    assert not is_safe_next("agent")
    assert not is_safe_next("//x.example")


def test_session_is_replaced_on_sign_in(client):
    make_user("agent@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "agent@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_sign_out_needs_post_and_clears_the_session(client):
    make_user("agent@example.com")
    sign_in(client, "agent@example.com")
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_deactivated_after_sign_in_is_signed_out(client):
    from portal.extensions import db

    user = make_user("agent@example.com")
    sign_in(client, "agent@example.com")
    user.active = False
    db.session.commit()
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_customers_cannot_sign_in_with_a_password(client):
    make_user("customer@example.com", role=Role.CUSTOMER)
    response = sign_in(client, "customer@example.com")
    assert response.status_code == 422


@pytest.fixture
def role_app(app: Flask) -> Flask:
    @app.get("/only-admins")
    @role_required(Role.ADMIN)
    def only_admins():
        return "admin area"

    @app.get("/staff-leads")
    @role_required(Role.SUPERVISOR, Role.ADMIN)
    def staff_leads():
        return "leads area"

    return app


def test_role_required_redirects_anonymous_users_to_sign_in(role_app):
    response = role_app.test_client().get("/only-admins")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.AGENT, "/only-admins", 403),
        (Role.SUPERVISOR, "/only-admins", 403),
        (Role.ADMIN, "/only-admins", 200),
        (Role.AGENT, "/staff-leads", 403),
        (Role.SUPERVISOR, "/staff-leads", 200),
    ],
)
def test_role_required(role_app, role, path, status):
    client = role_app.test_client()
    make_user("someone@example.com", role=role)
    sign_in(client, "someone@example.com")
    response = client.get(path)
    assert response.status_code == status
    if status == 403:
        assert "You do not have access to this page." in response.get_data(as_text=True)
