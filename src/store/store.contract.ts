import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SightingAttributes } from '../feeds/types.js';
import { normalizedEntry } from './normalized-entry.js';
import type { NormalizedEntry, Store } from './types.js';

/**
 * The behaviour every store adapter must have, run by each adapter's test file against a real database
 * (kysely's model: one suite, every dialect).
 */
export function storeContract(
  dialect: string,
  open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>,
) {
  describe(`store contract: ${dialect}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let clock = Date.parse('2026-01-01T00:00:00Z');

    before(async () => {
      ({ store, cleanup } = await open());
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    const entry = (
      type: NormalizedEntry['type'],
      value: string,
      extra: { firstSeen?: string; attributes?: SightingAttributes; original?: unknown } = {},
    ): NormalizedEntry =>
      normalizedEntry({ type, value }, extra.firstSeen, extra.attributes ?? {}, extra.original ?? { value });

    /** One complete snapshot of `feed`; returns the outcome. */
    async function snapshot(feed: string, entries: NormalizedEntry[], maxRemovalShare = 1) {
      clock += 3_600_000;
      const observedAt = `${new Date(clock).toISOString().slice(0, 19)}Z`;
      const runId = await store.startRun({ feed, trigger: 'import', source: 'test', startedAt: observedAt });
      const w = await store.openSnapshot(feed, runId, observedAt);
      await w.write(entries);
      const outcome = await w.commit({ maxRemovalShare });
      await store.finishRun(runId, { finishedAt: observedAt, outcome: outcome.committed ? 'ok' : 'refused' });
      return { outcome, observedAt };
    }

    test('a first snapshot creates indicators with one sighting each and counts them as new', async () => {
      const { outcome, observedAt } = await snapshot('alpha', [
        entry('ipv4', '203.0.113.10'),
        entry('url', 'http://example.com/a', { firstSeen: '2025-12-01T10:00:00Z' }),
        entry('cidr', '198.51.100.0/24'),
      ]);
      assert.equal(outcome.committed, true);
      assert.deepEqual(outcome.counts, { new: 3, updated: 0, unchanged: 0, removed: 0, duplicates: 0 });
      const [url] = await store.findIndicators([{ type: 'url', value: 'http://example.com/a' }]);
      assert.ok(url);
      assert.match(url.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(url.firstSeen, '2025-12-01T10:00:00Z', 'first_seen takes the feed-reported time');
      assert.equal(url.lastSeen, observedAt);
      assert.equal(url.active, true);
      assert.equal(url.sightings.length, 1);
      assert.deepEqual(url.sightings[0]?.originalData, { value: 'http://example.com/a' });
    });

    test('the same snapshot again is all unchanged; a changed record is updated', async () => {
      const { outcome, observedAt } = await snapshot('alpha', [
        entry('ipv4', '203.0.113.10'),
        entry('url', 'http://example.com/a', {
          firstSeen: '2025-12-01T10:00:00Z',
          original: { value: 'changed' },
        }),
        entry('cidr', '198.51.100.0/24'),
      ]);
      assert.deepEqual(outcome.counts, { new: 0, updated: 1, unchanged: 2, removed: 0, duplicates: 0 });
      const found = await store.findIndicators([
        { type: 'url', value: 'http://example.com/a' },
        { type: 'ipv4', value: '203.0.113.10' },
      ]);
      assert.equal(found.length, 2);
      for (const i of found) assert.equal(i.lastSeen, observedAt, `${i.value}: a refresh moves last_seen`);
      assert.equal(found.find((i) => i.type === 'url')?.firstSeen, '2025-12-01T10:00:00Z');
    });

    test('one value from two feeds is one indicator with two sightings', async () => {
      const { outcome } = await snapshot('beta', [
        entry('ipv4', '203.0.113.10', { attributes: { malware: 'Dridex' } }),
      ]);
      assert.equal(outcome.counts.new, 1);
      const [ip] = await store.findIndicators([{ type: 'ipv4', value: '203.0.113.10' }]);
      assert.deepEqual(ip?.sightings.map((s) => s.feed).sort(), ['alpha', 'beta']);
      assert.equal(ip?.firstFeed, 'alpha');
      assert.deepEqual(ip?.sightings.find((s) => s.feed === 'beta')?.attributes, { malware: 'Dridex' });
    });

    test('a value missing from a snapshot is removed from that feed only, and comes back when it reappears', async () => {
      const first = await snapshot('alpha', [
        entry('url', 'http://example.com/a', { original: { value: 'changed' } }),
        entry('cidr', '198.51.100.0/24'),
      ]);
      assert.equal(first.outcome.counts.removed, 1);
      let [ip] = await store.findIndicators([{ type: 'ipv4', value: '203.0.113.10' }]);
      assert.equal(ip?.active, true, 'still listed by beta');
      assert.equal(ip?.sightings.find((s) => s.feed === 'alpha')?.removedAt, first.observedAt);

      const second = await snapshot('beta', [entry('ipv4', '203.0.113.99')]);
      assert.equal(second.outcome.counts.removed, 1);
      [ip] = await store.findIndicators([{ type: 'ipv4', value: '203.0.113.10' }]);
      assert.equal(ip?.active, false, 'no feed lists it any more');

      const third = await snapshot('beta', [entry('ipv4', '203.0.113.99'), entry('ipv4', '203.0.113.10')]);
      assert.equal(third.outcome.counts.updated, 1, 'reappearance counts as updated');
      [ip] = await store.findIndicators([{ type: 'ipv4', value: '203.0.113.10' }]);
      assert.equal(ip?.active, true);
      assert.equal(ip?.sightings.find((s) => s.feed === 'beta')?.removedAt, null);
    });

    test('a snapshot that would remove more than maxRemovalShare is refused and changes nothing', async () => {
      const before = await store.findIndicators([{ type: 'ipv4', value: '203.0.113.99' }]);
      const { outcome } = await snapshot('beta', [entry('ipv4', '203.0.113.50')], 0.4);
      assert.equal(outcome.committed, false);
      assert.match(outcome.committed ? '' : outcome.reason, /would remove 2 of 2 active entries/);
      assert.deepEqual(await store.findIndicators([{ type: 'ipv4', value: '203.0.113.99' }]), before);
      assert.deepEqual(
        await store.findIndicators([{ type: 'ipv4', value: '203.0.113.50' }]),
        [],
        'the new value was rolled back',
      );
    });

    test('an aborted snapshot leaves everything as it was', async () => {
      const runId = await store.startRun({
        feed: 'beta',
        trigger: 'import',
        source: 'test',
        startedAt: '2027-01-01T00:00:00Z',
      });
      const w = await store.openSnapshot('beta', runId, '2027-01-01T00:00:00Z');
      await w.write([entry('ipv4', '203.0.113.77')]);
      await w.abort();
      assert.deepEqual(await store.findIndicators([{ type: 'ipv4', value: '203.0.113.77' }]), []);
      const health = await store.feedHealth(['beta']);
      assert.equal(health[0]?.active, 2);
    });

    test('repeats of a value within one snapshot count as duplicates, not as new', async () => {
      const { outcome } = await snapshot('gamma', [
        entry('domain', 'example.org'),
        entry('domain', 'example.org'),
      ]);
      assert.deepEqual(outcome.counts, { new: 1, updated: 0, unchanged: 0, removed: 0, duplicates: 1 });
    });

    test('an IP finds the active CIDRs containing it, and only those', async () => {
      await snapshot('delta', [
        entry('cidr', '198.51.0.0/16'),
        entry('cidr', '2001:db8::/32'),
        entry('cidr', '192.0.2.0/24'),
      ]);
      const hits = await store.findContainingCidrs('198.51.100.7');
      assert.deepEqual(
        hits.map((h) => h.value),
        ['198.51.0.0/16', '198.51.100.0/24'],
      );
      assert.deepEqual(
        (await store.findContainingCidrs('2001:db8:1::1')).map((h) => h.value),
        ['2001:db8::/32'],
      );
      assert.deepEqual(await store.findContainingCidrs('198.52.0.1'), []);
    });

    test('exports page through every matching record in (first_seen, id) order', async () => {
      const all: string[] = [];
      for await (const page of store.exportRecords({}, 2)) {
        assert.ok(page.length <= 2);
        all.push(...page.map((r) => r.value));
      }
      assert.equal(all.length, await store.countIndicators({}));
      const active: string[] = [];
      for await (const page of store.exportRecords({ active: true, type: 'ipv4' }, 1))
        active.push(...page.map((r) => r.value));
      assert.deepEqual(active.sort(), ['203.0.113.10', '203.0.113.99']);
      const bySource: string[] = [];
      for await (const page of store.exportRecords({ source: 'alpha', active: true }))
        bySource.push(...page.map((r) => r.value));
      assert.deepEqual(bySource.sort(), ['198.51.100.0/24', 'http://example.com/a']);
      const since: string[] = [];
      for await (const page of store.exportRecords({ until: '2025-12-31T23:59:59Z' }))
        since.push(...page.map((r) => r.value));
      assert.deepEqual(since, ['http://example.com/a']);
      const [first] = (await store.exportRecords({ type: 'url' })[Symbol.asyncIterator]().next()).value;
      assert.equal(first.originalData, '{"value":"changed"}');
      assert.deepEqual(first.sources, ['alpha']);
    });

    test('runs are listed newest first with their counts, and feed health reports active totals', async () => {
      const runs = await store.listRuns('alpha', 10);
      assert.equal(runs.length, 3);
      assert.ok(runs[0]!.id > runs[1]!.id);
      assert.equal(runs[0]?.outcome, 'ok');
      const [alpha] = await store.feedHealth(['alpha']);
      assert.equal(alpha?.active, 2);
      assert.equal(alpha?.total, 3);
      assert.ok(alpha?.lastSuccessAt);
    });

    test("an indicator's first_seen moves back when a feed reports it earlier, never forward", async () => {
      await snapshot('zeta', [entry('url', 'http://late.example/x', { firstSeen: '2025-06-01T00:00:00Z' })]);
      await snapshot('eta', [entry('url', 'http://late.example/x', { firstSeen: '2025-01-01T00:00:00Z' })]);
      let [i] = await store.findIndicators([{ type: 'url', value: 'http://late.example/x' }]);
      assert.equal(i?.firstSeen, '2025-01-01T00:00:00Z');
      await snapshot('zeta', [entry('url', 'http://late.example/x', { firstSeen: '2025-09-01T00:00:00Z' })]);
      [i] = await store.findIndicators([{ type: 'url', value: 'http://late.example/x' }]);
      assert.equal(i?.firstSeen, '2025-01-01T00:00:00Z');
    });

    test('feed health and stats reflect every commit, even when asked just before it', async () => {
      const before = await store.stats(30);
      const [epsBefore] = await store.feedHealth(['epsilon']);
      assert.equal(epsBefore?.active, 0);
      await snapshot('epsilon', [entry('domain', 'fresh.example.net')]);
      const afterStats = await store.stats(30);
      assert.equal(afterStats.total, before.total + 1);
      assert.equal(afterStats.byFeed.epsilon?.active, 1);
      const [eps] = await store.feedHealth(['epsilon']);
      assert.equal(eps?.active, 1);
      assert.equal(eps?.lastRun?.outcome, 'ok');
    });

    test('page offsets at any depth return exactly the rows a sequential walk finds there, also after new data', async () => {
      const bulk = Array.from({ length: 12_345 }, (_, i) =>
        entry('url', `http://bulk.example/${i}`, {
          firstSeen: `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
        }),
      );
      await snapshot('bulk', bulk);
      const filter = { source: 'bulk' };
      const walk: string[] = [];
      for await (const page of store.exportRecords(filter, 1000)) walk.push(...page.map((r) => r.value));
      assert.equal(walk.length, 12_345);
      for (const offset of [0, 4_999, 5_000, 5_001, 10_000, 12_340]) {
        const rows = await store.listIndicators(filter, { limit: 10, order: 'asc', offset });
        assert.deepEqual(
          rows.map((r) => r.value),
          walk.slice(offset, offset + 10),
          `offset ${offset}`,
        );
      }
      assert.deepEqual(await store.listIndicators(filter, { limit: 10, order: 'asc', offset: 20_000 }), []);
      const desc = await store.listIndicators(filter, { limit: 3, order: 'desc', offset: 7_000 });
      assert.deepEqual(
        desc.map((r) => r.value),
        [...walk].reverse().slice(7_000, 7_003),
      );

      // New rows early in the order shift every page: remembered positions must not serve stale pages.
      await snapshot('bulk', [
        ...bulk,
        entry('url', 'http://bulk.example/early', { firstSeen: '2023-01-01T00:00:00Z' }),
      ]);
      const shifted = await store.listIndicators(filter, { limit: 2, order: 'asc', offset: 5_000 });
      assert.deepEqual(
        shifted.map((r) => r.value),
        walk.slice(4_999, 5_001),
      );
    });
  });
}
