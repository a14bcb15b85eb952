"""Shared pieces of the real-browser tests: Chromium, its flags, artifacts, a live portal.

- ``chromium`` (fixture): the browser's path; skips when it is missing, but
  FAILS when ``CI=true`` (the browser tests must run in CI).
- ``live_portal`` (fixture): a function that starts gunicorn on the test
  database (``tests.live_server.gunicorn_server``) with mail written to files;
  use it as a context manager after seeding (and closing) the session.
- ``screenshot(page, name)``: a full-page PNG in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.live_server import ROOT, LiveServer, gunicorn_server

CHROMIUM = os.environ.get("PORTAL_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def chromium() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    reason = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if in_ci():
        pytest.fail(f"{reason}; the browser tests must run in CI")
    pytest.skip(reason)


@pytest.fixture
def live_portal(app, tmp_path) -> Callable[..., AbstractContextManager[LiveServer]]:
    def start(**settings: object) -> AbstractContextManager[LiveServer]:
        values: dict[str, object] = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "file",
            "MAIL_FILE_PATH": str(tmp_path / "mail"),
        }
        values.update(settings)
        return gunicorn_server(values, tmp_path, workers=2, threads=4)

    return start


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # let htmx settle and loading hints fade
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
