"""libical's iTIP restriction check (RFC 5546) for calendar files, run by the system Python.

libical is reached through GObject introspection (Debian's gir1.2-ical-3.0 and
python3-gi), which only the system interpreter can import, so the tests run this file
as a subprocess: a JSON list of .ics texts on stdin, a JSON list on stdout with, for
each file, the X-LIC-ERROR messages libical added (an empty list: the file passes).
Exit status 3: libical is not installed.
"""

from __future__ import annotations

import json
import sys


def problems(ics: str, ical) -> list[str]:
    calendar = ical.Component.new_from_string(ics)
    if calendar is None:
        return ["libical could not parse the file"]
    calendar.check_restrictions()
    found: list[str] = []
    components = [calendar]
    while components:
        component = components.pop()
        prop = component.get_first_property(ical.PropertyKind.XLICERROR_PROPERTY)
        while prop is not None:
            message = prop.get_xlicerror()
            if message not in found:
                found.append(message)
            prop = component.get_next_property(ical.PropertyKind.XLICERROR_PROPERTY)
        child = component.get_first_component(ical.ComponentKind.ANY_COMPONENT)
        while child is not None:
            components.append(child)
            child = component.get_next_component(ical.ComponentKind.ANY_COMPONENT)
    return found


def main() -> int:
    try:
        import gi

        gi.require_version("ICalGLib", "3.0")
        from gi.repository import ICalGLib
    except (ImportError, ValueError) as error:
        print(f"libical is not available: {error}", file=sys.stderr)
        return 3
    files = json.load(sys.stdin)
    json.dump([problems(ics, ICalGLib) for ics in files], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
