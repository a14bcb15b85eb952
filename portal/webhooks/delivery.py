"""Sending one webhook delivery: POST the stored body, signed, to the subscription.

The sender (``portal.notifications.sender``) claims WEBHOOK outbox rows like any other
and hands them here: ``prepare`` reads what the POST needs inside the read
transaction, ``post`` sends it with none open. Anything but a 2xx answer raises, so
the row is retried with the outbox's backoff, under the same ``webhook-id``
(``msg_`` + the row's id) every time. Redirects are not followed at all (a 3xx is a
failure like any other non-2xx): a redirect could lead to another host, or to a
private address after the check. The timeout is 10 seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import requests
from sqlalchemy.orm import Session

from portal.domain.settings import settings_of
from portal.models import OutboxMessage, WebhookSubscription, utcnow
from portal.webhooks.signing import decrypt_secret, signature_headers
from portal.webhooks.targets import refuse_private

TIMEOUT_SECONDS = 10
USER_AGENT = "portal-webhooks/1"


class DeliveryRefused(RuntimeError):
    """The endpoint did not answer 2xx (or could not be reached)."""


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: str
    message_id: str
    secret: str = field(repr=False)
    block_private: bool


def message_id_of(row: OutboxMessage) -> str:
    """The ``webhook-id`` of a delivery: the same on every retry of the row."""
    return f"msg_{row.id.hex}"


def prepare(session: Session, row: OutboxMessage) -> WebhookRequest | None:
    """What to POST, or None when the subscription was removed or switched off."""
    subscription = (
        session.get(WebhookSubscription, row.webhook_subscription_id)
        if row.webhook_subscription_id
        else None
    )
    if subscription is None or not subscription.active:
        return None
    settings = settings_of(session)
    return WebhookRequest(
        url=subscription.url,
        body=row.text_body,
        message_id=message_id_of(row),
        secret=decrypt_secret(subscription.secret_encrypted, settings.secret_key),
        block_private=settings.webhook_block_private_addresses,
    )


def post(request: WebhookRequest, *, now: datetime | None = None) -> int:
    """Send it; the status code of a 2xx answer, else ``DeliveryRefused``."""
    if request.block_private:
        refuse_private(request.url)  # again at send time: DNS answers change
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signature_headers(request.secret, request.message_id, now or utcnow(), request.body),
    }
    try:
        response = requests.post(
            request.url,
            data=request.body.encode("utf-8"),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise DeliveryRefused(f"{type(error).__name__}: {error}") from None
    with response:
        if not 200 <= response.status_code < 300:
            raise DeliveryRefused(f"HTTP {response.status_code} from the endpoint")
        return response.status_code
