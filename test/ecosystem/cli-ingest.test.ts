/**
 * `tally ingest` against a listening app: NDJSON and CSV, batches, derived
 * ids that make reruns idempotent, the checkpoint (resume after a refused
 * batch, after a stop, after the file grew; start over when the file changed),
 * --skip-invalid, the progress bar and the summary. Counts are read back from
 * the server and compared with what the files hold.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../src/cli/ingest.js';
import { ADMIN, ecoApp, type EcoApp } from './app.js';
import { cli, tally } from './cli-run.js';

let t: EcoApp;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  t = await ecoApp();
  env = { TALLY_URL: await t.listen(), TALLY_KEY: ADMIN };
  dir = await mkdtemp(join(tmpdir(), 'tally-ingest-'));
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

/** NDJSON lines for `org`, numbered from `from`; every fifth has no id. */
function lines(org: string, from: number, n: number): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    const e: Record<string, unknown> = { type: 'download', time: 1_763_550_000 + i, org, value: 2 };
    if (i % 5 !== 0) e['id'] = `${org}-${i}`;
    out += `${JSON.stringify(e)}\n`;
  }
  return out;
}

async function stored(org: string, agg = 'count'): Promise<number> {
  const res = await t.call(
    'GET',
    `/v1/query?org=${org}&agg=${agg}&bucket=none&from=2025-01-01&to=2026-11-21`,
  );
  if (res.statusCode === 404) return 0;
  return res.json<{ series: { total: number }[] }>().series[0]!.total;
}

describe('tally ingest (NDJSON)', () => {
  it('streams batches with a progress bar and a summary; reruns resume; appended lines go next', async () => {
    const file = join(dir, 'a.ndjson');
    await writeFile(file, lines('alpha', 0, 2500));
    const run = await tally(['ingest', file, '--batch-size', '1000', '--progress'], env);
    expect(run.code).toBe(0);
    expect(run.err).toContain('ingest [');
    expect(run.err).toContain('100%');
    expect(run.out).toContain('events sent 2500 in 3 batches: 2500 accepted, 0 duplicates');
    expect(run.out).toContain('ids derived for 500');
    // Where the place is kept is said up front (stderr) and in the summary.
    expect(run.err).toContain(`Resume file: ${file}.tally-checkpoint (a rerun continues from it`);
    expect(run.out).toContain(`  resume file: ${file}.tally-checkpoint\n`);
    expect(await stored('alpha')).toBe(2500);
    expect(await stored('alpha', 'sum')).toBe(5000);
    const cp = JSON.parse(await readFile(`${file}.tally-checkpoint`, 'utf8')) as Record<string, unknown>;
    expect(cp).toMatchObject({ line: 2501, sent: 2500, batches: 3, complete: true });

    const again = await cli(['ingest', file], env);
    expect(again.out).toContain('resumed at line 2501');
    expect(again.out).toContain('this run: 0 events');
    await appendFile(file, lines('alpha', 2500, 10));
    const grown = await cli(['ingest', file, '--json'], env);
    expect(JSON.parse(grown.out)).toMatchObject({
      sentThisRun: 10,
      sent: 2510,
      accepted: 2510,
      resumedFromLine: 2501,
    });
    expect(await stored('alpha')).toBe(2510);
  });

  it('--restart sends everything again: derived ids make every event a duplicate', async () => {
    const file = join(dir, 'a.ndjson');
    const r = await cli(['ingest', file, '--restart', '--batch-size', '5000', '--json'], env);
    expect(JSON.parse(r.out)).toMatchObject({ sent: 2510, accepted: 0, duplicates: 2510, derived: 502 });
    expect(await stored('alpha')).toBe(2510);
  });

  it('stops at a refused batch, naming the line; fixed, it resumes after the last acknowledged batch', async () => {
    const file = join(dir, 'b.ndjson');
    const good = lines('beta', 0, 2000).split('\n');
    good[1199] = JSON.stringify({
      id: 'beta-bad',
      type: 'no spaces allowed',
      time: 1_763_550_000,
      org: 'beta',
    });
    await writeFile(file, good.join('\n'));
    const failed = await cli(['ingest', file, '--batch-size', '500'], env);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('line 1200: /type');
    expect(failed.err).toContain(`Resume file: ${file}.tally-checkpoint`);
    expect(await stored('beta')).toBe(1000);
    const cp = JSON.parse(await readFile(`${file}.tally-checkpoint`, 'utf8')) as Record<string, unknown>;
    expect(cp).toMatchObject({ line: 1001, sent: 1000, complete: false });

    good[1199] = JSON.stringify({ id: 'beta-fixed', type: 'download', time: 1_763_550_000, org: 'beta' });
    await writeFile(file, good.join('\n'));
    const resumed = await cli(['ingest', file, '--batch-size', '500', '--json'], env);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.out)).toMatchObject({
      resumedFromLine: 1001,
      sentThisRun: 1000,
      accepted: 2000,
    });
    expect(await stored('beta')).toBe(2000);
  });

  it('--skip-invalid drops unreadable lines and refused events, and sends the rest', async () => {
    const file = join(dir, 'c.ndjson');
    const ls = lines('gamma', 1, 10).split('\n');
    ls[2] = '{"id": "gamma-3", oops';
    ls[4] = JSON.stringify({ id: 'gamma-5', type: 'download', time: 'yesterday', org: 'gamma' });
    await writeFile(file, ls.join('\n'));
    const r = await cli(['ingest', file, '--skip-invalid', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.err).toContain('skipped line 3: is not valid JSON');
    expect(r.err).toContain('skipped line 5: /time');
    expect(JSON.parse(r.out)).toMatchObject({ sent: 8, accepted: 8, skipped: 2 });
    expect(await stored('gamma')).toBe(8);
  });

  it('starts over when the file before the checkpoint changed', async () => {
    const file = join(dir, 'd.ndjson');
    await writeFile(file, lines('delta', 1, 3));
    expect((await cli(['ingest', file], env)).code).toBe(0);
    await writeFile(file, lines('delta', 101, 4));
    const r = await cli(['ingest', file, '--json'], env);
    expect(r.err).toContain('starting from the top');
    expect(JSON.parse(r.out)).toMatchObject({ resumedFromLine: null, sent: 4, accepted: 4 });
    expect(await stored('delta')).toBe(7);
  });

  it('a stop request ends after the batch in flight, with a checkpoint to resume from', async () => {
    const file = join(dir, 'e.ndjson');
    await writeFile(file, lines('epsilon', 1, 30));
    const conn = { url: env['TALLY_URL']!, key: ADMIN };
    const opts = { batchSize: 10, restart: false, skipInvalid: false, progress: false };
    const first = await ingestFile(conn, file, { ...opts, stopped: () => true }, () => undefined);
    expect(first).toMatchObject({ complete: false, sent: 10, batches: 1 });
    expect(await stored('epsilon')).toBe(10);
    const rest = await ingestFile(conn, file, opts, () => undefined);
    expect(rest).toMatchObject({
      complete: true,
      resumedFromLine: 11,
      sent: 30,
      accepted: 30,
      duplicates: 0,
    });
  });
});

describe('tally ingest (CSV)', () => {
  it('reads a header of fields and dims.<key> columns, quoted cells and Unix-second times', async () => {
    const file = join(dir, 'f.csv');
    await writeFile(
      file,
      [
        'id,type,time,org,actor,value,dims.app,dims.note',
        'c1,download,2026-11-19T10:00:00Z,zeta,u1,5,web,plain',
        'c2,download,1795082400,zeta,u2,,ios,"with, a comma"',
        'c3,download,2026-11-19T11:00:00Z,zeta,,7,web,"two',
        'lines"',
        '',
      ].join('\r\n'),
    );
    const r = await cli(['ingest', file, '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'csv', sent: 3, accepted: 3 });
    // An empty value is the default 1: web = 5 + 7, ios = 1.
    const res = await t.call('GET', '/v1/query?org=zeta&agg=sum&bucket=none&group_by=dims.app&last=30d');
    const series = res.json<{ series: { group: Record<string, string>; total: number }[] }>().series;
    expect(series.map((s) => [s.group['dims.app'], s.total])).toEqual([
      ['ios', 1],
      ['web', 12],
    ]);
    const again = await cli(['ingest', file, '--json'], env);
    expect(JSON.parse(again.out)).toMatchObject({ sentThisRun: 0, resumedFromLine: 6 });
    // A refused row is named by the line it starts on, past a record spanning two lines.
    await appendFile(file, 'c4,download,2026-11-19T12:00:00Z,zeta,,x1,web,\r\n');
    const refused = await cli(['ingest', file], env);
    expect(refused.err).toContain('line 6: /value');
  });

  it('refuses an unknown column before sending anything', async () => {
    const file = join(dir, 'g.csv');
    await writeFile(file, 'id,type,time,org,colour\nx,t,2026-11-19T10:00:00Z,eta,red\n');
    const r = await cli(['ingest', file], env);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Unknown CSV column "colour"');
    expect(await stored('eta')).toBe(0);
  });
});
