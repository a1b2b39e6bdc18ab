/**
 * Store failures for the reliability suite: a fault switch at the store
 * boundary (every call fails with StoreError while it is on, as a stopped
 * ClickHouse or a dead disk would make it), and probes for the two real
 * techniques the DuckDB tests use as root, where file permissions are ignored:
 * the immutable flag (chattr +i, which even root cannot write through) and a
 * small tmpfs that fills up. Both need privileges; the tests skip without them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '../../src/core/errors.js';
import type { Store } from '../../src/store/port.js';

/** A store whose every call fails while `down` is true. */
export interface FaultyStore {
  store: Store;
  down: boolean;
  /** Calls refused while down. */
  refused: number;
}

/** Wrap a store with a fault switch. `engine` and other plain fields pass through. */
export function withFaults(inner: Store): FaultyStore {
  const state: FaultyStore = { store: inner, down: false, refused: 0 };
  state.store = new Proxy(inner, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'close') return v;
      return (...args: unknown[]) => {
        if (state.down) {
          state.refused++;
          return Promise.reject(
            new StoreError('The store could not run a statement.', new Error('injected')),
          );
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return state;
}

function run(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Set or clear the immutable flag on paths (as root: root cannot write an immutable file either). */
export function immutable(on: boolean, paths: string[]): void {
  execFileSync('chattr', [on ? '+i' : '-i', ...paths], { stdio: 'ignore' });
}

/** Whether chattr +i works here (needs CAP_LINUX_IMMUTABLE and a filesystem with the flag). */
export function canMakeImmutable(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'tally-probe-'));
  const f = join(dir, 'probe');
  writeFileSync(f, 'x');
  const ok = run('chattr', ['+i', f]);
  if (ok) run('chattr', ['-i', f]);
  rmSync(dir, { recursive: true, force: true });
  return ok;
}

/** Mount a tmpfs of `mb` MiB on a fresh directory; null when mounting is not allowed here. */
export function mountTmpfs(mb: number): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'tally-tmpfs-'));
  if (run('mount', ['-t', 'tmpfs', '-o', `size=${mb}m`, 'tmpfs', dir])) return dir;
  rmSync(dir, { recursive: true, force: true });
  return null;
}

/** Whether a tmpfs can be mounted here (needs CAP_SYS_ADMIN); mounts one and takes it down again. */
export function canMountTmpfs(): boolean {
  const dir = mountTmpfs(1);
  if (dir === null) return false;
  unmount(dir);
  return true;
}

/** Unmount (lazily, in case a handle lingers) and remove a directory from mountTmpfs. */
export function unmount(dir: string): void {
  run('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Fill a filesystem until it has no space left: one file, removed to give the space back. */
export function fill(dir: string): string {
  const f = join(dir, 'filler');
  run('dd', ['if=/dev/zero', `of=${f}`, 'bs=64k']);
  return f;
}
