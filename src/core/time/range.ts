/**
 * Time ranges as users write them: absolute instants (RFC 3339, dates, Unix seconds), relative
 * `last` values (24h, 7d, 12mo, today, prev_month, ...), resolved to half-open [from, to) in a
 * time zone; and the text forms instants are written back in.
 */
import { ValidationError } from '../errors.js';
import { assertTimeZone, cachedOffsetAt, fromLocal, toLocal } from './zone.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './units.js';

const SECOND = 1000;

/** The first supported instant, 1970-01-01T00:00:00Z. */
export const MIN_INSTANT = 0;
/** The end (exclusive) of supported instants, 10000-01-01T00:00:00Z. */
export const MAX_INSTANT = Date.UTC(10000, 0, 1);
/** The largest `n` a relative `last` value may have, whatever its unit. */
export const MAX_RELATIVE = 100_000;

/**
 * Throws `ValidationError` on `param` unless `ms` is an instant in the years 1970..9999; with
 * `exclusiveEnd`, `ms` may also be MAX_INSTANT itself (the end of a half-open range).
 */
export function assertInstantRange(ms: number, param: string, exclusiveEnd = false): void {
  const inRange = ms >= MIN_INSTANT && (ms < MAX_INSTANT || (exclusiveEnd && ms === MAX_INSTANT));
  if (!(Number.isFinite(ms) && inRange)) {
    throw ValidationError.param(param, 'must be between 1970-01-01 and 9999-12-31 (UTC)');
  }
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month0: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month0 === 1 && leap ? 29 : (MONTH_DAYS[month0] ?? 0);
}

/** Milliseconds from up to 9 fraction digits, truncated: ".1239" is 123 ms. */
function fractionMs(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.slice(0, 3).padEnd(3, '0'));
}

const UNIX_SECONDS = /^(\d{1,12})(?:\.(\d{1,9}))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const INSTANT_FORMS = 'must be an RFC 3339 date-time, a date (YYYY-MM-DD) or Unix seconds';

/**
 * An instant from user input: RFC 3339 with `Z` or an offset (`T` or a space between date and time,
 * fractional seconds allowed); a date `YYYY-MM-DD`, meaning local midnight in `tz`; a local date-time
 * `YYYY-MM-DDTHH:mm[:ss]` without offset, local in `tz`; or Unix seconds (a number or a digit string).
 * Errors are `ValidationError`s on `param`.
 *
 * @example
 * parseInstant('2024-03-10', 'America/New_York', 'from')           // Date.UTC(2024, 2, 10, 5)
 * parseInstant('2024-03-10T02:30:00+05:45', 'UTC', 'from')         // Date.UTC(2024, 2, 9, 20, 45)
 * parseInstant(1710000000, 'UTC', 'from')                          // 1710000000000
 */
export function parseInstant(input: string | number, tz: string, param: string): number {
  assertTimeZone(tz);
  let ms: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw ValidationError.param(param, INSTANT_FORMS);
    ms = Math.round(input * SECOND);
  } else {
    ms = parseInstantText(input, tz, param);
  }
  assertInstantRange(ms, param);
  return ms;
}

function parseInstantText(text: string, tz: string, param: string): number {
  if (text.length > 40) throw ValidationError.param(param, INSTANT_FORMS);
  const seconds = UNIX_SECONDS.exec(text);
  if (seconds !== null) return Number(seconds[1]) * SECOND + fractionMs(seconds[2]);
  const match = DATE.exec(text) ?? DATE_TIME.exec(text);
  if (match === null) throw ValidationError.param(param, INSTANT_FORMS);
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction, zulu, sign, offsetH, offsetM] =
    match;
  const y = Number(year);
  // Rejected before Date.UTC, which reads years 0..99 as 1900..1999.
  if (y < 1969) assertInstantRange(-1, param);
  const m0 = Number(month) - 1;
  const d = Number(day);
  if (m0 < 0 || m0 > 11 || d < 1 || d > daysInMonth(y, m0)) {
    throw ValidationError.param(param, 'is not a valid calendar date');
  }
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) {
    throw ValidationError.param(param, 'is not a valid time of day');
  }
  const wall = Date.UTC(y, m0, d, Number(hour), Number(minute), Number(second), fractionMs(fraction));
  if (zulu !== undefined) return wall;
  if (sign === undefined) return fromLocal(tz, wall);
  if (Number(offsetH) > 23 || Number(offsetM) > 59)
    throw ValidationError.param(param, 'has an invalid UTC offset');
  const offset = (Number(offsetH) * HOUR_MS + Number(offsetM) * MINUTE_MS) * (sign === '-' ? -1 : 1);
  return wall - offset;
}

export type RelativeUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'y';

const RELATIVE = /^(\d{1,6})(s|m|h|d|w|mo|y)$/;
const EXACT_UNIT_MS: Partial<Record<RelativeUnit, number>> = { s: SECOND, m: MINUTE_MS, h: HOUR_MS };

/**
 * A relative span such as `24h`, `7d`, `12mo`: n from 1 to MAX_RELATIVE, then s, m (minutes), h, d, w,
 * mo (months) or y.
 *
 * @example parseRelative('12mo') // { n: 12, unit: 'mo' }
 */
export function parseRelative(last: string): { n: number; unit: RelativeUnit } {
  const match = RELATIVE.exec(last);
  const n = Number(match?.[1]);
  if (match === null || n < 1 || n > MAX_RELATIVE) {
    throw ValidationError.param(
      'last',
      `must be today, yesterday, month, prev_month, year, or <n><unit> with n from 1 to ${MAX_RELATIVE} and unit s, m, h, d, w, mo or y`,
    );
  }
  return { n, unit: match[2] as RelativeUnit };
}

function beforeMinimum(): ValidationError {
  return ValidationError.param('last', 'reaches before 1970-01-01');
}

/** The same local wall time `months` calendar months earlier, the day clamped to the month's end. */
function monthsEarlier(local: number, months: number): number {
  const date = new Date(local);
  const index = date.getUTCFullYear() * 12 + date.getUTCMonth() - months;
  const year = Math.floor(index / 12);
  // Checked before Date.UTC, which would read years 0..99 as 1900..1999.
  if (year < 1970) throw beforeMinimum();
  const month0 = index - year * 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month0));
  return Date.UTC(year, month0, day) + (local - Math.floor(local / DAY_MS) * DAY_MS);
}

function startOfLocalMonth(local: number, monthsBack = 0): number {
  const date = new Date(local);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - monthsBack, 1);
}

/** Named `last` values: each gives [from, to) from local midnights and month starts in `tz`. */
function namedRange(name: string, nowMs: number, tz: string): { from: number; to: number } | undefined {
  const local = toLocal(tz, nowMs);
  const today = Math.floor(local / DAY_MS) * DAY_MS;
  switch (name) {
    case 'today':
      return { from: fromLocal(tz, today), to: nowMs };
    case 'yesterday':
      return { from: fromLocal(tz, today - DAY_MS), to: fromLocal(tz, today) };
    case 'month':
      return { from: fromLocal(tz, startOfLocalMonth(local)), to: nowMs };
    case 'prev_month':
      return {
        from: fromLocal(tz, startOfLocalMonth(local, 1)),
        to: fromLocal(tz, startOfLocalMonth(local)),
      };
    case 'year':
      return { from: fromLocal(tz, Date.UTC(new Date(local).getUTCFullYear(), 0, 1)), to: nowMs };
    default:
      return undefined;
  }
}

function relativeFrom(last: string, nowMs: number, tz: string): number {
  const { n, unit } = parseRelative(last);
  const exact = EXACT_UNIT_MS[unit];
  if (exact !== undefined) return nowMs - n * exact;
  const local = toLocal(tz, nowMs);
  if (unit === 'd' || unit === 'w') {
    const earlier = local - n * (unit === 'w' ? 7 : 1) * DAY_MS;
    if (earlier < MIN_INSTANT - DAY_MS) throw beforeMinimum();
    return fromLocal(tz, earlier);
  }
  return fromLocal(tz, monthsEarlier(local, unit === 'y' ? 12 * n : n));
}

export interface RangeInput {
  from?: string | number;
  to?: string | number;
  last?: string;
}

/**
 * Resolves a user's range to half-open [from, to) in `tz`. Either `last` (relative: `to` is now; d and
 * w are calendar days, so the same local wall time n days earlier; mo and y are calendar months), or
 * `from` with an optional `to` (default now). A named `last` (today, yesterday, month, prev_month, year)
 * ends at now or at a local midnight; `today` is empty at the very instant of midnight.
 *
 * @example
 * resolveRange({ last: '7d' }, Date.UTC(2024, 2, 15, 12), 'America/New_York')
 * // { from: Date.UTC(2024, 2, 8, 13), to: Date.UTC(2024, 2, 15, 12) }: 167 hours, across the DST change
 */
export function resolveRange(input: RangeInput, nowMs: number, tz: string): { from: number; to: number } {
  assertTimeZone(tz);
  if (input.last !== undefined) {
    if (input.from !== undefined || input.to !== undefined) {
      throw ValidationError.param('last', 'cannot be combined with from or to');
    }
    const range = namedRange(input.last, nowMs, tz) ?? {
      from: relativeFrom(input.last, nowMs, tz),
      to: nowMs,
    };
    if (range.from < MIN_INSTANT) throw beforeMinimum();
    assertInstantRange(range.to, 'last');
    return range;
  }
  if (input.from === undefined) {
    throw ValidationError.param(
      'from',
      input.to === undefined ? 'is required, or give last' : 'is required with to',
    );
  }
  const from = parseInstant(input.from, tz, 'from');
  if (input.to === undefined) {
    if (from >= nowMs) throw ValidationError.param('from', 'must be in the past when to is left out');
    return { from, to: nowMs };
  }
  const to = parseInstant(input.to, tz, 'to');
  if (from >= to) throw ValidationError.param('to', 'must be later than from');
  return { from, to };
}

/**
 * A UTC offset as `±hh:mm`; seconds (only in offsets before 1972) are dropped.
 *
 * @example formatOffset(20_700_000) // '+05:45'
 */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.floor(Math.abs(offsetMs) / MINUTE_MS);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${offsetMs < 0 ? '-' : '+'}${hh}:${mm}`;
}

/**
 * Instant `ms` as local wall time in `tz` with that instant's offset, to the second.
 *
 * @example formatLocalIso('America/New_York', Date.UTC(2024, 10, 3, 6, 30)) // '2024-11-03T01:30:00-05:00'
 */
export function formatLocalIso(tz: string, ms: number): string {
  const offset = cachedOffsetAt(tz, ms);
  const local = ms + offset;
  // Integer times in years 1970..9999 only: elsewhere Date's own text (and truncation) decides.
  if (!Number.isSafeInteger(local) || local < 0 || local >= MAX_INSTANT) {
    return new Date(local).toISOString().slice(0, 19) + formatOffset(offset);
  }
  const dayMs = Math.floor(local / DAY_MS) * DAY_MS;
  const seconds = Math.floor((local - dayMs) / SECOND);
  return `${localDate(dayMs)}T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}${offsetText(offset)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Bucket bounds repeat few dates and offsets: their text is kept (bounded, like zone.ts's caches). */
const dateTexts = new Map<number, string>();
const offsetTexts = new Map<number, string>();

function localDate(dayMs: number): string {
  let text = dateTexts.get(dayMs);
  if (text === undefined) {
    if (dateTexts.size >= 4096) dateTexts.clear();
    dateTexts.set(dayMs, (text = new Date(dayMs).toISOString().slice(0, 10)));
  }
  return text;
}

function offsetText(offsetMs: number): string {
  let text = offsetTexts.get(offsetMs);
  if (text === undefined) {
    if (offsetTexts.size >= 4096) offsetTexts.clear();
    offsetTexts.set(offsetMs, (text = formatOffset(offsetMs)));
  }
  return text;
}

/** Instant `ms` in UTC with milliseconds, e.g. '2016-11-07T00:00:00.000Z'. */
export function formatUtcIsoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** The date of a local naive time, as 'YYYY-MM-DD'. */
export function formatDate(localMs: number): string {
  return new Date(localMs).toISOString().slice(0, 10);
}
