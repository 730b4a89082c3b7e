import type BetterSqlite3 from 'better-sqlite3';
import type { Cursor, IndicatorFilter } from '../types.js';

/**
 * The read path that serves /view, /download and /api/v1/indicators, written as SQL rather than through
 * kysely: building and preparing the query on every request cost four times what running it did. The
 * statements are prepared once per filter shape and reused.
 */
export class IndicatorQueries {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  /** Rows of `[id, uuid, type, value, first_seen, last_seen, active, first_feed, original_data, sources]`. */
  page(
    filter: IndicatorFilter,
    order: 'asc' | 'desc',
    limit: number,
    after: Cursor | undefined,
    offset: number,
  ): unknown[][] {
    const where = filterSql(filter);
    if (after) {
      where.parts.push(`(i.first_seen, i.id) ${order === 'asc' ? '>' : '<'} (?, ?)`);
      where.params.push(after.firstSeen, after.rowId);
    }
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    const orderBy = `ORDER BY i.first_seen ${dir}, i.id ${dir}`;
    // With an offset, the page's ids come from the (first_seen, id) index alone, so skipped rows are never read.
    const from =
      offset > 0
        ? `FROM indicators i WHERE i.id IN (SELECT i.id FROM indicators i ${whereText(where.parts)} ${orderBy} LIMIT ? OFFSET ?) ${orderBy}`
        : `FROM indicators i ${whereText(where.parts)} ${orderBy} LIMIT ? OFFSET ?`;
    const sql = `SELECT i.id, i.uuid, i.type, i.value, i.first_seen, i.last_seen, i.active, i.first_feed,
        (SELECT r.data FROM sighting_records r WHERE r.feed = i.first_feed AND r.indicator_id = i.id),
        (SELECT group_concat(s.feed, ',') FROM sightings s WHERE s.indicator_id = i.id)
      ${from}`;
    return this.statement(sql)
      .raw()
      .all(...where.params, limit, offset) as unknown[][];
  }

  /** The key `skip + 1` places after `after` (or from the start) in the ordering: `[first_seen, id]`. */
  keyAfter(
    filter: IndicatorFilter,
    order: 'asc' | 'desc',
    after: Cursor | undefined,
    skip: number,
  ): unknown[] | undefined {
    const where = filterSql(filter);
    if (after) {
      where.parts.push(`(i.first_seen, i.id) ${order === 'asc' ? '>' : '<'} (?, ?)`);
      where.params.push(after.firstSeen, after.rowId);
    }
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    const sql = `SELECT i.first_seen, i.id FROM indicators i ${whereText(where.parts)}
      ORDER BY i.first_seen ${dir}, i.id ${dir} LIMIT 1 OFFSET ?`;
    return this.statement(sql)
      .raw()
      .get(...where.params, skip) as unknown[] | undefined;
  }

  count(filter: IndicatorFilter): number {
    const where = filterSql(filter);
    return this.statement(`SELECT count(*) FROM indicators i ${whereText(where.parts)}`)
      .pluck()
      .get(...where.params) as number;
  }

  private statement(sql: string): BetterSqlite3.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }
}

/** The WHERE conditions of a filter; their text depends only on which filters are set, never on values. */
function filterSql(f: IndicatorFilter): { parts: string[]; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (f.type) {
    parts.push('i.type = ?');
    params.push(f.type);
  }
  if (f.active !== undefined) {
    parts.push('i.active = ?');
    params.push(f.active ? 1 : 0);
  }
  if (f.since) {
    parts.push('i.first_seen >= ?');
    params.push(f.since);
  }
  if (f.until) {
    parts.push('i.first_seen <= ?');
    params.push(f.until);
  }
  if (f.valuePrefix) {
    parts.push('i.value >= ? AND i.value < ?');
    params.push(f.valuePrefix, `${f.valuePrefix}\u{10FFFF}`);
  }
  if (f.source) {
    const activeOnly = f.active === true ? ' AND src.removed_at IS NULL' : '';
    parts.push(
      `EXISTS (SELECT 1 FROM sightings src WHERE src.feed = ? AND src.indicator_id = i.id${activeOnly})`,
    );
    params.push(f.source);
  }
  return { parts, params };
}

function whereText(parts: string[]): string {
  return parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '';
}
