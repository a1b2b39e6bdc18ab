import { describe, expect, it } from 'vitest';
import { parseShardUrls, slotShards } from './shards.js';

describe('slotShards', () => {
  it('gives each shard as many slots as its weight, in shard order, and none to a weight-0 shard', () => {
    expect(
      slotShards([
        { num: 1, weight: 1 },
        { num: 2, weight: 1 },
      ]),
    ).toEqual([1, 2]);
    // Listed out of order: the slots still follow shard_num, as a Distributed insert's do.
    expect(
      slotShards([
        { num: 3, weight: 0 },
        { num: 2, weight: 2 },
        { num: 1, weight: 1 },
      ]),
    ).toEqual([1, 2, 2]);
    expect(slotShards([{ num: 1, weight: 0 }])).toEqual([]);
  });

  it('keeps every existing slot when a shard joins with weight 0', () => {
    const before = slotShards([
      { num: 1, weight: 1 },
      { num: 2, weight: 1 },
    ]);
    const after = slotShards([
      { num: 1, weight: 1 },
      { num: 2, weight: 1 },
      { num: 3, weight: 0 },
    ]);
    expect(after).toEqual(before);
  });
});

describe('parseShardUrls', () => {
  const main = { url: 'http://ch1:8123', database: 'tally', username: 'u', password: 'p' };

  it('gives each shard the main database and credentials, unless a URL has its own user', () => {
    expect(parseShardUrls('http://ch1:8123, http://ch2:8123/other', main)).toEqual([
      { url: 'http://ch1:8123', database: 'tally', username: 'u', password: 'p' },
      { url: 'http://ch2:8123', database: 'tally', username: 'u', password: 'p' },
    ]);
    expect(parseShardUrls('https://v:w@ch3:8443', main)).toEqual([
      { url: 'https://ch3:8443', database: 'tally', username: 'v', password: 'w' },
    ]);
  });

  it('refuses an empty entry and a URL that is not one, naming the variable', () => {
    expect(() => parseShardUrls('http://ch1:8123,,http://ch2:8123', main)).toThrow(/TALLY_CLICKHOUSE_SHARDS/);
    expect(() => parseShardUrls('', main)).toThrow(/TALLY_CLICKHOUSE_SHARDS/);
    expect(() => parseShardUrls('http://ch1:8123,not a url', main)).toThrow(
      'Entry 2 of TALLY_CLICKHOUSE_SHARDS is not a URL.',
    );
  });
});
