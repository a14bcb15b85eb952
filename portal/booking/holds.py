"""Holds: a time kept for a customer while they confirm their e-mail (DESIGN.md 5).

The rules (docs/decisions.md, "Holds (issue 13)"):

1. Choosing a time holds nothing (``check_time`` only says whether it is offered).
   A hold is made with the customer's e-mail, in the unit of work that sends the
   code to it (``hold_and_send_code``); if no code can be sent, nothing is held.
2. One live hold per e-mail and per browser session: a new hold releases the
   earlier hold of the same e-mail and the earlier hold of the same browser.
3. One client address holds slots for at most ``holds_per_address_per_hour``
   e-mail addresses an hour (``TooManyHolds``; 0 turns it off); a customer
   choosing again with the same e-mail is not counted twice.
4. A live hold is busy time for every other customer; staff and integrations
   book over it (``lifecycle.held_slots_bind``).

A released or used hold is expired, not deleted; rows are cleared an hour after
they were made, once nothing counts them any more.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from portal import codes
from portal.booking import limits
from portal.booking.availability import choose_agent, free_agents_at
from portal.booking.operations import candidate_agents
from portal.database import lock_calendars, lock_names
from portal.domain.errors import DomainError, Invalid, Kind
from portal.domain.i18n import N_
from portal.domain.settings import settings_of
from portal.models import CodePurpose, Service, SlotHold, normalize_email, utcnow

# How far back holds are counted per client address.
ADDRESS_WINDOW = timedelta(hours=1)
UNKNOWN_ADDRESS = "unknown"


class TooManyHolds(DomainError):
    """The client address started too many bookings in the last hour."""

    kind = Kind.RATE_LIMITED
    _code = "too_many_holds"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        minutes = max(1, math.ceil(self.retry_after / 60))
        if minutes == 1:
            message = N_(
                "Too many bookings were started from your network in the last hour. "
                "Please try again in 1 minute."
            )
        else:
            message = N_(
                "Too many bookings were started from your network in the last hour. "
                "Please try again in %(minutes)s minutes.",
                minutes=minutes,
            )
        super().__init__(message, "email")


@dataclass(frozen=True)
class HoldRequest:
    """A customer asking to hold ``start``: who (e-mail, browser) and from where."""

    service: Service
    start: datetime
    email: str
    browser_key: str  # names the browser session (a random value kept in its cookie)
    client_address: str | None
    agent_id: uuid.UUID | None = None  # the customer's choice; None: any agent


@dataclass(frozen=True)
class StartedConfirmation:
    hold: SlotHold
    code_sent: bool  # False: a code sent moments ago is still waiting, and still works


def live_hold_of_browser(
    session: Session, browser_key: str | None, now: datetime
) -> SlotHold | None:
    if not browser_key:
        return None
    return session.scalar(
        select(SlotHold)
        .where(SlotHold.browser_key == browser_key, SlotHold.expires_at > now)
        .order_by(SlotHold.created_at.desc())
        .limit(1)
    )


def check_time(
    session: Session,
    service: Service,
    start: datetime,
    *,
    agent_id: uuid.UUID | None = None,
    browser_key: str | None = None,
    now: datetime | None = None,
) -> None:
    """Raise ``SlotUnavailable`` unless ``start`` is offered now; writes nothing.

    The browser's own live hold does not count against it (choosing the held time again).
    """
    now = now or utcnow()
    candidate_agents(service, agent_id)
    own = live_hold_of_browser(session, browser_key, now)
    free_agents_at(
        session, service, start, now=now, agent_id=agent_id, exclude_hold_id=own.id if own else None
    )


def hold_slot(session: Session, request: HoldRequest, *, now: datetime | None = None) -> SlotHold:
    """Hold the time for the e-mail: rules 2 to 4 above. Raises a ``DomainError`` otherwise."""
    now = now or utcnow()
    email = normalize_email(request.email)
    if not email:
        raise Invalid(N_("Enter your e-mail address."), "email")
    address = (request.client_address or UNKNOWN_ADDRESS)[:64]
    service = request.service
    # The per-e-mail, per-browser and per-address rules hold across app servers.
    lock_names(
        session,
        [f"hold-email:{email}", f"hold-browser:{request.browser_key}", f"hold-address:{address}"],
    )
    candidates = candidate_agents(service, request.agent_id)
    lock_calendars(session, candidates)
    _release(
        session, or_(SlotHold.email == email, SlotHold.browser_key == request.browser_key), now
    )
    _check_address(session, address, email, now)
    # A customer at the service's limit hears it now, before a code is sent.
    limits.check_customer_limit(session, service, email, now)
    free = free_agents_at(session, service, request.start, now=now, agent_id=request.agent_id)
    hold = SlotHold(
        service_id=service.id,
        agent_id=choose_agent(session, free, request.start),
        start_at=request.start,
        end_at=request.start + service.duration,
        email=email,
        browser_key=request.browser_key,
        client_address=address,
        expires_at=now + timedelta(minutes=settings_of(session).hold_minutes),
        created_at=now,
    )
    session.add(hold)
    # Rows nothing counts any more are dead weight; clear them while we hold the lock anyway.
    session.execute(
        delete(SlotHold).where(
            SlotHold.expires_at <= now, SlotHold.created_at <= now - ADDRESS_WINDOW
        )
    )
    session.flush()
    return hold


def hold_and_send_code(
    session: Session,
    settings: codes.CodeSettings,
    deliver: codes.Deliver,
    request: HoldRequest,
    *,
    now: datetime | None = None,
) -> StartedConfirmation:
    """Hold the time and send a booking code to the e-mail, in one unit of work.

    A code sent to the address moments ago and not yet used stands (no second
    mail, ``code_sent`` is False); any other refusal to send (the hourly limit, a
    mail server that does not answer) raises, and the request rolls the hold back.
    """
    now = now or utcnow()
    hold = hold_slot(session, request, now=now)
    try:
        codes.send_code(session, settings, hold.email, CodePurpose.BOOKING, deliver, now)
    except codes.CodeThrottled as refusal:
        if not refusal.code_pending:
            raise
        return StartedConfirmation(hold, code_sent=False)
    return StartedConfirmation(hold, code_sent=True)


def _release(session: Session, which, now: datetime) -> None:
    session.execute(
        update(SlotHold)
        .where(which, SlotHold.expires_at > now)
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def _check_address(session: Session, address: str, email: str, now: datetime) -> None:
    """Rule 3: at most so many e-mail addresses held for from one address an hour."""
    limit = settings_of(session).holds_per_address_per_hour
    if limit <= 0:  # turned off (every client behind one proxy address that is not trusted)
        return
    since = now - ADDRESS_WINDOW
    firsts = dict(
        session.execute(
            select(SlotHold.email, func.min(SlotHold.created_at))
            .where(SlotHold.client_address == address, SlotHold.created_at > since)
            .group_by(SlotHold.email)
        ).all()
    )
    if email in firsts or len(firsts) < limit:
        return
    # Aggregates skip the column type: SQLite hands back naive UTC text or datetimes.
    oldest = min(_aware(value) for value in firsts.values()) if firsts else now
    raise TooManyHolds(math.ceil((oldest + ADDRESS_WINDOW - now).total_seconds()))


def _aware(value) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


__all__ = [
    "HoldRequest",
    "StartedConfirmation",
    "TooManyHolds",
    "check_time",
    "hold_and_send_code",
    "hold_slot",
    "live_hold_of_browser",
]
