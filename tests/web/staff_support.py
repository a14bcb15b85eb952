"""Helpers for the staff page tests: a tiny HTML tree and the calendar geometry read from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        parts = list(self.texts)
        for child in self.children:
            parts.append(child.text)
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, cls: str | None = None, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for node in self.iter():
            if cls is not None and cls not in node.classes:
                continue
            if tag is not None and node.tag != tag:
                continue
            if any(node.attrs.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            found.append(node)
        return found

    def find(self, cls: str | None = None, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(cls, tag, **attrs)
        return found[0] if found else None

    def ancestor(self, cls: str) -> Node | None:
        node = self.parent
        while node is not None and cls not in node.classes:
            node = node.parent
        return node

    def style(self, name: str) -> float:
        """A custom property from the style attribute, as a number (``--top: 12.5%`` → 12.5)."""
        match = re.search(rf"{re.escape(name)}:\s*(-?[\d.]+)", self.attrs.get("style", ""))
        if match is None:
            raise KeyError(f"{name} not in style {self.attrs.get('style')!r}")
        return float(match.group(1))


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v or "") for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Node(tag, {k: (v or "") for k, v in attrs}, parent=self.current)
        )

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.texts.append(data)


def parse(html: str | bytes) -> Node:
    builder = _Builder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    return builder.root


# --- the staff calendar, as drawn ----------------------------------------------------------------


def hour_lines(page: Node) -> dict[str, float]:
    """Gutter label text → its --top (percent)."""
    return {label.text: label.style("--top") for label in page.find_all("cal__hour")}


def hour_height(page: Node) -> float:
    tops = sorted(hour_lines(page).values())
    return tops[1] - tops[0]


def events(page: Node) -> dict[str, Node]:
    """Appointment id → its block in the time grid (the id ends the block's link)."""
    return {appointment_id(node): node for node in page.find_all("cal__event")}


def appointment_id(block: Node) -> str:
    return block.attrs["href"].rsplit("/", 1)[-1]


def column_of(block: Node) -> Node:
    column = block.ancestor("cal__col")
    assert column is not None
    return column


# --- request isolation ---------------------------------------------------------------------------
