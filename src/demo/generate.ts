/**
 * The demo dataset: orgs, actors and about 150,000 events over the last 120 days,
 * a pure function of a seed and "now" (so the same call always gives the same
 * data, and the data always ends today). Every compatibility API and every
 * dashboard chart has something to show on it; see docs/dashboard.md.
 */
import type { ActorPatch } from '../core/model.js';
import { emitApiTraffic, type ServiceSpec } from './api-traffic.js';
import { emitApp, MEGABYTE } from './apps.js';
import { emitLibrary, GIGABYTE } from './media.js';
import { DEMO_ORGS, DEMO_ROOTS, demoOrg, type DemoOrg } from './orgs.js';
import { Rng } from './random.js';
import { emitChannel } from './reports.js';
import { Emitter, localDays, OFFICE, ROUND_THE_CLOCK, MOBILE, type DemoEvent } from './timeline.js';
import { emitTeam } from './workspaces.js';

/** The whole demo, ready to load. */
export interface DemoData {
  /** Parents before children. */
  orgs: DemoOrg[];
  actors: ActorPatch[];
  events: DemoEvent[];
  /** The orgs a demo read key should cover. */
  roots: string[];
}

export interface DemoOptions {
  /** The demo ends just before this instant (epoch ms). */
  nowMs: number;
  /** Default 12. */
  seed?: number;
  /** Number of local days, today included; default 120. */
  days?: number;
}

export const DEMO_DAYS = 120;

const svc = (service: string, weight: number, endpoints: [string, number][]): ServiceSpec => ({
  service,
  weight,
  endpoints,
});

const IOT: ServiceSpec[] = [
  svc('property', 10, [
    ['property.publish', 8],
    ['property.batch', 2],
    ['property.history', 1],
  ]),
  svc('location', 2.5, [
    ['location.publish', 3],
    ['location.current', 1],
  ]),
  svc('alarm', 1, [
    ['alarm.publish', 3],
    ['alarm.history', 1],
  ]),
  svc('thing', 2, [
    ['thing.find', 4],
    ['thing.list', 2],
    ['thing.update', 1],
  ]),
  svc('session', 0.6, [['session.info', 1]]),
];
const ENGINEERING: ServiceSpec[] = [
  svc('models', 5, [
    ['/api/models/{id}/analyses', 4],
    ['/api/models/{id}/results', 3],
    ['/api/models', 1],
  ]),
  svc('files', 3, [
    ['/api/files/upload', 2],
    ['/api/files/{id}', 3],
  ]),
  svc('jobs', 2.5, [
    ['/api/jobs', 2],
    ['/api/jobs/{id}/status', 4],
  ]),
  svc('auth', 1, [['/api/auth/token', 1]]),
];
const MEDIA: ServiceSpec[] = [
  svc('assets', 6, [
    ['/api/v1/assets/{ASSET_ID}/data', 5],
    ['/api/v1/assets/{ASSET_ID}', 3],
    ['/api/v1/assets/{ASSET_ID}/conversions', 2],
  ]),
  svc('search', 3, [['/api/v1/search', 1]]),
  svc('upload', 1.5, [['/api/v1/upload', 1]]),
  svc('addons', 1, [['/api/v1/assets/{ASSET_ID}/addons', 1]]),
];
const SAFETY: ServiceSpec[] = [
  svc('reports', 4, [
    ['/api/v4/reports', 2],
    ['/api/v4/reports/{id}', 3],
  ]),
  svc('sync', 3, [['/api/v4/sync', 1]]),
  svc('analytics', 1, [['/api/v4/analytics/{report}', 1]]),
];
const UPDATES: ServiceSpec[] = [
  svc('updates', 6, [['/updates', 1]]),
  svc('stats', 3, [['/stats', 1]]),
  svc('channel', 1, [['/channel_self', 1]]),
];

/**
 * Generate the demo for `nowMs`.
 *
 * @example
 * const demo = generateDemo({ nowMs: Date.now() }); // ~150k events, the last one just before now
 */
export function generateDemo(opts: DemoOptions): DemoData {
  const rng = new Rng(opts.seed ?? 12);
  const em = new Emitter(opts.nowMs);
  const n = opts.days ?? DEMO_DAYS;
  const days = (org: string) => localDays(demoOrg(org).timezone, opts.nowMs, n);
  const actors: ActorPatch[] = [];
  const ids = (org: string) => actors.filter((a) => a.org === org).map((a) => a.id);
  const traffic = (
    org: string,
    perDay: number,
    services: ServiceSpec[],
    callers: string[],
    weekend = 0.25,
  ) => {
    emitApiTraffic(rng, em, {
      org,
      days: days(org),
      perDay,
      weekend,
      profile: services === IOT ? ROUND_THE_CLOCK : services === UPDATES ? MOBILE : OFFICE,
      services,
      actors: callers,
      commands: services === IOT,
    });
  };

  // TR50: machines in two plants publish around the clock; the head office queries them.
  for (const [org, count] of [
    ['umbrella-plant-1', 24],
    ['umbrella-plant-2', 18],
  ] as const) {
    const things = Array.from(
      { length: count },
      (_, k) => `${org.slice(-7)}-thing-${String(k + 1).padStart(2, '0')}`,
    );
    actors.push(...things.map((id) => ({ org, id, kind: 'device' })));
  }
  traffic('umbrella-plant-1', 110, IOT, ids('umbrella-plant-1'), 0.9);
  traffic('umbrella-plant-2', 80, IOT, ids('umbrella-plant-2'), 0.9);
  traffic(
    'umbrella',
    20,
    IOT.filter((s) => s.service === 'thing' || s.service === 'session'),
    [],
  );

  // VIKTOR: three teams in workspaces, calling the engineering API.
  for (const [org, prefix, users, developers, firstWorkspace, workspaces] of [
    ['northwind', 'nw', 55, 10, 1001, 6],
    ['northwind-structures', 'ns', 32, 6, 2001, 4],
    ['northwind-us', 'nu', 26, 5, 3001, 4],
  ] as const) {
    actors.push(
      ...emitTeam(rng, em, { org, days: days(org), prefix, users, developers, firstWorkspace, workspaces }),
    );
    const people = ids(org);
    traffic(org, users * 1.6, ENGINEERING, people);
  }

  // FileSpin: a media library and its European arm.
  actors.push(
    ...emitLibrary(rng, em, {
      org: '4021',
      days: days('4021'),
      prefix: 'gx',
      users: 18,
      scale: 1,
      storage: {
        ASSET: { start: 180 * GIGABYTE, perDay: 0.6 * GIGABYTE },
        VIDEO: { start: 420 * GIGABYTE, perDay: 2.2 * GIGABYTE },
        THUMBNAIL: { start: 6 * GIGABYTE, perDay: 0.02 * GIGABYTE },
      },
    }),
    ...emitLibrary(rng, em, {
      org: '4022',
      days: days('4022'),
      prefix: 'ge',
      users: 7,
      scale: 0.35,
      storage: {
        ASSET: { start: 40 * GIGABYTE, perDay: 0.15 * GIGABYTE },
        VIDEO: { start: 75 * GIGABYTE, perDay: 0.5 * GIGABYTE },
      },
    }),
  );
  traffic('4021', 130, MEDIA, ids('4021'));
  traffic('4022', 40, MEDIA, ids('4022'));

  // SaferMe: two channels of safety reports.
  actors.push(
    ...emitChannel(rng, em, {
      org: '7001',
      days: days('7001'),
      firstStaff: 30101,
      staff: 38,
      perDay: 9,
      firstId: 500_001,
    }),
    ...emitChannel(rng, em, {
      org: '7002',
      days: days('7002'),
      firstStaff: 30201,
      staff: 14,
      perDay: 3,
      firstId: 700_001,
    }),
  );
  traffic('7001', 45, SAFETY, ids('7001'));
  traffic('7002', 12, SAFETY, ids('7002'));

  // Capgo: three apps with releases rolling out.
  for (const spec of [
    {
      org: 'initech',
      app: 'com.initech.field',
      devices: 380,
      bundle: 6.4 * MEGABYTE,
      prefix: 'fd',
      releases: [
        ['3.0.2', -40],
        ['3.1.0', 18],
        ['3.1.1', 27],
        ['3.2.0', 64],
        ['3.3.0', 101],
      ],
    },
    {
      org: 'initech',
      app: 'com.initech.scanner',
      devices: 140,
      bundle: 3.1 * MEGABYTE,
      prefix: 'sc',
      releases: [
        ['1.4.0', -75],
        ['1.5.0', 48],
        ['1.5.1', 93],
      ],
    },
    {
      org: 'initech-labs',
      app: 'com.initech.labs.beta',
      devices: 45,
      bundle: 9.2 * MEGABYTE,
      prefix: 'lb',
      releases: [
        ['0.9.0', -10],
        ['0.10.0', 30],
        ['0.11.0', 62],
        ['0.12.0', 96],
      ],
    },
  ] as const) {
    actors.push(...emitApp(rng, em, { ...spec, days: days(spec.org), bundle: Math.round(spec.bundle) }));
  }
  traffic('initech', 70, UPDATES, [], 0.8);
  traffic('initech-labs', 8, UPDATES, [], 0.8);

  return { orgs: [...DEMO_ORGS], actors, events: em.events, roots: [...DEMO_ROOTS] };
}
