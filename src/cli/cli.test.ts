import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FeedServer, startFeedServer } from '../testing/feed-server.js';
import { tempDir } from '../testing/temp.js';

const BIN = fileURLToPath(new URL('../../bin/threat-aggregator', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../feeds/fixtures/', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real executable (built dist/) as a user would. */
function cli(args: string[], env: Record<string, string>, stdin?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('command-line tool', () => {
  let tmp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let server: FeedServer;

  before(async () => {
    tmp = tempDir();
    env = { DATABASE_URL: join(tmp.dir, 'data', 'cli.db') };
    server = await startFeedServer({
      '/compromised': (_req, res) =>
        res.writeHead(200).end(readFileSync(join(FIXTURES, 'et-compromised-ips.txt'))),
      '/broken': (_req, res) => res.writeHead(500).end('oops'),
    });
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  test('import reads a real-format file and prints one summary line', async () => {
    const r = await cli(['import', 'urlhaus', join(FIXTURES, 'urlhaus-csv_recent.csv')], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^urlhaus: ok in [\d.]+ s \(csv format, \d+ bytes\): parsed 10, new 10, updated 0, unchanged 0, removed 0, rejected 0\n$/,
    );
  });

  test('import - reads standard input', async () => {
    const r = await cli(
      ['import', 'et-block', '-'],
      env,
      readFileSync(join(FIXTURES, 'et-emerging-Block-IPs.txt'), 'utf8'),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^et-block: ok .*rejected [1-9]/);
  });

  test('export json gives the original record shape, extended', async () => {
    const r = await cli(['export', '--format', 'json', '--source', 'urlhaus'], env);
    assert.equal(r.code, 0, r.stderr);
    const records = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(records.length, 10);
    const rec = records.find((x) => x.value === 'http://182.126.120.150:58801/i')!;
    assert.deepEqual(Object.keys(rec), [
      'id',
      'ipv4',
      'url',
      'date',
      'source',
      'original_data',
      'abuseIPDBData',
      'type',
      'value',
      'first_seen',
      'last_seen',
      'active',
      'sources',
    ]);
    assert.equal(rec.url, rec.value);
    assert.equal(rec.ipv4, null);
    assert.equal(rec.date, '2026-02-26T12:05:20Z');
    assert.equal(rec.source, 'https://urlhaus.abuse.ch/downloads/json_online/');
    assert.equal((rec.original_data as Record<string, string>).tags, '32-bit,elf,mips,Mozi');
    assert.equal(rec.abuseIPDBData, null);
    assert.deepEqual(rec.sources, ['urlhaus']);
  });

  test('export txt, csv and ndjson honour --type and -o', async () => {
    const txt = await cli(['export', '--format', 'txt', '--type', 'cidr'], env);
    assert.equal(txt.code, 0, txt.stderr);
    const lines = txt.stdout.trim().split('\n');
    assert.ok(lines.length > 5);
    assert.ok(
      lines.every((l) => /^[\d.]+\/\d+$/.test(l)),
      'only CIDRs, one a line',
    );

    const out = join(tmp.dir, 'out.csv');
    const csv = await cli(['export', '--format', 'csv', '--source', 'urlhaus', '-o', out], env);
    assert.equal(csv.code, 0, csv.stderr);
    const rows = readFileSync(out, 'utf8').trim().split('\r\n');
    assert.equal(rows[0], 'id,type,value,first_seen,last_seen,active,sources,source');
    assert.equal(rows.length, 11);

    const nd = await cli(['export', '--format', 'ndjson', '--since', '2026-02-26'], env);
    assert.equal(nd.code, 0, nd.stderr);
    const recs = nd.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(recs.length >= 10 && recs.every((x) => x.first_seen >= '2026-02-26'));
  });

  test('lookup prints the indicator with its sightings, and the CIDRs containing an IP', async () => {
    const block = readFileSync(join(FIXTURES, 'et-emerging-Block-IPs.txt'), 'utf8');
    const cidr = block
      .split('\n')
      .find((l) => /^\d+\.\d+\.\d+\.0\/24$/.test(l.trim()))!
      .trim();
    const inside = cidr.replace(/\.0\/24$/, '.77');
    const r = await cli(
      ['lookup', 'http://182.126.120.150:58801/i', inside, '10.0.0.1', 'http://nowhere.example/'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const [url, ip, priv, missing] = JSON.parse(r.stdout);
    assert.equal(url.found, true);
    assert.equal(url.indicator.sightings[0].feed, 'urlhaus');
    assert.equal(url.indicator.sightings[0].attributes.reporter, 'geenensp');
    assert.equal(ip.found, true);
    assert.equal(ip.indicator, null);
    assert.ok(ip.containedIn.some((c: { value: string }) => c.value === cidr));
    assert.equal(priv.found, false);
    assert.match(priv.invalid, /private/);
    assert.equal(missing.found, false);
    assert.equal(missing.invalid, undefined);
  });

  test('a failed import exits 1, changes nothing, and feeds shows it', async () => {
    const before = await cli(['export', '--format', 'txt', '--source', 'urlhaus'], env);
    const html = await cli(['import', 'urlhaus', join(FIXTURES, 'html-error-page.html')], env);
    assert.equal(html.code, 1);
    assert.match(html.stdout, /^urlhaus: failed, nothing changed: .*HTML/);
    const truncated = readFileSync(join(FIXTURES, 'urlhaus-csv_recent.csv'), 'utf8').slice(0, -40);
    const cut = await cli(['import', 'urlhaus', '-'], env, truncated);
    assert.equal(cut.code, 1, cut.stdout);
    assert.match(cut.stdout, /FEED_TRUNCATED/);
    const afterwards = await cli(['export', '--format', 'txt', '--source', 'urlhaus'], env);
    assert.equal(afterwards.stdout, before.stdout);

    const feeds = await cli(['feeds'], env);
    assert.equal(feeds.code, 0, feeds.stderr);
    assert.match(feeds.stdout, /^FEED\s+ENABLED\s+INTERVAL\s+LAST RUN\s+OUTCOME\s+ACTIVE\s+URL/);
    assert.match(feeds.stdout, /\nurlhaus\s+yes\s+1h\s+\S+\s+failed\s+10\s+https:\/\/urlhaus/);
    const json = JSON.parse((await cli(['feeds', '--json'], env)).stdout);
    assert.deepEqual(
      json.map((f: { name: string }) => f.name),
      ['urlhaus', 'feodotracker', 'et-compromised', 'et-block'],
    );
  });

  test('a refused snapshot changes nothing unless the operator raises --max-removal-share', async () => {
    const own = { DATABASE_URL: join(tmp.dir, 'refusal.db') };
    const lines = readFileSync(join(FIXTURES, 'et-compromised-ips.txt'), 'utf8').trim().split('\n');
    const first = await cli(['import', 'et-compromised', '-'], own, lines.join('\n'));
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const few = lines.slice(0, 3).join('\n');
    const refused = await cli(['import', 'et-compromised', '-'], own, few);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stdout,
      /^et-compromised: refused, nothing changed: the snapshot would remove 22 of 25 active entries/,
    );
    assert.equal(
      (await cli(['export', '--format', 'txt', '--source', 'et-compromised'], own)).stdout.trim().split('\n')
        .length,
      25,
    );
    const forced = await cli(['import', 'et-compromised', '-', '--max-removal-share', '1'], own, few);
    assert.equal(forced.code, 0, forced.stdout);
    assert.match(forced.stdout, /removed 22/);
    assert.equal(
      (await cli(['export', '--format', 'txt', '--source', 'et-compromised'], own)).stdout.trim().split('\n')
        .length,
      3,
    );
    const bad = await cli(['import', 'et-compromised', '-', '--max-removal-share', 'lots'], own, few);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-removal-share must be a number from 0 to 1/);
  });

  test('fetch pulls feeds from the URLs of FEEDS_FILE and exits 1 when one fails', async () => {
    const feedsFile = join(tmp.dir, 'feeds.json');
    writeFileSync(
      feedsFile,
      JSON.stringify({
        feeds: {
          'et-compromised': { url: server.url('/compromised') },
          'et-block': { url: server.url('/broken') },
        },
      }),
    );
    const ok = await cli(['fetch', 'et-compromised'], { ...env, FEEDS_FILE: feedsFile });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^et-compromised: ok .*parsed 25, new 25/);
    const failed = await cli(['fetch', 'et-compromised', 'et-block'], { ...env, FEEDS_FILE: feedsFile });
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /et-compromised: ok/);
    assert.match(failed.stdout, /et-block: failed, nothing changed: HTTP 500/);
  });

  test('user errors print one line on stderr, no stack trace, and exit 2', async () => {
    const badFeeds = join(tmp.dir, 'bad-feeds.json');
    writeFileSync(badFeeds, JSON.stringify({ feeds: { nope: { enabled: false } } }));
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['import', 'nope', 'x'], {}, /unknown feed "nope"/],
      [['import', 'urlhaus', join(tmp.dir, 'missing.csv')], {}, /no such file/],
      [['export', '--type', 'ipv5'], {}, /ipv5/],
      [['export', '--since', 'yesterday'], {}, /--since must be YYYY-MM-DD or ISO 8601/],
      [['feeds'], { FEEDS_FILE: badFeeds }, /unknown feed "nope"/],
      [['feeds'], { FEEDS_FILE: join(tmp.dir, 'none.json') }, /FEEDS_FILE .* cannot be read/],
      [['frobnicate'], {}, /unknown command/],
    ];
    for (const [args, extra, message] of cases) {
      const r = await cli(args, { ...env, ...extra });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
