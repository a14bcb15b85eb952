"""/embed/<slug>: every booking step, framed only by the service's embed origins."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from tests.booking.web_support import (
    hidden,
    iso,
    last_code,
    shop,  # noqa: F401 - the fixture
    text,
)

ORIGINS = ["https://shop.example", "http://127.0.0.1:8001"]
FRAMED_BY = "frame-ancestors https://shop.example http://127.0.0.1:8001;"


@pytest.fixture
def embeddable(shop):  # noqa: F811
    shop.service.embed_origins = list(ORIGINS)
    db.session.commit()
    return shop


def framed_by_origins(response) -> None:
    assert FRAMED_BY in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def not_framable(response) -> None:
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_step_stays_in_the_frame(app, client, embeddable):
    shop = embeddable
    month = client.get("/embed/consult")
    framed_by_origins(month)
    page = month.get_data(as_text=True)
    assert 'class="site-header' not in page and 'class="site-footer' not in page
    assert "/embed/consult/day/" in page and 'action="/embed/consult/hold"' in page
    assert re.search(r'data-embed-origins="\[&#34;https://shop.example&#34;', page)

    day = client.get(f"/embed/consult/day/{shop.day.isoformat()}", headers={"HX-Request": "true"})
    framed_by_origins(day)
    assert 'action="/embed/consult/hold"' in day.get_data(as_text=True)

    chosen = client.post(
        "/embed/consult/hold", data={"start": iso(shop.at(10)), "timezone": "UTC", "agent": "any"}
    )
    assert chosen.status_code == 303 and chosen.location.startswith("/embed/consult/confirm?h=")
    form_page = client.get(chosen.location)
    framed_by_origins(form_page)
    assert 'action="/embed/consult/confirm"' in form_page.get_data(as_text=True)

    code_page = client.post(
        "/embed/consult/confirm",
        data={
            "h": hidden(form_page, "h"),
            "first_name": "Cora",
            "last_name": "Customer",
            "email": "cora@example.org",
        },
    )
    assert code_page.status_code == 200, text(code_page)
    framed_by_origins(code_page)
    assert 'action="/embed/consult/confirm/code"' in code_page.get_data(as_text=True)

    done = client.post(
        "/embed/consult/confirm/code",
        data={"p": hidden(code_page, "p"), "code": last_code(app, "cora@example.org")},
    )
    assert done.status_code == 303 and done.location.startswith("/embed/consult/confirmed/")
    confirmation = client.get(done.location)
    framed_by_origins(confirmation)
    page = confirmation.get_data(as_text=True)
    assert "You are booked" in text(confirmation)
    assert 'id="embed-booked"' in page and "data-appointment-id=" in page
    assert 'target="_blank"' in page  # the manage page opens outside the frame


def test_the_site_pages_are_never_framed(app, client, embeddable):
    not_framable(client.get("/book/consult"))
    not_framable(client.get("/"))
    not_framable(client.get("/login"))
    page = client.get("/book/consult").get_data(as_text=True)
    assert "embed-booked" not in page and "/embed/" not in page


def test_a_service_without_origins_is_framed_by_nobody(client, shop):  # noqa: F811
    not_framable(client.get("/embed/consult"))


def test_an_unknown_service_is_404_and_not_framable(client, embeddable):
    response = client.get("/embed/nothing-here")
    assert response.status_code == 404
    not_framable(response)


def test_the_picker_cache_keeps_the_flows_apart(client, embeddable):
    client.get("/book/consult")
    assert "/embed/consult/hold" in client.get("/embed/consult").get_data(as_text=True)
    assert "/embed/" not in client.get("/book/consult").get_data(as_text=True)
