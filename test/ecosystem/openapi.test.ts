/**
 * GET /openapi.json: an OpenAPI 3.1 document that a JSON-schema check of the
 * spec's structure accepts, whose every schema compiles as JSON Schema 2020-12,
 * which lists every route Fastify registered (collected with onRoute), and
 * whose response schemas match what the routes really answer. GET /docs serves
 * the UI from the npm package, with no CDN.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecoApp, type EcoApp } from './app.js';

/** The parts of the OpenAPI 3.1 structure the document must respect, as JSON Schema. */
const OAS_31 = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 } },
    },
    paths: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^/' },
      additionalProperties: { $ref: '#/$defs/pathItem' },
    },
    components: {
      type: 'object',
      properties: {
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'oauth2', 'openIdConnect', 'mutualTLS'] } },
            if: { properties: { type: { const: 'apiKey' } } },
            then: { required: ['name', 'in'] },
          },
        },
      },
    },
    tags: { type: 'array', items: { type: 'object', required: ['name'] } },
  },
  $defs: {
    pathItem: {
      type: 'object',
      propertyNames: {
        enum: [
          'get',
          'put',
          'post',
          'delete',
          'options',
          'head',
          'patch',
          'trace',
          'parameters',
          'summary',
          'description',
        ],
      },
      patternProperties: {
        '^(get|put|post|delete|options|head|patch|trace)$': { $ref: '#/$defs/operation' },
      },
    },
    operation: {
      type: 'object',
      required: ['responses'],
      properties: {
        tags: { type: 'array', items: { type: 'string' } },
        parameters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'in', 'schema'],
            properties: { in: { enum: ['query', 'header', 'path', 'cookie'] }, schema: { type: 'object' } },
            if: { properties: { in: { const: 'path' } } },
            then: { required: ['required'], properties: { required: { const: true } } },
          },
        },
        requestBody: {
          type: 'object',
          required: ['content'],
          properties: { content: { type: 'object', minProperties: 1 } },
        },
        responses: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^([1-5](\\d\\d|XX)|default)$' },
          additionalProperties: {
            type: 'object',
            required: ['description'],
            properties: {
              description: { type: 'string' },
              content: { type: 'object', additionalProperties: { type: 'object', required: ['schema'] } },
            },
          },
        },
        security: { type: 'array', items: { type: 'object' } },
      },
    },
  },
};

interface Op {
  tags?: string[];
  description?: string;
  parameters?: { name: string; in: string; schema: object; description?: string }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
  security?: Record<string, string[]>[];
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Op>>;
  components: { securitySchemes: Record<string, unknown> };
  tags: { name: string }[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
let t: EcoApp;
let doc: Doc;

beforeAll(async () => {
  t = await ecoApp();
  const res = await t.call('GET', '/openapi.json', { key: null });
  expect(res.statusCode).toBe(200);
  doc = res.json<Doc>();
});
afterAll(async () => {
  await t?.close();
});

function operations(): [string, string, Op][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]): [string, string, Op] => [path, m, op]),
  );
}

function schemaAt(path: string, method: string, status: number): object {
  const s = doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!s) throw new Error(`no documented ${status} JSON for ${method} ${path}`);
  return s;
}

describe('the OpenAPI document', () => {
  it('has the OpenAPI 3.1 structure, and every operation has responses', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const valid = ajv.validate(OAS_31, doc);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(operations().length).toBeGreaterThan(25);
  });

  it('every schema in it is valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    let compiled = 0;
    for (const [path, method, op] of operations()) {
      const schemas = [
        ...(op.parameters ?? []).map((p) => p.schema),
        ...Object.values(op.requestBody?.content ?? {}).map((c) => c.schema),
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {}).map((c) => c.schema)),
      ];
      for (const s of schemas) {
        expect(() => ajv.compile(s), `${method} ${path}`).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(100);
  });

  it('path parameters match the templates; security schemes and tags are declared', () => {
    const tags = new Set(doc.tags.map((x) => x.name));
    for (const [path, method, op] of operations()) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      expect(declared, `${method} ${path}`).toEqual(templated);
      for (const req of op.security ?? [])
        for (const name of Object.keys(req)) expect(doc.components.securitySchemes).toHaveProperty(name);
      for (const tag of op.tags ?? []) expect(tags.has(tag), `tag ${tag}`).toBe(true);
    }
  });

  it('lists every registered route, and nothing else', () => {
    // HEAD routes are Fastify's automatic twins of GET routes; hidden routes are the UI's own assets.
    const registered = t.routes
      .filter((r) => !r.schema?.hide)
      .flatMap((r) =>
        (Array.isArray(r.method) ? r.method : [r.method]).map((m) => [m.toLowerCase(), r.url] as const),
      )
      .filter(([m]) => m !== 'head')
      .map(([m, url]) => `${m} ${url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = operations()
      .map(([p, m]) => `${m} ${p}`)
      .sort();
    expect(documented).toEqual(registered);
    // Spot checks that the list is the whole product, not an empty match.
    for (const op of [
      'post /v1/events',
      'get /v1/query',
      'post /api/v1/events',
      'get /api/statistics/',
      'get /api/v1/stats/timeseries/{stat_type}',
      'get /api/v4/analytics/{report}',
      'get /statistics/app/{app_id}/bundle_usage',
      'post /api',
      'get /metrics',
      'get /healthz',
      'get /openapi.json',
    ])
      expect(documented).toContain(op);
  });

  it('describes every operation, every parameter and every body field', () => {
    const missing: string[] = [];
    let params = 0;
    for (const [path, method, op] of operations()) {
      const at = `${method.toUpperCase()} ${path}`;
      if (!op.description) missing.push(at);
      for (const p of op.parameters ?? []) {
        params++;
        const schema = p.schema as { description?: string };
        if (!p.description && !schema.description) missing.push(`${at} ${p.in} ${p.name}`);
      }
      const body = op.requestBody?.content['application/json']?.schema as
        { properties?: Record<string, { description?: string }> } | undefined;
      for (const [name, field] of Object.entries(body?.properties ?? {})) {
        params++;
        if (!field.description) missing.push(`${at} body ${name}`);
      }
    }
    // The count guards the check itself: an empty document would pass the list below.
    expect(operations().length).toBeGreaterThanOrEqual(49);
    expect(params).toBeGreaterThanOrEqual(140);
    expect(missing).toEqual([]);
  });

  it('documents the native query parameters from the schema that validates them', () => {
    const names = (doc.paths['/v1/query']!['get']!.parameters ?? []).map((p) => p.name);
    for (const n of ['org', 'from', 'to', 'last', 'bucket', 'agg', 'group_by', 'window', 'format'])
      expect(names).toContain(n);
    const bucket = doc.paths['/v1/query']!['get']!.parameters!.find((p) => p.name === 'bucket')!.schema;
    expect(JSON.stringify(bucket)).toContain('day_of_week');
  });
});

describe('documented responses match real answers', () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const check = (schema: object, body: unknown): void => {
    const ok = ajv.validate(schema, body);
    expect(ajv.errors ?? [], JSON.stringify(body).slice(0, 300)).toEqual([]);
    expect(ok).toBe(true);
  };

  it('native: events, keys, orgs, query, and the error body', async () => {
    const ev = { id: 'o1', type: 'api.request', time: '2026-11-19T10:00:00Z', org: 'acme', actor: 'u' };
    const posted = await t.call('POST', '/v1/events', { body: [ev] });
    check(schemaAt('/v1/events', 'post', 200), posted.json());
    const key = await t.call('POST', '/v1/keys', { body: { name: 'k', role: 'read', orgs: ['acme'] } });
    expect(key.statusCode).toBe(201);
    check(schemaAt('/v1/keys', 'post', 201), key.json());
    check(schemaAt('/v1/keys', 'get', 200), (await t.call('GET', '/v1/keys')).json());
    check(schemaAt('/v1/orgs/{id}', 'put', 200), (await t.call('PUT', '/v1/orgs/acme', { body: {} })).json());
    check(schemaAt('/v1/orgs', 'get', 200), (await t.call('GET', '/v1/orgs')).json());
    const q = await t.call('GET', '/v1/query?org=acme&last=7d&group_by=actor&share=1&top=1');
    check(schemaAt('/v1/query', 'get', 200), q.json());
    const denied = await t.call('GET', '/v1/orgs', { key: 'nope' });
    expect(denied.statusCode).toBe(401);
    check(schemaAt('/v1/orgs', 'get', 401), denied.json());
    check(schemaAt('/healthz', 'get', 200), (await t.call('GET', '/healthz')).json());
  });

  it('vendor error shapes, as each vendor writes them', async () => {
    const fs = await t.call('GET', '/api/v1/stats/timeseries/api?start_time=x');
    expect(fs.statusCode).toBe(400);
    check(schemaAt('/api/v1/stats/timeseries/{stat_type}', 'get', 400), fs.json());
    const sm = await t.call('GET', '/api/v4/analytics/reports_per_user?channel_id=x');
    expect(sm.statusCode).toBe(422);
    check(schemaAt('/api/v4/analytics/{report}', 'get', 422), sm.json());
    const cg = await t.call('GET', '/statistics/user/');
    expect(cg.statusCode).toBe(400);
    check(schemaAt('/statistics/user/', 'get', 400), cg.json());
    const vk = await t.call('GET', '/api/statistics/?stats_type=nope');
    expect(vk.statusCode).toBe(400);
    check(schemaAt('/api/statistics/', 'get', 400), vk.json());
    const tr = await t.call('POST', '/api', { key: null, body: { x: { command: 'nope' } } });
    expect(tr.statusCode).toBe(200);
    check(schemaAt('/api', 'post', 200), tr.json());
  });
});

describe('/docs', () => {
  it('serves the interactive docs from the package, pointing at this document, with no CDN', async () => {
    const page = await t.call('GET', '/docs', { key: null });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/src=["']https?:|href=["']https?:/);
    const init = await t.call('GET', '/docs/static/swagger-initializer.js', { key: null });
    expect(init.statusCode).toBe(200);
    const bundle = await t.call('GET', '/docs/static/swagger-ui-bundle.js', { key: null });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(500_000);
    const json = await t.call('GET', '/docs/json', { key: null });
    expect(json.json<Doc>().paths).toEqual(doc.paths);
  });
});
