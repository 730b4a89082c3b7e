import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { tempDir } from '../../testing/temp.js';
import { normalizedEntry } from '../normalized-entry.js';
import type { NormalizedEntry } from '../types.js';
import { SqliteStore } from './sqlite-store.js';

const entry = (value: string): NormalizedEntry =>
  normalizedEntry({ type: 'url', value }, undefined, { threat: 'malware_download' }, { url: value });

// The snapshot turns foreign-key checks off and enlarges the writer's cache for its transaction: both must
// come back afterwards, and what it wrote must still satisfy every foreign key.
test('a snapshot restores the writer settings and leaves no dangling reference', async () => {
  const tmp = tempDir();
  const path = join(tmp.dir, 'threats.db');
  const store = new SqliteStore(path);
  try {
    await store.migrate();
    const writer = (store as unknown as { writerDb: BetterSqlite3.Database }).writerDb;
    const settings = () => ({
      foreignKeys: writer.pragma('foreign_keys', { simple: true }),
      cacheSize: writer.pragma('cache_size', { simple: true }),
    });
    const before = settings();
    assert.equal(before.foreignKeys, 1);

    const values = Array.from({ length: 50 }, (_, i) => `http://example.com/${i}`);
    for (const [n, batch] of [
      values,
      values.slice(10),
      [...values.slice(10), values[3]!, values[3]!],
    ].entries()) {
      const at = `2026-01-0${n + 1}T00:00:00Z`;
      const runId = await store.startRun({
        feed: 'urlhaus',
        trigger: 'import',
        source: 'test',
        startedAt: at,
      });
      const w = await store.openSnapshot('urlhaus', runId, at);
      assert.equal(writer.pragma('foreign_keys', { simple: true }), 0, 'checks are off during the snapshot');
      await w.write(batch.map(entry));
      const outcome = await w.commit({ maxRemovalShare: 1 });
      assert.equal(outcome.committed, true);
      assert.deepEqual(settings(), before);
    }
    // A refused snapshot rolls back and restores the settings too.
    const runId = await store.startRun({
      feed: 'urlhaus',
      trigger: 'import',
      source: 'test',
      startedAt: 'x',
    });
    const w = await store.openSnapshot('urlhaus', runId, '2026-01-09T00:00:00Z');
    await w.write([entry('http://example.com/new')]);
    assert.equal((await w.commit({ maxRemovalShare: 0.1 })).committed, false);
    assert.deepEqual(settings(), before);
  } finally {
    await store.close();
  }
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    assert.equal(db.prepare('SELECT count(*) FROM sightings').pluck().get(), 50);
    assert.equal(db.prepare('SELECT count(*) FROM sighting_records').pluck().get(), 50);
    assert.equal(
      db
        .prepare('SELECT hits FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE i.value = ?')
        .pluck()
        .get('http://example.com/3'),
      2,
    );
  } finally {
    db.close();
    tmp.remove();
  }
});

test('a new database gets 8 KiB pages; an existing one keeps its own', async () => {
  const tmp = tempDir();
  try {
    const fresh = join(tmp.dir, 'fresh.db');
    const store = new SqliteStore(fresh);
    await store.migrate();
    await store.close();
    const old = join(tmp.dir, 'old.db');
    const pre = new BetterSqlite3(old);
    pre.pragma('page_size = 4096');
    pre.exec('CREATE TABLE keep (x)');
    pre.close();
    const reopened = new SqliteStore(old);
    await reopened.migrate();
    await reopened.close();
    for (const [path, size] of [
      [fresh, 8192],
      [old, 4096],
    ] as const) {
      const db = new BetterSqlite3(path, { readonly: true });
      assert.equal(db.pragma('page_size', { simple: true }), size, path);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', path);
      db.close();
    }
  } finally {
    tmp.remove();
  }
});
