"""Acceptance: the portal's .ics files read the same instants in four independent parsers.

A fixture set of files (downloads, the agent feed, mail invitations) around every hard case:
both DST changes in Berlin and New York, both occurrences of a repeated hour, a working window
that starts in the spring gap, Asia/Kathmandu (+05:45, no changes), Australia/Lord_Howe's
half-hour change, a unicode name with quotes and notes with commas, semicolons and a line break,
a rescheduled and a cancelled appointment. Each reader must give exactly the UTC start and end
the API gives:

- ``icalendar`` and ``ical`` (the Python packages),
- Mozilla's ical.js, Thunderbird's parser (npm, pinned in ``tests/calendars/js``, run by node),
- libical, Evolution's parser (Debian's gir1.2-ical-3.0 through the system Python's PyGObject).

Missing node modules or libical skip these tests on a workstation and fail them in CI (``CI``
set), where ``.ci/run`` installs both.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 # runs our own reader scripts with fixed arguments
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from portal.calendars.details import Person
from portal.calendars.ics import IcsMethod, appointment_ics
from portal.calendars.zones import transitions
from portal.extensions import db
from portal.models import Appointment, Role
from portal.notifications.defaults import add_default_templates
from portal.tokens import issue_token
from tests import factories
from tests.conftest import make_user
from tests.factories import feed_secret

HERE = Path(__file__).parent
JS_DIR = HERE / "js"
LIBICAL_READER = HERE / "read_libical.py"
SYSTEM_PYTHON = "/usr/bin/python3"

UNICODE_NAME = ('Zoë "Zo"', "Łukasz-Ünal, Jr.; 東京")
NOTES = 'Bring: passport, tax ID; the "blue" folder\nSecond line: ö, é; done'
TITLE = 'Beratung „Steuer", Teil 1; Ünïcode'


def z(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# (key, zone, start in UTC, minutes): the appointments made through the staff API.
CASES = [
    # Berlin spring: 01:00 CET to 03:00 CEST, across the skipped hour.
    ("berlin-spring", "Europe/Berlin", utc(2027, 3, 28, 0, 0), 60),
    # Berlin autumn: the first 02:00 (CEST) and the second 02:00 (CET).
    ("berlin-first-0200", "Europe/Berlin", utc(2027, 10, 31, 0, 0), 60),
    ("berlin-second-0200", "Europe/Berlin", utc(2027, 10, 31, 1, 0), 60),
    ("new-york-spring", "America/New_York", utc(2027, 3, 14, 6, 0), 60),
    ("new-york-first-0100", "America/New_York", utc(2027, 11, 7, 5, 0), 60),
    ("new-york-second-0100", "America/New_York", utc(2027, 11, 7, 6, 0), 60),
    ("kathmandu", "Asia/Kathmandu", utc(2027, 6, 1, 4, 0), 60),
    # Lord Howe: 02:00 +11 becomes 01:30 +10:30, and 02:00 +10:30 becomes 02:30 +11.
    ("lord-howe-autumn", "Australia/Lord_Howe", utc(2027, 4, 3, 14, 0), 60),
    ("lord-howe-repeated", "Australia/Lord_Howe", utc(2027, 4, 3, 15, 0), 60),
    ("lord-howe-spring", "Australia/Lord_Howe", utc(2027, 10, 2, 15, 0), 60),
    ("unicode", "Europe/Berlin", utc(2027, 7, 1, 8, 0), 60),
    ("rescheduled", "Europe/Berlin", utc(2027, 10, 30, 22, 0), 60),
    ("cancelled", "America/New_York", utc(2027, 11, 6, 5, 0), 60),
]
RESCHEDULED_TO = utc(2027, 10, 31, 2, 0)  # 03:00 CET, right after the repeated hour


@dataclass(frozen=True)
class Expected:
    start: str
    end: str
    sequence: int
    status: str


@dataclass(frozen=True)
class Fixture:
    files: list[Path]
    expected: dict[str, Expected]  # by UID
    titles: dict[str, str]


def _bearer(user) -> dict[str, str]:
    token, secret = issue_token(user, "test")
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _customer(first: str, last: str, email: str) -> dict:
    return {"name": {"firstName": first, "lastName": last}, "contact": {"primaryEmail": email}}


@pytest.fixture
def fixture_files(app, client, tmp_path) -> Fixture:
    """The files, made as the portal makes them, and what the API says of each appointment."""
    # Dora works around the clock (UTC); Gus only 02:00-04:00 Berlin time, so on the night
    # the clocks spring forward his window starts in the gap.
    dora = factories.agent("dora@example.com", "Dora Agent", timezone="UTC")
    factories.weekly_hours(dora, [(0, 24 * 60)])
    gus = factories.agent("gus@example.com", "Gus Gap", timezone="Europe/Berlin")
    factories.weekly_hours(gus, [(2 * 60, 4 * 60)])
    service = factories.service(
        [dora, gus], duration_minutes=60, timezone="Europe/Berlin", horizon_days=1000
    )
    add_default_templates(service)
    db.session.commit()
    staff = _bearer(make_user("sam@example.com", Role.SUPERVISOR, name="Sam Super"))

    def create(agent, zone: str, start: datetime, **fields) -> str:
        body = {
            "serviceId": str(service.id),
            "agentId": str(agent.id),
            "start": z(start),
            "timezone": zone,
            "customer": _customer("Maria", "Lopez", "maria@example.org"),
        } | fields
        response = client.post("/api/appointments/", json=body, headers=staff)
        assert response.status_code == 201, response.json
        return response.json["id"]

    ids = {}
    for key, zone, start, minutes in CASES:
        assert minutes == service.duration_minutes
        extra = {}
        if key == "unicode":
            extra = {
                "title": TITLE,
                "notes": NOTES,
                "customer": _customer(*UNICODE_NAME, "zoe@example.org"),
            }
        ids[key] = create(dora, zone, start, **extra)

    # The gap window: the first slot the public API offers in it.
    slots = client.get(
        f"/api/services/{service.id}/slots",
        query_string={
            "from": "2027-03-28",
            "to": "2027-03-28",
            "timezone": "Europe/Berlin",
            "agentId": str(gus.id),
        },
    ).json
    assert slots, "Gus's window that night starts at 02:00, in the gap"
    ids["gap-window"] = create(gus, "Europe/Berlin", datetime.fromisoformat(slots[0]["start"]))

    moved = client.put(
        "/api/appointments/reschedule/",
        json={"id": ids["rescheduled"], "start": z(RESCHEDULED_TO)},
        headers=staff,
    )
    assert moved.status_code == 200, moved.json
    assert client.delete(f"/api/appointments/{ids['cancelled']}", headers=staff).status_code in (
        200,
        204,
    )

    expected, titles, files = {}, {}, []
    for key, appointment_id in ids.items():
        item = client.get(f"/api/appointments/{appointment_id}", headers=staff).json
        appointment = db.session.get(Appointment, uuid.UUID(appointment_id))
        uid = f"{appointment_id}@portal"
        expected[uid] = Expected(item["start"], item["end"], appointment.sequence, item["status"])
        titles[uid] = item["title"]
        download = client.get(f"/api/cal/events/ical/{appointment_id}/event")
        assert download.status_code == 200
        files.append(tmp_path / f"download-{key}.ics")
        files[-1].write_bytes(download.data)

    # The mail invitations, as the sender builds them: the recipient as the only ATTENDEE.
    for key, method in (
        ("unicode", IcsMethod.REQUEST),
        ("rescheduled", IcsMethod.REQUEST),
        ("cancelled", IcsMethod.CANCEL),
        ("lord-howe-repeated", IcsMethod.REQUEST),
    ):
        appointment = db.session.get(Appointment, uuid.UUID(ids[key]))
        customer = appointment.customers[0]
        files.append(tmp_path / f"mail-{key}.ics")
        files[-1].write_bytes(
            appointment_ics(
                appointment,
                method=method,
                organizer=Person(appointment.organizer.name, "no-reply@portal.test"),
                attendees=[Person(customer.full_name, customer.email)],
            )
        )

    for agent in (dora, gus):
        feed = client.get(f"/calendar/{feed_secret(agent)}.ics")
        assert feed.status_code == 200
        files.append(tmp_path / f"feed-{agent.email.split('@')[0]}.ics")
        files[-1].write_bytes(feed.data)
    return Fixture(files, expected, titles)


# --- the readers: each returns [{file, uid, start, end, sequence, status, summary}] ----------


def _z(value: datetime) -> str:
    return z(value.astimezone(UTC))


def read_with_icalendar(files: list[Path]) -> list[dict]:
    events = []
    for path in files:
        for event in Calendar.from_ical(path.read_bytes()).events:
            events.append(
                {
                    "file": str(path),
                    "uid": str(event["UID"]),
                    "start": _z(event.start),
                    "end": _z(event.end),
                    "sequence": event.get("SEQUENCE", 0),
                    "status": str(event.get("STATUS", "")) or None,
                    "summary": str(event.get("SUMMARY")),
                }
            )
    return events


def read_with_ical(files: list[Path]) -> list[dict]:
    events = []
    for path in files:
        calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
        for event in calendar.events:
            events.append(
                {
                    "file": str(path),
                    "uid": event.uid,
                    "start": _z(event.dtstart),
                    "end": _z(event.dtend),
                    "sequence": event.sequence or 0,
                    "status": event.status.value if event.status else None,
                    "summary": event.summary,
                }
            )
    return events


def _unavailable(reason: str) -> None:
    """Skip on a workstation; in CI a reader that is missing is a failure, never a skip."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):  # as tests/e2e/conftest.py
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)


def _run(command: list[str], probes: list[datetime] = ()) -> dict:
    environment = os.environ | {"ICS_PROBES": ",".join(z(probe) for probe in probes)}
    done = subprocess.run(  # nosec B603 # our own scripts, fixed arguments
        command, capture_output=True, text=True, timeout=120, check=False, env=environment
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def read_with_icaljs(files: list[Path]) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (JS_DIR / "node_modules" / "ical.js").is_dir():
        _unavailable("ical.js needs node and `npm ci --prefix tests/calendars/js`")
    return _run([node, str(JS_DIR / "read_ics.mjs"), *map(str, files)])["events"]


def _libical_present() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    done = subprocess.run(  # nosec B603 # fixed arguments
        [SYSTEM_PYTHON, "-c", probe], capture_output=True, timeout=60, check=False
    )
    return done.returncode == 0


def run_libical(files: list[Path], probes: list[datetime] = ()) -> dict:
    if not _libical_present():
        _unavailable("libical needs python3-gi and gir1.2-ical-3.0 (apt)")
    return _run([SYSTEM_PYTHON, str(LIBICAL_READER), *map(str, files)], probes)


def read_with_libical(files: list[Path]) -> list[dict]:
    return run_libical(files)["events"]


READERS = {
    "icalendar": read_with_icalendar,
    "ical": read_with_ical,
    "ical.js": read_with_icaljs,
    "libical": read_with_libical,
}


@pytest.mark.parametrize("reader", READERS)
def test_every_reader_gives_the_instants_the_api_gives(fixture_files, reader):
    events = READERS[reader](fixture_files.files)
    expected = fixture_files.expected
    # Every file was read, every appointment seen in a download, a feed and (some) a mail.
    assert {Path(event["file"]).name for event in events} == {p.name for p in fixture_files.files}
    assert {event["uid"] for event in events} == set(expected)
    wrong = [
        (Path(event["file"]).name, event["uid"], event["start"], event["end"])
        for event in events
        if (event["start"], event["end"])
        != (expected[event["uid"]].start, expected[event["uid"]].end)
    ]
    assert wrong == []
    for event in events:
        want = expected[event["uid"]]
        assert event["sequence"] == want.sequence, event
        assert event["status"] == ("CANCELLED" if want.status == "CANCELLED" else "CONFIRMED")
        assert event["summary"] == fixture_files.titles[event["uid"]]
    if reader == "libical":
        assert {event["errors"] for event in events} == {0}, "libical noted parse errors"


def test_the_fixture_holds_every_hard_case(fixture_files):
    """What the files must contain for the comparison above to mean something."""
    by_file = {path.name: path.read_bytes().decode() for path in fixture_files.files}
    unfolded = {name: text.replace("\r\n ", "") for name, text in by_file.items()}
    # Both occurrences of the repeated hour are in UTC, a plain hour in local time.
    assert "DTSTART:20271031T000000Z" in unfolded["download-berlin-first-0200.ics"]
    assert "DTSTART:20271031T010000Z" in unfolded["download-berlin-second-0200.ics"]
    assert "DTSTART:20271107T050000Z" in unfolded["download-new-york-first-0100.ics"]
    assert "DTSTART:20271107T060000Z" in unfolded["download-new-york-second-0100.ics"]
    assert "DTSTART;TZID=Europe/Berlin:20270328T010000" in unfolded["download-berlin-spring.ics"]
    assert "DTEND;TZID=Europe/Berlin:20270328T030000" in unfolded["download-berlin-spring.ics"]
    assert "DTSTART:20270403T150000Z" in unfolded["download-lord-howe-repeated.ics"]
    assert "TZOFFSETTO:+1030" in unfolded["download-lord-howe-spring.ics"]
    assert "TZOFFSETFROM:+0545" in unfolded["download-kathmandu.ics"]
    # The gap window's first slot is the first instant after the gap (03:00 CEST).
    gap = unfolded["download-gap-window.ics"]
    assert "DTSTART;TZID=Europe/Berlin:20270328T030000" in gap
    # The unicode name, quotes turned to apostrophes, and the escaped notes.
    mail = unfolded["mail-unicode.ics"]
    assert "CN=\"Zoë 'Zo' Łukasz-Ünal, Jr.; 東京\"" in mail and "^'" not in mail
    assert 'the "blue" folder\\nSecond line: ö\\, é\\; done' in unfolded["feed-dora.ics"]
    assert "SEQUENCE:" in unfolded["mail-rescheduled.ics"]
    assert "METHOD:CANCEL" in unfolded["mail-cancelled.ics"]
    rescheduled = next(
        uid for uid, want in fixture_files.expected.items() if want.start == z(RESCHEDULED_TO)
    )
    assert fixture_files.expected[rescheduled].sequence >= 1


def test_a_zone_cached_from_one_file_reads_another_right(fixture_files):
    """A client that keeps the first VTIMEZONE it saw for a TZID (vobject in Radicale)."""
    by_name = {path.name: path for path in fixture_files.files}
    december = Calendar.from_ical(by_name["download-unicode.ics"].read_bytes())
    cached = december.timezones[0].to_tz()
    spring = Calendar.from_ical(by_name["download-berlin-spring.ics"].read_bytes()).events[0]
    wall_start = spring.start.replace(tzinfo=None)
    wall_end = spring.end.replace(tzinfo=None)
    assert wall_start.replace(tzinfo=cached).astimezone(UTC) == utc(2027, 3, 28, 0, 0)
    assert wall_end.replace(tzinfo=cached).astimezone(UTC) == utc(2027, 3, 28, 1, 0)
    berlin = ZoneInfo("Europe/Berlin")
    assert spring.start.astimezone(UTC) == wall_start.replace(tzinfo=berlin).astimezone(UTC)
    assert timedelta(hours=1) == spring.end.astimezone(UTC) - spring.start.astimezone(UTC)


def _probes_around_changes(key: str) -> list[datetime]:
    """A second before, at, and half an hour after each change of 2027, and a quiet day."""
    zone = ZoneInfo(key)
    probes = [utc(2027, 6, 15, 12, 0)]
    for change in transitions(zone, utc(2027, 1, 1), utc(2028, 1, 1)):
        probes += [change.at - timedelta(seconds=1), change.at, change.at + timedelta(minutes=30)]
    return probes


def test_libical_shows_every_instant_at_the_right_wall_time(fixture_files):
    """UTC to local with each file's VTIMEZONE: the change at 01:00Z in Berlin, not 02:00Z."""
    keys = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
    probes = {key: _probes_around_changes(key) for key in keys}
    assert utc(2027, 3, 28, 1, 0) in probes["Europe/Berlin"]
    every_probe = sorted({probe for values in probes.values() for probe in values})
    zones = run_libical(fixture_files.files, every_probe)["zones"]
    assert {zone["tzid"] for zone in zones} == set(keys)
    for zone in zones:
        tz = ZoneInfo(zone["tzid"])
        expected = [int(p.astimezone(tz).utcoffset().total_seconds()) for p in every_probe]
        assert zone["offsets"] == expected, (Path(zone["file"]).name, zone["tzid"])
