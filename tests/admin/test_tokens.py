"""API tokens: created with a secret shown once (hash stored), listed, revoked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.admin import tokens
from portal.domain.errors import Invalid, NotFound
from portal.api.auth import authenticate
from portal.extensions import db
from portal.models import ApiToken, Role
from portal.tokens import hash_token
from tests.conftest import make_user


def test_create_stores_only_the_hash(app):
    user = make_user("crm@example.com", role=Role.CLIENT_SERVICE, password="")
    token, secret = tokens.create_token(db.session, user, "  CRM sync ")
    stored = db.session.get(ApiToken, token.id)
    assert stored.name == "CRM sync" and stored.user_id == user.id
    assert stored.token_hash == hash_token(secret) and secret not in stored.token_hash
    with app.test_request_context(headers={"Authorization": f"Bearer {secret}"}):
        assert authenticate().id == user.id


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_create_needs_a_name(name):
    user = make_user("agent@example.com")
    with pytest.raises(Invalid) as caught:
        tokens.create_token(db.session, user, name)
    assert "name" in caught.value.fields


def test_create_needs_an_active_staff_or_integration_user():
    inactive = make_user("gone@example.com", active=False)
    customer = make_user("c@example.org", role=Role.CUSTOMER, password="")
    for user in (None, inactive, customer):
        with pytest.raises(Invalid) as caught:
            tokens.create_token(db.session, user, "x")
        assert "user" in caught.value.fields
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoke_stops_the_token(app):
    user = make_user("agent@example.com")
    token, secret = tokens.create_token(db.session, user, "laptop")
    tokens.revoke_token(db.session, token)
    first = db.session.get(ApiToken, token.id).revoked_at
    assert first is not None
    tokens.revoke_token(db.session, token)
    assert db.session.get(ApiToken, token.id).revoked_at == first
    with app.test_request_context(headers={"Authorization": f"Bearer {secret}"}):
        with pytest.raises(Exception) as caught:
            authenticate()
        assert getattr(caught.value, "status", None) == 401


def test_list_and_get():
    user = make_user("agent@example.com")
    one, _ = tokens.create_token(db.session, user, "one")
    two, _ = tokens.create_token(db.session, user, "two")
    tokens.revoke_token(db.session, one)
    assert {token.name for token in tokens.list_tokens(db.session)} == {"one", "two"}
    assert [token.name for token in tokens.list_tokens(db.session, include_revoked=False)] == [
        "two"
    ]
    assert tokens.get_token(db.session, str(two.id)).id == two.id
    with pytest.raises(NotFound):
        tokens.get_token(db.session, "nope")


def test_token_owners_are_active_staff_and_integrations():
    make_user("agent@example.com", name="Agent")
    make_user("crm@example.com", name="CRM", role=Role.CLIENT_SERVICE, password="")
    make_user("gone@example.com", name="Gone", active=False)
    make_user("c@example.org", name="Customer", role=Role.CUSTOMER, password="")
    assert [user.name for user in tokens.token_owners(db.session)] == ["Agent", "CRM"]
