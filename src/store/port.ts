/**
 * The storage ports. Each role is its own small interface in ./ports; a surface
 * is handed only the roles it uses (http/app.ts builds them). `Store` is every
 * role at once: what an engine class implements, and what `createStore` in
 * ./index.ts (the only place that picks an engine) returns. Engines: ./duckdb, ./clickhouse.
 * docs/architecture.md has the table of roles and methods.
 */
import type { ActorStore } from './ports/actors.js';
import type { AlertStore } from './ports/alerts.js';
import type { AuditLog } from './ports/audit.js';
import type { StoreEngine } from './ports/engine.js';
import type { EraseStore } from './ports/erase.js';
import type { EventStore } from './ports/events.js';
import type { ExportStore } from './ports/export.js';
import type { Registry } from './ports/registry.js';
import type { RetentionStore } from './ports/retention.js';
import type { SessionStore } from './ports/sessions.js';

export type { ActorStore, HeadcountQuery } from './ports/actors.js';
export type { AlertStore } from './ports/alerts.js';
export type { AuditEntry, AuditInput, AuditLog, AuditOp, DeletionCounts } from './ports/audit.js';
export type { StoreEngine, UpkeepStats } from './ports/engine.js';
export type { DeleteEventsResult, EraseStore, EventRef } from './ports/erase.js';
export type { EventStore, SchemaCaps, SchemaCount, SchemaSummary } from './ports/events.js';
export type { ExportFilter, ExportStore } from './ports/export.js';
export type { Registry } from './ports/registry.js';
export type { ExpiryTarget, RetentionStore } from './ports/retention.js';
export type { SessionStore } from './ports/sessions.js';

/** Every role of one engine. */
export interface Store
  extends
    StoreEngine,
    EventStore,
    Registry,
    ActorStore,
    SessionStore,
    RetentionStore,
    EraseStore,
    AuditLog,
    ExportStore,
    AlertStore {}
