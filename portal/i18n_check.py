"""Text people read that is not translated: ``python -m portal.i18n_check`` lists it.

Three checks, each printing ``file:line: text``; the command exits 1 when any finds something
(``tests/i18n/test_translation_coverage.py`` runs them in CI).

**Templates** (``templates/**/*.html``, the API reference ``templates/api/`` aside). The Jinja
lexer splits each template; its text outside ``{% trans %}`` blocks, with every ``{{ }}`` /
``{% %}`` replaced by a placeholder, is parsed as HTML. Reported: a text node containing a letter
(the contents of ``<script>``, ``<style>``, ``<code>``, ``<pre>``, ``<kbd>`` and ``<samp>``
aside); the attributes ``title``, ``alt``, ``placeholder``, ``aria-label``, ``aria-description``
and the ``value`` of ``<input type=submit|button|reset>`` containing a letter; a quoted literal
passed as a macro's ``hint=``, ``label=``, ``title=``, ``placeholder=``, ``legend=``, ``text=``,
``message=`` or ``caption=`` argument. A line with the comment ``{# i18n: skip #}`` is not
checked (for rare, justified cases); the words of ``EXEMPT_WORDS`` (the brand, technical names)
do not count as text.

**Python** (``portal/**/*.py`` except the JSON API, ``cli.py``, ``config.py``). Reported: a
string literal or f-string given as

- the first positional argument of ``flash(...)``;
- ``label=`` or the first positional argument of any call whose name ends in ``Field``
  (WTForms fields);
- a ``message=`` keyword of any call;
- the first positional argument or ``message=`` of ``ValidationError(...)``, ``DomainError``
  and its kinds (``Invalid``, ``NotFound``, ``Forbidden``, ``Conflict``, ``SlotUnavailable``)
  and any other ``...Error`` imported from ``portal.domain.errors``.

Marked means the argument is a call to ``_``, ``_l``, ``gettext``, ``lazy_gettext``,
``ngettext``, ``lazy_ngettext`` or ``N_``, or any name or attribute (a value translated where
it was made). Only literals are reported, so the check has no false alarms on computed text.

**Catalogs**. Every message ``pybabel extract -F babel.cfg -k _l -k N_`` finds must be in the
``de`` and ``fr`` ``messages.po``, translated (every plural form) and not fuzzy.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
PACKAGE = ROOT / "portal"
CATALOGS = PACKAGE / "translations"
CHECKED_LANGUAGES = ("de", "fr")

# Words that read the same in every language: the brand, technical names. Matched whole.
EXEMPT_WORDS = (
    "Portal",
    "Google Calendar",
    "HTMX",
    "htmx",
    "API",
    "JSON",
    "REST",
    "URL",
    "HTML",
    "CSV",
    "SMS",
    "ICS",
    "iCal",
    "iCalendar",
    "UTC",
    "ISO",
    "OK",
    "ID",
)
_EXEMPT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|https?://\S+"  # URLs
    r"|\.ics\b"
    r"|\b(?:" + "|".join(map(re.escape, EXEMPT_WORDS)) + r")\b"
)
SKIP_MARKER = "i18n: skip"
PLACEHOLDER = "\ue000"  # stands for a Jinja expression or tag; not a letter

# Their contents are code, not prose.
UNTRANSLATED_TAGS = frozenset({"script", "style", "code", "pre", "kbd", "samp"})
READ_ATTRIBUTES = frozenset({"title", "alt", "placeholder", "aria-label", "aria-description"})
BUTTON_INPUTS = frozenset({"submit", "button", "reset"})
MACRO_TEXT_ARGUMENTS = frozenset(
    {"hint", "label", "title", "placeholder", "legend", "text", "message", "caption"}
)

# The JSON API's reference page documents an English API, as the API itself stays English.
TEMPLATES_EXCLUDED = ("api/",)
PYTHON_EXCLUDED = ("api/", "cli.py", "config.py", "i18n_check.py", "translations/")
MARKERS = frozenset({"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "N_"})
ERROR_CALLS = frozenset(
    {"DomainError", "Invalid", "NotFound", "Forbidden", "Conflict", "SlotUnavailable"}
)
ERRORS_MODULE = "portal.domain.errors"


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _relative(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def is_text(value: str) -> bool:
    """Does ``value`` hold a letter once placeholders and exempt words are gone?"""
    value = _EXEMPT.sub("", value.replace(PLACEHOLDER, " "))
    return any(character.isalpha() for character in value)


# --- templates --------------------------------------------------------------------------


def _follows(tokens: list, index: int, kind: str) -> bool:
    """Is the token before ``tokens[index]`` (whitespace aside) of ``kind``?"""
    for _line, previous, _value in reversed(tokens[:index]):
        if previous != "whitespace":
            return previous == kind
    return False


def _skeleton(source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's HTML with Jinja replaced by placeholders (lines kept); macro literals."""
    from jinja2 import Environment

    parts: list[str] = []
    macro_literals: list[tuple[int, str]] = []
    line = 1
    in_trans = False
    tokens = list(Environment(autoescape=True).lex(source))  # lexed only, never rendered
    for index, (lineno, kind, value) in enumerate(tokens):
        if lineno > line:  # keep the HTML's line numbers those of the template
            parts.append("\n" * (lineno - line))
            line = lineno
        if kind == "data" and not in_trans:
            parts.append(value)
            line += value.count("\n")
        elif kind in ("data", "variable_begin", "block_begin"):
            parts.append(PLACEHOLDER)
        if kind == "name" and _follows(tokens, index, "block_begin"):
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if kind == "string" and not in_trans:
            before = [t for t in tokens[max(0, index - 4) : index] if t[1] != "whitespace"]
            keyword = before[-2][2] if len(before) >= 2 and before[-2][1] == "name" else None
            assigned = bool(before) and before[-1][1:] == ("operator", "=")
            if assigned and keyword in MACRO_TEXT_ARGUMENTS and is_text(value):
                macro_literals.append((lineno, f"{keyword}={value[1:-1]!r}"))
    return "".join(parts), macro_literals


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNTRANSLATED_TAGS:
            self._raw_depth += 1
        values = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            read = name in READ_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and (values.get("type") or "").lower() in BUTTON_INPUTS
            )
            if read and is_text(value):
                shown = " ".join(value.replace(PLACEHOLDER, "…").split())
                self.found.append((line, f'{name}="{shown}"'))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in UNTRANSLATED_TAGS:
            self._raw_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in UNTRANSLATED_TAGS and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._raw_depth or not is_text(data):
            return
        # The line of the first word, not of the whitespace before it.
        line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
        self.found.append((line, " ".join(data.replace(PLACEHOLDER, "…").split())))


def check_template(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    skipped = {n for n, text in enumerate(source.splitlines(), 1) if SKIP_MARKER in text}
    html, macro_literals = _skeleton(source)
    finder = _TextFinder()
    finder.feed(html)
    finder.close()
    found = sorted(dict.fromkeys([*finder.found, *macro_literals]), key=lambda item: item[0])
    name = _relative(path)
    return [Finding(name, line, text) for line, text in found if line not in skipped]


def check_templates(root: Path = TEMPLATES) -> list[Finding]:
    return [
        finding
        for path in sorted(root.rglob("*.html"))
        if not path.relative_to(root).as_posix().startswith(TEMPLATES_EXCLUDED)
        for finding in check_template(path)
    ]


# --- Python -----------------------------------------------------------------------------


def _call_name(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


def _is_literal(node: ast.AST) -> bool:
    """A str literal or f-string with letters (a marker call or a name is fine)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return is_text(node.value)
    if isinstance(node, ast.JoinedStr):
        return is_text("".join(v.value for v in node.values if isinstance(v, ast.Constant)))
    return False


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _error_names(tree: ast.Module) -> set[str]:
    """The domain's error classes this module imports (``from portal.domain.errors import``)."""
    names = set(ERROR_CALLS)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == ERRORS_MODULE:
            names.update(
                alias.asname or alias.name for alias in node.names if alias.name.endswith("Error")
            )
    return names


def _unmarked_arguments(call: ast.Call, errors: set[str]) -> Iterator[ast.AST]:
    name = _call_name(call)
    first = call.args[0] if call.args else None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if name == "flash" and first is not None:
        yield first
    if name.endswith("Field"):
        if first is not None:
            yield first
        if "label" in keywords:
            yield keywords["label"]
    if "message" in keywords:
        yield keywords["message"]
    if (name in errors or name == "ValidationError") and first is not None:
        yield first


def check_python_file(path: Path) -> list[Finding]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    errors = _error_names(tree)
    name = _relative(path)
    found = {
        (argument.lineno, argument.col_offset): _text(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _call_name(node) not in MARKERS
        for argument in _unmarked_arguments(node, errors)
        if _is_literal(argument)
    }
    return [Finding(name, line, found[line, column]) for line, column in sorted(found)]


def check_python(root: Path = PACKAGE) -> list[Finding]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(PYTHON_EXCLUDED):
            continue
        found.extend(check_python_file(path))
    return found


# --- catalogs ---------------------------------------------------------------------------


def extract(root: Path = ROOT) -> list[tuple[str | tuple[str, ...], str | None, str, int]]:
    """What ``pybabel extract -F babel.cfg -k _l -k N_`` finds: (id, context, file, line)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (root / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    found = []
    for filename, line, message, _comments, context in extract_from_dir(
        str(root), method_map, options_map, keywords=keywords
    ):
        found.append((message, context, filename, line))
    return found


def check_catalogs(
    root: Path = ROOT, catalogs: Path = CATALOGS, languages: Iterable[str] = CHECKED_LANGUAGES
) -> list[Finding]:
    from babel.messages.pofile import read_po

    messages = extract(root)
    found = []
    for language in languages:
        po_path = catalogs / language / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
        seen = set()
        for message, context, filename, line in messages:
            key = message[0] if isinstance(message, tuple) else message
            if (key, context) in seen:
                continue
            seen.add((key, context))
            entry = catalog.get(key, context=context)
            if entry is None:
                problem = "missing"
            elif entry.fuzzy:
                problem = "fuzzy"
            elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
                problem = "untranslated"
            else:
                continue
            found.append(Finding(filename, line, f"[{language} {problem}] {key!r}"))
    return found


def main() -> int:
    sections = (
        ("templates", check_templates()),
        ("python", check_python()),
        ("catalogs", check_catalogs()),
    )
    for title, findings in sections:
        for finding in findings:
            print(finding)
        print(f"# {title}: {len(findings)}", file=sys.stderr)
    return 1 if any(findings for _title, findings in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
