/**
 * Ingest within reach: the one path by which a request's events reach the
 * store, shared by `POST /v1/events` and the CloudEvents endpoint. The batch
 * is bounded, checked whole (every fault reported, nothing stored), held to
 * the orgs the key reaches, and only then handed to the store, which answers
 * once it is durable. Each surface parses its own body and says how an org is
 * called in its words (an org, or OpenMeter's subject).
 */
import { AppError, AuthError, TypeScopeError, ValidationError, type ErrorDetail } from '../core/errors.js';
import { LIMITS } from '../core/events.js';
import type { EventRecord, IngestResult } from '../core/model.js';
import { OrgTree } from '../core/orgs.js';
import type { EventStore, Registry } from '../store/port.js';

/** A surface's reading of raw items into events, or every fault with its index. */
export type ParseBatch = (
  raws: unknown[],
  now: number,
) => { events: EventRecord[] } | { faults: ErrorDetail[] };

export interface IngestRequest {
  /** The orgs the key covers (['*'] for all). */
  grants: readonly string[];
  /** The only event types the key may write; null: every type (docs/keys.md). */
  types: readonly string[] | null;
  /** The items of the body, one per event, not yet checked. */
  raws: unknown[];
  /** How an org is named in the refusal: `org(s)` natively, `subject(s)` for CloudEvents. */
  orgNoun: string;
}

/**
 * Check and store one batch, atomically. Throws 413 past LIMITS.maxEventsPerRequest,
 * `invalid_event` (400) with every fault, 403 naming up to five orgs out of reach, or 403
 * naming a type outside the key's types.
 *
 * @example
 * await ingestWithinReach(app.ctx, Date.now(), validateBatch, { grants: ['acme'], types: null, raws, orgNoun: 'org(s)' })
 * // { accepted: 2, duplicates: 0 }
 */
export async function ingestWithinReach(
  store: { registry: Pick<Registry, 'listOrgs'>; events: Pick<EventStore, 'ingest'> },
  now: number,
  parse: ParseBatch,
  req: IngestRequest,
): Promise<IngestResult> {
  if (req.raws.length > LIMITS.maxEventsPerRequest) {
    throw new AppError('payload_too_large', 413, `At most ${LIMITS.maxEventsPerRequest} events per request.`);
  }
  const checked = parse(req.raws, now);
  if ('faults' in checked) {
    throw new ValidationError(
      `${checked.faults.length} fault(s) in the batch; nothing was stored.`,
      checked.faults,
      'invalid_event',
    );
  }
  if (checked.events.length === 0) return { accepted: 0, duplicates: 0 };
  const allowed = req.types;
  const foreign = allowed === null ? undefined : checked.events.find((e) => !allowed.includes(e.type));
  if (foreign !== undefined) throw new TypeScopeError(foreign.type, 'write');
  const tree = new OrgTree(await store.registry.listOrgs());
  const outside = [...new Set(checked.events.map((e) => e.org))].filter((o) => !tree.reaches(req.grants, o));
  if (outside.length > 0)
    throw new AuthError(
      'forbidden',
      `This key does not cover ${req.orgNoun}: ${outside.slice(0, 5).join(', ')}.`,
    );
  return store.events.ingest(checked.events);
}
