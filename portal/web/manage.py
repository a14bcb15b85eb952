"""``/manage/<token>``: one appointment, seen through its private link.

View it, reschedule it with the same picker as booking (the old time is freed
only when the new one is committed), cancel it with an optional reason, add it
to a calendar. A wrong or tampered token is 404.

- ``GET /manage/<token>?month=&day=&timezone=`` the page; htmx gets the picker
- ``GET /manage/<token>/day/<YYYY-MM-DD>?timezone=`` the page; htmx gets the slots
- ``POST /manage/<token>/reschedule`` (start, timezone) the chosen time: a confirm step
  with the old and the new time; nothing changes yet
- ``POST /manage/<token>/reschedule/confirm`` (start, timezone) moves the appointment
- ``POST /manage/<token>/cancel`` (reason)
- ``POST /manage/<token>/new-link`` revokes every link of the appointment and mails a
  new one to the customer; then ``GET /manage/new-link-sent`` says so
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.booking import lifecycle
from portal.booking.lifecycle import Action, Actor
from portal.booking.new_link import send_new_manage_link
from portal.booking.operations import cancel, reschedule
from portal.errors import on_domain_error, translated
from portal.extensions import db
from portal.models import Appointment, utcnow
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web import picker as pk
from portal.web import viewer
from portal.web.booking import appointment_for_token
from portal.web.forms import ActionForm, CancelForm

bp = Blueprint("manage", __name__)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "private, no-store")
    # The token is the key to the appointment: never leak it to other sites.
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


# The link is the proof: whoever holds it acts as the appointment's customer.
CUSTOMER = Actor.customer()


def _can_change(appointment: Appointment) -> bool:
    """Whether the customer may reschedule now (the picker is shown)."""
    return lifecycle.decide(CUSTOMER, Action.RESCHEDULE, appointment, utcnow()).allowed


def _changes(appointment: Appointment) -> dict:
    """What the page offers: each customer change allowed now, or why not (a cut-off)."""
    now = utcnow()
    decisions = {
        action: lifecycle.decide(CUSTOMER, action, appointment, now)
        for action in (Action.RESCHEDULE, Action.CANCEL)
    }
    upcoming = appointment.is_scheduled and appointment.start_at > now
    closed = [
        translated(d.refusal.message)
        for d in decisions.values()
        if upcoming and d.refusal is not None
    ]
    return dict(
        can_reschedule=decisions[Action.RESCHEDULE].allowed,
        can_cancel=decisions[Action.CANCEL].allowed,
        upcoming=upcoming,
        # Both closed by one cut-off say the same: show each sentence once.
        closed_notes=list(dict.fromkeys(closed)),
        deadlines={
            action.value: lifecycle.format_deadline(
                appointment, lifecycle.deadline(appointment, action)
            )
            for action in decisions
        },
    )


def _zone(appointment: Appointment, value: str | None) -> ZoneInfo:
    """The viewer's zone (``portal.web.viewer``); the appointment's own before any is known."""
    return viewer.viewer_zone(appointment.timezone, value)


def _links(token: str, zone: ZoneInfo) -> pk.PickerLinks:
    return pk.PickerLinks(
        month_url=lambda m: url_for(
            "manage.show", token=token, month=m.strftime("%Y-%m"), timezone=zone.key
        ),
        day_url=lambda d: url_for("manage.day", token=token, day=d.isoformat(), timezone=zone.key),
        options_url=url_for("manage.show", token=token),
        slot_action=url_for("manage.reschedule_view", token=token),
        hidden={"timezone": zone.key},
    )


def _picker(
    appointment: Appointment,
    token: str,
    zone: ZoneInfo,
    *,
    month: date | None = None,
    day: date | None = None,
    with_month: bool = True,
) -> pk.Picker | None:
    if not _can_change(appointment):
        return None
    now = utcnow()
    if month is None and day is None:
        # Open where the appointment is now, with its own time marked.
        own_day = appointment.start_at.astimezone(zone).date()
        day = own_day if own_day >= now.astimezone(zone).date() else None
    picker = pk.build_picker(
        db.session,
        appointment.service,
        zone=zone,
        links=_links(token, zone),
        now=now,
        month=month,
        day=day,
        agent_id=appointment.organizer_id,
        exclude_appointment_id=appointment.id,
        with_month=with_month,
        mode="reschedule",
        current_start=appointment.start_at,
    )
    picker.confirms = True  # the choice goes through the confirm step
    return picker


def _page(
    appointment: Appointment,
    token: str,
    picker: pk.Picker | None,
    status: int = 200,
    *,
    form=None,
    open_picker=False,
    refusal: str | None = None,
):
    return (
        render_template(
            "manage/show.html",
            appointment=appointment,
            token=token,
            picker=picker,
            refusal=refusal,
            **_changes(appointment),
            cancel_form=form or CancelForm(),
            new_link_form=ActionForm(),
            open_picker=open_picker or (picker is not None and picker.message is not None),
            open_cancel=request.args.get("open") == "cancel" or bool(form and form.errors),
        ),
        status,
    )


@bp.get("/manage/<token>")
def show(token: str):
    appointment = appointment_for_token(token)
    zone = _zone(appointment, request.args.get("timezone"))
    picker = _picker(
        appointment,
        token,
        zone,
        month=pk.parse_month(request.args.get("month")),
        day=pk.parse_day(request.args.get("day")),
    )
    if htmx.wants_partial():
        if picker is None:
            abort(404)
        return render_template("booking/_picker.html", picker=picker, appointment=appointment)
    explicit = any(k in request.args for k in ("month", "day", "timezone"))
    return _page(
        appointment, token, picker, open_picker=explicit or request.args.get("open") == "reschedule"
    )


@bp.get("/manage/<token>/day/<day>")
def day(token: str, day: str):
    appointment = appointment_for_token(token)
    chosen = pk.parse_day(day)
    if chosen is None:
        abort(404)
    zone = _zone(appointment, request.args.get("timezone"))
    partial = htmx.wants_partial()
    picker = _picker(appointment, token, zone, day=chosen, with_month=not partial)
    if partial:
        if picker is None:
            abort(404)
        return render_template("booking/_slots.html", picker=picker)
    return _page(appointment, token, picker, open_picker=True)


def _refused(appointment: Appointment, token: str, zone: ZoneInfo, day: date | None = None):
    """A renderer for on_domain_error: the page with the refusal, at the picker if it is open."""

    def render(error):
        picker = _picker(appointment, token, zone, day=day)
        if picker is not None:
            picker.message = translated(error.message)
            return _page(appointment, token, picker)
        return _page(appointment, token, None, refusal=translated(error.message))

    return render


def _chosen(appointment: Appointment, token: str):
    """The time posted by the picker, the viewer's zone and the refusal renderer; the
    lifecycle is asked first, so a refused change never reaches the confirm step."""
    zone = _zone(appointment, request.form.get("timezone"))
    start = pk.parse_start(request.form.get("start"))
    now = utcnow()
    day = start.astimezone(zone).date() if start is not None else None
    on_domain_error(_refused(appointment, token, zone, day))
    lifecycle.require(CUSTOMER, Action.RESCHEDULE, appointment, now)
    return zone, start, now


def _no_pick(appointment: Appointment, token: str, zone: ZoneInfo):
    picker = _picker(appointment, token, zone)
    picker.message = _("Please pick a time from the list.")
    return _page(appointment, token, picker, 422)


@bp.post("/manage/<token>/reschedule")
def reschedule_view(token: str):
    """The picker's choice: show the old and the new time and ask; nothing is moved."""
    appointment = appointment_for_token(token)
    zone, start, _now = _chosen(appointment, token)
    if start is None:
        return _no_pick(appointment, token, zone)
    new_end = start + (appointment.end_at - appointment.start_at)
    return render_template(
        "manage/confirm_reschedule.html",
        appointment=appointment,
        token=token,
        form=ActionForm(),
        zone=zone,
        start_value=fmt.iso_utc(start),
        old={
            "when": fmt.format_datetime_seen(appointment.start_at, zone, appointment.timezone),
            "span": fmt.format_span(appointment.start_at, appointment.end_at, zone),
        },
        new={
            "when": fmt.format_datetime_seen(start, zone, appointment.timezone),
            "span": fmt.format_span(start, new_end, zone),
        },
        back_url=url_for(
            "manage.day",
            token=token,
            day=start.astimezone(zone).date().isoformat(),
            timezone=zone.key,
        )
        + "#reschedule",
    )


@bp.post("/manage/<token>/reschedule/confirm")
def reschedule_confirm(token: str):
    """The confirmed choice: only this moves the appointment."""
    appointment = appointment_for_token(token)
    zone, start, now = _chosen(appointment, token)
    if start is None:
        return _no_pick(appointment, token, zone)
    reschedule(db.session, appointment, start, actor=CUSTOMER, now=now)
    when = fmt.format_datetime_seen(appointment.start_at, zone, appointment.timezone)
    flash(_("Done: your appointment is now on %(when)s.", when=when), "success")
    return redirect(url_for("manage.show", token=token), 303)


@bp.post("/manage/<token>/cancel")
def cancel_view(token: str):
    appointment = appointment_for_token(token)
    form = CancelForm()
    zone = _zone(appointment, None)
    now = utcnow()
    on_domain_error(
        lambda error: _page(
            appointment, token, _picker(appointment, token, zone), refusal=translated(error.message)
        )
    )
    lifecycle.require(CUSTOMER, Action.CANCEL, appointment, now)
    if not form.validate_on_submit():
        return _page(appointment, token, _picker(appointment, token, zone), 422, form=form)
    cancel(db.session, appointment, form.reason.data, actor=CUSTOMER, now=now)
    flash(_("Your appointment is cancelled. We hope to see you another time."), "success")
    return redirect(url_for("manage.show", token=token), 303)


@bp.post("/manage/<token>/new-link")
def new_link(token: str):
    appointment = appointment_for_token(token)
    if not ActionForm().validate_on_submit():
        abort(400)
    send_new_manage_link(db.session, appointment, now=utcnow())
    return redirect(url_for("manage.new_link_sent"), 303)


@bp.get("/manage/new-link-sent")
def new_link_sent():
    return render_template("manage/new_link_sent.html")
