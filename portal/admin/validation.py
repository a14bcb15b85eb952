"""Checks shared by users and services: time zones, locales, emails, names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.admin.errors import Collector
from portal.domain import values
from portal.domain.errors import Invalid
from portal.domain.i18n import N_

MAX_EMAIL = values.MAX_EMAIL
timezone_names = values.timezone_names


def check_timezone(value: object) -> str | None:
    """The IANA zone name, or None when ``value`` is not one."""
    return values.optional(values.timezone_name, value)


def check_locale(value: object) -> str | None:
    """A locale Babel knows, in the stored form (``en-US`` → ``en_US``), or None."""
    return values.optional(values.locale, value)


def check_zone_and_locale(
    fields: Mapping[str, Any], errors: Collector, clean: dict[str, Any]
) -> None:
    """The ``timezone`` and ``locale`` fields users and services share, when given."""
    if "timezone" in fields:
        zone = check_timezone(fields["timezone"])
        if zone is None:
            errors.add("timezone", N_("Choose an IANA time zone such as Europe/Berlin."))
        clean["timezone"] = zone
    if "locale" in fields:
        locale = check_locale(fields["locale"])
        if locale is None:
            errors.add("locale", N_("Choose a locale such as en, de or en_US."))
        clean["locale"] = locale


def check_email(errors: Collector, field: str, value: object, message: str) -> str | None:
    """The normalised address, or None with the refusal added to ``errors``.

    ``message`` is the sentence for a malformed address; a non-ASCII part before the @
    keeps the validator's own sentence.
    """
    try:
        return values.email(value, field, message=message)
    except Invalid as error:
        errors.add(field, error.message)
        return None


def check_text(value: object, max_length: int, *, required: bool = True) -> str | None:
    """Stripped text of at most ``max_length`` characters (non-empty if required), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if (required and not text) or len(text) > max_length or "\x00" in text:
        return None
    return text
