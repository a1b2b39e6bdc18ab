/**
 * The org tree: subtree expansion, reach checks and the rules for changing it.
 * Pure: works on the list of orgs a store returns.
 */
import type { Org } from './model.js';

export class OrgTree {
  private readonly byId = new Map<string, Org>();
  private readonly children = new Map<string, string[]>();

  constructor(orgs: readonly Org[]) {
    for (const o of orgs) this.byId.set(o.id, o);
    for (const o of orgs) {
      if (o.parent !== null && this.byId.has(o.parent)) {
        const list = this.children.get(o.parent) ?? [];
        list.push(o.id);
        this.children.set(o.parent, list);
      }
    }
  }

  get(id: string): Org | undefined {
    return this.byId.get(id);
  }

  all(): Org[] {
    return [...this.byId.values()];
  }

  /** The org and all its descendants, in breadth-first order. */
  subtree(id: string): string[] {
    if (!this.byId.has(id)) return [];
    const out = [id];
    // for-of over an array sees the items pushed while it runs: a breadth-first walk.
    for (const cur of out) out.push(...(this.children.get(cur) ?? []));
    return out;
  }

  /** The ancestors of an org, nearest first. */
  ancestors(id: string): string[] {
    const out: string[] = [];
    let cur = this.byId.get(id)?.parent ?? null;
    while (cur !== null && !out.includes(cur)) {
      out.push(cur);
      cur = this.byId.get(cur)?.parent ?? null;
    }
    return out;
  }

  /** True when `id` lies within `grants` (a list of org ids, or ['*']) or below one of them. */
  reaches(grants: readonly string[], id: string): boolean {
    if (grants.includes('*')) return true;
    return grants.includes(id) || this.ancestors(id).some((a) => grants.includes(a));
  }

  /** Every org the grants cover, subtrees included. */
  reachable(grants: readonly string[]): string[] {
    if (grants.includes('*')) return [...this.byId.keys()];
    const seen = new Set<string>();
    for (const g of grants) for (const id of this.subtree(g)) seen.add(id);
    return [...seen];
  }

  /** Would setting `parent` as the parent of `id` close a cycle? */
  wouldCycle(id: string, parent: string): boolean {
    return parent === id || this.ancestors(parent).includes(id);
  }
}
