"""``POST /language``: the header's language menu. Remembers the choice and goes back.

The choice lives in a cookie (``portal.i18n.COOKIE``), which comes first when the locale is
chosen; ``next`` is the page the menu was on, followed only when it is a local path.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from portal import i18n
from portal.auth import is_safe_next

bp = Blueprint("language", __name__)


@bp.post("/language")
def choose():
    language = request.form.get("language", "")
    if language not in i18n.LANGUAGES:
        abort(400)
    target = request.form.get("next")
    response = redirect(target if is_safe_next(target) else url_for("public.index"), 303)
    response.set_cookie(i18n.COOKIE, language, **i18n.cookie_options())
    return response
