"""Sender addresses (seed 001): prove a service's sender email with a code; test mails.

Until a service's ``sender_email`` is verified, its mail goes from
``MAIL_DEFAULT_SENDER``. Setting the address calls ``start_sender_verification``
(the code travels through the outbox, in the same transaction as the change);
``confirm_sender`` checks the code. The codes are ``portal.codes`` (purpose
``sender-verification``): the same lifetime, tries and hashing as every code.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal import codes
from portal.codes import CodeSettings
from portal.models import Channel, CodePurpose, Service, TemplateType, normalize_email, utcnow
from portal.notifications.language import wording_in
from portal.notifications.outbox import queue_email
from portal.notifications.outgoing import Outgoing, sender_address
from portal.notifications.placeholders import validate_template
from portal.notifications.rendering import render_texts, sample_values

PURPOSE = CodePurpose.SENDER_VERIFICATION
KIND = "SENDER_VERIFICATION"


class VerificationError(codes.CodeError):
    """There is nothing to verify (the code's own refusals are ``codes.CodeError``)."""


def start_sender_verification(
    session: Session, settings: CodeSettings, service: Service, *, now: datetime | None = None
) -> None:
    """Mark the service's sender unverified and queue a code to it (no commit)."""
    now = now or utcnow()
    service.sender_verified = False
    if not service.sender_email:
        return
    email = normalize_email(service.sender_email)
    code = codes.issue_code(session, settings, email, PURPOSE, now)
    # For whoever reads the sender mailbox: in the service's language.
    wording = wording_in(session, service.locale)
    lead = wording.gettext(
        'Someone set %(email)s as the sender address of the service "%(service)s".',
        email=email,
        service=service.name,
    )
    subject, body = codes.code_mail(settings, PURPOSE, code, lead=lead, wording=wording)
    queue_email(email, subject, body, kind=KIND, now=now, session=session)


def confirm_sender(
    session: Session,
    settings: CodeSettings,
    service: Service,
    code: str,
    *,
    now: datetime | None = None,
) -> None:
    """Verify the service's sender with ``code`` or raise a ``codes.CodeError`` (no commit).

    A wrong code counts as a try even when the request then rolls back (``portal.codes``).
    """
    if not service.sender_email:
        raise VerificationError("This service has no sender email to verify.")
    if service.sender_verified:
        return
    codes.verify_code(session, settings, normalize_email(service.sender_email), PURPOSE, code, now)
    service.sender_verified = True


def render_test_email(
    *,
    to_email: str,
    type: TemplateType,
    subject: str,
    text_body: str,
    html_body: str = "",
    period_seconds: int | None = None,
    timezone: ZoneInfo,
    locale: str | None,
    default_sender: str,
    service: Service | None = None,
    now: datetime | None = None,
) -> Outgoing:
    """Render a template with sample data for a test mail (sent at once, not via the outbox).

    Raises TemplateError for a template that could not be saved.
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
    return Outgoing(
        channel=Channel.EMAIL,
        from_email=sender_address(service, default_sender),
        recipient=to_email,
        subject=rendered.subject,
        text_body=rendered.text_body,
        html_body=rendered.html_body,
    )
