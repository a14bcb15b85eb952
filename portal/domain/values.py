"""One validation per value type, for forms, the API, the CLI and config.

Every input that becomes a time zone, a locale, an e-mail address, a duration, a
date or a date-time passes through here, so each rule is written once and every
value is bounded: no date before 1900 or after 2200, no duration beyond 400 days
(unless the caller asks for less). Arithmetic on what comes out (a day either side,
a duration added) therefore cannot overflow.

Each validator returns the clean value or raises ``Invalid(sentence, field)``. The
sentences name no field, so a form shows them beside the field; the API prefixes the
parameter's name (``portal.api.body``). Format errors of dates and date-times carry
the API code ``invalid_datetime_format``; every other refusal is ``invalid_param``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import idna
from babel import Locale
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from portal.domain.errors import Invalid
from portal.domain.i18n import N_
from portal.isoduration import format_duration, parse_duration

MIN_YEAR = 1900
MAX_YEAR = 2200
EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC)  # exclusive
FIRST_DAY = date(MIN_YEAR, 1, 1)
LAST_DAY = date(MAX_YEAR, 12, 31)
MAX_DURATION = timedelta(days=400)
MAX_EMAIL = 254
MAX_LOCALE = 16

DATETIME_FORMAT = "invalid_datetime_format"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
# A date, "T", a time with at least minutes, an optional fraction, and a zone.
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$",
    re.IGNORECASE | re.ASCII,
)


def _datetime_between() -> str:
    return N_("Enter a date-time between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR)


# --- time zones -------------------------------------------------------------------------------


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def timezone_names() -> list[str]:
    """Every IANA zone name, sorted (for pickers)."""
    return sorted(_zones())


def timezone_name(value: object, field: str = "timezone") -> str:
    """An IANA time zone name known to this system (never a path such as ``../etc``)."""
    name = value.strip() if isinstance(value, str) else ""
    if name not in _zones():
        raise Invalid(N_("Choose an IANA time zone such as Europe/Berlin."), field)
    return name


def zone(value: object, field: str = "timezone") -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA name (see ``timezone_name``)."""
    name = timezone_name(value, field)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # listed but unreadable
        raise Invalid(N_("Choose an IANA time zone such as Europe/Berlin."), field) from None


MAX_ZONE_SEARCH = 64
_LEGACY_ZONE_PREFIXES = ("Etc/", "SystemV/", "US/", "posix/", "right/")


def _search_key(text: str) -> str:
    """Case, accents, spaces and punctuation folded: "São Paulo" and "sao_paulo" meet."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


@cache
def _zone_search_index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(search key -> zone) for IANA names and their cities, (key -> zones) for countries.

    Cities come from the zone names' last part (``America/Sao_Paulo``) and from Babel's English
    exemplar cities; countries from Babel's territory names and its territory-to-zone table.
    """
    canonical = sorted(
        name for name in _zones() if "/" in name and not name.startswith(_LEGACY_ZONE_PREFIXES)
    )
    aliases = get_global("zone_aliases")
    by_key: dict[str, str] = {}
    for name in _zones():
        by_key.setdefault(_search_key(name), aliases.get(name, name))
    english = Locale("en")
    for name in canonical:
        if name in aliases:  # a legacy spelling; its target has the city already
            continue
        by_key.setdefault(_search_key(name.rsplit("/", 1)[-1]), name)
        city = (english.time_zones.get(name) or {}).get("city")
        if city:
            by_key.setdefault(_search_key(city), name)
    territory_zones = get_global("territory_zones")
    by_country: dict[str, tuple[str, ...]] = {}
    for code, country in english.territories.items():
        zones = tuple(z for z in territory_zones.get(code, ()) if z in _zones())
        if zones:
            by_country[_search_key(country)] = _distinct_clocks(zones)
    return by_key, by_country


_CLOCK_SAMPLES = tuple(
    datetime(year, month, 15, tzinfo=UTC) for year in (2026, 2027) for month in (1, 4, 7, 10)
)


@cache
def _prominence() -> dict[str, int]:
    """How many legacy names point at a zone: a fair sign of a well-known city (``US/Eastern``,
    ``EST5EDT`` -> New York; ``Australia/NSW``, ``Australia/ACT`` -> Sydney)."""
    counts: dict[str, int] = {}
    for target in get_global("zone_aliases").values():
        counts[target] = counts.get(target, 0) + 1
    return counts


def _distinct_clocks(zones: tuple[str, ...]) -> tuple[str, ...]:
    """One zone per clock a country keeps (Berlin and Busingen are one), best-known first."""
    groups: dict[tuple, list[str]] = {}
    for name in zones:
        info = ZoneInfo(name)
        clock = tuple(at.astimezone(info).utcoffset() for at in _CLOCK_SAMPLES)
        groups.setdefault(clock, []).append(name)
    prominence = _prominence()

    def rank(name: str) -> tuple:
        return (-prominence.get(name, 0), name.count("/"), zones.index(name))

    named = [min(group, key=rank) for group in groups.values()]
    return tuple(sorted(named, key=rank))


def find_zone(value: object, field: str = "timezone") -> ZoneInfo:
    """The zone a person means by an IANA name, a city or a country ("Tokyo", "Japan").

    A country with several zones is refused with a few of its cities to choose from.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_ZONE_SEARCH or "\x00" in text:
        raise Invalid(
            N_("Type a city, a country or an IANA time zone such as Europe/Berlin."), field
        )
    if text in _zones() and ("/" in text or text == "UTC"):  # "Japan" is a legacy name: search
        return zone(text, field)
    by_key, by_country = _zone_search_index()
    for candidate in (text, text.split(",")[0]):
        key = _search_key(candidate)
        if key in by_key:
            return zone(by_key[key], field)
        zones = by_country.get(key)
        if zones and len(zones) == 1:
            return zone(zones[0], field)
        if zones:
            cities = ", ".join(z.rsplit("/", 1)[-1].replace("_", " ") for z in zones[:3])
            raise Invalid(
                N_(
                    "%(place)s has several time zones; type a city, such as %(cities)s.",
                    place=candidate.strip(),
                    cities=cities,
                ),
                field,
            )
    raise Invalid(
        N_(
            "That is not a city, country or time zone we know; "
            "try a nearby large city or an IANA name such as Europe/Berlin."
        ),
        field,
    )


def zone_or_none(value: object) -> ZoneInfo | None:
    """For optional query parameters: the zone, or None when absent or not a zone."""
    try:
        return zone(value)
    except Invalid:
        return None


# --- locales ----------------------------------------------------------------------------------


def locale(value: object, field: str = "locale") -> str:
    """A locale Babel knows, in its one stored form: ``en_GB`` (``en-GB`` is accepted)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_LOCALE or "\x00" in text:
        raise Invalid(N_("Choose a locale such as en, de or en_GB."), field)
    try:
        return str(Locale.parse(text.replace("-", "_")))
    except Exception:  # Babel raises UnknownLocaleError, ValueError or TypeError
        raise Invalid(N_("Choose a locale such as en, de or en_GB."), field) from None


def canonical_locale(value: str | None) -> str | None:
    """A stored locale in the stored form, for comparisons (``en-GB`` → ``en_GB``)."""
    return value.strip().replace("-", "_") if value else value


# --- e-mail -----------------------------------------------------------------------------------


EMAIL_MESSAGE = N_("Enter a valid email address, like name@example.com.")
# Mail to a non-ASCII local part needs SMTPUTF8 from every relay on the way, which the
# portal cannot promise; a domain such as bücher.example is fine (it travels as punycode).
ASCII_LOCAL_PART_MESSAGE = N_(
    "Use only unaccented letters, digits and signs such as . _ + - before the @ "
    "(letters like ö or é can only come after the @)."
)


def normalize_email(value: str) -> str:
    """The one stored and compared form: lower-cased, the domain in punycode.

    Addresses compare case-insensitively; ``jorg@Bücher.example`` and
    ``jorg@xn--bcher-kva.example`` are the same mailbox and are stored as the latter,
    the form a mail header and an SMTP envelope carry. Safe on any text (used for
    lookups): a domain that is no IDNA name is only lower-cased.
    """
    text = value.strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or domain.isascii():
        return text
    try:
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return text


def email(value: object, field: str = "email", *, message: str = EMAIL_MESSAGE) -> str:
    """A deliverable-looking address (syntax only, no DNS), in ``normalize_email``'s form.

    The one rule for sign-in, booking, the API, users, sender addresses and
    ``create-user``: special-use domains such as ``.test`` and ``.invalid`` are refused
    everywhere alike, and so is a non-ASCII part before the @ (with its own sentence;
    ``message`` replaces only the general one).
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_EMAIL:
        raise Invalid(message, field)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(message, field) from None
    if checked.smtputf8:  # a non-ASCII local part
        raise Invalid(ASCII_LOCAL_PART_MESSAGE, field)
    address = normalize_email(f"{checked.local_part}@{checked.ascii_domain}")
    if len(address) > MAX_EMAIL:  # punycode is longer than the text typed
        raise Invalid(message, field)
    return address


def is_email(value: object) -> bool:
    try:
        email(value)
    except Invalid:
        return False
    return True


# --- durations --------------------------------------------------------------------------------


def duration(
    value: object,
    field: str = "duration",
    *,
    maximum: timedelta = MAX_DURATION,
    minimum: timedelta = timedelta(0),
    allow_zero: bool = False,
) -> timedelta:
    """An ISO 8601 duration (``PT30M``, ``P1D``) from ``minimum`` up to ``maximum``.

    Zero is refused unless ``allow_zero``; negative durations have no ISO form here.
    """
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > 40:  # no bounded duration needs more; keeps int() cheap
        raise Invalid(_duration_range(min(maximum, MAX_DURATION)), field)
    try:
        parsed = parse_duration(text)
    except OverflowError:  # more days than a timedelta holds
        raise Invalid(_duration_range(min(maximum, MAX_DURATION)), field) from None
    except ValueError:
        raise Invalid(_calendar_duration_hint(text), field) from None
    return bounded_duration(parsed, field, maximum=maximum, minimum=minimum, allow_zero=allow_zero)


_MONTHS = re.compile(r"P(\d+)M", re.IGNORECASE)
_CALENDAR_PARTS = re.compile(r"P[^T]*[YM]", re.IGNORECASE)


def _calendar_duration_hint(text: str) -> str:
    """Why a duration was refused; months before ``T`` are the usual slip for minutes."""
    months = _MONTHS.fullmatch(text)
    if months:
        count = int(months.group(1))
        if count == 1:
            return N_(
                "%(text)s means 1 month, and durations here cannot use months: "
                "did you mean PT1M (1 minute)?",
                text=text.upper(),
            )
        return N_(
            "%(text)s means %(count)s months, and durations here cannot use months: "
            "did you mean PT%(count)sM (%(count)s minutes)?",
            text=text.upper(),
            count=count,
        )
    if _CALENDAR_PARTS.match(text):
        return N_("Durations here cannot use years or months: use weeks, days, hours or minutes.")
    return N_("Enter an ISO 8601 duration such as PT30M or P1D.")


def bounded_duration(
    value: timedelta,
    field: str = "duration",
    *,
    maximum: timedelta = MAX_DURATION,
    minimum: timedelta = timedelta(0),
    allow_zero: bool = False,
) -> timedelta:
    """A duration already parsed (e.g. minutes from a form) within the same bounds."""
    if value <= timedelta(0) and not (allow_zero and value == timedelta(0)):
        raise Invalid(N_("The duration must be longer than zero."), field)
    if value < minimum:
        raise Invalid(
            N_("The duration must be at least %(minimum)s.", minimum=format_duration(minimum)),
            field,
        )
    if value > min(maximum, MAX_DURATION):
        raise Invalid(_duration_range(min(maximum, MAX_DURATION)), field)
    return value


def _duration_range(maximum: timedelta) -> str:
    return N_("The duration can be at most %(maximum)s.", maximum=format_duration(maximum))


# --- dates and date-times ---------------------------------------------------------------------


def day(value: object, field: str = "date") -> date:
    """A calendar date as ``YYYY-MM-DD``, in the years 1900 to 2200."""
    text = value.strip() if isinstance(value, str) else ""
    if not _DATE.match(text):
        raise Invalid(N_("Enter a date as YYYY-MM-DD."), field, code=DATETIME_FORMAT)
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise Invalid(N_("Enter a date as YYYY-MM-DD."), field, code=DATETIME_FORMAT) from None
    return bounded_day(parsed, field)


def bounded_day(value: date, field: str = "date") -> date:
    """A date already parsed (a form's DateField) within 1900..2200."""
    if isinstance(value, datetime):
        value = value.date()
    if not FIRST_DAY <= value <= LAST_DAY:
        raise Invalid(
            N_("Enter a date between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR), field
        )
    return value


def month(value: object, field: str = "month") -> date:
    """``YYYY-MM`` → the first day of that month, in the years 1900 to 2200."""
    match = _MONTH.match(value.strip()) if isinstance(value, str) else None
    if match is None or not 1 <= int(match[2]) <= 12:
        raise Invalid(N_("Enter a month as YYYY-MM."), field, code=DATETIME_FORMAT)
    return bounded_day(date(int(match[1]), int(match[2]), 1), field)


def aware_datetime(
    value: object, field: str = "start", *, span: timedelta = timedelta(0)
) -> datetime:
    """An ISO 8601 date-time with ``Z`` or an offset, as UTC, in the years 1900 to 2200.

    ``span`` (a duration that will be added) must end within the bounds too.
    """
    text = value.strip() if isinstance(value, str) else ""
    message = N_("Enter a date-time with a time zone, e.g. 2030-03-01T09:00:00Z.")
    if not _DATETIME.match(text):
        raise Invalid(message, field, code=DATETIME_FORMAT)
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(message, field, code=DATETIME_FORMAT) from None
    # The local fields are checked before any conversion: 0001-01-01T00:00+14:00
    # would overflow on its way to UTC.
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise Invalid(_datetime_between(), field)
    return bounded_instant(parsed.astimezone(UTC), field, span=span)


def bounded_instant(
    value: datetime, field: str = "start", *, span: timedelta = timedelta(0)
) -> datetime:
    """An aware date-time already parsed, as UTC, with ``value + span`` in 1900..2200."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(N_("Give the date-time with a time zone."), field, code=DATETIME_FORMAT)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Invalid(_datetime_between(), field)
    value = value.astimezone(UTC)
    if not EARLIEST <= value < LATEST:
        raise Invalid(_datetime_between(), field)
    if value >= LATEST - span:
        raise Invalid(
            N_("With its duration it must end by the end of %(last)s.", last=MAX_YEAR), field
        )
    return value


MAX_ORIGIN = 200
ORIGIN_MESSAGE = N_("Enter an origin like https://shop.example (scheme, host and port only).")
_HOST_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", re.ASCII)


def web_origin(value: object, field: str = "origin") -> str:
    """A web origin as browsers compare it: ``scheme://host[:port]``, lower-case,
    punycode host, no default port; http(s) only, no path, query or credentials.

    Its characters are letters, digits, ``.-:/[]`` only, so it is safe inside a
    Content-Security-Policy header.
    """
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_ORIGIN:
        raise Invalid(ORIGIN_MESSAGE, field)
    text = value.strip()
    match = re.fullmatch(r"(?i)(https?)://([^/?#@\s]+?)(?::(\d{1,5}))?/?", text)
    if match is None:
        raise Invalid(ORIGIN_MESSAGE, field)
    scheme, host, port = match.group(1).lower(), match.group(2), match.group(3)
    if host.startswith("["):
        raise Invalid(N_("Name the site by its host name or IPv4 address."), field)
    try:
        host = idna.encode(host, uts46=True).decode("ascii") if not host.isascii() else host
    except idna.IDNAError:
        raise Invalid(ORIGIN_MESSAGE, field) from None
    host = host.lower().rstrip(".")
    if not host or not all(_HOST_LABEL.match(label) for label in host.split(".")):
        raise Invalid(ORIGIN_MESSAGE, field)
    if port is not None:
        number = int(port)
        if not 0 < number < 65536:
            raise Invalid(ORIGIN_MESSAGE, field)
        if number != (443 if scheme == "https" else 80):
            return f"{scheme}://{host}:{number}"
    return f"{scheme}://{host}"


def optional(check, value: object, *args, **kwargs):
    """``check(value)`` or None when the value is not valid (lenient query parameters)."""
    try:
        return check(value, *args, **kwargs)
    except Invalid:
        return None


__all__ = [
    "ASCII_LOCAL_PART_MESSAGE",
    "EMAIL_MESSAGE",
    "EARLIEST",
    "FIRST_DAY",
    "LAST_DAY",
    "LATEST",
    "MAX_DURATION",
    "MAX_YEAR",
    "MIN_YEAR",
    "aware_datetime",
    "bounded_day",
    "bounded_duration",
    "bounded_instant",
    "canonical_locale",
    "day",
    "duration",
    "email",
    "is_email",
    "locale",
    "month",
    "normalize_email",
    "optional",
    "timezone_name",
    "timezone_names",
    "web_origin",
    "zone",
    "zone_or_none",
]
