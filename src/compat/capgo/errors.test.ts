/**
 * Capgo's error mapping: every failure to `{status, error}` with 400, 401 or 500, per route family.
 */
import { describe, expect, it } from 'vitest';
import { AppError, AuthError, NotFoundError, StoreError, ValidationError } from '../../core/errors.js';
import { capgoError, scopeOf } from './errors.js';

describe('capgoError', () => {
  it('400 Invalid body with the validation message', () => {
    expect(capgoError(new ValidationError('from must not be after to'), 'org')).toEqual({
      code: 400,
      body: { status: 'Invalid body', error: 'from must not be after to' },
    });
    // Fastify's own client errors (a bad query string, say) are 400 too.
    const framework = Object.assign(new Error('bad querystring'), { statusCode: 400 });
    expect(capgoError(framework, 'app')).toEqual({
      code: 400,
      body: { status: 'Invalid body', error: 'bad querystring' },
    });
    const tooLong = Object.assign(new Error('too long'), { statusCode: 413 });
    expect(capgoError(tooLong, 'app').code).toBe(400);
  });

  it('401 with the route family’s text for every access failure', () => {
    for (const err of [
      new AuthError('unauthenticated', 'x'),
      new AuthError('forbidden', 'x'),
      new NotFoundError('x'),
    ]) {
      expect(capgoError(err, 'app')).toEqual({
        code: 401,
        body: { status: "You can't access this app", error: 'Insufficient permissions to access statistics' },
      });
      expect(capgoError(err, 'org').body.status).toBe("You can't access this organization");
      expect(capgoError(err, 'user').body).toEqual({
        status: 'No organizations found',
        error: 'No organizations found',
      });
    }
  });

  it('500 Cannot get ... statistics for a store failure or a bug, never leaking the cause', () => {
    expect(capgoError(new StoreError('disk on fire'), 'app')).toEqual({
      code: 500,
      body: { status: 'Cannot get app statistics', error: 'Internal server error' },
    });
    expect(capgoError(new Error('oops'), 'org').body.status).toBe('Cannot get organization statistics');
    expect(capgoError(new AppError('internal', 500, 'x'), 'user').body.status).toBe(
      'Cannot get user statistics',
    );
  });
});

describe('scopeOf', () => {
  it('names the route family from the path', () => {
    expect(scopeOf('/statistics/org/acme/?from=x')).toBe('org');
    expect(scopeOf('/statistics/user?from=x')).toBe('user');
    expect(scopeOf('/statistics/user/')).toBe('user');
    expect(scopeOf('/statistics/app/com.org.app/')).toBe('app');
    expect(scopeOf('/statistics/app/x/bundle_usage')).toBe('app');
  });
});
