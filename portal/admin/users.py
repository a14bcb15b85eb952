"""Staff and integration users: create, update, reset password, deactivate, sign out.

Pages (/admin/users) and the API (/api/users) call these; every rule lives here.
Each function validates everything first and writes nothing when a rule fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.admin.errors import Collector, Conflict, Invalid, NotFound
from portal.admin.validation import check_email, check_text, check_zone_and_locale
from portal.domain.i18n import N_
from portal.models import Role, User
from portal.sign_ins import end_staff_sessions

# Customers are created by booking, never here.
MANAGED_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.CLIENT_SERVICE)
MIN_PASSWORD = 8
MAX_PASSWORD = 200
MAX_NAME = 120
MAX_REFERENCE = 128
USER_FIELDS = frozenset(
    {
        "email",
        "name",
        "role",
        "timezone",
        "locale",
        "password",
        "active",
        "reference",
        "agent_notices",
    }
)


def get_user(session: Session, user_id: uuid.UUID | str) -> User:
    """A staff or integration user by id (customers are not managed here)."""
    try:
        key = user_id if isinstance(user_id, uuid.UUID) else uuid.UUID(str(user_id))
    except ValueError:
        raise NotFound(N_("That user does not exist.")) from None
    user = session.get(User, key)
    if user is None or user.role not in MANAGED_ROLES:
        raise NotFound(N_("That user does not exist."))
    return user


def list_users(
    session: Session,
    *,
    role: Role | None = None,
    active: bool | None = None,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[Sequence[User], int]:
    """Managed users (optionally one role / active state) and the total count."""
    query = select(User).where(User.role.in_(MANAGED_ROLES))
    if role is not None:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    column = {
        "name": User.name,
        "email": User.email,
        "role": User.role,
        "created": User.created_at,
    }[sort]
    query = query.order_by(column.desc() if descending else column, User.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return session.scalars(query).all(), total


def _check_password(errors: Collector, password: Any) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        errors.add(
            "password", N_("The password needs at least %(min)s characters.", min=MIN_PASSWORD)
        )
    elif len(password) > MAX_PASSWORD:
        errors.add(
            "password", N_("The password may have at most %(max)s characters.", max=MAX_PASSWORD)
        )


def _validated(
    session: Session, user: User | None, fields: dict[str, Any], actor: User | None = None
) -> dict[str, Any]:
    """Check ``fields`` against every rule; the cleaned values, or Invalid/Conflict."""
    unknown = set(fields) - USER_FIELDS
    if unknown:
        raise TypeError(f"unknown user fields: {sorted(unknown)}")
    errors = Collector()
    clean: dict[str, Any] = {}
    if "email" in fields:
        clean["email"] = check_email(
            errors, "email", fields["email"], N_("Enter an email address like name@example.com.")
        )
    if "name" in fields:
        name = check_text(fields["name"], MAX_NAME)
        if name is None:
            errors.add("name", N_("Enter a name of 1 to %(max)s characters.", max=MAX_NAME))
        clean["name"] = name
    if "role" in fields:
        try:
            role = Role(fields["role"])
        except (ValueError, TypeError):
            role = None
        if role not in MANAGED_ROLES:
            errors.add("role", N_("The role must be AGENT, SUPERVISOR, ADMIN or CLIENT_SERVICE."))
        clean["role"] = role
    check_zone_and_locale(fields, errors, clean)
    if "reference" in fields:
        # Seed 003 employeeReference: an integration's id for this person; empty clears it.
        reference = fields["reference"]
        if reference is not None and not isinstance(reference, str):
            errors.add("reference", N_("The reference must be text."))
        else:
            reference = (reference or "").strip()
            if len(reference) > MAX_REFERENCE or "\x00" in reference:
                errors.add(
                    "reference",
                    N_("A reference has at most %(max)s characters.", max=MAX_REFERENCE),
                )
            clean["reference"] = reference or None
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            errors.add("active", N_("Active must be true or false."))
        clean["active"] = fields["active"]
    if "agent_notices" in fields:
        if not isinstance(fields["agent_notices"], bool):
            errors.add("agent_notices", N_("Agent notices must be true or false."))
        clean["agent_notices"] = fields["agent_notices"]
    role_after = clean.get("role") or (user.role if user else None)
    if fields.get("password") is not None:
        if role_after == Role.CLIENT_SERVICE:
            errors.add("password", N_("Integration users sign in with API tokens, not passwords."))
        else:
            _check_password(errors, fields["password"])
        clean["password"] = fields["password"]
    errors.raise_if_any()

    email = clean.get("email")
    if email and (user is None or email != user.email):
        taken = session.scalar(select(User.id).where(func.lower(User.email) == email))
        if taken is not None:
            raise Conflict(N_("Another user already has that email address."), "email")
    if user is not None and actor is not None and user.id == actor.id:
        if clean.get("active") is False:
            raise Conflict(N_("You cannot deactivate your own account."), "active")
        if "role" in clean and clean["role"] != user.role:
            raise Conflict(N_("You cannot change your own role."), "role")
    if user is not None and user.role == Role.ADMIN and user.active:
        demoted = "role" in clean and clean["role"] != Role.ADMIN
        deactivated = clean.get("active") is False
        if (demoted or deactivated) and _active_admins(session) <= 1:
            raise Conflict(
                N_("This is the last active administrator: make someone else an admin first."),
                "role" if demoted else "active",
            )
    return clean


def _active_admins(session: Session) -> int:
    query = (
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
    )
    return session.scalar(query) or 0


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role | str,
    timezone: str = "UTC",
    locale: str = "en",
    password: str | None = None,
    active: bool = True,
    reference: str | None = None,
    agent_notices: bool = True,
) -> User:
    """A new staff (AGENT, SUPERVISOR, ADMIN) or integration (CLIENT_SERVICE) user."""
    clean = _validated(
        session,
        None,
        dict(
            email=email,
            name=name,
            role=role,
            timezone=timezone,
            locale=locale,
            password=password,
            active=active,
            reference=reference,
            agent_notices=agent_notices,
        ),
    )
    user = User(
        email=clean["email"],
        name=clean["name"],
        role=clean["role"],
        timezone=clean["timezone"],
        locale=clean["locale"],
        active=clean["active"],
        reference=clean["reference"],
        agent_notices=clean["agent_notices"],
    )
    if clean.get("password") is not None:
        user.set_password(clean["password"])
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, user: User, *, actor: User | None = None, **fields: Any) -> User:
    """Change any of email, name, role, timezone, locale, password, active, reference,
    agent_notices.

    ``actor`` (the admin making the change) may not deactivate themselves or change
    their own role; and the last active admin always stays an active admin.
    """
    clean = _validated(session, user, fields, actor)
    password = clean.pop("password", None)
    if "active" in clean and clean["active"] != user.active:
        # Deactivation ends every session; reactivation starts from none (old cookies stay
        # stale), so a cookie copied before either never works again.
        user.end_sessions()
    for key, value in clean.items():
        setattr(user, key, value)
    if password is not None:
        user.set_password(password)
    if user.role == Role.CLIENT_SERVICE:
        user.password_hash = None  # integrations never sign in with a password
    session.flush()
    return user


def set_agent_notices(session: Session, user: User, enabled: bool) -> User:
    """A staff user's own choice: e-mails about bookings in their calendar, or none."""
    user.agent_notices = bool(enabled)
    session.flush()
    return user


def reset_password(session: Session, user: User, password: str) -> User:
    """Set a new password for a staff user."""
    if user.role == Role.CLIENT_SERVICE:
        message = N_("Integration users sign in with API tokens, not passwords.")  # nosec B105 # text
        raise Invalid(fields={"password": message})
    errors = Collector()
    _check_password(errors, password)
    errors.raise_if_any()
    user.set_password(password)
    session.flush()
    return user


def sign_out_everywhere(session: Session, user: User) -> User:
    """End every browser session of ``user`` (API tokens are revoked on their own)."""
    end_staff_sessions(session, user)
    return user


def deactivate_user(session: Session, user: User, *, actor: User | None = None) -> User:
    """Deactivate a user: signed out on their next request, their API tokens refused."""
    return update_user(session, user, actor=actor, active=False)
