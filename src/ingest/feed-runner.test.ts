import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type Config, type FeedConfig, loadConfig } from '../config/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { type FeedServer, startFeedServer } from '../testing/feed-server.js';
import { tempDir } from '../testing/temp.js';
import { FeedRunner } from './feed-runner.js';

const fixture = (name: string) => readFileSync(new URL(`../feeds/fixtures/${name}`, import.meta.url));
/** An ET compromised-ips body of `n` public addresses (203.x is not used: documentation ranges are rejected). */
const ipList = (n: number, offset = 0) =>
  `${Array.from({ length: n }, (_, i) => `45.${(i + offset) >> 8}.${(i + offset) & 255}.7`).join('\n')}\n`;

describe('feed runner: pulls over HTTP and imports', () => {
  let server: FeedServer;
  let store: Store;
  let config: Config;
  let runner: FeedRunner;
  let tmp: ReturnType<typeof tempDir>;
  const bodies: Record<
    string,
    (hit: number) => { status?: number; headers?: Record<string, string>; body?: string | Buffer }
  > = {};

  before(async () => {
    tmp = tempDir();
    server = await startFeedServer({
      '/feed': (req, res, hit) => {
        const r = bodies.current!(hit);
        if (req.headers['if-none-match'] && req.headers['if-none-match'] === r.headers?.etag) {
          res.writeHead(304).end();
          return;
        }
        res.writeHead(r.status ?? 200, r.headers ?? {}).end(r.body ?? '');
      },
      '/truncated': (_req, res) => {
        res.writeHead(200, { 'content-length': '5000' });
        res.write('45.1.1.1\n45.1.1.2\n');
        setTimeout(() => res.destroy(), 20);
      },
      '/slow': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('45.1.1.1\n');
        setTimeout(() => res.end('45.1.1.2\n'), 2_000);
      },
    });
    store = await openStore(join(tmp.dir, 'runner.db'));
    config = loadConfig({ DATABASE_URL: join(tmp.dir, 'runner.db'), ABUSECH_AUTH_KEY: 'secret-key' });
    runner = new FeedRunner(store, config);
  });
  after(async () => {
    await store.close();
    await server.close();
    tmp.remove();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  /** The named feed pointed at the loopback server, with short timeouts and quick retries. */
  const feed = (name: string, path = '/feed', http: Partial<FeedConfig['http']> = {}): FeedConfig => {
    const base = config.feeds.find((f) => f.name === name)!;
    return {
      ...base,
      url: server.url(path),
      http: { ...base.http, retryBaseMs: 10, bodyTimeoutMs: 300, ...http },
    };
  };
  const values = async (source: string) => {
    const out: string[] = [];
    for await (const page of store.exportRecords({ source, active: true }))
      out.push(...page.map((r) => r.value));
    return out.sort();
  };

  test('a 200 is applied, then a 304 for the same ETag is a run with no change', async () => {
    bodies.current = () => ({ headers: { etag: '"v1"', 'content-type': 'text/plain' }, body: ipList(10) });
    const first = await runner.pull(feed('et-compromised'), 'fetch');
    assert.equal(first.result.outcome, 'ok');
    assert.equal(first.result.new, 10);
    assert.equal(first.result.httpStatus, 200);
    assert.equal(first.result.format, 'text');
    const second = await runner.pull(feed('et-compromised'), 'fetch');
    assert.equal(second.result.outcome, 'not_modified');
    assert.equal(server.requests.at(-1)?.headers['if-none-match'], '"v1"');
    assert.equal((await values('et-compromised')).length, 10);
  });

  test('a gzip-encoded body is decoded; values missing from the snapshot are removed', async () => {
    bodies.current = () => ({ headers: { 'content-encoding': 'gzip' }, body: gzipSync(ipList(8)) });
    const r = await runner.pull(feed('et-compromised'), 'fetch');
    assert.equal(r.result.outcome, 'ok', r.result.error ?? '');
    assert.deepEqual([r.result.unchanged, r.result.removed], [8, 2]);
    assert.equal((await values('et-compromised')).length, 8);
  });

  test('failures leave the data exactly as it was', async (t) => {
    const before = await values('et-compromised');
    const cases: [
      string,
      () => Promise<{ outcome: string; code: string | null | undefined; requests: number }>,
    ][] = [
      [
        '404',
        async () => {
          bodies.current = () => ({ status: 404, body: 'gone' });
          const r = await runner.pull(feed('et-compromised'), 'fetch');
          return { outcome: r.result.outcome, code: r.result.errorCode, requests: server.requests.length };
        },
      ],
      [
        'HTML page',
        async () => {
          bodies.current = () => ({
            headers: { 'content-type': 'text/html' },
            body: fixture('html-error-page.html'),
          });
          const r = await runner.pull(feed('et-compromised'), 'fetch');
          return { outcome: r.result.outcome, code: r.result.errorCode, requests: server.requests.length };
        },
      ],
      [
        'truncated body',
        async () => {
          const r = await runner.pull(feed('et-compromised', '/truncated', { retries: 1 }), 'fetch');
          return { outcome: r.result.outcome, code: r.result.errorCode, requests: server.requests.length };
        },
      ],
      [
        'body slower than the timeout',
        async () => {
          const r = await runner.pull(feed('et-compromised', '/slow', { retries: 0 }), 'fetch');
          return { outcome: r.result.outcome, code: r.result.errorCode, requests: server.requests.length };
        },
      ],
      [
        'empty body',
        async () => {
          bodies.current = () => ({ body: '\n\n' });
          const r = await runner.pull(feed('et-compromised'), 'fetch');
          return { outcome: r.result.outcome, code: r.result.errorCode, requests: server.requests.length };
        },
      ],
      [
        'snapshot removing most entries',
        async () => {
          bodies.current = () => ({ body: ipList(2) });
          const r = await runner.pull(feed('et-compromised'), 'fetch');
          return { outcome: r.result.outcome, code: r.result.errorCode, requests: server.requests.length };
        },
      ],
    ];
    const expected: Record<string, [string, string, number]> = {
      '404': ['failed', 'FEED_HTTP_ERROR', 1],
      'HTML page': ['failed', 'FEED_HTML', 1],
      'truncated body': ['failed', 'FEED_TRUNCATED', 2],
      'body slower than the timeout': ['failed', 'FEED_TIMEOUT', 1],
      'empty body': ['failed', 'FEED_EMPTY', 1],
      'snapshot removing most entries': ['refused', 'SNAPSHOT_REFUSED', 1],
    };
    for (const [name, run] of cases) {
      await t.test(name, async () => {
        server.requests.length = 0;
        const got = await run();
        assert.deepEqual([got.outcome, got.code, got.requests], expected[name]);
        assert.deepEqual(await values('et-compromised'), before);
      });
    }
    const runs = await store.listRuns('et-compromised', 1);
    assert.match(runs[0]?.error ?? '', /would remove 6 of 8 active entries/);
  });

  test('5xx responses are retried with backoff until one succeeds', async () => {
    let calls = 0;
    bodies.current = () => (++calls <= 2 ? { status: calls === 1 ? 500 : 503 } : { body: ipList(8) });
    const r = await runner.pull(feed('et-compromised'), 'fetch');
    assert.equal(r.result.outcome, 'ok');
    assert.equal(server.requests.length, 3);
  });

  test('429 with Retry-After waits as asked; a Retry-After beyond the cap fails at once', async () => {
    let calls = 0;
    bodies.current = () =>
      ++calls === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { body: ipList(8) };
    const started = Date.now();
    const r = await runner.pull(feed('et-compromised'), 'fetch');
    assert.equal(r.result.outcome, 'ok');
    assert.ok(Date.now() - started >= 900, 'waited about the second the server asked for');
    assert.equal(server.requests.length, 2);

    server.requests.length = 0;
    bodies.current = () => ({ status: 429, headers: { 'retry-after': '3600' } });
    const refused = await runner.pull(feed('et-compromised'), 'fetch');
    assert.equal(refused.result.outcome, 'failed');
    assert.match(refused.result.error ?? '', /retry after 3600 s/);
    assert.equal(server.requests.length, 1);
  });

  test('a closed port is a network error after the configured retries', async () => {
    const closed = await startFeedServer({});
    const url = closed.url('/x');
    await closed.close();
    const f = { ...feed('et-compromised'), url, http: { ...feed('et-compromised').http, retries: 1 } };
    const r = await runner.pull(f, 'fetch');
    assert.equal(r.result.outcome, 'failed');
    assert.equal(r.result.errorCode, 'FEED_NETWORK_ERROR');
    assert.match(r.result.error ?? '', /ECONNREFUSED/);
  });

  test('the abuse.ch key goes to abuse.ch feeds only', async () => {
    bodies.current = () => ({ body: fixture('feodotracker-ipblocklist.json') });
    const r = await runner.pull(feed('feodotracker'), 'fetch');
    assert.equal(r.result.outcome, 'ok', r.result.error ?? '');
    assert.equal(server.requests.at(-1)?.headers['auth-key'], 'secret-key');
    bodies.current = () => ({ body: ipList(8) });
    await runner.pull(feed('et-compromised'), 'fetch');
    assert.equal(server.requests.at(-1)?.headers['auth-key'], undefined);
  });

  test('an empty list is a legitimate snapshot for a feed that declares it, and removes everything', async () => {
    const r = await runner.import(feed('feodotracker'), [fixture('feodotracker-empty.csv')], 'empty.csv');
    assert.equal(r.result.outcome, 'ok', r.result.error ?? '');
    assert.equal(r.result.parsed, 0);
    assert.ok((r.result.removed ?? 0) > 0);
    assert.deepEqual(await values('feodotracker'), []);
  });

  test('the same feed never runs twice at once', async () => {
    bodies.current = () => ({ body: ipList(8) });
    const slow = runner.pull(feed('et-compromised', '/slow', { bodyTimeoutMs: 5_000 }), 'fetch');
    await assert.rejects(runner.pull(feed('et-compromised'), 'fetch'), { code: 'FEED_BUSY' });
    await slow;
  });

  test('imports record rejected lines with their reasons, and merge values across feeds', async () => {
    const r = await runner.import(feed('et-block'), [fixture('et-emerging-Block-IPs.txt')], 'block.txt');
    assert.equal(r.result.outcome, 'ok', r.result.error ?? '');
    assert.ok((r.result.rejected ?? 0) >= 1, 'the RFC 1918 address is rejected');
    assert.ok(r.result.rejects?.some((x) => x.raw === '192.168.1.101' && /private/.test(x.reason)));
    const [run] = await store.listRuns('et-block', 1);
    assert.deepEqual(run?.rejects, r.result.rejects);
  });
});
