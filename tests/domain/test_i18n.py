"""Domain sentences (``portal.domain.i18n``): English where they are read as text, and
translatable, values included, where a page shows them."""

from __future__ import annotations

import copy
import pickle

from portal.domain.errors import Invalid
from portal.domain.i18n import Message, N_, render

GERMAN = {
    "%(agent)s by replying to your confirmation e-mail": (
        "%(agent)s, indem Sie auf Ihre Bestätigungs-E-Mail antworten"
    ),
    "Please contact %(contact)s.": "Bitte kontaktieren Sie %(contact)s.",
    "Enter your e-mail address.": "Geben Sie Ihre E-Mail-Adresse ein.",
}


def german(msgid: str) -> str:
    return GERMAN.get(msgid, msgid)


def test_a_message_reads_as_the_english_sentence_with_its_values():
    message = N_("Please try again in %(minutes)s minutes.", minutes=5)
    assert isinstance(message, str) and isinstance(message, Message)
    assert message == "Please try again in 5 minutes."
    assert message.template == "Please try again in %(minutes)s minutes."
    assert message.values == {"minutes": 5}
    assert f"{message}" == str(message) == "Please try again in 5 minutes."


def test_a_sentence_without_values_is_kept_as_written():
    assert N_("100% sure.") == "100% sure."


def test_translation_takes_the_template_and_translates_message_values_too():
    contact = N_("%(agent)s by replying to your confirmation e-mail", agent="Alice Able")
    sentence = N_("Please contact %(contact)s.", contact=contact)
    assert sentence == "Please contact Alice Able by replying to your confirmation e-mail."
    assert render(sentence, german) == (
        "Bitte kontaktieren Sie Alice Able, indem Sie auf Ihre Bestätigungs-E-Mail antworten."
    )
    assert render("Enter your e-mail address.", german) == "Geben Sie Ihre E-Mail-Adresse ein."
    assert render("Never marked.", german) == "Never marked."


def test_a_translation_with_broken_placeholders_falls_back_to_english():
    sentence = N_("Please contact %(contact)s.", contact="us")
    assert render(sentence, lambda msgid: "Bitte %(kontakt)s.") == "Please contact us."


def test_an_error_keeps_the_message_and_survives_copies():
    error = Invalid(N_("Enter your e-mail address."), "email")
    assert error.message == str(error) == "Enter your e-mail address."
    assert isinstance(error.fields["email"], Message)
    for twin in (copy.deepcopy(error.message), pickle.loads(pickle.dumps(error.message))):
        assert twin == error.message and twin.template == error.message.template
