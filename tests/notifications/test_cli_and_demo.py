"""``flask notifications send`` and the demo's templates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.demo import load_demo
from portal.extensions import db
from portal.models import NotificationTemplate, OutboxMessage, OutboxStatus, Service, utcnow
from portal.notifications import outbox
from tests.notifications.factories import make_appointment


@pytest.mark.date_sensitive
def test_send_command_runs_one_pass(app):
    appointment = make_appointment(utcnow() + timedelta(days=3))
    outbox.queue_created(appointment)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "Notifications: sent 1, retrying 0, failed 0" in result.output
    db.session.expire_all()
    (confirmation,) = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.type == "CREATE")
    )
    assert confirmation.status == OutboxStatus.SENT
    assert len(app.extensions["mailman"].outbox) == 1


def test_send_command_help_mentions_loop(app):
    result = app.test_cli_runner().invoke(args=["notifications", "send", "--help"])
    assert result.exit_code == 0 and "--loop" in result.output


@pytest.mark.date_sensitive
def test_demo_services_get_default_templates_once(app):
    load_demo()
    db.session.commit()
    counts = {
        service.slug: len(service.templates) for service in db.session.scalars(select(Service))
    }
    assert counts and all(count > 0 for count in counts.values())
    before = db.session.scalar(select(NotificationTemplate.id).limit(1))
    load_demo()
    db.session.commit()
    after_counts = {s.slug: len(s.templates) for s in db.session.scalars(select(Service))}
    assert after_counts == counts and before is not None
