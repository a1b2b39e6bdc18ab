/**
 * Scaffolding shared by the query feature tests (filters, percentiles, metrics): one suite per
 * engine over the same stored events, and the fault a POST /v1/query answers.
 */
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { clickhouseAvailable } from '../clickhouse/env.js';
import { makeApp, type TestApp } from '../helpers.js';

export type Engine = 'duckdb' | 'clickhouse';

/**
 * A fresh app per test on `engine` with org acme and `events` stored; returns its getter.
 * Call inside a describe.
 */
export function useApp(engine: Engine | undefined, events: Record<string, unknown>[]): () => TestApp {
  let t: TestApp | undefined;
  beforeEach(async () => {
    t = await makeApp(engine === undefined ? {} : { engine });
    expect((await t.call('PUT', '/v1/orgs/acme', { body: {} })).statusCode).toBe(200);
    if (events.length > 0)
      expect((await t.call('POST', '/v1/events', { body: events })).statusCode).toBe(200);
  });
  afterEach(async () => {
    await t?.close();
  });
  return () => t!;
}

/** `suite` once on DuckDB and once on ClickHouse (when a server is there). */
export function onBothEngines(suite: (engine: Engine) => void): void {
  describe('duckdb', () => {
    suite('duckdb');
  });
  describe.skipIf(!clickhouseAvailable)('clickhouse', () => {
    suite('clickhouse');
  });
}

/** The first detail of the 400 that POST /v1/query answers to `body`. */
export async function faultOf(
  t: TestApp,
  body: Record<string, unknown>,
): Promise<{ path: string; message: string }> {
  const res = await t.call('POST', '/v1/query', { body });
  expect(res.statusCode, res.body).toBe(400);
  const answer = res.json<{ error: { code: string; details: { path: string; message: string }[] } }>();
  expect(answer.error.code).toBe('invalid_request');
  return answer.error.details[0]!;
}

/** The path of the 400 that POST /v1/query answers to `base` with `params` over it. */
export function faultPath(
  app: () => TestApp,
  base: Record<string, unknown>,
): (params: Record<string, unknown>) => Promise<string> {
  return async (params) => (await faultOf(app(), { ...base, ...params })).path;
}
