"""/admin/users: list, create, edit (role, zone, locale), deactivate, reset password, sign out."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin import users as domain
from portal.admin.validation import timezone_names
from portal.auth import keep_own_session
from portal.errors import on_domain_error
from portal.extensions import db
from portal.models import Role, User
from portal.web.admin import bp
from portal.web.admin.forms import (
    ROLE_FILTERS,
    ROLE_LABELS,
    EditUserForm,
    FilterForm,
    NewUserForm,
    PasswordForm,
)
from portal.web.admin.helpers import FORM_ERROR, form_page
from portal.web.forms import ActionForm


def _version(user: User) -> str:
    return user.updated_at.isoformat()


@bp.get("/users")
def users():
    filters = FilterForm(request.args)
    role = filters.role.data if filters.role.data in ROLE_FILTERS and filters.role.data else None
    active = None if filters.inactive.data else True
    rows, total = domain.list_users(db.session, role=Role(role) if role else None, active=active)
    return form_page(
        "admin/users.html", None, users=rows, total=total, filters=filters, role_labels=ROLE_LABELS
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        on_domain_error(lambda error: _new_page(form), form)
        user = domain.create_user(
            db.session,
            email=form.email.data or "",
            name=form.name.data or "",
            role=form.role.data or "",
            timezone=(form.timezone.data or "").strip(),
            locale=(form.locale.data or "").strip(),
            password=form.password.data or None,
            reference=form.reference.data or None,
        )
        flash(_("%(name)s (%(email)s) was created.", name=user.name, email=user.email), "success")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return _new_page(form)


def _new_page(form: NewUserForm):
    return form_page("admin/user_new.html", form, zones=timezone_names())


@bp.route("/users/<uuid:user_id>", methods=["GET", "POST"])
def user_edit(user_id: uuid.UUID):
    user = domain.get_user(db.session, user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = user.role.value
        form.version.data = _version(user)
    elif form.validate_on_submit():
        if form.version.data != _version(user):
            form.form_errors.append(
                _(
                    "Someone else changed this user while you were editing. "
                    "Your changes were not saved; review the current values below."
                )
            )
        else:
            fields = dict(
                email=form.email.data or "",
                name=form.name.data or "",
                timezone=(form.timezone.data or "").strip(),
                locale=(form.locale.data or "").strip(),
                reference=form.reference.data or None,
            )
            if form.role.data:  # absent when the select is disabled (your own account)
                fields["role"] = form.role.data
            on_domain_error(lambda error: _edit_page(user, form=form), form)
            domain.update_user(db.session, user, actor=current_user, **fields)
            flash(_("%(name)s was saved.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _edit_page(user, form=form)


def _shown_form(user: User) -> EditUserForm:
    """The edit form filled from ``user`` as stored."""
    form = EditUserForm(formdata=None, obj=user)
    form.role.data = user.role.value
    form.version.data = _version(user)
    return form


def _edit_page(
    user: User, *, form: EditUserForm | None = None, password_form: PasswordForm | None = None
):
    page = form_page(
        "admin/user_edit.html",
        form or _shown_form(user),
        user=user,
        password_form=password_form or PasswordForm(formdata=None),
        action_form=ActionForm(formdata=None),
        zones=timezone_names(),
        is_self=user.id == current_user.id,
    )
    if password_form is not None and password_form.errors:
        page.status_code = 422
    return page


@bp.post("/users/<uuid:user_id>/password")
def user_password(user_id: uuid.UUID):
    user = domain.get_user(db.session, user_id)
    password_form = PasswordForm()
    if password_form.validate_on_submit():
        if (password_form.password.data or "") != (password_form.confirm.data or ""):
            password_form.confirm.errors.append(_("The two passwords differ."))
        else:
            on_domain_error(
                lambda error: _edit_page(user, password_form=password_form), password_form
            )
            domain.reset_password(db.session, user, password_form.password.data or "")
            keep_own_session(user)
            flash(_("The password of %(name)s was changed.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _edit_page(user, password_form=password_form)


@bp.post("/users/<uuid:user_id>/sign-out")
def user_sign_out(user_id: uuid.UUID):
    user = domain.get_user(db.session, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    domain.sign_out_everywhere(db.session, user)
    keep_own_session(user)
    flash(_("%(name)s was signed out everywhere.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<uuid:user_id>/deactivate")
def user_deactivate(user_id: uuid.UUID):
    return _set_active(user_id, False)


@bp.post("/users/<uuid:user_id>/activate")
def user_activate(user_id: uuid.UUID):
    return _set_active(user_id, True)


def _set_active(user_id: uuid.UUID, active: bool):
    user = domain.get_user(db.session, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    form = _shown_form(user)
    # Your own account: the refusal shows above the form, where the buttons are.
    own_account = {"active": FORM_ERROR, "role": FORM_ERROR}
    on_domain_error(lambda error: _edit_page(user, form=form), form, own_account)
    domain.update_user(db.session, user, actor=current_user, active=active)
    if active:
        flash(_("%(name)s was reactivated.", name=user.name), "success")
    else:
        flash(_("%(name)s was deactivated.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))
