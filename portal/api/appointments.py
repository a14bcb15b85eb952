"""/api/appointments: the seed 001 video-appointment API and seed 003 reference API.

Thin routes: parse, call ``portal.booking`` (operations, participants,
interaction, queries, updates), render. Roles follow DESIGN.md 8; wherever an
AGENT may act, SUPERVISOR and ADMIN may too (DESIGN.md 2), on any appointment.
An agent asking about an appointment they do not take part in gets 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import g, jsonify, url_for
from werkzeug.datastructures import MultiDict

from portal.api import bp, customer_tokens
from portal.api.auth import require_token
from portal.api.body import Field, parse_body, utc_datetime, uuid_value
from portal.api.errors import ApiError, invalid_param, not_found
from portal.api.params import checked, query_args, required
from portal.api.paging import page_of, page_params, sort_params
from portal.api.serializers import (
    activation_json,
    customer_appointment_json,
    customer_participant_json,
    utc_z,
)
from portal.booking import (
    interaction,
    lifecycle,
    operations,
    participants,
    queries,
    updates,
)
from portal.booking.errors import NotFound
from portal.domain.errors import Forbidden
from portal.booking.lifecycle import Actor
from portal.booking.operations import Customer
from portal.extensions import db
from portal.domain import values
from portal.isoduration import format_duration
from portal.representation import (
    active_notifications,
    appointment_json,
    appointment_json_with,
    notification_json,
    notification_ref_json,
    participant_json,
)
from portal.models import (
    Appointment,
    AppointmentStatus,
    InteractionState,
    NotificationTemplate,
    Participant,
    Role,
    Service,
    User,
)

# Who may call what (DESIGN.md 8, widened per DESIGN.md 2: supervisors and admins act as agents).
AGENTS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
STAFF = (*AGENTS, Role.CLIENT_SERVICE)
ACTIVATORS = (Role.CLIENT_SERVICE, *AGENTS)

MAX_TIME_FRAME = timedelta(days=366)
MAX_DURATION = timedelta(days=1)  # of one appointment
TITLE_MAX = updates.TITLE_MAX
NOTES_MAX = 10_000


# --- JSON shapes ------------------------------------------------------------


def appointment_page_json(
    appointments: Sequence[Appointment],
    total: int,
    page_number: int,
    page_size: int,
    sort_field: str,
    sort_order: str,
) -> dict[str, Any]:
    """A page of appointments whose notifications name their templates by id; the page lists
    each of those templates once, with its bodies, under ``notificationTemplates``
    (docs/decisions.md, "Team views and list queries")."""
    templates: dict[uuid.UUID, NotificationTemplate] = {}

    def item_json(appointment: Appointment) -> dict[str, Any]:
        used = active_notifications(appointment)
        templates.update((t.id, t) for t in used if t.id not in templates)
        return appointment_json_with(appointment, [notification_ref_json(t) for t in used])

    page = page_of(appointments, total, page_number, page_size, sort_field, sort_order, item_json)
    page["notificationTemplates"] = [notification_json(t) for t in templates.values()]
    return page


def appointment_view(actor: Actor, appointment: Appointment) -> dict[str, Any]:
    """The staff shape, or the customer's view: the lifecycle says which ``actor`` gets."""
    if lifecycle.sees_staff_details(actor, appointment):
        return appointment_json(appointment)
    return customer_appointment_json(
        appointment,
        lifecycle.participants_seen_by(actor, appointment),
        interaction.live_ticket(appointment),
    )


def participant_view(
    actor: Actor, appointment: Appointment, participant: Participant
) -> dict[str, Any]:
    if lifecycle.sees_staff_details(actor, appointment):
        return participant_json(participant)
    return customer_participant_json(participant)


# --- input helpers ------------------------------------------------------------


def _query(allowed) -> MultiDict[str, str]:
    """``query_args`` plus: no NUL characters anywhere (no database stores them)."""
    args = query_args(allowed)
    for name, value in args.items(multi=True):
        if "\x00" in value:
            raise invalid_param(f"'{name}' must not contain NUL characters.")
    return args


def _in_range(path: str, value: datetime, span: timedelta = timedelta(0)) -> datetime:
    """``value`` and ``value + span`` lie within the bounded years (portal.domain.values)."""
    return checked(values.bounded_instant, path, value, span=span)


def _timezone(path: str, value: str) -> str:
    return checked(values.timezone_name, path, value)


def _locale(path: str, value: str) -> str:
    return checked(values.locale, path, value)


def _duration(path: str, value: str) -> timedelta:
    return checked(values.duration, path, value, maximum=MAX_DURATION)


def _email(path: str, value: str) -> str:
    return checked(values.email, path, value)


CUSTOMER_FIELDS = {
    "name": Field(
        dict,
        required=True,
        fields={
            "firstName": Field(str, max_length=100, default=""),
            "lastName": Field(str, max_length=100, default=""),
        },
    ),
    "contact": Field(
        dict,
        default=dict,
        fields={
            "primaryEmail": Field(str, nullable=True, max_length=254, parse=_email),
            "primaryPhone": Field(str, nullable=True, max_length=32),
        },
    ),
    "metadata": Field(dict, default=dict),
    "username": Field(str, nullable=True, max_length=120),
}
REFERENCE_MAX = updates.REFERENCE_MAX
# Staff and integrations also name the customer by their own id (seed 003 customerReference);
# a customer booking for themselves (``/basic``) does not.
STAFF_CUSTOMER_FIELDS = {
    **CUSTOMER_FIELDS,
    "customerReference": Field(str, nullable=True, max_length=REFERENCE_MAX),
}
ROUTING = Field(
    dict,
    nullable=True,
    fields={
        "type": Field(str, max_length=updates.ROUTING_TYPE_MAX),
        "properties": Field(dict),
    },
)


def _customer(path: str, value: dict[str, Any]) -> tuple[Customer, str | None]:
    name = value["name"]
    if not (name.get("first_name") or name.get("last_name")):
        raise ApiError(400, "missing_param", f"'{path}.name' needs a firstName or a lastName.")
    contact = value.get("contact") or {}
    customer = Customer(
        first_name=name.get("first_name", ""),
        last_name=name.get("last_name", ""),
        email=contact.get("primary_email") or None,
        phone=contact.get("primary_phone") or None,
        metadata=value.get("metadata") or {},
        reference=(value.get("customer_reference") or "").strip() or None,
    )
    return customer, value.get("username")


def _customer_only(path: str, value: dict[str, Any]) -> Customer:
    return _customer(path, value)[0]


def _appointment_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(400, "invalid_param_type", "The appointment id must be a UUID.") from None


def _actor() -> Actor:
    return Actor.of(g.api_user)


def _visible(appointment_id: uuid.UUID | str) -> Appointment:
    key = (
        appointment_id if isinstance(appointment_id, uuid.UUID) else _appointment_id(appointment_id)
    )
    return queries.find_visible(db.session, g.api_user, key)


def _service(service_id: uuid.UUID) -> Service:
    service = db.session.get(Service, service_id)
    if service is None or not service.active:
        raise not_found("That service")
    return service


def _organizer(values: dict[str, Any]) -> uuid.UUID | None:
    organizer = values.get("organizer_id")
    agent = values.get("agent_id")
    if organizer and agent and organizer != agent:
        raise invalid_param("Send organizerId or agentId, not two different agents.")
    return organizer or agent


# --- list and read ------------------------------------------------------------

_BOUND_FIELDS = {
    "startDate": "start",
    "endDate": "end",
    "dateCreated": "created",
    "lastUpdated": "updated",
}
_OPERATORS = ("gt", "gte", "lt", "lte")
LIST_PARAMS = (
    "organizerId",
    "duration",
    "range",
    "pageSize",
    "pageNumber",
    "sortOrder",
    "sortField",
    "title",
    "reference",
    "customerReference",
    "employeeReference",
    "status",
    "serviceId",
    *(f"{name}_{op}" for name in _BOUND_FIELDS for op in _OPERATORS),
)


def _csv(args: MultiDict[str, str], name: str) -> list[str]:
    values = [part.strip() for raw in args.getlist(name) for part in raw.split(",")]
    if any(not part for part in values):
        raise invalid_param(f"'{name}' is a comma-separated list without empty items.")
    return values


def parse_list_filter(args: MultiDict[str, str]) -> queries.AppointmentFilter:
    """The seed 001 + seed 003 filters of GET /api/appointments/."""
    organizer_ids = [uuid_value("organizerId", v) for v in _csv(args, "organizerId")]
    durations = [_duration("duration", v) for v in _csv(args, "duration")]
    range_start = range_end = None
    if "range" in args:
        parts = _csv(args, "range")
        if len(parts) != 2:
            raise invalid_param("'range' must be two date-times: start,end.")
        range_start, range_end = (utc_datetime("range", p) for p in parts)
        if range_end < range_start:
            raise invalid_param("'range' must end after it starts.")
    bounds: dict[str, queries.Bounds] = {}
    for name, key in _BOUND_FIELDS.items():
        values = {
            op: utc_datetime(f"{name}_{op}", args[f"{name}_{op}"])
            for op in _OPERATORS
            if f"{name}_{op}" in args
        }
        bounds[key] = queries.Bounds(**values)
    statuses = []
    for value in _csv(args, "status"):
        try:
            statuses.append(AppointmentStatus(value.upper()))
        except ValueError:
            raise invalid_param("'status' must be SCHEDULED or CANCELLED.") from None
    service_id = uuid_value("serviceId", args["serviceId"]) if "serviceId" in args else None
    return queries.AppointmentFilter(
        organizer_ids=organizer_ids,
        durations=durations,
        range_start=range_start,
        range_end=range_end,
        start=bounds["start"],
        end=bounds["end"],
        created=bounds["created"],
        updated=bounds["updated"],
        title=args.get("title") or None,
        reference=args.get("reference") or None,
        customer_reference=args.get("customerReference") or None,
        employee_reference=args.get("employeeReference") or None,
        statuses=statuses,
        service_id=service_id,
    )


@bp.get("/appointments/")
@require_token(*STAFF)
def list_appointments():
    args = _query(LIST_PARAMS)
    page_number, page_size = page_params(args)
    sort_field, sort_order = sort_params(args, queries.SORT_FIELDS, "start")
    filters = parse_list_filter(args)
    items, total = queries.list_appointments(
        db.session,
        g.api_user,
        filters,
        sort_field=sort_field,
        sort_order=sort_order,
        page_number=page_number,
        page_size=page_size,
    )
    return jsonify(
        appointment_page_json(items, total, page_number, page_size, sort_field, sort_order)
    )


@bp.get("/appointments/<appointment_id>")
def get_appointment(appointment_id: str):
    _query(())
    actor, appointment = _reader(_appointment_id(appointment_id), STAFF)
    return jsonify(appointment_view(actor, appointment))


def _reader(key: uuid.UUID, roles: tuple[Role, ...]) -> tuple[Actor, Appointment]:
    """Who reads, and the appointment: a customer bearer's own, or a staff token's visible one."""
    customer = customer_tokens.customer_claim()
    if customer is not None:
        return Actor.customer(customer), customer_tokens.customer_appointment(customer, key)
    _authenticate(*roles)
    return _actor(), _visible(key)


def _authenticate(*roles: Role) -> User:
    """``require_token`` for views that also accept a customer bearer."""
    checked = require_token(*roles)(lambda: g.api_user)
    return checked()


# --- staff create, update, cancel ----------------------------------------------------

CREATE_FIELDS = {
    "serviceId": Field(str, required=True, parse=uuid_value),
    "start": Field(str, required=True, parse=utc_datetime),
    "timezone": Field(str, parse=_timezone),
    "locale": Field(str, max_length=16, parse=_locale),
    "agentId": Field(str, parse=uuid_value),
    "organizerId": Field(str, parse=uuid_value),
    "title": Field(str, max_length=TITLE_MAX),
    "notes": Field(str, max_length=NOTES_MAX, default=""),
    "customer": Field(dict, required=True, fields=STAFF_CUSTOMER_FIELDS, parse=_customer_only),
    "reference": Field(str, min_length=1, max_length=updates.REFERENCE_MAX),
    "metadata": Field(dict),
    "notificationsActive": Field(bool, default=True),
    "interaction": Field(dict, fields={"routing": ROUTING}),
    "endDate": Field(str, parse=utc_datetime),
    "done": Field(bool),
    "answers": Field(dict, default=dict),  # {question id: value}; the service's questions
    # Book past the service's limits on purpose (issue 18); otherwise they hold for staff too.
    "overrideLimits": Field(bool, default=False),
}


@bp.post("/appointments/")
@require_token(*STAFF)
def create_appointment():
    values = parse_body(CREATE_FIELDS)
    _in_range("start", values["start"])
    service = _service(values["service_id"])
    appointment = updates.create_for_staff(
        db.session,
        service,
        values["start"],
        values["customer"],
        organizer_id=_organizer(values),
        actor=_actor(),
        reference=values.get("reference"),
        title=values.get("title"),
        notes=values["notes"],
        metadata=values.get("metadata"),
        timezone=values.get("timezone"),
        locale=values.get("locale"),
        notifications_active=values["notifications_active"],
        routing=(values.get("interaction") or {}).get("routing"),
        end=values.get("end_date"),
        done=values.get("done"),
        answers=values["answers"],
        override_limits=values["override_limits"],
    )
    response = jsonify(appointment_json(appointment))
    response.status_code = 201
    response.headers["Location"] = url_for(
        "api.get_appointment", appointment_id=str(appointment.id)
    )
    return response


UPDATE_FIELDS = {
    "id": Field(str, required=True, parse=uuid_value),
    "title": Field(str, max_length=TITLE_MAX, default=""),
    "notes": Field(str, max_length=NOTES_MAX, default=""),
    "metadata": Field(dict, default=dict),
    "interaction": Field(
        dict,
        default=dict,
        fields={
            "customFields": Field(dict, default=dict),
            "routing": ROUTING,
            "state": Field(str, choices=[s.value for s in InteractionState]),
        },
    ),
    "notificationsActive": Field(bool),
}


@bp.put("/appointments/")
@require_token(*STAFF)
def update_appointment():
    values = parse_body(UPDATE_FIELDS)
    appointment = _visible(values["id"])
    given = values["interaction"]
    state = given.get("state")
    appointment = updates.update_details(
        db.session,
        appointment,
        title=values["title"],
        notes=values["notes"],
        metadata=values["metadata"],
        custom_fields=given.get("custom_fields", {}),
        routing=given.get("routing") or {},
        notifications_active=values.get("notifications_active", updates.UNSET),
        interaction_state=InteractionState(state) if state else None,
        actor=_actor(),
    )
    return jsonify(appointment_json(appointment))


def _cancel(appointment: Appointment, reason: str | None, actor: Actor | None = None):
    operations.cancel(
        db.session, appointment, reason or "Cancelled through the API.", actor=actor or _actor()
    )
    return "", 204


def _changer(roles: tuple[Role, ...]) -> str | None:
    """A customer bearer's e-mail; else None once a staff token with ``roles`` is checked."""
    customer = customer_tokens.customer_claim()
    if customer is None:
        _authenticate(*roles)
    return customer


def _target(customer: str | None, key: uuid.UUID) -> tuple[Actor, Appointment]:
    if customer is not None:
        return Actor.customer(customer), customer_tokens.customer_appointment(customer, key)
    return _actor(), _visible(key)


@bp.delete("/appointments/<appointment_id>")
def delete_appointment(appointment_id: str):
    """Staff cancel; a customer bearer cancels their own (until the service's cut-off)."""
    customer = _changer(STAFF)
    args = _query(("reason",))
    reason = args.get("reason", "").strip()
    if len(reason) > 500:
        raise invalid_param("'reason' allows at most 500 characters.")
    actor, appointment = _target(customer, _appointment_id(appointment_id))
    return _cancel(appointment, reason, actor)


# --- seed 003: by external reference -------------------------------------------------

UPSERT_FIELDS = {
    "serviceId": Field(str, parse=uuid_value),
    "start": Field(str, parse=utc_datetime),
    "duration": Field(str, parse=_duration),
    "timezone": Field(str, parse=_timezone),
    "locale": Field(str, max_length=16, parse=_locale),
    "agentId": Field(str, parse=uuid_value),
    "organizerId": Field(str, parse=uuid_value),
    "title": Field(str, max_length=TITLE_MAX),
    "notes": Field(str, max_length=NOTES_MAX),
    "customer": Field(dict, fields=STAFF_CUSTOMER_FIELDS, parse=_customer_only),
    "metadata": Field(dict),
    "endDate": Field(str, parse=utc_datetime, dest="end"),
    "done": Field(bool),
    "notificationsActive": Field(bool),
}


def _by_reference(reference: str) -> Appointment:
    appointment = queries.find_by_reference(db.session, g.api_user, reference)
    if appointment is None:
        raise not_found("An appointment with that reference")
    return appointment


def _check_reference_path(reference: str) -> str:
    if not reference.strip() or len(reference) > updates.REFERENCE_MAX or "\x00" in reference:
        raise invalid_param(f"A reference has 1 to {updates.REFERENCE_MAX} characters.")
    return reference


@bp.get("/appointments/reference/<path:reference>")
@require_token(*STAFF)
def get_by_reference(reference: str):
    _query(())
    return jsonify(appointment_json(_by_reference(_check_reference_path(reference))))


@bp.put("/appointments/reference/<path:reference>")
@require_token(*STAFF)
def upsert_by_reference(reference: str):
    reference = _check_reference_path(reference)
    values = parse_body(UPSERT_FIELDS, partial=True)
    if "start" in values:
        _in_range("start", values["start"])
    organizer = _organizer(values)
    changes = updates.ReferenceUpsert()
    for key in (
        "service_id",
        "start",
        "duration",
        "timezone",
        "locale",
        "title",
        "notes",
        "metadata",
        "customer",
        "end",
        "done",
        "notifications_active",
    ):
        if key in values:
            setattr(changes, key, values[key])
    if organizer is not None:
        changes.organizer_id = organizer
    if "service_id" in values:
        _service(values["service_id"])
    appointment, created = updates.upsert_by_reference(db.session, g.api_user, reference, changes)
    response = jsonify(appointment_json(appointment))
    if created:
        response.status_code = 201
        response.headers["Location"] = url_for(
            "api.get_appointment", appointment_id=str(appointment.id)
        )
    return response


@bp.delete("/appointments/reference/<path:reference>")
@require_token(*STAFF)
def delete_by_reference(reference: str):
    args = _query(("reason",))
    return _cancel(_by_reference(_check_reference_path(reference)), args.get("reason", "").strip())


# --- interaction ----------------------------------------------------------------------


@bp.put("/appointments/<appointment_id>/end")
@require_token(*AGENTS)
def end_appointment(appointment_id: str):
    _query(())
    appointment = interaction.end(db.session, _visible(appointment_id), actor=_actor())
    return jsonify(appointment_json(appointment))


@bp.post("/appointments/activate/<appointment_id>")
@require_token(*ACTIVATORS)
def activate_appointment(appointment_id: str):
    _query(())
    ticket = interaction.activate(db.session, _visible(appointment_id), actor=_actor())
    return jsonify(activation_json(ticket))


@bp.get("/appointments/eligible/")
@require_token(Role.CLIENT_SERVICE)
def eligible_appointments():
    args = _query(("timeFrame",))
    time_frame = (
        _time_frame("timeFrame", args["timeFrame"])
        if "timeFrame" in args
        else interaction.DEFAULT_TIME_FRAME
    )
    found = interaction.eligible(db.session, time_frame)
    return jsonify(
        [
            {
                "eligibleFrom": utc_z(item.eligible_from),
                "id": str(item.appointment.id),
                "start": utc_z(item.appointment.start_at),
                "timezone": item.appointment.timezone,
            }
            for item in found
        ]
    )


def _time_frame(name: str, value: str) -> timedelta:
    return checked(values.duration, name, value, maximum=MAX_TIME_FRAME, allow_zero=True)


# --- participants -----------------------------------------------------------------------

AGENT_BODY = {
    "id": Field(str, required=True, parse=uuid_value),
    "userId": Field(str, required=True, parse=uuid_value),
}
CUSTOMER_BODY = {
    "id": Field(str, required=True, parse=uuid_value),
    "customer": Field(dict, required=True, fields=STAFF_CUSTOMER_FIELDS, parse=_customer),
}


@bp.post("/appointments/participants/agents/")
@require_token(*AGENTS)
def add_agent_participant():
    values = parse_body(AGENT_BODY)
    appointment = _visible(values["id"])
    participants.add_agent(db.session, appointment, values["user_id"], actor=_actor())
    return jsonify(appointment_json(appointment))


@bp.post("/appointments/participants/customers/")
@require_token(*AGENTS)
def add_customer_participant():
    values = parse_body(CUSTOMER_BODY)
    appointment = _visible(values["id"])
    customer, username = values["customer"]
    participants.add_customer(db.session, appointment, customer, username=username, actor=_actor())
    return jsonify(appointment_json(appointment))


def _participant_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(400, "invalid_param_type", "The participant id must be a UUID.") from None


@bp.get("/appointments/<appointment_id>/participants/<participant_id>")
def get_participant(appointment_id: str, participant_id: str):
    _query(())
    key, pid = _appointment_id(appointment_id), _participant_id(participant_id)
    actor, appointment = _reader(key, AGENTS)
    participant = participants.find_visible_participant(actor, appointment, pid)
    return jsonify(participant_view(actor, appointment, participant))


@bp.delete("/appointments/<appointment_id>/participants/<participant_id>")
@require_token(*AGENTS)
def delete_participant(appointment_id: str, participant_id: str):
    _query(())
    appointment = _visible(appointment_id)
    participants.remove_participant(
        db.session, appointment, _participant_id(participant_id), actor=_actor()
    )
    return jsonify(appointment_json(appointment))


# --- time changes -----------------------------------------------------------------------

REASSIGN_BODY = AGENT_BODY
RESCHEDULE_BODY = {
    "id": Field(str, required=True, parse=uuid_value),
    "start": Field(str, required=True, parse=utc_datetime),
    "duration": Field(str, parse=_duration),
    "timezone": Field(str, parse=_timezone),
    "locale": Field(str, max_length=16, parse=_locale),
}


@bp.put("/appointments/reassign/")
@require_token(*AGENTS)
def reassign_appointment():
    values = parse_body(REASSIGN_BODY)
    appointment = _visible(values["id"])
    user = db.session.get(User, values["user_id"])
    if user is None or not user.active:
        raise NotFound("That agent does not exist.")
    operations.reassign(db.session, appointment, user.id, actor=_actor())
    return jsonify(appointment_json(appointment))


@bp.put("/appointments/reschedule/")
def reschedule_appointment():
    """Staff move any visible appointment; a customer bearer moves their own, keeping its
    length and the minimum notice, until the service's cut-off (as the manage page)."""
    customer = _changer(STAFF)
    values = parse_body(RESCHEDULE_BODY)
    _in_range("start", values["start"])
    actor, appointment = _target(customer, values["id"])
    if actor.is_customer and values.get("duration") not in (None, appointment.duration):
        raise Forbidden("Please contact us to change the length of your appointment.")
    operations.reschedule(
        db.session,
        appointment,
        values["start"],
        duration=values.get("duration") or appointment.duration,
        timezone=values.get("timezone"),
        locale=values.get("locale"),
        enforce_notice=actor.is_customer,
        actor=actor,
    )
    return jsonify(appointment_view(actor, appointment))


# --- public counts (seed 001) --------------------------------------------------------------


def _public_service(args: MultiDict[str, str]) -> Service:
    service_id = uuid_value("serviceId", required(args, "serviceId"))
    return _service(service_id)


@bp.get("/appointments/count")
def count_appointments():
    args = _query(("serviceId", "start", "timeFrame"))
    service = _public_service(args)
    start = utc_datetime("start", required(args, "start"))
    time_frame = _time_frame("timeFrame", required(args, "timeFrame"))
    _in_range("start", start, time_frame)
    counts = queries.schedule_counts(db.session, service.id, start, time_frame)
    return jsonify(
        [
            {
                "count": item.count,
                "duration": format_duration(item.duration),
                "end": utc_z(item.end),
                "start": utc_z(item.start),
                "timezone": item.timezone,
            }
            for item in counts
        ]
    )


@bp.get("/appointments/overlap/count")
def count_overlapping():
    args = _query(("serviceId", "start", "duration"))
    service = _public_service(args)
    start = utc_datetime("start", required(args, "start"))
    duration = _duration("duration", required(args, "duration"))
    _in_range("start", start, duration)
    return jsonify({"count": queries.overlap_count(db.session, service.id, start, duration)})


__all__ = [
    "activation_json",
    "appointment_json",
    "appointment_view",
    "participant_json",
    "participant_view",
]
