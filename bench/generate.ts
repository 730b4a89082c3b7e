/**
 * Deterministic feed generator for the benchmark: URLhaus CSV and JSON, Feodo Tracker JSON and the ET
 * compromised-IPs list, in the real formats, at any size. The same seed always gives the same bytes.
 *
 *   npx tsx bench/generate.ts [--sizes 100k,1m] [--out bench/out] [--force]
 *
 * All files are streamed (written in chunks); only the set of URLs (and IPs) already used is kept in memory,
 * so that every value is unique within a file. One URL stream feeds every size: the 100k files hold the
 * first 100k rows of the 1M files, and `urlhaus-fresh-100k.csv` holds the 100k rows that follow the largest
 * size, so its URLs appear in no other file.
 */
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  type WriteStream,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 2;
const SEED = 0x7a11_2026;
const FRESH_ROWS = 100_000;

/** mulberry32: small, fast, good enough for test data, and deterministic. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += HEX[Math.floor(this.next() * 16)];
    return s;
  }
  word(min: number, max: number): string {
    const n = this.int(min, max);
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHA[Math.floor(this.next() * 26)];
    return s;
  }
}

const HEX = '0123456789abcdef';
const ALPHA = 'abcdefghijklmnopqrstuvwxyz';

/** Public unicast IPv4 only: the importer rejects private, shared, reserved, special-purpose and multicast space. */
export function isPublicIpv4(a: number, b: number, c: number): boolean {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false;
  if (a === 192 && ((b === 31 && c === 196) || (b === 52 && c === 193) || (b === 175 && c === 48)))
    return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 88 && c === 99) return false;
  if (a === 198 && (b === 18 || b === 19)) return false;
  if (a === 198 && b === 51 && c === 100) return false;
  if (a === 203 && b === 0 && c === 113) return false;
  return true;
}

export function publicIpv4(rng: Prng): string {
  for (;;) {
    const a = rng.int(1, 223);
    const b = rng.int(0, 255);
    const c = rng.int(0, 255);
    const d = rng.int(1, 254);
    if (isPublicIpv4(a, b, c)) return `${a}.${b}.${c}.${d}`;
  }
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
/** `2026-02-26 12:05:20` (UTC). */
export function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

// ---------------------------------------------------------------------------------------------- URLhaus

export interface UrlhausRow {
  id: number;
  dateadded: string;
  url: string;
  status: 'online' | 'offline';
  lastOnline: string | null;
  threat: string;
  tags: string[] | null;
  reporter: string;
}

const IOT_PATHS = [
  'i',
  'bin.sh',
  'Mozi.m',
  'Mozi.a',
  'mozi.m',
  'bins/x86',
  'bins/arm7',
  'bins/mips',
  'sh',
  'z',
];
const IOT_TAGS: (string[] | null)[] = [
  ['32-bit', 'elf', 'mips', 'Mozi'],
  ['32-bit', 'elf', 'mips'],
  ['32-bit', 'arm', 'elf', 'Mozi'],
  ['elf', 'ua-wget'],
  ['elf', 'mirai'],
  null,
];
const EXE_NAMES = [
  'Zoom Setup',
  'invoice',
  'AnyDesk',
  'update',
  'setup_x64',
  'Document_2026',
  'payload',
  'client32',
];
const EXE_TAGS: (string[] | null)[] = [
  ['exe'],
  ['exe', 'RemcosRAT'],
  ['AsyncRAT', 'exe'],
  ['exe', 'Vidar'],
  null,
];
const TLDS = [
  'com',
  'net',
  'org',
  'ru',
  'xyz',
  'top',
  'info',
  'io',
  'cn',
  'com.br',
  'in',
  'de',
  'online',
  'site',
];
const WEB_DIRS = [
  'wp-content/uploads',
  'wp-includes',
  'admin',
  'files',
  'download',
  'images',
  'js',
  'doc',
  'update',
];
const WEB_FILES = [
  'index.php',
  'file.zip',
  'doc.js',
  'load.ps1',
  'a.hta',
  'invoice.pdf.exe',
  'x.dll',
  'gate.php',
];
const WEB_TAGS: (string[] | null)[] = [
  ['zip'],
  ['js', 'Qakbot'],
  ['ps1', 'opendir'],
  ['dll', 'IcedID'],
  ['doc', 'emotet', 'epoch4', 'heodo'],
  null,
];
const REPORTERS = [
  'geenensp',
  'abuse_ch',
  'lrz_urlhaus',
  'Cryptolaemus1',
  'JAMESWT_MHT',
  'anonymous',
  'DaveLikesMalwre',
];

/** An endless, deterministic stream of unique URLhaus rows, newest first (descending id and date). */
export class UrlhausStream {
  private readonly rng = new Prng(SEED);
  private readonly seen = new Set<string>();
  private id = 3_786_237;
  private readonly t0 = Date.UTC(2026, 1, 26, 12, 5, 20);
  private t = this.t0;

  next(): UrlhausRow {
    const rng = this.rng;
    let url: string;
    let tags: string[] | null;
    do {
      const kind = rng.next();
      if (kind < 0.55) {
        url = `http://${publicIpv4(rng)}:${rng.int(1024, 65535)}/${rng.pick(IOT_PATHS)}`;
        tags = rng.pick(IOT_TAGS);
      } else if (kind < 0.7) {
        const name = rng.pick(EXE_NAMES).replaceAll(' ', '%20');
        url = `https://pub-${rng.hex(32)}.r2.dev/${name}.exe`;
        tags = rng.pick(EXE_TAGS);
      } else {
        const host = `${rng.next() < 0.3 ? `${rng.word(3, 8)}.` : ''}${rng.word(4, 12)}${rng.word(0, 6)}.${rng.pick(TLDS)}`;
        const query =
          rng.next() < 0.5
            ? `?id=${rng.int(1, 999_999)}&t=${rng.hex(rng.int(6, 16))}${rng.next() < 0.1 ? '&v=1,2' : ''}`
            : '';
        url = `${rng.next() < 0.6 ? 'https' : 'http'}://${host}/${rng.pick(WEB_DIRS)}/${rng.word(2, 10)}/${rng.pick(WEB_FILES)}${query}`;
        tags = rng.pick(WEB_TAGS);
      }
    } while (this.seen.has(url));
    this.seen.add(url);
    this.t -= rng.int(0, 60) * 1000;
    const online = rng.next() < 0.2;
    const dateadded = stamp(this.t);
    return {
      id: this.id--,
      dateadded,
      url,
      status: online ? 'online' : 'offline',
      lastOnline: online ? stamp(Math.min(this.t0, this.t + rng.int(0, 86_400) * 1000)) : null,
      threat: 'malware_download',
      tags,
      reporter: rng.pick(REPORTERS),
    };
  }
}

const CSV_BANNER = [
  '################################################################',
  '# abuse.ch URLhaus Database Dump (CSV)                         #',
  '# Last updated: 2026-02-26 12:05:20 (UTC)                      #',
  '#                                                              #',
  '# Terms Of Use: https://urlhaus.abuse.ch/api/                  #',
  '# For questions please contact urlhaus [at] abuse.ch           #',
  '################################################################',
  '#',
  '# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter',
  '',
].join('\n');

export function urlhausCsvLine(r: UrlhausRow): string {
  const link = `https://urlhaus.abuse.ch/url/${r.id}/`;
  const tags = r.tags === null ? 'None' : r.tags.join(',');
  return `"${r.id}","${r.dateadded}","${r.url}","${r.status}","${r.lastOnline ?? ''}","${r.threat}","${tags}","${link}","${r.reporter}"\n`;
}

/** One member of the JSON dump, indented as abuse.ch does (4 spaces). */
export function urlhausJsonMember(r: UrlhausRow, first: boolean): string {
  const tags =
    r.tags === null
      ? 'null'
      : `[\n${r.tags.map((t) => `                ${JSON.stringify(t)}`).join(',\n')}\n            ]`;
  return (
    `${first ? '' : ',\n'}    "${r.id}": [\n        {\n` +
    `            "dateadded": "${r.dateadded} UTC",\n` +
    `            "url": ${JSON.stringify(r.url)},\n` +
    `            "url_status": "${r.status}",\n` +
    `            "last_online": ${r.lastOnline === null ? 'null' : `"${r.lastOnline} UTC"`},\n` +
    `            "threat": "${r.threat}",\n` +
    `            "tags": ${tags},\n` +
    `            "urlhaus_link": "https://urlhaus.abuse.ch/url/${r.id}/",\n` +
    `            "reporter": "${r.reporter}"\n        }\n    ]`
  );
}

// ------------------------------------------------------------------------------------- Feodo and ET

const MALWARE = ['Dridex', 'Emotet', 'QakBot', 'TrickBot', 'BazarLoader', 'Pikabot', 'BumbleBee'];
const PORTS = [443, 447, 449, 995, 2222, 4643, 8080, 8443];
const ASES: [number, string, string][] = [
  [16276, 'OVH', 'FR'],
  [14061, 'DIGITALOCEAN-ASN', 'US'],
  [24940, 'HETZNER-AS', 'DE'],
  [63949, 'AKAMAI-LINODE-AP Akamai Connected Cloud', 'US'],
  [4134, 'CHINANET-BACKBONE No.31,Jin-rong Street', 'CN'],
  [9829, 'BSNL-NIB National Internet Backbone', 'IN'],
];

/** Unique public IPv4 addresses, deterministic. */
class IpStream {
  private readonly seen = new Set<string>();
  constructor(readonly rng: Prng) {}
  next(): string {
    for (;;) {
      const ip = publicIpv4(this.rng);
      if (!this.seen.has(ip)) {
        this.seen.add(ip);
        return ip;
      }
    }
  }
}

function feodoRecord(rng: Prng, ip: string, t: number, first: boolean): string {
  const [asn, asName, country] = rng.pick(ASES);
  const online = rng.next() < 0.3;
  const hostname =
    rng.next() < 0.4 ? JSON.stringify(`${rng.word(3, 8)}.${rng.word(4, 10)}.${rng.pick(TLDS)}`) : 'null';
  const last = Math.min(Date.UTC(2026, 1, 26), t + rng.int(0, 90) * 86_400_000);
  const lastOnline = rng.next() < 0.9 ? `"${stamp(last).slice(0, 10)}"` : 'null';
  return (
    `${first ? '' : ',\n'}    {\n` +
    `        "ip_address": "${ip}",\n` +
    `        "port": ${rng.pick(PORTS)},\n` +
    `        "status": "${online ? 'online' : 'offline'}",\n` +
    `        "hostname": ${hostname},\n` +
    `        "as_number": ${asn},\n` +
    `        "as_name": ${JSON.stringify(asName)},\n` +
    `        "country": "${country}",\n` +
    `        "first_seen": "${stamp(t)}",\n` +
    `        "last_online": ${lastOnline},\n` +
    `        "malware": "${rng.pick(MALWARE)}"\n    }`
  );
}

// ------------------------------------------------------------------------------------------ writing

/** A write stream with a chunk buffer and backpressure. */
class ChunkWriter {
  private buf: string[] = [];
  private len = 0;
  private readonly out: WriteStream;
  constructor(path: string) {
    this.out = createWriteStream(path);
  }
  async write(s: string): Promise<void> {
    this.buf.push(s);
    this.len += s.length;
    if (this.len >= 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    const chunk = this.buf.join('');
    this.buf = [];
    this.len = 0;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s} (use e.g. 100k, 1m, 5000)`);
  const mult = { '': 1, k: 1e3, m: 1e6 }[m[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Math.round(Number(m[1]) * mult);
}

export function sizeLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

export interface SizeFiles {
  rows: number;
  urlhausCsv: string;
  urlhausJson: string;
  feodoJson: string;
  etCompromised: string;
}

export interface GeneratedFiles {
  sizes: SizeFiles[];
  /** 100k URLhaus rows whose URLs appear in no other file. */
  freshCsv: string;
  /** 100k ET compromised IPs from a stream of their own, for an import into a database of URLs. */
  freshEt: string;
  freshRows: number;
}

export function filesFor(outDir: string, sizes: number[]): GeneratedFiles {
  return {
    sizes: sizes.map((rows) => {
      const l = sizeLabel(rows);
      return {
        rows,
        urlhausCsv: join(outDir, `urlhaus-${l}.csv`),
        urlhausJson: join(outDir, `urlhaus-${l}.json`),
        feodoJson: join(outDir, `feodotracker-${l}.json`),
        etCompromised: join(outDir, `et-compromised-${l}.txt`),
      };
    }),
    freshCsv: join(
      outDir,
      `urlhaus-fresh-${sizeLabel(FRESH_ROWS)}-after-${sizeLabel(Math.max(...sizes))}.csv`,
    ),
    freshEt: join(outDir, `et-compromised-fresh-${sizeLabel(FRESH_ROWS)}.txt`),
    freshRows: FRESH_ROWS,
  };
}

/** Writes every file for the given sizes, unless a manifest shows they exist from this generator version. */
export async function generate(
  outDir: string,
  sizeList: number[],
  opts: { force?: boolean; log?: (s: string) => void } = {},
): Promise<GeneratedFiles> {
  const log = opts.log ?? (() => {});
  const sizes = [...new Set(sizeList)].sort((a, b) => a - b);
  mkdirSync(outDir, { recursive: true });
  const files = filesFor(outDir, sizes);
  const manifestPath = join(outDir, 'manifest.json');
  const wanted = JSON.stringify({ version: GENERATOR_VERSION, seed: SEED, files });
  const allExist = [
    files.freshCsv,
    files.freshEt,
    ...files.sizes.flatMap((s) => [s.urlhausCsv, s.urlhausJson, s.feodoJson, s.etCompromised]),
  ].every((f) => existsSync(f));
  if (!opts.force && allExist && existsSync(manifestPath) && readFileSync(manifestPath, 'utf8') === wanted) {
    log(`generate: files in ${outDir} are up to date`);
    return files;
  }

  const max = sizes[sizes.length - 1]!;
  const t0 = Date.now();
  // URLhaus: one stream, prefixes for the smaller sizes, then the fresh rows.
  const csvs = files.sizes.map((s) => new ChunkWriter(s.urlhausCsv));
  const jsons = files.sizes.map((s) => new ChunkWriter(s.urlhausJson));
  for (const w of csvs) await w.write(CSV_BANNER);
  for (const w of jsons) await w.write('{\n');
  const stream = new UrlhausStream();
  for (let i = 0; i < max; i++) {
    const row = stream.next();
    const line = urlhausCsvLine(row);
    const member = urlhausJsonMember(row, i === 0);
    for (let k = 0; k < sizes.length; k++) {
      if (i < sizes[k]!) {
        await csvs[k]!.write(line);
        await jsons[k]!.write(member);
      }
    }
  }
  for (const w of jsons) await w.write('\n}\n');
  await Promise.all([...csvs, ...jsons].map((w) => w.close()));
  const fresh = new ChunkWriter(files.freshCsv);
  await fresh.write(CSV_BANNER);
  for (let i = 0; i < FRESH_ROWS; i++) await fresh.write(urlhausCsvLine(stream.next()));
  await fresh.close();
  log(
    `generate: URLhaus CSV/JSON (${sizes.map(sizeLabel).join(', ')}) and fresh CSV in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  // Feodo Tracker JSON and ET compromised IPs: unique public IPv4 addresses.
  const t1 = Date.now();
  const feodo = files.sizes.map((s) => new ChunkWriter(s.feodoJson));
  const et = files.sizes.map((s) => new ChunkWriter(s.etCompromised));
  for (const w of feodo) await w.write('[\n');
  const frng = new Prng(SEED ^ 0x5eed);
  const fips = new IpStream(new Prng(SEED ^ 0xfeed));
  const eips = new IpStream(new Prng(SEED ^ 0xe7));
  let t = Date.UTC(2026, 1, 26, 12, 0, 0);
  for (let i = 0; i < max; i++) {
    t -= frng.int(0, 60) * 1000;
    const rec = feodoRecord(frng, fips.next(), t, i === 0);
    const ip = `${eips.next()}\n`;
    for (let k = 0; k < sizes.length; k++) {
      if (i < sizes[k]!) {
        await feodo[k]!.write(rec);
        await et[k]!.write(ip);
      }
    }
  }
  for (const w of feodo) await w.write('\n]');
  await Promise.all([...feodo, ...et].map((w) => w.close()));
  const freshEt = new ChunkWriter(files.freshEt);
  const fresh4 = new IpStream(new Prng(SEED ^ 0xf4e5));
  for (let i = 0; i < FRESH_ROWS; i++) await freshEt.write(`${fresh4.next()}\n`);
  await freshEt.close();
  log(`generate: Feodo JSON and ET lists in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  writeFileSync(manifestPath, wanted);
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const sizes = (at('--sizes') ?? '100k,1m').split(',').map(parseSize);
  const out = resolve(at('--out') ?? join(fileURLToPath(new URL('.', import.meta.url)), 'out'));
  const files = await generate(out, sizes, { force: args.includes('--force'), log: console.log });
  console.log(JSON.stringify(files, null, 2));
}
