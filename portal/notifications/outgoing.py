"""A message ready to leave, and the transport the edge gives the sender to deliver it.

The sender builds ``Outgoing`` values from outbox rows; how they travel (Flask-Mailman,
an SMS gateway) is the edge's business (``portal.delivery``), so nothing here knows
about the app or its mail extension.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Protocol
from urllib.parse import urlsplit

import idna

from portal.calendars.details import clean_email, one_line
from portal.models import Channel, Service


class DeliveryError(RuntimeError):
    """The channel did not accept the message."""


@dataclass(frozen=True)
class Outgoing:
    """Everything one delivery needs, built before any network I/O."""

    channel: Channel
    recipient: str
    subject: str
    text_body: str
    html_body: str | None = None
    from_email: str = ""
    ics: bytes | None = None
    ics_method: str | None = None
    message_id: str | None = None  # the Message-ID header; None lets the mailer make one


class Transport(Protocol):
    def deliver(self, outgoing: Outgoing) -> None:
        """Hand the message to its channel; raise if it was not accepted."""


def sender_address(service: Service | None, default_sender: str) -> str:
    """The From: of a service's mail: its own address once verified, else the default."""
    if service is not None and service.sender_verified and clean_email(service.sender_email):
        return formataddr((one_line(service.name), service.sender_email))
    return default_sender


def address_of(from_header: str) -> str:
    """The bare address in 'Name <address>'."""
    return parseaddr(from_header)[1]


def message_id_for(row_id: uuid.UUID, public_url: str) -> str:
    """The Message-ID of an outbox row's mail: ``<row uuid@host of PUBLIC_URL>``.

    The outbox delivers at least once (a crash after the server accepted a mail and
    before it was marked SENT sends it again); every copy carries this same id, so mail
    servers and clients can tell the copies are one message.
    """
    host = urlsplit(public_url).hostname or "portal.localhost"
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            host = "portal.localhost"
    return f"<{row_id}@{host}>"
