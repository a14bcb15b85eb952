"""Issue 17: a domain refusal reads in the booking's language on the manage page, while the API
keeps answering the same refusal in English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask

from tests import factories
from tests.booking.test_cutoffs import customer_bearer
from tests.booking.web_support import text

GERMAN_CONTACT = "Bitte kontaktieren Sie Alice Able, indem Sie auf Ihre Bestätigungs-E-Mail"
GERMAN_HEADERS = {"Accept-Language": "de"}


@pytest.fixture
def soon(app: Flask):
    """An appointment one hour from now; customers may cancel only until 24 h before."""
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(0, 24 * 60)])
    service = factories.service([alice], cancel_cutoff_minutes=24 * 60)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    return factories.appointment(service, alice, start)


@pytest.fixture
def booked_in_german(soon):
    """The same appointment, booked from a German browser."""
    soon.locale = "de_DE"
    return soon


def test_the_manage_page_shows_the_refusal_in_german(app, client, booked_in_german):
    path = f"/manage/{factories.manage_token(booked_in_german)}"
    page = client.get(path, headers=GERMAN_HEADERS)
    assert page.status_code == 200
    assert "Dieser Termin konnte bis" in text(page) and GERMAN_CONTACT in text(page)
    refused = client.post(f"{path}/cancel", data={"reason": "ill"}, headers=GERMAN_HEADERS)
    assert refused.status_code == 409
    assert "online abgesagt werden" in text(refused) and GERMAN_CONTACT in text(refused)
    assert "could be cancelled online" not in text(refused)


def test_an_english_booking_stays_english_for_a_german_browser(app, client, soon):
    page = client.get(f"/manage/{factories.manage_token(soon)}", headers=GERMAN_HEADERS)
    assert "could be cancelled online until" in text(page)
    assert "Please contact Alice Able by replying to your confirmation e-mail." in text(page)


def test_the_api_answers_the_same_refusal_in_english(app, client, booked_in_german):
    headers = customer_bearer(app) | GERMAN_HEADERS
    refused = client.delete(f"/api/appointments/{booked_in_german.id}", headers=headers)
    assert refused.status_code == 409 and refused.json["error"] == "conflict"
    description = refused.json["error_description"]
    assert description.startswith("This appointment could be cancelled online until ")
    assert description.endswith(
        "Please contact Alice Able by replying to your confirmation e-mail."
    )
