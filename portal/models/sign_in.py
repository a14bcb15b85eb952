"""Customer sign-outs at ``/my``: the sign-ins the server has ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UUIDPrimaryKey, utcnow


class CustomerSignOut(UUIDPrimaryKey, Base):
    """A customer sign-in that was ended: its cookie, wherever copied, signs no one in.

    A customer's cookie names its sign-in by a random secret; only the secret's SHA-256
    is stored here (like API tokens), with when that sign-in began and ended.
    """

    __tablename__ = "customer_sign_outs"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    signed_in_at: Mapped[datetime] = mapped_column(index=True)
    signed_out_at: Mapped[datetime] = mapped_column(default=utcnow)
