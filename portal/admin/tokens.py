"""API tokens: create (the secret is shown once), list, revoke."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.admin.errors import Collector, NotFound
from portal.admin.validation import check_text
from portal.domain.i18n import N_
from portal.models import ApiToken, Role, User, utcnow
from portal.tokens import issue_token

MAX_NAME = 120
# Customers get short-lived bearers after code sign-in, never long-lived tokens.
TOKEN_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.CLIENT_SERVICE)


def token_owners(session: Session) -> Sequence[User]:
    """Users a token may act as: active staff and integrations."""
    return session.scalars(
        select(User)
        .where(User.role.in_(TOKEN_ROLES), User.active.is_(True))
        .order_by(User.name, User.id)
    ).all()


def list_tokens(session: Session, *, include_revoked: bool = True) -> Sequence[ApiToken]:
    query = (
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
    )
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return session.scalars(query).all()


def get_token(session: Session, token_id: uuid.UUID | str) -> ApiToken:
    try:
        key = token_id if isinstance(token_id, uuid.UUID) else uuid.UUID(str(token_id))
    except ValueError:
        raise NotFound(N_("That token does not exist.")) from None
    token = session.get(ApiToken, key)
    if token is None:
        raise NotFound(N_("That token does not exist."))
    return token


def create_token(session: Session, user: User | None, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret; only the hash is stored, show the secret once."""
    errors = Collector()
    clean_name = check_text(name, MAX_NAME)
    if clean_name is None:
        errors.add(
            "name", N_("Say what the token is for, in 1 to %(max)s characters.", max=MAX_NAME)
        )
    if user is None or user.role not in TOKEN_ROLES or not user.active:
        errors.add("user", N_("Choose an active staff or integration user."))
    errors.raise_if_any()
    token, secret = issue_token(user, clean_name)
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, token: ApiToken) -> ApiToken:
    """Revoke a token: it stops working at once. Revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token
