"""Error answers: friendly pages for people, JSON for the API, never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import request_log
from portal.api.errors import ApiError
from portal.booking.errors import SlotUnavailable
from portal.extensions import db
from portal.models import is_overlap_refusal

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Not allowed", "That action is not available here."),
    409: ("Already taken", "That was changed or taken meanwhile."),
    413: ("Too large", "The request was too large."),
    422: ("Invalid request", "Some of the information sent was not valid."),
    429: ("Too many requests", "Please wait a moment before trying again."),
    500: ("Something went wrong", "An unexpected error happened. It has been logged."),
}

API_ERROR_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "server_error",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(code: int, description: str | None = None):
    title, default_text = MESSAGES.get(code, ("Error", "The request could not be completed."))
    if wants_json():
        body = {
            "error": API_ERROR_CODES.get(code, "error"),
            "error_description": description or default_text,
        }
        return jsonify(body), code
    return render_template("errors/error.html", code=code, title=title, text=description or default_text), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400, "The form had expired or was sent from elsewhere. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        # Werkzeug's default descriptions are fine for people; ours are shorter.
        description = None if code in (404, 405, 429, 500) else _own_description(error)
        return error_response(code, description)

    @app.errorhandler(IntegrityError)
    def refused_write(error: IntegrityError):
        # The database's overlap guard caught a double booking some code path let through.
        if not is_overlap_refusal(error):
            return unexpected_error(error)
        db.session.rollback()
        taken = SlotUnavailable()
        if wants_json():
            return ApiError(taken.status, taken.code, taken.message).response()
        return error_response(taken.status, taken.message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Structured, with the request id and without the raw path (it can hold a token).
        request_log.log_unhandled(error)
        return error_response(500)


def _own_description(error: HTTPException) -> str | None:
    # Only descriptions we set ourselves (abort(400, "...")) are shown.
    if type(error).description == error.description:
        return None
    return error.description if not isinstance(error, InternalServerError) else None
