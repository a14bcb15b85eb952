"""Rendered pickers shared by every visitor, through the shared availability cache.

The month page and the day partial are the same for everyone who asks with the
same values in the same locale, until availability changes (on any server) or
time alone changes them: ``portal.availability_cache`` keys them by the
availability versions they read. The visitor's CSRF token is filled in after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import g

from portal import availability_cache
from portal.booking.versions import VersionsRead
from portal.extensions import db
from portal.web.formatting import locale

# Rendered pickers are cached with this in place of the visitor's CSRF token.
CSRF_PLACEHOLDER = "__portal_csrf_token__"


def cached_render(
    slug: str,
    key: tuple,
    compute: Callable[[], tuple[str, dict, datetime | None]],
    *,
    now: datetime,
) -> tuple[str, dict]:
    """``compute()`` → (html, meta, changes_at), shared while it holds.

    The html must hold no per-visitor data except ``CSRF_PLACEHOLDER``; ``meta``
    must name the service it was computed for (``meta["id"]``): an answer for
    another service than the versions read (a slug that moved meanwhile) is not kept.
    """

    def answer(service_id) -> tuple[tuple[str, dict], datetime | None]:
        html, meta, changes_at = compute()
        if meta.get("id") != service_id:
            changes_at = now  # not the service whose versions name it: do not keep
        return (html, meta), changes_at

    def full_key(found: VersionsRead) -> tuple:
        # The service's locale (the language's last resort, ``portal.i18n``) came with the
        # versions: the locale is chosen without a statement of its own.
        g.setdefault("service_locale", found.service_locale)
        return ("rendered", str(locale()), slug, *key)

    return availability_cache.cached(db.session, full_key, answer, now=now, slug=slug)
