/**
 * The `tally` CLI, run as a child process against a listening app: --help on
 * every command, keys, orgs and query (table, CSV, JSON), errors, and `serve`
 * as the real server (docs, metrics and CloudEvents wired in, SIGTERM).
 * Ingestion has its own file (cli-ingest.test.ts).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ecoApp, type EcoApp } from './app.js';
import { BIN, cli, tally } from './cli-run.js';

let t: EcoApp;
let env: Record<string, string>;
beforeAll(async () => {
  t = await ecoApp();
  env = { TALLY_URL: await t.listen(), TALLY_KEY: ADMIN };
  await t.call('POST', '/v1/events', {
    body: [
      {
        id: 'q1',
        type: 'login',
        time: '2026-11-18T10:00:00Z',
        org: 'initech',
        actor: 'a',
        dims: { app: 'web' },
      },
      {
        id: 'q2',
        type: 'login',
        time: '2026-11-18T11:00:00Z',
        org: 'initech',
        actor: 'b',
        dims: { app: 'ios' },
      },
      {
        id: 'q3',
        type: 'login',
        time: '2026-11-19T09:00:00Z',
        org: 'initech',
        actor: 'a',
        dims: { app: 'web' },
      },
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

describe('--help', () => {
  const commands = [
    [],
    ['serve'],
    ['demo'],
    ['ingest'],
    ['query'],
    ['keys'],
    ['keys', 'create'],
    ['keys', 'list'],
    ['keys', 'revoke'],
    ['orgs'],
    ['orgs', 'list'],
    ['orgs', 'get'],
    ['orgs', 'put'],
  ];
  it.each(commands.map((c) => [c.join(' ') || '(top)', c]))('%s', async (_name, cmd) => {
    const { code, out } = await cli([...cmd, '--help']);
    expect(code).toBe(0);
    expect(out).toContain(`Usage: tally${cmd.length > 0 ? ` ${cmd.join(' ')}` : ''} `);
  });

  it('the real binary prints it and exits 0; an unknown command exits 1', async () => {
    const help = await tally(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['serve', 'demo', 'ingest', 'query', 'keys', 'orgs'])
      expect(help.out).toContain(`  ${c}`);
    const bad = await tally(['frobnicate']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("unknown command 'frobnicate'");
  });
});

describe('keys and orgs', () => {
  it('keys create, list, revoke; a revoked key is refused at once', async () => {
    const created = await tally(
      ['keys', 'create', '--name', 'reader', '--role', 'read', '--org', 'initech'],
      env,
    );
    expect(created.code).toBe(0);
    const secret = /\n {2}(tly_\S+)\n/.exec(created.out)![1]!;
    const id = /Created key (\S+) /.exec(created.out)![1]!;
    expect((await t.call('GET', '/v1/orgs', { key: secret })).statusCode).toBe(200);
    const listed = await cli(['keys', 'list', '--json'], env);
    const keys = JSON.parse(listed.out) as { id: string; name: string; role: string; orgs: string[] }[];
    expect(keys.find((k) => k.id === id)).toMatchObject({ name: 'reader', role: 'read', orgs: ['initech'] });
    expect(JSON.stringify(keys)).not.toContain(secret);
    const revoked = await cli(['keys', 'revoke', id], env);
    expect(revoked).toMatchObject({ code: 0, out: `Revoked key ${id}.\n` });
    expect((await t.call('GET', '/v1/orgs', { key: secret })).statusCode).toBe(401);
    const again = await cli(['keys', 'revoke', id], env);
    expect(again.code).toBe(1);
    expect(again.err).toContain('404 not_found');
  });

  it('keys create --expires-at --types: a key for a customer, both limits in the answer; a bad time is the server\u2019s 400', async () => {
    const args = [
      'keys',
      'create',
      '--role',
      'read',
      '--org',
      'initech',
      '--expires-at',
      '2026-12-20T00:00:00Z',
    ];
    const created = await cli([...args, '--types', 'api.request,page.view', '--types', 'storage'], env);
    expect(created.code).toBe(0);
    expect(created.out).toMatch(
      /^Created key \S+ \(read over initech; expires 2026-12-20T00:00:00.000Z; types api.request, page.view, storage\)\./,
    );
    const json = await cli([...args, '--types', 'storage', '--json'], env);
    expect(JSON.parse(json.out)).toMatchObject({
      expires_at: '2026-12-20T00:00:00.000Z',
      types: ['storage'],
    });
    const bad = await cli(
      ['keys', 'create', '--role', 'read', '--org', 'initech', '--expires-at', 'soon'],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('400 invalid_request');
    expect(bad.err).toContain('expires_at');
  });

  it('orgs put, list and get, as tables', async () => {
    const put = await cli(['orgs', 'put', 'hooli', '--name', 'Hooli', '--timezone', 'Europe/Berlin'], env);
    expect(put.code).toBe(0);
    expect(
      (await cli(['orgs', 'put', 'hooli-eu', '--parent', 'hooli', '--domain', 'eu.hooli.com'], env)).code,
    ).toBe(0);
    const get = await cli(['orgs', 'get', 'hooli-eu'], env);
    expect(get.out).toBe(
      [
        'id        name  parent  domain        timezone',
        '--------  ----  ------  ------------  --------',
        'hooli-eu        hooli   eu.hooli.com  UTC',
        '',
      ].join('\n'),
    );
    const list = await cli(['orgs'], env);
    expect(
      list.out
        .split('\n')
        .slice(2, -1)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['hooli', 'hooli-eu', 'initech']);
    const root = await cli(['orgs', 'put', 'hooli-eu', '--root', '--json'], env);
    expect(JSON.parse(root.out)).toMatchObject({ id: 'hooli-eu', parent: null, domain: 'eu.hooli.com' });
    const bad = await cli(['orgs', 'put', 'x', '--timezone', 'Mars/Olympus'], env);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('400 invalid_request');
  });
});

describe('query', () => {
  const range = ['--org', 'initech', '--timezone', 'UTC', '--from', '2026-11-18', '--to', '2026-11-20'];

  it('prints a table by default', async () => {
    const r = await cli(['query', ...range, '--group-by', 'dims.app'], env);
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        'dims.app  start                      value',
        '--------  -------------------------  -----',
        'ios       2026-11-18T00:00:00+00:00      1',
        'ios       2026-11-19T00:00:00+00:00      0',
        'web       2026-11-18T00:00:00+00:00      1',
        'web       2026-11-19T00:00:00+00:00      1',
        '',
      ].join('\n'),
    );
  });

  it('prints a column per metric', async () => {
    const metrics = JSON.stringify([{ name: 'events' }, { name: 'actors', agg: 'unique' }]);
    const r = await cli(
      ['query', ...range, '--bucket', 'none', '--group-by', 'dims.app', '--metrics', metrics],
      env,
    );
    expect(r.code, r.err).toBe(0);
    // The same events as the table above: ios 1 event, web 2; one distinct actor each.
    expect(
      r.out
        .split('\n')
        .slice(2, -1)
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['ios', '1', '1'],
      ['web', '2', '1'],
    ]);
  });

  it('prints the server CSV byte for byte, and JSON', async () => {
    const args = [...range, '--agg', 'unique', '--bucket', 'none', '--group-by', 'dims.app', '--share', '0'];
    const r = await cli(['query', ...args, '--format', 'csv'], env);
    expect(r.out).toBe(
      'dims.app,start,end,value,share\r\n' +
        'ios,2026-11-18T00:00:00+00:00,2026-11-20T00:00:00+00:00,1,50\r\n' +
        'web,2026-11-18T00:00:00+00:00,2026-11-20T00:00:00+00:00,1,50\r\n',
    );
    const j = await cli(['query', ...args, '--format', 'json'], env);
    const a = JSON.parse(j.out) as { series: { group: Record<string, string>; total: number }[] };
    expect(a.series.map((s) => [s.group['dims.app'], s.total])).toEqual([
      ['ios', 1],
      ['web', 1],
    ]);
  });

  it('reports errors and unreachable servers with exit 1', async () => {
    const r = await cli(['query', '--org', 'nope'], env);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toContain('404 not_found: No org nope.');
    const noKey = await cli(['query'], { TALLY_URL: env['TALLY_URL']! });
    expect(noKey.err).toContain('401 unauthenticated');
    const down = await cli(['orgs', '--url', 'http://127.0.0.1:9'], env);
    expect(down.code).toBe(1);
    expect(down.err).toContain('Cannot reach Tally at http://127.0.0.1:9');
  });
});

describe('serve', () => {
  it('starts the real server with docs, metrics and CloudEvents, and stops on SIGTERM with 0', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', ':memory:'], {
      env: { ...process.env, TALLY_ADMIN_KEY: 'serve-admin-0123456789abcdef', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code) => {
        r(code);
      }),
    );
    const started = Date.now();
    while (!/listening on (http:\/\/\S+)/.test(out) && Date.now() - started < 30_000)
      await new Promise((r) => setTimeout(r, 50));
    const url = /listening on (http:\/\/\S+)/.exec(out)![1]!;
    try {
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      const doc = (await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string; paths: object };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toContain('/api/v1/events');
      expect((await fetch(`${url}/docs`)).status).toBe(200);
      const ce = await fetch(`${url}/api/v1/events`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer serve-admin-0123456789abcdef',
          'content-type': 'application/cloudevents+json',
        },
        body: JSON.stringify({ specversion: '1.0', id: 's1', type: 'ping', subject: 'acme', source: 'test' }),
      });
      expect(ce.status).toBe(204);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('tally_events_accepted_total 1');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
