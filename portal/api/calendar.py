"""Public calendar links of an appointment (DESIGN.md 6): .ics download and Google.

The appointment's UUID is the only key, and it is not secret: agents' feeds and
staff pages carry it. So these answers grant no control: no manage link, only
what the event itself says (docs/decisions.md, issue 13).
"""

from __future__ import annotations

import uuid

from flask import Response, redirect

from portal.api import bp
from portal.api.errors import ApiError, not_found
from portal.api.params import query_args
from portal.calendars.details import Person, zone_of
from portal.calendars.google import google_calendar_url
from portal.calendars.ics import IcsMethod, appointment_ics
from portal.extensions import db, settings
from portal.models import Appointment, AppointmentStatus
from portal.notifications.outgoing import address_of, sender_address


def _appointment(appointment_id: str) -> Appointment:
    try:
        key = uuid.UUID(appointment_id)
    except ValueError:
        raise not_found("That appointment") from None
    appointment = db.session.get(Appointment, key)
    if appointment is None:
        raise not_found("That appointment")
    return appointment


@bp.get("/cal/events/ical/<appointment_id>/event")
def ical_event(appointment_id: str):
    query_args(())
    appointment = _appointment(appointment_id)
    from_email = sender_address(appointment.service, settings().mail_default_sender)
    organizer = Person(appointment.organizer.name, address_of(from_email))
    body = appointment_ics(appointment, method=IcsMethod.PUBLISH, organizer=organizer)
    day = appointment.start_at.astimezone(zone_of(appointment)).date().isoformat()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="appointment-{day}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/cal/events/google/<appointment_id>/event")
def google_event(appointment_id: str):
    query_args(())
    appointment = _appointment(appointment_id)
    if appointment.status == AppointmentStatus.CANCELLED:
        raise ApiError(410, "cancelled", "The appointment was cancelled; there is nothing to add.")
    response = redirect(google_calendar_url(appointment), 302)
    response.headers["Cache-Control"] = "private, no-store"
    return response
