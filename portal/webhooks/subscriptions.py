"""Webhook subscriptions: create (with a secret shown once), list, change, delete.

The API (/api/webhooks) and the admin pages (/admin/webhooks) call these; the rules
for a subscription live here: an http(s) URL (public hosts only with
``WEBHOOK_BLOCK_PRIVATE_ADDRESSES``), at least one known event type, a short
description. Nothing commits: the request's unit of work does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.domain.errors import FieldErrors, NotFound
from portal.domain.i18n import N_
from portal.domain.settings import settings_of
from portal.models import OutboxMessage, WebhookSubscription
from portal.webhooks.events import EVENT_TYPES
from portal.webhooks.signing import encrypt_secret, new_secret
from portal.webhooks.targets import TargetRefused, check_url, refuse_private

DESCRIPTION_MAX = 500
DELIVERY_LOG_SIZE = 50
NOT_FOUND = N_("That webhook subscription does not exist.")
FIELDS = frozenset({"url", "events", "description", "active"})


@dataclass(frozen=True)
class Created:
    subscription: WebhookSubscription
    secret: str  # shown once; only its encrypted form is kept


def list_subscriptions(session: Session) -> Sequence[WebhookSubscription]:
    return session.scalars(
        select(WebhookSubscription).order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    ).all()


def get_subscription(session: Session, subscription_id: uuid.UUID | str) -> WebhookSubscription:
    try:
        key = (
            subscription_id
            if isinstance(subscription_id, uuid.UUID)
            else uuid.UUID(str(subscription_id))
        )
    except ValueError:
        raise NotFound(NOT_FOUND) from None
    subscription = session.get(WebhookSubscription, key)
    if subscription is None:
        raise NotFound(NOT_FOUND)
    return subscription


def _validated(session: Session, fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    if "url" in fields or creating:
        try:
            clean["url"] = check_url(fields.get("url"))
            if settings_of(session).webhook_block_private_addresses:
                refuse_private(clean["url"])
        except TargetRefused as error:
            errors.add("url", error.message)
    if "events" in fields or creating:
        events = fields.get("events")
        if (
            not isinstance(events, list | tuple)
            or not events
            or not all(isinstance(e, str) for e in events)
        ):
            errors.add("events", N_("Choose at least one event."))
        else:
            unknown = [e for e in events if e not in EVENT_TYPES]
            if unknown:
                errors.add(
                    "events",
                    N_(
                        "Unknown event %(event)s; known: %(known)s.",
                        event=repr(unknown[0][:64]),
                        known=", ".join(EVENT_TYPES),
                    ),
                )
            else:
                clean["events"] = [e for e in EVENT_TYPES if e in events]  # one order, no repeats
    if "description" in fields:
        description = fields.get("description")
        if description is None:
            description = ""
        if (
            not isinstance(description, str)
            or len(description.strip()) > DESCRIPTION_MAX
            or ("\x00" in description)
        ):
            errors.add(
                "description", N_("At most %(max)s characters of text.", max=DESCRIPTION_MAX)
            )
        else:
            clean["description"] = description.strip()
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            errors.add("active", N_("Give true or false."))
        else:
            clean["active"] = fields["active"]
    errors.raise_if_any()
    return clean


def create_subscription(session: Session, fields: dict[str, Any]) -> Created:
    """A new subscription and its signing secret (returned once, stored encrypted)."""
    clean = _validated(session, fields, creating=True)
    secret = new_secret()
    subscription = WebhookSubscription(
        url=clean["url"],
        events=clean["events"],
        description=clean.get("description", ""),
        active=clean.get("active", True),
        secret_encrypted=encrypt_secret(secret, settings_of(session).secret_key),
    )
    session.add(subscription)
    session.flush()
    return Created(subscription, secret)


def update_subscription(
    session: Session, subscription: WebhookSubscription, fields: dict[str, Any]
) -> WebhookSubscription:
    """Change the given fields; pending deliveries go to the URL in force when they are sent."""
    for name, value in _validated(session, fields, creating=False).items():
        setattr(subscription, name, value)
    session.flush()
    return subscription


def delete_subscription(session: Session, subscription: WebhookSubscription) -> None:
    """Remove it with its deliveries (sent or not)."""
    session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.webhook_subscription_id == subscription.id)
        .execution_options(synchronize_session=False)
    )
    session.delete(subscription)
    session.flush()


def delivery_log(
    session: Session, subscription: WebhookSubscription, limit: int = DELIVERY_LOG_SIZE
) -> Sequence[OutboxMessage]:
    """The newest deliveries of the subscription (its outbox rows), newest first."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.webhook_subscription_id == subscription.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
        .limit(limit)
    ).all()
