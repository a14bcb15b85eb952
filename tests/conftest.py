"""Fixtures: an app on a clean database per test, on SQLite or PostgreSQL.

``PORTAL_TEST_DATABASE_URL`` (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
runs the suite on that database; otherwise each test gets its own SQLite file.
Every test runs with the clock stopped at one instant (``tests/clock.py``), unless marked
``real_clock``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from portal.models import Base, Role, User
from tests.clock import ENVIRONMENT_VARIABLE as TEST_NOW_VARIABLE
from tests.clock import TEST_NOW

TEST_DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")

# Settings a developer's shell may carry must not leak into tests.
for _name in list(os.environ):
    if _name.startswith("PORTAL_") and _name not in ("PORTAL_TEST_DATABASE_URL", TEST_NOW_VARIABLE):
        del os.environ[_name]


def on_postgres() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


def base_test_config(tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "locmem",
        "SMS_BACKEND": "locmem",
    }


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session):
    # Values computed at import time (module constants, parameters) see the tests' day too.
    with time_machine.travel(TEST_NOW, tick=False):
        return (yield)


@pytest.fixture(autouse=True)
def fixed_clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller | None]:
    """The clock stopped at ``TEST_NOW`` for the whole test; ``.shift()`` moves it on.

    Outcomes that compare with "now" (notice, horizons, past or upcoming, expiry) are then the
    same on every run. A ``real_clock`` test talks to a server that keeps the machine's clock.
    """
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(TEST_NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[None]:
    """On PostgreSQL: one fresh schema for the session, emptied after each test."""
    if not on_postgres():
        yield
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL, "SECRET_KEY": "x"})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        Base.metadata.create_all(db.engine)
    yield


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's settings."""
    return {}


@pytest.fixture
def app(tmp_path: Path, _postgres_schema: None, config_overrides: dict) -> Iterator[Flask]:
    config = base_test_config(tmp_path) | config_overrides
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    # The test keeps one app context open and test-client requests reuse it; each
    # request must still start with an empty ``g``, as in production, or one
    # client's signed-in user and CSRF token would leak into another's request.
    request_started.connect(_fresh_g, app)
    with app.app_context():
        if not on_postgres():
            Base.metadata.create_all(db.engine)
        yield app
        db.session.remove()
        if on_postgres():
            tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def _fresh_g(sender: Flask, **extra) -> None:
    g.__dict__.clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def make_user(
    email: str = "agent@example.com",
    role: Role = Role.AGENT,
    password: str = "correct horse",
    name: str = "Test User",
    timezone: str = "UTC",
    active: bool = True,
) -> User:
    user = User(email=email, name=name, role=role, timezone=timezone, active=active)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def sign_in(client: FlaskClient, email: str, password: str = "correct horse"):
    return client.post("/login", data={"email": email, "password": password})
