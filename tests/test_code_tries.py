"""Tries of one-time codes, for every purpose: atomic, and counted even when the request fails.

A wrong code's request fails and rolls back everything it did, yet the try stays
counted; parallel wrong guesses never pass the limit. For booking codes
(``POST /api/appointments/basic``, the booking pages), sign-in codes
(``POST /api/otp/verify``, ``/my/verify``) and sender verification codes
(``POST /api/notifications/emails/confirm``, the admin service page).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.codes import CodeSettings, issue_code
from portal.extensions import db
from portal.models import Appointment, CodePurpose, OneTimeCode, Role, Service
from portal.tokens import issue_token
from tests import factories
from tests.booking.web_support import hidden, shop, start_booking  # noqa: F401
from tests.conftest import make_user, sign_in

EMAIL = "cora@example.org"
SENDER = "team@clinic.example"
GUESSES = 12


@dataclass
class World:
    service_id: str  # plain values: the guessing threads have no session to load objects with
    start: datetime
    admin_headers: dict[str, str]

    @property
    def service(self) -> Service:
        return db.session.get(Service, uuid.UUID(self.service_id))


@pytest.fixture
def world(app: Flask) -> World:
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(8 * 60, 18 * 60)])
    service = factories.service([alice], slug="tries", sender_email=SENDER, sender_verified=False)
    day = datetime.now(UTC).date() + timedelta(days=7)
    admin = make_user("admin@example.com", Role.ADMIN)
    token, secret = issue_token(admin, "test")
    db.session.add(token)
    db.session.commit()
    start = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    return World(str(service.id), start, {"Authorization": f"Bearer {secret}"})


def issue(app: Flask, email: str, purpose: CodePurpose) -> str:
    code = issue_code(db.session, CodeSettings.from_config(app.config), email, purpose)
    db.session.commit()
    return code


def tries() -> int:
    db.session.expire_all()
    unused = OneTimeCode.used_at.is_(None)
    return db.session.scalars(select(OneTimeCode.attempts).where(unused)).one()


def book_basic(world: World, client: FlaskClient, code: str):
    body = {
        "serviceId": world.service_id,
        "start": world.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "customer": {"name": {"firstName": "Cora", "lastName": "Customer"}},
        "otp": {"email": EMAIL, "code": code},
    }
    return client.post("/api/appointments/basic", json=body)


def sign_in_code(world: World, client: FlaskClient, code: str):
    return client.post("/api/otp/verify", json={"email": EMAIL, "code": code})


def confirm_sender(world: World, client: FlaskClient, code: str):
    body = {"serviceId": world.service_id, "code": code}
    return client.post("/api/notifications/emails/confirm", json=body, headers=world.admin_headers)


# purpose, the address, the API call, its answer to a wrong code
CASES: dict[str, tuple[CodePurpose, str, Callable, int]] = {
    "booking": (CodePurpose.BOOKING, EMAIL, book_basic, 401),
    "sign-in": (CodePurpose.SIGN_IN, EMAIL, sign_in_code, 401),
    "sender-verification": (CodePurpose.SENDER_VERIFICATION, SENDER, confirm_sender, 400),
}


@pytest.mark.parametrize("case", CASES)
def test_parallel_wrong_guesses_never_pass_the_limit(app, world, case):
    purpose, email, call, refused = CASES[case]
    code = issue(app, email, purpose)
    wrong = "000000" if code != "000000" else "111111"
    maximum = app.config["ONE_TIME_CODE_MAX_ATTEMPTS"]
    ready = threading.Barrier(GUESSES)

    def guess(_: int):
        client = app.test_client()  # each thread: its own request, app context and session
        ready.wait(timeout=30)
        return call(world, client, wrong)

    with ThreadPoolExecutor(GUESSES) as pool:
        answers = list(pool.map(guess, range(GUESSES)))

    assert [a.status_code for a in answers] == [refused] * GUESSES, [a.json for a in answers]
    descriptions = [a.json["error_description"] for a in answers]
    assert sum("not right" in d for d in descriptions) == maximum - 1, descriptions
    assert sum("Too many wrong tries" in d for d in descriptions) == GUESSES - maximum + 1
    assert tries() == maximum
    # The limit holds for the right code too.
    late = call(world, app.test_client(), code)
    assert late.status_code == refused and "Too many wrong tries" in late.json["error_description"]
    assert tries() == maximum


@pytest.mark.parametrize("case", CASES)
def test_a_wrong_try_counts_although_its_request_rolled_back(app, client, world, case):
    purpose, email, call, refused = CASES[case]
    code = issue(app, email, purpose)
    wrong = "000000" if code != "000000" else "111111"
    assert call(world, client, wrong).status_code == refused
    assert tries() == 1
    assert call(world, client, code).status_code < 300
    assert db.session.scalars(select(OneTimeCode.used_at)).one() is not None


def test_a_right_booking_code_survives_a_taken_slot_and_the_try_counts(app, client, world):
    code = issue(app, EMAIL, CodePurpose.BOOKING)
    factories.appointment(world.service, world.service.agents[0], world.start)
    taken = book_basic(world, client, code)
    assert taken.status_code == 409 and taken.json["error"] == "slot_unavailable"
    assert tries() == 1
    world.start += timedelta(hours=1)
    assert book_basic(world, client, code).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Appointment)) == 2


def test_the_pages_count_wrong_tries_too(app, client, shop):
    # Booking: the code step answers 422 and rolls back.
    code_page = start_booking(client, shop, shop.at(10))
    path = f"/book/{shop.service.slug}/confirm/code"
    answer = client.post(path, data={"p": hidden(code_page, "p"), "code": "999999"})
    assert answer.status_code == 422
    assert (
        db.session.scalars(
            select(OneTimeCode.attempts).where(OneTimeCode.purpose == CodePurpose.BOOKING)
        ).one()
        == 1
    )
    # Sign-in at /my.
    issue(app, "dan@example.org", CodePurpose.SIGN_IN)
    answer = client.post("/my/verify", data={"email": "dan@example.org", "code": "999999"})
    assert answer.status_code == 422
    db.session.expire_all()
    assert (
        db.session.scalars(
            select(OneTimeCode.attempts).where(OneTimeCode.purpose == CodePurpose.SIGN_IN)
        ).one()
        == 1
    )


def test_the_admin_page_counts_wrong_sender_codes(app, client, world):
    issue(app, SENDER, CodePurpose.SENDER_VERIFICATION)
    assert sign_in(client, "admin@example.com").status_code == 302
    page = client.post(f"/admin/services/{world.service_id}/sender/confirm", data={"code": "abc"})
    assert "not right" in page.get_data(as_text=True)
    assert tries() == 1
    db.session.expire_all()
    assert world.service.sender_verified is False
