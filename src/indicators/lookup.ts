import type { IndicatorWithSightings, Store } from '../store/types.js';
import { normalizeIndicator } from './normalize.js';
import { INDICATOR_TYPES, type IndicatorType } from './types.js';

export interface LookupResult {
  query: string;
  type: IndicatorType | null;
  value: string | null;
  found: boolean;
  /** Why the query is not a value we could store (private address, malformed URL, ...). */
  invalid?: string;
  indicator: IndicatorWithSightings | null;
  /** For an IP: every active CIDR indicator that contains it. */
  containedIn: IndicatorWithSightings[];
}

/** Exact matches for each value, and for an IP the active networks containing it. */
export async function lookupValues(store: Store, queries: readonly string[]): Promise<LookupResult[]> {
  const normalized = queries.map((q) => ({ query: q, n: normalizeIndicator(q, INDICATOR_TYPES) }));
  const keys = normalized.flatMap(({ n }) => (n.ok ? [{ type: n.type, value: n.value }] : []));
  const found = await store.findIndicators(keys);
  const byKey = new Map(found.map((i) => [`${i.type}\u0000${i.value}`, i]));
  const results: LookupResult[] = [];
  for (const { query, n } of normalized) {
    if (!n.ok) {
      results.push({
        query,
        type: null,
        value: null,
        found: false,
        invalid: n.reason,
        indicator: null,
        containedIn: [],
      });
      continue;
    }
    const indicator = byKey.get(`${n.type}\u0000${n.value}`) ?? null;
    const containedIn =
      n.type === 'ipv4' || n.type === 'ipv6' ? await store.findContainingCidrs(n.value) : [];
    results.push({
      query,
      type: n.type,
      value: n.value,
      found: indicator !== null || containedIn.length > 0,
      indicator,
      containedIn,
    });
  }
  return results;
}
