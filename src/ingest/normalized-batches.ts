/**
 * The CPU half of an ingest: decode, parse and normalise a body into batches ready for the store. It runs
 * in a worker thread for large bodies (parse-worker.ts) and in the calling thread for small ones, so both
 * paths share this one implementation.
 */
import { AppError } from '../errors.js';
import { decodeBody } from '../feeds/body.js';
import type { FeedModule, ParseEvent, ParseSummary } from '../feeds/types.js';
import { normalizeIndicator } from '../indicators/normalize.js';
import type { IndicatorType } from '../indicators/types.js';
import { normalizedEntry } from '../store/normalized-entry.js';
import type { NormalizedEntry, RejectedLine } from '../store/types.js';

export const MAX_KEPT_REJECTS = 20;
export const WRITE_BATCH = 2000;
const RAW_PREVIEW = 200;

/**
 * Normalised entries in parallel arrays: cheaper to post between threads than as many small objects (the
 * structured clone of a plain string array is a tight loop), and rebuilt into entries by `batchEntries`.
 */
export interface NormalizedBatch {
  types: IndicatorType[];
  values: string[];
  firstSeen: (string | undefined)[];
  attributes: string[];
  data: string[];
  dataHash: number[];
  /** All rejects of this batch, kept or not. */
  rejected: number;
  /** The rejects kept for the run record: only the first MAX_KEPT_REJECTS of the body are sent at all. */
  rejects: RejectedLine[];
}

export interface BatchesEnd {
  summary: ParseSummary;
}

function emptyBatch(): NormalizedBatch {
  return {
    types: [],
    values: [],
    firstSeen: [],
    attributes: [],
    data: [],
    dataHash: [],
    rejected: 0,
    rejects: [],
  };
}

function pushEntry(b: NormalizedBatch, e: NormalizedEntry): void {
  b.types.push(e.type);
  b.values.push(e.value);
  b.firstSeen.push(e.firstSeen);
  b.attributes.push(e.attributes);
  b.data.push(e.data);
  b.dataHash.push(e.dataHash);
}

export function batchEntries(b: NormalizedBatch): NormalizedEntry[] {
  const { types, values, firstSeen, attributes, data, dataHash } = b;
  const out: NormalizedEntry[] = new Array(types.length);
  for (let i = 0; i < types.length; i++) {
    out[i] = {
      type: types[i]!,
      value: values[i]!,
      firstSeen: firstSeen[i],
      attributes: attributes[i]!,
      data: data[i]!,
      dataHash: dataHash[i]!,
    };
  }
  return out;
}

/**
 * Yields batches of WRITE_BATCH entries (the last one, and one before an error, may be shorter: the caller
 * counts them but only writes them once the snapshot passes its guards), then returns the parser's summary.
 * Throws the decoder's or parser's AppError, or FEED_NETWORK_ERROR once `signal` is aborted.
 */
export async function* normalizedBatches(
  module: FeedModule,
  maxBytes: number,
  body: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<NormalizedBatch, BatchesEnd, undefined> {
  let kept = 0;
  let batch = emptyBatch();
  const reject = (line: number | undefined, raw: string, reason: string) => {
    batch.rejected++;
    if (kept < MAX_KEPT_REJECTS) {
      kept++;
      batch.rejects.push({ ...(line !== undefined && { line }), raw: raw.slice(0, RAW_PREVIEW), reason });
    }
  };

  const parser = module.parse(decodeBody(body, { maxBytes }));
  let summary: ParseSummary;
  for (;;) {
    let step: IteratorResult<ParseEvent[], ParseSummary>;
    try {
      step = await parser.next();
      if (!step.done && signal?.aborted)
        throw new AppError('FEED_NETWORK_ERROR', 'the run was interrupted (shutting down)');
    } catch (err) {
      // What was read before the failure still counts in the run's progress.
      if (batch.types.length > 0 || batch.rejected > 0) yield batch;
      throw err;
    }
    if (step.done) {
      summary = step.value;
      break;
    }
    for (const ev of step.value) {
      if (ev.kind === 'reject') {
        reject(ev.reject.line, ev.reject.raw, ev.reject.reason);
        continue;
      }
      const { entry } = ev;
      const n = normalizeIndicator(entry.value, entry.expect);
      if (!n.ok) {
        reject(entry.line, entry.value, n.reason);
        continue;
      }
      const attributes = n.note ? { ...entry.attributes, note: n.note } : entry.attributes;
      pushEntry(batch, normalizedEntry(n, entry.firstSeen, attributes, entry.original));
    }
    if (batch.types.length >= WRITE_BATCH) {
      yield batch;
      batch = emptyBatch();
    }
  }
  if (batch.types.length > 0 || batch.rejected > 0) yield batch;
  return { summary };
}
