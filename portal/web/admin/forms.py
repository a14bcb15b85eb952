"""WTForms of the admin pages under /admin, with the choices they offer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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

from portal.models import (
    DayOfWeek,
    OfficeHoursType,
    OutboxChannel,
    OutboxStatus,
    Role,
    TemplateType,
)
from portal.web.forms import CheckboxesField
from portal.web.schedule_views import no_nul

# --- /admin/users ----------------------------------------------------------------------------


# Enum values stay as they are (the API and the database use them); pages show these labels.
ROLE_LABELS = {
    Role.CUSTOMER: _l("Customer"),
    Role.AGENT: _l("Agent"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ADMIN: _l("Administrator"),
    Role.CLIENT_SERVICE: _l("Integration"),
}
ROLE_CHOICES = [
    (Role.AGENT.value, ROLE_LABELS[Role.AGENT]),
    (Role.SUPERVISOR.value, ROLE_LABELS[Role.SUPERVISOR]),
    (Role.ADMIN.value, ROLE_LABELS[Role.ADMIN]),
    (Role.CLIENT_SERVICE.value, _l("Integration (API only)")),
]
ROLE_FILTERS = {"": _l("All roles"), **dict(ROLE_CHOICES)}


class UserForm(FlaskForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("Email"))
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validate_choice=False)
    timezone = StringField(_l("Time zone"), default="UTC")
    locale = StringField(_l("Locale"), default="en")
    reference = StringField(_l("Employee reference"))


class NewUserForm(UserForm):
    password = PasswordField(_l("Password"))


class EditUserForm(UserForm):
    # The user's updated_at when the form was loaded: a concurrent change is detected.
    version = HiddenField()


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    role = SelectField(_l("Role"), choices=list(ROLE_FILTERS.items()), validate_choice=False)
    inactive = BooleanField(_l("Show deactivated users"))


# --- /admin/tokens ---------------------------------------------------------------------------


class TokenForm(FlaskForm):
    name = StringField(_l("What is it for?"))
    user = SelectField(_l("Acts as"), choices=[], validate_choice=False)


# --- /admin/services -------------------------------------------------------------------------


def _optional_int(label: str) -> IntegerField:
    return IntegerField(label, validators=[Optional()])


class ServiceForm(FlaskForm):
    name = StringField(_l("Name"))
    slug = StringField(_l("Address (slug)"))
    description = TextAreaField(_l("Description"))
    duration = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired(_l("Enter the duration in minutes."))]
    )
    slot_interval = _optional_int(_l("Slot interval (minutes)"))
    buffer_before = _optional_int(_l("Buffer before (minutes)"))
    buffer_after = _optional_int(_l("Buffer after (minutes)"))
    minimum_notice = _optional_int(_l("Minimum notice (minutes)"))
    horizon_days = IntegerField(
        _l("Booking horizon (days)"),
        validators=[InputRequired(_l("Enter how many days ahead customers may book."))],
    )
    capacity = IntegerField(
        _l("Capacity (seats per agent and slot)"),
        validators=[InputRequired(_l("Enter the capacity."))],
    )
    timezone = StringField(_l("Time zone"))
    locale = StringField(_l("Locale"))
    color = ColorField(_l("Colour in calendars"))
    agent_ids = CheckboxesField(_l("Agents"), choices=[], validate_choice=False)
    active = BooleanField(_l("Open for booking"))
    cancel_cutoff = _optional_int(_l("Cancel online until (minutes before the start)"))
    reschedule_cutoff = _optional_int(_l("Reschedule online until (minutes before the start)"))
    max_bookings_per_customer = _optional_int(_l("Upcoming bookings per customer (at most)"))
    max_per_agent_per_day = _optional_int(_l("Appointments per agent and day (at most)"))
    questions = TextAreaField(_l("Booking questions (JSON)"))
    embed_origins = TextAreaField(_l("Sites that may embed the booking page"))
    version = HiddenField()


# --- /admin/services/<id>/templates and the sender email -------------------------------------


TEMPLATE_TYPE_LABELS = {
    TemplateType.CREATE: _l("Booking confirmation"),
    TemplateType.RESCHEDULE: _l("New time"),
    TemplateType.CANCEL: _l("Cancellation"),
    TemplateType.REMINDER: _l("Reminder"),
    TemplateType.ROOM: _l("Video room link"),
}
CHANNEL_LABELS = {
    OutboxChannel.EMAIL: _l("Email"),
    OutboxChannel.SMS: _l("SMS"),
}
# Mid-sentence, after the message type in the outbox ("Reminder · email").
OUTBOX_CHANNEL_LABELS = {
    OutboxChannel.EMAIL: _l("email"),
    OutboxChannel.SMS: _l("SMS"),
    OutboxChannel.WEBHOOK: _l("webhook"),
}
OUTBOX_STATUS_LABELS = {
    OutboxStatus.PENDING: _l("Pending"),
    OutboxStatus.SENT: _l("Sent"),
    OutboxStatus.FAILED: _l("Failed"),
}


class TemplateForm(FlaskForm):
    channel = SelectField(
        _l("Channel"),
        choices=[
            ("EMAIL", CHANNEL_LABELS[OutboxChannel.EMAIL]),
            ("SMS", CHANNEL_LABELS[OutboxChannel.SMS]),
        ],
        validate_choice=False,
    )
    type = SelectField(
        _l("Sent on"),
        choices=[(t.value, label) for t, label in TEMPLATE_TYPE_LABELS.items()],
        validate_choice=False,
    )
    period = IntegerField(_l("Minutes before the start"), validators=[Optional()])
    locale = StringField(_l("Locale"), default="en")
    subject = StringField(_l("Subject"))
    text_body = TextAreaField(_l("Text"))
    html_body = TextAreaField(_l("HTML"))
    active = BooleanField(_l("Active"), default=True)
    template_id = HiddenField()


class SenderForm(FlaskForm):
    sender_email = EmailField(_l("Sender email"))


class SenderCodeForm(FlaskForm):
    code = StringField(_l("Verification code"))


# --- /admin/services/<id>/time-slots ---------------------------------------------------------


# Time slots number the days 1 (Monday) to 7; office hours use DayOfWeek (DAY_LABELS below).
DAYS = [
    (1, _l("Monday")),
    (2, _l("Tuesday")),
    (3, _l("Wednesday")),
    (4, _l("Thursday")),
    (5, _l("Friday")),
    (6, _l("Saturday")),
    (7, _l("Sunday")),
]


class TimeSlotForm(FlaskForm):
    original = HiddenField()
    day_of_week = SelectField(_l("Day"), choices=DAYS, coerce=int, default=1)
    from_time = StringField(_l("From"))
    to_time = StringField(_l("Until"))
    available = BooleanField(_l("Offered (untick to block this time)"), default=True)


# --- /admin/office-hours ---------------------------------------------------------------------


_WEEK = (
    DayOfWeek.MON,
    DayOfWeek.TUE,
    DayOfWeek.WED,
    DayOfWeek.THU,
    DayOfWeek.FRI,
    DayOfWeek.SAT,
    DayOfWeek.SUN,
)
DAY_LABELS = {day: label for day, (_number, label) in zip(_WEEK, DAYS, strict=True)}
OFFICE_HOURS_TYPE_LABELS = {
    OfficeHoursType.NONWORKING: _l("Non-working"),
    OfficeHoursType.LUNCHTIME: _l("Lunchtime"),
    OfficeHoursType.COFFEEBREAK: _l("Coffee break"),
    OfficeHoursType.WEEKENDS: _l("Weekend"),
}


class OfficeHoursForm(FlaskForm):
    version = HiddenField()
    name = StringField(_l("Name"), filters=[no_nul])
    type = SelectField(
        _l("Type"), choices=[(t.value, label) for t, label in OFFICE_HOURS_TYPE_LABELS.items()]
    )
    dow = SelectField(_l("Day"), choices=[(d.value, label) for d, label in DAY_LABELS.items()])
    time_from = StringField(_l("Closed from"))
    time_to = StringField(_l("Until"))


# --- /admin/webhooks ---------------------------------------------------------------------------


class WebhookForm(FlaskForm):
    url = StringField(_l("Endpoint URL"))
    events = CheckboxesField(_l("Events"), choices=[], validate_choice=False)
    description = StringField(_l("Description"))
    active = BooleanField(_l("Deliver events"), default=True)
