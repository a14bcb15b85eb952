"""A small team for the staff-side booking tests: two agents serving one service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, UTC

import pytest

from portal.extensions import db
from portal.models import Role, Service, User
from portal.notifications.defaults import add_default_templates
from tests import factories
from tests.conftest import make_user

UTC = UTC
NOW = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)  # a Monday
TEN = datetime(2030, 3, 5, 10, 0, tzinfo=UTC)  # Tuesday 10:00 UTC


@dataclass
class Team:
    service: Service
    alice: User
    bob: User
    carol: User  # an agent who does not serve the service
    sam: User  # supervisor


@pytest.fixture
def team(app) -> Iterator[Team]:
    alice = factories.agent("alice@example.com", "Alice Able")
    bob = factories.agent("bob@example.com", "Bob Baker")
    carol = factories.agent("carol@example.com", "Carol Cole")
    for person in (alice, bob, carol):
        factories.weekly_hours(person, [(9 * 60, 17 * 60)])
    service = factories.service([alice, bob], duration_minutes=30, minimum_notice_minutes=120)
    add_default_templates(service)
    db.session.commit()
    sam = make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super")
    # Notices carry the customer's manage link, which is an external URL.
    with app.test_request_context("/"):
        yield Team(service, alice, bob, carol, sam)
