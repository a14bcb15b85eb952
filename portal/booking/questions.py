"""Booking questions: what a service asks its customers, and their answers.

A service's ``questions`` is an ordered list of ``{id, label, type, required,
options}``; ``type`` is ``text | textarea | select | checkbox | phone``, ``options``
only (and always) for ``select``. Ids are slugs, unique within the service.

An appointment keeps its answers as ``[{id, label, type, value}]`` in the order
asked, each with the label it was asked under: renaming or removing a question later
never loses or relabels what a customer answered (docs/decisions.md, "Cut-offs,
limits and booking questions"). The API reads and writes them as ``{id: value}``.
Values are text (``select``: one of the options), ``checkbox`` a boolean.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from portal.domain.errors import FieldErrors, Invalid
from portal.domain.i18n import N_

TYPES = ("text", "textarea", "select", "checkbox", "phone")
MAX_QUESTIONS = 20
MAX_ID = 40
MAX_LABEL = 200
MAX_OPTIONS = 50
MAX_OPTION = 100
MAX_ANSWER = {"text": 500, "textarea": 2000, "select": MAX_OPTION, "phone": 32}
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PHONE_PATTERN = re.compile(r"\+?[0-9 ()./-]{3,32}")
FIELD = "questions"


def validate_questions(value: object, field: str = FIELD) -> list[dict[str, Any]]:
    """The clean question list, or Invalid naming the first thing wrong."""
    if not isinstance(value, list):
        raise Invalid(N_("The questions must be a list."), field)
    if len(value) > MAX_QUESTIONS:
        raise Invalid(
            N_("A service may ask at most %(count)s questions.", count=MAX_QUESTIONS), field
        )
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, item in enumerate(value, start=1):
        if not isinstance(item, Mapping):
            raise Invalid(
                N_("Question %(number)s must be an object with id, label and type.", number=number),
                field,
            )
        unknown = set(item) - {"id", "label", "type", "required", "options"}
        if unknown:
            raise Invalid(
                N_(
                    "Question %(number)s has unknown keys: %(keys)s.",
                    number=number,
                    keys=", ".join(sorted(map(str, unknown))),
                ),
                field,
            )
        question_id = item.get("id")
        if (
            not isinstance(question_id, str)
            or len(question_id) > MAX_ID
            or not ID_PATTERN.fullmatch(question_id)
        ):
            raise Invalid(
                N_(
                    "Question %(number)s: the id must be 1 to %(max)s lower-case letters, digits "
                    "and single hyphens, e.g. reason-for-visit.",
                    number=number,
                    max=MAX_ID,
                ),
                field,
            )
        if question_id in seen:
            raise Invalid(
                N_(
                    "Question %(number)s: the id %(id)s is used twice.",
                    number=number,
                    id=repr(question_id),
                ),
                field,
            )
        seen.add(question_id)
        label = item.get("label")
        label = label.strip() if isinstance(label, str) else ""
        if not label or len(label) > MAX_LABEL or "\x00" in label:
            raise Invalid(
                N_(
                    "Question %(number)s: the label must have 1 to %(max)s characters.",
                    number=number,
                    max=MAX_LABEL,
                ),
                field,
            )
        kind = item.get("type")
        if kind not in TYPES:
            raise Invalid(
                N_(
                    "Question %(number)s: the type must be one of %(types)s.",
                    number=number,
                    types=", ".join(TYPES),
                ),
                field,
            )
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise Invalid(
                N_("Question %(number)s: required must be true or false.", number=number), field
            )
        options = item.get("options")
        if kind == "select":
            options = _options(options, number, field)
        elif options not in (None, []):
            raise Invalid(
                N_("Question %(number)s: only select questions have options.", number=number), field
            )
        question: dict[str, Any] = {
            "id": question_id,
            "label": label,
            "type": kind,
            "required": required,
        }
        if kind == "select":
            question["options"] = options
        clean.append(question)
    return clean


def _options(value: object, number: int, field: str) -> list[str]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_OPTIONS:
        raise Invalid(
            N_(
                "Question %(number)s: a select question needs 1 to %(max)s options.",
                number=number,
                max=MAX_OPTIONS,
            ),
            field,
        )
    options: list[str] = []
    for option in value:
        text = option.strip() if isinstance(option, str) else ""
        if not text or len(text) > MAX_OPTION or "\x00" in text:
            raise Invalid(
                N_(
                    "Question %(number)s: each option must have 1 to %(max)s characters.",
                    number=number,
                    max=MAX_OPTION,
                ),
                field,
            )
        if text in options:
            raise Invalid(
                N_(
                    "Question %(number)s: the option %(option)s is listed twice.",
                    number=number,
                    option=repr(text),
                ),
                field,
            )
        options.append(text)
    return options


def answers_field(question_id: str) -> str:
    """The field name a refusal names: ``answers.<id>``."""
    return f"answers.{question_id}"


def check_answers(
    questions: Sequence[Mapping[str, Any]], given: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The answers to store, in question order; Invalid naming every field at fault.

    Unknown ids are refused (a typo must not vanish silently); an unanswered optional
    question is left out; a required one must have a value (a checkbox: ticked).
    """
    given = dict(given or {})
    errors = FieldErrors()
    known = {q["id"] for q in questions}
    for unknown in sorted(set(given) - known):
        errors.add(answers_field(str(unknown)), N_("This service asks no such question."))
    stored: list[dict[str, Any]] = []
    for question in questions:
        question_id, kind = question["id"], question["type"]
        field = answers_field(question_id)
        value = given.get(question_id)
        if kind == "checkbox":
            if value is None:
                value = False
            if not isinstance(value, bool):
                errors.add(field, N_("Answer with true or false."))
                continue
            if question["required"] and not value:
                errors.add(field, N_("Please tick “%(label)s”.", label=question["label"]))
                continue
            stored.append(_answer(question, value))
            continue
        if value is not None and not isinstance(value, str):
            errors.add(field, N_("The answer must be text."))
            continue
        text = (value or "").strip()
        if not text:
            if question["required"]:
                errors.add(field, N_("Please answer “%(label)s”.", label=question["label"]))
            continue
        if len(text) > MAX_ANSWER[kind] or "\x00" in text:
            errors.add(
                field, N_("The answer may have at most %(max)s characters.", max=MAX_ANSWER[kind])
            )
            continue
        if kind == "select" and text not in question.get("options", ()):
            errors.add(field, N_("Choose one of the offered options."))
            continue
        if kind == "phone" and not PHONE_PATTERN.fullmatch(text):
            errors.add(field, N_("Enter a phone number, e.g. +49 30 1234567."))
            continue
        stored.append(_answer(question, text))
    if errors:
        # The sentence names each field, for the API; pages show ``fields`` at their inputs.
        sentence = " ".join(f"'{field}': {message}" for field, message in errors.errors.items())
        raise Invalid(sentence, fields=errors.errors)
    return stored


def _answer(question: Mapping[str, Any], value: str | bool) -> dict[str, Any]:
    return {
        "id": question["id"],
        "label": question["label"],
        "type": question["type"],
        "value": value,
    }


def answers_by_id(stored: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """``{id: value}``, the API's shape."""
    return {answer["id"]: answer["value"] for answer in stored or ()}


def shown_value(answer: Mapping[str, Any]) -> str:
    value = answer.get("value")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def readable(stored: Sequence[Mapping[str, Any]] | None) -> str:
    """ "Label: value" lines under the labels they were asked with (``{{answers}}``)."""
    return "\n".join(f"{a['label']}: {shown_value(a)}" for a in stored or ())


__all__ = [
    "TYPES",
    "answers_by_id",
    "answers_field",
    "check_answers",
    "readable",
    "shown_value",
    "validate_questions",
]
