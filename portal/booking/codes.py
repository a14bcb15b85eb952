"""One-time codes: a 6-digit code emailed to prove that someone reads an address.

Used before a booking is created (``booking``), to sign a customer in to
``/my`` (``sign-in``) and by the JSON API (``POST /api/otp``). The domain API:

- ``request_code(session, email, purpose, now)`` issues a new code and emails it
  at once (not through the outbox: the customer is waiting for it); raises
  ``CodeThrottled`` when asked again too soon and ``CodeNotSent`` when the mail
  server refuses it;
- ``verify_code(session, email, purpose, code, now)`` returns normally when the
  code is right (and uses it up), else raises ``WrongCode`` (with the tries
  left), ``CodeExpired`` or ``TooManyAttempts``;
- ``issue_code`` makes a code without sending it (tests, other channels).

Codes are stored as an HMAC-SHA256 keyed with ``SECRET_KEY`` (a database dump
alone cannot be brute-forced), live ``ONE_TIME_CODE_MINUTES`` (10), allow
``ONE_TIME_CODE_MAX_ATTEMPTS`` (5) wrong tries, and a new one is sent at most
every ``ONE_TIME_CODE_RESEND_SECONDS`` (60) per address. Issuing a code
retires the earlier ones for the same address and purpose.

Routes add Flask-Limiter limits per address and per IP with
``limit_code_requests`` / ``limit_code_checks`` (shared scopes, so the
booking pages, ``/my`` and the API count together).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from flask import current_app, request
from flask_mailman import EmailMessage
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from portal.domain.errors import Kind
from portal.booking.errors import BookingError
from portal.database import lock_calendars
from portal.extensions import limiter
from portal.models import CodePurpose, OneTimeCode, normalize_email, utcnow

CODE_DIGITS = 6
DEFAULT_RESEND_SECONDS = 60
# Beyond the resend spacing: at most this many codes per address and hour.
DEFAULT_CODES_PER_HOUR = 6

F = TypeVar("F", bound=Callable)


# --- errors ------------------------------------------------------------------


class CodeError(BookingError):
    """A code could not be checked or sent; ``message`` is fit to show the customer."""

    kind = Kind.UNAUTHORIZED


class WrongCode(CodeError):
    def __init__(self, remaining: int) -> None:
        self.remaining = remaining
        tries = "1 more try" if remaining == 1 else f"{remaining} more tries"
        super().__init__(f"That code is not right. Check the email and try again ({tries}).")


class CodeExpired(CodeError):
    def __init__(
        self, message: str = "That code has expired. Ask for a new one and use it within 10 minutes."
    ) -> None:
        super().__init__(message)


class TooManyAttempts(CodeError):
    def __init__(self) -> None:
        super().__init__("Too many wrong tries for that code. Ask for a new one.")


class CodeThrottled(CodeError):
    kind = Kind.RATE_LIMITED

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(
            f"A code was sent to this address moments ago. You can ask for another "
            f"in {self.retry_after} seconds."
        )


class CodeNotSent(CodeError):
    kind = Kind.UNAVAILABLE
    _code = "mail_unavailable"

    def __init__(self) -> None:
        super().__init__("We could not send the email just now. Please try again in a minute.")


# --- the domain API ------------------------------------------------------------


def _purpose(purpose: CodePurpose | str) -> CodePurpose:
    return CodePurpose(purpose)


def _digest(email: str, purpose: CodePurpose, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"{purpose.value}\x00{email}\x00{code}".encode()
    return "hmac-sha256$" + hmac.new(key, message, hashlib.sha256).hexdigest()


def _validity() -> timedelta:
    return timedelta(minutes=current_app.config.get("ONE_TIME_CODE_MINUTES", 10))


def _max_attempts() -> int:
    return int(current_app.config.get("ONE_TIME_CODE_MAX_ATTEMPTS", 5))


def issue_code(
    session: Session, email: str, purpose: CodePurpose | str, now: datetime | None = None
) -> str:
    """A new code for (email, purpose), committed; earlier unused ones stop working."""
    return _issue(session, email, purpose, now or utcnow())[1]


def _begin_write(session: Session) -> None:
    """Start the transaction as a writer now.

    On SQLite a transaction that reads and then writes can fail at once with
    "database is locked" when another writer committed in between; taking the
    write lock first (``BEGIN IMMEDIATE``, via ``lock_calendars`` with no
    agents) makes concurrent code checks wait their turn instead. On PostgreSQL
    this is a no-op: the conditional UPDATEs below are atomic there.
    """
    lock_calendars(session, ())


def _issue(
    session: Session, email: str, purpose: CodePurpose | str, now: datetime, *, begin: bool = True
) -> tuple[OneTimeCode, str]:
    email, purpose = normalize_email(email), _purpose(purpose)
    if begin:
        _begin_write(session)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.email == email,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    row = OneTimeCode(
        email=email,
        purpose=purpose,
        code_hash=_digest(email, purpose, code),
        expires_at=now + _validity(),
        created_at=now,
    )
    session.add(row)
    session.commit()
    return row, code


def check_throttle(
    session: Session, email: str, purpose: CodePurpose | str, now: datetime | None = None
) -> None:
    """Raise ``CodeThrottled`` if a new code for this address may not be sent yet."""
    now = now or utcnow()
    email, purpose = normalize_email(email), _purpose(purpose)
    spacing = timedelta(
        seconds=current_app.config.get("ONE_TIME_CODE_RESEND_SECONDS", DEFAULT_RESEND_SECONDS)
    )
    recent = session.scalars(
        select(OneTimeCode.created_at)
        .where(
            OneTimeCode.email == email,
            OneTimeCode.purpose == purpose,
            OneTimeCode.created_at > now - timedelta(hours=1),
        )
        .order_by(OneTimeCode.created_at.desc())
    ).all()
    if recent and recent[0] > now - spacing:
        raise CodeThrottled(math.ceil((recent[0] + spacing - now).total_seconds()))
    per_hour = current_app.config.get("ONE_TIME_CODES_PER_HOUR", DEFAULT_CODES_PER_HOUR)
    if len(recent) >= per_hour:
        oldest = recent[per_hour - 1]
        raise CodeThrottled(math.ceil((oldest + timedelta(hours=1) - now).total_seconds()))


def request_code(
    session: Session, email: str, purpose: CodePurpose | str, now: datetime | None = None
) -> None:
    """Issue a code and email it now. Raises ``CodeThrottled`` or ``CodeNotSent``."""
    now = now or utcnow()
    email, purpose = normalize_email(email), _purpose(purpose)
    _begin_write(session)
    try:
        check_throttle(session, email, purpose, now)
    except CodeThrottled:
        session.rollback()
        raise
    row, code = _issue(session, email, purpose, now, begin=False)
    try:
        _send(email, purpose, code)
    except Exception:
        current_app.logger.exception("Could not send a %s code", purpose.value)
        # The code never reached anyone: forget it, so asking again is not throttled.
        session.rollback()
        session.execute(delete(OneTimeCode).where(OneTimeCode.id == row.id))
        session.commit()
        raise CodeNotSent() from None


def verify_code(
    session: Session,
    email: str,
    purpose: CodePurpose | str,
    code: str,
    now: datetime | None = None,
) -> None:
    """Accept and use up the current code for (email, purpose), or raise a ``CodeError``.

    Every try counts (atomically, so parallel guesses cannot exceed the
    maximum); the right code on the last allowed try still works.
    """
    now = now or utcnow()
    email, purpose = normalize_email(email), _purpose(purpose)
    code = "".join((code or "").split())
    _begin_write(session)
    current = session.scalars(
        select(OneTimeCode)
        .where(
            OneTimeCode.email == email,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
        )
        .order_by(OneTimeCode.created_at.desc())
        .limit(1)
    ).first()
    if current is None:
        session.rollback()
        raise CodeExpired("There is no valid code for this address. Ask for a new one.")
    if current.expires_at <= now:
        session.rollback()
        raise CodeExpired()
    maximum = _max_attempts()
    counted = session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == current.id,
            OneTimeCode.attempts < maximum,
            OneTimeCode.used_at.is_(None),
        )
        .values(attempts=OneTimeCode.attempts + 1)
        .returning(OneTimeCode.attempts)
    ).scalar_one_or_none()
    if counted is None:
        session.commit()
        raise TooManyAttempts()
    expected = current.code_hash
    given = _digest(email, purpose, code) if code.isdigit() and len(code) == CODE_DIGITS else ""
    if not hmac.compare_digest(expected, given):
        session.commit()
        if counted >= maximum:
            raise TooManyAttempts()
        raise WrongCode(maximum - counted)
    used = session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == current.id, OneTimeCode.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    session.commit()
    if used != 1:  # the same code was used by a parallel request a moment ago
        raise CodeExpired("That code was already used. Ask for a new one.")


# --- mail ----------------------------------------------------------------------

_SUBJECTS = {
    CodePurpose.BOOKING: "{code} is your code to confirm your booking",
    CodePurpose.SIGN_IN: "{code} is your sign-in code",
    CodePurpose.SENDER_VERIFICATION: "{code} is your code to verify this sender address",
}
_PURPOSE_TEXT = {
    CodePurpose.BOOKING: "confirm your booking",
    CodePurpose.SIGN_IN: "sign in to see your appointments",
    CodePurpose.SENDER_VERIFICATION: "verify this address as a sender",
}


def _send(email: str, purpose: CodePurpose, code: str) -> None:
    minutes = int(_validity().total_seconds() // 60)
    body = (
        f"Hello,\n\n"
        f"Your code to {_PURPOSE_TEXT[purpose]} is:\n\n"
        f"    {code}\n\n"
        f"It works for {minutes} minutes. If you did not ask for it, ignore this email: "
        f"nothing happens without the code.\n"
    )
    message = EmailMessage(
        subject=_SUBJECTS[purpose].format(code=code),
        body=body,
        from_email=current_app.config.get("MAIL_DEFAULT_SENDER"),
        to=[email],
    )
    message.send()


# --- Flask-Limiter helpers for the routes that send or check codes ---------------


def _ip_key() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def _email_key(email_of: Callable[[], str | None]) -> Callable[[], str]:
    def key() -> str:
        try:
            email = email_of()
        except Exception:  # a malformed body must not break the limiter
            email = None
        return f"email:{normalize_email(email)}" if email else _ip_key()

    return key


def _code_limits(kind: str, per_ip: str, per_email: str, email_of: Callable[[], str | None]):
    """Per-IP and per-address limits shared by every route of one kind (send or check)."""

    def decorator(view: F) -> F:
        view = limiter.shared_limit(
            per_ip, scope=f"code-{kind}-ip", key_func=_ip_key, methods=["POST"]
        )(view)
        view = limiter.shared_limit(
            per_email, scope=f"code-{kind}-email", key_func=_email_key(email_of), methods=["POST"]
        )(view)
        return view

    return decorator


def limit_code_requests(email_of: Callable[[], str | None]) -> Callable[[F], F]:
    """Limits for routes that send codes: per IP and per address, across all such routes."""
    return _code_limits("send", "30 per hour", "10 per hour", email_of)


def limit_code_checks(email_of: Callable[[], str | None]) -> Callable[[F], F]:
    """Limits for routes that check codes (the per-code try limit still applies)."""
    return _code_limits("check", "60 per hour", "20 per hour", email_of)


__all__ = [
    "CodeError",
    "CodeExpired",
    "CodeNotSent",
    "CodeThrottled",
    "TooManyAttempts",
    "WrongCode",
    "check_throttle",
    "issue_code",
    "limit_code_checks",
    "limit_code_requests",
    "request_code",
    "verify_code",
]
