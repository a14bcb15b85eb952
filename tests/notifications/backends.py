"""Mail backends for tests, named by dotted path in MAIL_BACKEND."""

from __future__ import annotations

import random
import smtplib
import threading
import time

from flask_mailman.backends.base import BaseEmailBackend

# Switched by tests: while True, FailingEmailBackend refuses every message.
state = {"down": False}
_lock = threading.Lock()
delivered: list[tuple[str, str]] = []  # (thread name, recipient), for RecordingEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    """Like locmem, but refuses everything while ``state['down']``."""

    def send_messages(self, messages):
        if state["down"]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        if not hasattr(self.mailman, "outbox"):
            self.mailman.outbox = []
        for message in messages:
            message.message()
            self.mailman.outbox.append(message)
        return len(messages)


class RecordingEmailBackend(BaseEmailBackend):
    """Records who sent what, taking a little time like a real server would."""

    def send_messages(self, messages):
        time.sleep(random.uniform(0, 0.003))
        with _lock:
            for message in messages:
                message.message()
                delivered.append((threading.current_thread().name, message.to[0]))
        return len(messages)
