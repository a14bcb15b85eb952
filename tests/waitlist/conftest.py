"""A full day to wait for: one agent working 09:00-10:00 UTC, both half-hour slots booked.

Customers join through the API with a booking code, as the issue describes; the sender
(``portal.delivery.send_due``) makes the offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.delivery import send_due
from portal.extensions import db
from portal.models import Appointment, Service, User
from tests import factories
from tests.booking.web_support import last_code, outbox

OFFER_LINK = re.compile(r"/waitlist/offer/([A-Za-z0-9_-]+)")
LEAVE_LINK = re.compile(r"/waitlist/leave/([A-Za-z0-9_-]+)")


@dataclass
class FullDay:
    service: Service
    alice: User
    day: date
    nine: Appointment
    half_past: Appointment

    def at(self, hour: int, minute: int = 0) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def full_day(app: Flask) -> FullDay:
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(9 * 60, 10 * 60)])
    service = factories.service([alice], slug="consult", name="Consultation")
    day = datetime.now(UTC).date() + timedelta(days=3)
    start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
    nine = factories.appointment(service, alice, start)
    half_past = factories.appointment(service, alice, start + timedelta(minutes=30))
    outbox(app).clear()
    return FullDay(service, alice, day, nine, half_past)


def join_body(full_day: FullDay, email: str, code: str, **extra) -> dict:
    return {
        "email": email,
        "date": full_day.day.isoformat(),
        "timezone": "UTC",
        "otp": {"email": email, "code": code},
        **extra,
    }


def join(app: Flask, client: FlaskClient, full_day: FullDay, email: str, **extra):
    """Ask for a booking code and join the day's waitlist with it, through the API."""
    assert client.post("/api/otp", json={"email": email}).status_code == 202
    code = last_code(app, email)
    return client.post(
        f"/api/services/{full_day.service.id}/waitlist",
        json=join_body(full_day, email, code, **extra),
    )


def mails_to(app: Flask, email: str, subject_start: str) -> list:
    return [m for m in outbox(app) if email in m.to and m.subject.startswith(subject_start)]


def offers_to(app: Flask, email: str) -> list[str]:
    """The offer tokens mailed to ``email``, oldest first."""
    return [OFFER_LINK.search(m.body).group(1) for m in mails_to(app, email, "A time freed up")]


def run_sender() -> None:
    db.session.commit()
    send_due()
