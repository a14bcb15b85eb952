"""SMS gateways (config ``SMS_BACKEND``; the edge, ``portal.delivery``, picks one).

- ``log`` (default): appends one line per message to ``SMS_LOG_PATH``.
- ``locmem``: keeps messages in a list, for tests (``portal.delivery.sms_outbox(app)``).
- ``package.module:ClassName``: any class with ``send(to, text)``, built with the app.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Protocol


class SmsGateway(Protocol):
    def send(self, to: str, text: str) -> None:
        """Hand the message to the provider; raise if it was not accepted."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class LogSmsGateway:
    """Appends ``<UTC time>\\t<to>\\t<JSON text>`` lines: one line per message, whatever the
    text.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, to: str, text: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        line = f"{stamp}\t{json.dumps(to)}\t{json.dumps(text, ensure_ascii=False)}\n"
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        # One write of one line in append mode: concurrent senders do not interleave lines.
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)


class LocmemSmsGateway:
    def __init__(self, outbox: list[SmsMessage]) -> None:
        self.outbox = outbox

    def send(self, to: str, text: str) -> None:
        self.outbox.append(SmsMessage(to, text))
