"""/admin/office-hours: account-wide closed periods (seed 000), in the account time zone."""

from __future__ import annotations

import re
import uuid

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from portal.errors import on_domain_error
from portal.extensions import db
from portal.models import DayOfWeek, OfficeHours, OfficeHoursType
from portal.schedules import office_hours as domain
from portal.scheduling.validation import DAY_SECONDS, parse_hhmm
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web.admin import bp
from portal.web.admin.forms import DAY_LABELS, OFFICE_HOURS_TYPE_LABELS, OfficeHoursForm
from portal.web.forms import ActionForm
from portal.web.schedule_views import add_error, render, show_refusal

_SECONDS = re.compile(r"(\d{1,2}):([0-5]\d):([0-5]\d)")


def parse_clock(text: str) -> int:
    """'HH:MM' or 'HH:MM:SS' (up to 24:00) → seconds from midnight; ValueError otherwise."""
    text = (text or "").strip()
    match = _SECONDS.fullmatch(text)
    if match is None:
        return parse_hhmm(text) * 60
    seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
    if seconds > DAY_SECONDS:
        raise ValueError(_("Enter a time as HH:MM between 00:00 and 24:00."))
    return seconds


def format_clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _input_clock(seconds: int) -> str:
    """A stored time as the viewer types it (their hour cycle); odd seconds stay exact."""
    return fmt.input_time(seconds // 60) if seconds % 60 == 0 else format_clock(seconds)


def _data(form: OfficeHoursForm) -> domain.OfficeHoursData | None:
    seconds: dict[str, int] = {}
    for name in ("time_from", "time_to"):
        field = getattr(form, name)
        try:
            seconds[name] = parse_clock(field.data or "")
        except ValueError as error:
            add_error(field, str(error))
    if len(seconds) < 2:
        return None
    return domain.OfficeHoursData(
        name=form.name.data or "",
        type=OfficeHoursType(form.type.data),
        dow=DayOfWeek(form.dow.data),
        time_from=seconds["time_from"],
        time_to=seconds["time_to"],
    )


def _list_page(form: OfficeHoursForm, *, status: int | None = None):
    dow = request.args.get("dow")
    day = DayOfWeek(dow) if dow in {d.value for d in DayOfWeek} else None
    items, _ = domain.list_office_hours(db.session, dow=day)
    return render(
        "admin/office_hours.html",
        "admin/_office_hours_list.html",
        form=form,
        status=status,
        items=items,
        day=day,
        days=DAY_LABELS,
        types=OFFICE_HOURS_TYPE_LABELS,
        clock=format_clock,
        zone=current_app.config["TIMEZONE"],
        action_form=ActionForm(formdata=None),
        version_of=domain.version_of,
    )


@bp.get("/office-hours", endpoint="office_hours")
def office_hours_list():
    return _list_page(OfficeHoursForm(formdata=None, data={"time_from": "", "time_to": ""}))


@bp.post("/office-hours", endpoint="office_hours_create")
def office_hours_create():
    form = OfficeHoursForm()
    if not form.validate_on_submit():
        return _list_page(form)
    data = _data(form)
    if data is None:
        return _list_page(form)
    on_domain_error(lambda error: _list_page(form), form)
    item = domain.create_office_hours(db.session, data)
    flash(_("Office hours “%(name)s” added.", name=item.name), "success")
    return redirect(url_for("admin.office_hours"), code=303)


def _item(item_id: uuid.UUID) -> OfficeHours:
    return domain.get_office_hours(db.session, item_id)  # NotFound: the 404 page


def _edit_page(item: OfficeHours, form: OfficeHoursForm, *, status: int | None = None):
    return render(
        "admin/office_hours_edit.html",
        "admin/_office_hours_form.html",
        form=form,
        status=status,
        item=item,
        zone=current_app.config["TIMEZONE"],
        action=url_for("admin.office_hours_update", item_id=item.id),
    )


@bp.get("/office-hours/<uuid:item_id>/edit", endpoint="office_hours_edit")
def office_hours_edit(item_id: uuid.UUID):
    item = _item(item_id)
    form = OfficeHoursForm(
        formdata=None,
        data={
            "version": domain.version_of(item),
            "name": item.name,
            "type": item.type.value,
            "dow": item.dow.value,
            "time_from": _input_clock(item.time_from),
            "time_to": _input_clock(item.time_to),
        },
    )
    return _edit_page(item, form)


@bp.post("/office-hours/<uuid:item_id>/edit", endpoint="office_hours_update")
def office_hours_update(item_id: uuid.UUID):
    item = _item(item_id)
    form = OfficeHoursForm()
    if not form.validate_on_submit():
        return _edit_page(item, form)
    data = _data(form)
    if data is None:
        return _edit_page(item, form)
    changes = {
        "name": data.name,
        "type": data.type,
        "dow": data.dow,
        "time_from": data.time_from,
        "time_to": data.time_to,
    }
    on_domain_error(lambda error: _edit_page(item, form, status=show_refusal(form, error)), form)
    domain.update_office_hours(
        db.session, item, changes, expected_version=form.version.data or None
    )
    flash(_("Office hours “%(name)s” saved.", name=item.name), "success")
    return _back()


@bp.post("/office-hours/<uuid:item_id>/delete", endpoint="office_hours_delete")
def office_hours_delete(item_id: uuid.UUID):
    item = _item(item_id)
    name = item.name
    if not ActionForm().validate_on_submit():
        abort(400)

    def refused(error):
        flash(_("These office hours were changed meanwhile; nothing was deleted."), "error")
        return _back()

    on_domain_error(refused)
    domain.delete_office_hours(
        db.session, item, expected_version=request.form.get("version") or None
    )
    flash(_("Office hours “%(name)s” deleted.", name=name), "success")
    return _back()


def _back():
    return htmx.see_other(url_for("admin.office_hours"))
