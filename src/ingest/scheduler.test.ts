import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, type FeedConfig, loadConfig } from '../config/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { type FeedServer, startFeedServer } from '../testing/feed-server.js';
import { tempDir } from '../testing/temp.js';
import { FeedRunner } from './feed-runner.js';
import { Scheduler } from './scheduler.js';

const quiet = { info() {}, warn() {}, error() {} };
const body = Array.from({ length: 20 }, (_, i) => `45.9.${i}.1`).join('\n');

describe('scheduler', () => {
  let server: FeedServer;
  let store: Store;
  let config: Config;
  let runner: FeedRunner;
  let tmp: ReturnType<typeof tempDir>;
  let inFlight = 0;
  let maxInFlight = 0;

  before(async () => {
    tmp = tempDir();
    server = await startFeedServer({
      '/fast': (_req, res) => res.end(body),
      '/slow': (_req, res) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        res.write('45.9.0.1\n');
        const t = setTimeout(() => res.end(body), 700);
        res.on('close', () => {
          clearTimeout(t);
          inFlight--;
        });
      },
    });
    config = loadConfig({ DATABASE_URL: join(tmp.dir, 's.db') });
    store = await openStore(config.databaseUrl);
    runner = new FeedRunner(store, config);
  });
  after(async () => {
    await store.close();
    await server.close();
    tmp.remove();
  });

  const feed = (name: string, path: string, intervalMs: number, enabled = true): FeedConfig => {
    const base = config.feeds.find((f) => f.name === name)!;
    return { ...base, enabled, url: server.url(path), intervalMs, http: { ...base.http, retries: 0 } };
  };
  const hits = (path: string) => server.requests.filter((r) => r.path === path).length;

  test('pulls each enabled feed at its interval, and at start only when asked', async () => {
    server.requests.length = 0;
    const s = new Scheduler(
      runner,
      [feed('et-compromised', '/fast', 250), feed('et-block', '/fast', 250, false)],
      quiet,
    );
    s.start(false);
    assert.equal(hits('/fast'), 0);
    const next = s.nextRunAt('et-compromised');
    assert.ok(next && next.getTime() > Date.now());
    assert.equal(s.nextRunAt('et-block'), null, 'disabled feeds are not scheduled');
    await sleep(900);
    await s.stop();
    assert.ok(
      hits('/fast') >= 2 && hits('/fast') <= 4,
      `about three pulls in 0.9 s at 250 ms, got ${hits('/fast')}`,
    );
    const runs = await store.listRuns('et-compromised', 10);
    assert.ok(runs.every((r) => r.trigger === 'schedule'));

    server.requests.length = 0;
    const eager = new Scheduler(runner, [feed('et-compromised', '/fast', 60_000)], quiet);
    eager.start(true);
    await sleep(200);
    await eager.stop();
    assert.equal(hits('/fast'), 1);
    assert.equal((await store.listRuns('et-compromised', 1))[0]?.trigger, 'start');
  });

  test('a feed still running is never started again, and a slow feed does not delay another', async () => {
    server.requests.length = 0;
    maxInFlight = 0;
    const s = new Scheduler(
      runner,
      [feed('et-block', '/slow', 100), feed('et-compromised', '/fast', 100)],
      quiet,
    );
    s.start(true);
    await sleep(450);
    assert.equal(s.isRunning('et-block'), true);
    assert.equal(hits('/slow'), 1, 'no second pull while the first is running');
    assert.ok(hits('/fast') >= 3, `the fast feed kept its schedule (${hits('/fast')} pulls)`);
    await s.stop();
    assert.equal(maxInFlight, 1);
  });

  test('stop cancels a running pull quickly and its snapshot changes nothing', async () => {
    const before: string[] = [];
    for await (const p of store.exportRecords({ source: 'et-block' })) before.push(...p.map((r) => r.value));
    const s = new Scheduler(runner, [feed('et-block', '/slow', 60_000)], quiet);
    s.start(true);
    await sleep(150);
    const t0 = Date.now();
    await s.stop();
    assert.ok(Date.now() - t0 < 500, 'stop returns without waiting for the slow body');
    assert.equal(s.isRunning('et-block'), false);
    const [run] = await store.listRuns('et-block', 1);
    assert.equal(run?.outcome, 'failed');
    assert.match(run?.error ?? '', /cancelled/);
    const afterStop: string[] = [];
    for await (const p of store.exportRecords({ source: 'et-block' }))
      afterStop.push(...p.map((r) => r.value));
    assert.deepEqual(afterStop, before);
  });
});
