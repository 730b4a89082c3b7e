import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { type FeedConfig, loadConfig } from '../config/config.js';
import { isAppError } from '../feeds/fixtures/harness.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { tempDir } from '../testing/temp.js';
import { type IngestOptions, type IngestProgress, ingestSnapshot, newProgress } from './ingest-snapshot.js';

const AT = '2026-03-01T00:00:00Z';
const fixture = (name: string) => readFileSync(new URL(`../feeds/fixtures/${name}`, import.meta.url));
const ipList = (n: number, offset = 0) =>
  `${Array.from({ length: n }, (_, i) => `45.${(i + offset) >> 8}.${(i + offset) & 255}.7`).join('\n')}\n`;
/** A URLhaus CSV dump of `n` rows, with attributes, tags and a first-seen time on each. */
const urlhausCsv = (n: number) =>
  [
    '# abuse.ch URLhaus Database Dump (CSV)',
    '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter',
    ...Array.from(
      { length: n },
      (_, i) =>
        `"${i}","2026-02-0${1 + (i % 9)} 12:00:00","http://h${i}.example.net/p/${i}","online","2026-02-26 12:05:20","malware_download","${i % 2 ? 'elf,Mozi' : 'None'}","https://urlhaus.abuse.ch/url/${i}/","r${i % 7}"`,
    ),
    '',
  ].join('\n');

/** Fresh buffers in chunks of `size` bytes (the worker path takes ownership of whole-buffer chunks). */
async function* chunks(data: string | Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  for (let i = 0; i < bytes.length; i += size) yield new Uint8Array(bytes.subarray(i, i + size));
}

/** Views onto one shared buffer, as a pooled stream would hand out: the worker path must copy them. */
async function* views(data: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(data);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

// Worker threads started by the code under test, to tell which path ran and that none outlives a run.
const started: Worker[] = [];
const exited = new Set<Worker>();
process.on('worker', (w: Worker) => {
  started.push(w);
  w.once('exit', () => exited.add(w));
});

const modes: { name: string; options: IngestOptions; worker: (bytes: number) => boolean }[] = [
  { name: 'in this thread', options: { workerMinBytes: Number.POSITIVE_INFINITY }, worker: () => false },
  { name: 'in a worker', options: { workerMinBytes: 0 }, worker: () => true },
  // The threshold path: reads ahead, then replays what it read on whichever side parses.
  { name: 'by size (1 kB threshold)', options: { workerMinBytes: 1000 }, worker: (bytes) => bytes >= 1000 },
];

/** Stored data per mode, compared across modes at the end. */
const stored = new Map<string, unknown>();

for (const mode of modes) {
  describe(`ingestSnapshot, parsing ${mode.name}`, () => {
    let store: Store;
    let feeds: Map<string, FeedConfig>;
    let tmp: ReturnType<typeof tempDir>;

    before(async () => {
      tmp = tempDir();
      store = await openStore(join(tmp.dir, 'ingest.db'));
      const config = loadConfig({ DATABASE_URL: join(tmp.dir, 'ingest.db') });
      feeds = new Map(config.feeds.map((f) => [f.name, f]));
    });
    after(async () => {
      await store.close();
      tmp.remove();
    });

    const feed = (name: string, patch: Partial<FeedConfig> = {}): FeedConfig => ({
      ...feeds.get(name)!,
      ...patch,
    });
    const values = async (source: string) => {
      const out: string[] = [];
      for await (const page of store.exportRecords({ source, active: true }))
        out.push(...page.map((r) => r.value));
      return out.sort();
    };

    /** Runs one ingest and checks that the expected path ran and left no worker behind. */
    const ingest = async (
      f: FeedConfig,
      body: AsyncIterable<Uint8Array>,
      bytes: number,
      progress: IngestProgress = newProgress(),
      signal?: AbortSignal,
    ) => {
      const before = started.length;
      const runId = await store.startRun({
        feed: f.name,
        trigger: 'import',
        source: 'test',
        startedAt: new Date().toISOString(),
      });
      try {
        return await ingestSnapshot(store, f, body, runId, AT, progress, signal, mode.options);
      } finally {
        const mine = started.slice(before);
        assert.equal(mine.length, mode.worker(bytes) ? 1 : 0, 'parsed on the expected side');
        for (const w of mine) assert.ok(exited.has(w), 'the worker has stopped');
      }
    };

    test('a body of several batches is written in full, with its counts and progress', async () => {
      const body = urlhausCsv(9_500);
      const progress = newProgress();
      const report = await ingest(feed('urlhaus'), chunks(body, 4096), body.length, progress);
      assert.equal(report.committed, true);
      assert.deepEqual(report.counts, { new: 9_500, updated: 0, unchanged: 0, removed: 0, duplicates: 0 });
      assert.deepEqual(progress, { format: 'csv', parsed: 9_500, rejected: 0, rejects: [] });
      const rows: unknown[] = [];
      for await (const page of store.exportRecords({ source: 'urlhaus' })) {
        rows.push(...page.map(({ value, firstSeen, originalData }) => ({ value, firstSeen, originalData })));
      }
      const [hit] = await store.findIndicators([{ type: 'url', value: 'http://h1.example.net/p/1' }]);
      assert.deepEqual(hit?.sightings[0]?.attributes, {
        status: 'online',
        threat: 'malware_download',
        tags: ['elf', 'Mozi'],
        lastOnline: '2026-02-26T12:05:20Z',
        reporter: 'r1',
        reference: 'https://urlhaus.abuse.ch/url/1/',
      });
      stored.set(mode.name, rows);

      // The same snapshot again: nothing changes.
      const again = await ingest(feed('urlhaus'), views(body, 65_536), body.length);
      assert.deepEqual(again.counts, { new: 0, updated: 0, unchanged: 9_500, removed: 0, duplicates: 0 });
    });

    test('rejects are counted, and the first 20 kept with line, a 200-character preview and reason', async () => {
      const long = `x${'y'.repeat(300)}`;
      const body = `${long}\n${ipList(40)}${Array.from({ length: 29 }, (_, i) => `bad-${i}`).join('\n')}\n`;
      const progress = newProgress();
      const report = await ingest(feed('et-compromised'), chunks(body, 100), body.length, progress);
      assert.equal(report.committed, true);
      assert.equal(progress.parsed, 40);
      assert.equal(progress.rejected, 30);
      assert.equal(progress.rejects.length, 20);
      assert.deepEqual(
        progress.rejects.map((r) => r.line),
        [1, ...Array.from({ length: 19 }, (_, i) => 42 + i)],
      );
      assert.equal(progress.rejects[0]?.raw, long.slice(0, 200));
      assert.equal(progress.rejects[1]?.raw, 'bad-0');
      assert.ok(progress.rejects.every((r) => r.reason.length > 0));
    });

    test('failures leave the data as it was, with the same errors', async (t) => {
      const ips = ipList(40);
      const cases: [string, FeedConfig, Uint8Array | string, (err: unknown) => boolean][] = [
        [
          'truncated gzip',
          feed('et-compromised'),
          truncate(gzipSync(ipList(3000))),
          isAppError('FEED_TRUNCATED', /gzip body was cut/),
        ],
        [
          'HTML page',
          feed('et-compromised'),
          fixture('html-error-page.html'),
          isAppError('FEED_HTML', /^the feed returned an HTML page instead of data$/),
        ],
        [
          'mostly junk',
          feed('et-compromised'),
          `45.1.1.1\n${Array.from({ length: 12 }, (_, i) => `junk${i}`).join('\n')}\n`,
          isAppError(
            'FEED_FORMAT',
            /^12 of 13 entries were rejected \(first: .+\); the body does not look like/,
          ),
        ],
        [
          'empty body',
          feed('et-compromised'),
          '\n\n',
          isAppError('FEED_EMPTY', /^no parseable entry in the body$/),
        ],
        [
          'only rejects',
          feed('et-compromised'),
          '10.0.0.1\n',
          isAppError('FEED_EMPTY', /^no valid entry in the body \(1 rejected, first: .*private/),
        ],
        [
          'larger than maxBytes',
          feed('et-compromised', { http: { ...feeds.get('et-compromised')!.http, maxBytes: 100 } }),
          ips,
          (err) => isAppError('FEED_TOO_LARGE', /exceeds the limit of 100 bytes/)(err) && hasMaxBytes(err),
        ],
        [
          'a URLhaus API envelope',
          feed('urlhaus'),
          '{"query_status": "unknown_auth_key"}',
          isAppError('FEED_FORMAT', /not a dump keyed by id/),
        ],
      ];
      await ingest(feed('et-compromised'), chunks(ips, 64), ips.length);
      const kept = await values('et-compromised');
      assert.equal(kept.length, 40);
      for (const [name, f, body, check] of cases) {
        await t.test(name, async () => {
          const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
          await assert.rejects(ingest(f, chunks(body, 64), size), check);
          assert.deepEqual(await values('et-compromised'), kept);
        });
      }
    });

    test('a body that fails to read throws its own error, after the entries read before it', async () => {
      const failure = new Error('disk on fire');
      const first = ipList(25);
      async function* body() {
        yield* chunks(first, 300);
        throw failure;
      }
      const progress = newProgress();
      await assert.rejects(
        ingest(feed('et-compromised'), body(), first.length, progress),
        (err) => err === failure,
      );
      assert.equal(progress.parsed, 25);
    });

    test('an aborted run throws FEED_NETWORK_ERROR and commits nothing', async () => {
      const before = await values('et-compromised');
      const controller = new AbortController();
      async function* body() {
        yield* chunks(ipList(3000, 500), 1024);
        controller.abort();
        // Only the in-thread path needs more input to notice: the worker path stops at once.
        yield* chunks(ipList(3000, 4000), 1024);
      }
      await assert.rejects(
        ingest(feed('et-compromised'), body(), 100_000, newProgress(), controller.signal),
        isAppError('FEED_NETWORK_ERROR', /^the run was interrupted \(shutting down\)$/),
      );
      assert.deepEqual(await values('et-compromised'), before);
    });

    if (mode.worker(Number.POSITIVE_INFINITY)) {
      test('an abort does not wait for a stalled body', async () => {
        const controller = new AbortController();
        async function* body(): AsyncGenerator<Uint8Array> {
          yield* chunks(ipList(3000), 1024);
          await new Promise(() => {});
        }
        setTimeout(() => controller.abort(), 100);
        await assert.rejects(
          ingest(feed('et-compromised'), body(), 100_000, newProgress(), controller.signal),
          isAppError('FEED_NETWORK_ERROR'),
        );
      });
    }

    test('an empty list of a feed that may be empty removes everything; a big removal is refused', async () => {
      const ips = ipList(10);
      const list = fixture('feodotracker-ipblocklist.csv');
      await ingest(feed('feodotracker'), chunks(list, 512), list.length);
      assert.ok((await values('feodotracker')).length > 0);
      const body = fixture('feodotracker-empty.csv');
      const progress = newProgress();
      const empty = await ingest(feed('feodotracker'), chunks(body, 64), body.length, progress);
      assert.equal(empty.committed, true);
      assert.equal(progress.parsed, 0);
      assert.deepEqual(await values('feodotracker'), []);

      const refused = await ingest(feed('et-compromised'), chunks(ips, 64), ips.length);
      assert.equal(refused.committed, false);
      assert.match(refused.reason ?? '', /would remove 30 of 40 active entries/);
    });
  });
}

test('both paths store the same records', () => {
  const [first, ...rest] = modes.map((m) => stored.get(m.name));
  assert.ok(Array.isArray(first) && first.length === 9_500);
  for (const other of rest) assert.deepEqual(other, first);
});

test('a feed module that is not in the registry is parsed in this thread', async () => {
  const tmp = tempDir();
  const store = await openStore(join(tmp.dir, 'custom.db'));
  try {
    const base = loadConfig({ DATABASE_URL: join(tmp.dir, 'custom.db') }).feeds.find(
      (f) => f.name === 'et-compromised',
    )!;
    const f = { ...base, module: { ...base.module } };
    const before = started.length;
    const runId = await store.startRun({ feed: f.name, trigger: 'import', source: 't', startedAt: AT });
    const report = await ingestSnapshot(store, f, chunks(ipList(5), 8), runId, AT, newProgress(), undefined, {
      workerMinBytes: 0,
    });
    assert.equal(report.counts.new, 5);
    assert.equal(started.length, before);
  } finally {
    await store.close();
    tmp.remove();
  }
});

function truncate(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, bytes.length >> 1);
}

function hasMaxBytes(err: unknown): boolean {
  assert.deepEqual((err as { details?: unknown }).details, { maxBytes: 100 });
  return true;
}
