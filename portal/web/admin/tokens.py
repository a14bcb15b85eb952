"""/admin/tokens: create (the secret is shown once), list and revoke API tokens."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from portal.admin import tokens as domain
from portal.errors import on_domain_error
from portal.extensions import db
from portal.models import User
from portal.web.admin import bp
from portal.web.admin.forms import ROLE_LABELS, TokenForm
from portal.web.admin.helpers import form_page
from portal.web.forms import ActionForm


def _form(*, fresh: bool = False) -> TokenForm:
    # ``fresh``: an empty form even while answering a POST.
    form = TokenForm(formdata=None) if fresh else TokenForm()
    form.user.choices = [("", _("Choose a user…"))] + [
        (str(user.id), f"{user.name} · {user.email} · {ROLE_LABELS[user.role]}")
        for user in domain.token_owners(db.session)
    ]
    return form


def _page(form: TokenForm, secret: str | None = None, created=None):
    response = form_page(
        "admin/tokens.html",
        form,
        tokens=domain.list_tokens(db.session),
        action_form=ActionForm(formdata=None),
        secret=secret,
        created=created,
        role_labels=ROLE_LABELS,
    )
    # The secret is in this page only: never cache it anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/tokens")
def tokens():
    return _page(_form())


@bp.post("/tokens")
def token_create():
    form = _form()
    if not form.validate_on_submit():
        return _page(form)
    user = None
    try:
        user = db.session.get(User, uuid.UUID(form.user.data or ""))
    except ValueError:
        user = None
    on_domain_error(lambda error: _page(form), form)
    token, secret = domain.create_token(db.session, user, form.name.data or "")
    response = _page(_form(fresh=True), secret=secret, created=token)
    response.status_code = 201
    return response


@bp.post("/tokens/<uuid:token_id>/revoke")
def token_revoke(token_id: uuid.UUID):
    token = domain.get_token(db.session, token_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    domain.revoke_token(db.session, token)
    flash(_("The token “%(name)s” was revoked; it no longer works.", name=token.name), "success")
    return redirect(url_for("admin.tokens"))
