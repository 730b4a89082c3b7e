import type { Generated } from 'kysely';

/** Kysely's view of the SQLite schema (see migrations.ts). Timestamps are ISO 8601 UTC text. */
export interface Database {
  indicators: IndicatorTable;
  sightings: SightingTable;
  sighting_records: SightingRecordTable;
  feed_runs: FeedRunTable;
}

export interface IndicatorTable {
  id: Generated<number>;
  uuid: string;
  type: string;
  value: string;
  first_seen: string;
  last_seen: string;
  active: number;
  first_feed: string;
  /** For CIDRs only: 4 or 6, and the first/last address as fixed-width hex, so containment is a range scan. */
  ip_version: number | null;
  range_start: string | null;
  range_end: string | null;
}

export interface SightingTable {
  feed: string;
  indicator_id: number;
  first_seen: string;
  last_seen: string;
  removed_at: string | null;
  created_run: number;
  changed_run: number;
  seen_run: number;
  hits: Generated<number>;
  data_hash: number;
}

export interface SightingRecordTable {
  feed: string;
  indicator_id: number;
  attributes: string;
  data: string;
}

export interface FeedRunTable {
  id: Generated<number>;
  feed: string;
  trigger: string;
  source: string;
  started_at: string;
  finished_at: Generated<string | null>;
  outcome: string;
  http_status: Generated<number | null>;
  bytes: Generated<number>;
  format: Generated<string | null>;
  parsed: Generated<number>;
  new: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  removed: Generated<number>;
  rejected: Generated<number>;
  duplicates: Generated<number>;
  rejects: Generated<string>;
  error_code: Generated<string | null>;
  error: Generated<string | null>;
  etag: Generated<string | null>;
  last_modified: Generated<string | null>;
}
