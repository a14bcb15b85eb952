"""Users: staff (password sign-in), customers (code sign-in) and integrations."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum, String, func
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
    # SHA-256 of the calendar-feed secret; None until the user makes a feed link.
    calendar_secret_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    @validates("email")
    def _normalize_email(self, _key: str, value: str) -> str:
        return normalize_email(value)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

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
        return str(self.id)

    def __eq__(self, other: object) -> bool:
        # One user whichever session loaded it (Flask-Login's UserMixin did the same).
        if isinstance(other, User):
            return self.get_id() == other.get_id()
        return NotImplemented

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


def email_equals(column, email: str):
    """Case-insensitive comparison, for rows written before normalisation."""
    return func.lower(column) == normalize_email(email)
