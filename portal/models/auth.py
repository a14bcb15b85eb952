"""Credentials that are not passwords: emailed one-time codes and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UUIDPrimaryKey, utcnow

if TYPE_CHECKING:
    from portal.models.user import User


class CodePurpose(StrEnum):
    BOOKING = "booking"
    SIGN_IN = "sign-in"
    SENDER_VERIFICATION = "sender-verification"


class OneTimeCode(UUIDPrimaryKey, Base):
    __tablename__ = "one_time_codes"

    email: Mapped[str] = mapped_column(String(254), index=True)
    purpose: Mapped[CodePurpose] = mapped_column(
        Enum(
            CodePurpose,
            native_enum=False,
            length=24,
            name="code_purpose",
            create_constraint=True,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(UUIDPrimaryKey, Base):
    __tablename__ = "api_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the secret: tokens are long and random, so a slow hash buys nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
