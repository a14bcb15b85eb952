"""/agent/appointments/<id>: one appointment as staff see it, and everything they can do.

Details, participants (add a customer, add an agent — 409 message if already
there — remove), title / notes / metadata, reschedule with the customers' slot
picker (staff may book inside the minimum notice, never onto a taken time),
reassign to a free colleague, cancel with a reason, activate / join / end the
call, calendar links and the outbox messages of this appointment.

An agent opens only appointments they organise or take part in (else 404);
supervisors and admins open any. Every action is a POST with a CSRF token that
redirects back (303) on success; on bad input the page is rendered again with
the error next to the form (4xx) and nothing is written.

- ``GET  /agent/appointments/<id>[?month=&day=&timezone=]`` (htmx: the picker)
- ``GET  /agent/appointments/<id>/day/<YYYY-MM-DD>`` (htmx: the day's slots)
- ``POST .../details | reschedule | reassign | cancel | end | activate | join``
- ``POST .../participants/customers | participants/agents | participants/<pid>/remove``
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from portal.auth import role_required
from portal.booking import interaction, operations, participants, queries, updates
from portal.booking.errors import BookingError, NotFound, SlotUnavailable
from portal.booking.operations import Customer
from portal.extensions import db
from portal.models import Appointment, OutboxMessage, Role, utcnow
from portal.web import picker as pk
from portal.web.agent import bp
from portal.web.forms import ActionForm, EmailAddress
from portal.web.schedule_views import no_nul

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


# --- forms ---------------------------------------------------------------------------------


class DetailsForm(FlaskForm):
    version = HiddenField()
    title = StringField("Title", filters=[no_nul], validators=[Length(max=updates.TITLE_MAX)])
    notes = TextAreaField("Notes", filters=[no_nul], validators=[Optional(), Length(max=10_000)], render_kw={"rows": 4})
    metadata = TextAreaField(
        "Metadata",
        filters=[no_nul],
        validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 3, "spellcheck": "false", "class": "mono"},
    )

    def validate_metadata(self, field) -> None:
        parsed = self.parsed_metadata()
        if not isinstance(parsed, dict):
            raise ValidationError('Write a JSON object, e.g. {"crm": "CS-1"}, or leave it empty.')

    def parsed_metadata(self) -> Any:
        text = (self.metadata.data or "").strip()
        if not text:
            return {}
        try:
            return json.loads(text)
        except ValueError:
            return None


class CustomerForm(FlaskForm):
    first_name = StringField("First name", filters=[no_nul], validators=[Length(max=100)])
    last_name = StringField("Last name", filters=[no_nul], validators=[Length(max=100)])
    email = EmailField("Email", filters=[no_nul], validators=[Optional(), EmailAddress(), Length(max=254)])
    phone = TelField("Phone", filters=[no_nul], validators=[Optional(), Length(max=32)])

    def validate_first_name(self, field) -> None:
        if not (field.data or "").strip() and not (self.last_name.data or "").strip():
            raise ValidationError("Give the customer a name.")


class AgentForm(FlaskForm):
    user_id = SelectField("Agent", choices=[], validate_choice=False)


class ReassignForm(FlaskForm):
    user_id = SelectField("New organizer", choices=[], validate_choice=False)


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason", filters=[no_nul], validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    email = BooleanField("Email the customer", default=True)
    sms = BooleanField("Text the customer (SMS)", default=False)


FORMS = {
    "details": DetailsForm,
    "customer": CustomerForm,
    "agent": AgentForm,
    "reassign": ReassignForm,
    "cancel": CancelForm,
}


def _forms(active: str | None = None) -> dict[str, FlaskForm]:
    """Every form of the page; only ``active`` (the one posted) reads the request."""
    forms: dict[str, FlaskForm] = {}
    for name, form_class in FORMS.items():
        if name == active:
            forms[f"{name}_form"] = form_class(prefix=name)
        else:
            forms[f"{name}_form"] = form_class(prefix=name, formdata=None)
    forms["action_form"] = ActionForm(formdata=None)
    return forms


# --- loading and access -----------------------------------------------------------------------


def _appointment(appointment_id: uuid.UUID) -> Appointment:
    try:
        return queries.find_visible(db.session, current_user, appointment_id)
    except NotFound:
        abort(404)


def _reload(appointment_id: uuid.UUID) -> Appointment:
    db.session.rollback()
    db.session.expire_all()
    return _appointment(appointment_id)


def _viewer_zone(value: str | None = None) -> ZoneInfo:
    return pk.parse_zone(value) or pk.parse_zone(current_user.timezone) or ZoneInfo("UTC")


def _can_reschedule(appointment: Appointment, now: datetime) -> bool:
    return appointment.is_scheduled and appointment.end_at > now


def _links(appointment: Appointment, zone: ZoneInfo) -> pk.PickerLinks:
    return pk.PickerLinks(
        month_url=lambda m: url_for(
            "agent.appointment", appointment_id=appointment.id, month=m.strftime("%Y-%m"), timezone=zone.key
        ),
        day_url=lambda d: url_for(
            "agent.appointment_day", appointment_id=appointment.id, day=d.isoformat(), timezone=zone.key
        ),
        options_url=url_for("agent.appointment", appointment_id=appointment.id),
        slot_action=url_for("agent.appointment_reschedule", appointment_id=appointment.id),
        hidden={"timezone": zone.key},
    )


def staff_picker(
    appointment: Appointment,
    zone: ZoneInfo,
    *,
    month: date | None = None,
    day: date | None = None,
    with_month: bool = True,
    now: datetime | None = None,
) -> pk.Picker | None:
    """The customers' picker for the organizer's free times; staff may ignore the notice."""
    now = now or utcnow()
    if not _can_reschedule(appointment, now):
        return None
    if month is None and day is None:
        own = appointment.start_at.astimezone(zone).date()
        day = own if own >= now.astimezone(zone).date() else None
    # Judged as if asked ``minimum notice`` earlier: slots from now on, as free_agents_at does.
    notice = timedelta(minutes=appointment.service.minimum_notice_minutes)
    picker = pk.build_picker(
        db.session,
        appointment.service,
        zone=zone,
        links=_links(appointment, zone),
        now=now - notice,
        month=month,
        day=day,
        agent_id=appointment.organizer_id,
        exclude_appointment_id=appointment.id,
        with_month=with_month,
    )
    picker.mode = "reschedule"
    picker.current_start = appointment.start_at
    return picker


def _fill_choices(appointment: Appointment, forms: dict[str, FlaskForm], now: datetime) -> list:
    taking_part = {p.user_id for p in appointment.agents}
    forms["agent_form"].user_id.choices = [("", "Choose a colleague…")] + [
        (str(user.id), user.name)
        for user in participants.staff_directory(db.session)
        if user.id not in taking_part
    ]
    options = participants.reassign_options(db.session, appointment, now=now)
    forms["reassign_form"].user_id.choices = [("", "Choose an agent…")] + [
        (str(o.agent.id), o.agent.name if o.free else f"{o.agent.name} (busy then)") for o in options
    ]
    return options


def _messages(appointment: Appointment) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.appointment_id == appointment.id)
            .order_by(OutboxMessage.created_at, OutboxMessage.due_at)
        )
    )


def _page(
    appointment: Appointment,
    *,
    status: int = 200,
    forms: dict[str, FlaskForm] | None = None,
    picker: pk.Picker | None = None,
    zone: ZoneInfo | None = None,
    open_section: str | None = None,
    errors: dict[str, str] | None = None,
):
    now = utcnow()
    zone = zone or _viewer_zone(request.args.get("timezone"))
    forms = forms or _forms()
    details = forms["details_form"]
    if not details.version.data:
        details.version.data = appointment.updated_at.isoformat()
        details.title.data = appointment.title
        details.notes.data = appointment.notes
        details.metadata.data = (
            json.dumps(appointment.metadata_, indent=2, ensure_ascii=False) if appointment.metadata_ else ""
        )
    options = _fill_choices(appointment, forms, now)
    if picker is None:
        picker = staff_picker(appointment, zone, now=now)
    own_zone = pk.parse_zone(appointment.timezone) or zone
    ticket = interaction.live_ticket(appointment, now=now)
    body = render_template(
        "agent/appointment.html",
        appointment=appointment,
        zone=zone,
        own_zone=own_zone,
        zone_differs=own_zone.key != zone.key,
        picker=picker,
        timezones=pk.timezone_names(),
        messages=_messages(appointment),
        ticket=ticket,
        can_join=interaction.can_join(appointment, now=now),
        can_activate=appointment.is_scheduled
        and appointment.interaction_state.value == "PENDING"
        and now < appointment.end_at + interaction.ROOM_GRACE,
        can_end=appointment.is_scheduled
        and (
            appointment.interaction_state.value == "ACTIVE"
            or (appointment.interaction_state.value == "PENDING" and appointment.start_at <= now)
        ),
        reassign_options=options,
        open_section=open_section,
        errors=errors or {},
        fmt_time=lambda value, z=zone: pk.format_time(value, z),
        fmt_datetime=lambda value, z=zone: pk.format_datetime(value, z),
        fmt_span=lambda a, b, z=zone: pk.format_span(a, b, z),
        now=now,
        **forms,
    )
    response = make_response(body, status)
    response.vary.add("HX-Request")
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def _done(appointment: Appointment, message: str, anchor: str = ""):
    flash(message, "success")
    return redirect(url_for("agent.appointment", appointment_id=appointment.id) + anchor, 303)


# --- reading ---------------------------------------------------------------------------------


@bp.get("/appointments/<uuid:appointment_id>")
@role_required(*STAFF)
def appointment(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    zone = _viewer_zone(request.args.get("timezone"))
    picker = staff_picker(
        item, zone, month=pk.parse_month(request.args.get("month")), day=pk.parse_day(request.args.get("day"))
    )
    if pk.wants_partial():
        if picker is None:
            abort(404)
        response = make_response(render_template("booking/_picker.html", picker=picker))
        response.vary.add("HX-Request")
        return response
    explicit = any(k in request.args for k in ("month", "day", "timezone"))
    return _page(item, picker=picker, zone=zone, open_section="reschedule" if explicit else None)


@bp.get("/appointments/<uuid:appointment_id>/day/<day>")
@role_required(*STAFF)
def appointment_day(appointment_id: uuid.UUID, day: str):
    item = _appointment(appointment_id)
    chosen = pk.parse_day(day)
    if chosen is None:
        abort(404)
    zone = _viewer_zone(request.args.get("timezone"))
    partial = pk.wants_partial()
    picker = staff_picker(item, zone, day=chosen, with_month=not partial)
    if partial:
        if picker is None:
            abort(404)
        response = make_response(render_template("booking/_slots.html", picker=picker))
        response.vary.add("HX-Request")
        return response
    return _page(item, picker=picker, zone=zone, open_section="reschedule")


# --- details and participants ------------------------------------------------------------------


def _version(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@bp.post("/appointments/<uuid:appointment_id>/details")
@role_required(*STAFF)
def appointment_details(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    forms = _forms("details")
    form = forms["details_form"]
    if not form.validate_on_submit():
        return _page(item, status=422, forms=forms, open_section="details")
    version = _version(form.version.data)
    if version is None:
        form.version.errors = ["This form is out of date. Reload the page and try again."]
        return _page(item, status=409, forms=forms, open_section="details")
    try:
        updates.update_details(
            db.session,
            item,
            title=form.title.data or "",
            notes=form.notes.data or "",
            metadata=form.parsed_metadata(),
            expected_version=version,
        )
    except BookingError as error:
        item = _reload(appointment_id)
        form.version.errors = [error.message]
        return _page(item, status=error.status, forms=forms, open_section="details")
    return _done(item, "Details saved.", "#details")


@bp.post("/appointments/<uuid:appointment_id>/participants/customers")
@role_required(*STAFF)
def appointment_add_customer(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    forms = _forms("customer")
    form = forms["customer_form"]
    if not form.validate_on_submit():
        return _page(item, status=422, forms=forms, open_section="participants")
    customer = Customer(
        first_name=(form.first_name.data or "").strip(),
        last_name=(form.last_name.data or "").strip(),
        email=(form.email.data or "").strip() or None,
        phone=(form.phone.data or "").strip() or None,
    )
    try:
        participants.add_customer(db.session, item, customer)
    except BookingError as error:
        item = _reload(appointment_id)
        form.first_name.errors = [error.message]
        return _page(item, status=error.status, forms=forms, open_section="participants")
    return _done(item, f"{customer.first_name} {customer.last_name}".strip() + " was added.", "#participants")


def _user_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@bp.post("/appointments/<uuid:appointment_id>/participants/agents")
@role_required(*STAFF)
def appointment_add_agent(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    forms = _forms("agent")
    form = forms["agent_form"]
    user_id = _user_id(form.user_id.data) if form.validate_on_submit() else None
    if user_id is None:
        form.user_id.errors = ["Choose a colleague to add."]
        return _page(item, status=422, forms=forms, open_section="participants")
    try:
        participants.add_agent(db.session, item, user_id)
    except BookingError as error:
        item = _reload(appointment_id)
        form.user_id.errors = [error.message]
        return _page(item, status=error.status, forms=forms, open_section="participants")
    return _done(item, "The colleague was added.", "#participants")


@bp.post("/appointments/<uuid:appointment_id>/participants/<uuid:participant_id>/remove")
@role_required(*STAFF)
def appointment_remove_participant(appointment_id: uuid.UUID, participant_id: uuid.UUID):
    item = _appointment(appointment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        participant = participants.find_participant(item, participant_id)
        name = participant.full_name or participant.email or "The participant"
        participants.remove_participant(db.session, item, participant_id)
    except BookingError as error:
        item = _reload(appointment_id)
        return _page(item, status=error.status, open_section="participants", errors={"participants": error.message})
    return _done(item, f"{name} was removed.", "#participants")


# --- time changes --------------------------------------------------------------------------------


@bp.post("/appointments/<uuid:appointment_id>/reschedule")
@role_required(*STAFF)
def appointment_reschedule(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    zone = _viewer_zone(request.form.get("timezone"))
    if not ActionForm().validate_on_submit():
        abort(400)
    start = pk.parse_start(request.form.get("start"))  # a forged far-off time: no pick
    now = utcnow()
    if not _can_reschedule(item, now):
        return _page(item, status=409, zone=zone, errors={"reschedule": "This appointment can no longer be moved."})
    if start is None:
        picker = staff_picker(item, zone, now=now)
        picker.message = "Please pick a time from the list."
        return _page(item, status=422, picker=picker, zone=zone, open_section="reschedule")
    try:
        operations.reschedule(db.session, item, start, duration=item.duration, enforce_notice=False, now=now)
    except BookingError as error:
        item = _reload(appointment_id)
        picker = staff_picker(item, zone, day=start.astimezone(zone).date(), now=now)
        if picker is not None:
            picker.message = error.message
        return _page(
            item, status=error.status, picker=picker, zone=zone, open_section="reschedule",
            errors={"reschedule": error.message},
        )
    return _done(item, f"Moved to {pk.format_datetime(item.start_at, zone)}. The customer is notified.")


@bp.post("/appointments/<uuid:appointment_id>/reassign")
@role_required(*STAFF)
def appointment_reassign(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    forms = _forms("reassign")
    form = forms["reassign_form"]
    user_id = _user_id(form.user_id.data) if form.validate_on_submit() else None
    if user_id is None:
        form.user_id.errors = ["Choose the agent who should take it over."]
        return _page(item, status=422, forms=forms, open_section="reassign")
    try:
        operations.reassign(db.session, item, user_id)
    except BookingError as error:
        item = _reload(appointment_id)
        message = error.message
        if isinstance(error, NotFound):
            message = "That agent does not offer this service. Choose one who does."
        elif isinstance(error, SlotUnavailable):
            message = "That agent is not free at this time. Choose another agent or move the appointment first."
        form.user_id.errors = [message]
        return _page(item, status=error.status, forms=forms, open_section="reassign")
    if not queries.can_see(current_user, item):
        flash(f"Handed over to {item.organizer.name}.", "success")
        return redirect(url_for("agent.home"), 303)
    return _done(item, f"{item.organizer.name} now runs this appointment.")


@bp.post("/appointments/<uuid:appointment_id>/cancel")
@role_required(*STAFF)
def appointment_cancel(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    forms = _forms("cancel")
    form = forms["cancel_form"]
    if not form.validate_on_submit():
        return _page(item, status=422, forms=forms, open_section="cancel")
    if not item.is_scheduled:
        return _page(item, status=409, forms=forms, open_section="cancel", errors={"cancel": "It is already cancelled."})
    try:
        operations.cancel(
            db.session, item, form.reason.data, email=bool(form.email.data), sms=bool(form.sms.data)
        )
    except BookingError as error:
        item = _reload(appointment_id)
        return _page(item, status=error.status, forms=forms, open_section="cancel", errors={"cancel": error.message})
    return _done(item, "The appointment is cancelled. The customer is notified.")


# --- the call ----------------------------------------------------------------------------------------


def _call_action(appointment_id: uuid.UUID, action):
    item = _appointment(appointment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        return item, action(item)
    except BookingError as error:
        item = _reload(appointment_id)
        return item, error


@bp.post("/appointments/<uuid:appointment_id>/activate")
@role_required(*STAFF)
def appointment_activate(appointment_id: uuid.UUID):
    item, result = _call_action(appointment_id, lambda a: interaction.activate(db.session, a))
    if isinstance(result, BookingError):
        return _page(item, status=result.status, errors={"call": result.message})
    return _done(item, "The video room is open.", "#call")


@bp.post("/appointments/<uuid:appointment_id>/join")
@role_required(*STAFF)
def appointment_join(appointment_id: uuid.UUID):
    item, result = _call_action(appointment_id, lambda a: interaction.activate(db.session, a))
    if isinstance(result, BookingError):
        return _page(item, status=result.status, errors={"call": result.message})
    return redirect(result.url, 303)


@bp.post("/appointments/<uuid:appointment_id>/end")
@role_required(*STAFF)
def appointment_end(appointment_id: uuid.UUID):
    item, result = _call_action(appointment_id, lambda a: interaction.end(db.session, a))
    if isinstance(result, BookingError):
        return _page(item, status=result.status, errors={"call": result.message})
    return _done(item, "The call is ended.", "#call")


__all__ = ["staff_picker"]
