/**
 * UTC offsets of IANA time zones, read from the runtime's own tz database through
 * Intl (no tz library). Everything else in core/time builds on `offsetAt` and on the
 * transition list behind `offsetSegments`, which SQL dialects splice in as a CASE.
 */
import { ValidationError } from '../errors.js';
import { closest } from '../suggest.js';
import { DAY_MS, HOUR_MS } from './units.js';

const SECOND = 1000;
/** Wider than any UTC offset (-12h..+14h) plus a DST shift, so it brackets every instant of a local time. */
const LOCAL_WINDOW = 27 * HOUR_MS;
/** Caches are keyed by user-supplied zone names; clearing on overflow keeps them bounded. */
const CACHE_LIMIT = 4096;

/** The offset in force from `from` until the next segment's `from` (or the end of the range asked for). */
export interface OffsetSegment {
  from: number;
  offsetMs: number;
}

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(tz: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(tz);
  if (cached !== undefined) return cached;
  let formatter: Intl.DateTimeFormat | null = null;
  // Newer runtimes also accept offset zones such as "+05:30"; those are not IANA names.
  if (tz.length <= 64 && /^[A-Za-z]/.test(tz)) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      formatter = null;
    }
  }
  return remember(formatters, tz, formatter);
}

function requireFormatter(tz: string): Intl.DateTimeFormat {
  const formatter = formatterFor(tz);
  if (formatter === null) throw unknownTimeZone(tz, 'timezone');
  return formatter;
}

/**
 * What to say about a zone name the runtime does not know: the expected form and, when one
 * is close (`Europe/Amsterdm`), the nearest IANA names. Computed only once a name failed.
 */
export function timeZoneMessage(tz: string): string {
  const names = [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  const guesses = closest(tz, names, 3);
  const hint = guesses.length > 0 ? `; did you mean ${guesses.join(', ')}?` : '';
  return `must be an IANA time zone name such as Europe/Berlin or UTC${hint}`;
}

function unknownTimeZone(tz: string, param: string): ValidationError {
  return ValidationError.param(param, timeZoneMessage(tz));
}

/**
 * Whether `tz` names a time zone the runtime knows (an IANA name such as `Asia/Kathmandu`, or `UTC`).
 * Names are matched case-insensitively, as Intl does.
 */
export function isValidTimeZone(tz: string): boolean {
  return formatterFor(tz) !== null;
}

/** Throws `ValidationError` on `param` (the native name, `timezone`, by default) unless `tz` is a known time zone. */
export function assertTimeZone(tz: string, param = 'timezone'): void {
  if (!isValidTimeZone(tz)) throw unknownTimeZone(tz, param);
}

/**
 * The UTC offset in ms in force at instant `ms` in `tz`: local = utc + offset.
 *
 * @example offsetAt('Asia/Kathmandu', Date.UTC(2024, 0, 1)) // 20_700_000 (+05:45)
 */
export function offsetAt(tz: string, ms: number): number {
  const formatter = requireFormatter(tz);
  // Offsets change on whole seconds; Intl drops the milliseconds anyway.
  const whole = Math.floor(ms / SECOND) * SECOND;
  const [month, day, year, hour, minute, second] = wallClockFields(formatter, whole);
  return Date.UTC(year, month - 1, day, hour % 24, minute, second) - whole;
}

type Fields = [month: number, day: number, year: number, hour: number, minute: number, second: number];

/** Reads en-US "M/D/YYYY, HH:mm:ss"; format() is several times faster than formatToParts(). */
function wallClockFields(formatter: Intl.DateTimeFormat, ms: number): Fields {
  const numbers = formatter.format(ms).match(/\d+/g);
  if (numbers?.length === 6) return numbers.map(Number) as Fields;
  const fields: Fields = [0, 0, 0, 0, 0, 0];
  const order = ['month', 'day', 'year', 'hour', 'minute', 'second'];
  for (const part of formatter.formatToParts(ms)) {
    const index = order.indexOf(part.type);
    if (index >= 0) fields[index] = Number(part.value);
  }
  return fields;
}

interface Transition {
  /** The first instant (a whole second) of the new offset. */
  at: number;
  offsetMs: number;
}

/** A UTC year's offsets: the one in force as it starts, then each change inside it. */
interface YearOffsets {
  startOffsetMs: number;
  transitions: Transition[];
}

const yearOffsets = new Map<string, YearOffsets>();

/** The first whole second in (lo, hi] whose offset differs from `loOffset`; offsetAt(hi) must differ. */
function findChange(tz: string, lo: number, loOffset: number, hi: number): number {
  while (hi - lo > SECOND) {
    const mid = lo + Math.floor((hi - lo) / (2 * SECOND)) * SECOND;
    if (offsetAt(tz, mid) === loOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Offset changes at instants in the UTC year. Sampled daily, then bisected to the second:
 * no zone since 1970 changes its offset and changes it back within one day.
 */
function offsetsInYear(tz: string, year: number): YearOffsets {
  const cacheKey = `${year}|${tz}`;
  const cached = yearOffsets.get(cacheKey);
  if (cached !== undefined) return cached;
  const last = Date.UTC(year + 1, 0, 1) - SECOND;
  const found: Transition[] = [];
  let t = Date.UTC(year, 0, 1) - SECOND;
  let offset = offsetAt(tz, t);
  const startOffsetMs = offset;
  while (t < last) {
    const next = Math.min(t + DAY_MS, last);
    const nextOffset = offsetAt(tz, next);
    // Two changes inside one step are found one after the other.
    while (nextOffset !== offset) {
      const at = findChange(tz, t, offset, next);
      offset = offsetAt(tz, at);
      found.push({ at, offsetMs: offset });
      t = at;
    }
    t = next;
  }
  return remember(yearOffsets, cacheKey, { startOffsetMs, transitions: found });
}

function utcYear(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/**
 * The piecewise-constant offset of `tz` over [fromMs, toMs): the first segment starts at `fromMs`,
 * then one segment per transition, starting at the exact transition instant. Empty when fromMs >= toMs.
 *
 * @example
 * offsetSegments('America/New_York', Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1))
 * // [{ from: Date.UTC(2024, 0, 1), offsetMs: -5h }, { from: Date.UTC(2024, 2, 10, 7), offsetMs: -4h },
 * //  { from: Date.UTC(2024, 10, 3, 6), offsetMs: -5h }]
 */
export function offsetSegments(tz: string, fromMs: number, toMs: number): OffsetSegment[] {
  if (!(fromMs < toMs)) return [];
  // The first year's changes first: then the offset at fromMs comes from them, not from Intl.
  offsetsInYear(tz, utcYear(fromMs));
  const segments: OffsetSegment[] = [{ from: fromMs, offsetMs: cachedOffsetAt(tz, fromMs) }];
  const lastYear = utcYear(toMs - 1);
  for (let year = utcYear(fromMs); year <= lastYear; year++) {
    for (const { at, offsetMs } of offsetsInYear(tz, year).transitions) {
      if (at <= fromMs || at >= toMs) continue;
      if (segments[segments.length - 1]?.offsetMs !== offsetMs) segments.push({ from: at, offsetMs });
    }
  }
  return segments;
}

/** The span of constant offset found last: [from, to) of `tz` has `offsetMs`. */
const lastSpan = { tz: '', from: 0, to: 0, offsetMs: 0 };

/**
 * `offsetAt` without asking Intl where it can: from the offset changes of the instant's UTC year
 * when some earlier call (enumerating buckets, offset segments) has already found them, and from
 * the span of constant offset found last, which successive bucket bounds mostly fall in. For
 * formatting many instants; the answer equals `offsetAt`'s (zone.test.ts checks it at random).
 */
export function cachedOffsetAt(tz: string, ms: number): number {
  if (ms >= lastSpan.from && ms < lastSpan.to && tz === lastSpan.tz) return lastSpan.offsetMs;
  const year = utcYear(ms);
  const known = yearOffsets.get(`${year}|${tz}`);
  if (known === undefined) return offsetAt(tz, ms);
  let from = Date.UTC(year, 0, 1);
  let to = Date.UTC(year + 1, 0, 1);
  let offsetMs = known.startOffsetMs;
  // Changes fall on whole seconds, so comparing `ms` itself matches offsetAt's whole-second reading.
  for (const t of known.transitions) {
    if (t.at > ms) {
      to = t.at;
      break;
    }
    from = t.at;
    offsetMs = t.offsetMs;
  }
  lastSpan.tz = tz;
  lastSpan.from = from;
  lastSpan.to = to;
  lastSpan.offsetMs = offsetMs;
  return offsetMs;
}

/** Local wall-clock time of instant `ms`, as naive ms (the wall time written as if it were UTC). */
export function toLocal(tz: string, ms: number): number {
  return ms + cachedOffsetAt(tz, ms);
}

/**
 * The instant at which `tz` shows the wall-clock time `localMs`. An ambiguous time (the repeated hour
 * after a fall-back) gives the earlier instant; a time inside a gap gives the instant the clock jumps
 * past it.
 *
 * @example
 * fromLocal('America/New_York', Date.UTC(2024, 2, 10, 2, 30)) // Date.UTC(2024, 2, 10, 7) (gap)
 * fromLocal('America/New_York', Date.UTC(2024, 10, 3, 1, 30)) // Date.UTC(2024, 10, 3, 5, 30) (EDT)
 */
export function fromLocal(tz: string, localMs: number): number {
  const windowEnd = localMs + LOCAL_WINDOW;
  const segments = offsetSegments(tz, localMs - LOCAL_WINDOW, windowEnd);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const end = segments[i + 1]?.from ?? windowEnd;
    const candidate = localMs - segment.offsetMs;
    // Segments are in time order, so the first match is the earlier of two.
    if (candidate >= segment.from && candidate < end) return candidate;
  }
  for (let i = 1; i < segments.length; i++) {
    const before = segments[i - 1]!.offsetMs;
    const { from: at, offsetMs: after } = segments[i]!;
    if (localMs >= at + before && localMs < at + after) return at;
  }
  return localMs - offsetAt(tz, localMs);
}
