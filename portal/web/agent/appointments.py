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
- ``POST .../details | notifications | reschedule | reassign | cancel | end | activate | join``
- ``POST .../participants/customers | participants/agents | participants/<pid>/remove``
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from portal.auth import role_required
from portal.booking import interaction, lifecycle, operations, participants, queries, updates
from portal.booking.lifecycle import Action, Actor
from portal.booking.operations import Customer
from portal.errors import on_domain_error, translated
from portal.extensions import db
from portal.models import Appointment, OutboxMessage, Role, utcnow
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web import picker as pk
from portal.web.agent import bp
from portal.web.agent.labels import TEMPLATE_LABELS
from portal.web.agent.forms import AgentForm, CancelForm, CustomerForm, DetailsForm, ReassignForm
from portal.web.forms import ActionForm

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


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


def _actor() -> Actor:
    return Actor.of(current_user)


def _appointment(appointment_id: uuid.UUID) -> Appointment:
    # Another agent's appointment does not exist for this one: 404 (the error page).
    return queries.find_visible(db.session, current_user, appointment_id)


def _viewer_zone(value: str | None = None) -> ZoneInfo:
    return pk.parse_zone(value) or pk.parse_zone(current_user.timezone) or ZoneInfo("UTC")


def _links(appointment: Appointment, zone: ZoneInfo) -> pk.PickerLinks:
    return pk.PickerLinks(
        month_url=lambda m: url_for(
            "agent.appointment",
            appointment_id=appointment.id,
            month=m.strftime("%Y-%m"),
            timezone=zone.key,
        ),
        day_url=lambda d: url_for(
            "agent.appointment_day",
            appointment_id=appointment.id,
            day=d.isoformat(),
            timezone=zone.key,
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
    if not lifecycle.decide(_actor(), Action.RESCHEDULE, appointment, now):
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
        # A staff move is no new booking: the service's daily limit does not apply.
        apply_limits=False,
    )
    picker.mode = "reschedule"
    picker.current_start = appointment.start_at
    return picker


def _fill_choices(appointment: Appointment, forms: dict[str, FlaskForm], now: datetime) -> list:
    taking_part = {p.user_id for p in appointment.agents}
    forms["agent_form"].user_id.choices = [("", _("Choose a colleague…"))] + [
        (str(user.id), user.name)
        for user in participants.staff_directory(db.session)
        if user.id not in taking_part
    ]
    options = participants.reassign_options(db.session, appointment, now=now)
    forms["reassign_form"].user_id.choices = [("", _("Choose an agent…"))] + [
        (str(o.agent.id), o.agent.name if o.free else _("%(name)s (busy then)", name=o.agent.name))
        for o in options
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
            json.dumps(appointment.metadata_, indent=2, ensure_ascii=False)
            if appointment.metadata_
            else ""
        )
    options = _fill_choices(appointment, forms, now)
    if picker is None:
        picker = staff_picker(appointment, zone, now=now)
    own_zone = pk.parse_zone(appointment.timezone) or zone
    ticket = interaction.live_ticket(appointment, now=now)
    actions = lifecycle.allowed(_actor(), appointment, now)
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
        actions=actions,
        can_join=Action.ACTIVATE in actions and interaction.can_join(appointment, now=now),
        # Activating an open room only repeats its ticket: offer "open" while none is live.
        can_activate=Action.ACTIVATE in actions and ticket is None,
        can_end=Action.END in actions,
        reassign_options=options,
        open_section=open_section,
        errors=errors or {},
        fmt_time=lambda value, z=zone: fmt.format_time(value, z),
        fmt_datetime=lambda value, z=zone: fmt.format_datetime(value, z),
        fmt_span=lambda a, b, z=zone: fmt.format_span(a, b, z),
        now=now,
        **TEMPLATE_LABELS,
        **forms,
    )
    response = make_response(body, status)
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
        item,
        zone,
        month=pk.parse_month(request.args.get("month")),
        day=pk.parse_day(request.args.get("day")),
    )
    if htmx.wants_partial():
        if picker is None:
            abort(404)
        return render_template("booking/_picker.html", picker=picker)
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
    partial = htmx.wants_partial()
    picker = staff_picker(item, zone, day=chosen, with_month=not partial)
    if partial:
        if picker is None:
            abort(404)
        return render_template("booking/_slots.html", picker=picker)
    return _page(item, picker=picker, zone=zone, open_section="reschedule")


# --- details and participants ------------------------------------------------------------------
# Each action tells the error handler how to show a refusal (on_domain_error): the
# page again, with the message at the section that was used, and nothing written.


def _version(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _show_refusal(item: Appointment, section: str, forms: dict[str, FlaskForm] | None = None):
    """A renderer for on_domain_error: the page with the refusal at ``section``."""
    return lambda error: _page(
        item, forms=forms, open_section=section, errors={section: translated(error.message)}
    )


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
        form.version.errors = [_("This form is out of date. Reload the page and try again.")]
        return _page(item, status=409, forms=forms, open_section="details")

    def refused(error):
        form.version.errors = [translated(error.message)]
        return _page(item, forms=forms, open_section="details")

    on_domain_error(refused)
    updates.update_details(
        db.session,
        item,
        title=form.title.data or "",
        notes=form.notes.data or "",
        metadata=form.parsed_metadata(),
        expected_version=version,
        actor=_actor(),
    )
    return _done(item, _("Details saved."), "#details")


@bp.post("/appointments/<uuid:appointment_id>/notifications")
@role_required(*STAFF)
def appointment_notifications(appointment_id: uuid.UUID):
    """Switch the notices to its customers on or off (seed 001 ``notificationsActive``)."""
    item = _appointment(appointment_id)
    if not ActionForm().validate_on_submit() or request.form.get("active") not in ("on", "off"):
        abort(400)
    on_domain_error(_show_refusal(item, "notifications"))
    active = request.form["active"] == "on"
    updates.update_details(db.session, item, notifications_active=active, actor=_actor())
    message = (
        _("Notices to the customer are on.")
        if active
        else _("Notices to the customer are off: nothing more is sent for this appointment.")
    )
    return _done(item, message, "#notifications")


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
    on_domain_error(_show_refusal(item, "participants", forms))
    participants.add_customer(db.session, item, customer, actor=_actor())
    name = f"{customer.first_name} {customer.last_name}".strip()
    return _done(item, _("%(name)s was added.", name=name), "#participants")


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
        form.user_id.errors = [_("Choose a colleague to add.")]
        return _page(item, status=422, forms=forms, open_section="participants")

    on_domain_error(_show_refusal(item, "participants", forms))
    participants.add_agent(db.session, item, user_id, actor=_actor())
    return _done(item, _("The colleague was added."), "#participants")


@bp.post("/appointments/<uuid:appointment_id>/participants/<uuid:participant_id>/remove")
@role_required(*STAFF)
def appointment_remove_participant(appointment_id: uuid.UUID, participant_id: uuid.UUID):
    item = _appointment(appointment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    on_domain_error(_show_refusal(item, "participants"))
    participant = participants.find_participant(item, participant_id)
    name = participant.full_name or participant.email
    participants.remove_participant(db.session, item, participant_id, actor=_actor())
    message = _("%(name)s was removed.", name=name) if name else _("The participant was removed.")
    return _done(item, message, "#participants")


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

    def refused(error):
        day = start.astimezone(zone).date() if start is not None else None
        picker = staff_picker(item, zone, day=day, now=now)
        if picker is not None:
            picker.message = translated(error.message)
        return _page(
            item,
            picker=picker,
            zone=zone,
            open_section="reschedule",
            errors={"reschedule": translated(error.message)},
        )

    on_domain_error(refused)
    lifecycle.require(_actor(), Action.RESCHEDULE, item, now)
    if start is None:
        picker = staff_picker(item, zone, now=now)
        picker.message = _("Please pick a time from the list.")
        return _page(item, status=422, picker=picker, zone=zone, open_section="reschedule")
    operations.reschedule(
        db.session,
        item,
        start,
        duration=item.duration,
        enforce_notice=False,
        actor=_actor(),
        now=now,
    )
    return _done(
        item,
        _(
            "Moved to %(when)s. The customer is notified.",
            when=fmt.format_datetime(item.start_at, zone),
        ),
    )


@bp.post("/appointments/<uuid:appointment_id>/reassign")
@role_required(*STAFF)
def appointment_reassign(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    forms = _forms("reassign")
    form = forms["reassign_form"]
    user_id = _user_id(form.user_id.data) if form.validate_on_submit() else None
    if user_id is None:
        form.user_id.errors = [_("Choose the agent who should take it over.")]
        return _page(item, status=422, forms=forms, open_section="reassign")

    on_domain_error(_show_refusal(item, "reassign", forms))
    operations.reassign(db.session, item, user_id, actor=_actor())
    if not lifecycle.can_see(_actor(), item):
        flash(_("Handed over to %(name)s.", name=item.organizer.name), "success")
        return redirect(url_for("agent.home"), 303)
    return _done(item, _("%(name)s now runs this appointment.", name=item.organizer.name))


@bp.post("/appointments/<uuid:appointment_id>/cancel")
@role_required(*STAFF)
def appointment_cancel(appointment_id: uuid.UUID):
    item = _appointment(appointment_id)
    forms = _forms("cancel")
    form = forms["cancel_form"]
    if not form.validate_on_submit():
        return _page(item, status=422, forms=forms, open_section="cancel")
    on_domain_error(_show_refusal(item, "cancel", forms))
    operations.cancel(
        db.session,
        item,
        form.reason.data,
        email=bool(form.email.data),
        sms=bool(form.sms.data),
        actor=_actor(),
    )
    return _done(item, _("The appointment is cancelled. The customer is notified."))


# --- the call -------------------------------------------------------------------------------------


def _call_item(appointment_id: uuid.UUID) -> Appointment:
    item = _appointment(appointment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    on_domain_error(_show_refusal(item, "call"))
    return item


@bp.post("/appointments/<uuid:appointment_id>/activate")
@role_required(*STAFF)
def appointment_activate(appointment_id: uuid.UUID):
    item = _call_item(appointment_id)
    interaction.activate(db.session, item, actor=_actor())
    return _done(item, _("The video room is open."), "#call")


@bp.post("/appointments/<uuid:appointment_id>/join")
@role_required(*STAFF)
def appointment_join(appointment_id: uuid.UUID):
    item = _call_item(appointment_id)
    ticket = interaction.activate(db.session, item, actor=_actor())
    return redirect(ticket.url, 303)


@bp.post("/appointments/<uuid:appointment_id>/end")
@role_required(*STAFF)
def appointment_end(appointment_id: uuid.UUID):
    item = _call_item(appointment_id)
    interaction.end(db.session, item, actor=_actor())
    return _done(item, _("The call is ended."), "#call")


__all__ = ["staff_picker"]
