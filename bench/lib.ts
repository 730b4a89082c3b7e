/** Helpers shared by bench/run.ts and bench/profile.ts: paths, the code snapshot, timed child processes. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH_DIR, '..');
export const OUT = join(BENCH_DIR, 'out');
export const BUILD = join(OUT, 'build');
/** Entry point of the snapshot build: what bin/threat-aggregator does, on bench/out/build/dist. */
export const CLI = join(BUILD, 'cli.mjs');
export const DB_DIR = join(OUT, 'db');
/** The SQLite floor, outside the project: used only when present. */
export const FLOOR = resolve(ROOT, '../shared/bench/sqlite-floor.cjs');
const TIME_BIN = '/usr/bin/time';

export const MB = 1024 * 1024;

export function log(msg: string): void {
  const t = new Date().toISOString().slice(11, 19);
  console.log(`[${t}] ${msg}`);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Processes this harness started, so that a timeout or ^C ends exactly those (each in its own group). */
export const children = new Set<ChildProcess>();

export function killChild(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function killChildren(): void {
  for (const c of children) killChild(c);
}

/**
 * Compiles src/ into bench/out/build/dist (plus the web assets) so that the whole run measures one fixed
 * version of the code, whatever happens to dist/ or src/ meanwhile. Returns tsc's complaints, if any.
 */
export function buildSnapshot(): string | undefined {
  rmSync(BUILD, { recursive: true, force: true });
  mkdirSync(BUILD, { recursive: true });
  let complaints: string | undefined;
  try {
    execFileSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        join(BUILD, 'dist'),
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch (err) {
    const e = err as { stdout?: Buffer; message: string };
    complaints = e.stdout?.toString().trim() || e.message;
  }
  if (!existsSync(join(BUILD, 'dist/cli/main.js'))) {
    throw new Error(`the build produced no dist/cli/main.js:\n${complaints ?? ''}`);
  }
  cpSync(join(ROOT, 'src/web/assets'), join(BUILD, 'dist/web/assets'), { recursive: true });
  writeFileSync(CLI, "import { main } from './dist/cli/main.js';\n\nawait main(process.argv);\n");
  return complaints;
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or undefined once the process is gone. */
export function procKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process; false where that is not permitted. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface Timed {
  wallS: number;
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

let timeSeq = 0;

/**
 * Runs `node <args>` to completion, bounded by timeoutMs, and measures its wall time and peak RSS: with
 * GNU time (%M, the maximum resident set size) when installed, else by polling VmHWM every 50 ms.
 */
export async function timedNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  onSpawn?: (child: ChildProcess) => void,
): Promise<Timed> {
  const useTime = existsSync(TIME_BIN);
  const timeFile = join(OUT, `time-${process.pid}-${timeSeq++}.txt`);
  const cmd = useTime ? TIME_BIN : process.execPath;
  const argv = useTime ? ['-o', timeFile, '-f', '%e %M', process.execPath, ...args] : args;
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  let hwm = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        if (child.pid !== undefined) hwm = Math.max(hwm, procKb(child.pid, 'VmHWM') ?? 0);
      }, 50);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killChild(child);
  }, timeoutMs);
  onSpawn?.(child);
  const code = await new Promise<number | null>((res) => {
    child.on('close', (c) => res(c));
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  children.delete(child);
  let peakKb = hwm;
  if (useTime) {
    try {
      const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
      peakKb = Number(last.split(' ')[1]);
    } catch {
      peakKb = Number.NaN;
    }
    rmSync(timeFile, { force: true });
  }
  return { wallS, peakRssMb: peakKb / 1024, code, stdout, stderr, timedOut };
}

export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

/** The one-line summary of `threat-aggregator import`. */
export interface ImportSummary {
  feed: string;
  outcome: string;
  /** The run's own duration as the CLI reports it, seconds. */
  reportedS?: number;
  format?: string;
  parsed?: number;
  new?: number;
  updated?: number;
  unchanged?: number;
  removed?: number;
  rejected?: number;
  line: string;
}

export function parseSummary(stdout: string): ImportSummary | undefined {
  const line = stdout
    .trim()
    .split('\n')
    .find((l) => /^[\w-]+: /.test(l));
  if (!line) return undefined;
  const head = /^([\w-]+): (ok|refused|failed|not modified)/.exec(line);
  const s: ImportSummary = { feed: head?.[1] ?? '?', outcome: head?.[2] ?? '?', line };
  const secs = / in ([\d.]+) s /.exec(line);
  if (secs) s.reportedS = Number(secs[1]);
  const fmt = /\((\w+) format/.exec(line);
  if (fmt) s.format = fmt[1];
  const c = /parsed (\d+), new (\d+), updated (\d+), unchanged (\d+), removed (\d+), rejected (\d+)/.exec(
    line,
  );
  if (c) {
    s.parsed = Number(c[1]);
    s.new = Number(c[2]);
    s.updated = Number(c[3]);
    s.unchanged = Number(c[4]);
    s.removed = Number(c[5]);
    s.rejected = Number(c[6]);
  }
  return s;
}

/** The environment of every child: quiet logs, no feed pulls at server start. */
export const BASE_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  LOG_LEVEL: 'warn',
  FETCH_ON_START: 'false',
  NODE_ENV: 'production',
};

export interface Server {
  pid: number;
  base: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** `threat-aggregator serve` on loopback, on a free port, once /healthz answers; stop() sends SIGTERM. */
export async function startServer(db: string, nodeFlags: string[] = []): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, CLI, 'serve'], {
    cwd: ROOT,
    env: { ...BASE_ENV, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((res) => child.once('close', () => res()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${output}`);
    try {
      const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killChild(child);
      throw new Error(`the server did not answer /healthz within 60 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid!,
    base,
    async stop() {
      child.kill('SIGTERM');
      const t = setTimeout(() => killChild(child), 15_000);
      await exited;
      clearTimeout(t);
      children.delete(child);
    },
  };
}
