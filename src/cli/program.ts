/**
 * The `tally` command line (docs/cli.md), built with commander: `serve`
 * (the default), `demo`, and the client commands `ingest`, `query`, `keys` and
 * `orgs`, which talk to a running Tally over HTTP (--url / TALLY_URL, --key /
 * TALLY_KEY). Every command has --help. Output goes through `CliIo`, so tests
 * can run commands in-process.
 */
import { Command, CommanderError, Option } from 'commander';
import { createKey, getOrg, keyFlags, listKeys, listOrgs, putOrg, revokeKey } from './admin.js';
import { CliError, connectionOf, type Connection } from './client.js';
import { ingestFile, summaryText } from './ingest.js';
import { addLifecycle } from './lifecycle-commands.js';
import { runQuery, type QueryFlags } from './query.js';
import { TALLY_VERSION } from './version.js';
import { operatorMessage } from '../core/errors.js';
import { DEFAULT_DB, DEMO_DB } from './defaults.js';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Stop an ingest cleanly on SIGINT (the real process; not in tests). */
  handleSignals?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function connection(cmd: Command, io: CliIo): Connection {
  const g = cmd.optsWithGlobals<{ url?: string; key?: string }>();
  return connectionOf(g, io.env);
}

/** Neither a server (--url, TALLY_URL) nor a key to use on one was given: `keys create` then writes to the store. */
function noServerNamed(cmd: Command, io: CliIo): boolean {
  const g = cmd.optsWithGlobals<{ url?: string; key?: string }>();
  const given = (v: string | undefined): boolean => v !== undefined && v !== '';
  return (
    !given(g.url) &&
    !given(io.env['TALLY_URL']) &&
    !given(g.key) &&
    !given(io.env['TALLY_KEY']) &&
    !given(io.env['TALLY_ADMIN_KEY'])
  );
}

function addServe(program: Command, io: CliIo): void {
  const serveLike = (name: string, description: string, demo: boolean): void => {
    program
      .command(name)
      .description(description)
      .option('--port <port>', 'HTTP port (env PORT; default 8080)')
      .option('--host <host>', 'bind address (env HOST; default 127.0.0.1)')
      .option('--db <path>', `DuckDB file (env TALLY_DB; default ${demo ? DEMO_DB : DEFAULT_DB})`)
      .action(async (o: { port?: string; host?: string; db?: string }) => {
        const [{ readConfig }, { serve }, { demoHooks }] = await Promise.all([
          import('./config.js'),
          import('./serve.js'),
          import('./demo.js'),
        ]);
        const env = { ...io.env };
        if (o.port !== undefined) env['PORT'] = o.port;
        if (o.host !== undefined) env['HOST'] = o.host;
        if (o.db !== undefined) env['TALLY_DB'] = o.db;
        const config = readConfig(env, { defaultDb: demo ? DEMO_DB : DEFAULT_DB });
        await serve(config, demo ? demoHooks() : {});
      });
  };
  serveLike('serve', 'start the server (the default command); configuration from the environment', false);
  serveLike('demo', `load the demo dataset into its own store (unless already there), then serve it`, true);
}

function addIngest(program: Command, io: CliIo): void {
  program
    .command('ingest')
    .description('send an NDJSON or CSV file of events, in batches, resumably')
    .argument('<file>', 'events: NDJSON (one JSON event per line) or CSV (.csv; see docs/cli.md)')
    .addOption(
      new Option('--format <format>', 'file format (default: by extension)').choices(['ndjson', 'csv']),
    )
    .option('--batch-size <n>', 'events per request (1-10000)', '2000')
    .option('--checkpoint <path>', 'checkpoint file (default: <file>.tally-checkpoint)')
    .option(
      '--restart',
      'ignore the checkpoint and send from the top (duplicates are not counted twice)',
      false,
    )
    .option('--skip-invalid', 'skip events the server refuses instead of stopping', false)
    .option('--progress', 'draw the progress bar even when stderr is not a terminal')
    .option('--no-progress', 'never draw the progress bar')
    .option('--json', 'print the summary as JSON', false)
    .action(async (file: string, o: Record<string, unknown>, cmd: Command) => {
      const batchSize = Number(o['batchSize']);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
        throw new CliError('--batch-size must be an integer from 1 to 10000');
      let stop = false;
      const onSigint = (): void => {
        stop = true;
        io.err('Stopping after the batch in flight...\n');
      };
      if (io.handleSignals) process.once('SIGINT', onSigint);
      try {
        const summary = await ingestFile(
          connection(cmd, io),
          file,
          {
            format: o['format'] as string | undefined,
            batchSize,
            checkpoint: o['checkpoint'] as string | undefined,
            restart: o['restart'] === true,
            skipInvalid: o['skipInvalid'] === true,
            progress: o['progress'] as boolean | undefined,
            stopped: () => stop,
          },
          (m) => {
            io.err(`${m}\n`);
          },
        );
        io.out(o['json'] ? `${JSON.stringify(summary)}\n` : summaryText(summary));
        if (!summary.complete) throw new CliError('Interrupted; run the same command again to resume.');
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}

function addQuery(program: Command, io: CliIo): void {
  program
    .command('query')
    .description('run a native query (docs/query.md) and print a table, CSV or JSON')
    .option(
      '--org <id>',
      'org id (repeatable or comma-separated; default: every org the key reaches)',
      collect,
    )
    .option('--subtree', 'include the sub-orgs of each --org')
    .option('--type <type>', 'event type (repeatable)', collect)
    .option('--from <time>', 'start: RFC 3339, a date, or Unix seconds (inclusive)')
    .option('--to <time>', 'end (exclusive; default now)')
    .option('--last <span>', 'relative range instead: 24h, 7d, 30d, 12mo, today, month, ...')
    .option('--timezone <tz>', 'IANA timezone (default: the first org’s)')
    .option('--week-start <d>', 'first day of a week, 0 = Sunday (default 1)')
    .option('--bucket <b>', 'none, hour, day, week, month, hour_of_day, day_of_week (default day)')
    .option(
      '--agg <fn>',
      'count, sum, min, max, avg, unique, latest, p50, p90, p95, p99, quantile (default count)',
    )
    .option('--q <q>', 'for quantile: the percentile in (0, 1)')
    .option('--of <field>', 'for unique: the fields counted (repeatable; default actor)', collect)
    .option('--per <field>', 'for latest: the fields keying separate gauges (repeatable)', collect)
    .option(
      '--filters <json>',
      'JSON [[op, field, [values]], ...] or a tree {"or": [...]}; see docs/query.md',
    )
    .option('--metrics <json>', 'JSON [{"name", "agg", ...}, ...]: several figures, one column each')
    .option('--group-by <field>', 'group by actor, org, type, actor_kind or dims.<key> (repeatable)', collect)
    .option('--window <w>', 'rolling or cumulative')
    .option('--window-size <n>', 'rolling window length, in --window-unit')
    .option('--window-unit <u>', 'hour, day, week or month')
    .option('--since <s>', 'cumulative from the range (range) or the beginning (all)')
    .option('--fill <f>', 'zero (default) or sparse')
    .option('--share <decimals>', 'add each series’ percent share, to this many decimals')
    .option('--top <n>', 'keep the n largest groups')
    .option('--no-other', 'with --top: drop the rest instead of folding them into "other"')
    .addOption(new Option('--format <format>', 'output').choices(['table', 'csv', 'json']).default('table'))
    .action(async (o: QueryFlags, cmd: Command) => {
      io.out(await runQuery(connection(cmd, io), o));
    });
}

function addKeys(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('create, list and revoke API keys (an admin key)');
  keys
    .command('create')
    .description(
      'create a key; its secret is shown once. Without --url/TALLY_URL and a key, or with --db, it is written straight into the store (the way back in after losing the admin key)',
    )
    .option('--name <name>', 'a name to recognise it by (default: "<role> key")')
    .addOption(
      new Option('--role <role>', 'what it may do')
        .choices(['admin', 'ingest', 'read'])
        .makeOptionMandatory(),
    )
    .option(
      '--orgs <ids>',
      'the orgs it covers, with their sub-orgs (comma-separated or repeatable; * for all)',
      collect,
    )
    .option('--org <id>', 'the same as --orgs', collect)
    .option('--expires-at <time>', 'RFC 3339 (2026-12-20T00:00:00Z): the key is refused from then on')
    .option('--types <types>', 'the only event types it reads (comma-separated or repeatable)', collect)
    .option(
      '--db [path]',
      `write into this DuckDB file directly, the server stopped (default: TALLY_DB, else ${DEFAULT_DB})`,
    )
    .option('--json', 'print JSON', false)
    .action(
      async (
        o: {
          name?: string;
          role: string;
          org?: string[];
          orgs?: string[];
          expiresAt?: string;
          types?: string[];
          db?: string | true;
          json: boolean;
        },
        cmd: Command,
      ) => {
        const flags = {
          ...keyFlags({
            role: o.role,
            orgs: [...(o.orgs ?? []), ...(o.org ?? [])],
            ...(o.expiresAt === undefined ? {} : { expiresAt: o.expiresAt }),
            ...(o.types === undefined ? {} : { types: o.types }),
          }),
          json: o.json,
        };
        const name = o.name ?? `${flags.role} key`;
        if (o.db === undefined && !noServerNamed(cmd, io)) {
          io.out(await createKey(connection(cmd, io), { ...flags, name }));
          return;
        }
        const [{ readConfig }, { createKeyInStore }] = await Promise.all([
          import('./config.js'),
          import('./keys-local.js'),
        ]);
        const env = { ...io.env };
        if (typeof o.db === 'string') env['TALLY_DB'] = o.db;
        io.out(await createKeyInStore(readConfig(env), { ...flags, name }));
      },
    );
  keys
    .command('list')
    .description('list keys (without secrets)')
    .option('--all', 'include revoked keys', false)
    .option('--json', 'print JSON', false)
    .action(async (o: { all: boolean; json: boolean }, cmd: Command) => {
      io.out(await listKeys(connection(cmd, io), o));
    });
  keys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<id>', 'the key id (from keys list)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      io.out(await revokeKey(connection(cmd, io), id));
    });
}

function addOrgs(program: Command, io: CliIo): void {
  const orgs = program.command('orgs').description('list, show and create or change orgs');
  orgs
    .command('list', { isDefault: true })
    .description('list the orgs the key reaches')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }, cmd: Command) => {
      io.out(await listOrgs(connection(cmd, io), o));
    });
  orgs
    .command('get')
    .description('show one org')
    .argument('<id>', 'org id')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: { json: boolean }, cmd: Command) => {
      io.out(await getOrg(connection(cmd, io), id, o));
    });
  orgs
    .command('put')
    .description('create an org or change it (fields left out keep their value)')
    .argument('<id>', 'org id')
    .option('--name <name>', 'display name')
    .option('--parent <id>', 'parent org (must exist)')
    .option('--root', 'make it a root org (no parent)')
    .option('--domain <domain>', 'e.g. acme.com')
    .option('--timezone <tz>', 'IANA timezone, e.g. Europe/Berlin')
    .option('--json', 'print JSON', false)
    .action(async (id: string, o: Parameters<typeof putOrg>[2], cmd: Command) => {
      io.out(await putOrg(connection(cmd, io), id, o));
    });
}

/** The program, writing through `io`; commander errors throw instead of exiting. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('tally')
    .description('Tally: self-hosted usage statistics. Docs: docs/cli.md')
    .version(TALLY_VERSION)
    .option('--url <url>', 'the Tally server (env TALLY_URL; default http://127.0.0.1:8080)')
    .option('--key <key>', 'API key (env TALLY_KEY, else TALLY_ADMIN_KEY)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  addServe(program, io);
  addIngest(program, io);
  addQuery(program, io);
  addKeys(program, io);
  addOrgs(program, io);
  addLifecycle(program, io);
  return program;
}

/** Run `tally <argv...>`; resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    // No command at all is `serve`, as before commands existed.
    await program.parseAsync(argv.length === 0 ? ['serve'] : argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.err(`${operatorMessage(err)}\n`);
    return 1;
  }
}
