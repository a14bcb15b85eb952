"""Several senders at once on PostgreSQL: every message exactly once (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus
from portal.notifications import outbox
from portal.delivery import send_due
from tests.conftest import on_postgres
from tests.notifications import backends
from tests.notifications.factories import make_agent, make_appointment, make_service

UTC = UTC
NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)

pytestmark = [
    pytest.mark.usefixtures("fake_manage_links"),
    pytest.mark.skipif(
        not on_postgres(),
        reason="concurrent senders claim with FOR UPDATE SKIP LOCKED, a PostgreSQL feature; "
        "run with PORTAL_TEST_DATABASE_URL=postgresql+psycopg://... (SQLite serialises writers)",
    ),
]


@pytest.fixture
def config_overrides():
    return {"MAIL_BACKEND": "tests.notifications.backends.RecordingEmailBackend"}


@pytest.mark.parametrize("senders", [2, 4])
def test_concurrent_senders_deliver_200_messages_exactly_once(app, senders):
    service = make_service()
    agent = make_agent()
    for n in range(100):
        appointment = make_appointment(
            # One after another: the database refuses overlapping times of one agent.
            datetime(2030, 4, 1, 8, 0, tzinfo=UTC) + timedelta(minutes=30 * n),
            service=service,
            agent=agent,
            customers=[
                ("A", str(n), f"a{n}@example.org", None),
                ("B", str(n), f"b{n}@example.org", None),
            ],
            commit=False,
        )
        outbox.queue_created(appointment, now=NOW)
    db.session.commit()
    due = select(func.count()).where(OutboxMessage.due_at <= NOW, OutboxMessage.status == "PENDING")
    assert db.session.scalar(due) == 200
    backends.delivered.clear()

    start = threading.Barrier(senders)
    reports, errors = {}, []

    def sender(name: str) -> None:
        try:
            with app.app_context():
                start.wait()
                reports[name] = send_due(now=NOW, batch_size=10)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=sender, args=(f"sender-{i}",), name=f"sender-{i}")
        for i in range(senders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert all(not thread.is_alive() for thread in threads)

    per_recipient = Counter(recipient for _thread, recipient in backends.delivered)
    assert len(per_recipient) == 200
    assert set(per_recipient.values()) == {1}, "some message was sent twice"
    assert sum(report.sent for report in reports.values()) == 200
    per_sender = Counter(thread for thread, _recipient in backends.delivered)
    assert len(per_sender) == senders, f"every sender took part: {per_sender}"

    db.session.expire_all()
    rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CREATE")))
    assert len(rows) == 200
    # Claimed once each: a second claim would have counted a second attempt.
    assert all(row.status == OutboxStatus.SENT and row.attempts == 1 for row in rows)
