"""The staff pages name days and dates in the viewer's language (Babel), not in English literals.

These hold without any catalog: weekday and month names come from CLDR through Babel.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, UTC

import pytest

from portal.extensions import db
from portal.models import TimeException
from tests import factories
from tests.clock import TODAY
from tests.conftest import sign_in


@pytest.fixture
def greta(app):
    user = factories.agent("greta@example.com", "Greta", "Europe/Berlin")
    user.locale = "de"
    db.session.commit()
    return user


def test_the_hours_editor_names_the_days_in_the_viewers_language(client, greta):
    sign_in(client, "greta@example.com")
    html = client.get("/agent/hours").get_data(as_text=True)
    assert "Montag" in html and "Sonntag" in html
    assert "Monday" not in html and "Sunday" not in html


def test_a_weekly_time_off_lists_its_days_in_the_viewers_language(client, greta):
    item = TimeException(
        from_date=TODAY, to_date=TODAY + timedelta(days=30), days_of_week=[1, 3], block_time=True
    )
    item.agents = [greta]
    db.session.add(item)
    db.session.commit()
    sign_in(client, "greta@example.com")
    html = client.get("/agent/time-off").get_data(as_text=True)
    assert "Mo., Mi." in html and not re.search(r"\bMon\b", html)


@pytest.mark.parametrize(
    ("locale", "heading"),
    [("en", "Thursday, May 14"), ("de", "Donnerstag, 14. Mai"), ("fr", "jeudi 14 mai")],
)
def test_upcoming_days_are_written_in_the_order_of_the_viewers_language(
    client, greta, locale, heading
):
    greta.locale = locale
    service = factories.service([greta], timezone="Europe/Berlin")
    start = datetime.combine(TODAY.replace(year=TODAY.year + 1, month=5, day=14), time(8), UTC)
    while start.weekday() != 3:  # a Thursday, May 14
        start = start.replace(year=start.year + 1)
    factories.appointment(service, greta, start)
    db.session.commit()
    sign_in(client, "greta@example.com")
    html = client.get("/agent/").get_data(as_text=True)
    assert heading in html
