"""One-time codes (portal.codes): hashing, expiry, tries, throttling, mail, limits.

The domain functions are called directly here; ``db.session.commit()`` stands
where a request would have ended.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import code_routes, codes
from portal.codes import CodeSettings
from portal.extensions import db
from portal.models import CodePurpose, OneTimeCode, utcnow
from tests.booking.web_support import hidden, outbox, shop, text  # noqa: F401

EMAIL = "cora@example.org"
BOOKING = CodePurpose.BOOKING


@pytest.fixture
def settings(app) -> CodeSettings:
    return CodeSettings.from_config(app.config)


def issue(settings, email, purpose, now) -> str:
    code = codes.issue_code(db.session, settings, email, purpose, now)
    db.session.commit()
    return code


def verify(settings, email, purpose, code, now) -> None:
    """A request that checks a code: it commits when the code is right, else rolls back."""
    try:
        codes.verify_code(db.session, settings, email, purpose, code, now)
    except codes.CodeError:
        db.session.rollback()
        raise
    db.session.commit()


def send(settings, email, purpose, now) -> None:
    try:
        code_routes.send_code(db.session, email, purpose, now)
    except codes.CodeError:
        db.session.rollback()
        raise
    db.session.commit()


def test_a_code_is_stored_hashed_and_works_once(app, settings):
    now = utcnow()
    code = issue(settings, "Cora@Example.org", BOOKING, now)
    assert re.fullmatch(r"\d{6}", code)
    row = db.session.scalars(select(OneTimeCode)).one()
    assert row.email == EMAIL and code not in row.code_hash
    assert row.code_hash.startswith("hmac-sha256$")
    assert row.expires_at == now + timedelta(minutes=10)
    verify(settings, EMAIL, BOOKING, f" {code[:3]} {code[3:]} ", now)
    with pytest.raises(codes.CodeExpired):
        verify(settings, EMAIL, BOOKING, code, now)


def test_wrong_codes_count_down_to_too_many(app, settings):
    now = utcnow()
    code = issue(settings, EMAIL, BOOKING, now)
    wrong = "000000" if code != "000000" else "111111"
    remaining = []
    for _ in range(4):
        with pytest.raises(codes.WrongCode) as error:
            verify(settings, EMAIL, BOOKING, wrong, now)
        remaining.append(error.value.remaining)
    assert remaining == [4, 3, 2, 1]
    with pytest.raises(codes.TooManyAttempts):
        verify(settings, EMAIL, BOOKING, wrong, now)
    with pytest.raises(codes.TooManyAttempts):
        verify(settings, EMAIL, BOOKING, code, now)
    assert db.session.scalars(select(OneTimeCode.attempts)).one() == 5


def test_the_right_code_on_the_last_try_works(app, settings):
    now = utcnow()
    code = issue(settings, EMAIL, BOOKING, now)
    for _ in range(4):
        with pytest.raises(codes.WrongCode):
            verify(settings, EMAIL, BOOKING, "abcdef", now)
    verify(settings, EMAIL, BOOKING, code, now)


def test_a_right_code_in_a_failed_request_stays_usable_but_the_try_counts(app, settings):
    now = utcnow()
    code = issue(settings, EMAIL, BOOKING, now)
    codes.verify_code(db.session, settings, EMAIL, BOOKING, code, now)
    db.session.rollback()  # the rest of the request failed (the slot was taken meanwhile)
    row = db.session.scalars(select(OneTimeCode)).one()
    assert row.attempts == 1 and row.used_at is None
    verify(settings, EMAIL, BOOKING, code, now)


def test_codes_are_checked_before_the_request_writes(app, settings):
    now = utcnow()
    code = issue(settings, EMAIL, BOOKING, now)
    db.session.add(
        OneTimeCode(email="x@example.org", purpose=BOOKING, code_hash="", expires_at=now)
    )
    with pytest.raises(RuntimeError):
        codes.verify_code(db.session, settings, EMAIL, BOOKING, code, now)
    db.session.rollback()


def test_expiry_purpose_and_newest_code(app, settings):
    now = utcnow()
    first = issue(settings, EMAIL, BOOKING, now)
    second = issue(settings, EMAIL, BOOKING, now + timedelta(seconds=1))
    if first != second:
        with pytest.raises(codes.WrongCode):
            verify(settings, EMAIL, BOOKING, first, now)
    with pytest.raises(codes.CodeExpired):
        verify(settings, EMAIL, CodePurpose.SIGN_IN, second, now)
    with pytest.raises(codes.CodeExpired) as expired:
        verify(settings, EMAIL, BOOKING, second, now + timedelta(minutes=10, seconds=2))
    assert "within 10 minutes" in expired.value.message
    with pytest.raises(codes.CodeExpired):
        verify(settings, "other@example.org", BOOKING, second, now)


def test_the_lifetime_and_tries_come_from_the_configuration(app):
    app.config.update(ONE_TIME_CODE_MINUTES=90, ONE_TIME_CODE_MAX_ATTEMPTS=2)
    settings = CodeSettings.from_config(app.config)
    assert settings.lifetime_text == "90 minutes"
    assert CodeSettings("k", lifetime=timedelta(hours=1)).lifetime_text == "1 hour"
    now = utcnow()
    send(settings, EMAIL, BOOKING, now)
    (mail,) = outbox(app)[-1:]
    assert "It works for 90 minutes." in mail.body and "10 minutes" not in mail.body
    row = db.session.scalars(select(OneTimeCode)).one()
    assert row.expires_at == now + timedelta(minutes=90)
    with pytest.raises(codes.WrongCode) as error:
        verify(settings, EMAIL, BOOKING, "abcdef", now)
    assert error.value.remaining == 1
    with pytest.raises(codes.CodeExpired) as expired:
        verify(settings, EMAIL, BOOKING, "abcdef", now + timedelta(minutes=91))
    assert "within 90 minutes" in expired.value.message


def test_request_code_sends_mail_and_throttles(app, settings):
    now = utcnow()
    send(settings, EMAIL, BOOKING, now)
    (mail,) = outbox(app)[-1:]
    code = re.search(r"\b(\d{6})\b", mail.body).group(1)
    assert mail.to == [EMAIL] and code in mail.subject and "10 minutes" in mail.body
    with pytest.raises(codes.CodeThrottled) as error:
        send(settings, EMAIL, BOOKING, now + timedelta(seconds=20))
    assert error.value.retry_after == 40 and error.value.status == 429
    # Another purpose or address is not affected.
    send(settings, EMAIL, CodePurpose.SIGN_IN, now + timedelta(seconds=20))
    send(settings, "dan@example.org", BOOKING, now + timedelta(seconds=20))
    # After the minute, a new code; at most six an hour.
    for minute in range(1, 6):
        send(settings, EMAIL, BOOKING, now + timedelta(minutes=minute))
    with pytest.raises(codes.CodeThrottled):
        send(settings, EMAIL, BOOKING, now + timedelta(minutes=7))
    send(settings, EMAIL, BOOKING, now + timedelta(minutes=61))


def test_a_mail_failure_is_reported_and_not_throttled(app, settings, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    now = utcnow()
    earlier = issue(settings, EMAIL, BOOKING, now - timedelta(minutes=2))
    monkeypatch.setattr(code_routes, "send_code_mail", refuse)
    with pytest.raises(codes.CodeNotSent) as error:
        code_routes.send_code(db.session, EMAIL, BOOKING, now)
    assert error.value.status == 503
    # Even before the request rolls back, the unsent code is gone and the earlier one works.
    assert len(db.session.scalars(select(OneTimeCode)).all()) == 1
    db.session.commit()
    verify(settings, EMAIL, BOOKING, earlier, now)
    monkeypatch.undo()
    send(settings, EMAIL, BOOKING, now + timedelta(seconds=1))


def test_mail_failure_in_the_page(app, client, shop, monkeypatch):
    def refuse(*args):
        raise OSError("down")

    monkeypatch.setattr(code_routes, "send_code_mail", refuse)
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
            statuses.append(
                client.post("/my/code", data={"email": "Flood@example.org"}).status_code
            )
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
        assert (
            client.post("/my/code", data={"email": EMAIL, "csrf_token": token}).status_code == 200
        )
        # The picker's slot form carries the token too.
        day = client.get(
            f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC", headers={"HX-Request": "true"}
        )
        assert 'name="csrf_token"' in day.get_data(as_text=True)
        assert client.post("/book/consult/hold", data={"start": "x"}).status_code == 400
