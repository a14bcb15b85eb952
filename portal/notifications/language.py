"""Wording in the language of the person a message goes to, outside any request.

Mails, SMS and calendar files are written for their recipient (the booking's
locale for customers, the agent's own locale for agent notices), not for whoever
made the request that caused them, and the sender runs with no request at all.
So the domain reads the interface's catalogs (gettext domain ``messages``) with
Babel directly, for the locale it is given, instead of through Flask-Babel's
request locale: ``wording("de_DE").gettext("Hello %(name)s", name=...)``.

Strings are marked with ``gettext`` / ``ngettext`` (Babel's default keywords), so
``pybabel extract`` finds them like any other. The catalogs are looked up where
Flask-Babel looks (``BABEL_TRANSLATION_DIRECTORIES``, relative to the package),
carried by the session's settings; a missing catalog reads as English.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations
from sqlalchemy.orm import Session

PACKAGE_DIRECTORY = Path(__file__).resolve().parent.parent
DEFAULT_DIRECTORIES: tuple[str, ...] = (str(PACKAGE_DIRECTORY / "translations"),)


def parse_locale(name: str | None) -> Locale:
    """A Babel locale for a stored name ("de-DE", "de_DE", "fr"); English when unknown."""
    try:
        return Locale.parse((name or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en")


def language_of(name: str | None) -> str:
    """The language part of a locale name: "de" for "de_DE" and "de-AT"."""
    return parse_locale(name).language


def directories_of(session: Session | None) -> tuple[str, ...]:
    """The catalog directories of the unit of work ``session`` belongs to."""
    settings = session.info.get("portal.settings") if session is not None else None
    return getattr(settings, "translation_directories", None) or DEFAULT_DIRECTORIES


@dataclass(frozen=True)
class Wording:
    """gettext and Babel formats for one locale (the values are filled in after translating)."""

    locale: Locale
    translations: NullTranslations

    def gettext(self, message: str, **values: object) -> str:
        text = self.translations.ugettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        values.setdefault("num", num)
        return self.translations.ungettext(singular, plural, num) % values


@lru_cache(maxsize=64)
def _load(directories: tuple[str, ...], locale_name: str) -> NullTranslations:
    merged: NullTranslations | None = None
    for directory in directories:
        found = Translations.load(directory, [locale_name], domain="messages")
        if not isinstance(found, Translations):
            continue  # no catalog for this language there
        if merged is None:
            merged = found
        else:
            merged.merge(found)
    return merged or NullTranslations()


def wording(locale_name: str | None, directories: tuple[str, ...] | None = None) -> Wording:
    """The wording for ``locale_name`` (a full locale: "de_DE" uses the "de" catalog)."""
    locale = parse_locale(locale_name)
    return Wording(locale, _load(tuple(directories or DEFAULT_DIRECTORIES), str(locale)))


def wording_in(session: Session | None, locale_name: str | None) -> Wording:
    """``wording`` with the catalogs of ``session``'s app."""
    return wording(locale_name, directories_of(session))
