"""One JSON line per request, and the app's logs as JSON lines on stderr, without personal data.

A request line names the route (``/manage/<token>``) and endpoint, never the raw
URL: the query string can hold an email and some path segments are credentials
(manage tokens, calendar feed secrets). Only path values known to be harmless
(ids that are UUIDs, dates, service slugs) are filled into the logged path. The
client's address is personal data and is not logged; bodies, cookies and headers
(but a valid ``X-Request-ID``) are never read here. A signed-in staff or API
user is named by role and id only.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, UTC
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask.logging import default_handler
from sqlalchemy import inspect as sa_inspect

from portal.config import ConfigError

APP_LOGGER = "portal"
log = logging.getLogger("portal.request")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only if it is short and plain: it is echoed in a header and logged.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

# `<converter(args):name>` in a Werkzeug rule.
RULE_VARIABLE = re.compile(r"<(?:[^<>]*:)?(?P<name>\w+)>")
# Path values shown as they are; every other value stays `<name>` in the logged path.
HARMLESS_VALUES = {
    "slug": re.compile(r"[a-z0-9][a-z0-9-]{0,79}"),
    "day": re.compile(r"\d{4}-\d{2}-\d{2}"),
}

# Exception texts can quote values (PostgreSQL: "Key (email)=(…) already exists").
EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

_HANDLER_NAME = "portal-json-stderr"
_FIELDS = "fields"  # the LogRecord attribute that carries a line's structured fields


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC), level, logger, message, then its fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": _without_emails(record.getMessage()),
        }
        line.update(getattr(record, _FIELDS, None) or {})
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__qualname__
            line["traceback"] = _without_emails(self.formatException(record.exc_info))
        return json.dumps(line, default=str)


def _without_emails(text: str) -> str:
    return EMAIL_ADDRESS.sub("<email>", text)


def json_handler(stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    return handler


def register(app: Flask) -> None:
    configure_logging(app)
    # First of all before-request hooks, so a request refused by another one
    # (a rate limit) still has its id and duration.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)


def configure_logging(app: Flask) -> None:
    """Set the level of the portal's loggers and, unless logging is configured already,
    log to stderr.

    Like ``logging.basicConfig``: when the root logger has handlers (pytest, a
    gunicorn ``--log-config``), records go there. Under a plain gunicorn or
    ``flask`` command nothing is configured, so JSON lines go to stderr, which
    systemd hands to journald.
    """
    logger = logging.getLogger(APP_LOGGER)
    logger.setLevel(_level(app.config["LOG_LEVEL"]))
    if logging.root.handlers or any(h.name == _HANDLER_NAME for h in logger.handlers):
        return
    handler = json_handler()
    handler.name = _HANDLER_NAME
    logger.addHandler(handler)
    # Flask's own plain-text handler would print every line a second time.
    logger.removeHandler(default_handler)


def _level(value: Any) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).upper())
    if not isinstance(level, int):
        raise ConfigError(
            f"LOG_LEVEL {value!r} is not a logging level (DEBUG, INFO, WARNING, ERROR)."
        )
    return level


def request_id() -> str:
    """This request's id: the caller's valid ``X-Request-ID``, else a new one."""
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


def log_unhandled(error: BaseException) -> None:
    """An exception no view handled: the traceback goes to the log, never to the answer."""
    log.error("unhandled error", exc_info=error, extra={_FIELDS: _request_fields()})


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    if current_app.config["REQUEST_LOG"]:
        fields = _request_fields() | {
            "status": response.status_code,
            "size": response.content_length,
        }
        started = g.get("request_started")
        if started is not None:
            fields["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
        log.info("request", extra={_FIELDS: fields})
    return response


def _request_fields() -> dict[str, Any]:
    rule = request.url_rule
    return {
        "request_id": request_id(),
        "method": request.method,
        "route": rule.rule if rule is not None else None,
        "endpoint": request.endpoint,
        "path": loggable_path(),
        **_user_fields(),
    }


def loggable_path() -> str | None:
    """The matched rule with harmless values filled in; ``None`` when no rule matched.

    An unmatched path is not logged at all: it is whatever the client typed,
    a mistyped manage link included.
    """
    rule = request.url_rule
    if rule is None:
        return None
    values = request.view_args or {}

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        shown = _harmless(name, values.get(name))
        return shown if shown is not None else f"<{name}>"

    return RULE_VARIABLE.sub(fill, rule.rule)


def _harmless(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if name.endswith("_id"):
        try:
            return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            return None
    pattern = HARMLESS_VALUES.get(name)
    text = str(value)
    return text if pattern is not None and pattern.fullmatch(text) else None


def _user_fields() -> dict[str, Any]:
    # Only a user the request already loaded (API token, Flask-Login's ``g._login_user``):
    # asking ``current_user`` here would query the database on requests that never
    # needed a user, such as static files.
    user = g.get("api_user") or g.get("_login_user")
    state = sa_inspect(user, raiseerr=False) if user is not None else None
    if state is None or state.identity is None:
        return {}
    # Read from what is loaded: an expired instance (after a rollback) must not query.
    role = state.dict.get("role")
    return {"user_id": str(state.identity[0]), "user_role": str(role) if role is not None else None}
