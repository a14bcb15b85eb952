"""Customer bearer tokens: a signed, short-lived proof that someone reads an email address.

A customer asks for a sign-in code (``POST /api/otp`` with ``purpose: "sign-in"``),
sends it to ``POST /api/otp/verify`` and gets ``{"accessToken": "cu_…"}``. With
``Authorization: Bearer cu_…`` they may read their own appointments
(``GET /api/appointments/{id}``) and its participants — those where a CUSTOMER
participant has that email — in the customer's view: no staff notes, metadata,
templates, staff e-mails or ids (``lifecycle.sees_staff_details``), and only their
own participant entry (``lifecycle.participants_seen_by``). Nothing is stored:
the token is the email signed with ``SECRET_KEY`` (itsdangerous, own salt) and a timestamp; it lives
``CUSTOMER_TOKEN_SECONDS`` (default one hour). Staff API tokens start with
``pt_``; customer tokens with ``cu_``, so one header carries either.
"""

from __future__ import annotations

import uuid

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from portal.api.errors import ApiError, not_found
from portal.extensions import db
from portal.models import Appointment, Participant, ParticipantType, normalize_email

PREFIX = "cu_"
_SALT = "portal.customer-bearer"
DEFAULT_SECONDS = 3600


def lifetime_seconds() -> int:
    return int(current_app.config.get("CUSTOMER_TOKEN_SECONDS", DEFAULT_SECONDS))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue(email: str) -> str:
    return PREFIX + _serializer().dumps({"email": normalize_email(email)})


def email_from(token: str) -> str:
    """The email a customer token was issued for; 401 when wrong, tampered or expired."""
    try:
        payload = _serializer().loads(token.removeprefix(PREFIX), max_age=lifetime_seconds())
        email = payload["email"]
        if not isinstance(email, str) or not email:
            raise TypeError
        return email
    except SignatureExpired:
        raise ApiError(
            401, "unauthorized", "The customer token has expired. Sign in again."
        ) from None
    except (BadSignature, KeyError, TypeError, ValueError):
        raise ApiError(401, "unauthorized", "The customer token is not valid.") from None


def customer_claim() -> str | None:
    """The customer's email if the request carries a customer bearer, else None."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(PREFIX):
        return None
    return email_from(secret)


def customer_appointment(email: str, appointment_id: uuid.UUID) -> Appointment:
    """The appointment if a CUSTOMER participant has this email; 404 otherwise."""
    appointment = db.session.scalar(
        select(Appointment)
        .join(Participant, Participant.appointment_id == Appointment.id)
        .where(
            Appointment.id == appointment_id,
            Participant.type == ParticipantType.CUSTOMER,
            Participant.email == normalize_email(email),
        )
    )
    if appointment is None:
        raise not_found("That appointment")
    return appointment


__all__ = ["PREFIX", "customer_appointment", "customer_claim", "email_from", "issue"]
