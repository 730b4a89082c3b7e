import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/config.js';
import { FeedRunner } from '../ingest/feed-runner.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { tempDir } from '../testing/temp.js';
import { buildApp } from './app.js';
import { NO_SCHEDULER } from './deps.js';

const fixture = (name: string) => readFileSync(new URL(`../feeds/fixtures/${name}`, import.meta.url));

describe('HTTP API', () => {
  let app: FastifyInstance;
  let store: Store;
  let tmp: ReturnType<typeof tempDir>;
  let total = 0;
  let config: ReturnType<typeof loadConfig>;

  before(async () => {
    tmp = tempDir();
    config = loadConfig({ DATABASE_URL: join(tmp.dir, 'api.db') });
    store = await openStore(config.databaseUrl);
    const runner = new FeedRunner(store, config);
    const feed = (n: string) => config.feeds.find((f) => f.name === n)!;
    for (const [name, file] of [
      ['urlhaus', 'urlhaus-csv_recent.csv'],
      ['feodotracker', 'feodotracker-ipblocklist.csv'],
      ['et-block', 'et-emerging-Block-IPs.txt'],
      ['et-compromised', 'et-compromised-ips.txt'],
    ] as const) {
      const r = await runner.import(feed(name), [fixture(file)], file);
      assert.equal(r.result.outcome, 'ok', `${file}: ${r.result.error}`);
    }
    total = await store.countIndicators({});
    app = await buildApp({ store, config, scheduler: NO_SCHEDULER });
  });
  after(async () => {
    await app.close();
    await store.close();
    tmp.remove();
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    return { res, json: () => res.json() };
  };
  const problem = async (
    url: string,
    status: number,
    detail: RegExp,
    init: { method?: 'GET' | 'POST'; payload?: unknown } = {},
  ) => {
    const res = await app.inject({
      method: init.method ?? 'GET',
      url,
      ...(init.payload !== undefined && { payload: init.payload as string }),
    });
    assert.equal(res.statusCode, status, `${url}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const body = res.json();
    assert.equal(body.status, status);
    assert.match(body.detail, detail);
    assert.doesNotMatch(res.body, /\bat \/|SELECT|sqlite/i, 'no stack trace or SQL');
    return body;
  };

  describe('/view', () => {
    test('returns records in the original shape, ordered by date, 100 by default', async () => {
      const { res, json } = await get('/view');
      assert.equal(res.statusCode, 200);
      const rows = json() as Record<string, unknown>[];
      assert.equal(rows.length, Math.min(100, total));
      for (const key of ['id', 'ipv4', 'url', 'date', 'source', 'original_data', 'abuseIPDBData'])
        assert.ok(key in rows[0]!);
      const dates = rows.map((r) => r.date as string);
      assert.deepEqual(dates, [...dates].sort());
    });

    test('pages partition the data set', async () => {
      const all = (await get(`/view?limit=10000`)).json() as { id: string }[];
      assert.equal(all.length, total);
      const p2 = (await get('/view?limit=7&page=2')).json() as { id: string }[];
      assert.deepEqual(
        p2.map((r) => r.id),
        all.slice(7, 14).map((r) => r.id),
      );
      const beyond = (await get(`/view?limit=50&page=${Math.ceil(total / 50) + 1}`)).json();
      assert.deepEqual(beyond, []);
    });

    test('start_date and end_date are inclusive, as dates or ISO 8601 timestamps, and filter by type and source', async () => {
      const day = (await get('/view?start_date=2026-02-26&end_date=2026-02-26&limit=10000')).json() as {
        date: string;
        url: string;
      }[];
      assert.equal(day.length, 10, 'the ten URLhaus rows of 2026-02-26');
      assert.ok(day.every((r) => r.date.startsWith('2026-02-26')));
      const iso = (
        await get('/view?start_date=2026-02-26T11:30:11Z&end_date=2026-02-26T11:54:17Z')
      ).json() as { date: string }[];
      assert.deepEqual(
        iso.map((r) => r.date),
        [
          '2026-02-26T11:30:11Z',
          '2026-02-26T11:30:24Z',
          '2026-02-26T11:35:21Z',
          '2026-02-26T11:37:20Z',
          '2026-02-26T11:49:11Z',
          '2026-02-26T11:51:29Z',
          '2026-02-26T11:54:17Z',
        ],
      );
      const ips = (await get('/view?type=ipv4&source=feodotracker&limit=10000')).json() as {
        ipv4: string;
        url: null;
      }[];
      assert.ok(ips.length > 0 && ips.every((r) => r.ipv4 && r.url === null));
    });

    test('a repeated page is fresh again as soon as new data is committed', async () => {
      const before = (await get('/view?limit=10000&type=ipv4&source=et-compromised')).json() as {
        ipv4: string;
      }[];
      const again = (await get('/view?limit=10000&type=ipv4&source=et-compromised')).json() as {
        ipv4: string;
      }[];
      assert.deepEqual(again, before);
      const feed = config.feeds.find((f) => f.name === 'et-compromised')!;
      const added = `${fixture('et-compromised-ips.txt')}45.77.66.55\n`;
      const r = await new FeedRunner(store, config).import(feed, [Buffer.from(added)], 'more.txt');
      assert.equal(r.result.new, 1);
      const after = (await get('/view?limit=10000&type=ipv4&source=et-compromised')).json() as {
        ipv4: string;
      }[];
      assert.equal(after.length, before.length + 1);
      assert.ok(after.some((x) => x.ipv4 === '45.77.66.55'));
      total += 1;
    });

    test('bad parameters are 400 problems that say what was wrong', async () => {
      await problem('/view?start_date=yesterday', 400, /^start_date must be YYYY-MM-DD or ISO 8601/);
      await problem('/view?end_date=2026-02-30', 400, /end_date is not a real date/);
      await problem('/view?limit=0', 400, /^limit must be >= 1/);
      await problem('/view?limit=10001', 400, /^limit must be <= 10000/);
      await problem('/view?page=0', 400, /^page must be >= 1/);
      await problem('/view?page=abc', 400, /^page must be integer/);
      await problem('/view?type=ipv5', 400, /^type must be one of ipv4, ipv6, cidr, url, domain/);
      await problem('/view?source=nope', 400, /^source must be a feed name/);
      await problem('/view?start_date=2026-03-01&end_date=2026-02-01', 400, /must not be after/);
    });
  });

  describe('/download', () => {
    test('streams the whole data set as a JSON attachment', async () => {
      const { res } = await get('/download');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-disposition'], 'attachment; filename=threats.json');
      assert.equal((res.json() as unknown[]).length, total);
    });

    test('other formats and the /view filters apply', async () => {
      const txt = await get('/download?format=txt&type=cidr');
      assert.equal(txt.res.headers['content-disposition'], 'attachment; filename=threats.txt');
      assert.match(String(txt.res.headers['content-type']), /^text\/plain/);
      assert.ok(
        txt.res.body
          .trim()
          .split('\n')
          .every((l) => l.includes('/')),
      );
      const csv = await get('/download?format=csv&source=urlhaus');
      assert.equal(csv.res.body.trim().split('\r\n').length, 11);
      const nd = await get('/download?format=ndjson&start_date=2026-02-26&end_date=2026-02-26');
      assert.equal(nd.res.body.trim().split('\n').length, 10);
      await problem('/download?format=xml', 400, /^format must be one of json, ndjson, csv, txt/);
    });
  });

  describe('/api/v1', () => {
    test('indicators page by cursor without gaps or overlap', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const body = (
          await get(`/api/v1/indicators?limit=13${cursor ? `&cursor=${cursor}` : ''}`)
        ).json() as {
          items: { id: string; first_seen: string }[];
          next_cursor: string | null;
        };
        seen.push(...body.items.map((i) => i.id));
        cursor = body.next_cursor;
        pages++;
      } while (cursor && pages < 1000);
      assert.equal(seen.length, total);
      assert.equal(new Set(seen).size, total);
    });

    test('indicators filter by type, source, active, dates and value prefix', async () => {
      const urls = (
        await get(
          '/api/v1/indicators?type=url&source=urlhaus&active=true&since=2026-02-26&until=2026-02-26T11:40:00Z',
        )
      ).json();
      assert.ok(urls.items.length > 0);
      assert.ok(
        urls.items.every(
          (i: { type: string; first_seen: string }) =>
            i.type === 'url' && i.first_seen <= '2026-02-26T11:40:00Z',
        ),
      );
      const prefix = (await get('/api/v1/indicators?q=HTTP://222.138.')).json();
      assert.deepEqual(prefix.items.map((i: { value: string }) => i.value).sort(), [
        'http://222.138.150.74:43262/bin.sh',
        'http://222.138.150.74:43262/i',
      ]);
      await problem('/api/v1/indicators?cursor=garbage', 400, /cursor is not a cursor this API returned/);
      await problem('/api/v1/indicators?colour=red', 400, /unknown parameter "colour"/);
      await problem('/api/v1/indicators?order=sideways', 400, /^order must be one of desc, asc/);
      await problem('/api/v1/indicators?limit=1001', 400, /^limit must be <= 1000/);
    });

    test('one indicator with all its sightings; unknown ids are 404', async () => {
      const [first] = (await get('/api/v1/indicators?q=http://182.126.120.150')).json().items;
      const detail = (await get(`/api/v1/indicators/${first.id}`)).json();
      assert.equal(detail.value, 'http://182.126.120.150:58801/i');
      assert.equal(detail.sightings[0].feed, 'urlhaus');
      assert.equal(detail.sightings[0].original_data.urlhaus_link, 'https://urlhaus.abuse.ch/url/3786237/');
      assert.deepEqual(detail.sightings[0].attributes.tags, ['32-bit', 'elf', 'mips', 'Mozi']);
      await problem('/api/v1/indicators/00000000-0000-7000-8000-000000000000', 404, /no indicator with id/);
      await problem('/api/v1/indicators/not-a-uuid', 404, /no indicator with id/);
    });

    test('lookup finds exact values and containing CIDRs; misses are results, not errors', async () => {
      const cidrs = (await get('/api/v1/indicators?type=cidr&limit=1')).json().items;
      const cidr: string = cidrs[0].value;
      const inside = cidr.split('/')[0]!.replace(/\.0$/, '.9');
      const one = (await get(`/api/v1/lookup?value=${encodeURIComponent(inside)}`)).json();
      assert.equal(one.found, true);
      assert.ok(one.contained_in.some((c: { value: string }) => c.value === cidr));

      const many = await app.inject({
        method: 'POST',
        url: '/api/v1/lookup',
        payload: { values: ['http://182.126.120.150:58801/i', '8.8.4.4', '192.168.0.1', 'not a value'] },
      });
      assert.equal(many.statusCode, 200);
      const [url, miss, priv, junk] = many.json().results;
      assert.equal(url.found, true);
      assert.equal(url.indicator.type, 'url');
      assert.deepEqual([miss.found, miss.invalid], [false, undefined]);
      assert.equal(priv.found, false);
      assert.match(priv.invalid, /private/);
      assert.equal(junk.found, false);
      assert.ok(junk.invalid);

      const tooMany = { values: Array.from({ length: 1001 }, (_, i) => `45.0.${i >> 8}.${i & 255}`) };
      await problem('/api/v1/lookup', 400, /values must NOT have more than 1000 items/, {
        method: 'POST',
        payload: tooMany,
      });
      await problem('/api/v1/lookup', 400, /values must NOT have fewer than 1 items/, {
        method: 'POST',
        payload: { values: [] },
      });
      await problem('/api/v1/lookup', 400, /values/, { method: 'POST', payload: { value: 'x' } });
      await problem('/api/v1/lookup', 400, /must have required property 'value'|value/);
    });

    test('feeds show definitions without secrets and their health; runs list counts and errors', async () => {
      const feeds = (await get('/api/v1/feeds')).json();
      assert.deepEqual(
        feeds.map((f: { name: string }) => f.name),
        ['urlhaus', 'feodotracker', 'et-compromised', 'et-block'],
      );
      const urlhaus = feeds[0];
      assert.equal(urlhaus.health.active, 10);
      assert.equal(urlhaus.health.last_run.outcome, 'ok');
      assert.equal('headers' in urlhaus, false);
      const runs = (await get('/api/v1/feeds/et-block/runs')).json();
      assert.equal(runs.length, 1);
      assert.ok(runs[0].counts.rejected >= 1);
      assert.ok(runs[0].rejects.some((r: { raw: string }) => r.raw === '192.168.1.101'));
      await problem('/api/v1/feeds/nope/runs', 404, /no feed named nope/);
    });

    test('stats count by type, by feed, and per day', async () => {
      const s = (await get('/api/v1/stats')).json();
      assert.equal(s.total, total);
      assert.equal(s.active + s.removed, s.total);
      assert.equal(s.by_feed.urlhaus.active, 10);
      assert.equal(s.by_type.url.total, 10);
      assert.equal(s.new_per_day.length, 90);
      assert.ok(s.last_updated);
    });
  });

  test('probes, docs and the OpenAPI document', async () => {
    assert.deepEqual((await get('/healthz')).json(), { status: 'ok' });
    assert.deepEqual((await get('/readyz')).json(), { status: 'ready' });
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.doesNotMatch(docs.body, /https?:\/\/(cdn|unpkg|cdnjs)/, 'no CDN assets');
    const asset = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    assert.equal(asset.statusCode, 200);
    const spec = (await get('/openapi.json')).json();
    assert.equal(spec.openapi, '3.1.0');
    for (const path of [
      '/view',
      '/download',
      '/api/v1/indicators',
      '/api/v1/indicators/{id}',
      '/api/v1/lookup',
      '/api/v1/feeds',
      '/api/v1/feeds/{name}/runs',
      '/api/v1/stats',
    ]) {
      assert.ok(spec.paths[path], `${path} is documented`);
    }
    await problem('/no/such/route', 404, /no route GET \/no\/such\/route/);
  });
});
