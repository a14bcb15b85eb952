"""/admin/services/<id>/time-slots: a service's weekly time slots (seed 004).

If a service has any available slots it is offered only inside them; slots
marked unavailable are never offered. Times are in the service's time zone.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, request, url_for
from flask_babel import gettext as _

from portal.errors import on_domain_error, translated
from portal.extensions import db
from portal.models import Service, ServiceTimeSlot
from portal.schedules import service_windows as domain
from portal.scheduling.validation import format_hhmm, parse_hhmm
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web.admin import bp
from portal.web.admin.forms import DAYS, TimeSlotForm
from portal.web.forms import ActionForm
from portal.web.schedule_views import add_error, render, show_refusal

# Domain field → form field, for the refusals the domain raises.
FORM_FIELDS = {"day_of_week": "day_of_week", "from_minute": "from_time", "to_minute": "to_time"}


# Neither found: NotFound, which the error handler answers with the 404 page.
def _service(service_id: uuid.UUID) -> Service:
    return domain.find_service(db.session, service_id)


def _slot(service: Service, slot_id: uuid.UUID) -> ServiceTimeSlot:
    return domain.get_service_window(db.session, service.id, slot_id)


def _fingerprint(data: domain.ServiceWindowData) -> str:
    return f"{data.day_of_week},{data.from_minute},{data.to_minute},{int(data.available)}"


def _parse_fingerprint(text: str) -> domain.ServiceWindowData | None:
    try:
        day, start, end, available = (int(part) for part in text.split(","))
    except ValueError:
        return None
    return domain.ServiceWindowData(day, start, end, bool(available))


def _data(form: TimeSlotForm) -> domain.ServiceWindowData | None:
    minutes: dict[str, int] = {}
    for name in ("from_time", "to_time"):
        field = getattr(form, name)
        try:
            minutes[name] = parse_hhmm(field.data or "")
        except ValueError as error:
            add_error(field, translated(error.args[0]))
    if len(minutes) < 2:
        return None
    return domain.ServiceWindowData(
        day_of_week=form.day_of_week.data,
        from_minute=minutes["from_time"],
        to_minute=minutes["to_time"],
        available=bool(form.available.data),
    )


def _list_page(service: Service, form: TimeSlotForm, *, status: int | None = None):
    raw_day = request.args.get("day", "")
    day = int(raw_day) if raw_day.isdigit() and 1 <= int(raw_day) <= 7 else None
    slots, _ = domain.list_service_windows(db.session, service.id, day_of_week=day)
    return render(
        "admin/service_windows.html",
        "admin/_service_windows_list.html",
        form=form,
        status=status,
        service=service,
        slots=slots,
        day=day,
        days=DAYS,
        hhmm=format_hhmm,
        fingerprint=lambda slot: _fingerprint(domain.ServiceWindowData.of(slot)),
        action_form=ActionForm(formdata=None),
        service_url=url_for("admin.service_edit", service_id=service.id),
    )


@bp.get("/services/<uuid:service_id>/time-slots", endpoint="service_windows")
def service_windows_list(service_id: uuid.UUID):
    service = _service(service_id)
    return _list_page(service, TimeSlotForm(formdata=None))


@bp.post("/services/<uuid:service_id>/time-slots", endpoint="service_window_create")
def service_window_create(service_id: uuid.UUID):
    service = _service(service_id)
    form = TimeSlotForm()
    if not form.validate_on_submit():
        return _list_page(service, form)
    data = _data(form)
    if data is None:
        return _list_page(service, form)
    on_domain_error(lambda error: _list_page(service, form), form, FORM_FIELDS)
    domain.create_service_window(db.session, service, data)
    flash(
        _(
            "Time slot %(day)s %(start)s–%(end)s added.",
            day=dict(DAYS)[data.day_of_week],
            start=format_hhmm(data.from_minute),
            end=format_hhmm(data.to_minute),
        ),
        "success",
    )
    return _back(service)


def _edit_page(
    service: Service, slot: ServiceTimeSlot, form: TimeSlotForm, *, status: int | None = None
):
    return render(
        "admin/service_window_edit.html",
        "admin/_service_window_form.html",
        form=form,
        status=status,
        service=service,
        slot=slot,
        action=url_for("admin.service_window_update", service_id=service.id, slot_id=slot.id),
        back=url_for("admin.service_windows", service_id=service.id),
    )


@bp.get(
    "/services/<uuid:service_id>/time-slots/<uuid:slot_id>/edit", endpoint="service_window_edit"
)
def service_window_edit(service_id: uuid.UUID, slot_id: uuid.UUID):
    service = _service(service_id)
    slot = _slot(service, slot_id)
    form = TimeSlotForm(
        formdata=None,
        data={
            "original": _fingerprint(domain.ServiceWindowData.of(slot)),
            "day_of_week": slot.day_of_week,
            "from_time": fmt.input_time(slot.from_minute),
            "to_time": fmt.input_time(slot.to_minute),
            "available": slot.available,
        },
    )
    return _edit_page(service, slot, form)


@bp.post(
    "/services/<uuid:service_id>/time-slots/<uuid:slot_id>/edit", endpoint="service_window_update"
)
def service_window_update(service_id: uuid.UUID, slot_id: uuid.UUID):
    service = _service(service_id)
    slot = _slot(service, slot_id)
    form = TimeSlotForm()
    if not form.validate_on_submit():
        return _edit_page(service, slot, form)
    data = _data(form)
    if data is None:
        return _edit_page(service, slot, form)
    expected = _parse_fingerprint(form.original.data or "")

    def refused(error):
        return _edit_page(service, slot, form, status=show_refusal(form, error))

    on_domain_error(refused, form, FORM_FIELDS)
    domain.update_service_window(db.session, slot, data, expected=expected)
    flash(_("Time slot saved."), "success")
    return _back(service)


@bp.post(
    "/services/<uuid:service_id>/time-slots/<uuid:slot_id>/delete", endpoint="service_window_delete"
)
def service_window_delete(service_id: uuid.UUID, slot_id: uuid.UUID):
    service = _service(service_id)
    slot = _slot(service, slot_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    expected = _parse_fingerprint(request.form.get("original", ""))

    def refused(error):
        flash(_("This time slot was changed meanwhile; nothing was deleted."), "error")
        return _back(service)

    on_domain_error(refused)
    domain.delete_service_window(db.session, slot, expected=expected)
    flash(_("Time slot deleted."), "success")
    return _back(service)


def _back(service: Service):
    return htmx.see_other(url_for("admin.service_windows", service_id=service.id))
