"""The outbox for administrators: filter by status, retry a FAILED message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.admin import outbox
from portal.admin.errors import Conflict, NotFound
from portal.extensions import db
from portal.models import Channel, OutboxMessage, OutboxStatus, utcnow


def message(status: OutboxStatus, recipient: str = "cora@example.org", **fields) -> OutboxMessage:
    item = OutboxMessage(
        type="CREATE",
        channel=Channel.EMAIL,
        recipient=recipient,
        subject="Hello",
        text_body="Hi",
        due_at=fields.pop("due_at", utcnow() - timedelta(hours=1)),
        status=status,
        **fields,
    )
    db.session.add(item)
    db.session.commit()
    return item


def test_retry_failed_makes_it_pending_due_now_with_no_attempts():
    failed = message(
        OutboxStatus.FAILED, attempts=8, last_error="SMTP 550", due_at=utcnow() - timedelta(days=2)
    )
    before = utcnow()
    outbox.retry_message(db.session, failed)
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, failed.id)
    assert stored.status == OutboxStatus.PENDING
    assert stored.attempts == 0 and stored.last_error is None
    assert before - timedelta(seconds=1) <= stored.due_at <= utcnow()


@pytest.mark.parametrize("status", [OutboxStatus.PENDING, OutboxStatus.SENT])
def test_only_failed_messages_are_retried(status):
    item = message(status, attempts=1)
    due = item.due_at
    with pytest.raises(Conflict):
        outbox.retry_message(db.session, item)
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, item.id)
    assert stored.status == status and stored.attempts == 1 and stored.due_at == due


def test_list_filters_by_status_and_counts():
    message(OutboxStatus.FAILED, "a@example.org")
    message(OutboxStatus.SENT, "b@example.org")
    message(OutboxStatus.SENT, "c@example.org")
    rows, total = outbox.list_messages(db.session, status=OutboxStatus.SENT)
    assert total == 2 and {row.recipient for row in rows} == {"b@example.org", "c@example.org"}
    rows, total = outbox.list_messages(db.session)
    assert total == 3
    counts = outbox.status_counts(db.session)
    assert counts == {OutboxStatus.PENDING: 0, OutboxStatus.SENT: 2, OutboxStatus.FAILED: 1}


def test_get_message_unknown():
    with pytest.raises(NotFound):
        outbox.get_message(db.session, "nope")
