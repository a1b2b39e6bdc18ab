/**
 * Filter trees and the new ops through /v1/query: GET (URL-encoded JSON), POST and CSV answer
 * the same hand-counted figures on both engines, and a bad tree or pattern is a 400 at the
 * JSON-pointer path of its fault.
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../helpers.js';
import { faultOf, onBothEngines, useApp, type Engine } from './query-suite.js';

// Five events on one UTC day; dims.size is numeric text on three of them.
const EVENTS = [
  ev({ time: '2026-11-19T01:00:00Z', actor: 'a', value: 3, dims: { path: '/api/v1/Assets', size: 10 } }),
  ev({ time: '2026-11-19T02:00:00Z', actor: 'b', value: 12, dims: { path: '/api/v2/users', size: '2.5' } }),
  ev({ time: '2026-11-19T03:00:00Z', actor: 'c', value: 7, dims: { path: '/web/assets', size: 'big' } }),
  ev({ time: '2026-11-19T04:00:00Z', actor: 'a', value: 20, dims: { size: -1 } }),
  ev({ time: '2026-11-19T05:00:00Z', value: 1, dims: { path: '/api/v1/jobs' } }),
];
const RANGE = { org: 'acme', from: '2026-11-19', to: '2026-11-20', timezone: 'UTC', bucket: 'none' };

interface Answer {
  series: { total: number }[];
}
function suite(engine: Engine): void {
  const app = useApp(engine, EVENTS);

  async function count(filters: unknown): Promise<number> {
    const post = await app().call('POST', '/v1/query', { body: { ...RANGE, filters } });
    expect(post.statusCode, post.body).toBe(200);
    const qs = new URLSearchParams({ ...RANGE, filters: JSON.stringify(filters) });
    const get = (await app().call('GET', `/v1/query?${qs.toString()}`)).json<Answer>();
    const total = post.json<Answer>().series[0]!.total;
    expect(get.series[0]!.total).toBe(total);
    return total;
  }

  it('new ops, each against a hand count', async () => {
    expect(await count([['contains', 'dims.path', ['/api/']]])).toBe(3);
    expect(await count([['icontains', 'dims.path', ['ASSETS']]])).toBe(2);
    expect(await count([['regex', 'dims.path', ['^/api/v[0-9]+/[a-z]+$']]])).toBe(2); // users, jobs
    expect(await count([['gt', 'value', [7]]])).toBe(2); // 12, 20
    expect(await count([['lte', 'value', [7]]])).toBe(3); // 3, 7, 1
    // Numeric dims only: 10, 2.5 and -1 are numbers, 'big' and a missing size never match.
    expect(await count([['gte', 'dims.size', [2.5]]])).toBe(2);
    expect(await count([['lt', 'dims.size', [0]]])).toBe(1);
  });

  it('trees: or, not (a missing dim is not a match, so its not is), and the list form as and', async () => {
    const tree = {
      or: [
        ['eq', 'actor', ['c']],
        { and: [['gt', 'value', [10]], { not: ['contains', 'dims.path', ['v2']] }] },
      ],
    };
    // c; or value > 10 without v2 in path: the 20 (no path at all) -> 2 events.
    expect(await count(tree)).toBe(2);
    expect(await count({ not: ['prefix', 'dims.path', ['/api']] })).toBe(2); // /web/assets and no path
    expect(await count([['in', 'actor', ['a', 'b']], { not: ['lt', 'value', [5]] }])).toBe(2); // b 12, a 20
  });

  it('CSV carries the filtered figures', async () => {
    const qs = new URLSearchParams({
      ...RANGE,
      format: 'csv',
      filters: JSON.stringify({ not: ['eq', 'actor', ['a']] }),
    });
    const csv = await app().call('GET', `/v1/query?${qs.toString()}`);
    expect(csv.body).toBe('start,end,value\r\n2026-11-19T00:00:00+00:00,2026-11-20T00:00:00+00:00,3\r\n');
  });
}

onBothEngines(suite);

describe('a bad tree is a 400 at its path', () => {
  const app = useApp(undefined, []);
  const fault = (filters: unknown): ReturnType<typeof faultOf> => faultOf(app(), { ...RANGE, filters });

  it('names the node, the op, the field, the value and the pattern at fault', async () => {
    const leaf = ['eq', 'actor', ['a']];
    expect(await fault({ or: [leaf, leaf, { not: ['like', 'actor', ['a']] }] })).toMatchObject({
      path: 'filters/or/2/not/0',
    });
    expect(await fault([leaf, { and: [['gt', 'actor', [1]]] }])).toMatchObject({
      path: 'filters/1/and/0/1',
      message: 'must be value or dims.<key>: gt compares numbers',
    });
    expect((await fault({ or: [['gt', 'value', ['7']]] })).path).toBe('filters/or/0/2');
    expect((await fault({ or: [['contains', 'dims.p', [null]]] })).path).toBe('filters/or/0/2/0');
    expect(await fault({ and: [['regex', 'dims.p', ['ok', '(?=x)']]] })).toMatchObject({
      path: 'filters/and/0/2/1',
      message: expect.stringContaining('is not a pattern this filter runs: lookarounds') as unknown,
    });
    expect((await fault({ xor: [leaf] })).path).toBe('filters');
    expect((await fault({ or: [] })).path).toBe('filters/or');
  });

  it('bounds: 5 levels of and/or/not and 50 leaves', async () => {
    const leaf = ['eq', 'actor', ['a']];
    let deep: unknown = leaf;
    for (let k = 0; k < 5; k++) deep = { not: deep };
    for (const filters of [deep, [deep]])
      expect((await app().call('POST', '/v1/query', { body: { ...RANGE, filters } })).statusCode).toBe(200);
    expect((await fault([leaf, { and: [deep] }])).path).toBe('filters/1/and/0/not/not/not/not/not');
    const wide = { or: Array.from({ length: 51 }, () => leaf) };
    expect(await fault(wide)).toMatchObject({
      path: 'filters/or/50',
      message: 'is past the limit of 50 filter leaves',
    });
  });
});
