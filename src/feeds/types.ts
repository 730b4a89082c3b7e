import type { IndicatorType } from '../indicators/types.js';

/** What a feed says about one indicator, beyond the value itself. Every field is optional: feeds differ. */
export interface SightingAttributes {
  malware?: string;
  threat?: string;
  tags?: string[];
  port?: number;
  status?: string;
  country?: string;
  asn?: number;
  asName?: string;
  hostname?: string;
  reporter?: string;
  /** ISO 8601 UTC; when the feed last saw the indicator online. */
  lastOnline?: string;
  reference?: string;
  section?: string;
  /** Set by normalisation when it changed the value's meaning-preserving form (e.g. CIDR host bits). */
  note?: string;
}

/** One entry of a feed as its parser reads it, before normalisation. */
export interface FeedEntry {
  /** The indicator as the feed wrote it (trimmed, otherwise untouched). */
  value: string;
  /** The indicator types this field may hold; normalisation rejects any other. */
  expect: readonly IndicatorType[];
  /** ISO 8601 UTC (`2026-02-26T12:05:20Z`), when the feed first reported it, if it says. */
  firstSeen?: string;
  attributes: SightingAttributes;
  /** The feed's own record (CSV row keyed by header name, JSON object, or `{value, ...}` for lists). */
  original: Record<string, unknown>;
  /** 1-based line of the body where the entry starts, when the format has lines. */
  line?: number;
}

export interface ParseReject {
  line?: number;
  raw: string;
  reason: string;
}

export type ParseEvent = { kind: 'entry'; entry: FeedEntry } | { kind: 'reject'; reject: ParseReject };

/** How a body went, told by the parser once it has read all of it. */
export interface ParseSummary {
  /** The format detected from the content, e.g. `csv`, `json`, `text`. */
  format: string;
  /**
   * True when the body is recognisably this feed's document (a banner, a header, an empty JSON array or
   * object), so zero entries is a real empty list rather than a broken download.
   */
  recognised: boolean;
}

/**
 * A feed's parser reads decoded text chunks (BOM stripped, decompressed) and yields its events in batches,
 * one batch per input chunk or so, so a large feed streams without per-row promise overhead. It throws an
 * AppError (FEED_FORMAT, FEED_TRUNCATED, FEED_HTML) for a document it cannot trust as a whole.
 */
export type FeedParser = (
  text: AsyncIterable<string>,
) => AsyncGenerator<ParseEvent[], ParseSummary, undefined>;

/** A feed's built-in definition: one module per feed under src/feeds/. */
export interface FeedModule {
  name: string;
  title: string;
  defaultUrl: string;
  homepage: string;
  /** Formats this module accepts, for docs: detected from the content, never from the URL. */
  formats: readonly string[];
  /** An empty list is a legitimate snapshot of this feed (when the body is recognised). */
  allowEmpty: boolean;
  /** Host names to which ABUSECH_AUTH_KEY is sent. */
  abuseCh: boolean;
  parse: FeedParser;
}

/** Builds an entry, leaving out attributes and fields that are undefined (feeds omit what they lack). */
export function feedEntry(
  value: string,
  expect: readonly IndicatorType[],
  attributes: { [K in keyof SightingAttributes]: SightingAttributes[K] | undefined },
  original: Record<string, unknown>,
  firstSeen: string | undefined,
  line: number | undefined,
): FeedEntry {
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) attrs[k] = v;
  const entry: FeedEntry = { value, expect, attributes: attrs as SightingAttributes, original };
  if (firstSeen !== undefined) entry.firstSeen = firstSeen;
  if (line !== undefined) entry.line = line;
  return entry;
}
