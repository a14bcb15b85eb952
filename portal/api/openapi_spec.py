"""The source of /api/openapi.json: every operation of the API, its parameters and answers.

Request bodies are not written here: each operation names the ``Field`` schema
its view passes to ``parse_body`` (looked up on the view's module when the
document is built) and ``portal.api.openapi`` converts it, so bodies cannot drift.
Query parameters, roles and responses are declared here; ``tests/api/test_openapi.py``
records what every view really accepts (``query_args`` / ``parse_body``) and
answers, and fails on any difference, in both directions. Sort-field enums are
taken from the code's own tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# --- small builders ---------------------------------------------------------------------------

STRING: dict[str, Any] = {"type": "string"}
UUID: dict[str, Any] = {"type": "string", "format": "uuid"}
DATE_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
DURATION: dict[str, Any] = {"type": "string", "format": "duration", "examples": ["PT30M"]}
HHMM: dict[str, Any] = {"type": "string", "pattern": r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}
BOOL_TEXT: dict[str, Any] = {"type": "string", "enum": ["true", "false"]}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed object: every property is present unless listed in ``optional``."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


def page_of(item: str) -> dict[str, Any]:
    """The one list shape (DESIGN.md 8) with ``content`` of ``item``."""
    return obj(
        {
            "content": array(ref(item)),
            "pageNumber": {"type": "integer", "minimum": 1},
            "pageSize": {"type": "integer", "minimum": 1},
            "pageCount": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0},
            "sortField": STRING,
            "sortOrder": {"type": "string", "enum": ["asc", "desc"]},
        }
    )


NOTIFICATION_CHANNEL: dict[str, Any] = {"type": "string", "enum": ["EMAIL", "SMS"]}
NOTIFICATION_TYPE: dict[str, Any] = {
    "type": "string",
    "enum": ["CREATE", "RESCHEDULE", "CANCEL", "REMINDER", "ROOM"],
}
# The staff appointment shape; in a list its notifications are references to the page's
# ``notificationTemplates`` (``AppointmentListItem``).
APPOINTMENT_PROPERTIES: dict[str, Any] = {
    "id": UUID,
    "serviceId": UUID,
    "reference": nullable(STRING),
    "status": {"type": "string", "enum": ["SCHEDULED", "CANCELLED"]},
    "title": STRING,
    "notes": STRING,
    "start": DATE_TIME,
    "end": DATE_TIME,
    "duration": DURATION,
    "timezone": STRING,
    "locale": STRING,
    "interaction": obj(
        {
            "customFields": {"type": "object"},
            "routing": nullable(
                obj(
                    {"type": STRING, "properties": {"type": "object"}},
                    optional=("type", "properties"),
                )
            ),
            "state": {"type": "string", "enum": ["PENDING", "ACTIVE", "ENDED"]},
        }
    ),
    "metadata": {"type": "object"},
    "notificationsActive": {"type": "boolean"},
    "notifications": array(ref("NotificationInfo")),
    "organizer": obj(
        {"id": UUID, "type": {"const": "AGENT"}, "employeeReference": nullable(STRING)}
    ),
    "participantIds": array(
        obj({"id": UUID, "type": {"type": "string", "enum": ["AGENT", "CUSTOMER"]}})
    ),
    "room": nullable(ref("Activation")),
    "done": {"type": "boolean"},
    "answers": ref("Answers"),
    "cancellationReason": nullable(STRING),
    "dateCreated": DATE_TIME,
    "lastUpdated": DATE_TIME,
}


# --- components -------------------------------------------------------------------------------

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": (
            "Every error: a code and a sentence. Some add details (e.g. colliding appointments)."
        ),
        "properties": {"error": STRING, "error_description": STRING},
        "required": ["error", "error_description"],
    },
    "TimeOffConflict": {
        "type": "object",
        "properties": {
            "error": {"const": "conflict"},
            "error_description": STRING,
            "collidingAppointmentIds": array(UUID),
            "collidingAppointments": array(
                obj(
                    {
                        "id": UUID,
                        "start": DATE_TIME,
                        "end": DATE_TIME,
                        "organizerId": UUID,
                        "title": STRING,
                    }
                )
            ),
        },
        "required": [
            "error",
            "error_description",
            "collidingAppointmentIds",
            "collidingAppointments",
        ],
        "additionalProperties": False,
    },
    "AgentRef": obj({"id": UUID, "name": STRING, "timezone": STRING}),
    "Service": obj(
        {
            "id": UUID,
            "slug": STRING,
            "name": STRING,
            "description": STRING,
            "duration": DURATION,
            "slotInterval": DURATION,
            "bufferBefore": DURATION,
            "bufferAfter": DURATION,
            "minimumNotice": DURATION,
            "horizonDays": {"type": "integer"},
            "capacity": {"type": "integer", "minimum": 1},
            "timezone": STRING,
            "locale": STRING,
            "active": {"type": "boolean"},
            "cancelCutoff": nullable(DURATION),
            "rescheduleCutoff": nullable(DURATION),
            "maxBookingsPerCustomer": nullable({"type": "integer", "minimum": 1}),
            "maxPerAgentPerDay": nullable({"type": "integer", "minimum": 1}),
            "questions": array(ref("Question")),
            "agentIds": array(UUID),
            "agents": array(ref("AgentRef")),
        }
    ),
    "Answers": {
        "type": "object",
        "description": (
            "The customer's answers to the service's booking questions: {question id: value}, "
            "text (select: one of the options) or, for a checkbox, true/false. Answers to "
            "questions the service no longer asks are kept."
        ),
        "additionalProperties": {"type": ["string", "boolean"]},
    },
    "Question": obj(
        {
            "id": STRING,
            "label": STRING,
            "type": {"type": "string", "enum": ["text", "textarea", "select", "checkbox", "phone"]},
            "required": {"type": "boolean"},
            "options": array(STRING),
        },
        optional=("options",),
    ),
    "Slot": obj(
        {
            "start": DATE_TIME,
            "end": DATE_TIME,
            "agentIds": array(UUID),
            "remaining": {"type": "integer", "minimum": 1},
        }
    ),
    "User": obj(
        {
            "id": UUID,
            "email": {"type": "string", "format": "email"},
            "name": STRING,
            "role": {"type": "string", "enum": ["AGENT", "SUPERVISOR", "ADMIN", "CLIENT_SERVICE"]},
            "timezone": STRING,
            "locale": STRING,
            "active": {"type": "boolean"},
            "agentNotices": {
                "type": "boolean",
                "description": "E-mails with the invitation about bookings in this user's "
                "calendar (create, reschedule, reassign, cancel). Default true.",
            },
            "hasPassword": {"type": "boolean"},
            "employeeReference": nullable(STRING),
            "createdAt": DATE_TIME,
            "updatedAt": DATE_TIME,
        }
    ),
    "Activation": obj(
        {"expires": nullable(DATE_TIME), "type": {"const": "MULTI_USE_TICKET"}, "url": STRING}
    ),
    "NotificationRef": obj(
        {
            "id": UUID,
            "channel": NOTIFICATION_CHANNEL,
            "type": NOTIFICATION_TYPE,
            "period": DURATION,
        },
        optional=("period",),
    ),
    "NotificationInfo": obj(
        {
            "id": UUID,
            "channel": NOTIFICATION_CHANNEL,
            "type": NOTIFICATION_TYPE,
            "period": DURATION,
            "textBody": STRING,
            "subject": STRING,
            "htmlBody": STRING,
        },
        optional=("subject", "htmlBody", "period"),
    ),
    "Appointment": obj(APPOINTMENT_PROPERTIES),
    "AppointmentListItem": obj(
        {**APPOINTMENT_PROPERTIES, "notifications": array(ref("NotificationRef"))}
    ),
    "Participant": obj(
        {
            "id": UUID,
            "type": {"type": "string", "enum": ["AGENT", "CUSTOMER"]},
            "name": obj({"firstName": STRING, "lastName": STRING}),
            "contact": obj({"primaryEmail": nullable(STRING), "primaryPhone": nullable(STRING)}),
            "username": nullable(STRING),
            "metadata": {"type": "object"},
            "customerReference": nullable(STRING),
            "userId": nullable(UUID),
            "organizer": {"type": "boolean"},
        }
    ),
    "Eligible": obj(
        {"eligibleFrom": DATE_TIME, "id": UUID, "start": DATE_TIME, "timezone": STRING}
    ),
    "ScheduleCount": obj(
        {
            "count": {"type": "integer", "minimum": 0},
            "duration": DURATION,
            "end": DATE_TIME,
            "start": DATE_TIME,
            "timezone": STRING,
        }
    ),
    "WorkingHoursWindow": obj(
        {"dayOfWeek": {"type": "integer", "minimum": 1, "maximum": 7}, "start": HHMM, "end": HHMM}
    ),
    "TimeException": obj(
        {
            "id": UUID,
            "agentIds": array(UUID),
            "from": DATE,
            "to": DATE,
            "fromTime": nullable(HHMM),
            "toTime": nullable(HHMM),
            "daysOfWeek": array({"type": "integer", "minimum": 1, "maximum": 7}),
            "isRecurring": {"type": "boolean"},
            "reasonText": STRING,
            "reasonTextPublic": STRING,
            "color": STRING,
            "blockTime": {"type": "boolean"},
            "private": {"type": "boolean"},
            "createdAt": DATE_TIME,
            "updatedAt": DATE_TIME,
        }
    ),
    "OfficeHours": obj(
        {
            "id": UUID,
            "name": STRING,
            "type": {
                "type": "string",
                "enum": ["nonworking", "lunchtime", "coffeebreak", "weekends"],
            },
            "dow": {"type": "string", "enum": ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]},
            "timeFrom": {"type": "integer", "minimum": 0, "maximum": 86400},
            "timeTo": {"type": "integer", "minimum": 0, "maximum": 86400},
            "createdAt": DATE_TIME,
            "updatedAt": DATE_TIME,
        }
    ),
    "TimeSlot": obj(
        {
            "id": UUID,
            "serviceId": UUID,
            "dayOfWeek": {"type": "integer", "minimum": 1, "maximum": 7},
            "fromTime": HHMM,
            "toTime": HHMM,
            "available": {"type": "boolean"},
            "createdOn": DATE_TIME,
            "updatedOn": DATE_TIME,
        }
    ),
}

# The customer's view (a customer bearer, or the answer to a customer's own booking): no
# notes, metadata, custom fields, reference, templates, staff e-mails or ids.
SCHEMAS["CustomerParticipant"] = obj(
    {
        "id": UUID,
        "type": {"const": "CUSTOMER"},
        "name": obj({"firstName": STRING, "lastName": STRING}),
        "contact": obj({"primaryEmail": nullable(STRING), "primaryPhone": nullable(STRING)}),
    }
)
SCHEMAS["CustomerParticipant"]["description"] = "The customer's own participant entry."
SCHEMAS["CustomerAppointment"] = obj(
    {
        "id": UUID,
        "serviceId": UUID,
        "serviceName": STRING,
        "status": {"type": "string", "enum": ["SCHEDULED", "CANCELLED"]},
        "title": STRING,
        "start": DATE_TIME,
        "end": DATE_TIME,
        "duration": DURATION,
        "timezone": STRING,
        "locale": STRING,
        "interaction": obj({"state": {"type": "string", "enum": ["PENDING", "ACTIVE", "ENDED"]}}),
        "agent": obj({"name": STRING}),
        "participants": array(ref("CustomerParticipant")),
        "room": nullable(ref("Activation")),
        "answers": ref("Answers"),
        "cancellationReason": nullable(STRING),
    }
)
SCHEMAS["CustomerAppointment"]["description"] = (
    "An appointment as its customer sees it: times, service, status, title, the agent's "
    "name, their own participant entry and the video link while the room is open."
)
SCHEMAS["AppointmentAsStaffOrCustomer"] = {
    "description": "The staff shape for staff tokens; the customer's view for a customer bearer.",
    "oneOf": [ref("Appointment"), ref("CustomerAppointment")],
}
SCHEMAS["ParticipantAsStaffOrCustomer"] = {
    "description": "The staff shape for staff tokens; a customer reads only their own entry.",
    "oneOf": [ref("Participant"), ref("CustomerParticipant")],
}

# The waitlist of a service's full days (docs/waitlist.md).
_WAITLIST_ENTRY = {
    "id": UUID,
    "serviceId": UUID,
    "email": {"type": "string", "format": "email"},
    "date": DATE,
    "timezone": STRING,
    "agentId": nullable(UUID),
    "status": {"type": "string", "enum": ["WAITING", "BOOKED", "LEFT", "EXPIRED"]},
    "createdAt": DATE_TIME,
}
SCHEMAS["WaitlistEntry"] = obj(_WAITLIST_ENTRY)
SCHEMAS["WaitlistEntry"]["description"] = (
    "A customer waiting for a time to free up on ``date`` (read in ``timezone``); "
    "``agentId`` null: any agent."
)
SCHEMAS["WaitlistOffer"] = obj(
    {
        "start": DATE_TIME,
        "end": DATE_TIME,
        "agentId": UUID,
        "offeredAt": DATE_TIME,
        "expiresAt": DATE_TIME,
        "state": {"type": "string", "enum": ["HELD", "BOOKED", "LAPSED"]},
    }
)
SCHEMAS["WaitlistEntryWithOffers"] = obj({**_WAITLIST_ENTRY, "offers": array(ref("WaitlistOffer"))})
# The appointments list names each notification template by id and lists the templates once
# per page (docs/decisions.md, "Team views and list queries"): bodies are not repeated per item.
SCHEMAS["NotificationRef"]["description"] = (
    "One of the appointment's notifications: which template (id), channel, type and period."
)
SCHEMAS["NotificationInfo"]["description"] = "A notification template in full, with its bodies."
SCHEMAS["AppointmentListItem"]["description"] = (
    "An appointment in a list: the Appointment shape, its notifications as references to the "
    "page's notificationTemplates."
)
APPOINTMENT_PAGE = page_of("AppointmentListItem")
APPOINTMENT_PAGE["properties"]["notificationTemplates"] = {
    **array(ref("NotificationInfo")),
    "description": "Each template the page's items refer to, once.",
}
APPOINTMENT_PAGE["required"].append("notificationTemplates")

# The admin view of a service: every Service property plus three more.
_ADMIN_EXTRA = {
    "color": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
    "senderEmail": nullable(STRING),
    "senderVerified": {"type": "boolean"},
    "embedOrigins": array({"type": "string", "format": "uri", "maxLength": 200}),
}
SCHEMAS["AdminService"] = obj({**SCHEMAS["Service"]["properties"], **_ADMIN_EXTRA})
SCHEMAS["AdminService"]["description"] = (
    "A service with what only administrators see: colour, sender and the sites that may "
    "embed its booking page (embedOrigins, origins like https://shop.example)."
)
# Webhook subscriptions (docs/webhooks.md); the secret only in the answer to POST.
_EVENT_TYPE = {
    "type": "string",
    "enum": [
        "appointment.created",
        "appointment.rescheduled",
        "appointment.reassigned",
        "appointment.cancelled",
        "appointment.activated",
        "appointment.ended",
        "waitlist.offered",
    ],
}
SCHEMAS["Webhook"] = obj(
    {
        "id": UUID,
        "url": {"type": "string", "format": "uri", "maxLength": 2000},
        "events": array(_EVENT_TYPE),
        "description": {"type": "string", "maxLength": 500},
        "active": {"type": "boolean"},
        "createdAt": DATE_TIME,
        "updatedAt": DATE_TIME,
    }
)
SCHEMAS["Webhook"]["description"] = (
    "A webhook subscription: deliveries of the listed events are POSTed to url, signed "
    "per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)."
)
SCHEMAS["WebhookCreated"] = obj(
    {
        **SCHEMAS["Webhook"]["properties"],
        "secret": {"type": "string", "pattern": "^whsec_[A-Za-z0-9+/=]+$"},
    }
)
SCHEMAS["WebhookCreated"]["description"] = (
    "The new subscription with its signing secret, shown this once; keep it to verify."
)
# Time-off writes also say what happened to colliding appointments.
SCHEMAS["TimeExceptionWritten"] = obj(
    {
        **SCHEMAS["TimeException"]["properties"],
        "keptAppointmentIds": array(UUID),
        "cancelledAppointmentIds": array(UUID),
    }
)


# --- operations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False
    example: Any = None  # may hold {placeholders}, like the body examples


@dataclass(frozen=True)
class Response:
    description: str
    schema: dict[str, Any] | None = None
    media_type: str = "application/json"
    headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Op:
    method: str
    path: str  # OpenAPI form, e.g. /api/services/{service_id}
    endpoint: str  # the Flask endpoint (without "api.")
    summary: str
    tag: str
    roles: tuple[str, ...] | None  # None: public
    responses: dict[int, Response]
    query: tuple[Param, ...] = ()
    body: str | None = None  # "module:NAME" of the Field schema the view parses
    partial: bool = False  # PATCH-style: nothing required
    example: Any = None  # a request body that succeeds in a fresh demo (ids as {placeholders})
    description: str = ""
    customer_bearer: bool = False
    errors: tuple[int, ...] = (400,)


def paging(sort_fields: Any, default: str) -> tuple[Param, ...]:
    return (
        Param(
            "pageNumber", {"type": "integer", "minimum": 1, "default": 1}, "Page to return, from 1."
        ),
        Param(
            "pageSize",
            {"type": "integer", "minimum": 1, "maximum": 200, "default": 25},
            "Items per page.",
        ),
        Param(
            "sortField",
            {"type": "string", "enum": list(sort_fields), "default": default},
            "Sort by.",
        ),
        Param(
            "sortOrder",
            {"type": "string", "enum": ["asc", "desc"], "default": "asc"},
            "Sort direction.",
        ),
    )


def _bounds(name: str) -> tuple[Param, ...]:
    return tuple(
        Param(
            f"{name}_{op}",
            DATE_TIME,
            f"{name} {op.replace('gt', '>').replace('lt', '<').replace('e', '=')}",
        )
        for op in ("gt", "gte", "lt", "lte")
    )


ADMIN = ("ADMIN",)
STAFF = ("AGENT", "SUPERVISOR", "ADMIN")
AGENTS = ("AGENT", "SUPERVISOR", "ADMIN")
ALL_STAFF = ("AGENT", "SUPERVISOR", "ADMIN", "CLIENT_SERVICE")
OK = 200


def operations() -> list[Op]:
    """Every operation, in an order that works as a scenario (creates first, deletes last)."""
    from portal.api import admin, services, waitlist
    from portal.booking import queries
    from portal.schedules import office_hours, service_windows, time_off

    service = Response("The service.", ref("Service"))
    admin_service = Response("The service, as administrators see it.", ref("AdminService"))
    appointment = Response("The appointment.", ref("Appointment"))
    no_content = Response("Done; no body.")
    return [
        # --- the spec itself ------------------------------------------------------------------
        Op(
            "get",
            "/api/openapi.json",
            "openapi_json",
            "This document (OpenAPI 3.1)",
            "Meta",
            None,
            {OK: Response("The OpenAPI document.", {"type": "object"})},
        ),
        Op(
            "get",
            "/api/docs",
            "api_docs",
            "This document as a page",
            "Meta",
            None,
            {OK: Response("An HTML page listing every operation.", STRING, "text/html")},
        ),
        # --- services -------------------------------------------------------------------------
        Op(
            "get",
            "/api/services",
            "list_services",
            "List the active services",
            "Services",
            None,
            {OK: Response("A page of services.", page_of("Service"))},
            query=paging(services.SERVICE_SORT_FIELDS, "name"),
        ),
        Op(
            "post",
            "/api/services",
            "create_service",
            "Create a service",
            "Services",
            ADMIN,
            {
                201: Response(
                    "The new service, with default notification templates.",
                    ref("AdminService"),
                    headers=("Location",),
                )
            },
            body="portal.api.admin:SERVICE_BODY",
            errors=(400, 409),
            description=(
                "Only name and duration are needed; the slug is derived from "
                "the name when absent. "
                "Durations are ISO 8601 (PT30M). A sender email gets a verification code."
            ),
            example={
                "name": "Spec tour",
                "duration": "PT45M",
                "slotInterval": "PT15M",
                "capacity": 2,
                "timezone": "Europe/Berlin",
                "locale": "de",
                "agentIds": ["{agentId}"],
            },
        ),
        Op(
            "get",
            "/api/services/{service_id}",
            "get_service",
            "Get an active service",
            "Services",
            None,
            {OK: service},
            errors=(400, 404),
        ),
        Op(
            "patch",
            "/api/services/{service_id}",
            "update_service",
            "Change a service",
            "Services",
            ADMIN,
            {OK: admin_service},
            body="portal.api.admin:SERVICE_BODY",
            partial=True,
            errors=(400, 404, 409),
            description=(
                "Send only what changes. ``slotInterval: null`` steps by the duration again."
            ),
            example={"capacity": 3, "bufferAfter": "PT5M"},
        ),
        Op(
            "get",
            "/api/services/{service_id}/slots",
            "list_slots",
            "Free slots of a service",
            "Services",
            None,
            {OK: Response("Free slots, in time order.", array(ref("Slot")))},
            query=(
                Param("from", DATE, "First day, in ``timezone``.", True, "{mondayDate}"),
                Param(
                    "to",
                    DATE,
                    "Last day, in ``timezone`` (at most 62 days after ``from``).",
                    True,
                    "{mondayDate}",
                ),
                Param(
                    "timezone",
                    STRING,
                    "IANA time zone the days are read in.",
                    True,
                    "Europe/Berlin",
                ),
                Param("agentId", UUID, "Only this agent's slots."),
            ),
            errors=(400, 404),
        ),
        # --- service time slots (seed 004) ----------------------------------------------------
        Op(
            "post",
            "/api/services/{service_id}/time-slots",
            "create_time_slot",
            "Add a service time slot",
            "Service time slots",
            ADMIN,
            {201: Response("The time slot.", ref("TimeSlot"))},
            body="portal.api.schedules:SLOT_FIELDS",
            errors=(400, 404),
            example={"dayOfWeek": 1, "fromTime": "08:00", "toTime": "18:00", "available": True},
        ),
        Op(
            "get",
            "/api/services/{service_id}/time-slots",
            "list_time_slots",
            "List service time slots",
            "Service time slots",
            ADMIN,
            {OK: Response("A page of time slots.", page_of("TimeSlot"))},
            query=(
                *paging(service_windows.SORT_FIELDS, "dayOfWeek"),
                Param(
                    "dayOfWeek",
                    {"type": "integer", "minimum": 1, "maximum": 7},
                    "1 = Monday .. 7 = Sunday.",
                ),
                Param(
                    "available", BOOL_TEXT, "Only offered (true) or never offered (false) windows."
                ),
                Param("fromTime_gte", HHMM, "Windows starting at or after."),
                Param("fromTime_lte", HHMM, "Windows starting at or before."),
                Param("toTime_gte", HHMM, "Windows ending at or after."),
                Param("toTime_lte", HHMM, "Windows ending at or before."),
                Param("createdOn_gte", DATE_TIME, "Created at or after (to the second)."),
                Param("createdOn_lte", DATE_TIME, "Created at or before (to the second)."),
                Param("updatedOn_gte", DATE_TIME, "Last saved at or after (to the second)."),
                Param("updatedOn_lte", DATE_TIME, "Last saved at or before (to the second)."),
            ),
            errors=(400, 404),
        ),
        Op(
            "get",
            "/api/services/{service_id}/time-slots/{slot_id}",
            "get_time_slot",
            "Get a service time slot",
            "Service time slots",
            ADMIN,
            {OK: Response("The time slot.", ref("TimeSlot"))},
            errors=(400, 404),
        ),
        Op(
            "put",
            "/api/services/{service_id}/time-slots/{slot_id}",
            "put_time_slot",
            "Replace a service time slot",
            "Service time slots",
            ADMIN,
            {OK: Response("The time slot.", ref("TimeSlot"))},
            body="portal.api.schedules:SLOT_FIELDS",
            errors=(400, 404),
            example={"dayOfWeek": 1, "fromTime": "07:00", "toTime": "19:00"},
        ),
        # --- users ----------------------------------------------------------------------------
        Op(
            "get",
            "/api/users",
            "list_users",
            "List staff and integration users",
            "Users",
            ("ADMIN", "SUPERVISOR"),
            {OK: Response("A page of users.", page_of("User"))},
            query=(
                *paging(admin.USER_SORT_FIELDS, "name"),
                Param(
                    "role",
                    {"type": "string", "enum": ["AGENT", "SUPERVISOR", "ADMIN", "CLIENT_SERVICE"]},
                ),
                Param("active", BOOL_TEXT),
            ),
        ),
        Op(
            "post",
            "/api/users",
            "create_user",
            "Create a staff or integration user",
            "Users",
            ADMIN,
            {201: Response("The new user.", ref("User"), headers=("Location",))},
            body="portal.api.admin:USER_BODY",
            errors=(400, 409),
            description=(
                "Emails are unique, case-insensitively. Passwords (staff only) need 8 characters."
            ),
            example={
                "email": "spec.tour@example.com",
                "name": "Spec Tour",
                "role": "AGENT",
                "timezone": "Europe/Berlin",
                "locale": "de",
                "password": "a long password",  # nosec B105 # the document's example
            },
        ),
        Op(
            "get",
            "/api/users/{user_id}",
            "get_user",
            "Get a user",
            "Users",
            ("ADMIN", "SUPERVISOR"),
            {OK: Response("The user.", ref("User"))},
            errors=(400, 404),
        ),
        Op(
            "patch",
            "/api/users/{user_id}",
            "update_user",
            "Change a user",
            "Users",
            ADMIN,
            {OK: Response("The user.", ref("User"))},
            body="portal.api.admin:USER_BODY",
            partial=True,
            errors=(400, 404, 409),
            description=(
                "``password: null`` keeps the password. A new password or ``active: false`` "
                "ends every browser session of the user."
            ),
            example={"timezone": "Asia/Tokyo", "locale": "en"},
        ),
        Op(
            "delete",
            "/api/users/{user_id}/sessions",
            "end_user_sessions",
            "Sign a user out everywhere",
            "Users",
            ADMIN,
            {204: no_content},
            errors=(400, 404),
            description=(
                "Ends every browser session of the user, as the admin page's "
                "'Sign out everywhere' does. API tokens are not affected."
            ),
        ),
        # --- office hours (seed 000) ----------------------------------------------------------
        Op(
            "post",
            "/api/office-hours",
            "create_office_hours",
            "Add office hours (a closed period)",
            "Office hours",
            ADMIN,
            {201: Response("The office hours.", ref("OfficeHours"))},
            body="portal.api.schedules:OFFICE_FIELDS",
            example={
                "name": "Spec lunch",
                "type": "lunchtime",
                "dow": "sat",
                "timeFrom": 43200,
                "timeTo": 46800,
            },
        ),
        Op(
            "get",
            "/api/office-hours",
            "list_office_hours",
            "List office hours",
            "Office hours",
            STAFF,
            {OK: Response("A page of office hours.", page_of("OfficeHours"))},
            query=(
                *paging(office_hours.SORT_FIELDS, "dow"),
                Param(
                    "dow",
                    {"type": "string", "enum": ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]},
                ),
            ),
        ),
        Op(
            "get",
            "/api/office-hours/{item_id}",
            "get_office_hours",
            "Get office hours",
            "Office hours",
            STAFF,
            {OK: Response("The office hours.", ref("OfficeHours"))},
            errors=(400, 404),
        ),
        Op(
            "patch",
            "/api/office-hours/{item_id}",
            "patch_office_hours",
            "Change office hours",
            "Office hours",
            ADMIN,
            {OK: Response("The office hours.", ref("OfficeHours"))},
            body="portal.api.schedules:OFFICE_FIELDS",
            partial=True,
            errors=(400, 404),
            example={"timeTo": 48600},
        ),
        # --- working hours --------------------------------------------------------------------
        Op(
            "get",
            "/api/agents/{agent_id}/working-hours",
            "get_working_hours",
            "An agent's weekly hours",
            "Working hours",
            STAFF,
            {OK: Response("Windows, in the agent's zone.", array(ref("WorkingHoursWindow")))},
            errors=(400, 404),
        ),
        Op(
            "put",
            "/api/agents/{agent_id}/working-hours",
            "put_working_hours",
            "Replace an agent's weekly hours",
            "Working hours",
            STAFF,
            {OK: Response("The saved windows.", array(ref("WorkingHoursWindow")))},
            body="portal.api.schedules:WEEK_BODY",
            errors=(400, 404),
            description="Agents may change only their own hours; supervisors and admins anyone's.",
            example=[{"dayOfWeek": d, "start": "08:00", "end": "18:00"} for d in range(1, 8)],
        ),
        # --- time exceptions (seed 002) -------------------------------------------------------
        Op(
            "post",
            "/api/time-exceptions",
            "create_time_exception",
            "Add time off",
            "Time exceptions",
            STAFF,
            {
                201: Response(
                    "The time off, and what happened to colliding appointments.",
                    ref("TimeExceptionWritten"),
                ),
                409: Response(
                    "It collides with appointments (send force to add it anyway).",
                    ref("TimeOffConflict"),
                ),
            },
            body="portal.api.schedules:TIME_OFF_FIELDS",
            errors=(400, 404),
            example={
                "agentIds": ["{agentId}"],
                "from": "{farDate}",
                "to": "{farDate}",
                "fromTime": "06:00",
                "toTime": "07:00",
                "reasonText": "Spec tour",
            },
        ),
        Op(
            "get",
            "/api/time-exceptions",
            "list_time_exceptions",
            "List time off",
            "Time exceptions",
            STAFF,
            {OK: Response("A page of time off.", page_of("TimeException"))},
            query=(
                *paging(time_off.TIME_OFF_SORT_FIELDS, "from"),
                Param("agentId", STRING, "One or more agent ids, comma-separated."),
                Param("from", DATE, "Overlapping this day or later."),
                Param("to", DATE, "Overlapping this day or earlier."),
            ),
        ),
        Op(
            "get",
            "/api/time-exceptions/{exception_id}",
            "get_time_exception",
            "Get time off",
            "Time exceptions",
            STAFF,
            {OK: Response("The time off.", ref("TimeException"))},
            errors=(400, 404),
        ),
        Op(
            "put",
            "/api/time-exceptions/{exception_id}",
            "put_time_exception",
            "Replace time off",
            "Time exceptions",
            STAFF,
            {
                OK: Response("The time off.", ref("TimeExceptionWritten")),
                409: Response("It collides with appointments.", ref("TimeOffConflict")),
            },
            body="portal.api.schedules:TIME_OFF_FIELDS",
            errors=(400, 404),
            example={
                "agentIds": ["{agentId}"],
                "from": "{farDate}",
                "to": "{farDate}",
                "fromTime": "05:00",
                "toTime": "06:00",
            },
        ),
        # --- appointments (seeds 001 and 003) ------------------------------------------------
        Op(
            "post",
            "/api/appointments/",
            "create_appointment",
            "Book for a customer (staff)",
            "Appointments",
            ALL_STAFF,
            {
                201: Response("The appointment.", ref("Appointment"), headers=("Location",)),
                409: Response("The slot is not free (``slot_unavailable``).", ref("Error")),
            },
            body="portal.api.appointments:CREATE_FIELDS",
            errors=(400, 404),
            example={
                "serviceId": "{serviceId}",
                "start": "{freeStart}",
                "timezone": "Europe/Berlin",
                "agentId": "{agentId}",
                "title": "Spec tour",
                "reference": "spec-tour-1",
                "customer": {
                    "name": {"firstName": "Dana", "lastName": "Doe"},
                    "contact": {"primaryEmail": "dana@example.org"},
                },
            },
        ),
        Op(
            "get",
            "/api/appointments/",
            "list_appointments",
            "List appointments",
            "Appointments",
            ALL_STAFF,
            {OK: Response("A page of appointments.", APPOINTMENT_PAGE)},
            description=(
                "Agents see their own; ``organizerId`` is for supervisors. "
                "``title``, ``reference``, ``customerReference`` and ``employeeReference`` "
                "take ``*`` wildcards. Time filters compare to the second, as times are shown."
            ),
            query=(
                *paging(queries.SORT_FIELDS, "start"),
                Param("organizerId", STRING, "Agent ids, comma-separated."),
                Param("duration", STRING, "ISO 8601 durations, comma-separated."),
                Param("range", STRING, "Two date-times: start,end (overlapping)."),
                Param("title", STRING, "Title, with * wildcards."),
                Param("reference", STRING, "External reference, with * wildcards."),
                Param(
                    "customerReference",
                    STRING,
                    "A customer participant's customerReference, with * wildcards.",
                ),
                Param(
                    "employeeReference",
                    STRING,
                    "The organizer's employeeReference (users), with * wildcards.",
                ),
                Param("status", STRING, "SCHEDULED and/or CANCELLED, comma-separated."),
                Param("serviceId", UUID),
                *_bounds("startDate"),
                *_bounds("endDate"),
                *_bounds("dateCreated"),
                *_bounds("lastUpdated"),
            ),
        ),
        Op(
            "put",
            "/api/appointments/",
            "update_appointment",
            "Update title, notes, metadata, interaction",
            "Appointments",
            ALL_STAFF,
            {OK: appointment},
            body="portal.api.appointments:UPDATE_FIELDS",
            errors=(400, 404, 409),
            description=(
                "Absent fields are emptied (seed 001), except ``notificationsActive``, "
                "which keeps its value when absent."
            ),
            example={"id": "{appointmentId}", "title": "Spec tour (updated)", "notes": "Notes"},
        ),
        Op(
            "get",
            "/api/appointments/{appointment_id}",
            "get_appointment",
            "Get an appointment",
            "Appointments",
            ALL_STAFF,
            {
                OK: Response(
                    "The appointment: the staff shape, or the customer's view for a customer "
                    "bearer.",
                    ref("AppointmentAsStaffOrCustomer"),
                )
            },
            errors=(400, 404),
            customer_bearer=True,
            description=(
                "Staff tokens, or a customer bearer for the customer's own appointments "
                "(``CustomerAppointment``: no notes, metadata, templates, staff e-mails or ids)."
            ),
        ),
        Op(
            "put",
            "/api/appointments/reschedule/",
            "reschedule_appointment",
            "Move an appointment",
            "Appointments",
            ALL_STAFF,
            {
                OK: Response(
                    "The moved appointment: the staff shape, or the customer's view for a "
                    "customer bearer.",
                    ref("AppointmentAsStaffOrCustomer"),
                ),
                409: Response(
                    "The new time is not free, or (customer bearer) past the service's "
                    "rescheduleCutoff (`conflict`).",
                    ref("Error"),
                ),
            },
            body="portal.api.appointments:RESCHEDULE_BODY",
            errors=(400, 403, 404),
            example={"id": "{appointmentId}", "start": "{freeStart2}"},
            customer_bearer=True,
            description=(
                "Staff tokens move any appointment they see. A customer bearer moves its own "
                "appointment until the service's ``rescheduleCutoff`` before the start (then "
                "409 ``conflict``), keeping its length (another ``duration`` is 403) and the "
                "minimum notice."
            ),
        ),
        Op(
            "put",
            "/api/appointments/reassign/",
            "reassign_appointment",
            "Give an appointment to another agent",
            "Appointments",
            AGENTS,
            {OK: appointment, 409: Response("That agent is not free.", ref("Error"))},
            body="portal.api.appointments:REASSIGN_BODY",
            errors=(400, 404),
            example={"id": "{appointmentId}", "userId": "{agentId2}"},
        ),
        Op(
            "post",
            "/api/appointments/participants/agents/",
            "add_agent_participant",
            "Add an agent",
            "Participants",
            AGENTS,
            {OK: appointment, 409: Response("Already a participant.", ref("Error"))},
            body="portal.api.appointments:AGENT_BODY",
            errors=(400, 404),
            example={"id": "{appointmentId}", "userId": "{agentId3}"},
        ),
        Op(
            "post",
            "/api/appointments/participants/customers/",
            "add_customer_participant",
            "Add a customer",
            "Participants",
            AGENTS,
            {OK: appointment},
            body="portal.api.appointments:CUSTOMER_BODY",
            errors=(400, 404, 409),
            example={
                "id": "{appointmentId}",
                "customer": {
                    "name": {"firstName": "Finn", "lastName": "Friend"},
                    "contact": {"primaryEmail": "finn@example.org"},
                },
            },
        ),
        Op(
            "get",
            "/api/appointments/{appointment_id}/participants/{participant_id}",
            "get_participant",
            "Get a participant",
            "Participants",
            AGENTS,
            {
                OK: Response(
                    "The participant; a customer bearer reads only their own entry.",
                    ref("ParticipantAsStaffOrCustomer"),
                )
            },
            errors=(400, 404),
            customer_bearer=True,
        ),
        Op(
            "delete",
            "/api/appointments/{appointment_id}/participants/{participant_id}",
            "delete_participant",
            "Remove a participant",
            "Participants",
            AGENTS,
            {OK: appointment},
            errors=(400, 404, 409),
        ),
        Op(
            "post",
            "/api/appointments/activate/{appointment_id}",
            "activate_appointment",
            "Open the video room",
            "Interaction",
            ("CLIENT_SERVICE", "AGENT", "SUPERVISOR", "ADMIN"),
            {OK: Response("The room ticket.", ref("Activation"))},
            errors=(400, 404, 409),
        ),
        Op(
            "put",
            "/api/appointments/{appointment_id}/end",
            "end_appointment",
            "End the interaction",
            "Interaction",
            AGENTS,
            {OK: appointment},
            errors=(400, 404, 409),
        ),
        Op(
            "get",
            "/api/appointments/eligible/",
            "eligible_appointments",
            "Appointments ready to activate",
            "Interaction",
            ("CLIENT_SERVICE",),
            {
                OK: Response(
                    "Scheduled, not yet activated, starting within the time frame.",
                    array(ref("Eligible")),
                )
            },
            query=(Param("timeFrame", DURATION, "How far ahead (default PT1H, at most P366D)."),),
        ),
        Op(
            "get",
            "/api/appointments/count",
            "count_appointments",
            "Distinct schedules in a window",
            "Counts",
            None,
            {OK: Response("Counts per schedule.", array(ref("ScheduleCount")))},
            query=(
                Param("serviceId", UUID, required=True, example="{serviceId}"),
                Param("start", DATE_TIME, required=True, example="{freeStart}"),
                Param("timeFrame", DURATION, required=True, example="PT2H"),
            ),
            errors=(400, 404),
        ),
        Op(
            "get",
            "/api/appointments/overlap/count",
            "count_overlapping",
            "Appointments overlapping a window",
            "Counts",
            None,
            {
                OK: Response(
                    "How many scheduled appointments overlap.",
                    obj({"count": {"type": "integer", "minimum": 0}}),
                )
            },
            query=(
                Param("serviceId", UUID, required=True, example="{serviceId}"),
                Param("start", DATE_TIME, required=True, example="{freeStart}"),
                Param("duration", DURATION, required=True, example="PT2H"),
            ),
            errors=(400, 404),
        ),
        # --- customers: codes, booking with a code, customer bearer -------------------------
        Op(
            "post",
            "/api/otp",
            "request_otp",
            "Email a one-time code",
            "Customers",
            None,
            {
                202: Response(
                    "Accepted, whatever the address (no enumeration).", obj({"message": STRING})
                ),
                429: Response("Too many codes asked for; see Retry-After.", ref("Error")),
                503: Response("The code could not be mailed (mail_unavailable).", ref("Error")),
            },
            body="portal.api.otp:OTP_BODY",
            description=(
                "``purpose`` ``booking`` (default) gives a code for ``POST "
                "/api/appointments/basic``; "
                "``sign-in`` one for ``POST /api/otp/verify``. Rate limited per address and per "
                "client."
            ),
            example={"email": "cora@example.org"},
        ),
        Op(
            "post",
            "/api/appointments/basic",
            "book_basic",
            "Book as a customer, with an emailed code",
            "Customers",
            None,
            {
                OK: Response("The booking, in the customer's view.", ref("CustomerAppointment")),
                401: Response("The code is wrong, expired or used up.", ref("Error")),
                409: Response("The slot is not free (``slot_unavailable``).", ref("Error")),
                429: Response("Too many tries.", ref("Error")),
            },
            body="portal.api.otp:BASIC_BODY",
            errors=(400, 404),
            example={
                "serviceId": "{serviceId}",
                "start": "{freeStart3}",
                "timezone": "Europe/Berlin",
                "customer": {"name": {"firstName": "Cora", "lastName": "Customer"}},
                "otp": {"email": "cora@example.org", "code": "{bookingCode}"},
            },
        ),
        # --- the waitlist of full days ------------------------------------------------------
        Op(
            "post",
            "/api/services/{service_id}/waitlist",
            "join_waitlist",
            "Wait for a time to free up on a full day",
            "Waitlist",
            None,
            {
                201: Response("The entry.", ref("WaitlistEntry")),
                401: Response("The code is wrong, expired or used up.", ref("Error")),
                409: Response("The day still has free times (``conflict``).", ref("Error")),
                429: Response("Too many tries.", ref("Error")),
            },
            body="portal.api.waitlist:JOIN_BODY",
            errors=(400, 404),
            description=(
                "``otp`` is a booking code from ``POST /api/otp`` for ``email``. The day (in "
                "``timezone``) must have no free time for ``agentId`` (or any agent), must not "
                "have passed and must lie within the service's horizon. When a time frees up, "
                "the first customer waiting gets one e-mail with a link that holds it for them "
                "for ``WAITLIST_HOLD_MINUTES``; joining again keeps the entry's place. A mail "
                "with a leave link goes out."
            ),
            example={
                "email": "cora@example.org",
                "date": "{mondayDate}",
                "timezone": "Europe/Berlin",
                "otp": {"email": "cora@example.org", "code": "123456"},
            },
        ),
        Op(
            "get",
            "/api/services/{service_id}/waitlist",
            "list_waitlist",
            "List a service's waitlist",
            "Waitlist",
            STAFF,
            {
                OK: Response(
                    "A page of entries, with the offers made.", page_of("WaitlistEntryWithOffers")
                )
            },
            query=(
                *paging(waitlist.SORT_FIELDS, "date"),
                Param(
                    "status",
                    {"type": "string", "enum": list(waitlist.STATUSES)},
                    "Only entries in this state.",
                ),
            ),
            errors=(400, 403, 404),
        ),
        Op(
            "delete",
            "/api/services/{service_id}/waitlist/{entry_id}",
            "leave_waitlist",
            "Leave the waitlist",
            "Waitlist",
            None,
            {204: no_content},
            query=(
                Param(
                    "token",
                    {"type": "string", "maxLength": 100},
                    "The token of the leave link (or of an offer link) mailed to the customer.",
                    True,
                    "no-such-token",
                ),
            ),
            errors=(400, 404),
            description="Anyone holding the mailed link's token may leave; leaving twice is fine.",
        ),
        Op(
            "post",
            "/api/otp/verify",
            "verify_otp",
            "Trade a sign-in code for a customer bearer",
            "Customers",
            None,
            {
                OK: Response(
                    "A customer bearer (cu_…) for the customer's own appointments.",
                    obj(
                        {
                            "accessToken": STRING,
                            "tokenType": {"const": "Bearer"},
                            "expiresIn": {"type": "integer", "minimum": 1},
                        }
                    ),
                ),
                401: Response("The code is wrong, expired or used up.", ref("Error")),
                429: Response("Too many tries.", ref("Error")),
            },
            body="portal.api.otp:VERIFY_BODY",
            example={"email": "cora@example.org", "code": "{signInCode}"},
        ),
        Op(
            "get",
            "/api/appointments/reference/{reference}",
            "get_by_reference",
            "Get by external reference",
            "References",
            ALL_STAFF,
            {OK: appointment},
            errors=(400, 404),
        ),
        Op(
            "put",
            "/api/appointments/reference/{reference}",
            "upsert_by_reference",
            "Create or update by external reference",
            "References",
            ALL_STAFF,
            {
                OK: appointment,
                201: Response("Created.", ref("Appointment"), headers=("Location",)),
                409: Response(
                    "The slot is not free, or the appointment may not change now.", ref("Error")
                ),
            },
            body="portal.api.appointments:UPSERT_FIELDS",
            partial=True,
            errors=(400, 404),
            example={"title": "Spec tour (by reference)"},
        ),
        Op(
            "get",
            "/api/cal/events/ical/{appointment_id}/event",
            "ical_event",
            "Download the .ics",
            "Calendar",
            None,
            {OK: Response("An iCalendar file.", STRING, "text/calendar")},
            errors=(400, 404),
        ),
        Op(
            "get",
            "/api/cal/events/google/{appointment_id}/event",
            "google_event",
            "Add to Google Calendar",
            "Calendar",
            None,
            {
                302: Response("Redirect to Google Calendar's event form.", headers=("Location",)),
                410: Response("The appointment was cancelled.", ref("Error")),
            },
            errors=(400, 404),
        ),
        # --- webhooks ----------------------------------------------------------------------------
        Op(
            "post",
            "/api/webhooks",
            "create_webhook",
            "Subscribe an endpoint to events",
            "Webhooks",
            ADMIN,
            {
                201: Response(
                    "The subscription and its secret (shown once).",
                    ref("WebhookCreated"),
                    headers=("Location",),
                )
            },
            body="portal.api.webhooks:WEBHOOK_BODY",
            description=(
                "url is http(s); with WEBHOOK_BLOCK_PRIVATE_ADDRESSES on, hosts with a loopback "
                "or private address are refused. Deliveries are `{type, timestamp, data}` with "
                "the appointment's staff view as data; see docs/webhooks.md."
            ),
            example={
                "url": "https://hooks.example.com/portal",
                "events": ["appointment.created", "appointment.cancelled"],
                "description": "CRM sync",
            },
        ),
        Op(
            "get",
            "/api/webhooks",
            "list_webhooks",
            "List webhook subscriptions",
            "Webhooks",
            ADMIN,
            {OK: Response("A page of subscriptions.", page_of("Webhook"))},
            query=paging(("createdAt", "url"), "createdAt"),
        ),
        Op(
            "get",
            "/api/webhooks/{subscription_id}",
            "get_webhook",
            "Get a webhook subscription",
            "Webhooks",
            ADMIN,
            {OK: Response("The subscription (without its secret).", ref("Webhook"))},
            errors=(404,),
        ),
        Op(
            "patch",
            "/api/webhooks/{subscription_id}",
            "update_webhook",
            "Change a webhook subscription",
            "Webhooks",
            ADMIN,
            {OK: Response("The subscription.", ref("Webhook"))},
            body="portal.api.webhooks:WEBHOOK_BODY",
            partial=True,
            errors=(400, 404),
            description="Send only what changes; `active: false` pauses deliveries.",
            example={"events": ["appointment.created"], "active": True},
        ),
        # --- notifications --------------------------------------------------------------------
        Op(
            "post",
            "/api/notifications/emails/confirm",
            "confirm_sender_email",
            "Verify a sender email",
            "Notifications",
            ADMIN,
            {204: no_content},
            body="portal.api.notifications:CONFIRM_BODY",
            errors=(400, 404),
        ),
        Op(
            "post",
            "/api/notifications/emails/test",
            "send_test_notification",
            "Send a template as a test mail",
            "Notifications",
            ADMIN,
            {204: no_content, 502: Response("The mail server refused it.", ref("Error"))},
            body="portal.api.notifications:TEST_BODY",
            errors=(400, 404),
            example={
                "type": "CREATE",
                "subject": "Hello {{firstName}}",
                "textBody": "At {{time24}}",
                "timezone": "Europe/Berlin",
                "toEmail": "spec.tour@example.com",
            },
        ),
        # --- deletes last (the scenario removes what it made) ---------------------------------
        Op(
            "delete",
            "/api/webhooks/{subscription_id}",
            "delete_webhook",
            "Delete a webhook subscription",
            "Webhooks",
            ADMIN,
            {204: no_content},
            description="Its deliveries, pending or sent, go with it.",
            errors=(404,),
        ),
        Op(
            "delete",
            "/api/appointments/reference/{reference}",
            "delete_by_reference",
            "Cancel by external reference",
            "References",
            ALL_STAFF,
            {204: no_content},
            query=(Param("reason", STRING, "Cancellation reason for the customer."),),
            errors=(400, 404, 409),
        ),
        Op(
            "delete",
            "/api/appointments/{appointment_id}",
            "delete_appointment",
            "Cancel an appointment",
            "Appointments",
            ALL_STAFF,
            {204: no_content},
            query=(Param("reason", {"type": "string", "maxLength": 500}, "Cancellation reason."),),
            errors=(400, 404, 409),
            customer_bearer=True,
            description=(
                "Staff tokens cancel any appointment they see. A customer bearer cancels its "
                "own appointment until the service's ``cancelCutoff`` before the start; past it "
                "the answer is 409 ``conflict`` saying until when it was possible and whom to "
                "contact."
            ),
        ),
        Op(
            "delete",
            "/api/time-exceptions/{exception_id}",
            "delete_time_exception",
            "Delete time off",
            "Time exceptions",
            STAFF,
            {204: no_content},
            errors=(400, 404),
        ),
        Op(
            "delete",
            "/api/office-hours/{item_id}",
            "delete_office_hours",
            "Delete office hours",
            "Office hours",
            ADMIN,
            {204: no_content},
            errors=(400, 404),
        ),
        Op(
            "delete",
            "/api/services/{service_id}/time-slots/{slot_id}",
            "delete_time_slot",
            "Delete a service time slot",
            "Service time slots",
            ADMIN,
            {204: no_content},
            errors=(400, 404),
        ),
        Op(
            "delete",
            "/api/services/{service_id}",
            "delete_service",
            "Delete (or deactivate) a service",
            "Services",
            ADMIN,
            {
                204: no_content,
                OK: Response(
                    "It has appointments, so it was deactivated instead.", ref("AdminService")
                ),
            },
            errors=(400, 404),
        ),
    ]


TITLE = "Portal API"
VERSION = "1"
DESCRIPTION = (
    "The JSON API of the booking portal (DESIGN.md 8). JSON bodies in camelCase; times ISO 8601 "
    "in UTC with Z; durations ISO 8601; ids UUIDs; `Authorization: Bearer <token>`. Errors are "
    '`{"error": "<code>", "error_description": "<sentence>"}` with codes such as invalid_param, '
    "invalid_param_type, missing_param, invalid_datetime_format, not_found, conflict, "
    "slot_unavailable, unauthorized, forbidden. Unknown query parameters and body fields are "
    "refused."
)
