"""Answers for everything that is not a success, and the request's one unit of work.

- The unit of work: a request commits once, after its view returned an answer
  below 400, and rolls back everything otherwise (outbox rows included). Domain
  operations only flush.
- A ``DomainError`` is answered in one place for the API (its JSON error shape)
  and one place for pages: the error page, or, when the view said how
  (``on_domain_error``), its own page again with the message on the form.
- Friendly pages for people, JSON for the API, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import request_log
from portal.domain.errors import DomainError, SlotUnavailable
from portal.domain import i18n
from portal.extensions import db
from portal.models import is_overlap_refusal


def N_(message: str) -> str:
    """Marks a message for the catalog; it is translated where a page shows it (the API's
    JSON stays English)."""
    return message


MESSAGES = {
    400: (N_("Bad request"), N_("The request could not be understood.")),
    401: (N_("Not signed in"), N_("Please sign in to continue.")),
    403: (N_("Not allowed"), N_("You do not have access to this page.")),
    404: (N_("Not found"), N_("There is nothing at this address.")),
    405: (N_("Not allowed"), N_("That action is not available here.")),
    409: (N_("Already taken"), N_("That was changed or taken meanwhile.")),
    410: (N_("Gone"), N_("This is no longer available.")),
    413: (N_("Too large"), N_("The request was too large.")),
    422: (N_("Invalid request"), N_("Some of the information sent was not valid.")),
    429: (N_("Too many requests"), N_("Please wait a moment before trying again.")),
    500: (N_("Something went wrong"), N_("An unexpected error happened. It has been logged.")),
    502: (N_("Not sent"), N_("A server we rely on refused the request. Please try again later.")),
    503: (N_("Unavailable"), N_("Please try again in a minute.")),
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

# What a page view does with a DomainError: given the error, the answer to send.
PageRenderer = Callable[[DomainError], Any]
# How an API view words a refusal in its own terms: given the error, the error to answer.
ApiWording = Callable[[DomainError], DomainError]
View = TypeVar("View", bound=Callable[..., Any])


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(code: int, description: str | None = None):
    title, default_text = MESSAGES.get(
        code, (N_("Error"), N_("The request could not be completed."))
    )
    if wants_json():
        body = {
            "error": API_ERROR_CODES.get(code, "error"),
            "error_description": description or default_text,
        }
        return jsonify(body), code
    text = gettext(description or default_text)
    return render_template("errors/error.html", code=code, title=gettext(title), text=text), code


def api_error_response(error: DomainError) -> Response:
    """The API's one error shape (DESIGN.md 8), in the view's terms (``api_terms``)."""
    names, wording = g.get("api_terms", ({}, None))
    if wording is not None:
        error = wording(error)
    message = str(error.message)  # the English sentence: the API is not translated
    if error.field in names:
        message = f"'{names[error.field]}': {message}"
    body = {"error": error.code, "error_description": message, **error.details}
    response = jsonify(body)
    response.status_code = error.status
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def api_terms(names: Mapping[str, str] | None = None, wording: ApiWording | None = None):
    """A view decorator: how the view's refusals read in the API's terms.

    ``names`` are the API's names of the domain's fields (snake_case): a refusal
    naming one starts with it ("'timeTo': ..."), so the caller reads what it sent.
    ``wording``, if given, first turns the error into the one to answer (extra
    payload, a hint for the caller).
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            g.api_terms = (dict(names or {}), wording)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def on_domain_error(
    render: PageRenderer, form: Any = None, names: Mapping[str, str] | None = None
) -> None:
    """Tell the page handler how this view answers a DomainError raised later on.

    The handler rolls back, puts the error's messages on ``form`` (each field
    error under its input when the form has a field of that name, or the one
    ``names`` maps the domain's field to; the rest above the form), then returns
    ``render(error)``. The answer has the error's status unless the renderer
    chose one: a form page's 422, a redirect that shows the refusal as a flash.
    """
    g.domain_error_page = (render, form, names)


def translated(text: str) -> str:
    """A domain sentence in the page's language (``portal.domain.i18n``); pages only.

    The API answers ``str(text)``, the English sentence, and never calls this.
    """
    return i18n.render(text, gettext)


def translated_message(error: DomainError) -> str:
    """The error's sentence for a page: its field errors' sentences, each translated,
    when the sentence was only put together from them (or written for the API)."""
    if error.fields and not isinstance(error.message, i18n.Message):
        return " ".join(translated(message) for message in error.fields.values())
    return translated(error.message)


def put_on_form(form: Any, error: DomainError, names: Mapping[str, str] | None = None) -> None:
    """Show a domain error under the matching inputs of a WTForms form (or above it)."""
    names = names or {}
    problems = error.fields or {"": error.message}
    for name, sentence in problems.items():
        message = translated(sentence)
        field = getattr(form, names.get(name, name), None) if name else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)


def _page_error(error: DomainError):
    view = g.pop("domain_error_page", None)
    if view is None:
        return error_response(error.status, translated_message(error))
    render_page, form, names = view
    if form is not None:
        put_on_form(form, error, names)
    response = make_response(render_page(error))
    if response.status_code == 200:
        response.status_code = error.status
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def register(app: Flask) -> None:
    @app.after_request
    def commit_unit_of_work(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            return response
        session = db.session()
        # The answer is made; what runs after (the request log) reads loaded values
        # without querying again, so the commit need not expire them.
        session.expire_on_commit = False
        try:
            session.commit()
        except IntegrityError as error:
            db.session.rollback()
            if not is_overlap_refusal(error):
                raise
            return _answer(SlotUnavailable())
        except OperationalError:
            # SQLite: "database is locked" after the busy timeout. Nothing was written.
            db.session.rollback()
            return _status_response(503, "The service is busy. Please try again.")
        finally:
            session.expire_on_commit = True
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return _answer(error)

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
        db.session.rollback()
        if not is_overlap_refusal(error):
            return unexpected_error(error)
        return _answer(SlotUnavailable())

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Structured, with the request id and without the raw path (it can hold a token).
        db.session.rollback()
        request_log.log_unhandled(error)
        return error_response(500)


def _answer(error: DomainError):
    if wants_json():
        return api_error_response(error)
    return _page_error(error)


def _status_response(code: int, description: str) -> Response:
    return make_response(error_response(code, description))


def _own_description(error: HTTPException) -> str | None:
    # Only descriptions we set ourselves (abort(400, "...")) are shown.
    if type(error).description == error.description:
        return None
    return error.description if not isinstance(error, InternalServerError) else None
