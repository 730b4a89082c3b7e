import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

// Raw SQL per dialect: the schema is small, and each database has its own best types and indexes.
const migrations: Record<string, Migration> = {
  '001_initial': {
    async up(db: Kysely<unknown>) {
      await sql`
        CREATE TABLE indicators (
          id          INTEGER PRIMARY KEY,
          uuid        TEXT NOT NULL UNIQUE,
          type        TEXT NOT NULL,
          value       TEXT NOT NULL,
          first_seen  TEXT NOT NULL,
          last_seen   TEXT NOT NULL,
          active      INTEGER NOT NULL DEFAULT 1,
          first_feed  TEXT NOT NULL,
          ip_version  INTEGER,
          range_start TEXT,
          range_end   TEXT,
          UNIQUE (type, value)
        )`.execute(db);
      await sql`CREATE INDEX indicators_first_seen ON indicators (first_seen, id)`.execute(db);
      await sql`CREATE INDEX indicators_cidr_range ON indicators (ip_version, range_start)
                WHERE type = 'cidr'`.execute(db);
      // A sighting's state is small and touched by every pull; its record is large and changes rarely, so it
      // lives in a table of its own that an unchanged refresh never writes. (feed, indicator_id) comes
      // first: a feed's snapshot and its removals are range scans of the primary key.
      await sql`
        CREATE TABLE sightings (
          feed         TEXT NOT NULL,
          indicator_id INTEGER NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
          first_seen   TEXT NOT NULL,
          last_seen    TEXT NOT NULL,
          removed_at   TEXT,
          created_run  INTEGER NOT NULL,
          changed_run  INTEGER NOT NULL,
          seen_run     INTEGER NOT NULL,
          hits         INTEGER NOT NULL DEFAULT 1,
          data_hash    INTEGER NOT NULL,
          PRIMARY KEY (feed, indicator_id)
        ) WITHOUT ROWID`.execute(db);
      await sql`
        CREATE TABLE sighting_records (
          feed         TEXT NOT NULL,
          indicator_id INTEGER NOT NULL,
          attributes   TEXT NOT NULL,
          data         TEXT NOT NULL,
          PRIMARY KEY (feed, indicator_id),
          FOREIGN KEY (feed, indicator_id) REFERENCES sightings (feed, indicator_id) ON DELETE CASCADE
        ) WITHOUT ROWID`.execute(db);
      await sql`CREATE INDEX sightings_indicator ON sightings (indicator_id)`.execute(db);
      await sql`
        CREATE TABLE feed_runs (
          id            INTEGER PRIMARY KEY,
          feed          TEXT NOT NULL,
          trigger       TEXT NOT NULL,
          source        TEXT NOT NULL,
          started_at    TEXT NOT NULL,
          finished_at   TEXT,
          outcome       TEXT NOT NULL,
          http_status   INTEGER,
          bytes         INTEGER NOT NULL DEFAULT 0,
          format        TEXT,
          parsed        INTEGER NOT NULL DEFAULT 0,
          new           INTEGER NOT NULL DEFAULT 0,
          updated       INTEGER NOT NULL DEFAULT 0,
          unchanged     INTEGER NOT NULL DEFAULT 0,
          removed       INTEGER NOT NULL DEFAULT 0,
          rejected      INTEGER NOT NULL DEFAULT 0,
          duplicates    INTEGER NOT NULL DEFAULT 0,
          rejects       TEXT NOT NULL DEFAULT '[]',
          error_code    TEXT,
          error         TEXT,
          etag          TEXT,
          last_modified TEXT
        )`.execute(db);
      await sql`CREATE INDEX feed_runs_feed ON feed_runs (feed, id)`.execute(db);
    },
  },
};

export const sqliteMigrations: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
