/**
 * VIKTOR's error shapes, after Django REST framework: 400 `{"<param>": ["message", ...]}`,
 * every other status `{"detail": "..."}`. Pure: maps any AppError (core, engine, or a
 * framework error already passed through toAppError) to a status and a body.
 */
import type { AppError } from '../../core/errors.js';

/** The parameters a 400 may name; anything else the engine names goes under `non_field_errors`. */
const PARAMS = new Set(['stats_type', 'start', 'end', 'org_domain']);

export const DETAIL = {
  noCredentials: 'Authentication credentials were not provided.',
  invalidToken: 'Invalid token.',
  forbidden: 'You do not have permission to perform this action.',
  notFound: 'Not found.',
  unavailable: 'Service temporarily unavailable, try again later.',
  server: 'A server error occurred.',
} as const;

/** A DRF error answer. */
export interface DrfError {
  status: number;
  body: Record<string, string[]> | { detail: string };
}

/**
 * Map an AppError to VIKTOR's shape. 401 and 403 keep the message the route chose
 * (DRF's own wording); 5xx never carries an internal message.
 *
 * @example drfError(ValidationError.param('start', 'This field is required.'))
 * // { status: 400, body: { start: ['This field is required.'] } }
 */
export function drfError(e: AppError): DrfError {
  if (e.status === 400) {
    const body: Record<string, string[]> = {};
    if (e.details.length === 0) return { status: 400, body: { non_field_errors: [e.message] } };
    for (const d of e.details) {
      if (PARAMS.has(d.path)) (body[d.path] ??= []).push(d.message);
      else (body['non_field_errors'] ??= []).push(d.path ? `${d.path}: ${d.message}` : d.message);
    }
    return { status: 400, body };
  }
  if (e.status === 401) return { status: 401, body: { detail: e.message } };
  if (e.status === 403) return { status: 403, body: { detail: DETAIL.forbidden } };
  if (e.status === 404) return { status: 404, body: { detail: DETAIL.notFound } };
  if (e.status === 503) return { status: 503, body: { detail: DETAIL.unavailable } };
  if (e.status >= 500) return { status: e.status, body: { detail: DETAIL.server } };
  return { status: e.status, body: { detail: e.message } };
}
