import type { SightingAttributes } from '../feeds/types.js';
import type { IndicatorType } from '../indicators/types.js';

/**
 * The store is the only part of the project that knows about a database. Everything else talks to this
 * narrow interface, so PostgreSQL is one more adapter beside src/store/sqlite/, not a rewrite.
 */
export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending schema migrations; safe to call at every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap query proving the database answers (readiness probe). */
  ping(): Promise<void>;

  startRun(run: RunStart): Promise<number>;
  finishRun(id: number, result: RunResult): Promise<void>;
  /** The validators (ETag, Last-Modified) of the feed's last run that brought data. */
  lastValidators(feed: string): Promise<{ etag: string | null; lastModified: string | null }>;
  listRuns(feed: string, limit: number): Promise<FeedRun[]>;
  feedHealth(feeds: readonly string[]): Promise<FeedHealth[]>;

  /**
   * Opens one feed's complete snapshot. Writes are invisible to readers and to the stored data until
   * `commit`; `abort` (or a refused commit) leaves the data exactly as it was.
   */
  openSnapshot(feed: string, runId: number, observedAt: string): Promise<SnapshotWriter>;

  findIndicators(values: readonly IndicatorKey[]): Promise<IndicatorWithSightings[]>;
  /** Active CIDR indicators containing the address (canonical IPv4 or IPv6). */
  findContainingCidrs(ip: string): Promise<IndicatorWithSightings[]>;
  getIndicator(uuid: string): Promise<IndicatorWithSightings | undefined>;
  /** Keyset pages of export records, in `(first_seen, id)` order, `pageSize` rows a page. */
  exportRecords(filter: IndicatorFilter, pageSize?: number): AsyncIterable<ExportRow[]>;
  countIndicators(filter: IndicatorFilter): Promise<number>;
  /**
   * One page of records after (or, descending, before) a keyset cursor. Constant time at any depth;
   * `offset` skips rows past the cursor (the original API's page numbers land on a nearby cursor first).
   */
  listIndicators(filter: IndicatorFilter, page: ListPage): Promise<ExportRow[]>;
  stats(days: number): Promise<Stats>;
  /** An opaque token that changes whenever stored data may have changed (any commit, by any process). */
  changeToken(): Promise<string>;
}

export interface Cursor {
  firstSeen: string;
  /** The store's internal row id: opaque to clients, who see cursors encoded by the API. */
  rowId: number;
}

export interface ListPage {
  limit: number;
  order: 'asc' | 'desc';
  after?: Cursor;
  offset?: number;
}

export interface Stats {
  total: number;
  active: number;
  removed: number;
  byType: Record<string, { total: number; active: number }>;
  byFeed: Record<string, { total: number; active: number }>;
  /** New indicators per UTC day (by first_seen), oldest first, days with none included as 0. */
  newPerDay: { day: string; count: number }[];
  lastUpdated: string | null;
}

export interface IndicatorKey {
  type: IndicatorType;
  value: string;
}

/**
 * One normalised value of a snapshot, ready to write: the pipeline serialises and hashes it once (in the
 * parse worker for a large body), so the writer does only database work. Built by `normalizedEntry`.
 */
export interface NormalizedEntry extends IndicatorKey {
  /** ISO 8601 UTC; the feed's own first-seen time, or undefined to use the observation time. */
  firstSeen: string | undefined;
  /** JSON text of the sighting's attributes (SightingAttributes). */
  attributes: string;
  /** JSON text of the feed's record. */
  data: string;
  /** hashText(data): tells a changed record from an unchanged one without reading the stored copy. */
  dataHash: number;
}

export interface SnapshotWriter {
  /** Writes one batch inside the snapshot's transaction; returns nothing, counts accrue. */
  write(batch: readonly NormalizedEntry[]): Promise<void>;
  /**
   * Marks the feed's sightings absent from this snapshot as removed, then commits, unless that would remove
   * more than `maxRemovalShare` of the entries active before: then it rolls back and reports `refused`.
   */
  commit(guard: { maxRemovalShare: number }): Promise<SnapshotOutcome>;
  abort(): Promise<void>;
}

export interface SnapshotCounts {
  new: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Occurrences of a value already written earlier in the same snapshot. */
  duplicates: number;
}

export type SnapshotOutcome =
  | { committed: true; counts: SnapshotCounts; activeBefore: number }
  | { committed: false; reason: string; counts: SnapshotCounts; activeBefore: number };

export const RUN_OUTCOMES = ['running', 'ok', 'not_modified', 'failed', 'refused'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface RunStart {
  feed: string;
  trigger: 'schedule' | 'fetch' | 'import' | 'start';
  source: string;
  startedAt: string;
}

export interface RejectedLine {
  line?: number;
  raw: string;
  reason: string;
}

export interface RunResult {
  finishedAt: string;
  outcome: Exclude<RunOutcome, 'running'>;
  httpStatus?: number | null;
  bytes?: number;
  format?: string | null;
  parsed?: number;
  new?: number;
  updated?: number;
  unchanged?: number;
  removed?: number;
  rejected?: number;
  duplicates?: number;
  rejects?: RejectedLine[];
  errorCode?: string | null;
  error?: string | null;
  etag?: string | null;
  lastModified?: string | null;
}

export interface FeedRun {
  id: number;
  feed: string;
  trigger: string;
  source: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: RunOutcome;
  httpStatus: number | null;
  bytes: number;
  format: string | null;
  counts: {
    parsed: number;
    new: number;
    updated: number;
    unchanged: number;
    removed: number;
    rejected: number;
    duplicates: number;
  };
  rejects: RejectedLine[];
  errorCode: string | null;
  error: string | null;
  etag: string | null;
  lastModified: string | null;
}

export interface FeedHealth {
  feed: string;
  active: number;
  total: number;
  lastRun: FeedRun | null;
  lastSuccessAt: string | null;
}

export interface Sighting {
  feed: string;
  firstSeen: string;
  lastSeen: string;
  removedAt: string | null;
  attributes: SightingAttributes;
  originalData: unknown;
}

export interface Indicator {
  id: string;
  type: IndicatorType;
  value: string;
  firstSeen: string;
  lastSeen: string;
  active: boolean;
  firstFeed: string;
}

export interface IndicatorWithSightings extends Indicator {
  sightings: Sighting[];
}

export interface IndicatorFilter {
  type?: IndicatorType;
  /** Only indicators this feed reports (any sighting, or an active one when `active` is true). */
  source?: string;
  /** true: active only; false: removed only; undefined: all. */
  active?: boolean;
  /** Inclusive bounds on first_seen, ISO 8601 UTC. */
  since?: string;
  until?: string;
  /** Values starting with this text (canonical form). */
  valuePrefix?: string;
}

/** One indicator as the exports and the original API's records need it. */
export interface ExportRow extends Indicator {
  /** Internal row id, for keyset cursors. */
  rowId: number;
  /** JSON text of the first feed's record. */
  originalData: string | null;
  sources: string[];
}
