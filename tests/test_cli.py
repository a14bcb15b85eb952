"""The flask commands: demo, create-user, create-token, and their error messages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ApiToken, Appointment, Role, Service, User, WorkingHours
from portal.tokens import hash_token
from tests.conftest import make_user, sign_in


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.date_sensitive
def test_demo_is_idempotent_and_prints_sign_in_details(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com" in first.output and "password: demo-password" in first.output
    totals = [count(model) for model in (User, Service, WorkingHours, Appointment)]
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert [count(model) for model in (User, Service, WorkingHours, Appointment)] == totals
    assert "0 new demo appointments" in second.output

    agents = db.session.scalars(select(User).where(User.role == Role.AGENT)).all()
    assert len(agents) == 3
    assert len({agent.timezone for agent in agents}) == 2
    assert count(Service) == 2
    assert count(Appointment) >= 10
    roles = set(db.session.scalars(select(User.role)))
    assert {Role.ADMIN, Role.SUPERVISOR, Role.AGENT} <= roles


@pytest.mark.date_sensitive
def test_demo_admin_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    response = sign_in(client, "admin@example.com", "demo-password")
    assert response.status_code == 302


def test_create_user(app, client):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "New@Example.com",
            "--name",
            "New Agent",
            "--role",
            "agent",
            "--password",
            "long enough",
            "--timezone",
            "Asia/Kolkata",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == Role.AGENT and user.timezone == "Asia/Kolkata"
    assert user.password_hash != "long enough"
    assert sign_in(client, "new@example.com", "long enough").status_code == 302


def test_create_user_with_a_wrong_role_fails_clearly(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "wizard",
            "--password",
            "12345678",
        ]
    )
    assert result.exit_code != 0
    assert "Invalid value for '--role'" in result.output
    assert "Traceback" not in result.output
    assert count(User) == 0


def test_create_user_with_a_duplicate_email_fails_clearly(app):
    make_user("taken@example.com")
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "TAKEN@example.com",
            "--name",
            "X",
            "--role",
            "ADMIN",
            "--password",
            "12345678",
        ]
    )
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert count(User) == 1


def test_create_user_with_a_bad_timezone_fails_clearly(app):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "x@example.com",
            "--name",
            "X",
            "--role",
            "ADMIN",
            "--password",
            "12345678",
            "--timezone",
            "Nowhere/City",
        ]
    )
    assert result.exit_code == 2
    assert "not an IANA time zone name" in result.output


def test_create_user_and_sign_in_share_one_email_rule(app, client):
    runner = app.test_cli_runner()
    base = ["create-user", "--name", "X", "--role", "ADMIN", "--password", "12345678"]
    refused = runner.invoke(args=[*base, "--email", "a@x.test"])
    assert refused.exit_code == 2 and "valid email address" in refused.output
    assert count(User) == 0
    created = runner.invoke(args=[*base, "--email", " Ada@Example.COM "])
    assert created.exit_code == 0, created.output
    assert db.session.scalar(select(User.email)) == "ada@example.com"
    # Whatever create-user accepts, the sign-in form accepts too.
    assert sign_in(client, "Ada@Example.COM", "12345678").status_code == 302


def test_create_token_prints_it_once_and_stores_only_a_hash(app):
    make_user("crm@example.com", role=Role.CLIENT_SERVICE, password="")
    result = app.test_cli_runner().invoke(
        args=["create-token", "--email", "crm@example.com", "--name", "CRM"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert secret.startswith("pt_") and len(secret) > 40
    token = db.session.scalar(select(ApiToken))
    assert token.token_hash == hash_token(secret)
    assert secret not in token.token_hash


def test_create_token_for_an_unknown_user_fails_clearly(app):
    result = app.test_cli_runner().invoke(
        args=["create-token", "--email", "nobody@example.com", "--name", "x"]
    )
    assert result.exit_code == 1
    assert "No user with the email" in result.output


def _flask(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")} | env
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "portal", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_missing_database_directory_is_a_clear_error(tmp_path):
    uri = f"sqlite:///{tmp_path / 'missing' / 'portal.sqlite'}"
    result = _flask(
        "db", "upgrade", env={"PORTAL_SQLALCHEMY_DATABASE_URI": uri, "PORTAL_SECRET_KEY": "x"}
    )
    assert result.returncode != 0
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_commands_before_migrations_say_what_to_run(tmp_path):
    uri = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    result = _flask("demo", env={"PORTAL_SQLALCHEMY_DATABASE_URI": uri, "PORTAL_SECRET_KEY": "x"})
    assert result.returncode == 1
    assert "flask --app portal db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_upgrade_then_demo_from_the_command_line(tmp_path):
    env = {
        "PORTAL_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'cli.sqlite'}",
        "PORTAL_SECRET_KEY": "x",
    }
    assert _flask("db", "upgrade", env=env).returncode == 0
    result = _flask("demo", env=env)
    assert result.returncode == 0, result.stderr
    assert "supervisor@example.com" in result.stdout
