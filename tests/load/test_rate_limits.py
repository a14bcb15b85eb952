"""Rate limits hold across app servers that share Redis.

Two gunicorn servers (2 workers x 2 threads each) run on the test database (SQLite file or the
PostgreSQL of PORTAL_TEST_DATABASE_URL) with ``RATELIMIT_STORAGE_URI`` pointing at one Redis,
behind "one proxy" (``PROXY_COUNT=1``) so each request names its client address in
``X-Forwarded-For``. Requests alternate between the servers, and the limit is reached at the
configured total, on whichever server the next request lands:

1. staff sign-in, 10 a minute per client address: the 11th attempt gets the 429 page; and
   10 failures for one account, from a new client address each time, lock it on both servers;
2. sending codes, 10 an hour per email address, from a new client address each time: the 11th
   gets the API's 429 JSON (the database's own per-address code spacing is opened up, so only
   the limiter is measured);
3. sending codes, 30 an hour per client address, to a new email address each time: the 31st
   gets 429.

Every test uses its own Redis key prefix and deletes its keys afterwards. Two last tests show
why Redis is needed (with ``memory://`` each server counts alone and twelve attempts all pass)
and that with Redis unreachable the site still answers and still limits, per process.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from flask import Flask

from tests.live_server import LiveServer, free_port, gunicorn_server
from tests.load import client
from tests.load.client import Answer, Request, statuses, summary

pytestmark = pytest.mark.real_clock  # the gunicorn servers keep the real clock

# CI and the development set-up run Redis here; TEST_REDIS_URL points the tests elsewhere.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

SIGN_IN_PER_MINUTE = 10  # SIGN_IN_ADDRESS_LIMIT
ACCOUNT_FAILURES = 10  # SIGN_IN_ACCOUNT_FAILURES
CODES_PER_EMAIL_PER_HOUR = 10  # portal/code_routes.py, limit_code_requests
CODES_PER_ADDRESS_PER_HOUR = 30


def send(
    server: LiveServer,
    method: str,
    path: str,
    *,
    client_address: str,
    form: dict[str, str] | None = None,
    json_body: dict | None = None,
    cookie: str | None = None,
) -> Answer:
    """One request from ``client_address`` (the servers trust one proxy's X-Forwarded-For)."""
    headers = {"X-Forwarded-For": client_address} | ({"Cookie": cookie} if cookie else {})
    return client.send(
        Request(server, method, path, form=form, json_body=json_body, headers=headers)
    )


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"These tests need Redis at {REDIS_URL} (set TEST_REDIS_URL): {error}")
    yield client
    client.close()


@pytest.fixture
def key_prefix(redis_client: redis.Redis) -> Iterator[str]:
    """A prefix for this test's rate limit keys; they are deleted afterwards."""
    prefix = f"portal-test-{uuid.uuid4().hex}"
    yield prefix
    keys = list(redis_client.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        redis_client.delete(*keys)
    assert not list(redis_client.scan_iter(match=f"*{prefix}*"))


def server_settings(app: Flask, **extra: object) -> dict[str, object]:
    """Production-like settings: CSRF and rate limits on, one trusted proxy."""
    return {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        # Shared, as in production: a session made on one server works on the other.
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PROXY_COUNT": 1,
        "MAIL_BACKEND": "locmem",
        "SMS_BACKEND": "locmem",
        "RATELIMIT_ENABLED": True,
        # The per-address limits are measured: the per-account sign-in lock would otherwise
        # lock the one guessed address at its 10th failure (test_account_lock_... turns it on).
        "SIGN_IN_ACCOUNT_FAILURES": 0,
        **extra,
    }


@contextmanager
def two_servers_with(
    app: Flask, tmp_path: Path, settings: dict[str, object], workers: int = 2
) -> Iterator[tuple[LiveServer, LiveServer]]:
    db_session_closed(app)
    with (
        gunicorn_server(settings, tmp_path, workers=workers, threads=2) as first,
        gunicorn_server(settings, tmp_path, workers=workers, threads=2) as second,
    ):
        yield first, second
        logs = first.log() + second.log()
    assert "Traceback" not in logs, logs


@pytest.fixture
def two_servers(
    app: Flask, tmp_path: Path, key_prefix: str
) -> Iterator[tuple[LiveServer, LiveServer]]:
    settings = server_settings(
        app,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=key_prefix,
        # Only the limiter is measured: the per-address spacing of codes kept in the database
        # would otherwise refuse the second code to one address long before the limiter does.
        ONE_TIME_CODE_RESEND_SECONDS=0,
        ONE_TIME_CODES_PER_HOUR=1000,
    )
    with two_servers_with(app, tmp_path, settings) as servers:
        yield servers


def db_session_closed(app: Flask) -> None:
    from portal.extensions import db

    # The servers write to the same database; the test's own session must not hold it.
    db.session.commit()
    db.session.close()


def alternate(servers: tuple[LiveServer, LiveServer], count: int) -> Iterator[LiveServer]:
    for index in range(count):
        yield servers[index % 2]


def csrf_session(server: LiveServer, client_address: str) -> tuple[str, str]:
    """The sign-in form's CSRF token and the session cookie it belongs to."""
    page = send(server, "GET", "/login", client_address=client_address)
    assert page.status == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.body).group(1)
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    return token, cookie


def assert_limited_page(answer: Answer) -> None:
    assert answer.status == 429, answer.body[:300]
    assert answer.headers.get_content_type() == "text/html"
    assert "Please wait a moment before trying again." in answer.body
    assert answer.headers["Retry-After"]


def assert_limited_json(answer: Answer) -> None:
    assert answer.status == 429, answer.body[:300]
    assert answer.json == {
        "error": "rate_limited",
        "error_description": "Please wait a moment before trying again.",
    }
    assert answer.headers["Retry-After"]


def sign_in_attempts(server: LiveServer, client_address: str) -> Callable[..., Answer]:
    """A function that tries a wrong password on a server, with a valid CSRF token."""
    # One session and token for every server: they share the secret key.
    token, cookie = csrf_session(server, client_address)
    form = {"email": "nobody@example.com", "password": "a guess", "csrf_token": token}

    def attempt(server: LiveServer, client_address: str = client_address) -> Answer:
        return send(
            server, "POST", "/login", client_address=client_address, form=form, cookie=cookie
        )

    return attempt


def test_sign_in_is_limited_per_client_address_across_both_servers(two_servers):
    attempt = sign_in_attempts(two_servers[0], "198.51.100.10")

    allowed = [attempt(server) for server in alternate(two_servers, SIGN_IN_PER_MINUTE)]
    # Wrong password, so 422: the CSRF token was accepted on both servers.
    assert statuses(allowed) == [422] * SIGN_IN_PER_MINUTE, summary(allowed)
    assert "That email and password do not match." in allowed[-1].body

    # Each server has seen only five attempts, yet both refuse the next one.
    for server in two_servers:
        assert_limited_page(attempt(server))

    # Another client address is not affected.
    for server in two_servers:
        assert attempt(server, client_address="198.51.100.11").status == 422


def test_account_lock_holds_across_both_servers(app, tmp_path, key_prefix):
    """Failed sign-ins for one account, from a new client address each time, on both servers."""
    settings = server_settings(
        app,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=key_prefix,
        SIGN_IN_ACCOUNT_FAILURES=ACCOUNT_FAILURES,
    )
    with two_servers_with(app, tmp_path, settings) as servers:
        attempt = sign_in_attempts(servers[0], "198.51.100.40")
        answers = [
            attempt(server, client_address=f"198.51.100.{number}")
            for number, server in enumerate(alternate(servers, ACCOUNT_FAILURES + 2), start=41)
        ]
    assert statuses(answers) == [422] * (ACCOUNT_FAILURES - 1) + [429] * 3, summary(answers)
    assert "Too many failed sign-ins for this account." in answers[-1].body
    assert answers[-1].headers["Retry-After"]


def test_code_sending_is_limited_per_email_address_across_both_servers(two_servers):
    def request_code(server: LiveServer, number: int, email: str = "target@example.org") -> Answer:
        # A new client address each time: only the per-email limit can stop these.
        body = {"email": email, "purpose": "sign-in"}
        return send(
            server, "POST", "/api/otp", client_address=f"203.0.113.{number}", json_body=body
        )

    sends = alternate(two_servers, CODES_PER_EMAIL_PER_HOUR)
    allowed = [request_code(server, number) for number, server in enumerate(sends)]
    assert statuses(allowed) == [202] * CODES_PER_EMAIL_PER_HOUR, summary(allowed)

    for number, server in enumerate(two_servers, start=100):
        assert_limited_json(request_code(server, number))

    # The same clients may still ask for another address: the limit is the email's.
    for number, server in enumerate(two_servers, start=100):
        assert request_code(server, number, email=f"other{number}@example.org").status == 202


def test_code_sending_is_limited_per_client_address_across_both_servers(two_servers):
    address = "192.0.2.20"

    def request_code(server: LiveServer, email: str, client_address: str = address) -> Answer:
        body = {"email": email}
        return send(server, "POST", "/api/otp", client_address=client_address, json_body=body)

    sends = alternate(two_servers, CODES_PER_ADDRESS_PER_HOUR)
    allowed = [
        request_code(server, f"customer{number}@example.org") for number, server in enumerate(sends)
    ]
    assert statuses(allowed) == [202] * CODES_PER_ADDRESS_PER_HOUR, summary(allowed)

    for server in two_servers:
        assert_limited_json(request_code(server, "one-more@example.org"))

    # Another client may still ask for that address: the limit was the client's.
    other_client = request_code(two_servers[0], "one-more@example.org", client_address="192.0.2.21")
    assert other_client.status == 202


def test_with_memory_storage_each_server_counts_alone(app, tmp_path):
    """Why Redis: without it the same attempts never reach the limit of either server."""
    settings = server_settings(app, RATELIMIT_STORAGE_URI="memory://")
    with two_servers_with(app, tmp_path, settings, workers=1) as servers:
        attempt = sign_in_attempts(servers[0], "198.51.100.20")
        answers = [attempt(server) for server in alternate(servers, SIGN_IN_PER_MINUTE + 2)]
    # One process per server, each saw six attempts: nobody was stopped.
    assert statuses(answers) == [422] * (SIGN_IN_PER_MINUTE + 2), summary(answers)


def test_without_redis_the_site_answers_and_each_process_still_limits(app, tmp_path):
    # Nothing listens on this port: every Redis call is refused.
    settings = server_settings(app, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
    db_session_closed(app)
    with gunicorn_server(settings, tmp_path, workers=1, threads=2) as server:
        attempt = sign_in_attempts(server, "198.51.100.30")
        answers = [attempt(server) for _ in range(SIGN_IN_PER_MINUTE + 1)]
        log = server.log()

    # One worker process, so its in-memory fallback sees every attempt.
    assert statuses(answers[:-1]) == [422] * SIGN_IN_PER_MINUTE, summary(answers)
    assert_limited_page(answers[-1])
    assert "Traceback" not in log, log
