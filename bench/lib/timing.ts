/**
 * Timing and memory helpers shared by the benchmark phases: nearest-rank
 * percentiles (as ANCHORS.md: p95 of 10 runs is the slowest), warm-up plus N
 * timed runs, and a process's resident memory from /proc (current, and the
 * high-water mark since the last reset through clear_refs).
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Nearest-rank percentile of a sample (p in (0, 100]). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface Timed {
  p50: number;
  p95: number;
  runs: number[];
}

/** One warm-up, then `n` timed runs of `fn` (ms); the last result is returned for checking. */
export async function timeRuns<T>(n: number, fn: () => Promise<T>): Promise<{ t: Timed; last: T }> {
  let last = await fn();
  const runs: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    last = await fn();
    runs.push(performance.now() - t0);
  }
  return { t: { p50: percentile(runs, 50), p95: percentile(runs, 95), runs }, last };
}

/** A field of /proc/PID/status in bytes (VmRSS, VmHWM), or NaN if the process is gone. */
export function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Reset a process's peak RSS (VmHWM) to its current RSS; false when not permitted. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's RSS every `ms` until stopped; reports the maximum seen. */
export class RssSampler {
  private max = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    ms = 100,
  ) {
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
    }, ms);
  }

  private sample(): void {
    const rss = procMemory(this.pid, 'VmRSS');
    if (rss > this.max) this.max = rss;
  }

  /** Stop sampling; the largest RSS seen, and the kernel's peak since the last reset. */
  stop(): { sampledMax: number; hwm: number } {
    clearInterval(this.timer);
    this.sample();
    return { sampledMax: this.max, hwm: procMemory(this.pid, 'VmHWM') };
  }
}

export const MiB = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
export const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
