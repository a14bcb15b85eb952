// Reads .ics files with Mozilla's ical.js (the parser in Thunderbird) and prints JSON:
//   events: every event's UID, SEQUENCE, STATUS, SUMMARY, start and end as UTC instants
//           (ical.js resolves a TZID with the file's own VTIMEZONE).
// (No zone probes as in read_libical.py: ical.js converts UTC to a zone by reading the UTC
// wall time as local, an hour off near any change whatever the VTIMEZONE says.)
//   node read_ics.mjs FILE...
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const utc = (time) => time.toJSDate().toISOString().replace(".000Z", "Z");
const events = [];
for (const path of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  for (const component of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    events.push({
      file: path,
      uid: event.uid,
      sequence: event.sequence,
      status: component.getFirstPropertyValue("status"),
      summary: event.summary,
      start: utc(event.startDate),
      end: utc(event.endDate),
    });
  }
}
process.stdout.write(JSON.stringify({ events }));
