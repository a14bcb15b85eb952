"""Sender addresses (seed 001): prove a service's sender email with a code; test mails.

Until a service's ``sender_email`` is verified, its mail goes from
``MAIL_DEFAULT_SENDER``. Setting the address calls ``start_sender_verification``
(the code travels through the outbox, in the same transaction as the change);
``confirm_sender`` checks the code. Codes are 6 digits, valid
``ONE_TIME_CODE_MINUTES``, at most ``ONE_TIME_CODE_MAX_ATTEMPTS`` tries, and kept
only as a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import (
    Channel,
    CodePurpose,
    OneTimeCode,
    Service,
    TemplateType,
    normalize_email,
    utcnow,
)
from portal.notifications.email import build_email, default_sender, deliver_email, sender_address
from portal.notifications.outbox import queue_email
from portal.notifications.placeholders import validate_template
from portal.notifications.rendering import render_texts, sample_values

PURPOSE = CodePurpose.SENDER_VERIFICATION
KIND = "SENDER_VERIFICATION"


class VerificationError(ValueError):
    """The code is wrong, expired, used up, or there is nothing to verify."""


def _code_hash(email: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{PURPOSE.value}:{email}:{code}".encode(), hashlib.sha256).hexdigest()


def start_sender_verification(service: Service, *, now: datetime | None = None) -> None:
    """Mark the service's sender unverified and queue a code to it (no commit)."""
    now = now or utcnow()
    service.sender_verified = False
    if not service.sender_email:
        return
    email = normalize_email(service.sender_email)
    # Earlier codes for this address stop working: only the newest mail counts.
    db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.email == email, OneTimeCode.purpose == PURPOSE, OneTimeCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = current_app.config["ONE_TIME_CODE_MINUTES"]
    db.session.add(
        OneTimeCode(
            email=email,
            purpose=PURPOSE,
            code_hash=_code_hash(email, code),
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    queue_email(
        email,
        f"Your verification code: {code}",
        f"Someone set {email} as the sender address of the service \"{service.name}\".\n\n"
        f"To confirm it, enter this code within {minutes} minutes: {code}\n\n"
        "If you did not expect this, ignore this message.",
        kind=KIND,
        now=now,
    )


def confirm_sender(service: Service, code: str, *, now: datetime | None = None) -> None:
    """Verify the service's sender with ``code`` or raise VerificationError (no commit).

    A wrong code still counts as an attempt: commit in both cases.
    """
    now = now or utcnow()
    if not service.sender_email:
        raise VerificationError("This service has no sender email to verify.")
    if service.sender_verified:
        return
    email = normalize_email(service.sender_email)
    pending = db.session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.email == email, OneTimeCode.purpose == PURPOSE, OneTimeCode.used_at.is_(None))
        .order_by(OneTimeCode.created_at.desc())
        .limit(1)
    )
    max_attempts = current_app.config["ONE_TIME_CODE_MAX_ATTEMPTS"]
    if pending is None or pending.expires_at <= now or pending.attempts >= max_attempts:
        raise VerificationError("There is no valid code for this address; request a new one.")
    pending.attempts += 1
    if not hmac.compare_digest(pending.code_hash, _code_hash(email, (code or "").strip())):
        raise VerificationError("The code is wrong.")
    pending.used_at = now
    service.sender_verified = True


def send_test_email(
    *,
    to_email: str,
    type: TemplateType,
    subject: str,
    text_body: str,
    html_body: str = "",
    period_seconds: int | None = None,
    timezone: ZoneInfo,
    locale: str | None,
    service: Service | None = None,
    now: datetime | None = None,
) -> None:
    """Render a template with sample data and send it right away (not via the outbox).

    Raises TemplateError for a template that could not be saved, and whatever the
    mail backend raises if it cannot send: the admin is waiting for the answer.
    """
    validate_template(
        channel=Channel.EMAIL,
        type=type,
        period_seconds=period_seconds,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
    )
    values = sample_values(timezone, locale, now or utcnow())
    rendered = render_texts(subject, text_body, html_body, values)
    deliver_email(
        build_email(
            from_email=sender_address(service) if service is not None else default_sender(),
            to=to_email,
            subject=rendered.subject,
            text_body=rendered.text_body,
            html_body=rendered.html_body,
        )
    )
