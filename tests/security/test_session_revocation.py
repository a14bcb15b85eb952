"""Attack: replay a copied session cookie after the session was meant to end.

An attacker who copied a staff member's (or a customer's) session cookie keeps it and
sends it from a fresh client after logout, a password change, deactivation and
reactivation, or an admin's "sign out everywhere". Each time it must load no one:
staff pages redirect to sign-in, the API-free customer area shows its sign-in form.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Role, User
from portal.tokens import issue_token
from tests.booking.web_support import hidden, last_code, text
from tests.conftest import make_user, sign_in

STAFF_PAGE = "/agent/hours"
COOKIE = "session"


def signed_in_client(app: Flask, email: str, password: str = "correct horse") -> FlaskClient:
    client = app.test_client()
    answer = sign_in(client, email, password)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


def copied_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app: Flask, cookie: str, path: str = STAFF_PAGE):
    """The stolen cookie, sent from a client that never signed in."""
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, cookie)
    return attacker.get(path)


def assert_signed_out(answer) -> None:
    assert answer.status_code == 302, answer.status_code
    assert "/login" in answer.headers["Location"]


@pytest.fixture
def agent(app: Flask) -> User:
    return make_user("agent@example.com", Role.AGENT)


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    make_user("admin@example.com", Role.ADMIN, name="Ada Admin")
    return signed_in_client(app, "admin@example.com")


def test_copied_cookie_works_while_the_session_lives(app, agent):
    victim = signed_in_client(app, agent.email)
    assert replay(app, copied_cookie(victim)).status_code == 200


def test_copied_staff_cookie_is_refused_after_logout(app, agent):
    victim = signed_in_client(app, agent.email)
    stolen = copied_cookie(victim)
    assert victim.post("/logout").status_code == 302
    assert_signed_out(replay(app, stolen))


def test_logout_ends_the_users_other_sessions_too(app, agent):
    laptop = signed_in_client(app, agent.email)
    phone = signed_in_client(app, agent.email)
    laptop.post("/logout")
    assert_signed_out(phone.get(STAFF_PAGE))


def test_copied_staff_cookie_is_refused_after_a_password_change(app, agent, admin_client):
    victim = signed_in_client(app, agent.email)
    stolen = copied_cookie(victim)
    changed = admin_client.post(
        f"/admin/users/{agent.id}/password",
        data={"password": "a new long password", "confirm": "a new long password"},
    )
    assert changed.status_code == 302
    assert_signed_out(replay(app, stolen))
    assert_signed_out(victim.get(STAFF_PAGE))
    # The new password signs in as usual.
    signed_in_client(app, agent.email, "a new long password")


def test_own_password_change_keeps_this_session_and_ends_the_others(app, admin_client):
    other_browser = signed_in_client(app, "admin@example.com")
    stolen = copied_cookie(admin_client)
    admin = db.session.query(User).filter_by(email="admin@example.com").one()
    changed = admin_client.post(
        f"/admin/users/{admin.id}/password",
        data={"password": "a new long password", "confirm": "a new long password"},
    )
    assert changed.status_code == 302
    assert admin_client.get("/admin/users").status_code == 200
    assert_signed_out(other_browser.get("/admin/users"))
    assert_signed_out(replay(app, stolen, "/admin/users"))


def test_copied_staff_cookie_is_refused_after_deactivation_and_reactivation(
    app, agent, admin_client
):
    victim = signed_in_client(app, agent.email)
    stolen = copied_cookie(victim)
    assert admin_client.post(f"/admin/users/{agent.id}/deactivate").status_code == 302
    assert_signed_out(replay(app, stolen))
    assert admin_client.post(f"/admin/users/{agent.id}/activate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, agent.id).active
    # Reactivation restores the account, not the sessions it had.
    assert_signed_out(replay(app, stolen))


def test_copied_staff_cookie_is_refused_after_sign_out_everywhere(app, agent, admin_client):
    victim = signed_in_client(app, agent.email)
    stolen = copied_cookie(victim)
    page = admin_client.get(f"/admin/users/{agent.id}")
    assert "Sign out everywhere" in page.get_data(as_text=True)
    assert admin_client.post(f"/admin/users/{agent.id}/sign-out").status_code == 302
    assert_signed_out(replay(app, stolen))
    assert_signed_out(victim.get(STAFF_PAGE))
    # The admin's own session is not touched by signing someone else out.
    assert admin_client.get("/admin/users").status_code == 200


def test_copied_staff_cookie_is_refused_after_sign_out_everywhere_by_api(app, agent):
    admin = make_user("api-admin@example.com", Role.ADMIN)
    token, secret = issue_token(admin, "ops")
    db.session.add(token)
    db.session.commit()
    victim = signed_in_client(app, agent.email)
    stolen = copied_cookie(victim)
    answer = app.test_client().delete(
        f"/api/users/{agent.id}/sessions", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 204
    assert_signed_out(replay(app, stolen))


def test_copied_staff_cookie_is_refused_after_a_password_change_by_api(app, agent):
    admin = make_user("api-admin@example.com", Role.ADMIN)
    token, secret = issue_token(admin, "ops")
    db.session.add(token)
    db.session.commit()
    stolen = copied_cookie(signed_in_client(app, agent.email))
    answer = app.test_client().patch(
        f"/api/users/{agent.id}",
        json={"password": "a new long password"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 200
    assert_signed_out(replay(app, stolen))


def test_sign_out_everywhere_keeps_the_users_edit_form_current(app, agent, admin_client):
    # Ending sessions is not an edit: an admin's open form of the user still saves.
    before = db.session.get(User, agent.id).updated_at
    admin_client.post(f"/admin/users/{agent.id}/sign-out")
    db.session.expire_all()
    assert db.session.get(User, agent.id).updated_at == before


# --- customers at /my ------------------------------------------------------------------


def customer_signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    asked = client.post("/my/code", data={"email": email})
    assert asked.status_code == 200
    answer = client.post(
        "/my/verify", data={"email": hidden(asked, "email"), "code": last_code(app, email)}
    )
    assert answer.status_code == 303, text(answer)
    assert f"Signed in as {email}" in text(client.get("/my"))
    return client


def test_copied_customer_cookie_is_refused_after_sign_out(app):
    victim = customer_signed_in(app, "cora@example.org")
    stolen = copied_cookie(victim)
    assert "Signed in as cora@example.org" in text(replay(app, stolen, "/my"))
    assert victim.post("/my/sign-out").status_code == 303
    page = replay(app, stolen, "/my")
    assert "Signed in as" not in text(page) and "Email me a code" in text(page)


def test_customer_sign_out_ends_only_that_sign_in(app, fixed_clock):
    laptop = customer_signed_in(app, "cora@example.org")
    fixed_clock.shift(timedelta(minutes=2))  # past the one-code-a-minute spacing
    phone = customer_signed_in(app, "cora@example.org")
    laptop.post("/my/sign-out")
    assert "Signed in as cora@example.org" in text(phone.get("/my"))


def test_customer_sign_in_expires(app, fixed_clock):
    client = customer_signed_in(app, "cora@example.org")
    fixed_clock.shift(timedelta(hours=app.config["CUSTOMER_SESSION_HOURS"], minutes=1))
    assert "Email me a code" in text(client.get("/my"))


def test_signing_out_twice_is_harmless(app):
    victim = customer_signed_in(app, "cora@example.org")
    stolen = copied_cookie(victim)
    victim.post("/my/sign-out")
    victim.post("/my/sign-out")  # twice: nothing more to end, no error
    assert "Email me a code" in text(replay(app, stolen, "/my"))
