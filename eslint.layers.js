// @ts-check
/**
 * The layers of src, enforced by lint (docs/architecture.md): which folder may
 * import which, and no import cycles. Kept apart from eslint.config.js so that
 * test/lint/layers.test.ts can run these rules alone on a wrong-way import.
 *
 *   core       imports nothing of Tally's outer layers
 *   store      core only (the engines behind the ports), never the core's query runner:
 *              the core drives an engine through fetchRows, not the other way round
 *   use-cases  core and the store's ports
 *   http       core, use-cases, store ports; compat  the same, never an engine
 *   cli        the composition root: anything
 */
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import tseslint from 'typescript-eslint';

/** The store's ports: the only part of src/store that the surfaces and use cases may name. */
const PORTS = ['./port.ts', './ports'];

const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });

const ZONES = [
  ...['store', 'use-cases', 'http', 'compat', 'cli', 'demo'].map((outer) =>
    zone('./src/core', `./src/${outer}`, 'core is the pure domain: it imports no outer layer.'),
  ),
  ...['use-cases', 'http', 'compat', 'cli'].map((outer) =>
    zone('./src/store', `./src/${outer}`, 'store implements the ports for the core; it imports no surface.'),
  ),
  zone(
    './src/store',
    './src/core/query/run.ts',
    'an engine answers row requests (fetchRows); the core runs the query, callers bind it (http/app.ts).',
  ),
  ...['http', 'compat', 'cli'].map((outer) =>
    zone('./src/use-cases', `./src/${outer}`, 'use cases sit below the surfaces; pass what they need in.'),
  ),
  zone(
    './src/http',
    './src/compat',
    'http is shared by the surfaces; the composition root (cli) wires compat in.',
  ),
  zone('./src/http', './src/cli', 'only the composition root (cli) imports cli.'),
  zone('./src/compat', './src/cli', 'only the composition root (cli) imports cli.'),
  ...['use-cases', 'http', 'compat'].map((outer) =>
    zone(
      `./src/${outer}`,
      './src/store',
      'reach storage through the ports (src/store/port.ts or ports/); engines are chosen by createStore.',
      PORTS,
    ),
  ),
];

/** Flat-config blocks with the layer rules, for src. */
export const layers = [
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    languageOptions: { parser: tseslint.parser },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      // Without these, no-cycle would not read the .ts files it follows.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: ZONES }],
    },
  },
  {
    // The vendor APIs name the ports' types only; every read goes through use-cases/read-within-reach.ts.
    files: ['src/compat/**/*.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/port.js', '**/store/ports/**'],
              allowTypeImports: true,
              message: 'compat takes types from the store ports, never values.',
            },
          ],
        },
      ],
    },
  },
];
