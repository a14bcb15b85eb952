"""Finding 7: a forged ``Host`` (or ``X-Forwarded-Host``) never reaches a link the portal gives out.

Every absolute link in a mail, a calendar file, an API body or a feed starts with
``PUBLIC_URL``, whoever's request caused it. With ``TRUSTED_HOSTS`` set, a request for
another host is refused outright.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal import create_app
from portal.config import ConfigError
from portal.delivery import send_due
from portal.extensions import db
from portal.models import OutboxMessage
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests.booking.web_support import book_through_pages, iso, manage_path, shop  # noqa: F401
from tests.conftest import base_test_config, sign_in

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock

EVIL = "evil.example"
PUBLIC_URL = "https://portal.example.com"
FORGED = {"HTTP_HOST": EVIL, "HTTP_X_FORWARDED_HOST": EVIL, "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture(params=[0, 1], ids=["Host", "X-Forwarded-Host behind a trusted proxy"])
def config_overrides(request) -> dict:
    # Without a proxy the Host header is the request's host; behind one trusted proxy
    # X-Forwarded-Host is. The attacker forges both, so each case is tried.
    return {"PUBLIC_URL": PUBLIC_URL, "PROXY_COUNT": request.param}


@pytest.fixture
def attacker(app, client):
    """A client whose every request arrives (from the network) for evil.example."""
    inner = app.wsgi_app

    def forged(environ, start_response):
        environ.update(FORGED)
        return inner(environ, start_response)

    app.wsgi_app = forged
    return client


def bearer(user) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def clean(label: str, value) -> None:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    assert EVIL not in text, f"{label} carries the forged host: {text[:300]}"


def test_a_forged_host_never_reaches_a_stored_or_sent_link(app, attacker, shop):
    add_default_templates(shop.service)
    db.session.commit()

    # A customer books through the pages.
    confirmation = book_through_pages(app, attacker, shop, shop.at(10))
    assert confirmation.status_code == 200
    clean("the confirmation page", confirmation.get_data())
    assert manage_path(confirmation)

    # Staff create through the API, then reschedule it through the API and a page.
    alice = shop.alice
    headers = bearer(alice)
    customer = {
        "name": {"firstName": "Bobby", "lastName": "Ewing"},
        "contact": {"primaryEmail": "bobby@example.org"},
    }
    created = attacker.post(
        "/api/appointments/",
        json={"serviceId": str(shop.service.id), "start": iso(shop.at(14)), "customer": customer},
        headers=headers,
    )
    assert created.status_code == 201, created.json
    clean("the API's created appointment", created.get_data())
    appointment_id = created.json["id"]
    moved = attacker.put(
        "/api/appointments/reschedule/",
        json={"id": appointment_id, "start": iso(shop.at(15))},
        headers=headers,
    )
    assert moved.status_code == 200, moved.json
    clean("the API's rescheduled appointment", moved.get_data())
    clean(
        "the API's appointment",
        attacker.get(f"/api/appointments/{appointment_id}", headers=headers).get_data(),
    )

    alice.set_password("correct horse")
    db.session.commit()
    assert sign_in(attacker, "alice@example.com").status_code == 302
    again = attacker.post(
        f"/agent/appointments/{appointment_id}/reschedule",
        data={"start": iso(shop.at(16)), "timezone": "UTC"},
    )
    assert again.status_code == 303, again.get_data(as_text=True)[-500:]

    # The calendar file and the agent's feed, and the page that shows the feed's address.
    ics = attacker.get(f"/api/cal/events/ical/{appointment_id}/event")
    clean("the .ics download", ics.get_data())
    dashboard = attacker.get("/agent/")
    assert dashboard.status_code == 200
    clean("the agent's dashboard", dashboard.get_data())
    # The feed's address is shown once, on the page that makes it.
    made = attacker.post("/calendar/secret", data={"next": "/agent/"})
    assert made.status_code == 200
    clean("the new feed address page", made.get_data())
    feed_link = re.search(r'id="feed-link"[^>]*value="([^"]+)"', made.get_data(as_text=True))
    assert feed_link and feed_link.group(1).startswith(f"{PUBLIC_URL}/calendar/")
    feed = attacker.get(feed_link.group(1).removeprefix(PUBLIC_URL))
    assert feed.status_code == 200
    clean("the feed", feed.get_data())

    # Every stored message, every column; then every mail as it leaves.
    rows = list(db.session.scalars(select(OutboxMessage)))
    assert {"CREATE", "RESCHEDULE"} <= {row.type for row in rows}
    for row in rows:
        for column in OutboxMessage.__table__.columns:
            clean(f"outbox {row.type} {column.name}", getattr(row, column.key))
    links = [
        link for row in rows for link in re.findall(r"https?://[^\s\"'<>]+", row.text_body or "")
    ]
    assert links and all(link.startswith(f"{PUBLIC_URL}/") for link in links), links

    send_due()
    mails = app.extensions["mailman"].outbox
    assert mails
    for mail in mails:
        clean(f"the mail {mail.subject!r}", mail.message().as_bytes())


@pytest.fixture
def trusted_app(app, tmp_path, monkeypatch):
    """The same site with TRUSTED_HOSTS set as an operator would: in the environment."""
    monkeypatch.setenv("PORTAL_TRUSTED_HOSTS", '["portal.example.com"]')
    config = base_test_config(tmp_path) | {"PUBLIC_URL": PUBLIC_URL, "PROXY_COUNT": 1}
    other = create_app(config, instance_path=str(tmp_path / "instance"))
    yield other
    with other.app_context():
        db.engine.dispose()


def test_with_trusted_hosts_a_foreign_host_is_refused(trusted_app):
    assert trusted_app.config["TRUSTED_HOSTS"] == ["portal.example.com"]
    client = trusted_app.test_client()
    good = {"HTTP_HOST": "portal.example.com"}
    assert client.get("/api/openapi.json", environ_overrides=good).status_code == 200
    evil = {"HTTP_HOST": EVIL}
    assert client.get("/api/openapi.json", environ_overrides=evil).status_code == 400
    forwarded = good | {"HTTP_X_FORWARDED_HOST": EVIL}
    assert client.get("/api/openapi.json", environ_overrides=forwarded).status_code == 400
    otp = client.post("/api/otp", json={"email": "a@example.com"}, environ_overrides=FORGED)
    assert otp.status_code == 400


def test_trusted_hosts_must_admit_the_public_url(tmp_path):
    config = base_test_config(tmp_path) | {"PUBLIC_URL": PUBLIC_URL}
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        create_app(config | {"TRUSTED_HOSTS": ["other.example"]}, instance_path=str(tmp_path))
    app = create_app(
        config | {"TRUSTED_HOSTS": "portal.example.com, .portal.example.com"},
        instance_path=str(tmp_path),
    )
    assert app.config["TRUSTED_HOSTS"] == ["portal.example.com", ".portal.example.com"]
