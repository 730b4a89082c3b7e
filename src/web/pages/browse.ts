import { decodeCursor, encodeCursor } from '../../api/cursor.js';
import type { AppDeps } from '../../api/deps.js';
import { AppError, isAppError } from '../../errors.js';
import { buildFilter } from '../../indicators/filter.js';
import { INDICATOR_TYPES } from '../../indicators/types.js';
import type { Cursor, ExportRow, IndicatorFilter } from '../../store/types.js';
import { activeBadge, count, time, typeLabel } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { layout } from '../layout.js';
import { type PageResult, queryParam } from '../respond.js';
import { indicatorHref, sourceChips } from './search.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
const ACTIVE_CHOICES = ['all', 'active', 'removed'] as const;

/** The browse parameters as the user gave them, echoed back into the form and the paging links. */
interface BrowseParams {
  type: string | undefined;
  source: string | undefined;
  active: string | undefined;
  since: string | undefined;
  until: string | undefined;
  limit: string | undefined;
  cursor: string | undefined;
}

export async function browsePage(deps: AppDeps, query: unknown): Promise<PageResult> {
  let params: BrowseParams;
  try {
    params = {
      type: queryParam(query, 'type'),
      source: queryParam(query, 'source'),
      active: queryParam(query, 'active'),
      since: queryParam(query, 'since'),
      until: queryParam(query, 'until'),
      limit: queryParam(query, 'limit'),
      cursor: queryParam(query, 'cursor'),
    };
  } catch (err) {
    if (!isAppError(err)) throw err;
    return render(deps, emptyParams(), { error: err.message });
  }
  let filter: IndicatorFilter;
  let limit: number;
  let after: Cursor | undefined;
  try {
    filter = buildFilter(
      {
        type: params.type,
        source: params.source,
        active: parseActive(params.active),
        since: params.since,
        until: params.until,
      },
      deps.config.feeds.map((f) => f.name),
    );
    limit = parseLimit(params.limit);
    after = params.cursor === undefined ? undefined : decodeCursor(params.cursor);
  } catch (err) {
    if (!isAppError(err) || err.code !== 'INVALID_ARGUMENT') throw err;
    return render(deps, params, { error: err.message });
  }
  // One row more than shown tells whether a next page exists.
  const [rows, total] = await Promise.all([
    deps.store.listIndicators(filter, { limit: limit + 1, order: 'desc', ...(after && { after }) }),
    deps.store.countIndicators(filter),
  ]);
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  const next =
    rows.length > limit && last ? encodeCursor({ firstSeen: last.firstSeen, rowId: last.rowId }) : undefined;
  return render(deps, params, { rows: shown, total, next });
}

function emptyParams(): BrowseParams {
  return {
    type: undefined,
    source: undefined,
    active: undefined,
    since: undefined,
    until: undefined,
    limit: undefined,
    cursor: undefined,
  };
}

function parseActive(value: string | undefined): boolean | undefined {
  if (value === undefined || value === 'all') return undefined;
  if (value === 'active') return true;
  if (value === 'removed') return false;
  throw new AppError(
    'INVALID_ARGUMENT',
    `active must be one of ${ACTIVE_CHOICES.join(', ')}, got "${value}"`,
  );
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `limit must be a whole number from 1 to ${MAX_LIMIT}, got "${value}"`,
    );
  }
  return n;
}

/** `/browse?…` with the given parameters, empty ones left out. */
function browseHref(params: Partial<BrowseParams>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, v);
  const s = qs.toString();
  return s ? `/browse?${s}` : '/browse';
}

type Outcome = { error: string } | { rows: ExportRow[]; total: number; next: string | undefined };

function render(deps: AppDeps, p: BrowseParams, outcome: Outcome): PageResult {
  const { cursor: _cursor, ...filters } = p;
  const body =
    'error' in outcome
      ? html`<div class="notice notice-warn" role="alert"><h2>Those filters do not work</h2><p>${outcome.error}</p><p><a href="/browse">Reset the filters</a></p></div>`
      : results(outcome, filters, p.cursor !== undefined);
  const main = html`<h1>Browse indicators</h1>
${filterForm(deps, p)}
${body}`;
  return {
    status: 'error' in outcome ? 400 : 200,
    body: layout({ title: 'Browse', nav: 'browse', headerSearch: true, main }),
  };
}

function option(value: string, label: string, current: string | undefined): SafeHtml {
  return html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${label}</option>`;
}

function filterForm(deps: AppDeps, p: BrowseParams): SafeHtml {
  return html`<form class="panel filters" action="/browse" method="get" aria-label="Filters">
<div class="field"><label for="f-type">Type</label>
<select id="f-type" name="type" data-autosubmit>${option('', 'All types', p.type)}${INDICATOR_TYPES.map((t) => option(t, typeLabel(t), p.type))}</select></div>
<div class="field"><label for="f-source">Feed</label>
<select id="f-source" name="source" data-autosubmit>${option('', 'All feeds', p.source)}${deps.config.feeds.map((f) => option(f.name, f.module.title, p.source))}</select></div>
<div class="field"><label for="f-active">Status</label>
<select id="f-active" name="active" data-autosubmit>${option('', 'Any status', p.active === 'all' ? '' : p.active)}${option('active', 'Active', p.active)}${option('removed', 'Removed', p.active)}</select></div>
<div class="field"><label for="f-since">First seen from</label>
<input id="f-since" name="since" type="date" value="${p.since ?? ''}"></div>
<div class="field"><label for="f-until">First seen until</label>
<input id="f-until" name="until" type="date" value="${p.until ?? ''}"></div>
${p.limit !== undefined && html`<input type="hidden" name="limit" value="${p.limit}">`}
<div class="field field-actions"><button type="submit">Apply</button> <a class="button button-secondary" href="/browse">Reset</a></div>
</form>`;
}

function results(
  r: { rows: ExportRow[]; total: number; next: string | undefined },
  filters: Omit<BrowseParams, 'cursor'>,
  paged: boolean,
): SafeHtml {
  const first = browseHref(filters);
  const pager = html`<nav class="pager" aria-label="Pages">
${paged ? html`<a class="button button-secondary" href="${first}" rel="first">First page</a>` : ''}
${r.next ? html`<a class="button" href="${browseHref({ ...filters, cursor: r.next })}" rel="next">Next page</a>` : ''}
</nav>`;
  if (r.rows.length === 0) {
    return html`<p class="result-count"><strong>${count(r.total)}</strong> ${r.total === 1 ? 'indicator matches' : 'indicators match'}.</p>
<div class="notice notice-info"><p>${paged ? 'No more indicators on this page.' : 'No indicators match these filters.'}</p></div>
${pager}`;
  }
  return html`<p class="result-count"><strong>${count(r.total)}</strong> ${r.total === 1 ? 'indicator matches' : 'indicators match'}, newest first. Showing ${count(r.rows.length)} on this page.</p>
<div class="table-wrap">
<table class="browse">
<thead><tr><th scope="col">Value</th><th scope="col">Type</th><th scope="col">First seen</th><th scope="col">Last seen</th><th scope="col">Status</th><th scope="col">Sources</th></tr></thead>
<tbody>
${r.rows.map(
  (row) => html`<tr>
<td class="value-cell"><a href="${indicatorHref(row.id)}">${row.value}</a></td>
<td>${typeLabel(row.type)}</td>
<td>${time(row.firstSeen)}</td>
<td>${time(row.lastSeen)}</td>
<td>${activeBadge(row.active)}</td>
<td>${sourceChips(row.sources)}</td>
</tr>`,
)}
</tbody>
</table>
</div>
${pager}`;
}
