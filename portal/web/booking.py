"""Customer booking: month calendar, day slots, hold, details, email code, confirmation.

URLs (GET pages answer the partial to htmx and the whole page otherwise):

- ``GET /book/<slug>?month=YYYY-MM&day=YYYY-MM-DD&timezone=IANA&agent=<id>|any``
  the page; htmx gets ``booking/_picker.html`` (month nav, zone and agent changes)
- ``GET /book/<slug>/day/<YYYY-MM-DD>?timezone=&agent=`` the page with that day;
  htmx gets ``booking/_slots.html``
- ``POST /book/<slug>/hold`` (start, timezone, agent) the chosen time goes into
  the draft (nothing is held yet), then ``GET /book/<slug>/confirm?h=<draft>``
  the details form
- ``POST /book/<slug>/confirm`` details → the time is held for that e-mail and a
  code is emailed, in one unit of work (``portal.booking.holds``) → the code form
- ``POST /book/<slug>/confirm/code`` the code → the booking; ``.../resend``
- ``GET /book/<slug>/confirmed/<manage token>`` the confirmation page

What the customer chose travels in a signed *draft* token (hidden field or
query), so several tabs and several app servers work without server state.
The domain (``portal.booking``) decides everything about availability.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import select

from portal.booking import lifecycle, limits, questions
from portal.booking.agent_menu import agent_menu
from portal.booking.book_with_code import CustomerBooking, book_with_code, code_needed
from portal.booking.links import (
    appointment_for_manage_token,
    calendar_paths,
    manage_url,
    mint_manage_token,
)
from portal.booking.holds import HoldRequest, check_time, hold_and_send_code
from portal.booking.operations import Customer
from portal.code_routes import (
    code_settings,
    limit_code_checks,
    limit_code_requests,
    send_code,
    send_code_mail,
)
from portal.codes import CodeError
from portal.i18n import use_page_locale
from portal import security
from portal.domain import values
from portal.domain.errors import DomainError, Invalid, Kind
from portal.errors import on_domain_error, put_on_form, translated
from portal.extensions import db, limiter, settings
from portal.models import Appointment, CodePurpose, Service, SlotHold, User, normalize_email, utcnow
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web import picker as pk
from portal.web import viewer
from portal.web.customer import current_customer_email, sign_in_customer
from portal.web.forms import (
    CodeForm,
    answers_from,
    details_form_class,
    question_field_name,
)

bp = Blueprint("booking", __name__)

EMBED_PREFIX = "booking.embed_"

DRAFT_SALT = "portal.booking.draft"
DRAFT_MAX_AGE = 2 * 3600  # a draft older than this starts over
# Drafts carry the answers to booking questions (at most 20 × 2000 characters, compressed).
MAX_DRAFT = 64_000
TAKEN = _l("That time was just taken. Please pick another.")
CODE_PENDING = _l("We sent a code to this address a moment ago: use the newest email.")
# The browser session's own name for itself, which its holds carry (one live hold each).
BROWSER_KEY = "booking_browser"


# --- the same flow framed on another site: /embed/<slug>/... (docs/embeds.md) -------------


@bp.app_template_global()
def embedded() -> bool:
    """Whether this request is a step of the embedded flow (no header, framed elsewhere)."""
    return (request.endpoint or "").startswith(EMBED_PREFIX)


@bp.app_template_global()
def booking_layout() -> str:
    """The page around a booking step: the site's, or the bare one of the embedded flow."""
    return "booking/embed_layout.html" if embedded() else "base.html"


@bp.app_template_global()
def step(name: str) -> str:
    """The endpoint of booking step ``name`` in the flow this request is in."""
    return f"{EMBED_PREFIX}{name}" if embedded() else f"booking.{name}"


@bp.app_template_global()
def embed_origins() -> list[str]:
    return list(g.get("frame_ancestors") or [])


@bp.before_request
def _allow_framing() -> None:
    """Embedded steps may be framed by the service's ``embed_origins``, and only by them."""
    if embedded():
        slug = (request.view_args or {}).get("slug")
        origins = db.session.scalar(select(Service.embed_origins).where(Service.slug == slug))
        security.allow_framing_by(origins or [])


# --- the draft: what the customer chose, signed ----------------------------------


@dataclass(frozen=True)
class Draft:
    service_id: uuid.UUID
    start: datetime
    zone: str
    agent_id: uuid.UUID | None = None  # the customer's choice; None = any available
    hold_id: uuid.UUID | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""
    answers: dict = field(default_factory=dict)  # {question id: value}

    def dumps(self) -> str:
        data = asdict(self)
        data["service_id"] = self.service_id.hex
        data["start"] = fmt.iso_utc(self.start)
        data["agent_id"] = self.agent_id.hex if self.agent_id else None
        data["hold_id"] = self.hold_id.hex if self.hold_id else None
        return _serializer().dumps(data)

    @classmethod
    def loads(cls, token: str | None) -> Draft | None:
        if not token or len(token) > MAX_DRAFT:
            return None
        try:
            data = _serializer().loads(token, max_age=DRAFT_MAX_AGE)
            return cls(
                service_id=uuid.UUID(hex=data["service_id"]),
                start=pk.parse_start(data["start"]),
                zone=data["zone"],
                agent_id=uuid.UUID(hex=data["agent_id"]) if data.get("agent_id") else None,
                hold_id=uuid.UUID(hex=data["hold_id"]) if data.get("hold_id") else None,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                notes=data.get("notes", ""),
                answers=dict(data.get("answers") or {}),
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    @property
    def tz(self) -> ZoneInfo:
        return pk.parse_zone(self.zone) or ZoneInfo("UTC")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DRAFT_SALT)


# --- shared helpers ------------------------------------------------------------------


def active_service(slug: str) -> Service:
    service = db.session.scalar(select(Service).where(Service.slug == slug))
    if service is None or not service.active:
        abort(404)
    return service


def _agent_choice(service: Service, value: str | None) -> uuid.UUID | None:
    if not value or value == "any":
        return None
    try:
        agent_id = uuid.UUID(value)
    except ValueError:
        return None
    return agent_id if any(a.id == agent_id and a.active for a in service.agents) else None


def _zone_choice(
    service: Service, value: str | None, previous: str | None = None
) -> tuple[ZoneInfo, str | None]:
    """The zone typed (an IANA name, a city or a country), remembered as the viewer's; without
    one, the viewer's (``portal.web.viewer``); if none is found, the zone shown before (else the
    viewer's) with a message saying why."""
    if not value:
        return viewer.viewer_zone(service.timezone), None
    fallback = pk.parse_zone(previous) or viewer.viewer_zone(service.timezone)
    try:
        zone = values.find_zone(value)
        viewer.remember_zone(zone)
        return zone, None
    except DomainError as error:
        shown = value[:64].replace(pk.CSRF_PLACEHOLDER, "")  # never echo the placeholder
        return fallback, _(
            "“%(typed)s”: %(problem)s Still showing %(zone)s.",
            typed=shown,
            problem=translated(error.message),
            zone=fallback.key,
        )


def _remember_named_zone() -> None:
    """A zone named by ``?timezone=`` becomes the viewer's, even when the page comes from the
    shared cache (``_zone_choice`` runs only when it is computed)."""
    value = request.args.get("timezone")
    if value:
        # No zone found: the page says why and keeps the zone shown before.
        with contextlib.suppress(DomainError):
            viewer.remember_zone(values.find_zone(value))


def _links(service: Service, zone: ZoneInfo, agent_id: uuid.UUID | None) -> pk.PickerLinks:
    query = {"timezone": zone.key}
    if agent_id is not None:
        query["agent"] = str(agent_id)
    return pk.PickerLinks(
        month_url=lambda m: url_for(
            step("book"), slug=service.slug, month=m.strftime("%Y-%m"), **query
        ),
        day_url=pk.DayLinks(lambda day: url_for(step("day"), slug=service.slug, day=day, **query)),
        options_url=url_for(step("book"), slug=service.slug),
        slot_action=url_for(step("hold"), slug=service.slug),
        hidden={"timezone": zone.key, "agent": str(agent_id) if agent_id else "any"},
        waitlist_url=waitlist_link(service, zone, agent_id),
    )


def waitlist_link(service: Service, zone: ZoneInfo, agent_id: uuid.UUID | None):
    """The "Tell me if a time frees up" link of a full day (``portal.web.waitlist``)."""

    def link(day) -> str:
        query = {"day": day.isoformat(), "timezone": zone.key}
        if agent_id is not None:
            query["agent"] = str(agent_id)
        return url_for("waitlist.join_form", slug=service.slug, **query)

    return link


def _picker(
    service: Service,
    zone: ZoneInfo,
    agent_id: uuid.UUID | None,
    *,
    month=None,
    day=None,
    with_month: bool = True,
    now: datetime | None = None,
) -> pk.Picker:
    picker = pk.build_picker(
        db.session,
        service,
        zone=zone,
        links=_links(service, zone, agent_id),
        now=now or utcnow(),
        month=month,
        day=day,
        agent_id=agent_id,
        with_month=with_month,
    )
    if with_month:  # the whole picker, with its "With" menu (the day's slots alone have none)
        picker.agent_choices = agent_menu(db.session, service.id)
    return picker


def _render_picker(picker: pk.Picker, template: str) -> str:
    """A picker partial with a placeholder for the CSRF token (so it can be shared)."""
    return render_template(template, picker=picker, csrf_value=pk.CSRF_PLACEHOLDER)


def _respond(
    html: str, service: dict, partial: bool, status: int = 200, address: str | None = None
):
    """``address``: the GET URL of what a POST answered, shown in the address bar."""
    html = html.replace(pk.CSRF_PLACEHOLDER, generate_csrf())
    if partial:
        return html, status
    page = render_template(
        "booking/book.html",
        service=service,
        picker_html=Markup(html),  # nosec B704 # autoescaped template output
        address=address,
    )
    return page, status


def _whole_page_shared() -> bool:
    """Whether the page around the picker is the same for everyone asking (so it is
    cached with it): a visitor signed in nowhere, outside an embed, with no messages
    waiting. Only the CSRF token differs, filled in after."""
    return (
        not embedded()
        and not current_user.is_authenticated
        and current_customer_email() is None
        and not session.get("_flashes")
    )


def _shared_page(picker_html: str, about: dict) -> tuple[str, bool]:
    """The whole page with ``CSRF_PLACEHOLDER`` for the token; False when it cannot be
    shared after all (a visitor's own token found its way in)."""
    page = render_template(
        "booking/book.html",
        service=about,
        picker_html=Markup(picker_html),  # nosec B704 # autoescaped template output
        address=None,
        csrf_token=lambda: pk.CSRF_PLACEHOLDER,
    )
    token = g.get("csrf_token")
    return page, not (token and token in page)


def _cached_page(slug: str, key: tuple, compute, now: datetime, partial: bool):
    """The picker (or, when shareable, the whole page) from the shared cache, answered."""
    whole = not partial and _whole_page_shared()

    def compute_page() -> tuple[str, dict, datetime | None]:
        html, about, changes_at = compute()
        if whole:
            html, shareable = _shared_page(html, about)
            if not shareable:
                changes_at = now  # not kept
        return html, about, changes_at

    html, about = pk.cached_render(slug, (*key, whole), compute_page, now=now)
    if whole:
        return html.replace(pk.CSRF_PLACEHOLDER, generate_csrf()), 200
    return _respond(html, about, partial)


def _about(service: Service) -> dict:
    return {"id": service.id, "name": service.name, "slug": service.slug}


def _page(picker: pk.Picker, status: int = 200, address: str | None = None):
    """The whole booking page, computed now (not shared): after a failed attempt."""
    html = _render_picker(picker, "booking/_picker.html")
    return _respond(html, _about(picker.service), False, status, address)


def _taken_page(service: Service, zone: ZoneInfo, agent_id, day, message: str = TAKEN):
    """The booking page for that day, refreshed, with the message: never an error page.

    It answers a POST, so it names its GET address (zone, day, agent) for the address bar:
    the zone shown stays the one chosen, and Reload shows the day again.
    """
    db.session.rollback()
    picker = _picker(service, zone, agent_id, day=day)
    picker.message = message
    query = {"timezone": zone.key}
    if day is not None:
        query["day"] = day.isoformat()
    if agent_id is not None:
        query["agent"] = str(agent_id)
    return _page(picker, 409, url_for(step("book"), slug=service.slug, **query))


def _query_key() -> tuple:
    return tuple(sorted(request.args.items(multi=True)))


# --- the picker ----------------------------------------------------------------------
# Both pages are the same for every visitor until availability changes, so the
# rendered picker is shared (``picker.cached_render``); only the CSRF token is per visitor.


def _customer_at_limit(slug: str, *, partial: bool, day=None):
    """A signed-in customer at the service's booking limit sees why, and no times.

    Anonymous visitors cannot be known: they get the shared picker with every time, and
    the limit is told when they give their e-mail (``holds``) or book.
    """
    email = current_customer_email()
    if email is None:
        return None
    service = active_service(slug)
    refusal = limits.customer_limit_refusal(db.session, service, email, utcnow())
    if refusal is None:
        return None
    zone, _zone_error = _zone_choice(service, request.args.get("timezone"))
    agent_id = _agent_choice(service, request.args.get("agent"))
    picker = _picker(service, zone, agent_id, day=day, with_month=not (partial and day))
    picker.free_days, picker.day_slots = {}, []
    picker.first_free = picker.later_free = None
    picker.message = translated(refusal.message)
    template = "booking/_slots.html" if partial and day else "booking/_picker.html"
    html = render_template(template, picker=picker, csrf_value=generate_csrf())
    return _respond(html, _about(service), partial)


@bp.get("/book/<slug>")
@bp.get("/embed/<slug>", endpoint="embed_book")
def book(slug: str):
    limited = _customer_at_limit(slug, partial=htmx.wants_partial())
    if limited is not None:
        return limited
    now = utcnow()

    def compute() -> tuple[str, dict, datetime | None]:
        service = active_service(slug)
        zone, zone_error = _zone_choice(
            service, request.args.get("timezone"), request.args.get("timezone_was")
        )
        agent_id = _agent_choice(service, request.args.get("agent"))
        picker = _picker(
            service,
            zone,
            agent_id,
            month=pk.parse_month(request.args.get("month")),
            day=pk.parse_day(request.args.get("day")),
            now=now,
        )
        picker.zone_error = zone_error
        html = _render_picker(picker, "booking/_picker.html")
        return html, _about(service), picker.changes_at

    _remember_named_zone()
    partial = htmx.wants_partial()
    key = ("book", embedded(), _query_key(), viewer.cache_key())
    return _cached_page(slug, key, compute, now, partial)


@bp.get("/book/<slug>/day/<day>")
@bp.get("/embed/<slug>/day/<day>", endpoint="embed_day")
def day(slug: str, day: str):
    chosen = pk.parse_day(day)
    if chosen is None:
        abort(404)
    partial = htmx.wants_partial()
    limited = _customer_at_limit(slug, partial=partial, day=chosen)
    if limited is not None:
        return limited
    now = utcnow()

    def compute() -> tuple[str, dict, datetime | None]:
        service = active_service(slug)
        zone, zone_error = _zone_choice(
            service, request.args.get("timezone"), request.args.get("timezone_was")
        )
        agent_id = _agent_choice(service, request.args.get("agent"))
        picker = _picker(service, zone, agent_id, day=chosen, with_month=not partial, now=now)
        picker.zone_error = zone_error
        template = "booking/_slots.html" if partial else "booking/_picker.html"
        return _render_picker(picker, template), _about(service), picker.changes_at

    _remember_named_zone()
    key = ("day", embedded(), chosen, partial, _query_key(), viewer.cache_key())
    return _cached_page(slug, key, compute, now, partial)


@bp.get("/timezones")
def timezones():
    """The options of the time zone list (the same for everyone; cached for a day)."""
    response = Response(pk.timezone_options(), mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def _ip_key() -> str:
    return f"hold:{request.remote_addr}"


@bp.post("/book/<slug>/hold")
@bp.post("/embed/<slug>/hold", endpoint="embed_hold")
@limiter.limit("30 per 10 minutes", key_func=_ip_key, methods=["POST"])
def hold(slug: str):
    """A time was chosen: on to the details form with it. Nothing is held until the e-mail."""
    service = active_service(slug)
    zone, _zone_error = _zone_choice(service, request.form.get("timezone"))
    agent_id = _agent_choice(service, request.form.get("agent"))
    start = pk.parse_start(request.form.get("start"))
    if start is None:
        return _taken_page(service, zone, agent_id, None, _("Please pick a time from the list."))
    day = start.astimezone(zone).date()
    # Taken meanwhile, or the agent no longer serves: the day again, with the reason.
    on_domain_error(
        lambda error: _taken_page(service, zone, agent_id, day, translated(error.message))
    )
    check_time(
        db.session,
        service,
        start,
        agent_id=agent_id,
        browser_key=session.get(BROWSER_KEY),
        now=utcnow(),
    )
    draft = Draft(service_id=service.id, start=start, zone=zone.key, agent_id=agent_id)
    return redirect(url_for(step("confirm"), slug=slug, h=draft.dumps()), 303)


def _browser_key() -> str:
    key = session.get(BROWSER_KEY)
    if not isinstance(key, str) or not key:
        key = session[BROWSER_KEY] = secrets.token_urlsafe(16)
    return key


# --- details and code ------------------------------------------------------------------


def _draft_for(service: Service, token: str | None) -> Draft:
    draft = Draft.loads(token)
    if draft is None or draft.service_id != service.id or draft.start is None:
        abort(404)
    return draft


def _summary(service: Service, draft: Draft) -> dict:
    """What the customer is booking, for the details and code pages."""
    now = utcnow()
    hold = db.session.get(SlotHold, draft.hold_id) if draft.hold_id else None
    live = hold is not None and hold.expires_at > now and hold.start_at == draft.start
    agent_id = hold.agent_id if live else draft.agent_id
    agent = db.session.get(User, agent_id) if agent_id else None
    zone = draft.tz
    return {
        "service": service,
        "draft": draft,
        "zone": zone,
        "when_day": fmt.format_day(draft.start.astimezone(zone).date()),
        "when_time": fmt.format_span(draft.start, draft.start + service.duration, zone),
        "zone_name": fmt.zone_label(zone, draft.start),
        "agent": agent,
        "held_until": fmt.format_time(hold.expires_at, zone) if live else None,
        "hold_expired": draft.hold_id is not None and not live,
        "back_url": url_for(
            step("day"),
            slug=service.slug,
            day=draft.start.astimezone(zone).date().isoformat(),
            timezone=zone.key,
            **({"agent": str(draft.agent_id)} if draft.agent_id else {}),
        ),
    }


@bp.get("/book/<slug>/confirm")
@bp.get("/embed/<slug>/confirm", endpoint="embed_confirm")
def confirm(slug: str):
    service = active_service(slug)
    token = request.args.get("h")
    draft = _draft_for(service, token)
    form = _details_form(service)(h=token, **_remembered_details())
    return _details_page(service, form, draft)


def _details_form(service: Service):
    return details_form_class(service.questions or [])


def _details_page(service: Service, form, draft: Draft, status: int = 200):
    names = [question_field_name(q["id"]) for q in service.questions or []]
    page = render_template(
        "booking/confirm.html", form=form, question_fields=names, **_summary(service, draft)
    )
    return page, status


def _answer_fields(service: Service) -> dict[str, str]:
    """The domain's names of answers (``answers.<id>``) → their form fields."""
    return {
        questions.answers_field(q["id"]): question_field_name(q["id"])
        for q in service.questions or []
    }


def _remembered_details() -> dict:
    details = session.get("booking_details")
    remembered = dict(details) if isinstance(details, dict) else {}
    email = current_customer_email()
    if email and not remembered.get("email"):
        remembered["email"] = email
    return {
        k: v for k, v in remembered.items() if k in ("first_name", "last_name", "email", "phone")
    }


def _form_email() -> str | None:
    return request.form.get("email")


@bp.post("/book/<slug>/confirm")
@bp.post("/embed/<slug>/confirm", endpoint="embed_details")
@limit_code_requests(_form_email)
def details(slug: str):
    service = active_service(slug)
    form = _details_form(service)()
    draft = _draft_for(service, form.h.data)
    if not form.validate_on_submit():
        return _details_page(service, form, draft, 422)
    answers = answers_from(form, service.questions or [])
    try:
        questions.check_answers(service.questions or [], answers)
    except Invalid as error:
        put_on_form(form, error, _answer_fields(service))
        return _details_page(service, form, draft, 422)
    draft = replace(
        draft,
        first_name=form.first_name.data.strip(),
        last_name=form.last_name.data.strip(),
        email=normalize_email(form.email.data),
        phone=(form.phone.data or "").strip(),
        notes=(form.notes.data or "").strip(),
        answers=answers,
    )
    session["booking_details"] = {
        "first_name": draft.first_name,
        "last_name": draft.last_name,
        "email": draft.email,
        "phone": draft.phone,
    }
    if not code_needed(draft.email, current_customer_email()):
        # This browser proved the address a moment ago: no second code, no hold.
        return _finish(service, draft)
    zone = draft.tz

    def refused(error):
        # Taken meanwhile (or the agent left): the day's times again. Any other refusal
        # (too many holds from this address, no mail sent) belongs at the e-mail.
        if error.kind in (Kind.SLOT_UNAVAILABLE, Kind.NOT_FOUND):
            day = draft.start.astimezone(zone).date()
            return _taken_page(service, zone, draft.agent_id, day, translated(error.message))
        form.email.errors.append(translated(error.message))
        return _details_page(service, form, draft)

    on_domain_error(refused)
    started = hold_and_send_code(
        db.session,
        code_settings(),
        send_code_mail,
        HoldRequest(
            service=service,
            start=draft.start,
            email=draft.email,
            browser_key=_browser_key(),
            client_address=request.remote_addr,
            agent_id=draft.agent_id,
        ),
        now=utcnow(),
    )
    draft = replace(draft, hold_id=started.hold.id)
    return _code_page(service, draft, note=None if started.code_sent else CODE_PENDING)


def _code_page(
    service: Service, draft: Draft, *, form: CodeForm | None = None, note=None, status=200
):
    form = form or CodeForm()
    form.p.data = draft.dumps()
    return (
        render_template("booking/code.html", form=form, note=note, **_summary(service, draft)),
        status,
    )


def _draft_email() -> str | None:
    draft = Draft.loads(request.form.get("p"))
    return draft.email if draft else None


@bp.post("/book/<slug>/confirm/code")
@bp.post("/embed/<slug>/confirm/code", endpoint="embed_code")
@limit_code_checks(_draft_email)
def code(slug: str):
    service = active_service(slug)
    form = CodeForm()
    draft = _draft_for(service, form.p.data)
    if not draft.email:
        abort(404)
    if not form.validate_on_submit():
        return _code_page(service, draft, form=form, status=422)
    return _finish(service, draft, form)


@bp.post("/book/<slug>/confirm/resend")
@bp.post("/embed/<slug>/confirm/resend", endpoint="embed_resend")
@limit_code_requests(_draft_email)
def resend(slug: str):
    service = active_service(slug)
    form = CodeForm()
    draft = _draft_for(service, form.p.data)
    if not draft.email:
        abort(404)
    form.code.data = ""

    # Asked too soon (429) or not sent (503): the code page with the reason at the code.
    def refused(error):
        form.code.errors = [translated(error.message)]
        return _code_page(service, draft, form=form)

    on_domain_error(refused)
    send_code(db.session, draft.email, CodePurpose.BOOKING, utcnow())
    return _code_page(
        service, draft, form=form, note=_("We sent a new code to %(email)s.", email=draft.email)
    )


def _finish(service: Service, draft: Draft, code_form: CodeForm | None = None):
    """Check the code (unless this browser proved the address) and book; show the result."""
    zone = draft.tz
    day = draft.start.astimezone(zone).date()
    booking = CustomerBooking(
        service=service,
        start=draft.start,
        email=draft.email,
        customer=Customer(draft.first_name, draft.last_name, draft.email, draft.phone or None),
        agent_id=draft.agent_id,
        hold_id=draft.hold_id,
        timezone=zone.key,
        locale=str(fmt.locale()),
        notes=draft.notes,
        answers=draft.answers,
    )
    code_form = code_form or CodeForm()

    def refused(error):
        # A code refusal belongs at the code; any other (taken meanwhile, the agent
        # left) sends the customer back to the day's times.
        if isinstance(error, CodeError):
            code_form.code.errors = [*code_form.code.errors, translated(error.message)]
            return _code_page(service, draft, form=code_form, status=422)
        return _taken_page(service, zone, draft.agent_id, day, translated(error.message))

    on_domain_error(refused)
    appointment = book_with_code(
        db.session,
        code_settings(),
        booking,
        code_form.code.data,
        proven_email=current_customer_email(),
        on_proven=sign_in_customer,
        now=utcnow(),
    )
    # This browser's own link: minted with the booking, in the same unit of work.
    token = mint_manage_token(db.session, appointment)
    return redirect(url_for(step("confirmed"), slug=service.slug, token=token), 303)


@bp.get("/book/<slug>/confirmed/<token>")
@bp.get("/embed/<slug>/confirmed/<token>", endpoint="embed_confirmed")
def confirmed(slug: str, token: str):
    appointment = appointment_for_token(token)
    if appointment.service.slug != slug:
        abort(404)
    return render_template(
        "booking/confirmed.html",
        appointment=appointment,
        manage_link=manage_url(settings(), token),
    )


# --- helpers for every customer page (templates) ------------------------------------


def appointment_for_token(token: str) -> Appointment:
    """The appointment of a live manage link; wrong, revoked or tampered tokens are 404."""
    appointment = appointment_for_manage_token(db.session, token)
    if appointment is None:
        abort(404)
    use_page_locale(appointment.locale)  # the customer's language, whatever the browser's
    return appointment


@bp.app_template_global()
def calendar_links(appointment: Appointment) -> dict[str, str]:
    return calendar_paths(appointment)


@bp.app_template_global()
def appointment_when(appointment: Appointment, zone_name: str | None = None) -> dict[str, str]:
    """Day, time range and zone of an appointment, in ``zone_name`` or the viewer's zone.

    ``time`` names its city, and the appointment's own zone's time too where that differs
    ("9:30 – 10:00 AM London (4:30 – 5:00 AM New York)"), so no time goes unlabelled.
    """
    zone = pk.parse_zone(zone_name) or viewer.viewer_zone(appointment.timezone)
    local_start = appointment.start_at.astimezone(zone)
    return {
        "day": fmt.format_day(local_start.date()),
        "time": fmt.format_time_seen(
            appointment.start_at, zone, appointment.timezone, appointment.end_at
        ),
        "zone": fmt.zone_label(zone, appointment.start_at),
        "full": fmt.format_datetime_seen(appointment.start_at, zone, appointment.timezone),
        "iso": fmt.iso_utc(appointment.start_at),
    }


@bp.app_template_global()
def change_deadlines(appointment: Appointment) -> dict[str, str]:
    """Until when the customer may cancel and reschedule online (the lifecycle's cut-offs)."""
    return {
        action.value: lifecycle.format_deadline(
            appointment, lifecycle.deadline(appointment, action)
        )
        for action in (lifecycle.Action.CANCEL, lifecycle.Action.RESCHEDULE)
    }


@bp.app_template_global()
def answers_of(appointment: Appointment) -> list[tuple[str, str]]:
    """The customer's answers as (label asked, value shown), in the order asked."""
    return [(a["label"], questions.shown_value(a)) for a in appointment.answers or ()]


@bp.app_template_global()
def customer_of(appointment: Appointment):
    customers = appointment.customers
    return customers[0] if customers else None
