/**
 * The FileSpin request parser and plan builder, without HTTP: every parameter,
 * its bounds, and the plan each stat type and subtype produces.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { makeQuery } from '../../core/query/plan.js';
import { parseTimeseriesRequest, planOf, type TimeseriesRequest } from './params.js';

/** 2026-11-20T12:00:00Z; 1795176000 s. Now - 364 days = 1763726400 (2025-11-21T12:00:00Z). */
const NOW = Date.UTC(2026, 10, 20, 12);
const Q = { start_time: '1794268800', end_time: '1795176000' };

function error(query: Record<string, unknown>, path?: string): string {
  try {
    parseTimeseriesRequest(query, path, NOW);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).message;
  }
  throw new Error('expected a ValidationError');
}

describe('parseTimeseriesRequest', () => {
  it('reads every parameter', () => {
    const q = { ...Q, stat_subtype: 'REMOVE_BACKGROUND', user_id: 'u1', usergroup_id: '42' };
    expect(parseTimeseriesRequest(q, 'addons', NOW)).toEqual({
      statType: 'addons',
      subtype: 'REMOVE_BACKGROUND',
      startTime: 1794268800,
      endTime: 1795176000,
      userId: 'u1',
      usergroupId: '42',
    });
  });
  it('takes stat_type from the query when the path has none, and accepts agreement', () => {
    expect(parseTimeseriesRequest({ ...Q, stat_type: 'storage' }, undefined, NOW).statType).toBe('storage');
    expect(parseTimeseriesRequest({ ...Q, stat_type: 'cdn' }, 'cdn', NOW).statType).toBe('cdn');
    expect(parseTimeseriesRequest({ ...Q, stat_type: 'cdn' }, '', NOW).statType).toBe('cdn');
  });
  it('defaults: no subtype, cdn traffic, empty values absent, user_id * is the whole group', () => {
    const r = parseTimeseriesRequest({ ...Q, stat_subtype: '', user_id: '*', usergroup_id: '' }, 'api', NOW);
    expect([r.subtype, r.userId, r.usergroupId]).toEqual([null, null, null]);
    expect(parseTimeseriesRequest(Q, 'cdn', NOW).subtype).toBe('traffic');
    expect(parseTimeseriesRequest({ ...Q, stat_subtype: 'request' }, 'cdn', NOW).subtype).toBe('request');
  });
  it('decodes an api endpoint that arrives still encoded once', () => {
    const raw = '%2Fapi%2Fv1%2Fassets%2F%7BASSET_ID%7D%2Fdata';
    expect(parseTimeseriesRequest({ ...Q, stat_subtype: raw }, 'api', NOW).subtype).toBe(
      '/api/v1/assets/{ASSET_ID}/data',
    );
    // Only a leading %2F marks it; anything else is taken as it is, bad escapes included.
    expect(parseTimeseriesRequest({ ...Q, stat_subtype: '%2F%E0%A4%A' }, 'api', NOW).subtype).toBe(
      '%2F%E0%A4%A',
    );
    expect(parseTimeseriesRequest({ ...Q, stat_subtype: '50%25' }, 'addons', NOW).subtype).toBe('50%25');
  });
  it('allows start exactly 364 days back, end exactly now, and start = end', () => {
    const r = parseTimeseriesRequest({ start_time: '1763726400', end_time: '1795176000' }, 'api', NOW);
    expect([r.startTime, r.endTime]).toEqual([1763726400, 1795176000]);
    expect(
      parseTimeseriesRequest({ start_time: '1795176000', end_time: '1795176000' }, 'api', NOW).endTime,
    ).toBe(1795176000);
  });
  it.each([
    [{ end_time: '1795176000' }, 'start_time'],
    [{ start_time: '1794268800' }, 'end_time'],
    [{ ...Q, start_time: '1.5' }, 'start_time'],
    [{ ...Q, start_time: ' 1794268800' }, 'start_time'],
    [{ ...Q, end_time: '+1795176000' }, 'end_time'],
    [{ ...Q, end_time: '1e9' }, 'end_time'],
    [{ ...Q, end_time: '1'.repeat(13) }, 'end_time'],
    [{ ...Q, start_time: ['1', '2'] }, 'start_time'],
    [{ ...Q, start_time: '1763726399' }, 'start_time'],
    [{ ...Q, end_time: '1795176001' }, 'end_time'],
    [{ start_time: '1794268801', end_time: '1794268800' }, 'start_time'],
    [{ ...Q, stat_subtype: 'x'.repeat(513) }, 'stat_subtype'],
    [{ ...Q, user_id: 'u'.repeat(201) }, 'user_id'],
    [{ ...Q, usergroup_id: 'g'.repeat(201) }, 'usergroup_id'],
    [{ ...Q, usergroup_id: ['1', '2'] }, 'usergroup_id'],
  ])('rejects %o naming %s', (query, param) => {
    expect(error(query, 'api')).toMatch(new RegExp(`^${param}: `));
  });
  it.each([
    [{ ...Q }, undefined, 'stat_type'],
    [{ ...Q, stat_type: 'files' }, undefined, 'stat_type'],
    [{ ...Q }, 'API', 'stat_type'],
    [{ ...Q, stat_type: 'api' }, 'cdn', 'stat_type'],
    [{ ...Q, stat_subtype: 'bytes' }, 'cdn', 'stat_subtype'],
    [{ ...Q, stat_subtype: 'HLS' }, 'transcodes', 'stat_subtype'],
  ])('rejects stat_type/subtype %o on path %s', (query, path, param) => {
    expect(error(query, path)).toMatch(new RegExp(`^${param}: `));
  });
});

describe('planOf', () => {
  const base: TimeseriesRequest = {
    statType: 'api',
    subtype: null,
    startTime: 1794268800,
    endTime: 1795176000,
    userId: null,
    usergroupId: null,
  };
  it('one org, UTC days, sparse, both ends inclusive to the second', () => {
    // Only what FileSpin sets is spelled out; the rest is the plan's defaults (UTC days, count, no filters).
    expect(planOf(base, '42')).toEqual(
      makeQuery({
        orgs: ['42'],
        types: ['api.request'],
        range: { from: 1794268800_000, to: 1795176001_000 },
        fill: 'sparse',
      }),
    );
  });
  it.each([
    ['api', '/x', 'api.request', { fn: 'count' }, 'endpoint'],
    ['addons', 'REMOVE_BACKGROUND', 'addon.run', { fn: 'count' }, 'addon'],
    ['transcodes', null, 'transcode', { fn: 'count' }, null],
    ['storage', 'ASSET', 'storage', { fn: 'latest', per: [{ kind: 'dim', key: 'kind' }] }, 'kind'],
    ['storage', null, 'storage', { fn: 'latest', per: [{ kind: 'dim', key: 'kind' }] }, null],
    ['cdn', 'traffic', 'bandwidth', { fn: 'sum' }, null],
    ['cdn', 'request', 'bandwidth', { fn: 'count' }, null],
  ] as const)('%s / %s reads %s', (statType, subtype, type, aggregation, dim) => {
    const plan = planOf({ ...base, statType, subtype, userId: 'u1' }, '42');
    expect(plan.types).toEqual([type]);
    expect(plan.aggregation).toEqual(aggregation);
    const filters = [
      ...(dim !== null ? [{ field: { kind: 'dim', key: dim }, op: 'eq', values: [subtype] }] : []),
      { field: { kind: 'actor' }, op: 'eq', values: ['u1'] },
    ];
    expect(plan.filters).toEqual(filters);
  });
});
