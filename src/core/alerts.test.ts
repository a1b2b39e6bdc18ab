import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveryId, nextAttemptAt, periodOf, reached, signatureHeader } from './alerts.js';

const H = 3_600_000;
const S = 1000;

const u = Date.UTC;
const NY = 'America/New_York';
const LONDON = 'Europe/London';

describe('periodOf', () => {
  it.each([
    // 2024-03-10 in New York springs forward: 23 hours, from 05:00Z to 04:00Z the next day.
    ['day', 1, NY, u(2024, 2, 10, 12), u(2024, 2, 10, 5), u(2024, 2, 11, 4)],
    // 2024-11-03 falls back: 25 hours.
    ['day', 1, NY, u(2024, 10, 3, 12), u(2024, 10, 3, 4), u(2024, 10, 4, 5)],
    // March 2024 in London: from GMT midnight to BST midnight (one hour short of 31 days).
    ['month', 1, LONDON, u(2024, 2, 31, 22, 59), u(2024, 2, 1), u(2024, 2, 31, 23)],
    ['month', 1, LONDON, u(2024, 2, 31, 23), u(2024, 2, 31, 23), u(2024, 3, 30, 23)],
    // Weeks: Wednesday 2024-03-13 in UTC is in the week of Monday the 11th, or of Sunday the 10th.
    ['week', 1, 'UTC', u(2024, 2, 13), u(2024, 2, 11), u(2024, 2, 18)],
    ['week', 0, 'UTC', u(2024, 2, 13), u(2024, 2, 10), u(2024, 2, 17)],
    // Kathmandu (+05:45): the day of 2024-01-01 starts at 18:15Z the day before.
    ['day', 1, 'Asia/Kathmandu', u(2024, 0, 1, 0), u(2023, 11, 31, 18, 15), u(2024, 0, 1, 18, 15)],
  ] as const)('%s (week_start %d) in %s at %d: [%d, %d)', (period, weekStart, tz, at, start, end) => {
    const p = periodOf({ period, week_start: weekStart }, tz, at);
    expect([p.start, p.end]).toEqual([start, end]);
  });
});

describe('nextAttemptAt', () => {
  it('waits 10 s, then doubles, at most an hour apart, and gives up 24 h after firing', () => {
    const fired = 0;
    let at = fired;
    const waits: number[] = [];
    for (let failures = 1; ; failures++) {
      const next = nextAttemptAt(fired, failures, at);
      if (next === null) break;
      waits.push(next - at);
      at = next;
    }
    // 10 s, 20 s, ... 2560 s, then 3600 s: the first nine doublings sum to 5110 s, and
    // (86400 - 5110) / 3600 = 22.58, so 22 capped waits fit before 24 h and the 23rd would not.
    expect(waits.slice(0, 10)).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600].map((s) => s * S));
    expect(waits).toHaveLength(9 + 22);
    expect(waits.slice(9).every((w) => w === H)).toBe(true);
    expect(at).toBe(5110 * S + 22 * H);
  });

  it('takes a shorter base (tests)', () => {
    const timing = { retryBaseMs: 50, retryCapMs: 400, giveUpMs: 1000 };
    expect([1, 2, 3, 4, 5].map((n) => nextAttemptAt(0, n, 0, timing))).toEqual([50, 100, 200, 400, 400]);
    expect(nextAttemptAt(0, 1, 950, timing)).toBeNull();
  });
});

describe('signatures, ids and thresholds', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 of the secret, t in Unix seconds', () => {
    const body = '{"threshold":8000}';
    const v1 = createHmac('sha256', 'whsec_x').update(`1710072000.${body}`).digest('hex');
    expect(signatureHeader('whsec_x', 1710072000_999, body)).toBe(`t=1710072000,v1=${v1}`);
  });

  it('gives one delivery id per alert, period and threshold', () => {
    const id = deliveryId('al_1', Date.UTC(2024, 2, 1), 8000);
    expect(id).toMatch(/^dl_[0-9a-f]{32}$/);
    expect(deliveryId('al_1', Date.UTC(2024, 2, 1), 8000)).toBe(id);
    expect(
      new Set([
        deliveryId('al_2', Date.UTC(2024, 2, 1), 8000),
        deliveryId('al_1', Date.UTC(2024, 3, 1), 8000),
        deliveryId('al_1', Date.UTC(2024, 2, 1), 10000),
      ]).has(id),
    ).toBe(false);
  });

  it('reaches a threshold at >=, and none with no value', () => {
    expect(reached([10, 20, 30], 20)).toEqual([10, 20]);
    expect(reached([10], 9.999)).toEqual([]);
    expect(reached([10], null)).toEqual([]);
  });
});
