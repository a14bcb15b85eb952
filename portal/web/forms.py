"""WTForms used by more than one page."""

from flask_wtf import FlaskForm
from wtforms import Field, ValidationError

from portal.domain import values
from portal.domain.errors import Invalid


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""


class EmailAddress:
    """The one e-mail rule (``portal.domain.values.email``) as a form validator.

    An empty field passes: ``DataRequired`` or ``Optional`` before it decide.
    """

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data:
            return
        try:
            values.email(field.data)
        except Invalid as error:
            raise ValidationError(self.message or error.message) from None
