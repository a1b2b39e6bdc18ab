/**
 * Configuration from the environment (CONTRACT section 1). Read once, here.
 */
import { ValidationError } from '../core/errors.js';

export interface Config {
  port: number;
  host: string;
  store: 'duckdb' | 'clickhouse';
  duckdbPath: string;
  clickhouseUrl?: string;
  clickhouseCluster?: string;
  adminKey: string | null;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw ValidationError.param('PORT', 'must be a port number');
  const store = env.TALLY_STORE ?? 'duckdb';
  if (store !== 'duckdb' && store !== 'clickhouse')
    throw ValidationError.param('TALLY_STORE', 'must be duckdb or clickhouse');
  if (store === 'clickhouse' && !env.TALLY_CLICKHOUSE_URL) {
    throw ValidationError.param('TALLY_CLICKHOUSE_URL', 'is required when TALLY_STORE=clickhouse');
  }
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    store,
    duckdbPath: env.TALLY_DB ?? './data/tally.duckdb',
    clickhouseUrl: env.TALLY_CLICKHOUSE_URL,
    clickhouseCluster: env.TALLY_CLICKHOUSE_CLUSTER,
    adminKey: env.TALLY_ADMIN_KEY && env.TALLY_ADMIN_KEY !== '' ? env.TALLY_ADMIN_KEY : null,
  };
}
