"""The waitlist of a service's full days (docs/waitlist.md; rules in ``portal.booking.waitlist``).

- ``POST /api/services/{id}/waitlist`` (public, with a booking code) ``{email, date,
  timezone, agentId?, otp: {email, code}}`` → 201 the entry; 409 ``conflict`` when the
  day still has free times; 401 for a wrong code.
- ``GET /api/services/{id}/waitlist`` (staff) → the service's entries, with their offers.
- ``DELETE /api/services/{id}/waitlist/{entryId}?token=`` (anyone with the token of the
  leave link or of an offer link) → 204.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import jsonify

from portal.api import bp
from portal.api.appointments import _email, _locale, _timezone
from portal.api.auth import require_token
from portal.api.body import Field, parse_body, uuid_value
from portal.api.errors import invalid_param, not_found
from portal.api.otp import _otp_email
from portal.api.paging import PAGING_PARAMS, page_of, page_params, sort_params
from portal.api.params import checked, query_args, required
from portal.api.serializers import utc_z
from portal.api.services import active_service
from portal.booking import waitlist
from portal.code_routes import code_settings, limit_code_checks
from portal.domain import values
from portal.extensions import db
from portal.models import STAFF_ROLES, WaitlistEntry, WaitlistStatus, utcnow

SORT_FIELDS = ("date", "createdAt")
STATUSES = tuple(status.value for status in WaitlistStatus)


def iso_date(path: str, value: str) -> date:
    return checked(values.day, path, value)


JOIN_BODY = {
    "email": Field(str, required=True, max_length=254, parse=_email),
    "date": Field(str, required=True, parse=iso_date),
    "timezone": Field(str, required=True, parse=_timezone),
    "agentId": Field(str, parse=uuid_value),
    "locale": Field(str, max_length=16, parse=_locale),
    "otp": Field(
        dict,
        required=True,
        fields={
            "email": Field(str, required=True, max_length=254, parse=_email),
            "code": Field(str, required=True, max_length=12),
        },
    ),
}


def entry_json(entry: WaitlistEntry, *, with_offers: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(entry.id),
        "serviceId": str(entry.service_id),
        "email": entry.email,
        "date": entry.day.isoformat(),
        "timezone": entry.timezone,
        "agentId": str(entry.agent_id) if entry.agent_id else None,
        "status": entry.status.value,
        "createdAt": utc_z(entry.created_at),
    }
    if with_offers:
        now = utcnow()
        data["offers"] = [
            {
                "start": utc_z(offer.start_at),
                "end": utc_z(offer.end_at),
                "agentId": str(offer.agent_id),
                "offeredAt": utc_z(offer.created_at),
                "expiresAt": utc_z(offer.expires_at),
                "state": waitlist.offer_state(offer, now),
            }
            for offer in entry.offers
        ]
    return data


@bp.post("/services/<service_id>/waitlist")
@limit_code_checks(_otp_email)
def join_waitlist(service_id: str):
    service = active_service(service_id)
    body = parse_body(JOIN_BODY)
    joined = waitlist.join(
        db.session,
        code_settings(),
        waitlist.JoinRequest(
            service=service,
            email=body["email"],
            day=body["date"],
            timezone=body["timezone"],
            agent_id=body.get("agent_id"),
            locale=body.get("locale") or service.locale,
        ),
        body["otp"]["code"],
        otp_email=body["otp"]["email"],
    )
    response = jsonify(entry_json(joined.entry, with_offers=False))
    response.status_code = 201
    return response


@bp.get("/services/<service_id>/waitlist")
@require_token(*STAFF_ROLES)
def list_waitlist(service_id: str):
    args = query_args((*PAGING_PARAMS, "status"))
    service = active_service(service_id)
    page_number, page_size = page_params(args)
    sort_field, sort_order = sort_params(args, SORT_FIELDS, "date")
    status = args.get("status")
    if status is not None and status not in STATUSES:
        raise invalid_param(f"'status' must be one of: {', '.join(STATUSES)}.")
    entries = waitlist.entries_of(db.session, service, WaitlistStatus(status) if status else None)
    if sort_field == "createdAt":
        entries.sort(key=lambda entry: entry.created_at)
    if sort_order == "desc":
        entries.reverse()
    start = (page_number - 1) * page_size
    return jsonify(
        page_of(
            entries[start : start + page_size],
            len(entries),
            page_number,
            page_size,
            sort_field,
            sort_order,
            entry_json,
        )
    )


@bp.delete("/services/<service_id>/waitlist/<entry_id>")
def leave_waitlist(service_id: str, entry_id: str):
    args = query_args(("token",))
    service = active_service(service_id)
    token = required(args, "token")
    entry = waitlist.entry_for_token(db.session, token)
    try:
        wanted = uuid.UUID(entry_id)
    except ValueError:
        raise not_found("That waitlist entry") from None
    # A token of another entry says nothing about this one: the same 404 as a wrong one.
    if entry is None or entry.id != wanted or entry.service_id != service.id:
        raise not_found("That waitlist entry")
    waitlist.leave(db.session, entry, now=utcnow())
    return "", 204
