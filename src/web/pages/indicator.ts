import type { AppDeps } from '../../api/deps.js';
import type { SightingAttributes } from '../../feeds/types.js';
import type { IndicatorWithSightings, Sighting } from '../../store/types.js';
import { activeBadge, count, safeHref, time, typeLabel } from '../format.js';
import { type HtmlValue, html, type SafeHtml } from '../html.js';
import { errorPage, layout } from '../layout.js';
import type { PageResult } from '../respond.js';
import { indicatorHref, sourceChips } from './search.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function indicatorPage(deps: AppDeps, id: string): Promise<PageResult> {
  const indicator = UUID.test(id) ? await deps.store.getIndicator(id.toLowerCase()) : undefined;
  if (!indicator) {
    return {
      status: 404,
      body: errorPage(404, 'Indicator not found', `There is no indicator with the id "${id}".`),
    };
  }
  const networks =
    indicator.type === 'ipv4' || indicator.type === 'ipv6'
      ? await deps.store.findContainingCidrs(indicator.value)
      : [];
  const titles = new Map(deps.config.feeds.map((f) => [f.name, f.module.title]));
  const main = html`<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/browse">Browse</a> <span aria-hidden="true">/</span> <a href="/browse?type=${indicator.type}">${typeLabel(indicator.type)}</a></nav>
<section class="panel indicator-head">
<p class="eyebrow">${typeLabel(indicator.type)} indicator</p>
<div class="value-row">
<h1 class="indicator-value" id="indicator-value">${indicator.value}</h1>
<button type="button" class="button button-secondary copy-button" data-copy="${indicator.value}" hidden>Copy value</button>
</div>
${indicator.type === 'url' || indicator.type === 'domain' ? html`<p class="muted small">Shown as text, never as a link: this may be a live malicious address.</p>` : ''}
<dl class="facts">
<div><dt>Status</dt><dd>${activeBadge(indicator.active)}</dd></div>
<div><dt>First seen</dt><dd>${time(indicator.firstSeen)}</dd></div>
<div><dt>Last seen</dt><dd>${time(indicator.lastSeen)}</dd></div>
<div><dt>First reported by</dt><dd>${titles.get(indicator.firstFeed) ?? indicator.firstFeed}</dd></div>
<div><dt>Sources</dt><dd>${sourceChips(indicator.sightings.map((s) => s.feed))}</dd></div>
<div class="full"><dt>ID</dt><dd><code class="small id">${indicator.id}</code></dd></div>
</dl>
</section>
${networks.length > 0 && containingNetworks(networks)}
<h2>Sightings <span class="count">${count(indicator.sightings.length)}</span></h2>
<div class="sightings">
${indicator.sightings.map((s) => sightingCard(s, titles.get(s.feed)))}
</div>`;
  return { status: 200, body: layout({ title: indicator.value, headerSearch: true, main }) };
}

function containingNetworks(networks: IndicatorWithSightings[]): SafeHtml {
  return html`<section class="panel" aria-labelledby="nets-h">
<h2 id="nets-h">Listed networks containing this address</h2>
<ul class="plain-list">${networks.map(
    (n) =>
      html`<li><a href="${indicatorHref(n.id)}">${n.value}</a> ${sourceChips(n.sightings.map((s) => s.feed))}</li>`,
  )}</ul>
</section>`;
}

function sightingCard(s: Sighting, title: string | undefined): SafeHtml {
  const attrs = attributeRows(s.attributes);
  return html`<article class="panel sighting" aria-label="Sighting by ${s.feed}">
<header class="sighting-head">
<h3>${title ?? s.feed} <code class="feed-name">${s.feed}</code></h3>
${s.removedAt ? html`<span class="badge badge-never">Removed</span>` : html`<span class="badge badge-ok">Listed</span>`}
</header>
<dl class="facts">
<div><dt>First seen</dt><dd>${time(s.firstSeen)}</dd></div>
<div><dt>Last seen</dt><dd>${time(s.lastSeen)}</dd></div>
<div><dt>Removed</dt><dd>${time(s.removedAt, 'still listed')}</dd></div>
</dl>
${attrs.length > 0 && html`<h4>Attributes</h4><dl class="attributes">${attrs}</dl>`}
<h4>Original record</h4>
<pre class="original"><code>${JSON.stringify(s.originalData, null, 2)}</code></pre>
</article>`;
}

const LABELS: Record<string, string> = {
  malware: 'Malware',
  threat: 'Threat',
  tags: 'Tags',
  port: 'Port',
  status: 'Status',
  country: 'Country',
  asn: 'ASN',
  asName: 'AS name',
  hostname: 'Host name',
  reporter: 'Reporter',
  lastOnline: 'Last online',
  reference: 'Reference',
  section: 'Section',
  note: 'Note',
};

function attributeRows(a: SightingAttributes): SafeHtml[] {
  const rows: SafeHtml[] = [];
  for (const [key, value] of Object.entries(a) as [string, unknown][]) {
    if (value === undefined || value === null || value === '') continue;
    rows.push(html`<div><dt>${LABELS[key] ?? key}</dt><dd>${attributeValue(key, value)}</dd></div>`);
  }
  return rows;
}

function attributeValue(key: string, value: unknown): HtmlValue {
  if (key === 'tags' && Array.isArray(value)) {
    return html`<span class="chips">${value.map((t) => html`<span class="chip">${String(t)}</span>`)}</span>`;
  }
  if (key === 'lastOnline' && typeof value === 'string') return time(value);
  if (key === 'asn' && typeof value === 'number') return `AS${value}`;
  if (key === 'reference' && typeof value === 'string') {
    const href = safeHref(value);
    return href ? html`<a href="${href}" rel="noopener noreferrer nofollow">${value}</a>` : value;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return html`<code>${JSON.stringify(value)}</code>`;
}
