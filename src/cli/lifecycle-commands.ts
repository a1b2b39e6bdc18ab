/**
 * The commander wiring of the data-lifecycle commands (docs/lifecycle.md):
 * retention, erase, delete-events, audit, export, import, backup, restore.
 * `addLifecycle` is called once by buildProgram (program.ts). The file commands
 * load their module (and with it DuckDB) only when run, so other commands start fast.
 */
import { Option, type Command } from 'commander';
import { CliError, connectionOf, type Connection } from './client.js';
import {
  deleteEvents,
  eraseActor,
  eraseOrg,
  getRetention,
  listAudit,
  runRetention,
  setRetention,
} from './lifecycle.js';
import type { ExportFlags } from './lifecycle-files.js';
import type { CliIo } from './program.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function connection(cmd: Command, io: CliIo): Connection {
  return connectionOf(cmd.optsWithGlobals<{ url?: string; key?: string }>(), io.env);
}

function addRetention(program: Command, io: CliIo): void {
  const r = program
    .command('retention')
    .description("show, set or apply orgs' retention periods (an admin key)");
  r.command('get')
    .description("an org's own setting and the period that applies to it")
    .argument('<org>', 'org id')
    .option('--json', 'print JSON', false)
    .action(async (org: string, o: { json: boolean }, cmd: Command) => {
      io.out(await getRetention(connection(cmd, io), org, o));
    });
  r.command('set')
    .description('keep raw events this many days (sub-orgs inherit), forever, or inherit again')
    .argument('<org>', 'org id')
    .argument('<days>', 'a whole number of days, forever, or inherit')
    .option('--json', 'print JSON', false)
    .action(async (org: string, days: string, o: { json: boolean }, cmd: Command) => {
      io.out(await setRetention(connection(cmd, io), org, days, o));
    });
  r.command('run')
    .description('delete raw events past their period now, in every org the key reaches')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }, cmd: Command) => {
      io.out(await runRetention(connection(cmd, io), o));
    });
}

function addErase(program: Command, io: CliIo): void {
  const e = program
    .command('erase')
    .description('erase an actor or an org subtree for good (GDPR; an admin key)');
  e.command('actor')
    .description("erase an actor's events and profile: in one org, or in every org the key reaches")
    .argument('<id>', 'actor id')
    .option('--org <org>', 'only in this org (default: every org the key reaches)')
    .option('--yes', 'confirm', false)
    .option('--json', 'print the audit entry as JSON', false)
    .action(async (id: string, o: { org?: string; yes: boolean; json: boolean }, cmd: Command) => {
      io.out(await eraseActor(connection(cmd, io), id, o));
    });
  e.command('org')
    .description('erase an org, its sub-orgs, and all their events, actors and settings')
    .argument('<id>', 'org id')
    .option('--yes', 'confirm', false)
    .option('--json', 'print the audit entry as JSON', false)
    .action(async (id: string, o: { yes: boolean; json: boolean }, cmd: Command) => {
      io.out(await eraseOrg(connection(cmd, io), id, o));
    });
}

export function addLifecycle(program: Command, io: CliIo): void {
  addRetention(program, io);
  addErase(program, io);
  program
    .command('delete-events')
    .description('delete events by id (correction): the ids are free, so corrected events can be sent again')
    .argument('<org>', 'the org of the events')
    .argument('<ids...>', 'event ids')
    .option('--json', 'print JSON', false)
    .action(async (org: string, ids: string[], o: { json: boolean }, cmd: Command) => {
      io.out(await deleteEvents(connection(cmd, io), org, ids, o));
    });
  program
    .command('audit')
    .description('the deletion audit log, newest first (an admin key)')
    .option('--limit <n>', 'entries (1-1000; default 100)')
    .option('--org <org>', 'only operations on this org or its sub-orgs')
    .option('--before <id>', 'start after this entry (the "More:" hint)')
    .option('--json', 'print JSON', false)
    .action(async (o: { limit?: string; org?: string; before?: string; json: boolean }, cmd: Command) => {
      io.out(await listAudit(connection(cmd, io), o));
    });
  program
    .command('export')
    .description("an org's raw events as NDJSON (to stdout or --out) or Parquet (--out)")
    .argument('<org>', 'org id')
    .addOption(
      new Option('--format <format>', 'file format').choices(['ndjson', 'parquet']).default('ndjson'),
    )
    .option('--from <time>', 'start: RFC 3339, a UTC date, or Unix seconds (inclusive)')
    .option('--to <time>', 'end (exclusive)')
    .option('--type <type>', 'event type (repeatable)', collect)
    .option('--subtree', 'include the sub-orgs')
    .option('--out <file>', 'write to this file')
    .action(async (org: string, o: ExportFlags, cmd: Command) => {
      const { exportEvents } = await import('./lifecycle-files.js');
      io.out(await exportEvents(connection(cmd, io), org, o));
    });
  program
    .command('import')
    .description('send a Parquet export to the server (for NDJSON use tally ingest)')
    .argument('<file>', 'a .parquet file written by tally export')
    .option('--batch-size <n>', 'events per request (1-10000)', '5000')
    .action(async (file: string, o: { batchSize: string }, cmd: Command) => {
      const batchSize = Number(o.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
        throw new CliError('--batch-size must be an integer from 1 to 10000');
      const { importParquet } = await import('./lifecycle-files.js');
      const r = await importParquet(connection(cmd, io), file, { batchSize });
      io.out(`Accepted ${r.accepted}, duplicates ${r.duplicates}.\n`);
    });
  program
    .command('backup')
    .description('download a consistent copy of the running embedded store (an admin key over *)')
    .argument('<file>', 'where to write the DuckDB file')
    .option('--force', 'replace the file if it exists', false)
    .action(async (file: string, o: { force: boolean }, cmd: Command) => {
      const { backup } = await import('./lifecycle-files.js');
      io.out(await backup(connection(cmd, io), file, o));
    });
  program
    .command('restore')
    .description('put a backup in place as the DuckDB file a server will open (server stopped)')
    .argument('<backup>', 'a file written by tally backup')
    .requiredOption('--db <path>', 'the DuckDB file to create (TALLY_DB of the server)')
    .option('--force', 'replace an existing file (never one in use)', false)
    .action(async (file: string, o: { db: string; force: boolean }) => {
      const { restore } = await import('./lifecycle-files.js');
      io.out(await restore(file, o.db, o));
    });
}
