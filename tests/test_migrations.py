"""The migrations build exactly the schema the models describe, on each database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from portal.models import Base
from portal.models.overlap_guard import GUARD_NAME
from tests.conftest import TEST_DATABASE_URL, on_postgres


GUARDS_PRESENT = {
    "postgresql": f"SELECT conname FROM pg_constraint WHERE conname = '{GUARD_NAME}'",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
}
EXPECTED_GUARDS = {
    "postgresql": {GUARD_NAME},
    "sqlite": {f"{GUARD_NAME}_insert", f"{GUARD_NAME}_update"},
}


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if not on_postgres():
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    name = f"portal_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_create_exactly_the_models_schema(empty_database_url, tmp_path):
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"},
        instance_path=str(tmp_path / "instance"),
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
            guards = set(connection.execute(text(GUARDS_PRESENT[db.engine.dialect.name])).scalars())
        assert differences == []
        # Autogenerate sees neither constraints of this kind nor triggers: look for them.
        assert guards == EXPECTED_GUARDS[db.engine.dialect.name]
        assert set(Base.metadata.tables) <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
