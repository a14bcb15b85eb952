"""Webhook secrets: Standard Webhooks' format, kept encrypted, unreadable under another key."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest
from standardwebhooks import Webhook

from portal.webhooks.signing import (
    SecretUnreadable,
    decrypt_secret,
    encrypt_secret,
    new_secret,
    signature_headers,
)


def test_secrets_round_trip_and_are_not_stored_in_clear():
    secret = new_secret()
    stored = encrypt_secret(secret, "key one")
    assert secret.startswith("whsec_") and secret not in stored
    assert decrypt_secret(stored, "key one") == secret
    with pytest.raises(SecretUnreadable):
        decrypt_secret(stored, "key two")


def test_headers_verify_with_the_reference_library():
    secret = new_secret()
    now = datetime.now(UTC)
    headers = signature_headers(secret, "msg_1", now, '{"a":1}')
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert Webhook(secret).verify('{"a":1}', headers) == {"a": 1}
