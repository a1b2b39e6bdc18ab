/** What both engines' erasure code shares: how keys change when orgs are erased. */

/** Keys after erasing `orgs`: revoke those left with none, drop the erased ones from the rest. */
export function keyChanges<K extends { id: string; orgs: string[]; revoked_at: number | null }>(
  keys: K[],
  erased: ReadonlySet<string>,
): { revoke: K[]; narrow: { key: K; orgs: string[] }[] } {
  const revoke: K[] = [];
  const narrow: { key: K; orgs: string[] }[] = [];
  for (const key of keys) {
    if (key.revoked_at !== null || key.orgs.includes('*')) continue;
    const kept = key.orgs.filter((o) => !erased.has(o));
    if (kept.length === key.orgs.length) continue;
    if (kept.length === 0) revoke.push(key);
    else narrow.push({ key, orgs: kept });
  }
  return { revoke, narrow };
}
