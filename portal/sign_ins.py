"""Signing in and out: staff passwords, the per-account failure lock, revocable sessions.

- Staff sessions (Flask-Login at the edge) carry the user's ``session_version``;
  ``end_staff_sessions`` raises it, so every cookie issued before is refused on its
  next request. Logout, a password change, deactivation (and reactivation) and an
  admin's "sign out everywhere" end every session of that user.
- Customer sessions (``/my``) name their sign-in by a random secret; signing out
  stores its hash (``CustomerSignOut``), and a cookie naming an ended sign-in is refused
  wherever it was copied.
- ``check_staff_password`` is the one password check: the same hashing work for
  unknown addresses, and a lock per account after too many failures from any
  address (``AccountLock``), besides the per-address limit the sign-in route keeps.

Nothing here commits: the request that signs in or out commits once.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from limits.storage import MemoryStorage, Storage
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.domain.errors import DomainError, Forbidden, Invalid, Kind
from portal.domain.i18n import N_
from portal.models import CustomerSignOut, User, normalize_email
from portal.models.user import password_matches

log = logging.getLogger(__name__)

WRONG_PASSWORD = N_("That email and password do not match.")
DEACTIVATED = N_("This account is deactivated. Ask an administrator.")


# --- staff sessions ------------------------------------------------------------------


def end_staff_sessions(session: Session, user: User) -> None:
    """End every session of ``user`` (each cookie holds the version this raises).

    Not an edit of the user: ``updated_at`` stays, so an admin's open form of this
    user still saves.
    """
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_version=User.session_version + 1, updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(user, ["session_version"])


# --- customer sessions ---------------------------------------------------------------

# Ended sign-ins are remembered at least this long (longer when sign-ins last longer), so
# raising CUSTOMER_SESSION_HOURS later cannot bring an ended one back.
KEEP_SIGN_OUTS = timedelta(days=30)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_customer_sign_in(email: str, now: datetime) -> dict[str, Any]:
    """What a browser that proved ``email`` keeps in its (signed) session cookie.

    Nothing is written: a sign-in made while booking outlives a booking that fails and
    rolls back ("that time was just taken"), so the next try needs no second code.
    """
    return {
        "sign_in": secrets.token_urlsafe(32),
        "email": normalize_email(email),
        "at": int(now.timestamp()),
    }


def _parsed(data: object) -> tuple[str, str, datetime] | None:
    if not isinstance(data, Mapping):
        return None
    secret, email, at = data.get("sign_in"), data.get("email"), data.get("at")
    if not isinstance(secret, str) or not isinstance(email, str) or not isinstance(at, int):
        return None  # also every cookie from before sign-ins could be ended
    try:
        return secret, email, datetime.fromtimestamp(at, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def customer_signed_in(
    session: Session, data: object, now: datetime, max_age: timedelta
) -> str | None:
    """The address of a live sign-in (recent enough, not ended), else None."""
    parsed = _parsed(data)
    if parsed is None:
        return None
    secret, email, signed_in_at = parsed
    if not timedelta(0) <= now - signed_in_at <= max_age:
        return None
    ended = session.scalar(
        select(CustomerSignOut.id).where(CustomerSignOut.token_hash == _hash(secret))
    )
    return None if ended is not None else email


def end_customer_sign_in(session: Session, data: object, now: datetime, max_age: timedelta) -> None:
    """End one sign-in: its cookie, wherever copied, no longer signs anyone in."""
    session.execute(
        delete(CustomerSignOut).where(
            CustomerSignOut.signed_in_at < now - max(max_age, KEEP_SIGN_OUTS)
        )
    )
    if customer_signed_in(session, data, now, max_age) is None:
        return  # nothing live to end
    secret, _email, signed_in_at = _parsed(data) or ("", "", now)
    session.add(
        CustomerSignOut(token_hash=_hash(secret), signed_in_at=signed_in_at, signed_out_at=now)
    )
    session.flush()


# --- the per-account failure lock ----------------------------------------------------


@dataclass(frozen=True)
class SignInLimits:
    """How many failed sign-ins an account takes, from any address, before it locks."""

    failures: int = 10  # 0: no account lock
    window: timedelta = timedelta(minutes=15)  # counted within this time
    lock: timedelta = timedelta(minutes=15)  # then refused this long, even the right password

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SignInLimits:
        return cls(
            failures=int(config.get("SIGN_IN_ACCOUNT_FAILURES", cls.failures)),
            window=timedelta(minutes=float(config.get("SIGN_IN_ACCOUNT_WINDOW_MINUTES", 15))),
            lock=timedelta(minutes=float(config.get("SIGN_IN_ACCOUNT_LOCK_MINUTES", 15))),
        )


class AccountLocked(DomainError):
    kind = Kind.RATE_LIMITED
    _code = "account_locked"

    def __init__(self, seconds: float) -> None:
        minutes = max(1, math.ceil(seconds / 60))
        if minutes == 1:
            message = N_("Too many failed sign-ins for this account. Try again in 1 minute.")
        else:
            message = N_(
                "Too many failed sign-ins for this account. Try again in %(minutes)s minutes.",
                minutes=minutes,
            )
        super().__init__(message)
        self.retry_after = max(1, math.ceil(seconds))


class AccountLock:
    """Failed sign-ins per account in a ``limits`` storage (Redis shared by every server).

    Keys name a hash of the address, not the address. While the storage does not answer,
    each process counts in its own memory (as Flask-Limiter's fallback does) and tries the
    storage again after ``retry_seconds``: sign-in stays up, the lock is per process then.
    """

    def __init__(
        self,
        storage: Storage,
        limits: SignInLimits,
        prefix: str = "",
        retry_seconds: float = 30.0,
    ) -> None:
        self.limits = limits
        self._storage = storage
        self._fallback = MemoryStorage()
        self._prefix = prefix
        self._retry_seconds = retry_seconds
        self._dead_until = 0.0

    def _key(self, kind: str, email: str) -> str:
        account = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
        return "/".join(part for part in ("LIMITER", self._prefix, kind, account) if part)

    def _call(self, method: str, *args: Any) -> Any:
        if time.monotonic() >= self._dead_until:
            try:
                return getattr(self._storage, method)(*args)
            except Exception:  # any storage failure: keep signing in, counted locally
                log.warning("sign-in lock storage unreachable; counting in memory for now")
                self._dead_until = time.monotonic() + self._retry_seconds
        return getattr(self._fallback, method)(*args)

    @property
    def enabled(self) -> bool:
        return self.limits.failures > 0

    def seconds_locked(self, email: str) -> float:
        """How long this account's sign-in stays refused (0: not locked)."""
        if not self.enabled:
            return 0.0
        key = self._key("sign-in-lock", email)
        if not self._call("get", key):
            return 0.0
        return max(1.0, self._call("get_expiry", key) - time.time())

    def record_failure(self, email: str) -> float:
        """Count a failure; when it is one too many, lock. The seconds locked (0: not)."""
        if not self.enabled:
            return 0.0
        failures = self._key("sign-in-failures", email)
        count = self._call("incr", failures, int(self.limits.window.total_seconds()))
        if count < self.limits.failures:
            return 0.0
        self._call("incr", self._key("sign-in-lock", email), int(self.limits.lock.total_seconds()))
        self._call("clear", failures)
        return self.limits.lock.total_seconds()

    def record_success(self, email: str) -> None:
        if self.enabled:
            self._call("clear", self._key("sign-in-failures", email))


def check_staff_password(session: Session, lock: AccountLock, email: str, password: str) -> User:
    """The active staff user with this address and password, or a refusal.

    Refused: while the account is locked (``AccountLocked``, whatever the password), a
    wrong password or an address without a staff password (``Invalid``, one message for
    both, the same hashing work for both), a deactivated account (``Forbidden``).
    """
    email = normalize_email(email)
    locked = lock.seconds_locked(email)
    if locked:
        raise AccountLocked(locked)
    user = session.scalar(select(User).where(User.email == email))
    staff = user if user is not None and user.is_staff else None
    matched = password_matches(staff, password)  # hashes even when there is no one
    if staff is None or not matched:
        locked = lock.record_failure(email)
        if locked:
            raise AccountLocked(locked)
        raise Invalid(WRONG_PASSWORD, "password")
    lock.record_success(email)
    if not staff.active:
        raise Forbidden(DEACTIVATED, "email")
    return staff
