"""Staff sign-in and sign-out."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import sign_ins
from portal.auth import is_safe_next
from portal.errors import on_domain_error
from portal.extensions import db, limiter, sign_in_lock
from portal.templating import home_url
from portal.web.forms import ActionForm, LoginForm

bp = Blueprint("auth", __name__)


def _sign_in_limit_key() -> str:
    return f"login:{request.remote_addr}"


def _sign_in_address_limit() -> str:
    return current_app.config["SIGN_IN_ADDRESS_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_sign_in_address_limit, methods=["POST"], key_func=_sign_in_limit_key)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():

        def refused(error):
            # A refused form answers 422; a locked account keeps its 429 (and Retry-After).
            return render_template("auth/login.html", form=form), max(422, error.status)

        on_domain_error(refused, form)
        user = sign_ins.check_staff_password(
            db.session, sign_in_lock(), form.email.data or "", form.password.data or ""
        )
        # A fresh session on sign-in defeats session fixation.
        session.clear()
        login_user(user)
        target = form.next.data
        return redirect(target if is_safe_next(target) else home_url(user.role))
    status = 200 if not form.errors else 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if ActionForm().validate_on_submit():
        # Signing out here signs out everywhere: a copied cookie is stale from now on.
        sign_ins.end_staff_sessions(db.session, current_user._get_current_object())
        logout_user()
        session.clear()
        flash(_("You are signed out."), "success")
    return redirect(url_for("public.index"))
