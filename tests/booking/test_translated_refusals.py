"""Issue 17: a domain refusal reads in the page's language, while the API keeps answering
the same refusal in English."""

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

CANCEL_CLOSED = (
    "This appointment could be cancelled online until %(deadline)s. Please contact %(contact)s."
)
CONTACT = "%(agent)s by replying to your confirmation e-mail"
GERMAN = {
    CANCEL_CLOSED: (
        "Dieser Termin konnte bis %(deadline)s online abgesagt werden. "
        "Bitte kontaktieren Sie %(contact)s."
    ),
    CONTACT: "%(agent)s, indem Sie auf Ihre Bestätigungs-E-Mail antworten",
}
GERMAN_CONTACT = "Bitte kontaktieren Sie Alice Able, indem Sie auf Ihre Bestätigungs-E-Mail"
GERMAN_HEADERS = {"Accept-Language": "de"}


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict:
    """A German catalog holding two of the domain's sentences, in a folder of its own."""
    catalog = Catalog(locale="de")
    for msgid, msgstr in GERMAN.items():
        catalog.add(msgid, msgstr, flags=["python-format"])
    folder = tmp_path / "translations" / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return {"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")}


@pytest.fixture
def soon(app: Flask):
    """An appointment one hour from now; customers may cancel only until 24 h before."""
    alice = factories.agent("alice@example.com", "Alice Able")
    factories.weekly_hours(alice, [(0, 24 * 60)])
    service = factories.service([alice], cancel_cutoff_minutes=24 * 60)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    return factories.appointment(service, alice, start)


def test_the_manage_page_shows_the_refusal_in_german(app, client, soon):
    path = f"/manage/{factories.manage_token(soon)}"
    page = client.get(path, headers=GERMAN_HEADERS)
    assert page.status_code == 200
    assert "Dieser Termin konnte bis" in text(page) and GERMAN_CONTACT in text(page)
    refused = client.post(f"{path}/cancel", data={"reason": "ill"}, headers=GERMAN_HEADERS)
    assert refused.status_code == 409
    assert "online abgesagt werden" in text(refused) and GERMAN_CONTACT in text(refused)
    assert "could be cancelled online" not in text(refused)


def test_without_a_language_the_page_stays_english(app, client, soon):
    page = client.get(f"/manage/{factories.manage_token(soon)}")
    assert "could be cancelled online until" in text(page)
    assert "Please contact Alice Able by replying to your confirmation e-mail." in text(page)


def test_the_api_answers_the_same_refusal_in_english(app, client, soon):
    headers = customer_bearer(app) | GERMAN_HEADERS
    refused = client.delete(f"/api/appointments/{soon.id}", headers=headers)
    assert refused.status_code == 409 and refused.json["error"] == "conflict"
    description = refused.json["error_description"]
    assert description.startswith("This appointment could be cancelled online until ")
    assert description.endswith(
        "Please contact Alice Able by replying to your confirmation e-mail."
    )
