"""Attack: guess a staff password from many client addresses.

The per-address limit (10 tries a minute) alone let 60 wrong passwords from 6 addresses
through, then the right one signed in. Failures now also count per account, from any
address: after ``SIGN_IN_ACCOUNT_FAILURES`` the account's sign-in is refused for
``SIGN_IN_ACCOUNT_LOCK_MINUTES``, even with the right password. An unknown address costs
the same password hashing as a known one, so timing does not tell accounts apart.

The same tests run with the counts in memory (the test default) and in Redis (as in
production with several app servers), under a key prefix of their own that is deleted after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import sign_in_lock
from portal.models import Role
from portal.sign_ins import SignInLimits
from tests.conftest import make_user

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LOCKED = "Too many failed sign-ins for this account. Try again in"
WRONG = "That email and password do not match."
PASSWORD = "correct horse"  # nosec B105 # the test users' password


@pytest.fixture(params=["memory", "redis"])
def config_overrides(request: pytest.FixtureRequest) -> Iterator[dict]:
    if request.param == "memory":
        yield {}
        return
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"These tests need Redis at {REDIS_URL} (set TEST_REDIS_URL): {error}")
    prefix = f"portal-test-{uuid.uuid4().hex}"
    yield {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def attempt(app: Flask, email: str, password: str, address: str):
    """One sign-in from a fresh browser at ``address``."""
    client: FlaskClient = app.test_client()
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def stored_keys(config: dict) -> list[bytes]:
    """The keys this test wrote to Redis (none in memory)."""
    if "RATELIMIT_KEY_PREFIX" not in config:
        return []
    with redis.Redis.from_url(REDIS_URL) as client:
        return list(client.scan_iter(match=f"*{config['RATELIMIT_KEY_PREFIX']}*"))


def test_guessing_from_many_addresses_locks_the_account(app, config_overrides):
    make_user("agent@example.com", Role.AGENT)
    make_user("other@example.com", Role.AGENT)
    answers = [
        attempt(app, "agent@example.com", f"guess {n}", f"203.0.113.{n}") for n in range(1, 21)
    ]
    assert all(answer.status_code in (422, 429) for answer in answers)
    assert all(WRONG in answer.get_data(as_text=True) for answer in answers[:9])
    assert all(LOCKED in answer.get_data(as_text=True) for answer in answers[9:])
    if config_overrides:  # counted in Redis, shared by every app server
        assert any(b"sign-in-lock" in key for key in stored_keys(config_overrides))

    # The right password from a 21st address is refused too, with the reason and a delay.
    right = attempt(app, "agent@example.com", PASSWORD, "203.0.113.21")
    assert right.status_code == 429
    assert LOCKED in right.get_data(as_text=True)
    assert "Try again in 15 minutes." in right.get_data(as_text=True)
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60
    assert "Sign out" not in right.get_data(as_text=True)

    # Another account is not affected, from any of those addresses.
    other = attempt(app, "other@example.com", PASSWORD, "203.0.113.1")
    assert other.status_code == 302


def test_the_lock_ends_after_its_time(app, fixed_clock, config_overrides):
    if config_overrides:
        pytest.skip("Redis expires keys on its own clock, which the tests do not move")
    make_user("agent@example.com", Role.AGENT)
    for n in range(10):
        attempt(app, "agent@example.com", "wrong", f"198.51.100.{n}")
    assert attempt(app, "agent@example.com", PASSWORD, "198.51.100.50").status_code == 429
    fixed_clock.shift(timedelta(minutes=14))
    still = attempt(app, "agent@example.com", PASSWORD, "198.51.100.51")
    assert "Try again in 1 minute." in still.get_data(as_text=True)
    fixed_clock.shift(timedelta(minutes=1, seconds=1))
    assert attempt(app, "agent@example.com", PASSWORD, "198.51.100.52").status_code == 302


def test_a_success_clears_earlier_failures(app):
    make_user("agent@example.com", Role.AGENT)
    for _round in range(2):
        for n in range(9):
            attempt(app, "agent@example.com", "wrong", f"192.0.2.{n}")
        assert attempt(app, "agent@example.com", PASSWORD, "192.0.2.99").status_code == 302


def test_unknown_addresses_lock_alike(app):
    # An unknown address answers like a known one, lock included: nothing to enumerate.
    answers = [attempt(app, "nobody@example.com", "guess", f"203.0.113.{n}") for n in range(11)]
    assert WRONG in answers[0].get_data(as_text=True)
    assert LOCKED in answers[-1].get_data(as_text=True)


def test_the_account_limit_is_configurable(app):
    limits = SignInLimits.from_config(
        {"SIGN_IN_ACCOUNT_FAILURES": 3, "SIGN_IN_ACCOUNT_LOCK_MINUTES": 5}
    )
    assert limits.lock == timedelta(minutes=5) and limits.window == timedelta(minutes=15)
    sign_in_lock(app).limits = limits
    make_user("agent@example.com", Role.AGENT)
    for n in range(3):
        attempt(app, "agent@example.com", "wrong", f"203.0.113.{n}")
    assert attempt(app, "agent@example.com", PASSWORD, "203.0.113.9").status_code == 429


@pytest.mark.parametrize("email", ["nobody@example.com", "customer@example.com"])
def test_an_address_without_a_staff_password_costs_a_password_check(app, monkeypatch, email):
    from portal.models import user as user_module

    make_user("customer@example.com", Role.CUSTOMER, password="")
    checked: list[str] = []
    real_check = user_module.check_password_hash

    def spy(pwhash: str, password: str) -> bool:
        checked.append(password)
        return real_check(pwhash, password)

    monkeypatch.setattr(user_module, "check_password_hash", spy)
    answer = attempt(app, email, "some guess", "203.0.113.7")
    assert answer.status_code == 422 and WRONG in answer.get_data(as_text=True)
    assert checked == ["some guess"]
