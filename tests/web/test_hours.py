"""/agent/hours: the weekly editor, its validation and who may edit whose hours."""

from __future__ import annotations

import re

import pytest
from flask import g

from portal.extensions import db
from portal.models import Role
from portal.schedules import working_hours as hours
from tests import factories
from tests.conftest import make_user, sign_in

W = hours.Window


@pytest.fixture
def alice(app):
    user = factories.agent("alice@example.com", "Alice", "Europe/Berlin")
    factories.weekly_hours(user, [(9 * 60, 12 * 60), (13 * 60, 17 * 60)], days=[1])
    return user


def version(html: str) -> str:
    return re.search(r'name="version" type="hidden" value="([^"]*)"', html).group(1)


def value_of(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def errors(html: str) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', html)


def week_form(
    html: str, windows: dict[int, list[tuple[str, str]]], action: str = "save", **extra
) -> dict:
    data = {"version": version(html), "action": action, "copy_from": "1"}
    for day, rows in windows.items():
        for row, (start, end) in enumerate(rows):
            data[f"days-{day - 1}-windows-{row}-start"] = start
            data[f"days-{day - 1}-windows-{row}-end"] = end
    data.update(extra)
    return data


def test_the_editor_shows_the_week_and_the_time_zone(client, alice):
    sign_in(client, "alice@example.com")
    response = client.get("/agent/hours")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Europe/Berlin" in html
    # English (the default) has a 12-hour clock: the stored times are shown as typed there.
    assert 'value="9:00 AM"' in html and 'value="12:00 PM"' in html and 'value="1:00 PM"' in html
    assert ">Sunday<" in html
    assert 'href="/agent/hours"' in html  # the navigation link


def test_save_several_windows_a_day(client, alice):
    sign_in(client, "alice@example.com")
    html = client.get("/agent/hours").get_data(as_text=True)
    response = client.post(
        "/agent/hours",
        data=week_form(
            html, {1: [("08:00", "10:00"), ("", ""), ("10:30", "12:00")], 3: [("14:00", "24:00")]}
        ),
    )
    assert response.status_code == 303
    assert hours.get_week(db.session, alice.id) == [W(1, 480, 600), W(1, 630, 720), W(3, 840, 1440)]
    assert "Working hours saved" in client.get("/agent/hours").get_data(as_text=True)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("12:00", "09:00")], "the start must come before the end"),
        ([("09:00", "12:00"), ("11:00", "13:00")], "11:00–13:00 overlaps 09:00–12:00"),
        ([("9h", "12:00")], "Enter a time as HH:MM"),
        ([("09:00", "")], "Enter both times"),
        ([("09:00", "24:30")], "Enter a time as HH:MM"),
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(client, alice, rows, message):
    sign_in(client, "alice@example.com")
    before = hours.get_week(db.session, alice.id)
    html = client.get("/agent/hours").get_data(as_text=True)
    response = client.post("/agent/hours", data=week_form(html, {2: rows}))
    assert response.status_code == 422
    assert any(message in error for error in errors(response.get_data(as_text=True)))
    assert hours.get_week(db.session, alice.id) == before


def test_a_stale_form_is_refused_with_the_current_week(client, alice):
    sign_in(client, "alice@example.com")
    html = client.get("/agent/hours").get_data(as_text=True)
    hours.replace_week(db.session, alice.id, [W(5, 600, 660)])  # another tab saves first
    db.session.commit()
    response = client.post("/agent/hours", data=week_form(html, {1: [("08:00", "09:00")]}))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed meanwhile" in page
    assert 'value="10:00 AM"' in page and 'value="11:00 AM"' in page  # the week as saved now
    assert hours.get_week(db.session, alice.id) == [W(5, 600, 660)]


def test_add_a_row_and_copy_a_day_without_saving(client, alice):
    sign_in(client, "alice@example.com")
    html = client.get("/agent/hours").get_data(as_text=True)
    monday = [("09:00", "12:00"), ("13:00", "17:00")]
    added = client.post("/agent/hours", data=week_form(html, {1: monday}, action="add-1")).get_data(
        as_text=True
    )
    assert 'name="days-0-windows-2-start"' in added
    copied = client.post(
        "/agent/hours", data=week_form(html, {1: monday}, action="copy", copy_to=["2", "5"])
    )
    page = copied.get_data(as_text=True)
    assert copied.status_code == 200
    assert "Copied Monday to Tuesday, Friday" in page
    assert value_of(page, "days-1-windows-1-start") == "1:00 PM"  # as the viewer reads it
    assert value_of(page, "days-4-windows-0-end") == "12:00 PM"
    assert hours.get_week(db.session, alice.id) == [
        W(1, 540, 720),
        W(1, 780, 1020),
    ]  # not saved yet
    saved = client.post("/agent/hours", data=week_form(page, {1: monday, 2: monday, 5: monday}))
    assert saved.status_code == 303
    assert len(hours.get_week(db.session, alice.id)) == 6


def test_remove_a_row(client, alice):
    sign_in(client, "alice@example.com")
    html = client.get("/agent/hours").get_data(as_text=True)
    page = client.post(
        "/agent/hours",
        data=week_form(html, {1: [("09:00", "12:00"), ("13:00", "17:00")]}, action="remove-1-0"),
    ).get_data(as_text=True)
    assert 'value="09:00"' not in page and 'value="13:00"' in page


def test_htmx_gets_the_editor_partial(client, alice):
    sign_in(client, "alice@example.com")
    response = client.get("/agent/hours", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="hours-editor"')
    assert "<html" not in html and "HX-Request" in response.headers["Vary"]
    full = client.get("/agent/hours").get_data(as_text=True)
    saved = client.post(
        "/agent/hours",
        data=week_form(full, {1: [("10:00", "11:00")]}),
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "Working hours saved" in saved.get_data(as_text=True)


def test_an_agent_cannot_see_or_change_another_agents_hours(client, alice):
    factories.agent("bob@example.com", "Bob")
    sign_in(client, "bob@example.com")
    assert client.get(f"/agent/hours?agent={alice.id}").status_code == 404
    assert client.get("/agent/hours?agent=not-a-uuid").status_code == 404
    html = client.get("/agent/hours").get_data(as_text=True)
    response = client.post(
        f"/agent/hours?agent={alice.id}", data=week_form(html, {1: [("01:00", "02:00")]})
    )
    assert response.status_code == 404
    assert hours.get_week(db.session, alice.id) == [W(1, 540, 720), W(1, 780, 1020)]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_a_supervisor_or_admin_edits_any_agents_hours(client, alice, role):
    make_user("boss@example.com", role, name="Boss")
    sign_in(client, "boss@example.com")
    html = client.get(f"/agent/hours?agent={alice.id}").get_data(as_text=True)
    assert "Working hours · Alice" in html and "Europe/Berlin" in html
    assert 'id="agent-picker"' in html
    response = client.post(
        f"/agent/hours?agent={alice.id}", data=week_form(html, {7: [("10:00", "14:00")]})
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"?agent={alice.id}"
    )
    assert hours.get_week(db.session, alice.id) == [W(7, 600, 840)]


def test_a_supervisor_naming_an_unknown_agent_gets_404(client, alice):
    make_user("boss@example.com", Role.SUPERVISOR, name="Boss")
    sign_in(client, "boss@example.com")
    assert client.get("/agent/hours?agent=00000000-0000-0000-0000-000000000000").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, alice):
    response = client.get("/agent/hours")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_csrf_is_required(client, alice, config_overrides):
    sign_in_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', sign_in_page).group(1)
    client.post(
        "/login",
        data={"email": "alice@example.com", "password": "correct horse", "csrf_token": token},
    )
    g.pop("csrf_token", None)  # Flask-WTF caches the token in the (long-lived test) ``g``
    html = client.get("/agent/hours").get_data(as_text=True)
    response = client.post("/agent/hours", data=week_form(html, {1: [("01:00", "02:00")]}))
    assert response.status_code == 400
    assert hours.get_week(db.session, alice.id) == [W(1, 540, 720), W(1, 780, 1020)]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    ok = client.post(
        "/agent/hours", data=week_form(html, {1: [("01:00", "02:00")]}, csrf_token=token)
    )
    assert ok.status_code == 303


@pytest.mark.parametrize(
    "locale, shown, hint",
    [
        ("en_US", "9:00 AM", "9:00 AM or 5:30 PM"),
        ("en_GB", "09:00", "09:00 or 17:30"),
        ("de", "09:00", "09:00"),
    ],
)
def test_times_are_shown_and_hinted_in_the_viewers_hour_cycle(client, alice, locale, shown, hint):
    """Issue 16: a 12-hour locale sees and types "9:00 AM", a 24-hour one "09:00"."""
    alice.locale = locale
    db.session.commit()
    sign_in(client, "alice@example.com")
    html = client.get("/agent/hours").get_data(as_text=True)
    assert f'value="{shown}"' in html and hint in html
    assert f'placeholder="{shown}"' in html


@pytest.mark.parametrize(
    "typed, minutes",
    [
        (("9am", "5:30 PM"), (540, 1050)),
        (("09:00", "21:00"), (540, 1260)),
        (("12 pm", "24:00"), (720, 1440)),
    ],
)
def test_both_clocks_are_read(client, alice, typed, minutes):
    sign_in(client, "alice@example.com")
    html = client.get("/agent/hours").get_data(as_text=True)
    response = client.post("/agent/hours", data=week_form(html, {2: [typed]}))
    assert response.status_code == 303, errors(response.get_data(as_text=True))
    assert W(2, *minutes) in hours.get_week(db.session, alice.id)
