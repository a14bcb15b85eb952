"""Links to an appointment: the customer's private manage link and its calendar files.

A manage link carries a random token minted for one use site (the confirmation
page, one batch of mails, one visit from ``/my``); only its SHA-256 is stored
(``ManageLink``), so the raw link exists only where it was handed out. Nothing
about the appointment derives it: not its id (which the public calendar links
and the agents' feeds carry), not the secret key. Revoking every link of an
appointment makes all of them answer 404.

Absolute links are ``PUBLIC_URL`` plus a path made here, in a request or not (the
sender, commands), so a mail shows the same link whoever caused it. The paths are
the routes of ``portal.web.manage`` and ``portal.api.calendar``.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.domain.settings import Settings, settings_of
from portal.models import Appointment, ManageLink, utcnow
from portal.tokens import hash_token

MANAGE_PATH = "/manage/{token}"
CUSTOMER_AREA_PATH = "/my"
ICS_PATH = "/api/cal/events/ical/{appointment_id}/event"
GOOGLE_PATH = "/api/cal/events/google/{appointment_id}/event"

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100


def mint_manage_token(
    session: Session, appointment: Appointment, *, now: datetime | None = None
) -> str:
    """A new live link for the appointment; the returned token is never stored."""
    if appointment.id is None:
        session.flush()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        ManageLink(
            appointment_id=appointment.id,
            token_hash=hash_token(token),
            created_at=now or utcnow(),
        )
    )
    return token


def mint_manage_url(
    session: Session, appointment: Appointment, *, now: datetime | None = None
) -> str:
    """A new live link for the appointment, absolute (for mails)."""
    return manage_url(settings_of(session), mint_manage_token(session, appointment, now=now))


def manage_url(settings: Settings, token: str) -> str:
    """The manage page of a token, absolute."""
    return settings.absolute_url(MANAGE_PATH.format(token=token))


def customer_area_url(settings: Settings) -> str:
    """Where a customer signs in to reach their appointments, absolute (a link with no token)."""
    return settings.absolute_url(CUSTOMER_AREA_PATH)


def appointment_for_manage_token(session: Session, token: str) -> Appointment | None:
    """The appointment of a live link, or None when the token is wrong, revoked or tampered."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = session.scalar(
        select(ManageLink).where(
            ManageLink.token_hash == hash_token(token), ManageLink.revoked_at.is_(None)
        )
    )
    return link.appointment if link is not None else None


def revoke_manage_links(
    session: Session, appointment: Appointment, *, now: datetime | None = None
) -> int:
    """Revoke every live link of the appointment; how many there were."""
    result = session.execute(
        update(ManageLink)
        .where(ManageLink.appointment_id == appointment.id, ManageLink.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def calendar_paths(appointment: Appointment) -> dict[str, str]:
    """The appointment's 'add to calendar' links (Google, .ics download), site-relative."""
    return {
        "google": GOOGLE_PATH.format(appointment_id=appointment.id),
        "ics": ICS_PATH.format(appointment_id=appointment.id),
    }
