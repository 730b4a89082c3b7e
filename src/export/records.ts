import type { ExportRow } from '../store/types.js';

export const EXPORT_FORMATS = ['json', 'ndjson', 'csv', 'txt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

/** Maps a feed name to the URL the legacy record's `source` shows. */
export type FeedUrlOf = (feed: string) => string;

/**
 * The original project's record, extended: `{id, ipv4, url, date, source, original_data, abuseIPDBData,
 * type, value, first_seen, last_seen, active, sources}`. Built as text so the stored JSON of the original
 * record is spliced in without being parsed and serialised again for every row of a large download.
 */
export function legacyRecordJson(row: ExportRow, feedUrl: FeedUrlOf): string {
  const value = JSON.stringify(row.value);
  return (
    `{"id":${JSON.stringify(row.id)}` +
    `,"ipv4":${row.type === 'ipv4' ? value : 'null'}` +
    `,"url":${row.type === 'url' ? value : 'null'}` +
    `,"date":"${row.firstSeen}"` +
    `,"source":${JSON.stringify(feedUrl(row.firstFeed))}` +
    `,"original_data":${row.originalData ?? 'null'}` +
    ',"abuseIPDBData":null' +
    `,"type":"${row.type}"` +
    `,"value":${value}` +
    `,"first_seen":"${row.firstSeen}"` +
    `,"last_seen":"${row.lastSeen}"` +
    `,"active":${row.active}` +
    `,"sources":${JSON.stringify(row.sources)}}`
  );
}

/** Parsed form of legacyRecordJson, for JSON APIs that build their own response. */
export function legacyRecord(row: ExportRow, feedUrl: FeedUrlOf): Record<string, unknown> {
  return JSON.parse(legacyRecordJson(row, feedUrl));
}

export const CSV_COLUMNS = [
  'id',
  'type',
  'value',
  'first_seen',
  'last_seen',
  'active',
  'sources',
  'source',
] as const;

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function csvRow(row: ExportRow, feedUrl: FeedUrlOf): string {
  return [
    row.id,
    row.type,
    csvField(row.value),
    row.firstSeen,
    row.lastSeen,
    String(row.active),
    csvField(row.sources.join(' ')),
    csvField(feedUrl(row.firstFeed)),
  ].join(',');
}

/**
 * Rows per output chunk. A chunk stays under V8's large-object size (~128 KB): larger strings are allocated
 * straight into the old generation, where a 1M-row download left hundreds of MB of garbage between full
 * collections; small ones die young and cheaply.
 */
const CHUNK_ROWS = 64;

/** Turns pages of rows into text chunks of the format, a few dozen rows each, so output streams at any size. */
export async function* renderExport(
  pages: AsyncIterable<ExportRow[]>,
  format: ExportFormat,
  feedUrl: FeedUrlOf,
): AsyncGenerator<string> {
  let first = true;
  if (format === 'json') yield '[';
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const page of pages) {
    for (let i = 0; i < page.length; i += CHUNK_ROWS) {
      const rows = page.slice(i, i + CHUNK_ROWS);
      switch (format) {
        case 'json': {
          const body = rows.map((r) => legacyRecordJson(r, feedUrl)).join(',\n');
          yield first ? `\n${body}` : `,\n${body}`;
          break;
        }
        case 'ndjson':
          yield `${rows.map((r) => legacyRecordJson(r, feedUrl)).join('\n')}\n`;
          break;
        case 'csv':
          yield `${rows.map((r) => csvRow(r, feedUrl)).join('\r\n')}\r\n`;
          break;
        case 'txt':
          yield `${rows.map((r) => r.value).join('\n')}\n`;
          break;
      }
      first = false;
    }
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}
