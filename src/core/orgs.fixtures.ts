/**
 * Test fixture shared by the org-tree tests (audit scope, retention): an org row with only
 * what the tree reads, its id and parent, set. Not part of the build (*.fixtures.ts).
 */
import type { Org } from './model.js';

/** A UTC org with no name or domain, created at the epoch, under `parent` (a root when null). */
export const orgRow = (id: string, parent: string | null = null): Org => ({
  id,
  name: null,
  parent,
  domain: null,
  timezone: 'UTC',
  created_at: 0,
});
