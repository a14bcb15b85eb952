"""/agent/time-off: list, add, change and delete time off (seed 002 time exceptions).

A time off that covers booked appointments is not saved straight away: the page
lists them and asks, exactly as the seed's options go, whether to keep them
(AddWithoutCancelingCollidingBookings) or cancel them with a message to the
customers by email and/or SMS (AddAndCancelCollidingBookings).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.auth import role_required
from portal.booking.errors import NotFound
from portal.domain.errors import DomainError
from portal.errors import on_domain_error, put_on_form, translated
from portal.extensions import db
from portal.models import Appointment, Role, TimeException, User
from portal.schedules import time_off as domain
from portal.schedules.access import (
    agents_for,
    changeable_time_off,
    manages_others,
    may_change_time_off,
    staff_choices,
)
from portal.schedules.errors import Collision
from portal.scheduling.validation import format_hhmm, parse_hhmm
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web.agent import bp
from portal.web.agent.forms import CANCEL, KEEP, TimeOffForm
from portal.web.formatting import local_date, local_datetime
from portal.web.forms import ActionForm
from portal.web.schedule_views import (
    add_error,
    add_form_error,
    render,
    show_refusal,
    target_agent,
)

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


# Domain field → form field, for errors the domain raises.
FORM_FIELDS = {
    "agent_ids": "agents",
    "from_date": "from_date",
    "to_date": "to_date",
    "from_minute": "from_time",
    "to_minute": "to_time",
    "days_of_week": "days_of_week",
    "color": "color",
    "reason_text": "reason_text",
    "reason_text_public": "reason_text_public",
    "cancel_message": "cancel_message",
}


def _agent_choices(form: TimeOffForm) -> None:
    if manages_others(current_user):
        form.agents.choices = [
            (str(user.id), f"{user.name} ({user.timezone})") for user in staff_choices(db.session)
        ]


def _new_form(agent: User) -> TimeOffForm:
    form = TimeOffForm(formdata=None, data={"agents": [str(agent.id)]})
    _agent_choices(form)
    return form


def _edit_form(exception: TimeException) -> TimeOffForm:
    data: dict[str, Any] = {
        "version": domain.version_of(exception),
        "agents": [str(agent.id) for agent in exception.agents],
        "kind": "weekly" if exception.recurring else "once",
        "from_date": exception.from_date,
        "to_date": exception.to_date,
        "from_time": fmt.input_time(exception.from_minute),
        "to_time": fmt.input_time(exception.to_minute),
        "days_of_week": list(exception.days_of_week or []),
        "reason_text": exception.reason_text,
        "reason_text_public": exception.reason_text_public,
        "color": exception.color,
        "block_time": exception.block_time,
        "private": exception.private,
    }
    form = TimeOffForm(formdata=None, data=data)
    _agent_choices(form)
    return form


def _submitted(form: TimeOffForm) -> domain.TimeOff | None:
    """The time off the form describes, or None with the errors put on the form."""
    ok = True
    minutes: dict[str, int | None] = {}
    for name in ("from_time", "to_time"):
        field = getattr(form, name)
        text = (field.data or "").strip()
        if not text:
            minutes[name] = None
            continue
        try:
            minutes[name] = parse_hhmm(text)
        except ValueError as error:
            add_error(field, translated(error.args[0]))
            ok = False
    if manages_others(current_user):
        try:
            wanted = [uuid.UUID(value) for value in form.agents.data or []]
            agents = agents_for(db.session, current_user, wanted)
        except (ValueError, NotFound):
            add_error(
                form.agents,
                _("One of the agents no longer exists. Reload the page and choose again."),
            )
            ok = False
            agents = []
        if ok and not agents:
            add_error(form.agents, _("Choose at least one agent."))
            ok = False
    else:
        agents = [current_user._get_current_object()]
    weekly = form.kind.data == "weekly"
    if weekly and not form.days_of_week.data:
        add_error(form.days_of_week, _("Tick the days of the week the time off repeats on."))
        ok = False
    if form.from_date.data is None or form.to_date.data is None or not ok:
        return None
    return domain.TimeOff(
        agent_ids=tuple(agent.id for agent in agents),
        from_date=form.from_date.data,
        to_date=form.to_date.data,
        from_minute=minutes["from_time"],
        to_minute=minutes["to_time"],
        days_of_week=tuple(sorted(set(form.days_of_week.data or []))) if weekly else (),
        reason_text=form.reason_text.data or "",
        reason_text_public=form.reason_text_public.data or "",
        color=(form.color.data or domain.DEFAULT_COLOR).strip(),
        block_time=bool(form.block_time.data),
        private=bool(form.private.data),
    )


def _choice(form: TimeOffForm) -> domain.CollisionChoice:
    if form.force.data != "1":
        return domain.CollisionChoice()
    seen: set[uuid.UUID] = set()
    for part in (form.seen.data or "").split(","):
        try:
            seen.add(uuid.UUID(part))
        except ValueError:
            continue
    option = form.colliding.data if form.colliding.data in (KEEP, CANCEL) else KEEP
    return domain.CollisionChoice(
        force=True,
        option=domain.CollidingBookingOptions(option),
        cancel_message=form.cancel_message.data,
        send_email=bool(form.send_email.data),
        send_sms=bool(form.send_sms.data),
        expected_ids=frozenset(seen),
    )


def _collision_rows(appointments: list[Appointment]) -> list[dict[str, Any]]:
    rows = []
    for appointment in appointments:
        zone = appointment.organizer.timezone
        rows.append(
            {
                "id": appointment.id,
                "when": local_datetime(appointment.start_at, zone),
                "until": local_datetime(appointment.end_at, zone).rsplit(", ", 1)[-1],
                "zone": zone,
                "title": appointment.title,
                "service": appointment.service.name,
                "organizer": appointment.organizer.name,
                "customers": ", ".join(
                    p.full_name or (p.email or "") for p in appointment.customers
                ),
                "url": url_for("agent.appointment", appointment_id=appointment.id),
            }
        )
    return rows


def _form_page(
    form: TimeOffForm, *, exception: TimeException | None, agent: User, collisions=None, status=None
):
    action = (
        url_for("agent.time_off_edit", exception_id=exception.id)
        if exception is not None
        else url_for(
            "agent.time_off_new",
            **({"agent": str(agent.id)} if agent.id != current_user.id else {}),
        )
    )
    return render(
        "agent/time_off_form.html",
        "agent/_time_off_form.html",
        form=form,
        status=status,
        exception=exception,
        agent=agent,
        action=action,
        collisions=_collision_rows(collisions) if collisions else [],
        manages=manages_others(current_user),
        back=_list_url(agent),
    )


def _list_url(agent: User | None) -> str:
    if agent is None:
        return url_for("agent.time_off", agent="all")
    if agent.id == current_user.id:
        return url_for("agent.time_off")
    return url_for("agent.time_off", agent=str(agent.id))


def _done(message: str, agent: User):
    flash(message, "success")
    return htmx.see_other(_list_url(agent))


def _save(form: TimeOffForm, agent: User, exception: TimeException | None):
    """Shared by add and change: validate, ask about collisions, write."""
    if not form.validate_on_submit():
        return _form_page(form, exception=exception, agent=agent)
    data = _submitted(form)
    if data is None:
        return _form_page(form, exception=exception, agent=agent)
    choice = _choice(form)

    def refused(error: DomainError):
        if isinstance(error, Collision):
            return _offer_choice(form, choice, error, exception=exception, agent=agent)
        put_on_form(form, error, FORM_FIELDS)
        status = show_refusal(form, error)
        collisions = domain.find_collisions(db.session, data) if choice.force else None
        return _form_page(
            form, exception=exception, agent=agent, collisions=collisions, status=status
        )

    on_domain_error(refused)
    if exception is None:
        outcome = domain.create_time_off(db.session, data, created_by=current_user, choice=choice)
    else:
        outcome = domain.update_time_off(
            db.session, exception, data, choice=choice, expected_version=form.version.data or None
        )
    sentences = [_("Time off added.") if exception is None else _("Time off saved.")]
    if outcome.cancelled:
        sentences.append(_cancelled_sentence(len(outcome.cancelled), choice))
    elif outcome.kept:
        count = len(outcome.kept)
        sentences.append(
            ngettext(
                "%(num)d colliding appointment kept.", "%(num)d colliding appointments kept.", count
            )
        )
    return _done(" ".join(sentences), agent)


def _cancelled_sentence(count: int, choice: domain.CollisionChoice) -> str:
    """One whole sentence per way the customers were told (no fragments glued together)."""
    if choice.send_email and choice.send_sms:
        return ngettext(
            "%(num)d appointment cancelled; the customers are told by email and SMS.",
            "%(num)d appointments cancelled; the customers are told by email and SMS.",
            count,
        )
    if choice.send_email:
        return ngettext(
            "%(num)d appointment cancelled; the customers are told by email.",
            "%(num)d appointments cancelled; the customers are told by email.",
            count,
        )
    if choice.send_sms:
        return ngettext(
            "%(num)d appointment cancelled; the customers are told by SMS.",
            "%(num)d appointments cancelled; the customers are told by SMS.",
            count,
        )
    return ngettext(
        "%(num)d appointment cancelled without notice.",
        "%(num)d appointments cancelled without notice.",
        count,
    )


def _offer_choice(
    form: TimeOffForm,
    choice: domain.CollisionChoice,
    collision: Collision,
    *,
    exception: TimeException | None,
    agent: User,
):
    """The form again with the colliding appointments and the choice what to do with them."""
    if not choice.force:  # first time the choice is offered: the seed's defaults
        form.colliding.data = KEEP
        form.send_email.data = True
        form.send_sms.data = False
    form.force.data = "1"
    form.seen.data = ",".join(str(a.id) for a in collision.appointments)
    if choice.force:  # the collisions changed since the choice was made
        add_form_error(form, translated(collision.message))
    return _form_page(
        form, exception=exception, agent=agent, collisions=collision.appointments, status=409
    )


# --- list ---------------------------------------------------------------------------------------


def _describe(exception: TimeException) -> dict[str, Any]:
    start = "00:00" if exception.from_minute is None else format_hhmm(exception.from_minute)
    end = "24:00" if exception.to_minute is None else format_hhmm(exception.to_minute)
    whole_days = exception.from_minute is None and exception.to_minute is None
    if exception.recurring:
        short_names = fmt.locale().days["format"]["abbreviated"]  # Babel: 0 = Monday
        days = ", ".join(short_names[d - 1] for d in sorted(exception.days_of_week))
        if whole_days:
            when = _("Every %(days)s, all day", days=days)
        else:
            when = _("Every %(days)s, %(start)s–%(end)s", days=days, start=start, end=end)
        span = f"{local_date(exception.from_date)} – {local_date(exception.to_date)}"
    elif exception.from_date == exception.to_date:
        when = local_date(exception.from_date)
        span = _("all day") if whole_days else f"{start}–{end}"
    else:
        first = local_date(exception.from_date) + ("" if whole_days else f" {start}")
        last = local_date(exception.to_date) + ("" if whole_days else f" {end}")
        when = f"{first} – {last}"
        span = _("whole days") if whole_days else ""
    return {
        "item": exception,
        "when": when,
        "span": span,
        "agents": ", ".join(agent.name for agent in exception.agents),
        "may_change": may_change_time_off(current_user, exception),
        "version": domain.version_of(exception),
    }


@bp.get("/time-off", endpoint="time_off")
@role_required(*STAFF)
def time_off_list():
    raw = request.args.get("agent")
    everyone = raw == "all" and manages_others(current_user)
    agent = None if everyone else target_agent(raw)
    show_past = request.args.get("past") == "1"
    items, _total = domain.list_time_off(
        db.session,
        agent_ids=None if agent is None else [agent.id],
        from_date=None if show_past else date.today(),
        sort_field="from",
        sort_order="desc" if show_past else "asc",
    )
    return render(
        "agent/time_off.html",
        "agent/_time_off_list.html",
        agent=agent,
        everyone=everyone,
        show_past=show_past,
        rows=[_describe(item) for item in items],
        agents=staff_choices(db.session) if manages_others(current_user) else [],
        action_form=ActionForm(formdata=None),
        new_url=url_for(
            "agent.time_off_new",
            **(
                {"agent": str(agent.id)}
                if agent is not None and agent.id != current_user.id
                else {}
            ),
        ),
    )


# --- add, change, delete ------------------------------------------------------------------------


@bp.get("/time-off/new", endpoint="time_off_new")
@role_required(*STAFF)
def time_off_new():
    agent = target_agent(request.args.get("agent"))
    return _form_page(_new_form(agent), exception=None, agent=agent)


@bp.post("/time-off/new", endpoint="time_off_create")
@role_required(*STAFF)
def time_off_create():
    agent = target_agent(request.args.get("agent"))
    form = TimeOffForm()
    _agent_choices(form)
    return _save(form, agent, None)


def _changeable(exception_id: uuid.UUID) -> TimeException:
    # Not theirs to see: NotFound (404); shared with others: Forbidden (403, why).
    return changeable_time_off(current_user, db.session.get(TimeException, exception_id))


@bp.get("/time-off/<uuid:exception_id>/edit", endpoint="time_off_edit")
@role_required(*STAFF)
def time_off_edit(exception_id: uuid.UUID):
    exception = _changeable(exception_id)
    return _form_page(_edit_form(exception), exception=exception, agent=_owner(exception))


@bp.post("/time-off/<uuid:exception_id>/edit", endpoint="time_off_update")
@role_required(*STAFF)
def time_off_update(exception_id: uuid.UUID):
    exception = _changeable(exception_id)
    form = TimeOffForm()
    _agent_choices(form)
    return _save(form, _owner(exception), exception)


@bp.post("/time-off/<uuid:exception_id>/delete", endpoint="time_off_delete")
@role_required(*STAFF)
def time_off_delete(exception_id: uuid.UUID):
    exception = _changeable(exception_id)
    agent = _owner(exception)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)

    def refused(error):
        flash(
            _("This time off was changed meanwhile; nothing was deleted. Check it and try again."),
            "error",
        )
        return redirect(_list_url(agent), code=303)

    on_domain_error(refused)
    domain.delete_time_off(
        db.session, exception, expected_version=request.form.get("version") or None
    )
    return _done(_("Time off deleted."), agent)


def _owner(exception: TimeException) -> User:
    """Whose list to go back to: the signed-in agent if concerned, else the first agent."""
    agents = list(exception.agents)
    if any(agent.id == current_user.id for agent in agents) or not agents:
        return current_user._get_current_object()
    return agents[0]
