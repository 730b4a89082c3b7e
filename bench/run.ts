/**
 * `npm run bench` (tsx bench/run.ts): the performance benchmark of issue #4. Not part of `npm test`.
 *
 *   npx tsx bench/run.ts [--sizes 100k,1m] [--runs 3] [--json-runs 1] [--duration 5] [--connections 10]
 *                        [--timeout 45] [--quick]
 *   npx tsx bench/run.ts --render-only   # rewrite BENCHMARKS.md from bench/results.json
 *   npx tsx bench/run.ts --only ingest   # one server phase (http or ingest) again, on the kept build and dbs
 *
 * It compiles a snapshot of src/ into bench/out/build, generates the feeds with bench/generate.ts, then, on
 * loopback only:
 *   1-3. imports the URLhaus CSV and JSON dumps into fresh databases, then again unchanged (the refresh),
 *        with the SQLite floor (../shared/bench/sqlite-floor.cjs, when present) on the same CSV in each run;
 *   4-6. serves each database and measures /view (page 1 and the last page), /api/v1/indicators cursor pages,
 *        /api/v1/lookup, and /download with the server's peak RSS;
 *   7.   on a copy of the largest database, imports 100k entries while /view is under load.
 * Every load phase is bounded in time and in requests, every child process by a timeout, and the whole run
 * by --timeout minutes. Results go to BENCHMARKS.md and bench/results.json.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import {
  filesFor,
  type GeneratedFiles,
  generate,
  Prng,
  parseSize,
  type SizeFiles,
  sizeLabel,
} from './generate.js';
import {
  BASE_ENV,
  BENCH_DIR,
  buildSnapshot,
  CLI,
  DB_DIR,
  FLOOR,
  type ImportSummary,
  killChildren,
  log,
  MB,
  median,
  OUT,
  parseSummary,
  procKb,
  ROOT,
  removeDb,
  resetPeakRss,
  type Server,
  startServer,
  timedNode,
} from './lib.js';

// ------------------------------------------------------------------------------------------ options

interface Options {
  sizes: number[];
  runs: number;
  jsonRuns: number;
  duration: number;
  connections: number;
  timeoutMin: number;
  quick: boolean;
}

function parseOptions(argv: string[]): Options {
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const int = (flag: string, dflt: number, min: number, max: number): number => {
    const v = at(flag);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${flag} must be an integer ${min}..${max}`);
    return n;
  };
  const known = ['--sizes', '--runs', '--json-runs', '--duration', '--connections', '--timeout', '--quick'];
  for (const a of argv) if (a.startsWith('--') && !known.includes(a)) throw new Error(`unknown option ${a}`);
  const quick = argv.includes('--quick');
  const sizes = (at('--sizes') ?? (quick ? '100k' : '100k,1m')).split(',').map(parseSize);
  if (sizes.some((n) => n < 1000 || n > 5_000_000)) throw new Error('--sizes: each from 1k to 5m');
  const runs = int('--runs', quick ? 1 : 3, 1, 9);
  return {
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    runs,
    jsonRuns: Math.min(runs, int('--json-runs', 1, 1, 9)),
    duration: int('--duration', 5, 1, 60),
    connections: int('--connections', 10, 1, 200),
    timeoutMin: int('--timeout', quick ? 10 : 45, 1, 240),
    quick,
  };
}

// ------------------------------------------------------------------------------------------- results

interface ImportRun {
  run: number;
  wallS: number;
  peakRssMb: number;
  rowsPerS: number;
  summary?: ImportSummary;
  error?: string;
}

interface FloorRun {
  run: number;
  firstS: number;
  refreshS: number;
  rows: number;
  wallS: number;
  peakRssMb: number;
  error?: string;
}

interface SizeImports {
  rows: number;
  label: string;
  csvBytes: number;
  jsonBytes: number;
  floor: FloorRun[];
  csv: { first: ImportRun[]; refresh: ImportRun[] };
  json: { first: ImportRun[]; refresh: ImportRun[] };
}

interface LoadStats {
  reqPerS: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  durationS: number;
}

interface LoadPhase {
  name: string;
  path: string;
  runs: LoadStats[];
  reqPerS: number;
  p50: number;
  p99: number;
}

interface DownloadRun {
  status: number;
  wallS: number;
  ttfbMs: number;
  bytes: number;
  records: number;
  mbPerS: number;
  wellFormed: boolean;
  serverRssBeforeMb: number;
  serverPeakRssMb: number;
  peakFrom: 'VmHWM' | 'polling';
  error?: string;
}

interface SizeHttp {
  rows: number;
  label: string;
  total: number;
  lastPage: number;
  serverIdleRssMb: number;
  coldMs: { page1: number; lastPage: number };
  view1: LoadPhase;
  viewLast: LoadPhase;
  /** Absent in results from before this phase existed. */
  viewRandom?: LoadPhase;
  walk: { pages: number; rows: number; wallS: number; rowsPerS: number; complete: boolean };
  indicators: LoadPhase;
  lookup: LoadPhase & { sampleFound: boolean };
  /** Each on a freshly started server. */
  download: DownloadRun[];
  /** On the server that has just served the load phases. */
  downloadAfterLoad?: DownloadRun;
}

interface IngestScenario {
  name: string;
  feed: string;
  file: string;
  rows: number;
  importRun: ImportRun;
  load: LoadStats;
}

interface OtherImport {
  feed: string;
  file: string;
  rows: number;
  first: ImportRun;
  refresh: ImportRun;
}

interface Results {
  version: 1;
  startedAt: string;
  finishedAt?: string;
  options: Options;
  machine: Record<string, string | number>;
  code: { commit: string; dirtySrc: boolean; srcDigest?: string; buildComplaints?: string };
  floorAvailable: boolean;
  cliStartS: number;
  loadAvg: { phase: string; load1: number }[];
  imports: SizeImports[];
  otherImports: OtherImport[];
  http: SizeHttp[];
  ingest?: { size: string; path?: string; baseline: LoadStats; scenarios: IngestScenario[] };
  /** Phases run again later on the same build and databases (bench/run.ts --only). */
  reruns?: { phase: string; at: string; srcDigest: string }[];
  errors: string[];
  targets?: TargetRow[];
}

interface TargetRow {
  target: string;
  measured: string;
  pass: boolean | null;
}

// -------------------------------------------------------------------------------------- processes

function importTimeoutMs(rows: number): number {
  return Math.max(120_000, (rows / 1_000_000) * 600_000);
}

async function runImport(
  feed: string,
  file: string,
  db: string,
  rows: number,
  run: number,
  extraEnv: NodeJS.ProcessEnv = {},
  onSpawn?: () => void,
): Promise<ImportRun> {
  const t = await timedNode(
    [CLI, 'import', feed, file],
    { ...BASE_ENV, ...extraEnv, DATABASE_URL: db },
    importTimeoutMs(rows),
    onSpawn,
  );
  const summary = parseSummary(t.stdout);
  const r: ImportRun = { run, wallS: t.wallS, peakRssMb: t.peakRssMb, rowsPerS: rows / t.wallS };
  if (summary) r.summary = summary;
  if (t.timedOut) r.error = `timed out after ${importTimeoutMs(rows) / 1000} s`;
  else if (t.code !== 0 || summary?.outcome !== 'ok')
    r.error = `exit ${t.code}: ${summary?.line ?? t.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  else if (summary.parsed !== rows || summary.rejected !== 0)
    r.error = `expected ${rows} rows parsed and none rejected: ${summary.line}`;
  return r;
}

async function runFloor(csv: string, rows: number, run: number): Promise<FloorRun> {
  const scratch = join(DB_DIR, 'floor.db');
  removeDb(scratch);
  const t = await timedNode([FLOOR, ROOT, csv, scratch], BASE_ENV, 2 * importTimeoutMs(rows));
  removeDb(scratch);
  const [a, b, n] = t.stdout.trim().split(/\s+/).map(Number);
  const r: FloorRun = {
    run,
    firstS: a ?? Number.NaN,
    refreshS: b ?? Number.NaN,
    rows: n ?? 0,
    wallS: t.wallS,
    peakRssMb: t.peakRssMb,
  };
  if (t.code !== 0 || !Number.isFinite(r.firstS))
    r.error = `floor failed (exit ${t.code}): ${t.stderr.slice(-300)}`;
  return r;
}

// ---------------------------------------------------------------------------------------------- load

function toStats(r: autocannon.Result): LoadStats {
  return {
    reqPerS: r.duration > 0 ? r.requests.total / r.duration : 0,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    mean: r.latency.mean,
    requests: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
    durationS: r.duration,
  };
}

/** One autocannon run, bounded by durationS and by a request count, with a guard timer on top. */
function cannon(
  base: string,
  path: string | (() => string),
  durationS: number,
  connections: number,
): { done: Promise<LoadStats>; stop: () => void } {
  let instance: autocannon.Instance | undefined;
  const done = new Promise<LoadStats>((res, rej) => {
    const opts: autocannon.Options = {
      url: typeof path === 'string' ? base + path : base,
      connections,
      duration: durationS,
      maxOverallRequests: durationS * 50_000,
      timeout: 10,
    };
    if (typeof path === 'function') {
      opts.requests = [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path() }) }];
    }
    const guard = setTimeout(() => instance?.stop(), (durationS + 30) * 1000);
    instance = autocannon(opts, (err, result) => {
      clearTimeout(guard);
      if (err) rej(err);
      else res(toStats(result));
    });
  });
  return { done, stop: () => instance?.stop() };
}

async function loadPhase(
  name: string,
  base: string,
  label: string,
  path: string | (() => string),
  opts: Options,
): Promise<LoadPhase> {
  await cannon(base, path, 1, opts.connections).done; // warm-up, not counted
  const runs: LoadStats[] = [];
  for (let i = 0; i < opts.runs; i++)
    runs.push(await cannon(base, path, opts.duration, opts.connections).done);
  const phase: LoadPhase = {
    name,
    path: label,
    runs,
    reqPerS: median(runs.map((r) => r.reqPerS)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  };
  const bad = runs.reduce((s, r) => s + r.errors + r.non2xx + r.timeouts, 0);
  log(
    `  ${name}: ${phase.reqPerS.toFixed(0)} req/s, median ${phase.p50} ms, p99 ${phase.p99} ms${bad ? `, ${bad} errors/non-2xx` : ''}`,
  );
  return phase;
}

async function timeGet(url: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  return performance.now() - t0;
}

/** Walks /api/v1/indicators to the end by cursor (limit 1000), keeping cursors and values to sample. */
async function walkCursors(base: string, total: number) {
  const cursors: string[] = [];
  const values: string[] = [];
  const t0 = performance.now();
  const deadline = Date.now() + 180_000;
  const maxPages = Math.ceil(total / 1000) + 10;
  let cursor: string | null = null;
  let pages = 0;
  let rows = 0;
  do {
    const url = `${base}/api/v1/indicators?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    if (!r.ok) throw new Error(`GET ${url}: ${r.status} ${await r.text()}`);
    const body = (await r.json()) as { items: { value: string }[]; next_cursor: string | null };
    pages++;
    rows += body.items.length;
    for (const k of [0, 500]) {
      const v = body.items[k]?.value;
      if (v !== undefined) values.push(v);
    }
    cursor = body.next_cursor;
    if (cursor) cursors.push(cursor);
  } while (cursor && pages < maxPages && Date.now() < deadline);
  const wallS = (performance.now() - t0) / 1000;
  return { cursors, values, pages, rows, wallS, rowsPerS: rows / wallS, complete: cursor === null };
}

const RECORD_KEY = Buffer.from('"abuseIPDBData":');

/** GET /download to the end: wall time, bytes, records, and the server's peak RSS meanwhile. */
async function downloadOnce(server: Server, timeoutMs: number): Promise<DownloadRun> {
  const rssBefore = (procKb(server.pid, 'VmRSS') ?? 0) / 1024;
  const hwmReset = resetPeakRss(server.pid);
  let polled = rssBefore;
  const poll = setInterval(() => {
    const kb = procKb(server.pid, 'VmRSS');
    if (kb !== undefined) polled = Math.max(polled, kb / 1024);
  }, 50);
  const run: DownloadRun = {
    status: 0,
    wallS: 0,
    ttfbMs: 0,
    bytes: 0,
    records: 0,
    mbPerS: 0,
    wellFormed: false,
    serverRssBeforeMb: rssBefore,
    serverPeakRssMb: 0,
    peakFrom: hwmReset ? 'VmHWM' : 'polling',
  };
  const t0 = performance.now();
  try {
    const res = await fetch(`${server.base}/download`, { signal: AbortSignal.timeout(timeoutMs) });
    run.status = res.status;
    run.ttfbMs = performance.now() - t0;
    if (!res.body) throw new Error('no body');
    const reader = res.body.getReader();
    let first = -1;
    let tail = Buffer.alloc(0);
    const k = RECORD_KEY.length;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (first < 0 && chunk.length > 0) first = chunk[0]!;
      run.bytes += chunk.length;
      // a key split across two chunks
      const seam = Buffer.concat([tail, chunk.subarray(0, k - 1)]);
      if (seam.indexOf(RECORD_KEY) >= 0) run.records++;
      for (let i = chunk.indexOf(RECORD_KEY); i >= 0; i = chunk.indexOf(RECORD_KEY, i + k)) run.records++;
      tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (k - 1))));
    }
    run.wellFormed = first === 0x5b && tail.toString().trimEnd().endsWith(']');
  } catch (err) {
    run.error = (err as Error).message;
  }
  run.wallS = (performance.now() - t0) / 1000;
  clearInterval(poll);
  run.mbPerS = run.bytes / MB / run.wallS;
  const hwm = hwmReset ? (procKb(server.pid, 'VmHWM') ?? 0) / 1024 : 0;
  run.serverPeakRssMb = Math.max(hwm, polled);
  return run;
}

async function checkedDownload(
  server: Server,
  rows: number,
  total: number,
  what: string,
  results: Results,
): Promise<DownloadRun> {
  const d = await downloadOnce(server, Math.max(120_000, (rows / 1_000_000) * 600_000));
  if (d.error || d.status !== 200 || d.records !== total || !d.wellFormed)
    results.errors.push(`${what}: status ${d.status}, ${d.records} of ${total} records, ${d.error ?? ''}`);
  log(
    `  ${what.replace(/^\S+ /, '')}: ${d.wallS.toFixed(2)} s, ${(d.bytes / MB).toFixed(0)} MB, ${d.mbPerS.toFixed(1)} MB/s, ${d.records} records, server RSS ${d.serverRssBeforeMb.toFixed(0)} MB before, peak ${d.serverPeakRssMb.toFixed(0)} MB (${d.peakFrom})`,
  );
  return d;
}

// ------------------------------------------------------------------------------------------- phases

async function importPhase(size: SizeFiles, opts: Options, results: Results): Promise<string> {
  const label = sizeLabel(size.rows);
  const out: SizeImports = {
    rows: size.rows,
    label,
    csvBytes: statSync(size.urlhausCsv).size,
    jsonBytes: statSync(size.urlhausJson).size,
    floor: [],
    csv: { first: [], refresh: [] },
    json: { first: [], refresh: [] },
  };
  results.imports.push(out);
  const keep = join(DB_DIR, `urlhaus-${label}.db`);
  const scratch = join(DB_DIR, 'scratch.db');
  const note = (what: string, r: ImportRun) => {
    if (r.error) results.errors.push(`${label} ${what} run ${r.run}: ${r.error}`);
    log(
      `  ${what}: ${r.wallS.toFixed(2)} s, ${Math.round(r.rowsPerS).toLocaleString('en-US')} rows/s, peak RSS ${r.peakRssMb.toFixed(0)} MB${r.error ? ` ERROR ${r.error}` : ''}`,
    );
  };
  for (let run = 1; run <= opts.runs; run++) {
    log(`imports ${label}, run ${run}/${opts.runs}`);
    results.loadAvg.push({ phase: `imports ${label} run ${run}`, load1: os.loadavg()[0]! });
    if (results.floorAvailable) {
      const f = await runFloor(size.urlhausCsv, size.rows, run);
      out.floor.push(f);
      if (f.error) results.errors.push(`${label} floor run ${run}: ${f.error}`);
      log(
        `  floor: first ${f.firstS} s, refresh ${f.refreshS} s (${f.rows} rows)${f.error ? ` ERROR ${f.error}` : ''}`,
      );
    }
    const csvDb = run === opts.runs ? keep : scratch;
    removeDb(csvDb);
    const first = await runImport('urlhaus', size.urlhausCsv, csvDb, size.rows, run);
    note('csv import', first);
    out.csv.first.push(first);
    const refresh = await runImport('urlhaus', size.urlhausCsv, csvDb, size.rows, run);
    note('csv refresh', refresh);
    out.csv.refresh.push(refresh);
    if (refresh.summary && refresh.summary.unchanged !== size.rows)
      results.errors.push(`${label} csv refresh run ${run}: expected all unchanged: ${refresh.summary.line}`);
    if (run <= opts.jsonRuns) {
      removeDb(scratch);
      const jf = await runImport('urlhaus', size.urlhausJson, scratch, size.rows, run);
      note('json import', jf);
      out.json.first.push(jf);
      const jr = await runImport('urlhaus', size.urlhausJson, scratch, size.rows, run);
      note('json refresh', jr);
      out.json.refresh.push(jr);
    }
    removeDb(scratch);
  }
  return keep;
}

async function otherImports(size: SizeFiles, results: Results): Promise<void> {
  const scratch = join(DB_DIR, 'scratch.db');
  for (const [feed, file] of [
    ['feodotracker', size.feodoJson],
    ['et-compromised', size.etCompromised],
  ] as const) {
    removeDb(scratch);
    const first = await runImport(feed, file, scratch, size.rows, 1);
    const refresh = await runImport(feed, file, scratch, size.rows, 1);
    for (const r of [first, refresh])
      if (r.error) results.errors.push(`${feed} ${sizeLabel(size.rows)}: ${r.error}`);
    results.otherImports.push({ feed, file: relative(ROOT, file), rows: size.rows, first, refresh });
    log(
      `  ${feed} ${sizeLabel(size.rows)}: import ${first.wallS.toFixed(2)} s (${first.peakRssMb.toFixed(0)} MB), refresh ${refresh.wallS.toFixed(2)} s (${refresh.peakRssMb.toFixed(0)} MB)`,
    );
  }
  removeDb(scratch);
}

async function httpPhase(rows: number, db: string, opts: Options, results: Results): Promise<void> {
  const label = sizeLabel(rows);
  log(`http on the ${label} database`);
  results.loadAvg.push({ phase: `http ${label}`, load1: os.loadavg()[0]! });
  // /download first, each run on a freshly started server: its peak RSS is then the download's own.
  const download: DownloadRun[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const fresh = await startServer(db);
    try {
      download.push(
        await checkedDownload(fresh, rows, rows, `${label} /download on a fresh server`, results),
      );
    } finally {
      await fresh.stop();
    }
  }
  const server = await startServer(db);
  try {
    const stats = (await (await fetch(`${server.base}/api/v1/stats`)).json()) as { total: number };
    const total = stats.total;
    const lastPage = Math.max(1, Math.ceil(total / 100));
    const serverIdleRssMb = (procKb(server.pid, 'VmRSS') ?? 0) / 1024;
    const coldMs = {
      page1: await timeGet(`${server.base}/view?limit=100&page=1`),
      lastPage: await timeGet(`${server.base}/view?limit=100&page=${lastPage}`),
    };
    log(
      `  ${total} records, last page ${lastPage}; cold: page 1 ${coldMs.page1.toFixed(0)} ms, last ${coldMs.lastPage.toFixed(0)} ms`,
    );
    const view1 = await loadPhase(
      '/view page 1',
      server.base,
      '/view?limit=100&page=1',
      '/view?limit=100&page=1',
      opts,
    );
    const lastPath = `/view?limit=100&page=${lastPage}`;
    const viewLast = await loadPhase(`/view page ${lastPage}`, server.base, lastPath, lastPath, opts);
    // Every request a different page: what a response cache for repeated pages cannot serve.
    const pageRng = new Prng(7);
    const viewRandom = await loadPhase(
      '/view random pages',
      server.base,
      `/view?limit=100&page=<1..${lastPage}, at random>`,
      () => `/view?limit=100&page=${pageRng.int(1, lastPage)}`,
      opts,
    );
    const walk = await walkCursors(server.base, total);
    log(
      `  cursor walk: ${walk.pages} pages, ${walk.rows} rows in ${walk.wallS.toFixed(1)} s${walk.complete ? '' : ' (INCOMPLETE)'}`,
    );
    if (!walk.complete || walk.rows !== total)
      results.errors.push(`${label} cursor walk: ${walk.rows} of ${total} rows`);
    const rng = new Prng(42);
    const cursors = walk.cursors.length > 0 ? walk.cursors : [''];
    const indicators = await loadPhase(
      '/api/v1/indicators cursor pages',
      server.base,
      '/api/v1/indicators?limit=100&cursor=<one of the walk cursors, at random>',
      () => `/api/v1/indicators?limit=100&cursor=${encodeURIComponent(rng.pick(cursors))}`,
      opts,
    );
    const sample = (await (
      await fetch(`${server.base}/api/v1/lookup?value=${encodeURIComponent(walk.values[0] ?? '')}`)
    ).json()) as { found?: boolean };
    const lookup = await loadPhase(
      '/api/v1/lookup',
      server.base,
      '/api/v1/lookup?value=<a stored URL, at random>',
      () => `/api/v1/lookup?value=${encodeURIComponent(rng.pick(walk.values))}`,
      opts,
    );
    // Once more on this server, which has just served the load phases (its heap has grown meanwhile).
    const afterLoad = await checkedDownload(
      server,
      rows,
      total,
      `${label} /download after the load phases`,
      results,
    );
    results.http.push({
      rows,
      label,
      total,
      lastPage,
      serverIdleRssMb,
      coldMs,
      view1,
      viewLast,
      viewRandom,
      walk: {
        pages: walk.pages,
        rows: walk.rows,
        wallS: walk.wallS,
        rowsPerS: walk.rowsPerS,
        complete: walk.complete,
      },
      indicators,
      lookup: { ...lookup, sampleFound: sample.found === true },
      download,
      downloadAfterLoad: afterLoad,
    });
  } finally {
    await server.stop();
  }
}

async function ingestPhase(rows: number, db: string, files: GeneratedFiles, opts: Options, results: Results) {
  const label = sizeLabel(rows);
  log(`ingest under load, on a copy of the ${label} database`);
  results.loadAvg.push({ phase: 'ingest under load', load1: os.loadavg()[0]! });
  const copy = join(DB_DIR, `ingest-${label}.db`);
  removeDb(copy);
  copyFileSync(db, copy);
  if (existsSync(`${db}-wal`)) copyFileSync(`${db}-wal`, `${copy}-wal`);
  // The fresh URLhaus list replaces the stored one: let that snapshot commit despite its removals.
  const feedsFile = join(OUT, 'feeds-bench.json');
  writeFileSync(feedsFile, JSON.stringify({ feeds: { urlhaus: { maxRemovalShare: 1 } } }));
  const server = await startServer(copy);
  try {
    // A different page each request: every one reads the database, as no cache of repeated pages can answer.
    const stats = (await (await fetch(`${server.base}/api/v1/stats`)).json()) as { total: number };
    const lastPage = Math.max(1, Math.ceil(stats.total / 100));
    const pageRng = new Prng(11);
    const path = () => `/view?limit=100&page=${pageRng.int(1, lastPage)}`;
    const pathLabel = `/view?limit=100&page=<1..${lastPage}, at random>`;
    await cannon(server.base, path, 1, opts.connections).done;
    const baseline = await cannon(server.base, path, opts.duration, opts.connections).done;
    log(`  baseline ${pathLabel}: ${baseline.reqPerS.toFixed(0)} req/s, p99 ${baseline.p99} ms`);
    const scenarios: IngestScenario[] = [];
    const cases = [
      {
        name: `${human(files.freshRows)} ET compromised IPs (a second feed; nothing removed)`,
        feed: 'et-compromised',
        file: files.freshEt,
        env: {},
      },
      {
        name: `${human(files.freshRows)} fresh URLhaus CSV rows (new URLs; the snapshot replaces the ${human(rows)} stored, maxRemovalShare 1)`,
        feed: 'urlhaus',
        file: files.freshCsv,
        env: { FEEDS_FILE: feedsFile },
      },
    ];
    for (const c of cases) {
      const capS = Math.ceil(importTimeoutMs(rows) / 1000) + 30;
      const load = cannon(server.base, path, capS, opts.connections);
      await new Promise((r) => setTimeout(r, 100));
      const imp = await runImport(c.feed, c.file, copy, files.freshRows, 1, c.env);
      load.stop();
      const stats = await load.done;
      if (imp.error) results.errors.push(`ingest ${c.feed}: ${imp.error}`);
      scenarios.push({
        name: c.name,
        feed: c.feed,
        file: relative(ROOT, c.file),
        rows: files.freshRows,
        importRun: imp,
        load: stats,
      });
      log(
        `  ${c.feed}: import ${imp.wallS.toFixed(2)} s (${imp.summary?.line ?? imp.error}); /view meanwhile ${stats.reqPerS.toFixed(0)} req/s, median ${stats.p50} ms, p99 ${stats.p99} ms, max ${stats.max} ms`,
      );
    }
    results.ingest = { size: label, path: pathLabel, baseline, scenarios };
  } finally {
    await server.stop();
    removeDb(copy);
  }
}

// ------------------------------------------------------------------------------------------- report

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const secs = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} s` : 'n/a');
const mb = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} MB` : 'n/a');
const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : Math.round(x)} ms` : 'n/a');
/** 100k, 1M: sizes as people write them. */
const human = (n: number) => sizeLabel(n).replace(/m$/, 'M');
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
const mark = (p: boolean | null) => (p === null ? 'n/a' : p ? 'PASS' : '**FAIL**');

function med(runs: ImportRun[], k: 'wallS' | 'peakRssMb' | 'rowsPerS'): number {
  return median(runs.filter((r) => !r.error).map((r) => r[k]));
}
function maxOf(xs: number[]): number {
  return xs.length ? Math.max(...xs) : Number.NaN;
}

function evaluateTargets(r: Results): TargetRow[] {
  const rows: TargetRow[] = [];
  const imp = r.imports[r.imports.length - 1];
  const http = r.http[r.http.length - 1];
  const at = imp && imp.rows !== 1_000_000 ? ` (measured at ${human(imp.rows)}; the target is for 1M)` : '';
  if (imp) {
    const floorFirst = median(imp.floor.filter((f) => !f.error).map((f) => f.firstS));
    const floorRefresh = median(imp.floor.filter((f) => !f.error).map((f) => f.refreshS));
    const ratio = (x: number, floor: number): [string, boolean | null] =>
      r.floorAvailable && Number.isFinite(floor)
        ? [`${f2(x / floor)}x (${secs(x)} vs floor ${secs(floor)})`, x / floor <= 1.5]
        : ['floor: not available', null];
    for (const [fmt, runs] of [
      ['CSV', imp.csv],
      ['JSON', imp.json],
    ] as const) {
      const [m1, p1] = ratio(med(runs.first, 'wallS'), floorFirst);
      rows.push({
        target: `${human(imp.rows)}-row ${fmt} import within 1.5x of the floor${at}`,
        measured: m1,
        pass: p1,
      });
      const [m2, p2] = ratio(med(runs.refresh, 'wallS'), floorRefresh);
      rows.push({
        target: `${human(imp.rows)} ${fmt} refresh within 1.5x of the floor${at}`,
        measured: m2,
        pass: p2,
      });
    }
    for (const [fmt, runs] of [
      ['CSV', imp.csv],
      ['JSON', imp.json],
    ] as const) {
      const peak = maxOf([...runs.first, ...runs.refresh].map((x) => x.peakRssMb));
      rows.push({
        target: `${human(imp.rows)} ${fmt} import and refresh: peak RSS at most 256 MB${at}`,
        measured: `${mb(peak)} (highest of all runs)`,
        pass: peak <= 256,
      });
    }
  }
  if (http) {
    const at2 = http.rows !== 1_000_000 ? ` (at ${human(http.rows)})` : '';
    for (const p of [http.view1, http.viewLast]) {
      rows.push({
        target: `\`/view?limit=100\` ${p.name.replace('/view ', '')}: at least 1,500 req/s${at2}`,
        measured: `${int(p.reqPerS)} req/s`,
        pass: p.reqPerS >= 1500,
      });
    }
    // autocannon's percentiles are whole milliseconds, and both pages answer in under one, so the ratio is of
    // mean latencies, which a closed loop of N connections gives exactly: N / throughput (Little's law).
    const meanMs = (p: LoadPhase) => (1000 * r.options.connections) / p.reqPerS;
    const ratio = meanMs(http.viewLast) / meanMs(http.view1);
    rows.push({
      target: `\`/view\` last page within 3x of page 1's latency${at2}`,
      measured: `${f2(ratio)}x (mean ${meanMs(http.viewLast).toFixed(2)} vs ${meanMs(http.view1).toFixed(2)} ms, ${r.options.connections} connections / req/s; medians ${ms(http.viewLast.p50)} vs ${ms(http.view1.p50)})`,
      pass: ratio <= 3,
    });
    const fresh = maxOf(http.download.map((d) => d.serverPeakRssMb));
    const after = http.downloadAfterLoad;
    const all = [...http.download, ...(after ? [after] : [])];
    const ok = all.every((d) => !d.error && d.records === http.total && d.wellFormed);
    rows.push({
      target: `\`/download\` of ${int(http.total)} records: server peak RSS at most 256 MB${at2}`,
      measured:
        `${mb(fresh)} on a fresh server (highest of ${http.download.length})` +
        (after ? `; ${mb(after.serverPeakRssMb)} on the server after the load phases` : '') +
        (ok ? '' : '; download incomplete'),
      pass: ok && maxOf(all.map((d) => d.serverPeakRssMb)) <= 256,
    });
  }
  if (r.ingest) {
    for (const s of r.ingest.scenarios) {
      rows.push({
        target: `API p99 during a ${human(s.rows)} import (${s.feed}) under 250 ms`,
        measured: `p99 ${ms(s.load.p99)} over ${secs(s.load.durationS)} (${int(s.load.reqPerS)} req/s)`,
        pass: s.load.p99 < 250 && s.load.errors === 0 && s.load.non2xx === 0,
      });
    }
  }
  return rows;
}

const ORIGINAL = {
  load100k: { s: 17.8, mb: 701 },
  refresh100k: { s: 6.0 },
  load1m: { s: 151.6, mb: 6.5 * 1024 },
  view100kPage1: 70,
  view100kPage900: 22,
  view1mPage9000: { rps: 5.4, latencyS: 1.3 },
  download100k: { s: 9.9, mb: 601 },
};

function renderMarkdown(r: Results, analysis: string): string {
  const L: string[] = [];
  const m = r.machine;
  L.push('# Benchmarks', '');
  L.push(
    `Generated by \`npm run bench\` (\`bench/run.ts\`) on ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC; raw figures in [\`bench/results.json\`](bench/results.json).`,
    '',
  );
  L.push('## Machine', '');
  L.push('| | |', '|---|---|');
  L.push(`| CPU | ${m.cpus} cores, ${m.cpuModel} |`);
  L.push(`| Memory | ${m.memoryGb} GB |`);
  L.push(`| Node | ${m.node} |`);
  L.push(`| SQLite | ${m.sqlite} (better-sqlite3) |`);
  L.push(`| OS | ${m.os} |`);
  L.push(
    `| Load average (1 min) | ${r.loadAvg.map((l) => f1(l.load1)).join(', ')} at the start of each phase |`,
  );
  L.push(
    `| Code | ${r.code.commit}${r.code.dirtySrc ? ' plus uncommitted changes in src/' : ''}${r.code.srcDigest ? ` (sha256 of src/ as compiled: ${r.code.srcDigest})` : ''} |`,
  );
  for (const x of r.reruns ?? [])
    L.push(
      `| Re-run | ${x.phase} at ${x.at.slice(0, 16).replace('T', ' ')} UTC, same build (${x.srcDigest}) and databases |`,
    );
  L.push(
    `| SQLite floor | ${r.floorAvailable ? '`../shared/bench/sqlite-floor.cjs`, run in the same run on the same CSV' : 'floor: not available'} |`,
  );
  L.push('');
  L.push('## How to reproduce', '');
  L.push(
    '```sh',
    'npm ci',
    'npm run bench                      # = npx tsx bench/run.ts: 100k and 1M, 3 runs',
  );
  L.push('npx tsx bench/run.ts --quick       # 100k only, 1 run (about 2 minutes)');
  L.push(
    'npx tsx bench/run.ts --sizes 100k,1m --runs 3 --json-runs 1 --duration 5 --connections 10 --timeout 45',
  );
  L.push(
    'npx tsx bench/profile.ts --size 1m # CPU profile of the import (and --heap for a heap profile)',
    '```',
    '',
  );
  L.push(
    `Options of this run: sizes ${r.options.sizes.map(human).join(', ')}; ${plural(r.options.runs, 'run')} of the CSV import and the floor, ${plural(r.options.jsonRuns, 'run')} of the JSON import; load phases of ${r.options.duration} s with ${r.options.connections} connections (autocannon, in the harness process, on loopback), each after a 1 s warm-up, ${plural(r.options.runs, 'run')} each; figures are medians over runs.`,
    '',
  );
  L.push('Method:', '');
  L.push(
    '- The harness compiles `src/` into `bench/out/build` first, so the whole run measures one version of the code.',
    '- `bench/generate.ts` writes the feeds deterministically (seeded PRNG) into `bench/out/`: URLhaus CSV and JSON, Feodo Tracker JSON and ET compromised lists at each size, plus 100k fresh URLhaus rows and 100k fresh ET IPs. All values are unique public addresses or URLs; the 100k files are the first 100k rows of the 1M files.',
    `- An import is \`node bin/threat-aggregator import urlhaus FILE\` (through the snapshot) into a new database; the refresh is the same command again on the unchanged file. Wall time is the child process from spawn to exit (process start included: \`--help\` alone takes ${secs(r.cliStartS)}); peak RSS is GNU time's maximum resident set size of that process. rows/s = rows / wall time.`,
    "- The floor is plain better-sqlite3 with prepared statements (naive CSV split, 5,000 rows a transaction), run on the same CSV in the same run; its times are measured inside the script (no process start). Ratios are the project's median over the floor's median. The floor reads CSV only: JSON imports are compared with the CSV floor of the same rows.",
    "- The server is `threat-aggregator serve` (`FETCH_ON_START=false`, `LOG_LEVEL=warn`) on the database of the last CSV run. `/view` is loaded on page 1, on the last page, and on a random page each request (which a cache of repeated pages cannot answer). `/download` runs first, each time on a freshly started server, then once more on the server that has served the load phases; its peak RSS is the server's VmHWM, reset (`/proc/<pid>/clear_refs`) just before the request, cross-checked by polling VmRSS every 50 ms.",
    '- Ingest under load: on a copy of the largest database, autocannon keeps `/view?limit=100` busy on a random page each request while a second process imports 100k entries into the same SQLite file (WAL: one writer, many readers); the load starts 0.1 s before the import and stops when it exits, so its figures cover exactly the ingest.',
    '',
  );

  if (r.targets) {
    L.push('## Targets', '');
    L.push('| Target | Measured | Result |', '|---|---|---|');
    for (const t of r.targets) L.push(`| ${t.target} | ${t.measured} | ${mark(t.pass)} |`);
    L.push('');
  }

  L.push('## Import (`import urlhaus`)', '');
  L.push(
    '| Rows | Format | File | Import | rows/s | Peak RSS | Refresh | Peak RSS | Floor import / refresh | Import ratio | Refresh ratio |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of r.imports) {
    const floorFirst = median(s.floor.filter((f) => !f.error).map((f) => f.firstS));
    const floorRefresh = median(s.floor.filter((f) => !f.error).map((f) => f.refreshS));
    for (const [fmt, runs, bytes] of [
      ['CSV', s.csv, s.csvBytes],
      ['JSON', s.json, s.jsonBytes],
    ] as const) {
      const first = med(runs.first, 'wallS');
      const refresh = med(runs.refresh, 'wallS');
      const fl = r.floorAvailable && Number.isFinite(floorFirst);
      L.push(
        `| ${int(s.rows)} | ${fmt} (${runs.first.length} run${runs.first.length > 1 ? 's' : ''}) | ${mb(bytes / MB)} | ${secs(first)} | ${int(med(runs.first, 'rowsPerS'))} | ${mb(med(runs.first, 'peakRssMb'))} | ${secs(refresh)} | ${mb(med(runs.refresh, 'peakRssMb'))} | ${fl ? `${secs(floorFirst)} / ${secs(floorRefresh)}` : 'floor: not available'} | ${fl ? `${f2(first / floorFirst)}x` : 'n/a'} | ${fl ? `${f2(refresh / floorRefresh)}x` : 'n/a'} |`,
      );
    }
  }
  L.push('');
  const each = (runs: ImportRun[]) =>
    runs
      .map(
        (x) => `${f1(x.wallS)}${x.summary?.reportedS !== undefined ? ` (${f1(x.summary.reportedS)})` : ''}`,
      )
      .join(' / ');
  const runsLine = (s: SizeImports) =>
    `${human(s.rows)}: CSV import ${each(s.csv.first)}, refresh ${each(s.csv.refresh)}` +
    (s.floor.length
      ? `; floor import+refresh ${s.floor.map((f) => `${f1(f.firstS)}+${f1(f.refreshS)}`).join(' / ')}`
      : '') +
    `; JSON import ${each(s.json.first)}, refresh ${each(s.json.refresh)}`;
  L.push(
    "Every run, wall seconds (in brackets the CLI's own timing of the run, without process start and database opening):",
    '',
  );
  for (const s of r.imports) L.push(`- ${runsLine(s)}`);
  L.push('');
  if (r.otherImports.length) {
    L.push('Other feed formats (one run each, informational):', '');
    L.push('| Feed | Rows | Import | Peak RSS | Refresh | Peak RSS |', '|---|---:|---:|---:|---:|---:|');
    for (const o of r.otherImports)
      L.push(
        `| ${o.feed} (\`${o.file.replace('bench/out/', '')}\`) | ${int(o.rows)} | ${secs(o.first.wallS)} | ${mb(o.first.peakRssMb)} | ${secs(o.refresh.wallS)} | ${mb(o.refresh.peakRssMb)} |`,
      );
    L.push('');
  }

  L.push('## HTTP', '');
  L.push('| Database | Endpoint | req/s | Median latency | p99 | Errors |', '|---:|---|---:|---:|---:|---:|');
  for (const h of r.http) {
    for (const p of [h.view1, h.viewLast, ...(h.viewRandom ? [h.viewRandom] : []), h.indicators, h.lookup]) {
      const bad = p.runs.reduce((a, x) => a + x.errors + x.timeouts + x.non2xx, 0);
      L.push(
        `| ${int(h.total)} | \`${p.path}\` | ${int(p.reqPerS)} | ${ms(p.p50)} | ${ms(p.p99)} | ${bad} |`,
      );
    }
  }
  L.push('');
  for (const h of r.http) {
    L.push(
      `- ${human(h.rows)}: first request after start, page 1 ${ms(h.coldMs.page1)}, last page (${h.lastPage}) ${ms(h.coldMs.lastPage)}; full cursor walk (limit 1000) ${h.walk.pages} pages, ${int(h.walk.rows)} rows in ${secs(h.walk.wallS)} (${int(h.walk.rowsPerS)} rows/s); lookup sample found: ${h.lookup.sampleFound}; server RSS when idle ${mb(h.serverIdleRssMb)}.`,
    );
  }
  L.push('');
  L.push('### `/download` (JSON array, streamed)', '');
  L.push(
    '| Records | Server | Size | Wall time | MB/s | First byte | Server RSS before | Server peak RSS |',
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const h of r.http) {
    const d = h.download;
    L.push(
      `| ${int(h.total)} | fresh (${plural(d.length, 'run')}) | ${mb(median(d.map((x) => x.bytes)) / MB)} | ${secs(median(d.map((x) => x.wallS)))} | ${f1(median(d.map((x) => x.mbPerS)))} | ${ms(median(d.map((x) => x.ttfbMs)))} | ${mb(median(d.map((x) => x.serverRssBeforeMb)))} | ${mb(maxOf(d.map((x) => x.serverPeakRssMb)))} (highest) |`,
    );
    const a = h.downloadAfterLoad;
    if (a)
      L.push(
        `| ${int(h.total)} | after the load phases | ${mb(a.bytes / MB)} | ${secs(a.wallS)} | ${f1(a.mbPerS)} | ${ms(a.ttfbMs)} | ${mb(a.serverRssBeforeMb)} | ${mb(a.serverPeakRssMb)} |`,
      );
  }
  L.push('');
  if (r.ingest) {
    const g = r.ingest;
    L.push(`## Ingest under load (${g.size.replace(/m$/, 'M')} database)`, '');
    L.push(`Load: \`${g.path ?? '/view?limit=100&page=1'}\`, ${r.options.connections} connections.`, '');
    L.push(
      '| While | Import wall | `/view?limit=100` req/s | Median | p99 | Max | Errors |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    L.push(
      `| nothing (baseline) | | ${int(g.baseline.reqPerS)} | ${ms(g.baseline.p50)} | ${ms(g.baseline.p99)} | ${ms(g.baseline.max)} | ${g.baseline.errors + g.baseline.non2xx} |`,
    );
    for (const s of g.scenarios)
      L.push(
        `| ${s.name} | ${secs(s.importRun.wallS)} | ${int(s.load.reqPerS)} | ${ms(s.load.p50)} | ${ms(s.load.p99)} | ${ms(s.load.max)} | ${s.load.errors + s.load.non2xx + s.load.timeouts} |`,
      );
    L.push('');
    for (const s of g.scenarios) L.push(`- ${s.feed}: \`${s.importRun.summary?.line ?? s.importRun.error}\``);
    L.push('');
  }

  L.push('## Beside the original Python/FastAPI project', '');
  L.push(
    'The original figures were measured by that project on the same kind of machine (2 cores); ours come from this run.',
    '',
  );
  const i100 = r.imports.find((s) => s.rows === 100_000);
  const i1m = r.imports.find((s) => s.rows === 1_000_000);
  const h100 = r.http.find((h) => h.rows === 100_000);
  const h1m = r.http.find((h) => h.rows === 1_000_000);
  const na = 'not measured in this run';
  L.push('| Measurement | Original (Python/FastAPI) | This project |', '|---|---|---|');
  L.push(
    `| Load 100k URLs | ${ORIGINAL.load100k.s} s, ${ORIGINAL.load100k.mb} MB peak | ${i100 ? `${secs(med(i100.csv.first, 'wallS'))}, ${mb(med(i100.csv.first, 'peakRssMb'))} peak (CSV); ${secs(med(i100.json.first, 'wallS'))}, ${mb(med(i100.json.first, 'peakRssMb'))} (JSON)` : na} |`,
  );
  L.push(
    `| Refresh 100k | ${ORIGINAL.refresh100k.s.toFixed(1)} s | ${i100 ? `${secs(med(i100.csv.refresh, 'wallS'))} (CSV), ${secs(med(i100.json.refresh, 'wallS'))} (JSON)` : na} |`,
  );
  L.push(
    `| Load 1M URLs | ${ORIGINAL.load1m.s} s, 6.5 GB peak | ${i1m ? `${secs(med(i1m.csv.first, 'wallS'))}, ${mb(med(i1m.csv.first, 'peakRssMb'))} peak (CSV); ${secs(med(i1m.json.first, 'wallS'))}, ${mb(med(i1m.json.first, 'peakRssMb'))} (JSON)` : na} |`,
  );
  L.push(
    `| \`/view?limit=100\` page 1, 100k rows | ${ORIGINAL.view100kPage1} req/s | ${h100 ? `${int(h100.view1.reqPerS)} req/s, median ${ms(h100.view1.p50)}` : na} |`,
  );
  L.push(
    `| \`/view?limit=100\` page 900, 100k rows | ${ORIGINAL.view100kPage900} req/s | ${h100 ? `page ${h100.lastPage} (the last): ${int(h100.viewLast.reqPerS)} req/s, median ${ms(h100.viewLast.p50)}${h100.viewRandom ? `; a random page each request: ${int(h100.viewRandom.reqPerS)} req/s, median ${ms(h100.viewRandom.p50)}` : ''}` : na} |`,
  );
  L.push(
    `| \`/view?limit=100\` page 9000, 1M rows | ${ORIGINAL.view1mPage9000.rps} req/s, ${ORIGINAL.view1mPage9000.latencyS} s latency | ${h1m ? `page ${h1m.lastPage} (the last): ${int(h1m.viewLast.reqPerS)} req/s, median ${ms(h1m.viewLast.p50)}${h1m.viewRandom ? `; a random page each request: ${int(h1m.viewRandom.reqPerS)} req/s, median ${ms(h1m.viewRandom.p50)}` : ''}` : na} |`,
  );
  L.push(
    `| \`/download\` of 100k records | ${ORIGINAL.download100k.s} s, server at ${ORIGINAL.download100k.mb} MB | ${h100 ? `${secs(median(h100.download.map((d) => d.wallS)))}, server peak ${mb(maxOf(h100.download.map((d) => d.serverPeakRssMb)))}` : na} |`,
  );
  L.push(
    `| \`/download\` of 1M records | not reported | ${h1m ? `${secs(median(h1m.download.map((d) => d.wallS)))}, server peak ${mb(maxOf(h1m.download.map((d) => d.serverPeakRssMb)))}` : na} |`,
  );
  L.push('');
  if (r.errors.length) {
    L.push('## Problems seen in this run', '');
    for (const e of r.errors) L.push(`- ${e}`);
    L.push('');
  }
  L.push('## Analysis', '');
  L.push(ANALYSIS_START, analysis.trim() || '_No analysis written for this run yet._', ANALYSIS_END, '');
  return L.join('\n');
}

const ANALYSIS_START = '<!-- analysis:start (kept across runs of bench/run.ts; edit freely) -->';
const ANALYSIS_END = '<!-- analysis:end -->';

function previousAnalysis(path: string): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const a = text.indexOf(ANALYSIS_START);
  const b = text.indexOf(ANALYSIS_END);
  return a >= 0 && b > a ? text.slice(a + ANALYSIS_START.length, b) : '';
}

// --------------------------------------------------------------------------------------------- main

/** bench/results.json, laid out as the project's formatter (biome) wants it, so that `npm run lint` stays clean. */
function writeResultsJson(results: Results): void {
  const path = join(BENCH_DIR, 'results.json');
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  const biome = join(ROOT, 'node_modules/.bin/biome');
  if (!existsSync(biome)) return;
  try {
    execFileSync(biome, ['format', '--write', path], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    // left as JSON.stringify wrote it
  }
}

function machineInfo(): Record<string, string | number> {
  let sqlite = 'unknown';
  try {
    const db = new Database(':memory:');
    sqlite = String(db.prepare('select sqlite_version()').pluck().get());
    db.close();
  } catch {
    // keep unknown
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    sqlite,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/** The commit, whether src/ differs from it, and a digest of src/ as compiled (other people edit it meanwhile). */
function gitInfo(): { commit: string; dirtySrc: boolean; srcDigest: string } {
  const digest = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) digest.update(relative(ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(join(ROOT, 'src'));
  const srcDigest = digest.digest('hex').slice(0, 12);
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT })
      .toString()
      .trim();
    return { commit, dirtySrc: dirty.length > 0, srcDigest };
  } catch {
    return { commit: 'unknown', dirtySrc: false, srcDigest };
  }
}

/**
 * `--only http|ingest`: runs one server-side phase again with the options of bench/results.json, on the build
 * and the databases that run left in bench/out, and puts its figures in place of the old ones.
 */
async function rerun(phase: string): Promise<void> {
  if (phase !== 'http' && phase !== 'ingest') throw new Error('--only takes http or ingest');
  const resultsPath = join(BENCH_DIR, 'results.json');
  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as Results;
  const opts = results.options;
  const dbs = opts.sizes.map((rows) => ({ rows, db: join(DB_DIR, `urlhaus-${sizeLabel(rows)}.db`) }));
  for (const x of [CLI, ...dbs.map((d) => d.db)])
    if (!existsSync(x)) throw new Error(`${x} is missing: run bench/run.ts in full first`);
  log(
    `re-running ${phase} on the build of ${results.startedAt} (src/ ${results.code.srcDigest ?? '?'} then)`,
  );
  const deadline = setTimeout(() => {
    killChildren();
    process.exit(2);
  }, opts.timeoutMin * 60_000);
  results.errors = results.errors.filter((e) =>
    phase === 'ingest' ? !e.startsWith('ingest ') : !/\/(download|view)|cursor walk/.test(e),
  );
  results.loadAvg.push({ phase: `re-run ${phase}`, load1: os.loadavg()[0]! });
  if (phase === 'http') {
    results.http = [];
    for (const { rows, db } of dbs) await httpPhase(rows, db, opts, results);
  } else {
    const largest = dbs[dbs.length - 1]!;
    await ingestPhase(largest.rows, largest.db, filesFor(OUT, opts.sizes), opts, results);
  }
  results.reruns = [
    ...(results.reruns ?? []),
    { phase, at: new Date().toISOString(), srcDigest: results.code.srcDigest ?? '?' },
  ];
  results.targets = evaluateTargets(results);
  writeResultsJson(results);
  const mdPath = join(ROOT, 'BENCHMARKS.md');
  writeFileSync(mdPath, renderMarkdown(results, previousAnalysis(mdPath)));
  clearTimeout(deadline);
  for (const t of results.targets) log(`  ${mark(t.pass).replaceAll('*', '')}  ${t.target}: ${t.measured}`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--render-only')) {
    // Re-renders BENCHMARKS.md from bench/results.json (after a change to this report's layout).
    const mdPath = join(ROOT, 'BENCHMARKS.md');
    const saved = JSON.parse(readFileSync(join(BENCH_DIR, 'results.json'), 'utf8')) as Results;
    saved.targets = evaluateTargets(saved);
    writeFileSync(mdPath, renderMarkdown(saved, previousAnalysis(mdPath)));
    log('re-rendered BENCHMARKS.md from bench/results.json');
    return;
  }
  const onlyAt = process.argv.indexOf('--only');
  if (onlyAt >= 0) {
    await rerun(process.argv[onlyAt + 1] ?? '');
    return;
  }
  const opts = parseOptions(process.argv.slice(2));
  const deadline = setTimeout(() => {
    console.error(`bench: the whole run exceeded --timeout ${opts.timeoutMin} min; stopping`);
    killChildren();
    process.exit(2);
  }, opts.timeoutMin * 60_000);
  process.once('SIGINT', () => {
    killChildren();
    process.exit(130);
  });
  mkdirSync(DB_DIR, { recursive: true });
  const results: Results = {
    version: 1,
    startedAt: new Date().toISOString(),
    options: opts,
    machine: machineInfo(),
    code: gitInfo(),
    floorAvailable: existsSync(FLOOR),
    cliStartS: Number.NaN,
    loadAvg: [{ phase: 'start', load1: os.loadavg()[0]! }],
    imports: [],
    otherImports: [],
    http: [],
    errors: [],
  };
  log(`machine: ${JSON.stringify(results.machine)}; load ${os.loadavg()[0]!.toFixed(2)}`);
  if (os.loadavg()[0]! > 1)
    log('warning: the machine is busy (1-minute load above 1); figures will be noisy');
  log(results.floorAvailable ? `floor: ${FLOOR}` : 'floor: not available');

  log('build: compiling src/ into bench/out/build');
  const complaints = buildSnapshot();
  if (complaints) {
    results.code.buildComplaints = complaints.slice(0, 4000);
    log(`build: tsc reported problems (code emitted anyway):\n${complaints.slice(0, 2000)}`);
  }
  const start = [] as number[];
  for (let i = 0; i < 3; i++) start.push((await timedNode([CLI, '--help'], BASE_ENV, 30_000)).wallS);
  results.cliStartS = median(start);

  const files = await generate(OUT, opts.sizes, { log });
  const dbs: { rows: number; db: string }[] = [];
  for (const size of files.sizes) dbs.push({ rows: size.rows, db: await importPhase(size, opts, results) });
  log('other formats (one run, at the smallest size)');
  await otherImports(files.sizes[0]!, results);
  for (const { rows, db } of dbs) await httpPhase(rows, db, opts, results);
  const largest = dbs[dbs.length - 1]!;
  await ingestPhase(largest.rows, largest.db, files, opts, results);

  results.loadAvg.push({ phase: 'end', load1: os.loadavg()[0]! });
  results.finishedAt = new Date().toISOString();
  results.targets = evaluateTargets(results);
  const mdPath = join(ROOT, 'BENCHMARKS.md');
  writeResultsJson(results);
  writeFileSync(mdPath, renderMarkdown(results, previousAnalysis(mdPath)));
  clearTimeout(deadline);
  log('targets:');
  for (const t of results.targets) log(`  ${mark(t.pass).replaceAll('*', '')}  ${t.target}: ${t.measured}`);
  if (results.errors.length) log(`problems:\n  ${results.errors.join('\n  ')}`);
  log(
    `wrote BENCHMARKS.md and bench/results.json in ${((Date.now() - Date.parse(results.startedAt)) / 60_000).toFixed(1)} min`,
  );
}

main().catch((err) => {
  console.error(err);
  killChildren();
  process.exit(1);
});
