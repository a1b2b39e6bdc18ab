/**
 * Bringing a ClickHouse database to the current schema (schema.ts): the bootstrap
 * statements, then every migration not yet recorded in `schema_migrations`, in order.
 * Several processes may start at once against one database, so every step is idempotent:
 * statements by IF NOT EXISTS, added columns by a look at `system.columns` first.
 */
import { SYNC_INSERT, type ChClient } from './client.js';
import { quote } from './quote.js';
import { addColumnSql, bootstrapSql, MIGRATIONS, type ChLayout, type MigrationStep } from './schema.js';

/** Run one step of a migration. */
export async function applyStep(client: ChClient, layout: ChLayout, step: MigrationStep): Promise<void> {
  // Synchronous inserts: a migration's backfill must be in place before the process writes.
  if (typeof step === 'string') return client.command(step, SYNC_INSERT);
  const present = async (table: string): Promise<boolean> => {
    const rows = await client.query(
      `SELECT count() AS n FROM system.columns
       WHERE database = ${quote(layout.database)} AND table = ${quote(table)} AND name = ${quote(step.column)}`,
    );
    return Number(rows[0]?.['n'] ?? 0) > 0;
  };
  for (const { table, sql } of addColumnSql(layout, step)) {
    if (await present(table)) continue;
    try {
      for (const statement of sql) await client.command(statement);
    } catch (err) {
      // Another process added it between the look and the ALTER: that is the state wanted.
      if (!(await present(table))) throw err;
    }
  }
}

/** Create the database if need be and apply the migrations it lacks. */
export async function migrate(client: ChClient, layout: ChLayout, migrationsTable: string): Promise<void> {
  for (const sql of bootstrapSql(layout)) await client.command(sql);
  const rows = await client.query(`SELECT max(version) AS v FROM ${migrationsTable}`);
  const version = Number(rows[0]?.['v'] ?? 0);
  for (let k = version; k < MIGRATIONS.length; k++) {
    for (const step of MIGRATIONS[k]!(layout)) await applyStep(client, layout, step);
    await client.insert(migrationsTable, [{ version: k + 1, applied_at: Date.now() }], SYNC_INSERT);
  }
}
