"""Request logging: one JSON line per request, with no personal data and no secrets."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask
from flask.logging import default_handler

from portal import request_log
from portal.config import ConfigError
from portal.extensions import db
from tests.booking.web_support import book_through_pages, last_code, manage_path, shop  # noqa: F401
from tests import factories
from tests.conftest import make_user, sign_in

PRODUCTION_LIKE = {"TESTING": False, "PROPAGATE_EXCEPTIONS": False}


@dataclass
class Captured:
    stream: io.StringIO
    caplog: pytest.LogCaptureFixture

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def requests(self) -> list[dict]:
        return [
            line
            for line in self.lines()
            if line["logger"] == "portal.request" and line["message"] == "request"
        ]

    def everything(self) -> str:
        """All the log output: the JSON lines and every record as pytest shows it."""
        return self.stream.getvalue() + "\n" + self.caplog.text


@pytest.fixture
def logs(app: Flask, caplog: pytest.LogCaptureFixture) -> Iterator[Captured]:
    """The portal's log lines, through the JSON formatter production uses."""
    stream = io.StringIO()
    handler = request_log.json_handler(stream)
    logger = logging.getLogger("portal")
    logger.addHandler(handler)
    caplog.set_level(logging.DEBUG)
    try:
        yield Captured(stream, caplog)
    finally:
        logger.removeHandler(handler)


def test_a_request_logs_one_json_line(client, logs):
    response = client.get("/login")
    assert response.status_code == 200
    [line] = logs.requests()
    assert line["level"] == "INFO"
    assert datetime.fromisoformat(line["time"]).utcoffset().total_seconds() == 0
    assert line["method"] == "GET"
    assert (
        line["route"] == "/login" and line["endpoint"] == "auth.login" and line["path"] == "/login"
    )
    assert line["status"] == 200
    assert line["size"] == len(response.data)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert "user_id" not in line and "user_role" not in line


def test_a_signed_in_user_is_named_by_role_and_id_only(client, logs):
    user = make_user("agent.smith@example.com", name="Agent Smith")
    assert sign_in(client, "agent.smith@example.com").status_code == 302
    client.get("/")
    line = logs.requests()[-1]
    assert line["user_role"] == "AGENT" and line["user_id"] == str(user.id)
    for personal in ("agent.smith@example.com", "Agent Smith", "correct horse"):
        assert personal not in logs.everything()


@pytest.mark.date_sensitive
def test_secrets_and_personal_data_never_reach_the_log(app, client, shop, logs):
    # A booking: name, email, phone and notes in the bodies, then the emailed code.
    confirmation = book_through_pages(
        app, client, shop, shop.at(10), email="cora.private@example.org"
    )
    code = last_code(app, "cora.private@example.org")
    manage = manage_path(confirmation)
    token = manage.rsplit("/", 1)[1]
    assert client.get(manage).status_code == 200
    assert client.get(manage + "/nonsense/").status_code == 404  # a mistyped link: not matched
    # An email in the query string, a password in a sign-in, a calendar feed secret.
    client.get("/login?email=query.person@example.net&next=/my")
    client.post("/login", data={"email": "someone@example.com", "password": "hunter2-secret"})
    feed_secret = factories.feed_secret(shop.alice)
    assert client.get(f"/calendar/{feed_secret}.ics").status_code == 200
    client.get(
        "/my",
        headers={"Cookie": "session=cookie-value-secret", "Authorization": "Bearer pt_secret"},
    )

    output = logs.everything()
    for value in (
        "cora.private@example.org",
        "Cora",
        "+49 30 1234567",
        "1234567",
        "About my plans",
        code,
        token,
        "query.person@example.net",
        "someone@example.com",
        "hunter2-secret",
        feed_secret,
        "cookie-value-secret",
        "pt_secret",
        "127.0.0.1",
    ):
        assert value not in output, f"{value!r} was logged"

    routes = {(line["route"], line["path"]) for line in logs.requests()}
    assert ("/manage/<token>", "/manage/<token>") in routes
    assert ("/calendar/<secret>.ics", "/calendar/<secret>.ics") in routes
    assert ("/book/<slug>/confirmed/<token>", "/book/consult/confirmed/<token>") in routes
    assert (None, None) in routes  # the unmatched manage link


@pytest.mark.date_sensitive
def test_harmless_path_values_are_kept_and_others_masked(client, shop, logs):
    day = shop.day.isoformat()
    some_id = uuid.uuid4()
    client.get(f"/book/consult/day/{day}")
    client.get(f"/api/appointments/{some_id}")
    client.get("/api/users/not.an.id@example.com")
    paths = [line["path"] for line in logs.requests()]
    assert paths == [
        f"/book/consult/day/{day}",
        f"/api/appointments/{some_id}",
        "/api/users/<user_id>",
    ]
    assert "not.an.id@example.com" not in logs.everything()


def test_a_valid_request_id_is_echoed_and_logged(client, logs):
    response = client.get("/login", headers={"X-Request-ID": "lb-4f1c.2a:7"})
    assert response.headers["X-Request-ID"] == "lb-4f1c.2a:7"
    assert logs.requests()[-1]["request_id"] == "lb-4f1c.2a:7"


@pytest.mark.parametrize("given", ["", "someone@example.com", "x" * 200, "a b"])
def test_an_unusable_request_id_is_replaced(client, logs, given):
    response = client.get("/login", headers={"X-Request-ID": given})
    generated = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert logs.requests()[-1]["request_id"] == generated
    if given:
        assert given not in logs.everything()


def test_each_request_gets_its_own_id(client):
    first = client.get("/login").headers["X-Request-ID"]
    assert client.get("/login").headers["X-Request-ID"] != first


@pytest.mark.parametrize("config_overrides", [PRODUCTION_LIKE])
def test_an_unhandled_error_is_logged_with_the_request_id_and_not_shown(
    app, client, logs, config_overrides
):
    @app.get("/boom/<token>")
    def boom(token):
        raise RuntimeError("secret internals")

    response = client.get(
        "/boom/tok-123?email=x@example.com", headers={"X-Request-ID": "trace-500"}
    )
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "trace-500"
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "secret internals" not in page and "RuntimeError" not in page

    [error] = [line for line in logs.lines() if line["level"] == "ERROR"]
    assert error["request_id"] == "trace-500"
    assert error["route"] == "/boom/<token>" and error["path"] == "/boom/<token>"
    assert error["error"] == "RuntimeError"
    assert "Traceback" in error["traceback"] and "secret internals" in error["traceback"]
    [line] = logs.requests()
    assert line["status"] == 500 and line["request_id"] == "trace-500"
    assert "tok-123" not in logs.everything() and "x@example.com" not in logs.everything()


@pytest.mark.parametrize("config_overrides", [{"REQUEST_LOG": False}])
def test_request_lines_can_be_turned_off(client, logs, config_overrides):
    response = client.get("/login")
    assert response.headers["X-Request-ID"]
    assert logs.requests() == []


@pytest.mark.parametrize("config_overrides", [PRODUCTION_LIKE])
def test_a_database_error_is_logged_without_the_values(app, client, logs, config_overrides):
    person = {"email": "twice@example.com", "name": "Private Person"}
    make_user(**person)

    @app.post("/twice")
    def twice():
        make_user(**person)  # (the traceback quotes this line: no values in it)

    assert client.post("/twice").status_code == 500
    db.session.rollback()
    [error] = [line for line in logs.lines() if line["level"] == "ERROR"]
    assert error["error"] == "IntegrityError" and "INSERT INTO users" in error["traceback"]
    # The statement's values are hidden by the engine, an address quoted by the database here.
    assert "Private Person" not in logs.stream.getvalue()
    assert "twice@example.com" not in logs.stream.getvalue()


def test_without_logging_configured_lines_go_to_stderr_as_json(app, client, capsys):
    logger = logging.getLogger("portal")
    before = list(logger.handlers)
    root_handlers = logging.root.handlers
    logging.root.handlers = []  # as under gunicorn: nobody configured logging
    try:
        request_log.configure_logging(app)
        request_log.configure_logging(app)  # a second app in the process adds nothing
    finally:
        logging.root.handlers = root_handlers
    added = [handler for handler in logger.handlers if handler not in before]
    try:
        assert len(added) == 1 and default_handler not in logger.handlers
        client.get("/login")
        [line] = [json.loads(text) for text in capsys.readouterr().err.splitlines()]
        assert line["route"] == "/login" and line["status"] == 200
    finally:
        for handler in added:
            logger.removeHandler(handler)


def test_an_unknown_log_level_is_a_clear_error(app):
    app.config["LOG_LEVEL"] = "chatty"
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        request_log.configure_logging(app)
    app.config["LOG_LEVEL"] = "info"
    request_log.configure_logging(app)
    assert logging.getLogger("portal").level == logging.INFO
