"""The request's locale, and the compiled message catalogs.

The locale is chosen once per request, most specific first:

1. the visitor's explicit choice (the header's language menu, remembered in ``portal_locale``);
2. the signed-in staff user's locale;
3. the locale of the page's subject: a view showing one appointment (the manage page, the
   confirmation) calls ``use_page_locale(appointment.locale)``;
4. the browser's ``Accept-Language``;
5. the service's locale on its booking pages (``g.service_locale``, else looked up by slug);
6. ``en``.

Only languages with a catalog count (``LANGUAGES``); a step naming another is skipped. The result
is a full locale (``de_AT``, ``en_GB``) so Babel formats regionally; gettext falls back from
``de_AT`` to the ``de`` catalog. A bare language takes its region from the browser's
``Accept-Language`` when that names the same language, else ``DEFAULT_REGIONS``
(``en`` → ``en_US``, ``de`` → ``de_DE``, ``fr`` → ``fr_FR``).
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import refresh
from flask_login import current_user

LANGUAGES = ("en", "de", "fr")
# Each language named in itself, for the menu.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français"}
DEFAULT_REGIONS = {"en": "en_US", "de": "de_DE", "fr": "fr_FR"}
COOKIE = "portal_locale"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Booking pages whose ``slug`` names the service whose locale is the last resort.
SERVICE_BLUEPRINTS = frozenset({"booking", "waitlist"})

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


# --- choosing the locale ----------------------------------------------------------------


def parse(value: str | None) -> Locale | None:
    """A supported locale from ``de-AT`` / ``de_AT`` / ``de``; None for anything else."""
    if not value or len(value) > 16:
        return None
    return _parse(value)


# Every request parses its cookie and Accept-Language: a few dozen texts recur.
@lru_cache(maxsize=256)
def _parse(value: str) -> Locale | None:
    try:
        found = Locale.parse(value.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    return found if found.language in LANGUAGES else None


def _browser_locales() -> list[Locale]:
    """The browser's supported locales, by preference."""
    found = []
    for value, _quality in request.accept_languages:
        parsed = parse(value)
        if parsed is not None:
            found.append(parsed)
    return found


def _regional(chosen: Locale) -> str:
    """``chosen`` with a region: its own, the browser's for the same language, or the default."""
    if chosen.territory:
        return str(chosen)
    for offered in _browser_locales():
        if offered.language == chosen.language and offered.territory:
            return str(offered)
    return DEFAULT_REGIONS[chosen.language]


def _service_locale() -> str | None:
    if "service_locale" in g:
        return g.service_locale
    slug = (request.view_args or {}).get("slug")
    if request.blueprint not in SERVICE_BLUEPRINTS or not isinstance(slug, str):
        return None
    from portal.extensions import db
    from portal.models import Service

    return db.session.scalar(db.select(Service.locale).where(Service.slug == slug))


def locale_candidates():
    """The steps of the choice, in order, each yielding a locale text or None (lazily)."""
    yield request.cookies.get(COOKIE)
    yield current_user.locale if current_user.is_authenticated else None
    yield g.get("page_locale")
    browser = _browser_locales()
    yield str(browser[0]) if browser else None
    yield _service_locale()


def select_locale() -> str:
    """Flask-Babel's locale selector: the first supported step, made regional."""
    if not has_request_context():  # outside a request only force_locale chooses
        return DEFAULT_REGIONS["en"]
    for candidate in locale_candidates():
        chosen = parse(candidate)
        if chosen is not None:
            return _regional(chosen)
    return DEFAULT_REGIONS["en"]


def use_page_locale(value: str | None) -> None:
    """This page shows one appointment (or the like): its locale comes before the browser's."""
    if not has_request_context():
        return
    g.page_locale = value
    refresh()  # anything formatted before this used the earlier choice


def language_tag() -> str:
    """The request's locale as a BCP 47 tag for ``<html lang>``: ``de-DE``."""
    from flask_babel import get_locale

    chosen = get_locale()
    return str(chosen).replace("_", "-") if chosen is not None else "en"


def current_language() -> str:
    from flask_babel import get_locale

    chosen = get_locale()
    return chosen.language if chosen is not None else "en"


# --- compiled catalogs ------------------------------------------------------------------


def compile_catalogs(source: Path = TRANSLATIONS, target: Path | None = None) -> Path:
    """Compile every ``messages.po`` whose ``.mo`` is missing or older; return the .mo root.

    The .mo files are built, not committed, so a fresh clone runs translated without a step
    of its own. They go next to the .po files, or under ``target`` when that is not writable.
    Each is written to a temporary file and renamed, so workers starting together never read
    a half-written catalog.
    """
    sources = sorted(source.glob("*/LC_MESSAGES/messages.po"))
    # Built beside the .po when possible (or already there, e.g. by `pybabel compile` in an image).
    beside = os.access(source, os.W_OK) or not [p for p in sources if _stale(p, source, source)]
    root = source if beside or target is None else target
    for po_path in sources:
        if not _stale(po_path, source, root):
            continue
        mo_path = root / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(handle, "wb") as mo_file:
                # Fuzzy entries stay untranslated (as pybabel compile does).
                write_mo(mo_file, catalog, use_fuzzy=False)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from other users
            os.replace(temporary, mo_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return root


def _stale(po_path: Path, source: Path, root: Path) -> bool:
    mo_path = root / po_path.relative_to(source).with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def init_app(app: Flask) -> None:
    """Compile the catalogs and point Flask-Babel at them (before ``babel.init_app``)."""
    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        root = compile_catalogs(TRANSLATIONS, Path(app.instance_path) / "translations")
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(root)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    app.after_request(_vary_by_language)


def _vary_by_language(response):
    """Pages are worded by ``Accept-Language`` and the menu's cookie: no cache may mix them."""
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def cookie_options() -> dict:
    """The language cookie: a year, sent like the session cookie (Lax, Secure behind TLS)."""
    config = current_app.config
    return {
        "max_age": COOKIE_MAX_AGE,
        "secure": bool(config.get("SESSION_COOKIE_SECURE")),
        "samesite": config.get("SESSION_COOKIE_SAMESITE") or "Lax",
        "httponly": True,
        "path": "/",
    }
