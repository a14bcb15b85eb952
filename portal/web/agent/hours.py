"""/agent/hours: the weekly working hours editor.

Several windows a day, a row added on demand, a day copied to others, all in
the agent's own time zone. Supervisors and admins edit anyone's with
``?agent=<id>``; an agent naming someone else gets 404. Nothing is written
until "Save"; a save over a week changed meanwhile (another tab, a supervisor)
is refused with the week as it is now.
"""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth import role_required
from portal.domain.errors import DomainError
from portal.errors import on_domain_error, translated
from portal.extensions import db
from portal.models import Role, User
from portal.schedules import working_hours as hours
from portal.schedules.access import manages_others, staff_choices
from portal.scheduling.validation import parse_hhmm
from portal.web import formatting as fmt
from portal.web import htmx
from portal.web.agent import bp, labels
from portal.web.agent.forms import (
    DAY_COUNT,
    MAX_ROWS_PER_DAY,
    HoursForm,
    weekday_choices,
    weekday_name,
)
from portal.web.schedule_views import add_error, add_form_error, render, target_agent

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)


Rows = list[list[tuple[str, str]]]  # per day (index 0 = Monday): (start, end) as typed


def _rows_of(week: list[hours.Window]) -> Rows:
    rows: Rows = [[] for _day in range(DAY_COUNT)]
    for window in week:
        rows[window.day_of_week - 1].append(
            (fmt.input_time(window.start), fmt.input_time(window.end))
        )
    return rows


def _form_for(rows: Rows, version: str, *, copy=None) -> HoursForm:
    """A display form holding ``rows``; a day without rows shows as a day off."""
    data = {
        "version": version,
        "days": [{"windows": [{"start": s, "end": e} for s, e in day]} for day in rows],
    }
    if copy:
        data["copy_from"], data["copy_to"] = copy
    return HoursForm(formdata=None, data=data)


_ROW_FIELD = re.compile(r"days-([0-6])-windows-(\d{1,2})-(start|end)")


def _submitted_rows(formdata) -> Rows:
    """The rows as posted, by the day and row numbers in their names.

    (Read directly: a day whose rows were all removed posts nothing, which would
    shift WTForms' FieldList entries onto the wrong days.)
    """
    found: dict[int, dict[int, dict[str, str]]] = {}
    for name in formdata:
        match = _ROW_FIELD.fullmatch(name)
        if match is None or int(match[2]) >= MAX_ROWS_PER_DAY:
            continue
        day, row, part = int(match[1]), int(match[2]), match[3]
        found.setdefault(day, {}).setdefault(row, {})[part] = (formdata.get(name) or "").strip()
    rows: Rows = []
    for day in range(DAY_COUNT):
        cells = found.get(day, {})
        rows.append(
            [(cells[row].get("start", ""), cells[row].get("end", "")) for row in sorted(cells)]
        )
    return rows


def _parse(rows: Rows) -> tuple[list[hours.Window], dict[tuple[int, int], dict[str, str]]]:
    """The windows typed in; errors keyed by (day index, row) → {field: message}. Blank rows
    skip.
    """
    windows: list[hours.Window] = []
    errors: dict[tuple[int, int], dict[str, str]] = {}
    for day_index, day in enumerate(rows):
        for row, (start, end) in enumerate(day):
            if not start and not end:
                continue
            problems: dict[str, str] = {}
            minutes: dict[str, int] = {}
            for name, text in (("start", start), ("end", end)):
                if not text:
                    problems[name] = _("Enter both times, or clear the row to remove it.")
                    continue
                try:
                    minutes[name] = parse_hhmm(text)
                except ValueError as error:
                    problems[name] = translated(error.args[0])
            if problems:
                errors[(day_index, row)] = problems
            else:
                windows.append(hours.Window(day_index + 1, minutes["start"], minutes["end"]))
    return windows, errors


def _page(
    agent: User,
    form: HoursForm,
    *,
    status: int | None = None,
    saved: bool = False,
    notice: str | None = None,
):
    return render(
        "agent/hours.html",
        "agent/_hours_editor.html",
        form=form,
        status=status,
        agent=agent,
        days=weekday_choices(),
        saved=saved,
        notice=notice,
        agents=staff_choices(db.session) if manages_others(current_user) else [],
        action=_action_url(agent),
        role_label=labels.role,
    )


def _action_url(agent: User) -> str:
    if agent.id == current_user.id:
        return url_for("agent.hours")
    return url_for("agent.hours", agent=str(agent.id))


@bp.get("/hours", endpoint="hours")
@role_required(*STAFF)
def hours_page():
    agent = target_agent(request.args.get("agent"))
    week = hours.get_week(db.session, agent.id)
    return _page(agent, _form_for(_rows_of(week), hours.week_version(week)))


@bp.post("/hours", endpoint="hours_save")
@role_required(*STAFF)
def hours_save():
    agent = target_agent(request.args.get("agent"))
    form = HoursForm()
    if not form.validate_on_submit():
        # Only the CSRF token and the structure can fail here; show the saved week again.
        week = hours.get_week(db.session, agent.id)
        fresh = _form_for(_rows_of(week), hours.week_version(week))
        add_form_error(
            fresh, _("The form had expired. Here are the saved hours; make your change again.")
        )
        return _page(agent, fresh, status=400)
    rows = _submitted_rows(request.form)
    action = request.form.get("action", "save")
    copy = (form.copy_from.data, list(form.copy_to.data or []))

    if action.startswith("add-"):
        day = _day_index(action.removeprefix("add-"))
        if day is not None and len(rows[day]) < MAX_ROWS_PER_DAY:
            rows[day].append(("", ""))
        return _page(agent, _form_for(rows, form.version.data or "", copy=copy))

    if action.startswith("remove-"):
        day_text, _dash, row_text = action.removeprefix("remove-").partition("-")
        day = _day_index(day_text)
        if day is not None and row_text.isdigit() and int(row_text) < len(rows[day]):
            del rows[day][int(row_text)]
        return _page(agent, _form_for(rows, form.version.data or "", copy=copy))

    windows, errors = _parse(rows)
    if action == "copy":
        display = _form_for(rows, form.version.data or "", copy=copy)
        if errors:
            _show_errors(display, errors)
            add_form_error(display, _("Fix the times marked below before copying."))
            return _page(agent, display)
        targets = [day for day in copy[1] if day != copy[0]]
        if not targets:
            add_error(display.copy_to, _("Tick the days to copy to."))
            return _page(agent, display)
        copied = hours.copy_day(windows, copy[0], targets)
        display = _form_for(_rows_of(copied), form.version.data or "", copy=(copy[0], []))
        names = ", ".join(weekday_name(day) for day in sorted(targets))
        notice = _(
            "Copied %(day)s to %(days)s. Save to keep the change.",
            day=weekday_name(copy[0]),
            days=names,
        )
        return _page(agent, display, notice=notice)

    display = _form_for(rows, form.version.data or "", copy=copy)
    if errors:
        _show_errors(display, errors)
        return _page(agent, display)
    on_domain_error(lambda error: _refused(agent, rows, display, error))
    hours.replace_week(db.session, agent.id, windows, expected_version=form.version.data or "")
    if htmx.wants_partial():
        week = hours.get_week(db.session, agent.id)
        return _page(agent, _form_for(_rows_of(week), hours.week_version(week)), saved=True)
    flash(_("Working hours saved for %(name)s.", name=agent.name), "success")
    return redirect(_action_url(agent), code=303)


def _refused(agent: User, rows: Rows, display: HoursForm, error: DomainError):
    """A week the domain refused: each broken rule at its row; or, if the week changed
    meanwhile, the week as saved now (409)."""
    if not isinstance(error, hours.InvalidWeek):
        week = hours.get_week(db.session, agent.id)
        fresh = _form_for(_rows_of(week), hours.week_version(week))
        add_form_error(fresh, translated(error.message))
        return _page(agent, fresh, status=error.status)
    for problem in error.problems:
        row = _typed_row(rows, problem.day_of_week - 1, problem.index)
        add_error(
            display.days[problem.day_of_week - 1].windows[row].end, translated(problem.message)
        )
    return _page(agent, display)


def _day_index(text: str) -> int | None:
    return int(text) - 1 if text.isdigit() and 1 <= int(text) <= 7 else None


def _typed_row(rows: Rows, day_index: int, index: int) -> int:
    """The form row of the ``index``-th filled-in window of a day (blank rows are skipped)."""
    filled = [row for row, (start, end) in enumerate(rows[day_index]) if start or end]
    return filled[index] if index < len(filled) else 0


def _show_errors(form: HoursForm, errors: dict[tuple[int, int], dict[str, str]]) -> None:
    for (day_index, row), problems in errors.items():
        entry = form.days[day_index].windows[row]
        for name, message in problems.items():
            add_error(getattr(entry, name), message)
