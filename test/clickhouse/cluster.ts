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
  servers: RunningServer[];
  /**
   * docs/deploy.md's first steps of adding a shard: a new server with weight 0, appended to
   * every node's remote_servers (the servers reload it), holding a copy of `database`'s schema.
   */
  addShard(database: string): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** Run one statement over HTTP; throws with the server's message. */
export async function runSql(url: string, sql: string): Promise<string> {
  const res = await fetch(`${url}/`, { method: 'POST', body: sql });
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

/** Until the server lists `n` shards in cluster `name` (it reloads remote_servers by itself). */
async function waitForShards(url: string, name: string, n: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const got = await runSql(url, `SELECT count() FROM system.clusters WHERE cluster = '${name}'`);
    if (Number(got.trim()) === n) return;
    if (Date.now() - started > 30_000) throw new Error(`remote_servers not reloaded: ${got}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `shards` clickhouse-servers forming cluster `name`, one replica per shard. */
export async function startCluster(name: string, shards = 2): Promise<RunningCluster> {
  const zk = await startZooKeeper();
  const ports = [];
  for (let k = 0; k < shards; k++)
    ports.push({ http: await freePort(), tcp: await freePort(), interserver: await freePort() });
  const shardList: ShardAddress[] = ports.map((p) => ({ host: '127.0.0.1', tcpPort: p.tcp }));
  const clusters = { [name]: shardList };
  const servers: RunningServer[] = [];
  try {
    for (const p of ports) {
      // 18.16's DDL worker gives up for good when its first ZooKeeper session fails: check, and restart once.
      let server = await startClickHouse({ ports: p, clusters, zookeeper: zk, queryLog: true });
      if (!(await seesZooKeeper(server.url))) {
        await server.stop();
        server = await startClickHouse({ ports: p, clusters, zookeeper: zk, queryLog: true });
        if (!(await seesZooKeeper(server.url))) throw new Error('clickhouse-server cannot reach ZooKeeper');
      }
      servers.push(server);
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    await zk.stop();
    throw err;
  }
  return {
    name,
    servers,
    async addShard(database: string) {
      const p = { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
      shardList.push({ host: '127.0.0.1', tcpPort: p.tcp, weight: 0 });
      const server = await startClickHouse({ ports: p, clusters, zookeeper: zk, queryLog: true });
      servers.push(server);
      for (const s of servers) {
        writeFileSync(
          join(s.dir, 'config.xml'),
          configXml(s.dir, { ports: s.ports, clusters, zookeeper: zk, queryLog: true }),
        );
        await waitForShards(s.url, name, shardList.length);
      }
      await copySchema(servers[0]!.url, server.url, database);
      return server;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await zk.stop();
    },
  };
}
