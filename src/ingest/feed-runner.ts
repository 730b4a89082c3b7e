import { createReadStream } from 'node:fs';
import type { Config, FeedConfig } from '../config/config.js';
import { AppError, describeError, isAppError } from '../errors.js';
import { isoSeconds } from '../store/time.js';
import type { RunResult, Store } from '../store/types.js';
import { type DownloadResult, download, redact } from './download.js';
import { type IngestProgress, ingestSnapshot, newProgress } from './ingest-snapshot.js';

export interface RunReport {
  feed: string;
  runId: number;
  result: RunResult;
  durationMs: number;
}

/**
 * Runs pulls and imports. The same feed never runs twice at once (FEED_BUSY); different feeds run side by
 * side, their downloads in parallel and their writes one after another through the store.
 */
export class FeedRunner {
  private readonly running = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly config: Config,
  ) {}

  isRunning(feed: string): boolean {
    return this.running.has(feed);
  }

  /** Pulls a feed over HTTP(S) once. Never throws for a feed failure: the run records it. */
  async pull(
    feed: FeedConfig,
    trigger: 'schedule' | 'fetch' | 'start',
    signal?: AbortSignal,
  ): Promise<RunReport> {
    return this.exclusive(feed, trigger, redact(feed.url), async (runId, observedAt, progress) => {
      const validators = await this.store.lastValidators(feed.name);
      const res: DownloadResult = await download({
        url: feed.url,
        headers: this.requestHeaders(feed),
        etag: validators.etag,
        lastModified: validators.lastModified,
        http: feed.http,
        ...(signal && { signal }),
      });
      if (res.status === 'not_modified') {
        return {
          outcome: 'not_modified',
          httpStatus: res.httpStatus,
          etag: res.etag,
          lastModified: res.lastModified,
        };
      }
      try {
        const report = await ingestSnapshot(
          this.store,
          feed,
          createReadStream(res.file),
          runId,
          observedAt,
          progress,
          signal,
        );
        return {
          outcome: report.committed ? 'ok' : 'refused',
          httpStatus: res.httpStatus,
          bytes: res.bytes,
          ...report.counts,
          error: report.reason ?? null,
          errorCode: report.committed ? null : 'SNAPSHOT_REFUSED',
          // Validators are kept only for a snapshot we applied, so a refused one is fetched in full next time.
          etag: report.committed ? res.etag : null,
          lastModified: report.committed ? res.lastModified : null,
        };
      } finally {
        await res.cleanup();
      }
    });
  }

  /** Runs a local body (file or stdin) through the same pipeline as a complete snapshot of the feed. */
  async import(
    feed: FeedConfig,
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    source: string,
  ): Promise<RunReport> {
    return this.exclusive(feed, 'import', source, async (runId, observedAt, progress) => {
      let bytes = 0;
      const counted = (async function* () {
        for await (const chunk of body) {
          bytes += chunk.length;
          yield chunk;
        }
      })();
      const report = await ingestSnapshot(this.store, feed, counted, runId, observedAt, progress);
      return {
        outcome: report.committed ? 'ok' : 'refused',
        bytes,
        ...report.counts,
        error: report.reason ?? null,
        errorCode: report.committed ? null : 'SNAPSHOT_REFUSED',
      };
    });
  }

  private requestHeaders(feed: FeedConfig): Record<string, string> {
    const headers = { ...feed.headers };
    if (feed.module.abuseCh && this.config.abusechAuthKey && !hasHeader(headers, 'auth-key')) {
      headers['Auth-Key'] = this.config.abusechAuthKey;
    }
    return headers;
  }

  private async exclusive(
    feed: FeedConfig,
    trigger: 'schedule' | 'fetch' | 'start' | 'import',
    source: string,
    body: (
      runId: number,
      observedAt: string,
      progress: IngestProgress,
    ) => Promise<Omit<RunResult, 'finishedAt'>>,
  ): Promise<RunReport> {
    if (this.running.has(feed.name)) {
      throw new AppError('FEED_BUSY', `feed ${feed.name} is already running`);
    }
    this.running.add(feed.name);
    const started = Date.now();
    try {
      const observedAt = isoSeconds(new Date(started));
      const runId = await this.store.startRun({ feed: feed.name, trigger, source, startedAt: observedAt });
      const progress = newProgress();
      let partial: Omit<RunResult, 'finishedAt'>;
      try {
        partial = await body(runId, observedAt, progress);
      } catch (err) {
        partial = {
          outcome: 'failed',
          errorCode: isAppError(err) ? err.code : 'INTERNAL',
          error: describeError(err),
          httpStatus:
            isAppError(err) && typeof err.details?.httpStatus === 'number' ? err.details.httpStatus : null,
        };
      }
      const result: RunResult = {
        ...partial,
        finishedAt: isoSeconds(),
        format: progress.format,
        parsed: progress.parsed,
        rejected: progress.rejected,
        rejects: progress.rejects,
      };
      await this.store.finishRun(runId, result);
      return { feed: feed.name, runId, result, durationMs: Date.now() - started };
    } finally {
      this.running.delete(feed.name);
    }
  }
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}
