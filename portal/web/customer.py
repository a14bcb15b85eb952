"""``/my``: customers sign in with an emailed code and see their own appointments.

The customer's identity lives in the Flask session (``session["customer"]``),
apart from staff sign-in (Flask-Login). Proving an address with a booking code
signs the customer in too, so a second booking needs no second code.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import code_routes, sign_ins
from portal.booking import lifecycle
from portal.booking.lifecycle import Action, Actor
from portal.booking.links import mint_manage_token
from portal.code_routes import limit_code_checks, limit_code_requests
from portal.codes import CodeNotSent, CodeThrottled
from portal.errors import on_domain_error, translated
from portal.extensions import db
from portal.models import (
    Appointment,
    AppointmentStatus,
    CodePurpose,
    Participant,
    ParticipantType,
    normalize_email,
    utcnow,
)
from portal.web.forms import ActionForm, CodeForm, SignInForm

bp = Blueprint("customer", __name__)

SESSION_KEY = "customer"
DEFAULT_SESSION_HOURS = 12


# --- the customer's identity in the session ----------------------------------------


def _session_age() -> timedelta:
    return timedelta(hours=current_app.config.get("CUSTOMER_SESSION_HOURS", DEFAULT_SESSION_HOURS))


def sign_in_customer(email: str) -> None:
    """This browser proved ``email``: signed in until it signs out or the sign-in is old."""
    session[SESSION_KEY] = sign_ins.new_customer_sign_in(email, utcnow())
    g.pop("customer_email", None)


def sign_out_customer() -> None:
    """End this sign-in on the server too: a copy of the cookie stops working."""
    sign_ins.end_customer_sign_in(
        db.session, session.pop(SESSION_KEY, None), utcnow(), _session_age()
    )
    g.pop("customer_email", None)


def current_customer_email() -> str | None:
    """The address this browser proved with a code, while that sign-in lives.

    Live: younger than ``CUSTOMER_SESSION_HOURS`` and not signed out (checked on the
    server, so a copied cookie ends with the original).
    """
    if "customer_email" not in g:
        g.customer_email = sign_ins.customer_signed_in(
            db.session, session.get(SESSION_KEY), utcnow(), _session_age()
        )
    return g.customer_email


def _posted_email() -> str | None:
    return request.form.get("email")


# --- pages ---------------------------------------------------------------------------


@bp.after_request
def _no_store(response):
    # Personal pages: never kept by shared caches or the back-forward cache of another user.
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


@bp.get("/my")
def my():
    email = current_customer_email()
    if email is None:
        return render_template("customer/sign_in.html", form=SignInForm())
    now = utcnow()
    appointments = own_appointments(email)
    upcoming = [
        a for a in appointments if a.status == AppointmentStatus.SCHEDULED and a.end_at > now
    ]
    upcoming.sort(key=lambda a: a.start_at)
    past = [a for a in appointments if a not in upcoming]
    past.sort(key=lambda a: a.start_at, reverse=True)
    actor = Actor.customer(email)
    return render_template(
        "customer/my.html",
        email=email,
        upcoming=upcoming,
        decisions={
            a.id: {
                action.value: lifecycle.decide(actor, action, a, now)
                for action in (Action.RESCHEDULE, Action.CANCEL)
            }
            for a in upcoming
        },
        past=past[:50],
        sign_out_form=ActionForm(),
        now=now,
    )


def own_appointments(email: str) -> list[Appointment]:
    """Every appointment this address takes part in as a customer."""
    owned = (
        select(Participant.appointment_id)
        .where(
            Participant.type == ParticipantType.CUSTOMER,
            Participant.email == normalize_email(email),
        )
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.id.in_(owned))
            .options(selectinload(Appointment.service), selectinload(Appointment.organizer))
        ).all()
    )


@bp.post("/my/code")
@limit_code_requests(_posted_email)
def send_code():
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("customer/sign_in.html", form=form), 422
    email = normalize_email(form.email.data)
    note = None
    try:
        code_routes.send_code(db.session, email, CodePurpose.SIGN_IN, utcnow())
    except CodeThrottled:
        note = _(
            "We sent a code to this address a moment ago. Use that one, or ask again in a minute."
        )
    except CodeNotSent as error:
        form.email.errors.append(translated(error.message))
        return render_template("customer/sign_in.html", form=form), 503
    # The same answer whether or not the address has appointments: nothing to enumerate.
    code_form = CodeForm(email=email)
    return render_template("customer/code.html", form=code_form, email=email, note=note)


@bp.post("/my/verify")
@limit_code_checks(_posted_email)
def verify():
    form = CodeForm()
    if not form.email.data:
        return redirect(url_for("customer.my"), 303)
    email = normalize_email(form.email.data)
    if form.validate_on_submit():

        def refused(error):
            form.code.errors.append(translated(error.message))
            return render_template("customer/code.html", form=form, email=email, note=None), 422

        on_domain_error(refused)
        code_routes.verify_code(db.session, email, CodePurpose.SIGN_IN, form.code.data, utcnow())
        sign_in_customer(email)
        flash(_("You are signed in."), "success")
        return redirect(url_for("customer.my"), 303)
    return render_template("customer/code.html", form=form, email=email, note=None), 422


@bp.post("/my/sign-out")
def sign_out():
    if ActionForm().validate_on_submit():
        sign_out_customer()
        flash(_("You are signed out."), "success")
    return redirect(url_for("customer.my"), 303)


OPENABLE = ("reschedule", "cancel")


@bp.get("/my/appointments/<appointment_id>")
def appointment(appointment_id: str):
    """An own appointment opens its manage page through a link minted for this visit
    (``open`` is passed on); anything else is not there (404)."""
    email = current_customer_email()
    if email is None:
        return redirect(url_for("customer.my"))
    try:
        key = uuid.UUID(appointment_id)
    except ValueError:
        abort(404)
    found = db.session.get(Appointment, key)
    if found is None or not any(p.email == email for p in found.customers):
        abort(404)
    opened = request.args.get("open")
    token = mint_manage_token(db.session, found)
    target = url_for("manage.show", token=token, open=opened if opened in OPENABLE else None)
    return redirect(target)
