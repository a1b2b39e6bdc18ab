/**
 * API key secrets: generation, hashing at rest, constant-time comparison.
 * A generated key reads `tly_<id>_<secret>`: the id finds the record, and the
 * SHA-256 of the whole key is compared in constant time with the stored hash.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newKeyId(): string {
  return randomBytes(9).toString('base64url');
}

export function newSecret(id: string): string {
  return `tly_${id}_${randomBytes(24).toString('base64url')}`;
}

/** The key id inside a generated secret, or null for any other string. */
export function keyIdOf(secret: string): string | null {
  const m = /^tly_([A-Za-z0-9_-]{12})_[A-Za-z0-9_-]{32}$/.exec(secret);
  return m ? m[1]! : null;
}

/** Constant-time check of a presented secret against a stored hex hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
