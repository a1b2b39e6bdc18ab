#!/usr/bin/env node
/**
 * The tally command: `serve` (default). More commands join as they land.
 */
import { readConfig } from './config.js';
import { serve } from './serve.js';

const [command = 'serve'] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case 'serve':
      await serve(readConfig());
      return;
    default:
      console.error(`Unknown command ${command}. Commands: serve`);
      process.exit(2);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
