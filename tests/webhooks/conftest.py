from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.extensions import db
from portal.models import Role, User
from portal.tokens import issue_token
from tests.conftest import make_user
from tests.webhooks.receiver import Receiver


def bearer(user: User) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin_auth(app) -> dict[str, str]:
    return bearer(make_user("admin@example.com", role=Role.ADMIN, name="Ada Admin"))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
