/**
 * The engine-independent half of describeEvents: both dialects answer two row
 * sets (per type; per type and dims key), each already capped at one more than
 * asked, and this turns them into a SchemaSummary with its `more` flags.
 */
import type { SchemaCaps, SchemaCount, SchemaSummary } from '../port.js';
import { num, str, type Row } from './rows.js';

const counted = (r: Row): SchemaCount => ({
  count: num(r, 'n'),
  first: num(r, 'first'),
  last: num(r, 'last'),
});

/** Most frequent first, ties by name, so both engines list in the same order. */
const byCount = (a: SchemaCount & { name: string }, b: SchemaCount & { name: string }): number =>
  b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Assemble the summary. `typeRows` has columns type, n, first, last (at most caps.types + 1 rows);
 * `keyRows` has type, key, n, first, last (at most caps.keysPerType + 1 per type).
 */
export function summarise(
  typeRows: readonly Row[],
  keyRows: readonly Row[],
  caps: SchemaCaps,
): SchemaSummary {
  const types = typeRows
    .map((r) => ({ name: str(r, 'type'), ...counted(r) }))
    .sort(byCount)
    .slice(0, caps.types);
  const keysOf = new Map<string, (SchemaCount & { name: string })[]>();
  for (const r of keyRows) {
    const t = str(r, 'type');
    keysOf.set(t, [...(keysOf.get(t) ?? []), { name: str(r, 'key'), ...counted(r) }]);
  }
  return {
    moreTypes: typeRows.length > caps.types,
    types: types.map(({ name, ...c }) => {
      const keys = (keysOf.get(name) ?? []).sort(byCount);
      return {
        type: name,
        ...c,
        keys: keys.slice(0, caps.keysPerType).map(({ name: key, ...k }) => ({ key, ...k })),
        moreKeys: keys.length > caps.keysPerType,
      };
    }),
  };
}
