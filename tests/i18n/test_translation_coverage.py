"""Every text people read is marked for translation and translated into de and fr.

The checker is ``portal.i18n_check`` (``python -m portal.i18n_check`` prints the same list).
The first tests pin its rules on small samples; the last three run it on the project.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from portal import i18n_check

SHOWN = 50


def offenders(findings) -> str:
    lines = [str(finding) for finding in findings[:SHOWN]]
    more = len(findings) - SHOWN
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))


# --- the rules ---------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_template_rules(tmp_path):
    path = write(
        tmp_path,
        "page.html",
        """
        <h1>{{ _('Book a time') }}</h1>
        <p>Plain text</p>
        <p>{% trans name=user.name %}Hello <b>{{ name }}</b>{% endtrans %}</p>
        <img src="x.png" alt="A picture"><a title="{{ _('Open') }}" href="/">{{ label }}</a>
        <input type="submit" value="Send"><input type="hidden" name="a" value="plain">
        <script>const text = "not checked";</script><style>.a::after { content: "x"; }</style>
        <p>Portal · support@example.com · API · .ics</p>
        <p>Not translated on purpose</p> {# i18n: skip #}
        <code>{type: "portal:booked"}</code>
        {{ field(form.name, hint="One or two words") }}{{ field(form.x, hint=_('Marked')) }}
        <span aria-label="Close">×</span>
        """,
    )
    found = [(f.line, f.text) for f in i18n_check.check_template(path)]
    assert found == [
        (2, "Plain text"),
        (4, 'alt="A picture"'),
        (5, 'value="Send"'),
        (10, "hint='One or two words'"),
        (11, 'aria-label="Close"'),
    ]


def test_python_rules(tmp_path):
    path = write(
        tmp_path,
        "views.py",
        """
        from flask import flash
        from flask_babel import gettext as _, lazy_gettext as _l
        from wtforms import StringField, ValidationError
        from wtforms.validators import DataRequired
        from portal.domain.errors import Invalid, HoldError

        name = StringField("Name", validators=[DataRequired(message="Enter a name.")])
        email = StringField(_l("E-mail"), validators=[DataRequired(message=_l("Enter it."))])
        note = StringField(label=f"Note {name}")

        def view(when, text):
            flash(f"Moved to {when}.", "success")
            flash(_("Saved."), "success")
            flash(text)
            raise Invalid("That time is taken.")

        def other():
            raise HoldError(message="Too late.")
            raise ValidationError("Bad value.")
            raise ValueError("Not shown to people.")
            raise Invalid(N_("Marked in the domain."))
        """,
    )
    found = [(f.line, f.text) for f in i18n_check.check_python_file(path)]
    assert found == [
        (7, "'Name'"),
        (7, "'Enter a name.'"),
        (9, "f'Note {name}'"),
        (12, "f'Moved to {when}.'"),
        (15, "'That time is taken.'"),
        (18, "'Too late.'"),
        (19, "'Bad value.'"),
    ]


def test_catalog_rules(tmp_path):
    (tmp_path / "templates").mkdir()
    write(tmp_path, "babel.cfg", "[jinja2: templates/**.html]\ntrimmed = true\n")
    write(
        tmp_path,
        "templates/page.html",
        "{{ _('Done') }} {{ _('Missing') }} {{ _('Fuzzy') }} {{ _('Empty') }}"
        " {{ ngettext('%(num)d slot', '%(num)d slots', n) }}",
    )
    catalog = tmp_path / "translations" / "de" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    write(
        catalog,
        "messages.po",
        """
        msgid ""
        msgstr ""
        "Content-Type: text/plain; charset=utf-8\\n"
        "Plural-Forms: nplurals=2; plural=(n != 1);\\n"

        msgid "Done"
        msgstr "Fertig"

        #, fuzzy
        msgid "Fuzzy"
        msgstr "Unscharf"

        msgid "Empty"
        msgstr ""

        msgid "%(num)d slot"
        msgid_plural "%(num)d slots"
        msgstr[0] "%(num)d Termin"
        msgstr[1] ""
        """,
    )
    found = [f.text for f in i18n_check.check_catalogs(tmp_path, tmp_path / "translations", ["de"])]
    assert found == [
        "[de missing] 'Missing'",
        "[de fuzzy] 'Fuzzy'",
        "[de untranslated] 'Empty'",
        "[de untranslated] '%(num)d slot'",
    ]


# --- the project -------------------------------------------------------------------------


def test_templates_mark_every_text():
    findings = i18n_check.check_templates()
    if findings:
        pytest.fail(f"{len(findings)} texts not marked:\n{offenders(findings)}", pytrace=False)


def test_python_marks_every_text_people_read():
    findings = i18n_check.check_python()
    if findings:
        pytest.fail(f"{len(findings)} strings not marked:\n{offenders(findings)}", pytrace=False)


def test_german_and_french_catalogs_are_complete():
    findings = i18n_check.check_catalogs()
    if findings:
        missing = f"{len(findings)} catalog entries missing"
        pytest.fail(f"{missing}:\n{offenders(findings)}", pytrace=False)
