"""Administration through the API: services (write) and users (DESIGN.md 8).

Thin routes: parse the body (types only), call ``portal.admin`` (every rule),
render. ``GET /api/services[/{id}]`` live in ``services.py``; the shapes extend
its ``service_json``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g, jsonify, url_for

from portal.admin import services as service_domain
from portal.booking import questions
from portal.admin import users as user_domain
from portal.api import bp
from portal.api.auth import require_token
from portal.api.body import Field, parse_body, uuid_value
from portal.api.errors import invalid_param
from portal.api.params import checked, query_args
from portal.api.paging import PAGING_PARAMS, page_of, page_params, sort_params
from portal.api.serializers import service_json, utc_z
from portal.code_routes import code_settings
from portal.extensions import db
from portal.domain import values
from portal.models import Role, Service, User


def iso_duration(path: str, value: str) -> timedelta:
    """An ISO 8601 duration such as PT30M, zero to the bounded maximum (invalid_param otherwise)."""
    return checked(values.duration, path, value, allow_zero=True)


# --- services -----------------------------------------------------------------------------------

# Types only: ranges, formats and references are the domain's rules (portal.admin.services).
SERVICE_BODY = {
    "name": Field(str, required=True),
    "slug": Field(str),
    "description": Field(str),
    "duration": Field(str, required=True, parse=iso_duration),
    "slotInterval": Field(str, nullable=True, parse=iso_duration),
    "bufferBefore": Field(str, parse=iso_duration),
    "bufferAfter": Field(str, parse=iso_duration),
    "minimumNotice": Field(str, parse=iso_duration),
    "horizonDays": Field(int),
    "capacity": Field(int),
    "timezone": Field(str),
    "locale": Field(str),
    "color": Field(str),
    "agentIds": Field(list, items=Field(str, parse=uuid_value)),
    "senderEmail": Field(str, nullable=True),
    "active": Field(bool),
    # Issue 18: cut-offs (null: until the start), limits (null: none), booking questions.
    "cancelCutoff": Field(str, nullable=True, parse=iso_duration),
    "rescheduleCutoff": Field(str, nullable=True, parse=iso_duration),
    "maxBookingsPerCustomer": Field(int, nullable=True),
    "maxPerAgentPerDay": Field(int, nullable=True),
    "questions": Field(
        list,
        max_length=questions.MAX_QUESTIONS,
        items=Field(
            dict,
            fields={
                "id": Field(str, required=True, max_length=questions.MAX_ID),
                "label": Field(str, required=True, max_length=questions.MAX_LABEL),
                "type": Field(str, required=True, choices=questions.TYPES),
                "required": Field(bool, default=False),
                "options": Field(
                    list,
                    max_length=questions.MAX_OPTIONS,
                    items=Field(str, max_length=questions.MAX_OPTION),
                ),
            },
        ),
    ),
    "embedOrigins": Field(list, items=Field(str)),
}


def admin_service_json(service: Service) -> dict[str, Any]:
    """``service_json`` plus what only administrators see and set."""
    return service_json(service) | {
        "color": service.color,
        "senderEmail": service.sender_email,
        "senderVerified": service.sender_verified,
        "embedOrigins": list(service.embed_origins or []),
    }


@bp.post("/services")
@require_token(Role.ADMIN)
def create_service():
    query_args(())
    values = parse_body(SERVICE_BODY)
    service = service_domain.create_service(db.session, code_settings=code_settings(), **values)
    response = jsonify(admin_service_json(service))
    response.headers["Location"] = url_for("api.get_service", service_id=service.id)
    return response, 201


@bp.patch("/services/<service_id>")
@require_token(Role.ADMIN)
def update_service(service_id: str):
    query_args(())
    service = service_domain.get_service(db.session, service_id)
    values = parse_body(SERVICE_BODY, partial=True)
    service_domain.update_service(db.session, service, code_settings=code_settings(), **values)
    return jsonify(admin_service_json(service))


@bp.delete("/services/<service_id>")
@require_token(Role.ADMIN)
def delete_service(service_id: str):
    """204 when deleted; a service with appointments is deactivated instead (200, the service)."""
    query_args(())
    service = service_domain.get_service(db.session, service_id)
    if service_domain.delete_service(db.session, service) is service_domain.Removal.DELETED:
        return "", 204
    return jsonify(admin_service_json(service))


# --- users --------------------------------------------------------------------------------------

USER_BODY = {
    "email": Field(str, required=True),
    "name": Field(str, required=True),
    "role": Field(str, required=True, choices=[role.value for role in user_domain.MANAGED_ROLES]),
    "timezone": Field(str),
    "locale": Field(str),
    "password": Field(str, nullable=True, strip=False),
    "active": Field(bool),
    "employeeReference": Field(str, nullable=True, max_length=128, dest="reference"),
    "agentNotices": Field(bool),
}
USER_SORT_FIELDS = {"name": "name", "email": "email", "role": "role", "createdAt": "created"}
USER_FILTERS = ("role", "active")


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "timezone": user.timezone,
        "locale": user.locale,
        "active": user.active,
        "agentNotices": user.agent_notices,
        "hasPassword": bool(user.password_hash),
        "employeeReference": user.reference,
        "createdAt": utc_z(user.created_at),
        "updatedAt": utc_z(user.updated_at),
    }


@bp.get("/users")
@require_token(Role.ADMIN, Role.SUPERVISOR)
def list_users():
    args = query_args((*PAGING_PARAMS, *USER_FILTERS))
    page_number, page_size = page_params(args)
    sort_field, sort_order = sort_params(args, tuple(USER_SORT_FIELDS), "name")
    role = None
    if "role" in args:
        choices = [item.value for item in user_domain.MANAGED_ROLES]
        if args["role"] not in choices:
            raise invalid_param(f"'role' must be one of: {', '.join(choices)}.")
        role = Role(args["role"])
    active = None
    if "active" in args:
        if args["active"] not in ("true", "false"):
            raise invalid_param("'active' must be true or false.")
        active = args["active"] == "true"
    users, total = user_domain.list_users(
        db.session,
        role=role,
        active=active,
        sort=USER_SORT_FIELDS[sort_field],
        descending=sort_order == "desc",
        limit=page_size,
        offset=(page_number - 1) * page_size,
    )
    return jsonify(page_of(users, total, page_number, page_size, sort_field, sort_order, user_json))


@bp.post("/users")
@require_token(Role.ADMIN)
def create_user():
    query_args(())
    values = parse_body(USER_BODY)
    user = user_domain.create_user(db.session, **values)
    response = jsonify(user_json(user))
    response.headers["Location"] = url_for("api.get_user", user_id=user.id)
    return response, 201


@bp.get("/users/<user_id>")
@require_token(Role.ADMIN, Role.SUPERVISOR)
def get_user(user_id: str):
    query_args(())
    return jsonify(user_json(user_domain.get_user(db.session, user_id)))


@bp.patch("/users/<user_id>")
@require_token(Role.ADMIN)
def update_user(user_id: str):
    query_args(())
    user = user_domain.get_user(db.session, user_id)
    values = parse_body(USER_BODY, partial=True)
    if values.get("password") is None:
        values.pop("password", None)  # null: keep the password
    user_domain.update_user(db.session, user, actor=g.api_user, **values)
    return jsonify(user_json(user))


@bp.delete("/users/<user_id>/sessions")
@require_token(Role.ADMIN)
def end_user_sessions(user_id: str):
    """Sign a user out everywhere: every browser session ends (API tokens stay)."""
    query_args(())
    user_domain.sign_out_everywhere(db.session, user_domain.get_user(db.session, user_id))
    return "", 204
