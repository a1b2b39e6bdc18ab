import { describe, expect, it } from 'vitest';
import { typeCountsSql as chTypes, keyCountsSql as chKeys } from '../clickhouse/describe.js';
import type { ChTables } from '../clickhouse/dialect-expr.js';
import { keyCountsSql as duckKeys, typeCountsSql as duckTypes } from '../duckdb/describe.js';
import type { Scan } from '../../core/query/requests.js';
import { summarise } from './schema-summary.js';

const row = (type: string, n: number, first: number, last: number, key?: string) => ({
  type,
  n: String(n),
  first: String(first),
  last: String(last),
  ...(key === undefined ? {} : { key }),
});

describe('summarise', () => {
  it('orders by count then name, caps, and flags what the cap left out', () => {
    // Rows as an engine may return them (any order, one more than the cap); counts as strings (ClickHouse's UInt64).
    const types = [row('b', 2, 5, 9), row('a', 2, 1, 3), row('c', 7, 0, 10)];
    const keys = [
      row('c', 1, 0, 0, 'z'),
      row('c', 4, 2, 8, 'y'),
      row('c', 4, 1, 9, 'x'),
      row('a', 2, 1, 3, 'k'),
    ];
    expect(summarise(types, keys, { types: 2, keysPerType: 2 })).toEqual({
      moreTypes: true,
      types: [
        {
          type: 'c',
          count: 7,
          first: 0,
          last: 10,
          keys: [
            { key: 'x', count: 4, first: 1, last: 9 },
            { key: 'y', count: 4, first: 2, last: 8 },
          ],
          moreKeys: true,
        },
        {
          type: 'a',
          count: 2,
          first: 1,
          last: 3,
          keys: [{ key: 'k', count: 2, first: 1, last: 3 }],
          moreKeys: false,
        },
      ],
    });
  });
});

const hostile = "x'); DROP TABLE events; --";
const scan: Scan = { orgs: ['acme', hostile], types: [hostile], filters: [], from: 1000, to: 2000 };

describe('describe SQL', () => {
  it('DuckDB binds every org and type, and asks one more than each cap', () => {
    for (const st of [duckTypes(scan, 100), duckKeys(scan, 50)]) {
      expect(st.sql).not.toContain('DROP');
      expect(st.params).toEqual(['acme', hostile, hostile]);
    }
    expect(duckTypes(scan, 100).sql).toMatch(/LIMIT 101$/);
    expect(duckKeys(scan, 50).sql).toContain('PARTITION BY type ORDER BY count(*) DESC, key) <= 51');
  });

  it('ClickHouse quotes every org and type, and caps keys per type with LIMIT BY', () => {
    const t: ChTables = { events: 'db.events', losersLocal: 'db.event_losers', actors: 'db.actors' };
    const quoted = "'x\\'); DROP TABLE events; --'";
    const types = chTypes(scan, t, 100);
    const keys = chKeys(scan, t, 50);
    for (const sql of [types, keys]) {
      expect(sql).toContain(`org IN ('acme', ${quoted})`);
      expect(sql).toContain(`type IN (${quoted})`);
      expect(sql.replaceAll(quoted, '')).not.toContain('DROP');
    }
    expect(types).toMatch(/LIMIT 101$/);
    expect(keys).toMatch(/ARRAY JOIN dim_keys AS key[\s\S]*LIMIT 51 BY type$/);
  });
});
