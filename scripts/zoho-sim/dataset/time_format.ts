/** Zoho timestamp rendering: ISO 8601 at second precision with the org's UTC offset, never "Z". */

/** Parses "+05:30" / "-11:00" into minutes east of UTC. */
export function parseOffset(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) throw new RangeError(`Cannot parse UTC offset: ${offset}`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -minutes : minutes;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Formats epoch seconds as "2026-03-04T10:15:30+05:30". */
export function formatDateTime(epochSeconds: number, offset: string): string {
  const d = new Date((Math.floor(epochSeconds) + parseOffset(offset) * 60) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${
    pad(d.getUTCHours())
  }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${offset}`;
}

/** Formats epoch seconds as the org-local calendar date "2026-03-04". */
export function formatDate(epochSeconds: number, offset: string): string {
  return formatDateTime(epochSeconds, offset).slice(0, 10);
}

/** Parses an ISO 8601 timestamp (with offset or Z) into epoch seconds, or null. */
export function parseDateTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    return null;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
