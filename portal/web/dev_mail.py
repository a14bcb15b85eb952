"""Development only: the messages the ``file`` mail backend wrote, readable in the browser.

Registered only when ``MAIL_BACKEND`` is ``file`` (never with ``smtp``), so a newcomer finds
the 6-digit code and the manage link at ``/dev/mail`` instead of in ``instance/mail/*.eml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

bp = Blueprint("dev_mail", __name__, url_prefix="/dev")

SHOWN = 50  # the newest messages; older ones stay in the folder
_LINK = re.compile(r"https?://[^\s<>\"']+")
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


@dataclass(frozen=True)
class Mail:
    name: str
    to: str
    subject: str
    date: str
    text: str

    @property
    def code(self) -> str | None:
        found = _CODE.search(self.subject) or _CODE.search(self.text)
        return found.group() if found else None

    @property
    def body_html(self) -> Markup:
        """The text with its links clickable; everything else escaped."""
        parts, last = [], 0
        for match in _LINK.finditer(self.text):
            parts.append(escape(self.text[last : match.start()]))
            parts.append(Markup('<a href="{0}">{0}</a>').format(match.group()))  # escapes it
            last = match.end()
        parts.append(escape(self.text[last:]))
        return Markup("").join(parts)


def _read(path: Path) -> Mail:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return Mail(
        name=path.name,
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        date=str(message.get("Date", "")),
        text=text,
    )


def _written(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, path.name


@bp.get("/mail")
def index():
    folder = Path(current_app.config["MAIL_FILE_PATH"])
    paths = sorted(folder.glob("*.eml"), key=_written, reverse=True) if folder.is_dir() else []
    mails = [_read(path) for path in paths[:SHOWN]]
    return render_template("dev_mail/index.html", mails=mails, folder=folder)
