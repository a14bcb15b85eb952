"""Portal: a server-rendered booking portal for video-call appointments."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from portal import config as default_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the application.

    Settings are read from ``portal/config.py``, then ``instance/config.py``,
    then ``PORTAL_*`` environment variables, then ``config``.
    """
    app = Flask(
        __name__,
        instance_path=instance_path or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(default_config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if config:
        app.config.from_mapping(config)
    default_config.finalize(app.config, app.instance_path)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    _init_extensions(app)
    _register_blueprints(app)

    from portal import cli, errors, request_log, security, templating

    request_log.register(app)
    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    _deliver_in_process(app)
    return app


def _deliver_in_process(app: Flask) -> None:
    from portal import delivery

    if delivery.sends_in_process(app):
        app.before_request(lambda: delivery.start_in_process_sender(app))


def _init_extensions(app: Flask) -> None:
    from portal import auth
    from portal.extensions import babel, csrf, db, init_settings, limiter, login_manager, mail
    from portal.extensions import init_sign_in_lock, migrate

    init_settings(app)
    init_sign_in_lock(app)
    db.init_app(app)
    with app.app_context():
        from portal.database import configure_engine

        for engine in db.engines.values():
            configure_engine(engine)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    login_manager.init_app(app)
    auth.configure_login(login_manager)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    if app.config["MAIL_BACKEND"] == "file":
        from portal.mail_backends import EmlFileBackend

        app.extensions["mailman"].backend = EmlFileBackend
    from portal import i18n

    i18n.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    from portal import availability_cache

    availability_cache.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from portal import api
    from portal.extensions import csrf
    from portal.web import admin, agent, health, public
    from portal.web import auth as auth_views
    from portal.web import booking, customer, feeds, manage

    app.register_blueprint(public.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(booking.bp)
    from portal.web import language, waitlist

    app.register_blueprint(language.bp)

    app.register_blueprint(waitlist.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(customer.bp)
    app.register_blueprint(agent.bp)
    from portal.web import team

    app.register_blueprint(team.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(feeds.bp)
    if app.config["MAIL_BACKEND"] == "file":
        # Development only: the mail the file backend wrote. Never there for smtp.
        from portal.web import dev_mail

        app.register_blueprint(dev_mail.bp)
    # The API authenticates with bearer tokens, never cookies, so CSRF cannot apply.
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
