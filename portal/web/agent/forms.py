"""WTForms of the staff pages under /agent: appointment, working hours, time off."""

from __future__ import annotations

import json
from typing import Any

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
from portal.schedules.working_hours import DAY_NAMES
from portal.web.forms import CheckboxesField, EmailAddress
from portal.web.schedule_views import no_nul

DAYS = list(enumerate(DAY_NAMES, start=1))
MAX_ROWS_PER_DAY = 12
KEEP = time_off_domain.CollidingBookingOptions.KEEP.value
CANCEL = time_off_domain.CollidingBookingOptions.CANCEL.value


# --- /agent/appointments/<id> ----------------------------------------------------------------


class DetailsForm(FlaskForm):
    version = HiddenField()
    title = StringField("Title", filters=[no_nul], validators=[Length(max=updates.TITLE_MAX)])
    notes = TextAreaField(
        "Notes",
        filters=[no_nul],
        validators=[Optional(), Length(max=10_000)],
        render_kw={"rows": 4},
    )
    metadata = TextAreaField(
        "Metadata",
        filters=[no_nul],
        validators=[Optional(), Length(max=20_000)],
        render_kw={"rows": 3, "spellcheck": "false", "class": "mono"},
    )

    def validate_metadata(self, field) -> None:
        parsed = self.parsed_metadata()
        if not isinstance(parsed, dict):
            raise ValidationError('Write a JSON object, e.g. {"crm": "CS-1"}, or leave it empty.')

    def parsed_metadata(self) -> Any:
        text = (self.metadata.data or "").strip()
        if not text:
            return {}
        try:
            return json.loads(text)
        except ValueError:
            return None


class CustomerForm(FlaskForm):
    first_name = StringField("First name", filters=[no_nul], validators=[Length(max=100)])
    last_name = StringField("Last name", filters=[no_nul], validators=[Length(max=100)])
    email = EmailField(
        "Email", filters=[no_nul], validators=[Optional(), EmailAddress(), Length(max=254)]
    )
    phone = TelField("Phone", filters=[no_nul], validators=[Optional(), Length(max=32)])

    def validate_first_name(self, field) -> None:
        if not (field.data or "").strip() and not (self.last_name.data or "").strip():
            raise ValidationError("Give the customer a name.")


class AgentForm(FlaskForm):
    user_id = SelectField("Agent", choices=[], validate_choice=False)


class ReassignForm(FlaskForm):
    user_id = SelectField("New organizer", choices=[], validate_choice=False)


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason", filters=[no_nul], validators=[Optional(), Length(max=500)], render_kw={"rows": 2}
    )
    email = BooleanField("Email the customer", default=True)
    sms = BooleanField("Text the customer (SMS)", default=False)


# --- /agent/hours ----------------------------------------------------------------------------


class WindowForm(Form):
    start = StringField("From")
    end = StringField("To")


class DayForm(Form):
    windows = FieldList(FormField(WindowForm), max_entries=MAX_ROWS_PER_DAY)


class HoursForm(FlaskForm):
    version = HiddenField()
    days = FieldList(FormField(DayForm), min_entries=7, max_entries=7)
    copy_from = SelectField("Copy the hours of", choices=DAYS, coerce=int, default=1)
    copy_to = CheckboxesField("to", choices=DAYS, coerce=int, default=[])


# --- /agent/time-off -------------------------------------------------------------------------


class TimeOffForm(FlaskForm):
    version = HiddenField()
    agents = CheckboxesField("Agents", choices=[], validate_choice=False)
    kind = RadioField(
        "Kind",
        choices=[("once", "One-off"), ("weekly", "Every week")],
        default="once",
    )
    from_date = DateField("First day")
    to_date = DateField("Last day")
    from_time = StringField("From")
    to_time = StringField("Until")
    days_of_week = CheckboxesField("On", choices=DAYS, coerce=int, default=[])
    reason_text = StringField("Reason (for the team)", filters=[no_nul])
    reason_text_public = StringField("Reason customers may see", filters=[no_nul])
    color = StringField(
        "Colour in the calendar", widget=ColorInput(), default=time_off_domain.DEFAULT_COLOR
    )
    block_time = BooleanField("Block this time for bookings", default=True)
    private = BooleanField("Only the agents concerned see the reason")
    # The collision step (seed 002: Force, CollidingBookingOptions, CancelMessage,
    # Send*Confirmation).
    force = HiddenField()
    seen = HiddenField()
    colliding = RadioField(
        "What should happen to these appointments?",
        choices=[
            (KEEP, "Keep them: add the time off, the appointments stay booked"),
            (CANCEL, "Cancel them and tell the customers"),
        ],
        default=KEEP,
    )
    cancel_message = TextAreaField("Message to the customers", filters=[no_nul])
    send_email = BooleanField("Send it by email", default=True)
    send_sms = BooleanField("Send it by SMS")
