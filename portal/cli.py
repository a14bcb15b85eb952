"""``flask --app portal <command>``: demo data, users, API tokens and the notification sender."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import inspect, select
from sqlalchemy.exc import OperationalError

from portal.domain import values
from portal.domain.errors import Invalid
from portal.extensions import db
from portal.models import Role, User, normalize_email


def register(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_token_command)
    app.cli.add_command(notifications_group)


def require_schema() -> None:
    """A clear message instead of a traceback when migrations have not run."""
    try:
        ready = inspect(db.engine).has_table("users")
    except OperationalError as error:
        raise click.ClickException(f"Cannot open the database: {error.orig}") from None
    if not ready:
        raise click.ClickException(
            "The database has no tables yet. Run: flask --app portal db upgrade"
        )


def _timezone(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    try:
        return values.timezone_name(value)
    except Invalid:
        raise click.BadParameter(f"{value!r} is not an IANA time zone name.") from None


def _email(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """The one e-mail rule, so that the sign-in form accepts every address created here."""
    try:
        return values.email(value)
    except Invalid as error:
        raise click.BadParameter(error.message) from None


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data (safe to run again) and print the sign-in details."""
    from portal.demo import load_demo

    require_schema()
    summary = load_demo()
    db.session.commit()
    click.echo("Demo data is ready. Sign in at /login with:")
    for role, email, password in summary.credentials:
        click.echo(f"  {role:<11} {email:<28} password: {password}")
    click.echo(
        f"Services: {', '.join(summary.services)}; "
        f"{summary.appointments_created} new demo appointments."
    )


@click.command("create-user")
@click.option("--email", required=True, callback=_email, help="Sign-in email (unique).")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role if role != Role.CUSTOMER], case_sensitive=False),
)
@click.option("--password", help="Staff password; asked for when omitted.")
@click.option("--timezone", default="UTC", show_default=True, callback=_timezone)
@with_appcontext
def create_user_command(
    email: str, name: str, role: str, password: str | None, timezone: str
) -> None:
    """Create a staff or integration user."""
    require_schema()
    role_value = Role(role.upper())
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise click.ClickException(f"A user with the email {email} already exists.")
    user = User(email=email, name=name.strip(), role=role_value, timezone=timezone)
    if role_value != Role.CLIENT_SERVICE:
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 8:
            raise click.BadParameter("at least 8 characters", param_hint="--password")
        user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role_value.value} {email}.")


@click.command("create-token")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--name", required=True, help="What the token is for, e.g. 'CRM sync'.")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Create an API token and print it once; only its hash is kept."""
    from portal.tokens import issue_token

    require_schema()
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    if not user.active:
        raise click.ClickException(f"The user {email} is deactivated.")
    token, secret = issue_token(user, name.strip())
    db.session.add(token)
    db.session.commit()
    click.echo(secret)
    click.echo("Store it now: it cannot be shown again.", err=True)


@click.group("notifications")
def notifications_group() -> None:
    """Deliver the outbox: emails and SMS."""


@notifications_group.command("send")
@click.option("--loop", is_flag=True, help="Keep sending until stopped (Ctrl-C or SIGTERM).")
@click.option(
    "--interval",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait after a pass that found nothing to send.",
)
@with_appcontext
def notifications_send_command(loop: bool, interval: float) -> None:
    """Send the messages that are due; retry failures later with backoff."""
    import signal
    import threading

    from portal.delivery import send_due, send_loop
    from portal.notifications.sender import PassReport

    require_schema()
    if not loop:
        report = send_due()
        click.echo(f"Notifications: {report.summary()}.")
        return
    stop = threading.Event()
    # Finish the message in hand, then stop: SIGTERM from a process manager, or Ctrl-C.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def report_pass(report: PassReport) -> None:
        if report.handled:
            click.echo(f"Notifications: {report.summary()}.")

    click.echo(f"Sending notifications every {interval:g}s when idle; stop with Ctrl-C.")
    send_loop(interval=interval, stop=stop, on_pass=report_pass)
    click.echo("Stopped.")


def main() -> None:
    """The ``portal`` console script: the same commands as ``flask --app portal``."""
    from portal import create_app

    FlaskGroup(create_app=create_app)()
