/**
 * A current ClickHouse for the test suites without a server binary: a loopback
 * HTTP front over one chDB session (the npm package `chdb`, ClickHouse 26.x as an
 * in-process library). It speaks just enough of ClickHouse's HTTP interface for
 * @clickhouse/client: GET /ping, and POST with the query in the body or in
 * `?query=` followed by the insert data, settings as URL parameters, errors as
 * status 500 with ClickHouse's own message. Test-only: no auth, one query at a time.
 *
 * chdb is ~570 MB, so it is not a dependency: CI installs it into a scratch folder
 * (see .ci/run) and TALLY_TEST_CHDB_DIR points there.
 *
 *   eval "$(npx tsx test/clickhouse/chdb-front.ts)"   # prints TALLY_TEST_CLICKHOUSE_URL etc.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface ChdbSession {
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ bytes(): Uint8Array }>;
  close(): void;
}

/** URL parameters that belong to the HTTP interface, not to the query's settings. */
const NOT_SETTINGS = new Set([
  'query', 'query_id', 'database', 'default_format', 'user', 'password', 'session_id', 'session_timeout',
  'session_check', 'enable_http_compression', 'send_progress_in_http_headers', 'wait_end_of_query',
  'http_headers_progress_interval_ms', 'compress', 'decompress', 'buffer_size', 'role',
]); // prettier-ignore

/**
 * Where chDB's defaults differ from a server's: chDB waits for every mutation
 * (mutations_sync = 1), a server does not, and the store relies on the server's
 * way (deletions are mutations that run in the background).
 */
const SERVER_DEFAULTS: Record<string, string> = { mutations_sync: '0' };

const settingValue = (v: string): string => (/^-?\d+$/.test(v) ? v : `'${v.replace(/[\\']/g, '\\$&')}'`);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function serve(chdbDir: string): void {
  const { Session } = createRequire(join(chdbDir, 'node_modules', 'x.js'))('chdb') as {
    Session: new (path: string) => ChdbSession;
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'tally-chdb-'));
  const session = new Session(dataDir);
  // Settings last sent, so a request's settings never leak into the next one.
  const current = new Map<string, string>();
  let queue: Promise<unknown> = (async () => {
    for (const [k, v] of Object.entries(SERVER_DEFAULTS)) await session.queryAsync(`SET ${k} = ${v}`);
  })();

  async function run(params: URLSearchParams, body: string): Promise<Uint8Array> {
    const wanted = new Map([...params].filter(([k]) => !NOT_SETTINGS.has(k) && /^\w+$/.test(k)));
    for (const k of current.keys())
      if (!wanted.has(k)) {
        await session.queryAsync(`SET ${k} = ${SERVER_DEFAULTS[k] ?? 'DEFAULT'}`);
        current.delete(k);
      }
    for (const [k, v] of wanted)
      if (current.get(k) !== v) {
        await session.queryAsync(`SET ${k} = ${settingValue(v)}`);
        current.set(k, v);
      }
    const db = params.get('database');
    if (db && /^\w+$/.test(db)) await session.queryAsync(`USE ${db}`);
    const q = params.get('query');
    const sql = q === null ? body : body === '' ? q : `${q}\n${body}`;
    return (
      await session.queryAsync(sql, { format: params.get('default_format') ?? 'TabSeparated' })
    ).bytes();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/ping') return void res.end('Ok.\n');
    const body = readBody(req);
    const job = queue.then(async () => run(url.searchParams, await body));
    queue = job.catch(() => undefined);
    job.then(
      (out) => res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' }).end(out),
      (err: unknown) => {
        const msg = err instanceof Error ? err.message : String(err);
        const code = (err as { clickhouseCode?: number }).clickhouseCode ?? 1000;
        res.writeHead(500, { 'x-clickhouse-exception-code': String(code) });
        res.end(msg.startsWith('Code:') ? `${msg}\n` : `Code: 1000. DB::Exception: ${msg}\n`);
      },
    );
  });
  const stop = (): void => {
    server.close();
    session.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  });
}

const chdbDir = process.env['TALLY_TEST_CHDB_DIR'];
if (!chdbDir) throw new Error('TALLY_TEST_CHDB_DIR must name the folder where chdb is installed');
if (process.argv.includes('--serve')) serve(chdbDir);
else {
  // Start the front detached, print the shell assignments once it listens.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '--serve'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  child.stdout.once('data', (d: Buffer) => {
    console.log(`export TALLY_TEST_CLICKHOUSE_URL=http://127.0.0.1:${d.toString().trim()}`);
    console.log(`export TALLY_TEST_CLICKHOUSE_PID=${child.pid}`);
    process.exit(0);
  });
  child.once('exit', (code) => {
    throw new Error(`the chDB front exited (${code})`);
  });
}
