/**
 * Every benchmarked query, and the two orgs they run for: the largest (rank 1,
 * with its sub-orgs for VIKTOR's domain) and a median one (rank 500 of 1000).
 */
import { buildOrgs, type DatasetParams } from '../gen/model.js';
import { capgoBundle } from './capgo-bundle.js';
import { capgo, capgoYear, viktor } from './compat-rich.js';
import { filespin, saferme, tr50, tr50Year } from './compat-simple.js';
import { f0, f1 } from './features.js';
import { NATIVE_QUERIES } from './native.js';
import type { BenchQuery, OrgTarget } from './types.js';

export const ALL_QUERIES: BenchQuery[] = [
  ...NATIVE_QUERIES,
  viktor,
  filespin,
  saferme,
  capgo,
  tr50,
  f0,
  f1,
  capgoYear,
  tr50Year,
  capgoBundle,
];

/** The largest org and the median-ranked one, with their subtrees. */
export function targets(p: DatasetParams): OrgTarget[] {
  const orgs = buildOrgs(p);
  const pick = (label: OrgTarget['label'], rank: number): OrgTarget => {
    const o = orgs[rank]!;
    const subtree = [o.id, ...orgs.filter((x) => x.parent === o.id).map((x) => x.id)];
    return { label, id: o.id, domain: o.domain, subtree };
  };
  return [pick('largest', 0), pick('median', Math.floor(p.orgs / 2) - 1)];
}
