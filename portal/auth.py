"""Who is asking: staff sessions (Flask-Login) and the roles views require."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort
from flask_login import LoginManager, current_user, login_required, login_user

from portal.extensions import db
from portal.models import Role, User
from portal.models.user import parse_session_id

F = TypeVar("F", bound=Callable[..., Any])


def configure_login(manager: LoginManager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see that page."
    manager.login_message_category = "info"
    # A stolen cookie used from another client loses the session.
    manager.session_protection = "strong"
    manager.user_loader(load_user)


def load_user(session_id: str) -> User | None:
    """The user of a session cookie, while the cookie's session version is the user's.

    Logout, a password change, deactivation and "sign out everywhere" raise the
    version (``portal.sign_ins``): older cookies, wherever copied, load no one.
    """
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    user_id, version = parsed
    user = db.session.get(User, user_id)
    # A user deactivated after signing in is signed out on their next request.
    if user is None or not user.active or not user.is_staff or user.session_version != version:
        return None
    return user


def keep_own_session(user: User) -> None:
    """After ending ``user``'s sessions: if that is the signed-in user, keep this one.

    Whoever changes their own password (or signs themselves out elsewhere) stays signed
    in here; every other session of theirs has ended.
    """
    if current_user.is_authenticated and current_user.id == user.id:
        login_user(user)


def role_required(*roles: Role) -> Callable[[F], F]:
    """Require a signed-in staff user with one of ``roles`` (403 otherwise)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: no scheme, no host, no protocol-relative tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target and "\n" not in target
