/**
 * Numbers and dates for people: thousands separators, bytes in KB/MB/GB
 * (powers of 1024: 1 KB = 1024 B), compact axis labels, percentages, and local day labels.
 */

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/** 1234567 -> "1,234,567" (in the browser's locale); null -> "–". */
export function formatCount(n: number | null): string {
  return n === null ? '–' : count.format(n);
}

const exact = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });

/** 1536 -> "1.5 KB", 3.2e9 -> "3 GB"; null -> "–". */
export function formatBytes(n: number | null): string {
  return bytesWith(decimal, n);
}

/** For byte-axis ticks (multiples of powers of 2): 1.25 GB stays "1.25 GB", never rounded to "1.3 GB". */
export function formatBytesAxis(n: number): string {
  return bytesWith(exact, n);
}

function bytesWith(fraction: Intl.NumberFormat, n: number | null): string {
  if (n === null) return '–';
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n < 0 ? '-' : ''}${u === 0 ? count.format(v) : fraction.format(v)} ${UNITS[u]!}`;
}

/** 12500 -> "12.5K", for axis ticks. */
export function formatCompact(n: number): string {
  return compact.format(n);
}

/** 12.3 -> "12.3 %". */
export function formatPercent(n: number | null): string {
  return n === null ? '–' : `${decimal.format(n)} %`;
}

/** "2026-11-03" -> "Tue 3 Nov 2026" (the date as written, no timezone shift). */
export function formatDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString(undefined, {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}
