import type { RunOutcome } from '../store/types.js';
import { html, type SafeHtml } from './html.js';

/** `2026-02-26T12:05:20Z` as `2026-02-26 12:05` (UTC); an unparsable value is shown as given. */
export function formatUtc(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

/** A `<time>` showing the UTC minute, with the full ISO timestamp in its title; `empty` when there is none. */
export function time(value: string | Date | null | undefined, empty = '—'): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">${empty}</span>`;
  const iso = value instanceof Date ? value.toISOString() : value;
  return html`<time datetime="${iso}" title="${iso}">${formatUtc(iso)}</time>`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export type OutcomeBadge = RunOutcome | 'never';

const OUTCOME_LABELS: Record<OutcomeBadge, string> = {
  ok: 'OK',
  not_modified: 'Not modified',
  failed: 'Failed',
  refused: 'Refused',
  running: 'Running',
  never: 'Never run',
};

export function outcomeBadge(outcome: OutcomeBadge): SafeHtml {
  return html`<span class="badge badge-${outcome}">${OUTCOME_LABELS[outcome]}</span>`;
}

export function activeBadge(active: boolean): SafeHtml {
  return active
    ? html`<span class="badge badge-ok">Active</span>`
    : html`<span class="badge badge-never">Removed</span>`;
}

const TYPE_LABELS: Record<string, string> = {
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  cidr: 'CIDR',
  url: 'URL',
  domain: 'Domain',
};

export function typeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type;
}

/** Only http(s) URLs become links: a feed could carry `javascript:` or worse. */
export function safeHref(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\//i.test(url) && URL.canParse(url) ? url : undefined;
}
