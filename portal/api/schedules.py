"""Working hours, time off (time exceptions), office hours and service time slots.

Thin routes over ``portal.schedules``: the same functions the staff pages call.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import g, jsonify
from werkzeug.datastructures import MultiDict

from portal.api import bp
from portal.api.auth import require_token
from portal.api.body import Field, hhmm, iso_date, parse_body, utc_datetime, uuid_value
from portal.api.errors import ApiError, invalid_param, not_found
from portal.api.paging import PAGING_PARAMS, page_of, page_params, sort_params
from portal.api.params import parse_date, query_args
from portal.api.serializers import utc_z
from portal.domain.errors import DomainError
from portal.errors import api_terms
from portal.extensions import db
from portal.models import (
    Appointment,
    DayOfWeek,
    OfficeHours,
    OfficeHoursType,
    Role,
    ServiceTimeSlot,
    TimeException,
)
from portal.schedules import office_hours as office
from portal.schedules import service_windows as windows
from portal.schedules import time_off
from portal.schedules import working_hours as hours
from portal.schedules.access import agent_for, agents_for, changeable_time_off, visible_time_off
from portal.schedules.errors import Collision
from portal.scheduling.validation import format_hhmm
from portal.sql import TimeBounds

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


def _path_uuid(value: str, what: str) -> uuid.UUID:
    """Ids in paths: anything that is not a UUID names nothing (404)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise not_found(what) from None


def _int_arg(args: MultiDict[str, str], name: str, low: int, high: int) -> int | None:
    raw = args.get(name)
    if raw is None:
        return None
    try:
        value = int(raw, 10)
    except ValueError:
        raise ApiError(400, "invalid_param_type", f"'{name}' must be a whole number.") from None
    if not low <= value <= high:
        raise invalid_param(f"'{name}' must be between {low} and {high}.")
    return value


def _bool_arg(args: MultiDict[str, str], name: str) -> bool | None:
    raw = args.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise ApiError(400, "invalid_param_type", f"'{name}' must be true or false.")
    return raw.lower() == "true"


def _hhmm_arg(args: MultiDict[str, str], name: str) -> int | None:
    raw = args.get(name)
    return None if raw is None else hhmm(name, raw)


def _listing(
    args: MultiDict[str, str],
    sort_fields: Any,
    default_sort: str,
    fetch: Callable[..., tuple[list[Any], int]],
    render: Callable[[Any], dict[str, Any]],
):
    page_number, page_size = page_params(args)
    sort_field, sort_order = sort_params(args, tuple(sort_fields), default_sort)
    items, total = fetch(
        sort_field=sort_field, sort_order=sort_order, page_number=page_number, page_size=page_size
    )
    return jsonify(page_of(items, total, page_number, page_size, sort_field, sort_order, render))


# --- working hours ----------------------------------------------------------------------------

WINDOW_FIELDS = {
    "dayOfWeek": Field(int, required=True, minimum=1, maximum=7),
    "start": Field(str, required=True, parse=hhmm),
    "end": Field(str, required=True, parse=hhmm),
}
WEEK_BODY = Field(list, items=Field(dict, fields=WINDOW_FIELDS), max_length=7 * 48)


def week_json(week: list[hours.Window]) -> list[dict[str, Any]]:
    return [
        {"dayOfWeek": w.day_of_week, "start": format_hhmm(w.start), "end": format_hhmm(w.end)}
        for w in week
    ]


@bp.get("/agents/<agent_id>/working-hours")
@require_token(*STAFF)
def get_working_hours(agent_id: str):
    query_args(())
    agent = agent_for(db.session, g.api_user, _path_uuid(agent_id, "That agent"))
    return jsonify(week_json(hours.get_week(db.session, agent.id)))


def _week_wording(error: DomainError) -> DomainError:
    """A broken week points at the offending item of the body, as given ("[2]: ...")."""
    if not isinstance(error, hours.InvalidWeek):
        return error
    position = error.position(error.problems[0])
    where = "body" if position is None else f"[{position}]"
    return invalid_param(f"{where}: {error.message}")


@bp.put("/agents/<agent_id>/working-hours")
@require_token(*STAFF)
@api_terms(wording=_week_wording)
def put_working_hours(agent_id: str):
    query_args(())
    agent = agent_for(db.session, g.api_user, _path_uuid(agent_id, "That agent"))
    items = parse_body(WEEK_BODY)
    week = [hours.Window(i["day_of_week"], i["start"], i["end"]) for i in items]
    return jsonify(week_json(hours.replace_week(db.session, agent.id, week)))


# --- time exceptions --------------------------------------------------------------------------

TIME_OFF_FIELDS = {
    "agentIds": Field(
        list, required=True, min_length=1, max_length=100, items=Field(str, parse=uuid_value)
    ),
    "from": Field(str, required=True, parse=iso_date, dest="from_date"),
    "to": Field(str, required=True, parse=iso_date, dest="to_date"),
    "fromTime": Field(str, nullable=True, parse=hhmm, default=None, dest="from_minute"),
    "toTime": Field(str, nullable=True, parse=hhmm, default=None, dest="to_minute"),
    "daysOfWeek": Field(list, default=list, max_length=7, items=Field(int, minimum=1, maximum=7)),
    "reasonText": Field(str, default="", max_length=time_off.MAX_REASON),
    "reasonTextPublic": Field(str, default="", max_length=time_off.MAX_REASON),
    "color": Field(str, default=time_off.DEFAULT_COLOR),
    "blockTime": Field(bool, default=True),
    "private": Field(bool, default=False),
    "collidingBookingOptions": Field(
        str,
        nullable=True,
        default=None,
        choices=[option.value for option in time_off.CollidingBookingOptions],
    ),
    "force": Field(bool, nullable=True, default=None),
    "cancelMessage": Field(
        str, nullable=True, default=None, max_length=time_off.MAX_CANCEL_MESSAGE
    ),
    "sendEmailConfirmation": Field(bool, nullable=True, default=None),
    "sendSmsConfirmation": Field(bool, nullable=True, default=None),
}
TIME_OFF_QUERY = (*PAGING_PARAMS, "agentId", "from", "to")

# Domain field → API name, for the refusals of the domain checks (api_terms).
_TIME_OFF_NAMES = {
    "agent_ids": "agentIds",
    "from_date": "from",
    "to_date": "to",
    "from_minute": "fromTime",
    "to_minute": "toTime",
    "days_of_week": "daysOfWeek",
    "reason_text": "reasonText",
    "reason_text_public": "reasonTextPublic",
    "color": "color",
    "cancel_message": "cancelMessage",
}


def time_off_json(exception: TimeException) -> dict[str, Any]:
    return {
        "id": str(exception.id),
        "agentIds": [str(agent.id) for agent in exception.agents],
        "from": exception.from_date.isoformat(),
        "to": exception.to_date.isoformat(),
        "fromTime": None if exception.from_minute is None else format_hhmm(exception.from_minute),
        "toTime": None if exception.to_minute is None else format_hhmm(exception.to_minute),
        "daysOfWeek": sorted(exception.days_of_week or []),
        "isRecurring": exception.recurring,
        "reasonText": exception.reason_text,
        "reasonTextPublic": exception.reason_text_public,
        "color": exception.color,
        "blockTime": exception.block_time,
        "private": exception.private,
        "createdAt": utc_z(exception.created_at),
        "updatedAt": utc_z(exception.updated_at),
    }


def _appointment_brief(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": str(appointment.id),
        "start": utc_z(appointment.start_at),
        "end": utc_z(appointment.end_at),
        "organizerId": str(appointment.organizer_id),
        "title": appointment.title,
    }


def _time_off_input() -> tuple[time_off.TimeOff, time_off.CollisionChoice]:
    values = parse_body(TIME_OFF_FIELDS)
    agents = agents_for(db.session, g.api_user, values["agent_ids"])
    data = time_off.TimeOff(
        agent_ids=tuple(agent.id for agent in agents),
        from_date=values["from_date"],
        to_date=values["to_date"],
        from_minute=values["from_minute"],
        to_minute=values["to_minute"],
        days_of_week=tuple(values["days_of_week"]),
        reason_text=values["reason_text"],
        reason_text_public=values["reason_text_public"],
        color=values["color"],
        block_time=values["block_time"],
        private=values["private"],
    )
    option = values["colliding_booking_options"]
    choice = time_off.CollisionChoice(
        force=bool(values["force"]),
        option=time_off.CollidingBookingOptions(option)
        if option
        else time_off.CollidingBookingOptions.KEEP,
        cancel_message=values["cancel_message"],
        send_email=values["send_email_confirmation"] is not False,
        send_sms=bool(values["send_sms_confirmation"]),
    )
    return data, choice


def _time_off_wording(error: DomainError) -> DomainError:
    """A collision lists the appointments and says how to add the time off anyway."""
    if not isinstance(error, Collision):
        return error
    return ApiError(
        409,
        "conflict",
        f"{error.message} Send force=true with collidingBookingOptions to add it anyway.",
        collidingAppointmentIds=[str(a.id) for a in error.appointments],
        collidingAppointments=[_appointment_brief(a) for a in error.appointments],
    )


def _time_off_answer(outcome: time_off.Outcome, status: int):
    body = time_off_json(outcome.exception)
    body["keptAppointmentIds"] = [str(a.id) for a in outcome.kept]
    body["cancelledAppointmentIds"] = [str(a.id) for a in outcome.cancelled]
    return jsonify(body), status


@bp.get("/time-exceptions")
@require_token(*STAFF)
def list_time_exceptions():
    args = query_args(TIME_OFF_QUERY)
    actor = g.api_user
    agent_ids: list[uuid.UUID] | None
    if "agentId" in args:
        try:
            wanted = [uuid.UUID(part.strip()) for part in args["agentId"].split(",")]
        except ValueError:
            raise invalid_param(
                "'agentId' must be one or more UUIDs, separated by commas."
            ) from None
        agent_ids = [agent.id for agent in agents_for(db.session, actor, wanted)]
    elif actor.role == Role.AGENT:
        agent_ids = [actor.id]
    else:
        agent_ids = None
    first = parse_date("from", args["from"]) if "from" in args else None
    last = parse_date("to", args["to"]) if "to" in args else None

    def fetch(**paging: Any):
        return time_off.list_time_off(
            db.session, agent_ids=agent_ids, from_date=first, to_date=last, **paging
        )

    return _listing(args, time_off.TIME_OFF_SORT_FIELDS, "from", fetch, time_off_json)


@bp.post("/time-exceptions")
@require_token(*STAFF)
@api_terms(_TIME_OFF_NAMES, _time_off_wording)
def create_time_exception():
    query_args(())
    data, choice = _time_off_input()
    outcome = time_off.create_time_off(db.session, data, created_by=g.api_user, choice=choice)
    return _time_off_answer(outcome, 201)


@bp.get("/time-exceptions/<exception_id>")
@require_token(*STAFF)
def get_time_exception(exception_id: str):
    query_args(())
    key = _path_uuid(exception_id, "That time exception")
    exception = visible_time_off(g.api_user, db.session.get(TimeException, key))
    return jsonify(time_off_json(exception))


@bp.put("/time-exceptions/<exception_id>")
@require_token(*STAFF)
@api_terms(_TIME_OFF_NAMES, _time_off_wording)
def put_time_exception(exception_id: str):
    query_args(())
    key = _path_uuid(exception_id, "That time exception")
    exception = changeable_time_off(g.api_user, db.session.get(TimeException, key))
    data, choice = _time_off_input()
    outcome = time_off.update_time_off(db.session, exception, data, choice=choice)
    return _time_off_answer(outcome, 200)


@bp.delete("/time-exceptions/<exception_id>")
@require_token(*STAFF)
def delete_time_exception(exception_id: str):
    query_args(())
    key = _path_uuid(exception_id, "That time exception")
    exception = changeable_time_off(g.api_user, db.session.get(TimeException, key))
    time_off.delete_time_off(db.session, exception)
    return "", 204


# --- office hours -----------------------------------------------------------------------------

OFFICE_FIELDS = {
    "name": Field(str, required=True, min_length=1, max_length=24),
    "type": Field(str, required=True, choices=[t.value for t in OfficeHoursType]),
    "dow": Field(str, required=True, choices=[d.value for d in DayOfWeek]),
    "timeFrom": Field(int, required=True, minimum=0, maximum=86400, dest="time_from"),
    "timeTo": Field(int, required=True, minimum=0, maximum=86400, dest="time_to"),
}
# Domain field → API name (api_terms).
_OFFICE_NAMES = {
    "name": "name",
    "type": "type",
    "dow": "dow",
    "time_from": "timeFrom",
    "time_to": "timeTo",
}


def office_hours_json(item: OfficeHours) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "name": item.name,
        "type": item.type.value,
        "dow": item.dow.value,
        "timeFrom": item.time_from,
        "timeTo": item.time_to,
        "createdAt": utc_z(item.created_at),
        "updatedAt": utc_z(item.updated_at),
    }


def _office_values(values: dict[str, Any]) -> dict[str, Any]:
    if "type" in values:
        values["type"] = OfficeHoursType(values["type"])
    if "dow" in values:
        values["dow"] = DayOfWeek(values["dow"])
    return values


@bp.get("/office-hours")
@require_token(*STAFF)
def list_office_hours():
    args = query_args((*PAGING_PARAMS, "dow"))
    dow = args.get("dow")
    if dow is not None and dow not in {d.value for d in DayOfWeek}:
        raise invalid_param("'dow' must be one of: sun, mon, tue, wed, thu, fri, sat.")

    def fetch(**paging: Any):
        return office.list_office_hours(db.session, dow=DayOfWeek(dow) if dow else None, **paging)

    return _listing(args, office.SORT_FIELDS, "dow", fetch, office_hours_json)


@bp.post("/office-hours")
@require_token(Role.ADMIN)
@api_terms(_OFFICE_NAMES)
def create_office_hours():
    query_args(())
    values = _office_values(parse_body(OFFICE_FIELDS))
    item = office.create_office_hours(db.session, office.OfficeHoursData(**values))
    return jsonify(office_hours_json(item)), 201


@bp.get("/office-hours/<item_id>")
@require_token(*STAFF)
def get_office_hours(item_id: str):
    query_args(())
    item = office.get_office_hours(db.session, _path_uuid(item_id, "Those office hours"))
    return jsonify(office_hours_json(item))


@bp.patch("/office-hours/<item_id>")
@require_token(Role.ADMIN)
@api_terms(_OFFICE_NAMES)
def patch_office_hours(item_id: str):
    query_args(())
    item = office.get_office_hours(db.session, _path_uuid(item_id, "Those office hours"))
    changes = _office_values(parse_body(OFFICE_FIELDS, partial=True))
    office.update_office_hours(db.session, item, changes)
    return jsonify(office_hours_json(item))


@bp.delete("/office-hours/<item_id>")
@require_token(Role.ADMIN)
def delete_office_hours(item_id: str):
    query_args(())
    item = office.get_office_hours(db.session, _path_uuid(item_id, "Those office hours"))
    office.delete_office_hours(db.session, item)
    return "", 204


# --- service time slots -----------------------------------------------------------------------

SLOT_FIELDS = {
    "dayOfWeek": Field(int, required=True, minimum=1, maximum=7),
    "fromTime": Field(str, required=True, parse=hhmm, dest="from_minute"),
    "toTime": Field(str, required=True, parse=hhmm, dest="to_minute"),
    "available": Field(bool, default=True),
}
SLOT_QUERY = (
    *PAGING_PARAMS,
    "dayOfWeek",
    "available",
    "fromTime_gte",
    "fromTime_lte",
    "toTime_gte",
    "toTime_lte",
    "createdOn_gte",
    "createdOn_lte",
    "updatedOn_gte",
    "updatedOn_lte",
)
# Domain field → API name (api_terms).
_SLOT_NAMES = {"day_of_week": "dayOfWeek", "from_minute": "fromTime", "to_minute": "toTime"}


def time_slot_json(slot: ServiceTimeSlot) -> dict[str, Any]:
    return {
        "id": str(slot.id),
        "serviceId": str(slot.service_id),
        "dayOfWeek": slot.day_of_week,
        "fromTime": format_hhmm(slot.from_minute),
        "toTime": format_hhmm(slot.to_minute),
        "available": slot.available,
        "createdOn": utc_z(slot.created_at),
        "updatedOn": utc_z(slot.updated_at),
    }


def _stamp_bounds(args: MultiDict[str, str], name: str) -> TimeBounds:
    """``<name>_gte`` / ``<name>_lte`` as whole-second bounds (seed 004 From_/To_ ranges)."""
    given = {
        op: utc_datetime(f"{name}_{op}", args[f"{name}_{op}"])
        for op in ("gte", "lte")
        if f"{name}_{op}" in args
    }
    return TimeBounds(**given)


@bp.get("/services/<service_id>/time-slots")
@require_token(Role.ADMIN)
def list_time_slots(service_id: str):
    args = query_args(SLOT_QUERY)
    service = windows.find_service(db.session, _path_uuid(service_id, "That service"))
    filters = {
        "day_of_week": _int_arg(args, "dayOfWeek", 1, 7),
        "available": _bool_arg(args, "available"),
        "from_gte": _hhmm_arg(args, "fromTime_gte"),
        "from_lte": _hhmm_arg(args, "fromTime_lte"),
        "to_gte": _hhmm_arg(args, "toTime_gte"),
        "to_lte": _hhmm_arg(args, "toTime_lte"),
        "created": _stamp_bounds(args, "createdOn"),
        "updated": _stamp_bounds(args, "updatedOn"),
    }

    def fetch(**paging: Any):
        return windows.list_service_windows(db.session, service.id, **filters, **paging)

    return _listing(args, windows.SORT_FIELDS, "dayOfWeek", fetch, time_slot_json)


@bp.post("/services/<service_id>/time-slots")
@require_token(Role.ADMIN)
@api_terms(_SLOT_NAMES)
def create_time_slot(service_id: str):
    query_args(())
    service = windows.find_service(db.session, _path_uuid(service_id, "That service"))
    data = windows.ServiceWindowData(**parse_body(SLOT_FIELDS))
    return jsonify(time_slot_json(windows.create_service_window(db.session, service, data))), 201


@bp.get("/services/<service_id>/time-slots/<slot_id>")
@require_token(Role.ADMIN)
def get_time_slot(service_id: str, slot_id: str):
    query_args(())
    service = windows.find_service(db.session, _path_uuid(service_id, "That service"))
    slot = windows.get_service_window(db.session, service.id, _path_uuid(slot_id, "That time slot"))
    return jsonify(time_slot_json(slot))


@bp.put("/services/<service_id>/time-slots/<slot_id>")
@require_token(Role.ADMIN)
@api_terms(_SLOT_NAMES)
def put_time_slot(service_id: str, slot_id: str):
    query_args(())
    service = windows.find_service(db.session, _path_uuid(service_id, "That service"))
    slot = windows.get_service_window(db.session, service.id, _path_uuid(slot_id, "That time slot"))
    data = windows.ServiceWindowData(**parse_body(SLOT_FIELDS))
    return jsonify(time_slot_json(windows.update_service_window(db.session, slot, data)))


@bp.delete("/services/<service_id>/time-slots/<slot_id>")
@require_token(Role.ADMIN)
def delete_time_slot(service_id: str, slot_id: str):
    query_args(())
    service = windows.find_service(db.session, _path_uuid(service_id, "That service"))
    slot = windows.get_service_window(db.session, service.id, _path_uuid(slot_id, "That time slot"))
    windows.delete_service_window(db.session, slot)
    return "", 204
