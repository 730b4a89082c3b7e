import type { FeedConfig } from '../config/config.js';
import { AppError } from '../errors.js';
import { decodeBody } from '../feeds/body.js';
import type { ParseReject, ParseSummary } from '../feeds/types.js';
import { normalizeIndicator } from '../indicators/normalize.js';
import type { NormalizedEntry, RejectedLine, SnapshotCounts, SnapshotWriter, Store } from '../store/types.js';

export const MAX_KEPT_REJECTS = 20;
const WRITE_BATCH = 2000;
const RAW_PREVIEW = 200;

/** What the pipeline has read so far; the caller keeps it, so a failed run still records its rejects. */
export interface IngestProgress {
  format: string | null;
  parsed: number;
  rejected: number;
  rejects: RejectedLine[];
}

export function newProgress(): IngestProgress {
  return { format: null, parsed: 0, rejected: 0, rejects: [] };
}

export interface IngestReport {
  committed: boolean;
  /** Why the snapshot was refused, when it was. */
  reason?: string;
  counts: SnapshotCounts;
}

/**
 * Runs one complete snapshot of a feed through the pipeline: decode, parse, normalise, write in batches,
 * then apply removals, all in one store transaction. Any error, or a snapshot that fails the guards,
 * leaves the stored data exactly as it was.
 */
export async function ingestSnapshot(
  store: Store,
  feed: FeedConfig,
  body: AsyncIterable<Uint8Array>,
  runId: number,
  observedAt: string,
  progress: IngestProgress,
  signal?: AbortSignal,
): Promise<IngestReport> {
  const { rejects } = progress;
  const reject = (r: ParseReject) => {
    progress.rejected++;
    if (rejects.length < MAX_KEPT_REJECTS) {
      rejects.push({
        ...(r.line !== undefined && { line: r.line }),
        raw: r.raw.slice(0, RAW_PREVIEW),
        reason: r.reason,
      });
    }
  };

  let snapshot: SnapshotWriter | undefined;
  let buffer: NormalizedEntry[] = [];
  const flush = async () => {
    snapshot ??= await store.openSnapshot(feed.name, runId, observedAt);
    if (buffer.length > 0) await snapshot.write(buffer);
    buffer = [];
  };

  try {
    const parser = feed.module.parse(decodeBody(body, { maxBytes: feed.http.maxBytes }));
    let summary: ParseSummary;
    for (;;) {
      const step = await parser.next();
      if (step.done) {
        summary = step.value;
        break;
      }
      if (signal?.aborted)
        throw new AppError('FEED_NETWORK_ERROR', 'the run was interrupted (shutting down)');
      for (const ev of step.value) {
        if (ev.kind === 'reject') {
          reject(ev.reject);
          continue;
        }
        const { entry } = ev;
        const n = normalizeIndicator(entry.value, entry.expect);
        if (!n.ok) {
          reject({
            ...(entry.line !== undefined && { line: entry.line }),
            raw: entry.value,
            reason: n.reason,
          });
          continue;
        }
        progress.parsed++;
        buffer.push({
          type: n.type,
          value: n.value,
          firstSeen: entry.firstSeen,
          attributes: n.note ? { ...entry.attributes, note: n.note } : entry.attributes,
          data: JSON.stringify(entry.original),
        });
      }
      if (buffer.length >= WRITE_BATCH) await flush();
    }

    progress.format = summary.format;
    const { parsed, rejected } = progress;
    const legitEmpty = parsed === 0 && summary.recognised && feed.allowEmpty;
    if (parsed === 0 && !legitEmpty) {
      throw new AppError(
        'FEED_EMPTY',
        rejected > 0
          ? `no valid entry in the body (${rejected} rejected, first: ${rejects[0]?.reason ?? 'unknown'})`
          : summary.recognised
            ? 'the feed lists no entries, and this feed is not declared as one that may be empty'
            : 'no parseable entry in the body',
      );
    }
    // A body that is mostly junk is a wrong or broken document, not a snapshot to trust.
    if (rejected >= 10 && rejected > parsed) {
      throw new AppError(
        'FEED_FORMAT',
        `${rejected} of ${parsed + rejected} entries were rejected (first: ${rejects[0]?.reason}); the body does not look like ${feed.name} data`,
      );
    }
    await flush();
    const outcome = await snapshot!.commit({ maxRemovalShare: legitEmpty ? 1 : feed.maxRemovalShare });
    return {
      committed: outcome.committed,
      ...(!outcome.committed && { reason: outcome.reason }),
      counts: outcome.counts,
    };
  } catch (err) {
    await snapshot?.abort();
    throw err;
  }
}
