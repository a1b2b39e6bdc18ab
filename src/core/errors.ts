/**
 * One error base with a stable code, as every surface maps errors from here.
 * Subclasses mark the kind of failure; the code names the case. Every code
 * used anywhere must be listed in ERROR_CODES (a test checks docs/errors.md too).
 */

export const ERROR_CODES = {
  invalid_request: 'The request is malformed or a parameter is out of bounds.',
  invalid_event: 'One or more events in a batch are invalid; nothing was stored.',
  payload_too_large: 'The body has more than 10,000 events or 10 MiB.',
  unauthenticated: 'No key, an unknown key, or a revoked or expired key.',
  forbidden: "The key's role, orgs or event types do not cover this request.",
  not_found: "The resource does not exist or is outside the key's reach.",
  conflict: 'The change would break an invariant (e.g. a cycle in the org tree).',
  too_many_buckets: 'The query would produce more than 5000 buckets.',
  too_many_points:
    'The answer would hold more than 200,000 points (series x buckets), or its computation more than 1,000,000.',
  rate_limited: 'The key has used up its request rate; retry after Retry-After seconds.',
  store_unavailable: 'The store cannot serve the request right now; retry later.',
  query_timeout: 'The query ran past the server-wide time limit (TALLY_QUERY_TIMEOUT_MS) and was stopped.',
  internal: 'An unexpected failure inside Tally.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  index?: number;
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[];

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    details: ErrorDetail[] = [],
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** Bad input: a client can fix it. `path` names the parameter or field at fault. */
export class ValidationError extends AppError {
  constructor(
    message: string,
    details: ErrorDetail[] = [],
    code: ErrorCode = 'invalid_request',
    status = 400,
  ) {
    super(code, status, message, details);
  }
  /** A single-parameter error, the most common case. */
  static param(path: string, message: string): ValidationError {
    return new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
}

export class AuthError extends AppError {
  constructor(code: 'unauthenticated' | 'forbidden', message: string) {
    super(code, code === 'unauthenticated' ? 401 : 403, message);
  }
}

/**
 * A read or write of an event type outside the key's `types` (docs/keys.md): 403 `forbidden`
 * like any refusal, a subclass only because Capgo answers its other refusals with 401 (so
 * that an app's existence is not revealed) and this one, about the key itself, with 403.
 */
export class TypeScopeError extends AuthError {
  constructor(
    readonly type: string,
    verb: 'read' | 'write' = 'read',
  ) {
    super('forbidden', `This key may not ${verb} events of type ${type}; its types do not include it.`);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', 404, message);
  }
}

/** A key over its rate limit (TALLY_RATE_LIMIT): 429, with Retry-After in whole seconds. */
export class RateLimitError extends AppError {
  constructor(readonly retryAfterSec: number) {
    super('rate_limited', 429, `Too many requests for this key; retry in ${retryAfterSec} s.`);
  }
}

/** The store failed; `cause` keeps the driver error, which never reaches a client. */
export class StoreError extends AppError {
  constructor(
    message: string,
    cause?: unknown,
    /** For the operator only (start-up output, logs), never a client: e.g. the file's path and the engine's reason. */
    readonly detail?: string,
  ) {
    super('store_unavailable', 503, message, [], cause);
  }
}

/**
 * What an operator is told about a failure: a StoreError's detail when it has one, else its
 * message followed by its causes' (DuckDB's reason, say, behind "could not load ...").
 */
export function operatorMessage(err: unknown): string {
  if (err instanceof StoreError && err.detail !== undefined) return err.detail;
  if (!(err instanceof Error)) return String(err);
  const parts = [err.message];
  for (let e = err.cause, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++)
    parts.push(e.message);
  return parts.join(' Cause: ');
}

/** A query ran past its deadline (TALLY_QUERY_TIMEOUT_MS) and was stopped: 503 in every surface's shape. */
export class QueryTimeoutError extends AppError {
  constructor(
    readonly timeoutMs: number | null,
    cause?: unknown,
  ) {
    super(
      'query_timeout',
      503,
      timeoutMs === null
        ? 'The query ran past its time limit and was stopped; narrow it or retry later.'
        : `The query ran past its time limit of ${timeoutMs} ms and was stopped; narrow it or retry later.`,
      [],
      cause,
    );
  }
}
