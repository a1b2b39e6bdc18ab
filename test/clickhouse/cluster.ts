/**
 * A two-shard ClickHouse cluster on loopback for tests: one ZooKeeper (for ON
 * CLUSTER DDL, Debian's `zookeeper` package) and N clickhouse-server processes,
 * each with a remote_servers config this helper writes, naming all N as shards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configXml, freePort, startClickHouse, type RunningServer, type ShardAddress } from './server.js';

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';

/** A logging binding: without one, ZooKeeper 3.8 started this way dropped 18.16's handshakes in our runs. */
const SLF4J_SIMPLE = '/usr/share/java/slf4j-simple.jar';

export function zookeeperInstalled(): boolean {
  return existsSync(ZOOKEEPER_JAR) && existsSync('/usr/bin/java');
}

export interface RunningZooKeeper {
  host: string;
  port: number;
  stop(): Promise<void>;
}

function ruok(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port }, () => sock.end('ruok'));
    let got = '';
    sock.on('data', (b: Buffer) => (got += b.toString()));
    sock.on('close', () => {
      resolve(got === 'imok');
    });
    sock.on('error', () => {
      resolve(false);
    });
  });
}

/** A standalone ZooKeeper on 127.0.0.1 in a temp directory. */
export async function startZooKeeper(): Promise<RunningZooKeeper> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-zk-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'zoo.cfg'),
    [
      'tickTime=2000',
      `dataDir=${dir}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok',
      '',
    ].join('\n'),
  );
  const proc = spawn(
    '/usr/bin/java',
    [
      '-Xmx256m',
      '-cp',
      `${SLF4J_SIMPLE}:/etc/zookeeper/conf:${ZOOKEEPER_JAR}`,
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      join(dir, 'zoo.cfg'),
    ],
    { cwd: dir, stdio: ['ignore', openSync(join(dir, 'zk.log'), 'a'), openSync(join(dir, 'zk.log'), 'a')] },
  );
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      resolve();
    }),
  );
  const started = Date.now();
  while (!(await ruok(port))) {
    if (proc.exitCode !== null || Date.now() - started > 30_000) {
      proc.kill('SIGKILL');
      throw new Error('ZooKeeper did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // ruok can answer before sessions are served; a failed first session breaks 18.16's DDL worker.
  await new Promise((r) => setTimeout(r, 1000));
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      proc.kill('SIGKILL');
      await exited;
      if (!process.env['TALLY_KEEP_ZK']) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a server has a working ZooKeeper session (polls up to 15 s). */
async function seesZooKeeper(url: string): Promise<boolean> {
  const sql = encodeURIComponent("SELECT count() FROM system.zookeeper WHERE path = '/'");
  const started = Date.now();
  while (Date.now() - started < 15_000) {
    try {
      const res = await fetch(`${url}/?query=${sql}`);
      if (res.ok) return true;
    } catch {
      // the server may have crashed; the caller restarts it
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

export interface RunningCluster {
  name: string;
  /** Shard-major: shard 1's replicas, then shard 2's, ... */
  servers: RunningServer[];
  /**
   * docs/deploy.md's first steps of adding a shard: a new server with weight 0, appended to
   * every node's remote_servers (the servers reload it), holding a copy of `database`'s schema.
   */
  addShard(database: string): Promise<RunningServer>;
  /**
   * docs/deploy.md's replacing a replica: servers[k] is stopped and its data thrown away; a new
   * server (a new replica name) takes its place in every node's remote_servers and gets
   * `database`'s schema from a sibling replica, then fetches the shard's data from it.
   */
  replaceReplica(k: number, database: string): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** Run one statement over HTTP, with these settings; throws with the server's message. */
export async function runSql(
  url: string,
  sql: string,
  settings: Record<string, string> = {},
): Promise<string> {
  const res = await fetch(`${url}/?${new URLSearchParams(settings).toString()}`, {
    method: 'POST',
    body: sql,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${sql.slice(0, 80)}: ${text}`);
  return text;
}

/**
 * The schema copy of docs/deploy.md: every table of `database` on `from`, created on `to`
 * from its SHOW CREATE TABLE, the shard-local tables first.
 */
export async function copySchema(from: string, to: string, database: string): Promise<void> {
  await runSql(to, `CREATE DATABASE IF NOT EXISTS ${database}`);
  const list = await runSql(
    from,
    `SELECT name FROM system.tables WHERE database = '${database}' ORDER BY endsWith(name, '_local') DESC, name`,
  );
  for (const t of list.split('\n').filter((n) => n !== ''))
    await runSql(to, await runSql(from, `SHOW CREATE TABLE ${database}.${t} FORMAT TSVRaw`));
}

/** Until `sql` answers 1 on the server (remote_servers is reloaded by the server itself). */
async function waitFor(url: string, sql: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    if ((await runSql(url, sql)).trim() === '1') return;
    if (Date.now() - started > 30_000) throw new Error(`remote_servers not reloaded: ${sql}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

interface Ports {
  http: number;
  tcp: number;
  interserver: number;
}
const newPorts = async (): Promise<Ports> => ({
  http: await freePort(),
  tcp: await freePort(),
  interserver: await freePort(),
});

/**
 * `shards` shards of `replicas` clickhouse-servers each, forming cluster `name`; each server has
 * macros {shard} and {replica} (replica names r<shard>-<n>), for replicated tables.
 */
export async function startCluster(name: string, shards = 2, replicas = 1): Promise<RunningCluster> {
  const zk = await startZooKeeper();
  const shardList: ShardAddress[] = [];
  const nodes: { ports: Ports; macros: { shard: string; replica: string } }[] = [];
  let named = 0;
  const addNode = async (shard: number, weight?: number): Promise<(typeof nodes)[number]> => {
    const node = {
      ports: await newPorts(),
      macros: { shard: String(shard), replica: `r${shard}-${++named}` },
    };
    const entry = shardList[shard - 1];
    const address = { host: '127.0.0.1', tcpPort: node.ports.tcp };
    if (entry) entry.replicas = [...(entry.replicas ?? []), address];
    else shardList.push({ ...address, ...(weight === undefined ? {} : { weight }) });
    nodes.push(node);
    return node;
  };
  const clusters = { [name]: shardList };
  const options = (n: (typeof nodes)[number]) => ({
    ports: n.ports,
    clusters,
    zookeeper: zk,
    queryLog: true,
    macros: n.macros,
  });
  // 18.16's DDL worker gives up for good when its first ZooKeeper session fails: check, and restart once.
  const start = async (n: (typeof nodes)[number]): Promise<RunningServer> => {
    let server = await startClickHouse(options(n));
    if (!(await seesZooKeeper(server.url))) {
      await server.stop();
      server = await startClickHouse(options(n));
      if (!(await seesZooKeeper(server.url))) throw new Error('clickhouse-server cannot reach ZooKeeper');
    }
    return server;
  };
  const servers: RunningServer[] = [];
  /** Every node's config rewritten from the current lists; waits until each has reloaded it. */
  const reconfigure = async (tcp: number): Promise<void> => {
    for (const [k, s] of servers.entries()) {
      writeFileSync(join(s.dir, 'config.xml'), configXml(s.dir, options(nodes[k]!)));
      await waitFor(
        s.url,
        `SELECT count() > 0 FROM system.clusters WHERE cluster = '${name}' AND port = ${tcp}`,
      );
    }
  };
  try {
    for (let shard = 1; shard <= shards; shard++) for (let r = 0; r < replicas; r++) await addNode(shard);
    for (const n of nodes) servers.push(await start(n));
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    await zk.stop();
    throw err;
  }
  return {
    name,
    servers,
    async addShard(database: string) {
      const node = await addNode(shardList.length + 1, 0);
      const server = await start(node);
      servers.push(server);
      await reconfigure(node.ports.tcp);
      await copySchema(servers[0]!.url, server.url, database);
      return server;
    },
    async replaceReplica(k: number, database: string) {
      const gone = nodes[k]!;
      await servers[k]!.stop();
      const shard = Number(gone.macros.shard);
      const entry = shardList[shard - 1]!;
      const node = {
        ports: await newPorts(),
        macros: { shard: gone.macros.shard, replica: `r${shard}-${++named}` },
      };
      const address = { host: '127.0.0.1', tcpPort: node.ports.tcp };
      if (entry.tcpPort === gone.ports.tcp) Object.assign(entry, address);
      else entry.replicas = entry.replicas!.map((a) => (a.tcpPort === gone.ports.tcp ? address : a));
      nodes[k] = node;
      const server = await start(node);
      servers[k] = server;
      await reconfigure(node.ports.tcp);
      const sibling = servers.find((_, j) => j !== k && nodes[j]!.macros.shard === gone.macros.shard)!;
      await copySchema(sibling.url, server.url, database);
      return server;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await zk.stop();
    },
  };
}
