"""Links to an appointment: the customer's private manage link and its calendar files.

Absolute links are ``PUBLIC_URL`` plus a path made here, in a request or not (the
sender, commands), so a mail shows the same link whoever caused it. The paths are
the routes of ``portal.web.manage`` and ``portal.api.calendar``.
"""

from __future__ import annotations

import uuid

from itsdangerous import BadSignature, URLSafeSerializer

from portal.domain.settings import Settings
from portal.models import Appointment

_SALT = "portal.manage-link"

MANAGE_PATH = "/manage/{token}"
ICS_PATH = "/api/cal/events/ical/{appointment_id}/event"
GOOGLE_PATH = "/api/cal/events/google/{appointment_id}/event"


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=_SALT)


def manage_token(settings: Settings, appointment: Appointment) -> str:
    """The unguessable token of the appointment's manage link."""
    return _serializer(settings).dumps(appointment.id.hex)


def appointment_id_from_token(settings: Settings, token: str) -> uuid.UUID | None:
    """The appointment id a token was made for, or None when it is wrong or tampered."""
    try:
        return uuid.UUID(hex=_serializer(settings).loads(token))
    except (BadSignature, ValueError, TypeError):
        return None


def manage_url(settings: Settings, appointment: Appointment) -> str:
    """The customer's manage page, absolute."""
    token = manage_token(settings, appointment)
    return settings.absolute_url(MANAGE_PATH.format(token=token))


def calendar_paths(appointment: Appointment) -> dict[str, str]:
    """The appointment's 'add to calendar' links (Google, .ics download), site-relative."""
    return {
        "google": GOOGLE_PATH.format(appointment_id=appointment.id),
        "ics": ICS_PATH.format(appointment_id=appointment.id),
    }
