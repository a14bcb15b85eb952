"""The sender: delivers due outbox rows, retrying failures with exponential backoff.

Claim, send, record, each step on its own:

1. Claim, in one short transaction of one statement::

       UPDATE outbox_messages SET due_at = <lease end>, attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox_messages
                    WHERE status = 'PENDING' AND due_at <= <now>
                    ORDER BY due_at LIMIT <n> FOR UPDATE SKIP LOCKED)
       RETURNING id

   PostgreSQL's SKIP LOCKED gives concurrent senders disjoint batches without
   waiting; SQLite's single write lock serialises the statement. Moving
   ``due_at`` to the end of a lease hides the claimed rows from other senders
   until then, without holding a transaction open during the send.
2. Send with no transaction open (SMTP can take seconds).
3. Record the outcome in a short transaction, fenced on the lease
   (``WHERE due_at = <lease end>``): SENT; or PENDING again at
   now + backoff·2^(attempts−1); or FAILED after the last attempt.

So two live senders never send one message twice (a batch stops starting sends
at half the lease and hands the rest back), and nothing is lost: a sender that
crashes between 2 and 3 leaves its rows PENDING, and they are sent again once
the lease runs out. That one case sends a message twice; SMTP cannot take part
in a database transaction, so at-least-once is the honest guarantee there. Each
copy of a mail carries the same ``Message-ID``, made from its outbox row
(``message_id_for``), so mail servers and clients can recognise (and drop) the
second copy.

The edge (``portal.delivery``, run by ``portal notifications send``) gives the sender
its session, whose settings set the retries, and the transport that delivers.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.booking.links import customer_area_url
from portal.calendars.details import join_link
from portal.domain.settings import Settings, settings_of
from portal.models import (
    Appointment,
    AppointmentStatus,
    Channel,
    NotificationTemplate,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
    Participant,
    TemplateType,
    utcnow,
)
from portal.notifications.outbox import TIMED_TYPE_NAMES, recipients
from portal.notifications.outgoing import (
    Outgoing,
    Transport,
    message_id_for,
    sender_address,
)
from portal.notifications.placeholders import placeholders_in
from portal.notifications.rendering import render_template
from portal.webhooks import delivery as webhook_delivery
from portal.webhooks.delivery import WebhookRequest

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
BATCH_SIZE = 20
ROOM_WAIT = timedelta(minutes=1)  # a ROOM message waits this long for the room to open
MAX_BACKOFF = timedelta(days=1)
ERROR_MAX_CHARS = 1000


@dataclass
class PassReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    dropped: int = 0
    waiting: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed + self.dropped + self.waiting

    def summary(self) -> str:
        return (
            f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}, "
            f"dropped {self.dropped}, waiting for a room {self.waiting}"
        )


@dataclass(frozen=True)
class Skip:
    reason: str
    wait: bool = False  # True: try again later without counting an attempt


# A step run at the start of every pass, before sending (e.g. the waitlist's offers,
# whose mails then go out in the same pass): writes in the session, which the pass commits.
PassStep = Callable[[Session, datetime], object]


def send_due(
    session: Session,
    transport: Transport,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    steps: tuple[PassStep, ...] = (),
) -> PassReport:
    """One pass: deliver every message due at ``now`` (default: the clock), batch by batch.

    Call it with no unsaved changes in ``session``: each step commits.
    """
    report = PassReport()
    for step in steps:
        _run_step(session, step, now or utcnow())
    while True:
        clock = now or utcnow()
        lease_until = clock + LEASE
        claimed = _claim(session, clock, lease_until, batch_size)
        if not claimed:
            return report
        started = time.monotonic()
        for position, message_id in enumerate(claimed):
            if time.monotonic() - started > LEASE.total_seconds() / 2:
                _release(session, claimed[position:], lease_until, now or utcnow())
                break
            _handle(transport, session, message_id, lease_until, now, report)


def send_loop(
    session: Session,
    transport: Transport,
    *,
    interval: float,
    stop: threading.Event,
    on_pass: Callable[[PassReport], None] | None = None,
    steps: tuple[PassStep, ...] = (),
) -> None:
    """Run passes until ``stop`` is set, sleeping ``interval`` seconds after an idle pass."""
    while not stop.is_set():
        try:
            report = send_due(session, transport, steps=steps)
        except Exception:  # a database hiccup must not end the worker
            log.exception("The send pass failed; trying again shortly.")
            session.rollback()
            stop.wait(interval)
            continue
        finally:
            session.close()  # no connection or loaded rows kept while idle
        if on_pass is not None:
            on_pass(report)
        if report.handled == 0:
            stop.wait(interval)


def _run_step(session: Session, step: PassStep, clock: datetime) -> None:
    """One pass step in its own transaction; its failure is logged and sending goes on."""
    try:
        step(session, clock)
        session.commit()
    except Exception:
        log.exception("A pass step (%s) failed; sending goes on.", getattr(step, "__name__", step))
        session.rollback()


def backoff(attempts: int, base_seconds: int) -> timedelta:
    """The wait after the ``attempts``-th failure: ``base_seconds`` doubled each time."""
    return min(timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# --- the three steps -----------------------------------------------------------


def _claim(session: Session, now: datetime, lease_until: datetime, limit: int) -> list[uuid.UUID]:
    session.commit()  # the claim must be the first statement of its transaction (SQLite)
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.due_at <= now)
        # An appointment's notices queued together go out in SEQUENCE order.
        .order_by(OutboxMessage.due_at, OutboxMessage.sequence, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due))
        .values(due_at=lease_until, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage.id, OutboxMessage.sequence)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    # RETURNING has no order: send an appointment's notices in SEQUENCE order.
    claimed.sort(key=lambda row: -1 if row.sequence is None else row.sequence)
    return [row.id for row in claimed]


def _handle(
    transport: Transport,
    session: Session,
    message_id: uuid.UUID,
    lease_until: datetime,
    now: datetime | None,
    report: PassReport,
) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.PENDING or message.due_at != lease_until:
        session.rollback()  # dropped by a reschedule or cancel meanwhile
        return
    attempts = message.attempts
    clock = now or utcnow()
    try:
        plan: Outgoing | WebhookRequest | Skip | Exception = (
            _prepare_webhook(session, message)
            if message.channel == OutboxChannel.WEBHOOK
            else _prepare(session, message, clock)
        )
    except Exception as error:  # a message that cannot be built fails like one that cannot be sent
        log.exception("Could not build outbox message %s", message_id)
        plan = error
    session.rollback()  # nothing was written: end the read transaction before any I/O
    if isinstance(plan, Skip):
        if plan.wait:
            _record(
                session,
                message_id,
                lease_until,
                due_at=clock + ROOM_WAIT,
                attempts=OutboxMessage.attempts - 1,
            )
            report.waiting += 1
        else:
            session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.id == message_id, OutboxMessage.due_at == lease_until
                )
            )
            session.commit()
            log.info("Dropped outbox message %s: %s", message_id, plan.reason)
            report.dropped += 1
        return
    if not isinstance(plan, Exception):
        try:
            if isinstance(plan, WebhookRequest):
                webhook_delivery.post(plan)  # a webhook is the portal's own HTTP call
            else:
                transport.deliver(plan)
        except Exception as error:
            plan = error
    if isinstance(plan, Exception):
        _record_failure(session, message_id, lease_until, attempts, plan, now or utcnow(), report)
        return
    if not _record(
        session,
        message_id,
        lease_until,
        status=OutboxStatus.SENT,
        sent_at=now or utcnow(),
        last_error=None,
    ):
        log.warning("Outbox message %s changed while it was being sent.", message_id)
    report.sent += 1


def _record(session: Session, message_id: uuid.UUID, lease_until: datetime, **values) -> bool:
    """Write the outcome unless the row changed hands (fenced on our lease)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.due_at == lease_until,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def _record_failure(
    session: Session,
    message_id: uuid.UUID,
    lease_until: datetime,
    attempts: int,
    error: Exception,
    clock: datetime,
    report: PassReport,
) -> None:
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX_CHARS]
    report.errors.append(text)
    settings = settings_of(session)
    if attempts >= settings.notifications_max_attempts:
        _record(
            session,
            message_id,
            lease_until,
            status=OutboxStatus.FAILED,
            last_error=text,
            due_at=clock,
        )
        log.error(
            "Giving up on outbox message %s after %d attempts: %s", message_id, attempts, text
        )
        report.failed += 1
    else:
        wait = backoff(attempts, settings.notifications_backoff_seconds)
        _record(session, message_id, lease_until, due_at=clock + wait, last_error=text)
        log.warning(
            "Outbox message %s failed (attempt %d), will retry: %s", message_id, attempts, text
        )
        report.retrying += 1


def _release(
    session: Session, message_ids: list[uuid.UUID], lease_until: datetime, clock: datetime
) -> None:
    """Hand back claimed rows this batch will not reach in time (not counted as attempts)."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.due_at == lease_until,
        )
        .values(due_at=clock, attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()


# --- building ---------------------------------------------------------------------


def _recipient(appointment: Appointment, message: OutboxMessage) -> Participant | None:
    for participant, address in recipients(appointment, message.channel):
        if address == message.recipient:
            return participant
    return None


def _stale(appointment: Appointment, message: OutboxMessage) -> str | None:
    """Why a REMINDER / ROOM row no longer applies, if it does not."""
    if appointment.status != AppointmentStatus.SCHEDULED:
        return "the appointment was cancelled"
    if not appointment.notifications_active:
        return "notifications were switched off"
    if message.schedule_start is None or (
        message.schedule_start.astimezone(UTC) != appointment.start_at.astimezone(UTC)
    ):
        return "the appointment was rescheduled"
    if _recipient(appointment, message) is None:
        return "the recipient is no longer a participant"
    return None


def _manage_link(settings: Settings, message: OutboxMessage) -> str:
    """The link minted when the row was queued; rows queued before links were minted
    (their old derived links no longer work) point to the customer area instead."""
    return message.manage_link or customer_area_url(settings)


def _prepare_webhook(session: Session, message: OutboxMessage) -> WebhookRequest | Skip:
    request = webhook_delivery.prepare(session, message)
    return request or Skip("its webhook subscription was removed or switched off")


def _superseded(session: Session, message: OutboxMessage) -> bool:
    """Whether a newer invitation already went to this recipient for this appointment.

    Sending this one now would take the recipient's calendar back to an older state
    (SEQUENCE going back); its text is just as out of date, so it is dropped.
    """
    if message.sequence is None or message.appointment_id is None:
        return False
    newest_sent = session.scalar(
        select(func.max(OutboxMessage.sequence)).where(
            OutboxMessage.appointment_id == message.appointment_id,
            OutboxMessage.recipient == message.recipient,
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.id != message.id,
        )
    )
    return newest_sent is not None and newest_sent > message.sequence


def _prepare(session: Session, message: OutboxMessage, clock: datetime) -> Outgoing | Skip:
    settings = settings_of(session)
    appointment = message.appointment
    subject, text, html = message.subject, message.text_body, message.html_body
    participant = _recipient(appointment, message) if appointment is not None else None
    if _superseded(session, message):
        return Skip("a newer notice of this appointment was already sent to the recipient")
    if appointment is not None and message.type in TIMED_TYPE_NAMES:
        # Rendered again at send time: names, title and the room link may have changed.
        reason = _stale(appointment, message)
        if reason:
            return Skip(reason)
        template = (
            session.get(NotificationTemplate, message.template_id) if message.template_id else None
        )
        if template is None or not template.active:
            return Skip("its template was removed or switched off")
        texts = f"{template.subject}{template.text_body}{template.html_body}"
        if (
            message.type == TemplateType.ROOM.value
            and "roomLink" in placeholders_in(texts)
            and join_link(appointment) is None
        ):
            if clock < appointment.end_at:
                return Skip("the room is not open yet", wait=True)
            return Skip("the appointment ended before its room opened")
        rendered = render_template(
            template, appointment, participant, manage=_manage_link(settings, message)
        )
        subject, text = rendered.subject, rendered.text_body
        html = rendered.html_body if message.channel == Channel.EMAIL else None
    if message.channel == Channel.SMS:
        return Outgoing(Channel.SMS, message.recipient, "", text)
    from_email = sender_address(
        appointment.service if appointment is not None else None, settings.mail_default_sender
    )
    # The invitation stored with the row, from the snapshot its text was rendered from;
    # rows queued before invitations were stored go without one rather than a rebuilt
    # invitation that could contradict their text.
    has_invitation = bool(message.ics and message.ics_method)
    return Outgoing(
        Channel.EMAIL,
        message.recipient,
        subject,
        text,
        html,
        from_email,
        message.ics.encode("utf-8") if has_invitation else None,
        message.ics_method if has_invitation else None,
        message_id=message_id_for(message.id, settings.public_url),
    )
