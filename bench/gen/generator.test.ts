/**
 * The benchmark generator: deterministic per seed, time-ordered, within range, ids
 * unique and disjoint between the dataset and the ingest slice, the org and type mix
 * as specified (shares worked out here from the definitions), and every event valid
 * for Tally's own ingest validator.
 */
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../src/core/events.js';
import type { EventRecord } from '../../src/core/model.js';
import { EventGenerator, datasetStream, sliceStream, wireEvent } from './events.js';
import { DAY_MS, DEFAULT_PARAMS, buildOrgs, uniform, versionAt } from './model.js';

const P = { ...DEFAULT_PARAMS, events: 40_000 };

function take(gen: EventGenerator, n: number): EventRecord[] {
  const out: EventRecord[] = [];
  for (let e = gen.next(); e && out.length < n; e = gen.next()) out.push(e);
  return out;
}

describe('the dataset model', () => {
  it('has 1,000 orgs with Zipf(1) weights, ids 1..1000, and 90 sub-orgs under the ten largest', () => {
    const orgs = buildOrgs(DEFAULT_PARAMS);
    expect(orgs.map((o) => o.id).slice(0, 3)).toEqual(['1', '2', '3']);
    expect(orgs).toHaveLength(1000);
    const subs = orgs.filter((o) => o.parent !== null);
    expect(subs).toHaveLength(90);
    expect(orgs[100]!.parent).toBe('1');
    expect(orgs[110]!.parent).toBe('2');
    expect(orgs[499]!.parent).toBeNull();
    expect(new Set(subs.map((o) => o.parent))).toEqual(
      new Set(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']),
    );
  });

  it('splits about 200k actors over the orgs, each org at least one of each kind', () => {
    const orgs = buildOrgs(DEFAULT_PARAMS);
    const devices = orgs.reduce((a, o) => a + o.devices, 0);
    const users = orgs.reduce((a, o) => a + o.users, 0);
    expect(Math.abs(devices - 180_000)).toBeLessThan(1500);
    expect(Math.abs(users - 20_000)).toBeLessThan(1000);
    expect(orgs.every((o) => o.devices >= 1 && o.users >= 1)).toBe(true);
    // Ranges are contiguous: org k starts where org k-1 ends.
    expect(orgs[1]!.deviceBase).toBe(orgs[0]!.devices);
  });

  it('draws uniforms in [0, 1) with mean 1/2', () => {
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = uniform(i, 3);
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
    }
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });

  it('moves an actor to newer versions only, from 1.0 to 1.5 over the year', () => {
    const order = ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'];
    for (const who of [0, 17, 123_456]) {
      let last = -1;
      for (let day = 0; day < 365; day++) {
        const k = order.indexOf(versionAt(who, day));
        expect(k).toBeGreaterThanOrEqual(last);
        last = k;
      }
    }
    expect(versionAt(5, 0)).toBe('1.0');
    expect(versionAt(5, 364)).not.toBe('1.0');
  });
});

describe('the event stream', () => {
  const events = take(new EventGenerator(P, datasetStream(P)), P.events);

  it('is the same for the same seed and differs for another', () => {
    const again = take(new EventGenerator(P, datasetStream(P)), 500);
    expect(JSON.stringify(again)).toBe(JSON.stringify(events.slice(0, 500)));
    const other = take(new EventGenerator({ ...P, seed: 2 }, datasetStream({ ...P, seed: 2 })), 500);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(events.slice(0, 500)));
  });

  it('is in time order, inside the 365 days before END, with unique 16-hex ids', () => {
    const start = P.end - 365 * DAY_MS;
    expect(events).toHaveLength(P.events);
    for (let k = 1; k < events.length; k++) expect(events[k]!.ts).toBeGreaterThanOrEqual(events[k - 1]!.ts);
    expect(events[0]!.ts).toBeGreaterThanOrEqual(start);
    expect(events.at(-1)!.ts).toBeLessThan(P.end);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.every((e) => /^[0-9a-f]{16}$/.test(e.id))).toBe(true);
  });

  it('gives the largest org its Zipf share 1/H(1000) and the configured type mix', () => {
    let h = 0;
    for (let k = 1; k <= 1000; k++) h += 1 / k;
    const share = (pred: (e: EventRecord) => boolean): number => events.filter(pred).length / events.length;
    expect(Math.abs(share((e) => e.org === '1') - 1 / h)).toBeLessThan(0.006);
    expect(Math.abs(share((e) => e.type === 'activity') - 0.42)).toBeLessThan(0.01);
    expect(Math.abs(share((e) => e.type === 'api.request') - 0.38)).toBeLessThan(0.01);
    expect(Math.abs(share((e) => e.type === 'bandwidth') - 0.13)).toBeLessThan(0.01);
    expect(Math.abs(share((e) => e.type.startsWith('report.')) - 0.06)).toBeLessThan(0.005);
  });

  it('refers only to reports its org created earlier', () => {
    const created = new Map<string, string>();
    for (const e of events) {
      if (e.type === 'report.created') created.set(e.dims['report']!, e.org);
      else if (e.type.startsWith('report.')) expect(created.get(e.dims['report']!)).toBe(e.org);
    }
  });

  it('passes Tally ingest validation, in the wire form the HTTP clients send', () => {
    const checked = validateBatch(events.slice(0, 5000).map(wireEvent), P.end);
    expect('faults' in checked ? checked.faults.slice(0, 3) : []).toEqual([]);
    if (!('faults' in checked)) expect(checked.events).toEqual(events.slice(0, 5000));
  });

  it('has an ingest slice with ids disjoint from the dataset, on its last day', () => {
    const slice = take(new EventGenerator(P, sliceStream(P, 10_000)), 10_000);
    const ids = new Set(events.map((e) => e.id));
    expect(slice.filter((e) => ids.has(e.id))).toEqual([]);
    expect(slice.every((e) => e.ts >= P.end - DAY_MS && e.ts < P.end)).toBe(true);
  });
});
