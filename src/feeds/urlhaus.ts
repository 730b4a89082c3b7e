/**
 * abuse.ch URLhaus: malware distribution URLs. The format is detected from the content:
 * - JSON (`json_online`, `json_recent`, the unzipped `json`): an object keyed by URLhaus id, each value a
 *   list of records; timestamps end in ` UTC`, `last_online` and `tags` may be null.
 * - CSV (`csv_online`, `csv_recent`, the full `csv` ZIP's `csv.txt`): an 8-line `#` banner, a commented
 *   header `# id,dateadded,...`, every field quoted, `tags` comma-separated or `None`. Columns are mapped by
 *   header name; the 2019 header without `last_online` is accepted.
 * - text (`text_online`): one URL per line, `#` lines skipped.
 */
import { AppError } from '../errors.js';
import type { IndicatorType } from '../indicators/types.js';
import {
  isRecord,
  type JsonMember,
  mapHeader,
  nonEmpty,
  readCsv,
  readJsonMembers,
  splitHeader,
} from './csv.js';
import { readPreamble } from './lines.js';
import { toIsoUtc } from './timestamps.js';
import { type FeedEntry, type FeedModule, feedEntry, type ParseEvent, type ParseSummary } from './types.js';
import { readValueList, urlLineProblem } from './value-list.js';

const EXPECT: readonly IndicatorType[] = Object.freeze(['url'] as const);

type Field =
  | 'id'
  | 'dateadded'
  | 'url'
  | 'url_status'
  | 'last_online'
  | 'threat'
  | 'tags'
  | 'urlhaus_link'
  | 'reporter';

/** Known CSV columns, keyed by columnKey(name). */
const COLUMNS: Record<string, Field> = {
  id: 'id',
  dateadded: 'dateadded',
  url: 'url',
  urlstatus: 'url_status',
  lastonline: 'last_online',
  threat: 'threat',
  tags: 'tags',
  urlhauslink: 'urlhaus_link',
  reporter: 'reporter',
};

/** Tags from the CSV (`32-bit,elf,mips,Mozi`, `None`) or JSON (array, null, []); undefined when none. */
export function parseTags(value: unknown): string[] | undefined {
  let tags: string[];
  if (Array.isArray(value)) {
    tags = [];
    for (const t of value) {
      const s = nonEmpty(t);
      if (s !== undefined) tags.push(s);
    }
  } else {
    if (typeof value !== 'string') return undefined;
    // A dump repeats a few tag lists a million times: split each distinct one once, hand out copies.
    const cached = tagCache.get(value);
    if (cached !== undefined) return cached.length > 0 ? cached.slice() : undefined;
    const s = nonEmpty(value);
    tags = [];
    if (s !== undefined) {
      for (const part of s.split(',')) {
        const t = part.trim();
        if (t.length > 0 && t !== 'None') tags.push(t);
      }
    }
    if (tagCache.size >= 10_000) tagCache.clear();
    tagCache.set(value, tags.slice());
  }
  return tags.length > 0 ? tags : undefined;
}

const tagCache = new Map<string, string[]>();

function buildEntry(
  url: string,
  rec: {
    dateadded?: unknown;
    url_status?: unknown;
    threat?: unknown;
    tags?: unknown;
    last_online?: unknown;
    reporter?: unknown;
    urlhaus_link?: unknown;
  },
  original: Record<string, unknown>,
  line: number | undefined,
): FeedEntry {
  const attributes = {
    status: nonEmpty(rec.url_status),
    threat: nonEmpty(rec.threat),
    tags: parseTags(rec.tags),
    lastOnline: toIsoUtc(rec.last_online),
    reporter: nonEmpty(rec.reporter),
    reference: nonEmpty(rec.urlhaus_link),
  };
  return feedEntry(url, EXPECT, attributes, original, toIsoUtc(rec.dateadded), line);
}

/** The header of a URLhaus CSV: the last comment of the preamble that lists columns. */
function findHeader(comments: readonly string[]): string[] | undefined {
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i] ?? '';
    if (c.includes(',')) return splitHeader(c);
  }
  return undefined;
}

async function* parseCsvBody(
  rest: AsyncIterable<string>,
  header: string[],
  lineOffset: number,
): AsyncGenerator<ParseEvent[], void, undefined> {
  const map = mapHeader('URLhaus', header, COLUMNS, ['url']);
  const width = header.length;
  const col = (f: Field): number => map.get(f) ?? -1;
  const iUrl = col('url');
  const iDate = col('dateadded');
  const iStatus = col('url_status');
  const iLast = col('last_online');
  const iThreat = col('threat');
  const iTags = col('tags');
  const iLink = col('urlhaus_link');
  const iReporter = col('reporter');
  for await (const { rows, lines, raws, problems } of readCsv(rest, lineOffset + 1)) {
    const events: ParseEvent[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as string[];
      const line = lines[r];
      if (row.length !== width) {
        events[r] = {
          kind: 'reject',
          reject: {
            line,
            raw: raws[r] as string,
            reason: `expected ${width} fields as in the header, got ${row.length}`,
          },
        };
        continue;
      }
      const original: Record<string, unknown> = {};
      for (let c = 0; c < width; c++) original[header[c] as string] = row[c];
      const url = (row[iUrl] as string).trim();
      if (url.length === 0) {
        events[r] = {
          kind: 'reject',
          reject: { line, raw: raws[r] as string, reason: 'the url field is empty' },
        };
        continue;
      }
      const entry = buildEntry(
        url,
        {
          dateadded: row[iDate],
          url_status: row[iStatus],
          threat: row[iThreat],
          tags: row[iTags],
          last_online: row[iLast],
          reporter: row[iReporter],
          urlhaus_link: row[iLink],
        },
        original,
        line,
      );
      events[r] = { kind: 'entry', entry };
    }
    for (const reject of problems) events.push({ kind: 'reject', reject });
    yield events;
  }
}

function jsonEvents(members: JsonMember[]): ParseEvent[] {
  const events: ParseEvent[] = [];
  for (const { key, value } of members) {
    if (!Array.isArray(value)) {
      // Not a dump: e.g. the URLhaus API envelope `{"query_status": "unknown_auth_key", ...}`.
      const shown = JSON.stringify(value)?.slice(0, 80);
      throw new AppError(
        'FEED_FORMAT',
        `the URLhaus JSON is not a dump keyed by id: ${JSON.stringify(key)} holds ${shown} instead of a list of records`,
      );
    }
    for (const rec of value) {
      if (!isRecord(rec)) {
        events.push({
          kind: 'reject',
          reject: {
            raw: JSON.stringify(rec) ?? String(rec),
            reason: `URLhaus id ${key}: the record is not an object`,
          },
        });
        continue;
      }
      const url = typeof rec.url === 'string' ? rec.url.trim() : '';
      if (url.length === 0) {
        events.push({
          kind: 'reject',
          reject: { raw: JSON.stringify(rec), reason: `URLhaus id ${key}: the record has no url` },
        });
        continue;
      }
      events.push({ kind: 'entry', entry: buildEntry(url, rec, { id: String(key), ...rec }, undefined) });
    }
  }
  return events;
}

async function* parse(body: AsyncIterable<string>): AsyncGenerator<ParseEvent[], ParseSummary, undefined> {
  const pre = await readPreamble(body);
  const banner = pre.comments.some((c) => /urlhaus/i.test(c));
  if (pre.firstChar === '{') {
    for await (const members of readJsonMembers(pre.rest)) {
      const events = jsonEvents(members);
      if (events.length > 0) yield events;
    }
    return { format: 'json', recognised: true };
  }
  if (pre.firstChar === '[') {
    throw new AppError('FEED_FORMAT', 'the URLhaus body is a JSON array, not a dump keyed by id');
  }
  const header = findHeader(pre.comments);
  if (header !== undefined) {
    yield* parseCsvBody(pre.rest, header, pre.lineCount);
    return { format: 'csv', recognised: true };
  }
  if (pre.firstChar === '"') {
    throw new AppError('FEED_FORMAT', 'the URLhaus CSV has no `# id,dateadded,url,...` header line');
  }
  const count = yield* readValueList(pre.rest, EXPECT, pre.lineCount + 1, urlLineProblem);
  return { format: 'text', recognised: banner || count > 0 };
}

export const urlhaus: FeedModule = {
  name: 'urlhaus',
  title: 'abuse.ch URLhaus',
  defaultUrl: 'https://urlhaus.abuse.ch/downloads/json_online/',
  homepage: 'https://urlhaus.abuse.ch/',
  formats: [
    'json (json_online, json_recent, json)',
    'csv (csv_online, csv_recent, csv)',
    'text (text_online)',
  ],
  allowEmpty: false,
  abuseCh: true,
  parse,
};
