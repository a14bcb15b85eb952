"""API tokens: shown once, stored as a hash."""

from __future__ import annotations

import hashlib
import secrets

from portal.models import ApiToken, User

TOKEN_PREFIX = "pt_"  # nosec B105 # the public prefix that marks a token, not a secret


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token row (not yet added to a session) and its secret, which is never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return ApiToken(user=user, name=name, token_hash=hash_token(secret)), secret
