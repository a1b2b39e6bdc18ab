/**
 * Who is in the demo: five customers, each shaped for one compatibility API,
 * with sub-orgs, timezones and domains, plus the name lists people are drawn from.
 */
import type { Rng } from './random.js';

/** An org of the demo, as PUT /v1/orgs/{id} takes it. */
export interface DemoOrg {
  id: string;
  name: string;
  parent: string | null;
  domain: string;
  timezone: string;
}

/**
 * The demo's orgs, parents before children. The first root is the TR50 org, so that a
 * TR50 session opened with the demo read key (its first org) sees API usage at once.
 */
export const DEMO_ORGS: readonly DemoOrg[] = [
  // deviceWISE TR50: machines calling an IoT API, two plants on two continents.
  {
    id: 'umbrella',
    name: 'Umbrella Industrial',
    parent: null,
    domain: 'umbrella.example',
    timezone: 'America/Denver',
  },
  {
    id: 'umbrella-plant-1',
    name: 'Umbrella Plant 1 (Denver)',
    parent: 'umbrella',
    domain: 'plant1.umbrella.example',
    timezone: 'America/Denver',
  },
  {
    id: 'umbrella-plant-2',
    name: 'Umbrella Plant 2 (Leipzig)',
    parent: 'umbrella',
    domain: 'plant2.umbrella.example',
    timezone: 'Europe/Berlin',
  },
  // VIKTOR: engineers and developers in workspaces.
  {
    id: 'northwind',
    name: 'Northwind Engineering',
    parent: null,
    domain: 'northwind.example',
    timezone: 'Europe/Amsterdam',
  },
  {
    id: 'northwind-structures',
    name: 'Northwind Structures',
    parent: 'northwind',
    domain: 'structures.northwind.example',
    timezone: 'Europe/Amsterdam',
  },
  {
    id: 'northwind-us',
    name: 'Northwind US',
    parent: 'northwind',
    domain: 'us.northwind.example',
    timezone: 'America/Chicago',
  },
  // FileSpin: a media library (usergroups are numeric).
  { id: '4021', name: 'Globex Media', parent: null, domain: 'globex.example', timezone: 'America/New_York' },
  {
    id: '4022',
    name: 'Globex Media Europe',
    parent: '4021',
    domain: 'eu.globex.example',
    timezone: 'Europe/London',
  },
  // SaferMe: safety reports in channels (numeric).
  {
    id: '7001',
    name: 'Riverside Council Safety',
    parent: null,
    domain: 'riverside.example',
    timezone: 'Australia/Sydney',
  },
  {
    id: '7002',
    name: 'Riverside Depot North',
    parent: '7001',
    domain: 'depot.riverside.example',
    timezone: 'Australia/Sydney',
  },
  // Capgo: mobile apps with live-update bundles.
  { id: 'initech', name: 'Initech Mobile', parent: null, domain: 'initech.example', timezone: 'Asia/Tokyo' },
  {
    id: 'initech-labs',
    name: 'Initech Labs',
    parent: 'initech',
    domain: 'labs.initech.example',
    timezone: 'Asia/Kolkata',
  },
];

/** The root orgs: what the demo read key covers (sub-orgs come with them). */
export const DEMO_ROOTS: readonly string[] = DEMO_ORGS.filter((o) => o.parent === null).map((o) => o.id);

/** Every demo org id. */
export const DEMO_ORG_IDS: readonly string[] = DEMO_ORGS.map((o) => o.id);

/** The org with this id (it must be a demo org). */
export function demoOrg(id: string): DemoOrg {
  const org = DEMO_ORGS.find((o) => o.id === id);
  if (!org) throw new Error(`not a demo org: ${id}`);
  return org;
}

const FIRST = [
  'Ava',
  'Liam',
  'Noah',
  'Emma',
  'Mia',
  'Lucas',
  'Sofia',
  'Mateo',
  'Yuki',
  'Aarav',
  'Chloe',
  'Finn',
  'Isla',
  'Omar',
  'Priya',
  'Jonas',
  'Lea',
  'Hugo',
  'Zara',
  'Kai',
  'Nora',
  'Elias',
  'Maya',
  'Theo',
  'Ines',
  'Ravi',
  'Hana',
  'Leo',
  'Amara',
  'Sven',
  'Lina',
  'Diego',
  'Freya',
  'Tariq',
  'Mei',
  'Oscar',
];
const LAST = [
  'Jansen',
  'de Vries',
  'Bakker',
  'Smith',
  'Garcia',
  'Müller',
  'Tanaka',
  'Patel',
  'Nguyen',
  'Kowalski',
  'Rossi',
  'Dubois',
  'Andersen',
  'Okafor',
  'Silva',
  'Kim',
  'Novak',
  'Schmidt',
  'Brown',
  'Singh',
  'Visser',
  'Hughes',
  'Ito',
  'Fischer',
  'Moreau',
  'Lindqvist',
  'Costa',
  'Walsh',
  'Haddad',
  'Sato',
];

/** A person's name, drawn from the lists above. */
export function personName(rng: Rng): { first_name: string; last_name: string } {
  return { first_name: rng.pick(FIRST), last_name: rng.pick(LAST) };
}
