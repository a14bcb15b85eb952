"""Extensions, created unbound and initialised in ``create_app``."""

from typing import Any

from flask import Flask, current_app, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import SESSION_KEYS
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect

from limits.storage import storage_from_string

from portal.domain.settings import Settings, bind_settings
from portal.models.base import Base
from portal.sign_ins import AccountLock, SignInLimits

SETTINGS = "portal.settings"
SIGN_IN_LOCK = "portal.sign_in_lock"


def init_settings(app: Flask) -> Settings:
    """Build the domain's settings once from the finished config (``create_app``)."""
    settings = Settings.from_config(app.config)
    app.extensions[SETTINGS] = settings
    return settings


def settings(app: Flask | None = None) -> Settings:
    """The app's domain settings, for the edges to hand on."""
    return (app or current_app).extensions[SETTINGS]


def init_sign_in_lock(app: Flask) -> AccountLock:
    """The per-account sign-in lock, counting in the rate limits' storage (Redis in production)."""
    config = app.config
    storage = storage_from_string(
        config.get("RATELIMIT_STORAGE_URI") or "memory://",
        **dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {}),
    )
    lock = AccountLock(
        storage, SignInLimits.from_config(config), prefix=config.get("RATELIMIT_KEY_PREFIX", "")
    )
    app.extensions[SIGN_IN_LOCK] = lock
    return lock


def sign_in_lock(app: Flask | None = None) -> AccountLock:
    return (app or current_app).extensions[SIGN_IN_LOCK]


class _Session(FlaskSession):
    """Flask-SQLAlchemy's session, carrying its app's settings into the domain."""

    def __init__(self, db: SQLAlchemy, **kwargs: Any) -> None:
        super().__init__(db, **kwargs)
        # Made lazily inside an app context (the session is scoped to it).
        bind_settings(self, settings())


db = SQLAlchemy(model_class=Base, session_options={"class_": _Session})
migrate = Migrate()


class _LoginManager(LoginManager):
    """Flask-Login, without "strong" session protection failing on sessions nobody signed into.

    Such a session (a CSRF token, a browser key) holds none of Flask-Login's keys, so the
    failure had nothing to remove, yet it marked the session changed on every request:
    each anonymous page re-signed and re-sent the session cookie and a remember-cookie
    deletion. The portal has no remember-me cookie. Sessions with a user are checked as before.
    """

    def _session_protection_failed(self) -> bool:
        if not any(key in session for key in SESSION_KEYS):
            return False
        return super()._session_protection_failed()


login_manager = _LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
mail = Mail()
babel = Babel()
