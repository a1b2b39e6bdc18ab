/**
 * An event as one NDJSON line in the shape POST /v1/events takes, so that an
 * export loads back unchanged: `time` in RFC 3339 with milliseconds, `actor`
 * and `dims` left out when empty, dim values as the strings Tally stores.
 */
import type { EventRecord } from './model.js';

/** The event as POST /v1/events takes it (the object of eventLine). */
export function eventObject(e: EventRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: e.id,
    type: e.type,
    time: new Date(e.ts).toISOString(),
    org: e.org,
  };
  if (e.actor !== null) out['actor'] = e.actor;
  out['value'] = e.value;
  if (Object.keys(e.dims).length > 0) out['dims'] = e.dims;
  return out;
}

/**
 * @example
 * eventLine({ org: 'acme', id: 'e1', type: 'login', ts: 0, actor: null, value: 1, dims: {} })
 * // '{"id":"e1","type":"login","time":"1970-01-01T00:00:00.000Z","org":"acme","value":1}\n'
 */
export function eventLine(e: EventRecord): string {
  return `${JSON.stringify(eventObject(e))}\n`;
}
