import type { AppDeps } from '../../api/deps.js';
import type { FeedConfig } from '../../config/config.js';
import { formatDuration } from '../../config/duration.js';
import { INDICATOR_TYPES } from '../../indicators/types.js';
import type { FeedHealth, Stats } from '../../store/types.js';
import { count, outcomeBadge, safeHref, time, typeLabel } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { layout } from '../layout.js';
import type { PageResult } from '../respond.js';

const CHART_DAYS = 30;

export async function homePage(deps: AppDeps): Promise<PageResult> {
  const feeds = deps.config.feeds;
  const [stats, health] = await Promise.all([
    deps.store.stats(CHART_DAYS),
    deps.store.feedHealth(feeds.map((f) => f.name)),
  ]);
  const byName = new Map(health.map((h) => [h.feed, h]));
  const main = html`
<section class="hero">
<h1>Threat Aggregator</h1>
<p class="lead">Threat Aggregator collects Indicators of Compromise (IP addresses, networks, URLs and domains) from public threat-intelligence feeds, keeps them current as the feeds add and drop entries, and serves them here, through a JSON API and as downloadable block lists for firewalls and scripts.</p>
<p class="updated">Data last updated: ${time(stats.lastUpdated, 'never')}</p>
<form class="search-form" action="/search" method="get" role="search">
<label for="q">Look up an indicator</label>
<div class="search-row">
<input id="q" name="q" type="search" placeholder="e.g. 203.0.113.7, 198.51.100.0/24, https://example.com/x" autocomplete="off" spellcheck="false" required>
<button type="submit">Search</button>
</div>
</form>
</section>

${summaryCards(stats, feeds.length)}

<div class="grid-2">
<section class="panel" aria-labelledby="types-h">
<h2 id="types-h">Indicators by type</h2>
${typeTable(stats)}
</section>
<section class="panel" aria-labelledby="chart-h">
<h2 id="chart-h">New indicators, last ${CHART_DAYS} days</h2>
${chart(stats.newPerDay)}
</section>
</div>

<section class="panel" aria-labelledby="feeds-h">
<h2 id="feeds-h">Feeds</h2>
<div class="table-wrap">
<table class="feeds">
<thead><tr><th scope="col">Feed</th><th scope="col">Enabled</th><th scope="col">Last success</th><th scope="col">Last run</th><th scope="col" class="num">Active / total</th><th scope="col">Next run</th></tr></thead>
<tbody>
${feeds.map((f) => feedRow(f, byName.get(f.name), deps))}
</tbody>
</table>
</div>
</section>

<section class="panel" aria-labelledby="links-h">
<h2 id="links-h">Use the data</h2>
<ul class="link-grid">
<li><a class="link-card" href="/browse"><strong>Browse</strong><span>Filter and page through every indicator</span></a></li>
<li><a class="link-card" href="/download"><strong>Download</strong><span>The indicators in the default export format</span></a></li>
<li><a class="link-card" href="/download?format=csv"><strong>Download (CSV)</strong><span>For spreadsheets and SIEMs</span></a></li>
<li><a class="link-card" href="/download?format=txt"><strong>Download (TXT)</strong><span>One value a line, for block lists</span></a></li>
<li><a class="link-card" href="/docs"><strong>API docs</strong><span>Interactive reference</span></a></li>
<li><a class="link-card" href="/openapi.json"><strong>OpenAPI</strong><span>Machine-readable API description</span></a></li>
</ul>
</section>`;
  return { status: 200, body: layout({ title: 'Home', nav: 'home', main }) };
}

function summaryCards(stats: Stats, feedCount: number): SafeHtml {
  const cards: [string, string][] = [
    ['Active indicators', count(stats.active)],
    ['Total indicators', count(stats.total)],
    ['Removed by their feeds', count(stats.removed)],
    ['Feeds', count(feedCount)],
  ];
  return html`<ul class="cards" aria-label="Summary">${cards.map(
    ([label, value]) =>
      html`<li class="card"><span class="card-value">${value}</span><span class="card-label">${label}</span></li>`,
  )}</ul>`;
}

function typeTable(stats: Stats): SafeHtml {
  const rows = INDICATOR_TYPES.map((t) => {
    const c = stats.byType[t] ?? { active: 0, total: 0 };
    return html`<tr><th scope="row"><a href="/browse?type=${t}">${typeLabel(t)}</a></th><td class="num">${count(c.active)}</td><td class="num">${count(c.total)}</td></tr>`;
  });
  return html`<div class="table-wrap"><table class="types">
<thead><tr><th scope="col">Type</th><th scope="col" class="num">Active</th><th scope="col" class="num">Total</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><th scope="row">All types</th><td class="num">${count(stats.active)}</td><td class="num">${count(stats.total)}</td></tr></tfoot>
</table></div>`;
}

/** Bars drawn with SVG attributes (no inline styles, which the CSP forbids). */
function chart(days: Stats['newPerDay']): SafeHtml {
  if (days.length === 0) return html`<p class="muted">No data.</p>`;
  const max = Math.max(1, ...days.map((d) => d.count));
  const w = 10;
  const h = 80;
  const bars = days.map((d, i) => {
    const bh = d.count === 0 ? 0 : Math.max(2, Math.round((d.count / max) * h));
    return html`<rect x="${i * w + 1}" y="${h - bh}" width="${w - 2}" height="${bh}"><title>${d.day}: ${count(d.count)} new</title></rect>`;
  });
  const total = days.reduce((n, d) => n + d.count, 0);
  const first = days[0]!.day;
  const last = days[days.length - 1]!.day;
  return html`<figure class="chart">
<svg viewBox="0 0 ${days.length * w} ${h + 1}" preserveAspectRatio="none" role="img" aria-label="${count(total)} new indicators from ${first} to ${last}, at most ${count(max)} a day">
<line class="axis" x1="0" y1="${h + 0.5}" x2="${days.length * w}" y2="${h + 0.5}"></line>
${bars}
</svg>
<figcaption><span>${first}</span><span>${count(total)} new, peak ${count(max)} a day</span><span>${last}</span></figcaption>
</figure>`;
}

function feedRow(f: FeedConfig, h: FeedHealth | undefined, deps: AppDeps): SafeHtml {
  const run = h?.lastRun ?? null;
  const running = deps.scheduler.isRunning(f.name) || run?.outcome === 'running';
  // A run still in progress says nothing about its outcome yet: show the previous state as "running".
  const outcome = run === null ? 'never' : run.outcome;
  const home = safeHref(f.module.homepage);
  const next = deps.scheduler.nextRunAt(f.name);
  return html`<tr>
<th scope="row"><a class="feed-title" href="/browse?source=${f.name}">${f.module.title}</a>
<span class="feed-meta"><code class="feed-name">${f.name}</code>${home && html` · <a href="${home}" rel="noopener noreferrer">website</a>`}</span>${
    running && outcome !== 'running' ? html` ${outcomeBadge('running')}` : ''
  }</th>
<td>${f.enabled ? html`<span class="badge badge-ok">Enabled</span>` : html`<span class="badge badge-never">Disabled</span>`}</td>
<td>${time(h?.lastSuccessAt ?? null, 'never')}</td>
<td>${outcomeBadge(outcome)}${run && html` <span class="run-time">${time(run.finishedAt ?? run.startedAt)}</span>`}${
    run?.error &&
    html`<p class="error-text">${run.errorCode ? html`<code>${run.errorCode}</code> ` : ''}${run.error}</p>`
  }</td>
<td class="num">${count(h?.active ?? 0)}<span class="muted"> / ${count(h?.total ?? 0)}</span></td>
<td class="next-run">${f.enabled ? (next ? time(next) : html`<span class="muted">not scheduled</span>`) : html`<span class="muted">disabled</span>`}<span class="interval">every ${formatDuration(f.intervalMs)}</span></td>
</tr>`;
}
