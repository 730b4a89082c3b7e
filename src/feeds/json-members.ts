/**
 * A streaming reader of the members of a JSON document's root array or object. A small scanner finds where
 * each member starts and ends (tracking only nesting depth, strings and their escapes) and hands each
 * member's text to the native JSON.parse, which does the full validation: much faster than a streaming
 * JSON parser that builds every value itself.
 */
import { AppError } from '../errors.js';

/** One value of a JSON document's top-level array or object, with its index or key. */
export interface JsonMember {
  key: string | number;
  value: unknown;
}

// Scanner states: what comes next in the root container.
const BEFORE_ROOT = 0;
/** Right after the root opener: the first member or the closer. */
const BEFORE_FIRST = 1;
/** After a comma: a member must follow. */
const BEFORE_MEMBER = 2;
const IN_KEY = 3;
const BEFORE_COLON = 4;
const BEFORE_VALUE = 5;
const IN_STRING = 6;
/** Inside a member value that is an array or object. */
const IN_CONTAINER = 7;
/** Inside a number or literal member value. */
const IN_SCALAR = 8;
const AFTER_VALUE = 9;
const DONE = 10;

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** Whether `c` ends a number or literal: JSON whitespace or a structural character. */
function endsScalar(c: number): boolean {
  return (
    c === COMMA ||
    c === RBRACE ||
    c === RBRACKET ||
    c === 32 ||
    c === 10 ||
    c === 13 ||
    c === 9 ||
    c === QUOTE ||
    c === COLON ||
    c === LBRACE ||
    c === LBRACKET
  );
}

function invalid(what: string): AppError {
  return new AppError('FEED_FORMAT', `the JSON body is invalid (${what})`);
}

function quoted(c: number): string {
  return JSON.stringify(String.fromCharCode(c));
}

function found(c: number): string {
  return `found ${quoted(c)}`;
}

class MemberSplitter {
  private state = BEFORE_ROOT;
  /** The root's closer: `}` or `]`. */
  private closer = 0;
  private object = false;
  private index = 0;
  private key = '';
  /** Nesting depth inside an IN_CONTAINER value. */
  private depth = 0;
  /** Inside a string of an IN_CONTAINER value. */
  private inString = false;
  /** The last chunk ended right after a backslash inside a string. */
  private escaped = false;
  /** The text of the current key or value from earlier chunks. */
  private carry = '';
  /** Where the current key or value starts in the chunk. */
  private start = 0;
  /** The next backslash in the chunk at or after the scan position (-1: none left, -2: not looked for). */
  private backslash = -2;
  private out: JsonMember[] = [];

  /** Scans one chunk; returns the members it completed. */
  push(chunk: string): JsonMember[] {
    const n = chunk.length;
    this.backslash = -2;
    this.start = 0;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case IN_CONTAINER:
          i = this.scanContainer(chunk, i);
          break;
        case IN_STRING:
        case IN_KEY: {
          const e = this.skipString(chunk, i);
          if (e < 0) {
            i = n;
            break;
          }
          if (this.state === IN_KEY) {
            this.key = this.parse(this.take(chunk, e), 'a key') as string;
            this.state = BEFORE_COLON;
          } else {
            this.emit(this.take(chunk, e));
          }
          i = e;
          break;
        }
        case IN_SCALAR: {
          let j = i;
          while (j < n && !endsScalar(chunk.charCodeAt(j))) j++;
          if (j < n) this.emit(this.take(chunk, j));
          i = j;
          break;
        }
        default: {
          const c = chunk.charCodeAt(i);
          i = isSpace(c) ? i + 1 : this.token(c, i);
        }
      }
    }
    if (
      this.state === IN_KEY ||
      this.state === IN_STRING ||
      this.state === IN_CONTAINER ||
      this.state === IN_SCALAR
    ) {
      // The member goes on in the next chunk.
      if (this.start < n) this.carry += this.start === 0 ? chunk : chunk.slice(this.start);
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Throws AppError FEED_TRUNCATED unless the document closed. */
  end(): void {
    if (this.state !== DONE) {
      throw new AppError('FEED_TRUNCATED', 'the JSON body ends before the document closes: it was cut');
    }
  }

  /** A structural character (not whitespace) outside any member text, at `i`; returns where to go on. */
  private token(c: number, i: number): number {
    switch (this.state) {
      case BEFORE_ROOT:
        if (c !== LBRACE && c !== LBRACKET) {
          throw invalid(`the root is not an array or object: ${found(c)}`);
        }
        this.object = c === LBRACE;
        this.closer = this.object ? RBRACE : RBRACKET;
        this.state = BEFORE_FIRST;
        return i + 1;
      case BEFORE_FIRST:
        if (c === this.closer) {
          this.state = DONE;
          return i + 1;
        }
        return this.startMember(c, i);
      case BEFORE_MEMBER:
        if (c === this.closer) throw invalid(`a trailing comma before ${quoted(c)}`);
        return this.startMember(c, i);
      case BEFORE_COLON:
        if (c !== COLON) throw invalid(`expected ":" after the key ${JSON.stringify(this.key)}, ${found(c)}`);
        this.state = BEFORE_VALUE;
        return i + 1;
      case BEFORE_VALUE:
        return this.startValue(c, i);
      case AFTER_VALUE:
        if (c === COMMA) {
          this.state = BEFORE_MEMBER;
          return i + 1;
        }
        if (c === this.closer) {
          this.state = DONE;
          return i + 1;
        }
        throw invalid(`expected "," or ${quoted(this.closer)} after a member, ${found(c)}`);
      default:
        throw new AppError(
          'FEED_FORMAT',
          `the JSON body is invalid after the end of the document (${found(c)})`,
        );
    }
  }

  private startMember(c: number, i: number): number {
    if (!this.object) return this.startValue(c, i);
    if (c !== QUOTE) throw invalid(`expected a key string, ${found(c)}`);
    this.state = IN_KEY;
    this.start = i;
    return i + 1;
  }

  private startValue(c: number, i: number): number {
    this.start = i;
    if (c === LBRACE || c === LBRACKET) {
      this.state = IN_CONTAINER;
      this.depth = 1;
      return i + 1;
    }
    if (c === QUOTE) {
      this.state = IN_STRING;
      return i + 1;
    }
    if (endsScalar(c)) throw invalid(`expected a value, ${found(c)}`);
    this.state = IN_SCALAR;
    return i;
  }

  /** Scans an array or object value from `i` to its closer (then emits it) or to the chunk's end. */
  private scanContainer(chunk: string, i: number): number {
    const n = chunk.length;
    if (this.inString) {
      const e = this.skipString(chunk, i);
      if (e < 0) return n;
      this.inString = false;
      i = e;
    }
    let depth = this.depth;
    while (i < n) {
      const c = chunk.charCodeAt(i++);
      // Whitespace, digits, `,` and `:` first: the bulk of what lies between strings.
      if (c < LBRACKET && c !== QUOTE) continue;
      if (c === QUOTE) {
        const e = this.skipString(chunk, i);
        if (e < 0) {
          this.inString = true;
          break;
        }
        i = e;
      } else if (c === LBRACE || c === LBRACKET) depth++;
      // A mismatched closer still counts: JSON.parse of the member text reports it.
      else if ((c === RBRACE || c === RBRACKET) && --depth === 0) {
        this.emit(this.take(chunk, i));
        return i;
      }
    }
    this.depth = depth;
    return n;
  }

  /**
   * Skips string content from `i` (after the opening quote or within the string): returns the index after
   * the closing quote, or -1 when the string goes on past the chunk.
   */
  private skipString(chunk: string, i: number): number {
    const n = chunk.length;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    // `n` stands for no quote left in the chunk, so that a miss is not looked for again.
    let q = -1;
    for (;;) {
      if (q < i) {
        q = chunk.indexOf('"', i);
        if (q === -1) q = n;
      }
      let b = this.backslash;
      if (b !== -1 && b < i) {
        b = chunk.indexOf('\\', i);
        this.backslash = b;
      }
      if (b !== -1 && b < q) {
        // The escaped character cannot end the string; `\uXXXX` digits need no care here.
        i = b + 2;
        if (i > n) {
          this.escaped = true;
          return -1;
        }
        continue;
      }
      return q === n ? -1 : q + 1;
    }
  }

  /** The current key or value text, ending at `e` in the chunk. */
  private take(chunk: string, e: number): string {
    const part = chunk.slice(this.start, e);
    if (this.carry.length === 0) return part;
    const text = this.carry + part;
    this.carry = '';
    return text;
  }

  private emit(text: string): void {
    const key = this.object ? this.key : this.index;
    this.out.push({ key, value: this.parse(text, `the member ${JSON.stringify(key)}`) });
    this.index++;
    this.state = AFTER_VALUE;
  }

  private parse(text: string, what: string): unknown {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new AppError(
        'FEED_FORMAT',
        `the JSON body is invalid (${what}: ${(err as Error).message})`,
        undefined,
        { cause: err },
      );
    }
  }
}

/**
 * Streams the members of a JSON document's root array or object (never the whole document at once: memory
 * is bounded by the largest member plus a chunk), one batch per input chunk that completed a member. Object
 * keys are strings, array keys their 0-based index. Throws AppError FEED_TRUNCATED when the text ends before
 * the document closes, FEED_FORMAT for invalid JSON or data after the document.
 */
export async function* readJsonMembers(
  text: AsyncIterable<string>,
): AsyncGenerator<JsonMember[], void, undefined> {
  const splitter = new MemberSplitter();
  for await (const chunk of text) {
    const batch = splitter.push(chunk);
    if (batch.length > 0) yield batch;
  }
  splitter.end();
}
