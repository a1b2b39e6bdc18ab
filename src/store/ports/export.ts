/** The export role: raw events out (pages of JSON, or one Parquet file), and a backup of the whole store. */
import type { EventRecord } from '../../core/model.js';

/** Which raw events an export reads: orgs (already expanded), optional types, half-open time range. */
export interface ExportFilter {
  orgs: string[];
  types: string[];
  from: number | null;
  to: number | null;
}

export interface ExportStore {
  /**
   * The filter's raw events in (ts, org, id) order, in pages of about
   * `pageSize`. Events stored or deleted while it runs may or may not appear;
   * none appears twice.
   */
  exportEvents(filter: ExportFilter, pageSize?: number): AsyncIterable<EventRecord[]>;
  /** Write the filter's events to a Parquet file at `path`; resolves with the row count. */
  exportParquet(filter: ExportFilter, path: string): Promise<number>;
  /**
   * Write a complete, consistent copy of the store to a new file at `path`
   * while it keeps serving. Only the embedded engine has it.
   */
  backup?(path: string): Promise<void>;
}
