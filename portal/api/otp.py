"""Customers in the API: one-time codes, booking with a code, a customer bearer token.

- ``POST /api/otp`` ``{email, purpose?}`` → 202 whatever the address (no
  enumeration); emails a 6-digit code. ``purpose`` is ``booking`` (default: for
  ``POST /api/appointments/basic``) or ``sign-in`` (for ``/api/otp/verify``).
- ``POST /api/otp/verify`` ``{email, code}`` (a sign-in code) → 200
  ``{accessToken, tokenType: "Bearer", expiresIn}``: a customer bearer that reads
  that customer's own appointments (``portal.api.customer_tokens``).
- ``POST /api/appointments/basic`` (seed 001 "Schedule new"): book as a customer
  with ``otp: {email, code}`` (a booking code) → 200 the customer's view of the
  appointment (``CustomerAppointment``); 401 bad code;
  409 ``slot_unavailable``. The rules are ``portal.booking.book_with_code``, the
  same as the booking pages'.

Codes, their expiry, attempts and resend spacing are ``portal.codes`` (shared with
the booking pages and ``/my``); the rate limits are ``portal.code_routes``.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from portal.api import bp, customer_tokens
from portal.api.appointments import (
    CUSTOMER_FIELDS,
    NOTES_MAX,
    TITLE_MAX,
    _customer_only,
    _email,
    _in_range,
    _locale,
    _service,
    _timezone,
    appointment_view,
)
from portal.api.body import Field, parse_body, utc_datetime, uuid_value
from portal.booking.book_with_code import CustomerBooking, book_with_code
from portal.booking.lifecycle import Actor
from portal.code_routes import (
    code_settings,
    limit_code_checks,
    limit_code_requests,
    send_code,
    verify_code,
)
from portal.extensions import db
from portal.models import CodePurpose


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _posted_email() -> str | None:
    value = _body().get("email")
    return value if isinstance(value, str) else None


def _otp_email() -> str | None:
    otp = _body().get("otp")
    value = otp.get("email") if isinstance(otp, dict) else None
    return value if isinstance(value, str) else None


OTP_BODY = {
    "email": Field(str, required=True, max_length=254, parse=_email),
    "purpose": Field(str, choices=["booking", "sign-in"], default="booking"),
}


@bp.post("/otp")
@limit_code_requests(_posted_email)
def request_otp():
    values = parse_body(OTP_BODY)
    purpose = CodePurpose.BOOKING if values["purpose"] == "booking" else CodePurpose.SIGN_IN
    send_code(db.session, values["email"], purpose)
    response = jsonify({"message": "If that address can receive email, a code is on its way."})
    response.status_code = 202
    return response


VERIFY_BODY = {
    "email": Field(str, required=True, max_length=254, parse=_email),
    "code": Field(str, required=True, max_length=12),
}


@bp.post("/otp/verify")
@limit_code_checks(_posted_email)
def verify_otp():
    values = parse_body(VERIFY_BODY)
    verify_code(db.session, values["email"], CodePurpose.SIGN_IN, values["code"])
    return jsonify(
        {
            "accessToken": customer_tokens.issue(values["email"]),
            "tokenType": "Bearer",
            "expiresIn": customer_tokens.lifetime_seconds(),
        }
    )


BASIC_BODY = {
    "serviceId": Field(str, required=True, parse=uuid_value),
    "start": Field(str, required=True, parse=utc_datetime),
    "timezone": Field(str, parse=_timezone),
    "locale": Field(str, max_length=16, parse=_locale),
    "agentId": Field(str, parse=uuid_value),
    "title": Field(str, max_length=TITLE_MAX),
    "notes": Field(str, max_length=NOTES_MAX, default=""),
    "customer": Field(dict, required=True, fields=CUSTOMER_FIELDS, parse=_customer_only),
    "answers": Field(dict, default=dict),  # {question id: value}; the service's questions
    "otp": Field(
        dict,
        required=True,
        fields={
            "email": Field(str, required=True, max_length=254, parse=_email),
            "code": Field(str, required=True, max_length=12),
        },
    ),
}


@bp.post("/appointments/basic")
@limit_code_checks(_otp_email)
def book_basic():
    values = parse_body(BASIC_BODY)
    _in_range("start", values["start"])
    booking = CustomerBooking(
        service=_service(values["service_id"]),
        start=values["start"],
        email=values["otp"]["email"],
        customer=values["customer"],
        agent_id=values.get("agent_id"),
        timezone=values.get("timezone"),
        locale=values.get("locale"),
        title=values.get("title"),
        notes=values["notes"],
        answers=values["answers"],
    )
    appointment = book_with_code(db.session, code_settings(), booking, values["otp"]["code"])
    # The customer who proved the address reads the booking as customers do.
    return jsonify(appointment_view(Actor.customer(booking.email), appointment))
