"""Finding 8: calendar-feed secrets were stored in clear.

A copy of the database (a backup, a read-only replica, an SQL injection) must not
hand out every agent's calendar. Only the secret's SHA-256 is kept; the URL is
shown once, when made; renewing it retires the old URL.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from flask_migrate import upgrade
from sqlalchemy import inspect, select, text

from portal import create_app
from portal.calendars.feed import feed_user
from portal.extensions import db
from portal.models import Base, Role, User
from tests.conftest import make_user, sign_in
from tests.test_migrations import empty_database_url  # noqa: F401


def make_feed_link(client) -> str:
    """Press the dashboard button and read the URL where it is shown. Returns the secret."""
    response = client.post("/calendar/secret", data={"next": "/agent"}, follow_redirects=True)
    assert response.status_code == 200
    return re.search(r"/calendar/([A-Za-z0-9_\-]+)\.ics", response.get_data(as_text=True))[1]


def every_stored_value() -> str:
    """Every value in every table, as text: what a copy of the database would show."""
    seen = []
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                seen.extend(str(value) for value in row)
    return "\n".join(seen)


def test_the_database_holds_no_feed_secret_in_clear(app, client):
    make_user("alice@example.com", role=Role.AGENT)
    sign_in(client, "alice@example.com")
    secret = make_feed_link(client)
    assert client.get(f"/calendar/{secret}.ics").status_code == 200

    stored = every_stored_value()
    assert secret not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    # Nor is it shown again: the dashboard only says a link exists.
    dashboard = client.get("/agent").get_data(as_text=True)
    assert secret not in dashboard and "You have a calendar address" in dashboard


def test_a_renewed_secrets_old_url_answers_404(app, client):
    make_user("alice@example.com", role=Role.AGENT)
    sign_in(client, "alice@example.com")
    old = make_feed_link(client)
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    new = make_feed_link(client)
    assert new != old
    anyone = app.test_client()
    assert anyone.get(f"/calendar/{old}.ics").status_code == 404
    assert anyone.get(f"/calendar/{new}.ics").status_code == 200
    # The stored hash is not a secret either: it does not open the feed.
    (stored,) = db.session.scalars(select(User.calendar_secret_hash)).all()
    assert anyone.get(f"/calendar/{stored}.ics").status_code == 404


def test_the_migration_hashes_existing_secrets_in_place(empty_database_url, tmp_path):  # noqa: F811
    """A subscription made before the upgrade keeps working; the clear secret is gone."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"},
        instance_path=str(tmp_path / "instance"),
    )
    secret = "an-old-clear-feed-secret-0123456789abcdef"
    with app.app_context():
        upgrade(revision="9c4f2a7e1b36")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, role, timezone, locale, active,"
                    " calendar_secret, created_at, updated_at) VALUES (:id, 'old@example.com',"
                    " 'Old Agent', 'AGENT', 'UTC', 'en', :active, :secret, :now, :now)"
                ),
                {
                    "id": uuid.uuid4().hex if db.engine.dialect.name == "sqlite" else uuid.uuid4(),
                    "active": True,
                    "secret": secret,
                    "now": "2026-01-01 00:00:00",
                },
            )
        upgrade()
        with db.engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("users")}
            stored = connection.execute(text("SELECT calendar_secret_hash FROM users")).scalar()
        assert "calendar_secret" not in columns
        assert stored == hashlib.sha256(secret.encode()).hexdigest()
        user = feed_user(db.session, secret)
        assert user is not None and user.email == "old@example.com"
        db.session.remove()
        db.engine.dispose()
