/**
 * Text chunks to lines, in batches (one array per input chunk) so a large list streams without a promise per
 * line. Line breaks are `\n`, `\r\n` and a lone `\r`; a `\r\n` split across two chunks counts once. A last
 * line without a final newline is kept; a final newline does not add an empty line.
 */

export interface LineBatch {
  /** 1-based line number of `lines[0]`; line `i` of the batch is `first + i`. */
  first: number;
  lines: string[];
}

const LINE_BREAK = /\r\n?|\n/;

export async function* readLines(
  text: AsyncIterable<string>,
  firstLine = 1,
): AsyncGenerator<LineBatch, void, undefined> {
  let carry = '';
  let next = firstLine;
  // The previous chunk ended with `\r`: a `\n` that starts this chunk belongs to that line break.
  let skipLf = false;
  for await (let chunk of text) {
    if (chunk.length === 0) continue;
    if (skipLf) {
      skipLf = false;
      if (chunk.charCodeAt(0) === 10) {
        chunk = chunk.slice(1);
        if (chunk.length === 0) continue;
      }
    }
    const s = carry.length === 0 ? chunk : carry + chunk;
    const parts = s.indexOf('\r') === -1 ? s.split('\n') : s.split(LINE_BREAK);
    // The last part is an unfinished line (or '' when the chunk ended with a line break).
    carry = parts.pop() ?? '';
    skipLf = s.charCodeAt(s.length - 1) === 13;
    if (parts.length > 0) {
      yield { first: next, lines: parts };
      next += parts.length;
    }
  }
  if (carry.length > 0) yield { first: next, lines: [carry] };
}

/** First code unit of a line that is not a space or a tab, or -1 for a blank line. */
export function firstNonBlank(line: string): number {
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 12 && c !== 11 && c !== 0xa0 && c !== 0xfeff) return i;
  }
  return -1;
}

/** True when the value holds whitespace (so the line is not one single value). */
export function hasWhitespace(value: string): boolean {
  return /\s/.test(value);
}

/** The leading comment (`#`, possibly indented) and blank lines of a body, and where its data starts. */
export interface Preamble {
  /** Text of each leading comment line, without the `#` and surrounding blanks. */
  comments: string[];
  /** Number of lines before the first data line (comments and blank lines). */
  lineCount: number;
  /** First non-blank character of the first data line; undefined when the body has no data line. */
  firstChar: string | undefined;
  /** The first data line, or its first 64 KiB when it is longer; undefined when there is none. */
  firstLine: string | undefined;
  /** The body from the start of the first data line on (line `lineCount + 1`). */
  rest: AsyncIterable<string>;
}

const FIRST_LINE_LIMIT = 64 * 1024;

/** Finds the end of the line starting at `pos`: [end of content, start of next line], or undefined if unknown yet. */
function lineEnd(s: string, pos: number, final: boolean): [number, number] | undefined {
  const n = s.length;
  for (let i = pos; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) return [i, i + 1];
    if (c === 13) {
      if (i + 1 < n) return [i, s.charCodeAt(i + 1) === 10 ? i + 2 : i + 1];
      return final ? [i, i + 1] : undefined;
    }
  }
  return final && pos < n ? [n, n] : undefined;
}

/**
 * Reads the leading `#` comments and blank lines of a body (abuse.ch banners, commented CSV headers) and
 * hands back the rest as a stream that starts at the first data line.
 */
export async function readPreamble(text: AsyncIterable<string>): Promise<Preamble> {
  const it = text[Symbol.asyncIterator]();
  const comments: string[] = [];
  let buf = '';
  let pos = 0;
  let lineCount = 0;
  let final = false;
  let dataStart = -1;
  for (;;) {
    // Classify every complete line from `pos`.
    while (dataStart < 0) {
      const end = lineEnd(buf, pos, final);
      if (end === undefined) {
        // An unfinished line that already shows a data character is the first data line.
        const i = firstNonBlankFrom(buf, pos);
        if (i >= 0 && buf.charCodeAt(i) !== 35) dataStart = pos;
        break;
      }
      const line = buf.slice(pos, end[0]);
      const i = firstNonBlank(line);
      if (i >= 0 && line.charCodeAt(i) !== 35) {
        dataStart = pos;
        break;
      }
      if (i >= 0) comments.push(line.slice(i + 1).trim());
      lineCount++;
      pos = end[1];
    }
    if (dataStart >= 0) {
      // Read on until the first data line is complete, to let the caller look at it.
      if (lineEnd(buf, dataStart, final) !== undefined || final || buf.length - dataStart > FIRST_LINE_LIMIT)
        break;
    } else if (final) {
      break;
    }
    const r = await it.next();
    if (r.done) {
      final = true;
      continue;
    }
    if (pos > 0 && dataStart < 0) {
      buf = buf.slice(pos);
      pos = 0;
    }
    buf += r.value;
  }
  if (dataStart < 0) {
    return { comments, lineCount, firstChar: undefined, firstLine: undefined, rest: emptyText() };
  }
  const head = buf.slice(dataStart);
  const end = lineEnd(head, 0, true);
  const firstLine = head.slice(0, Math.min(end ? end[0] : head.length, FIRST_LINE_LIMIT));
  const fc = firstNonBlank(firstLine);
  return {
    comments,
    lineCount,
    firstChar: fc >= 0 ? firstLine.charAt(fc) : undefined,
    firstLine,
    rest: restOf(head, it, final),
  };
}

function firstNonBlankFrom(s: string, pos: number): number {
  const i = firstNonBlank(pos === 0 ? s : s.slice(pos));
  return i < 0 ? -1 : pos + i;
}

async function* emptyText(): AsyncGenerator<string> {}

async function* restOf(head: string, it: AsyncIterator<string>, ended: boolean): AsyncGenerator<string> {
  try {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    if (!ended) await it.return?.();
  }
}
