"""Finding 10: the outbox sends at least once, and every copy is recognisably the same mail.

A sender that dies after the SMTP server accepted a mail and before the row is marked
SENT sends it again once the lease runs out. Both copies must carry the same
``Message-ID``, made from the outbox row, so servers and clients can de-duplicate them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.delivery import send_due
from portal.extensions import db
from portal.models import OutboxMessage, OutboxStatus
from portal.notifications import outbox, sender
from portal.notifications.sender import LEASE
from tests.notifications.factories import fake_manage_links, make_appointment, parse_mail  # noqa: F401
from tests.smtp_sink import SmtpSink, smtp  # noqa: F401

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("fake_manage_links")


@pytest.fixture
def config_overrides(smtp: SmtpSink) -> dict:  # noqa: F811
    return smtp.app_config() | {"PUBLIC_URL": "https://portal.example.com"}


class ProcessDied(RuntimeError):
    """Stands for a crash (or a lost database) between the send and the SENT mark."""


def _crash_on_the_sent_mark(monkeypatch: pytest.MonkeyPatch) -> None:
    record = sender._record

    def record_or_die(session, message_id, lease_until, **values):
        if values.get("status") == OutboxStatus.SENT:
            session.rollback()
            raise ProcessDied("killed before the SENT mark was committed")
        return record(session, message_id, lease_until, **values)

    monkeypatch.setattr(sender, "_record", record_or_die)


def _queue_confirmation(email: str, start: datetime) -> None:
    appointment = make_appointment(start, customers=[("Ann", "Lee", email, None)])
    outbox.queue_created(appointment, now=NOW)
    db.session.commit()


def test_a_mail_resent_after_a_crash_carries_the_same_message_id(app, smtp, monkeypatch):  # noqa: F811
    smtp.start()
    _queue_confirmation("ann@example.org", datetime(2030, 3, 20, 9, 0, tzinfo=UTC))
    (row,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CREATE"))
    row_id = row.id

    with monkeypatch.context() as patch:
        _crash_on_the_sent_mark(patch)
        with pytest.raises(ProcessDied):
            send_due(now=NOW)
    db.session.rollback()
    assert len(smtp.envelopes) == 1  # the server has the mail; the row does not know it

    # The next sender takes the row up once the dead sender's lease has run out.
    assert send_due(now=NOW + LEASE).sent == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row_id).status == OutboxStatus.SENT

    first, second = (parse_mail(envelope.content) for envelope in smtp.envelopes)
    assert first["Message-ID"] == second["Message-ID"] == f"<{row_id}@portal.example.com>"
    assert first["Subject"] == second["Subject"]


def test_two_outbox_rows_have_different_message_ids(app, smtp):  # noqa: F811
    smtp.start()
    _queue_confirmation("ann@example.org", datetime(2030, 3, 20, 9, 0, tzinfo=UTC))
    _queue_confirmation("bob@example.org", datetime(2030, 3, 21, 9, 0, tzinfo=UTC))
    rows = {
        row.recipient: row.id
        for row in db.session.scalars(select(OutboxMessage).where(OutboxMessage.type == "CREATE"))
    }
    assert send_due(now=NOW).sent == 2

    received = {
        envelope.rcpt_tos[0]: parse_mail(envelope.content)["Message-ID"]
        for envelope in smtp.envelopes
    }
    assert received == {
        "ann@example.org": f"<{rows['ann@example.org']}@portal.example.com>",
        "bob@example.org": f"<{rows['bob@example.org']}@portal.example.com>",
    }
