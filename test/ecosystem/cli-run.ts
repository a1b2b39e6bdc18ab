/**
 * Running `tally`: the real binary (bin/tally.js) in a child process, as a
 * user would, or the same program in-process (quicker), with its exit code
 * and output.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/program.js';

export const BIN = fileURLToPath(new URL('../../bin/tally.js', import.meta.url));

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Run `tally ...args` to its end. */
export function tally(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, TALLY_URL: '', TALLY_KEY: '', TALLY_ADMIN_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, out, err });
    });
  });
}

/** Run the same command in this process (runCli with captured output): the quick path for most tests. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}
