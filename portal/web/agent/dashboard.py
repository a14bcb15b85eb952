"""/agent: today's agenda and the next appointments, with a join button when the call is open
or about to start (``portal.booking.interaction.can_join``)."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.auth import role_required
from portal.booking import interaction, queries
from portal.extensions import db
from portal.models import Appointment, AppointmentStatus, Role, utcnow
from portal.web import calendar_view as cv
from portal.web import formatting as fmt
from portal.web.agent import bp
from portal.web.forms import ActionForm

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
UPCOMING = 10


@bp.get("/", strict_slashes=False)
@role_required(*STAFF)
def home():
    now = utcnow()
    zone = ZoneInfo(current_user.timezone)
    today = now.astimezone(zone).date()
    day_start, day_end = cv.day_span(today, zone)
    agenda = queries.appointments_between(
        db.session, day_start, day_end, agent_ids=[current_user.id], include_cancelled=True
    )
    upcoming = list(
        db.session.scalars(
            select(Appointment)
            .where(
                queries.takes_part(current_user.id),
                Appointment.status == AppointmentStatus.SCHEDULED,
                Appointment.start_at >= day_end,
            )
            .order_by(Appointment.start_at, Appointment.id)
            .limit(UPCOMING)
            .options(
                selectinload(Appointment.participants),
                selectinload(Appointment.service),
                selectinload(Appointment.room_tickets),
            )
        )
    )
    live = [a for a in agenda if interaction.can_join(a, now=now)]
    groups: list[tuple[str, list[Appointment]]] = []
    for appointment in upcoming:
        label = babel_dates.format_date(
            appointment.start_at.astimezone(zone).date(),
            _day_heading_pattern(),
            locale=fmt.locale(),
        )
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(appointment)
    return render_template(
        "agent/dashboard.html",
        zone=zone,
        today=today,
        now=now,
        agenda=agenda,
        upcoming=upcoming,
        upcoming_groups=groups,
        next_up=next((a for a in agenda if a.is_scheduled and a.end_at > now), None),
        live_count=len(live),
        can_join=lambda a: interaction.can_join(a, now=now),
        room=lambda a: interaction.live_ticket(a, now=now),
        fmt_time=lambda value: fmt.format_time(value, zone),
        fmt_range=lambda a: babel_dates.format_interval(
            a.start_at.astimezone(zone),
            a.end_at.astimezone(zone),
            _skeleton(),
            tzinfo=zone,
            locale=fmt.locale(),
        ),
        fmt_day=lambda value: fmt.format_day(value.astimezone(zone).date()),
        zone_text=fmt.zone_label(zone, now),
        has_feed_link=current_user.calendar_secret_hash is not None,
        action_form=ActionForm(),
        starts_in=lambda a: _starts_in(a, now),
    )


def _day_heading_pattern() -> str:
    """The locale's order of weekday, day and month (CLDR's ``MMMEd``) with the names written
    out, as ICU widens a skeleton: "Thursday, May 14", "Donnerstag, 14. Mai", "jeudi 14 mai".
    (Babel's own skeleton matching would keep the short names.)"""
    pattern = fmt.locale().datetime_skeletons["MMMEd"].pattern
    return re.sub(r"(?<!M)M{3}(?!M)", "MMMM", re.sub(r"E+", "EEEE", pattern))


def _skeleton() -> str:
    return "hm" if "h" in fmt.locale().time_formats["short"].pattern else "Hm"


def _starts_in(appointment: Appointment, now) -> str:
    delta = appointment.start_at - now
    if delta <= timedelta(0):
        return _("now") if appointment.end_at > now else _("over")
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return _("in %(minutes)d min", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    return _("in %(hours)d h %(minutes)02d min", hours=hours, minutes=minutes)
