"""Webhook subscriptions through the API (ADMIN): /api/webhooks (docs/webhooks.md).

Thin routes: parse the body (types only), call ``portal.webhooks.subscriptions``
(every rule), render. The signing secret appears once, in the answer to POST.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, url_for

from portal.api import bp
from portal.api.auth import require_token
from portal.api.body import Field, parse_body
from portal.api.params import query_args
from portal.api.paging import PAGING_PARAMS, page_of, page_params, sort_params
from portal.api.serializers import utc_z
from portal.extensions import db
from portal.models import Role, WebhookSubscription
from portal.webhooks import subscriptions

# Types only: the URL, the event names and the lengths are the domain's rules.
WEBHOOK_BODY = {
    "url": Field(str, required=True),
    "events": Field(list, required=True, items=Field(str)),
    "description": Field(str, nullable=True),
    "active": Field(bool),
}
SORT_FIELDS = {"createdAt": "created_at", "url": "url"}


def webhook_json(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": str(subscription.id),
        "url": subscription.url,
        "events": list(subscription.events or []),
        "description": subscription.description,
        "active": subscription.active,
        "createdAt": utc_z(subscription.created_at),
        "updatedAt": utc_z(subscription.updated_at),
    }


@bp.get("/webhooks")
@require_token(Role.ADMIN)
def list_webhooks():
    args = query_args(PAGING_PARAMS)
    page_number, page_size = page_params(args)
    sort_field, sort_order = sort_params(args, tuple(SORT_FIELDS), "createdAt")
    items = sorted(
        subscriptions.list_subscriptions(db.session),
        key=lambda s: (getattr(s, SORT_FIELDS[sort_field]), str(s.id)),
        reverse=sort_order == "desc",
    )
    start = (page_number - 1) * page_size
    page = items[start : start + page_size]
    return jsonify(
        page_of(page, len(items), page_number, page_size, sort_field, sort_order, webhook_json)
    )


@bp.post("/webhooks")
@require_token(Role.ADMIN)
def create_webhook():
    query_args(())
    created = subscriptions.create_subscription(db.session, parse_body(WEBHOOK_BODY))
    response = jsonify(webhook_json(created.subscription) | {"secret": created.secret})
    response.headers["Location"] = url_for(
        "api.get_webhook", subscription_id=created.subscription.id
    )
    return response, 201


@bp.get("/webhooks/<subscription_id>")
@require_token(Role.ADMIN)
def get_webhook(subscription_id: str):
    query_args(())
    return jsonify(webhook_json(subscriptions.get_subscription(db.session, subscription_id)))


@bp.patch("/webhooks/<subscription_id>")
@require_token(Role.ADMIN)
def update_webhook(subscription_id: str):
    query_args(())
    subscription = subscriptions.get_subscription(db.session, subscription_id)
    subscriptions.update_subscription(
        db.session, subscription, parse_body(WEBHOOK_BODY, partial=True)
    )
    return jsonify(webhook_json(subscription))


@bp.delete("/webhooks/<subscription_id>")
@require_token(Role.ADMIN)
def delete_webhook(subscription_id: str):
    query_args(())
    subscription = subscriptions.get_subscription(db.session, subscription_id)
    subscriptions.delete_subscription(db.session, subscription)
    return "", 204
