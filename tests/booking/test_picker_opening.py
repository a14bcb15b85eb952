"""Issue 16: the booking page opens where the free times are, and says where the next ones are.

Without ``month`` / ``day`` it opens on the first month with a free day, that day chosen and
its times listed; "Next available" always names the earliest time; an empty month names the
next free day; the day's times are grouped Morning / Afternoon / Evening in the viewer's zone.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain

from portal.extensions import db
from portal.models import TimeException
from tests import factories
from tests.booking.web_support import shop, slot_values, text  # noqa: F401
from tests.clock import TODAY

pytestmark = pytest.mark.date_sensitive  # the data follows the test clock's day

ROOT = Path(__file__).resolve().parents[2]
HX = {"HX-Request": "true"}


def month_after(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s."""
    first = day.replace(day=1)
    for _ in range(months):
        first = (first + timedelta(days=32)).replace(day=1)
    return first


def away_until(shop, last_day: date) -> None:
    """Both agents off from today to ``last_day``: nothing is free before the day after."""
    db.session.add(
        TimeException(
            from_date=TODAY,
            to_date=last_day,
            agents=[shop.alice, shop.bob],
            reason_text="Away",
            reason_text_public="",
        )
    )
    shop.service.horizon_days = 120
    db.session.commit()


def read(response) -> str:
    """What a user reads, without the space a link's tag leaves before a full stop."""
    return text(response).replace(" .", ".")


def groups(response) -> list[tuple[str, list[str]]]:
    """(heading, slot starts) of each group of the day's times, in page order."""
    body = response.get_data(as_text=True)
    found = []
    for part in body.split('<div class="slots__group">')[1:]:
        heading = re.search(r'<h3 id="slots-\w+" class="slots__group-title">([^<]+)</h3>', part)
        found.append((heading.group(1), re.findall(r'name="start" value="([^"]+)"', part)))
    return found


def test_the_page_opens_on_the_first_free_day_with_its_times(client, shop):
    # Nothing free this month nor the next: the page skips both.
    first_free = month_after(TODAY, 2)
    away_until(shop, first_free - timedelta(days=1))

    page = client.get("/book/consult?timezone=UTC")

    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'<h2 id="month-title" class="month__title">{first_free:%B %Y}</h2>' in body
    day_url = f"/book/consult/day/{first_free.isoformat()}?timezone=UTC"
    assert re.search(rf'href="{re.escape(day_url)}"[^>]*aria-current="date"', body, re.S)
    starts = slot_values(page)  # listed in the page itself: no second request
    assert len(starts) == 16 and starts[0] == f"{first_free.isoformat()}T09:00:00Z"
    shortcut = re.search(r'<a id="next-available" href="([^"]+)">([^<]+)</a>', body)
    assert shortcut.group(1) == day_url.replace("&", "&amp;")
    assert (
        shortcut.group(2) == f"Next available: {first_free:%a, %b} {first_free.day}, 9:00\u202fAM"
    )


def test_explicit_parameters_still_choose_the_month(client, shop):
    page = client.get(f"/book/consult?timezone=UTC&month={month_after(TODAY, 1):%Y-%m}")
    assert f"{month_after(TODAY, 1):%B %Y}</h2>" in page.get_data(as_text=True)
    day = shop.day + timedelta(days=1)
    page = client.get(f"/book/consult?timezone=UTC&day={day.isoformat()}")
    assert slot_values(page)[0] == f"{day.isoformat()}T09:00:00Z"


def test_a_month_without_free_days_points_to_the_next_free_day(client, shop):
    first_free = month_after(TODAY, 2)
    away_until(shop, first_free - timedelta(days=1))

    page = client.get(f"/book/consult?timezone=UTC&month={TODAY:%Y-%m}")

    assert not slot_values(page)
    said = f"Nothing free in {TODAY:%B %Y}. Next free day: {first_free:%a, %b} {first_free.day}."
    assert said in read(page)
    day_url = f"/book/consult/day/{first_free.isoformat()}?timezone=UTC"
    assert f'<a id="next-free-day" href="{day_url}">' in page.get_data(as_text=True)
    assert 'id="next-available"' in page.get_data(as_text=True)


def test_a_month_with_free_days_tells_of_later_months(client, shop):
    following = month_after(TODAY, 1)
    page = client.get(f"/book/consult?timezone=UTC&month={TODAY:%Y-%m}")
    hint = f"More free days in {following:%B %Y}, from {following:%a, %b} {following.day}."
    assert hint in read(page)


def test_times_are_grouped_morning_afternoon_evening_in_the_viewers_zone(client, shop):
    for person in (shop.alice, shop.bob):
        factories.weekly_hours(person, [(17 * 60, 20 * 60)])  # 09:00-17:00 and 17:00-20:00
    url = f"/book/consult/day/{shop.day.isoformat()}"

    in_utc = groups(client.get(f"{url}?timezone=UTC", headers=HX))
    assert [heading for heading, _ in in_utc] == ["Morning", "Afternoon", "Evening"]
    morning, afternoon, evening = (starts for _, starts in in_utc)
    assert morning[0].endswith("T09:00:00Z") and morning[-1].endswith("T11:30:00Z")
    assert afternoon[0].endswith("T12:00:00Z") and afternoon[-1].endswith("T16:30:00Z")
    assert evening[0].endswith("T17:00:00Z") and evening[-1].endswith("T19:30:00Z")

    # Moscow (UTC+3 all year): the 09:00 UTC start is noon there, 14:00 UTC is 17:00.
    in_moscow = groups(client.get(f"{url}?timezone=Europe/Moscow", headers=HX))
    assert [heading for heading, _ in in_moscow] == ["Afternoon", "Evening"]
    (_, afternoon), (_, evening) = in_moscow
    assert afternoon[0].endswith("T09:00:00Z") and afternoon[-1].endswith("T13:30:00Z")
    assert evening[0].endswith("T14:00:00Z")


def test_a_day_with_only_afternoon_times_has_only_that_heading(client, shop):
    db.session.add(
        TimeException(
            from_date=shop.day,
            to_date=shop.day,
            from_minute=0,
            to_minute=12 * 60,
            agents=[shop.alice, shop.bob],
            reason_text="Morning off",
            reason_text_public="",
        )
    )
    db.session.commit()
    url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC"
    assert [heading for heading, _ in groups(client.get(url, headers=HX))] == ["Afternoon"]


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict:
    """The German catalog with the translation parts not merged into it yet (if any)."""
    with open(ROOT / "portal/translations/de/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle, locale="de")
    for part in sorted((ROOT / "i18n_parts").glob("*.de.po")):
        with open(part, "rb") as handle:
            for message in read_po(handle, locale="de"):
                if message.id:
                    catalog[message.id] = message
    folder = tmp_path / "translations" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return {"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")}


@pytest.fixture
def fresh_translations(app):
    """Flask-Babel keeps loaded catalogs per locale across apps: load this test's, then drop it."""
    cache = get_domain().cache
    cache.clear()
    yield
    cache.clear()


def test_the_headings_and_the_shortcut_read_in_german(client, shop, fresh_translations):
    for person in (shop.alice, shop.bob):
        factories.weekly_hours(person, [(17 * 60, 20 * 60)])
    page = client.get("/book/consult?timezone=UTC", headers={"Accept-Language": "de"})
    assert [heading for heading, _ in groups(page)] == ["Vormittag", "Nachmittag", "Abend"]
    assert "Nächster freier Termin:" in text(page)
