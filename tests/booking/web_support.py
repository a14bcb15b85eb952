"""Helpers for the customer booking page tests: a bookable service and the steps.

The service runs in UTC with two agents working 09:00-17:00 every day, so a
day three days ahead always has 16 half-hour slots (no DST, no notice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, UTC
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Service, User
from tests import factories

UTC = UTC


@dataclass
class Shop:
    service: Service
    alice: User
    bob: User
    day: date  # a day with free slots, clear of "now"

    def at(self, hour: int, minute: int = 0) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def shop(app: Flask) -> Shop:
    alice = factories.agent("alice@example.com", "Alice Able")
    bob = factories.agent("bob@example.com", "Bob Baker")
    for person in (alice, bob):
        factories.weekly_hours(person, [(9 * 60, 17 * 60)])
    service = factories.service(
        [alice, bob], slug="consult", name="Consultation", description="A first talk."
    )
    outbox(app).clear()
    day = datetime.now(UTC).date() + timedelta(days=3)
    return Shop(service, alice, bob, day)


def text(response) -> str:
    """The response body with tags removed and whitespace collapsed (what a user reads)."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u202f", " ").split())


def labels(response) -> list[str]:
    """The aria-labels of the slot buttons, as a screen reader announces them."""
    found = re.findall(
        r'<button class="slot[^"]*"[^>]*aria-label="([^"]+)"', response.get_data(as_text=True)
    )
    return [" ".join(unescape(label).replace("\u202f", " ").split()) for label in found]


def slot_values(response) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', response.get_data(as_text=True))


def hidden(response, name: str) -> str:
    match = re.search(
        rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', response.get_data(as_text=True)
    )
    assert match, f"no hidden field {name!r} in the page"
    return unescape(match.group(1))


def outbox(app: Flask) -> list:
    mailman = app.extensions["mailman"]
    if not hasattr(mailman, "outbox"):
        mailman.outbox = []
    return mailman.outbox


def last_code(app: Flask, email: str) -> str:
    messages = [m for m in outbox(app) if email in m.to]
    assert messages, f"no mail to {email}"
    return re.search(r"\b(\d{6})\b", messages[-1].body).group(1)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hold(client: FlaskClient, shop: Shop, start: datetime, **form):
    """Click a time (``POST /book/<slug>/hold``): a redirect to the details form, nothing held."""
    data = {"start": iso(start), "timezone": "UTC", "agent": "any"} | form
    return client.post(f"/book/{shop.service.slug}/hold", data=data)


def hold_for(
    client: FlaskClient, shop: Shop, start: datetime, email: str = "cora@example.org", **form
):
    """Click a time and send the details with ``email``: the time is held, a code is sent.

    Returns the details answer: the code page (200) or the refusal (409 picker, 429 form).
    """
    chosen = hold(client, shop, start, **form)
    assert chosen.status_code == 303, text(chosen)
    form_page = client.get(chosen.location)
    assert form_page.status_code == 200
    return details(client, shop, hidden(form_page, "h"), email=email)


def details(client: FlaskClient, shop: Shop, draft: str, email: str = "cora@example.org", **form):
    data = {
        "h": draft,
        "first_name": "Cora",
        "last_name": "Customer",
        "email": email,
        "phone": "+49 30 1234567",
        "notes": "About my plans.",
    } | form
    return client.post(f"/book/{shop.service.slug}/confirm", data=data)


def start_booking(
    client: FlaskClient, shop: Shop, start: datetime, email: str = "cora@example.org"
):
    """Hold ``start`` and send the details: returns the code page."""
    held = hold(client, shop, start)
    assert held.status_code == 303, text(held)
    draft = re.search(r"[?&]h=([^&]+)", held.location).group(1)
    page = client.get(held.location)
    assert page.status_code == 200
    answer = details(client, shop, hidden(page, "h"), email=email)
    assert answer.status_code == 200, text(answer)
    assert draft
    return answer


def enter_code(client: FlaskClient, shop: Shop, code_page, code: str):
    return client.post(
        f"/book/{shop.service.slug}/confirm/code", data={"p": hidden(code_page, "p"), "code": code}
    )


def book_through_pages(
    app: Flask, client: FlaskClient, shop: Shop, start: datetime, email="cora@example.org"
):
    """The whole customer flow; returns the confirmation page response."""
    code_page = start_booking(client, shop, start, email)
    done = enter_code(client, shop, code_page, last_code(app, email))
    assert done.status_code == 303, text(done)
    return client.get(done.location)


def manage_path(confirmation) -> str:
    match = re.search(
        r'href="(?:https?://[^/"]+)?(/manage/[^"#]+)"', confirmation.get_data(as_text=True)
    )
    assert match, "no manage link on the page"
    return match.group(1)


def reload(instance):
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)
