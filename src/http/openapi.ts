/**
 * The OpenAPI 3.1 document (GET /openapi.json) and interactive docs (GET /docs),
 * built by @fastify/swagger from the route schemas themselves: the native
 * routes' TypeBox schemas validate requests and describe them. Compatibility
 * routes parse their own input (their errors must keep the vendor's shape), so
 * their schemas are documentation only (`documentedOnly` in doc-schemas.ts).
 * See docs/openapi.md.
 */
import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { surfaceFor, type Surface } from './surface.js';
import { describeSchema } from './openapi-descriptions.js';
import { jsonResponse } from './doc-schemas.js';

/** Each tag (a surface name, `native` or `service`): what it is, and the keys it accepts. */
const TAGS: Record<string, { description: string; security: Record<string, string[]>[] }> = {
  native: {
    description: 'Tally native API (/v1). docs/query.md, docs/errors.md.',
    security: [{ bearer: [] }, { apiKey: [] }],
  },
  cloudevents: {
    description: 'OpenMeter-compatible CloudEvents ingestion. docs/cloudevents.md.',
    security: [{ bearer: [] }],
  },
  viktor: {
    description: 'VIKTOR environment activity. docs/compat/viktor.md.',
    security: [{ bearer: [] }, { apiKey: [] }],
  },
  filespin: {
    description: 'FileSpin time-series stats. docs/compat/filespin.md.',
    security: [{ filespinKey: [] }, { bearer: [] }, { apiKey: [] }],
  },
  saferme: {
    description: 'SaferMe reports analytics v4. docs/compat/saferme.md.',
    security: [{ safermeToken: [] }, { bearer: [] }, { apiKey: [] }],
  },
  capgo: {
    description: 'Capgo app statistics. docs/compat/capgo.md.',
    security: [{ capgkey: [] }, { bearer: [] }, { apiKey: [] }],
  },
  tr50: {
    description:
      'deviceWISE TR50 envelope: api.authenticate and usage.api.history. The key may also travel in the body (api.authenticate). docs/compat/tr50.md.',
    security: [{ tr50Session: [] }, { bearer: [] }, {}],
  },
  service: { description: 'Health, metrics and this document.', security: [] },
};

const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'A Tally key: `Authorization: Bearer <key>`.' },
  apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A Tally key.' },
  filespinKey: { type: 'apiKey', in: 'header', name: 'X-FileSpin-Api-Key', description: 'A Tally key.' },
  safermeToken: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'A Tally key as `Authorization: Token token=<key>`.',
  },
  capgkey: { type: 'apiKey', in: 'header', name: 'capgkey', description: 'A Tally key.' },
  tr50Session: {
    type: 'apiKey',
    in: 'header',
    name: 'sessionId',
    description: 'A session id from api.authenticate.',
  },
} as const;

/**
 * The document in JSON Schema 2020-12 terms, as OpenAPI 3.1 requires: TypeBox
 * writes tuples the draft-07 way (`items: [...]`, `additionalItems`), which
 * becomes `prefixItems` and `items`. Returns a rewritten copy.
 */
export function toJsonSchema2020(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema2020);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  const src = node as Record<string, unknown>;
  const tuple = Array.isArray(src['items']);
  for (const [k, v] of Object.entries(src)) {
    if (tuple && k === 'items') out['prefixItems'] = toJsonSchema2020(v);
    else if (tuple && k === 'additionalItems') out['items'] = toJsonSchema2020(v);
    else out[k] = toJsonSchema2020(v);
  }
  return out;
}

/** The tag of a route: the surface owning its URL, `native` for /v1, else `service`. */
export function tagOf(surfaces: readonly Surface[], url: string): string {
  const s = surfaceFor(surfaces, url);
  if (s) return s.name;
  return url === '/v1' || url.startsWith('/v1/') ? 'native' : 'service';
}

/**
 * Register the document generator and the UI; call before any route so that
 * every route is seen. Serving /docs needs no network: the UI's assets come
 * from the @fastify/swagger-ui package.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  surfaces: readonly Surface[],
  version: string,
): Promise<void> {
  // Response schemas are documentation: answers are serialised exactly as without them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const present = new Set(['native', 'service', ...surfaces.map((s) => s.name)]);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tally',
        version,
        description:
          'Self-hosted usage statistics: events in, statistics out. The native API is under /v1; five vendor statistics APIs and an OpenMeter-compatible CloudEvents endpoint are served as their vendors document them.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      tags: Object.entries(TAGS)
        .filter(([name]) => present.has(name))
        .map(([name, t]) => ({ name, description: t.description })),
    },
    transformObject: (doc) =>
      toJsonSchema2020('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject) as ReturnType<
        NonNullable<FastifyDynamicSwaggerOptions['transformObject']>
      >,
    transform: ({ schema, url, route }) => {
      const tag = tagOf(surfaces, url);
      const method = Array.isArray(route.method) ? String(route.method[0]) : route.method;
      const s = describeSchema((schema ?? {}) as Record<string, unknown>, method, url);
      return {
        schema: {
          ...s,
          tags: (s['tags'] as string[] | undefined) ?? [tag],
          security: (s['security'] as object[] | undefined) ?? TAGS[tag]?.security ?? [],
        } as FastifySchema,
        url,
      };
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    staticCSP: true,
    // Tally is often served over plain HTTP on a private network: the UI must not ask for https.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This OpenAPI 3.1 document',
        response: { 200: jsonResponse('The OpenAPI document.', { type: 'object' }) },
      },
    },
    () => app.swagger(),
  );
}
