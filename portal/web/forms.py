"""WTForms of the public and customer pages, and the pieces every area shares.

The staff pages keep theirs in ``portal.web.agent.forms`` and ``portal.web.admin.forms``.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.booking import questions
from portal.domain import values
from portal.domain.errors import Invalid
from portal.errors import translated

# --- shared by every area ------------------------------------------------------------------


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


class EmailAddress:
    """The one e-mail rule (``portal.domain.values.email``) as a form validator.

    ``message`` replaces the general sentence, not the one about a non-ASCII local part.
    An empty field passes: ``DataRequired`` or ``Optional`` before it decide.
    """

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            return
        try:
            values.email(field.data, message=str(self.message or values.EMAIL_MESSAGE))
        except Invalid as error:
            raise ValidationError(translated(error.message)) from None


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# --- staff sign-in (auth) ------------------------------------------------------------------


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EmailAddress(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


# --- booking: the customer's details --------------------------------------------------------


class DetailsForm(FlaskForm):
    h = HiddenField()
    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter your first name.")), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(_l("Enter your last name.")), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            EmailAddress(_l("Enter a valid email address, like name@example.com.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    phone = TelField(
        _l("Phone (optional)"),
        validators=[
            Optional(),
            Length(max=32),
            Regexp(
                r"^\+?[0-9 ()./-]{5,}$", message=_l("Enter a phone number, like +49 30 1234567.")
            ),
        ],
        render_kw={"autocomplete": "tel"},
    )
    notes = TextAreaField(
        _l("Anything we should know? (optional)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )


def question_field_name(question_id: str) -> str:
    """The form field of a booking question (ids are slugs; hyphens cannot clash)."""
    return "q_" + question_id.replace("-", "_")


def _question_field(question: dict) -> Field:
    """One booking question as a WTForms field, with the validation the domain repeats."""
    kind, label = question["type"], question["label"]
    required = question["required"]
    if kind == "checkbox":
        checks = (
            [DataRequired(_("Please tick “%(question)s”.", question=label))] if required else []
        )
        return BooleanField(label, validators=checks)
    needed = (
        [DataRequired(_("Please answer “%(question)s”.", question=label))]
        if required
        else [Optional()]
    )
    if kind == "select":
        choices = [SelectChoice("", _("Choose…")), *map(SelectChoice, question["options"])]
        return SelectField(label, choices=choices, validators=needed)
    longest = questions.MAX_ANSWER[kind]
    if kind == "phone":
        return TelField(
            label,
            validators=[
                *needed,
                Length(max=longest),
                Regexp(
                    questions.PHONE_PATTERN.pattern + "$",
                    message=_("Enter a phone number, e.g. +49 30 1234567."),
                ),
            ],
            render_kw={"autocomplete": "tel"},
        )
    field_class = TextAreaField if kind == "textarea" else StringField
    render = {"rows": 3} if kind == "textarea" else {}
    return field_class(label, validators=[*needed, Length(max=longest)], render_kw=render)


def details_form_class(service_questions: list[dict]) -> type[DetailsForm]:
    """``DetailsForm`` plus the service's booking questions, in order (built per request)."""
    fields = {question_field_name(q["id"]): _question_field(q) for q in service_questions}
    return type("ServiceDetailsForm", (DetailsForm,), fields)


def answers_from(form: DetailsForm, service_questions: list[dict]) -> dict:
    """``{question id: value}`` from a submitted details form (the domain checks them)."""
    answers: dict = {}
    for question in service_questions:
        value = form[question_field_name(question["id"])].data
        if question["type"] == "checkbox":
            answers[question["id"]] = bool(value)
        elif value:
            answers[question["id"]] = value.strip()
    return answers


# --- the emailed one-time code: booking and /my sign-in ----------------------------------------


class CodeForm(FlaskForm):
    """A 6-digit code from an email: booking (``p``, the signed draft) and sign-in (``email``)."""

    p = HiddenField()
    email = HiddenField(validators=[Optional(), EmailAddress(), Length(max=254)])
    code = StringField(
        _l("6-digit code"),
        validators=[
            DataRequired(_l("Enter the code from the email.")),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("The code is 6 digits.")),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "maxlength": "7",
            "pattern": r"\s*[0-9]{3}\s?[0-9]{3}\s*",
        },
    )


# --- /my: customer sign-in -------------------------------------------------------------------


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            EmailAddress(_l("Enter a valid email address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


# --- /manage: cancel through the private link ------------------------------------------------


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=500)],
        render_kw={"rows": 2},
    )


# --- the waitlist of a full day ----------------------------------------------------------------


class WaitlistJoinForm(FlaskForm):
    """An e-mail to be told when a time frees up (``w``: the signed day, zone and agent)."""

    w = HiddenField()
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            EmailAddress(_l("Enter a valid email address, like name@example.com.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


class WaitlistOfferForm(FlaskForm):
    """The details of a booking through a waitlist offer (the e-mail is the entry's)."""

    first_name = StringField(
        _l("First name"),
        validators=[DataRequired(_l("Enter your first name.")), Length(max=100)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"),
        validators=[DataRequired(_l("Enter your last name.")), Length(max=100)],
        render_kw={"autocomplete": "family-name"},
    )
    phone = DetailsForm.phone
    notes = DetailsForm.notes
