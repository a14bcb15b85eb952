"""SMS through a small gateway interface (config ``SMS_BACKEND``).

- ``log`` (default): appends one line per message to ``SMS_LOG_PATH``.
- ``locmem``: keeps messages in memory, for tests (``sms_outbox()``).
- ``package.module:ClassName``: any class with ``send(to, text)``, built with the app.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import import_module
from typing import Protocol

from flask import Flask, current_app


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> None:
        """Hand the message to the provider; raise if it was not accepted."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class LogSmsGateway:
    """Appends ``<UTC time>\\t<to>\\t<JSON text>`` lines: one line per message, whatever the text."""

    def __init__(self, app: Flask) -> None:
        self.path = app.config["SMS_LOG_PATH"]

    def send(self, to: str, text: str) -> None:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        line = f"{stamp}\t{json.dumps(to)}\t{json.dumps(text, ensure_ascii=False)}\n"
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        # One write of one line in append mode: concurrent senders do not interleave lines.
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)


class LocmemSmsGateway:
    def __init__(self, app: Flask) -> None:
        self.outbox = sms_outbox(app)

    def send(self, to: str, text: str) -> None:
        self.outbox.append(SmsMessage(to, text))


BACKENDS: dict[str, type] = {"log": LogSmsGateway, "locmem": LocmemSmsGateway}


def sms_outbox(app: Flask | None = None) -> list[SmsMessage]:
    """The messages the locmem gateway has sent in this app."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions.setdefault("portal.sms_outbox", [])


def get_sms_gateway(app: Flask | None = None) -> SmsGateway:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    name = app.config.get("SMS_BACKEND") or "log"
    if name in BACKENDS:
        return BACKENDS[name](app)
    module_name, _, class_name = name.partition(":")
    if not class_name:
        raise RuntimeError(
            f"SMS_BACKEND {name!r} is not one of {', '.join(BACKENDS)} or 'module:ClassName'."
        )
    return getattr(import_module(module_name), class_name)(app)
