import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, type Selectable, SqliteDialect, sql } from 'kysely';
import { AppError } from '../../errors.js';
import type { IndicatorType } from '../../indicators/types.js';
import { ipKey } from '../ip-range.js';
import { Mutex } from '../mutex.js';
import type {
  Cursor,
  ExportRow,
  FeedHealth,
  FeedRun,
  IndicatorFilter,
  IndicatorKey,
  IndicatorWithSightings,
  ListPage,
  RunResult,
  RunStart,
  SnapshotWriter,
  Stats,
  Store,
} from '../types.js';
import { IndicatorQueries } from './indicator-sql.js';
import { sqliteMigrations } from './migrations.js';
import type { Database, FeedRunTable, IndicatorTable } from './schema.js';
import { prepareSnapshotStatements, type SnapshotStatements, SqliteSnapshot } from './sqlite-snapshot.js';

/** Page cache of each connection. */
const CACHE_MIB = 16;
/**
 * The writer's page cache while a snapshot is open: a 1M-row first load ran ~15% faster than with 16 MiB.
 * 64 MiB gained little more and put a 1M-row import, with its parse worker, over 256 MB of RSS.
 */
const SNAPSHOT_CACHE_MIB = 32;

type IndicatorRow = Pick<Selectable<IndicatorTable>, (typeof indicatorColumns)[number]>;

/**
 * SQLite through better-sqlite3: one writer connection, guarded by a lock so that a feed's snapshot owns it
 * for its whole transaction, and one reader connection that WAL keeps consistent while a snapshot is open.
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  private readonly writerDb: BetterSqlite3.Database;
  private readonly readerDb: BetterSqlite3.Database;
  private readonly writer: Kysely<Database>;
  private readonly reader: Kysely<Database>;
  private readonly writeLock = new Mutex();
  private statements: SnapshotStatements | undefined;
  private readonly queries: IndicatorQueries;
  private readonly anchors = new Map<string, { version: number; keys: Cursor[]; complete: boolean }>();
  private readonly memo = new Map<string, { version: number; value: unknown }>();
  private memoryTokens = 0;

  constructor(readonly path: string) {
    const memory = path === ':memory:';
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    try {
      this.writerDb = new BetterSqlite3(path);
    } catch (err) {
      throw new AppError(
        'STORE_ERROR',
        `cannot open the SQLite database at ${path}: ${(err as Error).message}`,
      );
    }
    configure(this.writerDb, CACHE_MIB);
    this.readerDb = memory ? this.writerDb : new BetterSqlite3(path);
    if (!memory) configure(this.readerDb, CACHE_MIB);
    this.queries = new IndicatorQueries(this.readerDb);
    this.writer = new Kysely<Database>({ dialect: new SqliteDialect({ database: this.writerDb }) });
    this.reader = memory
      ? this.writer
      : new Kysely<Database>({ dialect: new SqliteDialect({ database: this.readerDb }) });
  }

  async migrate(): Promise<void> {
    await this.writeLock.run(async () => {
      const migrator = new Migrator({ db: this.writer, provider: sqliteMigrations });
      const { error, results } = await migrator.migrateToLatest();
      const failed = results?.find((r) => r.status === 'Error');
      if (error || failed) {
        throw new AppError(
          'STORE_ERROR',
          `database migration failed: ${failed?.migrationName ?? String(error)}`,
          undefined,
          {
            cause: error,
          },
        );
      }
    });
    this.statements = prepareSnapshotStatements(this.writerDb);
  }

  async close(): Promise<void> {
    // Wait for an open snapshot to finish (or be aborted by its owner) before closing.
    await this.writeLock.run(async () => {
      await this.writer.destroy();
      if (this.reader !== this.writer) await this.reader.destroy();
    });
  }

  async ping(): Promise<void> {
    this.readerDb.prepare('SELECT 1').get();
  }

  startRun(run: RunStart): Promise<number> {
    return this.writeLock.run(async () => {
      const row = await this.writer
        .insertInto('feed_runs')
        .values({
          feed: run.feed,
          trigger: run.trigger,
          source: run.source,
          started_at: run.startedAt,
          outcome: 'running',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    });
  }

  finishRun(id: number, r: RunResult): Promise<void> {
    return this.writeLock.run(async () => {
      await this.writer
        .updateTable('feed_runs')
        .set({
          finished_at: r.finishedAt,
          outcome: r.outcome,
          http_status: r.httpStatus ?? null,
          bytes: r.bytes ?? 0,
          format: r.format ?? null,
          parsed: r.parsed ?? 0,
          new: r.new ?? 0,
          updated: r.updated ?? 0,
          unchanged: r.unchanged ?? 0,
          removed: r.removed ?? 0,
          rejected: r.rejected ?? 0,
          duplicates: r.duplicates ?? 0,
          rejects: JSON.stringify(r.rejects ?? []),
          error_code: r.errorCode ?? null,
          error: r.error ?? null,
          etag: r.etag ?? null,
          last_modified: r.lastModified ?? null,
        })
        .where('id', '=', id)
        .execute();
    });
  }

  async lastValidators(feed: string): Promise<{ etag: string | null; lastModified: string | null }> {
    const row = await this.reader
      .selectFrom('feed_runs')
      .select(['etag', 'last_modified'])
      .where('feed', '=', feed)
      .where('outcome', 'in', ['ok', 'not_modified'])
      .where('trigger', '!=', 'import')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return { etag: row?.etag ?? null, lastModified: row?.last_modified ?? null };
  }

  async listRuns(feed: string, limit: number): Promise<FeedRun[]> {
    const rows = await this.reader
      .selectFrom('feed_runs')
      .selectAll()
      .where('feed', '=', feed)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toFeedRun);
  }

  feedHealth(feeds: readonly string[]): Promise<FeedHealth[]> {
    return this.remember(`health:${feeds.join(',')}`, () => this.computeFeedHealth(feeds));
  }

  private async computeFeedHealth(feeds: readonly string[]): Promise<FeedHealth[]> {
    const out: FeedHealth[] = [];
    for (const feed of feeds) {
      const counts = await this.reader
        .selectFrom('sightings')
        .select([
          (eb) => eb.fn.countAll<number>().as('total'),
          sql<number>`coalesce(sum(removed_at IS NULL), 0)`.as('active'),
        ])
        .where('feed', '=', feed)
        .executeTakeFirstOrThrow();
      const last = await this.reader
        .selectFrom('feed_runs')
        .selectAll()
        .where('feed', '=', feed)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const success = await this.reader
        .selectFrom('feed_runs')
        .select('finished_at')
        .where('feed', '=', feed)
        .where('outcome', 'in', ['ok', 'not_modified'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      out.push({
        feed,
        active: Number(counts.active),
        total: Number(counts.total),
        lastRun: last ? toFeedRun(last) : null,
        lastSuccessAt: success?.finished_at ?? null,
      });
    }
    return out;
  }

  async openSnapshot(feed: string, runId: number, observedAt: string): Promise<SnapshotWriter> {
    if (!this.statements) throw new Error('migrate() must run before openSnapshot()');
    const unlock = await this.writeLock.acquire();
    // Bulk-load settings for the snapshot's transaction (pragmas are no-ops inside one, so set them here).
    // A larger cache keeps the value index's pages in memory instead of spilling them to the WAL and reading
    // them back; the foreign keys are the snapshot's own inserts, in order, so checking each row only costs.
    this.writerDb.pragma(`cache_size = ${-SNAPSHOT_CACHE_MIB * 1024}`);
    this.writerDb.pragma('foreign_keys = OFF');
    const release = () => {
      this.writerDb.pragma('foreign_keys = ON');
      this.writerDb.pragma(`cache_size = ${-CACHE_MIB * 1024}`);
      unlock();
    };
    try {
      return SqliteSnapshot.begin(this.writerDb, this.statements, feed, runId, observedAt, release);
    } catch (err) {
      release();
      throw err;
    }
  }

  async findIndicators(keys: readonly IndicatorKey[]): Promise<IndicatorWithSightings[]> {
    if (keys.length === 0) return [];
    const rows = await this.reader
      .selectFrom('indicators')
      .select(indicatorColumns)
      .where((eb) => eb.or(keys.map((k) => eb.and([eb('type', '=', k.type), eb('value', '=', k.value)]))))
      .execute();
    return this.withSightings(rows);
  }

  async findContainingCidrs(ip: string): Promise<IndicatorWithSightings[]> {
    const { version, key } = ipKey(ip);
    const rows = await this.reader
      .selectFrom('indicators')
      .select(indicatorColumns)
      .where('type', '=', 'cidr')
      .where('active', '=', 1)
      .where('ip_version', '=', version)
      .where('range_start', '<=', key)
      .where('range_end', '>=', key)
      .orderBy('range_start')
      .execute();
    return this.withSightings(rows);
  }

  async getIndicator(uuid: string): Promise<IndicatorWithSightings | undefined> {
    const row = await this.reader
      .selectFrom('indicators')
      .select(indicatorColumns)
      .where('uuid', '=', uuid)
      .executeTakeFirst();
    if (!row) return undefined;
    return (await this.withSightings([row]))[0];
  }

  // 64-row pages (one output chunk): a page outlives the scavenges that run while it is rendered, so a larger
  // one is promoted to the old generation whenever V8's young generation is still small. With 500-row pages a
  // server started with --max-semi-space-size=1 peaked at 190 MB during a 1M download, with 64 at 114 MB;
  // the download's CPU time is the same.
  async *exportRecords(filter: IndicatorFilter, pageSize = 64): AsyncIterable<ExportRow[]> {
    let after: Cursor | undefined;
    for (;;) {
      const rows = await this.listIndicators(filter, {
        limit: pageSize,
        order: 'asc',
        ...(after && { after }),
      });
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      after = { firstSeen: last.firstSeen, rowId: last.rowId };
    }
  }

  async listIndicators(filter: IndicatorFilter, page: ListPage): Promise<ExportRow[]> {
    const { order } = page;
    let { after, offset = 0 } = page;
    if (offset >= ANCHOR_STEP && after === undefined)
      ({ after, offset } = await this.seek(filter, order, offset));
    return this.queries.page(filter, order, page.limit, after, offset).map((r) => ({
      rowId: r[0] as number,
      id: r[1] as string,
      type: r[2] as IndicatorType,
      value: r[3] as string,
      firstSeen: r[4] as string,
      lastSeen: r[5] as string,
      active: r[6] === 1,
      firstFeed: r[7] as string,
      originalData: (r[8] as string | null) ?? null,
      sources: r[9] ? (r[9] as string).split(',').sort() : [],
    }));
  }

  async changeToken(): Promise<string> {
    // A :memory: database shares one connection, whose own commits do not move data_version: never equal.
    return this.readerDb === this.writerDb ? `memory-${++this.memoryTokens}` : String(this.dataVersion());
  }

  /** SQLite's data_version: it changes whenever another connection (our writer, or another process) commits. */
  private dataVersion(): number {
    return this.readerDb.pragma('data_version', { simple: true }) as number;
  }

  /**
   * Aggregates over a million rows take a noticeable time and block the event loop (better-sqlite3 is
   * synchronous), so they are computed once per committed change, not once per request.
   */
  private async remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.readerDb === this.writerDb) return compute(); // :memory: sees no data_version change of its own
    const version = this.dataVersion();
    const hit = this.memo.get(key);
    if (hit && hit.version === version) return hit.value as T;
    const value = await compute();
    if (this.memo.size > 100) this.memo.clear();
    this.memo.set(key, { version, value });
    return value;
  }

  /**
   * Turns a deep page offset into a keyset cursor plus a short offset, so page 9000 costs what page 1 does.
   * Every ANCHOR_STEP-th key of the ordering is remembered per filter, found as far as a request needs it,
   * and forgotten when any connection commits (SQLite's data_version changes). Finding them is an index
   * walk; it runs ANCHORS_PER_SLICE anchors at a time and lets other requests run in between, so the first
   * deep page after a commit no longer stalls the server for the whole walk.
   */
  private async seek(
    filter: IndicatorFilter,
    order: 'asc' | 'desc',
    offset: number,
  ): Promise<{ after?: Cursor; offset: number }> {
    const wanted = Math.floor(offset / ANCHOR_STEP);
    const version = this.dataVersion();
    const key = JSON.stringify([filter, order]);
    let entry = this.anchors.get(key);
    if (!entry || entry.version !== version) {
      if (this.anchors.size >= MAX_ANCHOR_SETS) this.anchors.clear();
      entry = { version, keys: [], complete: false };
      this.anchors.set(key, entry);
    }
    // Requests extending the same list take turns; each anchor follows the list's current last one.
    while (entry.keys.length < wanted && !entry.complete) {
      for (let k = 0; k < ANCHORS_PER_SLICE && entry.keys.length < wanted; k++) {
        const row = this.queries.keyAfter(filter, order, entry.keys.at(-1), ANCHOR_STEP - 1);
        if (!row) {
          entry.complete = true;
          break;
        }
        entry.keys.push({ firstSeen: row[0] as string, rowId: row[1] as number });
      }
      if (entry.keys.length < wanted && !entry.complete) await yieldToLoop();
    }
    const index = Math.min(wanted, entry.keys.length);
    if (index === 0) return { offset };
    return { after: entry.keys[index - 1]!, offset: offset - index * ANCHOR_STEP };
  }

  stats(days: number): Promise<Stats> {
    return this.remember(`stats:${days}:${new Date().toISOString().slice(0, 10)}`, () =>
      this.computeStats(days),
    );
  }

  private async computeStats(days: number): Promise<Stats> {
    const byTypeRows = await this.reader
      .selectFrom('indicators')
      .select(['type', (eb) => eb.fn.countAll<number>().as('total'), sql<number>`sum(active)`.as('active')])
      .groupBy('type')
      .execute();
    const byFeedRows = await this.reader
      .selectFrom('sightings')
      .select([
        'feed',
        (eb) => eb.fn.countAll<number>().as('total'),
        sql<number>`sum(removed_at IS NULL)`.as('active'),
      ])
      .groupBy('feed')
      .execute();
    const since = new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    const perDay = await this.reader
      .selectFrom('indicators')
      .select([
        sql<string>`substr(first_seen, 1, 10)`.as('day'),
        (eb) => eb.fn.countAll<number>().as('count'),
      ])
      .where('first_seen', '>=', `${since}T00:00:00Z`)
      .groupBy(sql`substr(first_seen, 1, 10)`)
      .execute();
    const last = await this.reader
      .selectFrom('feed_runs')
      .select((eb) => eb.fn.max('finished_at').as('at'))
      .where('outcome', '=', 'ok')
      .executeTakeFirst();
    const counts = new Map(perDay.map((d) => [d.day, Number(d.count)]));
    const newPerDay: Stats['newPerDay'] = [];
    for (let i = 0; i < days; i++) {
      const day = new Date(Date.parse(`${since}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
      newPerDay.push({ day, count: counts.get(day) ?? 0 });
    }
    const byType = Object.fromEntries(
      byTypeRows.map((r) => [r.type, { total: Number(r.total), active: Number(r.active) }]),
    );
    const total = byTypeRows.reduce((n, r) => n + Number(r.total), 0);
    const active = byTypeRows.reduce((n, r) => n + Number(r.active), 0);
    return {
      total,
      active,
      removed: total - active,
      byType,
      byFeed: Object.fromEntries(
        byFeedRows.map((r) => [r.feed, { total: Number(r.total), active: Number(r.active) }]),
      ),
      newPerDay,
      lastUpdated: (last?.at as string | null | undefined) ?? null,
    };
  }

  async countIndicators(filter: IndicatorFilter): Promise<number> {
    return this.queries.count(filter);
  }

  private async withSightings(rows: IndicatorRow[]): Promise<IndicatorWithSightings[]> {
    if (rows.length === 0) return [];
    const sightings = await this.reader
      .selectFrom('sightings as s')
      .innerJoin('sighting_records as r', (j) =>
        j.onRef('r.feed', '=', 's.feed').onRef('r.indicator_id', '=', 's.indicator_id'),
      )
      .select([
        's.feed',
        's.indicator_id',
        's.first_seen',
        's.last_seen',
        's.removed_at',
        'r.attributes',
        'r.data',
      ])
      .where(
        's.indicator_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('s.first_seen')
      .orderBy('s.feed')
      .execute();
    return rows.map((r) => ({
      ...toIndicator(r),
      sightings: sightings
        .filter((s) => s.indicator_id === r.id)
        .map((s) => ({
          feed: s.feed,
          firstSeen: s.first_seen,
          lastSeen: s.last_seen,
          removedAt: s.removed_at,
          attributes: JSON.parse(s.attributes),
          originalData: JSON.parse(s.data),
        })),
    }));
  }
}

const ANCHOR_STEP = 1000;
/** Anchors found between two turns of the event loop: ~50,000 index entries, a few milliseconds. */
const ANCHORS_PER_SLICE = 50;
const MAX_ANCHOR_SETS = 64;

const indicatorColumns = [
  'id',
  'uuid',
  'type',
  'value',
  'first_seen',
  'last_seen',
  'active',
  'first_feed',
] as const;

function configure(db: BetterSqlite3.Database, cacheMiB: number): void {
  // Takes effect only on a new, empty database (before WAL and the first table): 8 KiB pages loaded 1M
  // rows ~9% faster than 4 KiB ones (fewer page reads and writes per row); 16 KiB gained nothing more.
  db.pragma('page_size = 8192');
  db.pragma('journal_mode = WAL');
  // WAL with synchronous=NORMAL is durable across application crashes; a power loss may lose the last
  // transactions but never corrupts the database.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = ${-cacheMiB * 1024}`);
}

function toIndicator(r: IndicatorRow) {
  return {
    id: r.uuid,
    type: r.type as IndicatorType,
    value: r.value,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    active: r.active === 1,
    firstFeed: r.first_feed,
  };
}

function toFeedRun(r: Selectable<FeedRunTable>): FeedRun {
  return {
    id: r.id,
    feed: r.feed,
    trigger: r.trigger,
    source: r.source,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome as FeedRun['outcome'],
    httpStatus: r.http_status,
    bytes: r.bytes,
    format: r.format,
    counts: {
      parsed: r.parsed,
      new: r.new,
      updated: r.updated,
      unchanged: r.unchanged,
      removed: r.removed,
      rejected: r.rejected,
      duplicates: r.duplicates,
    },
    rejects: JSON.parse(r.rejects),
    errorCode: r.error_code,
    error: r.error,
    etag: r.etag,
    lastModified: r.last_modified,
  };
}
