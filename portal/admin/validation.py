"""Checks shared by users and services: time zones, locales, emails, names."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from babel import Locale
from email_validator import EmailNotValidError, validate_email

from portal.admin.errors import Collector
from portal.models import normalize_email

MAX_EMAIL = 254


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_names() -> list[str]:
    """Every IANA zone name, sorted (for pickers)."""
    return sorted(_zones())


def check_timezone(value: object) -> str | None:
    """The IANA zone name, or None when ``value`` is not one."""
    if isinstance(value, str) and value in _zones():
        return value
    return None


def check_locale(value: object) -> str | None:
    """A locale Babel knows, normalised (``en-US`` → ``en_US``), or None."""
    if not isinstance(value, str) or not value or len(value) > 16:
        return None
    try:
        return str(Locale.parse(value.strip().replace("-", "_")))
    except Exception:  # Babel raises UnknownLocaleError, ValueError or TypeError
        return None


def check_zone_and_locale(fields: Mapping[str, Any], errors: Collector, clean: dict[str, Any]) -> None:
    """The ``timezone`` and ``locale`` fields users and services share, when given."""
    if "timezone" in fields:
        zone = check_timezone(fields["timezone"])
        if zone is None:
            errors.add("timezone", "Choose an IANA time zone such as Europe/Berlin.")
        clean["timezone"] = zone
    if "locale" in fields:
        locale = check_locale(fields["locale"])
        if locale is None:
            errors.add("locale", "Choose a locale such as en, de or en_US.")
        clean["locale"] = locale


def check_email(value: object) -> str | None:
    """The normalised (lower-cased) address, or None when it is not one."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_EMAIL:
        return None
    try:
        validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return normalize_email(value)


def check_text(value: object, max_length: int, *, required: bool = True) -> str | None:
    """Stripped text of at most ``max_length`` characters (non-empty if required), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if (required and not text) or len(text) > max_length or "\x00" in text:
        return None
    return text
