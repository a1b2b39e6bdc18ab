#!/usr/bin/env node
/**
 * The tally command (docs/cli.md): `serve` (the default), `demo`, `ingest`,
 * `query`, `keys` and `orgs`; see program.ts. The process ends on its own once
 * a command is done (a server runs until SIGTERM or SIGINT).
 */
import { operatorMessage } from '../core/errors.js';
import { processEnv } from './config.js';
import { runCli } from './program.js';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: processEnv(),
  handleSignals: true,
}).then(
  (code) => {
    // A failure ends the process even when a server was already listening (as before commands existed).
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(operatorMessage(err));
    process.exit(1);
  },
);
