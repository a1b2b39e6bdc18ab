/**
 * Build the dashboard (web/ -> web/dist) with Vite, but only when dist is missing
 * or older than its sources, so `npm start` and `npm test` stay fast. `--force`
 * always builds. The build goes to a temporary folder that then replaces dist,
 * and a lock file keeps two concurrent starts from building at once.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const web = dirname(fileURLToPath(import.meta.url));
const dist = join(web, 'dist');
const stamp = join(dist, 'index.html');
const lock = join(web, '.build.lock');
const force = process.argv.includes('--force');

/** Newest modification time under the dashboard's sources. */
function newestSource() {
  let newest = 0;
  const visit = (path) => {
    const st = statSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const name of ['src', 'index.html', 'vite.config.ts', 'build.js']) visit(join(web, name));
  visit(join(web, '..', 'package-lock.json'));
  return newest;
}

const stale = () => force || !existsSync(stamp) || statSync(stamp).mtimeMs < newestSource();

async function takeLock() {
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      return;
    } catch {
      // Another build runs; a lock older than two minutes is left over from a killed one.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000 || waited > 120_000) {
        rmSync(lock, { recursive: true, force: true });
      }
      await sleep(200);
    }
  }
}

if (stale()) {
  await takeLock();
  try {
    if (stale()) {
      const started = Date.now();
      const { build } = await import('vite');
      const out = join(web, `.dist-${process.pid}`);
      await build({ configFile: join(web, 'vite.config.ts'), build: { outDir: out, emptyOutDir: true } });
      const old = join(web, `.dist-old-${process.pid}`);
      if (existsSync(dist)) renameSync(dist, old);
      renameSync(out, dist);
      rmSync(old, { recursive: true, force: true });
      process.stdout.write(
        `Built the dashboard into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`,
      );
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
