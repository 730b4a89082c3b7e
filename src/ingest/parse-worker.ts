/**
 * Worker-thread entry: decodes, parses and normalises a feed body (normalizedBatches) while the main thread
 * writes the batches to the store. Started by ingest-snapshot.ts, which owns the protocol's other half.
 *
 * Flow control, both ways bounded: the worker asks for body chunks (`pull`) only while fewer than
 * MAX_UNACKED of its batches wait for the main thread's `ack` (sent once a batch is written), keeps at most
 * READ_AHEAD chunks requested or queued, and stops parsing while MAX_UNACKED batches are unacknowledged.
 *
 * Results (batches, the summary, an error) go through their own port, `results`, with a `ready` note on
 * the parent port for each: the main thread takes one off with receiveMessageOnPort only when it is about
 * to write it, so waiting batches stay serialised outside its heap instead of being promoted there.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type ErrorCode, isAppError } from '../errors.js';
import { feedModule } from '../feeds/registry.js';
import type { ParseSummary } from '../feeds/types.js';
import { type NormalizedBatch, normalizedBatches } from './normalized-batches.js';

export interface ParseWorkerData {
  /** The feed module's name, looked up in the registry (modules hold functions: they cannot be posted). */
  module: string;
  maxBytes: number;
  results: MessagePort;
}

export type ToWorker =
  | { type: 'chunk'; chunk: Uint8Array }
  /** The body ended after the chunks already sent. */
  | { type: 'end' }
  /** Reading the body failed after the chunks already sent; the main thread keeps the error itself. */
  | { type: 'fail' }
  /** One batch has been written. */
  | { type: 'ack' };

export type WorkerError =
  | { kind: 'body' }
  | { kind: 'app'; code: ErrorCode; message: string; details?: Record<string, unknown> }
  | { kind: 'other'; message: string };

/** On the parent port. */
export type FromWorker = { type: 'pull'; n: number } | { type: 'ready' };

/** On the results port. */
export type WorkerResult =
  | { type: 'batch'; batch: NormalizedBatch }
  | { type: 'done'; summary: ParseSummary }
  | { type: 'error'; error: WorkerError };

export const MAX_UNACKED = 4;
/** Chunks asked for ahead of the parser, so it keeps working while the main thread is busy writing. */
export const READ_AHEAD = 32;

class BodyFailed extends Error {}

function describe(err: unknown): WorkerError {
  if (err instanceof BodyFailed) return { kind: 'body' };
  if (isAppError(err)) {
    let details: Record<string, unknown> | undefined;
    try {
      details = err.details && structuredClone(err.details);
    } catch {
      // Details that cannot be cloned are dropped; the code and message still tell the failure.
    }
    return { kind: 'app', code: err.code, message: err.message, ...(details && { details }) };
  }
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

function run(port: NonNullable<typeof parentPort>, data: ParseWorkerData): void {
  const chunks: Uint8Array[] = [];
  let requested = 0;
  let unacked = 0;
  let ended = false;
  let failed = false;
  // The body reader and the batch loop may wait at the same time (gunzip reads ahead through a stream).
  let waiters: (() => void)[] = [];
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));

  const request = () => {
    if (ended || failed || unacked >= MAX_UNACKED) return;
    const n = READ_AHEAD - chunks.length - requested;
    if (n <= 0) return;
    requested += n;
    port.postMessage({ type: 'pull', n } satisfies FromWorker);
  };

  port.on('message', (m: ToWorker) => {
    if (m.type === 'chunk') {
      requested--;
      chunks.push(m.chunk);
    } else if (m.type === 'end') ended = true;
    else if (m.type === 'fail') failed = true;
    else unacked--;
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  });

  async function* body(): AsyncGenerator<Uint8Array> {
    for (;;) {
      request();
      const chunk = chunks.shift();
      if (chunk !== undefined) yield chunk;
      else if (failed) throw new BodyFailed('the body could not be read');
      else if (ended) return;
      else await changed();
    }
  }

  const result = (r: WorkerResult) => {
    data.results.postMessage(r);
    // Sent after the result, so the result is already queued on its port when the main thread wakes.
    port.postMessage({ type: 'ready' } satisfies FromWorker);
  };

  const module = feedModule(data.module);
  (async () => {
    if (!module) throw new Error(`no feed module named ${data.module}`);
    const batches = normalizedBatches(module, data.maxBytes, body());
    for (;;) {
      const r = await batches.next();
      if (r.done) {
        result({ type: 'done', summary: r.value.summary });
        return;
      }
      unacked++;
      result({ type: 'batch', batch: r.value });
      while (unacked >= MAX_UNACKED) await changed();
    }
  })().catch((err: unknown) => {
    result({ type: 'error', error: describe(err) });
  });
}

if (parentPort) run(parentPort, workerData as ParseWorkerData);
