"""One-time codes (portal.booking.codes): hashing, expiry, tries, throttling, mail, limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.booking import codes
from portal.extensions import db
from portal.models import CodePurpose, OneTimeCode, utcnow
from tests.booking.web_support import hidden, outbox, shop, text  # noqa: F401

EMAIL = "cora@example.org"
BOOKING = CodePurpose.BOOKING


def test_a_code_is_stored_hashed_and_works_once(app):
    now = utcnow()
    code = codes.issue_code(db.session, "Cora@Example.org", BOOKING, now)
    assert re.fullmatch(r"\d{6}", code)
    row = db.session.scalars(select(OneTimeCode)).one()
    assert row.email == EMAIL and code not in row.code_hash and row.code_hash.startswith("hmac-sha256$")
    assert row.expires_at == now + timedelta(minutes=10)
    codes.verify_code(db.session, EMAIL, BOOKING, f" {code[:3]} {code[3:]} ", now)
    with pytest.raises(codes.CodeExpired):
        codes.verify_code(db.session, EMAIL, BOOKING, code, now)


def test_wrong_codes_count_down_to_too_many(app):
    now = utcnow()
    code = codes.issue_code(db.session, EMAIL, BOOKING, now)
    wrong = "000000" if code != "000000" else "111111"
    remaining = []
    for _ in range(4):
        with pytest.raises(codes.WrongCode) as error:
            codes.verify_code(db.session, EMAIL, BOOKING, wrong, now)
        remaining.append(error.value.remaining)
    assert remaining == [4, 3, 2, 1]
    with pytest.raises(codes.TooManyAttempts):
        codes.verify_code(db.session, EMAIL, BOOKING, wrong, now)
    with pytest.raises(codes.TooManyAttempts):
        codes.verify_code(db.session, EMAIL, BOOKING, code, now)
    assert db.session.scalars(select(OneTimeCode.attempts)).one() == 5


def test_the_right_code_on_the_last_try_works(app):
    now = utcnow()
    code = codes.issue_code(db.session, EMAIL, BOOKING, now)
    for _ in range(4):
        with pytest.raises(codes.WrongCode):
            codes.verify_code(db.session, EMAIL, BOOKING, "abcdef", now)
    codes.verify_code(db.session, EMAIL, BOOKING, code, now)


def test_expiry_purpose_and_newest_code(app):
    now = utcnow()
    first = codes.issue_code(db.session, EMAIL, BOOKING, now)
    second = codes.issue_code(db.session, EMAIL, BOOKING, now + timedelta(seconds=1))
    if first != second:
        with pytest.raises(codes.WrongCode):
            codes.verify_code(db.session, EMAIL, BOOKING, first, now)
    with pytest.raises(codes.CodeExpired):
        codes.verify_code(db.session, EMAIL, CodePurpose.SIGN_IN, second, now)
    with pytest.raises(codes.CodeExpired):
        codes.verify_code(db.session, EMAIL, BOOKING, second, now + timedelta(minutes=10, seconds=2))
    with pytest.raises(codes.CodeExpired):
        codes.verify_code(db.session, "other@example.org", BOOKING, second, now)


def test_request_code_sends_mail_and_throttles(app):
    now = utcnow()
    codes.request_code(db.session, EMAIL, BOOKING, now)
    (mail,) = outbox(app)[-1:]
    code = re.search(r"\b(\d{6})\b", mail.body).group(1)
    assert mail.to == [EMAIL] and code in mail.subject and "10 minutes" in mail.body
    with pytest.raises(codes.CodeThrottled) as error:
        codes.request_code(db.session, EMAIL, BOOKING, now + timedelta(seconds=20))
    assert error.value.retry_after == 40 and error.value.status == 429
    # Another purpose or address is not affected.
    codes.request_code(db.session, EMAIL, CodePurpose.SIGN_IN, now + timedelta(seconds=20))
    codes.request_code(db.session, "dan@example.org", BOOKING, now + timedelta(seconds=20))
    # After the minute, a new code; at most six an hour.
    for minute in range(1, 6):
        codes.request_code(db.session, EMAIL, BOOKING, now + timedelta(minutes=minute))
    with pytest.raises(codes.CodeThrottled):
        codes.request_code(db.session, EMAIL, BOOKING, now + timedelta(minutes=7))
    codes.request_code(db.session, EMAIL, BOOKING, now + timedelta(minutes=61))


def test_a_mail_failure_is_reported_and_not_throttled(app, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(codes, "_send", refuse)
    now = utcnow()
    with pytest.raises(codes.CodeNotSent) as error:
        codes.request_code(db.session, EMAIL, BOOKING, now)
    assert error.value.status == 503
    assert db.session.scalars(select(OneTimeCode)).all() == []
    monkeypatch.undo()
    codes.request_code(db.session, EMAIL, BOOKING, now + timedelta(seconds=1))


def test_mail_failure_in_the_page(app, client, shop, monkeypatch):
    monkeypatch.setattr(codes, "_send", lambda *a: (_ for _ in ()).throw(OSError("down")))
    asked = client.post("/my/code", data={"email": EMAIL})
    assert asked.status_code == 503
    assert "We could not send the email just now" in text(asked)


class TestRateLimits:
    @pytest.fixture
    def config_overrides(self):
        return {"RATELIMIT_ENABLED": True}

    def test_code_requests_are_limited_per_address(self, app, client, shop):
        statuses = []
        for _ in range(11):
            statuses.append(client.post("/my/code", data={"email": "Flood@example.org"}).status_code)
        assert statuses[:10] == [200] * 10 and statuses[10] == 429
        # Another address from the same client still works (the per-IP limit is higher).
        assert client.post("/my/code", data={"email": "calm@example.org"}).status_code == 200

    def test_code_checks_are_limited_per_address(self, app, client, shop):
        statuses = [
            client.post("/my/verify", data={"email": EMAIL, "code": "123456"}).status_code
            for _ in range(21)
        ]
        assert set(statuses[:20]) == {422} and statuses[20] == 429


class TestCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_posts_need_the_token(self, app, client, shop):
        refused = client.post("/my/code", data={"email": EMAIL})
        assert refused.status_code == 400
        page = client.get("/my")
        token = hidden(page, "csrf_token")
        assert client.post("/my/code", data={"email": EMAIL, "csrf_token": token}).status_code == 200
        # The picker's slot form carries the token too.
        day = client.get(f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC", headers={"HX-Request": "true"})
        assert 'name="csrf_token"' in day.get_data(as_text=True)
        assert client.post("/book/consult/hold", data={"start": "x"}).status_code == 400
