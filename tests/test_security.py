"""Security headers on every answer, and the health endpoint."""

from __future__ import annotations

import pytest
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
