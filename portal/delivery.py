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

from email import encoders
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase

from flask import Flask, current_app
from flask_mailman import EmailMultiAlternatives, SafeMIMEText
from flask_mailman.message import SafeMIMEMultipart

from portal.booking import waitlist
from portal.calendars.details import one_line
from portal.extensions import db, mail
from portal.models import Channel
from portal.notifications import sender
from portal.notifications.outgoing import DeliveryError, Outgoing
from portal.notifications.sender import BATCH_SIZE, PassReport
from portal.notifications.sms import LocmemSmsGateway, LogSmsGateway, SmsGateway, SmsMessage


# RFC 3834: mail made by a program; well-behaved auto-responders do not answer it.
AUTO_SUBMITTED = "auto-generated"
INVITATION_FILENAME = "invite.ics"


def calendar_part(ics: bytes, method: str) -> SafeMIMEText:
    """``text/calendar; method=...``: the alternative Outlook and Gmail show as an invitation."""
    part = SafeMIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method, requote=False)  # unquoted, as Outlook writes it
    return part


def calendar_attachment(ics: bytes, filename: str = INVITATION_FILENAME) -> MIMEBase:
    """The same calendar as an ``application/ics`` file, for clients that only offer files.

    Apple Mail and older Thunderbird releases show no invitation for a ``text/calendar``
    alternative (they render the text part and ignore the rest); a named attachment is
    what they offer to add to the calendar. ``application/ics`` rather than a second
    ``text/calendar`` so Outlook and Gmail do not show the invitation twice.
    """
    part = MIMEBase("application", "ics", name=filename)
    part.set_payload(ics)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


class PortalEmail(EmailMultiAlternatives):
    """Flask-Mailman's message with the portal's headers and invitation layout.

    ``multipart/mixed`` [``multipart/alternative`` [text/plain, text/html?,
    text/calendar; method=...], application/ics invite.ics] when there is an
    invitation; the usual text (+ html) message otherwise.
    """

    def __init__(self, *args, ics: bytes | None = None, ics_method: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ics = ics if ics_method else None
        self.ics_method = ics_method
        if self.ics is not None:
            self.attachments.append(calendar_attachment(self.ics))

    def _create_alternatives(self, msg):
        if self.ics is None:
            return super()._create_alternatives(msg)
        alternative = SafeMIMEMultipart(_subtype="alternative", encoding=self.encoding)
        alternative.attach(msg)
        for content, mimetype in self.alternatives:
            alternative.attach(self._create_mime_attachment(content, mimetype))
        alternative.attach(calendar_part(self.ics, self.ics_method))
        return alternative

    def message(self):
        msg = super().message()
        # Flask-Mailman pre-encodes a non-ASCII subject without counting "Subject: ",
        # which folds it with an empty first line (read back with a leading space). A
        # Header that knows its name folds right; the subject is one line already.
        subject = one_line(self.subject)
        del msg["Subject"]
        if subject.isascii():
            Message.__setitem__(msg, "Subject", subject)
        else:
            Message.__setitem__(msg, "Subject", Header(subject, "utf-8", header_name="Subject"))
        return msg


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
    headers = {"Auto-Submitted": AUTO_SUBMITTED}
    if message_id:
        headers["Message-ID"] = message_id
    message = PortalEmail(
        subject=one_line(subject),
        body=text_body,
        from_email=from_email,
        to=[to],
        headers=headers,
        ics=ics,
        ics_method=ics_method,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
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
