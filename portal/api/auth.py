"""Bearer-token authentication for the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import g, request
from sqlalchemy import select, update

from portal.api.errors import ApiError
from portal.database import begin_write
from portal.extensions import db
from portal.models import ApiToken, Role, User, utcnow
from portal.tokens import hash_token

F = TypeVar("F", bound=Callable[..., Any])

# Writing last-used on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def authenticate() -> User:
    """The active user behind the request's bearer token, or a 401 ApiError."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthorized", "Send an API token as 'Authorization: Bearer <token>'.")
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(secret.strip()))
    )
    if token is None or token.revoked or not token.user.active:
        raise ApiError(
            401, "unauthorized", "The API token is unknown, revoked or its user inactive."
        )
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        user_id = token.user_id
        begin_write(db.session)
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
        return db.session.get(User, user_id)
    return token.user


def require_token(*roles: Role) -> Callable[[F], F]:
    """Authenticate the bearer token; with ``roles``, also require one of them (403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = authenticate()
            if roles and user.role not in roles:
                raise ApiError(403, "forbidden", "This token's role may not do that.")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
