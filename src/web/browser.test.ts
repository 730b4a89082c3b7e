/**
 * The web pages in a real Chromium: search, the indicator page, browse paging, the small script, no console
 * errors and no CSP violations, at desktop and phone widths. Needs /usr/bin/chromium (apt-get install
 * chromium); without it the test fails rather than skips.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildTestApp, type TestApp } from './fixtures/test-app.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-results');

let t: TestApp;
let base: string;
let context: BrowserContext;
let profile: string;
const problems: string[] = [];

function watch(page: Page): Page {
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning')
      problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`),
  );
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'document' && res.status() >= 400) {
      problems.push(`${res.status()} for ${res.url()}`);
    }
  });
  return page;
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with apt-get install -y chromium`);
  mkdirSync(SHOTS, { recursive: true });
  t = await buildTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address();
  assert.ok(addr && typeof addr === 'object');
  base = `http://127.0.0.1:${addr.port}`;
  profile = mkdtempSync(join(tmpdir(), 'ta-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
  });
  // Injected by the browser itself (not a page script), so the CSP does not apply to it.
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => {
      console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI);
    });`,
  });
});

after(async () => {
  await context?.close();
  await t?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function browseValues(page: Page): Promise<string[]> {
  return page.locator('table.browse tbody td.value-cell a').allTextContents();
}

describe('web pages in Chromium', () => {
  it('searches from the home page and lands on the indicator page', async () => {
    const page = watch(await context.newPage());
    await page.goto(`${base}/`);
    assert.equal(await page.title(), 'Home · Threat Aggregator');
    assert.ok(await page.getByRole('rowheader', { name: /abuse\.ch URLhaus/ }).isVisible());
    await page.screenshot({ path: join(SHOTS, 'web-home.png'), fullPage: true });

    await page.getByLabel('Look up an indicator').fill('101.187.97.173');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/indicators\/[0-9a-f-]{36}$/);
    assert.equal(await page.locator('#indicator-value').textContent(), '101.187.97.173');
    const sightings = page.locator('article.sighting');
    assert.equal(await sightings.count(), 2);
    for (let i = 0; i < 2; i++) assert.ok(await sightings.nth(i).isVisible());
    assert.ok(await page.getByRole('heading', { name: /et-compromised/ }).isVisible());
    // app.js ran: the copy button is shown (127.0.0.1 is a secure context with a clipboard).
    assert.ok(await page.getByRole('button', { name: 'Copy value' }).isVisible());
    await page.screenshot({ path: join(SHOTS, 'web-indicator.png'), fullPage: true });
    await page.close();
  });

  it('shows the escaped markup of a hostile record as text', async () => {
    const page = watch(await context.newPage());
    await page.goto(
      `${base}/search?q=${encodeURIComponent('http://malware-cdn.example-bad.com/dl.php?id=7&key=<b>x</b>')}`,
    );
    await page.waitForURL(/\/indicators\//);
    assert.ok(await page.getByText('<img src=x onerror=alert(2)>', { exact: true }).isVisible());
    assert.ok(await page.getByText('<script>alert(1)</script>', { exact: true }).isVisible());
    assert.equal(await page.locator('main img, main script').count(), 0);
    await page.screenshot({ path: join(SHOTS, 'web-indicator-url.png'), fullPage: true });
    await page.close();
  });

  it('browses, pages with Next page and filters on select change', async () => {
    const page = watch(await context.newPage());
    await page.goto(`${base}/browse?limit=5`);
    const first = await browseValues(page);
    assert.equal(first.length, 5);
    await page.screenshot({ path: join(SHOTS, 'web-browse.png'), fullPage: true });
    await page.getByRole('link', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    const second = await browseValues(page);
    assert.equal(second.length, 5);
    assert.ok(
      second.every((v) => !first.includes(v)),
      'the second page has other rows',
    );
    await page.getByRole('link', { name: 'First page' }).click();
    await page.waitForURL((url) => !url.search.includes('cursor='));
    assert.deepEqual(await browseValues(page), first);

    // The type select submits the form on change (app.js); the page size rides along.
    await page.getByLabel('Type').selectOption('cidr');
    await page.waitForURL(/type=cidr/);
    assert.match(page.url(), /limit=5/);
    const cidrs = await browseValues(page);
    assert.equal(cidrs.length, 5);
    assert.ok(cidrs.every((v) => v.includes('/')));
    await page.close();
  });

  it('searches from the header for an address inside a listed network', async () => {
    const page = watch(await context.newPage());
    await page.goto(`${base}/browse`);
    await page.getByRole('searchbox', { name: 'Search indicators' }).fill('1.19.3.4');
    await page.getByRole('searchbox', { name: 'Search indicators' }).press('Enter');
    await page.waitForURL(/\/search\?q=1\.19\.3\.4$/);
    assert.ok(await page.getByText('one active network contains it').isVisible());
    await page.screenshot({ path: join(SHOTS, 'web-search.png'), fullPage: true });
    await page.getByRole('link', { name: '1.19.0.0/16' }).click();
    await page.waitForURL(/\/indicators\//);
    assert.equal(await page.locator('#indicator-value').textContent(), '1.19.0.0/16');
    await page.close();
  });

  it('works without app.js: no copy button, filters apply with the button', async () => {
    const page = watch(await context.newPage());
    await page.route('**/assets/app.js', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
    );
    const [ip] = await t.store.findIndicators([{ type: 'ipv4', value: '101.187.97.173' }]);
    await page.goto(`${base}/indicators/${ip!.id}`);
    assert.equal(await page.locator('button[data-copy]').isVisible(), false);
    await page.goto(`${base}/browse`);
    await page.getByLabel('Type').selectOption('url');
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/type=url/);
    assert.match(page.url(), /active=active/);
    assert.equal((await browseValues(page)).length, 10);
    await page.close();
  });

  it('fits a 375 px wide screen', async () => {
    const page = watch(await context.newPage());
    await page.setViewportSize({ width: 375, height: 812 });
    const [ip] = await t.store.findIndicators([{ type: 'ipv4', value: '101.187.97.173' }]);
    for (const [path, shot] of [
      ['/', 'web-home-mobile.png'],
      ['/browse?limit=5', 'web-browse-mobile.png'],
      [`/indicators/${ip!.id}`, 'web-indicator-mobile.png'],
    ] as const) {
      await page.goto(`${base}${path}`);
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 375, `${path} is ${width} px wide`);
      await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
    }
    await page.close();
  });

  it('logged no console errors and no CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
