/**
 * Test fixture shared by the compat presenter tests: a neutral query result around hand-built
 * series, so each test states only the series and the bucketing its presenter reads.
 * Not part of the build (*.fixtures.ts).
 */
import type { Bucketing } from './plan.js';
import type { QueryResult, Series } from './result.js';

/** A UTC result holding `series`, with no `other` series and empty ISO bounds. */
export function resultOf(
  series: Series[],
  shape: { bucket: Bucketing; to: number; buckets: number },
): QueryResult {
  return {
    range: { from: 0, to: shape.to, from_iso: '', to_iso: '' },
    timezone: 'UTC',
    bucket: shape.bucket,
    week_start: 1,
    series,
    other: null,
    total_groups: series.length,
    meta: { read_at: 0, last_bucket_open: false, buckets: shape.buckets },
  };
}
