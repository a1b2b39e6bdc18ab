/**
 * The demo generator: deterministic for a seed and "now", inside the size the
 * issue asks (50k-200k events over the last 120 days, nothing in the future),
 * valid under the same checks as POST /v1/events, and shaped for every vendor.
 */
import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../src/core/events.js';
import { generateDemo } from '../../src/demo/generate.js';
import { NOW } from '../helpers.js';

const DAY = 86_400_000;
const demo = generateDemo({ nowMs: NOW });

describe('generateDemo', () => {
  it('is a pure function of seed and now', () => {
    const again = generateDemo({ nowMs: NOW });
    // As text: a deep comparison of 140k objects is slow, and equal JSON is equal data here.
    expect(JSON.stringify(again.events) === JSON.stringify(demo.events)).toBe(true);
    expect(again.actors).toEqual(demo.actors);
    const other = generateDemo({ nowMs: NOW, seed: 7 });
    expect(other.events.length).not.toBe(demo.events.length);
  });

  it('has 50k-200k valid events in the 121 days before now, with unique ids', () => {
    expect(demo.events.length).toBeGreaterThan(50_000);
    expect(demo.events.length).toBeLessThan(200_000);
    const times = demo.events.map((e) => e.time * 1000);
    expect(times.reduce((a, b) => Math.max(a, b))).toBeLessThan(NOW);
    // 120 local days, today included; the easternmost zone's first day starts up to 14 h before UTC's.
    expect(times.reduce((a, b) => Math.min(a, b))).toBeGreaterThan(NOW - 121 * DAY);
    expect(new Set(demo.events.map((e) => `${e.org}/${e.id}`)).size).toBe(demo.events.length);
    const checked = validateBatch(demo.events, NOW);
    expect('faults' in checked ? checked.faults.slice(0, 3) : []).toEqual([]);
  });

  it('gives every org a parent that comes before it, a domain and a timezone', () => {
    const seen = new Set<string>();
    for (const o of demo.orgs) {
      if (o.parent !== null) expect(seen.has(o.parent)).toBe(true);
      expect(o.domain).toMatch(/\.example$/);
      expect(() => new Intl.DateTimeFormat('en', { timeZone: o.timezone })).not.toThrow();
      seen.add(o.id);
    }
    expect(demo.orgs.filter((o) => o.parent !== null).length).toBeGreaterThanOrEqual(5);
    expect(demo.roots).toEqual(demo.orgs.filter((o) => o.parent === null).map((o) => o.id));
  });

  it('carries each vendor vocabulary', () => {
    const types = new Set(demo.events.map((e) => e.type));
    for (const t of [
      'activity',
      'api.request',
      'addon.run',
      'transcode',
      'storage',
      'bandwidth',
      'report.created',
      'report.state_changed',
      'report.field_selected',
      'report.image_added',
      'report.read',
      'alert.sent',
      'alert.opened',
    ])
      expect(types.has(t), t).toBe(true);
    const kinds = new Set(demo.actors.map((a) => a.kind));
    expect([...kinds].sort()).toEqual(['developer', 'device', 'user']);
    // Version rollouts: the field app runs five versions over the period.
    const versions = new Set(
      demo.events
        .filter((e) => e.type === 'activity' && e.dims?.['app'] === 'com.initech.field')
        .map((e) => e.dims?.['version']),
    );
    expect([...versions].sort()).toEqual(['3.0.2', '3.1.0', '3.1.1', '3.2.0', '3.3.0']);
  });
});
