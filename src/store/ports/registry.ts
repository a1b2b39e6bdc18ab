/** The registry role: orgs (the tree reach is computed from) and API keys. */
import type { KeyRecord, Org } from '../../core/model.js';

export interface Registry {
  listOrgs(): Promise<Org[]>;
  /** Create an org, or update every field of it but its creation time. */
  putOrg(org: Org): Promise<void>;

  createKey(key: KeyRecord): Promise<void>;
  getKey(id: string): Promise<KeyRecord | null>;
  listKeys(): Promise<KeyRecord[]>;
  /** Mark a key revoked; false when there is no such live key. */
  revokeKey(id: string, at: number): Promise<boolean>;
}
