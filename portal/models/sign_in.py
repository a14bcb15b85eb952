"""Customer sign-ins at ``/my``: one row per browser that proved an address with a code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDPrimaryKey, utcnow


class CustomerSignIn(UUIDPrimaryKey, Base):
    """The server's side of a customer's session cookie, so that signing out ends it.

    The cookie carries a random secret; only its SHA-256 is stored (like API tokens).
    """

    __tablename__ = "customer_sign_ins"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    revoked_at: Mapped[datetime | None]

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
