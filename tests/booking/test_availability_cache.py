"""The shared availability cache is exact: a change on one server shows on the next request
to another server that shares the database and the cache.

Server A is the test's app (its session makes the changes, as a request there would);
server B is a second ``create_app`` on the same database and the same cache directory
(``FileSystemCache``: an in-process cache cannot be shared), or the same Redis
with the same key prefix. After every kind of change
that can alter availability, B's slot list, month grid and day partial equal what an
uncached computation gives, and differ from what B showed before.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, update

from portal import create_app
from portal.booking.versions import replace_tokens
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    DayOfWeek,
    OfficeHours,
    OfficeHoursType,
    Participant,
    ParticipantType,
    ServiceTimeSlot,
    SlotHold,
    TimeException,
    WorkingHours,
    utcnow,
)
from tests import factories
from tests.booking.web_support import Shop, shop, slot_values  # noqa: F401
from tests.conftest import base_test_config

HX = {"HX-Request": "true"}
pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock
# CI and the development set-up run Redis here; TEST_REDIS_URL points the tests elsewhere.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def store(request) -> str:
    """Where both servers keep the cache: a shared folder, or Redis (``indirect`` parameter)."""
    return getattr(request, "param", "files")


@pytest.fixture
def config_overrides(tmp_path: Path, store: str):
    if store == "files":
        yield {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(tmp_path / "cache")}
        return
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"These tests need Redis at {REDIS_URL} (set TEST_REDIS_URL): {error}")
    # A prefix of its own per test: tests never see each other's entries.
    prefix = f"portal-test-{uuid.uuid4().hex}:"
    yield {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def server_b(app: Flask, tmp_path: Path):
    # Same database, same cache (same prefix), another app: another server.
    config = base_test_config(tmp_path) | {
        key: value for key, value in app.config.items() if key.startswith("CACHE_")
    }
    other = create_app(config, instance_path=str(tmp_path / "instance-b"))
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def seen(app: Flask, shop: Shop) -> dict:
    """What a visitor of ``app`` sees: the API's slot list, the month grid, the day's times."""
    client = app.test_client()
    first, last = shop.day, shop.day + timedelta(days=6)
    api = client.get(f"/api/services/{shop.service.id}/slots?from={first}&to={last}&timezone=UTC")
    assert api.status_code == 200
    month = client.get(f"/book/consult?timezone=UTC&month={shop.day:%Y-%m}")
    day = client.get(f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC", headers=HX)
    return {
        "slots": api.get_json(),
        "free days": re.findall(r'data-day="([^"]+)"', month.get_data(as_text=True)),
        "month's day times": slot_values(month),
        "day times": slot_values(day),
    }


def uncached(app: Flask, shop: Shop) -> dict:
    app.config["AVAILABILITY_CACHE_ENABLED"] = False
    try:
        return seen(app, shop)
    finally:
        app.config["AVAILABILITY_CACHE_ENABLED"] = True


def appointment(shop: Shop, hour: int = 10) -> Appointment:
    return factories.appointment(shop.service, shop.alice, shop.at(hour))


def hold(shop: Shop, hour: int = 11) -> SlotHold:
    item = SlotHold(
        service_id=shop.service.id,
        agent_id=shop.alice.id,
        start_at=shop.at(hour),
        end_at=shop.at(hour, 30),
        email="hold@example.org",
        expires_at=utcnow() + timedelta(minutes=10),
    )
    db.session.add(item)
    db.session.commit()
    return item


def _cancel(shop: Shop, item: Appointment) -> None:
    item.status = AppointmentStatus.CANCELLED
    item.cancellation_reason = "Plans changed"


def _reschedule(shop: Shop, item: Appointment) -> None:
    item.start_at, item.end_at = shop.at(14), shop.at(14, 30)


def _reassign(shop: Shop, item: Appointment) -> None:
    item.organizer_id = shop.bob.id
    organizer = next(p for p in item.participants if p.is_organizer)
    organizer.user_id = shop.bob.id


def _add_participant(shop: Shop, item: Appointment) -> None:
    item.participants.append(
        Participant(type=ParticipantType.AGENT, user_id=shop.bob.id, first_name="Bob")
    )


def _release(shop: Shop, item: SlotHold) -> None:
    # As portal.booking.holds releases: one bulk UPDATE, no instances.
    db.session.execute(
        update(SlotHold)
        .where(SlotHold.email == "hold@example.org", SlotHold.expires_at > utcnow())
        .values(expires_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _working_hours(shop: Shop, _item) -> None:
    # As portal.schedules.working_hours saves a week: bulk DELETE, then the new rows.
    db.session.execute(delete(WorkingHours).where(WorkingHours.agent_id == shop.alice.id))
    db.session.add(
        WorkingHours(
            agent_id=shop.alice.id,
            day_of_week=shop.day.isoweekday(),
            start_minute=12 * 60,
            end_minute=13 * 60,
        )
    )


def _time_off(shop: Shop, _item) -> None:
    db.session.add(
        TimeException(from_date=shop.day, to_date=shop.day, agents=[shop.alice, shop.bob])
    )


def _time_off_ends(shop: Shop, item: TimeException) -> None:
    db.session.delete(item)


def _office_hours(shop: Shop, _item) -> None:
    dow = [d for d in DayOfWeek if d.iso == shop.day.isoweekday()][0]
    db.session.add(
        OfficeHours(
            name="Lunch",
            type=OfficeHoursType.LUNCHTIME,
            dow=dow,
            time_from=12 * 3600,
            time_to=13 * 3600,
        )
    )


def _service_settings(shop: Shop, _item) -> None:
    shop.service.duration_minutes = 60


def _agent_leaves_service(shop: Shop, _item) -> None:
    shop.service.agents = [shop.bob]


def _agent_inactive(shop: Shop, _item) -> None:
    shop.alice.active = False


def _time_slots(shop: Shop, _item) -> None:
    db.session.add(
        ServiceTimeSlot(
            service_id=shop.service.id,
            day_of_week=shop.day.isoweekday(),
            from_minute=9 * 60,
            to_minute=11 * 60,
        )
    )


def _time_off_setup(shop: Shop) -> TimeException:
    item = TimeException(from_date=shop.day, to_date=shop.day, agents=[shop.alice, shop.bob])
    db.session.add(item)
    db.session.commit()
    return item


def _nothing(shop: Shop) -> None:
    return None


CHANGES: dict[str, tuple[Callable, Callable]] = {
    "booking": (_nothing, lambda shop, _: appointment(shop)),
    "hold": (_nothing, lambda shop, _: hold(shop)),
    "release": (hold, _release),
    "cancel": (appointment, _cancel),
    "reschedule": (appointment, _reschedule),
    "reassign": (appointment, _reassign),
    "participants": (appointment, _add_participant),
    "working hours": (_nothing, _working_hours),
    "time off": (_nothing, _time_off),
    "time off removed": (_time_off_setup, _time_off_ends),
    "office hours": (_nothing, _office_hours),
    "service settings": (_nothing, _service_settings),
    "service agents": (_nothing, _agent_leaves_service),
    "agent deactivated": (_nothing, _agent_inactive),
    "time slots": (_nothing, _time_slots),
}


@pytest.mark.parametrize("store", ["files", "redis"], indirect=True)
@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_change_on_one_server_shows_on_the_next_request_to_another(
    app, shop, server_b, kind, store
):
    setup, change = CHANGES[kind]
    item = setup(shop)
    before = seen(server_b, shop)
    assert before == seen(server_b, shop) == seen(app, shop)  # now answered from the cache

    change(shop, item)
    db.session.commit()

    after = seen(server_b, shop)
    assert after != before
    assert after == uncached(app, shop)
    assert seen(app, shop) == after


@pytest.mark.parametrize("store", ["files", "redis"], indirect=True)
def test_answers_are_cached_and_a_writer_outside_the_orm_replaces_tokens(
    app, shop, server_b, store
):
    before = seen(server_b, shop)
    # A write that bypasses the ORM session (raw SQL) is not seen by the listener...
    with db.engine.begin() as connection:
        connection.execute(
            update(WorkingHours.__table__)
            .where(WorkingHours.__table__.c.agent_id.in_([shop.alice.id, shop.bob.id]))
            .values(start_minute=15 * 60)
        )
    db.session.rollback()
    assert seen(server_b, shop) == before  # ...so the cache still answers: it is in use
    # ...until the writer replaces the tokens of what it changed, as it must.
    replace_tokens(db.session, [shop.alice.id, shop.bob.id])
    db.session.commit()
    after = seen(server_b, shop)
    assert after != before and after == uncached(app, shop)


def test_an_unrelated_change_keeps_the_answers(app, shop, server_b):
    before = seen(server_b, shop)
    other = factories.agent("carol@example.com", "Carol")
    factories.service([other], slug="other")
    factories.appointment(shop.service, other, shop.at(10))  # Carol does not serve consult
    shop.alice.locale = "de"  # not something availability reads
    db.session.commit()
    # Still the same answer; and still exact.
    assert seen(server_b, shop) == before == uncached(app, shop)


def test_time_alone_ends_an_answer_exactly_when_it_changes(app, shop, server_b, fixed_clock):
    item = hold(shop, 11)
    before = seen(server_b, shop)
    # The hold runs out: no write happens, yet the next answer counts it as free.
    fixed_clock.shift(item.expires_at - utcnow())
    after = seen(server_b, shop)
    assert after != before and after == uncached(app, shop)


def test_minimum_notice_moves_the_first_slot_out_at_its_instant(app, shop, server_b, fixed_clock):
    shop.service.minimum_notice_minutes = 0
    db.session.commit()
    first = seen(server_b, shop)["slots"][0]["start"]
    # One second before the first slot it is still offered; at its start it is gone.
    target = shop.at(9) - utcnow() - timedelta(seconds=1)
    fixed_clock.shift(target)
    assert seen(server_b, shop)["slots"][0]["start"] == first
    fixed_clock.shift(timedelta(seconds=1, microseconds=1))
    after = seen(server_b, shop)
    assert after["slots"][0]["start"] != first and after == uncached(app, shop)


def test_switched_off_it_computes_every_answer(app, shop):
    app.config["AVAILABILITY_CACHE_ENABLED"] = False
    before = seen(app, shop)
    with db.engine.begin() as connection:  # no tokens replaced
        connection.execute(
            delete(WorkingHours.__table__).where(
                WorkingHours.__table__.c.agent_id.in_([shop.alice.id, shop.bob.id])
            )
        )
    db.session.rollback()
    assert seen(app, shop) != before


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) | set(
        re.findall(r'"X-CSRFToken": "([^"]+)"', html)
    )


def test_an_anonymous_page_is_cached_whole_with_each_visitors_own_token(app, shop):
    path = f"/book/consult?timezone=UTC&month={shop.day:%Y-%m}"
    first, second = app.test_client(), app.test_client()
    page_one = first.get(path).get_data(as_text=True)
    # The layout is served from the cache now: a change to it (bypassing the
    # templates) would not show, and the cached body carries no one's token.
    page_two = second.get(path).get_data(as_text=True)
    one, two = _tokens(page_one), _tokens(page_two)
    assert len(one) == 1 and len(two) == 1 and one != two
    assert "__portal_csrf_token__" not in page_one + page_two
    assert page_one.replace(one.pop(), "T") == page_two.replace(two.pop(), "T")
    # Each visitor's token is their own session's: it holds a slot, another's is refused.
    app.config["WTF_CSRF_ENABLED"] = True
    page = second.get(path)
    start, token = slot_values(page)[0], _tokens(page.get_data(as_text=True)).pop()
    stranger = _tokens(first.get(path).get_data(as_text=True)).pop()
    form = {"start": start, "timezone": "UTC"}
    assert (
        second.post("/book/consult/hold", data=form | {"csrf_token": stranger}).status_code == 400
    )
    answer = second.post("/book/consult/hold", data=form | {"csrf_token": token})
    assert answer.status_code in (200, 302, 303)


def test_a_visitor_with_a_message_waiting_gets_the_layout_rendered_for_them(app, shop):
    path = f"/book/consult?timezone=UTC&month={shop.day:%Y-%m}"
    app.test_client().get(path)  # the anonymous whole page is cached
    visitor = app.test_client()
    with visitor.session_transaction() as session:
        session["_flashes"] = [("info", "A message for this visitor only")]
    page = visitor.get(path).get_data(as_text=True)
    assert "A message for this visitor only" in page
    assert "A message for this visitor only" not in app.test_client().get(path).get_data(
        as_text=True
    )


def test_an_anonymous_session_is_not_sent_again_on_every_page(app, shop):
    client = app.test_client()
    path = f"/book/consult?timezone=UTC&month={shop.day:%Y-%m}"
    assert "session=" in (client.get(path).headers.get("Set-Cookie") or "")
    again = client.get(path)
    assert again.headers.get_all("Set-Cookie") == []


def test_an_answer_is_served_no_longer_than_the_cache_keeps_it(app, shop, server_b, fixed_clock):
    server_b.config["AVAILABILITY_CACHE_SECONDS"] = 60
    # Off the grid: on a whole hour the first offered time would leave (its notice) within
    # the minute below, and time alone would change the answers.
    fixed_clock.shift(timedelta(seconds=1))
    booked = appointment(shop, 10)
    db.session.commit()
    before = seen(server_b, shop)
    with db.engine.begin() as connection:  # a writer that forgot the tokens...
        connection.execute(delete(Appointment.__table__).where(Appointment.id == booked.id))
    db.session.rollback()
    fixed_clock.shift(timedelta(seconds=59))
    assert seen(server_b, shop) == before  # ...is not seen while the answers are kept...
    fixed_clock.shift(timedelta(seconds=1))
    # ...and no longer once they have been kept that long, the process's own copy included.
    after = seen(server_b, shop)
    assert after != before and after == uncached(app, shop)


def test_a_process_answers_again_from_its_own_copy(app, shop, monkeypatch):
    from portal import availability_cache

    asked: list[str] = []
    store_get = availability_cache.cache.get
    monkeypatch.setattr(
        availability_cache.cache, "get", lambda name: asked.append(name) or store_get(name)
    )
    client = app.test_client()
    path = f"/book/consult?timezone=UTC&month={shop.day:%Y-%m}"
    first = client.get(path).get_data(as_text=True)
    assert len(asked) == 1  # the first answer was looked for in the store, then computed
    again = client.get(path).get_data(as_text=True)
    assert len(asked) == 1 and _tokens(first) == _tokens(again)
    assert first == again
