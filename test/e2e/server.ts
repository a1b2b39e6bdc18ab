/**
 * Start the real server the way a user does (`npm start`, or `npm run demo`) in
 * its own process group, wait for the URL it prints, and stop or kill the whole group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Running {
  url: string;
  proc: ChildProcess;
  output: () => string;
  /** The server's own pid (npm is the group leader above it). */
  pid: number;
  /** Resolves with the exit code of the group leader. */
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
}

export async function startServer(
  env: Record<string, string>,
  timeoutMs = 30_000,
  script: 'start' | 'demo' = 'start',
  /** Run from this directory instead (through bin/tally.js, as `npx tally` would), e.g. to see default paths. */
  cwd?: string,
): Promise<Running> {
  const [cmd, args] =
    cwd === undefined
      ? ['npm', script === 'start' ? ['start', '--silent'] : ['run', 'demo', '--silent']]
      : [process.execPath, [join(process.cwd(), 'bin', 'tally.js'), script === 'start' ? 'serve' : 'demo']];
  const proc = spawn(cmd, args, {
    cwd: cwd ?? process.cwd(),
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      resolve(code);
    }),
  );
  const [url, pid] = await new Promise<[string, number]>((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/[^\s]+) .*pid (\d+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve([m[1]!, Number(m[2])]);
      } else if (Date.now() - started > timeoutMs || proc.exitCode !== null) {
        clearInterval(timer);
        // A server stuck in start-up must not outlive its test (one once hung on a DuckDB lock for 45 min).
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`));
      }
    }, 50);
  });
  return {
    url,
    pid,
    proc,
    output: () => out,
    exited,
    signal(sig) {
      try {
        // SIGKILL takes the whole group, as a crash would; other signals go to the server, as an init system sends them.
        if (sig === 'SIGKILL') process.kill(-proc.pid!, sig);
        else process.kill(pid, sig);
      } catch {
        // already gone
      }
    },
  };
}
