"""Response headers every answer carries: CSP, no sniffing, no framing, referrer policy, HSTS.

No page may be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), except
the embedded booking flow (``/embed/<slug>``): its views call ``allow_framing_by`` with
the service's origins, which then become the only ``frame-ancestors`` and the answer
carries no ``X-Frame-Options`` (it cannot name several origins; every browser that
reads CSP obeys ``frame-ancestors`` instead).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, g, request


NO_ANCESTORS = "'none'"


def content_security_policy(frame_ancestors: Sequence[str] = ()) -> str:
    """The policy; ``frame_ancestors`` are validated origins (``portal.domain.values``)."""
    # Scripts only from our own origin (htmx is vendored); inline style attributes are
    # allowed because calendars position their blocks with them.
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            f"frame-ancestors {' '.join(frame_ancestors) if frame_ancestors else NO_ANCESTORS}",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()

HSTS = "max-age=31536000; includeSubDomains"


def allow_framing_by(origins: Sequence[str]) -> None:
    """Let pages of ``origins`` (and only them) frame this request's answer."""
    g.frame_ancestors = list(origins)


def secure_headers(response: Response) -> Response:
    headers = response.headers
    ancestors = g.get("frame_ancestors")
    if ancestors:
        headers["Content-Security-Policy"] = content_security_policy(ancestors)
        headers.pop("X-Frame-Options", None)
    else:
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        # Only over HTTPS: a browser told this over plain HTTP would ignore it anyway.
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def register(app: Flask) -> None:
    app.after_request(secure_headers)
