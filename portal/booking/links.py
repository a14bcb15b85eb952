"""The customer's private manage link: a signed, unguessable token per appointment."""

from __future__ import annotations

import uuid

from flask import current_app, url_for
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


def manage_url(appointment: Appointment) -> str:
    return url_for("manage.show", token=manage_token(appointment), _external=True)
