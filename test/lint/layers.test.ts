/**
 * The layer rules (eslint.layers.js) fail on a wrong-way import and on an import cycle, and pass
 * a right-way import: ESLint's API runs them alone on source text placed at a path in src.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { layers } from '../../eslint.layers.js';

const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: layers });

/** The rule ids of the errors on `code`, linted as if it were the file at `path`. */
async function ruleErrors(path: string, code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(code, { filePath: path });
  return (result?.messages ?? []).map((m) => m.ruleId);
}

describe('layer rules', () => {
  it('refuse core importing the store, and a store importing a surface', async () => {
    expect(
      await ruleErrors(
        'src/core/wrong-way.ts',
        "import type { Store } from '../store/port.js';\nexport type S = Store;\n",
      ),
    ).toEqual(['import-x/no-restricted-paths']);
    expect(
      await ruleErrors(
        'src/store/wrong-way.ts',
        "import { surfaceFor } from '../http/surface.js';\nexport const f = surfaceFor;\n",
      ),
    ).toEqual(['import-x/no-restricted-paths']);
  });

  it('refuse an engine importing the core query runner (the core drives engines, not the reverse)', async () => {
    expect(
      await ruleErrors(
        'src/store/duckdb/wrong-way.ts',
        "import { runQuery } from '../../core/query/run.js';\nexport const f = runQuery;\n",
      ),
    ).toEqual(['import-x/no-restricted-paths']);
    // The engine may still name the core's request types.
    expect(
      await ruleErrors(
        'src/store/duckdb/right-way.ts',
        "import type { RowRequest } from '../../core/query/requests.js';\nexport type R = RowRequest;\n",
      ),
    ).toEqual([]);
  });

  it('refuse a vendor API importing an engine, or a value from the ports', async () => {
    expect(
      await ruleErrors(
        'src/compat/viktor/wrong-way.ts',
        "import { createStore } from '../../store/index.js';\nexport const f = createStore;\n",
      ),
    ).toEqual(['import-x/no-restricted-paths']);
    expect(
      await ruleErrors(
        'src/compat/viktor/wrong-way.ts',
        "import * as port from '../../store/port.js';\nexport const p = port;\n",
      ),
    ).toEqual(['@typescript-eslint/no-restricted-imports']);
  });

  it('refuse an import cycle: surface.ts importing the app, which imports surface.ts', async () => {
    expect(
      await ruleErrors(
        'src/http/surface.ts',
        "import { createApp } from './app.js';\nexport const f = createApp;\n",
      ),
    ).toEqual(['import-x/no-cycle']);
  });

  it('accept the right way: a vendor API naming the port types and the use cases', async () => {
    const code = [
      "import type { EventStore } from '../../store/port.js';",
      "import { openReader, type ReadStore } from '../../use-cases/read-within-reach.js';",
      'export const f = (s: ReadStore, e: EventStore) => [openReader(s, []), e];',
      '',
    ].join('\n');
    expect(await ruleErrors('src/compat/viktor/right-way.ts', code)).toEqual([]);
  });
});
