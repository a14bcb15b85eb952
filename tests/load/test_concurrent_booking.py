"""Concurrency against a real server: many customers, one seat, one winner.

The portal runs under gunicorn (4 worker processes x 5 threads) on the test
database (SQLite file or the PostgreSQL of PORTAL_TEST_DATABASE_URL). Twenty
threads, each with its own HTTP connection, fire at the same moment:

1. twenty customers send their details (so ask to hold) for one single-seat slot,
   each with their own e-mail: one is held, nineteen see "just taken";
2. twenty code confirmations for another single-seat slot, each customer with
   their own valid code (prepared in the database) and their own draft:
   exactly one appointment, nineteen "just taken" pages, no 5xx.
"""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import func, select

from portal.codes import CodeSettings, issue_code
from portal.extensions import db
from portal.models import Appointment, CodePurpose, SlotHold
from portal.web.booking import Draft
from tests import factories
from tests.live_server import gunicorn_server
from tests.load.client import Request, send_all_at_once, statuses, summary

pytestmark = pytest.mark.real_clock  # the gunicorn servers keep the real clock

UTC = UTC
CUSTOMERS = 20


def test_one_seat_many_customers(app, tmp_path):
    agent = factories.agent("solo@example.com", "Sol Solo")
    factories.weekly_hours(agent, [(9 * 60, 17 * 60)])
    service = factories.service([agent], slug="consult", capacity=1)
    day = datetime.now(UTC).date() + timedelta(days=3)
    hold_start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    book_start = hold_start + timedelta(hours=1)

    emails = [f"customer{i:02d}@example.org" for i in range(CUSTOMERS)]
    code_settings = CodeSettings.from_config(app.config)
    codes = [issue_code(db.session, code_settings, email, CodePurpose.BOOKING) for email in emails]
    with app.test_request_context("/"):
        chosen = Draft(service_id=service.id, start=hold_start, zone="UTC").dumps()
        drafts = [
            Draft(
                service_id=service.id,
                start=book_start,
                zone="UTC",
                first_name=f"Customer{i}",
                last_name="Load",
                email=email,
            ).dumps()
            for i, email in enumerate(emails)
        ]
    db.session.commit()
    db.session.close()

    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "locmem",
        # Every customer here comes from one address; the per-address limit is not tested here.
        "HOLDS_PER_ADDRESS_PER_HOUR": 0,
    }
    with gunicorn_server(settings, tmp_path) as server:
        holds = send_all_at_once(
            [
                Request(
                    server,
                    "POST",
                    "/book/consult/confirm",
                    form={
                        "h": chosen,
                        "first_name": f"Holder{i}",
                        "last_name": "Load",
                        "email": f"holder{i:02d}@example.org",
                    },
                )
                for i in range(CUSTOMERS)
            ]
        )
        confirmations = send_all_at_once(
            [
                Request(
                    server, "POST", "/book/consult/confirm/code", form={"p": draft, "code": code}
                )
                for draft, code in zip(drafts, codes, strict=True)
            ]
        )
        log = server.log()

    for answers, success in ((holds, 200), (confirmations, 303)):
        assert statuses(answers).count(success) == 1, summary(answers)
        assert statuses(answers).count(409) == CUSTOMERS - 1, summary(answers)
        for answer in answers:
            if answer.status == 409:
                assert "That time was just taken" in answer.body
                assert 'id="slots"' in answer.body  # the refreshed picker, not an error page
    assert "Traceback" not in log, log

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    appointment = db.session.scalars(select(Appointment)).one()
    assert appointment.start_at == book_start
    holds_left = db.session.scalars(
        select(SlotHold).where(SlotHold.expires_at > datetime.now(UTC))
    ).all()
    assert [h.start_at for h in holds_left] == [hold_start]
