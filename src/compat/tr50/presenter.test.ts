/**
 * Unit tests of the TR50 presenter: service folding, alignment with `ts`, totals, and
 * local timestamps with each instant's offset; plus the error mapping to TR50 codes.
 */
import { describe, expect, it } from 'vitest';
import { AuthError, StoreError, ValidationError } from '../../core/errors.js';
import type { Series } from '../../core/query/result.js';
import { TR50_CODES, toTr50Failure } from './errors.js';
import { historyTimeline, presentHistory, serviceOf } from './presenter.js';

const H = 3_600_000;

describe('serviceOf', () => {
  it.each([
    [{ 'dims.service': 'thing', 'dims.command': 'alarm.publish' }, 'thing'],
    [{ 'dims.service': null, 'dims.command': 'alarm.publish' }, 'alarm'],
    [{ 'dims.service': null, 'dims.command': 'a.b.c' }, 'a'],
    [{ 'dims.service': null, 'dims.command': 'ping' }, 'ping'],
    [{ 'dims.service': '', 'dims.command': 'log.publish' }, 'log'],
    [{ 'dims.service': null, 'dims.command': '.odd' }, 'unknown'],
    [{ 'dims.service': null, 'dims.command': null }, 'unknown'],
    [{}, 'unknown'],
  ])('%j -> %s', (group, service) => {
    expect(serviceOf(group)).toBe(service);
  });
});

describe('presentHistory', () => {
  // London springs forward on 2026-03-29 at 01:00Z: 00:00 GMT, then 02:00 BST
  const range = { from: Date.UTC(2026, 2, 29, 0), to: Date.UTC(2026, 2, 29, 3) };
  const timeline = historyTimeline(range, 'Europe/London', 'hour');
  const pts = (values: number[]): Series['points'] =>
    values.map((value, i) => ({ start: range.from + i * H, end: range.from + (i + 1) * H, value }));

  it('folds groups into services, aligned with ts, keys sorted, total of everything', () => {
    const series: Series[] = [
      { group: { 'dims.service': null, 'dims.command': null }, total: 1, points: pts([0, 1, 0]) },
      { group: { 'dims.service': null, 'dims.command': 'thing.find' }, total: 2, points: pts([2, 0, 0]) },
      { group: { 'dims.service': 'thing', 'dims.command': null }, total: 4, points: pts([1, 0, 3]) },
      { group: { 'dims.service': 'alarm', 'dims.command': 'x.y' }, total: 0, points: pts([0, 0, 0]) },
    ];
    expect(presentHistory(timeline, 'Europe/London', series, 'service')).toEqual({
      counters: { thing: [3, 0, 3], unknown: [0, 1, 0] },
      total: 7,
      ts: ['2026-03-29T00:00:00+00:00', '2026-03-29T02:00:00+01:00', '2026-03-29T03:00:00+01:00'],
    });
  });

  it('keys by org for dimension org; no series gives empty counters and total 0', () => {
    const series: Series[] = [
      { group: { org: 'b' }, total: 1, points: pts([0, 0, 1]) },
      { group: { org: 'a' }, total: 2, points: pts([1, 1, 0]) },
    ];
    const answer = presentHistory(timeline, 'UTC', series, 'org');
    expect(Object.keys(answer.counters)).toEqual(['a', 'b']);
    expect(answer).toMatchObject({ counters: { a: [1, 1, 0], b: [0, 0, 1] }, total: 3 });
    expect(presentHistory(timeline, 'UTC', [], 'org')).toEqual({
      counters: {},
      total: 0,
      ts: ['2026-03-29T00:00:00+00:00', '2026-03-29T01:00:00+00:00', '2026-03-29T02:00:00+00:00'],
    });
  });
});

describe('toTr50Failure', () => {
  it.each([
    [ValidationError.param('start', 'bad'), TR50_CODES.invalidParam, false],
    [new ValidationError('range', [], 'too_many_buckets'), TR50_CODES.tooManyBuckets, false],
    [new AuthError('unauthenticated', 'no'), TR50_CODES.notAuthenticated, false],
    [new AuthError('forbidden', 'no'), TR50_CODES.permissionDenied, false],
    [new StoreError('down', new Error('secret detail')), TR50_CODES.unavailable, true],
    [new TypeError('boom'), TR50_CODES.unavailable, true],
  ])('%s', (err, code, internal) => {
    const out = toTr50Failure(err);
    expect(out.failure.errorCodes).toEqual([code]);
    expect(out.internal).toBe(internal);
    expect(out.failure.errorMessages.join()).not.toMatch(/secret detail|boom/);
  });
});
