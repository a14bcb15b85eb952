"""The outbox as administrators see it: filter by status, retry failed messages."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.admin.errors import Conflict, NotFound
from portal.domain.i18n import N_
from portal.models import OutboxMessage, OutboxStatus, utcnow


def list_messages(
    session: Session,
    *,
    status: OutboxStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[OutboxMessage], int]:
    """Messages (newest due first), optionally one status, and how many there are."""
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(OutboxMessage.due_at.desc(), OutboxMessage.id).limit(limit).offset(offset)
    ).all()
    return rows, total


def status_counts(session: Session) -> dict[OutboxStatus, int]:
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ):
        counts[OutboxStatus(status)] = count
    return counts


def get_message(session: Session, message_id: uuid.UUID | str) -> OutboxMessage:
    try:
        key = message_id if isinstance(message_id, uuid.UUID) else uuid.UUID(str(message_id))
    except ValueError:
        raise NotFound(N_("That message does not exist.")) from None
    message = session.get(OutboxMessage, key)
    if message is None:
        raise NotFound(N_("That message does not exist."))
    return message


def retry_message(session: Session, message: OutboxMessage) -> OutboxMessage:
    """Send a FAILED message again: PENDING, due now, attempts back to zero."""
    # A conditional update: two admins (or a sender) racing cannot both change it.
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, due_at=utcnow(), attempts=0, last_error=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(N_("Only failed messages can be retried."), "status")
    session.flush()
    session.refresh(message)
    return message
