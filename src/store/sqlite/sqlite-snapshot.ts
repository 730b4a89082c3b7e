import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { cidrKeys } from '../ip-range.js';
import type { NormalizedEntry, SnapshotCounts, SnapshotOutcome, SnapshotWriter } from '../types.js';
import { uuidv7 } from '../uuid.js';

export interface SnapshotStatements {
  findIndicator: BetterSqlite3.Statement;
  touchIndicator: BetterSqlite3.Statement;
  insertIndicator: BetterSqlite3.Statement;
  lowerFirstSeen: BetterSqlite3.Statement;
  upsertSighting: BetterSqlite3.Statement;
  insertSighting: BetterSqlite3.Statement;
  saveRecord: BetterSqlite3.Statement;
  insertRecord: BetterSqlite3.Statement;
  countActive: BetterSqlite3.Statement;
  markRemoved: BetterSqlite3.Statement;
  deactivate: BetterSqlite3.Statement;
}

export function prepareSnapshotStatements(db: BetterSqlite3.Database): SnapshotStatements {
  return {
    // Look up first, insert when missing: an unchanged refresh then neither builds a UUID nor touches the
    // first_seen index (an UPDATE rewrites every index on a column it sets, changed or not). A SELECT and
    // an UPDATE by rowid cost less than one UPDATE ... RETURNING by value (7.5 against 9.3 us a row on a
    // 1M-row table: RETURNING buffers its rows before handing them back).
    findIndicator: db.prepare('SELECT id, first_seen FROM indicators WHERE type = ? AND value = ?').raw(),
    touchIndicator: db.prepare('UPDATE indicators SET last_seen = ?, active = 1 WHERE id = ?'),
    // No RETURNING: the new row's id is the connection's last insert rowid, and a RETURNING clause made
    // each insert about three times slower (17-19 against 6 us a row into a 300k-row table).
    insertIndicator: db.prepare(
      `INSERT INTO indicators (uuid, type, value, first_seen, last_seen, active, first_feed,
                               ip_version, range_start, range_end)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
       ON CONFLICT (type, value) DO NOTHING`,
    ),
    lowerFirstSeen: db.prepare('UPDATE indicators SET first_seen = ? WHERE id = ?'),
    // SET expressions read the row as it was before the update: changed_run moves only when the record's
    // hash differs or the sighting comes back, and hits counts repeats of a value within one snapshot.
    upsertSighting: db
      .prepare(
        `INSERT INTO sightings (feed, indicator_id, first_seen, last_seen, removed_at, created_run,
                                changed_run, seen_run, hits, data_hash)
         VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 1, ?)
         ON CONFLICT (feed, indicator_id) DO UPDATE SET
           last_seen = excluded.last_seen,
           first_seen = min(sightings.first_seen, excluded.first_seen),
           changed_run = CASE WHEN sightings.removed_at IS NULL AND sightings.data_hash = excluded.data_hash
                              THEN sightings.changed_run ELSE excluded.changed_run END,
           hits = CASE WHEN sightings.seen_run = excluded.seen_run THEN sightings.hits + 1 ELSE 1 END,
           seen_run = excluded.seen_run,
           removed_at = NULL,
           data_hash = excluded.data_hash
         RETURNING created_run, changed_run, hits`,
      )
      .raw(),
    // A new indicator has no sighting yet: plain inserts, without the upsert's conflict handling.
    insertSighting: db.prepare(
      `INSERT INTO sightings (feed, indicator_id, first_seen, last_seen, removed_at, created_run,
                              changed_run, seen_run, hits, data_hash)
       VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 1, ?)`,
    ),
    insertRecord: db.prepare(
      'INSERT INTO sighting_records (feed, indicator_id, attributes, data) VALUES (?, ?, ?, ?)',
    ),
    // Written only for a new or changed record: an unchanged refresh leaves this table alone.
    saveRecord: db.prepare(
      `INSERT INTO sighting_records (feed, indicator_id, attributes, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (feed, indicator_id) DO UPDATE SET attributes = excluded.attributes, data = excluded.data`,
    ),
    countActive: db.prepare('SELECT count(*) FROM sightings WHERE feed = ? AND removed_at IS NULL').pluck(),
    markRemoved: db.prepare(
      `UPDATE sightings SET removed_at = ?, changed_run = ?
       WHERE feed = ? AND removed_at IS NULL AND seen_run <> ?`,
    ),
    deactivate: db.prepare(
      `UPDATE indicators SET active = 0
       WHERE active = 1
         AND id IN (SELECT indicator_id FROM sightings WHERE feed = ? AND changed_run = ? AND removed_at = ?)
         AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = indicators.id AND s.removed_at IS NULL)`,
    ),
  };
}

/**
 * One feed snapshot inside one write transaction on the writer connection. Readers use their own
 * connection and, under WAL, keep seeing the last committed data until commit.
 */
export class SqliteSnapshot implements SnapshotWriter {
  private readonly counts: SnapshotCounts = { new: 0, updated: 0, unchanged: 0, removed: 0, duplicates: 0 };
  private done = false;
  /** True for a feed with nothing active yet (its first load): most of its values will be new. */
  private readonly expectNew: boolean;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly st: SnapshotStatements,
    private readonly feed: string,
    private readonly runId: number,
    private readonly observedAt: string,
    private readonly activeBefore: number,
    private readonly release: () => void,
  ) {
    this.expectNew = activeBefore === 0;
  }

  static begin(
    db: BetterSqlite3.Database,
    st: SnapshotStatements,
    feed: string,
    runId: number,
    observedAt: string,
    release: () => void,
  ): SqliteSnapshot {
    db.exec('BEGIN IMMEDIATE');
    const activeBefore = st.countActive.get(feed) as number;
    return new SqliteSnapshot(db, st, feed, runId, observedAt, activeBefore, release);
  }

  async write(batch: readonly NormalizedEntry[]): Promise<void> {
    this.assertOpen();
    const { findIndicator, touchIndicator, lowerFirstSeen } = this.st;
    const { upsertSighting, insertSighting, saveRecord, insertRecord } = this.st;
    const { feed, runId, observedAt, counts } = this;
    const now = Date.now();
    for (const e of batch) {
      const firstSeen = e.firstSeen !== undefined && e.firstSeen < observedAt ? e.firstSeen : observedAt;
      // A feed's first load is mostly new values, a refresh mostly known ones: try the likelier statement
      // first, and the other only when it finds nothing to do.
      let id: number | undefined = this.expectNew ? this.insert(e, firstSeen, now) : undefined;
      let isNew = id !== undefined;
      if (id === undefined) {
        const existing = findIndicator.get(e.type, e.value) as [number, string] | undefined;
        if (existing) {
          id = existing[0];
          touchIndicator.run(observedAt, id);
          if (firstSeen < existing[1]) lowerFirstSeen.run(firstSeen, id);
        } else {
          id = this.insert(e, firstSeen, now)!;
          isNew = true;
        }
      }
      const hash = e.dataHash;
      if (isNew) {
        insertSighting.run(feed, id, firstSeen, observedAt, runId, runId, runId, hash);
        insertRecord.run(feed, id, e.attributes, e.data);
        counts.new++;
        continue;
      }
      const [createdRun, changedRun, hits] = upsertSighting.get(
        feed,
        id,
        firstSeen,
        observedAt,
        runId,
        runId,
        runId,
        hash,
      ) as [number, number, number];
      // A repeat within the snapshot may carry another record: the last one wins, as in the feed.
      if (changedRun === runId || hits > 1) saveRecord.run(feed, id, e.attributes, e.data);
      if (hits > 1) counts.duplicates++;
      else if (createdRun === runId) counts.new++;
      else if (changedRun === runId) counts.updated++;
      else counts.unchanged++;
    }
    // better-sqlite3 is synchronous: give requests and timers a turn between batches.
    await yieldToLoop();
  }

  private insert(e: NormalizedEntry, firstSeen: string, now: number): number | undefined {
    const range = e.type === 'cidr' ? cidrKeys(e.value) : undefined;
    const { changes, lastInsertRowid } = this.st.insertIndicator.run(
      uuidv7(now),
      e.type,
      e.value,
      firstSeen,
      this.observedAt,
      this.feed,
      range?.version ?? null,
      range?.start ?? null,
      range?.end ?? null,
    );
    // Under ON CONFLICT DO NOTHING, no change means the value exists (and lastInsertRowid is stale).
    return changes === 1 ? Number(lastInsertRowid) : undefined;
  }

  async commit(guard: { maxRemovalShare: number }): Promise<SnapshotOutcome> {
    this.assertOpen();
    try {
      const removed = this.st.markRemoved.run(this.observedAt, this.runId, this.feed, this.runId).changes;
      this.counts.removed = removed;
      if (this.activeBefore > 0 && removed / this.activeBefore > guard.maxRemovalShare) {
        this.rollback();
        const pct = ((removed / this.activeBefore) * 100).toFixed(1);
        return {
          committed: false,
          reason:
            `the snapshot would remove ${removed} of ${this.activeBefore} active entries (${pct}%), ` +
            `more than maxRemovalShare ${guard.maxRemovalShare}`,
          counts: { ...this.counts },
          activeBefore: this.activeBefore,
        };
      }
      if (removed > 0) this.st.deactivate.run(this.feed, this.runId, this.observedAt);
      this.db.exec('COMMIT');
      this.finish();
      return { committed: true, counts: { ...this.counts }, activeBefore: this.activeBefore };
    } catch (err) {
      this.rollback();
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (!this.done) this.rollback();
  }

  private rollback(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } finally {
      this.finish();
    }
  }

  private finish(): void {
    this.done = true;
    this.release();
  }

  private assertOpen(): void {
    if (this.done) throw new Error('snapshot already committed or aborted');
  }
}
