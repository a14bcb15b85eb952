"""Sentences the domain writes for people, translated where they are shown.

The domain knows no request and no language, so it marks its sentences with ``N_``
and keeps them English: ``N_("Book at least %(hours)s hours ahead.", hours=2)`` is a
``Message``, a ``str`` whose value is the English sentence with its values filled in
(what the API, the logs and the tests read), which also keeps the untranslated
sentence (``template``, the catalog's msgid) and its ``values``. Pages translate it
once, at the edge (``portal.errors.translated``). Babel extracts ``N_`` (``-k N_``):
the first argument is the msgid, the keyword values are not extracted.

A value that is itself a ``Message`` is translated with the sentence; any other value
(a name, a number, an already formatted date) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Message(str):
    """An English sentence that remembers how to be translated."""

    template: str
    values: Mapping[str, Any]

    def __new__(cls, template: str, values: Mapping[str, Any] | None = None) -> Message:
        values = dict(values or {})
        text = template % values if values else template
        message = super().__new__(cls, text)
        message.template = template
        message.values = values
        return message

    def __reduce__(self) -> tuple:
        return (Message, (self.template, dict(self.values)))


def N_(text: str, /, **values: Any) -> Message:
    """Mark ``text`` for translation; ``%(name)s`` placeholders take ``values``."""
    return Message(text, values)


def joined(sentences: list[str]) -> str:
    """Several sentences as one text that still translates sentence by sentence."""
    if not sentences:
        return ""
    text = sentences[0]
    for sentence in sentences[1:]:
        # A bare placeholder pair: each side translates on its own (render).
        text = Message("%(first)s %(then)s", {"first": text, "then": sentence})
    return text


def render(message: str, translate: Any) -> str:
    """``message`` in the language of ``translate`` (a gettext: msgid -> sentence).

    A ``Message`` is translated with its values (those that are Messages first); any
    other string is looked up as it is, so a sentence never marked stays as written.
    """
    if not isinstance(message, Message):
        return translate(str(message))
    if not message.values:
        return translate(message.template)
    values = {
        name: render(value, translate) if isinstance(value, Message) else value
        for name, value in message.values.items()
    }
    try:
        return translate(message.template) % values
    except (KeyError, ValueError, TypeError):  # a translation with broken placeholders
        return str(message)


__all__ = ["Message", "N_", "joined", "render"]
