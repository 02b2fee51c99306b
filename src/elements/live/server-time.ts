/**
 * The server's time as the kit compares it: Postgres timestamps to the microsecond, however
 * PostgREST or Realtime spell them, and rows in the `(created_at, id)` order of their indexes.
 */

/**
 * A sortable key for a Postgres timestamp, to the microsecond (Date keeps milliseconds, and two
 * messages can share one). Accepts PostgREST's and Realtime's forms: `2026-11-23T10:00:00.123456+00:00`
 * or `2026-11-23 10:00:00.123456+00`.
 */
export function timeKey(iso: string): string {
  const found = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\d*(Z|[+-]\d\d(?::?\d\d)?)?$/.exec(iso.trim());
  if (!found) return iso;
  const [, date, time, fraction = '', zone = 'Z'] = found;
  const offset = zone === 'Z' ? 'Z' : /^[+-]\d\d$/.test(zone) ? `${zone}:00` : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const seconds = Date.parse(`${date}T${time}${offset}`) / 1000;
  return `${String(seconds).padStart(12, '0')}.${fraction.padEnd(6, '0')}`;
}

/** Sorting 10,000 messages compares each timestamp many times: each is parsed once. */
const keys = new Map<string, string>();
function keyOf(iso: string): string {
  let key = keys.get(iso);
  if (key === undefined) {
    if (keys.size > 50_000) keys.clear();
    keys.set(iso, (key = timeKey(iso)));
  }
  return key;
}

/** A row as the kit orders it (a message, a notification): by the server's time, then id. */
export type Keyed = { id: string; createdAt?: string | undefined };

/** Server order: `(created_at, id)`, as the history index sorts (and the notifications'); pending messages last, in the order made. */
export function compareMessages(a: Keyed, b: Keyed): number {
  if (!a.createdAt || !b.createdAt) return a.createdAt ? -1 : b.createdAt ? 1 : 0;
  const ka = keyOf(a.createdAt);
  const kb = keyOf(b.createdAt);
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
