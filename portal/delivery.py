"""The sender's edge: Flask-Mailman for email, the configured SMS gateway, the app's session.

``portal.notifications.sender`` decides what to send and when; this module gives it a
session (``db.session``, carrying the app's settings) and a ``Transport`` that delivers
through the app's mail extension and ``SMS_BACKEND``. ``portal notifications send``
runs ``send_due`` / ``send_loop`` from here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from importlib import import_module

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, SafeMIMEText

from portal.booking import waitlist
from portal.calendars.details import one_line
from portal.extensions import db, mail
from portal.models import Channel
from portal.notifications import sender
from portal.notifications.outgoing import DeliveryError, Outgoing
from portal.notifications.sender import BATCH_SIZE, PassReport
from portal.notifications.sms import LocmemSmsGateway, LogSmsGateway, SmsGateway, SmsMessage


def calendar_part(ics: bytes, method: str, filename: str = "invite.ics") -> SafeMIMEText:
    """``text/calendar; method=...`` as an attachment, which mail clients offer to import."""
    part = SafeMIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def build_email(
    *,
    from_email: str,
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    ics: bytes | None = None,
    ics_method: str | None = None,
    message_id: str | None = None,
) -> EmailMultiAlternatives:
    """The mail; ``message_id`` (an outbox row's) replaces the one Flask-Mailman would make."""
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=text_body,
        from_email=from_email,
        to=[to],
        headers={"Message-ID": message_id} if message_id else None,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    if ics is not None and ics_method:
        message.attach(calendar_part(ics, ics_method))
    return message


def deliver_email(message: EmailMultiAlternatives) -> None:
    """Send now over a fresh connection (one file per message with the file backend)."""
    connection = mail.get_connection()
    if connection.send_messages([message]) != 1:
        raise DeliveryError("The mail backend did not accept the message.")


def sms_outbox(app: Flask) -> list[SmsMessage]:
    """The messages the locmem gateway has sent in this app."""
    return app.extensions.setdefault("portal.sms_outbox", [])


def sms_gateway(app: Flask) -> SmsGateway:
    """The gateway ``SMS_BACKEND`` names (read when sending, so tests may switch it)."""
    name = app.config.get("SMS_BACKEND") or "log"
    if name == "log":
        return LogSmsGateway(app.config["SMS_LOG_PATH"])
    if name == "locmem":
        return LocmemSmsGateway(sms_outbox(app))
    module_name, _, class_name = name.partition(":")
    if not class_name:
        raise RuntimeError(f"SMS_BACKEND {name!r} is not log, locmem or 'module:ClassName'.")
    return getattr(import_module(module_name), class_name)(app)


class AppTransport:
    """Delivers through the app's mail extension and SMS gateway (in its app context)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def deliver(self, outgoing: Outgoing) -> None:
        if outgoing.channel == Channel.SMS:
            sms_gateway(self.app).send(outgoing.recipient, outgoing.text_body)
            return
        deliver_email(
            build_email(
                from_email=outgoing.from_email,
                to=outgoing.recipient,
                subject=outgoing.subject,
                text_body=outgoing.text_body,
                html_body=outgoing.html_body,
                ics=outgoing.ics,
                ics_method=outgoing.ics_method,
                message_id=outgoing.message_id,
            )
        )


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def _offer_waitlist(session, clock: datetime) -> None:
    waitlist.offer_freed_slots(session, now=clock)


# What every sender pass does before sending: offer freed times to the waitlist.
PASS_STEPS = (_offer_waitlist,)


def send_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> PassReport:
    """One sender pass for the current app (see ``portal.notifications.sender``)."""
    return sender.send_due(
        db.session, AppTransport(_app()), now=now, batch_size=batch_size, steps=PASS_STEPS
    )


def send_loop(
    *,
    interval: float,
    stop: threading.Event,
    on_pass: Callable[[PassReport], None] | None = None,
) -> None:
    """Sender passes for the current app until ``stop`` is set."""
    transport = AppTransport(_app())
    sender.send_loop(
        db.session, transport, interval=interval, stop=stop, on_pass=on_pass, steps=PASS_STEPS
    )


# Seconds between the in-process sender's idle passes: quick enough that a confirmation is
# in the mail folder by the time the confirmation page has loaded.
IN_PROCESS_INTERVAL = 2.0
_in_process_lock = threading.Lock()
IN_PROCESS_EXTENSION = "portal.in_process_sender"


def sends_in_process(app: Flask) -> bool:
    """``MAIL_SEND_IN_PROCESS``, with "auto" meaning the file or console backend outside tests."""
    value = app.config.get("MAIL_SEND_IN_PROCESS", "auto")
    if value == "auto":
        return app.config["MAIL_BACKEND"] in ("file", "console") and not app.testing
    return bool(value)


def start_in_process_sender(app: Flask) -> None:
    """A daemon thread of sender passes in this process, started once per app (first request).

    Started by serving rather than by ``create_app``, so CLI commands (migrations, the demo)
    never run a sender. Several processes may each run one: the claim's lease keeps every
    message to one of them.
    """
    if IN_PROCESS_EXTENSION in app.extensions:  # every request after the first
        return
    with _in_process_lock:
        if IN_PROCESS_EXTENSION in app.extensions:
            return
        stop = threading.Event()

        def run() -> None:
            with app.app_context():
                send_loop(interval=IN_PROCESS_INTERVAL, stop=stop)

        thread = threading.Thread(target=run, name="portal-in-process-sender", daemon=True)
        app.extensions[IN_PROCESS_EXTENSION] = (thread, stop)
        thread.start()


def stop_in_process_sender(app: Flask, timeout: float = 10.0) -> None:
    """Stop the thread after the message in hand (tests; a process ending needs nothing)."""
    running = app.extensions.pop(IN_PROCESS_EXTENSION, None)
    if running is not None:
        thread, stop = running
        stop.set()
        thread.join(timeout)
