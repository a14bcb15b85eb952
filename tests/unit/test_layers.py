"""The domain runs without Flask: its settings, links and the import contracts."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from importlinter.cli import lint_imports
from sqlalchemy.orm import Session

from portal import config
from portal.booking import links
from portal.booking.interaction import room_url
from portal.domain.settings import Settings, bind_settings, settings_of
from portal.models import Appointment

ROOT = Path(__file__).resolve().parents[2]

SETTINGS = Settings.from_config(
    {name: getattr(config, name) for name in dir(config) if name.isupper()}
    | {"PUBLIC_URL": "https://portal.example.com/", "SECRET_KEY": "k"}
)


def test_the_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_links_start_with_public_url_without_any_request() -> None:
    appointment = Appointment(id=uuid.uuid4())
    assert links.manage_url(SETTINGS, "tok") == "https://portal.example.com/manage/tok"
    assert links.customer_area_url(SETTINGS) == "https://portal.example.com/my"
    assert links.calendar_paths(appointment) == {
        "google": f"/api/cal/events/google/{appointment.id}/event",
        "ics": f"/api/cal/events/ical/{appointment.id}/event",
    }


def test_a_session_carries_its_settings() -> None:
    session = Session()
    with pytest.raises(RuntimeError, match="carries no portal settings"):
        settings_of(session)
    bind_settings(session, SETTINGS)
    assert settings_of(session) is SETTINGS


def test_the_secret_key_stays_out_of_reprs() -> None:
    assert "secret_key" not in repr(SETTINGS)


def test_room_url_fills_only_the_ticket() -> None:
    assert room_url("https://video.example/{ticket}?x={y}", "abc") == (
        "https://video.example/abc?x={y}"
    )
