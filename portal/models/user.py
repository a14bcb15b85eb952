"""Users: staff (password sign-in), customers (code sign-in) and integrations."""

from __future__ import annotations

import secrets
import uuid
from enum import StrEnum
from functools import cache

from sqlalchemy import Enum, String, func, true
from sqlalchemy.orm import Mapped, mapped_column, validates
from werkzeug.security import check_password_hash, generate_password_hash

from portal.domain.values import normalize_email
from portal.models.base import Base, Timestamps, UUIDPrimaryKey


class Role(StrEnum):
    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"
    SUPERVISOR = "SUPERVISOR"
    ADMIN = "ADMIN"
    CLIENT_SERVICE = "CLIENT_SERVICE"


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, name="role", create_constraint=True)
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    active: Mapped[bool] = mapped_column(default=True)
    # Seed 003 ``employeeReference``: the staff member's id in an integration's system.
    reference: Mapped[str | None] = mapped_column(String(128), index=True)
    # SHA-256 of the calendar-feed secret; None until the user makes a feed link.
    calendar_secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Part of every staff session cookie: raising it ends all of this user's sessions.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # E-mails (with the invitation) about bookings in this user's calendar: create,
    # reschedule, reassign, cancel. On by default; the agent or an admin turns it off.
    agent_notices: Mapped[bool] = mapped_column(default=True, server_default=true())

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    def set_password(self, password: str) -> None:
        """A new password; every session signed in with the old one ends."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return password_matches(self, password)

    def end_sessions(self) -> None:
        """Make every session cookie issued to this user stale (checked by each request)."""
        self.session_version = (self.session_version or 0) + 1

    # What Flask-Login asks of a user, as plain attributes (no Flask in the models).
    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login keeps this in the session cookie; the version makes old cookies stale.
        return session_id(self.id, self.session_version or 1)

    def __eq__(self, other: object) -> bool:
        # One user whichever session loaded it (Flask-Login's UserMixin did the same).
        if isinstance(other, User):
            return self.id == other.id
        return NotImplemented

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def session_id(user_id: object, version: int) -> str:
    return f"{user_id}:{version}"


def parse_session_id(value: str) -> tuple[uuid.UUID, int] | None:
    """The user id and session version of a session cookie's id, or None if malformed.

    Cookies from before session versions (a bare id) are malformed: signed out once.
    """
    user_id, _, version = value.partition(":")
    try:
        return uuid.UUID(user_id), int(version)
    except ValueError:
        return None


@cache
def _dummy_password_hash() -> str:
    # Hashed like real passwords, so checking against it costs what a real check costs.
    return generate_password_hash(secrets.token_urlsafe(16))


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; the same work when there is no user or password.

    An unknown address, a customer or an integration (no password) is checked against a
    dummy hash, so the answer's timing does not tell which addresses have an account.
    """
    if user is None or not user.password_hash:
        check_password_hash(_dummy_password_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def email_equals(column, email: str):
    """Case-insensitive comparison, for rows written before normalisation."""
    return func.lower(column) == normalize_email(email)
