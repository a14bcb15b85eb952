"""Webhook secrets: made, kept encrypted, and used to sign (Standard Webhooks).

A secret is ``whsec_`` + base64 of 24 random bytes, the form the ``standardwebhooks``
libraries read. The sender must sign every delivery with it, so it cannot be stored as
a hash: it is stored encrypted (Fernet) under a key derived from ``SECRET_KEY``, so a
copy of the database alone (a backup, a replica) does not let anyone forge deliveries.
Changing ``SECRET_KEY`` makes the stored secrets unreadable: deliveries then fail until
each subscription gets a new secret (docs/decisions.md, "Webhooks (issue 19)").
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # nosec B105 # the format's prefix, not a secret
SECRET_BYTES = 24
_KEY_CONTEXT = b"portal webhook secrets v1:"


class SecretUnreadable(RuntimeError):
    """The stored secret does not decrypt with this SECRET_KEY."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(_KEY_CONTEXT + secret_key.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(stored: str, secret_key: str) -> str:
    try:
        return _fernet(secret_key).decrypt(stored.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise SecretUnreadable(
            "The webhook secret does not decrypt with this SECRET_KEY; give it a new secret."
        ) from None


def signature_headers(secret: str, message_id: str, timestamp: datetime, body: str) -> dict:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for ``body``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, timestamp, body),
    }
