/**
 * `tally keys create|list|revoke` and `tally orgs list|get|put`: the admin
 * endpoints of the native API, printed as tables (or JSON with --json).
 */
import { CliError, requestJson, type Connection } from './client.js';
import { renderTable } from './table.js';
import type { Role } from '../core/model.js';

interface KeyView {
  id: string;
  key?: string;
  name: string;
  role: string;
  orgs: string[];
  created_at: string;
  revoked_at?: string | null;
  expires_at?: string | null;
  types?: string[] | null;
}

interface OrgView {
  id: string;
  name: string | null;
  parent: string | null;
  domain: string | null;
  timezone: string;
  created_at: string;
}

const ROLES: Role[] = ['admin', 'ingest', 'read'];
const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Org lists from repeated or comma-separated flags. */
export function splitList(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** What `keys create` asks for, checked before anything is sent or opened. */
export interface KeyFlags {
  role: Role;
  orgs: string[];
  /** --expires-at as given (RFC 3339); the server, or keys-local.ts, reads it. */
  expiresAt?: string;
  /** --types: the only event types the key reads (docs/keys.md). */
  types?: string[];
}

/** The role, orgs and limits of `keys create`, checked before anything is sent or opened. */
export function keyFlags(o: {
  role: string;
  orgs?: string[];
  expiresAt?: string;
  types?: string[];
}): KeyFlags {
  if (!ROLES.includes(o.role as Role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
  const orgs = splitList(o.orgs);
  if (orgs.length === 0) throw new CliError('--orgs is required: one or more org ids, or * for all');
  const flags: KeyFlags = { role: o.role as Role, orgs };
  if (o.expiresAt !== undefined) flags.expiresAt = o.expiresAt;
  if (o.types !== undefined) {
    flags.types = splitList(o.types);
    if (flags.types.length === 0) throw new CliError('--types needs one or more event types');
  }
  return flags;
}

/** The limits of a created key, for the summary line (empty when it has none). */
export function limitsNote(k: { expires_at?: string | null; types?: string[] | null }): string {
  const parts = [
    ...(k.expires_at ? [`expires ${k.expires_at}`] : []),
    ...(k.types ? [`types ${k.types.join(', ')}`] : []),
  ];
  return parts.length > 0 ? `; ${parts.join('; ')}` : '';
}

export async function createKey(
  conn: Connection,
  o: { name: string; role: string; orgs?: string[]; expiresAt?: string; types?: string[]; json?: boolean },
): Promise<string> {
  const { role, orgs, expiresAt, types } = keyFlags(o);
  const k = await requestJson<KeyView>(conn, 'POST', '/v1/keys', {
    name: o.name,
    role,
    orgs,
    ...(expiresAt === undefined ? {} : { expires_at: expiresAt }),
    ...(types === undefined ? {} : { types }),
  });
  if (o.json) return json(k);
  return [
    `Created key ${k.id} (${k.role} over ${k.orgs.join(', ')}${limitsNote(k)}). Its secret is shown only now:`,
    `  ${k.key ?? ''}`,
    '',
  ].join('\n');
}

export async function listKeys(conn: Connection, o: { json?: boolean; all?: boolean }): Promise<string> {
  const { keys } = await requestJson<{ keys: KeyView[] }>(conn, 'GET', '/v1/keys');
  const shown = o.all ? keys : keys.filter((k) => k.revoked_at === null || k.revoked_at === undefined);
  if (o.json) return json(shown);
  return renderTable(
    ['id', 'name', 'role', 'orgs', 'created_at', ...(o.all ? ['revoked_at'] : [])],
    shown.map((k) => [
      k.id,
      k.name,
      k.role,
      k.orgs.join(','),
      k.created_at,
      ...(o.all ? [k.revoked_at] : []),
    ]),
  );
}

export async function revokeKey(conn: Connection, id: string): Promise<string> {
  await requestJson(conn, 'DELETE', `/v1/keys/${encodeURIComponent(id)}`);
  return `Revoked key ${id}.\n`;
}

function orgTable(orgs: OrgView[]): string {
  return renderTable(
    ['id', 'name', 'parent', 'domain', 'timezone'],
    orgs.map((o) => [o.id, o.name, o.parent, o.domain, o.timezone]),
  );
}

export async function listOrgs(conn: Connection, o: { json?: boolean }): Promise<string> {
  const { orgs } = await requestJson<{ orgs: OrgView[] }>(conn, 'GET', '/v1/orgs');
  return o.json ? json(orgs) : orgTable(orgs);
}

export async function getOrg(conn: Connection, id: string, o: { json?: boolean }): Promise<string> {
  const org = await requestJson<OrgView>(conn, 'GET', `/v1/orgs/${encodeURIComponent(id)}`);
  return o.json ? json(org) : orgTable([org]);
}

/** PUT an org: only the fields given change; `--root` makes it a root org (parent null). */
export async function putOrg(
  conn: Connection,
  id: string,
  o: { name?: string; parent?: string; root?: boolean; domain?: string; timezone?: string; json?: boolean },
): Promise<string> {
  if (o.root && o.parent !== undefined) throw new CliError('Give --parent or --root, not both.');
  const body: Record<string, unknown> = {};
  if (o.name !== undefined) body['name'] = o.name;
  if (o.parent !== undefined) body['parent'] = o.parent;
  if (o.root) body['parent'] = null;
  if (o.domain !== undefined) body['domain'] = o.domain;
  if (o.timezone !== undefined) body['timezone'] = o.timezone;
  const org = await requestJson<OrgView>(conn, 'PUT', `/v1/orgs/${encodeURIComponent(id)}`, body);
  return o.json ? json(org) : orgTable([org]);
}
