/**
 * Helpers shared by the abuse.ch parsers (URLhaus, Feodo Tracker): a streaming CSV reader on csv-parse,
 * header mapping by name, the `# END` footer check and the small value converters. The streaming JSON
 * member reader lives in json-members.ts and is re-exported here for the parsers.
 */
import { CsvError, parse } from 'csv-parse';
import { AppError } from '../errors.js';
import { firstNonBlank, readLines } from './lines.js';
import type { ParseReject } from './types.js';

export { type JsonMember, readJsonMembers } from './json-members.js';

/**
 * CSV records parsed from one input chunk. `lines[i]` is the 1-based body line where `rows[i]` starts and
 * `raws[i]` its text; `problems` are records the CSV parser could not read (malformed quoting).
 */
export interface CsvBatch {
  rows: string[][];
  lines: number[];
  raws: string[];
  problems: ParseReject[];
}

/**
 * The reference CSV parser (csv-parse's streaming API) for the lines the fast path leaves: quoted fields
 * holding quotes or line breaks, mixed quoting, stray quotes. Lines are written one at a time; records come
 * back through `on_record` as csv-parse completes them (it holds the last byte of a write back, so a record
 * may arrive with the next write or at `end`).
 */
class SlowCsv {
  rows: string[][] = [];
  lines: number[] = [];
  raws: string[] = [];
  problems: ParseReject[] = [];
  /** Body line where a quoted field is still open when the body ends. */
  unclosedAt: number | undefined;
  private fed = 0;
  /** Lines written and not yet part of a record: csv-parse line number → body line and text. */
  private readonly pending = new Map<number, { line: number; text: string }>();
  private failure: unknown;
  private readonly parser = parse({
    record_delimiter: '\n',
    comment: '#',
    comment_no_infix: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (record: string[], info: { lines: number }) => {
      const { line, text } = this.take(info.lines);
      this.rows.push(record);
      this.lines.push(line);
      this.raws.push(text);
      return null;
    },
    on_skip: (err: CsvError | undefined) => {
      if (err?.code === 'CSV_QUOTE_NOT_CLOSED') {
        this.unclosedAt = this.take(this.fed).line;
        return;
      }
      const at = typeof err?.lines === 'number' ? err.lines : this.fed;
      const { line, text } = this.take(at);
      this.problems.push({
        line,
        raw: text,
        reason: `malformed CSV record (${err?.message ?? 'unreadable'})`,
      });
    },
  });

  constructor() {
    this.parser.on('error', (err) => {
      this.failure ??= err;
    });
    this.parser.resume();
  }

  write(text: string, line: number): void {
    this.fed++;
    this.pending.set(this.fed, { line, text });
    this.parser.write(`${text}\n`);
    if (this.failure) throw csvError(this.failure);
  }

  async end(): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.failure) return reject(this.failure);
        this.parser.once('error', reject);
        this.parser.end(() => resolve());
      });
    } catch (err) {
      throw csvError(err);
    }
  }

  destroy(): void {
    this.parser.destroy();
  }

  /** Removes the pending lines up to csv-parse line `upTo`: the first one's body line and their text. */
  private take(upTo: number): { line: number; text: string } {
    let line = 0;
    const texts: string[] = [];
    for (const [k, v] of this.pending) {
      if (k > upTo) break;
      if (texts.length === 0) line = v.line;
      if (texts.length < 50) texts.push(v.text);
      this.pending.delete(k);
    }
    return { line, text: texts.join('\n') };
  }
}

/**
 * Whether a quoted field is still open at the end of `line`, given whether one was open at its start: the
 * quote rules of csv-parse with `relax_quotes` (a quote opens a field only at its start, `""` is a quote
 * inside it, a quote followed by anything but a delimiter or the line end does not close the record's
 * field and makes the rest of the field literal).
 */
export function quoteOpenAfter(line: string, open: boolean): boolean {
  const n = line.length;
  let i = 0;
  while (i < n) {
    if (open) {
      const q = line.indexOf('"', i);
      if (q === -1) return true;
      const next = line.charCodeAt(q + 1);
      if (next === 34) {
        i = q + 2;
        continue;
      }
      open = false;
      if (q + 1 >= n) return false;
      if (next === 44) {
        i = q + 2;
        if (i >= n) return false;
        continue;
      }
      // Text after a closing quote: the field goes on, unquoted, to the next delimiter.
      const c = line.indexOf(',', q + 1);
      if (c === -1) return false;
      i = c + 1;
      if (i >= n) return false;
      continue;
    }
    if (line.charCodeAt(i) === 34) {
      open = true;
      i++;
      continue;
    }
    // An unquoted field: its quotes are literal up to the next delimiter.
    const c = line.indexOf(',', i);
    if (c === -1) return false;
    i = c + 1;
  }
  return open;
}

/**
 * Streams CSV records: all fields as strings, `#` comment lines (possibly indented) and blank lines
 * skipped, rows of any width (the caller rejects a row whose width differs from its header). `firstLine` is
 * the body line number where `text` starts.
 *
 * Lines whose CSV reading is unambiguous take a fast path: a line without `"` is split on `,`, and a line
 * `"a","b",...,"z"` whose fields hold no `"` is split on `","` (the abuse.ch dumps consist of these).
 * Every other line goes to csv-parse, and so do the lines that follow while a quoted field is open.
 * Throws AppError FEED_TRUNCATED when the body ends inside a quoted field.
 */
export async function* readCsv(
  text: AsyncIterable<string>,
  firstLine = 1,
): AsyncGenerator<CsvBatch, void, undefined> {
  let slow: SlowCsv | undefined;
  // A quoted field spans lines: everything goes to csv-parse until the quote closes.
  let inQuote = false;
  try {
    for await (const batch of readLines(text, firstLine)) {
      const rows: string[][] = [];
      const lines: number[] = [];
      const raws: string[] = [];
      const src = batch.lines;
      for (let k = 0; k < src.length; k++) {
        const line = src[k] as string;
        const n = batch.first + k;
        if (inQuote) {
          (slow as SlowCsv).write(line, n);
          inQuote = quoteOpenAfter(line, true);
          continue;
        }
        const c0 = line.charCodeAt(0);
        if (line.length === 0 || c0 === 35 || c0 === 32 || c0 === 9) {
          const i = firstNonBlank(line);
          if (i < 0 || line.charCodeAt(i) === 35) continue;
        }
        const q = line.indexOf('"');
        if (q === -1) {
          rows.push(line.split(','));
          lines.push(n);
          raws.push(line);
          continue;
        }
        const last = line.length - 1;
        if (q === 0 && last > 0 && line.charCodeAt(last) === 34) {
          const fields = line.slice(1, last).split('","');
          let clean = true;
          for (let f = 0; f < fields.length; f++) {
            if ((fields[f] as string).indexOf('"') !== -1) {
              clean = false;
              break;
            }
          }
          if (clean) {
            rows.push(fields);
            lines.push(n);
            raws.push(line);
            continue;
          }
        }
        slow ??= new SlowCsv();
        slow.write(line, n);
        inQuote = quoteOpenAfter(line, false);
      }
      let problems: ParseReject[] = [];
      if (slow !== undefined) {
        const s = slow;
        for (let r = 0; r < s.rows.length; r++) {
          rows.push(s.rows[r] as string[]);
          lines.push(s.lines[r] as number);
          raws.push(s.raws[r] as string);
        }
        s.rows = [];
        s.lines = [];
        s.raws = [];
        problems = s.problems;
        s.problems = [];
      }
      if (rows.length > 0 || problems.length > 0) yield { rows, lines, raws, problems };
    }
    if (slow !== undefined) {
      await slow.end();
      if (slow.unclosedAt !== undefined) {
        throw new AppError(
          'FEED_TRUNCATED',
          `the CSV body ends inside a quoted field opened on line ${slow.unclosedAt}: it was cut`,
        );
      }
      if (slow.rows.length > 0 || slow.problems.length > 0) {
        yield { rows: slow.rows, lines: slow.lines, raws: slow.raws, problems: slow.problems };
      }
    }
  } finally {
    slow?.destroy();
  }
}

function csvError(err: unknown): unknown {
  if (err instanceof CsvError) {
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      return new AppError(
        'FEED_TRUNCATED',
        `the CSV body ends inside a quoted field: it was cut (${err.message})`,
        undefined,
        {
          cause: err,
        },
      );
    }
    return new AppError('FEED_FORMAT', `the CSV body is malformed (${err.message})`, undefined, {
      cause: err,
    });
  }
  return err;
}

/**
 * Splits a header line (`id,dateadded,url` or `"first_seen_utc","dst_ip"`) into its column names, unquoted
 * and trimmed.
 */
export function splitHeader(line: string): string[] {
  return line.split(',').map((name) => {
    let n = name.trim();
    if (n.length >= 2 && n.startsWith('"') && n.endsWith('"')) n = n.slice(1, -1).trim();
    return n;
  });
}

/** Canonical form of a column name for matching: lower case, letters and digits only. */
export function columnKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Maps each header column to a field of `known` (keys from columnKey). Throws AppError FEED_FORMAT on an
 * unknown or repeated column, or when a column of `required` is missing: the feed changed its schema.
 */
export function mapHeader<F extends string>(
  feed: string,
  header: readonly string[],
  known: Readonly<Record<string, F>>,
  required: readonly NoInfer<F>[],
): Map<F, number> {
  const map = new Map<F, number>();
  const unknown: string[] = [];
  header.forEach((name, i) => {
    const field = Object.hasOwn(known, columnKey(name)) ? known[columnKey(name)] : undefined;
    if (field === undefined) unknown.push(name);
    else if (map.has(field))
      throw new AppError('FEED_FORMAT', `the ${feed} CSV header repeats the column ${name}`);
    else map.set(field, i);
  });
  if (unknown.length > 0) {
    throw new AppError(
      'FEED_FORMAT',
      `the ${feed} CSV header has unknown columns: ${unknown.join(', ')} (the feed format changed)`,
      { header },
    );
  }
  const missing = required.filter((f) => !map.has(f));
  if (missing.length > 0) {
    throw new AppError('FEED_FORMAT', `the ${feed} CSV header lacks the column ${missing.join(', ')}`, {
      header,
    });
  }
  return map;
}

/**
 * Remembers the last non-blank line of a text stream (to check the abuse.ch `# END n entries` footer)
 * without keeping the stream: only the last complete non-blank line and the start of the current one.
 */
export class TailTracker {
  private last = '';
  private partial = '';

  /** `keep`: how much of a line's start is kept; the footer check needs only the start. */
  constructor(private readonly keep = 1024) {}

  /** Passes the text through while watching its lines. */
  async *track(text: AsyncIterable<string>): AsyncGenerator<string> {
    for await (const chunk of text) {
      this.push(chunk);
      yield chunk;
    }
  }

  push(chunk: string): void {
    const s = this.partial + chunk;
    const br = Math.max(s.lastIndexOf('\n'), s.lastIndexOf('\r'));
    if (br === -1) {
      this.partial = s.length > this.keep ? s.slice(0, this.keep) : s;
      return;
    }
    // The last non-blank line among the complete ones.
    const done = s.slice(0, br).trimEnd();
    if (done.length > 0) {
      const start = Math.max(done.lastIndexOf('\n'), done.lastIndexOf('\r')) + 1;
      this.last = done.slice(start, start + this.keep).trim();
    }
    const rest = s.slice(br + 1);
    this.partial = rest.length > this.keep ? rest.slice(0, this.keep) : rest;
  }

  /** The last non-blank line seen, trimmed. */
  lastLine(): string {
    const p = this.partial.trim();
    return p.length > 0 ? p : this.last;
  }
}

/** The abuse.ch footer: `# END 28 entries`, `# END (2) entries`. */
export function isEndFooter(line: string): boolean {
  return /^#\s*END\b/i.test(line);
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty trimmed string, or undefined for empty, `None`, `n/a`, null and non-strings. */
export function nonEmpty(value: unknown): string | undefined {
  if (typeof value !== 'string') return typeof value === 'number' ? String(value) : undefined;
  const s = value.trim();
  if (s.length === 0 || s === 'None' || s === 'none' || s === 'null' || s === 'n/a' || s === 'N/A')
    return undefined;
  return s;
}

/** A non-negative integer from a JSON number or a decimal string, or undefined. */
export function integer(value: unknown, max = Number.MAX_SAFE_INTEGER): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*\d{1,16}\s*$/.test(value)) n = Number(value);
  else return undefined;
  return Number.isInteger(n) && n >= 0 && n <= max ? n : undefined;
}
