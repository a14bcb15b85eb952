"""A rush on ten single-seat slots through several app servers sharing one database.

200 booking attempts fire at the same moment, twenty on each of ten slots of
one agent, alternating between the app servers: half are customers booking
with their emailed code (``POST /api/appointments/basic``), half an
integration booking for customers (``POST /api/appointments/``).

PostgreSQL: two gunicorn servers on different ports. SQLite: one server (a
SQLite file belongs to one machine). Either way exactly ten appointments exist
afterwards, one per slot; every other answer is 409 ``slot_unavailable``; no
5xx and no crash in the servers' logs.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import select

from portal.codes import CodeSettings, issue_code
from portal.extensions import db
from portal.models import Appointment, AppointmentStatus, CodePurpose, Role
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user, on_postgres
from tests.live_server import gunicorn_server
from tests.load.client import Request, send_all_at_once, summary

pytestmark = pytest.mark.real_clock  # the gunicorn servers keep the real clock

UTC = UTC
SLOTS = 10
ATTEMPTS_PER_SLOT = 20


def rush(servers, attempts: list[tuple[str, dict, dict]]):
    """Every attempt at once, taking turns over the servers."""
    return send_all_at_once(
        [
            Request(servers[i % len(servers)], "POST", path, json_body=body, headers=headers)
            for i, (path, body, headers) in enumerate(attempts)
        ]
    )


def test_two_hundred_attempts_on_ten_slots_make_ten_appointments(app, tmp_path):
    agent = factories.agent("rush@example.com", "Rhea Rush")
    factories.weekly_hours(agent, [(8 * 60, 18 * 60)])
    service = factories.service([agent], slug="rush", capacity=1, duration_minutes=30)
    day = datetime.now(UTC).date() + timedelta(days=3)
    first = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
    starts = [first + timedelta(minutes=30 * i) for i in range(SLOTS)]

    integration = make_user("crm@example.com", Role.CLIENT_SERVICE, password="", name="CRM")
    token, secret = issue_token(integration, "rush")
    db.session.add(token)
    db.session.commit()
    staff_headers = {"Authorization": f"Bearer {secret}"}

    code_settings = CodeSettings.from_config(app.config)
    attempts: list[tuple[str, dict, dict]] = []  # path, JSON body, headers
    for slot, start in enumerate(starts):
        iso = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        for n in range(ATTEMPTS_PER_SLOT):
            email = f"c{slot:02d}-{n:02d}@example.org"
            customer = {
                "name": {"firstName": f"C{slot}", "lastName": f"N{n}"},
                "contact": {"primaryEmail": email},
            }
            body = {
                "serviceId": str(service.id),
                "start": iso,
                "timezone": "UTC",
                "customer": customer,
            }
            if n % 2:
                attempts.append(("/api/appointments/", body, staff_headers))
            else:
                code = issue_code(db.session, code_settings, email, CodePurpose.BOOKING)
                attempts.append(
                    ("/api/appointments/basic", body | {"otp": {"email": email, "code": code}}, {})
                )
    db.session.commit()
    db.session.close()

    settings = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "RATELIMIT_ENABLED": False,  # 100 customers from one address: not what this test is about
        "MAIL_BACKEND": "locmem",
    }
    server_count = 2 if on_postgres() else 1
    with gunicorn_server(settings, tmp_path, workers=3, threads=4) as one:
        if server_count == 2:
            with gunicorn_server(settings, tmp_path, workers=3, threads=4) as two:
                answers = rush([one, two], attempts)
                logs = one.log() + two.log()
        else:
            answers = rush([one], attempts)
            logs = one.log()

    statuses = Counter(answer.status for answer in answers)
    unexpected = [a for a in answers if a.status not in (200, 201, 409)]
    assert not unexpected, summary(unexpected[:5])
    assert statuses[200] + statuses[201] == SLOTS, statuses
    assert statuses[409] == SLOTS * ATTEMPTS_PER_SLOT - SLOTS, statuses
    for answer in answers:
        if answer.status == 409:
            assert answer.json["error"] == "slot_unavailable", answer.body
    assert "Traceback" not in logs, logs

    db.session.expire_all()
    appointments = db.session.scalars(select(Appointment)).all()
    assert sorted(a.start_at for a in appointments) == starts
    assert {a.status for a in appointments} == {AppointmentStatus.SCHEDULED}
    winners = {answer.json["id"] for answer in answers if answer.status in (200, 201)}
    assert winners == {str(a.id) for a in appointments}
