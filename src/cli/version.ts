/**
 * Tally's version, read once from package.json (shown by `tally --version`
 * and in the OpenAPI document).
 */
import { readFileSync } from 'node:fs';

/** From src/cli/ (tsx) or dist/src/cli/ (a build), the package.json above. */
function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'tally' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

export const TALLY_VERSION = readVersion();
