import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/temp.js';

const BIN = fileURLToPath(new URL('../../bin/threat-aggregator', import.meta.url));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(100);
  }
}

describe('serve (the real process, as `npm start` runs it)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let child: ChildProcess;
  let base: string;
  let stderr = '';

  before(async () => {
    tmp = tempDir();
    const deadPort = await freePort();
    const dead = `http://127.0.0.1:${deadPort}/feed`;
    // No network: every feed points at a closed loopback port.
    const feedsFile = join(tmp.dir, 'feeds.json');
    const feeds = Object.fromEntries(
      ['urlhaus', 'feodotracker', 'et-compromised', 'et-block'].map((n) => [n, { url: dead, retries: 0 }]),
    );
    writeFileSync(feedsFile, JSON.stringify({ feeds }));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DATABASE_URL: join(tmp.dir, 'serve.db'),
        FEEDS_FILE: feedsFile,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d) => (stderr += d));
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    tmp.remove();
  });

  test('starts with no network, serves, and shows each feed failure', async () => {
    const health = await until(async () => {
      const r = await fetch(`${base}/healthz`);
      return r.ok ? r.json() : undefined;
    }, 15_000);
    assert.deepEqual(health, { status: 'ok' });
    const feeds = await until(async () => {
      const list = (await (await fetch(`${base}/api/v1/feeds`)).json()) as {
        health: { last_run: { outcome: string; error: string } | null };
      }[];
      return list.every((f) => f.health.last_run?.outcome === 'failed') ? list : undefined;
    }, 15_000);
    assert.match(feeds[0]!.health.last_run!.error, /ECONNREFUSED/);
    const home = await (await fetch(`${base}/`)).text();
    assert.match(home, /ECONNREFUSED/, 'the home page shows the failure');
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  });

  test('SIGTERM stops it cleanly with exit code 0 within a few seconds', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.ok(Date.now() - t0 < 5_000);
    await assert.rejects(fetch(`${base}/healthz`));
  });
});
