/**
 * TR50 error codes and the failure answer. deviceWISE reports a failed command as
 * `{"success": false, "errorCodes": [n], "errorMessages": ["..."]}` with negative
 * five-digit codes (e.g. -90041 for a second MFA step); Tally's codes live in the
 * same -900xx range, are stable, and are listed in docs/compat/tr50.md. Every
 * AppError (and anything else) maps to one of them here, in one place.
 */
import { toAppError } from '../../http/errors.js';

/** The stable TR50 error codes Tally answers with. */
export const TR50_CODES = {
  /** The store could not serve the command (or an unexpected failure); retry later. */
  unavailable: -90001,
  /** The body is not a TR50 envelope, or a command entry is not `{command, params}`. */
  invalidRequest: -90002,
  /** The command name is not one Tally serves. */
  unknownCommand: -90003,
  /** A parameter has a bad type or value, or is not known for the command. */
  invalidParam: -90004,
  /** A required parameter is missing. */
  missingParam: -90005,
  /** Parameters that exclude each other were given together. */
  conflictingParams: -90006,
  /** The range would have more than 5000 buckets. */
  tooManyBuckets: -90007,
  /** No credential at all, or an unknown, revoked or expired API key. */
  notAuthenticated: -90008,
  /** The session id is unknown, has expired (30 minutes idle), or its key was revoked. */
  invalidSession: -90009,
  /** api.authenticate got credentials that match no live key. */
  authFailed: -90010,
  /** The key's role, orgs or event types do not allow what was asked (e.g. showAll). */
  permissionDenied: -90011,
  /** The key has used up its request rate (TALLY_RATE_LIMIT); the answer is HTTP 429 with Retry-After. */
  rateLimited: -90012,
  /** The answer would hold more than 200,000 points (counters x buckets); narrow the range or use series=day. */
  tooManyPoints: -90013,
  /** The command ran past the server's query time limit (TALLY_QUERY_TIMEOUT_MS) and was stopped; retry later. */
  queryTimeout: -90014,
} as const;

export type Tr50Code = (typeof TR50_CODES)[keyof typeof TR50_CODES];

/** A failure with its TR50 code; thrown inside command handlers, answered per command. */
export class Tr50Error extends Error {
  constructor(
    readonly code: Tr50Code,
    message: string,
  ) {
    super(message);
    this.name = 'Tr50Error';
  }
}

/** The answer of one failed command (or of a body that is not an envelope at all). */
export interface Tr50Failure {
  success: false;
  errorCodes: number[];
  errorMessages: string[];
}

/** `{"success": false, ...}` for a code and message. */
export function failure(code: Tr50Code, message: string): Tr50Failure {
  return { success: false, errorCodes: [code], errorMessages: [message] };
}

/**
 * Map anything thrown while serving a command to its TR50 code and a message safe to
 * show: Tr50Errors as they are; core ValidationErrors (bad instant, bad range, too many
 * buckets), AuthErrors and StoreErrors by their AppError code; anything else becomes
 * -90001 with a generic message (the original is logged by the caller).
 */
export function toTr50Failure(err: unknown): { failure: Tr50Failure; internal: boolean } {
  if (err instanceof Tr50Error) return { failure: failure(err.code, err.message), internal: false };
  const e = toAppError(err);
  switch (e.code) {
    case 'too_many_buckets':
      return { failure: failure(TR50_CODES.tooManyBuckets, e.message), internal: false };
    case 'too_many_points':
      return { failure: failure(TR50_CODES.tooManyPoints, e.message), internal: false };
    case 'query_timeout':
      return { failure: failure(TR50_CODES.queryTimeout, e.message), internal: false };
    case 'invalid_request':
    case 'invalid_event':
    case 'not_found':
    case 'conflict':
      return { failure: failure(TR50_CODES.invalidParam, e.message), internal: false };
    case 'payload_too_large':
      // The surface's own body limit (routes.ts ENVELOPE_LIMITS), not the native 10 MiB.
      return {
        failure: failure(TR50_CODES.invalidRequest, 'The body is larger than 1 MiB.'),
        internal: false,
      };
    case 'unauthenticated':
      return { failure: failure(TR50_CODES.notAuthenticated, e.message), internal: false };
    case 'forbidden':
      return { failure: failure(TR50_CODES.permissionDenied, e.message), internal: false };
    case 'rate_limited':
      return { failure: failure(TR50_CODES.rateLimited, e.message), internal: false };
    case 'store_unavailable':
      return {
        failure: failure(
          TR50_CODES.unavailable,
          'The store cannot serve the request right now; retry later.',
        ),
        internal: true,
      };
    case 'internal':
      return { failure: failure(TR50_CODES.unavailable, 'Internal error; retry later.'), internal: true };
  }
}
