"""WTForms used by more than one page."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for POST-only buttons."""
