"""Security headers on every answer, the health endpoint, cookie flags, CSRF and the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.extensions import db


@pytest.mark.parametrize("path", ["/", "/login", "/api/services", "/no/such/page", "/healthz"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP


def test_hsts_only_over_https(client):
    response = client.get("/", base_url="https://portal.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_use_no_inline_script(client):
    page = client.get("/login").get_data(as_text=True)
    for tag in page.split("<script")[1:]:
        assert "src=" in tag.split(">", 1)[0]


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}
    assert "connection refused" not in response.get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"PROXY_COUNT": 1}])
def test_behind_one_proxy_the_forwarded_scheme_and_address_count(app, client, config_overrides):
    from flask import request

    @app.get("/whoami")
    def whoami():
        return {"address": request.remote_addr, "secure": request.is_secure}

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    response = client.get("/whoami", headers=headers)
    assert response.json == {"address": "203.0.113.7", "secure": True}
    assert "Strict-Transport-Security" in response.headers


def test_without_a_proxy_forwarded_headers_are_ignored(app, client):
    from flask import request

    @app.get("/whoami")
    def whoami():
        return {"address": request.remote_addr, "secure": request.is_secure}

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    assert client.get("/whoami", headers=headers).json == {"address": "127.0.0.1", "secure": False}


# --- cookies ----------------------------------------------------------------------------------


def _set_cookies(response) -> dict[str, set[str]]:
    """Each cookie the answer sets, by name, with its attributes (lowercased, values kept)."""
    cookies: dict[str, set[str]] = {}
    for header in response.headers.getlist("Set-Cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        cookies[name_value.split("=", 1)[0]] = {attribute.lower() for attribute in attributes}
    return cookies


def _staff_sign_in(client, base_url: str = "http://localhost"):
    from tests.conftest import make_user

    make_user("agent@example.com")
    return client.post(
        "/login",
        data={"email": "agent@example.com", "password": "correct horse"},
        base_url=base_url,
    )


def test_sign_in_sets_only_an_httponly_lax_session_cookie_not_secure_on_local_http(client):
    response = _staff_sign_in(client)
    assert response.status_code == 302
    cookies = _set_cookies(response)
    # No "remember me": staff sessions end with the browser, so Flask-Login sets no other cookie.
    assert set(cookies) == {"session"}
    assert {"httponly", "samesite=lax", "path=/"} <= cookies["session"]
    # The demo runs on plain http://127.0.0.1; a Secure cookie would never come back there.
    assert "secure" not in cookies["session"]


@pytest.mark.parametrize("config_overrides", [{"SESSION_COOKIE_SECURE": True}])
def test_with_secure_cookies_configured_the_session_cookie_is_secure(client, config_overrides):
    response = _staff_sign_in(client, base_url="https://portal.example")
    assert response.status_code == 302
    assert {"httponly", "samesite=lax", "secure"} <= _set_cookies(response)["session"]
    # Signing out rewrites the cookie with the same flags.
    signed_out = client.post("/logout", base_url="https://portal.example")
    assert signed_out.status_code == 302
    assert {"httponly", "samesite=lax", "secure"} <= _set_cookies(signed_out)["session"]


def test_the_deploy_setting_turns_secure_cookies_on(tmp_path, monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_SESSION_COOKIE_SECURE", "true")  # as in docs/deploy.md
    app = create_app({"SECRET_KEY": "x"}, instance_path=str(tmp_path / "instance"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


# --- CSRF and the API -------------------------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_the_api_with_a_bearer_token_needs_no_csrf_token(client, config_overrides):
    from portal.models import Role
    from portal.tokens import issue_token
    from tests.conftest import make_user

    admin = make_user("admin@example.com", role=Role.ADMIN)
    token, secret = issue_token(admin, "test")
    db.session.add(token)
    db.session.commit()
    response = client.post(
        "/api/users",
        json={"email": "new@example.com", "name": "New Agent", "role": "AGENT"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201, response.json
    assert response.json["email"] == "new@example.com"


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_browser_session_does_not_authenticate_the_api(client, config_overrides):
    """The API is exempt from CSRF because cookies never sign in there: a forged cross-site
    POST riding on a staff session gets 401, not a new user."""
    from portal.models import Role, User
    from tests.conftest import make_user

    make_user("admin@example.com", role=Role.ADMIN)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    signed_in = client.post(
        "/login",
        data={"email": "admin@example.com", "password": "correct horse", "csrf_token": token},
    )
    assert signed_in.status_code == 302
    response = client.post(
        "/api/users", json={"email": "forged@example.com", "name": "Forged", "role": "ADMIN"}
    )
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert db.session.scalar(select(User).where(User.email == "forged@example.com")) is None
