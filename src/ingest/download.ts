import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, interceptors, request, errors as undiciErrors } from 'undici';
import type { HttpSettings } from '../config/config.js';
import { AppError, isAppError } from '../errors.js';

export interface DownloadRequest {
  url: string;
  headers: Record<string, string>;
  etag: string | null;
  lastModified: string | null;
  http: HttpSettings;
  signal?: AbortSignal;
}

export type DownloadResult =
  | { status: 'not_modified'; httpStatus: number; etag: string | null; lastModified: string | null }
  | {
      status: 'ok';
      httpStatus: number;
      /** The body as received (possibly gzip), spooled to a private temp file; call `cleanup` when done. */
      file: string;
      bytes: number;
      etag: string | null;
      lastModified: string | null;
      cleanup: () => Promise<void>;
    };

/** Thrown for a response or failure worth another attempt (network error, 5xx, 429/503). */
class RetryableError extends Error {
  constructor(
    readonly appError: AppError,
    readonly retryAfterMs?: number,
  ) {
    super(appError.message);
  }
}

const agents = new Map<number, Dispatcher>();
function dispatcherFor(http: HttpSettings): Dispatcher {
  let d = agents.get(http.connectTimeoutMs);
  if (!d) {
    d = new Agent({ connect: { timeout: http.connectTimeoutMs } }).compose(
      interceptors.redirect({ maxRedirections: 5 }),
    );
    agents.set(http.connectTimeoutMs, d);
  }
  return d;
}

/**
 * Downloads a feed with a conditional GET, retries with backoff on network errors and 5xx, honours
 * Retry-After on 429/503, and spools the body to disk as it arrives. The body goes to disk rather than
 * straight into the database so that a slow server never holds the store's write transaction open.
 */
export async function download(req: DownloadRequest): Promise<DownloadResult> {
  const { http } = req;
  let lastError: AppError | undefined;
  for (let attempt = 0; attempt <= http.retries; attempt++) {
    try {
      return await attemptOnce(req);
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      lastError = err.appError;
      if (attempt === http.retries || req.signal?.aborted) break;
      const backoff = http.retryBaseMs * 2 ** attempt;
      const wait = err.retryAfterMs ?? backoff;
      if (wait > http.maxRetryAfterMs) break;
      await sleep(wait, undefined, { signal: req.signal }).catch(() => {});
    }
  }
  throw lastError ?? new AppError('FEED_NETWORK_ERROR', 'download failed');
}

async function attemptOnce(req: DownloadRequest): Promise<DownloadResult> {
  const { http } = req;
  const headers: Record<string, string> = {
    'user-agent': 'threat-aggregator/0.1',
    accept: '*/*',
    'accept-encoding': 'gzip',
    ...req.headers,
  };
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;

  const total = AbortSignal.timeout(http.totalTimeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, total]) : total;
  let res: Dispatcher.ResponseData;
  try {
    res = await request(req.url, {
      method: 'GET',
      headers,
      dispatcher: dispatcherFor(http),
      headersTimeout: http.headersTimeoutMs,
      bodyTimeout: http.bodyTimeoutMs,
      signal,
    });
  } catch (err) {
    throw classifyNetworkError(err, req, total);
  }

  const status = res.statusCode;
  const etag = header(res.headers, 'etag');
  const lastModified = header(res.headers, 'last-modified');
  if (status === 304) {
    await res.body.dump();
    return {
      status: 'not_modified',
      httpStatus: status,
      etag: etag ?? req.etag,
      lastModified: lastModified ?? req.lastModified,
    };
  }
  if (status !== 200) {
    await res.body.dump().catch(() => {});
    const error = new AppError('FEED_HTTP_ERROR', `HTTP ${status} from ${redact(req.url)}`, {
      httpStatus: status,
    });
    if (status === 429 || status === 503) {
      const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'));
      if (retryAfterMs !== undefined && retryAfterMs > http.maxRetryAfterMs) {
        throw new AppError(
          'FEED_HTTP_ERROR',
          `HTTP ${status} from ${redact(req.url)}: the server asks to retry after ${Math.round(retryAfterMs / 1000)} s`,
          { httpStatus: status },
        );
      }
      throw new RetryableError(error, retryAfterMs);
    }
    if (status >= 500) throw new RetryableError(error);
    throw error;
  }

  const declared = Number(header(res.headers, 'content-length') ?? Number.NaN);
  if (declared > http.maxBytes) {
    res.body.destroy();
    throw new AppError('FEED_TOO_LARGE', `the feed is ${declared} bytes, over the ${http.maxBytes}-byte cap`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'threat-aggregator-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const file = join(dir, 'body');
  let bytes = 0;
  try {
    await pipeline(
      res.body,
      async function* cap(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > http.maxBytes) {
            throw new AppError('FEED_TOO_LARGE', `the feed is over the ${http.maxBytes}-byte cap`);
          }
          yield chunk;
        }
      },
      createWriteStream(file),
    );
  } catch (err) {
    await cleanup();
    if (isAppError(err)) throw err;
    throw classifyNetworkError(err, req, total, bytes);
  }
  if (Number.isFinite(declared) && bytes !== declared) {
    await cleanup();
    throw new RetryableError(
      new AppError('FEED_TRUNCATED', `the body ended after ${bytes} of ${declared} bytes`, {
        httpStatus: status,
      }),
    );
  }
  return { status: 'ok', httpStatus: status, file, bytes, etag, lastModified, cleanup };
}

function classifyNetworkError(err: unknown, req: DownloadRequest, total: AbortSignal, bytes?: number): Error {
  if (req.signal?.aborted) return new AppError('FEED_NETWORK_ERROR', 'the download was cancelled');
  const where = redact(req.url);
  const after = bytes ? ` after ${bytes} bytes` : '';
  if (total.aborted) {
    return new AppError(
      'FEED_TIMEOUT',
      `the download from ${where} took longer than ${req.http.totalTimeoutMs / 1000} s${after}`,
    );
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new RetryableError(
      new AppError(
        'FEED_TIMEOUT',
        `the body from ${where} stalled for more than ${req.http.bodyTimeoutMs / 1000} s${after}`,
      ),
    );
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new RetryableError(
      new AppError(
        'FEED_TIMEOUT',
        `no response headers from ${where} within ${req.http.headersTimeoutMs / 1000} s`,
      ),
    );
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new RetryableError(
      new AppError(
        'FEED_TIMEOUT',
        `could not connect to ${where} within ${req.http.connectTimeoutMs / 1000} s`,
      ),
    );
  }
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  const kind = bytes ? 'FEED_TRUNCATED' : 'FEED_NETWORK_ERROR';
  return new RetryableError(
    new AppError(
      kind,
      `${bytes ? 'the connection broke' : 'cannot reach'} ${where}${after}: ${code ? `${code} ` : ''}${message}`.trim(),
    ),
  );
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | null {
  const v = headers[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** URLs in messages never carry credentials or query-string keys. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/key|token|secret|auth|pass/i.test(key)) u.searchParams.set(key, 'REDACTED');
    }
    return u.href;
  } catch {
    return url;
  }
}
