/**
 * What an API surface is (its routes, the URLs it owns and its one error
 * handler) and which surface owns a URL. A leaf module: the composition root
 * (app.ts), the OpenAPI document and every surface import it, and it imports
 * none of them, so none of them has to import the composition root.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Adds routes to a Fastify scope. */
export type Routes = (app: FastifyInstance) => Promise<void> | void;

/**
 * An API surface: its routes, registered in their own encapsulated scope, and
 * the one error handler that answers every failure in its shape. The URLs it
 * owns (`prefixes`, matched at a path-segment boundary, and `paths`, matched
 * exactly) also get that shape for unknown routes and for errors the framework
 * raises before routing (a malformed URL, an over-long path segment).
 */
export interface Surface {
  name: string;
  prefixes: string[];
  paths?: string[];
  /** The methods it serves on its URLs (default: all); other methods get the native shape, e.g. TR50's GET /api. */
  methods?: string[];
  routes: Routes;
  errorHandler: (err: unknown, req: FastifyRequest, reply: FastifyReply) => void;
}

/** The surface owning a URL: the longest matching prefix or exact path; null for the native shape. */
export function surfaceFor(surfaces: readonly Surface[], url: string, method?: string): Surface | null {
  const path = url.split('?')[0] ?? '';
  let best: Surface | null = null;
  let bestLength = -1;
  for (const s of surfaces) {
    if (method !== undefined && s.methods !== undefined && !s.methods.includes(method)) continue;
    for (const p of s.paths ?? []) {
      if (path === p && p.length > bestLength) [best, bestLength] = [s, p.length];
    }
    for (const p of s.prefixes) {
      if ((path === p || path.startsWith(`${p}/`)) && p.length > bestLength)
        [best, bestLength] = [s, p.length];
    }
  }
  return best;
}
