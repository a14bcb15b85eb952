"""The one answer to "partial or whole page?" for every htmx-aware route.

htmx sends ``HX-Request: true`` with each request it makes. A route answers such a
request with its partial (a template starting with ``_`` whose root has a stable id,
included by the full page), except when the whole page is what htmx will show:

- ``HX-History-Restore-Request: true``: Back or Forward after the history cache missed;
  a fragment here would replace the whole page;
- ``HX-Boosted: true``: a boosted link or form, which swaps the whole body.

Every response whose body depended on that decision carries ``Vary`` on the headers
read, so no cache hands a fragment to a plain page load (or the reverse).
"""

from __future__ import annotations

from typing import Any

from flask import Response, after_this_request, g, make_response, redirect, render_template, request

# The request headers the decision reads: a cache must key on each of them.
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request", "HX-Boosted")


def is_htmx() -> bool:
    """Any request made by htmx (a history restore and a boosted one included)."""
    return request.headers.get("HX-Request") == "true"


def wants_partial() -> bool:
    """True when the answer should be the partial; marks the response as varying."""
    _vary_this_response()
    return (
        is_htmx()
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def vary(response: Response) -> Response:
    """``response`` marked as differing by the htmx request headers."""
    response.vary.update(VARY_HEADERS)  # one parse and one write of the header
    return response


def render_page(full: str, partial: str, /, *, status_code: int = 200, **context: Any) -> Response:
    """``partial`` for an htmx request that wants one, else ``full``; both from ``context``.

    (``status_code``, not ``status``: pages use ``status`` as a template variable.)
    """
    template = partial if wants_partial() else full
    return vary(make_response(render_template(template, **context), status_code))


def see_other(target: str) -> Response:
    """After a successful POST: a 303 to ``target``, or for htmx a redirect it follows.

    htmx would swap a followed 303's page into the form's target; ``HX-Redirect``
    makes it load ``target`` as a whole page instead.
    """
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return vary(response)
    return vary(redirect(target, code=303))


def _vary_this_response() -> None:
    # Once per request: whatever the route answers after asking carries the Vary header.
    if not g.get("_htmx_vary"):
        g._htmx_vary = True
        after_this_request(vary)
