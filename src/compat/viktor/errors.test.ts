/** drfError: every AppError status mapped to VIKTOR's DRF body. */
import { describe, expect, it } from 'vitest';
import { AppError, AuthError, StoreError, ValidationError } from '../../core/errors.js';
import { drfError } from './errors.js';

describe('drfError', () => {
  it('400: messages grouped by parameter; engine paths and bare messages under non_field_errors', () => {
    const e = new ValidationError('x', [
      { path: 'start', message: 'a' },
      { path: 'start', message: 'b' },
      { path: 'range', message: 'c' },
    ]);
    expect(drfError(e)).toEqual({ status: 400, body: { start: ['a', 'b'], non_field_errors: ['range: c'] } });
    expect(drfError(new ValidationError('The body is not valid JSON.'))).toEqual({
      status: 400,
      body: { non_field_errors: ['The body is not valid JSON.'] },
    });
  });

  it('401 keeps its message; 403, 404 and 5xx use fixed DRF details', () => {
    expect(drfError(new AuthError('unauthenticated', 'Invalid token.'))).toEqual({
      status: 401,
      body: { detail: 'Invalid token.' },
    });
    expect(drfError(new AuthError('forbidden', 'This key does not cover org acme.'))).toEqual({
      status: 403,
      body: { detail: 'You do not have permission to perform this action.' },
    });
    expect(drfError(new StoreError('duckdb said SELECT ...'))).toEqual({
      status: 503,
      body: { detail: 'Service temporarily unavailable, try again later.' },
    });
    expect(drfError(new AppError('internal', 500, 'stack trace here'))).toEqual({
      status: 500,
      body: { detail: 'A server error occurred.' },
    });
    expect(drfError(new AppError('payload_too_large', 413, 'The body is too large.')).status).toBe(413);
  });
});
