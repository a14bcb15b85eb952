"""WTForms of the staff pages under /agent: appointment, working hours, time off."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import ColorInput

from portal.booking import updates
from portal.schedules import time_off as time_off_domain
from portal.web import formatting as fmt
from portal.web.forms import CheckboxesField, EmailAddress
from portal.web.schedule_views import no_nul

DAY_COUNT = 7  # ISO weekdays 1 (Monday) to 7 (Sunday)
MAX_ROWS_PER_DAY = 12
KEEP = time_off_domain.CollidingBookingOptions.KEEP.value
CANCEL = time_off_domain.CollidingBookingOptions.CANCEL.value


def weekday_name(day_of_week: int) -> str:
    """The ISO weekday (1 = Monday) in the request's language, from Babel (CLDR)."""
    return fmt.locale().days["format"]["wide"][day_of_week - 1]


def weekday_choices() -> list[tuple[int, str]]:
    """(1, "Monday") ... (7, "Sunday") in the request's language; WTForms calls this per form."""
    return [(day, weekday_name(day)) for day in range(1, DAY_COUNT + 1)]


# --- /agent/appointments/<id> ----------------------------------------------------------------


class DetailsForm(FlaskForm):
    version = HiddenField()
    title = StringField(_l("Title"), filters=[no_nul], validators=[Length(max=updates.TITLE_MAX)])
    notes = TextAreaField(
        _l("Notes"),
        filters=[no_nul],
        validators=[Optional(), Length(max=10_000)],
        render_kw={"rows": 4},
    )
    metadata = TextAreaField(
        _l("Metadata"),
        filters=[no_nul],
        validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 3, "spellcheck": "false", "class": "mono"},
    )

    def validate_metadata(self, field) -> None:
        parsed = self.parsed_metadata()
        if not isinstance(parsed, dict):
            raise ValidationError(
                _('Write a JSON object, e.g. {"crm": "CS-1"}, or leave it empty.')
            )

    def parsed_metadata(self) -> Any:
        text = (self.metadata.data or "").strip()
        if not text:
            return {}
        try:
            return json.loads(text)
        except ValueError:
            return None


class CustomerForm(FlaskForm):
    first_name = StringField(_l("First name"), filters=[no_nul], validators=[Length(max=100)])
    last_name = StringField(_l("Last name"), filters=[no_nul], validators=[Length(max=100)])
    email = EmailField(
        _l("Email"), filters=[no_nul], validators=[Optional(), EmailAddress(), Length(max=254)]
    )
    phone = TelField(_l("Phone"), filters=[no_nul], validators=[Optional(), Length(max=32)])

    def validate_first_name(self, field) -> None:
        if not (field.data or "").strip() and not (self.last_name.data or "").strip():
            raise ValidationError(_("Give the customer a name."))


class AgentForm(FlaskForm):
    user_id = SelectField(_l("Agent"), choices=[], validate_choice=False)


class ReassignForm(FlaskForm):
    user_id = SelectField(_l("New organizer"), choices=[], validate_choice=False)


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        filters=[no_nul],
        validators=[Optional(), Length(max=500)],
        render_kw={"rows": 2},
    )
    email = BooleanField(_l("Email the customer"), default=True)
    sms = BooleanField(_l("Text the customer (SMS)"), default=False)


# --- /agent/hours ----------------------------------------------------------------------------


class WindowForm(Form):
    start = StringField(_l("From"))
    end = StringField(_l("To"))


class DayForm(Form):
    windows = FieldList(FormField(WindowForm), max_entries=MAX_ROWS_PER_DAY)


class HoursForm(FlaskForm):
    version = HiddenField()
    days = FieldList(FormField(DayForm), min_entries=7, max_entries=7)
    copy_from = SelectField(_l("Copy the hours of"), choices=weekday_choices, coerce=int, default=1)
    copy_to = CheckboxesField(_l("to"), choices=weekday_choices, coerce=int, default=[])


# --- /agent/time-off -------------------------------------------------------------------------


class TimeOffForm(FlaskForm):
    version = HiddenField()
    agents = CheckboxesField(_l("Agents"), choices=[], validate_choice=False)
    kind = RadioField(
        _l("Kind"),
        choices=[("once", _l("One-off")), ("weekly", _l("Every week"))],
        default="once",
    )
    from_date = DateField(_l("First day"))
    to_date = DateField(_l("Last day"))
    from_time = StringField(_l("From"))
    to_time = StringField(_l("Until"))
    days_of_week = CheckboxesField(_l("On"), choices=weekday_choices, coerce=int, default=[])
    reason_text = StringField(_l("Reason (for the team)"), filters=[no_nul])
    reason_text_public = StringField(_l("Reason customers may see"), filters=[no_nul])
    color = StringField(
        _l("Colour in the calendar"), widget=ColorInput(), default=time_off_domain.DEFAULT_COLOR
    )
    block_time = BooleanField(_l("Block this time for bookings"), default=True)
    private = BooleanField(_l("Only the agents concerned see the reason"))
    # The collision step (seed 002: Force, CollidingBookingOptions, CancelMessage,
    # Send*Confirmation).
    force = HiddenField()
    seen = HiddenField()
    colliding = RadioField(
        _l("What should happen to these appointments?"),
        choices=[
            (KEEP, _l("Keep them: add the time off, the appointments stay booked")),
            (CANCEL, _l("Cancel them and tell the customers")),
        ],
        default=KEEP,
    )
    cancel_message = TextAreaField(_l("Message to the customers"), filters=[no_nul])
    send_email = BooleanField(_l("Send it by email"), default=True)
    send_sms = BooleanField(_l("Send it by SMS"))
