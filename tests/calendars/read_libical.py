"""Read .ics files with libical (Evolution's parser) and print what it reads as JSON.

Run with the system Python, which has PyGObject and Debian's gir1.2-ical-3.0:
    /usr/bin/python3 tests/calendars/read_libical.py FILE...
``events``: each event's UID, SEQUENCE, STATUS, SUMMARY, start and end as UTC instants (libical
resolves a TZID with the file's own VTIMEZONE) and the parse errors libical noted.
``zones``: for each VTIMEZONE, the offset in seconds it gives at each probe instant
(``ICS_PROBES``: comma-separated UTC instants), i.e. the wall time shown for that instant.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, UTC

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

UTC_ZONE = ICalGLib.Timezone.get_utc_timezone()


def utc(value) -> str:
    instant = value.clone()
    instant.convert_to_zone_inplace(UTC_ZONE)
    moment = datetime.fromtimestamp(instant.as_timet(), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def text_of(component, kind) -> str | None:
    found = component.get_first_property(kind)
    return found.get_value_as_string() if found is not None else None


def events_in(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        calendar = ICalGLib.Component.new_from_string(handle.read())
    if calendar is None:
        raise SystemExit(f"libical could not parse {path}")
    errors = calendar.count_errors()
    found = []
    vevent = ICalGLib.ComponentKind.VEVENT_COMPONENT
    event = calendar.get_first_component(vevent)
    while event is not None:
        found.append(
            {
                "file": path,
                "uid": event.get_uid(),
                "sequence": event.get_sequence(),
                "status": text_of(event, ICalGLib.PropertyKind.STATUS_PROPERTY),
                "summary": event.get_summary(),
                "start": utc(event.get_dtstart()),
                "end": utc(event.get_dtend()),
                "errors": errors,
            }
        )
        event = calendar.get_next_component(vevent)
    return found


def zones_in(path: str, probes: list[str]) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        calendar = ICalGLib.Component.new_from_string(handle.read())
    found = []
    kind = ICalGLib.ComponentKind.VTIMEZONE_COMPONENT
    definition = calendar.get_first_component(kind)
    while definition is not None:
        zone = ICalGLib.Timezone.new()
        zone.set_component(definition.clone())
        offsets = []
        for probe in probes:
            seconds = int(datetime.fromisoformat(probe.replace("Z", "+00:00")).timestamp())
            instant = ICalGLib.Time.new_from_timet_with_zone(seconds, 0, UTC_ZONE)
            offset, _daylight = zone.get_utc_offset_of_utc_time(instant)
            offsets.append(offset)
        found.append({"file": path, "tzid": zone.get_tzid(), "offsets": offsets})
        definition = calendar.get_next_component(kind)
    return found


if __name__ == "__main__":
    paths = sys.argv[1:]
    probes = [p for p in os.environ.get("ICS_PROBES", "").split(",") if p]
    result = {
        "events": [event for path in paths for event in events_in(path)],
        "zones": [zone for path in paths for zone in zones_in(path, probes)],
    }
    sys.stdout.write(json.dumps(result))
