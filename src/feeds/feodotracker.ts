/**
 * abuse.ch Feodo Tracker: botnet C2 servers (IP addresses). The format is detected from the content:
 * - JSON (`ipblocklist.json`): an array of objects; `port` and `as_number` are integers, `hostname` may be
 *   null, `first_seen` may be missing, `last_online` is date-only.
 * - CSV (`ipblocklist.csv`): an 8-line `#` banner, an uncommented quoted header
 *   `"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"`, `# END n entries` footer
 *   without a final newline; the 2020 commented header `# Firstseen,DstIP,DstPort,LastOnline,Malware` too.
 * - text (`ipblocklist_recommended.txt`, `ipblocklist.txt`): banner, `# DstIP`, one IP per line, `# END`.
 * The list can legitimately be empty: a banner, a header or a JSON array makes zero entries trustworthy.
 * With a banner, a missing `# END` footer means the body was cut.
 */
import { AppError } from '../errors.js';
import type { IndicatorType } from '../indicators/types.js';
import {
  integer,
  isEndFooter,
  isRecord,
  type JsonMember,
  mapHeader,
  nonEmpty,
  readCsv,
  readJsonMembers,
  splitHeader,
  TailTracker,
} from './csv.js';
import { readPreamble } from './lines.js';
import { toIsoUtc } from './timestamps.js';
import { type FeedEntry, type FeedModule, feedEntry, type ParseEvent, type ParseSummary } from './types.js';
import { listLineProblem, readValueList } from './value-list.js';

const EXPECT: readonly IndicatorType[] = Object.freeze(['ipv4', 'ipv6'] as const);

type Field =
  | 'firstSeen'
  | 'ip'
  | 'port'
  | 'status'
  | 'lastOnline'
  | 'malware'
  | 'hostname'
  | 'asn'
  | 'asName'
  | 'country';

/** Known CSV columns (current and 2020 names), keyed by columnKey(name). */
const COLUMNS: Record<string, Field> = {
  firstseenutc: 'firstSeen',
  firstseen: 'firstSeen',
  dstip: 'ip',
  ipaddress: 'ip',
  dstport: 'port',
  port: 'port',
  c2status: 'status',
  status: 'status',
  lastonline: 'lastOnline',
  malware: 'malware',
  hostname: 'hostname',
  asnumber: 'asn',
  asn: 'asn',
  asname: 'asName',
  country: 'country',
};

interface Values {
  firstSeen?: unknown;
  port?: unknown;
  status?: unknown;
  lastOnline?: unknown;
  malware?: unknown;
  hostname?: unknown;
  asn?: unknown;
  asName?: unknown;
  country?: unknown;
}

function buildEntry(
  ip: string,
  v: Values,
  original: Record<string, unknown>,
  line: number | undefined,
): FeedEntry {
  const attributes = {
    port: integer(v.port, 65535),
    status: nonEmpty(v.status),
    malware: nonEmpty(v.malware),
    country: nonEmpty(v.country),
    asn: integer(v.asn, 4294967295),
    asName: nonEmpty(v.asName),
    hostname: nonEmpty(v.hostname),
    lastOnline: toIsoUtc(v.lastOnline),
  };
  return feedEntry(ip, EXPECT, attributes, original, toIsoUtc(v.firstSeen), line);
}

function jsonEvents(members: JsonMember[]): ParseEvent[] {
  const events: ParseEvent[] = [];
  for (const { key, value } of members) {
    const ip = isRecord(value) && typeof value.ip_address === 'string' ? value.ip_address.trim() : '';
    if (!isRecord(value) || ip.length === 0) {
      events.push({
        kind: 'reject',
        reject: { raw: JSON.stringify(value) ?? String(value), reason: `record ${key} has no ip_address` },
      });
      continue;
    }
    const entry = buildEntry(
      ip,
      {
        firstSeen: value.first_seen,
        port: value.port,
        status: value.status,
        lastOnline: value.last_online,
        malware: value.malware,
        hostname: value.hostname,
        asn: value.as_number,
        asName: value.as_name,
        country: value.country,
      },
      value,
      undefined,
    );
    events.push({ kind: 'entry', entry });
  }
  return events;
}

/** Column index of each field (-1 when the header lacks it; `row[-1]` is undefined). */
function columnIndexes(header: readonly string[]): Record<Field, number> {
  const map = mapHeader('Feodo Tracker', header, COLUMNS, ['ip']);
  const at = (f: Field): number => map.get(f) ?? -1;
  return {
    firstSeen: at('firstSeen'),
    ip: at('ip'),
    port: at('port'),
    status: at('status'),
    lastOnline: at('lastOnline'),
    malware: at('malware'),
    hostname: at('hostname'),
    asn: at('asn'),
    asName: at('asName'),
    country: at('country'),
  };
}

async function* parseCsvBody(
  rest: AsyncIterable<string>,
  commentedHeader: string[] | undefined,
  lineOffset: number,
): AsyncGenerator<ParseEvent[], void, undefined> {
  let header = commentedHeader;
  let idx = header === undefined ? undefined : columnIndexes(header);
  for await (const { rows, lines, raws, problems } of readCsv(rest, lineOffset + 1)) {
    const events: ParseEvent[] = [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as string[];
      const line = lines[r];
      if (header === undefined || idx === undefined) {
        // The current format's header is the first (uncommented) record.
        header = row.map((h) => h.trim());
        idx = columnIndexes(header);
        continue;
      }
      if (row.length !== header.length) {
        events.push({
          kind: 'reject',
          reject: {
            line,
            raw: raws[r] as string,
            reason: `expected ${header.length} fields as in the header, got ${row.length}`,
          },
        });
        continue;
      }
      const original: Record<string, unknown> = {};
      for (let c = 0; c < header.length; c++) original[header[c] as string] = row[c];
      const ip = (row[idx.ip] ?? '').trim();
      if (ip.length === 0 || listLineProblem(ip, 'IP address')) {
        events.push({
          kind: 'reject',
          reject: {
            line,
            raw: raws[r] as string,
            reason: ip.length === 0 ? 'the IP field is empty' : 'the IP field is not one value',
          },
        });
        continue;
      }
      const entry = buildEntry(
        ip,
        {
          firstSeen: row[idx.firstSeen],
          port: row[idx.port],
          status: row[idx.status],
          lastOnline: row[idx.lastOnline],
          malware: row[idx.malware],
          hostname: row[idx.hostname],
          asn: row[idx.asn],
          asName: row[idx.asName],
          country: row[idx.country],
        },
        original,
        line,
      );
      events.push({ kind: 'entry', entry });
    }
    for (const reject of problems) events.push({ kind: 'reject', reject });
    if (events.length > 0) yield events;
  }
}

/** A comment line that is a CSV header (`Firstseen,DstIP,...`), as opposed to the banner or `DstIP`. */
function findCommentedHeader(comments: readonly string[]): string[] | undefined {
  for (let i = comments.length - 1; i >= 0; i--) {
    const c = comments[i] ?? '';
    if (c.includes(',')) return splitHeader(c);
  }
  return undefined;
}

/** An uncommented first line that is the CSV header rather than a value. */
function looksLikeCsv(firstLine: string): boolean {
  return firstLine.includes(',') || /dst_?ip|first_?seen/i.test(firstLine);
}

async function* parse(body: AsyncIterable<string>): AsyncGenerator<ParseEvent[], ParseSummary, undefined> {
  const tail = new TailTracker();
  const pre = await readPreamble(tail.track(body));
  const banner = pre.comments.some((c) => /feodo\s*tracker/i.test(c));

  if (pre.firstChar === '[') {
    for await (const members of readJsonMembers(pre.rest)) {
      const events = jsonEvents(members);
      if (events.length > 0) yield events;
    }
    return { format: 'json', recognised: true };
  }
  if (pre.firstChar === '{') {
    throw new AppError(
      'FEED_FORMAT',
      'the Feodo Tracker JSON is an object, not the expected array of C2 records',
    );
  }

  const commented = findCommentedHeader(pre.comments);
  let format: string;
  let recognised = banner;
  if (commented !== undefined || (pre.firstLine !== undefined && looksLikeCsv(pre.firstLine))) {
    format = 'csv';
    recognised = true;
    yield* parseCsvBody(pre.rest, commented, pre.lineCount);
  } else {
    format = 'text';
    const count = yield* readValueList(pre.rest, EXPECT, pre.lineCount + 1);
    recognised ||= count > 0;
  }
  // The current files end with `# END n entries`; the 2019 file with a commented header had no footer.
  if (banner && commented === undefined && !isEndFooter(tail.lastLine())) {
    throw new AppError(
      'FEED_TRUNCATED',
      `the Feodo Tracker ${format === 'csv' ? 'CSV' : 'list'} has no "# END n entries" footer: the body was cut`,
    );
  }
  return { format, recognised };
}

export const feodotracker: FeedModule = {
  name: 'feodotracker',
  title: 'abuse.ch Feodo Tracker botnet C2 IP blocklist',
  defaultUrl: 'https://feodotracker.abuse.ch/downloads/ipblocklist.json',
  homepage: 'https://feodotracker.abuse.ch/',
  formats: [
    'json (ipblocklist.json)',
    'csv (ipblocklist.csv)',
    'text (ipblocklist_recommended.txt, ipblocklist.txt)',
  ],
  allowEmpty: true,
  abuseCh: true,
  parse,
};
