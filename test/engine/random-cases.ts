/**
 * Engine vs. naive on seeded random fixtures, in every test zone. Exported as a
 * runner so that each engine's test file is one line.
 */
import { expect, test } from 'vitest';
import type { MakeEngine } from './fixture.js';
import { naiveWithCompare } from './naive-compare.js';
import { comparable, comparableNaive, randomFixture, randomQuery, rng, SCENES } from './random.js';

/** Queries per scene; raise locally with TALLY_RANDOM_QUERIES for a deeper soak. */
const PER_SCENE = Number(process.env['TALLY_RANDOM_QUERIES'] ?? 60);

export function runRandomCases(make: MakeEngine): void {
  SCENES.forEach(([tz, at], k) => {
    test(`agrees with the naive engine: ${tz} around ${at}`, async () => {
      const r = rng(1000 + k);
      const center = Date.parse(at);
      const fx = randomFixture(r, center, 40 * 86_400_000, 400);
      const dense = randomFixture(r, center, 2 * 86_400_000, 150);
      // A year earlier, some of the same events again, so that previous_year compares with data.
      const yearAgo = fx.events
        .filter((_, i) => i % 3 === 0)
        .map((e) => ({ ...e, id: `y${e.id}`, ts: e.ts - 365 * 86_400_000 }));
      const events = [...fx.events, ...dense.events.map((e) => ({ ...e, id: `d${e.id}` })), ...yearAgo];
      const db = await make();
      try {
        await db.ingest(events);
        await db.upsertActors(fx.actors.map(({ org, id, kind }) => ({ org, id, kind })));
        for (let n = 0; n < PER_SCENE; n++) {
          const q = randomQuery(r, tz, center);
          const got = comparable(q, await db.query(q, center));
          const want = comparableNaive(naiveWithCompare(q, events, fx.actors, center));
          expect(got, JSON.stringify(q)).toEqual(want);
        }
      } finally {
        await db.close();
      }
    });
  });
}
