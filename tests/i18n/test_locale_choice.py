"""The request's locale: the order of the choice, ``<html lang>``, the menu, regional formats."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, UTC

import pytest
from flask import g
from sqlalchemy import select

from portal import i18n
from portal.extensions import db
from portal.models import Appointment, Role
from tests import factories
from tests.booking.web_support import book_through_pages, shop, text  # noqa: F401
from tests.conftest import make_user, sign_in

HX = {"HX-Request": "true"}


def lang_of(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


def chosen(app, *, headers=None, cookie=None, page=None, service=None, user_locale=None):
    """The selector's answer for a request with these inputs."""
    environ = {"HTTP_COOKIE": f"{i18n.COOKIE}={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers or {}, environ_base=environ):
        g.__dict__.clear()  # the test's app context is shared: start as a new request does
        if user_locale is not None:
            from flask_login import login_user

            user = make_user(email=f"{uuid.uuid4().hex}@example.com", role=Role.AGENT)
            user.locale = user_locale
            login_user(user)
        if page is not None:
            g.page_locale = page
        if service is not None:
            g.service_locale = service
        return i18n.select_locale()


# --- the order ---------------------------------------------------------------------------


def test_each_step_beats_the_next(app):
    everything = dict(
        cookie="fr",
        user_locale="de_CH",
        page="en_GB",
        headers={"Accept-Language": "de-AT"},
        service="fr_CA",
    )
    assert chosen(app, **everything) == "fr_FR"
    everything.pop("cookie")
    assert chosen(app, **everything) == "de_CH"
    everything.pop("user_locale")
    assert chosen(app, **everything) == "en_GB"
    everything.pop("page")
    assert chosen(app, **everything) == "de_AT"
    everything.pop("headers")
    assert chosen(app, **everything) == "fr_CA"
    everything.pop("service")
    assert chosen(app, **everything) == "en_US"


def test_unsupported_or_broken_values_are_skipped(app):
    assert chosen(app, cookie="es", headers={"Accept-Language": "es-ES, fr;q=0.5"}) == "fr_FR"
    assert chosen(app, cookie="../../etc", page="xx_YY", service="de") == "de_DE"
    assert chosen(app, headers={"Accept-Language": "*"}) == "en_US"


def test_a_bare_language_takes_the_browser_region(app):
    assert chosen(app, headers={"Accept-Language": "en"}) == "en_US"
    assert chosen(app, headers={"Accept-Language": "de"}) == "de_DE"
    assert chosen(app, cookie="en", headers={"Accept-Language": "de, en-GB;q=0.8"}) == "en_GB"
    assert chosen(app, cookie="de", headers={"Accept-Language": "en-GB"}) == "de_DE"
    # The default staff locale "en" stays English, in the browser's English region.
    assert chosen(app, user_locale="en", headers={"Accept-Language": "en-GB"}) == "en_GB"


def test_a_regional_locale_reads_its_language_catalog(app, client):
    page = client.get("/", headers={"Accept-Language": "de-AT"})
    assert lang_of(page) == "de-AT"
    assert "Zum Inhalt springen" in page.get_data(as_text=True)


# --- <html lang> and the translated header ------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "lang", "sign_in_text"),
    [
        (None, "en-US", "Staff sign-in"),
        ("de", "de-DE", "Anmeldung für Mitarbeitende"),
        ("fr-FR,fr;q=0.9", "fr-FR", "Connexion du personnel"),
        ("en-GB", "en-GB", "Staff sign-in"),
    ],
)
def test_lang_and_header_follow_the_browser(client, accept, lang, sign_in_text):
    headers = {"Accept-Language": accept} if accept else {}
    for path in ("/", "/login"):
        page = client.get(path, headers=headers)
        assert page.status_code == 200
        assert lang_of(page) == lang
        assert sign_in_text in page.get_data(as_text=True)


def test_staff_user_locale_and_translated_navigation(app, client):
    user = make_user(email="dora@example.com", role=Role.AGENT)
    user.locale = "de_DE"
    db.session.commit()
    sign_in(client, "dora@example.com")
    page = client.get("/agent/calendar", headers={"Accept-Language": "en-US"})
    body = page.get_data(as_text=True)
    assert lang_of(page) == "de-DE"
    assert ">Kalender</a>" in body and ">Abmelden</button>" in body and "Mitarbeiter" in body


# --- the language menu -------------------------------------------------------------------


def test_menu_lists_the_languages_in_their_own_names(client):
    body = client.get("/login?next=%2Fagent", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    menu = body[body.index('<form class="language-menu"') :]
    menu = menu[: menu.index("</form>")]
    assert '<legend class="visually-hidden">Langue</legend>' in menu
    assert 'name="next" value="/login?next=%2Fagent"' in menu
    assert re.search(r'value="en" lang="en">English</button>', menu)
    assert re.search(r'value="de" lang="de">Deutsch</button>', menu)
    assert re.search(r'value="fr" lang="fr" aria-current="true">Français</button>', menu)


def test_menu_sets_the_cookie_and_keeps_the_page(client):
    answer = client.post("/language", data={"language": "de", "next": "/login?next=%2Fagent"})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/login?next=%2Fagent"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"{i18n.COOKIE}=de;")
    assert "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    # The choice beats the browser's language from now on.
    page = client.get("/login?next=%2Fagent", headers={"Accept-Language": "fr"})
    assert lang_of(page) == "de-DE" and "Anmeldung für Mitarbeitende" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "", None]
)
def test_menu_refuses_to_leave_the_site(client, target):
    data = {"language": "fr"} | ({"next": target} if target is not None else {})
    answer = client.post("/language", data=data)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


def test_menu_refuses_unknown_languages(client):
    assert client.post("/language", data={"language": "xx", "next": "/"}).status_code == 400
    assert i18n.COOKIE not in (client.get_cookie(i18n.COOKIE) or "")


def test_menu_needs_the_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/language", data={"language": "de", "next": "/"}).status_code == 400


def test_cookie_is_secure_when_the_session_cookie_is(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    answer = client.post("/language", data={"language": "fr", "next": "/"})
    assert "Secure" in answer.headers["Set-Cookie"]


# --- regional formats --------------------------------------------------------------------


@pytest.mark.date_sensitive
def test_times_follow_the_region(client, shop):  # noqa: F811
    url = f"/book/consult/day/{shop.day.isoformat()}?timezone=UTC"
    british = text(client.get(url, headers={**HX, "Accept-Language": "en-GB"}))
    american = text(client.get(url, headers={**HX, "Accept-Language": "en-US"}))
    german = text(client.get(url, headers={**HX, "Accept-Language": "de"}))
    assert "14:30" in british and "PM" not in british
    assert "2:30 PM" in american and "14:30" not in american
    assert "14:30" in german
    weekday = shop.day.strftime("%A")
    german_weekdays = dict(
        zip(
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
            strict=True,
        )
    )
    page = text(client.get(url, headers={"Accept-Language": "de-DE"}))
    assert german_weekdays[weekday] in page and weekday not in page


def test_agent_calendar_times_follow_the_region(app, client):
    agent = factories.agent("gina@example.com", "Gina Agent")
    service = factories.service([agent])
    start = datetime.now(UTC).replace(hour=14, minute=30, second=0, microsecond=0)
    factories.appointment(service, agent, start + timedelta(days=1))
    sign_in(client, "gina@example.com")
    when = (start + timedelta(days=1)).date().isoformat()
    # The calendar names the range once: "14:30 – 15:00", "2:30 – 3:00 PM".
    for accept, shown, absent in (("en-GB", "14:30", "PM"), ("en-US", "2:30 – 3:00 PM", "14:30")):
        page = client.get(
            f"/agent/calendar?view=day&date={when}", headers={"Accept-Language": accept}
        )
        content = text(page)
        assert shown in content and absent not in content, accept


# --- the customer's booking locale ---------------------------------------------------------


@pytest.mark.date_sensitive
def test_booking_in_german_keeps_german_for_the_manage_page(app, client, shop):  # noqa: F811
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    confirmation = book_through_pages(app, client, shop, shop.at(10))
    appointment = db.session.scalars(select(Appointment)).one()
    assert appointment.locale == "de_DE"
    assert lang_of(confirmation) == "de-DE"

    path = re.search(r'(/manage/[^"#?]+)', confirmation.get_data(as_text=True)).group(1)
    english = app.test_client()
    page = english.get(path, headers={"Accept-Language": "en-US"})
    assert page.status_code == 200
    assert lang_of(page) == "de-DE" and "Zum Inhalt springen" in page.get_data(as_text=True)
    # The visitor's explicit choice still wins.
    english.post("/language", data={"language": "en", "next": path})
    assert lang_of(english.get(path, headers={"Accept-Language": "en-US"})) == "en-US"


def test_service_locale_is_the_last_resort_on_its_booking_page(app, client):
    agent = factories.agent("hugo@example.com", "Hugo Agent")
    factories.service([agent], slug="beratung", locale="de_CH")
    assert lang_of(client.get("/book/beratung")) == "de-CH"
    assert lang_of(client.get("/book/beratung", headers={"Accept-Language": "fr"})) == "fr-FR"
    assert lang_of(client.get("/login")) == "en-US"


def test_page_locale_set_after_formatting_still_applies(app):
    with app.test_request_context("/", headers={"Accept-Language": "en-US"}):
        from flask_babel import get_locale

        assert str(get_locale()) == "en_US"
        i18n.use_page_locale("fr_BE")
        assert str(get_locale()) == "fr_BE"


def test_menu_on_a_page_answering_a_post_returns_to_the_form(client):
    def next_of(response) -> str:
        return re.search(r'name="next" value="([^"]*)"', response.get_data(as_text=True)).group(1)

    form = "/login?next=%2Fagent"
    data = {"email": "nobody@example.com", "password": "wrong"}
    answer = client.post(form, data=data, headers={"Referer": f"http://localhost{form}"})
    assert next_of(answer) == form.replace("&", "&amp;")
    elsewhere = client.post(form, data=data, headers={"Referer": "https://evil.example/x"})
    assert next_of(elsewhere) == "/login"
