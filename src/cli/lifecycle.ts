/**
 * The data-lifecycle commands that are plain API calls (docs/lifecycle.md):
 * `tally retention get|set|run`, `tally erase actor|org`, `tally delete-events`
 * and `tally audit`. Each returns the text to print: a short summary or a
 * table, or JSON with --json. Files (export, import, backup, restore) are in
 * lifecycle-files.ts; the commander wiring in lifecycle-commands.ts.
 */
import { CliError, requestJson, type Connection } from './client.js';
import { renderTable } from './table.js';

interface AuditView {
  id: string;
  at: string;
  key_id: string | null;
  op: string;
  params: Record<string, unknown>;
  orgs: string[];
  deleted: { events: number; actors: number; orgs: number; keys: number };
}
interface RetentionView {
  org: string;
  days: number | 'forever' | null;
  effective: { days: number | null; source: string; from: string | null };
}

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;
const path = (...parts: string[]): string => parts.map(encodeURIComponent).join('/');

function retentionText(v: RetentionView): string {
  const own = v.days === null ? 'inherits' : v.days === 'forever' ? 'forever' : `${v.days} days`;
  const eff = v.effective.days === null ? 'kept forever' : `kept ${v.effective.days} days`;
  const why =
    v.effective.source === 'org'
      ? 'its own setting'
      : v.effective.source === 'ancestor'
        ? `set on ${v.effective.from ?? '?'}`
        : v.effective.source === 'server'
          ? 'the server default (TALLY_RETENTION_DAYS)'
          : 'no setting anywhere';
  return `${v.org}: ${own}; raw events are ${eff} (${why})\n`;
}

export async function getRetention(conn: Connection, org: string, o: { json?: boolean }): Promise<string> {
  const v = await requestJson<RetentionView>(conn, 'GET', `/v1/orgs/${path(org)}/retention`);
  return o.json ? json(v) : retentionText(v);
}

/** `days` is a whole number, `forever`, or `inherit`. */
export async function setRetention(
  conn: Connection,
  org: string,
  days: string,
  o: { json?: boolean },
): Promise<string> {
  let value: number | 'forever' | null;
  if (days === 'forever') value = 'forever';
  else if (days === 'inherit') value = null;
  else if (/^\d+$/.test(days)) value = Number(days);
  else throw new CliError('days must be a whole number, forever or inherit');
  const v = await requestJson<RetentionView>(conn, 'PUT', `/v1/orgs/${path(org)}/retention`, { days: value });
  return o.json ? json(v) : retentionText(v);
}

export async function runRetention(conn: Connection, o: { json?: boolean }): Promise<string> {
  const r = await requestJson<{ due: { org: string; days: number; before: string }[]; audit: AuditView[] }>(
    conn,
    'POST',
    '/v1/retention/run',
  );
  if (o.json) return json(r);
  const deleted = new Map(r.audit.map((a) => [a.orgs[0], a.deleted.events]));
  if (r.due.length === 0) return 'No org within reach has a retention period.\n';
  return renderTable(
    ['org', 'days', 'deletes before', 'events deleted'],
    r.due.map((d) => [d.org, d.days, d.before, deleted.get(d.org) ?? 0]),
  );
}

function deletedText(a: AuditView): string {
  const d = a.deleted;
  const parts = [`${d.events} events`, `${d.actors} actors`];
  if (a.op === 'erase_orgs') parts.push(`${d.orgs} orgs`, `${d.keys} keys changed`);
  return `Deleted ${parts.join(', ')} (audit entry ${a.id}).\n`;
}

function confirmed(yes: boolean | undefined, what: string): void {
  if (yes !== true) throw new CliError(`This erases ${what} for good; add --yes to go ahead.`);
}

export async function eraseActor(
  conn: Connection,
  actor: string,
  o: { org?: string; yes?: boolean; json?: boolean },
): Promise<string> {
  confirmed(
    o.yes,
    o.org === undefined ? `actor ${actor} in every org the key reaches` : `actor ${actor} in ${o.org}`,
  );
  const url = o.org === undefined ? `/v1/actors/${path(actor)}` : `/v1/orgs/${path(o.org, 'actors', actor)}`;
  const { audit } = await requestJson<{ audit: AuditView }>(conn, 'DELETE', url);
  return o.json ? json(audit) : deletedText(audit);
}

export async function eraseOrg(
  conn: Connection,
  org: string,
  o: { yes?: boolean; json?: boolean },
): Promise<string> {
  confirmed(o.yes, `org ${org}, its sub-orgs and all their data`);
  const { audit } = await requestJson<{ audit: AuditView }>(conn, 'DELETE', `/v1/orgs/${path(org)}`);
  return o.json ? json(audit) : deletedText(audit);
}

export async function deleteEvents(
  conn: Connection,
  org: string,
  ids: string[],
  o: { json?: boolean },
): Promise<string> {
  if (ids.length === 0) throw new CliError('Name at least one event id.');
  if (ids.length > 10_000) throw new CliError('At most 10000 ids at once.');
  const r = await requestJson<{ audit: AuditView; missing: { org: string; id: string }[] }>(
    conn,
    'POST',
    '/v1/events/delete',
    { events: ids.map((id) => ({ org, id })) },
  );
  if (o.json) return json(r);
  const missing = r.missing.length === 0 ? '' : `Not found: ${r.missing.map((m) => m.id).join(', ')}\n`;
  return `${deletedText(r.audit)}${missing}`;
}

export async function listAudit(
  conn: Connection,
  o: { limit?: string; org?: string; before?: string; json?: boolean },
): Promise<string> {
  const q = new URLSearchParams();
  if (o.limit !== undefined) q.set('limit', o.limit);
  if (o.org !== undefined) q.set('org', o.org);
  if (o.before !== undefined) q.set('before', o.before);
  const query = q.toString();
  const r = await requestJson<{ entries: AuditView[]; next: string | null }>(
    conn,
    'GET',
    `/v1/audit${query === '' ? '' : `?${query}`}`,
  );
  if (o.json) return json(r);
  const table = renderTable(
    ['id', 'at', 'key', 'op', 'orgs', 'events', 'actors', 'orgs deleted', 'keys'],
    r.entries.map((e) => [
      e.id,
      e.at,
      e.key_id ?? '(retention job)',
      e.op,
      e.orgs.join(','),
      e.deleted.events,
      e.deleted.actors,
      e.deleted.orgs,
      e.deleted.keys,
    ]),
  );
  return r.next === null ? table : `${table}More: --before ${r.next}\n`;
}
