/**
 * Export and backup (docs/lifecycle.md).
 *   GET  /v1/orgs/{id}/export?format=ndjson|parquet&from&to&type&subtree
 *        an org's raw events, streamed: NDJSON lines in the shape POST /v1/events
 *        takes (so the file loads back as it is), or one Parquet file.
 *   POST /v1/backup   (an admin key over '*')
 *        a consistent copy of the embedded store as a DuckDB file, taken while
 *        the server runs; restore by starting a server on it (`tally restore`).
 * Files are built in the temp directory (TMPDIR) and removed once sent.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuthError, ValidationError } from '../../core/errors.js';
import { eventLine } from '../../core/event-line.js';
import { requireEveryType, typesWithin } from '../../core/key-scope.js';
import { parseInstant } from '../../core/time/range.js';
import type { ExportFilter } from '../../store/port.js';
import { loadOrgTree, requireRole } from '../auth.js';
import { nativeErrors } from '../doc-schemas.js';
import { OrgId } from '../schemas.js';
import { listOf } from './query-params.js';
import { reachableOrg } from './audit-view.js';

const TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

const ExportQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('ndjson'), Type.Literal('parquet')], { default: 'ndjson' }),
    ),
    from: Type.Optional(
      Type.String({ maxLength: 40, description: 'Inclusive: RFC 3339, a UTC date, or Unix seconds.' }),
    ),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'Exclusive; same forms.' })),
    type: Type.Optional(
      Type.Union(
        [Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })],
        {
          description: 'Event types, comma-separated or repeated; all types when absent.',
        },
      ),
    ),
    subtree: Type.Optional(Type.Boolean({ default: false, description: 'Include the sub-orgs.' })),
  },
  { additionalProperties: false },
);

/** Stream a file built in a temp directory, removing the directory once the answer is over. */
function sendFile(reply: FastifyReply, dir: string, path: string, type: string, name: string): FastifyReply {
  const stream = createReadStream(path);
  const cleanup = (): void => {
    rmSync(dir, { recursive: true, force: true });
  };
  stream.once('close', cleanup);
  stream.once('error', cleanup);
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return reply
    .header('content-type', type)
    .header('content-disposition', `attachment; filename="${safe}"`)
    .send(stream);
}

/** Build a file with `make` in a fresh temp directory; the directory goes if `make` fails. */
async function inTemp(
  name: string,
  make: (path: string) => Promise<unknown>,
): Promise<{ dir: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tally-'));
  const path = join(dir, name);
  try {
    await make(path);
    return { dir, path };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export function exportRoutes(base: FastifyInstance): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  const exportSchema = {
    summary: "Export an org's raw events",
    params: Type.Object({ id: OrgId }),
    querystring: ExportQuery,
    response: {
      200: {
        description: 'The events in (time, org, id) order.',
        content: {
          'application/x-ndjson': {
            schema: { type: 'string', description: 'One event per line, as POST /v1/events takes it.' },
          },
          'application/vnd.apache.parquet': { schema: { type: 'string', format: 'binary' } },
        },
      },
      ...nativeErrors(400, 401, 403, 404),
    },
  };
  app.get('/v1/orgs/:id/export', { schema: exportSchema }, async (req, reply) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    const tree = await loadOrgTree(app.ctx);
    const org = reachableOrg(p, tree, req.params.id);
    const q = req.query;
    const types = listOf(q.type);
    const bad = types.find((t) => !TYPE_PATTERN.test(t));
    if (bad !== undefined) throw ValidationError.param('type', `${bad.slice(0, 100)} is not an event type`);
    const filter: ExportFilter = {
      orgs: q.subtree === true ? tree.subtree(org) : [org],
      // A key limited to some types exports only those (docs/keys.md).
      types: typesWithin(p.types, [...new Set(types)]),
      from: q.from === undefined ? null : parseInstant(q.from, 'UTC', 'from'),
      to: q.to === undefined ? null : parseInstant(q.to, 'UTC', 'to'),
    };
    if (filter.from !== null && filter.to !== null && filter.from > filter.to)
      throw ValidationError.param('to', 'must not be before from');
    const stamp = new Date(app.ctx.clock()).toISOString().slice(0, 19).replace(/:/g, '');
    if (q.format === 'parquet') {
      const { dir, path } = await inTemp('export.parquet', (f) => app.ctx.exports.exportParquet(filter, f));
      return sendFile(reply, dir, path, 'application/vnd.apache.parquet', `${org}-${stamp}.parquet`);
    }
    const pages = app.ctx.exports.exportEvents(filter)[Symbol.asyncIterator]();
    // The first page is read before answering, so a store failure is still a clean 503.
    const first = await pages.next();
    async function* lines(): AsyncGenerator<string> {
      try {
        for (let r = first; r.done !== true; r = await pages.next())
          for (const e of r.value) yield eventLine(e);
      } finally {
        // A client that goes away mid-stream: let the export clean up its temporary file.
        await pages.return?.();
      }
    }
    return reply
      .header('content-type', 'application/x-ndjson')
      .header(
        'content-disposition',
        `attachment; filename="${`${org}-${stamp}`.replace(/[^A-Za-z0-9._-]/g, '_')}.ndjson"`,
      )
      .send(Readable.from(lines()));
  });

  const backupSchema = {
    summary: 'Back up the embedded store',
    description:
      'A consistent copy of the DuckDB database, taken while the server runs. Needs an admin key over *.',
    response: {
      200: {
        description: 'A DuckDB database file; start a server on it to restore.',
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      },
      ...nativeErrors(400, 401, 403),
    },
  };
  app.post('/v1/backup', { schema: backupSchema }, async (req, reply) => {
    const p = req.principal!;
    requireRole(p, 'admin');
    if (!p.orgs.includes('*'))
      throw new AuthError('forbidden', 'A backup needs an admin key over every org (*).');
    requireEveryType(p.types, 'A backup');
    const store = app.ctx.exports;
    if (store.backup === undefined)
      throw new ValidationError(
        'This server runs on ClickHouse, which is backed up with its own tools (see docs/lifecycle.md).',
      );
    const stamp = new Date(app.ctx.clock()).toISOString().slice(0, 19).replace(/:/g, '');
    const { dir, path } = await inTemp('backup.duckdb', (f) => store.backup!(f));
    return sendFile(reply, dir, path, 'application/octet-stream', `tally-backup-${stamp}.duckdb`);
  });
}
