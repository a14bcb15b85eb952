"""WTForms of the admin pages under /admin, with the choices they offer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from portal.models import DayOfWeek, OfficeHoursType, Role, TemplateType
from portal.schedules.working_hours import DAY_NAMES
from portal.web.forms import CheckboxesField
from portal.web.schedule_views import no_nul

# --- /admin/users ----------------------------------------------------------------------------


ROLE_CHOICES = [
    (Role.AGENT.value, "Agent"),
    (Role.SUPERVISOR.value, "Supervisor"),
    (Role.ADMIN.value, "Administrator"),
    (Role.CLIENT_SERVICE.value, "Integration (API only)"),
]
ROLE_FILTERS = {"": "All roles", **dict(ROLE_CHOICES)}


class UserForm(FlaskForm):
    name = StringField("Name")
    email = EmailField("Email")
    role = SelectField("Role", choices=ROLE_CHOICES, validate_choice=False)
    timezone = StringField("Time zone", default="UTC")
    locale = StringField("Locale", default="en")
    reference = StringField("Employee reference")


class NewUserForm(UserForm):
    password = PasswordField("Password")


class EditUserForm(UserForm):
    # The user's updated_at when the form was loaded: a concurrent change is detected.
    version = HiddenField()


class PasswordForm(FlaskForm):
    password = PasswordField("New password")
    confirm = PasswordField("Repeat the new password")


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    role = SelectField("Role", choices=list(ROLE_FILTERS.items()), validate_choice=False)
    inactive = BooleanField("Show deactivated users")


# --- /admin/tokens ---------------------------------------------------------------------------


class TokenForm(FlaskForm):
    name = StringField("What is it for?")
    user = SelectField("Acts as", choices=[], validate_choice=False)


# --- /admin/services -------------------------------------------------------------------------


def _optional_int(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional()])


class ServiceForm(FlaskForm):
    name = StringField("Name")
    slug = StringField("Address (slug)")
    description = TextAreaField("Description")
    duration = IntegerField(
        "Duration (minutes)", validators=[InputRequired("Enter the duration in minutes.")]
    )
    slot_interval = _optional_int("Slot interval (minutes)")
    buffer_before = _optional_int("Buffer before (minutes)")
    buffer_after = _optional_int("Buffer after (minutes)")
    minimum_notice = _optional_int("Minimum notice (minutes)")
    horizon_days = IntegerField(
        "Booking horizon (days)",
        validators=[InputRequired("Enter how many days ahead customers may book.")],
    )
    capacity = IntegerField(
        "Capacity (seats per agent and slot)", validators=[InputRequired("Enter the capacity.")]
    )
    timezone = StringField("Time zone")
    locale = StringField("Locale")
    color = ColorField("Colour in calendars")
    agent_ids = CheckboxesField("Agents", choices=[], validate_choice=False)
    active = BooleanField("Open for booking")
    cancel_cutoff = _optional_int("Cancel online until (minutes before the start)")
    reschedule_cutoff = _optional_int("Reschedule online until (minutes before the start)")
    max_bookings_per_customer = _optional_int("Upcoming bookings per customer (at most)")
    max_per_agent_per_day = _optional_int("Appointments per agent and day (at most)")
    questions = TextAreaField("Booking questions (JSON)")
    embed_origins = TextAreaField("Sites that may embed the booking page")
    version = HiddenField()


# --- /admin/services/<id>/templates and the sender email -------------------------------------


TEMPLATE_TYPE_LABELS = {
    TemplateType.CREATE: "Booking confirmation",
    TemplateType.RESCHEDULE: "New time",
    TemplateType.CANCEL: "Cancellation",
    TemplateType.REMINDER: "Reminder",
    TemplateType.ROOM: "Video room link",
}


class TemplateForm(FlaskForm):
    channel = SelectField(
        "Channel", choices=[("EMAIL", "Email"), ("SMS", "SMS")], validate_choice=False
    )
    type = SelectField(
        "Sent on",
        choices=[(t.value, label) for t, label in TEMPLATE_TYPE_LABELS.items()],
        validate_choice=False,
    )
    period = IntegerField("Minutes before the start", validators=[Optional()])
    locale = StringField("Locale", default="en")
    subject = StringField("Subject")
    text_body = TextAreaField("Text")
    html_body = TextAreaField("HTML")
    active = BooleanField("Active", default=True)
    template_id = HiddenField()


class SenderForm(FlaskForm):
    sender_email = EmailField("Sender email")


class SenderCodeForm(FlaskForm):
    code = StringField("Verification code")


# --- /admin/services/<id>/time-slots ---------------------------------------------------------


DAYS = list(enumerate(DAY_NAMES, start=1))


class TimeSlotForm(FlaskForm):
    original = HiddenField()
    day_of_week = SelectField("Day", choices=DAYS, coerce=int, default=1)
    from_time = StringField("From")
    to_time = StringField("Until")
    available = BooleanField("Offered (untick to block this time)", default=True)


# --- /admin/office-hours ---------------------------------------------------------------------


DAY_LABELS = {
    DayOfWeek.MON: "Monday",
    DayOfWeek.TUE: "Tuesday",
    DayOfWeek.WED: "Wednesday",
    DayOfWeek.THU: "Thursday",
    DayOfWeek.FRI: "Friday",
    DayOfWeek.SAT: "Saturday",
    DayOfWeek.SUN: "Sunday",
}
OFFICE_HOURS_TYPE_LABELS = {
    OfficeHoursType.NONWORKING: "Non-working",
    OfficeHoursType.LUNCHTIME: "Lunchtime",
    OfficeHoursType.COFFEEBREAK: "Coffee break",
    OfficeHoursType.WEEKENDS: "Weekend",
}


class OfficeHoursForm(FlaskForm):
    version = HiddenField()
    name = StringField("Name", filters=[no_nul])
    type = SelectField(
        "Type", choices=[(t.value, label) for t, label in OFFICE_HOURS_TYPE_LABELS.items()]
    )
    dow = SelectField("Day", choices=[(d.value, label) for d, label in DAY_LABELS.items()])
    time_from = StringField("Closed from")
    time_to = StringField("Until")


# --- /admin/webhooks ---------------------------------------------------------------------------


class WebhookForm(FlaskForm):
    url = StringField("Endpoint URL")
    events = CheckboxesField("Events", choices=[], validate_choice=False)
    description = StringField("Description")
    active = BooleanField("Deliver events", default=True)
