/**
 * The ingest readers on real files: line numbers across blank lines, CRLF and
 * quoted line breaks; NDJSON byte offsets that resume exactly at a line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvEvent, readCsv, readNdjson, type SourceItem } from './ingest-read.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tally-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all(gen: AsyncGenerator<SourceItem>): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const i of gen) out.push(i);
  return out;
}

describe('readCsv', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('numbers lines past blank lines and quoted breaks (%s)', async (_n, nl) => {
    // 1 header, 2 blank, 3 a, 4-5 blank, 6-7 b (quoted break), 8 c
    const file = join(dir, `lines-${_n}.csv`);
    await writeFile(file, ['id,type', '', 'a,t', '', '', 'b,"x', 'y"', 'c,t', ''].join(nl));
    const items = await all(readCsv(file, 0));
    expect(items.map((i) => [i.line, i.nextLine, i.next])).toEqual([
      [3, 4, 1],
      [6, 8, 2],
      [8, 9, 3],
    ]);
    expect(items.map((i) => i.event)).toEqual([
      { id: 'a', type: 't' },
      { id: 'b', type: `x${nl}y` },
      { id: 'c', type: 't' },
    ]);
    const resumed = await all(readCsv(file, 2));
    expect(resumed.map((i) => [i.line, i.event?.['id']])).toEqual([[8, 'c']]);
  });

  it('maps cells: empty left out, numeric time and value as numbers, dims.<key>', () => {
    expect(
      csvEvent({ id: 'e', time: '1700000000', value: '', 'dims.a': '1', 'dims.b': '', type: 'x' }),
    ).toEqual({
      id: 'e',
      time: 1_700_000_000,
      type: 'x',
      dims: { a: '1' },
    });
    expect(csvEvent({ time: '2026-01-01T00:00:00Z', value: 'abc' })).toEqual({
      time: '2026-01-01T00:00:00Z',
      value: 'abc',
    });
  });
});

describe('readNdjson', () => {
  it('gives byte offsets that resume exactly at the next line, multi-byte text included', async () => {
    const file = join(dir, 'x.ndjson');
    const lines = ['{"id":"é1"}', '', '{"id":"ü2"}\r', 'not json', '{"id":"3"}'];
    await writeFile(file, lines.join('\n'));
    const items = await all(readNdjson(file, 0, 1));
    expect(items.map((i) => [i.line, i.event?.['id'] ?? i.fault])).toEqual([
      [1, 'é1'],
      [3, 'ü2'],
      [4, 'is not valid JSON'],
      [5, '3'],
    ]);
    // Resume after line 3: the offset is the byte length of lines 1-3 with their breaks.
    const after3 = items[1]!.next;
    expect(after3).toBe(Buffer.byteLength(`${lines.slice(0, 3).join('\n')}\n`));
    const rest = await all(readNdjson(file, after3, items[1]!.nextLine));
    expect(rest.map((i) => [i.line, i.event?.['id'] ?? i.fault])).toEqual([
      [4, 'is not valid JSON'],
      [5, '3'],
    ]);
  });
});
