"""The waitlist: customers waiting for a time to free up on a full day (docs/waitlist.md).

The rules, in one place for the pages, the API and the sender:

1. **Joining** (``join``): the day, in the customer's time zone, has not passed and
   lies within the service's horizon; a chosen agent serves the service; the day
   has no free time for that agent (or any agent) right now; the e-mail is proven
   by a ``booking`` code, with the same rules as booking (``portal.codes``), or by
   a browser that proved it a moment ago. Joining again for the same day, agent
   and e-mail keeps the one entry. A mail with the leave link goes out through
   the outbox.
2. **Offers** (``offer_freed_slots``, run by every pass of the notification
   sender): for each waiting entry, oldest first, the day's free times are
   computed by the same ``free_slots`` every booking uses (live holds are taken,
   so a time already offered to someone is not free). The first free time the
   entry was never offered becomes its offer: a hold on that time for the
   entry's e-mail, kept ``WAITLIST_HOLD_MINUTES``, and one e-mail with the offer
   link, in the same transaction (``_make_offer``, the one place an offer is
   made). An entry has at most one live offer and is offered a time at most
   once, so when a hold lapses and the time is still free the next entry gets
   it. Entries whose day has passed expire.
3. **Booking an offer** (``book_offer``): the offer link went to the e-mail, so it
   proves the address (no second code); the booking claims the hold as any
   customer booking does (``operations.book``) and the entry is done.
4. **Leaving** (``leave``): by the token of the leave link, or of an offer link
   (both went only to that mailbox); a live offer's hold is released.

Staff may book over the hold of an offer, as over every customer hold
(``lifecycle.held_slots_bind``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import codes
from portal.booking import operations
from portal.booking.availability import choose_agent, day_range_utc, offered_slots
from portal.booking.book_with_code import code_needed
from portal.booking.operations import Customer, candidate_agents
from portal.database import lock_calendars, lock_names
from portal.domain.errors import Conflict, DomainError, FieldErrors, Invalid, Kind, NotFound
from portal.domain.i18n import N_
from portal.domain.settings import settings_of
from portal.models import (
    Appointment,
    CodePurpose,
    Service,
    SlotHold,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
    normalize_email,
    utcnow,
)
from portal.notifications import outbox
from portal.representation import utc_z
from portal import webhooks
from portal.webhooks.events import WAITLIST_OFFERED
from portal.notifications.language import wording_in
from portal.notifications.rendering import babel_locale
from portal.scheduling import Slot
from portal.tokens import hash_token

LEAVE_PATH = "/waitlist/leave/{token}"
OFFER_PATH = "/waitlist/offer/{token}"
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100  # token_urlsafe(32) is 43 characters
OFFER_LOCK = "waitlist-offers"  # one offering pass at a time, across senders

DAY_HAS_TIMES = N_("That day still has free times: book one of them.")
DAY_PASSED = N_("That day has passed.")
BEYOND_HORIZON = N_("That day is further ahead than this service takes bookings.")
MISMATCHED_EMAIL = N_("The e-mail must be the address the code was sent to.")


class OfferUnavailable(DomainError):
    """An offer link whose time is gone: lapsed (and offered on), booked, or withdrawn."""

    kind = Kind.GONE
    default_message = N_(
        "This offer has lapsed: the time was held for you for a while and is no longer. "
        "You stay on the waitlist for that day."
    )


@dataclass(frozen=True)
class JoinRequest:
    service: Service
    email: str
    day: date
    timezone: str  # an IANA name, checked by the caller's validator
    agent_id: uuid.UUID | None = None  # None: any agent
    locale: str = "en"


@dataclass(frozen=True)
class Joined:
    entry: WaitlistEntry
    leave_token: str  # exists in clear only here and in the mail


# --- joining ------------------------------------------------------------------------


def check_day(service: Service, day: date, zone: ZoneInfo, now: datetime) -> None:
    """The day is one a customer could still book on: not over, within the horizon."""
    start, end = day_range_utc(day, day, zone)
    if end <= now:
        raise Invalid(DAY_PASSED, "date")
    if start >= now + timedelta(days=service.horizon_days):
        raise Invalid(BEYOND_HORIZON, "date")


def day_is_full(
    session: Session,
    service: Service,
    day: date,
    zone: ZoneInfo,
    agent_id: uuid.UUID | None,
    now: datetime,
) -> bool:
    """Whether nothing is free that day (for that agent, or any): when joining makes sense."""
    return not offered_slots(session, service, day, day, zone, now=now, agent_id=agent_id)


def may_join(
    session: Session,
    service: Service,
    day: date,
    zone: ZoneInfo,
    agent_id: uuid.UUID | None,
    now: datetime,
) -> bool:
    """Whether the booking page offers "Tell me if a time frees up" for this day."""
    try:
        check_day(service, day, zone, now)
    except Invalid:
        return False
    return day_is_full(session, service, day, zone, agent_id, now)


def check_join(session: Session, request: JoinRequest, now: datetime) -> ZoneInfo:
    """Every rule of joining but the code (rule 1); writes nothing."""
    if not request.service.active:
        raise NotFound(N_("This service is not open for booking."))
    zone = ZoneInfo(request.timezone)
    check_day(request.service, request.day, zone, now)
    candidate_agents(request.service, request.agent_id)
    if not day_is_full(session, request.service, request.day, zone, request.agent_id, now):
        raise Conflict(DAY_HAS_TIMES, "date")
    return zone


def join(
    session: Session,
    settings: codes.CodeSettings,
    request: JoinRequest,
    code: str | None,
    *,
    otp_email: str | None = None,
    proven_email: str | None = None,
    on_proven: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> Joined:
    """Put the e-mail on the day's waitlist (rule 1); raises a ``DomainError`` otherwise.

    ``otp_email`` is the address the code was sent to, when the caller names it apart
    (the API); it must be the entry's. The code is checked before anything is written.
    """
    now = now or utcnow()
    email = normalize_email(request.email)
    if otp_email is not None and normalize_email(otp_email) != email:
        problems = FieldErrors()
        problems.add("email", MISMATCHED_EMAIL)
        problems.raise_if_any()
    check_join(session, request, now)
    if code_needed(email, proven_email):
        codes.verify_code(session, settings, email, CodePurpose.BOOKING, code or "", now)
        if on_proven is not None:
            on_proven(email)
    lock_names(session, [f"waitlist-email:{email}"])
    token = secrets.token_urlsafe(TOKEN_BYTES)
    entry = session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.service_id == request.service.id,
            WaitlistEntry.email == email,
            WaitlistEntry.day == request.day,
            WaitlistEntry.status == WaitlistStatus.WAITING,
            WaitlistEntry.agent_id.is_(None)
            if request.agent_id is None
            else WaitlistEntry.agent_id == request.agent_id,
        )
    )
    if entry is None:
        entry = WaitlistEntry(
            service_id=request.service.id,
            agent_id=request.agent_id,
            email=email,
            day=request.day,
            created_at=now,
        )
        session.add(entry)
    # Joining again keeps the place in the queue; the newest mail's link is the live one.
    entry.timezone = request.timezone
    entry.locale = request.locale
    entry.leave_token_hash = hash_token(token)
    session.flush()
    _queue_joined_mail(session, entry, request.service, token, now)
    return Joined(entry, token)


# --- leaving ------------------------------------------------------------------------


def entry_for_token(session: Session, token: str | None) -> WaitlistEntry | None:
    """The entry of a leave link's token, or of an offer link's; None for anything else."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    digest = hash_token(token)
    entry = session.scalar(select(WaitlistEntry).where(WaitlistEntry.leave_token_hash == digest))
    if entry is not None:
        return entry
    offer = session.scalar(select(WaitlistOffer).where(WaitlistOffer.token_hash == digest))
    return offer.entry if offer is not None else None


def leave(session: Session, entry: WaitlistEntry, *, now: datetime | None = None) -> None:
    """Take the entry off the waitlist (rule 4); leaving twice changes nothing."""
    now = now or utcnow()
    if entry.status != WaitlistStatus.WAITING:
        return
    entry.status = WaitlistStatus.LEFT
    entry.ended_at = now
    for offer in entry.offers:
        if offer.live(now):
            _withdraw(session, offer, now)
    session.flush()


# --- offering freed times (the sender's periodic step) --------------------------------------


def offer_freed_slots(session: Session, *, now: datetime | None = None) -> int:
    """One offering pass (rule 2): how many offers were made. Flushes; the caller commits."""
    now = now or utcnow()
    anyone = select(WaitlistEntry.id).where(WaitlistEntry.status == WaitlistStatus.WAITING)
    if session.scalar(anyone.limit(1)) is None:
        return 0  # an idle pass takes no write lock
    lock_names(session, [OFFER_LOCK])
    waiting = list(
        session.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.status == WaitlistStatus.WAITING,
                # Any zone's day ends at most 26 hours after its UTC midnight.
                WaitlistEntry.day >= (now - timedelta(days=2)).date(),
            )
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        )
    )
    _expire_past(session, now)
    waiting = [entry for entry in waiting if entry.status == WaitlistStatus.WAITING]
    if not waiting:
        session.flush()
        return 0
    # The agents whose times may be held, locked in one statement (id order, as bookings do).
    agents: set[uuid.UUID] = set()
    for entry in waiting:
        if entry.service.active:
            agents.update(a.id for a in entry.service.agents if a.active)
    lock_calendars(session, agents)
    made = 0
    free: dict[tuple, list[Slot]] = {}
    for entry in waiting:
        if not entry.service.active or any(offer.live(now) for offer in entry.offers):
            continue
        key = (entry.service_id, entry.day, entry.timezone, entry.agent_id)
        if key not in free:
            free[key] = _free_slots(session, entry, now)
        offered_before = {offer.start_at for offer in entry.offers}
        slot = next((s for s in free[key] if s.agent_ids and s.start not in offered_before), None)
        if slot is None:
            continue
        _make_offer(session, entry, slot, now)
        made += 1
        free.clear()  # the new hold changes what is free for everyone after this entry
    session.flush()
    return made


def _free_slots(session: Session, entry: WaitlistEntry, now: datetime) -> list[Slot]:
    try:
        candidate_agents(entry.service, entry.agent_id)
    except NotFound:  # the chosen agent no longer serves: nothing to offer
        return []
    zone = ZoneInfo(entry.timezone)
    return offered_slots(
        session, entry.service, entry.day, entry.day, zone, now=now, agent_id=entry.agent_id
    )


def _make_offer(session: Session, entry: WaitlistEntry, slot: Slot, now: datetime) -> WaitlistOffer:
    """The one place an offer is made: hold the time for the entry and mail the link."""
    service = entry.service
    agent_id = choose_agent(session, tuple(slot.agent_ids), slot.start)
    expires = now + timedelta(minutes=settings_of(session).waitlist_hold_minutes)
    hold = SlotHold(
        service_id=service.id,
        agent_id=agent_id,
        start_at=slot.start,
        end_at=slot.start + service.duration,
        email=entry.email,
        expires_at=expires,
        created_at=now,
    )
    session.add(hold)
    session.flush()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    offer = WaitlistOffer(
        entry=entry,
        hold_id=hold.id,
        agent_id=agent_id,
        start_at=slot.start,
        end_at=hold.end_at,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=expires,
    )
    session.add(offer)
    session.flush()
    _queue_offer_mail(session, entry, offer, token, now)
    webhooks.emit(session, WAITLIST_OFFERED, offer_event_json(entry, offer), now=now)
    return offer


def offer_event_json(entry: WaitlistEntry, offer: WaitlistOffer) -> dict:
    """The ``data`` of a ``waitlist.offered`` webhook: the entry (API shape) and its offer."""
    return {
        "id": str(entry.id),
        "serviceId": str(entry.service_id),
        "email": entry.email,
        "date": entry.day.isoformat(),
        "timezone": entry.timezone,
        "agentId": str(entry.agent_id) if entry.agent_id else None,
        "offer": {
            "start": utc_z(offer.start_at),
            "end": utc_z(offer.end_at),
            "agentId": str(offer.agent_id),
            "offeredAt": utc_z(offer.created_at),
            "expiresAt": utc_z(offer.expires_at),
        },
    }


def _expire_past(session: Session, now: datetime) -> None:
    """Entries whose day is over (in their own zone) expire."""
    rows = session.scalars(
        select(WaitlistEntry).where(
            WaitlistEntry.status == WaitlistStatus.WAITING,
            WaitlistEntry.day <= (now + timedelta(days=2)).date(),
        )
    )
    for entry in rows:
        _, end = day_range_utc(entry.day, entry.day, ZoneInfo(entry.timezone))
        if end <= now:
            entry.status = WaitlistStatus.EXPIRED
            entry.ended_at = now


def _withdraw(session: Session, offer: WaitlistOffer, now: datetime) -> None:
    offer.expires_at = now
    hold = session.get(SlotHold, offer.hold_id) if offer.hold_id else None
    if hold is not None and hold.expires_at > now:
        hold.expires_at = now


# --- the offer link ---------------------------------------------------------------------


def offer_for_token(session: Session, token: str | None) -> WaitlistOffer | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.scalar(
        select(WaitlistOffer).where(WaitlistOffer.token_hash == hash_token(token))
    )


def live_offer(session: Session, token: str | None, now: datetime) -> WaitlistOffer:
    """The offer of a link, while its time is held; ``NotFound`` / ``OfferUnavailable`` else."""
    offer = offer_for_token(session, token)
    if offer is None:
        raise NotFound(N_("That offer does not exist."))
    if offer.used_at is not None:
        raise OfferUnavailable(N_("This offer was booked already."))
    if offer.entry.status != WaitlistStatus.WAITING:
        raise OfferUnavailable(N_("This offer was withdrawn: you left the waitlist."))
    if not offer.live(now):
        raise OfferUnavailable()
    return offer


def book_offer(
    session: Session,
    token: str,
    customer: Customer,
    *,
    timezone: str | None = None,
    locale: str | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book the held time of a live offer (rule 3); the link proves the e-mail."""
    now = now or utcnow()
    offer = live_offer(session, token, now)
    entry = offer.entry
    problems = FieldErrors()
    if not (customer.first_name.strip() or customer.last_name.strip()):
        problems.add("first_name", N_("Enter a first or a last name."))
    problems.raise_if_any()
    appointment = operations.book(
        session,
        entry.service,
        offer.start_at,
        Customer(
            customer.first_name,
            customer.last_name,
            entry.email,
            customer.phone,
            customer.metadata,
        ),
        agent_id=offer.agent_id,
        hold_id=offer.hold_id,
        timezone=timezone or entry.timezone,
        locale=locale or entry.locale,
        notes=notes,
        now=now,
    )
    offer.used_at = now
    entry.status = WaitlistStatus.BOOKED
    entry.ended_at = now
    session.flush()
    return appointment


# --- staff --------------------------------------------------------------------------


def entries_of(
    session: Session, service: Service, status: WaitlistStatus | None = None
) -> list[WaitlistEntry]:
    """The service's entries, by day and then in queue order."""
    query = select(WaitlistEntry).where(WaitlistEntry.service_id == service.id)
    if status is not None:
        query = query.where(WaitlistEntry.status == status)
    return list(
        session.scalars(
            query.order_by(WaitlistEntry.day, WaitlistEntry.created_at, WaitlistEntry.id)
        )
    )


def offer_state(offer: WaitlistOffer, now: datetime) -> str:
    """HELD (live), BOOKED, or LAPSED (ran out, or withdrawn when the customer left)."""
    if offer.used_at is not None:
        return "BOOKED"
    return "HELD" if offer.live(now) else "LAPSED"


# --- mails (through the outbox, in the same transaction) --------------------------------


def leave_url(session: Session, token: str) -> str:
    return settings_of(session).absolute_url(LEAVE_PATH.format(token=token))


def offer_url(session: Session, token: str) -> str:
    return settings_of(session).absolute_url(OFFER_PATH.format(token=token))


def _day_text(day: date, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, "full", locale=babel_locale(locale))


def _time_text(value: datetime, zone: ZoneInfo, locale: str) -> str:
    from babel.dates import format_datetime

    return format_datetime(value.astimezone(zone), "full", tzinfo=zone, locale=babel_locale(locale))


def _clock_text(value: datetime, zone: ZoneInfo, locale: str) -> str:
    from babel.dates import format_time

    return format_time(value.astimezone(zone), "short", tzinfo=zone, locale=babel_locale(locale))


def _queue_joined_mail(
    session: Session, entry: WaitlistEntry, service: Service, token: str, now: datetime
) -> None:
    w = wording_in(session, entry.locale)  # the language the person joined in
    day = _day_text(entry.day, entry.locale)
    text = "\n\n".join(
        (
            w.gettext(
                "You are on the waitlist for %(service)s on %(day)s.", service=service.name, day=day
            ),
            w.gettext(
                "If a time frees up that day, we hold it for you for a while and send you a link "
                "to book it. Everyone waiting is offered times in the order they joined."
            ),
            w.gettext("Leave the waitlist: %(link)s", link=leave_url(session, token)),
        )
    )
    outbox.queue_email(
        entry.email,
        w.gettext("You are on the waitlist: %(service)s, %(day)s", service=service.name, day=day),
        text + "\n",
        kind="WAITLIST_JOINED",
        now=now,
        session=session,
    )


def _queue_offer_mail(
    session: Session, entry: WaitlistEntry, offer: WaitlistOffer, token: str, now: datetime
) -> None:
    w = wording_in(session, entry.locale)
    zone = ZoneInfo(entry.timezone)
    when = _time_text(offer.start_at, zone, entry.locale)
    minutes = settings_of(session).waitlist_hold_minutes
    until = _clock_text(offer.expires_at, zone, entry.locale)
    text = "\n\n".join(
        (
            w.gettext(
                "A time has freed up for %(service)s: %(when)s.",
                service=entry.service.name,
                when=when,
            ),
            w.ngettext(
                "We hold it for you for %(num)d minute (until %(until)s, %(zone)s). "
                "Book it here: %(link)s",
                "We hold it for you for %(num)d minutes (until %(until)s, %(zone)s). "
                "Book it here: %(link)s",
                minutes,
                until=until,
                zone=zone.key,
                link=offer_url(session, token),
            ),
            w.gettext(
                "If you do not book it by then, it goes to the next person waiting; you stay on "
                "the waitlist for other times that day."
            ),
            w.gettext("Leave the waitlist: %(link)s", link=leave_url(session, token)),
        )
    )
    outbox.queue_email(
        entry.email,
        w.gettext("A time freed up: %(service)s", service=entry.service.name),
        text + "\n",
        kind="WAITLIST_OFFER",
        now=now,
        session=session,
    )


__all__ = [
    "Joined",
    "JoinRequest",
    "OfferUnavailable",
    "book_offer",
    "check_join",
    "entries_of",
    "entry_for_token",
    "join",
    "leave",
    "live_offer",
    "may_join",
    "offer_freed_slots",
    "offer_for_token",
    "offer_state",
]
