/**
 * A private clickhouse-server for tests and CI: a temp directory with its own
 * config.xml and users.xml, HTTP/TCP/interserver ports on 127.0.0.1 chosen free,
 * UTC, started as a child process and ready once `/ping` answers. Optionally part
 * of a cluster (`remote_servers`) with a ZooKeeper for ON CLUSTER DDL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SERVER_BINARIES = ['/usr/bin/clickhouse-server', '/usr/sbin/clickhouse-server'];

/** The clickhouse-server binary, or null when it is not installed. */
export function findServerBinary(): string | null {
  return SERVER_BINARIES.find((p) => existsSync(p)) ?? null;
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

export interface ShardAddress {
  host: string;
  tcpPort: number;
  /** remote_servers weight (default 1); a shard that joins later gets 0 (docs/deploy.md). */
  weight?: number;
  /** The shard's other replicas (internal_replication is then on: replicated tables copy). */
  replicas?: { host: string; tcpPort: number }[];
}

export interface ServerOptions {
  /** Working directory; a fresh temp directory by default (removed on stop). */
  dir?: string;
  ports?: { http: number; tcp: number; interserver: number };
  /** remote_servers: cluster name -> one replica per shard. */
  clusters?: Record<string, ShardAddress[]>;
  /** host:port of a ZooKeeper, for distributed (ON CLUSTER) DDL. */
  zookeeper?: { host: string; port: number };
  /** Log every query to system.query_log (the cluster test checks where queries ran). */
  queryLog?: boolean;
  /** The {shard} and {replica} macros of replicated tables. */
  macros?: { shard: string; replica: string };
}

export interface RunningServer {
  /** Base URL of the HTTP interface, no path. */
  url: string;
  ports: { http: number; tcp: number; interserver: number };
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** config.xml for a loopback-only, UTC server rooted in `dir`. */
export function configXml(dir: string, o: Required<Pick<ServerOptions, 'ports'>> & ServerOptions): string {
  const d = xmlEscape(dir);
  const clusters = Object.entries(o.clusters ?? {})
    .map(
      ([name, shards]) =>
        `<${name}>${shards
          .map(
            (s) =>
              `<shard>${s.weight === undefined ? '' : `<weight>${s.weight}</weight>`}${s.replicas ? '<internal_replication>true</internal_replication>' : ''}${[s, ...(s.replicas ?? [])].map((r) => `<replica><host>${xmlEscape(r.host)}</host><port>${r.tcpPort}</port></replica>`).join('')}</shard>`,
          )
          .join('')}</${name}>`,
    )
    .join('');
  const zk = o.zookeeper
    ? `<zookeeper><node><host>${xmlEscape(o.zookeeper.host)}</host><port>${o.zookeeper.port}</port></node></zookeeper>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>`
    : '';
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${d}/log/server.log</log><errorlog>${d}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${o.ports.http}</http_port>
  <tcp_port>${o.ports.tcp}</tcp_port>
  <interserver_http_port>${o.ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <users_config>${d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
  <remote_servers>${clusters}</remote_servers>
  ${zk}${o.macros ? `\n  <macros><shard>${xmlEscape(o.macros.shard)}</shard><replica>${xmlEscape(o.macros.replica)}</replica></macros>` : ''}${o.queryLog ? '\n  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>500</flush_interval_milliseconds></query_log>' : ''}
</yandex>
`;
}

/** users.xml: one passwordless loopback user; `logQueries` turns on log_queries in its profile. */
export const usersXml = (logQueries = false): string => `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage><load_balancing>in_order</load_balancing>${logQueries ? '<log_queries>1</log_queries>' : ''}</default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitForPing(
  url: string,
  proc: ChildProcess,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`clickhouse-server exited with ${proc.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs)
      throw new Error(`clickhouse-server did not answer /ping:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Start a private clickhouse-server. `detached` leaves it running after this
 * process exits (CI starts it once and stops it by pid).
 */
export async function startClickHouse(
  opts: ServerOptions & { detached?: boolean } = {},
): Promise<RunningServer> {
  const binary = findServerBinary();
  if (!binary) throw new Error('clickhouse-server is not installed (apt-get install -y clickhouse-server)');
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tally-ch-'));
  for (const sub of ['data', 'tmp', 'log', 'user_files', 'format_schemas'])
    mkdirSync(join(dir, sub), { recursive: true });
  const ports = opts.ports ?? {
    http: await freePort(),
    tcp: await freePort(),
    interserver: await freePort(),
  };
  writeFileSync(join(dir, 'config.xml'), configXml(dir, { ...opts, ports }));
  writeFileSync(join(dir, 'users.xml'), usersXml(opts.queryLog));
  const proc = spawn(binary, [`--config-file=${join(dir, 'config.xml')}`], {
    cwd: dir,
    stdio: opts.detached ? 'ignore' : ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const url = `http://127.0.0.1:${ports.http}`;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      resolve();
    }),
  );
  try {
    await waitForPing(url, proc, 30_000, () => out);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  if (opts.detached) proc.unref();
  return {
    url,
    ports,
    dir,
    pid: proc.pid!,
    async stop() {
      // The data is thrown away, so there is nothing to flush: a kill is as good as a clean stop.
      if (proc.exitCode === null) {
        proc.kill(ownDir ? 'SIGKILL' : 'SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
