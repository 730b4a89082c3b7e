import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { NO_SCHEDULER, type SchedulerView } from '../api/deps.js';
import type { Store } from '../store/types.js';
import { buildTestApp, type TestApp } from './fixtures/test-app.js';
import { escapeHtml, html, raw } from './html.js';
import { webRoutes } from './plugin.js';
import { SECURITY_HEADERS } from './respond.js';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const NEXT_RUN = new Date('2030-01-02T03:04:05.000Z');
const scheduler: SchedulerView = {
  nextRunAt: (feed) => (feed === 'urlhaus' ? NEXT_RUN : null),
  isRunning: (feed) => feed === 'et-block',
};
// The crafted URLhaus row whose fields carry markup (src/web/fixtures/urlhaus.csv).
const NASTY_URL = 'http://malware-cdn.example-bad.com/dl.php?id=7&key=<b>x</b>';

let t: TestApp;
before(async () => {
  t = await buildTestApp(scheduler);
});
after(async () => {
  await t?.close();
});

async function get(url: string) {
  return t.app.inject({ method: 'GET', url });
}

/** Every `/indicators/<id>` link in the page's table body, in order. */
function rowIds(body: string): string[] {
  const tbody = body.slice(body.indexOf('<tbody>'), body.indexOf('</tbody>'));
  return [...tbody.matchAll(/<td class="value-cell"><a href="\/indicators\/([^"]+)"/g)].map((m) => m[1]!);
}

function unescapeAttr(s: string): string {
  return s.replaceAll('&amp;', '&');
}

function nextHref(body: string): string | undefined {
  const m = /<a class="button" href="([^"]+)" rel="next">Next page<\/a>/.exec(body);
  return m ? unescapeAttr(m[1]!) : undefined;
}

function assertNoInlineCode(body: string, url: string): void {
  for (const m of body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    assert.match(m[1]!, /\ssrc="\/assets\/[^"]+"/, `${url}: every script is a local file`);
    assert.equal(m[2]!.trim(), '', `${url}: no inline script body`);
  }
  assert.doesNotMatch(body, /<style\b/i, `${url}: no <style> element`);
  assert.doesNotMatch(body, /<[a-z][^>]*\sstyle\s*=/i, `${url}: no style attribute`);
  assert.doesNotMatch(body, /<[a-z][^>]*\son[a-z]+\s*=/i, `${url}: no event handler attribute`);
  assert.doesNotMatch(body, /javascript:/i, `${url}: no javascript: URL`);
}

describe('html helper', () => {
  it('escapes interpolated values and keeps SafeHtml', () => {
    const evil = `<img src=x onerror="alert('1')">&`;
    assert.equal(
      html`<p title="${evil}">${evil}</p>`.toString(),
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>',
    );
    assert.equal(html`<b>${html`<i>${'<'}</i>`}</b>`.toString(), '<b><i>&lt;</i></b>');
    assert.equal(
      html`${raw('<br>')}${['a', '<', html`<hr>`]}${null}${undefined}${false}${0}`.toString(),
      '<br>a&lt;<hr>0',
    );
    assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
  });
});

describe('web pages', () => {
  it('home page shows what the service is, each feed, its health and the totals', async () => {
    const res = await get('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/html; charset=utf-8/);
    const body = res.body;
    assert.match(body, /<h1>Threat Aggregator<\/h1>/);
    assert.match(body, /Indicators of Compromise/);
    assert.match(
      body,
      /Data last updated: <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d<\/time>/,
    );
    for (const feed of t.config.feeds) {
      assert.ok(body.includes(`<code class="feed-name">${feed.name}</code>`), `feed ${feed.name} listed`);
      assert.ok(body.includes(escapeHtml(feed.module.title)), `feed title ${feed.module.title}`);
    }
    // Totals by type: 10 URLs, 7 IPv4 (4 + 4 with one shared), 5 CIDRs, 22 in all.
    assert.match(
      body,
      /<a href="\/browse\?type=url">URL<\/a><\/th><td class="num">10<\/td><td class="num">10<\/td>/,
    );
    assert.match(
      body,
      /<a href="\/browse\?type=ipv4">IPv4<\/a><\/th><td class="num">7<\/td><td class="num">7<\/td>/,
    );
    assert.match(
      body,
      /<a href="\/browse\?type=cidr">CIDR<\/a><\/th><td class="num">5<\/td><td class="num">5<\/td>/,
    );
    assert.match(body, /<th scope="row">All types<\/th><td class="num">22<\/td><td class="num">22<\/td>/);
    // Health: outcomes, the failed run's message, the scheduler's next run and running flag.
    assert.equal((body.match(/badge badge-ok">OK</g) ?? []).length, 3);
    assert.match(body, /badge badge-failed">Failed</);
    assert.match(body, /<p class="error-text"><code>FEED_HTML<\/code> [^<]+<\/p>/);
    assert.ok(
      body.includes(
        `<time datetime="${NEXT_RUN.toISOString()}" title="${NEXT_RUN.toISOString()}">2030-01-02 03:04</time>`,
      ),
    );
    const etBlockRow = body.slice(body.indexOf('<code class="feed-name">et-block</code>'));
    assert.match(etBlockRow.slice(0, 200), /badge badge-running">Running</);
    // Search box and links.
    assert.match(body, /<form class="search-form" action="\/search" method="get" role="search">/);
    for (const href of [
      '/browse',
      '/download',
      '/download?format=csv',
      '/download?format=txt',
      '/docs',
      '/openapi.json',
    ]) {
      assert.ok(body.includes(`href="${escapeHtml(href)}"`), `link to ${href}`);
    }
  });

  it('every page carries the security headers and no inline script or style', async () => {
    const search = await get(`/search?q=${encodeURIComponent('101.187.97.173')}`);
    const urls = [
      '/',
      '/browse',
      '/browse?type=nope',
      search.headers.location as string,
      '/indicators/00000000-0000-0000-0000-000000000000',
      '/search?q=9.9.9.9',
      `/search?q=${encodeURIComponent('<script>alert(1)</script>')}`,
    ];
    for (const url of urls) {
      const res = await get(url);
      assert.equal(res.headers['content-security-policy'], CSP, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
      assertNoInlineCode(res.body, url);
      assert.match(res.body, /<link rel="stylesheet" href="\/assets\/app.css">/);
      assert.match(res.body, /<script src="\/assets\/app.js" defer><\/script>/);
    }
    assert.equal(SECURITY_HEADERS['content-security-policy'], CSP);
  });

  it('serves the static assets', async () => {
    const css = await get('/assets/app.css');
    assert.equal(css.statusCode, 200);
    assert.match(css.headers['content-type'] as string, /^text\/css/);
    assert.equal(css.headers['x-content-type-options'], 'nosniff');
    const js = await get('/assets/app.js');
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /javascript/);
    assert.equal((await get('/assets/favicon.svg')).statusCode, 200);
    assert.equal((await get('/assets/../plugin.ts')).statusCode, 404);
  });

  it('search redirects an exact match to its page and explains everything else', async () => {
    const res = await get(`/search?q=${encodeURIComponent(' 101.187.97.173 ')}`);
    assert.equal(res.statusCode, 303);
    const [found] = await t.store.findIndicators([{ type: 'ipv4', value: '101.187.97.173' }]);
    assert.ok(found);
    assert.equal(res.headers.location, `/indicators/${found.id}`);

    const inNet = await get('/search?q=1.19.3.4');
    assert.equal(inNet.statusCode, 200);
    const [net] = await t.store.findIndicators([{ type: 'cidr', value: '1.19.0.0/16' }]);
    assert.ok(inNet.body.includes(`<a href="/indicators/${net!.id}">1.19.0.0/16</a>`));
    assert.match(inNet.body, /one active network contains it/);

    const none = await get('/search?q=9.9.9.9');
    assert.equal(none.statusCode, 200);
    assert.match(none.body, /No feed lists <code class="value">9.9.9.9<\/code>/);

    const bad = await get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Not a value we can look up/);
    assert.ok(bad.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.equal((bad.body.match(/<script/g) ?? []).length, 1, 'only the app.js tag');

    const partial = await get('/search?q=1.2.3');
    assert.equal(partial.statusCode, 400);
    assert.match(partial.body, /<code class="value">1\.2\.3<\/code>: [a-z]/);

    for (const q of ['', '%20%20']) {
      const empty = await get(`/search?q=${q}`);
      assert.equal(empty.statusCode, 303);
      assert.equal(empty.headers.location, '/');
    }
    assert.equal((await get('/search')).headers.location, '/');
  });

  it('indicator page shows every sighting with its attributes and the original record', async () => {
    const [ip] = await t.store.findIndicators([{ type: 'ipv4', value: '101.187.97.173' }]);
    const res = await get(`/indicators/${ip!.id}`);
    assert.equal(res.statusCode, 200);
    const body = res.body;
    assert.match(body, /<h1 class="indicator-value" id="indicator-value">101\.187\.97\.173<\/h1>/);
    assert.equal((body.match(/<article class="panel sighting"/g) ?? []).length, 2);
    assert.match(body, /<code class="feed-name">et-block<\/code>/);
    assert.match(body, /<code class="feed-name">et-compromised<\/code>/);
    assert.match(body, /<dt>Section<\/dt><dd>Feodo<\/dd>/);
    assert.match(
      body,
      /<pre class="original"><code>\{\n {2}&quot;value&quot;: &quot;101\.187\.97\.173&quot;,\n {2}&quot;section&quot;: &quot;Feodo&quot;\n\}<\/code><\/pre>/,
    );
    assert.match(
      body,
      /<dt>First seen<\/dt><dd><time datetime="[^"]+" title="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d<\/time>/,
    );
    assert.match(body, /<dt>Removed<\/dt><dd><span class="muted">still listed<\/span>/);
  });

  it('indicator page escapes markup from the feed in values, attributes and the original record', async () => {
    const search = await get(`/search?q=${encodeURIComponent(NASTY_URL)}`);
    assert.equal(search.statusCode, 303);
    const res = await get(search.headers.location as string);
    assert.equal(res.statusCode, 200);
    const body = res.body;
    assertNoInlineCode(body, 'nasty indicator');
    assert.equal((body.match(/<script/g) ?? []).length, 1, 'only the app.js tag');
    assert.doesNotMatch(body, /<img/);
    assert.doesNotMatch(body, /<b>x/);
    // Tags and reporter, as attributes.
    assert.ok(body.includes('<span class="chip">Tom&amp;Jerry</span>'));
    assert.ok(body.includes('<span class="chip">&lt;script&gt;alert(1)&lt;/script&gt;</span>'));
    assert.ok(body.includes('<dt>Reporter</dt><dd>&lt;img src=x onerror=alert(2)&gt;</dd>'));
    // The original CSV row, pretty-printed.
    assert.ok(body.includes(`&quot;url&quot;: &quot;${escapeHtml(NASTY_URL)}&quot;`));
    assert.ok(body.includes('&quot;reporter&quot;: &quot;&lt;img src=x onerror=alert(2)&gt;&quot;'));
    // The reference is a link (http), the malicious URL itself never is.
    assert.ok(
      body.includes('<a href="https://urlhaus.abuse.ch/url/3786230/" rel="noopener noreferrer nofollow">'),
    );
    assert.doesNotMatch(body, /href="http:\/\/malware-cdn/);
  });

  it('unknown indicator ids are a 404 page', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid', '%3Cscript%3E']) {
      const res = await get(`/indicators/${id}`);
      assert.equal(res.statusCode, 404, id);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.match(res.body, /Indicator not found/);
      assert.equal((res.body.match(/<script/g) ?? []).length, 1);
    }
  });

  it('browse filters by type', async () => {
    const res = await get('/browse?type=cidr');
    assert.equal(res.statusCode, 200);
    const ids = rowIds(res.body);
    assert.equal(ids.length, 5);
    assert.match(res.body, /<strong>5<\/strong> indicators match/);
    for (const id of ids) assert.equal((await t.store.getIndicator(id))?.type, 'cidr');
    assert.match(res.body, /<option value="cidr" selected>CIDR<\/option>/);
    assert.equal(nextHref(res.body), undefined);

    const feed = await get('/browse?source=et-compromised&type=ipv4');
    assert.equal(rowIds(feed.body).length, 4);
    const since = await get('/browse?type=url&since=2026-02-25&until=2026-02-25');
    assert.equal(rowIds(since.body).length, 2, 'the two URLs added on 2026-02-25');
    const removed = await get('/browse?active=removed');
    assert.equal(rowIds(removed.body).length, 0);
    assert.match(removed.body, /No indicators match these filters/);
  });

  it('browse pages newest first with the keyset cursor, without overlap', async () => {
    const expected = (await t.store.listIndicators({}, { limit: 100, order: 'desc' })).map((r) => r.id);
    assert.equal(expected.length, 22);
    const first = await get('/browse?limit=4');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /<strong>22<\/strong> indicators match/);
    assert.doesNotMatch(first.body, /First page/);
    const seen: string[] = [];
    let body = first.body;
    let pages = 0;
    for (;;) {
      const ids = rowIds(body);
      assert.ok(ids.length > 0 && ids.length <= 4, `page ${pages + 1} has 1-4 rows`);
      for (const id of ids) assert.ok(!seen.includes(id), `row ${id} appears on one page only`);
      seen.push(...ids);
      pages++;
      const next = nextHref(body);
      if (!next) break;
      assert.match(next, /^\/browse\?limit=4&cursor=[A-Za-z0-9_-]+$/);
      const res = await get(next);
      assert.equal(res.statusCode, 200);
      body = res.body;
      assert.match(
        body,
        /<a class="button button-secondary" href="\/browse\?limit=4" rel="first">First page<\/a>/,
      );
    }
    assert.equal(pages, 6);
    assert.deepEqual(seen, expected, 'every row once, newest first');

    // Filters ride along with the cursor.
    const urls = await get('/browse?type=url&limit=3');
    const next = nextHref(urls.body)!;
    assert.match(next, /^\/browse\?type=url&limit=3&cursor=/);
    const page2 = rowIds((await get(next)).body);
    assert.equal(page2.length, 3);
    assert.ok(page2.every((id) => !rowIds(urls.body).includes(id)));
  });

  it('bad browse parameters are a 400 page with the message and the form', async () => {
    const cases: [string, RegExp][] = [
      ['type=nope', /type must be one of ipv4, ipv6, cidr, url, domain, got &quot;nope&quot;/],
      ['source=nofeed', /source must be a feed name \([^)]*\), got &quot;nofeed&quot;/],
      ['active=maybe', /active must be one of all, active, removed, got &quot;maybe&quot;/],
      ['since=2026-02-30', /since is not a real date/],
      ['since=2026-03-01&until=2026-02-01', /since must not be after until/],
      ['limit=0', /limit must be a whole number from 1 to 500/],
      ['limit=abc', /limit must be a whole number/],
      ['cursor=!!', /cursor is not a cursor this API returned/],
      ['type=url&type=cidr', /type must be given once/],
    ];
    for (const [qs, message] of cases) {
      const res = await get(`/browse?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.match(res.headers['content-type'] as string, /^text\/html/);
      assert.match(res.body, message, qs);
      assert.match(
        res.body,
        /<form class="panel filters" action="\/browse" method="get"/,
        `${qs}: form kept`,
      );
      assert.equal(rowIds(res.body).length, 0);
    }
    const xss = await get(`/browse?type=${encodeURIComponent('"><script>alert(1)</script>')}`);
    assert.equal(xss.statusCode, 400);
    assert.equal((xss.body.match(/<script/g) ?? []).length, 1);
  });

  it('a store failure is a logged 500 page that reveals nothing', async () => {
    const failing = new Proxy(t.store, {
      get(target, prop, receiver) {
        if (prop === 'stats' || prop === 'listIndicators') {
          return () => Promise.reject(new Error('SQLITE_CORRUPT: secret detail'));
        }
        return Reflect.get(target, prop, receiver);
      },
    }) as Store;
    const logged: string[] = [];
    const app = Fastify({
      logger: { level: 'error', stream: { write: (line: string) => void logged.push(line) } },
    });
    await webRoutes(app, { store: failing, config: t.config, scheduler: NO_SCHEDULER });
    try {
      for (const url of ['/', '/browse']) {
        const res = await app.inject(url);
        assert.equal(res.statusCode, 500, url);
        assert.match(res.headers['content-type'] as string, /^text\/html/);
        assert.equal(res.headers['content-security-policy'], CSP);
        assert.match(res.body, /Something went wrong/);
        assert.doesNotMatch(res.body, /SQLITE_CORRUPT|secret/);
      }
      assert.equal(logged.length, 2);
      assert.match(logged[0]!, /SQLITE_CORRUPT/);
    } finally {
      await app.close();
    }
  });
});
