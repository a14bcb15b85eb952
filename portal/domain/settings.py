"""The settings the domain reads, as one frozen value built once from the app's config.

The domain never reads ``app.config``: ``create_app`` builds ``Settings`` once and the
edges hand them on. Domain functions that already take the request's ``session`` read
them from it (``settings_of(session)``): the session is the unit of work the edge gives
every operation, and it carries its settings the way it carries its connection
(``bind_settings`` is called by whoever makes the session: ``portal.extensions`` for
Flask-SQLAlchemy's). Pure helpers take the one value they need as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

_SESSION_KEY = "portal.settings"


@dataclass(frozen=True)
class Settings:
    public_url: str  # base of every absolute link (mails, calendar files, manage links)
    timezone: str  # the account's time zone: office hours are read in it
    video_url_template: str  # a room's URL, ``{ticket}`` replaced by the ticket
    hold_minutes: int  # a held slot is kept this long while the customer confirms
    holds_per_address_per_hour: int  # holds one client address may make an hour
    mail_default_sender: str  # From: of mail whose service has no verified sender
    notifications_max_attempts: int
    notifications_backoff_seconds: int  # doubled on each failed try
    secret_key: str = field(repr=False)  # signs manage links
    waitlist_hold_minutes: int = 15  # a freed time offered from the waitlist is held this long
    webhook_block_private_addresses: bool = False  # webhooks only to public hosts
    # Where mails and calendar files find their wording (Flask-Babel's directories).
    translation_directories: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        return cls(
            public_url=str(config["PUBLIC_URL"]).rstrip("/"),
            timezone=str(config["TIMEZONE"]),
            video_url_template=str(config["VIDEO_URL_TEMPLATE"]),
            hold_minutes=int(config["HOLD_MINUTES"]),
            holds_per_address_per_hour=int(config["HOLDS_PER_ADDRESS_PER_HOUR"]),
            mail_default_sender=str(config["MAIL_DEFAULT_SENDER"]),
            notifications_max_attempts=int(config["NOTIFICATIONS_MAX_ATTEMPTS"]),
            notifications_backoff_seconds=int(config["NOTIFICATIONS_BACKOFF_SECONDS"]),
            secret_key=str(config["SECRET_KEY"]),
            waitlist_hold_minutes=int(config.get("WAITLIST_HOLD_MINUTES", 15)),
            webhook_block_private_addresses=_flag(config.get("WEBHOOK_BLOCK_PRIVATE_ADDRESSES")),
            translation_directories=_package_paths(
                config.get("BABEL_TRANSLATION_DIRECTORIES") or "translations"
            ),
        )

    def absolute_url(self, path: str) -> str:
        """``path`` (starting with /) under ``PUBLIC_URL``."""
        return f"{self.public_url}{path}"


def _package_paths(value: str) -> tuple[str, ...]:
    """ ";"-separated directories, relative ones under the package (as Flask-Babel reads them)."""
    package = Path(__file__).resolve().parent.parent
    return tuple(str(package / name.strip()) for name in str(value).split(";") if name.strip())


def _flag(value: Any) -> bool:
    """A boolean setting; the strings "false", "0", "no", "off" and "" are False."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)


def bind_settings(session: Session, settings: Settings) -> None:
    session.info[_SESSION_KEY] = settings


def settings_of(session: Session) -> Settings:
    """The settings of the unit of work ``session`` belongs to."""
    try:
        return session.info[_SESSION_KEY]
    except KeyError:
        raise RuntimeError(
            "This session carries no portal settings: "
            "call portal.domain.settings.bind_settings(session, settings) where it is made."
        ) from None
