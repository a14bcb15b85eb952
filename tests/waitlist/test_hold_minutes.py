"""WAITLIST_HOLD_MINUTES sets how long an offered time is held."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.booking import operations
from portal.extensions import db
from portal.models import Appointment, WaitlistOffer
from tests.waitlist.conftest import join, offers_to, run_sender


@pytest.fixture
def config_overrides() -> dict:
    return {"WAITLIST_HOLD_MINUTES": 5}


def test_the_hold_lasts_the_configured_minutes(app, client, full_day, fixed_clock):
    assert join(app, client, full_day, "first@example.org").status_code == 201
    fixed_clock.shift(timedelta(seconds=1))
    assert join(app, client, full_day, "second@example.org").status_code == 201
    operations.cancel(db.session, db.session.get(Appointment, full_day.nine.id))
    db.session.commit()
    run_sender()
    offer = db.session.scalars(select(WaitlistOffer)).one()
    assert offer.expires_at - offer.created_at == timedelta(minutes=5)
    fixed_clock.shift(timedelta(minutes=6))
    run_sender()
    assert len(offers_to(app, "second@example.org")) == 1
