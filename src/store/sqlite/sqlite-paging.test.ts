import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../testing/temp.js';
import { normalizedEntry } from '../normalized-entry.js';
import type { NormalizedEntry } from '../types.js';
import { SqliteStore } from './sqlite-store.js';

// Deep offsets are found through remembered anchors, built a slice at a time with other requests running
// in between: concurrent requests for different depths, extending the same anchors, must all be exact.
test('concurrent deep pages over 120k rows match a sequential walk', async () => {
  const tmp = tempDir();
  const store = new SqliteStore(join(tmp.dir, 'threats.db'));
  try {
    await store.migrate();
    const entries: NormalizedEntry[] = Array.from({ length: 120_000 }, (_, i) =>
      normalizedEntry(
        { type: 'url', value: `http://paging.example/${i}` },
        `2024-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
        {},
        {},
      ),
    );
    const runId = await store.startRun({ feed: 'bulk', trigger: 'import', source: 'test', startedAt: 'x' });
    const w = await store.openSnapshot('bulk', runId, '2026-01-01T00:00:00Z');
    for (let i = 0; i < entries.length; i += 5000) await w.write(entries.slice(i, i + 5000));
    assert.equal((await w.commit({ maxRemovalShare: 1 })).committed, true);

    const walk: string[] = [];
    for await (const page of store.exportRecords({}, 5000)) walk.push(...page.map((r) => r.value));
    assert.equal(walk.length, 120_000);

    const offsets = [110_500, 60_001, 999, 30_000, 119_995, 75_250];
    const pages = await Promise.all(
      offsets.map((offset) => store.listIndicators({}, { limit: 5, order: 'asc', offset })),
    );
    pages.forEach((rows, i) => {
      const offset = offsets[i]!;
      assert.deepEqual(
        rows.map((r) => r.value),
        walk.slice(offset, offset + 5),
        `offset ${offset}`,
      );
    });
    const desc = await Promise.all(
      [90_000, 10].map((offset) => store.listIndicators({}, { limit: 3, order: 'desc', offset })),
    );
    assert.deepEqual(
      desc.map((rows) => rows.map((r) => r.value)),
      [walk.slice(-90_003, -90_000).reverse(), walk.slice(-13, -10).reverse()],
    );
  } finally {
    await store.close();
    tmp.remove();
  }
});
