#!/usr/bin/env node
// `npx tally ...`: run the TypeScript CLI through tsx (a dependency); a copy
// without the sources runs the build in dist/ (`npm run build`) instead.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/src/cli/main.js', import.meta.url).href);
}
