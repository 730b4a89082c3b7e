/**
 * Raw response bytes to text chunks: sniffs gzip and ZIP by their magic bytes (never by URL or header),
 * decompresses as a stream, decodes UTF-8 (a character split across chunks survives), strips a BOM and
 * refuses an HTML page served in place of the data.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Unzip, type UnzipFile, UnzipInflate } from 'fflate';
import { AppError } from '../errors.js';

export interface DecodeOptions {
  /** Limit on the decompressed size, in bytes (guards against zip bombs). */
  maxBytes?: number;
}

/** The ZIP is pushed to the inflater in slices this big, so one push cannot inflate to a huge buffer. */
const ZIP_SLICE = 16 * 1024;

type Compression = 'gzip' | 'zip' | 'none';

function feedError(code: 'FEED_TRUNCATED' | 'FEED_FORMAT', message: string, cause: unknown): AppError {
  return new AppError(code, message, undefined, { cause });
}

function sniff(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return 'zip';
  return 'none';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Replays the bytes read while sniffing, then the rest of the source. */
async function* replay(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    if (head.length > 0) yield head;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await rest.return?.();
  }
}

function isZlibError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    /^Z_/.test((err as NodeJS.ErrnoException).code ?? '')
  );
}

async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gz = pipeline(Readable.from(source, { objectMode: false }), createGunzip(), () => {
    // Errors surface through the iteration below.
  });
  try {
    for await (const chunk of gz) yield chunk as Uint8Array;
  } catch (err) {
    if (isZlibError(err)) {
      if (err.code === 'Z_BUF_ERROR') {
        throw feedError('FEED_TRUNCATED', `the gzip body was cut before its end (${err.message})`, err);
      }
      throw feedError('FEED_FORMAT', `the body is not valid gzip data (${err.message})`, err);
    }
    throw err;
  } finally {
    gz.destroy();
  }
}

/** Streams the first file of a ZIP archive (URLhaus's full dump is a ZIP holding `csv.txt`). */
async function* unzipFirst(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let file: UnzipFile | undefined;
  let done = false;
  let failure: AppError | undefined;
  const unzip = new Unzip((f) => {
    // Only the first real file is read; directories and later entries are ignored.
    if (file !== undefined || f.name.endsWith('/')) return;
    file = f;
    f.ondata = (err, data, final) => {
      if (err) {
        failure ??= feedError('FEED_FORMAT', `the ZIP entry ${f.name} is corrupt (${err.message})`, err);
        return;
      }
      if (data.length > 0) out.push(data);
      if (final) done = true;
    };
    try {
      f.start();
    } catch (err) {
      const method = `unsupported compression method ${f.compression}`;
      failure ??= feedError('FEED_FORMAT', `the ZIP entry ${f.name} uses an ${method}`, err);
    }
  });
  unzip.register(UnzipInflate);
  const push = (chunk: Uint8Array, final: boolean): void => {
    try {
      unzip.push(chunk, final);
    } catch (err) {
      failure ??= feedError(
        'FEED_FORMAT',
        `the body is not a valid ZIP archive (${(err as Error).message})`,
        err,
      );
    }
  };
  for await (const chunk of source) {
    for (let off = 0; off < chunk.length; off += ZIP_SLICE) {
      push(chunk.subarray(off, Math.min(off + ZIP_SLICE, chunk.length)), false);
      if (failure) throw failure;
      while (out.length > 0) yield out.shift() as Uint8Array;
      // The first file is complete: the rest of the archive is not needed.
      if (done) return;
    }
  }
  // The archive ended before its first file was complete: fflate may or may not complain about it.
  try {
    unzip.push(new Uint8Array(0), true);
  } catch {
    // Reported below as a cut archive.
  }
  if (failure && !done) {
    throw feedError(
      'FEED_TRUNCATED',
      `the ZIP archive was cut in ${file?.name ?? 'its first file'}`,
      failure,
    );
  }
  if (failure) throw failure;
  while (out.length > 0) yield out.shift() as Uint8Array;
  if (file === undefined) {
    throw new AppError(
      'FEED_TRUNCATED',
      'the ZIP archive ends before its first file (cut, or it holds no file)',
    );
  }
  if (!done) throw new AppError('FEED_TRUNCATED', `the ZIP archive was cut in ${file.name}`);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xfeff || c === 0xa0;
}

/**
 * Decodes a response body to text chunks. Throws AppError FEED_HTML for an HTML/XML page, FEED_TOO_LARGE
 * past `maxBytes` of decompressed data, FEED_TRUNCATED or FEED_FORMAT for a cut or corrupt gzip/ZIP body.
 */
export async function* decodeBody(
  bytes: AsyncIterable<Uint8Array>,
  opts: DecodeOptions = {},
): AsyncGenerator<string, void, undefined> {
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  const it = bytes[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  let ended = false;
  while (head.length < 4) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head = head.length === 0 ? r.value : concat(head, r.value);
  }
  const compression = sniff(head);
  const raw = ended ? replay(head, emptyIterator()) : replay(head, it);
  const source = compression === 'gzip' ? gunzip(raw) : compression === 'zip' ? unzipFirst(raw) : raw;

  const decoder = new TextDecoder('utf-8');
  let total = 0;
  // Text held until its first non-blank character shows whether it is an HTML page.
  let pending: string | undefined = '';
  const check = (text: string): string | undefined => {
    const s = (pending ?? '') + text;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (isSpace(c)) continue;
      if (c === 60 /* < */) throw new AppError('FEED_HTML', 'the feed returned an HTML page instead of data');
      pending = undefined;
      return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
    }
    pending = s;
    return undefined;
  };
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) {
      const what =
        compression === 'none' ? 'the feed body' : `the feed body, once decompressed (${compression}),`;
      throw new AppError('FEED_TOO_LARGE', `${what} exceeds the limit of ${maxBytes} bytes`, { maxBytes });
    }
    let text = decoder.decode(chunk, { stream: true });
    if (pending !== undefined) {
      const checked = check(text);
      if (checked === undefined) continue;
      text = checked;
    }
    if (text.length > 0) yield text;
  }
  let tail = decoder.decode();
  if (pending !== undefined) tail = check(tail) ?? pending ?? '';
  if (tail.length > 0) yield tail;
}

function emptyIterator(): AsyncIterator<Uint8Array> {
  return {
    next: async () => ({ done: true, value: undefined }),
  };
}
