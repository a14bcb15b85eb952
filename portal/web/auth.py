"""Staff sign-in and sign-out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from portal.auth import is_safe_next
from portal.extensions import db, limiter
from portal.models import User, normalize_email
from portal.web.forms import ActionForm, LoginForm

bp = Blueprint("auth", __name__)


def _sign_in_limit_key() -> str:
    return f"login:{request.remote_addr}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_sign_in_limit_key)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == normalize_email(form.email.data)))
        if user is None or not user.is_staff or not user.check_password(form.password.data):
            form.password.errors.append("That email and password do not match.")
        elif not user.active:
            form.email.errors.append("This account is deactivated. Ask an administrator.")
        else:
            # A fresh session on sign-in defeats session fixation.
            session.clear()
            login_user(user)
            target = form.next.data
            return redirect(target if is_safe_next(target) else url_for("public.index"))
    status = 200 if not form.errors else 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    if ActionForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("You are signed out.", "success")
    return redirect(url_for("public.index"))
