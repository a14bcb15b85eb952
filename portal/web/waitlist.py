"""The waitlist pages (docs/waitlist.md; the rules are ``portal.booking.waitlist``).

- ``GET /book/<slug>/waitlist?day=&timezone=&agent=`` "Tell me if a time frees up":
  the e-mail form, linked from a full day on the booking page
- ``POST /book/<slug>/waitlist`` the e-mail → a booking code is sent → the code form
  (a browser that proved the address a moment ago joins at once)
- ``POST /book/<slug>/waitlist/code`` the code → on the waitlist
- ``GET /waitlist/offer/<token>`` the offer link: the held time and the details form;
  ``POST`` books it (the link proves the e-mail) → the confirmation page
- ``GET /waitlist/leave/<token>`` asks to confirm; ``POST`` leaves

What the customer chose (day, zone, agent, then the e-mail) travels signed in the
form (``w`` / ``p``), as the booking draft does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.booking import waitlist
from portal.booking.book_with_code import code_needed
from portal.booking.links import mint_manage_token
from portal.booking.operations import Customer
from portal.i18n import use_page_locale
from portal.code_routes import code_settings, limit_code_checks, limit_code_requests, send_code
from portal.codes import CodeError, CodeThrottled
from portal.domain.errors import DomainError, Kind
from portal.errors import error_response, on_domain_error, translated
from portal.extensions import db
from portal.models import CodePurpose, Service, User, WaitlistOffer, normalize_email, utcnow
from portal.web import formatting as fmt
from portal.web import picker as pk
from portal.web.booking import _agent_choice, _zone_choice, active_service
from portal.web.customer import current_customer_email, sign_in_customer
from portal.web.forms import ActionForm, CodeForm, WaitlistJoinForm, WaitlistOfferForm

bp = Blueprint("waitlist", __name__)

WISH_SALT = "portal.waitlist.wish"
WISH_MAX_AGE = 2 * 3600


@dataclass(frozen=True)
class Wish:
    """The day (in ``zone``) and agent a customer wants to wait for, and their e-mail."""

    day: date
    zone: str
    agent_id: uuid.UUID | None = None
    email: str = ""

    def dumps(self) -> str:
        return _serializer().dumps(
            {
                "day": self.day.isoformat(),
                "zone": self.zone,
                "agent": self.agent_id.hex if self.agent_id else None,
                "email": self.email,
            }
        )

    @classmethod
    def loads(cls, token: str | None) -> Wish | None:
        if not token or len(token) > 2000:
            return None
        try:
            data = _serializer().loads(token, max_age=WISH_MAX_AGE)
            zone = pk.parse_zone(data["zone"])
            if zone is None:
                return None
            return cls(
                day=date.fromisoformat(data["day"]),
                zone=zone.key,
                agent_id=uuid.UUID(hex=data["agent"]) if data.get("agent") else None,
                email=data.get("email", ""),
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            return None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=WISH_SALT)


def _wish_from(service: Service, token: str | None) -> Wish:
    wish = Wish.loads(token)
    if wish is None:
        abort(404)
    return wish


def _about(service: Service, wish: Wish) -> dict:
    agent = db.session.get(User, wish.agent_id) if wish.agent_id else None
    return {
        "service": service,
        "wish": wish,
        "day_text": fmt.format_day(wish.day),
        "zone_text": fmt.zone_label(ZoneInfo(wish.zone)),
        "agent": agent,
        "back_url": url_for(
            "booking.day",
            slug=service.slug,
            day=wish.day.isoformat(),
            timezone=wish.zone,
            **({"agent": str(wish.agent_id)} if wish.agent_id else {}),
        ),
    }


def _request(service: Service, wish: Wish, email: str) -> waitlist.JoinRequest:
    return waitlist.JoinRequest(
        service=service,
        email=email,
        day=wish.day,
        timezone=wish.zone,
        agent_id=wish.agent_id,
        locale=str(fmt.locale()),
    )


# --- joining ----------------------------------------------------------------------------


@bp.get("/book/<slug>/waitlist")
def join_form(slug: str):
    service = active_service(slug)
    day = pk.parse_day(request.args.get("day"))
    if day is None:
        abort(404)
    zone, _zone_error = _zone_choice(service, request.args.get("timezone"))
    wish = Wish(day=day, zone=zone.key, agent_id=_agent_choice(service, request.args.get("agent")))
    form = WaitlistJoinForm(w=wish.dumps(), email=current_customer_email() or "")
    problem = None
    try:
        waitlist.check_join(db.session, _request(service, wish, "x@example.com"), utcnow())
    except DomainError as error:
        problem = translated(error.message)
    return render_template(
        "waitlist/join.html", form=form, problem=problem, **_about(service, wish)
    )


def _form_email() -> str | None:
    return request.form.get("email")


@bp.post("/book/<slug>/waitlist")
@limit_code_requests(_form_email)
def join(slug: str):
    service = active_service(slug)
    form = WaitlistJoinForm()
    wish = _wish_from(service, form.w.data)
    about = _about(service, wish)
    if not form.validate_on_submit():
        return render_template("waitlist/join.html", form=form, problem=None, **about), 422
    email = normalize_email(form.email.data)
    wish = Wish(wish.day, wish.zone, wish.agent_id, email)

    def refused(error: DomainError):
        return render_template("waitlist/join.html", form=form, problem=None, **about)

    on_domain_error(refused, form)
    if not code_needed(email, current_customer_email()):
        # This browser proved the address a moment ago: no second code.
        return _joined(service, wish, None)
    waitlist.check_join(db.session, _request(service, wish, email), utcnow())
    note = None
    try:
        send_code(db.session, email, CodePurpose.BOOKING, utcnow())
    except CodeThrottled as refusal:
        if not refusal.code_pending:
            raise
        note = _("We sent a code to this address a moment ago: use the newest email.")
    return _code_page(service, wish, note=note)


def _code_page(service: Service, wish: Wish, *, form: CodeForm | None = None, note=None):
    form = form or CodeForm()
    form.p.data = wish.dumps()
    return render_template("waitlist/code.html", form=form, note=note, **_about(service, wish))


def _wish_email() -> str | None:
    wish = Wish.loads(request.form.get("p"))
    return wish.email if wish else None


@bp.post("/book/<slug>/waitlist/code")
@limit_code_checks(_wish_email)
def code(slug: str):
    service = active_service(slug)
    form = CodeForm()
    wish = _wish_from(service, form.p.data)
    if not wish.email:
        abort(404)
    if not form.validate_on_submit():
        return _code_page(service, wish, form=form), 422
    return _joined(service, wish, form)


def _joined(service: Service, wish: Wish, code_form: CodeForm | None):
    about = _about(service, wish)

    def refused(error: DomainError):
        if isinstance(error, CodeError) and code_form is not None:
            code_form.code.errors = [*code_form.code.errors, translated(error.message)]
            return _code_page(service, wish, form=code_form), 422
        return render_template(
            "waitlist/join.html",
            form=WaitlistJoinForm(w=Wish(wish.day, wish.zone, wish.agent_id).dumps()),
            problem=translated(error.message),
            **about,
        )

    on_domain_error(refused)
    joined = waitlist.join(
        db.session,
        code_settings(),
        _request(service, wish, wish.email),
        code_form.code.data if code_form is not None else None,
        proven_email=current_customer_email(),
        on_proven=sign_in_customer,
        now=utcnow(),
    )
    return render_template("waitlist/joined.html", entry=joined.entry, **about)


# --- the offer link --------------------------------------------------------------------------


def _offer_about(offer: WaitlistOffer) -> dict:
    entry = offer.entry
    zone = pk.parse_zone(entry.timezone) or ZoneInfo("UTC")
    return {
        "offer": offer,
        "service": entry.service,
        "email": entry.email,
        "when_day": fmt.format_day(offer.start_at.astimezone(zone).date()),
        "when_time": fmt.format_span(offer.start_at, offer.end_at, zone),
        "zone_name": fmt.zone_label(zone, offer.start_at),
        "agent": db.session.get(User, offer.agent_id),
        "held_until": fmt.format_time(offer.expires_at, zone),
        "day_url": url_for(
            "booking.day",
            slug=entry.service.slug,
            day=entry.day.isoformat(),
            timezone=zone.key,
        ),
    }


def _offer_gone(token: str, error: DomainError):
    """The offer page when its time is gone (lapsed, booked, withdrawn) or just taken."""
    offer = waitlist.offer_for_token(db.session, token)
    if offer is None:
        return error_response(error.status, translated(error.message))
    return render_template(
        "waitlist/offer_gone.html", message=translated(error.message), **_offer_about(offer)
    )


def _offer_or_404(token: str) -> WaitlistOffer:
    found = waitlist.offer_for_token(db.session, token)
    if found is None:
        abort(404)
    # Opened from a mail: the page speaks the language the person joined in.
    use_page_locale(found.entry.locale)
    return found


@bp.get("/waitlist/offer/<token>")
def offer(token: str):
    _offer_or_404(token)
    on_domain_error(lambda error: _offer_gone(token, error))
    found = waitlist.live_offer(db.session, token, utcnow())
    return render_template("waitlist/offer.html", form=WaitlistOfferForm(), **_offer_about(found))


@bp.post("/waitlist/offer/<token>")
def book_offer(token: str):
    form = WaitlistOfferForm()
    _offer_or_404(token)
    on_domain_error(lambda error: _offer_gone(token, error))
    found = waitlist.live_offer(db.session, token, utcnow())
    about = _offer_about(found)
    if not form.validate_on_submit():
        return render_template("waitlist/offer.html", form=form, **about), 422

    def refused(error: DomainError):
        if error.kind == Kind.INVALID:
            return render_template("waitlist/offer.html", form=form, **about), 422
        return _offer_gone(token, error)

    on_domain_error(refused, form)
    zone = pk.parse_zone(found.entry.timezone)
    appointment = waitlist.book_offer(
        db.session,
        token,
        Customer(
            form.first_name.data.strip(),
            form.last_name.data.strip(),
            None,
            (form.phone.data or "").strip() or None,
        ),
        timezone=zone.key if zone else None,
        locale=str(fmt.locale()),
        notes=(form.notes.data or "").strip(),
        now=utcnow(),
    )
    manage = mint_manage_token(db.session, appointment)
    return redirect(url_for("booking.confirmed", slug=appointment.service.slug, token=manage), 303)


# --- leaving ---------------------------------------------------------------------------------


def _entry_or_404(token: str):
    entry = waitlist.entry_for_token(db.session, token)
    if entry is None:
        abort(404)
    use_page_locale(entry.locale)
    return entry


def _entry_about(entry) -> dict:
    return {
        "entry": entry,
        "service": entry.service,
        "day_text": fmt.format_day(entry.day),
    }


@bp.get("/waitlist/leave/<token>")
def leave_form(token: str):
    entry = _entry_or_404(token)
    return render_template("waitlist/leave.html", form=ActionForm(), **_entry_about(entry))


@bp.post("/waitlist/leave/<token>")
def leave(token: str):
    entry = _entry_or_404(token)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    waitlist.leave(db.session, entry, now=utcnow())
    return render_template("waitlist/left.html", **_entry_about(entry))
