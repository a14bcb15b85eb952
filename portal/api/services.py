"""Services and their free slots (public)."""

from __future__ import annotations

import uuid

from datetime import datetime

from flask import Response, jsonify
from sqlalchemy import func, select

from portal.api import bp, customer_tokens
from portal.api.errors import ApiError, invalid_param, not_found
from portal.api.params import parse_date, parse_timezone, parse_uuid, query_args, required
from portal.api.paging import PAGING_PARAMS, page_of, page_params, sort_params
from portal import availability_cache
from portal.api.serializers import service_json, slots_json_text
from portal.booking import limits
from portal.booking.availability import offered_answer
from portal.extensions import db
from portal.models import Service, utcnow

MAX_SLOT_RANGE_DAYS = 62
SERVICE_SORT_FIELDS = ("name", "slug")


def active_service(service_id: str) -> Service:
    try:
        key = uuid.UUID(service_id)
    except ValueError:
        raise not_found("That service") from None
    service = db.session.get(Service, key)
    if service is None or not service.active:
        raise not_found("That service")
    return service


@bp.get("/services")
def list_services():
    args = query_args(PAGING_PARAMS)
    page_number, page_size = page_params(args)
    sort_field, sort_order = sort_params(args, SERVICE_SORT_FIELDS, "name")
    column = getattr(Service, sort_field)
    query = select(Service).where(Service.active.is_(True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    services = db.session.scalars(
        query.order_by(column.desc() if sort_order == "desc" else column)
        .limit(page_size)
        .offset((page_number - 1) * page_size)
    ).all()
    return jsonify(
        page_of(services, total, page_number, page_size, sort_field, sort_order, service_json)
    )


@bp.get("/services/<service_id>")
def get_service(service_id: str):
    query_args(())
    return jsonify(service_json(active_service(service_id)))


@bp.get("/services/<service_id>/slots")
def list_slots(service_id: str):
    args = query_args(("from", "to", "timezone", "agentId"))
    try:
        key = uuid.UUID(service_id)
    except ValueError:
        raise not_found("That service") from None
    now = utcnow()

    def compute(_found) -> tuple[str, datetime | None]:
        # Loaded after the versions were read (``availability_cache.cached``).
        return _slots_answer(service_id, args, now)

    customer_email = customer_tokens.customer_claim()
    if customer_email is not None:
        # A customer bearer makes the customer known: their own limit is never in a shared answer.
        service = active_service(service_id)
        if limits.customer_limit_refusal(db.session, service, customer_email, now):
            _slots_answer(service_id, args, now)  # the same 4xx for bad parameters
            return Response("[]", mimetype="application/json")
    query = ("slots", tuple(sorted(args.items(multi=True))))
    body = availability_cache.cached(db.session, query, compute, now=now, service_id=key)
    return Response(body, mimetype="application/json")


def _slots_answer(service_id: str, args, now: datetime) -> tuple[str, datetime | None]:
    service = active_service(service_id)
    first_day = parse_date("from", required(args, "from"))
    last_day = parse_date("to", required(args, "to"))
    zone = parse_timezone("timezone", required(args, "timezone"))
    if last_day < first_day:
        raise invalid_param("'to' must not be before 'from'.")
    if (last_day - first_day).days + 1 > MAX_SLOT_RANGE_DAYS:
        raise invalid_param(f"Ask for at most {MAX_SLOT_RANGE_DAYS} days at a time.")
    agent_id = parse_uuid("agentId", args["agentId"]) if "agentId" in args else None
    if agent_id is not None and agent_id not in {a.id for a in service.agents if a.active}:
        raise ApiError(404, "not_found", "That agent does not offer this service.")
    answer = offered_answer(
        db.session, service, first_day, last_day, zone, now=now, agent_id=agent_id
    )
    return slots_json_text(answer.slots), answer.changes_at
