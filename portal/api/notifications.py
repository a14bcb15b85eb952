"""Sender verification and test mails (seed 001), for ADMIN tokens."""

from __future__ import annotations

import logging
import uuid

from flask import current_app

from portal.admin import services as service_domain
from portal.api import bp
from portal.api.auth import require_token
from portal.api.body import Field, parse_body, uuid_value
from portal.api.errors import ApiError, invalid_param, not_found
from portal.api.params import checked, parse_timezone
from portal.code_routes import code_settings
from portal.domain import values
from portal.extensions import db
from portal.models import Role, Service, TemplateType
from portal.notifications.placeholders import TemplateError
from portal.delivery import AppTransport
from portal.extensions import settings
from portal.notifications.verification import render_test_email

log = logging.getLogger(__name__)


def _email(path: str, value: str) -> str:
    return checked(values.email, path, value)


def _locale(path: str, value: str) -> str:
    return checked(values.locale, path, value)


def _period_seconds(path: str, value: str) -> int:
    return int(checked(values.duration, path, value, allow_zero=True).total_seconds())


def _service(service_id: uuid.UUID | None) -> Service | None:
    if service_id is None:
        return None
    service = db.session.get(Service, service_id)
    if service is None:
        raise not_found("That service")
    return service


CONFIRM_BODY = {
    "serviceId": Field(str, required=True, parse=uuid_value),
    "code": Field(str, required=True, min_length=1, max_length=16),
}

TEST_BODY = {
    "serviceId": Field(str, nullable=True, default=None, parse=uuid_value),
    "channel": Field(str, default="EMAIL", choices=("EMAIL",)),
    "type": Field(str, required=True, choices=tuple(t.value for t in TemplateType)),
    "period": Field(str, nullable=True, default=None, parse=_period_seconds),
    "subject": Field(str, required=True, max_length=200),
    "textBody": Field(str, required=True, max_length=20_000),
    "htmlBody": Field(str, nullable=True, default="", max_length=20_000),
    "locale": Field(str, default="en", max_length=16, parse=_locale),
    "timezone": Field(str, default="UTC", parse=parse_timezone),
    "toEmail": Field(str, required=True, max_length=254, parse=_email),
}


@bp.post("/notifications/emails/confirm")
@require_token(Role.ADMIN)
def confirm_sender_email():
    values = parse_body(CONFIRM_BODY)
    service = _service(values["service_id"])
    # A wrong code answers 400 invalid_param; the try counts all the same.
    service_domain.confirm_sender(db.session, service, values["code"], code_settings())
    return "", 204


@bp.post("/notifications/emails/test")
@require_token(Role.ADMIN)
def send_test_notification():
    values = parse_body(TEST_BODY)
    service = _service(values["service_id"])
    try:
        mail = render_test_email(
            to_email=values["to_email"],
            type=TemplateType(values["type"]),
            subject=values["subject"],
            text_body=values["text_body"],
            html_body=values["html_body"] or "",
            period_seconds=values["period"],
            timezone=values["timezone"],
            locale=values["locale"],
            default_sender=settings().mail_default_sender,
            service=service,
        )
    except TemplateError as error:
        raise invalid_param(" ".join(error.problems)) from None
    try:
        AppTransport(current_app._get_current_object()).deliver(mail)
    except Exception as error:  # the mail server's failure, not the caller's
        log.warning("Test mail to %s failed: %s", values["to_email"], error)
        raise ApiError(
            502, "mail_unavailable", "The mail server did not accept the message; try again later."
        ) from None
    return "", 204
