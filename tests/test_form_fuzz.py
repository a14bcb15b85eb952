"""A small fuzz of the main page forms: whatever a visitor types, no page answers 5xx.

Each form's fields get strings from Hypothesis, mixed with the values that used to
overflow (far dates, huge durations, odd offsets). The test app runs without CSRF
(tests/conftest.py), signed in where the form needs it. Bounded to 200 posts in all.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import Role
from portal.notifications.defaults import add_default_templates
from tests import factories
from tests.conftest import make_user, sign_in

TRICKY = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "24:00",
    "24:01",
    "99:99",
    "9:5",
    "0001-01-01",
    "1899-12-31",
    "2201-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-12:00",
    "P1000000000D",
    "PT99999999999H",
    "../../etc/passwd",
    "Europe/Berlin",
    "Moon/Base",
    "en-GB",
    "xx_YY",
    "a@x.test",
    "name@example.com",
    "#zzzzzz",
    "<script>",
    "\x00",
    "é" * 300,
]
# Printable and not, but encodable as UTF-8 (no lone surrogates).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
VALUE = st.one_of(st.sampled_from(TRICKY), TEXT)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def form_of(*names: str):
    return st.fixed_dictionaries({name: VALUE for name in names})


def no_server_error(response, data) -> None:
    assert response.status_code < 500, (response.status_code, data)


@pytest.fixture
def site(app):
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(9 * 60, 17 * 60)])
    service = factories.service([alice], slug="consult", duration_minutes=30)
    add_default_templates(service)
    db.session.commit()
    make_user("ada@example.com", Role.ADMIN, name="Ada Admin")
    return service, alice


@pytest.fixture
def admin_client(app, site):
    client = app.test_client()
    assert sign_in(client, "ada@example.com").status_code == 302
    return client


@SETTINGS
@given(data=form_of("email", "password", "next"))
def test_sign_in(app, site, data):
    no_server_error(app.test_client().post("/login", data=data), data)


@SETTINGS
@given(data=form_of("start", "timezone", "agent"))
def test_booking_hold(app, site, data):
    no_server_error(app.test_client().post("/book/consult/hold", data=data), data)


@pytest.fixture
def held(app, site):
    """A visitor holding a slot, and the signed draft the details form carries."""
    client = app.test_client()
    day = date.today() + timedelta(days=7)
    picker = client.get(f"/book/consult/day/{day.isoformat()}").get_data(as_text=True)
    starts = re.findall(r'name="start" value="([^"]+)"', picker)
    assert starts, "no free slot to hold"
    answer = client.post(
        "/book/consult/hold", data={"start": starts[0], "timezone": "UTC", "agent": "any"}
    )
    assert answer.status_code == 303
    page = client.get(answer.location).get_data(as_text=True)
    return client, unescape(re.search(r'name="h"[^>]*value="([^"]*)"', page).group(1))


@SETTINGS
@given(data=form_of("first_name", "last_name", "email", "phone", "notes"))
def test_booking_details(held, data):
    client, draft = held
    no_server_error(client.post("/book/consult/confirm", data={"h": draft} | data), data)


@SETTINGS
@given(
    data=form_of("from_date", "to_date", "from_time", "to_time", "reason_text", "color"),
    kind=st.sampled_from(["once", "weekly", "", "x"]),
    days=st.lists(st.sampled_from(["1", "3", "7", "8", "x"]), max_size=3),
)
def test_time_off(admin_client, site, data, kind, days):
    _, alice = site
    form = data | {"kind": kind, "days_of_week": days, "agents": [str(alice.id)], "block_time": "y"}
    no_server_error(admin_client.post("/agent/time-off/new", data=form), form)


@SETTINGS
@given(data=form_of("name", "type", "dow", "time_from", "time_to"))
def test_office_hours(admin_client, data):
    no_server_error(admin_client.post("/admin/office-hours", data=data), data)


@SETTINGS
@given(
    data=form_of(
        "name",
        "slug",
        "duration",
        "buffer_before",
        "buffer_after",
        "minimum_notice",
        "slot_interval",
        "horizon_days",
        "capacity",
        "timezone",
        "locale",
        "color",
    )
)
def test_service_form(admin_client, data):
    no_server_error(admin_client.post("/admin/services/new", data=data), data)


@SETTINGS
@given(data=form_of("name", "email", "role", "timezone", "locale", "password"))
def test_user_form(admin_client, data):
    no_server_error(admin_client.post("/admin/users/new", data=data), data)


@SETTINGS
@given(
    data=form_of("days-0-windows-0-start", "days-0-windows-0-end", "days-3-windows-1-end", "action")
)
def test_working_hours(admin_client, data):
    no_server_error(admin_client.post("/agent/hours", data=data), data)
