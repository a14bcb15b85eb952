"""Regression: a second booking with the same e-mail right after the first (issue 13, finding 11).

Seen: booking twice with one e-mail within 60 s failed. The second code page said
"use the newest email", whose code the first booking had already used, and "send a
new code" answered 429. A used code no longer holds the next one back; a code still
waiting to be used does (the resend spacing). The clock stands still: no waiting.
"""

from __future__ import annotations

import pytest

from tests.booking.web_support import (  # noqa: F401
    book_through_pages,
    details,
    enter_code,
    hidden,
    last_code,
    outbox,
    shop,
    start_booking,
    text,
)

pytestmark = pytest.mark.date_sensitive  # the shop's day follows the clock
EMAIL = "cora@example.org"


def codes_sent(app) -> int:
    return len([m for m in outbox(app) if EMAIL in m.to and "code" in m.subject])


def test_a_second_booking_from_another_browser_right_after_the_first_works(app, shop):
    first = book_through_pages(app, app.test_client(), shop, shop.at(9), EMAIL)
    assert "You are booked" in text(first)

    # At once, from another browser (another device, or the cookie was cleared).
    browser = app.test_client()
    code_page = start_booking(browser, shop, shop.at(14), EMAIL)
    assert "use the newest email" not in text(code_page)
    assert codes_sent(app) == 2  # a fresh code went out
    done = enter_code(browser, shop, code_page, last_code(app, EMAIL))
    assert done.status_code == 303, text(done)
    assert "You are booked" in text(browser.get(done.location))


def test_asking_for_another_code_while_one_waits_is_still_spaced(app, shop):
    book_through_pages(app, app.test_client(), shop, shop.at(9), EMAIL)
    browser = app.test_client()
    code_page = start_booking(browser, shop, shop.at(14), EMAIL)
    # The second code is waiting: asking again at once is the real throttle.
    again = browser.post("/book/consult/confirm/resend", data={"p": hidden(code_page, "p")})
    assert again.status_code == 429 and "You can ask for another in" in text(again)
    assert codes_sent(app) == 2
    done = enter_code(browser, shop, again, last_code(app, EMAIL))
    assert done.status_code == 303, text(done)


def test_the_same_browser_books_again_without_a_code(app, client, shop):
    book_through_pages(app, client, shop, shop.at(9), EMAIL)
    chosen = client.post(
        "/book/consult/hold",
        data={"start": shop.at(14).strftime("%Y-%m-%dT%H:%M:%SZ"), "timezone": "UTC"},
    )
    form_page = client.get(chosen.location)
    done = details(client, shop, hidden(form_page, "h"), email=EMAIL)
    assert done.status_code == 303 and "/confirmed/" in done.location
    assert codes_sent(app) == 1
