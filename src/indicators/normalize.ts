/**
 * Normalisation of raw indicator values (IPv4, IPv6, CIDR, URL, domain) into one canonical form.
 *
 * `normalizeIndicator` is on the ingest hot path: it trims, classifies the value by its shape in
 * one pass over its characters, and only then does the work for that one type. IPv4 and IPv6 are
 * parsed by hand (no regexes, no exceptions), and the special-purpose ranges are turned into
 * numbers once, when this module loads.
 *
 * The per-type helpers (`normalizeIPv4` and so on) only check syntax and return the canonical
 * form; they do not reject private or reserved addresses. That policy lives in
 * `normalizeIndicator` alone, so a lookup of "is 10.0.0.1 listed?" can still be normalised.
 */
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { parse as parseHostname } from 'tldts';
import { SPECIAL_RANGES } from './special-ranges.js';
import type { IndicatorType, Normalized } from './types.js';

/** IPv4 CIDRs broader than this are rejected: they would block a large share of the internet. */
const MIN_PREFIX_V4 = 8;
/** IPv6 CIDRs broader than this are rejected. */
const MIN_PREFIX_V6 = 16;

// ---------------------------------------------------------------------------------------------
// Constant rejections (allocated once)
// ---------------------------------------------------------------------------------------------

function reject(reason: string): Normalized {
  return { ok: false, reason };
}

const EMPTY = reject('empty value');
const CONTROL = reject('contains whitespace or control characters');
const INVALID_V4 = reject('invalid IPv4 address: need exactly 4 decimal parts, each 0-255');
const INVALID_V6 = reject('invalid IPv6 address');
const ZONE_V6 = reject('IPv6 zone identifiers (%...) are not allowed');
const INVALID_CIDR_ADDR = reject('invalid CIDR: the network address is not a valid IP address');
const INVALID_PREFIX = reject('invalid CIDR: the prefix length is not a decimal number');
const PREFIX_RANGE_V4 = reject('invalid CIDR: IPv4 prefix length must be 0-32');
const PREFIX_RANGE_V6 = reject('invalid CIDR: IPv6 prefix length must be 0-128');
const BROAD_V4 = reject(`CIDR too broad: IPv4 prefixes shorter than /${MIN_PREFIX_V4} are rejected`);
const BROAD_V6 = reject(`CIDR too broad: IPv6 prefixes shorter than /${MIN_PREFIX_V6} are rejected`);
const URL_NO_SCHEME = reject('invalid URL: missing scheme (expected http://, https:// or ftp://)');
const URL_EMPTY_HOST = reject('invalid URL: empty host');
const URL_INVALID = reject('invalid URL: not parseable by the WHATWG URL parser');
const DOMAIN_IDN = reject('invalid domain: internationalised name cannot be converted to punycode');
const DOMAIN_SYNTAX = reject('invalid domain: not a syntactically valid hostname');
const DOMAIN_NO_SUFFIX = reject('invalid domain: not under a known public suffix');
const DOMAIN_BARE_SUFFIX = reject('invalid domain: no registrable domain (a bare public suffix?)');

/** Per `expect` array (callers normally reuse one per feed): got-type -> cached rejection. */
const mismatchCache = new WeakMap<readonly IndicatorType[], Map<IndicatorType, Normalized>>();

/** "expected url, got ipv4"; cached so that a feed full of wrong-typed values builds no strings. */
function mismatch(expect: readonly IndicatorType[], got: IndicatorType): Normalized {
  let byType = mismatchCache.get(expect);
  if (byType === undefined) {
    byType = new Map();
    mismatchCache.set(expect, byType);
  }
  let r = byType.get(got);
  if (r === undefined) {
    r = reject(`expected ${expect.length === 0 ? 'nothing' : expect.join(' or ')}, got ${got}`);
    byType.set(got, r);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Low-level parsers
// ---------------------------------------------------------------------------------------------

/** Set by `parseV4` when a part had a leading zero, i.e. the canonical string differs. */
let v4HadLeadingZero = false;

/**
 * Parses `s[start, end)` as a dotted quad of DECIMAL parts (leading zeros allowed, at most 3
 * digits per part). Returns the address as an unsigned 32-bit number, or -1.
 */
function parseV4(s: string, start: number, end: number): number {
  let acc = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 3) return -1;
      if (digits === 1 && part === 0) leadingZero = true;
      part = part * 10 + (c - 48);
      digits++;
    } else if (c === 46) {
      if (digits === 0 || part > 255 || dots === 3) return -1;
      acc = acc * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || part > 255 || dots !== 3) return -1;
  v4HadLeadingZero = leadingZero;
  return acc * 256 + part;
}

function v4ToString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Strict RFC 4291 §2.2 text parser for `s[start, end)`: up to 8 groups of 1-4 hex digits, at most
 * one `::` (standing for at least one zero group), optionally ending in a decimal dotted quad.
 * Zone ids are not accepted. Writes the 8 16-bit groups into `out`; returns false if invalid.
 * (ipaddr.js is more lenient: it accepts hex/octal in an embedded IPv4 part and rewrites the
 * deprecated `::1.2.3.4` form into `::ffff:1.2.3.4`.)
 */
function parseV6(s: string, start: number, end: number, out: number[]): boolean {
  let n = 0;
  let dc = -1;
  let i = start;
  if (i >= end) return false;
  if (s.charCodeAt(i) === 58) {
    if (i + 1 >= end || s.charCodeAt(i + 1) !== 58) return false;
    dc = 0;
    i += 2;
  }
  while (i < end) {
    const groupStart = i;
    let value = 0;
    while (i < end && i - groupStart < 5) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    if (i < end && s.charCodeAt(i) === 46) {
      // Embedded dotted quad: must be the last 32 bits.
      if (n > 6) return false;
      const v4 = parseV4(s, groupStart, end);
      if (v4 < 0) return false;
      out[n++] = Math.floor(v4 / 65536);
      out[n++] = v4 & 0xffff;
      break;
    }
    const len = i - groupStart;
    if (len === 0 || len > 4 || n === 8) return false;
    out[n++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && s.charCodeAt(i) === 58) {
      if (dc >= 0) return false;
      dc = n;
      i++;
    } else if (i === end) {
      return false; // trailing single ':'
    }
  }
  if (dc < 0) return n === 8;
  if (n > 7) return false; // '::' must stand for at least one group
  const tail = n - dc;
  for (let k = tail - 1; k >= 0; k--) out[8 - tail + k] = out[dc + k]!;
  for (let k = dc; k < 8 - tail; k++) out[k] = 0;
  return true;
}

function partsToBigInt(p: readonly number[]): bigint {
  return (
    (BigInt(p[0]! * 65536 + p[1]!) << 96n) |
    (BigInt(p[2]! * 65536 + p[3]!) << 64n) |
    (BigInt(p[4]! * 65536 + p[5]!) << 32n) |
    BigInt(p[6]! * 65536 + p[7]!)
  );
}

function bigIntToParts(v: bigint): number[] {
  const out = new Array<number>(8);
  let x = v;
  for (let k = 7; k >= 0; k--) {
    out[k] = Number(x & 0xffffn);
    x >>= 16n;
  }
  return out;
}

function v6ToString(parts: readonly number[]): string {
  return new ipaddr.IPv6(parts.slice()).toRFC5952String();
}

function isV4Mapped(p: readonly number[]): boolean {
  return p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0xffff;
}

/** Parses a decimal prefix length in `s[start, end)` (leading zeros allowed); -1 if not a number. */
function parsePrefix(s: string, start: number, end: number): number {
  if (start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
    if (v > 1000) v = 1000; // clamp: out of range anyway, avoid overflow on absurd input
  }
  return v;
}

const v6Scratch: number[] = [0, 0, 0, 0, 0, 0, 0, 0];

// ---------------------------------------------------------------------------------------------
// Special-purpose ranges, parsed once
// ---------------------------------------------------------------------------------------------

const V4_START: number[] = [];
const V4_END: number[] = [];
const V4_IP_REASON: Normalized[] = [];
const V4_CIDR_REASON: Normalized[] = [];
const V6_START: bigint[] = [];
const V6_END: bigint[] = [];
const V6_IP_REASON: Normalized[] = [];
const V6_CIDR_REASON: Normalized[] = [];

for (const r of SPECIAL_RANGES) {
  const slash = r.cidr.indexOf('/');
  const prefix = slash < 0 ? -1 : parsePrefix(r.cidr, slash + 1, r.cidr.length);
  const what = `${r.name}, ${r.cidr} (${r.rfc})`;
  const ipReason = reject(`special-purpose address: ${what}`);
  const cidrReason = reject(`network overlaps special-purpose range: ${what}`);
  if (r.cidr.includes(':')) {
    const parts = [0, 0, 0, 0, 0, 0, 0, 0];
    if (prefix < 0 || prefix > 128 || !parseV6(r.cidr, 0, slash, parts)) {
      throw new Error(`special-ranges.ts: malformed entry ${r.cidr}`);
    }
    const start = partsToBigInt(parts);
    const hostMask = (1n << BigInt(128 - prefix)) - 1n;
    if ((start & hostMask) !== 0n) throw new Error(`special-ranges.ts: host bits set in ${r.cidr}`);
    V6_START.push(start);
    V6_END.push(start | hostMask);
    V6_IP_REASON.push(ipReason);
    V6_CIDR_REASON.push(cidrReason);
  } else {
    const start = slash < 0 ? -1 : parseV4(r.cidr, 0, slash);
    if (start < 0 || prefix < 0 || prefix > 32)
      throw new Error(`special-ranges.ts: malformed entry ${r.cidr}`);
    const size = 2 ** (32 - prefix);
    if (start % size !== 0) throw new Error(`special-ranges.ts: host bits set in ${r.cidr}`);
    V4_START.push(start);
    V4_END.push(start + size - 1);
    V4_IP_REASON.push(ipReason);
    V4_CIDR_REASON.push(cidrReason);
  }
}

function v4Special(n: number): Normalized | null {
  for (let i = 0; i < V4_START.length; i++) {
    if (n >= V4_START[i]! && n <= V4_END[i]!) return V4_IP_REASON[i]!;
  }
  return null;
}

function v4CidrSpecial(start: number, end: number): Normalized | null {
  for (let i = 0; i < V4_START.length; i++) {
    if (start <= V4_END[i]! && V4_START[i]! <= end) return V4_CIDR_REASON[i]!;
  }
  return null;
}

function v6Special(v: bigint): Normalized | null {
  for (let i = 0; i < V6_START.length; i++) {
    if (v >= V6_START[i]! && v <= V6_END[i]!) return V6_IP_REASON[i]!;
  }
  return null;
}

function v6CidrSpecial(start: bigint, end: bigint): Normalized | null {
  for (let i = 0; i < V6_START.length; i++) {
    if (start <= V6_END[i]! && V6_START[i]! <= end) return V6_CIDR_REASON[i]!;
  }
  return null;
}

/** Belt and braces for IPv6: anything ipaddr.js itself does not call `unicast`. */
function ipaddrV6Special(parts: readonly number[]): Normalized | null {
  const range = new ipaddr.IPv6(parts.slice()).range();
  return range === 'unicast' ? null : reject(`special-purpose address: ipaddr.js range "${range}"`);
}

// ---------------------------------------------------------------------------------------------
// Shape classification helpers
// ---------------------------------------------------------------------------------------------

/**
 * Only hex digits, ':', '.' (and brackets) in s[start, end), or such a run followed by a '%' zone
 * id: looks like an IPv6 address (which the caller then rejects if it has a zone id).
 */
function looksV6(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 58 || c === 46 || c === 91 || c === 93 || hexValue(c) >= 0) continue;
    return c === 37 && i > start;
  }
  return true;
}

function allDigitsDots(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return true;
}

function allDigits(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * WHATWG "ends in a number": the last label (ignoring one trailing dot) is decimal or 0x-hex.
 * Such a value is an attempt at an IPv4 address (`0x7f.0.0.1`, `1.2.3`), never a domain.
 */
function endsInNumber(s: string, lastDot: number): boolean {
  let end = s.length;
  let start = lastDot + 1;
  if (lastDot === end - 1 && lastDot > 0) {
    end = lastDot;
    start = s.lastIndexOf('.', end - 1) + 1;
  }
  if (start >= end) return false;
  const c0 = s.charCodeAt(start);
  if (c0 === 48 && end - start > 1 && (s.charCodeAt(start + 1) | 32) === 120) {
    for (let i = start + 2; i < end; i++) if (hexValue(s.charCodeAt(i)) < 0) return false;
    return true;
  }
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function has(expect: readonly IndicatorType[], t: IndicatorType): boolean {
  // A plain loop: `expect` is tiny, and this avoids a generic `includes` on a readonly tuple type.
  for (let i = 0; i < expect.length; i++) if (expect[i] === t) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Per-type finishing steps used by normalizeIndicator
// ---------------------------------------------------------------------------------------------

function finishV4(n: number, canonical: string, note?: string): Normalized {
  const special = v4Special(n);
  if (special !== null) return special;
  return note === undefined
    ? { ok: true, type: 'ipv4', value: canonical }
    : { ok: true, type: 'ipv4', value: canonical, note };
}

/**
 * A single IPv6 host (parts in `p`). `s` is the trimmed input; `fromCidr` is true when it came
 * from a /128, which is reported in the note.
 */
function finishV6Host(
  p: readonly number[],
  expect: readonly IndicatorType[],
  s: string,
  fromCidr: boolean,
): Normalized {
  if (isV4Mapped(p) && has(expect, 'ipv4')) {
    const n = p[6]! * 65536 + p[7]!;
    const v4 = v4ToString(n);
    const what = fromCidr ? 'single-host CIDR' : 'IPv4-mapped address';
    return finishV4(n, v4, `${what} ${s} stored as ipv4 ${v4}`);
  }
  if (!has(expect, 'ipv6')) return mismatch(expect, fromCidr ? 'cidr' : 'ipv6');
  const special = v6Special(partsToBigInt(p)) ?? ipaddrV6Special(p);
  if (special !== null) return special;
  const value = v6ToString(p);
  return fromCidr
    ? { ok: true, type: 'ipv6', value, note: `single-host CIDR ${s} stored as ipv6 ${value}` }
    : { ok: true, type: 'ipv6', value };
}

function normalizeCidrValue(
  s: string,
  slash: number,
  isV6: boolean,
  expect: readonly IndicatorType[],
): Normalized {
  const wantCidr = has(expect, 'cidr');
  const wantHost = isV6 ? has(expect, 'ipv6') || has(expect, 'ipv4') : has(expect, 'ipv4');
  if (!wantCidr && !wantHost) return mismatch(expect, 'cidr');
  const prefix = parsePrefix(s, slash + 1, s.length);
  if (prefix < 0) return INVALID_PREFIX;

  if (!isV6) {
    const n = parseV4(s, 0, slash);
    if (n < 0) return INVALID_CIDR_ADDR;
    if (prefix > 32) return PREFIX_RANGE_V4;
    if (prefix === 32 && wantHost) {
      const ip = v4ToString(n);
      return finishV4(n, ip, `single-host CIDR ${s} stored as ipv4 ${ip}`);
    }
    if (!wantCidr) return mismatch(expect, 'cidr');
    if (prefix < MIN_PREFIX_V4) return BROAD_V4;
    const size = 2 ** (32 - prefix);
    const network = n - (n % size);
    const special = v4CidrSpecial(network, network + size - 1);
    if (special !== null) return special;
    const value = `${v4ToString(network)}/${prefix}`;
    return network === n
      ? { ok: true, type: 'cidr', value }
      : { ok: true, type: 'cidr', value, note: `host bits set in ${s}, stored as ${value}` };
  }

  if (s.indexOf('%') >= 0) return ZONE_V6;
  const p = v6Scratch;
  if (!parseV6(s, 0, slash, p)) return INVALID_CIDR_ADDR;
  if (prefix > 128) return PREFIX_RANGE_V6;
  if (prefix === 128 && wantHost) return finishV6Host(p, expect, s, true);
  if (!wantCidr) return mismatch(expect, 'cidr');
  if (prefix < MIN_PREFIX_V6) return BROAD_V6;
  const v = partsToBigInt(p);
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  const network = v & ~hostMask;
  const networkParts = bigIntToParts(network);
  const special = v6CidrSpecial(network, network | hostMask) ?? ipaddrV6Special(networkParts);
  if (special !== null) return special;
  const value = `${v6ToString(networkParts)}/${prefix}`;
  return network === v
    ? { ok: true, type: 'cidr', value }
    : { ok: true, type: 'cidr', value, note: `host bits set in ${s}, stored as ${value}` };
}

/** Case-insensitive: is `s[0, colon)` one of http, https, ftp? */
function allowedScheme(s: string, colon: number): boolean {
  const c0 = s.charCodeAt(0) | 32;
  const c1 = s.charCodeAt(1) | 32;
  const c2 = s.charCodeAt(2) | 32;
  if (colon === 3) return c0 === 102 && c1 === 116 && c2 === 112; // ftp
  if (c0 !== 104 || c1 !== 116 || c2 !== 116 || (s.charCodeAt(3) | 32) !== 112) return false; // http
  return colon === 4 || (colon === 5 && (s.charCodeAt(4) | 32) === 115); // http | https
}

function normalizeUrlValue(s: string, colon: number, hasSchemeSep: boolean): Normalized {
  if (!hasSchemeSep) return URL_NO_SCHEME;
  if (colon === 0) return URL_NO_SCHEME;
  if (!allowedScheme(s, colon)) {
    return reject(`unsupported URL scheme "${s.slice(0, colon)}": only http, https and ftp are accepted`);
  }
  // WHATWG would read "http:///x" as host "x": refuse instead of rewriting.
  const h = s.charCodeAt(colon + 3);
  if (Number.isNaN(h) || h === 47 || h === 92 || h === 63 || h === 35) return URL_EMPTY_HOST;
  let href: string;
  try {
    href = new URL(s).href;
  } catch {
    return URL_INVALID;
  }
  return { ok: true, type: 'url', value: href };
}

/** a-z, 0-9, '-', '_' labels of 1-63 characters, no leading/trailing hyphen, at most 253 in all. */
function isHostnameSyntax(d: string): boolean {
  const len = d.length;
  if (len === 0 || len > 253) return false;
  let labelStart = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? d.charCodeAt(i) : 46;
    if (c === 46) {
      const labelLen = i - labelStart;
      if (labelLen < 1 || labelLen > 63) return false;
      if (d.charCodeAt(labelStart) === 45 || d.charCodeAt(i - 1) === 45) return false;
      labelStart = i + 1;
    } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95)) {
      return false;
    }
  }
  return true;
}

/**
 * `d` is already a validated, lower-case ASCII hostname: skip tldts's own URL extraction,
 * validation and IP detection (about 2x faster than `parse(d)` with its defaults). Private
 * (PSL "private section") suffixes are not applied, as with tldts's defaults.
 */
const TLDTS_OPTIONS = {
  extractHostname: false,
  validateHostname: false,
  detectIp: false,
  mixedInputs: false,
};

function normalizeDomainValue(s: string, upper: boolean, nonAscii: boolean): Normalized {
  let d = s;
  if (nonAscii) {
    d = domainToASCII(d);
    if (d === '') return DOMAIN_IDN;
  } else if (upper) {
    d = d.toLowerCase();
  }
  if (d.length > 1 && d.charCodeAt(d.length - 1) === 46) d = d.slice(0, -1);
  if (!isHostnameSyntax(d)) return DOMAIN_SYNTAX;
  // ASCII input may carry punycode labels: make sure they decode (domainToASCII returns '' if not).
  if (!nonAscii && d.includes('xn--') && domainToASCII(d) !== d) return DOMAIN_IDN;
  // IP-shaped values never get here (see normalizeIndicator), and the syntax is checked above.
  const info = parseHostname(d, TLDTS_OPTIONS);
  if (info.isIcann !== true && info.isPrivate !== true) return DOMAIN_NO_SUFFIX;
  if (info.domain === null) return DOMAIN_BARE_SUFFIX;
  return { ok: true, type: 'domain', value: d };
}

// ---------------------------------------------------------------------------------------------
// The entry point
// ---------------------------------------------------------------------------------------------

/**
 * Normalises one raw feed value to the canonical form of the type its shape shows, accepting only
 * types listed in `expect`. Private, reserved and other special-purpose IPs and CIDRs are rejected.
 * See the tests for the full rule set.
 */
export function normalizeIndicator(raw: string, expect: readonly IndicatorType[]): Normalized {
  const s = raw.trim();
  const len = s.length;
  if (len === 0) return EMPTY;

  // One pass: find the separators that decide the shape, and reject embedded whitespace/control.
  let colon = -1;
  let slash = -1;
  let lastDot = -1;
  let digitsDots = true;
  let upper = false;
  let nonAscii = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (c === 46) {
      lastDot = i;
      continue;
    }
    digitsDots = false;
    if (c <= 32 || c === 127) return CONTROL;
    if (c === 58) {
      if (colon < 0) colon = i;
    } else if (c === 47) {
      if (slash < 0) slash = i;
    } else if (c >= 65 && c <= 90) {
      upper = true;
    } else if (c > 127) {
      nonAscii = true;
    }
  }

  // ipv4: only digits and dots (the common case, checked first).
  if (digitsDots) {
    if (!has(expect, 'ipv4')) return mismatch(expect, 'ipv4');
    const n = parseV4(s, 0, len);
    if (n < 0) return INVALID_V4;
    return finishV4(n, v4HadLeadingZero ? v4ToString(n) : s);
  }

  // url: "scheme://" (the first '/' directly follows the first ':' and is doubled).
  const schemeSep = colon > 0 && slash === colon + 1 && s.charCodeAt(colon + 2) === 47;
  if (schemeSep) {
    if (!has(expect, 'url')) return mismatch(expect, 'url');
    return normalizeUrlValue(s, colon, true);
  }

  if (slash >= 0) {
    // cidr: an IP-looking address, one '/', then only digits (checked by the prefix parser).
    const isV6 = colon >= 0 && colon < slash;
    const ipLike = slash > 0 && (isV6 ? looksV6(s, 0, slash) : allDigitsDots(s, 0, slash));
    if (ipLike && allDigits(s, slash + 1, len)) {
      return normalizeCidrValue(s, slash, isV6, expect);
    }
    if (!has(expect, 'url')) return mismatch(expect, 'url');
    return normalizeUrlValue(s, colon, false);
  }

  if (colon >= 0) {
    if (!looksV6(s, 0, len)) {
      // "example.com:8080", "mailto:x": URL-ish without "://".
      if (!has(expect, 'url')) return mismatch(expect, 'url');
      return normalizeUrlValue(s, colon, false);
    }
    if (!has(expect, 'ipv6') && !has(expect, 'ipv4')) return mismatch(expect, 'ipv6');
    let start = 0;
    let end = len;
    if (s.charCodeAt(0) === 91) {
      if (s.charCodeAt(len - 1) !== 93) return INVALID_V6;
      start = 1;
      end = len - 1;
    }
    if (s.indexOf('%') >= 0) return ZONE_V6;
    if (!parseV6(s, start, end, v6Scratch)) return INVALID_V6;
    return finishV6Host(v6Scratch, expect, s, false);
  }

  // Hex or short IPv4 notations ("0x7f.0.0.1", "1.2.3" is caught above): an invalid IPv4.
  if (endsInNumber(s, lastDot)) {
    if (!has(expect, 'ipv4')) return mismatch(expect, 'ipv4');
    return INVALID_V4;
  }

  if (!has(expect, 'domain')) return mismatch(expect, 'domain');
  return normalizeDomainValue(s, upper, nonAscii);
}

// ---------------------------------------------------------------------------------------------
// Per-type helpers (syntax and canonical form only: no special-range policy)
// ---------------------------------------------------------------------------------------------

/** Canonical dotted quad (decimal parts, leading zeros dropped), or null. Private IPs are kept. */
export function normalizeIPv4(raw: string): string | null {
  const s = raw.trim();
  const n = parseV4(s, 0, s.length);
  if (n < 0) return null;
  return v4HadLeadingZero ? v4ToString(n) : s;
}

/** RFC 5952 form (brackets accepted, zone ids rejected), or null. IPv4-mapped stays IPv6 here. */
export function normalizeIPv6(raw: string): string | null {
  const s = raw.trim();
  let start = 0;
  let end = s.length;
  if (s.charCodeAt(0) === 91) {
    if (s.charCodeAt(end - 1) !== 93) return null;
    start = 1;
    end--;
  }
  const parts = [0, 0, 0, 0, 0, 0, 0, 0];
  if (!parseV6(s, start, end, parts)) return null;
  return v6ToString(parts);
}

interface ParsedCidr {
  version: 4 | 6;
  start: bigint;
  end: bigint;
  prefix: number;
}

/** Parses "ip/prefix" (host bits allowed) or a bare IP (as /32 or /128). */
function parseCidrAny(raw: string): ParsedCidr | null {
  const s = raw.trim();
  const slash = s.indexOf('/');
  const addrEnd = slash < 0 ? s.length : slash;
  if (s.indexOf(':') >= 0) {
    const parts = [0, 0, 0, 0, 0, 0, 0, 0];
    let start = 0;
    let end = addrEnd;
    if (s.charCodeAt(0) === 91 && s.charCodeAt(end - 1) === 93) {
      start = 1;
      end--;
    }
    if (!parseV6(s, start, end, parts)) return null;
    const prefix = slash < 0 ? 128 : parsePrefix(s, slash + 1, s.length);
    if (prefix < 0 || prefix > 128) return null;
    const hostMask = (1n << BigInt(128 - prefix)) - 1n;
    const network = partsToBigInt(parts) & ~hostMask;
    return { version: 6, start: network, end: network | hostMask, prefix };
  }
  const n = parseV4(s, 0, addrEnd);
  if (n < 0) return null;
  const prefix = slash < 0 ? 32 : parsePrefix(s, slash + 1, s.length);
  if (prefix < 0 || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  const network = n - (n % size);
  return { version: 4, start: BigInt(network), end: BigInt(network + size - 1), prefix };
}

/**
 * Canonical "network/prefix" (host bits cleared, RFC 5952 for IPv6, prefix without leading zeros),
 * or null. A bare IP is not a CIDR here. No breadth or special-range checks.
 */
export function normalizeCidr(raw: string): string | null {
  const s = raw.trim();
  if (s.indexOf('/') < 0) return null;
  const c = parseCidrAny(s);
  if (c === null) return null;
  if (c.version === 4) return `${v4ToString(Number(c.start))}/${c.prefix}`;
  return `${v6ToString(bigIntToParts(c.start))}/${c.prefix}`;
}

const ONLY_URL: readonly IndicatorType[] = ['url'];
const ONLY_DOMAIN: readonly IndicatorType[] = ['domain'];

/** WHATWG `href` of an absolute http, https or ftp URL with a non-empty host, or null. */
export function normalizeUrl(raw: string): string | null {
  const r = normalizeIndicator(raw, ONLY_URL);
  return r.ok ? r.value : null;
}

/** Lower-case, punycode, no trailing dot, under a public suffix (tldts); or null. */
export function normalizeDomain(raw: string): string | null {
  const r = normalizeIndicator(raw, ONLY_DOMAIN);
  return r.ok ? r.value : null;
}

/**
 * An IPv4 address as an unsigned 32-bit number (0 .. 2^32-1). Decimal parts only, leading zeros
 * allowed. Throws a TypeError for anything else.
 */
export function ipv4ToNumber(ip: string): number {
  const n = parseV4(ip, 0, ip.length);
  if (n < 0) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return n;
}

/** An IP address (v4 dotted quad or v6, brackets allowed) as a number. Throws a TypeError if invalid. */
export function ipToBigInt(ip: string): { version: 4 | 6; value: bigint } {
  const s = ip.trim();
  if (s.indexOf('/') < 0) {
    const c = parseCidrAny(s);
    if (c !== null) return { version: c.version, value: c.start };
  }
  throw new TypeError(`not an IP address: ${JSON.stringify(ip)}`);
}

/**
 * First and last address of a CIDR as numbers, for range queries in a database (host bits in the
 * input are ignored; a bare IP is a one-address range). Throws a TypeError if invalid.
 */
export function cidrRange(cidr: string): { version: 4 | 6; start: bigint; end: bigint } {
  const c = parseCidrAny(cidr);
  if (c === null) throw new TypeError(`not a CIDR: ${JSON.stringify(cidr)}`);
  return { version: c.version, start: c.start, end: c.end };
}

/**
 * Whether `ip` lies inside `cidr`. Different IP versions never match (an IPv4-mapped IPv6 address
 * is not inside an IPv4 CIDR). Throws a TypeError if either argument is invalid.
 */
export function cidrContains(cidr: string, ip: string): boolean {
  const range = cidrRange(cidr);
  const addr = ipToBigInt(ip);
  return range.version === addr.version && addr.value >= range.start && addr.value <= range.end;
}
