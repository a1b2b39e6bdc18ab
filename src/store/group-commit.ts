/**
 * Group commit, the queueing half shared by every engine: concurrent ingest
 * calls wait in one queue, and each turn hands every waiting batch (up to a
 * bound) to the engine's `commit` as one group, so many small requests share
 * one durable write. Callers are answered with their own batch's counts once
 * that commit is done, or all rejected together if it fails.
 */
import { StoreError } from '../core/errors.js';
import type { EventRecord, IngestResult } from '../core/model.js';

/** What an engine's commit of one group did. */
export interface CommitResult {
  /** How many events of each batch were new, in batch order. */
  accepted: number[];
  /** Events stored by the commit (the sum of `accepted`). */
  stored: number;
  /** Orgs the commit created (as root orgs) because events named them. */
  newOrgs: string[];
}

/** An engine's commit of one group (its committer, then the store's own bookkeeping). */
export type CommitGroup = (group: EventRecord[][]) => Promise<CommitResult>;

/** Runs one piece of write work at a time (an engine's serial lane). */
export type Runner = <T>(fn: () => Promise<T>) => Promise<T>;

interface Pending {
  events: EventRecord[];
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/** Serialises async work: one writer at a time. */
export class SerialLane {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class GroupCommit {
  private pending: Pending[] = [];
  private scheduled = false;
  /** Commits made so far; with group commit this grows slower than the number of submits. */
  commits = 0;

  constructor(
    private readonly commit: CommitGroup,
    private readonly run: Runner,
    private readonly maxEventsPerCommit: number,
  ) {}

  /** Queue a batch; resolves after the commit that holds it. */
  submit(events: EventRecord[]): Promise<IngestResult> {
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every batch queued so far is answered. */
  idle(): Promise<void> {
    return this.run(() => Promise.resolve());
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void this.run(async () => {
      this.scheduled = false;
      const group = this.takeGroup();
      if (this.pending.length > 0) this.schedule();
      await this.flush(group);
    });
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let n = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (group.length > 0 && n + next.events.length > this.maxEventsPerCommit) break;
      group.push(this.pending.shift()!);
      n += next.events.length;
    }
    return group;
  }

  private async flush(group: Pending[]): Promise<void> {
    try {
      const { accepted } = await this.commit(group.map((p) => p.events));
      this.commits++;
      group.forEach((p, i) => {
        p.resolve({ accepted: accepted[i]!, duplicates: p.events.length - accepted[i]! });
      });
    } catch (err) {
      const wrapped =
        err instanceof StoreError ? err : new StoreError('The store could not commit events.', err);
      for (const p of group) p.reject(wrapped);
    }
  }
}

/** The first event of each (org, id) in a group, with the index of its batch: later copies are duplicates. */
export function firstOccurrences(group: EventRecord[][]): { batch: number; event: EventRecord }[] {
  const keys = new Set<string>();
  const out: { batch: number; event: EventRecord }[] = [];
  group.forEach((events, batch) => {
    for (const event of events) {
      const key = `${event.org}\u0000${event.id}`;
      if (keys.has(key)) continue;
      keys.add(key);
      out.push({ batch, event });
    }
  });
  return out;
}
