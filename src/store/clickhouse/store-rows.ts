/**
 * Row helpers of the ClickHouse store (store.ts): folding actor patches, and
 * keys to and from their rows.
 */
import type { ActorPatch, KeyRecord } from '../../core/model.js';

/** Fold patches for the same (org, id) into one, later fields winning. */
export function mergePatches(patches: ActorPatch[]): ActorPatch[] {
  const byKey = new Map<string, ActorPatch>();
  for (const p of patches) {
    const k = JSON.stringify([p.org, p.id]);
    const defined = Object.fromEntries(
      Object.entries(p).filter(([, v]) => v !== undefined),
    ) as unknown as ActorPatch;
    byKey.set(k, { ...byKey.get(k), ...defined });
  }
  return [...byKey.values()];
}

/** A key as its row: ClickHouse has no Nullable(Array), so "every type" is stored as []. */
export function keyRow(key: KeyRecord): Record<string, unknown> {
  return { ...key, types: key.types ?? [] };
}
