import type { AppDeps } from '../../api/deps.js';
import { lookupValues } from '../../indicators/lookup.js';
import type { IndicatorWithSightings } from '../../store/types.js';
import { activeBadge, time, typeLabel } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { layout } from '../layout.js';
import type { PageResult } from '../respond.js';

export function indicatorHref(id: string): string {
  return `/indicators/${encodeURIComponent(id)}`;
}

/** One exact match goes straight to its page; anything else is explained here. */
export async function searchPage(deps: AppDeps, q: string | undefined): Promise<PageResult> {
  if (q === undefined) return { redirect: '/' };
  const [result] = await lookupValues(deps.store, [q]);
  if (!result) return { redirect: '/' };
  if (result.indicator) return { redirect: indicatorHref(result.indicator.id) };

  let status = 200;
  let body: SafeHtml;
  if (result.invalid !== undefined) {
    status = 400;
    body = html`<div class="notice notice-warn" role="alert">
<h2>Not a value we can look up</h2>
<p><code class="value">${q}</code>: ${result.invalid}</p>
<p class="muted">Search takes one IPv4 or IPv6 address, a CIDR network, a URL or a domain name.</p>
</div>`;
  } else if (result.containedIn.length > 0) {
    body = html`<div class="notice notice-info">
<p><code class="value">${result.value}</code> is not listed itself, but ${
      result.containedIn.length === 1
        ? 'one active network contains it'
        : `${result.containedIn.length} active networks contain it`
    }:</p>
</div>
${resultTable(result.containedIn)}`;
  } else {
    body = html`<div class="notice notice-ok">
<h2>No match</h2>
<p>No feed lists <code class="value">${result.value}</code>${result.type && html` (${typeLabel(result.type)})`}${
      result.type === 'ipv4' || result.type === 'ipv6' ? ', and no listed network contains it' : ''
    }.</p>
</div>`;
  }
  const main = html`<h1>Search results</h1>
${searchForm(q)}
${body}`;
  return { status, body: layout({ title: `Search: ${q}`, query: q, main }) };
}

function searchForm(q: string): SafeHtml {
  return html`<form class="search-form" action="/search" method="get" role="search">
<label for="q">Look up an indicator</label>
<div class="search-row">
<input id="q" name="q" type="search" value="${q}" autocomplete="off" spellcheck="false" required>
<button type="submit">Search</button>
</div>
</form>`;
}

function resultTable(items: IndicatorWithSightings[]): SafeHtml {
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Network</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col">Status</th><th scope="col">Sources</th></tr></thead>
<tbody>${items.map(
    (i) =>
      html`<tr><td class="value-cell"><a href="${indicatorHref(i.id)}">${i.value}</a></td><td>${time(i.firstSeen)}</td><td>${time(i.lastSeen)}</td><td>${activeBadge(i.active)}</td><td>${sourceChips(i.sightings.map((s) => s.feed))}</td></tr>`,
  )}</tbody>
</table></div>`;
}

export function sourceChips(feeds: readonly string[]): SafeHtml {
  return html`<span class="chips">${[...new Set(feeds)].map((f) => html`<span class="chip">${f}</span>`)}</span>`;
}
