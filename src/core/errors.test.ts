/**
 * The error catalog is the contract clients code against: every code in
 * ERROR_CODES must be documented in docs/errors.md, and nothing undocumented
 * may be thrown.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

describe('error catalog', () => {
  it('documents every code', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(doc).toContain(`\`${code}\``);
  });

  it('uses only catalogued codes in the source', () => {
    const used = new Set<string>();
    for (const file of sources(new URL('..', import.meta.url).pathname)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new AppError\('([a-z_]+)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/new AuthError\('([a-z_]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(0);
    for (const code of used) expect(Object.keys(ERROR_CODES)).toContain(code);
  });
});
