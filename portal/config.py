"""Default settings.

Precedence, lowest first: these defaults, ``instance/config.py``, ``PORTAL_*``
environment variables, then the mapping passed to ``create_app(config=...)``.
Values left as ``None`` here are filled in by ``finalize`` from the instance
folder, so a fresh checkout runs with nothing set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from werkzeug.sansio.utils import host_is_trusted


class ConfigError(click.ClickException):
    """A setting that cannot work; shown as one clear line by the CLI."""


# --- database -------------------------------------------------------------
SQLALCHEMY_DATABASE_URI: str | None = None  # default: sqlite in instance/
SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
SQLALCHEMY_TRACK_MODIFICATIONS = False

# --- security -------------------------------------------------------------
SECRET_KEY: str | None = None  # default: generated once, kept in instance/secret_key
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"  # "None" (and PARTITIONED) when embedded elsewhere (docs/embeds.md)
SESSION_COOKIE_PARTITIONED = False
SESSION_COOKIE_SECURE = False  # set True behind TLS (docs/deploy.md)
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = 8 * 3600  # a form left open over lunch still submits
# How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
# Behind one TLS proxy set 1, so client addresses (rate limits) and https (HSTS) are right.
PROXY_COUNT = 0
# The host names this site answers to (Flask's TRUSTED_HOSTS): a request whose Host (or, behind
# PROXY_COUNT proxies, X-Forwarded-Host) is another gets 400. None answers to any host, for
# development and tests; in production set it to PUBLIC_URL's host (docs/deploy.md). A list, or
# one string of comma-separated names; ".example.com" also matches its subdomains.
TRUSTED_HOSTS: list[str] | None = None
# No form or API body comes near this; a bigger one is refused (413) before it is read.
MAX_CONTENT_LENGTH = 1024 * 1024

# --- logs -----------------------------------------------------------------
# JSON lines on stderr unless logging is configured otherwise (docs/deploy.md, "Logs").
LOG_LEVEL = "INFO"  # of the "portal" loggers; gunicorn reads the same PORTAL_LOG_LEVEL
REQUEST_LOG = True  # one line per request on "portal.request", without personal data

# --- the account ----------------------------------------------------------
TIMEZONE = "UTC"  # account timezone: office hours are read in it
BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"
VIDEO_URL_TEMPLATE = "https://meet.jit.si/portal-{ticket}"
# Base of links in messages sent outside a request (reminders from the sender).
PUBLIC_URL = "http://127.0.0.1:5000"

# --- mail (Flask-Mailman names) -------------------------------------------
MAIL_BACKEND = "file"  # file | smtp | console | locmem
MAIL_FILE_PATH: str | None = None  # default: instance/mail
MAIL_SERVER = "localhost"
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME: str | None = None
MAIL_PASSWORD: str | None = None
MAIL_DEFAULT_SENDER = "Portal <no-reply@portal.localhost>"
MAIL_TIMEOUT = 10
# Deliver queued messages from the web process itself, so a newcomer's quick start sends its
# confirmations without `flask notifications send`. "auto": on for the file and console
# backends (outside tests), off for smtp, where a separate sender process is the deployment.
MAIL_SEND_IN_PROCESS: bool | str = "auto"

# --- SMS ------------------------------------------------------------------
SMS_BACKEND = "log"  # log | locmem
SMS_LOG_PATH: str | None = None  # default: instance/sms.log

# --- rate limits (Flask-Limiter names) ------------------------------------
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
# A limiter outage must not take sign-in and booking down: while Redis does not answer, each
# process applies the same limits in its own memory (Redis is retried with backoff), and any
# other limiter error is logged instead of failing the request.
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_SWALLOW_ERRORS = True
# A Redis that hangs costs a request a second, not a worker (ignored by memory://).
RATELIMIT_STORAGE_OPTIONS: dict[str, Any] = {"socket_connect_timeout": 1, "socket_timeout": 1}

# --- staff sign-in ----------------------------------------------------------
# Password tries per client address (a Flask-Limiter limit, off with RATELIMIT_ENABLED).
SIGN_IN_ADDRESS_LIMIT = "10 per minute"
# And per account, from any address: this many failures within the window lock the
# account's sign-in for SIGN_IN_ACCOUNT_LOCK_MINUTES, even with the right password
# (0: no account lock). Counted in RATELIMIT_STORAGE_URI's storage, whatever RATELIMIT_ENABLED.
SIGN_IN_ACCOUNT_FAILURES = 10
SIGN_IN_ACCOUNT_WINDOW_MINUTES = 15
SIGN_IN_ACCOUNT_LOCK_MINUTES = 15

# --- booking --------------------------------------------------------------
HOLD_MINUTES = 10
# E-mail addresses one client address may hold slots for an hour (each hold needs an e-mail
# and a sent code; one live hold per e-mail and per browser). 0 turns the limit off.
HOLDS_PER_ADDRESS_PER_HOUR = 10
# A time that frees up is offered to the first customer on the day's waitlist and held for
# them this long; then it goes to the next one (docs/waitlist.md).
WAITLIST_HOLD_MINUTES = 15
ONE_TIME_CODE_MINUTES = 10
ONE_TIME_CODE_MAX_ATTEMPTS = 5
ONE_TIME_CODE_RESEND_SECONDS = 60  # one new code per address and purpose this often
ONE_TIME_CODES_PER_HOUR = 6  # and at most this many an hour
CUSTOMER_SESSION_HOURS = 12  # a customer's proven email stays signed in this long

# --- the shared availability cache (portal/availability_cache.py) ----------
# Month grids, day partials and slot lists, keyed by the availability versions they read.
AVAILABILITY_CACHE_ENABLED = True
AVAILABILITY_CACHE_SECONDS = 3600  # the longest an unchanged answer is kept
# Flask-Caching's own keys: with neither set, an in-process SimpleCache; with
# CACHE_REDIS_URL (e.g. redis://127.0.0.1:6379/2), Redis, shared by every app server.
CACHE_TYPE = ""
CACHE_REDIS_URL = ""
CACHE_KEY_PREFIX = "portal:"
CACHE_THRESHOLD = 2000  # SimpleCache / FileSystemCache: entries kept per process

# --- notifications --------------------------------------------------------
NOTIFICATIONS_MAX_ATTEMPTS = 8
NOTIFICATIONS_BACKOFF_SECONDS = 60  # doubled on each failed try

# --- webhooks (docs/webhooks.md) ----------------------------------------------
# Refuse endpoints whose host resolves to a loopback or private address (at subscribe
# and at send time). Off by default so a receiver on this machine works in development;
# production turns it on (docs/deploy.md).
WEBHOOK_BLOCK_PRIVATE_ADDRESSES = False


def finalize(config: dict[str, Any], instance_path: str) -> None:
    """Fill the instance-folder defaults and check what would fail later."""
    instance = Path(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'portal.sqlite'}"
    _check_sqlite_directory(config["SQLALCHEMY_DATABASE_URI"])
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # Database errors, and so logged tracebacks, show statements without their values (emails).
    options.setdefault("hide_parameters", True)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Booking transactions wait for each other instead of failing at once.
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret_key(instance)
    if not config.get("MAIL_FILE_PATH"):
        config["MAIL_FILE_PATH"] = str(instance / "mail")
    if not config.get("SMS_LOG_PATH"):
        config["SMS_LOG_PATH"] = str(instance / "sms.log")
    config["TRUSTED_HOSTS"] = _trusted_hosts(config.get("TRUSTED_HOSTS"), config["PUBLIC_URL"])
    _check_timezone(config["TIMEZONE"])
    config["BABEL_DEFAULT_LOCALE"] = _check_locale(config["BABEL_DEFAULT_LOCALE"])


def _check_sqlite_directory(uri: str) -> None:
    if not uri.startswith("sqlite:///") or uri in ("sqlite://", "sqlite:///:memory:"):
        return
    path = Path(uri.removeprefix("sqlite:///").split("?", 1)[0])
    if path.name and not path.parent.is_dir():
        raise ConfigError(
            f"The database directory {str(path.parent)!r} does not exist. "
            "Create it or set PORTAL_SQLALCHEMY_DATABASE_URI to another path."
        )


def _trusted_hosts(value: Any, public_url: str) -> list[str] | None:
    """TRUSTED_HOSTS as a list, which must admit PUBLIC_URL's own host."""
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(name, str) for name in names):
        raise ConfigError("TRUSTED_HOSTS must be a list of host names, e.g. portal.example.com.")
    hosts = [name.strip().lower() for name in names if name.strip()]
    public_host = urlsplit(public_url).hostname or ""
    if not host_is_trusted(public_host, hosts):
        raise ConfigError(
            f"TRUSTED_HOSTS {hosts!r} does not include PUBLIC_URL's host {public_host!r}: "
            "every link the portal sends would be refused."
        )
    return hosts


def _check_timezone(name: str) -> None:
    from portal.domain import values
    from portal.domain.errors import Invalid

    try:
        values.timezone_name(name)
    except Invalid:
        raise ConfigError(f"TIMEZONE {name!r} is not an IANA time zone name.") from None


def _check_locale(name: str) -> str:
    from portal.domain import values
    from portal.domain.errors import Invalid

    try:
        return values.locale(name)
    except Invalid:
        raise ConfigError(
            f"BABEL_DEFAULT_LOCALE {name!r} is not a locale such as en or en_GB."
        ) from None


def _instance_secret_key(instance: Path) -> str:
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with 0600 so only the service account can read it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
