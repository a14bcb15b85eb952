"""Concurrency against a real server: many customers, one seat, one winner.

The portal runs under gunicorn (4 worker processes x 5 threads) on the test
database (SQLite file or the PostgreSQL of PORTAL_TEST_DATABASE_URL). Twenty
threads, each with its own HTTP connection, fire at the same moment:

1. twenty holds of one single-seat slot: one is held, nineteen see "just taken";
2. twenty code confirmations for another single-seat slot, each customer with
   their own valid code (prepared in the database) and their own draft:
   exactly one appointment, nineteen "just taken" pages, no 5xx.
"""

from __future__ import annotations

import http.client
import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from sqlalchemy import func, select

from portal.booking.codes import issue_code
from portal.extensions import db
from portal.models import Appointment, CodePurpose, SlotHold
from portal.web.booking import Draft
from tests import factories
from tests.live_server import gunicorn_server

UTC = timezone.utc
CUSTOMERS = 20
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def fire_at_once(server, requests: list[tuple[str, dict]]) -> list[tuple[int, str]]:
    """POST every (path, form) at the same moment, each from its own connection."""
    barrier = threading.Barrier(len(requests))
    results: list[tuple[int, str] | None] = [None] * len(requests)

    def worker(index: int, path: str, form: dict) -> None:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=90)
        try:
            connection.connect()
            body = urlencode(form)
            barrier.wait(timeout=30)
            connection.request("POST", path, body=body, headers=FORM)
            response = connection.getresponse()
            results[index] = (response.status, response.read().decode("utf-8", "replace"))
        except Exception as error:  # recorded, the assertions say what went wrong
            results[index] = (-1, repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, path, form)) for i, (path, form) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [r if r is not None else (-2, "no answer") for r in results]


def summary(results) -> str:
    return "; ".join(f"{status}: {' '.join(body.split())[:160]}" for status, body in results)


def test_one_seat_many_customers(app, tmp_path):
    agent = factories.agent("solo@example.com", "Sol Solo")
    factories.weekly_hours(agent, [(9 * 60, 17 * 60)])
    service = factories.service([agent], slug="consult", capacity=1)
    day = datetime.now(UTC).date() + timedelta(days=3)
    hold_start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    book_start = hold_start + timedelta(hours=1)

    emails = [f"customer{i:02d}@example.org" for i in range(CUSTOMERS)]
    codes = [issue_code(db.session, email, CodePurpose.BOOKING) for email in emails]
    with app.test_request_context("/"):
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
    }
    with gunicorn_server(settings, tmp_path) as server:
        iso = hold_start.strftime("%Y-%m-%dT%H:%M:%SZ")
        holds = fire_at_once(
            server,
            [("/book/consult/hold", {"start": iso, "timezone": "UTC", "agent": "any"})] * CUSTOMERS,
        )
        confirmations = fire_at_once(
            server,
            [
                ("/book/consult/confirm/code", {"p": draft, "code": code})
                for draft, code in zip(drafts, codes)
            ],
        )
        log = server.log()

    for results in (holds, confirmations):
        statuses = [status for status, _ in results]
        assert statuses.count(303) == 1, summary(results)
        assert statuses.count(409) == CUSTOMERS - 1, summary(results)
        for status, body in results:
            if status == 409:
                assert "That time was just taken" in body
                assert 'id="slots"' in body  # the refreshed picker, not an error page
    assert "Traceback" not in log, log

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 1
    appointment = db.session.scalars(select(Appointment)).one()
    assert appointment.start_at == book_start
    holds_left = db.session.scalars(select(SlotHold)).all()
    assert [h.start_at for h in holds_left] == [hold_start]
