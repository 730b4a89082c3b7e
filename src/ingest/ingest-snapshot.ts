import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { FeedConfig } from '../config/config.js';
import { AppError } from '../errors.js';
import { feedModule } from '../feeds/registry.js';
import type { ParseSummary } from '../feeds/types.js';
import type { NormalizedEntry, RejectedLine, SnapshotCounts, SnapshotWriter, Store } from '../store/types.js';
import {
  batchEntries,
  MAX_KEPT_REJECTS,
  type NormalizedBatch,
  normalizedBatches,
  WRITE_BATCH,
} from './normalized-batches.js';
import type { FromWorker, ParseWorkerData, ToWorker, WorkerError, WorkerResult } from './parse-worker.js';

export { MAX_KEPT_REJECTS };

/**
 * Bodies at least this big are parsed in a worker thread. Starting one costs about 0.1 s, which a body this
 * size repays by overlapping its parsing with the store's writes; smaller bodies are parsed in-thread.
 */
export const WORKER_MIN_BYTES = 4 * 1024 * 1024;

/**
 * The worker's young generation, in MB. With V8's default its heap reached 63-75 MB beside the main thread's
 * 50; the worker's live set is a few batches, so a smaller one costs no measurable time and lowers a 1M
 * import's peak RSS (URLhaus JSON refresh: 208-214 MB against 222-239 MB; CSV first load and refresh:
 * 212-220 MB against 227-248 MB).
 */
const WORKER_YOUNG_MIB = 24;

/**
 * Starts the parse worker: dist/ingest/parse-worker.js once built. From source under tsx (the tests), tsx's
 * hooks do not reach worker threads on Node 20, so the worker registers them before loading the .ts entry.
 */
function startWorker(data: ParseWorkerData): Worker {
  const here = import.meta.url;
  const options = {
    workerData: data,
    transferList: [data.results],
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MIB },
  };
  if (!here.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', here), options);
  const entry = JSON.stringify(new URL('./parse-worker.ts', here).href);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import { register } from ${tsx}; register(); await import(${entry});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), options);
}

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

export interface IngestOptions {
  /**
   * Parse in a worker thread once the body reaches this many bytes (default WORKER_MIN_BYTES): 0 always,
   * Infinity never.
   */
  workerMinBytes?: number;
}

const interrupted = () => new AppError('FEED_NETWORK_ERROR', 'the run was interrupted (shutting down)');

/**
 * Runs one complete snapshot of a feed through the pipeline: decode, parse, normalise, write in batches,
 * then apply removals, all in one store transaction. Any error, or a snapshot that fails the guards,
 * leaves the stored data exactly as it was. A large body is decoded and parsed in a worker thread while
 * this thread writes; its chunks are then transferred to the worker (they must not be reused).
 */
export async function ingestSnapshot(
  store: Store,
  feed: FeedConfig,
  body: AsyncIterable<Uint8Array>,
  runId: number,
  observedAt: string,
  progress: IngestProgress,
  signal?: AbortSignal,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const { rejects } = progress;
  let snapshot: SnapshotWriter | undefined;
  // A batch shorter than WRITE_BATCH ends the body (or precedes its error): it is counted at once but
  // written only once the snapshot passes the guards, as the store need not be touched before.
  let tail: NormalizedEntry[] = [];
  const flush = async (batch: NormalizedEntry[]) => {
    snapshot ??= await store.openSnapshot(feed.name, runId, observedAt);
    if (batch.length > 0) await snapshot.write(batch);
  };
  const take = async (b: NormalizedBatch) => {
    progress.parsed += b.types.length;
    progress.rejected += b.rejected;
    for (const r of b.rejects) if (rejects.length < MAX_KEPT_REJECTS) rejects.push(r);
    if (b.types.length >= WRITE_BATCH) await flush(batchEntries(b));
    else tail = batchEntries(b);
  };

  try {
    const summary = await parseBody(feed, body, take, signal, options.workerMinBytes ?? WORKER_MIN_BYTES);
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
    await flush(tail);
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

/** The first chunks of a body, read to choose where to parse it, and how reading them ended. */
interface Head {
  chunks: Uint8Array[];
  /** 'more': the body goes on in `rest`. */
  end: 'more' | 'done' | { error: unknown };
  rest: AsyncIterator<Uint8Array>;
}

async function readHead(body: AsyncIterable<Uint8Array>, minBytes: number): Promise<Head> {
  const rest = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < minBytes) {
      const r = await rest.next();
      if (r.done) return { chunks, end: 'done', rest };
      chunks.push(r.value);
      size += r.value.length;
    }
  } catch (error) {
    // Surfaces after the chunks read before it, where the parser would have met it.
    return { chunks, end: { error }, rest };
  }
  return { chunks, end: 'more', rest };
}

async function* replay(head: Head): AsyncGenerator<Uint8Array> {
  try {
    yield* head.chunks;
    if (typeof head.end === 'object') throw head.end.error;
    if (head.end === 'done') return;
    for (;;) {
      const r = await head.rest.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    if (head.end === 'more') await head.rest.return?.();
  }
}

/** Feeds every batch of the body to `take`, in order, and returns the parser's summary. */
async function parseBody(
  feed: FeedConfig,
  body: AsyncIterable<Uint8Array>,
  take: (b: NormalizedBatch) => Promise<void>,
  signal: AbortSignal | undefined,
  workerMinBytes: number,
): Promise<ParseSummary> {
  const maxBytes = feed.http.maxBytes;
  // The worker finds the module by name: a module not in the registry (a test's) is parsed here.
  const inThread =
    workerMinBytes === Number.POSITIVE_INFINITY || feedModule(feed.module.name) !== feed.module;
  const head = inThread ? undefined : await readHead(body, workerMinBytes);
  // A body that ended (or failed) before the threshold is small: parse it here.
  if (head === undefined || head.end !== 'more') {
    const batches = normalizedBatches(feed.module, maxBytes, head ? replay(head) : body, signal);
    for (;;) {
      const r = await batches.next();
      if (r.done) return r.value.summary;
      await take(r.value);
    }
  }
  return parseInWorker(feed, head, take, signal);
}

function fromWorker(e: Exclude<WorkerError, { kind: 'body' }>): Error {
  return e.kind === 'app' ? new AppError(e.code, e.message, e.details) : new Error(e.message);
}

/**
 * The main thread's half of the protocol in parse-worker.ts: sends body chunks as the worker pulls them,
 * writes each batch it receives and acknowledges it once written, so the worker never runs more than a few
 * batches ahead of the store.
 */
async function parseInWorker(
  feed: FeedConfig,
  head: Head,
  take: (b: NormalizedBatch) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<ParseSummary> {
  const { port1: results, port2 } = new MessageChannel();
  const worker = startWorker({ module: feed.module.name, maxBytes: feed.http.maxBytes, results: port2 });
  const post = (m: ToWorker, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer);

  let ready = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  // Body chunks go out as the worker asks for them, `credit` at a time.
  let credit = 0;
  let pumping = false;
  let bodyOpen = head.end === 'more';
  let bodyError: { error: unknown } | undefined = typeof head.end === 'object' ? head.end : undefined;
  const queued = head.chunks;
  let finished = false;
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (credit > 0 && !finished) {
        let chunk = queued.shift();
        if (chunk === undefined && bodyOpen) {
          try {
            const r = await head.rest.next();
            if (r.done) bodyOpen = false;
            else chunk = r.value;
          } catch (error) {
            bodyOpen = false;
            bodyError = { error };
          }
        }
        if (finished) return;
        if (chunk === undefined) {
          post({ type: bodyError ? 'fail' : 'end' });
          credit = 0;
          return;
        }
        credit--;
        sendChunk(chunk);
      }
    } finally {
      pumping = false;
    }
  };
  const sendChunk = (chunk: Uint8Array) => {
    // Transfer the chunk's memory when it owns all of it; a view onto a shared or pooled buffer is copied.
    const owned =
      !(chunk.buffer instanceof SharedArrayBuffer) &&
      chunk.byteOffset === 0 &&
      chunk.byteLength === chunk.buffer.byteLength;
    if (owned) {
      try {
        post({ type: 'chunk', chunk }, [chunk.buffer as ArrayBuffer]);
        return;
      } catch {
        // Some buffers are marked untransferable (Node's own pools): copy those.
      }
    }
    post({ type: 'chunk', chunk: new Uint8Array(chunk) });
  };

  worker.on('message', (m: FromWorker) => {
    if (m.type === 'pull') {
      credit += m.n;
      void pump();
      return;
    }
    ready++;
    notify();
  });
  worker.on('error', (err) => {
    failure ??= err;
    notify();
  });
  const onExit = (code: number) => {
    failure ??= new Error(`the parse worker stopped unexpectedly (exit code ${code})`);
    notify();
  };
  worker.on('exit', onExit);
  signal?.addEventListener('abort', notify);

  try {
    for (;;) {
      if (signal?.aborted) throw interrupted();
      if (ready === 0) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      // Deserialised only now, just before it is written.
      const m = receiveMessageOnPort(results)?.message as WorkerResult | undefined;
      if (m === undefined) throw new Error('the parse worker announced a result it did not send');
      ready--;
      if (m.type === 'done') return m.summary;
      if (m.type === 'error') {
        if (m.error.kind === 'body') throw bodyError?.error ?? new Error('the body could not be read');
        throw fromWorker(m.error);
      }
      await take(m.batch);
      post({ type: 'ack' });
    }
  } finally {
    finished = true;
    signal?.removeEventListener('abort', notify);
    worker.off('exit', onExit);
    await worker.terminate();
    results.close();
    // Close a body left unread (a file stream); a read in progress is not waited for.
    if (bodyOpen) head.rest.return?.()?.catch(() => {});
  }
}
