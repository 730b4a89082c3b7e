/**
 * Profiles `import urlhaus` of a generated dump: a first import into a new database, then the unchanged
 * refresh, each under `node --cpu-prof` (and `--heap-prof` with --heap), and prints where the time goes.
 *
 *   npx tsx bench/profile.ts [--size 1m] [--format csv|json] [--top 25] [--heap] [--build]
 *   npx tsx bench/profile.ts --view [--size 1m] [--page N] [--duration 10]
 *
 * With --view it profiles the server instead: `serve` under --cpu-prof on the database bench/run.ts kept
 * (bench/out/db/urlhaus-<size>.db) while autocannon loads `/view?limit=100&page=N` (default 1).
 *
 * Uses the snapshot build of bench/run.ts (bench/out/build), compiling it first when missing or with --build,
 * and the files of bench/generate.ts (generated when missing). Profiles go to bench/out/prof/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { filesFor, generate, parseSize, sizeLabel } from './generate.js';
import {
  buildSnapshot,
  CLI,
  DB_DIR,
  killChildren,
  log,
  OUT,
  parseSummary,
  ROOT,
  removeDb,
  startServer,
  timedNode,
} from './lib.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples: number[];
}

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** `functionName file:line`, with paths shortened to the package or to src/. */
function where(cf: CallFrame): string {
  let url = cf.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) url = url.slice(nm + '/node_modules/'.length);
  else if (url.includes('/bench/out/build/dist/')) url = `src/${url.split('/bench/out/build/dist/')[1]}`;
  else if (url.startsWith(ROOT)) url = url.slice(ROOT.length + 1);
  return `${cf.functionName || '(anonymous)'}${url ? ` ${url}:${cf.lineNumber + 1}` : ''}`;
}

/** The package (or src/ folder, or node: internal) a frame belongs to. */
function owner(cf: CallFrame): string {
  const url = cf.url.replace(/^file:\/\//, '');
  if (!url)
    return cf.functionName.startsWith('(') ? cf.functionName : '(native code, e.g. better-sqlite3 calls)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.includes('/bench/out/build/dist/')) {
    const parts = url.split('/bench/out/build/dist/')[1]!.split('/');
    return `src/${parts.slice(0, -1).join('/')}/${parts[parts.length - 1]!.replace(/\.js$/, '.ts')}`;
  }
  if (url.startsWith('node:')) return 'node: internals';
  return url;
}

function table(rows: [string, number][], total: number, top: number, unit: (v: number) => string): string {
  return rows
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([k, v], i) =>
        `${String(i + 1).padStart(3)}. ${unit(v).padStart(10)} ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`,
    )
    .join('\n');
}

export function summariseCpu(path: string, top: number): string {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const intervalUs = (p.endTime - p.startTime) / Math.max(1, p.samples.length);
  const byFn = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const us = (n.hitCount ?? 0) * intervalUs;
    if (us === 0) continue;
    total += us;
    const k = where(n.callFrame);
    byFn.set(k, (byFn.get(k) ?? 0) + us);
    const o = owner(n.callFrame);
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
  }
  const msf = (us: number) => `${(us / 1000).toFixed(0)} ms`;
  return [
    `${path.replace(`${ROOT}/`, '')}: ${(total / 1e6).toFixed(1)} s sampled, ${p.samples.length} samples of ${intervalUs.toFixed(0)} us`,
    `top ${top} functions by self time:`,
    table([...byFn], total, top, msf),
    'self time by package or source file:',
    table([...byOwner], total, 15, msf),
  ].join('\n');
}

export function summariseHeap(path: string, top: number): string {
  const p = JSON.parse(readFileSync(path, 'utf8')) as { head: HeapNode };
  const bySite = new Map<string, number>();
  let total = 0;
  const visit = (n: HeapNode) => {
    if (n.selfSize > 0) {
      total += n.selfSize;
      const k = where(n.callFrame);
      bySite.set(k, (bySite.get(k) ?? 0) + n.selfSize);
    }
    for (const c of n.children) visit(c);
  };
  visit(p.head);
  const mbf = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  return [
    `${path.replace(`${ROOT}/`, '')}: ${mbf(total)} sampled (allocations still live when the profile was written)`,
    `top ${top} allocation sites:`,
    table([...bySite], total, top, mbf),
  ].join('\n');
}

function newest(dir: string, ext: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir)
    .filter((n) => n.endsWith(ext))
    .sort()
    .pop();
  return f ? join(dir, f) : undefined;
}

async function profileView(rows: number, page: number, durationS: number, top: number): Promise<void> {
  const db = join(DB_DIR, `urlhaus-${sizeLabel(rows)}.db`);
  if (!existsSync(db)) throw new Error(`${db} is missing: run bench/run.ts first (it keeps that database)`);
  const dir = join(
    OUT,
    'prof',
    `${new Date().toISOString().replace(/[:.]/g, '-')}-serve-view-${sizeLabel(rows)}`,
  );
  mkdirSync(dir, { recursive: true });
  const server = await startServer(db, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const path = `/view?limit=100&page=${page}`;
  try {
    const result = await new Promise<autocannon.Result>((res, rej) => {
      autocannon(
        {
          url: server.base + path,
          connections: 10,
          duration: durationS,
          maxOverallRequests: durationS * 50_000,
        },
        (err, r) => (err ? rej(err) : res(r)),
      );
    });
    log(
      `${path}: ${(result.requests.total / result.duration).toFixed(0)} req/s, median ${result.latency.p50} ms`,
    );
  } finally {
    await server.stop();
  }
  const cpu = newest(dir, '.cpuprofile');
  if (cpu) console.log(summariseCpu(cpu, top));
  else log('no .cpuprofile written (the server did not exit cleanly)');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rows = parseSize(at('--size') ?? '1m');
  const format = at('--format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new Error('--format csv or json');
  const top = Number(at('--top') ?? 25);
  const heap = args.includes('--heap');
  if (args.includes('--view')) {
    if (!existsSync(CLI)) buildSnapshot();
    await profileView(rows, Number(at('--page') ?? 1), Number(at('--duration') ?? 10), top);
    return;
  }
  if (args.includes('--build') || !existsSync(CLI)) {
    log('build: compiling src/ into bench/out/build');
    buildSnapshot();
  }
  // The files of an earlier `bench/run.ts` serve as they are; generate only what is missing.
  const wanted = filesFor(OUT, [rows]).sizes[0]!;
  const size =
    existsSync(wanted.urlhausCsv) && existsSync(wanted.urlhausJson)
      ? wanted
      : (await generate(OUT, [rows], { log })).sizes[0]!;
  const file = format === 'csv' ? size.urlhausCsv : size.urlhausJson;
  mkdirSync(DB_DIR, { recursive: true });
  const db = join(DB_DIR, 'profile.db');
  removeDb(db);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const pass of ['import', 'refresh'] as const) {
    const dir = join(OUT, 'prof', `${stamp}-${sizeLabel(rows)}-${format}-${pass}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const flags = [`--cpu-prof`, `--cpu-prof-dir=${dir}`];
    if (heap) flags.push('--heap-prof', `--heap-prof-dir=${dir}`);
    log(`${pass}: node ${flags.join(' ')} ${CLI} import urlhaus ${file}`);
    const t = await timedNode(
      [...flags, CLI, 'import', 'urlhaus', file],
      { ...process.env, DATABASE_URL: db, LOG_LEVEL: 'warn' },
      30 * 60_000,
    );
    log(
      `${pass}: ${t.wallS.toFixed(1)} s wall, peak RSS ${t.peakRssMb.toFixed(0)} MB: ${parseSummary(t.stdout)?.line ?? t.stderr.slice(-500)}`,
    );
    const cpu = newest(dir, '.cpuprofile');
    if (cpu) console.log(summariseCpu(cpu, top));
    const hp = heap ? newest(dir, '.heapprofile') : undefined;
    if (hp) console.log(summariseHeap(hp, top));
  }
  removeDb(db);
}

main().catch((err) => {
  console.error(err);
  killChildren();
  process.exit(1);
});
