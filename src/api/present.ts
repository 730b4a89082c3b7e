import type { Config } from '../config/config.js';
import type { LookupResult } from '../indicators/lookup.js';
import type { ExportRow, IndicatorWithSightings } from '../store/types.js';

/** API responses use snake_case, like the original project's records. */
export function presentIndicator(r: ExportRow) {
  return {
    id: r.id,
    type: r.type,
    value: r.value,
    first_seen: r.firstSeen,
    last_seen: r.lastSeen,
    active: r.active,
    first_source: r.firstFeed,
    sources: r.sources,
  };
}

export function presentDetail(i: IndicatorWithSightings) {
  return {
    id: i.id,
    type: i.type,
    value: i.value,
    first_seen: i.firstSeen,
    last_seen: i.lastSeen,
    active: i.active,
    first_source: i.firstFeed,
    sources: [...new Set(i.sightings.map((s) => s.feed))].sort(),
    sightings: i.sightings.map((s) => ({
      feed: s.feed,
      first_seen: s.firstSeen,
      last_seen: s.lastSeen,
      removed_at: s.removedAt,
      active: s.removedAt === null,
      attributes: s.attributes as Record<string, unknown>,
      original_data: s.originalData,
    })),
  };
}

export function presentLookup(r: LookupResult) {
  return {
    query: r.query,
    found: r.found,
    type: r.type,
    value: r.value,
    ...(r.invalid !== undefined && { invalid: r.invalid }),
    indicator: r.indicator ? presentDetail(r.indicator) : null,
    contained_in: r.containedIn.map(presentDetail),
  };
}

export function feedUrlOf(config: Config): (feed: string) => string {
  const urls = new Map(config.feeds.map((f) => [f.name, f.url]));
  return (feed) => urls.get(feed) ?? feed;
}
