"""One-time codes: a 6-digit code emailed to prove that someone reads an address.

One module for every purpose (``CodePurpose``): confirming a booking, signing
in at ``/my`` or through ``POST /api/otp/verify``, and verifying a service's
sender address. It knows nothing of Flask: the settings arrive as a
``CodeSettings``, the mail as a ``deliver(to, subject, body)`` callable, and the
rate limits per address and IP stay with the routes (``portal.code_routes``).

- ``send_code`` issues a code and hands it to ``deliver`` at once (booking and
  sign-in: the customer is waiting); raises ``CodeThrottled`` when asked again
  too soon and ``CodeNotSent`` when delivery fails (the code is then forgotten).
- ``issue_code`` makes a code without the throttle (sender verification queues
  it through the outbox, in the same unit of work as the address change).
- ``verify_code`` returns when the code is right and retires it, else raises
  ``WrongCode`` (with the tries left), ``CodeExpired`` or ``TooManyAttempts``.

Codes are stored as an HMAC-SHA256 keyed with the secret (a database dump alone
cannot be brute-forced), live ``lifetime``, allow ``max_attempts`` tries, and a
new one retires the earlier ones for the same address and purpose.

Every try counts, atomically (a conditional ``UPDATE ... WHERE attempts < max``,
so parallel guesses cannot pass the limit), and in a short transaction of its
own that commits at once: the request that made the try may fail and roll back
everything else, the try stays counted. Retiring a right code belongs to the
request's unit of work, so a request that fails after the check (the slot was
taken meanwhile) leaves the code usable for another try.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.database import is_writing, lock_calendars
from portal.domain.errors import DomainError, Kind
from portal.domain.i18n import N_
from portal.models import CodePurpose, OneTimeCode, normalize_email, utcnow
from portal.notifications.language import Wording, wording_in

log = logging.getLogger(__name__)

CODE_DIGITS = 6

# Delivers one mail: (to, subject, text body). Raises when it cannot.
Deliver = Callable[[str, str, str], None]


@dataclass(frozen=True)
class CodeSettings:
    """What the portal's configuration says about codes (DESIGN.md 3)."""

    secret: str
    lifetime: timedelta = timedelta(minutes=10)
    max_attempts: int = 5
    resend_spacing: timedelta = timedelta(seconds=60)
    per_hour: int = 6  # beyond the spacing: at most this many new codes per address an hour
    locale: str = "en"  # the language of the code mails (the asking person's)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, locale: str | None = None) -> CodeSettings:
        return cls(
            secret=str(config["SECRET_KEY"]),
            lifetime=timedelta(minutes=int(config.get("ONE_TIME_CODE_MINUTES", 10))),
            max_attempts=int(config.get("ONE_TIME_CODE_MAX_ATTEMPTS", 5)),
            resend_spacing=timedelta(seconds=int(config.get("ONE_TIME_CODE_RESEND_SECONDS", 60))),
            per_hour=int(config.get("ONE_TIME_CODES_PER_HOUR", 6)),
            locale=locale or "en",
        )

    @property
    def lifetime_text(self) -> str:
        """The lifetime as people say it: "10 minutes", "1 hour", "90 seconds"."""
        seconds = int(self.lifetime.total_seconds())
        if seconds >= 3600 and seconds % 3600 == 0:
            hours = seconds // 3600
            return N_("1 hour") if hours == 1 else N_("%(count)s hours", count=hours)
        if seconds >= 60 and seconds % 60 == 0:
            minutes = seconds // 60
            return N_("1 minute") if minutes == 1 else N_("%(count)s minutes", count=minutes)
        return N_("1 second") if seconds == 1 else N_("%(count)s seconds", count=seconds)

    def lifetime_in(self, wording: Wording) -> str:
        """``lifetime_text`` in the mail's language: "10 Minuten", "1 heure"."""
        seconds = int(self.lifetime.total_seconds())
        if seconds >= 3600 and seconds % 3600 == 0:
            return wording.ngettext("%(num)d hour", "%(num)d hours", seconds // 3600)
        if seconds >= 60 and seconds % 60 == 0:
            return wording.ngettext("%(num)d minute", "%(num)d minutes", seconds // 60)
        return wording.ngettext("%(num)d second", "%(num)d seconds", seconds)


# --- errors ------------------------------------------------------------------


class CodeError(DomainError):
    """A code could not be checked or sent; ``message`` is fit to show the person."""

    kind = Kind.UNAUTHORIZED


class WrongCode(CodeError):
    def __init__(self, remaining: int) -> None:
        self.remaining = remaining
        if remaining == 1:
            message = N_("That code is not right. Check the email and try again (1 more try).")
        else:
            message = N_(
                "That code is not right. Check the email and try again (%(count)s more tries).",
                count=remaining,
            )
        super().__init__(message)


class CodeExpired(CodeError):
    def __init__(self, message: str = N_("That code has expired. Ask for a new one.")) -> None:
        super().__init__(message)


class TooManyAttempts(CodeError):
    def __init__(self) -> None:
        super().__init__(N_("Too many wrong tries for that code. Ask for a new one."))


class CodeThrottled(CodeError):
    kind = Kind.RATE_LIMITED

    def __init__(self, retry_after: int, *, code_pending: bool = False) -> None:
        self.retry_after = max(1, retry_after)
        # True when the refusal is the resend spacing: the code sent moments ago still works.
        self.code_pending = code_pending
        super().__init__(
            N_(
                "A code was sent to this address moments ago. You can ask for another "
                "in %(seconds)s seconds.",
                seconds=self.retry_after,
            )
        )


class CodeNotSent(CodeError):
    kind = Kind.UNAVAILABLE
    _code = "mail_unavailable"

    def __init__(self) -> None:
        super().__init__(N_("We could not send the email just now. Please try again in a minute."))


# --- issuing -------------------------------------------------------------------


def _digest(settings: CodeSettings, email: str, purpose: CodePurpose, code: str) -> str:
    message = f"{purpose.value}\x00{email}\x00{code}".encode()
    return "hmac-sha256$" + hmac.new(settings.secret.encode(), message, hashlib.sha256).hexdigest()


def issue_code(
    session: Session,
    settings: CodeSettings,
    email: str,
    purpose: CodePurpose | str,
    now: datetime | None = None,
) -> str:
    """A new code for (email, purpose), flushed; earlier unused ones stop working."""
    now = now or utcnow()
    email, purpose = normalize_email(email), CodePurpose(purpose)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.email == email,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.add(
        OneTimeCode(
            email=email,
            purpose=purpose,
            code_hash=_digest(settings, email, purpose, code),
            expires_at=now + settings.lifetime,
            created_at=now,
        )
    )
    session.flush()
    return code


def check_throttle(
    session: Session,
    settings: CodeSettings,
    email: str,
    purpose: CodePurpose | str,
    now: datetime | None = None,
) -> None:
    """Raise ``CodeThrottled`` if a new code for this address may not be sent yet.

    The spacing guards a code still waiting to be used (asking again at once only
    buries it under a newer mail); a code already used (the booking it confirmed is
    made) does not hold the next one back. The hourly count takes every code.
    """
    now = now or utcnow()
    email, purpose = normalize_email(email), CodePurpose(purpose)
    recent = session.execute(
        select(OneTimeCode.created_at, OneTimeCode.used_at)
        .where(
            OneTimeCode.email == email,
            OneTimeCode.purpose == purpose,
            OneTimeCode.created_at > now - timedelta(hours=1),
        )
        .order_by(OneTimeCode.created_at.desc())
    ).all()
    spacing = settings.resend_spacing
    # A newer code retires the older ones, so at most one is waiting.
    waiting = [r.created_at for r in recent if r.used_at is None and r.created_at > now - spacing]
    if waiting:
        wait = math.ceil((waiting[0] + spacing - now).total_seconds())
        raise CodeThrottled(wait, code_pending=True)
    if len(recent) >= settings.per_hour:
        oldest = recent[settings.per_hour - 1].created_at
        raise CodeThrottled(math.ceil((oldest + timedelta(hours=1) - now).total_seconds()))


def send_code(
    session: Session,
    settings: CodeSettings,
    email: str,
    purpose: CodePurpose | str,
    deliver: Deliver,
    now: datetime | None = None,
) -> None:
    """Issue a code and deliver it now. Raises ``CodeThrottled`` or ``CodeNotSent``."""
    now = now or utcnow()
    email, purpose = normalize_email(email), CodePurpose(purpose)
    lock_calendars(session, ())  # SQLite: the write lock before the throttle's read
    check_throttle(session, settings, email, purpose, now)
    savepoint = session.begin_nested()
    code = issue_code(session, settings, email, purpose, now)
    subject, body = code_mail(settings, purpose, code, wording=wording_in(session, settings.locale))
    try:
        deliver(email, subject, body)
    except Exception:
        log.exception("Could not send a %s code", purpose.value)
        # The code never reached anyone: forget it (and keep the earlier one), so asking
        # again is not throttled.
        savepoint.rollback()
        raise CodeNotSent() from None
    savepoint.commit()


# --- checking ------------------------------------------------------------------


def verify_code(
    session: Session,
    settings: CodeSettings,
    email: str,
    purpose: CodePurpose | str,
    code: str,
    now: datetime | None = None,
) -> None:
    """Accept the current code for (email, purpose) and retire it, or raise a ``CodeError``.

    Call it before the request writes anything: the try is counted and committed
    on a connection of its own, which on SQLite would otherwise wait for the
    request's own write lock. The right code on the last allowed try still works.
    """
    now = now or utcnow()
    email, purpose = normalize_email(email), CodePurpose(purpose)
    if is_writing(session):
        raise RuntimeError("verify_code must come before the request writes anything")
    code_id = _count_try(session, settings, email, purpose, "".join((code or "").split()), now)
    # SQLite: the request's read snapshot predates the count; take the write lock afresh.
    lock_calendars(session, ())
    retired = session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == code_id, OneTimeCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if retired != 1:  # a parallel request used the same code a moment ago
        raise CodeExpired(N_("That code was already used. Ask for a new one."))


def _count_try(
    session: Session,
    settings: CodeSettings,
    email: str,
    purpose: CodePurpose,
    code: str,
    now: datetime,
) -> uuid.UUID:
    """Count one try in its own committed transaction; the code's id when it is right."""
    maximum = settings.max_attempts
    with Session(bind=session.get_bind()) as own:
        lock_calendars(own, ())  # SQLite: parallel tries queue for the write lock
        current = own.execute(
            select(OneTimeCode.id, OneTimeCode.code_hash, OneTimeCode.expires_at)
            .where(
                OneTimeCode.email == email,
                OneTimeCode.purpose == purpose,
                OneTimeCode.used_at.is_(None),
            )
            .order_by(OneTimeCode.created_at.desc())
            .limit(1)
        ).first()
        if current is None:
            raise CodeExpired(N_("There is no valid code for this address. Ask for a new one."))
        if current.expires_at <= now:
            raise CodeExpired(
                N_(
                    "That code has expired. Ask for a new one and use it within %(lifetime)s.",
                    lifetime=settings.lifetime_text,
                )
            )
        counted = own.execute(
            update(OneTimeCode)
            .where(
                OneTimeCode.id == current.id,
                OneTimeCode.attempts < maximum,
                OneTimeCode.used_at.is_(None),
            )
            .values(attempts=OneTimeCode.attempts + 1)
            .returning(OneTimeCode.attempts)
        ).scalar_one_or_none()
        own.commit()
    if counted is None:
        raise TooManyAttempts()
    looks_right = code.isdigit() and len(code) == CODE_DIGITS
    given = _digest(settings, email, purpose, code) if looks_right else ""
    if not hmac.compare_digest(current.code_hash, given):
        if counted >= maximum:
            raise TooManyAttempts()
        raise WrongCode(maximum - counted)
    return current.id


# --- the mail ------------------------------------------------------------------


def _subject(wording: Wording, purpose: CodePurpose, code: str) -> str:
    if purpose == CodePurpose.BOOKING:
        return wording.gettext("%(code)s is your code to confirm your booking", code=code)
    if purpose == CodePurpose.SIGN_IN:
        return wording.gettext("%(code)s is your sign-in code", code=code)
    return wording.gettext("%(code)s is your code to verify this sender address", code=code)


def _code_sentence(wording: Wording, purpose: CodePurpose) -> str:
    if purpose == CodePurpose.BOOKING:
        return wording.gettext("Your code to confirm your booking is:")
    if purpose == CodePurpose.SIGN_IN:
        return wording.gettext("Your code to sign in and see your appointments is:")
    return wording.gettext("Your code to verify this address as a sender is:")


def code_mail(
    settings: CodeSettings,
    purpose: CodePurpose,
    code: str,
    *,
    lead: str = "",
    wording: Wording | None = None,
) -> tuple[str, str]:
    """Subject and text of the mail that carries a code; ``lead`` opens the text.

    Worded in ``wording``'s language (default: ``settings.locale`` with the package's
    catalogs); ``lead`` comes already translated.
    """
    wording = wording or wording_in(None, settings.locale)
    body = (
        wording.gettext("Hello,")
        + "\n\n"
        + (f"{lead}\n\n" if lead else "")
        + _code_sentence(wording, purpose)
        + f"\n\n    {code}\n\n"
        + wording.gettext(
            "It works for %(lifetime)s. If you did not ask for it, ignore this email: "
            "nothing happens without the code.",
            lifetime=settings.lifetime_in(wording),
        )
        + "\n"
    )
    return _subject(wording, purpose, code), body


__all__ = [
    "CodeError",
    "CodeExpired",
    "CodeNotSent",
    "CodeSettings",
    "CodeThrottled",
    "Deliver",
    "TooManyAttempts",
    "WrongCode",
    "check_throttle",
    "code_mail",
    "issue_code",
    "send_code",
    "verify_code",
]
