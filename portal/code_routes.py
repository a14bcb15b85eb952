"""One-time codes at the edge: what pages and the API add to ``portal.codes``.

- ``code_settings()``: the codes' settings from the app's configuration;
- ``send_code`` / ``verify_code``: ``portal.codes`` with those settings, and
  codes mailed at once with Flask-Mailman (not the outbox: the person waits);
- ``limit_code_requests`` / ``limit_code_checks``: Flask-Limiter limits per
  address and per IP with shared scopes, so the booking pages, ``/my`` and the
  API count together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_mailman import EmailMessage
from sqlalchemy.orm import Session

from portal import codes
from portal.extensions import limiter
from portal.models import CodePurpose, normalize_email

F = TypeVar("F", bound=Callable)


def code_settings() -> codes.CodeSettings:
    # Code mails go out in the language of the person asking (the request's).
    locale = str(get_locale() or "en") if has_request_context() else None
    return codes.CodeSettings.from_config(current_app.config, locale=locale)


def send_code_mail(to: str, subject: str, body: str) -> None:
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=current_app.config.get("MAIL_DEFAULT_SENDER"),
        to=[to],
    )
    message.send()


def send_code(
    session: Session, email: str, purpose: CodePurpose, now: datetime | None = None
) -> None:
    """Email a new code now (``codes.send_code``); raises CodeThrottled or CodeNotSent."""
    codes.send_code(session, code_settings(), email, purpose, send_code_mail, now)


def verify_code(
    session: Session, email: str, purpose: CodePurpose, code: str, now: datetime | None = None
) -> None:
    codes.verify_code(session, code_settings(), email, purpose, code, now)


# --- Flask-Limiter limits for the routes that send or check codes ------------------


def _ip_key() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def _email_key(email_of: Callable[[], str | None]) -> Callable[[], str]:
    def key() -> str:
        try:
            email = email_of()
        except Exception:  # a malformed body must not break the limiter
            email = None
        return f"email:{normalize_email(email)}" if email else _ip_key()

    return key


def _code_limits(kind: str, per_ip: str, per_email: str, email_of: Callable[[], str | None]):
    """Per-IP and per-address limits shared by every route of one kind (send or check)."""

    def decorator(view: F) -> F:
        view = limiter.shared_limit(
            per_ip, scope=f"code-{kind}-ip", key_func=_ip_key, methods=["POST"]
        )(view)
        view = limiter.shared_limit(
            per_email, scope=f"code-{kind}-email", key_func=_email_key(email_of), methods=["POST"]
        )(view)
        return view

    return decorator


def limit_code_requests(email_of: Callable[[], str | None]) -> Callable[[F], F]:
    """Limits for routes that send codes: per IP and per address, across all such routes."""
    return _code_limits("send", "30 per hour", "10 per hour", email_of)


def limit_code_checks(email_of: Callable[[], str | None]) -> Callable[[F], F]:
    """Limits for routes that check codes (the per-code try limit still applies)."""
    return _code_limits("check", "60 per hour", "20 per hour", email_of)
