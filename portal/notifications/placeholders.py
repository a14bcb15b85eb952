"""Template placeholders: ``{{firstName}}`` and friends (DESIGN.md 7).

Templates are written by admins and trusted; the values (customer names,
titles) are not, so values are HTML-escaped in HTML bodies and flattened to
one line in subjects. A placeholder's value is never itself scanned for
placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markupsafe import escape

from portal.domain.i18n import N_
from portal.models import Channel, TemplateType

PLACEHOLDERS: tuple[str, ...] = (
    "firstName",
    "lastName",
    "title",
    "dd-MM-yyyy",
    "date",  # the locale's full date: "Samstag, 1. Juni 2030", "Saturday, June 1, 2030"
    "time24",
    "time12",  # always with AM/PM; "time" follows the locale
    "time",  # the locale's short time: "19:00" (de, fr, en_GB), "7:00 PM" (en_US)
    "zone",
    "zoneAbbr",
    "roomLink",
    "manageLink",
    "agentName",
    "cancelDeadline",
    "rescheduleDeadline",
    "answers",
)
TIMED_TYPES = frozenset({TemplateType.REMINDER, TemplateType.ROOM})
SUBJECT_MAX = 200  # the template column; rendered subjects are cut to the outbox's 255

_TOKEN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


class TemplateError(ValueError):
    """A template that cannot be saved; ``problems`` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def placeholders_in(text: str) -> list[str]:
    return [match.group(1) for match in _TOKEN.finditer(text or "")]


def template_problems(text: str, field: str = N_("The text")) -> list[str]:
    """What is wrong with the placeholders of one text: unknown names, stray braces."""
    problems = []
    unknown = sorted({name for name in placeholders_in(text) if name not in PLACEHOLDERS})
    if unknown:
        names = ", ".join(f"{{{{{name}}}}}" for name in unknown)
        known = ", ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS)
        problems.append(
            N_(
                "%(field)s uses unknown placeholders: %(names)s. Known: %(known)s.",
                field=field,
                names=names,
                known=known,
            )
        )
    leftover = _TOKEN.sub("", text or "")
    if "{{" in leftover or "}}" in leftover:
        problems.append(
            N_("%(field)s has a '{{' or '}}' that is not part of a placeholder.", field=field)
        )
    return problems


def validate_template(
    *,
    channel: Channel,
    type: TemplateType,
    period_seconds: int | None,
    subject: str,
    text_body: str,
    html_body: str = "",
) -> None:
    """Raise TemplateError unless this template can be saved and rendered."""
    problems: list[str] = []
    if type in TIMED_TYPES:
        if period_seconds is None or period_seconds <= 0:
            problems.append(
                N_(
                    "A %(type)s template needs a period before the start, e.g. P1D.",
                    type=type.value,
                )
            )
    elif period_seconds:
        problems.append(
            N_("Only REMINDER and ROOM templates have a period, not %(type)s.", type=type.value)
        )
    if not (text_body or "").strip():
        problems.append(N_("The text body is required."))
    if channel == Channel.EMAIL:
        if not (subject or "").strip():
            problems.append(N_("An email template needs a subject."))
        if _CONTROL.search(subject or ""):
            problems.append(N_("The subject must be a single line."))
        if len(subject or "") > SUBJECT_MAX:
            problems.append(
                N_("The subject is longer than %(count)s characters.", count=SUBJECT_MAX)
            )
        problems += template_problems(subject, N_("The subject"))
        problems += template_problems(html_body, N_("The HTML body"))
    elif (html_body or "").strip() or (subject or "").strip():
        problems.append(N_("SMS templates have a text body only."))
    problems += template_problems(text_body, N_("The text body"))
    if problems:
        raise TemplateError(problems)


def one_line(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value or "").split())


def render(text: str, values: Mapping[str, str], *, html: bool = False) -> str:
    """Substitute placeholders; unknown ones stay as written (saved templates have none)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return str(escape(values[name])) if html else values[name]

    return _TOKEN.sub(value, text or "")


def render_subject(text: str, values: Mapping[str, str]) -> str:
    """A subject that is one line whatever the values hold: no header can be injected."""
    return one_line(render(text, {k: one_line(v) for k, v in values.items()}))[:255]
