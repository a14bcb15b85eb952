"""Email through Flask-Mailman, with the appointment's .ics as a calendar part."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from flask import current_app
from flask_mailman import EmailMultiAlternatives, SafeMIMEText

from portal.calendars.details import clean_email, one_line
from portal.extensions import mail
from portal.models import Service


class DeliveryError(RuntimeError):
    """The channel did not accept the message."""


def default_sender() -> str:
    return current_app.config["MAIL_DEFAULT_SENDER"]


def sender_address(service: Service | None) -> str:
    """The From: of a service's mail: its own address once verified, else the default."""
    if service is not None and service.sender_verified and clean_email(service.sender_email):
        return formataddr((one_line(service.name), service.sender_email))
    return default_sender()


def address_of(from_header: str) -> str:
    """The bare address in 'Name <address>'."""
    return parseaddr(from_header)[1]


def calendar_part(ics: bytes, method: str, filename: str = "invite.ics") -> SafeMIMEText:
    """``text/calendar; method=...`` as an attachment, which mail clients offer to import."""
    part = SafeMIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def build_email(
    *,
    from_email: str,
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    ics: bytes | None = None,
    ics_method: str | None = None,
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=one_line(subject), body=text_body, from_email=from_email, to=[to]
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    if ics is not None and ics_method:
        message.attach(calendar_part(ics, ics_method))
    return message


def deliver_email(message: EmailMultiAlternatives) -> None:
    """Send now over a fresh connection (one file per message with the file backend)."""
    connection = mail.get_connection()
    if connection.send_messages([message]) != 1:
        raise DeliveryError("The mail backend did not accept the message.")
