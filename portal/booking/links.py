"""The customer's private manage link: a signed, unguessable token per appointment."""

from __future__ import annotations

import uuid

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from portal.models import Appointment

_SALT = "portal.manage-link"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def manage_token(appointment: Appointment) -> str:
    return _serializer().dumps(appointment.id.hex)


def appointment_id_from_token(token: str) -> uuid.UUID | None:
    """The appointment id a token was made for, or None when it is wrong or tampered."""
    try:
        return uuid.UUID(hex=_serializer().loads(token))
    except (BadSignature, ValueError, TypeError):
        return None


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL, also outside a request (the sender, commands): then PUBLIC_URL is the base."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def manage_url(appointment: Appointment) -> str:
    return external_url("manage.show", token=manage_token(appointment))
