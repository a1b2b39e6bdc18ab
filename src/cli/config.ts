/**
 * Configuration from the environment (the table in README.md). Read once, here:
 * this is the only module in src that reads process.env.
 */
import { ValidationError } from '../core/errors.js';
import { parseRetentionDays } from '../core/retention.js';
import { parseCorsOrigins, type CorsOrigins } from '../http/cors.js';
import { parseRateLimit, type RateLimit } from '../http/limits.js';
import { DEFAULT_UPKEEP } from '../store/duckdb/upkeep.js';
import { DEFAULT_FILTER_MB } from '../store/duckdb/dedupe.js';
import { parseDimColumns } from '../store/duckdb/dim-columns.js';
import { DEFAULT_DB } from './defaults.js';

export interface Config {
  port: number;
  host: string;
  store: 'duckdb' | 'clickhouse';
  duckdbPath: string;
  clickhouseUrl?: string;
  clickhouseCluster?: string;
  clickhouseShards?: string;
  /** TALLY_CLICKHOUSE_REPLICATED=1: a cluster's local tables are Replicated*MergeTree. */
  clickhouseReplicated: boolean;
  adminKey: string | null;
  /** TALLY_DUCKDB_MEMORY: DuckDB's memory_limit. */
  duckdbMemory: string;
  /** TALLY_DEDUPE_FILTER_MB: the DuckDB store's dedupe filter, in MiB (memory and its file next to the database). */
  dedupeFilterMb: number;
  /** TALLY_COMPACT_ROWS / TALLY_COMPACT_IDLE_MS: when the DuckDB store sorts its unsorted tail. */
  compactRows: number;
  compactIdleMs: number;
  /** TALLY_QUERY_TIMEOUT_MS: the longest one query runs before it is stopped and answered 503; null for none. */
  queryTimeoutMs: number | null;
  /** TALLY_ROLLUP: whether the DuckDB store's distinct-actor queries read its actor rollup (default on). */
  rollup: boolean;
  /** TALLY_DIM_COLUMNS: the dims keys the DuckDB store also keeps as plain columns (store/duckdb/dim-columns.ts). */
  dimColumns: readonly string[];
  /** TALLY_RATE_LIMIT: requests per key, or null (the default) for none. */
  rateLimit: RateLimit | null;
  /** TALLY_METRICS_KEY: a Bearer token GET /metrics then requires; null (the default) leaves it open. */
  metricsKey: string | null;
  /** TALLY_CORS_ORIGINS: origins allowed to call the read and ingest routes from a browser; null (the default) for none. */
  corsOrigins: CorsOrigins | null;
  /** TALLY_RETENTION_DAYS: retention of orgs that set none (docs/lifecycle.md); null keeps forever. */
  retentionDays: number | null;
  /** TALLY_WEBHOOK_ALLOW_PRIVATE=1: alert webhooks may reach loopback and private addresses (docs/alerts.md). */
  webhookAllowPrivate: boolean;
  /** LOG_LEVEL: pino's level for the server log (default info). */
  logLevel: string;
}

/** The process environment, for the entry point to hand to the commands. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}

/** TALLY_QUERY_TIMEOUT_MS when unset: well inside the 60 s a client usually waits, and the 300 s idle-socket cut. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

export interface ReadConfigOptions {
  /** The DuckDB file when TALLY_DB is unset (DEMO_DB for `tally demo`). */
  defaultDb?: string;
}

/** The shortest TALLY_ADMIN_KEY accepted: a guessable operator key opens every org. */
export const MIN_ADMIN_KEY = 24;

/** The largest dedupe filter: 4 GiB holds ~2 billion events at ~1e-4 false positives, and fits a typed array. */
const MAX_FILTER_MB = 4096;

/** A DuckDB size: a number and a unit (B, KB, MB, GB, TB, or KiB..TiB). */
const MEMORY = /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;

export function readConfig(env: NodeJS.ProcessEnv = processEnv(), opts: ReadConfigOptions = {}): Config {
  const port = Number(env['PORT'] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw ValidationError.param('PORT', 'must be a port number');
  const store = env['TALLY_STORE'] ?? 'duckdb';
  if (store !== 'duckdb' && store !== 'clickhouse')
    throw ValidationError.param('TALLY_STORE', 'must be duckdb or clickhouse');
  if (store === 'clickhouse' && !env['TALLY_CLICKHOUSE_URL']) {
    throw ValidationError.param('TALLY_CLICKHOUSE_URL', 'is required when TALLY_STORE=clickhouse');
  }
  const duckdbMemory = (env['TALLY_DUCKDB_MEMORY'] ?? '').trim() || '1GB';
  if (!MEMORY.test(duckdbMemory))
    throw ValidationError.param('TALLY_DUCKDB_MEMORY', 'must be a size such as 512MB or 2GB');
  const positive = (name: string, fallback: number): number => {
    const raw = (env[name] ?? '').trim();
    const n = raw === '' ? fallback : Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw ValidationError.param(name, 'must be a positive integer');
    return n;
  };
  const compactRows = positive('TALLY_COMPACT_ROWS', DEFAULT_UPKEEP.tailRows);
  const compactIdleMs = positive('TALLY_COMPACT_IDLE_MS', DEFAULT_UPKEEP.idleMs);
  const dedupeFilterMb = positive('TALLY_DEDUPE_FILTER_MB', DEFAULT_FILTER_MB);
  if (dedupeFilterMb > MAX_FILTER_MB)
    throw ValidationError.param('TALLY_DEDUPE_FILTER_MB', `must be at most ${MAX_FILTER_MB} (MiB)`);
  const timeoutRaw = (env['TALLY_QUERY_TIMEOUT_MS'] ?? '').trim().toLowerCase();
  const queryTimeoutMs = ['0', 'off'].includes(timeoutRaw)
    ? null
    : positive('TALLY_QUERY_TIMEOUT_MS', DEFAULT_QUERY_TIMEOUT_MS);
  const rollupRaw = (env['TALLY_ROLLUP'] ?? '').trim().toLowerCase();
  if (!['', '1', 'on', '0', 'off'].includes(rollupRaw))
    throw ValidationError.param('TALLY_ROLLUP', 'must be on or off (1 or 0)');
  let rateLimit: RateLimit | null;
  try {
    rateLimit = parseRateLimit(env['TALLY_RATE_LIMIT']);
  } catch {
    throw ValidationError.param('TALLY_RATE_LIMIT', 'must look like 600/min (units s, min, hour) or off');
  }
  let corsOrigins: CorsOrigins | null;
  try {
    corsOrigins = parseCorsOrigins(env['TALLY_CORS_ORIGINS']);
  } catch (err) {
    throw ValidationError.param('TALLY_CORS_ORIGINS', (err as Error).message);
  }
  const allowRaw = (env['TALLY_WEBHOOK_ALLOW_PRIVATE'] ?? '').trim();
  if (!['', '0', '1'].includes(allowRaw))
    throw ValidationError.param(
      'TALLY_WEBHOOK_ALLOW_PRIVATE',
      'must be 1 (allow) or 0 (refuse, the default)',
    );
  const replicatedRaw = (env['TALLY_CLICKHOUSE_REPLICATED'] ?? '').trim();
  if (!['', '0', '1'].includes(replicatedRaw))
    throw ValidationError.param(
      'TALLY_CLICKHOUSE_REPLICATED',
      'must be 1 (replicated tables) or 0 (the default)',
    );
  if (replicatedRaw === '1' && !env['TALLY_CLICKHOUSE_CLUSTER'])
    throw ValidationError.param('TALLY_CLICKHOUSE_REPLICATED', 'needs TALLY_CLICKHOUSE_CLUSTER');
  const adminKey = env['TALLY_ADMIN_KEY'] && env['TALLY_ADMIN_KEY'] !== '' ? env['TALLY_ADMIN_KEY'] : null;
  if (adminKey !== null && adminKey.length < MIN_ADMIN_KEY)
    throw ValidationError.param(
      'TALLY_ADMIN_KEY',
      `is ${adminKey.length} characters long; an admin key over every org needs at least ${MIN_ADMIN_KEY} (e.g. the output of: openssl rand -base64 24)`,
    );
  return {
    port,
    host: env['HOST'] ?? '127.0.0.1',
    store,
    duckdbPath: env['TALLY_DB'] ?? opts.defaultDb ?? DEFAULT_DB,
    clickhouseUrl: env['TALLY_CLICKHOUSE_URL'],
    clickhouseCluster: env['TALLY_CLICKHOUSE_CLUSTER'],
    clickhouseShards: env['TALLY_CLICKHOUSE_SHARDS'],
    clickhouseReplicated: replicatedRaw === '1',
    adminKey,
    corsOrigins,
    metricsKey: env['TALLY_METRICS_KEY'] && env['TALLY_METRICS_KEY'] !== '' ? env['TALLY_METRICS_KEY'] : null,
    duckdbMemory,
    compactRows,
    compactIdleMs,
    dedupeFilterMb,
    queryTimeoutMs,
    rollup: rollupRaw !== '0' && rollupRaw !== 'off',
    dimColumns: parseDimColumns(env['TALLY_DIM_COLUMNS']),
    rateLimit,
    retentionDays: parseRetentionDays(env['TALLY_RETENTION_DAYS']),
    webhookAllowPrivate: allowRaw === '1',
    logLevel: env['LOG_LEVEL'] ?? 'info',
  };
}
