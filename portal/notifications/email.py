"""The old mail helpers, kept for ``portal.notifications.verification`` until its rewrite.

New code takes the From: address from ``portal.notifications.outgoing.sender_address``
with the settings' default, and sends through the edge, ``portal.delivery``. This
module reaches the app (its settings and mail extension), so the import contracts
exempt it; delete it once verification no longer imports it.
"""

from __future__ import annotations

from portal.delivery import build_email, calendar_part, deliver_email
from portal.extensions import settings
from portal.models import Service
from portal.notifications.outgoing import DeliveryError, address_of
from portal.notifications.outgoing import sender_address as _sender_address


def default_sender() -> str:
    return settings().mail_default_sender


def sender_address(service: Service | None) -> str:
    return _sender_address(service, default_sender())


__all__ = [
    "DeliveryError",
    "address_of",
    "build_email",
    "calendar_part",
    "default_sender",
    "deliver_email",
    "sender_address",
]
