"""Issue 17's acceptance: the customer flow and the staff pages in German and French.

A browser that asks for ``de`` or ``fr`` walks the real booking flow (booking page, a day's
times, the details form with errors, the code page with a wrong code, the confirmation, the
manage page), then ``/my``, the staff sign-in and an agent's calendar. Each page must carry
``lang="de-DE"`` / ``lang="fr-FR"``, words from the catalog and none of the English sentences it
shows an English browser.

Covered elsewhere, not repeated here:
- the order of the choice, the menu's cookie and safe ``next``, ``en-GB`` 14:30 against
  ``en-US`` 2:30 PM, and a German booking keeping a German manage page for an English browser:
  ``tests/i18n/test_locale_choice.py``;
- the German confirmation mail of a German booking made from an English request:
  ``tests/notifications/test_locales.py::test_a_german_booking_gets_a_german_confirmation_from_an_english_request``;
- the JSON API answering in English whatever ``Accept-Language`` says:
  ``tests/booking/test_translated_refusals.py::test_the_api_answers_the_same_refusal_in_english``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from portal import i18n
from portal.extensions import db
from portal.models import Role, WaitlistEntry
from tests.booking.web_support import (  # noqa: F401
    details,
    enter_code,
    hidden,
    hold,
    last_code,
    manage_path,
    outbox,
    shop,
    text,
)
from tests.conftest import make_user, sign_in
from tests.waitlist.conftest import LEAVE_LINK, full_day, join, mails_to, run_sender  # noqa: F401

HX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Words:
    """What a page says in one language: the catalog's msgstrs the tests look for."""

    accept: str
    lang: str
    book: str  # "Pick a time"
    details: str  # "Your details"
    first_name_missing: str  # "Enter your first name."
    email_invalid: str  # "Enter a valid email address, like name@example.com."
    check_email: str  # "Check your email"
    wrong_code: str  # the start of "That code is not right. ..."
    booked: str  # "You are booked"
    manage: str  # "Your appointment"
    reschedule: str  # "Change the time"
    cancel: str  # "Cancel the appointment"
    my: str  # "My appointments"
    coming_up: str  # "Coming up"
    email_me: str  # "Email me a code"
    staff_sign_in: str  # "Staff sign-in"
    my_calendar: str  # "My calendar"
    today: str  # "Today"


GERMAN = Words(
    accept="de",
    lang="de-DE",
    book="Termin wählen",
    details="Ihre Angaben",
    first_name_missing="Geben Sie Ihren Vornamen ein.",
    email_invalid="Geben Sie eine gültige E-Mail-Adresse ein",
    check_email="Prüfen Sie Ihre E-Mails",
    wrong_code="Dieser Code ist nicht richtig.",
    booked="Ihr Termin ist gebucht",
    manage="Ihr Termin",
    reschedule="Termin verschieben",
    cancel="Termin absagen",
    my="Meine Termine",
    coming_up="Demnächst",
    email_me="Code per E-Mail senden",
    staff_sign_in="Anmeldung für Mitarbeitende",
    my_calendar="Mein Kalender",
    today="Heute",
)
FRENCH = Words(
    accept="fr-FR,fr;q=0.9",
    lang="fr-FR",
    book="Choisir un créneau",
    details="Vos coordonnées",
    first_name_missing="Saisissez votre prénom.",
    email_invalid="Saisissez une adresse e-mail valide",
    check_email="Consultez vos e-mails",
    wrong_code="Ce code n’est pas correct.",
    booked="Votre rendez-vous est réservé",
    manage="Votre rendez-vous",
    reschedule="Changer l’horaire",
    cancel="Annuler le rendez-vous",
    my="Mes rendez-vous",
    coming_up="À venir",
    email_me="M’envoyer un code",
    staff_sign_in="Connexion du personnel",
    my_calendar="Mon agenda",
    today="Aujourd’hui",
)
LANGUAGES = pytest.mark.parametrize("words", [GERMAN, FRENCH], ids=["de", "fr"])


def lang_of(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


def shows(response, words: Words, *present: str, absent: tuple[str, ...] = ()) -> str:
    """Assert the page's language, its translated words and the missing English ones."""
    content = text(response)
    assert lang_of(response) == words.lang
    for phrase in present:
        assert phrase in content, f"{phrase!r} not on the page: {content[:400]}"
    for phrase in absent:
        assert phrase not in content, f"English {phrase!r} still on the page"
    return content


@LANGUAGES
@pytest.mark.date_sensitive
def test_the_booking_flow_speaks_the_browsers_language(app, client, shop, words):  # noqa: F811
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = words.accept
    slug = shop.service.slug

    page = client.get(f"/book/{slug}")
    assert page.status_code == 200
    shows(page, words, words.book, absent=("Pick a time", "Skip to content"))

    day = client.get(f"/book/{slug}/day/{shop.day.isoformat()}?timezone=UTC", headers=HX)
    assert day.status_code == 200
    # A partial has no <html>; its times are 24-hour in both languages.
    assert "10:00" in text(day) and "AM" not in text(day) and "PM" not in text(day)

    chosen = hold(client, shop, shop.at(10))
    assert chosen.status_code == 303
    form_page = client.get(chosen.location)
    shows(form_page, words, words.details, absent=("Your details", "Who is coming?"))

    refused = details(client, shop, hidden(form_page, "h"), first_name="", email="not an address")
    assert refused.status_code == 422
    shows(
        refused,
        words,
        words.details,
        words.first_name_missing,
        words.email_invalid,
        absent=("Enter your first name.", "Enter a valid email address"),
    )

    code_page = details(client, shop, hidden(form_page, "h"))
    assert code_page.status_code == 200
    shows(code_page, words, words.check_email, absent=("Check your email",))

    code = last_code(app, "cora@example.org")
    wrong = enter_code(client, shop, code_page, "000000" if code != "000000" else "111111")
    assert wrong.status_code == 422
    shows(wrong, words, words.wrong_code, absent=("That code is not right",))

    done = enter_code(client, shop, code_page, code)
    assert done.status_code == 303
    confirmation = client.get(done.location)
    shows(confirmation, words, words.booked, absent=("You are booked",))

    manage = client.get(manage_path(confirmation))
    assert manage.status_code == 200
    shows(
        manage,
        words,
        words.manage,
        words.reschedule,
        words.cancel,
        absent=("Your appointment", "Change the time", "Cancel the appointment"),
    )

    # Booking signed the customer in: /my lists the appointment.
    listed = client.get("/my")
    shows(listed, words, words.my, words.coming_up, absent=("My appointments", "Coming up"))


@LANGUAGES
def test_my_sign_in_speaks_the_browsers_language(client, words):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = words.accept
    page = client.get("/my")
    shows(page, words, words.my, words.email_me, absent=("My appointments", "Email me a code"))
    asked = client.post("/my/code", data={"email": "cora@example.org"})
    shows(asked, words, words.check_email, absent=("Check your email",))


@LANGUAGES
def test_staff_sign_in_and_the_calendar_after_the_menu(app, client, words):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = words.accept
    page = client.get("/login")
    shows(page, words, words.staff_sign_in, absent=("Staff sign-in",))

    # A staff account's locale ("en" by default) beats the browser ...
    make_user(email="eve@example.com", role=Role.AGENT)
    sign_in(client, "eve@example.com")
    english = client.get("/agent/calendar")
    assert lang_of(english).startswith("en-") and "My calendar" in text(english)

    # ... and the menu beats the account.
    client.post("/language", data={"language": words.lang[:2], "next": "/agent/calendar"})
    calendar = client.get("/agent/calendar")
    assert calendar.status_code == 200
    shows(calendar, words, words.my_calendar, words.today, absent=("My calendar", "Sign out"))


def test_a_german_agent_locale_gives_a_german_calendar(app, client):
    user = make_user(email="dirk@example.com", role=Role.AGENT)
    user.locale = "de"
    db.session.commit()
    sign_in(client, "dirk@example.com")
    calendar = client.get("/agent/calendar", headers={"Accept-Language": "fr"})
    shows(calendar, GERMAN, GERMAN.my_calendar, GERMAN.today, absent=("My calendar",))


def test_the_menu_returns_to_the_booking_month_it_was_on(client, shop):  # noqa: F811
    here = f"/book/{shop.service.slug}?month=2026-07"
    page = client.get(here)
    assert f'name="next" value="{here}"' in page.get_data(as_text=True)
    answer = client.post("/language", data={"language": "fr", "next": here})
    assert answer.status_code == 303 and answer.headers["Location"] == here
    assert answer.headers["Set-Cookie"].startswith(f"{i18n.COOKIE}=fr;")
    assert lang_of(client.get(answer.headers["Location"])) == "fr-FR"


@pytest.mark.date_sensitive
def test_a_waitlist_link_speaks_the_language_the_person_joined_in(app, client, full_day):  # noqa: F811
    assert join(app, client, full_day, "cora@example.org").status_code == 201
    run_sender()
    (mail,) = mails_to(app, "cora@example.org", "You are on the waitlist")
    db.session.scalars(db.select(WaitlistEntry)).one().locale = "de_DE"
    db.session.commit()
    page = client.get(
        f"/waitlist/leave/{LEAVE_LINK.search(mail.body).group(1)}",
        headers={"Accept-Language": "en-US"},
    )
    shows(page, GERMAN, "Warteliste verlassen?", absent=("Leave the waitlist?",))


def test_pages_vary_by_language_and_the_api_does_not(client):
    page = client.get("/login")
    named = {part.strip() for part in page.headers.get("Vary", "").split(",")}
    assert {"Accept-Language", "Cookie"} <= named
    api = client.get("/api/services")
    assert "Accept-Language" not in api.headers.get("Vary", "")
