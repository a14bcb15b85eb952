"""Response headers every answer carries: CSP, no sniffing, no framing, referrer policy, HSTS."""

from __future__ import annotations

from flask import Flask, Response, request

# Scripts only from our own origin (htmx is vendored); inline style attributes are
# allowed because calendars position their blocks with them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)

HSTS = "max-age=31536000; includeSubDomains"


def secure_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        # Only over HTTPS: a browser told this over plain HTTP would ignore it anyway.
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def register(app: Flask) -> None:
    app.after_request(secure_headers)
