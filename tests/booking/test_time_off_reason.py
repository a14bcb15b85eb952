"""The public reason of a time off, shown to customers on a day that it closes (issue 18)."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import TimeException
from tests.booking.web_support import shop, slot_values, text  # noqa: F401

HX = {"HX-Request": "true"}
pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock


def time_off(shop, agents, public: str = "", private: str = "", **fields) -> TimeException:
    item = TimeException(
        from_date=shop.day,
        to_date=shop.day,
        agents=agents,
        reason_text=private,
        reason_text_public=public,
        **fields,
    )
    db.session.add(item)
    db.session.commit()
    return item


def day_view(client, shop, **headers):
    return client.get(f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC", headers=headers)


def test_a_closed_day_shows_the_public_reason(client, shop):
    time_off(shop, [shop.alice, shop.bob], public="Team training", private="Offsite in Lyon")
    for response in (day_view(client, shop, **HX), day_view(client, shop)):
        assert response.status_code == 200
        assert slot_values(response) == []
        shown = text(response)
        assert "Closed on this day: Team training." in shown
        assert "Offsite in Lyon" not in shown
    page = client.get(f"/book/consult?timezone=UTC&day={shop.day.isoformat()}")
    assert "Closed on this day: Team training." in text(page)


def test_no_reason_while_a_colleague_is_still_free(client, shop):
    time_off(shop, [shop.alice], public="Alice is away")
    response = day_view(client, shop, **HX)
    assert slot_values(response)
    assert "Alice is away" not in text(response)


def test_each_agents_reason_when_both_are_away(client, shop):
    time_off(shop, [shop.alice], public="Alice is away")
    time_off(shop, [shop.bob], public="Bob is at a fair")
    shown = text(day_view(client, shop, **HX))
    assert "Closed on this day:" in shown
    assert "Alice is away" in shown and "Bob is at a fair" in shown


def test_the_generic_sentence_without_a_public_reason_or_for_an_annotation(client, shop):
    time_off(shop, [shop.alice, shop.bob], private="Only for us")
    shown = text(day_view(client, shop, **HX))
    assert "Nothing is free on this day" in shown and "Only for us" not in shown


def test_an_annotation_closes_nothing_and_shows_nothing(client, shop):
    time_off(shop, [shop.alice, shop.bob], public="Birthday", block_time=False)
    response = day_view(client, shop, **HX)
    assert slot_values(response) and "Birthday" not in text(response)


def test_a_day_closed_anyway_does_not_blame_the_time_off(client, shop):
    """Without working hours that day the time off is not why it is closed."""
    from sqlalchemy import delete

    from portal.models import WorkingHours

    db.session.execute(delete(WorkingHours))
    db.session.commit()
    time_off(shop, [shop.alice, shop.bob], public="Team training")
    shown = text(day_view(client, shop, **HX))
    assert "Team training" not in shown and "Nothing is free on this day" in shown
